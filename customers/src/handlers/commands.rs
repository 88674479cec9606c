//! The `customer-commands` consumer: `customersapi.AuthorizeCustomer` from the create-order saga, answered with
//! `am.Success`, or `am.Failure` when the customer is unknown or disabled. A refusal is an answer (the reply is
//! committed with the inbox row); only infrastructure failures are handler errors, which the consumer retries.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::customerspb::AuthorizeCustomer;
use contracts::names;
use database::Transaction;
use ddd::{ErrorKind, HasErrorKind};
use messaging::{CommandOutcome, HandlerError, Message, Outbox, TxMessageHandler, reply_to_command};

use crate::application::Application;

/// Runs customer commands inside the inbox transaction.
pub(crate) struct CommandHandler {
    app: Arc<Application>,
    outbox: Outbox,
}

impl CommandHandler {
    pub(crate) fn new(app: Arc<Application>, outbox: Outbox) -> Self {
        Self { app, outbox }
    }
}

#[async_trait]
impl TxMessageHandler for CommandHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        if message.name != names::customers::AUTHORIZE_CUSTOMER {
            return Err(HandlerError::permanent(format!("customers cannot handle command {}", message.name)));
        }
        // Without a reply channel nobody can learn the outcome: no retry can fix that.
        if message.meta_str(names::COMMAND_REPLY_CHANNEL).is_none_or(|c| c.trim().is_empty()) {
            return Err(HandlerError::permanent(format!(
                "command {} ({}) has no {}",
                message.name,
                message.id,
                names::COMMAND_REPLY_CHANNEL
            )));
        }
        let command: AuthorizeCustomer = message.decode().map_err(HandlerError::permanent)?;
        let outcome = match self.app.authorize_customer_in(tx, &command.id).await {
            Ok(()) => CommandOutcome::Success(None),
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::Unauthenticated) => {
                tracing::debug!(customer = %command.id, reason = %err, "customer not authorized");
                CommandOutcome::Failure(None)
            }
            Err(err) => return Err(HandlerError::transient(err)),
        };
        reply_to_command(tx, &self.outbox, message, outcome).await
    }
}

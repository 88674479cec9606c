//! The `ordering-commands` consumer: `ordersapi.ApproveOrder` and `ordersapi.RejectOrder` from the create-order
//! saga, answered with `am.Success` or `am.Failure` in the inbox transaction. A refusal (unknown order, an order
//! that cannot take the step) is an answer; only infrastructure failures and lost races are handler errors, which
//! the consumer retries.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::{self, ordering as msg};
use contracts::orderingpb;
use database::Transaction;
use ddd::{ErrorKind, HasErrorKind};
use messaging::{CommandOutcome, HandlerError, Message, Outbox, TxMessageHandler, reply_to_command};

use crate::application::Application;
use crate::domain::OrderingError;

/// Runs ordering commands inside the inbox transaction.
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
        // Without a reply channel nobody can learn the outcome: no retry can fix that.
        if message.meta_str(names::COMMAND_REPLY_CHANNEL).is_none_or(|c| c.trim().is_empty()) {
            return Err(HandlerError::permanent(format!(
                "command {} ({}) has no {}",
                message.name,
                message.id,
                names::COMMAND_REPLY_CHANNEL
            )));
        }
        let result = match message.name.as_str() {
            msg::APPROVE_ORDER => {
                let command: orderingpb::ApproveOrder = message.decode().map_err(HandlerError::permanent)?;
                self.app.approve_in(tx, &command.id, &command.shopping_id).await
            }
            msg::REJECT_ORDER => {
                let command: orderingpb::RejectOrder = message.decode().map_err(HandlerError::permanent)?;
                self.app.reject_in(tx, &command.id).await
            }
            other => return Err(HandlerError::permanent(format!("ordering cannot handle command {other}"))),
        };
        let outcome = match result {
            Ok(()) => CommandOutcome::Success(None),
            Err(err) if refusal(&err) => {
                tracing::info!(command = %message.name, reason = %err, "ordering command refused");
                CommandOutcome::Failure(None)
            }
            Err(err) => return Err(HandlerError::transient(err)),
        };
        reply_to_command(tx, &self.outbox, message, outcome).await
    }
}

/// Whether `err` is the order's answer (a failure reply) rather than a failure to answer.
fn refusal(err: &OrderingError) -> bool {
    matches!(err.kind(), ErrorKind::InvalidArgument | ErrorKind::NotFound)
}

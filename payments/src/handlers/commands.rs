//! The `payment-commands` consumer: `paymentsapi.ConfirmPayment` and `paymentsapi.VoidPayment` from the
//! create-order saga, answered with `am.Success` or `am.Failure`. A refusal is an answer (the reply commits with the
//! inbox row); only infrastructure failures are handler errors, which the consumer retries. Both commands are
//! idempotent by business key: confirming again for the same order, or voiding a voided payment, succeeds.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names;
use contracts::paymentspb::{ConfirmPayment, VoidPayment};
use database::Transaction;
use messaging::{CommandOutcome, HandlerError, Message, Outbox, TxMessageHandler, reply_to_command};

use crate::application::Application;
use crate::domain::{Cents, PaymentsError};

/// Runs payment commands inside the inbox transaction.
pub(crate) struct CommandHandler {
    app: Arc<Application>,
    outbox: Outbox,
}

impl CommandHandler {
    pub(crate) fn new(app: Arc<Application>, outbox: Outbox) -> Self {
        Self { app, outbox }
    }

    async fn run(&self, tx: &mut Transaction, message: &Message) -> Result<Result<(), PaymentsError>, HandlerError> {
        Ok(match message.name.as_str() {
            names::payments::CONFIRM_PAYMENT => {
                let command: ConfirmPayment = message.decode().map_err(HandlerError::permanent)?;
                match Cents::from_dollars(command.amount) {
                    Some(total) => {
                        self.app
                            .confirm_payment_for_order_in(
                                tx,
                                &command.id,
                                &command.order_id,
                                &command.customer_id,
                                total,
                            )
                            .await
                    }
                    None => Err(PaymentsError::AmountOutOfRange),
                }
            }
            names::payments::VOID_PAYMENT => {
                let command: VoidPayment = message.decode().map_err(HandlerError::permanent)?;
                self.app.void_payment_in(tx, &command.id).await
            }
            other => return Err(HandlerError::permanent(format!("payments cannot handle command {other}"))),
        })
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
        let outcome = match self.run(tx, message).await? {
            Ok(()) => CommandOutcome::Success(None),
            Err(err) if err.is_refusal() => {
                tracing::info!(command = %message.name, reason = %err, "payment command refused");
                CommandOutcome::Failure(None)
            }
            Err(err) => return Err(HandlerError::transient(err)),
        };
        reply_to_command(tx, &self.outbox, message, outcome).await
    }
}

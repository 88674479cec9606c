//! The `payment-orders` consumer: `ordersapi.OrderReadied` creates the order's invoice (id = order id, amount =
//! total); `ordersapi.OrderCanceled` cancels its pending invoice and voids the payment confirmed for it.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names;
use contracts::orderingpb::{OrderCanceled, OrderReadied};
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;
use crate::domain::{Cents, PaymentsError};

/// Handles order events inside the inbox transaction.
pub(crate) struct OrderEventHandler {
    app: Arc<Application>,
}

impl OrderEventHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for OrderEventHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        let result = match message.name.as_str() {
            names::ordering::ORDER_READIED => {
                let event: OrderReadied = message.decode().map_err(HandlerError::permanent)?;
                let total = Cents::from_dollars(event.total).ok_or(PaymentsError::AmountOutOfRange);
                match total {
                    Ok(total) => self.app.create_order_invoice_in(tx, &event.id, &event.payment_id, total).await,
                    Err(err) => Err(err),
                }
            }
            names::ordering::ORDER_CANCELED => {
                let event: OrderCanceled = message.decode().map_err(HandlerError::permanent)?;
                self.app.order_canceled_in(tx, &event.id, &event.payment_id).await
            }
            _ => return Ok(()),
        };
        match result {
            Ok(()) => Ok(()),
            // The event itself is unusable (blank order id, absurd total): retrying cannot help.
            Err(err) if err.is_refusal() => Err(HandlerError::permanent(err)),
            Err(err) => Err(HandlerError::transient(err)),
        }
    }
}

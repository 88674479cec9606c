//! The `depot-orders` consumer: `ordersapi.OrderCanceled` cancels the order's shopping list unless it is completed.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names;
use contracts::orderingpb::OrderCanceled;
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;

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
        if message.name != names::ordering::ORDER_CANCELED {
            return Ok(());
        }
        let event: OrderCanceled = message.decode().map_err(HandlerError::permanent)?;
        self.app.order_canceled_in(tx, &event.id).await.map_err(HandlerError::transient)
    }
}

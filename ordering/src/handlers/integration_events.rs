//! The consumers of other contexts' integration events:
//! - `ordering-baskets`: `basketsapi.BasketCheckedOut` → the order of the same id (once, however often the
//!   checkout is delivered);
//! - `ordering-depot`: `depotapi.ShoppingListCompleted` → the order is ready (`ordersapi.OrderReadied`);
//! - `ordering-payments`: `paymentsapi.InvoicePaid` → the order is complete (`ordersapi.OrderCompleted`).
//!
//! Each runs in the inbox transaction of its message. An event about an order that does not exist or cannot take
//! the step is logged and acknowledged (retrying cannot change it); a lost race or a storage failure is retried.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::{baskets as baskets_msg, depot as depot_msg, payments as payments_msg};
use contracts::{basketspb, depotpb, paymentspb};
use database::Transaction;
use ddd::{ErrorKind, HasErrorKind};
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;
use crate::domain::{Cents, OrderItem, OrderingError, Quantity};

/// `basketsapi.BasketCheckedOut` → a pending order with the basket's id, items, customer and payment.
pub(crate) struct CheckoutHandler {
    app: Arc<Application>,
}

impl CheckoutHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for CheckoutHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        if message.name != baskets_msg::BASKET_CHECKED_OUT {
            return Ok(());
        }
        let checkout: basketspb::BasketCheckedOut = message.decode().map_err(HandlerError::permanent)?;
        let items = checkout
            .items
            .into_iter()
            .map(|item| {
                Ok(OrderItem {
                    product_id: item.product_id,
                    store_id: item.store_id,
                    store_name: item.store_name,
                    product_name: item.product_name,
                    price: Cents::from_dollars(item.price)?,
                    quantity: Quantity::new(item.quantity),
                })
            })
            .collect::<Result<Vec<_>, OrderingError>>()
            .map_err(HandlerError::permanent)?;
        match self
            .app
            .create_from_checkout_in(tx, &checkout.id, &checkout.customer_id, &checkout.payment_id, items)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::debug!(order = %checkout.id, "basket already ordered; checkout ignored");
                Ok(())
            }
            // A checkout the order refuses (no items, blank ids) will be refused every time: dead-letter it.
            Err(err) if err.kind() == ErrorKind::InvalidArgument => Err(HandlerError::permanent(err)),
            Err(err) => Err(HandlerError::transient(err)),
        }
    }
}

/// `depotapi.ShoppingListCompleted` → the order is ready for pickup.
pub(crate) struct ShoppingListCompletedHandler {
    app: Arc<Application>,
}

impl ShoppingListCompletedHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for ShoppingListCompletedHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        if message.name != depot_msg::SHOPPING_LIST_COMPLETED {
            return Ok(());
        }
        let completed: depotpb::ShoppingListCompleted = message.decode().map_err(HandlerError::permanent)?;
        // A fast bot (or an approval delayed by a crash) may finish before the approval is handled: the order
        // remembers it and the approval makes it ready.
        match self.app.shopping_completed_in(tx, &completed.order_id).await {
            Ok(()) => Ok(()),
            Err(err) => settle(err, "shopping list completed", &completed.order_id),
        }
    }
}

/// `paymentsapi.InvoicePaid` → the order is complete.
pub(crate) struct InvoicePaidHandler {
    app: Arc<Application>,
}

impl InvoicePaidHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for InvoicePaidHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        if message.name != payments_msg::INVOICE_PAID {
            return Ok(());
        }
        let paid: paymentspb::InvoicePaid = message.decode().map_err(HandlerError::permanent)?;
        match self.app.complete_in(tx, &paid.order_id, &paid.id).await {
            Ok(()) => Ok(()),
            Err(err) => settle(err, "invoice paid", &paid.order_id),
        }
    }
}

/// Acknowledges an event the order cannot follow (logged), retries anything else.
fn settle(err: OrderingError, what: &str, order_id: &str) -> Result<(), HandlerError> {
    match err.kind() {
        ErrorKind::InvalidArgument | ErrorKind::NotFound => {
            tracing::warn!(order = %order_id, reason = %err, "{what} ignored");
            Ok(())
        }
        _ => Err(HandlerError::transient(err)),
    }
}

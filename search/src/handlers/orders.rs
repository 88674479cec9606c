//! The `search-orders` consumer (its own durable; the original shared `notification-orders` and so lost events to
//! notifications): every order event moves the order read model.
//!
//! `OrderCreated` resolves the names first (caches, else the owners), outside any transaction, then upserts the
//! details; the status events raise the status. Both are upserts that commute, so a status event that overtakes
//! its `OrderCreated` is kept, and a late `OrderCreated` never lowers the status.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::ordering as msg;
use contracts::orderingpb;
use database::Database;
use messaging::{HandlerError, Inbox, Message, MessageHandler};

use crate::application::{Application, NewLine, NewOrder};
use crate::domain::{OrderStatus, SearchError, SearchOrder, cents};

/// The order events this consumer handles (the durable's filter).
pub(crate) const ORDER_EVENTS: &[&str] = &[
    msg::ORDER_CREATED,
    msg::ORDER_APPROVED,
    msg::ORDER_REJECTED,
    msg::ORDER_READIED,
    msg::ORDER_CANCELED,
    msg::ORDER_COMPLETED,
];

/// What an order event does to the read model.
#[derive(Debug, PartialEq)]
enum Change {
    Created(NewOrder),
    Status { order_id: String, customer_id: String, status: OrderStatus },
}

fn change_of(message: &Message) -> Result<Option<Change>, HandlerError> {
    let bad = HandlerError::permanent;
    let status = |order_id: String, customer_id: String, status| Change::Status { order_id, customer_id, status };
    Ok(Some(match message.name.as_str() {
        msg::ORDER_CREATED => {
            let e: orderingpb::OrderCreated = message.decode().map_err(bad)?;
            Change::Created(NewOrder {
                order_id: e.id,
                customer_id: e.customer_id,
                lines: e
                    .items
                    .into_iter()
                    .map(|i| NewLine {
                        product_id: i.product_id,
                        store_id: i.store_id,
                        price_cents: cents(i.price),
                        quantity: i64::from(i.quantity),
                    })
                    .collect(),
                created_at: message.occurred_at,
            })
        }
        msg::ORDER_APPROVED => {
            let e: orderingpb::OrderApproved = message.decode().map_err(bad)?;
            status(e.id, e.customer_id, OrderStatus::Approved)
        }
        msg::ORDER_REJECTED => {
            let e: orderingpb::OrderRejected = message.decode().map_err(bad)?;
            status(e.id, e.customer_id, OrderStatus::Rejected)
        }
        msg::ORDER_READIED => {
            let e: orderingpb::OrderReadied = message.decode().map_err(bad)?;
            status(e.id, e.customer_id, OrderStatus::ReadyForPickup)
        }
        msg::ORDER_CANCELED => {
            let e: orderingpb::OrderCanceled = message.decode().map_err(bad)?;
            status(e.id, e.customer_id, OrderStatus::Canceled)
        }
        msg::ORDER_COMPLETED => {
            let e: orderingpb::OrderCompleted = message.decode().map_err(bad)?;
            status(e.id, e.customer_id, OrderStatus::Completed)
        }
        _ => return Ok(None),
    }))
}

pub(crate) struct OrderEventHandler {
    app: Arc<Application>,
    db: Database,
    inbox: Inbox,
}

impl OrderEventHandler {
    pub(crate) fn new(app: Arc<Application>, db: &Database, inbox: Inbox) -> Self {
        Self { app, db: db.clone(), inbox }
    }
}

fn failed(err: SearchError) -> HandlerError {
    HandlerError::transient(err.detail())
}

/// The write a change comes to once its names are resolved.
enum Write {
    Details(SearchOrder),
    Status { order_id: String, customer_id: String, status: OrderStatus },
}

#[async_trait]
impl MessageHandler for OrderEventHandler {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError> {
        let Some(change) = change_of(message)? else { return Ok(()) };
        let order_id = match &change {
            Change::Created(order) => &order.order_id,
            Change::Status { order_id, .. } => order_id,
        };
        if order_id.trim().is_empty() {
            return Err(HandlerError::permanent(format!("{} without an order id", message.name)));
        }
        let write = match change {
            Change::Created(order) => Write::Details(self.app.resolve(order).await.map_err(failed)?),
            Change::Status { order_id, customer_id, status } => Write::Status { order_id, customer_id, status },
        };
        let mut tx = self.db.begin().await?;
        if !self.inbox.record(&mut tx, message).await? {
            tracing::debug!(id = %message.id, name = %message.name, "duplicate order event skipped");
            tx.rollback().await?;
            return Ok(());
        }
        let applied = match &write {
            Write::Details(order) => self.app.order_created(&mut tx, order).await,
            Write::Status { order_id, customer_id, status } => {
                self.app.order_status(&mut tx, order_id, customer_id, *status, message.occurred_at).await
            }
        };
        if let Err(err) = applied {
            let _ = tx.rollback().await;
            return Err(failed(err));
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_events_become_changes() {
        let created = Message::new(
            "ordering.events.Order",
            msg::ORDER_CREATED,
            orderingpb::OrderCreated {
                id: "o".into(),
                customer_id: "c".into(),
                payment_id: "p".into(),
                shopping_id: String::new(),
                items: vec![orderingpb::order_created::Item {
                    product_id: "pr".into(),
                    store_id: "s".into(),
                    price: 1.10,
                    quantity: 3,
                }],
            },
        );
        let Some(Change::Created(order)) = change_of(&created).expect("decodes") else { panic!("a creation") };
        assert_eq!(
            order.lines,
            [NewLine { product_id: "pr".into(), store_id: "s".into(), price_cents: 110, quantity: 3 }]
        );
        assert_eq!(order.created_at, created.occurred_at);

        let readied = Message::new(
            "ordering.events.Order",
            msg::ORDER_READIED,
            orderingpb::OrderReadied { id: "o".into(), customer_id: "c".into(), payment_id: "p".into(), total: 3.3 },
        );
        assert_eq!(
            change_of(&readied).expect("decodes"),
            Some(Change::Status { order_id: "o".into(), customer_id: "c".into(), status: OrderStatus::ReadyForPickup })
        );
        let other = Message::new("ordering.events.Order", "ordersapi.Other", orderingpb::OrderCanceled::default());
        assert_eq!(change_of(&other).expect("ignored"), None);
    }
}

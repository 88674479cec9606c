//! The `notification-orders` consumer: every order event a customer should hear about becomes one SMS.
//!
//! The recipient is looked up first (cache, else the customers module), outside any transaction; then one
//! transaction records the inbox row and the SMS (whose id is the message id) and sends it. A duplicate delivery
//! finds the inbox row and does nothing; a failed send rolls everything back and the delivery is retried. An order
//! of a customer nobody knows is acknowledged without an SMS (there is no number to text).

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::ordering as msg;
use contracts::orderingpb;
use database::Database;
use messaging::{HandlerError, Inbox, Message, MessageHandler};

use crate::application::Application;
use crate::domain::{NoticeKind, NotificationsError, OrderNotice};

/// The order events this consumer handles (the durable's filter).
pub(crate) const ORDER_EVENTS: &[&str] = &[
    msg::ORDER_CREATED,
    msg::ORDER_APPROVED,
    msg::ORDER_REJECTED,
    msg::ORDER_READIED,
    msg::ORDER_CANCELED,
    msg::ORDER_COMPLETED,
];

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

/// The notice an order event carries; `None` for messages this context does not text about.
fn notice_of(message: &Message) -> Result<Option<OrderNotice>, HandlerError> {
    let decode_err = HandlerError::permanent;
    let (kind, order_id, customer_id, total_cents) = match message.name.as_str() {
        msg::ORDER_CREATED => {
            let e: orderingpb::OrderCreated = message.decode().map_err(decode_err)?;
            (NoticeKind::Created, e.id, e.customer_id, None)
        }
        msg::ORDER_APPROVED => {
            let e: orderingpb::OrderApproved = message.decode().map_err(decode_err)?;
            (NoticeKind::Approved, e.id, e.customer_id, None)
        }
        msg::ORDER_REJECTED => {
            let e: orderingpb::OrderRejected = message.decode().map_err(decode_err)?;
            (NoticeKind::Rejected, e.id, e.customer_id, None)
        }
        msg::ORDER_READIED => {
            let e: orderingpb::OrderReadied = message.decode().map_err(decode_err)?;
            let cents = (e.total * 100.0).round();
            (NoticeKind::Ready, e.id, e.customer_id, cents.is_finite().then_some(cents as i64))
        }
        msg::ORDER_CANCELED => {
            let e: orderingpb::OrderCanceled = message.decode().map_err(decode_err)?;
            (NoticeKind::Canceled, e.id, e.customer_id, None)
        }
        msg::ORDER_COMPLETED => {
            let e: orderingpb::OrderCompleted = message.decode().map_err(decode_err)?;
            (NoticeKind::Completed, e.id, e.customer_id, None)
        }
        _ => return Ok(None),
    };
    Ok(Some(OrderNotice { kind, order_id, customer_id, total_cents }))
}

fn failed(err: NotificationsError) -> HandlerError {
    HandlerError::transient(err.detail())
}

#[async_trait]
impl MessageHandler for OrderEventHandler {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError> {
        let Some(notice) = notice_of(message)? else { return Ok(()) };
        let recipient = if notice.customer_id.trim().is_empty() {
            None
        } else {
            self.app.recipient(&notice.customer_id).await.map_err(failed)?
        };
        let mut tx = self.db.begin().await?;
        if !self.inbox.record(&mut tx, message).await? {
            tracing::debug!(id = %message.id, name = %message.name, "duplicate order event skipped");
            tx.rollback().await?;
            return Ok(());
        }
        match &recipient {
            Some(recipient) => {
                if let Err(err) = self.app.send_in(&mut tx, message.id.clone(), &notice, recipient).await {
                    let _ = tx.rollback().await;
                    return Err(failed(err));
                }
            }
            None => tracing::warn!(order = %notice.order_id, customer = %notice.customer_id,
                "no SMS for an order of an unknown customer"),
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_events_become_notices() {
        let readied = Message::new(
            "ordering.events.Order",
            msg::ORDER_READIED,
            orderingpb::OrderReadied { id: "o".into(), customer_id: "c".into(), payment_id: "p".into(), total: 3.3 },
        );
        let notice = notice_of(&readied).expect("decodes").expect("a notice");
        assert_eq!(
            notice,
            OrderNotice {
                kind: NoticeKind::Ready,
                order_id: "o".into(),
                customer_id: "c".into(),
                total_cents: Some(330)
            }
        );
        let other = Message::new("ordering.events.Order", "ordersapi.Unknown", orderingpb::OrderCanceled::default());
        assert!(notice_of(&other).expect("ignored").is_none());
        let mut garbage =
            Message::new("ordering.events.Order", msg::ORDER_CREATED, orderingpb::OrderCanceled::default());
        garbage.payload = vec![0xff, 0xff];
        assert!(notice_of(&garbage).expect_err("undecodable").permanent);
    }
}

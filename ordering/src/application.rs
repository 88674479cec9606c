//! The use cases of order processing: one method per command and query.
//!
//! A command from the API is one transaction (load the order, decide, append the events, write the integration
//! events to the outbox, commit), retried as a whole when a concurrent writer won the append. A command that comes
//! as a message runs in the inbox transaction of that message (`*_in`); the consumer retries it when it loses a race.

use database::{Database, Transaction};
use eventsourcing::{EventStore, Loaded, SnapshotPolicy, retry_on_conflict};
use messaging::Outbox;

use crate::domain::{Order, OrderEvent, OrderItem, OrderingError};
use crate::handlers::order_message;

pub(crate) struct Application {
    db: Database,
    orders: EventStore<Order>,
    outbox: Outbox,
}

impl Application {
    pub(crate) fn new(db: &Database, module: &str, policy: SnapshotPolicy, outbox: Outbox) -> Self {
        Self { db: db.clone(), orders: EventStore::new(db, module, policy), outbox }
    }

    // ---- commands from the API ------------------------------------------------------------------------------

    /// `POST /api/ordering`: a new order with a new id (it starts the create-order saga like any other).
    pub(crate) async fn create_order(
        &self,
        customer_id: &str,
        payment_id: &str,
        items: Vec<OrderItem>,
    ) -> Result<String, OrderingError> {
        let events = Order::default().create(customer_id, payment_id, items).map_err(OrderingError::create_order)?;
        let id = ddd::new_id();
        retry_on_conflict(|| async {
            let mut tx = self.db.begin().await?;
            self.save(&mut tx, Loaded::new(id.as_str()), &events).await?;
            tx.commit().await?;
            Ok::<_, OrderingError>(())
        })
        .await?;
        Ok(id)
    }

    pub(crate) async fn cancel_order(&self, id: &str) -> Result<(), OrderingError> {
        self.change(id, Order::cancel).await
    }

    pub(crate) async fn ready_order(&self, id: &str) -> Result<(), OrderingError> {
        self.change(id, Order::ready).await
    }

    pub(crate) async fn complete_order(&self, id: &str, invoice_id: &str) -> Result<(), OrderingError> {
        self.change(id, |order| order.complete(invoice_id)).await
    }

    /// Loads order `id` (404 when it has no events), decides, and saves — retried on conflict.
    async fn change<F>(&self, id: &str, decide: F) -> Result<(), OrderingError>
    where
        F: Fn(&Order) -> Result<Vec<OrderEvent>, OrderingError>,
    {
        let decide = &decide;
        retry_on_conflict(|| async move {
            let mut tx = self.db.begin().await?;
            self.change_in(&mut tx, id, decide).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    // ---- commands from messages (inside the inbox transaction) ----------------------------------------------

    /// A checked-out basket becomes the order of the same id; false when that order exists already.
    pub(crate) async fn create_from_checkout_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        customer_id: &str,
        payment_id: &str,
        items: Vec<OrderItem>,
    ) -> Result<bool, OrderingError> {
        if self.orders.load(tx.conn(), id).await?.is_some() {
            return Ok(false);
        }
        let events = Order::default().create(customer_id, payment_id, items)?;
        self.save(tx, Loaded::new(id), &events).await?;
        Ok(true)
    }

    pub(crate) async fn approve_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        shopping_id: &str,
    ) -> Result<(), OrderingError> {
        self.change_in(tx, id, |order| order.approve(shopping_id)).await
    }

    pub(crate) async fn reject_in(&self, tx: &mut Transaction, id: &str) -> Result<(), OrderingError> {
        self.change_in(tx, id, Order::reject).await
    }

    /// The order's shopping list was completed (ready now, or as soon as it is approved).
    pub(crate) async fn shopping_completed_in(&self, tx: &mut Transaction, id: &str) -> Result<(), OrderingError> {
        self.change_in(tx, id, Order::shopping_completed).await
    }

    pub(crate) async fn complete_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        invoice_id: &str,
    ) -> Result<(), OrderingError> {
        self.change_in(tx, id, |order| order.complete(invoice_id)).await
    }

    /// Loads order `id` in `tx` (404 when it has no events), decides, and saves in `tx`.
    async fn change_in<F>(&self, tx: &mut Transaction, id: &str, decide: F) -> Result<(), OrderingError>
    where
        F: FnOnce(&Order) -> Result<Vec<OrderEvent>, OrderingError>,
    {
        let loaded = self.orders.load(tx.conn(), id).await?.ok_or(OrderingError::OrderNotFound)?;
        let events = decide(&loaded.state)?;
        self.save(tx, loaded, &events).await
    }

    /// Appends `events` and writes their integration events, all in `tx`.
    async fn save(
        &self,
        tx: &mut Transaction,
        mut loaded: Loaded<Order>,
        events: &[OrderEvent],
    ) -> Result<(), OrderingError> {
        self.orders.append(tx, &mut loaded, events).await?;
        for event in events {
            if let Some(message) = order_message(&loaded.id, &loaded.state, event) {
                self.outbox.add(tx, message).await?;
            }
        }
        Ok(())
    }

    // ---- queries --------------------------------------------------------------------------------------------

    pub(crate) async fn get_order(&self, id: &str) -> Result<Order, OrderingError> {
        let mut conn = self.db.pool().acquire().await.map_err(database::DbError::from)?;
        let loaded = self.orders.load(&mut conn, id).await?.ok_or(OrderingError::OrderNotFound)?;
        Ok(loaded.state)
    }
}

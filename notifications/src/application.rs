//! The use cases of the notifications context and the ports they need: [`CustomerDirectory`] (the customers
//! module, asked when the cache misses) and [`SmsSender`] (the SMS gateway).
//!
//! Sending an SMS = compose the text, record it in the notifications table, hand it to the sender — all inside the
//! caller's transaction, so a failed send rolls the record (and the inbox row) back and the message is retried.

use std::sync::Arc;

use async_trait::async_trait;
use database::{Database, Transaction};

use crate::domain::{NotificationsError, OrderNotice, Recipient, Sms};
use crate::store::{CustomersCache, NotificationTable};

/// The owner of customer data (the customers module's `GetCustomer`).
#[async_trait]
pub(crate) trait CustomerDirectory: Send + Sync {
    /// The customer, `None` when the owner does not know it; `CustomersUnavailable` when it cannot be asked.
    async fn customer(&self, id: &str) -> Result<Option<Recipient>, NotificationsError>;
}

/// Delivers one SMS. The notifications table records every SMS whichever sender is used.
#[async_trait]
pub(crate) trait SmsSender: Send + Sync {
    async fn send(&self, sms: &Sms) -> Result<(), NotificationsError>;
}

pub(crate) struct Application {
    db: Database,
    customers: CustomersCache,
    notifications: NotificationTable,
    directory: Arc<dyn CustomerDirectory>,
    sender: Arc<dyn SmsSender>,
    /// `notifications_sms_sent_count{kind}`
    sent: prometheus::IntCounterVec,
}

impl Application {
    pub(crate) fn new(
        db: &Database,
        directory: Arc<dyn CustomerDirectory>,
        sender: Arc<dyn SmsSender>,
        sent: prometheus::IntCounterVec,
    ) -> Self {
        Self {
            db: db.clone(),
            customers: CustomersCache::new(db),
            notifications: NotificationTable::new(db),
            directory,
            sender,
            sent,
        }
    }

    // --- the customers cache -----------------------------------------------------------------------------------

    pub(crate) async fn customer_registered(
        &self,
        tx: &mut Transaction,
        customer: &Recipient,
    ) -> Result<(), NotificationsError> {
        self.customers.insert(tx.conn(), customer).await
    }

    pub(crate) async fn sms_number_changed(
        &self,
        tx: &mut Transaction,
        id: &str,
        sms_number: &str,
    ) -> Result<(), NotificationsError> {
        self.customers.change_sms_number(tx.conn(), id, sms_number).await
    }

    /// Whom to text for `customer_id`: the cache, else the customers module (then cached). `None` when nobody
    /// knows the customer. Runs outside any transaction, so no write lock is held while the owner is asked.
    pub(crate) async fn recipient(&self, customer_id: &str) -> Result<Option<Recipient>, NotificationsError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| crate::store::storage("connecting", e))?;
        if let Some(found) = self.customers.find(&mut conn, customer_id).await? {
            return Ok(Some(found));
        }
        drop(conn);
        let Some(found) = self.directory.customer(customer_id).await? else { return Ok(None) };
        let mut conn = self.db.pool().acquire().await.map_err(|e| crate::store::storage("connecting", e))?;
        self.customers.insert(&mut conn, &found).await?;
        Ok(Some(found))
    }

    // --- sending -------------------------------------------------------------------------------------------------

    /// Composes, records and sends the SMS `id` of `notice` to `recipient` within `tx`.
    pub(crate) async fn send_in(
        &self,
        tx: &mut Transaction,
        id: String,
        notice: &OrderNotice,
        recipient: &Recipient,
    ) -> Result<Sms, NotificationsError> {
        let sms = Sms::compose(id, notice, recipient, database::now_micros());
        self.notifications.insert(tx.conn(), &sms).await?;
        self.sender.send(&sms).await?;
        self.sent.with_label_values(&[sms.kind.as_str()]).inc();
        Ok(sms)
    }

    /// Sends the SMS of a notice asked for directly (gRPC): the customer must exist.
    pub(crate) async fn notify(&self, notice: OrderNotice) -> Result<Sms, NotificationsError> {
        let recipient = self.recipient(&notice.customer_id).await?.ok_or(NotificationsError::CustomerNotFound)?;
        let mut tx = self.db.begin().await.map_err(|e| NotificationsError::internal("starting a transaction", e))?;
        let sms = self.send_in(&mut tx, ddd::new_id(), &notice, &recipient).await?;
        tx.commit().await.map_err(|e| NotificationsError::internal("committing a notification", e))?;
        Ok(sms)
    }

    // --- queries -------------------------------------------------------------------------------------------------

    /// The SMS sent to `customer_id`, oldest first; "customer not found" when neither this context nor the
    /// customers module knows the customer.
    pub(crate) async fn notifications_of(&self, customer_id: &str) -> Result<Vec<Sms>, NotificationsError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| crate::store::storage("connecting", e))?;
        let sent = self.notifications.of_customer(&mut conn, customer_id).await?;
        drop(conn);
        if sent.is_empty() && self.recipient(customer_id).await?.is_none() {
            return Err(NotificationsError::CustomerNotFound);
        }
        Ok(sent)
    }
}

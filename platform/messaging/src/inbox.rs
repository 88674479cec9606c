//! The idempotent inbox: the dedup row of a message is written in the same transaction as the handler's effects,
//! so a duplicate delivery changes nothing and a failed handler leaves no trace.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use database::sqlx;
use database::{Database, Sql, Transaction};

use crate::{HandlerError, Message, MessageHandler};

/// A handler whose effects go through the given transaction (which also carries the inbox row).
#[async_trait]
pub trait TxMessageHandler: Send + Sync + 'static {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError>;
}

/// A module's inbox table; [`Inbox::handler`] wraps a [`TxMessageHandler`] into a [`MessageHandler`].
#[derive(Clone)]
pub struct Inbox {
    db: Database,
    insert: Sql,
    prune: Sql,
}

impl Inbox {
    pub fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "inbox");
        Self {
            db: db.clone(),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, name, subject, data, metadata, sent_at, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING"
            )),
            prune: Sql::new(format!("DELETE FROM {t} WHERE received_at < $1")),
        }
    }

    /// Records `message` in `tx`; false when it was handled before (a duplicate).
    pub async fn record(&self, tx: &mut Transaction, message: &Message) -> Result<bool, database::DbError> {
        let metadata = serde_json::to_vec(&message.metadata).unwrap_or_default();
        let done = sqlx::query(self.insert.q())
            .bind(&message.id)
            .bind(&message.name)
            .bind(&message.subject)
            .bind(message.envelope_data())
            .bind(metadata)
            .bind(message.sent_at)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes rows older than `retention` (which must exceed the broker's de-duplication window).
    pub async fn prune(&self, retention: Duration) -> Result<u64, database::DbError> {
        let cutoff = database::now_micros() - retention.as_micros() as i64;
        Ok(sqlx::query(self.prune.q()).bind(cutoff).execute(self.db.pool()).await?.rows_affected())
    }

    /// Wraps `inner`: begin, record in the inbox (skip duplicates), run `inner`, commit.
    pub fn handler(&self, inner: impl TxMessageHandler) -> Arc<dyn MessageHandler> {
        Arc::new(InboxHandler { inbox: self.clone(), inner })
    }
}

struct InboxHandler<H> {
    inbox: Inbox,
    inner: H,
}

#[async_trait]
impl<H: TxMessageHandler> MessageHandler for InboxHandler<H> {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError> {
        let mut tx = self.inbox.db.begin().await?;
        if !self.inbox.record(&mut tx, message).await? {
            tracing::debug!(id = %message.id, name = %message.name, "duplicate message skipped");
            tx.rollback().await?;
            return Ok(());
        }
        match self.inner.handle(&mut tx, message).await {
            Ok(()) => {
                tx.commit().await?;
                Ok(())
            }
            Err(err) => {
                let _ = tx.rollback().await;
                Err(err)
            }
        }
    }
}

//! The transactional outbox and its relay.
//!
//! `Outbox::add` writes the message in the caller's transaction. The relay takes unpublished rows in write order,
//! publishes them, waits for the broker's acknowledgement, and only then marks them published. It is woken by
//! commits (no fixed poll; a slow fallback tick covers writers in other processes), retries with backoff forever,
//! holds a lease so that several relays on one outbox never interleave (PostgreSQL advisory lock; SQLite, whose
//! single writer lives in one process, a process-wide lock), and prunes published rows after a retention period.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use database::sqlx::{self, Row};
use database::{Backend, Database, DbError, Sql, Transaction, Wakeup};
use tokio_util::sync::CancellationToken;

use crate::{Message, ModuleMetrics, Stream};

/// A module's outbox table.
#[derive(Clone)]
pub struct Outbox {
    insert: Sql,
    wakeup: Wakeup,
    metrics: Option<ModuleMetrics>,
    table: String,
}

impl Outbox {
    pub fn new(db: &Database, module: &str, metrics: Option<ModuleMetrics>) -> Self {
        let table = db.table(module, "outbox");
        Self {
            insert: Sql::new(format!(
                "INSERT INTO {table} (id, name, subject, data, metadata, sent_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (id) DO NOTHING"
            )),
            wakeup: Wakeup::default(),
            metrics,
            table,
        }
    }

    /// Writes `message` in `tx`; the relay is woken when `tx` commits. A repeated id is stored once.
    pub async fn add(&self, tx: &mut Transaction, mut message: Message) -> Result<(), DbError> {
        message.sent_at = database::now_micros();
        crate::trace_context::inject_current(&mut message.metadata);
        let metadata = serde_json::to_vec(&message.metadata).unwrap_or_else(|_| b"{}".to_vec());
        sqlx::query(self.insert.q())
            .bind(&message.id)
            .bind(&message.name)
            .bind(&message.subject)
            .bind(message.envelope_data())
            .bind(metadata)
            .bind(message.sent_at)
            .execute(tx.conn())
            .await?;
        tx.wake_after_commit(&self.wakeup);
        if let Some(metrics) = &self.metrics {
            metrics.sent(&message.name);
        }
        Ok(())
    }

    /// The relay for this outbox.
    pub fn relay(&self, db: &Database, stream: Arc<dyn Stream>, settings: RelaySettings) -> OutboxRelay {
        let t = &self.table;
        OutboxRelay {
            db: db.clone(),
            stream,
            settings,
            wakeup: self.wakeup.clone(),
            lease_key: format!("{}|{}", db.url(), t),
            select: Sql::new(format!(
                "SELECT id, name, subject, data, metadata, sent_at FROM {t} WHERE published_at IS NULL \
                 ORDER BY seq LIMIT $1"
            )),
            mark: Sql::new(format!("UPDATE {t} SET published_at = $1 WHERE id IN")),
            prune: Sql::new(format!("DELETE FROM {t} WHERE published_at IS NOT NULL AND published_at < $1")),
            lag: Sql::new(format!("SELECT COUNT(*), MIN(sent_at) FROM {t} WHERE published_at IS NULL")),
        }
    }
}

/// How a relay behaves.
#[derive(Clone, Debug)]
pub struct RelaySettings {
    pub batch_size: i64,
    /// How often to look even without a wake-up (rows written by another process).
    pub fallback_tick: Duration,
    /// How long published rows are kept.
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self { batch_size: 100, fallback_tick: Duration::from_millis(500), retention: Duration::from_secs(24 * 3600) }
    }
}

/// Moves committed outbox rows to the broker.
pub struct OutboxRelay {
    db: Database,
    stream: Arc<dyn Stream>,
    settings: RelaySettings,
    wakeup: Wakeup,
    lease_key: String,
    select: Sql,
    mark: Sql,
    prune: Sql,
    lag: Sql,
}

impl OutboxRelay {
    /// Publishes one batch; returns how many messages went out (0: nothing to do, or another relay holds the lease).
    pub async fn process_once(&self) -> Result<usize, crate::StreamError> {
        match self.db.backend() {
            Backend::Postgres => {
                let mut tx = self.db.begin().await?;
                let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_xact_lock(hashtext($1)::bigint)")
                    .bind(&self.lease_key)
                    .fetch_one(tx.conn())
                    .await?;
                if !locked {
                    tx.rollback().await?;
                    return Ok(0);
                }
                // Roll back explicitly on failure: a dropped transaction is only rolled back when its pooled
                // connection is next used, and until then it would keep holding the lease.
                match self.publish_batch(&mut tx).await {
                    Ok(n) => {
                        tx.commit().await?;
                        Ok(n)
                    }
                    Err(err) => {
                        let _ = tx.rollback().await;
                        Err(err)
                    }
                }
            }
            Backend::Sqlite => {
                // No transaction across the publish: the database-backed stream writes to the same SQLite file, and
                // a write transaction held here would block it. The process-wide lease keeps relays apart.
                let lease = sqlite_lease(&self.lease_key);
                let Ok(_guard) = lease.try_lock() else { return Ok(0) };
                let rows =
                    sqlx::query(self.select.q()).bind(self.settings.batch_size).fetch_all(self.db.pool()).await?;
                let messages = self.decode_rows(&rows)?;
                if messages.is_empty() {
                    return Ok(0);
                }
                self.stream.publish(&messages).await?;
                let mut tx = self.db.begin().await?;
                self.mark(&mut tx, &messages).await?;
                tx.commit().await?;
                Ok(messages.len())
            }
        }
    }

    async fn publish_batch(&self, tx: &mut Transaction) -> Result<usize, crate::StreamError> {
        let rows = sqlx::query(self.select.q()).bind(self.settings.batch_size).fetch_all(tx.conn()).await?;
        let messages = self.decode_rows(&rows)?;
        if messages.is_empty() {
            return Ok(0);
        }
        self.stream.publish(&messages).await?;
        self.mark(tx, &messages).await?;
        Ok(messages.len())
    }

    /// Marks the published rows in one statement (`id IN ($2, …)`, one placeholder per message).
    async fn mark(&self, tx: &mut Transaction, messages: &[Message]) -> Result<(), crate::StreamError> {
        let now = database::now_micros();
        for chunk in messages.chunks(self.settings.batch_size.clamp(1, 500) as usize) {
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!("{} ({})", self.mark.as_str(), placeholders.join(", "));
            let mut query = sqlx::query(database::sqlx::AssertSqlSafe(sql)).bind(now);
            for message in chunk {
                query = query.bind(&message.id);
            }
            query.execute(tx.conn()).await?;
        }
        Ok(())
    }

    fn decode_rows(&self, rows: &[database::sqlx::any::AnyRow]) -> Result<Vec<Message>, crate::StreamError> {
        let mut messages = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get(0)?;
            let data: Vec<u8> = row.try_get(3)?;
            let metadata: Vec<u8> = row.try_get(4)?;
            match Message::from_parts(id.clone(), row.try_get(1)?, row.try_get(2)?, &data, &metadata, row.try_get(5)?) {
                Ok(message) => messages.push(message),
                // A row we wrote ourselves cannot be malformed unless the table was edited by hand. It is logged
                // and left in place (unpublished) for an operator; it does not block the rows behind it.
                Err(err) => tracing::error!(%id, error = %err, "malformed outbox row skipped"),
            }
        }
        Ok(messages)
    }

    /// Deletes published rows older than the retention period.
    pub async fn prune(&self) -> Result<u64, DbError> {
        let cutoff = database::now_micros() - self.settings.retention.as_micros() as i64;
        Ok(sqlx::query(self.prune.q()).bind(cutoff).execute(self.db.pool()).await?.rows_affected())
    }

    /// Unpublished rows and the age of the oldest one (for metrics).
    pub async fn lag(&self) -> Result<(i64, Option<Duration>), DbError> {
        let row = sqlx::query(self.lag.q()).fetch_one(self.db.pool()).await?;
        let count: i64 = row.try_get(0)?;
        let oldest: Option<i64> = row.try_get(1)?;
        let age = oldest.map(|t| Duration::from_micros((database::now_micros() - t).max(0) as u64));
        Ok((count, age))
    }

    /// Runs until `shutdown`; on shutdown, flushes what is committed before returning.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failures = 0u32;
        let mut last_prune = std::time::Instant::now();
        loop {
            match self.process_once().await {
                Ok(n) if n > 0 => {
                    failures = 0;
                    continue;
                }
                Ok(_) => failures = 0,
                Err(err) => {
                    failures += 1;
                    let delay = crate::consumer::backoff(failures.min(8));
                    tracing::warn!(error = %err, ?delay, "outbox relay failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => continue,
                        _ = shutdown.cancelled() => break,
                    }
                }
            }
            if last_prune.elapsed() > Duration::from_secs(60) {
                last_prune = std::time::Instant::now();
                if let Err(err) = self.prune().await {
                    tracing::warn!(error = %err, "outbox prune failed");
                }
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.settings.fallback_tick) => {}
                _ = shutdown.cancelled() => break,
            }
        }
        // Flush: whatever committed before the shutdown still goes out (bounded by the caller's timeout).
        for _ in 0..50 {
            match self.process_once().await {
                Ok(n) if n > 0 => continue,
                _ => break,
            }
        }
    }
}

/// The process-wide lease of a SQLite outbox.
fn sqlite_lease(key: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LEASES: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut leases = LEASES.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    leases.entry(key.to_owned()).or_default().clone()
}

//! The database-backed stream: messages are rows of `messaging.stream_messages`, each durable consumer keeps a
//! cursor row. It needs no broker, which makes it the embedded default (SQLite) and the PostgreSQL-only mode.
//!
//! Publishers serialise on a lock so that sequence order is commit order (a reader can never skip a row that
//! commits later with a lower sequence). Consumers hold a lease on their cursor, so two replicas of a module never
//! handle the same durable at once. Wake-ups: in-process at once; across processes by LISTEN/NOTIFY on PostgreSQL
//! and by a short fallback tick.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use database::sqlx::{self, Row};
use database::{Backend, Database, Sql};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{Message, MessageHandler, Stream, StreamError, Subscription, encode_stream_message};

/// How long a consumer holds its durable without renewing: the longest pause a replica that crashed imposes on the
/// next owner of its durables.
const LEASE: Duration = Duration::from_secs(10);
const FALLBACK_TICK: Duration = Duration::from_millis(250);

/// A stream stored in a database.
#[derive(Clone)]
pub struct DbStream {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    name: String,
    channel: String,
    /// One wake-up per subject: a publish wakes only the consumers of the subjects it wrote to.
    wakeups: std::sync::Mutex<std::collections::HashMap<String, watch::Sender<u64>>>,
    insert: Sql,
    ensure_cursor: Sql,
    lease: Sql,
    position: Sql,
    fetch: Sql,
    advance: Sql,
    probe: Sql,
    release: Sql,
    pending: Sql,
}

impl DbStream {
    /// A stream called `name` in `db` (whose `messaging` migrations must have run).
    pub async fn new(db: &Database, name: &str) -> Result<Self, StreamError> {
        let messages = db.table("messaging", "stream_messages");
        let cursors = db.table("messaging", "stream_cursors");
        let channel = format!("mallbots_stream_{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        let stream = DbStream {
            inner: Arc::new(Inner {
                db: db.clone(),
                name: name.to_owned(),
                channel,
                wakeups: Default::default(),
                insert: Sql::new(format!(
                    "INSERT INTO {messages} (id, subject, data, published_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO NOTHING"
                )),
                ensure_cursor: Sql::new(format!(
                    "INSERT INTO {cursors} (durable, subject, position, owner, lease_until) VALUES ($1, $2, 0, '', 0) \
                     ON CONFLICT (durable) DO NOTHING"
                )),
                lease: Sql::new(format!(
                    "UPDATE {cursors} SET owner = $2, lease_until = $3 WHERE durable = $1 AND (owner = $2 OR lease_until < $4)"
                )),
                position: Sql::new(format!("SELECT position FROM {cursors} WHERE durable = $1")),
                fetch: Sql::new(format!(
                    "SELECT seq, data FROM {messages} WHERE subject = $1 AND seq > $2 ORDER BY seq LIMIT 100"
                )),
                advance: Sql::new(format!(
                    "UPDATE {cursors} SET position = $3 WHERE durable = $1 AND owner = $2 AND lease_until > $4"
                )),
                probe: Sql::new(format!("SELECT seq FROM {messages} WHERE subject = $1 AND seq > $2 LIMIT 1")),
                release: Sql::new(format!("UPDATE {cursors} SET lease_until = 0 WHERE durable = $1 AND owner = $2")),
                pending: Sql::new(format!(
                    "SELECT COUNT(*) FROM {messages} WHERE subject = $1 AND seq > \
                     COALESCE((SELECT position FROM {cursors} WHERE durable = $2), 0)"
                )),
            }),
        };
        match db.backend() {
            Backend::Postgres => stream.listen_for_other_processes().await,
            // A SQLite file has one process: leases left by a crashed predecessor are void at once.
            Backend::Sqlite => {
                sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {cursors} SET lease_until = 0")))
                    .execute(db.pool())
                    .await?;
            }
        }
        Ok(stream)
    }

    /// Bumps the in-process wake-up whenever another process publishes (PostgreSQL NOTIFY).
    async fn listen_for_other_processes(&self) {
        let inner = Arc::downgrade(&self.inner);
        let url = self.inner.db.url().to_owned();
        let channel = self.inner.channel.clone();
        let Ok(mut listener) = sqlx::postgres::PgListener::connect(&url).await else {
            tracing::warn!("LISTEN unavailable; the database stream falls back to polling");
            return;
        };
        if listener.listen(&channel).await.is_err() {
            return;
        }
        tokio::spawn(async move {
            while let Ok(notification) = listener.recv().await {
                let Some(inner) = inner.upgrade() else { break };
                for subject in notification.payload().split(',').filter(|s| !s.is_empty()) {
                    inner.wake(subject);
                }
            }
        });
    }

    fn full_subject(&self, subject: &str) -> String {
        format!("{}.{}", self.inner.name, subject)
    }
}

impl Inner {
    /// The wake-up receiver of the consumers of `subject`.
    fn wakeup(&self, subject: &str) -> watch::Receiver<u64> {
        let mut wakeups = self.wakeups.lock().unwrap_or_else(|p| p.into_inner());
        wakeups.entry(subject.to_owned()).or_insert_with(|| watch::channel(0).0).subscribe()
    }

    fn wake(&self, subject: &str) {
        let wakeups = self.wakeups.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = wakeups.get(subject) {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }
}

#[async_trait]
impl Stream for DbStream {
    fn name(&self) -> &str {
        &self.inner.name
    }

    async fn publish(&self, messages: &[Message]) -> Result<(), StreamError> {
        if messages.is_empty() {
            return Ok(());
        }
        let inner = &self.inner;
        let mut tx = inner.db.begin().await?;
        if inner.db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1)::bigint)")
                .bind(&inner.channel)
                .execute(tx.conn())
                .await?;
        }
        let now = database::now_micros();
        for message in messages {
            sqlx::query(inner.insert.q())
                .bind(&message.id)
                .bind(self.full_subject(&message.subject))
                .bind(encode_stream_message(message))
                .bind(now)
                .execute(tx.conn())
                .await?;
        }
        let mut subjects: Vec<String> = messages.iter().map(|m| self.full_subject(&m.subject)).collect();
        subjects.sort();
        subjects.dedup();
        if inner.db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&inner.channel)
                .bind(subjects.join(","))
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        for subject in &subjects {
            inner.wake(subject);
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        subscription: Subscription,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> Result<JoinHandle<()>, StreamError> {
        let full_subject = self.full_subject(&subscription.subject);
        sqlx::query(self.inner.ensure_cursor.q())
            .bind(&subscription.durable)
            .bind(&full_subject)
            .execute(self.inner.db.pool())
            .await?;
        let consumer = DbConsumer {
            stream: self.clone(),
            owner: ddd::new_id(),
            full_subject,
            subscription,
            handler,
            shutdown,
            known_position: 0,
            lease_until: 0,
        };
        Ok(tokio::spawn(consumer.run()))
    }

    async fn ping(&self) -> Result<(), StreamError> {
        Ok(self.inner.db.ping().await?)
    }

    async fn pending(&self, subject: &str, durable: &str) -> Result<u64, StreamError> {
        let row = sqlx::query(self.inner.pending.q())
            .bind(self.full_subject(subject))
            .bind(durable)
            .fetch_one(self.inner.db.pool())
            .await?;
        Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
    }
}

struct DbConsumer {
    stream: DbStream,
    owner: String,
    full_subject: String,
    subscription: Subscription,
    handler: Arc<dyn MessageHandler>,
    shutdown: CancellationToken,
    /// The cursor position this consumer last saw; a cheap read against it decides whether there is work.
    known_position: i64,
    /// Until when this consumer holds the durable's lease (µs since the epoch).
    lease_until: i64,
}

impl DbConsumer {
    async fn run(mut self) {
        let mut changed = self.stream.inner.wakeup(&self.full_subject);
        let mut last_replay_check = std::time::Instant::now();
        loop {
            if self.shutdown.is_cancelled() {
                break;
            }
            let handled = match self.process_batch().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::warn!(durable = %self.subscription.durable, error = %err, "database stream consumer failed");
                    0
                }
            };
            if last_replay_check.elapsed() > Duration::from_secs(1) {
                last_replay_check = std::time::Instant::now();
                crate::dead_letters::run_replays(&self.subscription, self.handler.as_ref()).await;
            }
            if handled > 0 {
                continue;
            }
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep(FALLBACK_TICK) => {}
                _ = self.shutdown.cancelled() => break,
            }
        }
        // Hand the durable over at once instead of making a replica wait for the lease to run out.
        let inner = &self.stream.inner;
        let _ = sqlx::query(inner.release.q())
            .bind(&self.subscription.durable)
            .bind(&self.owner)
            .execute(inner.db.pool())
            .await;
    }

    /// Handles the next batch after the cursor; returns how many messages it went through.
    ///
    /// Every publish wakes every consumer, so the common case — nothing new on this subject — must cost one read
    /// and no write (SQLite has a single writer); the lease is taken or renewed only when there is work.
    async fn process_batch(&mut self) -> Result<usize, StreamError> {
        let inner = &self.stream.inner;
        let pool = inner.db.pool();
        let durable = self.subscription.durable.clone();
        let probe = sqlx::query(inner.probe.q())
            .bind(&self.full_subject)
            .bind(self.known_position)
            .fetch_optional(pool)
            .await?;
        if probe.is_none() {
            return Ok(0);
        }
        let now = database::now_micros();
        if self.lease_until < now + (LEASE.as_micros() as i64) / 2 {
            let held = self.lease_until > now;
            let until = now + LEASE.as_micros() as i64;
            let leased = sqlx::query(inner.lease.q())
                .bind(&durable)
                .bind(&self.owner)
                .bind(until)
                .bind(now)
                .execute(pool)
                .await?;
            if leased.rows_affected() != 1 {
                self.lease_until = 0;
                return Ok(0);
            }
            self.lease_until = until;
            if !held {
                // A lease (re)gained: another owner may have moved the cursor meanwhile.
                let position: i64 = sqlx::query(inner.position.q()).bind(&durable).fetch_one(pool).await?.try_get(0)?;
                self.known_position = position;
            }
        }
        // While the lease is held only this consumer advances the cursor, so the known position is the cursor.
        let position = self.known_position;
        let rows = sqlx::query(inner.fetch.q()).bind(&self.full_subject).bind(position).fetch_all(pool).await?;
        let mut handled = 0;
        for row in &rows {
            let seq: i64 = row.try_get(0)?;
            let data: Vec<u8> = row.try_get(1)?;
            if !crate::consumer::process(&self.subscription, self.handler.as_ref(), &data, 1, &self.shutdown).await {
                break;
            }
            let advanced = sqlx::query(inner.advance.q())
                .bind(&durable)
                .bind(&self.owner)
                .bind(seq)
                .bind(database::now_micros())
                .execute(pool)
                .await?;
            if advanced.rows_affected() != 1 {
                // The lease was lost (we were too slow): stop; the new owner continues from the cursor.
                self.lease_until = 0;
                break;
            }
            self.known_position = seq;
            handled += 1;
        }
        Ok(handled)
    }
}

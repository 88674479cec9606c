//! The dead-letter store: messages a consumer gave up on, with the error, kept until replayed or discarded.
//!
//! A replay is a request: the consumer that owns the durable picks it up and runs its handler again (its inbox
//! makes that safe), so replays work the same on every broker and from another process (`mallbots deadletters`).

use database::sqlx::{self, Row};
use database::{Database, DbError, Sql};

/// One dead letter as listed by the CLI and the admin API.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub seq: i64,
    pub durable: String,
    pub subject: String,
    pub message_id: String,
    pub name: String,
    pub error: String,
    pub deliveries: i64,
    pub failed_at: i64,
    pub replay_requested: bool,
    #[serde(skip)]
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub struct DeadLetters {
    db: Database,
    insert: Sql,
    list: Sql,
    request_replay: Sql,
    discard: Sql,
    pending_replays: Sql,
    resolve: Sql,
    count: Sql,
}

const COLUMNS: &str =
    "seq, durable, subject, message_id, name, error, deliveries, failed_at, replay_requested_at, data";

impl DeadLetters {
    pub fn new(db: &Database) -> Self {
        let t = db.table("messaging", "dead_letters");
        Self {
            db: db.clone(),
            insert: Sql::new(format!(
                "INSERT INTO {t} (durable, subject, message_id, name, data, error, deliveries, failed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )),
            list: Sql::new(format!("SELECT {COLUMNS} FROM {t} WHERE resolved_at IS NULL ORDER BY seq LIMIT $1")),
            request_replay: Sql::new(format!(
                "UPDATE {t} SET replay_requested_at = $2 WHERE seq = $1 AND resolved_at IS NULL"
            )),
            discard: Sql::new(format!("UPDATE {t} SET resolved_at = $2 WHERE seq = $1 AND resolved_at IS NULL")),
            pending_replays: Sql::new(format!(
                "SELECT {COLUMNS} FROM {t} WHERE durable = $1 AND resolved_at IS NULL \
                 AND replay_requested_at IS NOT NULL ORDER BY seq LIMIT 100"
            )),
            resolve: Sql::new(format!("UPDATE {t} SET resolved_at = $2 WHERE seq = $1")),
            count: Sql::new(format!("SELECT COUNT(*) FROM {t} WHERE resolved_at IS NULL")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add(
        &self,
        durable: &str,
        subject: &str,
        message_id: &str,
        name: &str,
        data: &[u8],
        error: &str,
        deliveries: u32,
    ) -> Result<(), DbError> {
        sqlx::query(self.insert.q())
            .bind(durable)
            .bind(subject)
            .bind(message_id)
            .bind(name)
            .bind(data.to_vec())
            .bind(error)
            .bind(i64::from(deliveries))
            .bind(database::now_micros())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Unresolved dead letters, oldest first.
    pub async fn list(&self, limit: i64) -> Result<Vec<DeadLetter>, DbError> {
        let rows = sqlx::query(self.list.q()).bind(limit).fetch_all(self.db.pool()).await?;
        rows.iter().map(row_to_dead_letter).collect()
    }

    /// How many dead letters are unresolved.
    pub async fn count(&self) -> Result<i64, DbError> {
        let row = sqlx::query(self.count.q()).fetch_one(self.db.pool()).await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Asks the owning consumer to run the message again; false when there is no such unresolved dead letter.
    pub async fn replay(&self, seq: i64) -> Result<bool, DbError> {
        let done =
            sqlx::query(self.request_replay.q()).bind(seq).bind(database::now_micros()).execute(self.db.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Drops a dead letter for good; false when there is no such unresolved dead letter.
    pub async fn discard(&self, seq: i64) -> Result<bool, DbError> {
        let done = sqlx::query(self.discard.q()).bind(seq).bind(database::now_micros()).execute(self.db.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn pending_replays(&self, durable: &str) -> Result<Vec<DeadLetter>, DbError> {
        let rows = sqlx::query(self.pending_replays.q()).bind(durable).fetch_all(self.db.pool()).await?;
        rows.iter().map(row_to_dead_letter).collect()
    }

    pub(crate) async fn resolve(&self, seq: i64) -> Result<(), DbError> {
        sqlx::query(self.resolve.q()).bind(seq).bind(database::now_micros()).execute(self.db.pool()).await?;
        Ok(())
    }
}

fn row_to_dead_letter(row: &database::sqlx::any::AnyRow) -> Result<DeadLetter, DbError> {
    Ok(DeadLetter {
        seq: row.try_get(0)?,
        durable: row.try_get(1)?,
        subject: row.try_get(2)?,
        message_id: row.try_get(3)?,
        name: row.try_get(4)?,
        error: row.try_get(5)?,
        deliveries: row.try_get(6)?,
        failed_at: row.try_get(7)?,
        replay_requested: row.try_get::<Option<i64>, _>(8)?.is_some(),
        data: row.try_get(9)?,
    })
}

/// Runs the replays requested for `subscription`'s durable through `handler`; a replay that fails again stays a
/// dead letter (with its request cleared so it is not retried in a loop).
pub(crate) async fn run_replays(subscription: &crate::Subscription, handler: &dyn crate::MessageHandler) {
    let Ok(pending) = subscription.dead_letters.pending_replays(&subscription.durable).await else { return };
    for letter in pending {
        let outcome = match crate::decode_stream_message(&letter.subject, &letter.data) {
            Ok(message) => handler.handle(&message).await.map_err(|e| e.message),
            Err(err) => Err(err.to_string()),
        };
        match outcome {
            Ok(()) => {
                let _ = subscription.dead_letters.resolve(letter.seq).await;
                tracing::info!(seq = letter.seq, durable = %letter.durable, "dead letter replayed");
            }
            Err(err) => {
                tracing::warn!(seq = letter.seq, error = %err, "dead letter replay failed");
                let _ = subscription
                    .dead_letters
                    .add(
                        &letter.durable,
                        &letter.subject,
                        &letter.message_id,
                        &letter.name,
                        &letter.data,
                        &err,
                        letter.deliveries as u32 + 1,
                    )
                    .await;
                let _ = subscription.dead_letters.resolve(letter.seq).await;
            }
        }
    }
}

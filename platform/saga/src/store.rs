//! Persisted saga instances: state, the command awaiting a reply, its deadline, and the history shown by the API.

use std::marker::PhantomData;

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql, Transaction};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::SagaError;

/// Where a saga is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SagaStatus {
    /// Moving forward through the actions.
    Running,
    /// Moving backward through the compensations.
    Compensating,
    /// Every action succeeded.
    Completed,
    /// A step failed and every compensation succeeded.
    Compensated,
    /// A compensation kept failing: needs an operator.
    Stuck,
}

impl SagaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SagaStatus::Running => "running",
            SagaStatus::Compensating => "compensating",
            SagaStatus::Completed => "completed",
            SagaStatus::Compensated => "compensated",
            SagaStatus::Stuck => "stuck",
        }
    }

    fn parse(text: &str) -> SagaStatus {
        match text {
            "compensating" => SagaStatus::Compensating,
            "completed" => SagaStatus::Completed,
            "compensated" => SagaStatus::Compensated,
            "stuck" => SagaStatus::Stuck,
            _ => SagaStatus::Running,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, SagaStatus::Completed | SagaStatus::Compensated | SagaStatus::Stuck)
    }
}

/// The command a saga is waiting on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Pending {
    pub command_id: String,
    pub step: i64,
    pub compensation: bool,
    /// How many times this command has been sent.
    pub attempts: u32,
}

/// One line of a saga's history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HistoryEntry {
    /// µs since the epoch.
    pub at: i64,
    pub step: i64,
    pub step_name: String,
    /// `forward` or `backward`.
    pub direction: String,
    /// `sent`, `succeeded`, `failed`, `timed_out`, `retried`, `finished`, `stuck`, `ignored_reply`.
    pub event: String,
    pub detail: String,
}

/// A saga instance.
#[derive(Clone, Debug)]
pub struct SagaInstance<D> {
    pub id: String,
    pub name: String,
    pub data: D,
    pub step: i64,
    pub status: SagaStatus,
    pub pending: Option<Pending>,
    pub deadline_at: Option<i64>,
    pub history: Vec<HistoryEntry>,
    pub(crate) version: i64,
}

impl<D> SagaInstance<D> {
    pub fn compensating(&self) -> bool {
        matches!(self.status, SagaStatus::Compensating | SagaStatus::Compensated)
    }
}

pub(crate) struct SagaStore<D> {
    insert: Sql,
    update: Sql,
    select: Sql,
    due: Sql,
    _data: PhantomData<fn() -> D>,
}

impl<D: Serialize + DeserializeOwned> SagaStore<D> {
    pub(crate) fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "sagas");
        Self {
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, name, data, step, status, pending, deadline_at, history, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)"
            )),
            update: Sql::new(format!(
                "UPDATE {t} SET data = $3, step = $4, status = $5, pending = $6, deadline_at = $7, history = $8, \
                 version = version + 1, updated_at = $9 WHERE id = $1 AND name = $2 AND version = $10"
            )),
            select: Sql::new(format!(
                "SELECT id, name, data, step, status, pending, deadline_at, history, version FROM {t} \
                 WHERE id = $1 AND name = $2"
            )),
            due: Sql::new(format!(
                "SELECT id FROM {t} WHERE name = $1 AND deadline_at IS NOT NULL AND deadline_at <= $2 \
                 ORDER BY deadline_at LIMIT 100"
            )),
            _data: PhantomData,
        }
    }

    pub(crate) async fn load(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        name: &str,
    ) -> Result<Option<SagaInstance<D>>, SagaError> {
        let Some(row) = sqlx::query(self.select.q()).bind(id).bind(name).fetch_optional(conn).await? else {
            return Ok(None);
        };
        let data: Vec<u8> = row.try_get(2)?;
        let pending: Option<Vec<u8>> = row.try_get(5)?;
        let history: Vec<u8> = row.try_get(7)?;
        let status: String = row.try_get(4)?;
        Ok(Some(SagaInstance {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            data: serde_json::from_slice(&data).map_err(SagaError::State)?,
            step: row.try_get(3)?,
            status: SagaStatus::parse(&status),
            pending: pending.map(|p| serde_json::from_slice(&p)).transpose().map_err(SagaError::State)?,
            deadline_at: row.try_get(6)?,
            history: serde_json::from_slice(&history).map_err(SagaError::State)?,
            version: row.try_get(8)?,
        }))
    }

    /// Inserts a new instance (`Conflict` when it exists) or updates one at its loaded version.
    pub(crate) async fn save(&self, tx: &mut Transaction, instance: &mut SagaInstance<D>) -> Result<(), SagaError> {
        let data = serde_json::to_vec(&instance.data).map_err(SagaError::State)?;
        let pending = instance.pending.as_ref().map(serde_json::to_vec).transpose().map_err(SagaError::State)?;
        let history = serde_json::to_vec(&instance.history).map_err(SagaError::State)?;
        let now = database::now_micros();
        if instance.version == 0 {
            sqlx::query(self.insert.q())
                .bind(&instance.id)
                .bind(&instance.name)
                .bind(data)
                .bind(instance.step)
                .bind(instance.status.as_str())
                .bind(pending)
                .bind(instance.deadline_at)
                .bind(history)
                .bind(now)
                .execute(tx.conn())
                .await?;
            instance.version = 1;
        } else {
            let done = sqlx::query(self.update.q())
                .bind(&instance.id)
                .bind(&instance.name)
                .bind(data)
                .bind(instance.step)
                .bind(instance.status.as_str())
                .bind(pending)
                .bind(instance.deadline_at)
                .bind(history)
                .bind(now)
                .bind(instance.version)
                .execute(tx.conn())
                .await?;
            if done.rows_affected() != 1 {
                return Err(SagaError::Conflict);
            }
            instance.version += 1;
        }
        Ok(())
    }

    pub(crate) async fn due(&self, db: &Database, name: &str, now: i64) -> Result<Vec<String>, SagaError> {
        let rows = sqlx::query(self.due.q()).bind(name).bind(now).fetch_all(db.pool()).await?;
        rows.iter().map(|r| r.try_get::<String, _>(0).map_err(SagaError::from)).collect()
    }
}

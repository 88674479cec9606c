//! An orchestrated saga engine: a saga is an ordered list of steps, each with an optional action and an optional
//! compensation (both commands sent through the outbox); replies move it forward, a failure turns it around.
//!
//! Invariants:
//! - the state is persisted in the same transaction as the commands it sends and the reply it consumed;
//! - a reply is applied at most once and only to the command it answers (`COMMAND_ID` is echoed as `REPLY_ID`);
//!   duplicate and late replies change nothing;
//! - a step without a reply within its timeout is sent again (participants are idempotent), then — for an action —
//!   compensated; a failing compensation is retried with backoff and, after the last attempt, the saga is marked
//!   `stuck`: visible through the API and counted in metrics, never silently dropped.

mod engine;
mod store;

pub use engine::{Command, Orchestrator, SagaDefinition, SagaMetrics, Step};
pub use store::{HistoryEntry, Pending, SagaInstance, SagaStatus};

/// The saga table of a module (migration tokens as in `database::Migration`).
pub const TABLES_SQL: &str = "
CREATE TABLE IF NOT EXISTS {schema}sagas (
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    data        {bytes} NOT NULL,
    step        BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    pending     {bytes},
    deadline_at BIGINT,
    history     {bytes} NOT NULL,
    version     BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (id, name)
);
CREATE INDEX IF NOT EXISTS {schema}sagas_deadline_idx ON {schema}sagas (deadline_at);
";

/// The metadata key carrying the id of the command a reply answers (echoed as `REPLY_ID`).
pub const COMMAND_ID: &str = "COMMAND_ID";
pub const REPLY_ID: &str = "REPLY_ID";

#[derive(Debug, thiserror::Error)]
pub enum SagaError {
    #[error("the saga was changed concurrently")]
    Conflict,
    #[error("malformed saga state: {0}")]
    State(serde_json::Error),
    #[error(transparent)]
    Db(database::DbError),
}

impl From<database::DbError> for SagaError {
    fn from(err: database::DbError) -> Self {
        match err {
            database::DbError::Conflict(_) => SagaError::Conflict,
            other => SagaError::Db(other),
        }
    }
}

impl From<database::sqlx::Error> for SagaError {
    fn from(err: database::sqlx::Error) -> Self {
        database::DbError::from(err).into()
    }
}

impl From<SagaError> for messaging::HandlerError {
    fn from(err: SagaError) -> Self {
        match err {
            SagaError::State(_) => messaging::HandlerError::permanent(err),
            _ => messaging::HandlerError::transient(err),
        }
    }
}

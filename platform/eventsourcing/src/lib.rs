//! Event sourcing: the aggregate repository over an event store and a snapshot store, on PostgreSQL and SQLite.
//!
//! Invariants: a stream's versions are 1, 2, 3 … with no gaps; an append names the version it expects and loses to
//! any concurrent append (the primary key decides, [`EsError::Conflict`]); snapshots are an optimisation only —
//! a stream loads to the same state with or without them.

mod retry;
mod store;

pub use retry::retry_on_conflict;
pub use store::{EventStore, Loaded, SnapshotPolicy};

use ddd::{ErrorKind, HasErrorKind};

/// The tables every event-sourced module owns: `events` and `snapshots` (migration tokens per `database::Migration`).
pub const TABLES_SQL: &str = "
CREATE TABLE IF NOT EXISTS {schema}events (
    stream_id      TEXT    NOT NULL,
    stream_name    TEXT    NOT NULL,
    stream_version BIGINT  NOT NULL,
    event_id       TEXT    NOT NULL,
    event_name     TEXT    NOT NULL,
    event_data     {bytes} NOT NULL,
    occurred_at    BIGINT  NOT NULL,
    PRIMARY KEY (stream_id, stream_name, stream_version)
);
CREATE TABLE IF NOT EXISTS {schema}snapshots (
    stream_id      TEXT    NOT NULL,
    stream_name    TEXT    NOT NULL,
    stream_version BIGINT  NOT NULL,
    snapshot_name  TEXT    NOT NULL,
    snapshot_data  {bytes} NOT NULL,
    updated_at     BIGINT  NOT NULL,
    PRIMARY KEY (stream_id, stream_name)
);
";

#[derive(Debug, thiserror::Error)]
pub enum EsError {
    #[error("the aggregate was changed concurrently")]
    Conflict,
    #[error(transparent)]
    Codec(#[from] ddd::EventCodecError),
    #[error("cannot decode snapshot {name}: {source}")]
    Snapshot { name: String, source: serde_json::Error },
    #[error(transparent)]
    Db(database::DbError),
}

impl From<database::DbError> for EsError {
    fn from(err: database::DbError) -> Self {
        match err {
            database::DbError::Conflict(_) => EsError::Conflict,
            other => EsError::Db(other),
        }
    }
}

impl From<database::sqlx::Error> for EsError {
    fn from(err: database::sqlx::Error) -> Self {
        database::DbError::from(err).into()
    }
}

impl HasErrorKind for EsError {
    fn kind(&self) -> ErrorKind {
        match self {
            EsError::Conflict => ErrorKind::Conflict,
            _ => ErrorKind::Internal,
        }
    }
}

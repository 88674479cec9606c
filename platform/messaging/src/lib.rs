//! Asynchronous messaging with the original's wire envelope: messages and their metadata, the broker-neutral
//! [`Stream`] (NATS JetStream or the database-backed stream), the transactional outbox and its relay, the idempotent
//! inbox, consumers with explicit ack, backoff and dead letters.
//!
//! Delivery contract: at-least-once from the outbox to every durable consumer, in the order the outbox rows of one
//! module were written; the inbox turns that into exactly-once effects.

mod consumer;
mod db_stream;
mod dead_letters;
mod envelope;
mod inbox;
mod jetstream;
mod metrics;
mod outbox;
mod replies;
mod trace_context;

use std::sync::Arc;

use async_trait::async_trait;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use consumer::{HandlerError, MessageHandler};
pub use db_stream::DbStream;
pub use dead_letters::{DeadLetter, DeadLetters};
pub use envelope::{EnvelopeError, Message, Metadata, decode_stream_message, encode_stream_message};
pub use inbox::{Inbox, TxMessageHandler};
pub use jetstream::JetStream;
pub use metrics::ModuleMetrics;
pub use outbox::{Outbox, OutboxRelay, RelaySettings};
pub use replies::{CommandOutcome, reply_to_command};

/// The migrations of the tables the messaging layer owns in each module (`outbox`, `inbox`).
pub const MODULE_TABLES_SQL: &str = "
CREATE TABLE IF NOT EXISTS {schema}outbox (
    seq          {seq},
    id           TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    data         {bytes} NOT NULL,
    metadata     {bytes} NOT NULL,
    sent_at      BIGINT  NOT NULL,
    published_at BIGINT
);
CREATE INDEX IF NOT EXISTS {schema}outbox_unpublished_idx ON {schema}outbox (seq) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS {schema}inbox (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    data        {bytes} NOT NULL,
    metadata    {bytes} NOT NULL,
    sent_at     BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}inbox_received_idx ON {schema}inbox (received_at);
";

/// The process-wide tables of the messaging layer (module name `messaging`): the database-backed stream, its
/// consumer cursors, and the dead letters of every consumer.
pub const MIGRATIONS: &[database::Migration] = &[database::Migration {
    version: 1,
    description: "stream, cursors and dead letters",
    sql: "
CREATE TABLE IF NOT EXISTS {schema}stream_messages (
    seq          {seq},
    id           TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    data         {bytes} NOT NULL,
    published_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS {schema}stream_messages_id_idx ON {schema}stream_messages (id);
CREATE INDEX IF NOT EXISTS {schema}stream_messages_subject_idx ON {schema}stream_messages (subject, seq);
CREATE TABLE IF NOT EXISTS {schema}stream_cursors (
    durable     TEXT   NOT NULL PRIMARY KEY,
    subject     TEXT   NOT NULL,
    position    BIGINT NOT NULL,
    owner       TEXT   NOT NULL,
    lease_until BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}dead_letters (
    seq                 {seq},
    durable             TEXT    NOT NULL,
    subject             TEXT    NOT NULL,
    message_id          TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    data                {bytes} NOT NULL,
    error               TEXT    NOT NULL,
    deliveries          BIGINT  NOT NULL,
    failed_at           BIGINT  NOT NULL,
    replay_requested_at BIGINT,
    resolved_at         BIGINT
);
CREATE INDEX IF NOT EXISTS {schema}dead_letters_durable_idx ON {schema}dead_letters (durable, seq);
",
}];

/// Why a stream operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("broker: {0}")]
    Broker(String),
    #[error(transparent)]
    Db(#[from] database::DbError),
}

impl From<database::sqlx::Error> for StreamError {
    fn from(err: database::sqlx::Error) -> Self {
        StreamError::Db(err.into())
    }
}

/// What a durable consumer receives.
#[derive(Clone)]
pub struct Subscription {
    /// The subject without the stream prefix (`stores.events.Store`).
    pub subject: String,
    /// The durable consumer name (`baskets-stores`).
    pub durable: String,
    /// Message names to handle; others are acknowledged and skipped. Empty: all.
    pub names: Vec<String>,
    /// Deliveries before a failing message becomes a dead letter.
    pub max_deliver: u32,
    pub dead_letters: DeadLetters,
    pub metrics: Option<ModuleMetrics>,
}

/// A broker: publishes messages and runs durable consumers.
#[async_trait]
pub trait Stream: Send + Sync + 'static {
    /// The stream name, which is also the first token of every subject.
    fn name(&self) -> &str;

    /// Publishes `messages` in order and returns once the broker has stored every one of them. A message whose id
    /// was published before is stored once (`Nats-Msg-Id` de-duplication or the stream's unique id).
    async fn publish(&self, messages: &[Message]) -> Result<(), StreamError>;

    /// Starts a durable consumer that runs until `shutdown` is cancelled.
    async fn subscribe(
        &self,
        subscription: Subscription,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> Result<JoinHandle<()>, StreamError>;

    /// Checks the broker connection (used by `/readiness`).
    async fn ping(&self) -> Result<(), StreamError>;

    /// How many messages wait for the durable consumer `durable` of `subject` (for metrics).
    async fn pending(&self, subject: &str, durable: &str) -> Result<u64, StreamError>;
}

/// The default number of deliveries before a message is dead-lettered.
pub const DEFAULT_MAX_DELIVER: u32 = 5;

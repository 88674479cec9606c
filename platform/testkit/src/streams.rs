//! Stream backends for tests: the database-backed stream on each test database, and NATS JetStream on a fresh
//! stream (deleted by [`StreamCase::cleanup`], or by a later run's sweep when a test panicked first).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use database::sqlx;
use database::{Backend, Database};
use futures::StreamExt;
use messaging::{DbStream, JetStream, Stream};

/// The variable naming the NATS server tests may use (`nats://127.0.0.1:4222`).
pub const NATS_URL_VAR: &str = "TEST_NATS_URL";

/// The NATS server to test against, when `TEST_NATS_URL` is set.
pub fn nats_url() -> Option<String> {
    std::env::var(NATS_URL_VAR).ok().filter(|u| !u.trim().is_empty())
}

/// A fresh stream name, valid as a NATS stream name and as a subject token (`t6571a2b3c0ffee12`).
pub fn unique_stream_name() -> String {
    crate::fresh_token()
}

/// Which broker a [`StreamCase`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    Db,
    JetStream,
}

/// One stream backend under test.
pub struct StreamCase {
    /// `db-stream/sqlite`, `db-stream/postgres` or `jetstream`: put it in assertion messages.
    pub label: &'static str,
    /// The database of the case: the database stream's tables, and the dead letters of every case.
    pub db: Database,
    pub stream: Arc<dyn Stream>,
    jetstream: Option<(String, JetStream)>,
}

impl StreamCase {
    pub fn kind(&self) -> StreamKind {
        if self.jetstream.is_some() { StreamKind::JetStream } else { StreamKind::Db }
    }

    /// Puts `bytes` on the stream at `subject` (relative, like `Message::subject`) as they are, bypassing the
    /// envelope: how tests deliver garbage to a consumer.
    pub async fn publish_raw(&self, subject: &str, bytes: &[u8]) {
        let full_subject = format!("{}.{}", self.stream.name(), subject);
        match &self.jetstream {
            Some((url, _)) => {
                let client = async_nats::connect(url.as_str()).await.expect("connect to NATS");
                let context = async_nats::jetstream::new(client);
                context
                    .publish(full_subject, bytes.to_vec().into())
                    .await
                    .expect("publish raw bytes")
                    .await
                    .expect("raw bytes acknowledged");
            }
            None => {
                let table = self.db.table("messaging", "stream_messages");
                let insert = format!("INSERT INTO {table} (id, subject, data, published_at) VALUES ($1, $2, $3, $4)");
                sqlx::query(sqlx::AssertSqlSafe(insert))
                    .bind(format!("raw-{}", uuid::Uuid::new_v4()))
                    .bind(full_subject)
                    .bind(bytes.to_vec())
                    .bind(database::now_micros())
                    .execute(self.db.pool())
                    .await
                    .expect("insert raw stream row");
            }
        }
    }

    /// Deletes what the case created on the broker (the JetStream stream); database namespaces are swept later.
    pub async fn cleanup(self) {
        if let Some((_, jetstream)) = self.jetstream
            && let Err(err) = jetstream.delete_stream().await
        {
            eprintln!("cannot delete JetStream stream {}: {err}", jetstream.name());
        }
    }
}

/// The streams that can run on `db` (whose messaging migrations are applied here): the database stream on it, and
/// JetStream when `TEST_NATS_URL` is set (in CI it must be), with its dead letters in `db`.
pub async fn streams(db: &Database) -> Vec<StreamCase> {
    db.migrate("messaging", messaging::MIGRATIONS).await.expect("messaging migrations");
    let mut cases = vec![db_stream_case(db).await];
    cases.extend(jetstream_case(db).await);
    cases
}

/// Every stream backend of this run: the database stream on each of [`crate::databases`], and JetStream (its dead
/// letters in a SQLite database of its own) when `TEST_NATS_URL` is set. In CI both services must be configured.
pub async fn stream_matrix() -> Vec<StreamCase> {
    let mut cases = Vec::new();
    for (_, db) in crate::databases().await {
        db.migrate("messaging", messaging::MIGRATIONS).await.expect("messaging migrations");
        cases.push(db_stream_case(&db).await);
    }
    let db = crate::sqlite().await;
    db.migrate("messaging", messaging::MIGRATIONS).await.expect("messaging migrations");
    cases.extend(jetstream_case(&db).await);
    cases
}

async fn db_stream_case(db: &Database) -> StreamCase {
    let stream = DbStream::new(db, &unique_stream_name()).await.expect("database stream");
    let label = match db.backend() {
        Backend::Sqlite => "db-stream/sqlite",
        Backend::Postgres => "db-stream/postgres",
    };
    StreamCase { label, db: db.clone(), stream: Arc::new(stream), jetstream: None }
}

async fn jetstream_case(db: &Database) -> Option<StreamCase> {
    let Some(url) = nats_url() else {
        if crate::in_ci() {
            panic!("{NATS_URL_VAR} is not set: in CI the JetStream suites must run, not be skipped");
        }
        eprintln!("{NATS_URL_VAR} not set: JetStream cases skipped");
        return None;
    };
    sweep_streams(&url).await;
    let name = unique_stream_name();
    let jetstream = JetStream::connect(&url, &name)
        .await
        .unwrap_or_else(|e| panic!("{NATS_URL_VAR}={url} is set but JetStream is unusable: {e}"));
    Some(StreamCase {
        label: "jetstream",
        db: db.clone(),
        stream: Arc::new(jetstream.clone()),
        jetstream: Some((url, jetstream)),
    })
}

/// Deletes JetStream streams left by earlier runs (once per process; best effort).
async fn sweep_streams(url: &str) {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(client) = async_nats::connect(url).await else { return };
    let context = async_nats::jetstream::new(client);
    let names: Vec<String> = context.stream_names().filter_map(|n| async move { n.ok() }).collect().await;
    for name in names {
        if name.len() == 17 && crate::token_age(&name).is_some_and(|age| age > crate::LEFTOVER_AGE) {
            let _ = context.delete_stream(&name).await;
        }
    }
}

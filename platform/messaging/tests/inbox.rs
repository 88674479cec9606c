//! The idempotent inbox on every storage backend: a duplicate delivery changes nothing, a failed handler leaves no
//! trace (so a later delivery runs it again), and pruning keeps recent rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use database::sqlx::{self, Row};
use database::{Database, Migration, Transaction};
use messaging::{HandlerError, Inbox, Message, TxMessageHandler};

const MODULE: &str = "inbox_test";

async fn migrated(db: &Database) {
    testkit::prepare_messaging(db, MODULE).await;
    db.migrate(
        MODULE,
        &[Migration {
            version: 2,
            description: "effects",
            sql: "CREATE TABLE {schema}effects (message_id TEXT NOT NULL);",
        }],
    )
    .await
    .expect("effects table");
}

/// Writes one effect row per call in the handler's transaction; fails (after writing) while `failures` lasts.
#[derive(Clone)]
struct WriteEffect {
    insert: String,
    failures: Arc<AtomicU32>,
    calls: Arc<AtomicU32>,
}

impl WriteEffect {
    fn new(db: &Database, failures: u32) -> Self {
        let insert = format!("INSERT INTO {} (message_id) VALUES ($1)", db.table(MODULE, "effects"));
        Self { insert, failures: Arc::new(AtomicU32::new(failures)), calls: Arc::default() }
    }
}

#[async_trait]
impl TxMessageHandler for WriteEffect {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        sqlx::query(sqlx::AssertSqlSafe(self.insert.clone()))
            .bind(&message.id)
            .execute(tx.conn())
            .await
            .map_err(HandlerError::transient)?;
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err(HandlerError::transient("the handler failed after writing"));
        }
        Ok(())
    }
}

async fn count(db: &Database, table: &str, id: &str) -> i64 {
    let column = if table == "effects" { "message_id" } else { "id" };
    let sql = format!("SELECT COUNT(*) FROM {} WHERE {column} = $1", db.table(MODULE, table));
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(db.pool()).await.expect("count").try_get(0).expect("count")
}

#[tokio::test]
async fn a_duplicate_delivery_has_its_effect_once() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let effect = WriteEffect::new(&db, 0);
        let handler = Inbox::new(&db, MODULE).handler(effect.clone());
        let message = testkit::message("t.events", "t.Happened", b"x");
        let other = testkit::message("t.events", "t.Happened", b"y");
        handler.handle(&message).await.expect("first delivery");
        handler.handle(&message).await.expect("the duplicate is accepted");
        handler.handle(&other).await.expect("another message");
        let mut again = message.clone();
        again.payload = b"changed".to_vec();
        handler.handle(&again).await.expect("the id decides, not the content");

        assert_eq!(effect.calls.load(Ordering::SeqCst), 2, "{backend}: the inner handler ran once per message id");
        assert_eq!(count(&db, "effects", &message.id).await, 1, "{backend}");
        assert_eq!(count(&db, "effects", &other.id).await, 1, "{backend}");
        assert_eq!(count(&db, "inbox", &message.id).await, 1, "{backend}");
    }
}

#[tokio::test]
async fn a_failed_handler_leaves_no_trace_and_runs_again_on_the_next_delivery() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let effect = WriteEffect::new(&db, 1);
        let handler = Inbox::new(&db, MODULE).handler(effect.clone());
        let message = testkit::message("t.events", "t.Happened", b"x");

        let err = handler.handle(&message).await.expect_err("the first delivery fails");
        assert!(!err.permanent, "{backend}");
        assert_eq!(count(&db, "inbox", &message.id).await, 0, "{backend}: no inbox row after a failure");
        assert_eq!(count(&db, "effects", &message.id).await, 0, "{backend}: the effect was rolled back");

        handler.handle(&message).await.expect("the redelivery succeeds");
        assert_eq!(effect.calls.load(Ordering::SeqCst), 2, "{backend}: the handler ran again");
        assert_eq!(count(&db, "inbox", &message.id).await, 1, "{backend}");
        assert_eq!(count(&db, "effects", &message.id).await, 1, "{backend}");
    }
}

#[tokio::test]
async fn prune_removes_only_rows_older_than_the_retention() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let inbox = Inbox::new(&db, MODULE);
        let handler = inbox.handler(WriteEffect::new(&db, 0));
        let old = testkit::message("t.events", "t.Happened", b"old");
        let recent = testkit::message("t.events", "t.Happened", b"recent");
        handler.handle(&old).await.expect("old");
        handler.handle(&recent).await.expect("recent");
        let age = format!("UPDATE {} SET received_at = received_at - $1 WHERE id = $2", db.table(MODULE, "inbox"));
        sqlx::query(sqlx::AssertSqlSafe(age))
            .bind(Duration::from_secs(7200).as_micros() as i64)
            .bind(&old.id)
            .execute(db.pool())
            .await
            .expect("age the row");

        assert_eq!(inbox.prune(Duration::from_secs(3600)).await.expect("prune"), 1, "{backend}");
        assert_eq!(count(&db, "inbox", &old.id).await, 0, "{backend}");
        assert_eq!(count(&db, "inbox", &recent.id).await, 1, "{backend}");
    }
}

//! The transactional outbox and its relay on every storage backend: only committed rows go out, in write order, each
//! marked only after the stream stored it; a crash between publishing and marking is harmless behind an inbox; two
//! relays on one outbox never publish a message twice; pruning keeps unpublished and recent rows.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use database::sqlx::{self, Row};
use database::{Database, Migration, Transaction};
use messaging::{
    DeadLetters, HandlerError, Inbox, Message, MessageHandler, Outbox, OutboxRelay, RelaySettings, Stream, StreamError,
    Subscription, TxMessageHandler,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const MODULE: &str = "outbox_test";

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

fn settings() -> RelaySettings {
    RelaySettings { batch_size: 100, fallback_tick: Duration::from_millis(50), retention: Duration::from_secs(3600) }
}

/// A stream in memory that records what it stored, and can be down, lose acknowledgements, or deliver everything
/// it stores to a handler (a broker with at-least-once delivery and no de-duplication).
#[derive(Default)]
struct TestStream {
    stored: Mutex<Vec<Message>>,
    down: AtomicBool,
    lost_acks: AtomicU32,
    deliver_to: Mutex<Option<Arc<dyn MessageHandler>>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl TestStream {
    fn stored_ids(&self) -> Vec<String> {
        self.stored.lock().expect("lock").iter().map(|m| m.id.clone()).collect()
    }
}

#[async_trait]
impl Stream for TestStream {
    fn name(&self) -> &str {
        "test"
    }

    async fn publish(&self, messages: &[Message]) -> Result<(), StreamError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StreamError::Broker("the broker is down".into()));
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        // Give a concurrent relay every chance to interleave.
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.stored.lock().expect("lock").extend(messages.iter().cloned());
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let handler = self.deliver_to.lock().expect("lock").clone();
        if let Some(handler) = handler {
            for message in messages {
                handler.handle(message).await.map_err(|e| StreamError::Broker(e.message))?;
            }
        }
        if self.lost_acks.load(Ordering::SeqCst) > 0 {
            self.lost_acks.fetch_sub(1, Ordering::SeqCst);
            return Err(StreamError::Broker("stored, but the acknowledgement was lost".into()));
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        _: Subscription,
        _: Arc<dyn MessageHandler>,
        _: CancellationToken,
    ) -> Result<JoinHandle<()>, StreamError> {
        Err(StreamError::Broker("the test stream has no consumers".into()))
    }

    async fn ping(&self) -> Result<(), StreamError> {
        Ok(())
    }

    async fn pending(&self, _: &str, _: &str) -> Result<u64, StreamError> {
        Ok(0)
    }
}

/// Writes one effect row per handled message in the inbox transaction.
#[derive(Clone)]
struct WriteEffect {
    insert: String,
}

impl WriteEffect {
    fn new(db: &Database) -> Self {
        Self { insert: format!("INSERT INTO {} (message_id) VALUES ($1)", db.table(MODULE, "effects")) }
    }
}

#[async_trait]
impl TxMessageHandler for WriteEffect {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        sqlx::query(sqlx::AssertSqlSafe(self.insert.clone()))
            .bind(&message.id)
            .execute(tx.conn())
            .await
            .map_err(HandlerError::transient)?;
        Ok(())
    }
}

async fn effects(db: &Database, id: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE message_id = $1", db.table(MODULE, "effects"));
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(db.pool()).await.expect("count").try_get(0).expect("count")
}

/// Commits `messages` to the outbox in one transaction.
async fn commit(db: &Database, outbox: &Outbox, messages: &[Message]) {
    let mut tx = db.begin().await.expect("begin");
    for message in messages {
        outbox.add(&mut tx, message.clone()).await.expect("outbox add");
    }
    tx.commit().await.expect("commit");
}

fn messages(n: usize) -> Vec<Message> {
    (0..n).map(|i| testkit::message("outbox.events.Thing", "test.Happened", format!("{i}").as_bytes())).collect()
}

fn ids(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|m| m.id.clone()).collect()
}

/// Compares two id sequences, reporting the first difference instead of both lists.
fn assert_sequence(label: &str, got: &[String], want: &[String]) {
    if let Some(at) = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i)) {
        panic!(
            "{label}: {} ids published, {} expected; first difference at #{at}: got {:?}, expected {:?}",
            got.len(),
            want.len(),
            got.get(at),
            want.get(at)
        );
    }
}

async fn drain(relay: &OutboxRelay) -> usize {
    let mut total = 0;
    loop {
        match relay.process_once().await.expect("relay") {
            0 => return total,
            n => total += n,
        }
    }
}

#[tokio::test]
async fn rows_of_a_rolled_back_transaction_are_never_published() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let relay = outbox.relay(&db, stream.clone(), settings());
        let [lost, kept]: [Message; 2] = messages(2).try_into().expect("two");

        let mut tx = db.begin().await.expect("begin");
        outbox.add(&mut tx, lost.clone()).await.expect("add");
        tx.rollback().await.expect("rollback");
        commit(&db, &outbox, std::slice::from_ref(&kept)).await;

        assert_eq!(drain(&relay).await, 1, "{backend}");
        assert_eq!(stream.stored_ids(), vec![kept.id.clone()], "{backend}");
        assert_eq!(relay.lag().await.expect("lag").0, 0, "{backend}");
    }
}

#[tokio::test]
async fn committed_rows_are_published_in_write_order() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let relay = outbox.relay(&db, stream.clone(), RelaySettings { batch_size: 3, ..settings() });
        let all = messages(11);
        commit(&db, &outbox, &all[..5]).await;
        commit(&db, &outbox, &all[5..6]).await;
        commit(&db, &outbox, &all[6..]).await;

        assert_eq!(drain(&relay).await, 11, "{backend}");
        assert_eq!(stream.stored_ids(), ids(&all), "{backend}");
        let stored = stream.stored.lock().expect("lock").clone();
        assert_eq!(stored[3].payload, all[3].payload, "{backend}: the content travels");
        assert_eq!(stored[3].subject, all[3].subject, "{backend}");
    }
}

#[tokio::test]
async fn rows_are_marked_only_after_the_stream_accepted_them() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let relay = outbox.relay(&db, stream.clone(), settings());
        let all = messages(3);
        commit(&db, &outbox, &all).await;

        stream.down.store(true, Ordering::SeqCst);
        relay.process_once().await.expect_err("the broker is down");
        let (lag, oldest) = relay.lag().await.expect("lag");
        assert_eq!(lag, 3, "{backend}: nothing was marked");
        assert!(oldest.is_some(), "{backend}");

        stream.down.store(false, Ordering::SeqCst);
        assert_eq!(drain(&relay).await, 3, "{backend}");
        assert_eq!(stream.stored_ids(), ids(&all), "{backend}");
        assert_eq!(relay.lag().await.expect("lag"), (0, None), "{backend}");
    }
}

#[tokio::test]
async fn a_lost_acknowledgement_means_a_second_delivery_that_the_inbox_absorbs() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        *stream.deliver_to.lock().expect("lock") = Some(Inbox::new(&db, MODULE).handler(WriteEffect::new(&db)));
        let relay = outbox.relay(&db, stream.clone(), settings());
        let all = messages(2);
        commit(&db, &outbox, &all).await;

        stream.lost_acks.store(1, Ordering::SeqCst);
        relay.process_once().await.expect_err("the acknowledgement is lost");
        assert_eq!(relay.lag().await.expect("lag").0, 2, "{backend}: not marked without an acknowledgement");
        assert_eq!(drain(&relay).await, 2, "{backend}");

        let mut twice = ids(&all);
        twice.extend(ids(&all));
        assert_eq!(stream.stored_ids(), twice, "{backend}: delivered again");
        for message in &all {
            assert_eq!(effects(&db, &message.id).await, 1, "{backend}: applied once");
        }
    }
}

#[tokio::test]
async fn a_crash_between_publish_and_mark_is_harmless_on_every_stream() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        for case in testkit::streams(&db).await {
            let label = format!("{backend}/{}", case.label);
            let outbox = Outbox::new(&db, MODULE, None);
            let relay = outbox.relay(&db, case.stream.clone(), settings());
            let shutdown = CancellationToken::new();
            let subscription = Subscription {
                subject: "outbox.events.Thing".into(),
                durable: format!("crash-{}", testkit::unique_stream_name()),
                names: vec![],
                max_deliver: 3,
                dead_letters: DeadLetters::new(&db),
                metrics: None,
            };
            let handler = Inbox::new(&db, MODULE).handler(WriteEffect::new(&db));
            let consumer = case.stream.subscribe(subscription, handler, shutdown.clone()).await.expect("subscribe");

            let [first, marker]: [Message; 2] = messages(2).try_into().expect("two");
            commit(&db, &outbox, std::slice::from_ref(&first)).await;
            assert_eq!(drain(&relay).await, 1, "{label}");
            // The crash: the broker has the message, the row was never marked.
            let unmark = format!("UPDATE {} SET published_at = NULL WHERE id = $1", db.table(MODULE, "outbox"));
            sqlx::query(sqlx::AssertSqlSafe(unmark)).bind(&first.id).execute(db.pool()).await.expect("unmark");
            commit(&db, &outbox, std::slice::from_ref(&marker)).await;
            assert_eq!(drain(&relay).await, 2, "{label}: published again after the restart");

            testkit::wait_until(&format!("{label}: the marker's effect"), async || effects(&db, &marker.id).await == 1)
                .await;
            assert_eq!(effects(&db, &first.id).await, 1, "{label}: applied once");
            shutdown.cancel();
            testkit::within("the consumer stops", consumer).await.expect("consumer task");
            case.cleanup().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_on_one_outbox_publish_every_message_once_in_commit_order() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let relay_settings = RelaySettings { batch_size: 7, ..settings() };
        let shutdown = CancellationToken::new();
        let relays: Vec<_> = (0..2)
            .map(|_| tokio::spawn(outbox.relay(&db, stream.clone(), relay_settings.clone()).run(shutdown.clone())))
            .collect();

        let all = messages(200);
        for chunk in all.chunks(5) {
            commit(&db, &outbox, chunk).await;
        }
        testkit::wait_until(&format!("{backend}: 200 messages published"), async || stream.stored_ids().len() >= 200)
            .await;
        shutdown.cancel();
        for relay in relays {
            testkit::within("the relay stops", relay).await.expect("relay task");
        }
        assert_sequence(&format!("{backend}: each once, in commit order"), &stream.stored_ids(), &ids(&all));
        assert_eq!(stream.max_in_flight.load(Ordering::SeqCst), 1, "{backend}: the relays never overlapped");
    }
}

#[tokio::test]
async fn the_relay_wakes_on_commit_instead_of_polling() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let slow_tick = RelaySettings { fallback_tick: Duration::from_secs(60), ..settings() };
        let shutdown = CancellationToken::new();
        let relay = tokio::spawn(outbox.relay(&db, stream.clone(), slow_tick).run(shutdown.clone()));
        for round in 0..3 {
            let message = messages(1);
            commit(&db, &outbox, &message).await;
            let started = std::time::Instant::now();
            testkit::wait_until_for(
                &format!("{backend}: round {round} published"),
                Duration::from_secs(2),
                async || stream.stored_ids().contains(&message[0].id),
            )
            .await;
            assert!(started.elapsed() < Duration::from_secs(2), "{backend}");
        }
        shutdown.cancel();
        testkit::within("the relay stops", relay).await.expect("relay task");
    }
}

#[tokio::test]
async fn prune_removes_only_old_published_rows() {
    for (backend, db) in testkit::databases().await {
        migrated(&db).await;
        let outbox = Outbox::new(&db, MODULE, None);
        let stream = Arc::new(TestStream::default());
        let relay = outbox.relay(&db, stream.clone(), settings());
        let [old, recent, pending]: [Message; 3] = messages(3).try_into().expect("three");
        commit(&db, &outbox, &[old.clone(), recent.clone()]).await;
        assert_eq!(drain(&relay).await, 2, "{backend}");
        commit(&db, &outbox, std::slice::from_ref(&pending)).await;
        let table = db.table(MODULE, "outbox");
        let two_hours = Duration::from_secs(7200).as_micros() as i64;
        let age = format!("UPDATE {table} SET published_at = published_at - $1 WHERE id = $2");
        sqlx::query(sqlx::AssertSqlSafe(age)).bind(two_hours).bind(&old.id).execute(db.pool()).await.expect("age");
        let age = format!("UPDATE {table} SET sent_at = sent_at - $1 WHERE id = $2");
        sqlx::query(sqlx::AssertSqlSafe(age)).bind(two_hours).bind(&pending.id).execute(db.pool()).await.expect("age");

        assert_eq!(relay.prune().await.expect("prune"), 1, "{backend}");
        let left = format!("SELECT id FROM {table} ORDER BY seq");
        let left: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(left))
            .fetch_all(db.pool())
            .await
            .expect("rows")
            .iter()
            .map(|r| r.try_get(0).expect("id"))
            .collect();
        assert_eq!(left, vec![recent.id.clone(), pending.id.clone()], "{backend}");
    }
}

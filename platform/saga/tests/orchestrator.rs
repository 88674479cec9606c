//! The saga engine on every database: forward path, compensation, duplicate and late replies, step timeouts, and
//! compensations that keep failing (stuck). Participants are played by the test, reading commands from the outbox.

use std::time::Duration;

use contracts::names;
use database::sqlx::{self, Row};
use database::{Database, Migration};
use messaging::{Message, Outbox};
use saga::{Command, Orchestrator, SagaDefinition, SagaStatus, Step};
use serde::{Deserialize, Serialize};

const MODULE: &str = "sagatest";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Data {
    order: String,
    kept: String,
}

fn cmd(name: &'static str) -> impl Fn(&Data) -> Command {
    move |_d: &Data| Command { subject: "test.commands", name, payload: Vec::new() }
}

fn definition(timeout: Duration, max_attempts: u32) -> SagaDefinition<Data> {
    fn undo_first(d: &Data) -> Command {
        cmd("test.UndoFirst")(d)
    }
    fn first(d: &Data) -> Command {
        cmd("test.First")(d)
    }
    fn undo_second(d: &Data) -> Command {
        cmd("test.UndoSecond")(d)
    }
    fn second(d: &Data) -> Command {
        cmd("test.Second")(d)
    }
    fn third(d: &Data) -> Command {
        cmd("test.Third")(d)
    }
    fn keep(d: &mut Data, reply: &Message) {
        d.kept = reply.name.clone();
    }
    SagaDefinition {
        name: "test.Saga",
        reply_subject: "test.replies.Saga",
        steps: vec![
            Step { name: "zero", action: None, compensation: Some(undo_first), on_action_reply: None },
            Step { name: "one", action: Some(first), compensation: None, on_action_reply: None },
            Step { name: "two", action: Some(second), compensation: Some(undo_second), on_action_reply: Some(keep) },
            Step { name: "three", action: Some(third), compensation: None, on_action_reply: None },
        ],
        step_timeout: timeout,
        max_attempts,
    }
}

async fn setup(db: &Database, timeout: Duration, max_attempts: u32) -> Orchestrator<Data> {
    db.migrate(
        MODULE,
        &[
            Migration { version: 1, description: "messaging", sql: messaging::MODULE_TABLES_SQL },
            Migration { version: 2, description: "sagas", sql: saga::TABLES_SQL },
        ],
    )
    .await
    .expect("migrate");
    let outbox = Outbox::new(db, MODULE, None);
    Orchestrator::new(definition(timeout, max_attempts), db, MODULE, outbox, "mallbots", None)
}

/// Commands the saga sent so far: (name, metadata).
async fn sent(db: &Database) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let sql = format!("SELECT name, metadata FROM {} ORDER BY seq", db.table(MODULE, "outbox"));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await.expect("outbox");
    rows.iter()
        .map(|r| {
            let meta: Vec<u8> = r.try_get(1).expect("metadata");
            (r.try_get::<String, _>(0).expect("name"), serde_json::from_slice(&meta).expect("json"))
        })
        .collect()
}

/// The reply a participant would send to the last command.
async fn reply_to_last(db: &Database, success: bool) -> Message {
    let (_, meta) = sent(db).await.pop().expect("a command was sent");
    let mut reply =
        testkit::message(names::COSEC_CREATE_ORDER_REPLIES, if success { "am.Success" } else { "am.Failure" }, &[]);
    for (k, v) in meta {
        if let Some(rest) = k.strip_prefix("COMMAND_") {
            reply.metadata.insert(format!("REPLY_{rest}"), v);
        }
    }
    reply.metadata.insert(names::REPLY_OUTCOME.into(), if success { "SUCCESS" } else { "FAILURE" }.into());
    reply
}

async fn apply(db: &Database, saga: &Orchestrator<Data>, reply: &Message) {
    let mut tx = db.begin().await.expect("begin");
    saga.handle_reply(&mut tx, reply).await.expect("reply handled");
    tx.commit().await.expect("commit");
}

async fn start(db: &Database, saga: &Orchestrator<Data>, id: &str) {
    let mut tx = db.begin().await.expect("begin");
    saga.start(&mut tx, id, Data { order: id.into(), kept: String::new() }).await.expect("start");
    tx.commit().await.expect("commit");
}

fn names_of(sent: &[(String, serde_json::Map<String, serde_json::Value>)]) -> Vec<&str> {
    sent.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn forward_path_completes_and_commands_carry_the_saga_metadata() {
    for (backend, db) in testkit::databases().await {
        let saga = setup(&db, Duration::from_secs(30), 3).await;
        start(&db, &saga, "o1").await;
        start(&db, &saga, "o1").await; // a second start changes nothing
        let first = sent(&db).await;
        assert_eq!(names_of(&first), ["test.First"], "{backend}");
        let meta = &first[0].1;
        assert_eq!(meta["COMMAND_SAGA_ID"], "o1");
        assert_eq!(meta["COMMAND_SAGA_NAME"], "test.Saga");
        assert_eq!(meta["COMMAND_REPLY_CHANNEL"], "mallbots.test.replies.Saga");
        for _ in 0..3 {
            let reply = reply_to_last(&db, true).await;
            apply(&db, &saga, &reply).await;
        }
        assert_eq!(names_of(&sent(&db).await), ["test.First", "test.Second", "test.Third"], "{backend}");
        let done = saga.get("o1").await.expect("get").expect("exists");
        assert_eq!(done.status, SagaStatus::Completed, "{backend}");
        assert_eq!(done.data.kept, "am.Success", "the step's reply handler ran");
        assert!(done.pending.is_none());
        assert!(done.history.iter().any(|h| h.event == "finished"));
    }
}

#[tokio::test]
async fn a_failure_compensates_backwards_and_duplicate_or_late_replies_change_nothing() {
    for (backend, db) in testkit::databases().await {
        let saga = setup(&db, Duration::from_secs(30), 3).await;
        start(&db, &saga, "o2").await;
        let first_ok = reply_to_last(&db, true).await;
        apply(&db, &saga, &first_ok).await; // → Second
        apply(&db, &saga, &first_ok).await; // duplicate: ignored
        assert_eq!(names_of(&sent(&db).await), ["test.First", "test.Second"], "{backend}");
        let second_ok = reply_to_last(&db, true).await;
        apply(&db, &saga, &second_ok).await; // → Third
        let third_failed = reply_to_last(&db, false).await;
        apply(&db, &saga, &third_failed).await; // → UndoSecond
        apply(&db, &saga, &second_ok).await; // late: ignored
        assert_eq!(
            names_of(&sent(&db).await),
            ["test.First", "test.Second", "test.Third", "test.UndoSecond"],
            "{backend}"
        );
        let undo_ok = reply_to_last(&db, true).await;
        apply(&db, &saga, &undo_ok).await; // → UndoFirst (step zero)
        let undo_first_ok = reply_to_last(&db, true).await;
        apply(&db, &saga, &undo_first_ok).await;
        let names = names_of(&sent(&db).await).into_iter().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            names,
            ["test.First", "test.Second", "test.Third", "test.UndoSecond", "test.UndoFirst"],
            "{backend}"
        );
        let saga_state = saga.get("o2").await.expect("get").expect("exists");
        assert_eq!(saga_state.status, SagaStatus::Compensated, "{backend}");
        assert!(saga_state.history.iter().filter(|h| h.event == "ignored_reply").count() >= 2);
        apply(&db, &saga, &undo_first_ok).await; // after the end: ignored, nothing sent
        assert_eq!(sent(&db).await.len(), 5);
    }
}

#[tokio::test]
async fn a_silent_step_is_retried_then_compensated_and_a_failing_compensation_gets_stuck() {
    for (backend, db) in testkit::databases().await {
        let saga = setup(&db, Duration::from_millis(1), 2).await;
        start(&db, &saga, "o3").await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(saga.process_timeouts_once().await.expect("timeouts"), 1, "{backend}");
        let after_retry = sent(&db).await;
        assert_eq!(names_of(&after_retry), ["test.First", "test.First"], "{backend}: resent");
        assert_ne!(after_retry[0].1["COMMAND_ID"], after_retry[1].1["COMMAND_ID"]);
        tokio::time::sleep(Duration::from_millis(5)).await;
        saga.process_timeouts_once().await.expect("timeouts");
        // Out of attempts: the action is given up and step zero's compensation runs.
        assert_eq!(names_of(&sent(&db).await), ["test.First", "test.First", "test.UndoFirst"], "{backend}");
        let failed = reply_to_last(&db, false).await;
        apply(&db, &saga, &failed).await; // compensation failed → resent
        assert_eq!(sent(&db).await.len(), 4, "{backend}");
        let failed_again = reply_to_last(&db, false).await;
        apply(&db, &saga, &failed_again).await; // out of attempts → stuck
        let stuck = saga.get("o3").await.expect("get").expect("exists");
        assert_eq!(stuck.status, SagaStatus::Stuck, "{backend}");
        assert!(stuck.pending.is_none());
    }
}

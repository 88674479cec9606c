//! Conformance of every stream backend (the database stream on SQLite and on PostgreSQL, NATS JetStream): what is
//! published arrives intact and in order per subject, durables are independent, failures are retried with backoff
//! and then dead-lettered, garbage is dead-lettered at once, dead letters can be replayed or discarded, and a
//! re-published message id is delivered once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use messaging::{DeadLetter, DeadLetters, HandlerError, Message, Subscription};
use testkit::{Recorder, StreamCase, wait_until};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const SUBJECT: &str = "things.events.Thing";

/// A running durable consumer.
struct Consumer {
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

impl Consumer {
    async fn start(case: &StreamCase, durable: &str, names: &[&str], max_deliver: u32, handler: Arc<Recorder>) -> Self {
        let subscription = Subscription {
            subject: SUBJECT.to_owned(),
            durable: durable.to_owned(),
            names: names.iter().map(|n| n.to_string()).collect(),
            max_deliver,
            dead_letters: DeadLetters::new(&case.db),
            metrics: None,
        };
        let shutdown = CancellationToken::new();
        let task = case.stream.subscribe(subscription, handler, shutdown.clone()).await.expect("subscribe");
        Self { shutdown, task }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        testkit::within("the consumer stops", self.task).await.expect("consumer task");
    }
}

fn message(name: &str, payload: &str) -> Message {
    testkit::message(SUBJECT, name, payload.as_bytes())
}

async fn publish(case: &StreamCase, messages: &[Message]) {
    case.stream.publish(messages).await.unwrap_or_else(|e| panic!("{}: publish: {e}", case.label));
}

async fn dead_letters(case: &StreamCase) -> Vec<DeadLetter> {
    DeadLetters::new(&case.db).list(100).await.expect("list dead letters")
}

fn ids(messages: &[Message]) -> Vec<String> {
    messages.iter().map(|m| m.id.clone()).collect()
}

#[tokio::test]
async fn a_message_arrives_with_its_id_name_payload_metadata_and_subject() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::new();
        let consumer = Consumer::start(&case, "round-trip", &[], 3, recorder.clone()).await;
        let sent = message("test.Happened", "payload \u{1F600}")
            .with_metadata("COMMAND_SAGA_ID", "saga-1")
            .with_metadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .with_metadata("ratio", 1.5)
            .with_metadata("flag", true);
        publish(&case, std::slice::from_ref(&sent)).await;

        wait_until(&format!("{}: the message", case.label), async || recorder.handled_count() == 1).await;
        let got = recorder.handled().remove(0);
        assert_eq!(got, sent, "{}", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn two_hundred_messages_of_a_subject_arrive_in_publish_order() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::new();
        let consumer = Consumer::start(&case, "ordered", &[], 3, recorder.clone()).await;
        let all: Vec<Message> = (0..200).map(|i| message("test.Happened", &i.to_string())).collect();
        for (i, chunk) in all.chunks(10).enumerate() {
            publish(&case, chunk).await;
            // Another subject in between: it must neither reach this consumer nor disturb the order.
            let noise = testkit::message("things.events.Other", "test.Happened", format!("noise {i}").as_bytes());
            publish(&case, &[noise]).await;
        }

        wait_until(&format!("{}: 200 messages", case.label), async || recorder.handled_count() >= 200).await;
        assert_eq!(recorder.handled_ids(), ids(&all), "{}: per-subject order", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn the_name_filter_skips_other_names() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::new();
        let consumer = Consumer::start(&case, "filtered", &["test.Wanted"], 3, recorder.clone()).await;
        let all = [
            message("test.Other", "1"),
            message("test.Wanted", "2"),
            message("test.Other", "3"),
            message("test.Wanted", "4"),
            message("test.Wanted", "5"),
        ];
        publish(&case, &all).await;

        wait_until(&format!("{}: the wanted messages", case.label), async || recorder.handled_count() >= 3).await;
        let wanted: Vec<String> = all.iter().filter(|m| m.name == "test.Wanted").map(|m| m.id.clone()).collect();
        assert_eq!(recorder.handled_ids(), wanted, "{}", case.label);
        assert_eq!(recorder.attempts(&all[0].id), 0, "{}: skipped without calling the handler", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn two_durables_on_one_subject_each_get_everything() {
    for case in testkit::stream_matrix().await {
        let (a, b) = (Recorder::new(), Recorder::new());
        let consumer_a = Consumer::start(&case, "durable-a", &[], 3, a.clone()).await;
        let consumer_b = Consumer::start(&case, "durable-b", &[], 3, b.clone()).await;
        let all: Vec<Message> = (0..20).map(|i| message("test.Happened", &i.to_string())).collect();
        publish(&case, &all).await;

        wait_until(&format!("{}: both durables", case.label), async || {
            a.handled_count() >= 20 && b.handled_count() >= 20
        })
        .await;
        assert_eq!(a.handled_ids(), ids(&all), "{}: durable a", case.label);
        assert_eq!(b.handled_ids(), ids(&all), "{}: durable b", case.label);
        consumer_a.stop().await;
        consumer_b.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn a_message_failing_twice_is_retried_with_backoff_and_handled() {
    for case in testkit::stream_matrix().await {
        let flaky = message("test.Flaky", "flaky");
        let flaky_id = flaky.id.clone();
        let recorder = Recorder::with(move |m, attempt| {
            if m.id == flaky_id && attempt <= 2 {
                return Err(HandlerError::transient(format!("failure {attempt}")));
            }
            Ok(())
        });
        let consumer = Consumer::start(&case, "retrying", &[], 3, recorder.clone()).await;
        let next = message("test.Happened", "next");
        publish(&case, &[flaky.clone(), next.clone()]).await;

        wait_until(&format!("{}: both messages", case.label), async || recorder.handled_count() >= 2).await;
        assert_eq!(recorder.handled_ids(), vec![flaky.id.clone(), next.id.clone()], "{}: order kept", case.label);
        assert_eq!(recorder.attempts(&flaky.id), 3, "{}", case.label);
        let times = recorder.attempt_times(&flaky.id);
        let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps[0] >= Duration::from_millis(90), "{}: first backoff {:?}", case.label, gaps[0]);
        assert!(gaps[1] >= Duration::from_millis(190), "{}: second backoff {:?}", case.label, gaps[1]);
        assert!(dead_letters(&case).await.is_empty(), "{}: not dead-lettered", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn a_message_that_always_fails_is_dead_lettered_after_max_deliver_and_the_consumer_moves_on() {
    for case in testkit::stream_matrix().await {
        let poison = message("test.Poison", "poison");
        let poison_id = poison.id.clone();
        let recorder = Recorder::with(move |m, attempt| {
            if m.id == poison_id {
                return Err(HandlerError::transient(format!("cannot handle (attempt {attempt})")));
            }
            Ok(())
        });
        let consumer = Consumer::start(&case, "poisoned", &[], 3, recorder.clone()).await;
        let next = message("test.Happened", "next");
        publish(&case, &[poison.clone(), next.clone()]).await;

        wait_until(&format!("{}: the next message", case.label), async || recorder.handled_count() >= 1).await;
        assert_eq!(recorder.handled_ids(), vec![next.id.clone()], "{}", case.label);
        assert_eq!(recorder.attempts(&poison.id), 3, "{}: max_deliver deliveries", case.label);
        let letters = dead_letters(&case).await;
        assert_eq!(letters.len(), 1, "{}", case.label);
        let letter = &letters[0];
        assert_eq!(
            (letter.message_id.as_str(), letter.name.as_str(), letter.durable.as_str(), letter.subject.as_str()),
            (poison.id.as_str(), "test.Poison", "poisoned", SUBJECT),
            "{}",
            case.label
        );
        assert_eq!(letter.error, "cannot handle (attempt 3)", "{}: the last error is kept", case.label);
        assert_eq!(letter.deliveries, 3, "{}", case.label);
        assert!(!letter.replay_requested, "{}", case.label);
        assert_eq!(DeadLetters::new(&case.db).count().await.expect("count"), 1, "{}", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn a_permanent_failure_is_dead_lettered_at_once() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::with(|m, _| {
            if m.name == "test.Malformed" { Err(HandlerError::permanent("malformed payload")) } else { Ok(()) }
        });
        let consumer = Consumer::start(&case, "permanent", &[], 5, recorder.clone()).await;
        let bad = message("test.Malformed", "bad");
        let next = message("test.Happened", "next");
        publish(&case, &[bad.clone(), next.clone()]).await;

        wait_until(&format!("{}: the next message", case.label), async || recorder.handled_count() >= 1).await;
        assert_eq!(recorder.attempts(&bad.id), 1, "{}: no retries", case.label);
        let letters = dead_letters(&case).await;
        assert_eq!(letters.len(), 1, "{}", case.label);
        assert_eq!((letters[0].message_id.as_str(), letters[0].deliveries), (bad.id.as_str(), 1), "{}", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn undecodable_bytes_are_dead_lettered_at_once_and_the_consumer_continues() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::new();
        let consumer = Consumer::start(&case, "garbage", &[], 3, recorder.clone()).await;
        case.publish_raw(SUBJECT, &[0xff, 0xff, 0xff, 0x00]).await;
        let next = message("test.Happened", "next");
        publish(&case, std::slice::from_ref(&next)).await;

        wait_until(&format!("{}: the next message", case.label), async || recorder.handled_count() >= 1).await;
        assert_eq!(recorder.handled_ids(), vec![next.id.clone()], "{}", case.label);
        let letters = dead_letters(&case).await;
        assert_eq!(letters.len(), 1, "{}", case.label);
        let letter = &letters[0];
        assert!(letter.message_id.starts_with("undecodable-"), "{}: {}", case.label, letter.message_id);
        assert_eq!((letter.name.as_str(), letter.deliveries), ("", 1), "{}", case.label);
        assert_eq!(letter.data, vec![0xff, 0xff, 0xff, 0x00], "{}: the bytes are kept", case.label);
        assert!(!letter.error.is_empty(), "{}", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn dead_letters_are_listed_replayed_and_discarded() {
    for case in testkit::stream_matrix().await {
        let broken = Arc::new(AtomicBool::new(true));
        let recorder =
            {
                let broken = broken.clone();
                Recorder::with(move |_, _| {
                    if broken.load(Ordering::SeqCst) { Err(HandlerError::transient("not yet")) } else { Ok(()) }
                })
            };
        let consumer = Consumer::start(&case, "replaying", &[], 2, recorder.clone()).await;
        let (first, second) = (message("test.Happened", "1"), message("test.Happened", "2"));
        publish(&case, &[first.clone(), second.clone()]).await;
        wait_until(&format!("{}: two dead letters", case.label), async || dead_letters(&case).await.len() == 2).await;
        let letters = dead_letters(&case).await;
        assert_eq!(
            letters.iter().map(|l| l.message_id.clone()).collect::<Vec<_>>(),
            vec![first.id.clone(), second.id.clone()],
            "{}: oldest first",
            case.label
        );
        let store = DeadLetters::new(&case.db);

        broken.store(false, Ordering::SeqCst);
        assert!(store.replay(letters[0].seq).await.expect("replay"), "{}", case.label);
        wait_until(&format!("{}: the replay", case.label), async || recorder.handled_count() == 1).await;
        assert_eq!(recorder.handled_ids(), vec![first.id.clone()], "{}", case.label);
        wait_until(&format!("{}: the replayed letter resolved", case.label), async || {
            dead_letters(&case).await.iter().all(|l| l.seq != letters[0].seq)
        })
        .await;

        assert!(store.discard(letters[1].seq).await.expect("discard"), "{}", case.label);
        assert!(dead_letters(&case).await.is_empty(), "{}", case.label);
        assert_eq!(store.count().await.expect("count"), 0, "{}", case.label);
        assert!(!store.replay(letters[1].seq).await.expect("replay"), "{}: a discarded letter is gone", case.label);
        assert!(!store.discard(letters[1].seq).await.expect("discard"), "{}", case.label);
        assert_eq!(recorder.handled_count(), 1, "{}: the discarded message was never handled", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

#[tokio::test]
async fn a_message_published_twice_is_delivered_once() {
    for case in testkit::stream_matrix().await {
        let recorder = Recorder::new();
        let consumer = Consumer::start(&case, "dedup", &[], 3, recorder.clone()).await;
        let once = message("test.Happened", "once");
        publish(&case, std::slice::from_ref(&once)).await;
        publish(&case, std::slice::from_ref(&once)).await;
        let marker = message("test.Happened", "marker");
        publish(&case, &[once.clone(), marker.clone()]).await;

        wait_until(&format!("{}: the marker", case.label), async || recorder.handled_ids().contains(&marker.id)).await;
        assert_eq!(recorder.handled_ids(), vec![once.id.clone(), marker.id.clone()], "{}", case.label);
        assert_eq!(recorder.attempts(&once.id), 1, "{}", case.label);
        consumer.stop().await;
        case.cleanup().await;
    }
}

//! Outbox → JetStream relay benchmark (`cargo bench -p messaging --bench outbox_relay`): writers commit one outbox
//! message per transaction while the relay publishes; a plain NATS subscriber timestamps arrivals. Reports
//! messages/s and commit-to-publish latency (commit → seen by a subscriber, an upper bound) p50/p99.
//! Needs NATS (`BENCH_NATS_URL`/`TEST_NATS_URL`, default nats://127.0.0.1:4222); database: PostgreSQL when
//! `BENCH_DATABASE_URL`/`TEST_DATABASE_URL` is set, and SQLite always.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use database::{Database, Migration};
use futures::StreamExt;
use messaging::{JetStream, Message, Outbox, RelaySettings, Stream};
use tokio_util::sync::CancellationToken;

const MESSAGES: usize = 5000;

async fn run(label: &str, db_url: &str, nats_url: &str, writers: usize) {
    let ns = format!("b{}_", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let db = Database::connect(db_url, &ns).await.expect("db");
    db.migrate("bench", &[Migration { version: 1, description: "outbox", sql: messaging::MODULE_TABLES_SQL }])
        .await
        .expect("migrate");
    let stream_name = format!("bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let stream = Arc::new(JetStream::connect(nats_url, &stream_name).await.expect("nats"));
    let client = async_nats::connect(nats_url).await.expect("nats client");
    let mut sub = client.subscribe(format!("{stream_name}.>")).await.expect("subscribe");

    let committed: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let outbox = Outbox::new(&db, "bench", None);
    let stop = CancellationToken::new();
    let relay =
        tokio::spawn(outbox.relay(&db, stream.clone() as Arc<dyn Stream>, RelaySettings::default()).run(stop.clone()));

    // Arrivals are joined with commit times at the end: a message may reach the subscriber before its writer
    // has even recorded that the commit returned.
    let receiver = tokio::spawn(async move {
        let mut arrivals = Vec::with_capacity(MESSAGES);
        while arrivals.len() < MESSAGES {
            let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(30), sub.next()).await else { break };
            let now = Instant::now();
            if let Ok(m) = messaging::decode_stream_message("x", &msg.payload) {
                arrivals.push((m.id, now));
            }
        }
        arrivals
    });

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let db = db.clone();
        let outbox = outbox.clone();
        let committed = committed.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..MESSAGES / writers {
                let msg = Message::new(
                    "bench.events.Thing",
                    "benchapi.ThingHappened",
                    contracts::storespb::StoreCreated {
                        id: ddd::new_id(),
                        name: "bench".into(),
                        location: "here".into(),
                    },
                );
                let id = msg.id.clone();
                let mut tx = db.begin().await.expect("begin");
                outbox.add(&mut tx, msg).await.expect("add");
                tx.commit().await.expect("commit");
                committed.lock().expect("lock").insert(id, Instant::now());
            }
        }));
    }
    for w in tasks {
        w.await.expect("writer");
    }
    let arrivals = receiver.await.expect("receiver");
    let committed = committed.lock().expect("lock").clone();
    let last = arrivals.iter().map(|(_, at)| *at).max().unwrap_or_else(Instant::now);
    let mut latencies: Vec<Duration> =
        arrivals.iter().filter_map(|(id, at)| committed.get(id).map(|c| at.saturating_duration_since(*c))).collect();
    stop.cancel();
    let _ = relay.await;
    let _ = stream.delete_stream().await;
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let rate = latencies.len() as f64 / last.duration_since(started).as_secs_f64();
    println!(
        "| {label} | {writers} | {} | {rate:.0} | {:.2} | {:.2} |",
        latencies.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let nats = std::env::var("BENCH_NATS_URL")
        .or_else(|_| std::env::var("TEST_NATS_URL"))
        .unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    println!("| database | writers | messages | messages/s | commit→publish p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let dir = std::env::temp_dir().join(format!("mallbots-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pg = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL")).ok();
    for writers in [1, 8] {
        run("SQLite", &format!("sqlite://{}", dir.join(format!("relay{writers}.db")).display()), &nats, writers).await;
        if let Some(pg) = &pg {
            run("PostgreSQL", pg, &nats, writers).await;
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

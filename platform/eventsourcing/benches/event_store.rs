//! Event-store benchmark (`cargo bench -p eventsourcing --bench event_store`): append throughput at several
//! concurrencies beside a raw single-row INSERT+COMMIT loop on the same pool, and the load time of a 1,000-event
//! stream with and without a snapshot — on SQLite and, when `BENCH_DATABASE_URL` (or `TEST_DATABASE_URL`) is set,
//! on PostgreSQL.

use std::time::{Duration, Instant};

use database::{Database, Migration, Sql, sqlx};
use ddd::{Aggregate, DomainEvent};
use eventsourcing::{EventStore, Loaded, SnapshotPolicy};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
enum CounterEvent {
    #[serde(rename = "bench.Added")]
    Added {
        #[serde(rename = "N")]
        n: i64,
    },
}
impl DomainEvent for CounterEvent {}

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    total: i64,
}

impl Aggregate for Counter {
    const TYPE: &'static str = "bench.Counter";
    const SNAPSHOT_NAME: &'static str = "bench.CounterV1";
    type Event = CounterEvent;
    type Snapshot = Counter;
    fn apply(&mut self, event: &CounterEvent) {
        let CounterEvent::Added { n } = event;
        self.total += n;
    }
    fn to_snapshot(&self) -> Counter {
        Counter { total: self.total }
    }
    fn from_snapshot(s: Counter) -> Self {
        s
    }
}

const MODULE: &str = "bench";
const EVENTS_PER_RUN: usize = 2000;

async fn open(url: &str) -> Database {
    let ns = format!("b{}_", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let db = Database::connect(url, &ns).await.expect("connect");
    db.migrate(
        MODULE,
        &[
            Migration { version: 1, description: "es", sql: eventsourcing::TABLES_SQL },
            Migration { version: 2, description: "raw", sql: "CREATE TABLE IF NOT EXISTS {schema}raw (id TEXT PRIMARY KEY, data {bytes} NOT NULL, at BIGINT NOT NULL)" },
        ],
    )
    .await
    .expect("migrate");
    db
}

/// Appends `EVENTS_PER_RUN` events, one per transaction, from `concurrency` writers each on its own stream.
async fn append_rate(db: &Database, concurrency: usize) -> f64 {
    let per_task = EVENTS_PER_RUN / concurrency;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let store = EventStore::<Counter>::new(&db, MODULE, SnapshotPolicy::Never);
            let mut loaded = Loaded::<Counter>::new(ddd::new_id());
            for _ in 0..per_task {
                let mut tx = db.begin().await.expect("begin");
                store.append(&mut tx, &mut loaded, &[CounterEvent::Added { n: 1 }]).await.expect("append");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    (per_task * concurrency) as f64 / started.elapsed().as_secs_f64()
}

/// The same number of single-row INSERT + COMMIT transactions, same pool, same concurrency.
async fn raw_insert_rate(db: &Database, concurrency: usize) -> f64 {
    let per_task = EVENTS_PER_RUN / concurrency;
    let insert = Sql::new(format!("INSERT INTO {} (id, data, at) VALUES ($1, $2, $3)", db.table(MODULE, "raw")));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let db = db.clone();
        let insert = insert.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_task {
                let mut tx = db.begin().await.expect("begin");
                sqlx::query(insert.q())
                    .bind(ddd::new_id())
                    .bind(br#"{"N":1}"#.to_vec())
                    .bind(database::now_micros())
                    .execute(tx.conn())
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    (per_task * concurrency) as f64 / started.elapsed().as_secs_f64()
}

/// Mean load time of a 1,000-event stream under `policy`.
async fn load_time(db: &Database, policy: SnapshotPolicy) -> Duration {
    let store = EventStore::<Counter>::new(db, MODULE, policy);
    let mut loaded = Loaded::<Counter>::new(ddd::new_id());
    let events: Vec<CounterEvent> = (0..100).map(|_| CounterEvent::Added { n: 1 }).collect();
    for _ in 0..10 {
        let mut tx = db.begin().await.expect("begin");
        store.append(&mut tx, &mut loaded, &events).await.expect("append");
        tx.commit().await.expect("commit");
    }
    let mut conn = db.pool().acquire().await.expect("conn");
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        let back = store.load(&mut conn, &loaded.id).await.expect("load").expect("exists");
        assert_eq!(back.state.total, 1000);
    }
    started.elapsed() / rounds
}

async fn run(label: &str, url: &str) {
    let db = open(url).await;
    println!("\n## {label}");
    println!("| concurrency | event-store appends/s | raw INSERT+COMMIT/s | ratio |");
    println!("|---:|---:|---:|---:|");
    for concurrency in [1, 8] {
        let raw = raw_insert_rate(&db, concurrency).await;
        let es = append_rate(&db, concurrency).await;
        println!("| {concurrency} | {es:.0} | {raw:.0} | {:.0} % |", 100.0 * es / raw);
    }
    let plain = load_time(&db, SnapshotPolicy::Never).await;
    let snap = load_time(&db, SnapshotPolicy::Every(100)).await;
    println!(
        "\nload of a 1,000-event stream: {:.2} ms without snapshots, {:.2} ms with a snapshot",
        plain.as_secs_f64() * 1e3,
        snap.as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("mallbots-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    run("SQLite (file, WAL, synchronous=NORMAL)", &format!("sqlite://{}", dir.join("bench.db").display())).await;
    let pg = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL")).ok();
    match pg {
        Some(url) => run("PostgreSQL", &url).await,
        None => println!("\n(PostgreSQL skipped: set BENCH_DATABASE_URL)"),
    }
    let _ = std::fs::remove_dir_all(dir);
}

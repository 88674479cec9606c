//! Crash safety of the whole system: the real `mallbots` binary serves a checkout load (its own `busywork --max`),
//! is killed with SIGKILL in the middle, and restarted on the same database and stream. Every order that was
//! created must then finish its saga exactly once: one shopping list, one invoice, one notification of each kind.
//! Runs embedded always, and on PostgreSQL + JetStream when `TEST_DATABASE_URL` and `TEST_NATS_URL` are set.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use database::sqlx::{self, Row};
use database::{Database, Sql};

struct Setup {
    args: Vec<String>,
    env: Vec<(String, String)>,
    db_url: String,
    namespace: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port()
}

/// A child process that is killed when dropped, so a failing assertion never leaves a server running.
struct Process(Child);

impl Process {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(setup: &Setup, web: u16, rpc: u16) -> Process {
    Command::new(env!("CARGO_BIN_EXE_mallbots"))
        .args(&setup.args)
        .args(["--web-host", "127.0.0.1", "--web-port", &web.to_string(), "--rpc-host", "127.0.0.1"])
        .args(["--rpc-port", &rpc.to_string(), "--bots", "2", "--bot-pace", "10ms", "--log-level", "WARN"])
        .envs(setup.env.iter().cloned())
        .env_remove("PG_CONN")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Process)
        .expect("mallbots starts")
}

async fn wait_ready(web: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{web}/readiness")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("mallbots did not become ready");
}

async fn count(db: &Database, sql: &str) -> i64 {
    let row = sqlx::query(Sql::new(sql.to_owned()).q()).fetch_one(db.pool()).await.expect("count query");
    row.try_get::<i64, _>(0).expect("count")
}

async fn crash_and_recover(setup: Setup) {
    let (web, rpc) = (free_port(), free_port());
    let mut first = serve(&setup, web, rpc);
    wait_ready(web).await;
    let mut load = Command::new(env!("CARGO_BIN_EXE_mallbots"))
        .args(["busywork", "--max", "--clients", "4", "--duration", "4s", "--host", &format!("127.0.0.1:{web}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Process)
        .expect("busywork starts");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    first.kill();
    load.kill();

    let mut second = serve(&setup, web, rpc);
    wait_ready(web).await;
    let db = Database::connect(&setup.db_url, &setup.namespace).await.expect("database");
    let t = |module: &str, table: &str| db.table(module, table);
    let orders_sql = format!(
        "SELECT COUNT(DISTINCT stream_id) FROM {} WHERE event_name = 'ordering.OrderCreated'",
        t("ordering", "events")
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    // Checkouts in flight at the crash still become orders after the restart: count orders on every round.
    let created = loop {
        let created = count(&db, &orders_sql).await;
        let done =
            count(&db, &format!("SELECT COUNT(*) FROM {} WHERE status = 'completed'", t("cosec", "sagas"))).await;
        let lists =
            count(&db, &format!("SELECT COUNT(*) FROM {} WHERE status = 'completed'", t("depot", "shopping_lists")))
                .await;
        let invoices = count(&db, &format!("SELECT COUNT(*) FROM {}", t("payments", "invoices"))).await;
        // Notifications follow the order events on their own consumer: wait for them too.
        let sms = count(&db, &format!("SELECT COUNT(*) FROM {}", t("notifications", "notifications"))).await;
        if created > 0 && done == created && lists == created && invoices == created && sms >= created * 3 {
            break created;
        }
        assert!(
            Instant::now() < deadline,
            "after the crash: {created} orders, {done} sagas done, {lists} lists, {invoices} invoices, {sms} SMS"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Exactly once: no second list, invoice, saga or SMS for any order.
    let total_lists = count(&db, &format!("SELECT COUNT(*) FROM {}", t("depot", "shopping_lists"))).await;
    assert_eq!(total_lists, created, "one shopping list per order");
    let sagas = count(&db, &format!("SELECT COUNT(*) FROM {}", t("cosec", "sagas"))).await;
    assert_eq!(sagas, created, "one saga per order");
    let sms = count(&db, &format!("SELECT COUNT(*) FROM {}", t("notifications", "notifications"))).await;
    let distinct_sms = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT order_id, kind FROM {}) AS d",
            t("notifications", "notifications")
        ),
    )
    .await;
    assert_eq!(sms, distinct_sms, "no SMS sent twice");
    assert_eq!(sms, created * 3, "created, approved and ready for every order");
    let dead = messaging::DeadLetters::new(&db).count().await.expect("dead letters");
    assert_eq!(dead, 0, "nothing dead-lettered");
    second.kill();
    db.close().await;
}

fn token() -> String {
    format!("crash{}", &uuid_like())
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{:x}{:x}", nanos, std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_resumes_every_order_exactly_once_embedded() {
    let dir = std::env::temp_dir().join(token());
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("mallbots.db");
    let setup = Setup {
        args: vec!["--sqlite-path".into(), file.display().to_string()],
        env: vec![],
        db_url: format!("sqlite://{}", file.display()),
        namespace: String::new(),
    };
    crash_and_recover(setup).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_resumes_every_order_exactly_once_on_postgres_and_jetstream() {
    let (Ok(pg), Ok(nats)) = (std::env::var("TEST_DATABASE_URL"), std::env::var("TEST_NATS_URL")) else {
        assert!(std::env::var("CI").is_err(), "CI must run the PostgreSQL + JetStream crash test");
        return;
    };
    let name = token();
    let namespace = format!("{name}_");
    let setup = Setup {
        args: vec![
            "--database-url".into(),
            pg.clone(),
            "--nats-url".into(),
            nats,
            "--nats-stream".into(),
            name.clone(),
            "--db-namespace".into(),
            namespace.clone(),
        ],
        env: vec![],
        db_url: pg.clone(),
        namespace: namespace.clone(),
    };
    crash_and_recover(setup).await;
    // Clean up this run's stream and schemas.
    if let Ok(stream) = messaging::JetStream::connect(&std::env::var("TEST_NATS_URL").unwrap_or_default(), &name).await
    {
        let _ = stream.delete_stream().await;
    }
    let db = Database::connect(&pg, &namespace).await.expect("database");
    for module in mallbots::all_modules().iter().map(|m| m.name()).chain(["messaging", "mallbots"]) {
        let drop = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", db.schema(module));
        let _ = sqlx::raw_sql(Sql::new(drop).q()).execute(db.pool()).await;
    }
}

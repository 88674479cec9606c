//! The bot fleet's claims are leases, across processes: a list claimed by a bot of a process that was killed is put
//! back to `available` by another running fleet once the claim lapsed, and completed exactly once; a list assigned
//! through `PUT …/assign` (a human's) and a claim that has not lapsed are left alone.
//!
//! Each case runs one process without bots (REST, stream) and one or more fleet processes (`--bots`) on the same
//! database and stream, as separate deployments would. A killed process is simulated by its trace in the table: a
//! list assigned to a fleet bot that exists nowhere, with a claim that lapsed.

use std::sync::Arc;
use std::time::Duration;

use contracts::names;
use database::sqlx;
use serde_json::{Value, json};
use service::RunningApp;
use testkit::app::{AppBackend, TestApp, app_backends, test_config};
use testkit::wire::{assert_outcome, with_saga_metadata};

const COMPLETED: &str = "depotapi.ShoppingListCompleted";

/// The process clients talk to: stores and depot, no bots.
async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(stores::StoresModule), Arc::new(depot::DepotModule)]).await
}

/// Another process running depot with `bots` bots on `app`'s database and stream.
async fn fleet(app: &TestApp, bots: u32, pace: &str) -> RunningApp {
    let db = &app.app.db;
    let sqlite = db.url().strip_prefix("sqlite://").unwrap_or_default().to_owned();
    let bots = bots.to_string();
    let extra = ["--bots", bots.as_str(), "--bot-pace", pace];
    let config = test_config(app.backend, &sqlite, &db.schema(""), &app.stream_name, &extra);
    service::start(config, vec![Arc::new(depot::DepotModule)]).await.expect("the fleet starts")
}

/// A list of one product, made `available` by the saga's `InitiateShoppingCommand`; returns its id.
async fn available_list(app: &TestApp, product: &str, store: &str) -> String {
    let items = json!([{ "productId": product, "storeId": store, "quantity": 1 }]);
    let (status, body) = app.post("/api/depot/shopping", json!({ "orderId": ddd::new_id(), "items": items })).await;
    assert_eq!(status, 200, "create list: {body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let payload = contracts::depotpb::InitiateShopping { id: id.clone() };
    let command = messaging::Message::new(names::DEPOT_COMMANDS, "depotapi.InitiateShoppingCommand", payload);
    let reply = app.command(with_saga_metadata(app, command, &ddd::new_id())).await;
    assert_outcome(&reply, true, "initiate");
    assert_eq!(list(app, &id).await["status"], "available");
    id
}

/// A store with one product; returns (store id, product id).
async fn catalog(app: &TestApp) -> (String, String) {
    let (status, body) = app.post("/api/stores", json!({ "name": "Store", "location": "Mall" })).await;
    assert_eq!(status, 200, "create store: {body}");
    let store = body["id"].as_str().expect("id").to_owned();
    let product = json!({ "name": "Milk", "description": "", "sku": "SKU-MILK", "price": 1.10 });
    let (status, body) = app.post(&format!("/api/stores/{store}/products"), product).await;
    assert_eq!(status, 200, "add product: {body}");
    (store, body["id"].as_str().expect("id").to_owned())
}

/// The list as `GET /api/depot/shopping/{id}` shows it.
async fn list(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.get(&format!("/api/depot/shopping/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["shoppingList"].clone()
}

/// What a process killed mid-round leaves behind: list `id` assigned to its bot `bot_id`, claimed until `until`.
async fn claimed_by(app: &TestApp, id: &str, bot_id: &str, until: i64) {
    let db = &app.app.db;
    let lists = db.table("depot", "shopping_lists");
    let sql = format!(
        "UPDATE {lists} SET status = 'assigned', assigned_bot_id = $2, claimed_by_fleet = 1, claim_expires_at = $3, \
         version = version + 1 WHERE id = $1 AND status = 'available'"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(bot_id)
        .bind(until)
        .execute(db.pool())
        .await
        .expect("claimed");
    assert_eq!(done.rows_affected(), 1);
}

/// The ids of the lists completed, once per `ShoppingListCompleted` the depot wrote (whichever process did).
async fn completed(app: &TestApp) -> Vec<String> {
    let events = app.outbox("depot").await.into_iter().filter(|m| m.name == COMPLETED);
    events.map(|m| m.decode::<contracts::depotpb::ShoppingListCompleted>().expect("payload").id).collect()
}

/// The ids of the lists whose `ShoppingListCompleted` is on the stream.
async fn published(app: &TestApp) -> Vec<String> {
    let events =
        app.stream_messages(names::DEPOT_SHOPPING_LIST_EVENTS).await.into_iter().filter(|m| m.name == COMPLETED);
    events.map(|m| m.decode::<contracts::depotpb::ShoppingListCompleted>().expect("payload").id).collect()
}

/// A fleet bot id of a process that is gone (the shape `mallbots serve --bots` gives them).
fn gone_bot() -> String {
    format!("bot-1-{}", ddd::new_id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_left_by_a_killed_process_is_taken_back_and_completed_exactly_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (store, product) = catalog(&app).await;
        let id = available_list(&app, &product, &store).await;
        let gone = gone_bot();
        claimed_by(&app, &id, &gone, database::now_micros() - 1_000_000).await;

        // Two fleets race for it.
        let (a, b) = (fleet(&app, 2, "10ms").await, fleet(&app, 2, "10ms").await);
        testkit::wait_until("the list completed", async || list(&app, &id).await["status"] == "completed").await;
        let done = list(&app, &id).await;
        let bot = done["assignedBotId"].as_str().expect("bot id");
        assert!(bot.starts_with("bot-") && bot != gone, "{backend:?}: completed by a live fleet bot, not {bot:?}");
        testkit::wait_until("ShoppingListCompleted on the stream", async || !published(&app).await.is_empty()).await;
        // Give every bot a few more rounds to do it twice.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(completed(&app).await, vec![id.clone()], "{backend:?}: one ShoppingListCompleted");
        assert_eq!(published(&app).await, vec![id], "{backend:?}: published once");
        a.stop().await;
        b.stop().await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_assignments_and_claims_that_have_not_lapsed_are_left_alone() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (store, product) = catalog(&app).await;
        let by_api = available_list(&app, &product, &store).await;
        let path = format!("/api/depot/shopping/{by_api}");
        assert_eq!(app.put(&format!("{path}/assign"), json!({ "botId": "bot-7" })).await, (200, json!({})));
        // A bot of another process, busy with this list and renewing its claim.
        let busy = available_list(&app, &product, &store).await;
        let alive = gone_bot();
        claimed_by(&app, &busy, &alive, database::now_micros() + 3_600_000_000).await;
        // Work the fleet does take: it has made rounds once this one is completed.
        let free = available_list(&app, &product, &store).await;

        let bots = fleet(&app, 2, "10ms").await;
        testkit::wait_until("the free list completed", async || list(&app, &free).await["status"] == "completed").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let assigned = list(&app, &by_api).await;
        assert_eq!(
            (&assigned["status"], &assigned["assignedBotId"]),
            (&json!("assigned"), &json!("bot-7")),
            "{backend:?}"
        );
        let claimed = list(&app, &busy).await;
        assert_eq!((&claimed["status"], &claimed["assignedBotId"]), (&json!("assigned"), &json!(alive)), "{backend:?}");
        assert_eq!(completed(&app).await, vec![free.clone()], "{backend:?}");

        // Its human completes the list assigned to them.
        assert_eq!(app.put(&format!("{path}/complete"), json!({})).await, (200, json!({})));
        assert_eq!(completed(&app).await, [free, by_api], "{backend:?}");
        bots.stop().await;
        app.stop().await;
    }
}

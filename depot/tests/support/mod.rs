//! Helpers shared by the depot black-box suites: spawning the module beside stores on a backend, creating stores,
//! products and lists over REST, and building commands as the saga sends them (the stream, replies, dead letters
//! and the outbox are read with `testkit::wire`).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;
pub use testkit::wire::with_saga_metadata;

pub async fn spawn(backend: AppBackend) -> TestApp {
    spawn_with(backend, &[]).await
}

/// The stores and depot modules in one process (depot's caches are fed by the stores events, its fallback asks
/// this process's stores service); `extra` flags are appended.
pub async fn spawn_with(backend: AppBackend, extra: &[&str]) -> TestApp {
    TestApp::spawn_with(backend, vec![Arc::new(stores::StoresModule), Arc::new(depot::DepotModule)], extra).await
}

/// Creates a store over REST and returns its id.
pub async fn create_store(app: &TestApp, name: &str, location: &str) -> String {
    let (status, body) = app.post("/api/stores", json!({ "name": name, "location": location })).await;
    assert_eq!(status, 200, "create store {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// Adds a product over REST and returns its id.
pub async fn add_product(app: &TestApp, store_id: &str, name: &str) -> String {
    let (status, body) = app
        .post(
            &format!("/api/stores/{store_id}/products"),
            json!({ "name": name, "description": "", "sku": format!("SKU-{name}"), "price": 1.10 }),
        )
        .await;
    assert_eq!(status, 200, "add product {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// Creates a shopping list over REST and returns its id.
pub async fn create_list(app: &TestApp, order_id: &str, items: Value) -> String {
    let (status, body) = app.post("/api/depot/shopping", json!({ "orderId": order_id, "items": items })).await;
    assert_eq!(status, 200, "create list for {order_id}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The list as `GET /api/depot/shopping/{id}` shows it.
pub async fn list(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.get(&format!("/api/depot/shopping/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["shoppingList"].clone()
}

/// A command `name` on `depot.commands` with the saga metadata of a new saga.
pub fn command(app: &TestApp, name: &str, payload: impl prost::Message) -> messaging::Message {
    with_saga_metadata(app, messaging::Message::new(names::DEPOT_COMMANDS, name, payload), &ddd::new_id())
}

/// `InitiateShoppingCommand` for list `id`, as the saga sends it; returns the reply.
pub async fn initiate(app: &TestApp, id: &str) -> messaging::Message {
    let payload = contracts::depotpb::InitiateShopping { id: id.to_owned() };
    app.command(command(app, "depotapi.InitiateShoppingCommand", payload)).await
}

/// The `ShoppingListCompleted` events on the stream: (list id, order id).
pub async fn completed_on_stream(app: &TestApp) -> Vec<(String, String)> {
    app.stream_messages(names::DEPOT_SHOPPING_LIST_EVENTS)
        .await
        .iter()
        .map(|m| {
            assert_eq!(m.name, "depotapi.ShoppingListCompleted");
            let event: contracts::depotpb::ShoppingListCompleted = m.decode().expect("payload");
            (event.id, event.order_id)
        })
        .collect()
}

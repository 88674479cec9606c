//! Helpers shared by the baskets black-box suites: spawning baskets with the stores context on a backend, creating
//! stores, products and baskets over REST, and reading the caches (the outbox, the stream and the metrics are read
//! with `testkit::wire`).
#![allow(dead_code)]

use std::sync::Arc;

use database::sqlx::{self, Row};
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;
pub use testkit::wire::assert_error;

/// Stores and baskets in one process (the monolith): the caches are fed by events, the fallback dials this process.
pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(stores::StoresModule), Arc::new(baskets::BasketsModule)]).await
}

/// Creates a store over REST and returns its id.
pub async fn create_store(app: &TestApp, name: &str) -> String {
    let (status, body) = app.post("/api/stores", json!({ "name": name, "location": "Upper level" })).await;
    assert_eq!(status, 200, "create store {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// Adds a product over REST and returns its id.
pub async fn add_product(app: &TestApp, store_id: &str, name: &str, price: f64) -> String {
    let (status, body) = app
        .post(
            &format!("/api/stores/{store_id}/products"),
            json!({ "name": name, "description": "", "sku": format!("SKU-{name}"), "price": price }),
        )
        .await;
    assert_eq!(status, 200, "add product {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// Starts a basket over REST and returns its id.
pub async fn start_basket(app: &TestApp, customer_id: &str) -> String {
    let (status, body) = app.post("/api/baskets", json!({ "customerId": customer_id })).await;
    assert_eq!(status, 200, "start basket: {body}");
    body["id"].as_str().expect("id").to_owned()
}

pub async fn add_item(app: &TestApp, basket_id: &str, product_id: &str, quantity: i64) -> (u16, Value) {
    app.put(&format!("/api/baskets/{basket_id}/addItem"), json!({ "productId": product_id, "quantity": quantity }))
        .await
}

pub async fn remove_item(app: &TestApp, basket_id: &str, product_id: &str, quantity: i64) -> (u16, Value) {
    app.put(&format!("/api/baskets/{basket_id}/removeItem"), json!({ "productId": product_id, "quantity": quantity }))
        .await
}

pub async fn basket(app: &TestApp, basket_id: &str) -> Value {
    let (status, body) = app.get(&format!("/api/baskets/{basket_id}")).await;
    assert_eq!(status, 200, "get basket: {body}");
    body["basket"].clone()
}

#[track_caller]
pub fn assert_ok_empty(response: (u16, Value)) {
    assert_eq!(response, (200, json!({})));
}

/// The cached price (cents) of a product, `None` when the cache has no row.
pub async fn cached_price(app: &TestApp, product_id: &str) -> Option<i64> {
    let table = app.app.db.table("baskets", "products_cache");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT price_cents FROM {table} WHERE id = $1")))
        .bind(product_id)
        .fetch_optional(app.app.db.pool())
        .await
        .expect("products cache")
        .map(|row| row.try_get(0).expect("price"))
}

/// The cached name of a product, `None` when the cache has no row.
pub async fn cached_product_name(app: &TestApp, product_id: &str) -> Option<String> {
    let table = app.app.db.table("baskets", "products_cache");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name FROM {table} WHERE id = $1")))
        .bind(product_id)
        .fetch_optional(app.app.db.pool())
        .await
        .expect("products cache")
        .map(|row| row.try_get(0).expect("name"))
}

/// The cached name of a store, `None` when the cache has no row.
pub async fn cached_store_name(app: &TestApp, store_id: &str) -> Option<String> {
    let table = app.app.db.table("baskets", "stores_cache");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name FROM {table} WHERE id = $1")))
        .bind(store_id)
        .fetch_optional(app.app.db.pool())
        .await
        .expect("stores cache")
        .map(|row| row.try_get(0).expect("name"))
}

/// Forgets a cached product and store (as if their events had not arrived yet).
pub async fn forget_cached(app: &TestApp, product_id: &str, store_id: &str) {
    for (table, id) in [("products_cache", product_id), ("stores_cache", store_id)] {
        let table = app.app.db.table("baskets", table);
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
            .bind(id)
            .execute(app.app.db.pool())
            .await
            .expect("cache row deleted");
    }
}

/// Waits until the product's cached price is `cents`.
pub async fn wait_for_cached_price(app: &TestApp, product_id: &str, cents: i64) {
    testkit::wait_until(&format!("the cached price of {product_id} to be {cents}"), async || {
        cached_price(app, product_id).await == Some(cents)
    })
    .await;
}

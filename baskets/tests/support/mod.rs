//! Helpers shared by the baskets black-box suites: spawning baskets with the stores context on a backend, creating
//! stores, products and baskets over REST, reading the baskets outbox, the caches, the stream and the metrics.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use contracts::jetstream::StreamMessage;
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

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
pub fn assert_error(response: (u16, Value), status: u16, code: i64, message: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1, json!({ "code": code, "message": message, "details": [] }));
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

/// The baskets outbox, in write order: (name, subject, payload).
pub async fn outbox(app: &TestApp) -> Vec<(String, String, Vec<u8>)> {
    let table = app.app.db.table("baskets", "outbox");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name, subject, data FROM {table} ORDER BY seq")))
        .fetch_all(app.app.db.pool())
        .await
        .expect("outbox rows")
        .iter()
        .map(|row| {
            let data: Vec<u8> = row.try_get(2).expect("data");
            let inner = contracts::am::EventMessageData::decode(data.as_slice()).expect("event envelope");
            (row.try_get(0).expect("name"), row.try_get(1).expect("subject"), inner.payload)
        })
        .collect()
}

/// The messages on `<stream>.<subject>` as a foreign client reads them: (name, payload), oldest first.
pub async fn stream_messages(app: &TestApp, subject: &str) -> Vec<(String, Vec<u8>)> {
    let full = format!("{}.{subject}", app.stream_name);
    let raw: Vec<Vec<u8>> = match app.backend {
        AppBackend::PostgresNats => {
            let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
            let client = async_nats::connect(url).await.expect("connect to NATS");
            let js = async_nats::jetstream::new(client);
            let stream = js.get_stream(&app.stream_name).await.expect("stream");
            let mut consumer = stream
                .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig {
                    filter_subject: full.clone(),
                    ..Default::default()
                })
                .await
                .expect("ordered consumer");
            let pending = consumer.info().await.expect("consumer info").num_pending as usize;
            let mut out = Vec::with_capacity(pending);
            if pending > 0 {
                let mut messages = consumer.messages().await.expect("messages");
                while out.len() < pending {
                    match tokio::time::timeout(Duration::from_secs(5), messages.next()).await {
                        Ok(Some(Ok(message))) => out.push(message.payload.to_vec()),
                        _ => panic!("reading {full} failed"),
                    }
                }
            }
            out
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT data FROM {table} WHERE subject = $1 ORDER BY seq")))
                .bind(&full)
                .fetch_all(app.app.db.pool())
                .await
                .expect("stream rows")
                .iter()
                .map(|row| row.try_get::<Vec<u8>, _>(0).expect("data"))
                .collect()
        }
    };
    raw.iter()
        .map(|bytes| {
            let outer = StreamMessage::decode(bytes.as_slice()).expect("a StreamMessage");
            let inner = contracts::am::EventMessageData::decode(outer.data.as_slice()).expect("the inner envelope");
            (outer.name, inner.payload)
        })
        .collect()
}

/// The Prometheus exposition of the process.
pub async fn metrics(app: &TestApp) -> String {
    reqwest::get(format!("{}/metrics", app.base_url)).await.expect("metrics").text().await.expect("text")
}

/// The value of a metric line (`name{labels} value`), 0 when absent.
pub fn metric_value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

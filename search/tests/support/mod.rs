//! Helpers shared by the search suites: spawning the module, building the integration events it consumes as their
//! producers would, and reading the read model (publishing, also past the broker's de-duplication, and dead letters
//! are `testkit::wire`'s).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use contracts::pbjson_types::Timestamp;
use contracts::{customerspb, orderingpb, storespb};
use database::sqlx::{self, Row};
use messaging::Message;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(search::SearchModule)]).await
}

pub fn customer_registered(id: &str, name: &str) -> Message {
    Message::new(
        names::CUSTOMERS_CUSTOMER_EVENTS,
        names::customers::CUSTOMER_REGISTERED,
        customerspb::CustomerRegistered { id: id.into(), name: name.into(), sms_number: "555".into() },
    )
}

pub fn store_created(id: &str, name: &str) -> Message {
    Message::new(
        names::STORES_STORE_EVENTS,
        names::stores::STORE_CREATED,
        storespb::StoreCreated { id: id.into(), name: name.into(), location: "Ground".into() },
    )
}

pub fn store_rebranded(id: &str, name: &str) -> Message {
    Message::new(
        names::STORES_STORE_EVENTS,
        names::stores::STORE_REBRANDED,
        storespb::StoreRebranded { id: id.into(), name: name.into() },
    )
}

pub fn product_added(id: &str, store: &str, name: &str, price: f64) -> Message {
    Message::new(
        names::STORES_PRODUCT_EVENTS,
        names::stores::PRODUCT_ADDED,
        storespb::ProductAdded {
            id: id.into(),
            store_id: store.into(),
            name: name.into(),
            description: String::new(),
            sku: String::new(),
            price,
        },
    )
}

pub fn product_rebranded(id: &str, name: &str) -> Message {
    Message::new(
        names::STORES_PRODUCT_EVENTS,
        names::stores::PRODUCT_REBRANDED,
        storespb::ProductRebranded { id: id.into(), name: name.into(), description: String::new() },
    )
}

/// An order line: (product, store, price, quantity).
pub type Line<'a> = (&'a str, &'a str, f64, i32);

pub fn order_created(order: &str, customer: &str, lines: &[Line<'_>]) -> Message {
    Message::new(
        names::ORDERING_ORDER_EVENTS,
        names::ordering::ORDER_CREATED,
        orderingpb::OrderCreated {
            id: order.into(),
            customer_id: customer.into(),
            payment_id: "payment".into(),
            shopping_id: String::new(),
            items: lines
                .iter()
                .map(|(product, store, price, quantity)| orderingpb::order_created::Item {
                    product_id: (*product).into(),
                    store_id: (*store).into(),
                    price: *price,
                    quantity: *quantity,
                })
                .collect(),
        },
    )
}

/// `OrderCreated` as if it had happened at `micros` (µs since the epoch).
pub fn order_created_at(order: &str, customer: &str, lines: &[Line<'_>], micros: i64) -> Message {
    let mut message = order_created(order, customer, lines);
    message.occurred_at = micros;
    message
}

/// A status event of `order`: `approved`, `rejected`, `readied`, `canceled` or `completed`.
pub fn order_event(kind: &str, order: &str, customer: &str) -> Message {
    let (id, customer_id, payment_id) = (order.to_owned(), customer.to_owned(), "payment".to_owned());
    let subject = names::ORDERING_ORDER_EVENTS;
    use names::ordering as n;
    match kind {
        "approved" => {
            Message::new(subject, n::ORDER_APPROVED, orderingpb::OrderApproved { id, customer_id, payment_id })
        }
        "rejected" => {
            Message::new(subject, n::ORDER_REJECTED, orderingpb::OrderRejected { id, customer_id, payment_id })
        }
        "readied" => Message::new(
            subject,
            n::ORDER_READIED,
            orderingpb::OrderReadied { id, customer_id, payment_id, total: 0.0 },
        ),
        "canceled" => {
            Message::new(subject, n::ORDER_CANCELED, orderingpb::OrderCanceled { id, customer_id, payment_id })
        }
        "completed" => Message::new(
            subject,
            n::ORDER_COMPLETED,
            orderingpb::OrderCompleted { id, customer_id, invoice_id: order.to_owned() },
        ),
        other => panic!("unknown order event {other}"),
    }
}

/// How many rows a table of the search module has.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    let table = app.app.db.table("search", table);
    let select = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query(sqlx::AssertSqlSafe(select))
        .fetch_one(app.app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count value")
}

/// Waits until the caches hold `customers`, `stores` and `products` rows.
pub async fn wait_for_caches(app: &TestApp, customers: i64, stores: i64, products: i64) {
    testkit::wait_until("the caches filled", async || {
        count(app, "customers_cache").await >= customers
            && count(app, "stores_cache").await >= stores
            && count(app, "products_cache").await >= products
    })
    .await;
}

/// `GET /api/search/orders/{id}`.
pub async fn get_order(app: &TestApp, id: &str) -> (u16, Value) {
    app.get(&format!("/api/search/orders/{id}")).await
}

/// Waits until the order is visible with `status`, and returns it.
pub async fn wait_for_status(app: &TestApp, id: &str, status: &str) -> Value {
    let mut order = Value::Null;
    testkit::wait_until(&format!("order {id} {status}"), async || {
        let (code, body) = get_order(app, id).await;
        order = body["order"].clone();
        code == 200 && order["status"] == status
    })
    .await;
    order
}

/// `POST /api/search/orders` with `body`; the order ids of the page and its `next`.
pub async fn search(app: &TestApp, body: Value) -> (Vec<String>, String) {
    let (status, response) = app.post("/api/search/orders", body.clone()).await;
    assert_eq!(status, 200, "{body} → {response}");
    let ids = response["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["orderId"].as_str().expect("orderId").to_owned())
        .collect();
    (ids, response["next"].as_str().expect("next").to_owned())
}

/// Every page of a search with `filters`, `limit` orders at a time: the ids in order, and the number of pages.
pub async fn all_pages(app: &TestApp, filters: Value, limit: i32) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut next = String::new();
    let mut pages = 0;
    loop {
        let (page, following) = search(app, json!({ "filters": filters, "limit": limit, "next": next })).await;
        pages += 1;
        assert!(page.len() <= limit as usize, "a page holds at most `limit` orders");
        ids.extend(page);
        if following.is_empty() {
            return (ids, pages);
        }
        assert!(pages < 100, "pagination does not end");
        next = following;
    }
}

/// µs since the epoch as RFC 3339 (the proto-JSON form of a Timestamp).
pub fn rfc3339(micros: i64) -> Value {
    let ts = Timestamp { seconds: micros.div_euclid(1_000_000), nanos: (micros.rem_euclid(1_000_000) * 1000) as i32 };
    serde_json::to_value(ts).expect("timestamp JSON")
}

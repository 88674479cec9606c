//! Helpers shared by the notifications suites: spawning the module, publishing the integration events it consumes
//! as their producers would, re-sending a message past the broker's de-duplication, and reading the REST list.
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use contracts::{customerspb, orderingpb};
use database::sqlx;
use messaging::{Message, encode_stream_message};
use serde_json::Value;
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(notifications::NotificationsModule)]).await
}

/// Publishes `messages` onto the app's stream as a foreign producer would.
pub async fn publish(app: &TestApp, messages: &[Message]) {
    app.app.stream.publish(messages).await.expect("published");
}

pub fn customer_registered(id: &str, name: &str, sms: &str) -> Message {
    Message::new(
        names::CUSTOMERS_CUSTOMER_EVENTS,
        names::customers::CUSTOMER_REGISTERED,
        customerspb::CustomerRegistered { id: id.into(), name: name.into(), sms_number: sms.into() },
    )
}

pub fn sms_changed(id: &str, sms: &str) -> Message {
    Message::new(
        names::CUSTOMERS_CUSTOMER_EVENTS,
        names::customers::CUSTOMER_SMS_CHANGED,
        customerspb::CustomerSmsChanged { id: id.into(), sms_number: sms.into() },
    )
}

fn order_event(name: &str, payload: impl prost::Message) -> Message {
    Message::new(names::ORDERING_ORDER_EVENTS, name, payload)
}

pub fn order_created(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_CREATED,
        orderingpb::OrderCreated {
            id: order.into(),
            customer_id: customer.into(),
            payment_id: "payment-1".into(),
            shopping_id: String::new(),
            items: vec![orderingpb::order_created::Item {
                product_id: "product-1".into(),
                store_id: "store-1".into(),
                price: 1.10,
                quantity: 3,
            }],
        },
    )
}

pub fn order_approved(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_APPROVED,
        orderingpb::OrderApproved { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_rejected(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_REJECTED,
        orderingpb::OrderRejected { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_readied(order: &str, customer: &str, total: f64) -> Message {
    order_event(
        names::ordering::ORDER_READIED,
        orderingpb::OrderReadied {
            id: order.into(),
            customer_id: customer.into(),
            payment_id: "payment-1".into(),
            total,
        },
    )
}

pub fn order_canceled(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_CANCELED,
        orderingpb::OrderCanceled { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_completed(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_COMPLETED,
        orderingpb::OrderCompleted { id: order.into(), customer_id: customer.into(), invoice_id: order.into() },
    )
}

/// Puts `message` on the stream once more past the broker's de-duplication (another `Nats-Msg-Id`, or another
/// stream row), so that only the module's inbox can recognise it.
pub async fn resend_past_broker_dedup(app: &TestApp, message: &Message) {
    let bytes = encode_stream_message(message);
    let subject = format!("{}.{}", app.stream_name, message.subject);
    let redelivery = format!("redelivery-{}", ddd::new_id());
    match app.backend {
        AppBackend::PostgresNats => {
            let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
            let client = async_nats::connect(url).await.expect("connect to NATS");
            let js = async_nats::jetstream::new(client);
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", redelivery.as_str());
            js.publish_with_headers(subject, headers, bytes.into())
                .await
                .expect("publish")
                .await
                .expect("publish acknowledged");
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            let insert = format!("INSERT INTO {table} (id, subject, data, published_at) VALUES ($1, $2, $3, $4)");
            sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(redelivery)
                .bind(subject)
                .bind(bytes)
                .bind(database::now_micros())
                .execute(app.app.db.pool())
                .await
                .expect("raw stream row");
            // The database stream wakes on its own publishes; a raw row is picked up by its fallback tick.
        }
    }
}

/// `GET /api/notifications/customers/{id}`.
pub async fn list(app: &TestApp, customer: &str) -> (u16, Value) {
    app.get(&format!("/api/notifications/customers/{customer}")).await
}

/// The notifications of `customer`, waiting until there are `count` of them.
pub async fn wait_for_notifications(app: &TestApp, customer: &str, count: usize) -> Vec<Value> {
    let mut found = Vec::new();
    testkit::wait_until(&format!("{count} notifications for {customer}"), async || {
        let (status, body) = list(app, customer).await;
        found = if status == 200 { body["notifications"].as_array().cloned().unwrap_or_default() } else { Vec::new() };
        found.len() >= count
    })
    .await;
    found
}

/// Waits until the customers cache knows `customer` (the list answers 200 instead of asking the owner).
pub async fn wait_until_cached(app: &TestApp, customer: &str) {
    testkit::wait_until(&format!("customer {customer} cached"), async || list(app, customer).await.0 == 200).await;
}

/// The dead letters of a durable: (message id, error).
pub async fn dead_letters(app: &TestApp, durable: &str) -> Vec<(String, String)> {
    use database::sqlx::Row;
    let table = app.app.db.table("messaging", "dead_letters");
    let select = format!("SELECT message_id, error FROM {table} WHERE durable = $1 ORDER BY seq");
    sqlx::query(sqlx::AssertSqlSafe(select))
        .bind(durable)
        .fetch_all(app.app.db.pool())
        .await
        .expect("dead letters")
        .iter()
        .map(|row| (row.try_get(0).expect("id"), row.try_get(1).expect("error")))
        .collect()
}

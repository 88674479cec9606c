//! Helpers shared by the ordering black-box suites: spawning the ordering module on a backend, publishing the
//! messages other contexts would publish (checkouts, saga commands, completed shopping lists, paid invoices), and
//! reading what ordering put on the stream, in its outbox and in its event store.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use contracts::jetstream::StreamMessage;
use contracts::{basketspb, depotpb, orderingpb, paymentspb};
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub const ORDER_EVENTS: &str = "ordering.events.Order";
pub const REPLIES: &str = "cosec.replies.CreateOrder";

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(ordering::OrderingModule)]).await
}

#[track_caller]
pub fn assert_error(response: (u16, Value), status: u16, code: i64, message: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1, json!({ "code": code, "message": message, "details": [] }));
}

/// A message as another context would publish it.
pub fn message(subject: &str, name: &str, payload: impl prost::Message) -> messaging::Message {
    messaging::Message::new(subject, name, payload)
}

/// Publishes `message` on the app's stream (with the broker's de-duplication by message id).
pub async fn publish(app: &TestApp, message: &messaging::Message) {
    app.app.stream.publish(std::slice::from_ref(message)).await.expect("published");
}

/// Puts the same message once more on the stream, past the broker's de-duplication (a different `Nats-Msg-Id`, or
/// a new stream row): only the module's inbox can recognise it.
pub async fn publish_past_broker_dedup(app: &TestApp, message: &messaging::Message) {
    let bytes = messaging::encode_stream_message(message);
    let subject = format!("{}.{}", app.stream_name, message.subject);
    match app.backend {
        AppBackend::PostgresNats => {
            let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
            let client = async_nats::connect(url).await.expect("connect to NATS");
            let js = async_nats::jetstream::new(client);
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", format!("redelivery-{}", ddd::new_id()).as_str());
            js.publish_with_headers(subject, headers, bytes.into()).await.expect("publish").await.expect("ack");
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            let insert = format!("INSERT INTO {table} (id, subject, data, published_at) VALUES ($1, $2, $3, $4)");
            sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(format!("redelivery-{}", ddd::new_id()))
                .bind(subject)
                .bind(bytes)
                .bind(database::now_micros())
                .execute(app.app.db.pool())
                .await
                .expect("raw stream row");
        }
    }
}

/// A `basketsapi.BasketCheckedOut` of basket `id`: two lines (3 × 1.10 and 1 × 2.50, total 5.80).
pub fn checkout(id: &str) -> messaging::Message {
    let item = |product: &str, name: &str, price: f64, quantity: i32| basketspb::basket_checked_out::Item {
        store_id: "store-1".into(),
        product_id: product.into(),
        store_name: "Waldorf Books".into(),
        product_name: name.into(),
        price,
        quantity,
    };
    message(
        "baskets.events.Basket",
        "basketsapi.BasketCheckedOut",
        basketspb::BasketCheckedOut {
            id: id.to_owned(),
            customer_id: "customer-1".into(),
            payment_id: "payment-1".into(),
            items: vec![item("product-b", "Pen", 1.10, 3), item("product-a", "Book", 2.50, 1)],
        },
    )
}

/// Publishes a checkout of a new basket and waits for its order; returns the order id.
pub async fn order_from_checkout(app: &TestApp) -> String {
    let id = ddd::new_id();
    publish(app, &checkout(&id)).await;
    wait_for_status(app, &id, "pending").await;
    id
}

/// The order's status over REST (`None` while it does not exist).
pub async fn status(app: &TestApp, id: &str) -> Option<String> {
    let (code, body) = app.get(&format!("/api/ordering/{id}")).await;
    (code == 200).then(|| body["order"]["status"].as_str().unwrap_or_default().to_owned())
}

pub async fn wait_for_status(app: &TestApp, id: &str, expected: &str) {
    let mut last = None;
    testkit::wait_until(&format!("order {id} to be {expected}"), async || {
        last = status(app, id).await;
        last.as_deref() == Some(expected)
    })
    .await;
}

/// Saga metadata as cosec sends it, replying to `<stream>.cosec.replies.CreateOrder`.
pub fn with_saga_metadata(app: &TestApp, message: messaging::Message, saga_id: &str) -> messaging::Message {
    message
        .with_metadata("COMMAND_REPLY_CHANNEL", format!("{}.cosec.replies.CreateOrder", app.stream_name))
        .with_metadata("COMMAND_SAGA_ID", saga_id)
        .with_metadata("COMMAND_SAGA_NAME", "cosec.CreateOrder")
}

pub fn approve_order(app: &TestApp, order_id: &str, saga_id: &str) -> messaging::Message {
    let command = orderingpb::ApproveOrder { id: order_id.to_owned(), shopping_id: "list-1".into() };
    with_saga_metadata(app, message("ordering.commands", "ordersapi.ApproveOrder", command), saga_id)
}

pub fn reject_order(app: &TestApp, order_id: &str, saga_id: &str) -> messaging::Message {
    let command = orderingpb::RejectOrder { id: order_id.to_owned() };
    with_saga_metadata(app, message("ordering.commands", "ordersapi.RejectOrder", command), saga_id)
}

pub fn shopping_list_completed(order_id: &str) -> messaging::Message {
    let event = depotpb::ShoppingListCompleted { id: ddd::new_id(), order_id: order_id.to_owned() };
    message("depot.events.ShoppingList", "depotapi.ShoppingListCompleted", event)
}

pub fn invoice_paid(order_id: &str, invoice_id: &str) -> messaging::Message {
    let event = paymentspb::InvoicePaid { id: invoice_id.to_owned(), order_id: order_id.to_owned() };
    message("payments.events.Invoice", "paymentsapi.InvoicePaid", event)
}

/// A message as a foreign client reads it from the stream.
#[derive(Clone, Debug)]
pub struct Wire {
    pub id: String,
    pub name: String,
    pub payload: Vec<u8>,
    pub metadata: serde_json::Map<String, Value>,
}

impl Wire {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }
}

/// Everything on `<stream>.<subject>`, oldest first.
pub async fn stream_messages(app: &TestApp, subject: &str) -> Vec<Wire> {
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
            let inner = contracts::am::ReplyMessageData::decode(outer.data.as_slice()).expect("the inner envelope");
            let metadata = match serde_json::to_value(outer.metadata.unwrap_or_default()).expect("metadata") {
                Value::Object(map) => map,
                other => panic!("metadata is not an object: {other}"),
            };
            Wire { id: outer.id, name: outer.name, payload: inner.payload, metadata }
        })
        .collect()
}

/// Waits for the reply whose `REPLY_SAGA_ID` is `saga_id`.
pub async fn reply_for(app: &TestApp, saga_id: &str) -> Wire {
    let mut found = None;
    testkit::wait_until(&format!("the reply to saga {saga_id}"), async || {
        found = stream_messages(app, REPLIES).await.into_iter().find(|r| r.meta("REPLY_SAGA_ID") == Some(saga_id));
        found.is_some()
    })
    .await;
    found.expect("reply")
}

/// Sends a saga command and waits for its reply.
pub async fn command(app: &TestApp, message: messaging::Message) -> Wire {
    let saga_id = message.meta_str("COMMAND_SAGA_ID").expect("saga id").to_owned();
    publish(app, &message).await;
    reply_for(app, &saga_id).await
}

/// The ordering outbox rows about order `id`, in write order: (name, payload).
pub async fn order_events(app: &TestApp, id: &str) -> Vec<(String, Vec<u8>)> {
    let table = app.app.db.table("ordering", "outbox");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name, subject, data FROM {table} ORDER BY seq")))
        .fetch_all(app.app.db.pool())
        .await
        .expect("outbox rows")
        .iter()
        .filter_map(|row| {
            let subject: String = row.try_get(1).expect("subject");
            let data: Vec<u8> = row.try_get(2).expect("data");
            let payload = contracts::am::EventMessageData::decode(data.as_slice()).expect("envelope").payload;
            // every order event carries the order id in field 1
            let about = orderingpb::OrderRejected::decode(payload.as_slice()).map(|e| e.id).unwrap_or_default();
            (subject == ORDER_EVENTS && about == id).then(|| (row.try_get(0).expect("name"), payload))
        })
        .collect()
}

/// The names of [`order_events`].
pub async fn order_event_names(app: &TestApp, id: &str) -> Vec<String> {
    order_events(app, id).await.into_iter().map(|(name, _)| name).collect()
}

/// How many events the order's stream holds in the event store.
pub async fn stored_events(app: &TestApp, id: &str) -> i64 {
    let table = app.app.db.table("ordering", "events");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE stream_id = $1")))
        .bind(id)
        .fetch_one(app.app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count")
}

/// Dead letters of a durable consumer: (message id, error).
pub async fn dead_letters(app: &TestApp, durable: &str) -> Vec<(String, String)> {
    let table = app.app.db.table("messaging", "dead_letters");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT message_id, error FROM {table} WHERE durable = $1 ORDER BY seq")))
        .bind(durable)
        .fetch_all(app.app.db.pool())
        .await
        .expect("dead letters")
        .iter()
        .map(|row| (row.try_get(0).expect("id"), row.try_get(1).expect("error")))
        .collect()
}

//! Helpers shared by the payments black-box suites: spawning the module on a backend, publishing commands and
//! events the way a foreign client would (saga metadata, the original envelope), and reading the stream back.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use contracts::am::ReplyMessageData;
use contracts::jetstream::StreamMessage;
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(payments::PaymentsModule)]).await
}

/// Authorizes a payment over REST and returns its id.
pub async fn authorize(app: &TestApp, customer_id: &str, amount: f64) -> String {
    let (status, body) = app.post("/api/payments", json!({ "customerId": customer_id, "amount": amount })).await;
    assert_eq!(status, 200, "authorize {customer_id} {amount}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

#[track_caller]
pub fn assert_error(response: (u16, Value), status: u16, code: i64, message: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1, json!({ "code": code, "message": message, "details": [] }));
}

/// A message as a foreign client sees it on the wire.
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

/// Publishes `payload` as message `name` on `<stream>.<subject>` with `metadata`, through the app's own stream
/// (JetStream with `Nats-Msg-Id`, or the database stream).
pub async fn publish(app: &TestApp, subject: &str, name: &str, payload: Vec<u8>, metadata: serde_json::Map<String, Value>) {
    let now = database::now_micros();
    let message = messaging::Message {
        id: ddd::new_id(),
        name: name.to_owned(),
        subject: subject.to_owned(),
        payload,
        metadata,
        occurred_at: now,
        sent_at: now,
    };
    app.app.stream.publish(&[message]).await.expect("published");
}

/// Saga metadata as cosec sends it, replying to `<stream>.cosec.replies.CreateOrder`.
pub fn saga_metadata(app: &TestApp, saga_id: &str) -> serde_json::Map<String, Value> {
    let mut metadata = serde_json::Map::new();
    metadata.insert("COMMAND_REPLY_CHANNEL".into(), json!(format!("{}.cosec.replies.CreateOrder", app.stream_name)));
    metadata.insert("COMMAND_SAGA_ID".into(), json!(saga_id));
    metadata.insert("COMMAND_SAGA_NAME".into(), json!("cosec.CreateOrder"));
    metadata.insert("COMMAND_ID".into(), json!(ddd::new_id()));
    metadata
}

/// Sends a saga command on `payments.commands` and waits for its reply.
pub async fn command(app: &TestApp, name: &str, payload: impl prost::Message) -> Wire {
    let saga_id = ddd::new_id();
    publish(app, "payments.commands", name, payload.encode_to_vec(), saga_metadata(app, &saga_id)).await;
    reply_for(app, &saga_id).await
}

/// Every message on `<stream>.<subject>`, oldest first, decoded as a foreign client would.
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
                        other => panic!("reading {full}: {:?}", other.map(|o| o.map(|r| r.map(|_| ())))),
                    }
                }
            }
            out
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            let select = format!("SELECT data FROM {table} WHERE subject = $1 ORDER BY seq");
            sqlx::query(sqlx::AssertSqlSafe(select))
                .bind(&full)
                .fetch_all(app.app.db.pool())
                .await
                .expect("stream rows")
                .iter()
                .map(|row| row.try_get::<Vec<u8>, _>(0).expect("data"))
                .collect()
        }
    };
    raw.iter().map(|bytes| decode_wire(bytes)).collect()
}

fn decode_wire(bytes: &[u8]) -> Wire {
    let outer = StreamMessage::decode(bytes).expect("a StreamMessage");
    let inner = ReplyMessageData::decode(outer.data.as_slice()).expect("the inner envelope");
    let metadata = match serde_json::to_value(outer.metadata.unwrap_or_default()).expect("metadata") {
        Value::Object(map) => map,
        other => panic!("metadata is not an object: {other}"),
    };
    Wire { id: outer.id, name: outer.name, payload: inner.payload, metadata }
}

/// Waits for the reply whose `REPLY_SAGA_ID` is `saga_id`.
pub async fn reply_for(app: &TestApp, saga_id: &str) -> Wire {
    let mut found = None;
    testkit::wait_until(&format!("the reply to saga {saga_id}"), async || {
        found = stream_messages(app, "cosec.replies.CreateOrder")
            .await
            .into_iter()
            .find(|r| r.meta("REPLY_SAGA_ID") == Some(saga_id));
        found.is_some()
    })
    .await;
    found.expect("reply")
}

/// The payments outbox, in write order: (name, subject, payload).
pub async fn outbox(app: &TestApp) -> Vec<(String, String, Vec<u8>)> {
    let table = app.app.db.table("payments", "outbox");
    let select = format!("SELECT name, subject, data FROM {table} ORDER BY seq");
    sqlx::query(sqlx::AssertSqlSafe(select))
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

/// Dead letters of `durable`: (message id, error).
pub async fn dead_letters(app: &TestApp, durable: &str) -> Vec<(String, String)> {
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

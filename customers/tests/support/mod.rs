//! Helpers shared by the black-box suites: spawning the customers module on a backend, registering customers, and
//! talking to the stream as a foreign client would (the original's three-layer envelope, by hand).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use contracts::am::{CommandMessageData, ReplyMessageData};
use contracts::jetstream::StreamMessage;
use contracts::pbjson_types::{Struct, Timestamp};
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(customers::CustomersModule)]).await
}

/// Registers a customer over REST and returns its id.
pub async fn register(app: &TestApp, name: &str, sms: &str) -> String {
    let (status, body) = app.post("/api/customers", json!({ "name": name, "smsNumber": sms })).await;
    assert_eq!(status, 200, "register {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A message as a foreign client sees it on the wire.
#[derive(Clone, Debug)]
pub struct Wire {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub payload: Vec<u8>,
    pub metadata: serde_json::Map<String, Value>,
}

impl Wire {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }
}

fn metadata_struct(metadata: &serde_json::Map<String, Value>) -> Struct {
    serde_json::from_value(Value::Object(metadata.clone())).expect("metadata as a protobuf Struct")
}

fn now() -> Timestamp {
    let micros = database::now_micros();
    Timestamp { seconds: micros / 1_000_000, nanos: ((micros % 1_000_000) * 1000) as i32 }
}

/// The bytes of a command in the original envelope: `StreamMessage{id, name, data = CommandMessageData{payload,
/// occurred_at}, metadata, sent_at}`.
pub fn command_bytes(id: &str, name: &str, payload: &[u8], metadata: &serde_json::Map<String, Value>) -> Vec<u8> {
    let data = CommandMessageData { payload: payload.to_vec(), occurred_at: Some(now()) }.encode_to_vec();
    StreamMessage {
        id: id.to_owned(),
        name: name.to_owned(),
        data,
        metadata: Some(metadata_struct(metadata)),
        sent_at: Some(now()),
    }
    .encode_to_vec()
}

/// Saga metadata as cosec sends it, replying to `<stream>.cosec.replies.CreateOrder`.
pub fn saga_metadata(app: &TestApp, saga_id: &str) -> serde_json::Map<String, Value> {
    let mut metadata = serde_json::Map::new();
    metadata.insert("COMMAND_REPLY_CHANNEL".into(), json!(format!("{}.cosec.replies.CreateOrder", app.stream_name)));
    metadata.insert("COMMAND_SAGA_ID".into(), json!(saga_id));
    metadata.insert("COMMAND_SAGA_NAME".into(), json!("cosec.CreateOrder"));
    metadata
}

/// Publishes a command onto `<stream>.customers.commands` the way the original does: on JetStream with a
/// `Nats-Msg-Id` header, on the database stream through the stream's own publish.
pub async fn send_command(
    app: &TestApp,
    id: &str,
    name: &str,
    payload: &[u8],
    metadata: &serde_json::Map<String, Value>,
) {
    match app.backend {
        AppBackend::PostgresNats => {
            let bytes = command_bytes(id, name, payload, metadata);
            nats_publish(app, "customers.commands", Some(id), bytes).await;
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let now = database::now_micros();
            let message = messaging::Message {
                id: id.to_owned(),
                name: name.to_owned(),
                subject: "customers.commands".to_owned(),
                payload: payload.to_vec(),
                metadata: metadata.clone(),
                occurred_at: now,
                sent_at: now,
            };
            app.app.stream.publish(&[message]).await.expect("command published");
        }
    }
}

/// Puts the same command bytes on the stream once more, past the broker's de-duplication (a different
/// `Nats-Msg-Id`, or a new stream row): only the module's inbox can recognise it.
pub async fn resend_past_broker_dedup(app: &TestApp, bytes: Vec<u8>) {
    match app.backend {
        AppBackend::PostgresNats => {
            nats_publish(app, "customers.commands", Some(&format!("redelivery-{}", ddd::new_id())), bytes).await
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            let insert = format!("INSERT INTO {table} (id, subject, data, published_at) VALUES ($1, $2, $3, $4)");
            sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(format!("redelivery-{}", ddd::new_id()))
                .bind(format!("{}.customers.commands", app.stream_name))
                .bind(bytes)
                .bind(database::now_micros())
                .execute(app.app.db.pool())
                .await
                .expect("raw stream row");
        }
    }
}

async fn nats_publish(app: &TestApp, subject: &str, msg_id: Option<&str>, bytes: Vec<u8>) {
    let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
    let client = async_nats::connect(url).await.expect("connect to NATS");
    let js = async_nats::jetstream::new(client);
    let mut headers = async_nats::HeaderMap::new();
    if let Some(id) = msg_id {
        headers.insert("Nats-Msg-Id", id);
    }
    js.publish_with_headers(format!("{}.{subject}", app.stream_name), headers, bytes.into())
        .await
        .expect("publish")
        .await
        .expect("publish acknowledged");
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
    raw.iter().map(|bytes| decode_wire(subject, bytes)).collect()
}

fn decode_wire(subject: &str, bytes: &[u8]) -> Wire {
    let outer = StreamMessage::decode(bytes).expect("a StreamMessage");
    // Events, commands and replies share the inner layout; replies are what we read most.
    let inner = ReplyMessageData::decode(outer.data.as_slice()).expect("the inner envelope");
    let metadata = match serde_json::to_value(outer.metadata.unwrap_or_default()).expect("metadata") {
        Value::Object(map) => map,
        other => panic!("metadata is not an object: {other}"),
    };
    Wire { id: outer.id, name: outer.name, subject: subject.to_owned(), payload: inner.payload, metadata }
}

/// The replies to the create-order saga, oldest first.
pub async fn replies(app: &TestApp) -> Vec<Wire> {
    stream_messages(app, "cosec.replies.CreateOrder").await
}

/// Waits for the reply whose `REPLY_SAGA_ID` is `saga_id`.
pub async fn reply_for(app: &TestApp, saga_id: &str) -> Wire {
    let mut found = None;
    testkit::wait_until(&format!("the reply to saga {saga_id}"), async || {
        found = replies(app).await.into_iter().find(|r| r.meta("REPLY_SAGA_ID") == Some(saga_id));
        found.is_some()
    })
    .await;
    found.expect("reply")
}

/// The customers outbox, in write order: (name, subject, payload).
pub async fn outbox(app: &TestApp) -> Vec<(String, String, Vec<u8>)> {
    let table = app.app.db.table("customers", "outbox");
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

/// Dead letters of the `customer-commands` consumer: (message id, error).
pub async fn dead_letters(app: &TestApp) -> Vec<(String, String)> {
    let table = app.app.db.table("messaging", "dead_letters");
    let select = format!("SELECT message_id, error FROM {table} WHERE durable = $1 ORDER BY seq");
    sqlx::query(sqlx::AssertSqlSafe(select))
        .bind("customer-commands")
        .fetch_all(app.app.db.pool())
        .await
        .expect("dead letters")
        .iter()
        .map(|row| (row.try_get(0).expect("id"), row.try_get(1).expect("error")))
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

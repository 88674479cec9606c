//! Talking to a running app the way a foreign client does: publishing messages and saga commands on its stream,
//! reading what is on the stream (decoded from the original envelope with the contract types only), dead letters,
//! metrics, and asserting the error JSON; and, for assertions about what a module wrote, its outbox.

use std::time::Duration;

use contracts::jetstream::StreamMessage;
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::{Value, json};

use crate::app::{AppBackend, TestApp};

/// Asserts a REST error: HTTP status and the exact `{"code","message","details":[]}` body.
#[track_caller]
pub fn assert_error(response: (u16, Value), status: u16, code: i64, message: &str) {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1, json!({ "code": code, "message": message, "details": [] }));
}

/// Asserts a generic saga reply: `am.Success` with outcome `SUCCESS` (or `am.Failure` with `FAILURE`) to
/// `cosec.CreateOrder`; `what` names the step in the failure message.
#[track_caller]
pub fn assert_outcome(reply: &messaging::Message, success: bool, what: &str) {
    use contracts::names::{FAILURE, FAILURE_REPLY, REPLY_OUTCOME, REPLY_SAGA_NAME, SUCCESS, SUCCESS_REPLY};
    let (name, outcome) = if success { (SUCCESS_REPLY, SUCCESS) } else { (FAILURE_REPLY, FAILURE) };
    assert_eq!((reply.name.as_str(), reply.meta_str(REPLY_OUTCOME)), (name, Some(outcome)), "{what}: {reply:?}");
    assert_eq!(reply.meta_str(REPLY_SAGA_NAME), Some(contracts::names::COSEC_CREATE_ORDER_SAGA), "{what}");
}

/// Adds the saga metadata cosec puts on a command (`COMMAND_REPLY_CHANNEL`, `COMMAND_SAGA_ID`,
/// `COMMAND_SAGA_NAME`, `COMMAND_ID`).
pub fn with_saga_metadata(app: &TestApp, mut message: messaging::Message, saga_id: &str) -> messaging::Message {
    let channel = format!("{}.{}", app.stream_name, contracts::names::COSEC_CREATE_ORDER_REPLIES);
    message.metadata.insert(contracts::names::COMMAND_REPLY_CHANNEL.into(), channel.into());
    message.metadata.insert(contracts::names::COMMAND_SAGA_ID.into(), saga_id.into());
    message
        .metadata
        .insert(contracts::names::COMMAND_SAGA_NAME.into(), contracts::names::COSEC_CREATE_ORDER_SAGA.into());
    message.metadata.insert("COMMAND_ID".into(), message.id.clone().into());
    message
}

impl TestApp {
    /// Publishes `message` on the app's stream (the broker de-duplicates by message id).
    pub async fn publish(&self, message: &messaging::Message) {
        self.publish_all(std::slice::from_ref(message)).await;
    }

    /// Publishes `messages` on the app's stream in one batch, in order (as a producer's relay does).
    pub async fn publish_all(&self, messages: &[messaging::Message]) {
        self.app.stream.publish(messages).await.expect("published");
    }

    /// Puts the same message on the stream once more past the broker's de-duplication (another `Nats-Msg-Id`, or
    /// a new stream row): only the module's inbox can recognise it.
    pub async fn publish_past_broker_dedup(&self, message: &messaging::Message) {
        self.publish_raw(&message.subject, messaging::encode_stream_message(message)).await;
    }

    /// Puts raw bytes on `<stream>.<subject>` (garbage, or an envelope built by hand).
    pub async fn publish_raw(&self, subject: &str, bytes: Vec<u8>) {
        let full = format!("{}.{subject}", self.stream_name);
        match self.backend {
            AppBackend::PostgresNats => {
                let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
                let client = async_nats::connect(url).await.expect("connect to NATS");
                let js = async_nats::jetstream::new(client);
                let mut headers = async_nats::HeaderMap::new();
                headers.insert("Nats-Msg-Id", format!("raw-{}", uuid::Uuid::new_v4()).as_str());
                js.publish_with_headers(full, headers, bytes.into()).await.expect("publish").await.expect("ack");
            }
            AppBackend::Embedded | AppBackend::PostgresOnly => {
                let table = self.app.db.table("messaging", "stream_messages");
                let insert = format!("INSERT INTO {table} (id, subject, data, published_at) VALUES ($1, $2, $3, $4)");
                sqlx::query(sqlx::AssertSqlSafe(insert))
                    .bind(format!("raw-{}", uuid::Uuid::new_v4()))
                    .bind(full)
                    .bind(bytes)
                    .bind(database::now_micros())
                    .execute(self.app.db.pool())
                    .await
                    .expect("raw stream row");
            }
        }
    }

    /// Everything on `<stream>.<subject>`, oldest first, decoded from the wire with the contract types.
    pub async fn stream_messages(&self, subject: &str) -> Vec<messaging::Message> {
        let full = format!("{}.{subject}", self.stream_name);
        let raw: Vec<Vec<u8>> = match self.backend {
            AppBackend::PostgresNats => {
                let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
                let client = async_nats::connect(url).await.expect("connect to NATS");
                let js = async_nats::jetstream::new(client);
                let stream = js.get_stream(&self.stream_name).await.expect("stream");
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
                let table = self.app.db.table("messaging", "stream_messages");
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT data FROM {table} WHERE subject = $1 ORDER BY seq")))
                    .bind(&full)
                    .fetch_all(self.app.db.pool())
                    .await
                    .expect("stream rows")
                    .iter()
                    .map(|row| row.try_get::<Vec<u8>, _>(0).expect("data"))
                    .collect()
            }
        };
        raw.iter().filter_map(|bytes| decode_foreign(subject, bytes)).collect()
    }

    /// Waits until a message on `subject` satisfies `matches`, and returns it.
    pub async fn wait_for_message(
        &self,
        subject: &str,
        what: &str,
        matches: impl Fn(&messaging::Message) -> bool,
    ) -> messaging::Message {
        let mut found = None;
        crate::wait_until(what, async || {
            found = self.stream_messages(subject).await.into_iter().find(|m| matches(m));
            found.is_some()
        })
        .await;
        found.expect("found")
    }

    /// Waits for the reply to saga `saga_id` on cosec's reply channel.
    pub async fn reply_for(&self, saga_id: &str) -> messaging::Message {
        self.wait_for_message(
            contracts::names::COSEC_CREATE_ORDER_REPLIES,
            &format!("the reply to saga {saga_id}"),
            |m| m.meta_str(contracts::names::REPLY_SAGA_ID) == Some(saga_id),
        )
        .await
    }

    /// Sends a saga command (built with [`with_saga_metadata`]) and waits for its reply.
    pub async fn command(&self, message: messaging::Message) -> messaging::Message {
        let saga_id = message.meta_str(contracts::names::COMMAND_SAGA_ID).expect("saga id").to_owned();
        self.publish(&message).await;
        self.reply_for(&saga_id).await
    }

    /// Unresolved dead letters of consumer `durable`.
    pub async fn dead_letters(&self, durable: &str) -> Vec<messaging::DeadLetter> {
        let all = messaging::DeadLetters::new(&self.app.db).list(1000).await.expect("dead letters");
        all.into_iter().filter(|d| d.durable == durable).collect()
    }

    /// Everything module `module` wrote to its outbox, published or not, in write order (payload and metadata
    /// decoded with the contract types).
    pub async fn outbox(&self, module: &str) -> Vec<messaging::Message> {
        let table = self.app.db.table(module, "outbox");
        let select = format!("SELECT id, name, subject, data, metadata, sent_at FROM {table} ORDER BY seq");
        sqlx::query(sqlx::AssertSqlSafe(select))
            .fetch_all(self.app.db.pool())
            .await
            .expect("outbox rows")
            .iter()
            .map(|row| {
                let data: Vec<u8> = row.try_get(3).expect("data");
                let inner = contracts::am::EventMessageData::decode(data.as_slice()).expect("event envelope");
                let metadata: Vec<u8> = row.try_get(4).expect("metadata");
                messaging::Message {
                    id: row.try_get(0).expect("id"),
                    name: row.try_get(1).expect("name"),
                    subject: row.try_get(2).expect("subject"),
                    payload: inner.payload,
                    metadata: serde_json::from_slice(&metadata).expect("metadata object"),
                    occurred_at: micros(inner.occurred_at),
                    sent_at: row.try_get(5).expect("sent_at"),
                }
            })
            .collect()
    }

    /// The Prometheus exposition of `/metrics`.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.base_url);
        reqwest::get(url).await.expect("metrics").text().await.expect("metrics text")
    }
}

/// The operations of a Swagger document, sorted: (`METHOD path`, operationId, first tag).
pub fn swagger_operations(document: &Value) -> Vec<(String, String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
            let tag = operation["tags"][0].as_str().unwrap_or_default().to_owned();
            operations.push((format!("{} {path}", method.to_uppercase()), id, tag));
        }
    }
    operations.sort();
    operations
}

/// The value of one series in a Prometheus exposition (`name{labels}` exactly as printed), 0 when absent.
pub fn metric_value(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Decodes broker bytes with the contract types only (StreamMessage → *MessageData → payload); None for garbage.
fn decode_foreign(subject: &str, bytes: &[u8]) -> Option<messaging::Message> {
    let outer = StreamMessage::decode(bytes).ok()?;
    let inner = contracts::am::EventMessageData::decode(outer.data.as_slice()).ok()?;
    let metadata = match serde_json::to_value(outer.metadata.unwrap_or_default()).ok()? {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    Some(messaging::Message {
        id: outer.id,
        name: outer.name,
        subject: subject.to_owned(),
        payload: inner.payload,
        metadata,
        occurred_at: micros(inner.occurred_at),
        sent_at: micros(outer.sent_at),
    })
}

/// µs since the epoch of a protobuf timestamp, 0 when absent.
fn micros(t: Option<contracts::pbjson_types::Timestamp>) -> i64 {
    t.map(|t| t.seconds * 1_000_000 + i64::from(t.nanos) / 1000).unwrap_or_default()
}

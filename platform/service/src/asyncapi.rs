//! AsyncAPI documentation of the messages (TARGET §3, §6; ORIGINAL §6, §11), the messaging counterpart of
//! [`crate::docs`]:
//!
//! * an AsyncAPI 2.6 document per registered [`MessageSpec`], generated at startup from its channel table and the
//!   proto descriptors in [`contracts::FILE_DESCRIPTOR_SET`] (payload schemas from [`crate::schema`], the same code
//!   as the OpenAPI documents: proto3 JSON names, plus each field's protobuf number), served at
//!   `/<module>-asyncapi/asyncapi.json`;
//! * a self-contained HTML page rendered here from that document (plain tables, no scripts, no CDN) at
//!   `/<module>-asyncapi/`;
//! * an index of every AsyncAPI document at `/asyncapi/`, linked from the Swagger UI page at `/`.
//!
//! Channels carry the real subjects, the stream prefix included (`mallbots.stores.events.Store`), and messages the
//! exact wire names (`storesapi.StoreParticipatingToggled`, not the original YAML's `…Event` keys).
//!
//! The operations keep AsyncAPI 2.x's convention, which describes the application from the outside: `subscribe`
//! lists what the module *sends* (others can subscribe to it), `publish` what it *receives* (others publish it to
//! the module). Module authors write [`Operation::Send`] / [`Operation::Receive`] and never deal with the inversion.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use contracts::names;
use serde_json::{Map, Value, json};

use crate::schema::{Schemas, Style, descriptors};

/// Which way a channel's messages go, from the module's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// The module publishes these messages (through its outbox): AsyncAPI 2.x `subscribe`.
    Send,
    /// The module consumes these messages (durable consumer): AsyncAPI 2.x `publish`.
    Receive,
}

impl Operation {
    /// The AsyncAPI 2.x operation key.
    fn key(self) -> &'static str {
        match self {
            Operation::Send => "subscribe",
            Operation::Receive => "publish",
        }
    }
}

/// What a channel carries; decides the inner envelope and the metadata keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Integration events on an aggregate channel (`<stream>.<module>.events.<Aggregate>`), `am.EventMessageData`.
    Event,
    /// Saga commands on a command channel (`<stream>.<module>.commands`), `am.CommandMessageData`.
    Command,
    /// Replies on a saga's reply channel (`<stream>.cosec.replies.CreateOrder`), `am.ReplyMessageData`.
    Reply,
}

impl MessageKind {
    fn tag(self) -> &'static str {
        match self {
            MessageKind::Event => "event",
            MessageKind::Command => "command",
            MessageKind::Reply => "reply",
        }
    }

    /// The inner envelope message (`StreamMessage.data`).
    fn envelope(self) -> &'static str {
        match self {
            MessageKind::Event => "am.EventMessageData",
            MessageKind::Command => "am.CommandMessageData",
            MessageKind::Reply => "am.ReplyMessageData",
        }
    }

    /// The `StreamMessage.metadata` keys a message of this kind carries.
    fn metadata(self) -> &'static [&'static str] {
        match self {
            MessageKind::Event => &[names::TRACEPARENT, names::BAGGAGE],
            MessageKind::Command => &[
                names::COMMAND_REPLY_CHANNEL,
                names::COMMAND_SAGA_ID,
                names::COMMAND_SAGA_NAME,
                "COMMAND_ID",
                names::TRACEPARENT,
                names::BAGGAGE,
            ],
            MessageKind::Reply => &[
                names::REPLY_OUTCOME,
                names::REPLY_SAGA_ID,
                names::REPLY_SAGA_NAME,
                names::REPLY_REPLY_CHANNEL,
                "REPLY_ID",
                names::TRACEPARENT,
                names::BAGGAGE,
            ],
        }
    }
}

/// What each metadata key means.
fn metadata_description(key: &str) -> &'static str {
    match key {
        names::COMMAND_REPLY_CHANNEL => {
            "The full subject (stream prefix included) the reply must be published to, e.g. \
             mallbots.cosec.replies.CreateOrder."
        }
        names::COMMAND_SAGA_ID => {
            "The id of the saga instance that issued the command (the order id for cosec.CreateOrder)."
        }
        names::COMMAND_SAGA_NAME => "The name of the saga that issued the command (cosec.CreateOrder).",
        "COMMAND_ID" => "Addition: the id of the command message, echoed in the reply as REPLY_ID.",
        names::REPLY_OUTCOME => "SUCCESS or FAILURE.",
        names::REPLY_SAGA_ID => "Copy of the command's COMMAND_SAGA_ID.",
        names::REPLY_SAGA_NAME => "Copy of the command's COMMAND_SAGA_NAME.",
        names::REPLY_REPLY_CHANNEL => "Copy of the command's COMMAND_REPLY_CHANNEL.",
        "REPLY_ID" => "Addition: copy of the command's COMMAND_ID.",
        names::TRACEPARENT => "W3C trace context of the span that produced the message.",
        names::BAGGAGE => "W3C baggage, present only when baggage is set.",
        _ => "",
    }
}

/// One message on a channel.
#[derive(Clone, Copy, Debug)]
pub struct MessageRef {
    /// The exact wire name (`StreamMessage.name`): `storesapi.StoreCreated`.
    pub name: &'static str,
    /// The protobuf payload, fully qualified without a leading dot (`storespb.StoreCreated`); empty when the
    /// payload is empty (`am.Success`, `am.Failure`).
    pub proto: &'static str,
    /// One line: what the message says, or for received messages what the module does with it.
    pub summary: &'static str,
}

/// The generic saga replies: `am.Success` and `am.Failure`, both with an empty payload.
pub const GENERIC_REPLIES: &[MessageRef] = &[
    MessageRef { name: names::SUCCESS_REPLY, proto: "", summary: "The command succeeded (REPLY_OUTCOME = SUCCESS)." },
    MessageRef { name: names::FAILURE_REPLY, proto: "", summary: "The command failed (REPLY_OUTCOME = FAILURE)." },
];

/// One channel a module sends to or receives from.
#[derive(Clone, Copy, Debug)]
pub struct ChannelSpec {
    /// The subject without the stream prefix (`contracts::names::STORES_STORE_EVENTS`).
    pub subject: &'static str,
    pub operation: Operation,
    pub kind: MessageKind,
    pub messages: &'static [MessageRef],
    /// The durable consumer of a received channel (`contracts::names::durables::BASKETS_STORES`).
    pub durable: Option<&'static str>,
}

/// The messaging surface of a module: its AsyncAPI document is generated from this and the proto descriptors, and
/// served at `/<module>-asyncapi/asyncapi.json` with an HTML page at `/<module>-asyncapi/`.
#[derive(Clone, Copy, Debug)]
pub struct MessageSpec {
    /// `stores` → `/stores-asyncapi/`.
    pub module: &'static str,
    /// The module's title (`Store Management`); the document is "`<title>` AsyncAPI".
    pub title: &'static str,
    pub channels: &'static [ChannelSpec],
}

impl MessageSpec {
    /// Mistakes in the table: payloads missing from the descriptors, a wire name given two payloads, a received
    /// channel without its durable. Empty when the table is sound.
    pub fn problems(&self) -> Vec<String> {
        let index = descriptors();
        let mut problems = Vec::new();
        let mut payloads: BTreeMap<&str, &str> = BTreeMap::new();
        for channel in self.channels {
            if channel.operation == Operation::Receive && channel.durable.is_none_or(str::is_empty) {
                problems.push(format!("{}: received channel {} has no durable", self.module, channel.subject));
            }
            for message in channel.messages {
                if !message.proto.is_empty() && !index.messages.contains_key(&format!(".{}", message.proto)) {
                    problems.push(format!(
                        "{}: payload {} of {} is not in the proto descriptors",
                        self.module, message.proto, message.name
                    ));
                }
                match payloads.insert(message.name, message.proto) {
                    Some(other) if other != message.proto => problems.push(format!(
                        "{}: {} is documented with two payloads ({other} and {})",
                        self.module, message.name, message.proto
                    )),
                    _ => {}
                }
            }
        }
        problems
    }
}

/// A subscription a module made on the [`crate::Runtime`], to check against its [`MessageSpec`].
#[derive(Clone, Debug)]
pub(crate) struct Subscribed {
    pub(crate) module: String,
    pub(crate) subject: String,
    pub(crate) durable: String,
    /// The names it handles (all when empty).
    pub(crate) names: Vec<String>,
}

/// Differences between what the modules documented as received and what they actually subscribed to; only modules
/// that registered a [`MessageSpec`] are checked.
pub(crate) fn undocumented(specs: &[MessageSpec], subscriptions: &[Subscribed]) -> Vec<String> {
    fn received<'a>(specs: &'a [MessageSpec], module: &'a str) -> impl Iterator<Item = &'a ChannelSpec> + 'a {
        specs
            .iter()
            .filter(move |s| s.module == module)
            .flat_map(|s| s.channels.iter())
            .filter(|c| c.operation == Operation::Receive)
    }
    let documented: HashSet<&str> = specs.iter().map(|s| s.module).collect();
    let mut problems = Vec::new();
    for subscription in subscriptions.iter().filter(|s| documented.contains(s.module.as_str())) {
        let channels: Vec<&ChannelSpec> = received(specs, &subscription.module)
            .filter(|c| c.subject == subscription.subject && c.durable == Some(subscription.durable.as_str()))
            .collect();
        if channels.is_empty() {
            problems.push(format!(
                "{} consumes {} (durable {}) but its AsyncAPI document does not say so",
                subscription.module, subscription.subject, subscription.durable
            ));
            continue;
        }
        for name in &subscription.names {
            if !channels.iter().any(|c| c.messages.iter().any(|m| m.name == name)) {
                problems.push(format!(
                    "{} handles {name} from {} but its AsyncAPI document does not list it",
                    subscription.module, subscription.subject
                ));
            }
        }
    }
    for spec in specs {
        for channel in received(specs, spec.module) {
            let subscribed = subscriptions.iter().any(|s| {
                s.module == spec.module && s.subject == channel.subject && Some(s.durable.as_str()) == channel.durable
            });
            if !subscribed {
                problems.push(format!(
                    "{}'s AsyncAPI document says it consumes {} (durable {}) but it does not subscribe to it",
                    spec.module,
                    channel.subject,
                    channel.durable.unwrap_or_default()
                ));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------------------------
// Document generation
// ---------------------------------------------------------------------------------------------------------------

/// The envelope every message travels in, for the document's description.
const ENVELOPE: &str = "Every message is a NATS JetStream message whose header Nats-Msg-Id is the message id (the \
broker de-duplicates on it) and whose data is a protobuf jetstream.StreamMessage{id, name, data, metadata, sent_at}: \
name is the message name below, metadata a google.protobuf.Struct of string values (saga correlation, W3C \
traceparent), and data a protobuf am.EventMessageData, am.CommandMessageData or am.ReplyMessageData{payload, \
occurred_at} (for events, commands and replies) whose payload is the protobuf message documented here. Payload \
schemas are shown in their proto3 JSON form (lowerCamelCase names, 64-bit integers as strings); x-field-number gives \
each field's protobuf number.";

/// The AsyncAPI 2.6 document of `spec` on the stream `stream` (the first token of every subject).
///
/// A payload missing from the descriptors is still documented, untyped (and a warning is logged at registration).
pub fn asyncapi_document(spec: &MessageSpec, stream: &str) -> Value {
    let mut schemas = Schemas::new(Style::AsyncApi);
    let mut channels: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut messages = Map::new();
    let mut kinds: Vec<MessageKind> = Vec::new();

    for channel in spec.channels {
        if !kinds.contains(&channel.kind) {
            kinds.push(channel.kind);
        }
        let address = format!("{stream}.{}", channel.subject);
        let item = channels.entry(address.clone()).or_default();
        item.entry("description").or_insert_with(|| channel_description(channel).into());

        let key = channel.operation.key();
        let mut refs: Vec<Value> = match item.get(key).and_then(|op| op.get("message")) {
            Some(Value::Object(m)) => {
                m.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_else(|| vec![Value::Object(m.clone())])
            }
            _ => Vec::new(),
        };
        let mut durables: Vec<String> = item
            .get(key)
            .and_then(|op| op.get("x-durable"))
            .and_then(Value::as_str)
            .map(|d| d.split(", ").map(str::to_owned).collect())
            .unwrap_or_default();
        for message in channel.messages {
            let reference = json!({ "$ref": format!("#/components/messages/{}", message.name) });
            if !refs.contains(&reference) {
                refs.push(reference);
            }
            messages.entry(message.name.to_owned()).or_insert_with(|| message_object(&mut schemas, channel, message));
        }
        if let Some(durable) = channel.durable.filter(|d| !durables.iter().any(|known| known == d)) {
            durables.push(durable.to_owned());
        }

        let mut operation = Map::new();
        operation.insert("operationId".into(), operation_id(channel).into());
        operation.insert("summary".into(), operation_summary(spec.module, channel).into());
        operation.insert("tags".into(), json!([{ "name": channel.kind.tag() }]));
        let message = match refs.len() {
            1 => refs.remove(0),
            _ => json!({ "oneOf": refs }),
        };
        operation.insert("message".into(), message);
        if !durables.is_empty() {
            let durable = durables.join(", ");
            operation.insert(
                "description".into(),
                format!(
                    "Consumed through the JetStream durable pull consumer {durable} (filter {address}): the \
                     module's instances share it, so each message is handled once per module."
                )
                .into(),
            );
            if let [only] = durables.as_slice() {
                operation.insert("bindings".into(), json!({ "nats": { "queue": only, "bindingVersion": "0.1.0" } }));
            }
            operation.insert("x-durable".into(), durable.into());
        }
        item.insert(key.into(), Value::Object(operation));
    }

    // The envelope layers, for reference.
    for envelope in ["jetstream.StreamMessage", "am.EventMessageData", "am.CommandMessageData", "am.ReplyMessageData"] {
        let _ = schemas.message(envelope);
    }
    let metadata: Map<String, Value> = kinds
        .iter()
        .flat_map(|kind| kind.metadata().iter().map(move |key| (*key, *kind)))
        .fold(BTreeMap::<&str, Vec<&str>>::new(), |mut acc, (key, kind)| {
            acc.entry(key).or_default().push(kind.tag());
            acc
        })
        .into_iter()
        .map(|(key, on)| (key.to_owned(), json!({ "messages": on, "description": metadata_description(key) })))
        .collect();

    json!({
        "asyncapi": "2.6.0",
        "id": format!("urn:mallbots:{}", spec.module),
        "info": {
            "title": format!("{} AsyncAPI", spec.title),
            "version": "1.0.0",
            "description": format!(
                "The messages the {} module sends and receives on the JetStream stream {stream} (subjects \
                 {stream}.>). {ENVELOPE}",
                spec.module
            ),
        },
        "defaultContentType": "application/octet-stream",
        "servers": {
            "nats": {
                "url": "{host}:{port}",
                "protocol": "nats",
                "description": format!("NATS with JetStream; the stream {stream} holds every subject {stream}.>."),
                "variables": {
                    "host": { "default": "nats", "description": "The NATS host (NATS_URL)." },
                    "port": { "default": "4222" },
                },
            },
        },
        "channels": channels.into_iter().map(|(address, item)| (address, Value::Object(item))).collect::<Map<_, _>>(),
        "components": {
            "messages": messages,
            "schemas": schemas.definitions(),
        },
        "x-metadata": metadata,
    })
}

fn message_object(schemas: &mut Schemas<'_>, channel: &ChannelSpec, message: &MessageRef) -> Value {
    let title = message.name.rsplit('.').next().unwrap_or(message.name);
    let keys = channel.kind.metadata().join(", ");
    let envelope = channel.kind.envelope();
    let (payload, description) = if message.proto.is_empty() {
        (
            json!({ "type": "object", "description": "Empty: the payload is zero bytes." }),
            format!("Wire: jetstream.StreamMessage{{name: {}}} → {envelope}{{payload: empty}}.", message.name),
        )
    } else {
        let schema = schemas.message(message.proto).unwrap_or_else(
            || json!({ "type": "object", "description": format!("{} (not in the proto descriptors)", message.proto) }),
        );
        (
            schema,
            format!(
                "Wire: jetstream.StreamMessage{{name: {}}} → {envelope}{{payload}} → protobuf {}.",
                message.name, message.proto
            ),
        )
    };
    let mut object = json!({
        "name": message.name,
        "title": title,
        "summary": message.summary,
        "description": format!("{description} Metadata keys: {keys}."),
        "headers": {
            "type": "object",
            "properties": {
                "Nats-Msg-Id": { "type": "string", "description": "The message id (StreamMessage.id)." },
            },
        },
        "payload": payload,
        "tags": [{ "name": channel.kind.tag() }],
        "x-envelope": ["jetstream.StreamMessage", envelope],
        "x-metadata": channel.kind.metadata(),
    });
    if !message.proto.is_empty()
        && let Some(object) = object.as_object_mut()
    {
        object.insert("x-payload-type".into(), message.proto.into());
    }
    object
}

/// `storeAggregateEvents` for the events a module publishes (the original's operation ids), otherwise the
/// direction and the subject's tokens: `receiveOrderingCommands`, `sendCosecRepliesCreateOrder`.
fn operation_id(channel: &ChannelSpec) -> String {
    let tokens: Vec<&str> = channel.subject.split('.').collect();
    if channel.kind == MessageKind::Event
        && channel.operation == Operation::Send
        && let [_, "events", aggregate] = tokens.as_slice()
    {
        let mut chars = aggregate.chars();
        let first: String = chars.next().map(|c| c.to_lowercase().collect()).unwrap_or_default();
        return format!("{first}{}AggregateEvents", chars.as_str());
    }
    let verb = match channel.operation {
        Operation::Send => "send",
        Operation::Receive => "receive",
    };
    let mut id = verb.to_owned();
    for token in tokens {
        let mut chars = token.chars();
        if let Some(first) = chars.next() {
            id.extend(first.to_uppercase());
            id.push_str(chars.as_str());
        }
    }
    id
}

fn channel_description(channel: &ChannelSpec) -> String {
    let tokens: Vec<&str> = channel.subject.split('.').collect();
    let owner = tokens.first().copied().unwrap_or_default();
    let last = tokens.last().copied().unwrap_or_default();
    match channel.kind {
        MessageKind::Event => format!("Aggregate channel of {owner}: the integration events of its {last} aggregate."),
        MessageKind::Command => format!("Command channel of {owner}: the saga commands it handles."),
        MessageKind::Reply => {
            format!("Reply channel of the {last} saga ({owner}): the replies to the commands it issues.")
        }
    }
}

fn operation_summary(module: &str, channel: &ChannelSpec) -> String {
    match (channel.operation, channel.kind) {
        (Operation::Send, MessageKind::Event) => {
            format!("{module} publishes these events through its transactional outbox.")
        }
        (Operation::Send, MessageKind::Command) => format!(
            "{module} issues these commands; each names in COMMAND_REPLY_CHANNEL where its reply must be published."
        ),
        (Operation::Send, MessageKind::Reply) => {
            format!("{module} answers the commands it handles here: replies go to the command's COMMAND_REPLY_CHANNEL.")
        }
        (Operation::Receive, MessageKind::Event) => format!("{module} consumes these events."),
        (Operation::Receive, MessageKind::Command) => {
            format!("{module} handles these commands and replies to each (see its reply channel).")
        }
        (Operation::Receive, MessageKind::Reply) => format!("{module} consumes the replies to the commands it issued."),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------------------------

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .6rem;\
text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2rem}\
h2{border-bottom:2px solid #ddd;margin-top:2.5rem}h3{margin-top:1.8rem}.muted{color:#666}";

fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n\
         <style>{STYLE}</style></head><body>\n"
    )
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The target of a local `$ref` (`#/components/...`) inside `doc`.
fn resolve<'a>(doc: &'a Value, reference: &Value) -> Option<&'a Value> {
    let target = reference.get("$ref")?.as_str()?.strip_prefix('#')?;
    // Component keys contain dots, never slashes, so a JSON pointer addresses them as they are.
    doc.pointer(target)
}

/// The messages an operation refers to (one `$ref` or `oneOf`).
fn operation_messages<'a>(doc: &'a Value, operation: &Value) -> Vec<&'a Value> {
    let Some(message) = operation.get("message") else { return Vec::new() };
    let refs = match message.get("oneOf").and_then(Value::as_array) {
        Some(refs) => refs.iter().collect(),
        None => vec![message],
    };
    refs.into_iter().filter_map(|r| resolve(doc, r)).collect()
}

/// The schema name a `$ref` points at.
fn schema_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")
}

/// A property's type, as HTML: scalars with their format, links to named schemas, arrays and maps spelled out.
fn type_html(schema: &Value) -> String {
    if let Some(name) = schema_name(schema) {
        return format!("<a href=\"#schema-{0}\"><code>{0}</code></a>", escape(name));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!("array of {}", type_html(schema.get("items").unwrap_or(&Value::Null))),
        Some("object") if schema.get("additionalProperties").is_some_and(|a| a.is_object()) => {
            format!("map of string to {}", type_html(&schema["additionalProperties"]))
        }
        Some(ty) => {
            let mut out = escape(ty);
            if let Some(format) = schema.get("format").and_then(Value::as_str) {
                let _ = write!(out, " ({})", escape(format));
            }
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                let values: Vec<String> = values.iter().filter_map(Value::as_str).map(escape).collect();
                let _ = write!(out, ": {}", values.join(" | "));
            }
            out
        }
        None => "any".to_owned(),
    }
}

/// The fields of an object schema as a table (or a note when it has none).
fn fields_table(page: &mut String, schema: &Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        if let Some(values) = schema.get("enum") {
            let _ = writeln!(page, "<p>Enum: {}</p>", type_html(&json!({ "type": "string", "enum": values })));
        } else {
            let description = text(schema, "/description");
            let note = if description.is_empty() { "No fields." } else { description };
            let _ = writeln!(page, "<p class=\"muted\">{}</p>", escape(note));
        }
        return;
    };
    page.push_str("<table><tr><th>Field</th><th>Number</th><th>Type</th></tr>\n");
    let mut rows: Vec<(&String, &Value)> = properties.iter().collect();
    rows.sort_by_key(|(_, s)| s.get("x-field-number").and_then(Value::as_i64).unwrap_or(i64::MAX));
    for (name, property) in rows {
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(name),
            property.get("x-field-number").map(Value::to_string).unwrap_or_default(),
            type_html(property),
        );
    }
    page.push_str("</table>\n");
}

/// The HTML page of one document: channels by direction, messages with their payload fields, the referenced types,
/// the envelope and the metadata keys, as plain tables.
pub(crate) fn html(doc: &Value) -> String {
    let title = escape(text(doc, "/info/title"));
    let mut page = page_head(&title);
    let _ = write!(
        page,
        "<h1>{title} <small class=\"muted\">{}</small></h1>\n<p>{}</p>\n<p>AsyncAPI {} · default content type \
         <code>{}</code> · <a href=\"asyncapi.json\">asyncapi.json</a> · <a href=\"../asyncapi/\">all AsyncAPI \
         documents</a> · <a href=\"../\">OpenAPI (Swagger UI)</a></p>\n",
        escape(text(doc, "/info/version")),
        escape(text(doc, "/info/description")),
        escape(text(doc, "/asyncapi")),
        escape(text(doc, "/defaultContentType")),
    );
    let empty = Map::new();
    let channels = doc.get("channels").and_then(Value::as_object).unwrap_or(&empty);
    let mut payloads: HashSet<String> = HashSet::new();
    let mut shown: HashSet<String> = HashSet::new();
    let mut anchored: HashSet<String> = HashSet::new();
    let mut messages_html = String::new();

    for (key, heading) in [("subscribe", "Sends"), ("publish", "Receives")] {
        let list: Vec<(&String, &Value, &Value)> =
            channels.iter().filter_map(|(address, item)| item.get(key).map(|op| (address, item, op))).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(page, "<h2>{heading}</h2>");
        for (address, item, operation) in list {
            let _ = writeln!(
                page,
                "<h3>Channel <code>{}</code></h3>\n<p>{} {} <span class=\"muted\">AsyncAPI operation \
                 <code>{key}</code>, operationId <code>{}</code>.</span></p>",
                escape(address),
                escape(text(item, "/description")),
                escape(text(operation, "/summary")),
                escape(text(operation, "/operationId")),
            );
            if let Some(durable) = operation.get("x-durable").and_then(Value::as_str) {
                let _ = writeln!(page, "<p>Durable consumer: <code>{}</code></p>", escape(durable));
            }
            page.push_str("<table><tr><th>Message</th><th>Payload</th><th>Summary</th></tr>\n");
            for message in operation_messages(doc, operation) {
                let name = text(message, "/name");
                let payload = text(message, "/x-payload-type");
                let _ = writeln!(
                    page,
                    "<tr><td><a href=\"#message-{0}\"><code>{0}</code></a></td><td>{1}</td><td>{2}</td></tr>",
                    escape(name),
                    if payload.is_empty() { "empty".to_owned() } else { format!("<code>{}</code>", escape(payload)) },
                    escape(text(message, "/summary")),
                );
                if let Some(schema) = message.get("payload").and_then(schema_name) {
                    payloads.insert(schema.to_owned());
                }
                if shown.insert(name.to_owned()) {
                    let _ = writeln!(
                        messages_html,
                        "<h3 id=\"message-{0}\"><code>{0}</code></h3>\n<p>{1}</p>\n<p class=\"muted\">{2}</p>",
                        escape(name),
                        escape(text(message, "/summary")),
                        escape(text(message, "/description")),
                    );
                    let payload = message.get("payload").unwrap_or(&Value::Null);
                    // The first section showing a payload type is where links to that type lead.
                    match schema_name(payload).filter(|name| anchored.insert((*name).to_owned())) {
                        Some(name) => {
                            let _ = writeln!(messages_html, "<div id=\"schema-{}\">", escape(name));
                            fields_table(&mut messages_html, resolve(doc, payload).unwrap_or(payload));
                            messages_html.push_str("</div>\n");
                        }
                        None => fields_table(&mut messages_html, resolve(doc, payload).unwrap_or(payload)),
                    }
                }
            }
            page.push_str("</table>\n");
        }
    }
    if !messages_html.is_empty() {
        page.push_str("<h2>Messages</h2>\n");
        page.push_str(&messages_html);
    }

    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
    let envelope = |name: &str| name.starts_with("jetstream.") || name.starts_with("am.");
    let types: Vec<(&String, &Value)> =
        schemas.iter().filter(|(name, _)| !payloads.contains(name.as_str()) && !envelope(name)).collect();
    if !types.is_empty() {
        page.push_str("<h2>Types</h2>\n");
        for (name, schema) in types {
            let _ = writeln!(page, "<h3 id=\"schema-{0}\"><code>{0}</code></h3>", escape(name));
            fields_table(&mut page, schema);
        }
    }
    page.push_str(
        "<h2>Envelope</h2>\n<p>The layers around every payload, outermost first. The NATS message carries \
                   the header <code>Nats-Msg-Id</code> (= <code>StreamMessage.id</code>).</p>\n",
    );
    for (name, schema) in schemas.iter().filter(|(name, _)| envelope(name)) {
        let _ = writeln!(page, "<h3 id=\"schema-{0}\"><code>{0}</code></h3>", escape(name));
        fields_table(&mut page, schema);
    }
    if let Some(metadata) = doc.get("x-metadata").and_then(Value::as_object).filter(|m| !m.is_empty()) {
        page.push_str(
            "<h2>Metadata keys</h2>\n<p>String values in <code>StreamMessage.metadata</code>.</p>\n\
             <table><tr><th>Key</th><th>On</th><th>Meaning</th></tr>\n",
        );
        for (key, entry) in metadata {
            let on: Vec<&str> = entry
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let _ = writeln!(
                page,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(key),
                escape(&on.join(", ")),
                escape(text(entry, "/description")),
            );
        }
        page.push_str("</table>\n");
    }
    page.push_str("</body></html>\n");
    page
}

/// The page listing every AsyncAPI document.
fn index_html(entries: &[(String, String)]) -> String {
    let mut page = page_head("MallBots AsyncAPI");
    page.push_str(
        "<h1>MallBots AsyncAPI</h1>\n<p>The messages each module of this process sends and receives. \
         <a href=\"../\">OpenAPI (Swagger UI)</a></p>\n",
    );
    if entries.is_empty() {
        page.push_str("<p class=\"muted\">No module of this process documents messages.</p>\n");
    } else {
        page.push_str("<table><tr><th>Module</th><th>Document</th><th>JSON</th></tr>\n");
        for (module, title) in entries {
            let _ = writeln!(
                page,
                "<tr><td><code>{0}</code></td><td><a href=\"../{0}-asyncapi/\">{1}</a></td>\
                 <td><a href=\"../{0}-asyncapi/asyncapi.json\">{0}-asyncapi/asyncapi.json</a></td></tr>",
                escape(module),
                escape(title),
            );
        }
        page.push_str("</table>\n");
    }
    page.push_str("</body></html>\n");
    page
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

/// Routes serving the AsyncAPI documents of `specs` on the stream `stream`:
///
/// * `GET /<module>-asyncapi/asyncapi.json`: the module's document (generated once, here);
/// * `GET /<module>-asyncapi/` (and `index.html`): its HTML page (`/<module>-asyncapi` redirects there);
/// * `GET /asyncapi/`: the list of every document, in registration order (`/asyncapi` redirects there).
///
/// A module registered twice is documented once (the first registration wins).
pub(crate) fn asyncapi_routes<S: Clone + Send + Sync + 'static>(
    specs: &[MessageSpec],
    stream: &str,
) -> axum::Router<S> {
    let mut router = axum::Router::new();
    let mut modules = HashSet::new();
    let mut entries = Vec::new();
    for spec in specs {
        if !modules.insert(spec.module) {
            tracing::warn!(module = spec.module, "AsyncAPI document registered twice; keeping the first");
            continue;
        }
        let doc = asyncapi_document(spec, stream);
        let json = match serde_json::to_vec_pretty(&doc) {
            Ok(bytes) => Bytes::from(bytes),
            Err(error) => {
                tracing::error!(module = spec.module, %error, "cannot serialize the AsyncAPI document");
                continue;
            }
        };
        let page = Bytes::from(html(&doc));
        let base = format!("/{}-asyncapi", spec.module);
        let relative = format!("{}-asyncapi/", spec.module);
        router = router
            .route(&format!("{base}/asyncapi.json"), get(move || respond(json.clone(), "application/json")))
            .route(&format!("{base}/"), {
                let page = page.clone();
                get(move || respond(page.clone(), "text/html; charset=utf-8"))
            })
            .route(&format!("{base}/index.html"), get(move || respond(page.clone(), "text/html; charset=utf-8")))
            .route(&base, get(move || async move { Redirect::permanent(&relative) }));
        entries.push((spec.module.to_owned(), format!("{} AsyncAPI", spec.title)));
    }
    let index = Bytes::from(index_html(&entries));
    router
        .route("/asyncapi/", get(move || respond(index.clone(), "text/html; charset=utf-8")))
        .route("/asyncapi", get(|| async { Redirect::permanent("asyncapi/") }))
}

async fn respond(body: Bytes, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    const BASKET_EVENTS: &[MessageRef] = &[
        MessageRef { name: "basketsapi.BasketStarted", proto: "basketspb.BasketStarted", summary: "started" },
        MessageRef { name: "basketsapi.BasketCheckedOut", proto: "basketspb.BasketCheckedOut", summary: "checked out" },
    ];
    const SPEC: MessageSpec = MessageSpec {
        module: "baskets",
        title: "Shopping Baskets",
        channels: &[
            ChannelSpec {
                subject: names::BASKETS_BASKET_EVENTS,
                operation: Operation::Send,
                kind: MessageKind::Event,
                messages: BASKET_EVENTS,
                durable: None,
            },
            ChannelSpec {
                subject: names::STORES_PRODUCT_EVENTS,
                operation: Operation::Receive,
                kind: MessageKind::Event,
                messages: &[MessageRef {
                    name: "storesapi.ProductAdded",
                    proto: "storespb.ProductAdded",
                    summary: "caches the product",
                }],
                durable: Some("baskets-products"),
            },
            ChannelSpec {
                subject: names::DEPOT_COMMANDS,
                operation: Operation::Receive,
                kind: MessageKind::Command,
                messages: &[MessageRef {
                    name: "depotapi.CreateShoppingListCommand",
                    proto: "depotpb.CreateShoppingList",
                    summary: "creates a list",
                }],
                durable: Some("depot-commands"),
            },
            ChannelSpec {
                subject: names::COSEC_CREATE_ORDER_REPLIES,
                operation: Operation::Send,
                kind: MessageKind::Reply,
                messages: GENERIC_REPLIES,
                durable: None,
            },
        ],
    };

    #[test]
    fn document_has_prefixed_channels_wire_names_and_typed_payloads() {
        let doc = asyncapi_document(&SPEC, "test_stream");
        assert_eq!(doc["asyncapi"], "2.6.0");
        assert_eq!(doc["info"]["title"], "Shopping Baskets AsyncAPI");
        assert_eq!(doc["info"]["version"], "1.0.0");
        assert_eq!(doc["defaultContentType"], "application/octet-stream");
        assert_eq!(doc["servers"]["nats"]["protocol"], "nats");

        let channels = doc["channels"].as_object().unwrap();
        let mut addresses: Vec<&str> = channels.keys().map(String::as_str).collect();
        addresses.sort_unstable();
        assert_eq!(
            addresses,
            [
                "test_stream.baskets.events.Basket",
                "test_stream.cosec.replies.CreateOrder",
                "test_stream.depot.commands",
                "test_stream.stores.events.Product"
            ]
        );
        // Sent messages are AsyncAPI 2.x `subscribe` operations, received ones `publish`.
        let basket = &channels["test_stream.baskets.events.Basket"];
        assert!(basket.get("publish").is_none());
        assert_eq!(basket["subscribe"]["operationId"], "basketAggregateEvents");
        assert_eq!(
            basket["subscribe"]["message"]["oneOf"],
            json!([
                { "$ref": "#/components/messages/basketsapi.BasketStarted" },
                { "$ref": "#/components/messages/basketsapi.BasketCheckedOut" }
            ])
        );
        let products = &channels["test_stream.stores.events.Product"];
        assert!(products.get("subscribe").is_none());
        assert_eq!(products["publish"]["operationId"], "receiveStoresEventsProduct");
        assert_eq!(products["publish"]["x-durable"], "baskets-products");
        assert_eq!(products["publish"]["bindings"]["nats"]["queue"], "baskets-products");
        assert_eq!(products["publish"]["message"], json!({ "$ref": "#/components/messages/storesapi.ProductAdded" }));

        let message = &doc["components"]["messages"]["basketsapi.BasketCheckedOut"];
        assert_eq!(message["name"], "basketsapi.BasketCheckedOut");
        assert_eq!(message["x-payload-type"], "basketspb.BasketCheckedOut");
        assert_eq!(message["payload"]["$ref"], "#/components/schemas/basketspb.BasketCheckedOut");
        assert_eq!(message["x-envelope"], json!(["jetstream.StreamMessage", "am.EventMessageData"]));

        let schemas = &doc["components"]["schemas"];
        let checked_out = &schemas["basketspb.BasketCheckedOut"]["properties"];
        assert_eq!(checked_out["customerId"], json!({ "type": "string", "x-field-number": 2 }));
        assert_eq!(checked_out["items"]["type"], "array");
        assert_eq!(checked_out["items"]["items"]["$ref"], "#/components/schemas/basketspb.BasketCheckedOut.Item");
        assert_eq!(checked_out["items"]["x-field-number"], 4);
        let item = &schemas["basketspb.BasketCheckedOut.Item"]["properties"];
        assert_eq!(item["price"], json!({ "type": "number", "format": "double", "x-field-number": 5 }));
        assert_eq!(item["quantity"], json!({ "type": "integer", "format": "int32", "x-field-number": 6 }));
        assert_eq!(schemas["storespb.ProductAdded"]["properties"]["storeId"]["type"], "string");
        // The envelope layers are documented beside the payloads.
        assert_eq!(schemas["jetstream.StreamMessage"]["properties"]["sentAt"]["format"], "date-time");
        assert_eq!(schemas["am.EventMessageData"]["properties"]["payload"]["format"], "byte");

        // Commands and replies carry the saga metadata keys.
        let command = &doc["components"]["messages"]["depotapi.CreateShoppingListCommand"];
        assert_eq!(command["x-envelope"][1], "am.CommandMessageData");
        assert!(command["x-metadata"].as_array().unwrap().contains(&json!("COMMAND_REPLY_CHANNEL")));
        let success = &doc["components"]["messages"]["am.Success"];
        assert!(success.get("x-payload-type").is_none());
        assert!(success["x-metadata"].as_array().unwrap().contains(&json!("REPLY_OUTCOME")));
        assert_eq!(doc["x-metadata"]["COMMAND_SAGA_ID"]["messages"], json!(["command"]));
        assert_eq!(doc["x-metadata"]["traceparent"]["messages"], json!(["event", "command", "reply"]));
        assert_eq!(
            doc["channels"]["test_stream.cosec.replies.CreateOrder"]["subscribe"]["operationId"],
            "sendCosecRepliesCreateOrder"
        );
    }

    #[test]
    fn same_channel_twice_is_merged_and_problems_are_reported() {
        const TWICE: MessageSpec = MessageSpec {
            module: "x",
            title: "X",
            channels: &[
                ChannelSpec {
                    subject: "x.events.Thing",
                    operation: Operation::Receive,
                    kind: MessageKind::Event,
                    messages: &[MessageRef { name: "a.One", proto: "nothere.One", summary: "" }],
                    durable: Some("x-things"),
                },
                ChannelSpec {
                    subject: "x.events.Thing",
                    operation: Operation::Receive,
                    kind: MessageKind::Event,
                    messages: &[MessageRef { name: "a.One", proto: "storespb.StoreCreated", summary: "" }],
                    durable: None,
                },
            ],
        };
        let doc = asyncapi_document(&TWICE, "s");
        let operation = &doc["channels"]["s.x.events.Thing"]["publish"];
        assert_eq!(operation["message"], json!({ "$ref": "#/components/messages/a.One" }));
        assert_eq!(operation["x-durable"], "x-things");
        assert_eq!(doc["components"]["messages"]["a.One"]["payload"]["type"], "object");
        let problems = TWICE.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("nothere.One"));
        assert!(problems[1].contains("no durable"));
        assert!(problems[2].contains("two payloads"));
        assert!(SPEC.problems().is_empty(), "{:?}", SPEC.problems());
    }

    #[test]
    fn subscriptions_are_checked_against_the_documents() {
        let subscribed = |subject: &str, durable: &str, names: &[&str]| Subscribed {
            module: "baskets".into(),
            subject: subject.into(),
            durable: durable.into(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        };
        let exact = [
            subscribed(names::STORES_PRODUCT_EVENTS, "baskets-products", &["storesapi.ProductAdded"]),
            subscribed(names::DEPOT_COMMANDS, "depot-commands", &[]),
        ];
        assert!(undocumented(&[SPEC], &exact).is_empty());
        // Modules without a document are not checked.
        let other = Subscribed { module: "other".into(), ..subscribed("a.b", "c", &[]) };
        assert!(undocumented(&[SPEC], &[exact[0].clone(), exact[1].clone(), other]).is_empty());

        let wrong = [
            subscribed(names::STORES_PRODUCT_EVENTS, "baskets-products", &["storesapi.ProductRemoved"]),
            subscribed(names::STORES_STORE_EVENTS, "baskets-stores", &[]),
        ];
        let problems = undocumented(&[SPEC], &wrong);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("storesapi.ProductRemoved"));
        assert!(problems[1].contains("stores.events.Store"));
        assert!(problems[2].contains("depot.commands"));
    }

    #[test]
    fn page_is_self_contained_tables() {
        let page = html(&asyncapi_document(&SPEC, "mallbots"));
        assert!(page.contains("<h1>Shopping Baskets AsyncAPI"));
        assert!(page.contains("<code>mallbots.baskets.events.Basket</code>"));
        assert!(
            page.contains(
                "<a href=\"#message-basketsapi.BasketCheckedOut\"><code>basketsapi.BasketCheckedOut</code></a>"
            )
        );
        assert!(page.contains("<tr><td><code>customerId</code></td><td>2</td><td>string</td></tr>"));
        let item = "basketspb.BasketCheckedOut.Item";
        assert!(page.contains(&format!("<td>array of <a href=\"#schema-{item}\"><code>{item}</code></a></td>")));
        assert!(page.contains("<h3 id=\"schema-basketspb.BasketCheckedOut.Item\">"));
        assert!(page.contains("Durable consumer: <code>baskets-products</code>"));
        assert!(page.contains("<code>COMMAND_REPLY_CHANNEL</code>"));
        assert!(page.contains("<h3 id=\"schema-jetstream.StreamMessage\">"));
        let sends = page.find("<h2>Sends</h2>").unwrap();
        let receives = page.find("<h2>Receives</h2>").unwrap();
        assert!(sends < receives);
        assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));
    }

    async fn fetch(router: &axum::Router, uri: &str) -> (StatusCode, String, String) {
        let response = router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, content_type, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn router_serves_documents_pages_and_the_index() {
        let router: axum::Router = asyncapi_routes(&[SPEC, SPEC], "mallbots");
        let (status, content_type, body) = fetch(&router, "/baskets-asyncapi/asyncapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/json");
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), asyncapi_document(&SPEC, "mallbots"));
        for uri in ["/baskets-asyncapi/", "/baskets-asyncapi/index.html"] {
            let (status, content_type, body) = fetch(&router, uri).await;
            assert_eq!(status, StatusCode::OK);
            assert!(content_type.starts_with("text/html"));
            assert!(body.contains("mallbots.baskets.events.Basket"));
        }
        assert_eq!(fetch(&router, "/baskets-asyncapi").await.0, StatusCode::PERMANENT_REDIRECT);
        let (status, _, index) = fetch(&router, "/asyncapi/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(index.contains("<a href=\"../baskets-asyncapi/\">Shopping Baskets AsyncAPI</a>"));
        assert_eq!(index.matches("../baskets-asyncapi/\"").count(), 1);
        assert_eq!(fetch(&router, "/asyncapi").await.0, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(fetch(&router, "/stores-asyncapi/asyncapi.json").await.0, StatusCode::NOT_FOUND);
    }
}

//! The AsyncAPI 2.6 description of the messages stores publishes, with the real wire names (the original's YAML
//! named them `…Event` and `StoreParticipationToggledEvent`), served as JSON at `/stores-asyncapi/asyncapi.json`
//! and as a self-contained HTML page (rendered here from that document, no scripts) at `/stores-asyncapi/`.

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use contracts::names::{STORES_PRODUCT_EVENTS, STORES_STORE_EVENTS, stores as names};
use serde_json::{Map, Value, json};

/// One protobuf field as it appears in proto3 JSON.
struct Field {
    json_name: &'static str,
    number: u32,
    /// JSON schema type and format of the proto type.
    kind: (&'static str, Option<&'static str>),
    description: &'static str,
}

const STRING: (&str, Option<&str>) = ("string", None);
const BOOL: (&str, Option<&str>) = ("boolean", None);
const DOUBLE: (&str, Option<&str>) = ("number", Some("double"));

const fn field(
    json_name: &'static str,
    number: u32,
    kind: (&'static str, Option<&'static str>),
    description: &'static str,
) -> Field {
    Field { json_name, number, kind, description }
}

struct MessageDoc {
    name: &'static str,
    payload: &'static str,
    summary: &'static str,
    fields: &'static [Field],
}

struct ChannelDoc {
    subject: &'static str,
    operation_id: &'static str,
    description: &'static str,
    messages: &'static [MessageDoc],
}

const STORE_FIELDS_CREATED: &[Field] = &[
    field("id", 1, STRING, "the store id"),
    field("name", 2, STRING, "the store name"),
    field("location", 3, STRING, "where the store is in the mall"),
];
const STORE_FIELDS_TOGGLED: &[Field] =
    &[field("id", 1, STRING, "the store id"), field("participating", 2, BOOL, "whether the store now participates")];
const STORE_FIELDS_REBRANDED: &[Field] =
    &[field("id", 1, STRING, "the store id"), field("name", 2, STRING, "the new store name")];
const PRODUCT_FIELDS_ADDED: &[Field] = &[
    field("id", 1, STRING, "the product id"),
    field("storeId", 2, STRING, "the store selling it"),
    field("name", 3, STRING, "the product name"),
    field("description", 4, STRING, "the product description"),
    field("sku", 5, STRING, "the stock keeping unit"),
    field("price", 6, DOUBLE, "the price in dollars (exact to the cent)"),
];
const PRODUCT_FIELDS_REBRANDED: &[Field] = &[
    field("id", 1, STRING, "the product id"),
    field("name", 2, STRING, "the new product name"),
    field("description", 3, STRING, "the new product description"),
];
const PRODUCT_FIELDS_PRICE: &[Field] =
    &[field("id", 1, STRING, "the product id"), field("delta", 2, DOUBLE, "new price − old price, in dollars")];
const PRODUCT_FIELDS_REMOVED: &[Field] = &[field("id", 1, STRING, "the product id")];

const CHANNELS: &[ChannelDoc] = &[
    ChannelDoc {
        subject: STORES_STORE_EVENTS,
        operation_id: "storeAggregateEvents",
        description: "Events of the Store aggregate.",
        messages: &[
            MessageDoc {
                name: names::STORE_CREATED,
                payload: "storespb.StoreCreated",
                summary: "A store was created.",
                fields: STORE_FIELDS_CREATED,
            },
            MessageDoc {
                name: names::STORE_PARTICIPATION_TOGGLED,
                payload: "storespb.StoreParticipationToggled",
                summary: "A store joined or left the MallBots programme.",
                fields: STORE_FIELDS_TOGGLED,
            },
            MessageDoc {
                name: names::STORE_REBRANDED,
                payload: "storespb.StoreRebranded",
                summary: "A store was renamed.",
                fields: STORE_FIELDS_REBRANDED,
            },
        ],
    },
    ChannelDoc {
        subject: STORES_PRODUCT_EVENTS,
        operation_id: "productAggregateEvents",
        description: "Events of the Product aggregate.",
        messages: &[
            MessageDoc {
                name: names::PRODUCT_ADDED,
                payload: "storespb.ProductAdded",
                summary: "A product was added to a store's catalog.",
                fields: PRODUCT_FIELDS_ADDED,
            },
            MessageDoc {
                name: names::PRODUCT_REBRANDED,
                payload: "storespb.ProductRebranded",
                summary: "A product was renamed or described anew.",
                fields: PRODUCT_FIELDS_REBRANDED,
            },
            MessageDoc {
                name: names::PRODUCT_PRICE_INCREASED,
                payload: "storespb.ProductPriceChanged",
                summary: "A product's price went up (delta ≥ 0).",
                fields: PRODUCT_FIELDS_PRICE,
            },
            MessageDoc {
                name: names::PRODUCT_PRICE_DECREASED,
                payload: "storespb.ProductPriceChanged",
                summary: "A product's price went down (delta ≤ 0).",
                fields: PRODUCT_FIELDS_PRICE,
            },
            MessageDoc {
                name: names::PRODUCT_REMOVED,
                payload: "storespb.ProductRemoved",
                summary: "A product was removed from its store's catalog.",
                fields: PRODUCT_FIELDS_REMOVED,
            },
        ],
    },
];

const ENVELOPE: &str = "Each NATS message carries the header Nats-Msg-Id (= the message id) and a protobuf \
jetstream.StreamMessage{id, name, data, metadata, sent_at} whose data is an am.EventMessageData{payload, \
occurred_at} whose payload is the protobuf message described here.";

/// The AsyncAPI document; channel names start with the stream name (`mallbots` by default).
pub(crate) fn document(stream: &str) -> Value {
    let mut channels = Map::new();
    let mut messages = Map::new();
    let mut schemas = Map::new();
    for channel in CHANNELS {
        let address = format!("{stream}.{}", channel.subject);
        let refs: Vec<Value> =
            channel.messages.iter().map(|m| json!({ "$ref": format!("#/components/messages/{}", m.name) })).collect();
        channels.insert(
            address.clone(),
            json!({
                "description": channel.description,
                "subscribe": {
                    "operationId": channel.operation_id,
                    "summary": format!("Receive the events published on {address}"),
                    "message": { "oneOf": refs },
                },
                "bindings": { "nats": { "queue": address } },
            }),
        );
        for message in channel.messages {
            let title = message.name.rsplit('.').next().unwrap_or(message.name);
            messages.insert(
                message.name.to_owned(),
                json!({
                    "name": message.name,
                    "title": title,
                    "summary": message.summary,
                    "description": ENVELOPE,
                    "contentType": "application/x-protobuf",
                    "x-payload-type": message.payload,
                    "headers": {
                        "type": "object",
                        "properties": { "Nats-Msg-Id": { "type": "string", "description": "the message id" } },
                    },
                    "payload": { "$ref": format!("#/components/schemas/{}", message.payload) },
                }),
            );
            let mut properties = Map::new();
            for f in message.fields {
                let mut schema = json!({ "type": f.kind.0, "description": f.description, "x-field-number": f.number });
                if let (Some(format), Some(obj)) = (f.kind.1, schema.as_object_mut()) {
                    obj.insert("format".into(), format.into());
                }
                properties.insert(f.json_name.to_owned(), schema);
            }
            schemas.insert(
                message.payload.to_owned(),
                json!({ "type": "object", "additionalProperties": false, "properties": properties }),
            );
        }
    }
    json!({
        "asyncapi": "2.6.0",
        "info": {
            "title": "Store Management AsyncAPI",
            "version": "1.0.0",
            "description": "Integration events published by the stores context.",
        },
        "defaultContentType": "application/octet-stream",
        "channels": channels,
        "components": { "messages": messages, "schemas": schemas },
    })
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

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Resolves a local `$ref` (`#/components/...`) inside `doc`.
fn resolve<'a>(doc: &'a Value, reference: &Value) -> Option<&'a Value> {
    let target = reference.get("$ref")?.as_str()?.strip_prefix('#')?;
    // Component keys contain dots, never slashes, so a JSON pointer addresses them as they are.
    doc.pointer(target)
}

/// The HTML page: every channel, its messages and their payload fields, as plain tables.
pub(crate) fn html(doc: &Value) -> String {
    let mut page = String::new();
    let title = escape(text(doc, "/info/title"));
    page.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>\
         body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}}\
         table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}th,td{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}\
         th{{background:#f3f3f3}}code{{background:#f6f6f6;padding:0 .2rem}}h2{{border-bottom:2px solid #ddd}}\
         </style></head><body>\n<h1>{title} <small>{}</small></h1>\n<p>{}</p>\n<p>AsyncAPI {} · default content type \
         <code>{}</code> · <a href=\"asyncapi.json\">asyncapi.json</a></p>\n",
        escape(text(doc, "/info/version")),
        escape(text(doc, "/info/description")),
        escape(text(doc, "/asyncapi")),
        escape(text(doc, "/defaultContentType")),
    ));
    let empty = Map::new();
    let channels = doc.get("channels").and_then(Value::as_object).unwrap_or(&empty);
    for (address, channel) in channels {
        page.push_str(&format!(
            "<h2>Channel <code>{}</code></h2>\n<p>{} Operation <code>{}</code> (subscribe).</p>\n",
            escape(address),
            escape(text(channel, "/description")),
            escape(text(channel, "/subscribe/operationId")),
        ));
        page.push_str("<table><tr><th>Message</th><th>Payload</th><th>Summary</th></tr>\n");
        let refs = channel.pointer("/subscribe/message/oneOf").and_then(Value::as_array).cloned().unwrap_or_default();
        let resolved: Vec<&Value> = refs.iter().filter_map(|r| resolve(doc, r)).collect();
        for message in &resolved {
            page.push_str(&format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                escape(text(message, "/name")),
                escape(text(message, "/x-payload-type")),
                escape(text(message, "/summary")),
            ));
        }
        page.push_str("</table>\n");
        for message in &resolved {
            page.push_str(&format!(
                "<h3 id=\"{0}\"><code>{0}</code></h3>\n<p>{1}</p>\n<p>{2}</p>\n",
                escape(text(message, "/name")),
                escape(text(message, "/summary")),
                escape(text(message, "/description")),
            ));
            page.push_str("<table><tr><th>Field</th><th>Number</th><th>Type</th><th>Description</th></tr>\n");
            let payload = message.get("payload").and_then(|p| resolve(doc, p));
            let properties = payload.and_then(|p| p.get("properties")).and_then(Value::as_object).unwrap_or(&empty);
            for (name, schema) in properties {
                let kind = match schema.get("format").and_then(Value::as_str) {
                    Some(format) => format!("{} ({format})", text(schema, "/type")),
                    None => text(schema, "/type").to_owned(),
                };
                page.push_str(&format!(
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    escape(name),
                    schema.get("x-field-number").map(Value::to_string).unwrap_or_default(),
                    escape(&kind),
                    escape(text(schema, "/description")),
                ));
            }
            page.push_str("</table>\n");
        }
    }
    page.push_str("</body></html>\n");
    page
}

/// `GET /stores-asyncapi/` (HTML), `GET /stores-asyncapi/asyncapi.json`, and `/stores-asyncapi` → the page.
pub(crate) fn routes(stream: &str) -> Router {
    let doc = document(stream);
    let page: Arc<str> = html(&doc).into();
    let json: Arc<str> = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned()).into();
    Router::new()
        .route(
            "/stores-asyncapi/",
            get(move || {
                let page = page.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.to_string()).into_response() }
            }),
        )
        .route(
            "/stores-asyncapi/asyncapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()).into_response() }
            }),
        )
        .route("/stores-asyncapi", get(|| async { Redirect::permanent("/stores-asyncapi/") }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use contracts::storespb;

    use super::*;

    /// The proto3-JSON field names of a message, as pbjson emits them.
    fn json_fields<T: serde::Serialize + Default>() -> Vec<String> {
        let value = serde_json::to_value(T::default()).unwrap();
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn schema_fields(doc: &Value, payload: &str) -> Vec<String> {
        let mut keys: Vec<String> = doc["components"]["schemas"][payload]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {payload}"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn schemas_match_the_protobuf_messages() {
        let doc = document("mallbots");
        assert_eq!(schema_fields(&doc, "storespb.StoreCreated"), json_fields::<storespb::StoreCreated>());
        assert_eq!(
            schema_fields(&doc, "storespb.StoreParticipationToggled"),
            json_fields::<storespb::StoreParticipationToggled>()
        );
        assert_eq!(schema_fields(&doc, "storespb.StoreRebranded"), json_fields::<storespb::StoreRebranded>());
        assert_eq!(schema_fields(&doc, "storespb.ProductAdded"), json_fields::<storespb::ProductAdded>());
        assert_eq!(schema_fields(&doc, "storespb.ProductRebranded"), json_fields::<storespb::ProductRebranded>());
        assert_eq!(schema_fields(&doc, "storespb.ProductPriceChanged"), json_fields::<storespb::ProductPriceChanged>());
        assert_eq!(schema_fields(&doc, "storespb.ProductRemoved"), json_fields::<storespb::ProductRemoved>());
    }

    #[test]
    fn channels_and_messages_carry_the_wire_names() {
        let doc = document("mallbots");
        let store = &doc["channels"]["mallbots.stores.events.Store"];
        assert_eq!(store["subscribe"]["operationId"], "storeAggregateEvents");
        let product = &doc["channels"]["mallbots.stores.events.Product"];
        assert_eq!(product["subscribe"]["message"]["oneOf"].as_array().unwrap().len(), 5);
        let messages = doc["components"]["messages"].as_object().unwrap();
        assert!(messages.contains_key("storesapi.StoreParticipatingToggled"));
        assert!(messages.keys().all(|k| !k.ends_with("Event")));
        assert_eq!(messages.len(), 8);
        let page = html(&doc);
        assert!(page.contains("<code>mallbots.stores.events.Product</code>"));
        assert!(page.contains("<code>storesapi.ProductPriceDecreased</code>"));
        assert!(page.contains("<td><code>storeId</code></td><td>2</td><td>string</td>"));
        assert!(!page.contains("<script"));
    }
}

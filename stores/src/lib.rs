//! Store Management: the stores of the mall, whether they take part in MallBots, and their product catalogs.
//!
//! What this context owns:
//! - the event-sourced aggregates `stores.Store` (snapshot `stores.StoreV1`) and `stores.Product` (snapshot
//!   `stores.ProductV1`) in `stores.events` / `stores.snapshots`;
//! - the read models `stores.stores` (the mall) and `stores.products` (the catalog, price in cents), upserted in the
//!   transaction of every append, which serve all queries;
//! - the integration events `storesapi.*` on `<stream>.stores.events.Store` and `<stream>.stores.events.Product`
//!   (protobuf payloads of `storespb`), written to the `stores.outbox` in that same transaction;
//! - the gRPC service `storespb.StoresService`, its REST gateway under `/api/stores`, and the AsyncAPI document at
//!   `/stores-asyncapi/`.
//!
//! Invariants:
//! - a command on a store or product that has no events answers "store not found" / "product not found" and
//!   creates nothing (no phantom streams); a removed product is gone for every command and query;
//! - a product can only be added to an existing store;
//! - every command is one transaction (events + read model + outbox), retried whole when a concurrent writer won
//!   the append, and reported as a conflict (409) only after the retries;
//! - money is integer cents everywhere inside; the wire's `double` dollars are converted at the gRPC edge
//!   (rounded to the nearest cent).
//!
//! Stored event JSON keeps the original's Go field names (`StoreID`, `Name`, `Price`, `Delta`, …). `Price` and
//! `Delta` keep the original's meaning (float dollars) so stored data stays readable as the original's; the exact
//! amount is stored beside them as integer cents in `PriceCents` / `DeltaCents`, which wins when present (events
//! without it, i.e. written by the original, are read from the float field). `stores.ProductV1` likewise carries
//! `PriceCents` and, additionally, `Removed`.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::names::{self, stores as msg};
use contracts::storespb::stores_service_server::StoresServiceServer;
use database::Migration;
use eventsourcing::SnapshotPolicy;
use service::{ChannelSpec, MessageKind, MessageRef, MessageSpec, Operation};

use crate::application::Application;
use crate::grpc::StoresServer;

const MODULE: &str = "stores";

/// 1 and 2 are the platform's tables (event store, outbox/inbox); 3 is this module's own SQL in `migrations/`.
const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "event store and snapshots", sql: eventsourcing::TABLES_SQL },
    Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
    Migration {
        version: 3,
        description: "mall and catalog read models",
        sql: include_str!("../migrations/003_mall_and_catalog.sql"),
    },
];

/// The messages stores publishes (it consumes none), served at `/stores-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Store Management",
    channels: &[
        ChannelSpec {
            subject: names::STORES_STORE_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: msg::STORE_CREATED,
                    proto: "storespb.StoreCreated",
                    summary: "A store was created.",
                },
                MessageRef {
                    name: msg::STORE_PARTICIPATION_TOGGLED,
                    proto: "storespb.StoreParticipationToggled",
                    summary: "A store joined or left the MallBots programme.",
                },
                MessageRef {
                    name: msg::STORE_REBRANDED,
                    proto: "storespb.StoreRebranded",
                    summary: "A store was renamed.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::STORES_PRODUCT_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: msg::PRODUCT_ADDED,
                    proto: "storespb.ProductAdded",
                    summary: "A product was added to a store's catalog (price in dollars).",
                },
                MessageRef {
                    name: msg::PRODUCT_REBRANDED,
                    proto: "storespb.ProductRebranded",
                    summary: "A product was renamed or described anew.",
                },
                MessageRef {
                    name: msg::PRODUCT_PRICE_INCREASED,
                    proto: "storespb.ProductPriceChanged",
                    summary: "A product's price went up by delta dollars (delta > 0).",
                },
                MessageRef {
                    name: msg::PRODUCT_PRICE_DECREASED,
                    proto: "storespb.ProductPriceChanged",
                    summary: "A product's price went down (delta < 0).",
                },
                MessageRef {
                    name: msg::PRODUCT_REMOVED,
                    proto: "storespb.ProductRemoved",
                    summary: "A product was removed from its store's catalog.",
                },
            ],
            durable: None,
        },
    ],
};

/// The stores bounded context.
pub struct StoresModule;

#[async_trait::async_trait]
impl service::Module for StoresModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let policy = SnapshotPolicy::every(rt.config().snapshot_every);
        let outbox = rt.outbox(MODULE)?;
        let app = Arc::new(Application::new(rt.db(), MODULE, policy, outbox));
        let server = StoresServer::new(app);
        rt.grpc(StoresServiceServer::new(server.clone()));
        rt.routes(rest::routes(server));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use contracts::storespb;
    use serde_json::Value;

    use super::*;

    /// The proto3-JSON field names of a message, as pbjson emits them.
    fn json_fields<T: serde::Serialize + Default>() -> Vec<String> {
        let value = serde_json::to_value(T::default()).unwrap();
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn schema_fields(doc: &Value, payload: &str) -> Vec<String> {
        let properties = doc["components"]["schemas"][payload]["properties"].as_object();
        let mut keys: Vec<String> = properties.unwrap_or_else(|| panic!("schema {payload}")).keys().cloned().collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_asyncapi_document_matches_the_protobuf_messages() {
        assert_eq!(MESSAGES.problems(), Vec::<String>::new());
        let doc = service::asyncapi_document(&MESSAGES, "mallbots");
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
        // The original's operation ids; the wire names, not the original YAML's `…Event` keys.
        assert_eq!(doc["channels"]["mallbots.stores.events.Store"]["subscribe"]["operationId"], "storeAggregateEvents");
        let product = &doc["channels"]["mallbots.stores.events.Product"]["subscribe"];
        assert_eq!(product["operationId"], "productAggregateEvents");
        assert_eq!(product["message"]["oneOf"].as_array().unwrap().len(), 5);
        let messages = doc["components"]["messages"].as_object().unwrap();
        assert!(messages.contains_key("storesapi.StoreParticipatingToggled"));
        assert!(messages.keys().all(|k| !k.ends_with("Event")));
        assert_eq!(messages.len(), 8);
    }
}

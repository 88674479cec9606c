//! Shopping Baskets: what a customer is about to buy, until the basket is cancelled or checked out.
//!
//! What this context owns:
//! - the event-sourced aggregate `baskets.Basket` (snapshot `baskets.BasketV1`) in `baskets.events` /
//!   `baskets.snapshots`;
//! - the caches `baskets.stores_cache` and `baskets.products_cache` (price in cents), fed by the stores context's
//!   integration events (durables `baskets-stores`, `baskets-products`) and, on a miss, by the stores gRPC service at
//!   the owner's address (`RPC_SERVICES` `STORES=…`, else this process) with a 2 s timeout;
//! - the integration events `basketsapi.BasketStarted`, `basketsapi.BasketCanceled`, `basketsapi.BasketCheckedOut`
//!   on `<stream>.baskets.events.Basket`, written to `baskets.outbox` in the transaction of the append;
//! - the gRPC service `basketspb.BasketService`, its REST gateway under `/api/baskets`, and the counters
//!   `baskets_started_count`, `baskets_checked_out_count`, `baskets_canceled_count`.
//!
//! Invariants:
//! - only an open basket changes; it is checked out (or cancelled) once, so a checkout produces one order;
//! - an item's quantity is at least 1: adding a product again adds to it, removing drops the item once nothing is
//!   left; items keep the order in which their products were first added (also in `BasketCheckedOut`);
//! - an item carries the store/product names and the price seen when it was first added;
//! - a command on a basket that has no events answers "basket not found" and creates nothing; an unknown product
//!   answers "product not found";
//! - every command is one transaction, retried whole when a concurrent writer won the append (409 after retries);
//! - a store or product event changes the caches once (inbox), in the order stores published them.
//!
//! Stored event JSON keeps the original's Go field names; prices keep the original's `ProductPrice` (dollars) with
//! the exact `ProductPriceCents` beside it, which wins when present.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::basketspb::basket_service_server::BasketServiceServer;
use contracts::names::{self, stores as stores_msg};
use database::Migration;
use eventsourcing::SnapshotPolicy;
use service::{ChannelSpec, MessageKind, MessageRef, MessageSpec, Operation};

use crate::application::{Application, Counters};
use crate::grpc::{BasketServer, StoresGrpc};
use crate::handlers::{ProductEvents, StoreEvents};
use crate::store::{ProductsCache, StoresCache};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "baskets";

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "event store and snapshots", sql: eventsourcing::TABLES_SQL },
    Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
    Migration {
        version: 3,
        description: "store and product caches",
        sql: include_str!("../migrations/003_caches.sql"),
    },
];

/// What baskets sends and receives, served at `/baskets-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Shopping Baskets",
    channels: &[
        ChannelSpec {
            subject: names::BASKETS_BASKET_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::baskets::BASKET_STARTED,
                    proto: "basketspb.BasketStarted",
                    summary: "A customer started a basket.",
                },
                MessageRef {
                    name: names::baskets::BASKET_CANCELED,
                    proto: "basketspb.BasketCanceled",
                    summary: "A basket was canceled.",
                },
                MessageRef {
                    name: names::baskets::BASKET_CHECKED_OUT,
                    proto: "basketspb.BasketCheckedOut",
                    summary: "A basket was checked out with its items and payment (ordering turns it into an order).",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::STORES_STORE_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: stores_msg::STORE_CREATED,
                    proto: "storespb.StoreCreated",
                    summary: "Caches the store's name.",
                },
                MessageRef {
                    name: stores_msg::STORE_REBRANDED,
                    proto: "storespb.StoreRebranded",
                    summary: "Renames the cached store.",
                },
            ],
            durable: Some(names::durables::BASKETS_STORES),
        },
        ChannelSpec {
            subject: names::STORES_PRODUCT_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: stores_msg::PRODUCT_ADDED,
                    proto: "storespb.ProductAdded",
                    summary: "Caches the product (store, name, price).",
                },
                MessageRef {
                    name: stores_msg::PRODUCT_REBRANDED,
                    proto: "storespb.ProductRebranded",
                    summary: "Renames the cached product.",
                },
                MessageRef {
                    name: stores_msg::PRODUCT_PRICE_INCREASED,
                    proto: "storespb.ProductPriceChanged",
                    summary: "Adds delta to the cached price.",
                },
                MessageRef {
                    name: stores_msg::PRODUCT_PRICE_DECREASED,
                    proto: "storespb.ProductPriceChanged",
                    summary: "Adds delta (negative) to the cached price.",
                },
                MessageRef {
                    name: stores_msg::PRODUCT_REMOVED,
                    proto: "storespb.ProductRemoved",
                    summary: "Drops the product from the cache.",
                },
            ],
            durable: Some(names::durables::BASKETS_PRODUCTS),
        },
    ],
};

/// The baskets bounded context.
pub struct BasketsModule;

#[async_trait::async_trait]
impl service::Module for BasketsModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let policy = SnapshotPolicy::every(rt.config().snapshot_every);
        let outbox = rt.outbox(MODULE)?;
        let counters = Counters::register(rt.registry())?;
        let directory = Arc::new(StoresGrpc::lazy(&rt.rpc_address("STORES"))?);
        let app = Arc::new(Application::new(&db, MODULE, policy, directory, outbox, counters));

        let server = BasketServer::new(app);
        rt.grpc(BasketServiceServer::new(server.clone()));
        rt.routes(rest::routes(server));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::STORES_STORE_EVENTS,
            names::durables::BASKETS_STORES,
            &[stores_msg::STORE_CREATED, stores_msg::STORE_REBRANDED],
            inbox.handler(StoreEvents::new(StoresCache::new(&db, MODULE))),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::STORES_PRODUCT_EVENTS,
            names::durables::BASKETS_PRODUCTS,
            &[
                stores_msg::PRODUCT_ADDED,
                stores_msg::PRODUCT_REBRANDED,
                stores_msg::PRODUCT_PRICE_INCREASED,
                stores_msg::PRODUCT_PRICE_DECREASED,
                stores_msg::PRODUCT_REMOVED,
            ],
            inbox.handler(ProductEvents::new(ProductsCache::new(&db, MODULE))),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod asyncapi_tests {
    #[test]
    fn the_message_spec_names_known_payloads() {
        assert_eq!(super::MESSAGES.problems(), Vec::<String>::new());
    }
}

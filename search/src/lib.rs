//! Search: the order read model (CQRS query side) — find orders by customer, store, product, total, status and
//! time, with the names of everything they involve.
//!
//! What this context owns:
//! - `search.orders` (one row per order: customer and name, lines as JSON with product/store names, exact total in
//!   cents, status, created_at) and `search.order_items` (one row per line, for the store/product filters);
//! - the name caches `customers_cache (id, name)`, `stores_cache (id, name)`, `products_cache (id, store_id, name)`
//!   fed by `customersapi.CustomerRegistered` (durable `search-customers`), `storesapi.StoreCreated|StoreRebranded`
//!   (`search-stores`), `storesapi.ProductAdded|ProductRebranded` (`search-products`); on a miss the owner is asked
//!   over gRPC (`GetCustomer` at `RPC_SERVICES` `CUSTOMERS`, `GetStore`/`GetProduct` at `STORES`; one reused lazily
//!   connected channel each, 2 s timeout) and its answer is cached;
//! - the gRPC service `searchpb.SearchService` and its REST gateway: `POST /api/search/orders` (filters, `limit`
//!   20 by default and at most 100, opaque `next` cursor; newest first) and `GET /api/search/orders/{id}`.
//!
//! Order events arrive on the durable `search-orders` (not the shared `notification-orders` of the original):
//! `ordersapi.OrderCreated` → status `New` with the names and total; `OrderApproved` → `Approved`; `OrderRejected` →
//! `Rejected`; `OrderReadied` → `Ready For Pickup`; `OrderCanceled` → `Canceled`; `OrderCompleted` → `Completed`.
//!
//! Invariants:
//! - the projection never races: names come from the caches or, on a miss, from their owner (never blank because
//!   an event has not been cached yet); an unreachable owner fails the delivery, which is retried;
//! - statuses only move forward: a status event that overtakes its `OrderCreated` is kept (the order stays hidden
//!   until its details arrive), and a late or repeated event never moves an order back;
//! - each message changes the read model once (inbox row in the same transaction); no write transaction is held
//!   while an owner is asked;
//! - money is exact: totals are Σ cents × quantity, `double` only on the wire.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::names::{self, durables};
use contracts::searchpb::search_service_server::SearchServiceServer;
use database::Migration;
use service::{ChannelSpec, MessageKind, MessageRef, MessageSpec, Operation};

use crate::application::Application;

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "search";

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
    Migration {
        version: 2,
        description: "order read model and name caches",
        sql: include_str!("../migrations/002_read_model.sql"),
    },
];

/// What search receives (it sends nothing), served at `/search-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Search",
    channels: &[
        ChannelSpec {
            subject: names::CUSTOMERS_CUSTOMER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: names::customers::CUSTOMER_REGISTERED,
                proto: "customerspb.CustomerRegistered",
                summary: "Caches the customer's name.",
            }],
            durable: Some(durables::SEARCH_CUSTOMERS),
        },
        ChannelSpec {
            subject: names::STORES_STORE_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::stores::STORE_CREATED,
                    proto: "storespb.StoreCreated",
                    summary: "Caches the store's name.",
                },
                MessageRef {
                    name: names::stores::STORE_REBRANDED,
                    proto: "storespb.StoreRebranded",
                    summary: "Renames the cached store.",
                },
            ],
            durable: Some(durables::SEARCH_STORES),
        },
        ChannelSpec {
            subject: names::STORES_PRODUCT_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::stores::PRODUCT_ADDED,
                    proto: "storespb.ProductAdded",
                    summary: "Caches the product's name.",
                },
                MessageRef {
                    name: names::stores::PRODUCT_REBRANDED,
                    proto: "storespb.ProductRebranded",
                    summary: "Renames the cached product.",
                },
            ],
            durable: Some(durables::SEARCH_PRODUCTS),
        },
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::ordering::ORDER_CREATED,
                    proto: "orderingpb.OrderCreated",
                    summary: "Adds the order, with customer, store and product names, to the read model.",
                },
                MessageRef {
                    name: names::ordering::ORDER_APPROVED,
                    proto: "orderingpb.OrderApproved",
                    summary: "Sets the order's status to Approved.",
                },
                MessageRef {
                    name: names::ordering::ORDER_REJECTED,
                    proto: "orderingpb.OrderRejected",
                    summary: "Sets the order's status to Rejected.",
                },
                MessageRef {
                    name: names::ordering::ORDER_READIED,
                    proto: "orderingpb.OrderReadied",
                    summary: "Sets the order's status to Ready For Pickup.",
                },
                MessageRef {
                    name: names::ordering::ORDER_CANCELED,
                    proto: "orderingpb.OrderCanceled",
                    summary: "Sets the order's status to Canceled.",
                },
                MessageRef {
                    name: names::ordering::ORDER_COMPLETED,
                    proto: "orderingpb.OrderCompleted",
                    summary: "Sets the order's status to Completed.",
                },
            ],
            durable: Some(durables::SEARCH_ORDERS),
        },
    ],
};

/// The search bounded context.
pub struct SearchModule;

#[async_trait::async_trait]
impl service::Module for SearchModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let owners = Arc::new(grpc::OwnerClients::new(&rt.rpc_address("CUSTOMERS"), &rt.rpc_address("STORES"))?);
        let app = Arc::new(Application::new(&db, owners));

        let api = grpc::SearchGrpc::new(app.clone());
        rt.grpc(SearchServiceServer::new(api.clone()));
        rt.routes(rest::router(api));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        let caches = || inbox.handler(handlers::CacheEventHandler::new(app.clone()));
        use handlers::{CUSTOMER_EVENTS, PRODUCT_EVENTS, STORE_EVENTS};
        rt.subscribe(MODULE, names::CUSTOMERS_CUSTOMER_EVENTS, durables::SEARCH_CUSTOMERS, CUSTOMER_EVENTS, caches())
            .await?;
        rt.subscribe(MODULE, names::STORES_STORE_EVENTS, durables::SEARCH_STORES, STORE_EVENTS, caches()).await?;
        rt.subscribe(MODULE, names::STORES_PRODUCT_EVENTS, durables::SEARCH_PRODUCTS, PRODUCT_EVENTS, caches()).await?;
        rt.subscribe(
            MODULE,
            names::ORDERING_ORDER_EVENTS,
            durables::SEARCH_ORDERS,
            handlers::ORDER_EVENTS,
            Arc::new(handlers::OrderEventHandler::new(app, &db, inbox.clone())),
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

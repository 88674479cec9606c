//! Depot Operations: the shopping lists bots pick orders from. Owns the `shopping_lists` table (one list per order,
//! stops per store with names and locations), the `stores_cache` / `products_cache` tables fed by the stores
//! context's events (with a gRPC fallback to the stores service on a miss), the `depotpb.DepotService` gRPC API
//! and its REST gateway (`/api/depot/shopping…`), `depotapi.ShoppingListCompleted` on `depot.events.ShoppingList`,
//! the answers to the saga's depot commands, and the simulated bot fleet.
//!
//! Invariants:
//! - an order has at most one shopping list (unique `order_id`); creating it again answers with the existing id;
//!   a product named twice is picked once with the quantities added up;
//! - status machine: pending → available (`InitiateShoppingCommand`) → assigned (a bot or `PUT …/assign`) →
//!   completed (`PUT …/complete` or the bot, publishing `ShoppingListCompleted` in the same transaction);
//!   canceled from any state but completed (by the saga or a canceled order);
//! - a list is assigned to one bot at most: bots claim with a conditional update on the status; every other
//!   change names the version it read (`UPDATE … WHERE version = $n`) and is retried, then 409 (code 10);
//! - a bot's claim is a lease (renewed at every stop): a list whose fleet claim lapsed — its process died — goes
//!   back to `available` and is completed by another bot exactly once; lists assigned through REST are never taken;
//! - every command and event is handled once (inbox), its effects and its reply in the same transaction; a
//!   business refusal is a FAILURE reply, never a handler error.

mod application;
mod bots;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::depotpb::depot_service_server::DepotServiceServer;
use contracts::names;
use database::Migration;
use service::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Operation};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "depot";

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "shopping lists and caches",
        sql: include_str!("../migrations/001_shopping_lists_and_caches.sql"),
    },
    Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
    Migration { version: 3, description: "bot claim leases", sql: include_str!("../migrations/003_bot_claims.sql") },
];

/// What depot sends and receives, served at `/depot-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Depot Operations",
    channels: &[
        ChannelSpec {
            subject: names::DEPOT_SHOPPING_LIST_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: names::depot::SHOPPING_LIST_COMPLETED,
                proto: "depotpb.ShoppingListCompleted",
                summary: "A bot finished an order's shopping list (ordering readies the order).",
            }],
            durable: None,
        },
        ChannelSpec {
            subject: names::DEPOT_COMMANDS,
            operation: Operation::Receive,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: names::depot::CREATE_SHOPPING_LIST,
                    proto: "depotpb.CreateShoppingList",
                    summary: "Creates the order's shopping list; replies depotapi.CreatedShoppingListReply.",
                },
                MessageRef {
                    name: names::depot::CANCEL_SHOPPING_LIST,
                    proto: "depotpb.CancelShoppingList",
                    summary: "Cancels a shopping list (saga compensation).",
                },
                MessageRef {
                    name: names::depot::INITIATE_SHOPPING,
                    proto: "depotpb.InitiateShopping",
                    summary: "Makes the shopping list available to the bots.",
                },
            ],
            durable: Some(names::durables::DEPOT_COMMANDS),
        },
        ChannelSpec {
            subject: names::COSEC_CREATE_ORDER_REPLIES,
            operation: Operation::Send,
            kind: MessageKind::Reply,
            messages: &[
                MessageRef {
                    name: names::depot::CREATED_SHOPPING_LIST,
                    proto: "depotpb.CreatedShoppingList",
                    summary: "The reply to depotapi.CreateShoppingListCommand, with the new list's id.",
                },
                GENERIC_REPLIES[0],
                GENERIC_REPLIES[1],
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::STORES_STORE_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::stores::STORE_CREATED,
                    proto: "storespb.StoreCreated",
                    summary: "Caches the store's name and location.",
                },
                MessageRef {
                    name: names::stores::STORE_REBRANDED,
                    proto: "storespb.StoreRebranded",
                    summary: "Renames the cached store.",
                },
            ],
            durable: Some(names::durables::DEPOT_STORES),
        },
        ChannelSpec {
            subject: names::STORES_PRODUCT_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::stores::PRODUCT_ADDED,
                    proto: "storespb.ProductAdded",
                    summary: "Caches the product (store, name).",
                },
                MessageRef {
                    name: names::stores::PRODUCT_REBRANDED,
                    proto: "storespb.ProductRebranded",
                    summary: "Renames the cached product.",
                },
                MessageRef {
                    name: names::stores::PRODUCT_REMOVED,
                    proto: "storespb.ProductRemoved",
                    summary: "Drops the product from the cache.",
                },
            ],
            durable: Some(names::durables::DEPOT_PRODUCTS),
        },
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: names::ordering::ORDER_CANCELED,
                proto: "orderingpb.OrderCanceled",
                summary: "Cancels the order's shopping list.",
            }],
            durable: Some(names::durables::DEPOT_ORDERS),
        },
    ],
};

/// The depot bounded context.
pub struct DepotModule;

#[async_trait::async_trait]
impl service::Module for DepotModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let outbox = rt.outbox(MODULE)?;
        let stores = Arc::new(grpc::StoresClient::new(&rt.rpc_address("STORES"))?);
        let app = Arc::new(application::Application::new(&db, outbox.clone(), stores));

        let api = grpc::DepotGrpc::new(app.clone());
        rt.grpc(DepotServiceServer::new(api.clone()));
        rt.routes(rest::router(api));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::DEPOT_COMMANDS,
            names::durables::DEPOT_COMMANDS,
            &[names::depot::CREATE_SHOPPING_LIST, names::depot::CANCEL_SHOPPING_LIST, names::depot::INITIATE_SHOPPING],
            Arc::new(handlers::CommandHandler::new(app.clone(), outbox, inbox.clone(), db.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::STORES_STORE_EVENTS,
            names::durables::DEPOT_STORES,
            &[names::stores::STORE_CREATED, names::stores::STORE_REBRANDED],
            inbox.handler(handlers::StoreEventHandler::new(app.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::STORES_PRODUCT_EVENTS,
            names::durables::DEPOT_PRODUCTS,
            &[names::stores::PRODUCT_ADDED, names::stores::PRODUCT_REBRANDED, names::stores::PRODUCT_REMOVED],
            inbox.handler(handlers::ProductEventHandler::new(app.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::ORDERING_ORDER_EVENTS,
            names::durables::DEPOT_ORDERS,
            &[names::ordering::ORDER_CANCELED],
            inbox.handler(handlers::OrderEventHandler::new(app.clone())),
        )
        .await?;

        let bots = rt.config().bots;
        if bots > 0 {
            let fleet = Arc::new(bots::BotFleet::new(app, rt.config().bot_pace()));
            for n in 1..=bots {
                let bot_id = format!("bot-{n}-{}", ddd::new_id());
                rt.spawn(fleet.clone().run(bot_id, rt.shutdown_token()));
            }
            tracing::info!(bots, pace = ?rt.config().bot_pace(), "depot bots started");
        }
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

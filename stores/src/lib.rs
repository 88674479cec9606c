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
mod asyncapi;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::storespb::stores_service_server::StoresServiceServer;
use database::Migration;
use eventsourcing::SnapshotPolicy;

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
        let policy = match rt.config().snapshot_every {
            0 => SnapshotPolicy::Never,
            n => SnapshotPolicy::Every(n),
        };
        let outbox = rt.outbox(MODULE)?;
        let app = Arc::new(Application::new(rt.db(), MODULE, policy, outbox));
        let server = StoresServer::new(app);
        rt.grpc(StoresServiceServer::new(server.clone()));
        rt.routes(rest::routes(server));
        let stream = rt.config().nats_stream.clone();
        rt.routes(asyncapi::routes(&stream));
        rt.api_spec(rest::API_SPEC);
        Ok(())
    }
}

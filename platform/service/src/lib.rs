//! The process shell every module runs in: typed configuration, the database and broker connections, the axum
//! (REST) and tonic (gRPC) servers, health and metrics endpoints, logging, and graceful shutdown.
//!
//! A bounded context implements [`Module`]; `mallbots serve` hands the modules it was asked to run to [`start`],
//! which migrates, lets each module register its routes, services, consumers and background loops on the
//! [`Runtime`], and serves until SIGINT/SIGTERM.

mod config;
mod edge;
mod process;
mod request_metrics;
pub mod rest;
pub mod rpc_client;
mod runtime;
pub mod telemetry;

pub use config::{Config, RpcServices, parse_duration};
pub use edge::{error_response, http_status, internal, status_from};
pub use process::{RunningApp, migrate, start, wait_for_signal};
pub use runtime::{Module, Runtime};

pub use database::{Database, Migration, Transaction};
pub use messaging::{Message, Outbox, Stream};
pub use tonic::Status;
mod asyncapi;
mod docs;
mod schema;
pub(crate) use asyncapi::asyncapi_routes;
pub use asyncapi::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Operation, asyncapi_document};
pub(crate) use docs::docs_routes;
pub use docs::openapi_document;
pub use runtime::{ApiDocument, ApiSpec, INBOX_RETENTION, RestRoute};

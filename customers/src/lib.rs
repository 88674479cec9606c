//! Customers: who may shop. Owns the `customers` table (a CRUD aggregate, `customers.CustomerAggregate`), the
//! `customerspb.CustomersService` gRPC API and its REST gateway (`/api/customers…`), the integration events on
//! `customers.events.Customer`, and the answer to the saga's `customersapi.AuthorizeCustomer` command.
//!
//! Invariants:
//! - a customer is registered with a server-generated id, a non-blank name and SMS number, and starts enabled;
//! - only an enabled customer is authorized; enabling an enabled (disabling a disabled) customer is refused;
//! - every change names the version it read (`UPDATE … WHERE version = $n`): a concurrent writer makes it retry,
//!   never overwrites it; after the retries the caller gets 409 (code 10);
//! - every change writes its integration event to the outbox in the same transaction;
//! - an `AuthorizeCustomer` command is answered exactly once (inbox), with `am.Failure` for an unknown or
//!   disabled customer.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::customerspb::customers_service_server::CustomersServiceServer;
use contracts::names;
use service::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Operation};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "customers";

/// The tables of the module, in order.
const MIGRATIONS: &[database::Migration] = &[
    database::Migration {
        version: 1,
        description: "customers table",
        sql: include_str!("../migrations/001_create_customers.sql"),
    },
    database::Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
];

/// What customers sends and receives, served at `/customers-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Customers",
    channels: &[
        ChannelSpec {
            subject: names::CUSTOMERS_CUSTOMER_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::customers::CUSTOMER_REGISTERED,
                    proto: "customerspb.CustomerRegistered",
                    summary: "A customer registered (name and SMS number).",
                },
                MessageRef {
                    name: names::customers::CUSTOMER_SMS_CHANGED,
                    proto: "customerspb.CustomerSmsChanged",
                    summary: "A customer's SMS number changed.",
                },
                MessageRef {
                    name: names::customers::CUSTOMER_ENABLED,
                    proto: "customerspb.CustomerEnabled",
                    summary: "A customer was enabled.",
                },
                MessageRef {
                    name: names::customers::CUSTOMER_DISABLED,
                    proto: "customerspb.CustomerDisabled",
                    summary: "A customer was disabled.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::CUSTOMERS_COMMANDS,
            operation: Operation::Receive,
            kind: MessageKind::Command,
            messages: &[MessageRef {
                name: names::customers::AUTHORIZE_CUSTOMER,
                proto: "customerspb.AuthorizeCustomer",
                summary: "Succeeds when the customer exists and is enabled.",
            }],
            durable: Some(names::durables::CUSTOMER_COMMANDS),
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

/// The customers bounded context.
pub struct CustomersModule;

#[async_trait::async_trait]
impl service::Module for CustomersModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [database::Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let outbox = rt.outbox(MODULE)?;
        let registered =
            prometheus::IntCounter::new("customers_registered_count", "The total number of customers registered")?;
        rt.registry().register(Box::new(registered.clone()))?;
        let app = Arc::new(application::Application::new(&db, outbox.clone(), registered));

        let api = grpc::CustomersGrpc::new(app.clone());
        rt.grpc(CustomersServiceServer::new(api.clone()));
        rt.routes(rest::router(api));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::CUSTOMERS_COMMANDS,
            names::durables::CUSTOMER_COMMANDS,
            &[names::customers::AUTHORIZE_CUSTOMER],
            inbox.handler(handlers::CommandHandler::new(app, outbox)),
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

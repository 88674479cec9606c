//! Notifications: texting customers about their orders.
//!
//! What this context owns:
//! - `notifications.customers_cache (id, name, sms_number)`, fed by `customersapi.CustomerRegistered` and
//!   `customersapi.CustomerSmsChanged` (durable `notification-customers`); on a miss the customers module is asked
//!   (`customerspb.CustomersService/GetCustomer` at `RPC_SERVICES` `CUSTOMERS`, one reused lazily connected
//!   channel, 2 s timeout) and the answer is cached;
//! - `notifications.notifications (id, customer_id, order_id, kind, sms_number, text, sent_at)`: every SMS sent;
//! - the `SmsSender` port: by default an SMS is only recorded in that table and logged; with `SMS_WEBHOOK_URL` set
//!   it is also POSTed as JSON `{"id", "to", "text", "orderId", "customerId", "kind"}` (any non-2xx answer or a
//!   timeout after 5 s fails the send, and the message is retried);
//! - the gRPC service `notificationspb.NotificationsService` (`NotifyOrderCreated|Canceled|Ready {order_id,
//!   customer_id}` → `{}`): sends that SMS now (400 for a blank id, 404 "customer not found").
//!
//! Order events (durable `notification-orders`): `ordersapi.OrderCreated`, `OrderApproved`, `OrderRejected`,
//! `OrderReadied` (with the amount due), `OrderCanceled`, `OrderCompleted` each send one SMS of kind `created`,
//! `approved`, `rejected`, `ready`, `canceled`, `completed`.
//!
//! REST (an addition; the original had no gateway for this module):
//! `GET /api/notifications/customers/{customerId}` →
//! `{"notifications": [{"id", "orderId", "kind", "smsNumber", "text", "sentAt"}]}` (oldest first, `sentAt` in
//! RFC 3339); 404 `{"code": 5, "message": "customer not found", "details": []}` for a customer that neither this
//! context nor the customers module knows.
//!
//! Invariants:
//! - one SMS per order event, however often the message is delivered: the SMS id is the message id, and the inbox
//!   row, the SMS record and the send share one transaction (a failed send leaves no trace and is retried);
//! - no write transaction is held while the customers module is asked;
//! - an order event of a customer nobody knows is acknowledged without an SMS.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod sms;
mod store;

use std::sync::Arc;

use contracts::names;
use contracts::notificationspb::notifications_service_server::NotificationsServiceServer;
use database::Migration;
use service::{ChannelSpec, MessageKind, MessageRef, MessageSpec, Operation};

use crate::application::{Application, SmsSender};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "notifications";

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
    Migration {
        version: 2,
        description: "customers cache and notifications",
        sql: include_str!("../migrations/002_customers_cache_and_notifications.sql"),
    },
];

/// What notifications receives (it sends nothing), served at `/notifications-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Notifications",
    channels: &[
        ChannelSpec {
            subject: names::CUSTOMERS_CUSTOMER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::customers::CUSTOMER_REGISTERED,
                    proto: "customerspb.CustomerRegistered",
                    summary: "Caches the customer's name and SMS number.",
                },
                MessageRef {
                    name: names::customers::CUSTOMER_SMS_CHANGED,
                    proto: "customerspb.CustomerSmsChanged",
                    summary: "Updates the cached SMS number.",
                },
            ],
            durable: Some(names::durables::NOTIFICATION_CUSTOMERS),
        },
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::ordering::ORDER_CREATED,
                    proto: "orderingpb.OrderCreated",
                    summary: "Texts the customer that the order was received.",
                },
                MessageRef {
                    name: names::ordering::ORDER_APPROVED,
                    proto: "orderingpb.OrderApproved",
                    summary: "Texts the customer that the order was approved.",
                },
                MessageRef {
                    name: names::ordering::ORDER_REJECTED,
                    proto: "orderingpb.OrderRejected",
                    summary: "Texts the customer that the order was rejected.",
                },
                MessageRef {
                    name: names::ordering::ORDER_READIED,
                    proto: "orderingpb.OrderReadied",
                    summary: "Texts the customer that the order is ready for pickup, with its total.",
                },
                MessageRef {
                    name: names::ordering::ORDER_CANCELED,
                    proto: "orderingpb.OrderCanceled",
                    summary: "Texts the customer that the order was canceled.",
                },
                MessageRef {
                    name: names::ordering::ORDER_COMPLETED,
                    proto: "orderingpb.OrderCompleted",
                    summary: "Texts the customer that the order is complete.",
                },
            ],
            durable: Some(names::durables::NOTIFICATION_ORDERS),
        },
    ],
};

/// The notifications bounded context.
pub struct NotificationsModule;

#[async_trait::async_trait]
impl service::Module for NotificationsModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let sender: Arc<dyn SmsSender> = match rt.config().sms_webhook_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => Arc::new(sms::WebhookSmsSender::new(url)?),
            _ => Arc::new(sms::LogSmsSender),
        };
        let directory = Arc::new(grpc::CustomersClient::new(&rt.rpc_address("CUSTOMERS"))?);
        let sent = prometheus::IntCounterVec::new(
            prometheus::Opts::new("notifications_sms_sent_count", "The total number of SMS sent by notifications"),
            &["kind"],
        )?;
        rt.registry().register(Box::new(sent.clone()))?;
        let app = Arc::new(Application::new(&db, directory, sender, sent));

        rt.grpc(NotificationsServiceServer::new(grpc::NotificationsGrpc::new(app.clone())));
        rt.routes(rest::router(app.clone()));
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::CUSTOMERS_CUSTOMER_EVENTS,
            names::durables::NOTIFICATION_CUSTOMERS,
            &[names::customers::CUSTOMER_REGISTERED, names::customers::CUSTOMER_SMS_CHANGED],
            inbox.handler(handlers::CustomerEventHandler::new(app.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::ORDERING_ORDER_EVENTS,
            names::durables::NOTIFICATION_ORDERS,
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

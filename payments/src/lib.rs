//! Payments: the money side of an order. Owns the `payments` table (pre-authorized payments, in cents, each
//! confirmed for at most one order) and the `invoices` table (one per readied order, id = order id), the
//! `paymentspb.PaymentsService` gRPC API and its REST gateway (`/api/payments…`), `paymentsapi.InvoicePaid` on
//! `payments.events.Invoice`, and the answers to the saga's `paymentsapi.ConfirmPayment` / `paymentsapi.VoidPayment`.
//!
//! Invariants:
//! - money is integer cents inside; the wire's `double` dollars are converted at the edge (nearest cent), so a
//!   payment of 3.30 covers 3 × 1.10;
//! - a payment is authorized with a non-blank customer and a positive amount; it is confirmed only for its own
//!   customer, for an order total it covers, and for one order ever (confirming again for that order succeeds);
//!   a voided payment stays voided and cannot be confirmed;
//! - an invoice is paid once, only while pending (publishing `paymentsapi.InvoicePaid` in the same transaction);
//!   a canceled order cancels its pending invoice and voids the payment confirmed for it;
//! - every change names the version it read (`UPDATE … WHERE version = $n`): a concurrent writer makes it retry,
//!   never overwrites it; after the retries the caller gets 409 (code 10);
//! - every command and event is handled once (inbox), its effects and its reply in the same transaction; a
//!   business refusal is an `am.Failure` reply, never a handler error.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;
mod store;

use std::sync::Arc;

use contracts::names;
use contracts::paymentspb::payments_service_server::PaymentsServiceServer;
use database::Migration;
use service::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Operation};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "payments";

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "payments and invoices",
        sql: include_str!("../migrations/001_payments_and_invoices.sql"),
    },
    Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
];

/// What payments sends and receives, served at `/payments-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Payments",
    channels: &[
        ChannelSpec {
            subject: names::PAYMENTS_INVOICE_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: names::payments::INVOICE_PAID,
                proto: "paymentspb.InvoicePaid",
                summary: "An order's invoice was paid (ordering completes the order).",
            }],
            durable: None,
        },
        ChannelSpec {
            subject: names::PAYMENTS_COMMANDS,
            operation: Operation::Receive,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: names::payments::CONFIRM_PAYMENT,
                    proto: "paymentspb.ConfirmPayment",
                    summary: "Confirms the authorized payment for the order and amount.",
                },
                MessageRef {
                    name: names::payments::VOID_PAYMENT,
                    proto: "paymentspb.VoidPayment",
                    summary: "Voids a confirmed payment (saga compensation).",
                },
            ],
            durable: Some(names::durables::PAYMENT_COMMANDS),
        },
        ChannelSpec {
            subject: names::COSEC_CREATE_ORDER_REPLIES,
            operation: Operation::Send,
            kind: MessageKind::Reply,
            messages: GENERIC_REPLIES,
            durable: None,
        },
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: names::ordering::ORDER_READIED,
                    proto: "orderingpb.OrderReadied",
                    summary: "Creates the order's invoice for its total.",
                },
                MessageRef {
                    name: names::ordering::ORDER_CANCELED,
                    proto: "orderingpb.OrderCanceled",
                    summary: "Cancels the order's pending invoices and voids the payment confirmed for it.",
                },
            ],
            durable: Some(names::durables::PAYMENT_ORDERS),
        },
    ],
};

/// The payments bounded context.
pub struct PaymentsModule;

#[async_trait::async_trait]
impl service::Module for PaymentsModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut service::Runtime) -> anyhow::Result<()> {
        let db = rt.db().clone();
        let outbox = rt.outbox(MODULE)?;
        let app = Arc::new(application::Application::new(&db, outbox.clone()));

        let api = grpc::PaymentsGrpc::new(app.clone());
        rt.grpc(PaymentsServiceServer::new(api.clone()));
        rt.routes(rest::router(api));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::PAYMENTS_COMMANDS,
            names::durables::PAYMENT_COMMANDS,
            &[names::payments::CONFIRM_PAYMENT, names::payments::VOID_PAYMENT],
            inbox.handler(handlers::CommandHandler::new(app.clone(), outbox)),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::ORDERING_ORDER_EVENTS,
            names::durables::PAYMENT_ORDERS,
            &[names::ordering::ORDER_READIED, names::ordering::ORDER_CANCELED],
            inbox.handler(handlers::OrderEventHandler::new(app)),
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

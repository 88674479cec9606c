//! Order Processing: the orders of the mall, from checkout through the create-order saga to pickup.
//!
//! What this context owns:
//! - the event-sourced aggregate `ordering.Order` (snapshot `ordering.OrderV1`) in `ordering.events` /
//!   `ordering.snapshots`; statuses `pending`, `rejected`, `approved`, `ready`, `completed`, `cancelled`;
//! - the integration events `ordersapi.OrderCreated`, `OrderApproved`, `OrderRejected`, `OrderReadied`,
//!   `OrderCanceled`, `OrderCompleted` on `<stream>.ordering.events.Order`, written to `ordering.outbox` in the
//!   transaction of the append;
//! - the answers to the saga's `ordersapi.ApproveOrder` / `ordersapi.RejectOrder` (durable `ordering-commands`);
//! - the consumers of `basketsapi.BasketCheckedOut` (`ordering-baskets`: the order, id = basket id),
//!   `depotapi.ShoppingListCompleted` (`ordering-depot`: ready) and `paymentsapi.InvoicePaid`
//!   (`ordering-payments`: completed);
//! - the gRPC service `orderingpb.OrderingService` and its REST gateway under `/api/ordering`.
//!
//! Invariants:
//! - one order per checked-out basket, however often the checkout is delivered;
//! - an order moves pending → approved → ready → completed; it is rejected only by the saga (pending, or approved
//!   when the saga compensates) and cancelled only by the customer before it is ready; a repeated step is a no-op;
//! - every status change publishes its integration event exactly once, in the transaction of the change;
//! - a shopping list completed before the approval is handled (a fast bot, an approval delayed by a crash) is
//!   remembered (`ordering.OrderShoppingCompleted`, never published) and the approval then readies the order;
//! - every saga command gets exactly one reply (inbox), `am.Failure` when the order refuses or does not exist;
//! - a command on an order that has no events answers "order not found" and creates nothing;
//! - money is integer cents inside (the total is exact); stored events keep the original's Go field names and
//!   dollar amounts with the exact `PriceCents` / `TotalCents` beside them.

mod application;
mod domain;
mod grpc;
mod handlers;
mod rest;

use std::sync::Arc;

use contracts::names::{
    self, baskets as baskets_msg, depot as depot_msg, ordering as ordering_msg, payments as payments_msg,
};
use contracts::orderingpb::ordering_service_server::OrderingServiceServer;
use database::Migration;
use eventsourcing::SnapshotPolicy;
use service::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Operation};

use crate::application::Application;
use crate::grpc::OrderingServer;
use crate::handlers::{CheckoutHandler, CommandHandler, InvoicePaidHandler, ShoppingListCompletedHandler};

/// The module name: schema, metrics prefix, `MODULES` entry.
const MODULE: &str = "ordering";

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "event store and snapshots", sql: eventsourcing::TABLES_SQL },
    Migration { version: 2, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL },
];

/// What ordering sends and receives, served at `/ordering-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Order Processing",
    channels: &[
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Send,
            kind: MessageKind::Event,
            messages: &[
                MessageRef {
                    name: ordering_msg::ORDER_CREATED,
                    proto: "orderingpb.OrderCreated",
                    summary: "An order was created from a checked-out basket (starts the create-order saga).",
                },
                MessageRef {
                    name: ordering_msg::ORDER_REJECTED,
                    proto: "orderingpb.OrderRejected",
                    summary: "The create-order saga rejected the order.",
                },
                MessageRef {
                    name: ordering_msg::ORDER_APPROVED,
                    proto: "orderingpb.OrderApproved",
                    summary: "The create-order saga approved the order (shopping list created, payment confirmed).",
                },
                MessageRef {
                    name: ordering_msg::ORDER_READIED,
                    proto: "orderingpb.OrderReadied",
                    summary: "The order's shopping is done; total in dollars (payments invoices it).",
                },
                MessageRef {
                    name: ordering_msg::ORDER_CANCELED,
                    proto: "orderingpb.OrderCanceled",
                    summary: "The order was canceled.",
                },
                MessageRef {
                    name: ordering_msg::ORDER_COMPLETED,
                    proto: "orderingpb.OrderCompleted",
                    summary: "The order's invoice was paid.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::ORDERING_COMMANDS,
            operation: Operation::Receive,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: ordering_msg::REJECT_ORDER,
                    proto: "orderingpb.RejectOrder",
                    summary: "Rejects the order (saga compensation).",
                },
                MessageRef {
                    name: ordering_msg::APPROVE_ORDER,
                    proto: "orderingpb.ApproveOrder",
                    summary: "Approves the order and records its shopping list id.",
                },
            ],
            durable: Some(names::durables::ORDERING_COMMANDS),
        },
        ChannelSpec {
            subject: names::COSEC_CREATE_ORDER_REPLIES,
            operation: Operation::Send,
            kind: MessageKind::Reply,
            messages: GENERIC_REPLIES,
            durable: None,
        },
        ChannelSpec {
            subject: names::BASKETS_BASKET_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: baskets_msg::BASKET_CHECKED_OUT,
                proto: "basketspb.BasketCheckedOut",
                summary: "Creates the order (its id is the basket id).",
            }],
            durable: Some(names::durables::ORDERING_BASKETS),
        },
        ChannelSpec {
            subject: names::DEPOT_SHOPPING_LIST_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: depot_msg::SHOPPING_LIST_COMPLETED,
                proto: "depotpb.ShoppingListCompleted",
                summary: "Readies the order.",
            }],
            durable: Some(names::durables::ORDERING_DEPOT),
        },
        ChannelSpec {
            subject: names::PAYMENTS_INVOICE_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: payments_msg::INVOICE_PAID,
                proto: "paymentspb.InvoicePaid",
                summary: "Completes the order.",
            }],
            durable: Some(names::durables::ORDERING_PAYMENTS),
        },
    ],
};

/// The ordering bounded context.
pub struct OrderingModule;

#[async_trait::async_trait]
impl service::Module for OrderingModule {
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
        let app = Arc::new(Application::new(&db, MODULE, policy, outbox.clone()));

        let server = OrderingServer::new(app.clone());
        rt.grpc(OrderingServiceServer::new(server.clone()));
        rt.routes(rest::routes(server));
        rt.api_spec(rest::API_SPEC);
        rt.message_spec(MESSAGES);

        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::BASKETS_BASKET_EVENTS,
            names::durables::ORDERING_BASKETS,
            &[baskets_msg::BASKET_CHECKED_OUT],
            inbox.handler(CheckoutHandler::new(app.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::ORDERING_COMMANDS,
            names::durables::ORDERING_COMMANDS,
            &[ordering_msg::REJECT_ORDER, ordering_msg::APPROVE_ORDER],
            inbox.handler(CommandHandler::new(app.clone(), outbox)),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::DEPOT_SHOPPING_LIST_EVENTS,
            names::durables::ORDERING_DEPOT,
            &[depot_msg::SHOPPING_LIST_COMPLETED],
            inbox.handler(ShoppingListCompletedHandler::new(app.clone())),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::PAYMENTS_INVOICE_EVENTS,
            names::durables::ORDERING_PAYMENTS,
            &[payments_msg::INVOICE_PAID],
            inbox.handler(InvoicePaidHandler::new(app)),
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

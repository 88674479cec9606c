//! cosec — the Create Order Saga Execution Coordinator. It owns no business data, only the state of each
//! `cosec.CreateOrder` saga (saga id = order id), which orchestrates customers, depot, payments and ordering:
//!
//! | # | action | on reply | compensation |
//! |---|---|---|---|
//! | 0 | — | — | `ordersapi.RejectOrder` |
//! | 1 | `customersapi.AuthorizeCustomer` | — | — |
//! | 2 | `depotapi.CreateShoppingListCommand` | keep the shopping list id | `depotapi.CancelShoppingListCommand` |
//! | 3 | `paymentsapi.ConfirmPayment` (owner, amount, single use) | — | `paymentsapi.VoidPayment` |
//! | 4 | `depotapi.InitiateShoppingCommand` | — | — |
//! | 5 | `ordersapi.ApproveOrder` | — | — |
//!
//! It starts a saga on `ordersapi.OrderCreated` (durable `cosec-ordering`), consumes every reply on
//! `mallbots.cosec.replies.CreateOrder` (durable `cosec-replies`), and shows a saga at `GET /api/cosec/sagas/{orderId}`.

mod rest;
mod saga_definition;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use contracts::names;
use database::{Migration, Transaction};
use messaging::{HandlerError, Message, TxMessageHandler};
use saga::{Orchestrator, SagaMetrics};
use service::{ChannelSpec, GENERIC_REPLIES, MessageKind, MessageRef, MessageSpec, Module, Operation, Runtime};

use crate::saga_definition::{CreateOrderData, create_order_saga};

const MODULE: &str = "cosec";

static MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "inbox and outbox", sql: messaging::MODULE_TABLES_SQL },
    Migration { version: 2, description: "sagas", sql: saga::TABLES_SQL },
];

/// What the create-order saga sends and receives, served at `/cosec-asyncapi/`.
const MESSAGES: MessageSpec = MessageSpec {
    module: MODULE,
    title: "Create Order Saga",
    channels: &[
        ChannelSpec {
            subject: names::CUSTOMERS_COMMANDS,
            operation: Operation::Send,
            kind: MessageKind::Command,
            messages: &[MessageRef {
                name: names::customers::AUTHORIZE_CUSTOMER,
                proto: "customerspb.AuthorizeCustomer",
                summary: "Step authorizeCustomer: may this customer order?",
            }],
            durable: None,
        },
        ChannelSpec {
            subject: names::DEPOT_COMMANDS,
            operation: Operation::Send,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: names::depot::CREATE_SHOPPING_LIST,
                    proto: "depotpb.CreateShoppingList",
                    summary: "Step createShoppingList: the order's items to fetch.",
                },
                MessageRef {
                    name: names::depot::CANCEL_SHOPPING_LIST,
                    proto: "depotpb.CancelShoppingList",
                    summary: "Compensation of createShoppingList.",
                },
                MessageRef {
                    name: names::depot::INITIATE_SHOPPING,
                    proto: "depotpb.InitiateShopping",
                    summary: "Step initiateShopping: hand the list to the bots.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::PAYMENTS_COMMANDS,
            operation: Operation::Send,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: names::payments::CONFIRM_PAYMENT,
                    proto: "paymentspb.ConfirmPayment",
                    summary: "Step confirmPayment: the order's total against its payment.",
                },
                MessageRef {
                    name: names::payments::VOID_PAYMENT,
                    proto: "paymentspb.VoidPayment",
                    summary: "Compensation of confirmPayment.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::ORDERING_COMMANDS,
            operation: Operation::Send,
            kind: MessageKind::Command,
            messages: &[
                MessageRef {
                    name: names::ordering::REJECT_ORDER,
                    proto: "orderingpb.RejectOrder",
                    summary: "Compensation of the first step: the saga failed.",
                },
                MessageRef {
                    name: names::ordering::APPROVE_ORDER,
                    proto: "orderingpb.ApproveOrder",
                    summary: "Last step approveOrder: every step succeeded.",
                },
            ],
            durable: None,
        },
        ChannelSpec {
            subject: names::ORDERING_ORDER_EVENTS,
            operation: Operation::Receive,
            kind: MessageKind::Event,
            messages: &[MessageRef {
                name: names::ordering::ORDER_CREATED,
                proto: "orderingpb.OrderCreated",
                summary: "Starts a create-order saga for the order.",
            }],
            durable: Some(names::durables::COSEC_ORDERING),
        },
        ChannelSpec {
            subject: names::COSEC_CREATE_ORDER_REPLIES,
            operation: Operation::Receive,
            kind: MessageKind::Reply,
            messages: &[
                GENERIC_REPLIES[0],
                GENERIC_REPLIES[1],
                MessageRef {
                    name: names::depot::CREATED_SHOPPING_LIST,
                    proto: "depotpb.CreatedShoppingList",
                    summary: "Keeps the shopping list id for approveOrder.",
                },
            ],
            durable: Some(names::durables::COSEC_REPLIES),
        },
    ],
};

/// The cosec bounded context.
pub struct CosecModule;

#[async_trait]
impl Module for CosecModule {
    fn name(&self) -> &'static str {
        MODULE
    }

    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }

    async fn start(&self, rt: &mut Runtime) -> anyhow::Result<()> {
        let outbox = rt.outbox(MODULE)?;
        let metrics = SagaMetrics::new(rt.registry(), MODULE)?;
        let stream_name = rt.stream().name().to_owned();
        let orchestrator = Orchestrator::new(create_order_saga(), rt.db(), MODULE, outbox, &stream_name, Some(metrics));
        let inbox = rt.inbox(MODULE);
        rt.subscribe(
            MODULE,
            names::ORDERING_ORDER_EVENTS,
            names::durables::COSEC_ORDERING,
            &[names::ordering::ORDER_CREATED],
            inbox.handler(StartOnOrderCreated { orchestrator: orchestrator.clone() }),
        )
        .await?;
        rt.subscribe(
            MODULE,
            names::COSEC_CREATE_ORDER_REPLIES,
            names::durables::COSEC_REPLIES,
            &[],
            inbox.handler(Replies { orchestrator: orchestrator.clone() }),
        )
        .await?;
        let shutdown = rt.shutdown_token();
        rt.spawn(orchestrator.clone().run_timeouts(Duration::from_millis(500), shutdown));
        rt.routes(rest::router(Arc::new(orchestrator)));
        rt.message_spec(MESSAGES);
        Ok(())
    }
}

struct StartOnOrderCreated {
    orchestrator: Orchestrator<CreateOrderData>,
}

#[async_trait]
impl TxMessageHandler for StartOnOrderCreated {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        let event: contracts::orderingpb::OrderCreated = message.decode().map_err(HandlerError::permanent)?;
        let id = event.id.clone();
        self.orchestrator.start(tx, &id, CreateOrderData::from_event(event)).await?;
        Ok(())
    }
}

struct Replies {
    orchestrator: Orchestrator<CreateOrderData>,
}

#[async_trait]
impl TxMessageHandler for Replies {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        self.orchestrator.handle_reply(tx, message).await?;
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

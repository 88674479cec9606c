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
use service::{Module, Runtime};

use crate::saga_definition::{CreateOrderData, create_order_saga};

const MODULE: &str = "cosec";

static MIGRATIONS: &[Migration] = &[
    Migration { version: 1, description: "inbox and outbox", sql: messaging::MODULE_TABLES_SQL },
    Migration { version: 2, description: "sagas", sql: saga::TABLES_SQL },
];

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

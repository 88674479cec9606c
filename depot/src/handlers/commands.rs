//! The `depot-commands` consumer: the saga's `CreateShoppingListCommand` (reply `depotapi.CreatedShoppingListReply
//! {id}`, SUCCESS or FAILURE with an empty id), `CancelShoppingListCommand` and `InitiateShoppingCommand` (replies
//! `am.Success` / `am.Failure`). Every command is idempotent by business key: a second creation for an order
//! answers with its list, canceling a canceled list and initiating an available one succeed. A refusal is an
//! answer committed with the inbox row; only infrastructure failures are handler errors, which the consumer retries.
//!
//! Unlike the other consumers this one opens its inbox transaction itself: the lines of a new list are resolved
//! first (cache misses ask the stores service), outside the transaction — see `Application::resolve_lines`.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::depotpb::{CancelShoppingList, CreateShoppingList, CreatedShoppingList, InitiateShopping};
use contracts::names;
use database::{Database, Transaction};
use messaging::{CommandOutcome, HandlerError, Inbox, Message, MessageHandler, Outbox, reply_to_command};
use prost::Message as _;

use crate::application::{Application, OrderLine};
use crate::domain::{DepotError, ListItem};

/// Runs depot commands, each in one transaction with its inbox row and its reply.
pub(crate) struct CommandHandler {
    app: Arc<Application>,
    outbox: Outbox,
    inbox: Inbox,
    db: Database,
}

impl CommandHandler {
    pub(crate) fn new(app: Arc<Application>, outbox: Outbox, inbox: Inbox, db: Database) -> Self {
        Self { app, outbox, inbox, db }
    }

    /// What the transaction needs to create a list: nothing when the order has one already.
    async fn prepare_creation(
        &self,
        command: &CreateShoppingList,
    ) -> Result<Result<Vec<ListItem>, DepotError>, HandlerError> {
        if self.app.list_for_order(&command.order_id).await.map_err(HandlerError::transient)?.is_some() {
            return Ok(Ok(Vec::new()));
        }
        let lines: Vec<OrderLine> = command
            .items
            .iter()
            .map(|i| OrderLine { product_id: i.product_id.clone(), store_id: i.store_id.clone(), quantity: i.quantity })
            .collect();
        Ok(self.app.resolve_lines(&lines).await)
    }

    async fn run(
        &self,
        tx: &mut Transaction,
        message: &Message,
        creation: Option<(CreateShoppingList, Result<Vec<ListItem>, DepotError>)>,
    ) -> Result<(), HandlerError> {
        let outcome = if let Some((command, items)) = creation {
            match self.app.create_shopping_list_in(tx, &command.order_id, items).await {
                Ok(id) => CommandOutcome::Success(created(id)),
                Err(err) if err.is_refusal() => {
                    tracing::info!(order_id = %command.order_id, reason = %err, "shopping list refused");
                    CommandOutcome::Failure(created(String::new()))
                }
                Err(err) => return Err(HandlerError::transient(err)),
            }
        } else {
            let result = match message.name.as_str() {
                names::depot::CANCEL_SHOPPING_LIST => {
                    let command: CancelShoppingList = message.decode().map_err(HandlerError::permanent)?;
                    self.app.cancel_shopping_list_in(tx, &command.id).await
                }
                names::depot::INITIATE_SHOPPING => {
                    let command: InitiateShopping = message.decode().map_err(HandlerError::permanent)?;
                    self.app.initiate_shopping_in(tx, &command.id).await
                }
                other => return Err(HandlerError::permanent(format!("depot cannot handle command {other}"))),
            };
            match result {
                Ok(()) => CommandOutcome::Success(None),
                Err(err) if err.is_refusal() => {
                    tracing::info!(command = %message.name, reason = %err, "depot command refused");
                    CommandOutcome::Failure(None)
                }
                Err(err) => return Err(HandlerError::transient(err)),
            }
        };
        reply_to_command(tx, &self.outbox, message, outcome).await
    }
}

fn created(id: String) -> Option<(String, Vec<u8>)> {
    Some((names::depot::CREATED_SHOPPING_LIST.to_owned(), CreatedShoppingList { id }.encode_to_vec()))
}

#[async_trait]
impl MessageHandler for CommandHandler {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError> {
        // Without a reply channel nobody can learn the outcome: no retry can fix that.
        if message.meta_str(names::COMMAND_REPLY_CHANNEL).is_none_or(|c| c.trim().is_empty()) {
            return Err(HandlerError::permanent(format!(
                "command {} ({}) has no {}",
                message.name,
                message.id,
                names::COMMAND_REPLY_CHANNEL
            )));
        }
        let creation = if message.name == names::depot::CREATE_SHOPPING_LIST {
            let command: CreateShoppingList = message.decode().map_err(HandlerError::permanent)?;
            let items = self.prepare_creation(&command).await?;
            Some((command, items))
        } else {
            None
        };
        let mut tx = self.db.begin().await?;
        if !self.inbox.record(&mut tx, message).await? {
            tracing::debug!(id = %message.id, name = %message.name, "duplicate command skipped");
            tx.rollback().await?;
            return Ok(());
        }
        match self.run(&mut tx, message, creation).await {
            Ok(()) => Ok(tx.commit().await?),
            Err(err) => {
                let _ = tx.rollback().await;
                Err(err)
            }
        }
    }
}

//! The use cases of the depot context, one method per command or query, and the port it needs (the owner of the
//! store and product data, asked on a cache miss). A command is one transaction: load, decide, store (expected
//! version), outbox, commit. Calls from the edge are retried whole when a concurrent writer won; the `*_in`
//! variants run inside a message handler's (inbox) transaction, whose consumer retries instead.

use std::sync::Arc;

use async_trait::async_trait;
use database::{Database, Transaction};
use eventsourcing::retry_on_conflict;
use messaging::Outbox;

use crate::domain::{DepotError, ListCommand, ListItem, ListStatus, ShoppingList};
use crate::handlers::publish_list_events;
use crate::store::{
    CachedProduct, CachedStore, ProductCache, ShoppingListTable, StoreCache, Versioned, storage, storage_db,
};

/// The owner of store and product data (the stores context), asked when the caches miss. `Ok(None)`: it does not
/// know the id; `Err`: it could not be asked.
#[async_trait]
pub(crate) trait StoresDirectory: Send + Sync + 'static {
    async fn store(&self, id: &str) -> Result<Option<CachedStore>, DepotError>;
    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, DepotError>;
}

/// An order line as the saga (or a client) names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderLine {
    pub(crate) product_id: String,
    pub(crate) store_id: String,
    pub(crate) quantity: i32,
}

/// How many available lists a bot looks at per claim attempt (others may take some in between).
const CLAIM_CANDIDATES: i64 = 8;

pub(crate) struct Application {
    db: Database,
    lists: ShoppingListTable,
    stores: StoreCache,
    products: ProductCache,
    directory: Arc<dyn StoresDirectory>,
    outbox: Outbox,
}

impl Application {
    pub(crate) fn new(db: &Database, outbox: Outbox, directory: Arc<dyn StoresDirectory>) -> Self {
        Self {
            db: db.clone(),
            lists: ShoppingListTable::new(db),
            stores: StoreCache::new(db),
            products: ProductCache::new(db),
            directory,
            outbox,
        }
    }

    // ---- shopping lists -------------------------------------------------------------------------------------

    /// Creates the order's shopping list, or returns the one it has.
    pub(crate) async fn create_shopping_list(&self, order_id: &str, lines: &[OrderLine]) -> Result<String, DepotError> {
        if order_id.trim().is_empty() {
            return Err(DepotError::BlankOrderId);
        }
        if let Some(id) = self.list_for_order(order_id).await? {
            return Ok(id);
        }
        let items = self.resolve_lines(lines).await?;
        let items = &items;
        retry_on_conflict(|| async move {
            let mut tx = self.begin().await?;
            let id = self.create_shopping_list_in(&mut tx, order_id, Ok(items.clone())).await?;
            self.commit(tx).await?;
            Ok(id)
        })
        .await
    }

    /// The id of the order's list, if it has one.
    pub(crate) async fn list_for_order(&self, order_id: &str) -> Result<Option<String>, DepotError> {
        let mut conn = self.connection().await?;
        Ok(self.lists.find_by_order(&mut conn, order_id).await?.map(|found| found.value.id))
    }

    /// Creates the order's list from lines resolved beforehand (see [`Application::resolve_lines`]) inside a
    /// transaction; idempotent per order: an existing list is answered whatever `items` says.
    pub(crate) async fn create_shopping_list_in(
        &self,
        tx: &mut Transaction,
        order_id: &str,
        items: Result<Vec<ListItem>, DepotError>,
    ) -> Result<String, DepotError> {
        if order_id.trim().is_empty() {
            return Err(DepotError::BlankOrderId);
        }
        if let Some(existing) = self.lists.find_by_order(tx.conn(), order_id).await? {
            return Ok(existing.value.id);
        }
        let list = ShoppingList::create(ddd::new_id(), order_id, items?)?;
        self.lists.insert(tx, &list).await?;
        Ok(list.id)
    }

    /// Resolves order lines against the caches, asking the stores service on a miss (and caching its answer).
    /// Runs outside any transaction: on SQLite a transaction holds the one write lock, and the stores service
    /// (in-process in the monolith) must not queue for a connection behind writers that wait for that lock.
    pub(crate) async fn resolve_lines(&self, lines: &[OrderLine]) -> Result<Vec<ListItem>, DepotError> {
        let mut items = Vec::with_capacity(lines.len());
        for line in lines {
            let product = self.product(&line.product_id).await?;
            // A line without a store is picked where the product is sold.
            let store_id = if line.store_id.is_empty() { &product.store_id } else { &line.store_id };
            let store = self.store(store_id).await?;
            items.push(ListItem {
                store_id: store.id,
                store_name: store.name,
                store_location: store.location,
                product_id: product.id,
                product_name: product.name,
                quantity: line.quantity,
            });
        }
        Ok(items)
    }

    /// Cancels a list (refused once it is completed or canceled).
    pub(crate) async fn cancel_shopping_list(&self, id: &str) -> Result<(), DepotError> {
        self.change(id, ListCommand::Cancel).await
    }

    /// The saga's `CancelShoppingListCommand`: canceling a canceled list succeeds.
    pub(crate) async fn cancel_shopping_list_in(&self, tx: &mut Transaction, id: &str) -> Result<(), DepotError> {
        let found = self.lists.find(tx.conn(), id).await?.ok_or(DepotError::ShoppingListNotFound)?;
        if found.value.status == ListStatus::Canceled {
            return Ok(());
        }
        self.change_in(tx, found, &ListCommand::Cancel).await
    }

    /// The saga's `InitiateShoppingCommand`: the list becomes available to bots.
    pub(crate) async fn initiate_shopping_in(&self, tx: &mut Transaction, id: &str) -> Result<(), DepotError> {
        let found = self.lists.find(tx.conn(), id).await?.ok_or(DepotError::ShoppingListNotFound)?;
        self.change_in(tx, found, &ListCommand::Initiate).await
    }

    pub(crate) async fn assign_shopping_list(&self, id: &str, bot_id: &str) -> Result<(), DepotError> {
        self.change(id, ListCommand::Assign { bot_id: bot_id.to_owned() }).await
    }

    /// Completes an assigned list and publishes `depotapi.ShoppingListCompleted` (REST and bots alike).
    pub(crate) async fn complete_shopping_list(&self, id: &str) -> Result<(), DepotError> {
        self.change(id, ListCommand::Complete).await
    }

    pub(crate) async fn get_shopping_list(&self, id: &str) -> Result<ShoppingList, DepotError> {
        let mut conn = self.connection().await?;
        Ok(self.lists.find(&mut conn, id).await?.ok_or(DepotError::ShoppingListNotFound)?.value)
    }

    /// `ordersapi.OrderCanceled`: the order's list is canceled unless it is completed (or canceled) already.
    pub(crate) async fn order_canceled_in(&self, tx: &mut Transaction, order_id: &str) -> Result<(), DepotError> {
        let Some(found) = self.lists.find_by_order(tx.conn(), order_id).await? else { return Ok(()) };
        if matches!(found.value.status, ListStatus::Completed | ListStatus::Canceled) {
            return Ok(());
        }
        self.change_in(tx, found, &ListCommand::Cancel).await
    }

    async fn change(&self, id: &str, command: ListCommand) -> Result<(), DepotError> {
        let command = &command;
        retry_on_conflict(|| async move {
            let mut tx = self.begin().await?;
            let found = self.lists.find(tx.conn(), id).await?.ok_or(DepotError::ShoppingListNotFound)?;
            self.change_in(&mut tx, found, command).await?;
            self.commit(tx).await
        })
        .await
    }

    async fn change_in(
        &self,
        tx: &mut Transaction,
        found: Versioned<ShoppingList>,
        command: &ListCommand,
    ) -> Result<(), DepotError> {
        let mut list = found.value;
        let events = list.decide(command)?;
        if events.is_empty() {
            return Ok(());
        }
        for event in &events {
            list.apply(event);
        }
        self.lists.update(tx, &list, found.version).await?;
        publish_list_events(tx, &self.outbox, &list, &events).await
    }

    // ---- bots -----------------------------------------------------------------------------------------------

    /// The list `bot_id` should work on: one it holds already (a completion that failed before), else the oldest
    /// available list it manages to claim. Claims are conditional updates: a list is never claimed twice.
    pub(crate) async fn claim_next(&self, bot_id: &str) -> Result<Option<ShoppingList>, DepotError> {
        let held = self.lists.assigned_to(bot_id).await?;
        let mut claimed = held;
        if claimed.is_none() {
            for id in self.lists.available(CLAIM_CANDIDATES).await? {
                if self.lists.claim(&id, bot_id).await? {
                    claimed = Some(id);
                    break;
                }
            }
        }
        let Some(id) = claimed else { return Ok(None) };
        let mut conn = self.connection().await?;
        Ok(self.lists.find(&mut conn, &id).await?.map(|found| found.value))
    }

    /// Gives a list back (a bot stopping before it finished).
    pub(crate) async fn release(&self, id: &str, bot_id: &str) -> Result<bool, DepotError> {
        self.lists.release(id, bot_id).await
    }

    // ---- caches ---------------------------------------------------------------------------------------------

    async fn store(&self, id: &str) -> Result<CachedStore, DepotError> {
        if let Some(store) = self.stores.find(&mut *self.connection().await?, id).await? {
            return Ok(store);
        }
        let store = self.directory.store(id).await?.ok_or(DepotError::StoreNotFound)?;
        self.stores.insert_if_absent(&mut *self.connection().await?, &store).await?;
        Ok(store)
    }

    async fn product(&self, id: &str) -> Result<CachedProduct, DepotError> {
        if let Some(product) = self.products.find(&mut *self.connection().await?, id).await? {
            return Ok(product);
        }
        let product = self.directory.product(id).await?.ok_or(DepotError::ProductNotFound)?;
        self.products.insert_if_absent(&mut *self.connection().await?, &product).await?;
        Ok(product)
    }

    /// A pooled connection for one statement (not held across calls to other services).
    async fn connection(&self) -> Result<database::sqlx::pool::PoolConnection<database::sqlx::Any>, DepotError> {
        self.db.pool().acquire().await.map_err(|e| storage("connecting", e))
    }

    pub(crate) async fn store_created_in(&self, tx: &mut Transaction, store: &CachedStore) -> Result<(), DepotError> {
        self.stores.upsert(tx.conn(), store).await
    }

    pub(crate) async fn store_rebranded_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        name: &str,
    ) -> Result<(), DepotError> {
        self.stores.rename(tx.conn(), id, name).await
    }

    pub(crate) async fn product_added_in(
        &self,
        tx: &mut Transaction,
        product: &CachedProduct,
    ) -> Result<(), DepotError> {
        self.products.upsert(tx.conn(), product).await
    }

    pub(crate) async fn product_rebranded_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        name: &str,
    ) -> Result<(), DepotError> {
        self.products.rename(tx.conn(), id, name).await
    }

    pub(crate) async fn product_removed_in(&self, tx: &mut Transaction, id: &str) -> Result<(), DepotError> {
        self.products.delete(tx.conn(), id).await
    }

    async fn begin(&self) -> Result<Transaction, DepotError> {
        self.db.begin().await.map_err(|e| storage_db("starting a transaction", e))
    }

    async fn commit(&self, tx: Transaction) -> Result<(), DepotError> {
        tx.commit().await.map_err(|e| storage_db("committing", e))
    }
}

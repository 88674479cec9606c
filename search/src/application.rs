//! The use cases of the search context and the port they need: [`Owners`], the modules that own the names an
//! order shows (customers, stores), asked when a cache misses.
//!
//! Projecting an order is two steps: resolve the names (caches, else the owners, whose answers are cached) outside
//! any transaction, then write the read model in the consumer's transaction.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use database::{Database, Transaction};

use crate::domain::{Cursor, OrderLine, OrderQuery, OrderStatus, SearchError, SearchOrder, total_cents};
use crate::store::{CachedProduct, CustomersCache, OrderTable, ProductsCache, StoresCache, storage};

/// The owners of the names search shows. `None` means the owner does not know the id; an unreachable owner is
/// [`SearchError::OwnerUnavailable`].
#[async_trait]
pub(crate) trait Owners: Send + Sync {
    async fn customer_name(&self, id: &str) -> Result<Option<String>, SearchError>;
    async fn store_name(&self, id: &str) -> Result<Option<String>, SearchError>;
    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, SearchError>;
}

/// An order line as an `OrderCreated` carries it (ids, price and quantity; no names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewLine {
    pub(crate) product_id: String,
    pub(crate) store_id: String,
    pub(crate) price_cents: i64,
    pub(crate) quantity: i64,
}

/// A created order before its names are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewOrder {
    pub(crate) order_id: String,
    pub(crate) customer_id: String,
    pub(crate) lines: Vec<NewLine>,
    pub(crate) created_at: i64,
}

pub(crate) struct Application {
    db: Database,
    customers: CustomersCache,
    stores: StoresCache,
    products: ProductsCache,
    orders: OrderTable,
    owners: Arc<dyn Owners>,
}

impl Application {
    pub(crate) fn new(db: &Database, owners: Arc<dyn Owners>) -> Self {
        Self {
            db: db.clone(),
            customers: CustomersCache::new(db),
            stores: StoresCache::new(db),
            products: ProductsCache::new(db),
            orders: OrderTable::new(db),
            owners,
        }
    }

    // --- caches --------------------------------------------------------------------------------------------------

    pub(crate) async fn customer_registered(
        &self,
        tx: &mut Transaction,
        id: &str,
        name: &str,
    ) -> Result<(), SearchError> {
        self.customers.insert(tx.conn(), id, name).await
    }

    pub(crate) async fn store_created(&self, tx: &mut Transaction, id: &str, name: &str) -> Result<(), SearchError> {
        self.stores.insert(tx.conn(), id, name).await
    }

    pub(crate) async fn store_rebranded(&self, tx: &mut Transaction, id: &str, name: &str) -> Result<(), SearchError> {
        self.stores.rename(tx.conn(), id, name).await
    }

    pub(crate) async fn product_added(
        &self,
        tx: &mut Transaction,
        id: &str,
        product: &CachedProduct,
    ) -> Result<(), SearchError> {
        self.products.insert(tx.conn(), id, product).await
    }

    pub(crate) async fn product_rebranded(
        &self,
        tx: &mut Transaction,
        id: &str,
        name: &str,
    ) -> Result<(), SearchError> {
        self.products.rename(tx.conn(), id, name).await
    }

    // --- the order projection -------------------------------------------------------------------------------------

    /// The order with every name resolved; a name nobody knows stays empty. Runs outside any transaction, so no
    /// write lock is held while an owner is asked.
    pub(crate) async fn resolve(&self, order: NewOrder) -> Result<SearchOrder, SearchError> {
        let customer_name = self.customer_name(&order.customer_id).await?.unwrap_or_default();
        let mut store_names: HashMap<String, String> = HashMap::new();
        let mut items = Vec::with_capacity(order.lines.len());
        for line in order.lines {
            let product_name = self.product(&line.product_id).await?.map(|p| p.name).unwrap_or_default();
            let store_name = match store_names.get(&line.store_id) {
                Some(name) => name.clone(),
                None => {
                    let name = self.store_name(&line.store_id).await?.unwrap_or_default();
                    store_names.insert(line.store_id.clone(), name.clone());
                    name
                }
            };
            items.push(OrderLine {
                product_id: line.product_id,
                store_id: line.store_id,
                product_name,
                store_name,
                price_cents: line.price_cents,
                quantity: line.quantity,
            });
        }
        Ok(SearchOrder {
            order_id: order.order_id,
            customer_id: order.customer_id,
            customer_name,
            total_cents: total_cents(&items),
            items,
            status: OrderStatus::New.as_str().to_owned(),
            created_at: order.created_at,
        })
    }

    pub(crate) async fn order_created(&self, tx: &mut Transaction, order: &SearchOrder) -> Result<(), SearchError> {
        self.orders.upsert_details(tx, order).await
    }

    pub(crate) async fn order_status(
        &self,
        tx: &mut Transaction,
        order_id: &str,
        customer_id: &str,
        status: OrderStatus,
        at: i64,
    ) -> Result<(), SearchError> {
        self.orders.raise_status(tx, order_id, customer_id, status, at).await
    }

    async fn customer_name(&self, id: &str) -> Result<Option<String>, SearchError> {
        if id.trim().is_empty() {
            return Ok(None);
        }
        if let Some(name) = self.customers.name(&mut *self.connection().await?, id).await? {
            return Ok(Some(name));
        }
        // No connection is held while the owner is asked: in one process it answers from the same pool.
        let Some(name) = self.owners.customer_name(id).await? else {
            tracing::warn!(customer = %id, "customer unknown to its owner; the order shows no name");
            return Ok(None);
        };
        self.customers.insert(&mut *self.connection().await?, id, &name).await?;
        Ok(Some(name))
    }

    async fn store_name(&self, id: &str) -> Result<Option<String>, SearchError> {
        if id.trim().is_empty() {
            return Ok(None);
        }
        if let Some(name) = self.stores.name(&mut *self.connection().await?, id).await? {
            return Ok(Some(name));
        }
        let Some(name) = self.owners.store_name(id).await? else {
            tracing::warn!(store = %id, "store unknown to its owner; the order shows no name");
            return Ok(None);
        };
        self.stores.insert(&mut *self.connection().await?, id, &name).await?;
        Ok(Some(name))
    }

    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, SearchError> {
        if id.trim().is_empty() {
            return Ok(None);
        }
        if let Some(product) = self.products.find(&mut *self.connection().await?, id).await? {
            return Ok(Some(product));
        }
        let Some(product) = self.owners.product(id).await? else {
            tracing::warn!(product = %id, "product unknown to its owner; the order shows no name");
            return Ok(None);
        };
        self.products.insert(&mut *self.connection().await?, id, &product).await?;
        Ok(Some(product))
    }

    // --- queries ---------------------------------------------------------------------------------------------------

    /// One page of matching orders, newest first, and the cursor of the next page ("" on the last page).
    pub(crate) async fn search(&self, query: &OrderQuery) -> Result<(Vec<SearchOrder>, String), SearchError> {
        let mut conn = self.connection().await?;
        let mut orders = self.orders.search(&mut conn, query).await?;
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let next = if orders.len() > limit {
            orders.truncate(limit);
            orders
                .last()
                .map(|last| Cursor { created_at: last.created_at, order_id: last.order_id.clone() }.encode())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok((orders, next))
    }

    pub(crate) async fn get_order(&self, id: &str) -> Result<SearchOrder, SearchError> {
        if id.trim().is_empty() {
            return Err(SearchError::BlankOrderId);
        }
        let mut conn = self.connection().await?;
        self.orders.get(&mut conn, id).await?.ok_or(SearchError::OrderNotFound)
    }

    async fn connection(&self) -> Result<database::sqlx::pool::PoolConnection<database::sqlx::Any>, SearchError> {
        self.db.pool().acquire().await.map_err(|e| storage("connecting", e))
    }
}

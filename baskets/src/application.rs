//! The use cases of shopping baskets: one method per command and query, and the port to the stores context.
//!
//! Every command is one transaction (load the basket, decide, append the events, write the integration events to
//! the outbox, commit), retried as a whole when a concurrent writer won the append. Products and stores are looked
//! up before the transaction opens (cache first, then the stores service), so no slow call ever holds it.

use std::sync::Arc;

use async_trait::async_trait;
use database::{Database, Transaction};
use eventsourcing::{EventStore, Loaded, SnapshotPolicy, retry_on_conflict};
use messaging::Outbox;
use prometheus::IntCounter;

use crate::domain::{Basket, BasketEvent, BasketsError, NewItem};
use crate::handlers::basket_message;
use crate::store::{CachedProduct, CachedStore, ProductsCache, StoresCache};

/// Where products and stores come from when the caches do not have them (the stores context's gRPC service).
#[async_trait]
pub(crate) trait StoresDirectory: Send + Sync {
    /// The product, `None` when the stores context does not know it.
    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, BasketsError>;
    /// The store, `None` when the stores context does not know it.
    async fn store(&self, id: &str) -> Result<Option<CachedStore>, BasketsError>;
}

/// The original's basket counters, incremented after a successful command.
#[derive(Clone)]
pub(crate) struct Counters {
    started: IntCounter,
    checked_out: IntCounter,
    canceled: IntCounter,
}

impl Counters {
    pub(crate) fn register(registry: &prometheus::Registry) -> Result<Self, prometheus::Error> {
        let counter = |name: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let counter = IntCounter::new(name, help)?;
            registry.register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        Ok(Self {
            started: counter("baskets_started_count", "The total number of baskets started")?,
            checked_out: counter("baskets_checked_out_count", "The total number of baskets checked out")?,
            canceled: counter("baskets_canceled_count", "The total number of baskets canceled")?,
        })
    }
}

pub(crate) struct Application {
    db: Database,
    baskets: EventStore<Basket>,
    stores: StoresCache,
    products: ProductsCache,
    directory: Arc<dyn StoresDirectory>,
    outbox: Outbox,
    counters: Counters,
}

impl Application {
    pub(crate) fn new(
        db: &Database,
        module: &str,
        policy: SnapshotPolicy,
        directory: Arc<dyn StoresDirectory>,
        outbox: Outbox,
        counters: Counters,
    ) -> Self {
        Self {
            db: db.clone(),
            baskets: EventStore::new(db, module, policy),
            stores: StoresCache::new(db, module),
            products: ProductsCache::new(db, module),
            directory,
            outbox,
            counters,
        }
    }

    // ---- commands -------------------------------------------------------------------------------------------

    pub(crate) async fn start_basket(&self, customer_id: &str) -> Result<String, BasketsError> {
        let events = Basket::default().start(customer_id)?;
        let id = ddd::new_id();
        retry_on_conflict(|| async {
            let mut tx = self.db.begin().await?;
            self.save(&mut tx, Loaded::new(id.as_str()), &events).await?;
            tx.commit().await?;
            Ok::<_, BasketsError>(())
        })
        .await?;
        self.counters.started.inc();
        Ok(id)
    }

    pub(crate) async fn cancel_basket(&self, id: &str) -> Result<(), BasketsError> {
        self.change(id, Basket::cancel).await?;
        self.counters.canceled.inc();
        Ok(())
    }

    pub(crate) async fn checkout_basket(&self, id: &str, payment_id: &str) -> Result<(), BasketsError> {
        self.change(id, |basket| basket.checkout(payment_id)).await.map_err(BasketsError::checkout)?;
        self.counters.checked_out.inc();
        Ok(())
    }

    /// Adds a product (resolved through the caches) to the basket.
    pub(crate) async fn add_item(&self, id: &str, product_id: &str, quantity: i32) -> Result<(), BasketsError> {
        let product = self.product(product_id).await?;
        let store = self.store(&product.store_id).await?;
        let item = NewItem {
            store_id: store.id,
            product_id: product.id,
            store_name: store.name,
            product_name: product.name,
            price: product.price,
        };
        self.change(id, |basket| basket.add_item(item.clone(), quantity)).await
    }

    /// Takes a product out of the basket. A product the basket does not hold must still exist (404 otherwise).
    pub(crate) async fn remove_item(&self, id: &str, product_id: &str, quantity: i32) -> Result<(), BasketsError> {
        let held = retry_on_conflict(|| async {
            let mut tx = self.db.begin().await?;
            let loaded = self.baskets.load(tx.conn(), id).await?.ok_or(BasketsError::BasketNotFound)?;
            let events = loaded.state.remove_item(product_id, quantity)?;
            let held = loaded.state.item(product_id).is_some();
            self.save(&mut tx, loaded, &events).await?;
            tx.commit().await?;
            Ok::<_, BasketsError>(held)
        })
        .await?;
        if !held {
            self.product(product_id).await?;
        }
        Ok(())
    }

    /// Loads basket `id` (404 when it has no events), decides, and saves — retried on conflict.
    async fn change<F>(&self, id: &str, decide: F) -> Result<(), BasketsError>
    where
        F: Fn(&Basket) -> Result<Vec<BasketEvent>, BasketsError>,
    {
        let decide = &decide;
        retry_on_conflict(|| async move {
            let mut tx = self.db.begin().await?;
            let loaded = self.baskets.load(tx.conn(), id).await?.ok_or(BasketsError::BasketNotFound)?;
            let events = decide(&loaded.state)?;
            self.save(&mut tx, loaded, &events).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Appends `events` and writes their integration events, all in `tx`.
    async fn save(
        &self,
        tx: &mut Transaction,
        mut loaded: Loaded<Basket>,
        events: &[BasketEvent],
    ) -> Result<(), BasketsError> {
        self.baskets.append(tx, &mut loaded, events).await?;
        for event in events {
            if let Some(message) = basket_message(&loaded.id, &loaded.state, event) {
                self.outbox.add(tx, message).await?;
            }
        }
        Ok(())
    }

    // ---- queries --------------------------------------------------------------------------------------------

    pub(crate) async fn get_basket(&self, id: &str) -> Result<Basket, BasketsError> {
        let mut conn = self.db.pool().acquire().await.map_err(database::DbError::from)?;
        let loaded = self.baskets.load(&mut conn, id).await?.ok_or(BasketsError::BasketNotFound)?;
        Ok(loaded.state)
    }

    // ---- the caches -----------------------------------------------------------------------------------------

    /// The product from the cache, or from the stores service (then cached).
    async fn product(&self, id: &str) -> Result<CachedProduct, BasketsError> {
        if let Some(product) = self.products.find(id).await? {
            return Ok(product);
        }
        let product = self.directory.product(id).await?.ok_or(BasketsError::ProductNotFound)?;
        self.products.fill(&product).await?;
        Ok(product)
    }

    /// The store from the cache, or from the stores service (then cached).
    async fn store(&self, id: &str) -> Result<CachedStore, BasketsError> {
        if let Some(store) = self.stores.find(id).await? {
            return Ok(store);
        }
        let store = self.directory.store(id).await?.ok_or(BasketsError::StoreNotFound)?;
        self.stores.fill(&store).await?;
        Ok(store)
    }
}

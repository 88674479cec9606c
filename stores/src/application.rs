//! The use cases of store management: one method per command and query.
//!
//! Every command is one transaction (load the aggregate, decide, append the events, upsert the read model, write
//! the integration events to the outbox, commit), retried as a whole when a concurrent writer won the append.
//! Queries read the mall and catalog read models.

use database::{Database, DbError, Transaction};
use eventsourcing::{EsError, EventStore, Loaded, SnapshotPolicy, retry_on_conflict};
use messaging::Outbox;

use crate::domain::{Cents, Product, ProductEvent, Store, StoreEvent, StoresError};
use crate::handlers::{product_message, store_message};
use crate::store::{Catalog, CatalogProduct, Mall, MallStore};

impl From<DbError> for StoresError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Conflict(_) => StoresError::Conflict,
            other => StoresError::Infrastructure(Box::new(other)),
        }
    }
}

impl From<EsError> for StoresError {
    fn from(err: EsError) -> Self {
        match err {
            EsError::Conflict => StoresError::Conflict,
            other => StoresError::Infrastructure(Box::new(other)),
        }
    }
}

/// A new product, as the `AddProduct` command gives it.
pub(crate) struct NewProduct<'a> {
    pub(crate) store_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) sku: &'a str,
    pub(crate) price: Cents,
}

pub(crate) struct Application {
    db: Database,
    stores: EventStore<Store>,
    products: EventStore<Product>,
    mall: Mall,
    catalog: Catalog,
    outbox: Outbox,
}

impl Application {
    pub(crate) fn new(db: &Database, module: &str, policy: SnapshotPolicy, outbox: Outbox) -> Self {
        Self {
            db: db.clone(),
            stores: EventStore::new(db, module, policy),
            products: EventStore::new(db, module, policy),
            mall: Mall::new(db, module),
            catalog: Catalog::new(db, module),
            outbox,
        }
    }

    // ---- store commands -------------------------------------------------------------------------------------

    pub(crate) async fn create_store(&self, name: &str, location: &str) -> Result<String, StoresError> {
        let events = Store::create(name, location)?;
        let id = ddd::new_id();
        retry_on_conflict(|| async {
            let mut tx = self.db.begin().await?;
            self.save_store(&mut tx, Loaded::new(id.as_str()), &events).await?;
            tx.commit().await?;
            Ok::<_, StoresError>(())
        })
        .await?;
        Ok(id)
    }

    pub(crate) async fn enable_participation(&self, id: &str) -> Result<(), StoresError> {
        self.change_store(id, Store::enable_participation).await
    }

    pub(crate) async fn disable_participation(&self, id: &str) -> Result<(), StoresError> {
        self.change_store(id, Store::disable_participation).await
    }

    pub(crate) async fn rebrand_store(&self, id: &str, name: &str) -> Result<(), StoresError> {
        self.change_store(id, |store| store.rebrand(name)).await
    }

    /// Loads store `id` (404 when it has no events), decides, and saves — retried on conflict.
    async fn change_store<F>(&self, id: &str, decide: F) -> Result<(), StoresError>
    where
        F: Fn(&Store) -> Result<Vec<StoreEvent>, StoresError>,
    {
        let decide = &decide;
        retry_on_conflict(|| async move {
            let mut tx = self.db.begin().await?;
            let loaded = self.stores.load(tx.conn(), id).await?.ok_or(StoresError::StoreNotFound)?;
            let events = decide(&loaded.state)?;
            self.save_store(&mut tx, loaded, &events).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Appends `events`, upserts the mall row and writes the integration events, all in `tx`.
    async fn save_store(
        &self,
        tx: &mut Transaction,
        mut loaded: Loaded<Store>,
        events: &[StoreEvent],
    ) -> Result<(), StoresError> {
        self.stores.append(tx, &mut loaded, events).await?;
        self.mall.save(tx, &loaded.id, &loaded.state).await?;
        for event in events {
            self.outbox.add(tx, store_message(&loaded.id, event)).await?;
        }
        Ok(())
    }

    // ---- product commands -----------------------------------------------------------------------------------

    pub(crate) async fn add_product(&self, product: NewProduct<'_>) -> Result<String, StoresError> {
        let events = Product::add(product.store_id, product.name, product.description, product.sku, product.price)
            .map_err(StoresError::initializing_product)?;
        let id = ddd::new_id();
        retry_on_conflict(|| async {
            let mut tx = self.db.begin().await?;
            if !self.mall.exists_in(&mut tx, product.store_id).await? {
                return Err(StoresError::StoreNotFound);
            }
            self.save_product(&mut tx, Loaded::new(id.as_str()), &events).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
        Ok(id)
    }

    pub(crate) async fn rebrand_product(&self, id: &str, name: &str, description: &str) -> Result<(), StoresError> {
        self.change_product(id, |product| product.rebrand(name, description)).await
    }

    pub(crate) async fn increase_product_price(&self, id: &str, price: Cents) -> Result<(), StoresError> {
        self.change_product(id, |product| product.increase_price(price)).await
    }

    pub(crate) async fn decrease_product_price(&self, id: &str, price: Cents) -> Result<(), StoresError> {
        self.change_product(id, |product| product.decrease_price(price)).await
    }

    pub(crate) async fn remove_product(&self, id: &str) -> Result<(), StoresError> {
        self.change_product(id, Product::remove).await
    }

    /// Loads product `id` (404 when it has no events or was removed), decides, and saves — retried on conflict.
    async fn change_product<F>(&self, id: &str, decide: F) -> Result<(), StoresError>
    where
        F: Fn(&Product) -> Result<Vec<ProductEvent>, StoresError>,
    {
        let decide = &decide;
        retry_on_conflict(|| async move {
            let mut tx = self.db.begin().await?;
            let loaded = self.products.load(tx.conn(), id).await?.ok_or(StoresError::ProductNotFound)?;
            let events = decide(&loaded.state)?;
            self.save_product(&mut tx, loaded, &events).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Appends `events`, upserts (or deletes) the catalog row and writes the integration events, all in `tx`.
    async fn save_product(
        &self,
        tx: &mut Transaction,
        mut loaded: Loaded<Product>,
        events: &[ProductEvent],
    ) -> Result<(), StoresError> {
        self.products.append(tx, &mut loaded, events).await?;
        self.catalog.save(tx, &loaded.id, &loaded.state).await?;
        for event in events {
            self.outbox.add(tx, product_message(&loaded.id, event)).await?;
        }
        Ok(())
    }

    // ---- queries --------------------------------------------------------------------------------------------

    pub(crate) async fn get_store(&self, id: &str) -> Result<MallStore, StoresError> {
        self.mall.find(id).await?.ok_or(StoresError::StoreNotFound)
    }

    pub(crate) async fn get_stores(&self) -> Result<Vec<MallStore>, StoresError> {
        Ok(self.mall.all().await?)
    }

    pub(crate) async fn get_participating_stores(&self) -> Result<Vec<MallStore>, StoresError> {
        Ok(self.mall.participating().await?)
    }

    /// The products of a known store (404 for an unknown store).
    pub(crate) async fn get_catalog(&self, store_id: &str) -> Result<Vec<CatalogProduct>, StoresError> {
        if self.mall.find(store_id).await?.is_none() {
            return Err(StoresError::StoreNotFound);
        }
        Ok(self.catalog.of_store(store_id).await?)
    }

    pub(crate) async fn get_product(&self, id: &str) -> Result<CatalogProduct, StoresError> {
        self.catalog.find(id).await?.ok_or(StoresError::ProductNotFound)
    }
}

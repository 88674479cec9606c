//! The `depot-stores` and `depot-products` consumers: store and product events of the stores context keep the
//! depot's caches (name, location; product name and store) current. Upserts and conditional renames make a
//! replay or a duplicate harmless.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::stores as msg;
use contracts::storespb::{ProductAdded, ProductRebranded, ProductRemoved, StoreCreated, StoreRebranded};
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;
use crate::store::{CachedProduct, CachedStore};

/// `storesapi.StoreCreated` / `storesapi.StoreRebranded` → `stores_cache`.
pub(crate) struct StoreEventHandler {
    app: Arc<Application>,
}

impl StoreEventHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for StoreEventHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        let result = match message.name.as_str() {
            msg::STORE_CREATED => {
                let event: StoreCreated = message.decode().map_err(HandlerError::permanent)?;
                let store = CachedStore { id: event.id, name: event.name, location: event.location };
                self.app.store_created_in(tx, &store).await
            }
            msg::STORE_REBRANDED => {
                let event: StoreRebranded = message.decode().map_err(HandlerError::permanent)?;
                self.app.store_rebranded_in(tx, &event.id, &event.name).await
            }
            _ => return Ok(()),
        };
        result.map_err(HandlerError::transient)
    }
}

/// `storesapi.ProductAdded` / `ProductRebranded` / `ProductRemoved` → `products_cache`.
pub(crate) struct ProductEventHandler {
    app: Arc<Application>,
}

impl ProductEventHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for ProductEventHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        let result = match message.name.as_str() {
            msg::PRODUCT_ADDED => {
                let event: ProductAdded = message.decode().map_err(HandlerError::permanent)?;
                let product = CachedProduct { id: event.id, store_id: event.store_id, name: event.name };
                self.app.product_added_in(tx, &product).await
            }
            msg::PRODUCT_REBRANDED => {
                let event: ProductRebranded = message.decode().map_err(HandlerError::permanent)?;
                self.app.product_rebranded_in(tx, &event.id, &event.name).await
            }
            msg::PRODUCT_REMOVED => {
                let event: ProductRemoved = message.decode().map_err(HandlerError::permanent)?;
                self.app.product_removed_in(tx, &event.id).await
            }
            _ => return Ok(()),
        };
        result.map_err(HandlerError::transient)
    }
}

//! The `search-customers`, `search-stores` and `search-products` consumers: customer, store and product events
//! become rows of the name caches.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::names::{customers, stores};
use contracts::{customerspb, storespb};
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;
use crate::store::CachedProduct;

/// The customer events search caches (the durable's filter).
pub(crate) const CUSTOMER_EVENTS: &[&str] = &[customers::CUSTOMER_REGISTERED];
/// The store events search caches.
pub(crate) const STORE_EVENTS: &[&str] = &[stores::STORE_CREATED, stores::STORE_REBRANDED];
/// The product events search caches (a removal keeps the name for the orders that have the product).
pub(crate) const PRODUCT_EVENTS: &[&str] = &[stores::PRODUCT_ADDED, stores::PRODUCT_REBRANDED];

pub(crate) struct CacheEventHandler {
    app: Arc<Application>,
}

impl CacheEventHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for CacheEventHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        let app = &self.app;
        let result = match message.name.as_str() {
            customers::CUSTOMER_REGISTERED => {
                let e: customerspb::CustomerRegistered = message.decode().map_err(HandlerError::permanent)?;
                app.customer_registered(tx, &e.id, &e.name).await
            }
            stores::STORE_CREATED => {
                let e: storespb::StoreCreated = message.decode().map_err(HandlerError::permanent)?;
                app.store_created(tx, &e.id, &e.name).await
            }
            stores::STORE_REBRANDED => {
                let e: storespb::StoreRebranded = message.decode().map_err(HandlerError::permanent)?;
                app.store_rebranded(tx, &e.id, &e.name).await
            }
            stores::PRODUCT_ADDED => {
                let e: storespb::ProductAdded = message.decode().map_err(HandlerError::permanent)?;
                app.product_added(tx, &e.id, &CachedProduct { store_id: e.store_id, name: e.name }).await
            }
            stores::PRODUCT_REBRANDED => {
                let e: storespb::ProductRebranded = message.decode().map_err(HandlerError::permanent)?;
                app.product_rebranded(tx, &e.id, &e.name).await
            }
            _ => Ok(()),
        };
        result.map_err(|e| HandlerError::transient(e.detail()))
    }
}

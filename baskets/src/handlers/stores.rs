//! The `baskets-stores` and `baskets-products` consumers: the stores context's integration events keep the store
//! and product caches current. Each runs behind the inbox, so a redelivered price change is applied once.

use async_trait::async_trait;
use contracts::names::stores as msg;
use contracts::storespb;
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::domain::Cents;
use crate::store::{CachedProduct, ProductsCache, StoresCache};

/// `storesapi.StoreCreated`, `storesapi.StoreRebranded` → `stores_cache`.
pub(crate) struct StoreEvents {
    cache: StoresCache,
}

impl StoreEvents {
    pub(crate) fn new(cache: StoresCache) -> Self {
        Self { cache }
    }
}

#[async_trait]
impl TxMessageHandler for StoreEvents {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        match message.name.as_str() {
            msg::STORE_CREATED => {
                let event: storespb::StoreCreated = message.decode().map_err(HandlerError::permanent)?;
                self.cache.save(tx, &event.id, &event.name).await?;
            }
            msg::STORE_REBRANDED => {
                let event: storespb::StoreRebranded = message.decode().map_err(HandlerError::permanent)?;
                self.cache.save(tx, &event.id, &event.name).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// `storesapi.Product*` → `products_cache`.
pub(crate) struct ProductEvents {
    cache: ProductsCache,
}

impl ProductEvents {
    pub(crate) fn new(cache: ProductsCache) -> Self {
        Self { cache }
    }
}

#[async_trait]
impl TxMessageHandler for ProductEvents {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        match message.name.as_str() {
            msg::PRODUCT_ADDED => {
                let event: storespb::ProductAdded = message.decode().map_err(HandlerError::permanent)?;
                let product = CachedProduct {
                    id: event.id,
                    store_id: event.store_id,
                    name: event.name,
                    price: Cents::from_dollars(event.price),
                };
                self.cache.save(tx, &product).await?;
            }
            msg::PRODUCT_REBRANDED => {
                let event: storespb::ProductRebranded = message.decode().map_err(HandlerError::permanent)?;
                self.cache.rename(tx, &event.id, &event.name).await?;
            }
            msg::PRODUCT_PRICE_INCREASED | msg::PRODUCT_PRICE_DECREASED => {
                let event: storespb::ProductPriceChanged = message.decode().map_err(HandlerError::permanent)?;
                self.cache.change_price(tx, &event.id, Cents::from_dollars(event.delta)).await?;
            }
            msg::PRODUCT_REMOVED => {
                let event: storespb::ProductRemoved = message.decode().map_err(HandlerError::permanent)?;
                self.cache.delete(tx, &event.id).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

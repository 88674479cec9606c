//! Message handlers of the search context: the owners' events keep the name caches; order events keep the order
//! read model. Every consumer is idempotent by message id (the inbox row shares the transaction of the effects).

mod caches;
mod orders;

pub(crate) use caches::{CUSTOMER_EVENTS, CacheEventHandler, PRODUCT_EVENTS, STORE_EVENTS};
pub(crate) use orders::{ORDER_EVENTS, OrderEventHandler};

//! The tables of the baskets context besides its event store: the store and product caches (event-carried state
//! transfer from the stores context, filled on a miss by the gRPC fallback).

mod products_cache;
mod stores_cache;

pub(crate) use products_cache::{CachedProduct, ProductsCache};
pub(crate) use stores_cache::{CachedStore, StoresCache};

//! Persistence of the search context: the caches of names owned by other modules, and the order read model.

mod caches;
mod orders;

pub(crate) use caches::{CachedProduct, CustomersCache, ProductsCache, StoresCache};
pub(crate) use orders::OrderTable;

use database::sqlx;

use crate::domain::SearchError;

/// A storage failure (logged at the edge, never shown).
pub(crate) fn storage(context: &'static str, err: sqlx::Error) -> SearchError {
    SearchError::internal(context, err)
}

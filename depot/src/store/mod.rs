//! Persistence of the depot context: the `shopping_lists` table (guarded by an expected version, plus the bots'
//! conditional claim) and the `stores_cache` / `products_cache` tables fed by the stores context's events.

mod caches;
mod shopping_lists;

pub(crate) use caches::{CachedProduct, CachedStore, ProductCache, StoreCache};
pub(crate) use shopping_lists::ShoppingListTable;

use database::DbError;
use database::sqlx;

use crate::domain::DepotError;

/// A row as stored, with the version it was read at.
#[derive(Clone, Debug)]
pub(crate) struct Versioned<T> {
    pub(crate) value: T,
    pub(crate) version: i64,
}

/// A storage failure; a unique-key violation or lock contention that a retry resolves counts as a conflict.
pub(crate) fn storage(context: &'static str, err: sqlx::Error) -> DepotError {
    storage_db(context, DbError::from(err))
}

pub(crate) fn storage_db(context: &'static str, err: DbError) -> DepotError {
    match err {
        DbError::Conflict(_) => DepotError::Conflict,
        other => DepotError::internal(context, other),
    }
}

/// Stored data the code cannot read: the table was edited by hand or by a newer version.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Unreadable(pub(crate) String);

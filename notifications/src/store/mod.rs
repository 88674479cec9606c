//! Persistence of the notifications context: the customers cache and the notifications sent.

mod customers_cache;
mod notifications;

pub(crate) use customers_cache::CustomersCache;
pub(crate) use notifications::NotificationTable;

use database::sqlx;

use crate::domain::NotificationsError;

/// A storage failure (logged at the edge, never shown).
pub(crate) fn storage(context: &'static str, err: sqlx::Error) -> NotificationsError {
    NotificationsError::internal(context, err)
}

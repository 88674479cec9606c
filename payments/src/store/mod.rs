//! Persistence of the payments context: the `payments` and `invoices` tables, each row guarded by an expected
//! version so a concurrent writer is detected (zero rows updated) instead of overwritten.

mod invoices;
mod payments;

pub(crate) use invoices::InvoiceTable;
pub(crate) use payments::PaymentTable;

use database::DbError;
use database::sqlx;

use crate::domain::PaymentsError;

/// A row as stored, with the version it was read at.
#[derive(Clone, Debug)]
pub(crate) struct Versioned<T> {
    pub(crate) value: T,
    pub(crate) version: i64,
}

/// A storage failure; a unique-key violation or lock contention that a retry resolves counts as a conflict.
pub(crate) fn storage(context: &'static str, err: sqlx::Error) -> PaymentsError {
    storage_db(context, DbError::from(err))
}

pub(crate) fn storage_db(context: &'static str, err: DbError) -> PaymentsError {
    match err {
        DbError::Conflict(_) => PaymentsError::Conflict,
        other => PaymentsError::internal(context, other),
    }
}

/// A stored status the code does not know: the table was edited by hand or by a newer version.
#[derive(Debug, thiserror::Error)]
#[error("unknown status {0:?}")]
pub(crate) struct UnknownStatus(pub(crate) String);

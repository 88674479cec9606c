//! Persistence of the customers context: the `customers` table, guarded by an expected version.

mod customers;

pub(crate) use customers::{CustomerTable, Versioned, storage, storage_db};

//! The read models of the stores context, written in the same transaction as the events they reflect: the mall
//! (`stores.stores`) and the catalog (`stores.products`). Both are upserted from the aggregate's state after each
//! append, so a read model row always equals the latest committed aggregate.

mod catalog;
mod mall;

pub(crate) use catalog::{Catalog, CatalogProduct};
pub(crate) use mall::{Mall, MallStore};

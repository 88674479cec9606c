//! The pure domain of store management: the `Store` and `Product` aggregates (decide → events, apply → state),
//! exact money, and the context's error enum. No I/O here.

mod error;
mod money;
mod product;
mod store;

pub(crate) use error::StoresError;
pub(crate) use money::Cents;
pub(crate) use product::{Product, ProductEvent};
pub(crate) use store::{Store, StoreEvent};

//! The pure domain of order processing: the `Order` aggregate (decide → events, apply → state), exact money and
//! quantities, and the context's error enum. No I/O here.

mod error;
mod money;
mod order;

pub(crate) use error::OrderingError;
pub(crate) use money::{Cents, Quantity};
pub(crate) use order::{Order, OrderEvent, OrderItem};

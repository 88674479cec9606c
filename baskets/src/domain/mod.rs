//! The pure domain of shopping baskets: the `Basket` aggregate (decide → events, apply → state), exact money and
//! quantities, and the context's error enum. No I/O here.

mod basket;
mod error;
mod money;

pub(crate) use basket::{Basket, BasketEvent, NewItem};
pub(crate) use error::BasketsError;
pub(crate) use money::{Cents, Quantity};

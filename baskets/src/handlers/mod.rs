//! Message handlers of the baskets context: basket events become integration events on `baskets.events.Basket`;
//! the stores' store and product events keep the caches current.

mod domain_events;
mod stores;

pub(crate) use domain_events::basket_message;
pub(crate) use stores::{ProductEvents, StoreEvents};

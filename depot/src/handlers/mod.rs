//! Message handlers of the depot context: a completed list becomes `depotapi.ShoppingListCompleted`; the saga's
//! depot commands are answered with replies; store and product events feed the caches; a canceled order cancels
//! its list.

mod commands;
mod list_events;
mod orders;
mod stores;

pub(crate) use commands::CommandHandler;
pub(crate) use list_events::publish_list_events;
pub(crate) use orders::OrderEventHandler;
pub(crate) use stores::{ProductEventHandler, StoreEventHandler};

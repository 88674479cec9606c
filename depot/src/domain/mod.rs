//! The depot domain, pure and synchronous: the shopping list (stops per store, its status machine) and the crate's
//! one error enum. Nothing here does I/O.

mod error;
mod shopping_list;

pub(crate) use error::DepotError;
pub(crate) use shopping_list::{ListCommand, ListEvent, ListItem, ListStatus, ShoppingList};

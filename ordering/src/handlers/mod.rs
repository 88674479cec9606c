//! Message handlers of the ordering context: order events become integration events on `ordering.events.Order`;
//! checked-out baskets become orders; the saga's commands are answered; completed shopping lists and paid invoices
//! move orders on.

mod commands;
mod domain_events;
mod integration_events;

pub(crate) use commands::CommandHandler;
pub(crate) use domain_events::order_message;
pub(crate) use integration_events::{CheckoutHandler, InvoicePaidHandler, ShoppingListCompletedHandler};

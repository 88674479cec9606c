//! Message handlers of the customers context: customer events become integration events on
//! `customers.events.Customer`; the saga's `customersapi.AuthorizeCustomer` command is answered with a reply.

mod commands;
mod domain_events;

pub(crate) use commands::CommandHandler;
pub(crate) use domain_events::publish_events;

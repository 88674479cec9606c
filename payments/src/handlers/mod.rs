//! Message handlers of the payments context: invoice changes become `paymentsapi.InvoicePaid`; the saga's
//! `paymentsapi.ConfirmPayment` / `paymentsapi.VoidPayment` commands are answered with replies; order events
//! create and cancel invoices and void payments.

mod commands;
mod invoice_events;
mod orders;

pub(crate) use commands::CommandHandler;
pub(crate) use invoice_events::publish_invoice_events;
pub(crate) use orders::OrderEventHandler;

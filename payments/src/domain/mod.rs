//! The payments domain, pure and synchronous: payments (pre-authorizations an order confirms once), invoices,
//! money in cents, and the crate's one error enum. Nothing here does I/O.

mod error;
mod invoice;
mod money;
mod payment;

pub(crate) use error::PaymentsError;
pub(crate) use invoice::{Invoice, InvoiceCommand, InvoiceEvent, InvoiceStatus};
pub(crate) use money::Cents;
pub(crate) use payment::{Payment, PaymentCommand, PaymentStatus};

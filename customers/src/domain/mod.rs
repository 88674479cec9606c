//! The customers domain, pure and synchronous: the customer aggregate, its commands and events, and the crate's
//! one error enum. Nothing here does I/O; the application loads state, asks the domain to decide, and stores.

mod customer;
mod error;

pub(crate) use customer::{Customer, CustomerCommand, CustomerEvent, CustomerId};
pub(crate) use error::CustomersError;

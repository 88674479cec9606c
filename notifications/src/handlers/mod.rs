//! Message handlers of the notifications context: customer events keep the customers cache; order events become
//! SMS. Both consumers are idempotent by message id (the inbox row shares the transaction of the effects).

mod customers;
mod orders;

pub(crate) use customers::CustomerEventHandler;
pub(crate) use orders::{ORDER_EVENTS, OrderEventHandler};

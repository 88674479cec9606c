//! Message handlers of the stores context. Stores consumes nothing; it turns its domain events into the
//! integration events other contexts subscribe to.

mod domain_events;

pub(crate) use domain_events::{product_message, store_message};

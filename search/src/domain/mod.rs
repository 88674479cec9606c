//! The search domain, pure and synchronous: the order view and its statuses (which only move forward), the query
//! with its filters and opaque cursor, exact money, and the crate's one error enum.

mod error;
mod order;
mod query;

pub(crate) use error::SearchError;
pub(crate) use order::{OrderLine, OrderStatus, SearchOrder, cents, total_cents};
pub(crate) use query::{Cursor, OrderQuery, RawQuery};

//! The notifications domain, pure and synchronous: what happened to an order that a customer hears about, the SMS
//! text for it, and the crate's one error enum.

mod error;
mod notice;

pub(crate) use error::NotificationsError;
pub(crate) use notice::{NoticeKind, OrderNotice, Recipient, Sms};

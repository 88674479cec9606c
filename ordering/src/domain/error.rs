//! The one error enum of the ordering context: every user-visible text is the original's (or, for the fixes,
//! written in its style), and each variant says which kind of failure it is (the edge maps kinds to gRPC/HTTP
//! statuses through `service::status_from`; the command handlers turn refusals into failure replies).

use ddd::{ErrorKind, HasErrorKind};

#[derive(Debug, thiserror::Error)]
pub(crate) enum OrderingError {
    #[error("the order cannot be recreated")]
    CannotBeRecreated,
    #[error("the order has no items")]
    NoItems,
    #[error("the customer id cannot be blank")]
    BlankCustomerId,
    #[error("the payment id cannot be blank")]
    BlankPaymentId,
    /// Not in the original (it accepted any quantity).
    #[error("the item quantity must be at least 1")]
    InvalidQuantity,
    /// Not in the original (it accepted any price).
    #[error("the item price cannot be negative")]
    NegativePrice,
    /// Not in the original (its float prices accepted NaN and infinities).
    #[error("the item price is out of range")]
    PriceOutOfRange,
    /// The original's `CreateOrder` wraps the order's refusals with this prefix.
    #[error("create order command: {0}")]
    CreateOrder(#[source] Box<OrderingError>),
    #[error("the order cannot be approved")]
    CannotBeApproved,
    #[error("the order cannot be rejected")]
    CannotBeRejected,
    #[error("the order cannot be cancelled")]
    CannotBeCancelled,
    #[error("the order cannot be readied")]
    CannotBeReadied,
    /// Readying a pending order: the approval is still on its way (the consumer retries), or never comes.
    #[error("the order cannot be readied")]
    NotYetApproved,
    #[error("the order cannot be completed")]
    CannotBeCompleted,
    #[error("the invoice id cannot be blank")]
    BlankInvoiceId,
    #[error("order not found")]
    OrderNotFound,
    /// Another writer kept winning the race for the same order (after the retries).
    #[error("the aggregate was changed concurrently")]
    Conflict,
    /// Storage or codec failure: logged by the edge, never shown.
    #[error("storage failure: {0}")]
    Infrastructure(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl OrderingError {
    /// Wraps a refusal of `CreateOrder` the way the original does (`create order command: …`); other errors pass.
    pub(crate) fn create_order(err: OrderingError) -> OrderingError {
        match err.kind() {
            ErrorKind::InvalidArgument => OrderingError::CreateOrder(Box::new(err)),
            _ => err,
        }
    }
}

impl HasErrorKind for OrderingError {
    fn kind(&self) -> ErrorKind {
        match self {
            OrderingError::CannotBeRecreated
            | OrderingError::NoItems
            | OrderingError::BlankCustomerId
            | OrderingError::BlankPaymentId
            | OrderingError::InvalidQuantity
            | OrderingError::NegativePrice
            | OrderingError::PriceOutOfRange
            | OrderingError::CannotBeApproved
            | OrderingError::CannotBeRejected
            | OrderingError::CannotBeCancelled
            | OrderingError::CannotBeReadied
            | OrderingError::NotYetApproved
            | OrderingError::CannotBeCompleted
            | OrderingError::BlankInvoiceId => ErrorKind::InvalidArgument,
            OrderingError::CreateOrder(inner) => inner.kind(),
            OrderingError::OrderNotFound => ErrorKind::NotFound,
            OrderingError::Conflict => ErrorKind::Conflict,
            OrderingError::Infrastructure(_) => ErrorKind::Internal,
        }
    }
}

impl From<database::DbError> for OrderingError {
    fn from(err: database::DbError) -> Self {
        match err {
            database::DbError::Conflict(_) => OrderingError::Conflict,
            other => OrderingError::Infrastructure(Box::new(other)),
        }
    }
}

impl From<eventsourcing::EsError> for OrderingError {
    fn from(err: eventsourcing::EsError) -> Self {
        match err {
            eventsourcing::EsError::Conflict => OrderingError::Conflict,
            other => OrderingError::Infrastructure(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_order_refusals_carry_the_original_prefix_and_kind() {
        let err = OrderingError::create_order(OrderingError::NoItems);
        assert_eq!(err.to_string(), "create order command: the order has no items");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = OrderingError::create_order(OrderingError::BlankPaymentId);
        assert_eq!(err.to_string(), "create order command: the payment id cannot be blank");
        assert_eq!(OrderingError::create_order(OrderingError::Conflict).kind(), ErrorKind::Conflict);
    }
}

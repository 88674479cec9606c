//! The one error enum of the baskets context: every user-visible text is the original's (or, for the fixes, written
//! in its style), and each variant says which kind of failure it is (the edge maps kinds to gRPC/HTTP statuses
//! through `service::status_from`).

use ddd::{ErrorKind, HasErrorKind};

#[derive(Debug, thiserror::Error)]
pub(crate) enum BasketsError {
    #[error("the basket cannot be modified")]
    CannotBeModified,
    #[error("the basket cannot be cancelled")]
    CannotBeCancelled,
    #[error("the customer id cannot be blank")]
    BlankCustomerId,
    #[error("the item quantity cannot be negative")]
    NegativeQuantity,
    /// Not in the original (it accepted 0 and recorded an empty item).
    #[error("the item quantity must be at least 1")]
    ZeroQuantity,
    #[error("the basket has no items")]
    NoItems,
    #[error("the payment id cannot be blank")]
    BlankPaymentId,
    /// The original's `CheckoutBasket` wraps the basket's refusals with this prefix.
    #[error("baskets checkout: {0}")]
    Checkout(#[source] Box<BasketsError>),
    #[error("basket not found")]
    BasketNotFound,
    #[error("product not found")]
    ProductNotFound,
    #[error("store not found")]
    StoreNotFound,
    /// The stores service could not be asked (cache miss and the fallback failed): `product fallback failed` /
    /// `store fallback failed`, as the original says.
    #[error("{0}")]
    StoresUnavailable(&'static str),
    /// Another writer kept winning the race for the same basket (after the retries).
    #[error("the aggregate was changed concurrently")]
    Conflict,
    /// Storage or codec failure: logged by the edge, never shown.
    #[error("storage failure: {0}")]
    Infrastructure(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl BasketsError {
    /// Wraps a refusal of the checkout the way the original does (`baskets checkout: …`); other errors pass.
    pub(crate) fn checkout(err: BasketsError) -> BasketsError {
        match err.kind() {
            ErrorKind::InvalidArgument => BasketsError::Checkout(Box::new(err)),
            _ => err,
        }
    }
}

impl HasErrorKind for BasketsError {
    fn kind(&self) -> ErrorKind {
        match self {
            BasketsError::CannotBeModified
            | BasketsError::CannotBeCancelled
            | BasketsError::BlankCustomerId
            | BasketsError::NegativeQuantity
            | BasketsError::ZeroQuantity
            | BasketsError::NoItems
            | BasketsError::BlankPaymentId => ErrorKind::InvalidArgument,
            BasketsError::Checkout(inner) => inner.kind(),
            BasketsError::BasketNotFound | BasketsError::ProductNotFound | BasketsError::StoreNotFound => {
                ErrorKind::NotFound
            }
            BasketsError::StoresUnavailable(_) => ErrorKind::Unavailable,
            BasketsError::Conflict => ErrorKind::Conflict,
            BasketsError::Infrastructure(_) => ErrorKind::Internal,
        }
    }
}

impl From<database::DbError> for BasketsError {
    fn from(err: database::DbError) -> Self {
        match err {
            database::DbError::Conflict(_) => BasketsError::Conflict,
            other => BasketsError::Infrastructure(Box::new(other)),
        }
    }
}

impl From<eventsourcing::EsError> for BasketsError {
    fn from(err: eventsourcing::EsError) -> Self {
        match err {
            eventsourcing::EsError::Conflict => BasketsError::Conflict,
            other => BasketsError::Infrastructure(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_refusals_carry_the_original_prefix_and_kind() {
        let err = BasketsError::checkout(BasketsError::NoItems);
        assert_eq!(err.to_string(), "baskets checkout: the basket has no items");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = BasketsError::checkout(BasketsError::CannotBeModified);
        assert_eq!(err.to_string(), "baskets checkout: the basket cannot be modified");
        let err = BasketsError::checkout(BasketsError::BasketNotFound);
        assert_eq!(err.to_string(), "basket not found");
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}

//! The one error enum of the stores context: every user-visible text is the original's, and each variant says which
//! kind of failure it is (the edge maps kinds to gRPC/HTTP statuses through `service::status_from`).

use ddd::{ErrorKind, HasErrorKind};

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoresError {
    #[error("the store name cannot be blank")]
    BlankStoreName,
    #[error("the store location cannot be blank")]
    BlankStoreLocation,
    #[error("the store is already participating")]
    AlreadyParticipating,
    #[error("the store is already not participating")]
    AlreadyNotParticipating,
    #[error("the product name cannot be blank")]
    BlankProductName,
    #[error("the product price cannot be negative")]
    NegativePrice,
    /// Not in the original (its float prices accepted NaN and infinities); money here is exact cents.
    #[error("the product price is out of range")]
    PriceOutOfRange,
    #[error("the price change would be a decrease")]
    PriceDecrease,
    #[error("the price change would be an increase")]
    PriceIncrease,
    /// The original's `AddProduct` wraps validation errors of the new product with this prefix.
    #[error("initializing product: {0}")]
    InitializingProduct(#[source] Box<StoresError>),
    #[error("store not found")]
    StoreNotFound,
    #[error("product not found")]
    ProductNotFound,
    /// Another writer kept winning the race for the same aggregate (after the retries).
    #[error("the aggregate was changed concurrently")]
    Conflict,
    /// Storage or codec failure: logged by the edge, never shown.
    #[error("storage failure: {0}")]
    Infrastructure(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl StoresError {
    /// Wraps a validation error of `AddProduct` the way the original does.
    pub(crate) fn initializing_product(err: StoresError) -> StoresError {
        match err {
            StoresError::BlankProductName | StoresError::NegativePrice | StoresError::PriceOutOfRange => {
                StoresError::InitializingProduct(Box::new(err))
            }
            other => other,
        }
    }
}

impl HasErrorKind for StoresError {
    fn kind(&self) -> ErrorKind {
        match self {
            StoresError::BlankStoreName
            | StoresError::BlankStoreLocation
            | StoresError::AlreadyParticipating
            | StoresError::AlreadyNotParticipating
            | StoresError::BlankProductName
            | StoresError::NegativePrice
            | StoresError::PriceOutOfRange
            | StoresError::PriceDecrease
            | StoresError::PriceIncrease => ErrorKind::InvalidArgument,
            StoresError::InitializingProduct(inner) => inner.kind(),
            StoresError::StoreNotFound | StoresError::ProductNotFound => ErrorKind::NotFound,
            StoresError::Conflict => ErrorKind::Conflict,
            StoresError::Infrastructure(_) => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn add_product_errors_carry_the_original_prefix_and_kind() {
        let err = StoresError::initializing_product(StoresError::BlankProductName);
        assert_eq!(err.to_string(), "initializing product: the product name cannot be blank");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = StoresError::initializing_product(StoresError::NegativePrice);
        assert_eq!(err.to_string(), "initializing product: the product price cannot be negative");
        assert_eq!(StoresError::initializing_product(StoresError::StoreNotFound).kind(), ErrorKind::NotFound);
    }
}

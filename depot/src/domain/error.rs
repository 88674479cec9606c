//! The one error enum of the depot crate; its `Display` is the exact user-visible message of the original.

use ddd::{ErrorKind, HasErrorKind};

/// Everything that can go wrong in the depot context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DepotError {
    #[error("the order id cannot be blank")]
    BlankOrderId,
    #[error("the item quantity must be at least 1")]
    BadQuantity,
    #[error("shopping list not found")]
    ShoppingListNotFound,
    #[error("store not found")]
    StoreNotFound,
    #[error("product not found")]
    ProductNotFound,
    #[error("the shopping list cannot be canceled")]
    CannotCancel,
    #[error("the shopping list cannot be initiated")]
    CannotInitiate,
    #[error("the shopping list cannot be assigned")]
    CannotAssign,
    #[error("the shopping list cannot be completed")]
    CannotComplete,
    /// The owner of the store/product data could not answer a cache miss.
    #[error("the stores service is unavailable")]
    StoresUnavailable,
    /// Another writer changed the list between our read and our write (retried before it is reported).
    #[error("the shopping list was changed concurrently; try again")]
    Conflict,
    /// Storage or messaging failed; logged, never shown to the caller.
    #[error("{context}: {source}")]
    Internal { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl DepotError {
    pub(crate) fn internal(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        DepotError::Internal { context, source: Box::new(source) }
    }

    /// Whether a saga command refused for this reason gets a FAILURE reply (rather than being retried).
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(self.kind(), ErrorKind::InvalidArgument | ErrorKind::NotFound)
    }
}

impl HasErrorKind for DepotError {
    fn kind(&self) -> ErrorKind {
        match self {
            DepotError::BlankOrderId
            | DepotError::BadQuantity
            | DepotError::CannotCancel
            | DepotError::CannotInitiate
            | DepotError::CannotAssign
            | DepotError::CannotComplete => ErrorKind::InvalidArgument,
            DepotError::ShoppingListNotFound | DepotError::StoreNotFound | DepotError::ProductNotFound => {
                ErrorKind::NotFound
            }
            DepotError::StoresUnavailable => ErrorKind::Unavailable,
            DepotError::Conflict => ErrorKind::Conflict,
            DepotError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

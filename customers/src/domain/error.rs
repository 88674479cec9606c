//! The one error enum of the customers crate; its `Display` is the exact user-visible message of the original.

use ddd::{ErrorKind, HasErrorKind};

/// Everything that can go wrong in the customers context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CustomersError {
    #[error("the customer id cannot be blank")]
    BlankId,
    #[error("the customer name cannot be blank")]
    BlankName,
    #[error("the SMS number cannot be blank")]
    BlankSmsNumber,
    #[error("the customer is already enabled")]
    AlreadyEnabled,
    #[error("the customer is already disabled")]
    AlreadyDisabled,
    #[error("customer is not authorized")]
    NotAuthorized,
    #[error("customer not found")]
    NotFound,
    #[error("the customer already exists")]
    AlreadyExists,
    /// Another writer changed the customer between our read and our write (retried before it is reported).
    #[error("the customer was changed concurrently; try again")]
    Conflict,
    /// Storage or messaging failed; logged, never shown to the caller.
    #[error("{context}: {source}")]
    Internal { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl CustomersError {
    pub(crate) fn internal(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        CustomersError::Internal { context, source: Box::new(source) }
    }
}

impl HasErrorKind for CustomersError {
    fn kind(&self) -> ErrorKind {
        match self {
            CustomersError::BlankId
            | CustomersError::BlankName
            | CustomersError::BlankSmsNumber
            | CustomersError::AlreadyEnabled
            | CustomersError::AlreadyDisabled => ErrorKind::InvalidArgument,
            CustomersError::NotAuthorized => ErrorKind::Unauthenticated,
            CustomersError::NotFound => ErrorKind::NotFound,
            CustomersError::AlreadyExists => ErrorKind::AlreadyExists,
            CustomersError::Conflict => ErrorKind::Conflict,
            CustomersError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

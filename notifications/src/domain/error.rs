//! The one error enum of the notifications crate; its `Display` is the user-visible message.

use ddd::{ErrorKind, HasErrorKind};

/// Everything that can go wrong in the notifications context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotificationsError {
    #[error("the order id cannot be blank")]
    BlankOrderId,
    #[error("the customer id cannot be blank")]
    BlankCustomerId,
    #[error("customer not found")]
    CustomerNotFound,
    /// The customers module could not be asked (down, timed out); a retry may succeed.
    #[error("the customers service is unavailable")]
    CustomersUnavailable { source: Box<dyn std::error::Error + Send + Sync> },
    /// The SMS gateway refused or could not be reached; a retry may succeed.
    #[error("the SMS gateway is unavailable")]
    SmsGatewayUnavailable { source: Box<dyn std::error::Error + Send + Sync> },
    /// Storage failed; logged, never shown to the caller.
    #[error("{context}: {source}")]
    Internal { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl NotificationsError {
    pub(crate) fn internal(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        NotificationsError::Internal { context, source: Box::new(source) }
    }

    /// The whole story, causes included (for logs and dead letters; `Display` is what callers see).
    pub(crate) fn detail(&self) -> String {
        match self {
            NotificationsError::CustomersUnavailable { source }
            | NotificationsError::SmsGatewayUnavailable { source } => {
                format!("{self}: {source}")
            }
            other => other.to_string(),
        }
    }
}

impl HasErrorKind for NotificationsError {
    fn kind(&self) -> ErrorKind {
        match self {
            NotificationsError::BlankOrderId | NotificationsError::BlankCustomerId => ErrorKind::InvalidArgument,
            NotificationsError::CustomerNotFound => ErrorKind::NotFound,
            NotificationsError::CustomersUnavailable { .. } | NotificationsError::SmsGatewayUnavailable { .. } => {
                ErrorKind::Unavailable
            }
            NotificationsError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

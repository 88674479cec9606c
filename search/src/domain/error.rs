//! The one error enum of the search crate; its `Display` is the user-visible message.

use ddd::{ErrorKind, HasErrorKind};

/// Everything that can go wrong in the search context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    #[error("order not found")]
    OrderNotFound,
    #[error("the order id cannot be blank")]
    BlankOrderId,
    #[error("the next cursor is invalid")]
    InvalidCursor,
    /// A module that owns names (customers, stores) could not be asked; a retry may succeed.
    #[error("the {owner} service is unavailable")]
    OwnerUnavailable { owner: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
    /// Storage failed; logged, never shown to the caller.
    #[error("{context}: {source}")]
    Internal { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl SearchError {
    pub(crate) fn internal(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        SearchError::Internal { context, source: Box::new(source) }
    }

    /// The whole story, causes included (for logs and dead letters; `Display` is what callers see).
    pub(crate) fn detail(&self) -> String {
        match self {
            SearchError::OwnerUnavailable { source, .. } => format!("{self}: {source}"),
            other => other.to_string(),
        }
    }
}

impl HasErrorKind for SearchError {
    fn kind(&self) -> ErrorKind {
        match self {
            SearchError::OrderNotFound => ErrorKind::NotFound,
            SearchError::BlankOrderId | SearchError::InvalidCursor => ErrorKind::InvalidArgument,
            SearchError::OwnerUnavailable { .. } => ErrorKind::Unavailable,
            SearchError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

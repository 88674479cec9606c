//! The one error enum of the payments crate; its `Display` is the exact user-visible message.

use ddd::{ErrorKind, HasErrorKind};

/// Everything that can go wrong in the payments context.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PaymentsError {
    #[error("the customer id cannot be blank")]
    BlankCustomerId,
    #[error("the payment amount must be positive")]
    NonPositiveAmount,
    #[error("the amount is out of range")]
    AmountOutOfRange,
    #[error("the invoice amount cannot be negative")]
    NegativeInvoiceAmount,
    #[error("the order id cannot be blank")]
    BlankOrderId,
    #[error("payment not found")]
    PaymentNotFound,
    #[error("invoice not found")]
    InvoiceNotFound,
    /// Confirmation refusals (the saga only sees `am.Failure`; the text is logged).
    #[error("the payment belongs to another customer")]
    WrongCustomer,
    #[error("the payment does not cover the order total")]
    InsufficientAmount,
    #[error("the payment is already used by another order")]
    UsedByAnotherOrder,
    #[error("payment cannot be confirmed")]
    CannotConfirm,
    #[error("invoice cannot be paid for")]
    CannotPay,
    /// The original said "invoice cannot be paid for" here too (a copy-paste slip).
    #[error("invoice cannot be canceled")]
    CannotCancel,
    #[error("the invoice already exists")]
    InvoiceExists,
    /// Another writer changed the row between our read and our write (retried before it is reported).
    #[error("the record was changed concurrently; try again")]
    Conflict,
    /// Storage or messaging failed; logged, never shown to the caller.
    #[error("{context}: {source}")]
    Internal { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl PaymentsError {
    pub(crate) fn internal(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        PaymentsError::Internal { context, source: Box::new(source) }
    }

    /// Whether a saga command refused for this reason gets a FAILURE reply (rather than being retried).
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(self.kind(), ErrorKind::InvalidArgument | ErrorKind::NotFound | ErrorKind::AlreadyExists)
    }
}

impl HasErrorKind for PaymentsError {
    fn kind(&self) -> ErrorKind {
        match self {
            PaymentsError::BlankCustomerId
            | PaymentsError::NonPositiveAmount
            | PaymentsError::AmountOutOfRange
            | PaymentsError::NegativeInvoiceAmount
            | PaymentsError::BlankOrderId
            | PaymentsError::WrongCustomer
            | PaymentsError::InsufficientAmount
            | PaymentsError::UsedByAnotherOrder
            | PaymentsError::CannotConfirm
            | PaymentsError::CannotPay
            | PaymentsError::CannotCancel => ErrorKind::InvalidArgument,
            PaymentsError::PaymentNotFound | PaymentsError::InvoiceNotFound => ErrorKind::NotFound,
            PaymentsError::InvoiceExists => ErrorKind::AlreadyExists,
            PaymentsError::Conflict => ErrorKind::Conflict,
            PaymentsError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

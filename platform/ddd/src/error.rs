//! The error vocabulary of the domain: every crate's error enum says which kind each variant is, and the edge
//! (HTTP, gRPC, command replies) turns kinds into status codes from one table.

/// What kind of failure an error is; the edge maps it to a gRPC code (and from there to HTTP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a rule of the domain refused the request (gRPC 3, HTTP 400).
    InvalidArgument,
    /// The thing asked for does not exist (gRPC 5, HTTP 404).
    NotFound,
    /// It exists already (gRPC 6, HTTP 409).
    AlreadyExists,
    /// The state does not allow it (gRPC 9, HTTP 400).
    FailedPrecondition,
    /// A concurrent writer won, even after retries (gRPC 10, HTTP 409).
    Conflict,
    /// Not allowed for this caller (gRPC 16, HTTP 401).
    Unauthenticated,
    /// A dependency is down (gRPC 14, HTTP 503).
    Unavailable,
    /// A defect or infrastructure failure; its text is logged, never shown (gRPC 13, HTTP 500).
    Internal,
}

/// Implemented by every crate's error enum.
pub trait HasErrorKind: std::error::Error {
    fn kind(&self) -> ErrorKind;
}

//! The one table that turns domain errors into gRPC statuses and HTTP responses (grpc-gateway's conventions).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ddd::{ErrorKind, HasErrorKind};
use tonic::Code;

/// A domain error as a gRPC status. Internal errors are logged once here and shown as a generic text.
pub fn status_from<E: HasErrorKind + ?Sized>(err: &E) -> tonic::Status {
    let code = match err.kind() {
        ErrorKind::InvalidArgument => Code::InvalidArgument,
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::AlreadyExists => Code::AlreadyExists,
        ErrorKind::FailedPrecondition => Code::FailedPrecondition,
        ErrorKind::Conflict => Code::Aborted,
        ErrorKind::Unauthenticated => Code::Unauthenticated,
        ErrorKind::Unavailable => Code::Unavailable,
        ErrorKind::Internal => return internal(err),
    };
    tonic::Status::new(code, err.to_string())
}

/// Logs an unexpected failure and returns a status that carries no internal text.
pub fn internal(err: &(impl std::fmt::Display + ?Sized)) -> tonic::Status {
    tracing::error!(error = %err, "internal error");
    tonic::Status::internal("internal error")
}

/// grpc-gateway's `HTTPStatusFromCode`.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::REQUEST_TIMEOUT,
        Code::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::FailedPrecondition => StatusCode::BAD_REQUEST,
        Code::Aborted => StatusCode::CONFLICT,
        Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
    }
}

/// The error JSON `{"code", "message", "details": []}` with the HTTP status of the gRPC code.
pub fn error_response(status: &tonic::Status) -> Response {
    let http = http_status(status.code());
    let body = serde_json::json!({ "code": status.code() as i32, "message": status.message(), "details": [] });
    let mut response = (http, axum::Json(body)).into_response();
    if status.code() == Code::Unauthenticated
        && let Ok(value) = HeaderValue::from_str(status.message())
    {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// An error JSON for an HTTP-level failure (bad body, unknown route, oversized request).
pub(crate) fn http_error(http: StatusCode, code: Code, message: &str) -> Response {
    let body = serde_json::json!({ "code": code as i32, "message": message, "details": [] });
    (http, axum::Json(body)).into_response()
}

//! API documentation served by the binary (placeholder until the documentation generator lands).

use crate::runtime::ApiDocument;

/// Routes serving the OpenAPI documents and Swagger UI pages.
pub(crate) fn docs_routes<S: Clone + Send + Sync + 'static>(_documents: &[ApiDocument]) -> axum::Router<S> {
    axum::Router::new()
}

//! The REST gateway: each route parses its JSON body (camelCase or snake_case, unknown fields ignored, empty body
//! allowed) into the gRPC request message, binds the path parameters over it (path wins), calls the module's gRPC
//! implementation in-process and writes the response as proto-JSON — grpc-gateway's behaviour without the loopback.
//!
//! ```ignore
//! let router = Router::new()
//!     .route("/api/stores/{id}", rest::get(svc.clone(), |s, r| async move { s.get_store(r).await }));
//! ```

use std::collections::HashMap;
use std::future::Future;

use axum::body::Bytes;
use axum::extract::{Path, rejection::BytesRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete as on_delete, get as on_get, post as on_post, put as on_put};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::Code;

use crate::edge::{error_response, http_error};

/// The largest request body accepted (bigger ones get 413 with the error JSON).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

macro_rules! verb {
    ($(#[$doc:meta])* $name:ident, $on:ident) => {
        $(#[$doc])*
        pub fn $name<S, Req, Resp, F, Fut>(service: S, call: F) -> MethodRouter
        where
            S: Clone + Send + Sync + 'static,
            Req: DeserializeOwned + Send + 'static,
            Resp: Serialize + Send + 'static,
            F: Fn(S, tonic::Request<Req>) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>> + Send + 'static,
        {
            $on(move |path: Option<Path<HashMap<String, String>>>, body: Result<Bytes, BytesRejection>| {
                let service = service.clone();
                let call = call.clone();
                async move { handle(service, call, path, body).await }
            })
        }
    };
}

verb!(/// A GET route calling a gRPC method.
    get, on_get);
verb!(/// A POST route calling a gRPC method.
    post, on_post);
verb!(/// A PUT route calling a gRPC method.
    put, on_put);
verb!(/// A DELETE route calling a gRPC method.
    delete, on_delete);

async fn handle<S, Req, Resp, F, Fut>(
    service: S,
    call: F,
    path: Option<Path<HashMap<String, String>>>,
    body: Result<Bytes, BytesRejection>,
) -> Response
where
    Req: DeserializeOwned,
    Resp: Serialize,
    F: Fn(S, tonic::Request<Req>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
{
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let http = rejection.status();
            let code =
                if http == StatusCode::PAYLOAD_TOO_LARGE { Code::ResourceExhausted } else { Code::InvalidArgument };
            return http_error(http, code, &rejection.body_text());
        }
    };
    let params = path.map(|Path(p)| p).unwrap_or_default();
    let request: Req = match parse_request(&body, params) {
        Ok(request) => request,
        Err(message) => return http_error(StatusCode::BAD_REQUEST, Code::InvalidArgument, &message),
    };
    match call(service, tonic::Request::new(request)).await {
        Ok(response) => (StatusCode::OK, axum::Json(response.into_inner())).into_response(),
        Err(status) => error_response(&status),
    }
}

/// Body JSON (or `{}`) with the path parameters laid over it, decoded as the request message.
fn parse_request<Req: DeserializeOwned>(body: &[u8], params: HashMap<String, String>) -> Result<Req, String> {
    let mut value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))?
    };
    let Some(object) = value.as_object_mut() else {
        return Err("the request body must be a JSON object".to_owned());
    };
    for (name, param) in params {
        // The body may name the same field in either spelling; the path wins over both.
        object.remove(&lower_camel(&name));
        object.insert(name, serde_json::Value::String(param));
    }
    serde_json::from_value(value).map_err(|e| format!("invalid request: {e}"))
}

/// `store_id` → `storeId` (the proto JSON name of a field).
fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// 404 with the error JSON, for unknown routes.
pub async fn not_found() -> Response {
    http_error(StatusCode::NOT_FOUND, Code::NotFound, "Not Found")
}

/// 405 with the error JSON, for a known path with the wrong method.
pub async fn method_not_allowed() -> Response {
    http_error(StatusCode::METHOD_NOT_ALLOWED, Code::Unimplemented, "Method Not Allowed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_win_over_the_body() {
        let req: contracts::storespb::AddProductRequest = parse_request(
            br#"{"storeId":"body","name":"n","price":1.5,"unknown":true}"#,
            HashMap::from([("store_id".to_owned(), "path".to_owned())]),
        )
        .unwrap();
        assert_eq!(req.store_id, "path");
        assert_eq!(req.name, "n");
        let empty: contracts::storespb::GetStoresRequest = parse_request(b"  ", HashMap::new()).unwrap();
        assert_eq!(empty, Default::default());
    }

    #[test]
    fn malformed_bodies_are_refused_with_a_message() {
        let bad = parse_request::<contracts::storespb::AddProductRequest>(b"{\"price\":\"x\"", HashMap::new());
        assert!(bad.unwrap_err().starts_with("invalid JSON body"));
        let wrong = parse_request::<contracts::storespb::AddProductRequest>(br#"{"price":"abc"}"#, HashMap::new());
        assert!(wrong.unwrap_err().starts_with("invalid request"));
        let array = parse_request::<contracts::storespb::AddProductRequest>(b"[]", HashMap::new());
        assert!(array.is_err());
    }
}

//! API documentation served by the binary, as the original's grpc-gateway setup did (ORIGINAL §4, §11):
//!
//! * a Swagger 2.0 document per registered [`ApiSpec`], generated at startup from its REST rules and the proto
//!   descriptors in [`contracts::FILE_DESCRIPTOR_SET`] — the shape `protoc-gen-openapiv2` gives (definitions named
//!   `<pkg><Message>`, lowerCamelCase properties, `int64` as strings, `rpcStatus` as the error response) — served at
//!   `/<module>-spec/api.swagger.json`, with a Swagger UI page for it at `/<module>-spec/`;
//! * a Swagger UI page at `/` with a selector over every registered document;
//! * the Swagger UI assets under `/swagger-ui/`, embedded in the binary (`utoipa-swagger-ui`, `vendored`): the pages
//!   work offline, no CDN.
//!
//! The HTML pages live in `web/` at the repository root and are embedded with `include_str!`. The schemas come from
//! [`crate::schema`], shared with the AsyncAPI documents ([`crate::asyncapi`]); when any module documents its
//! messages, the page at `/` links to their index (`/asyncapi/`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::runtime::{ApiDocument, ApiSpec, RestRoute};
use crate::schema::{FieldInfo, MethodInfo, Schemas, Style, any_schema, lower_camel, merge, object_schema};

/// The multi-document Swagger UI page served at `/`.
const INDEX_HTML: &str = include_str!("../../../web/index.html");
/// Where Swagger UI renders in [`INDEX_HTML`]; the AsyncAPI link goes above it.
const SWAGGER_DIV: &str = r#"<div id="swagger-ui"></div>"#;
/// The link from `/` to the AsyncAPI documents (messages), when any module documents its messages.
const ASYNCAPI_LINK: &str = concat!(
    r#"<p style="margin:0;padding:.5rem 1rem;font-family:sans-serif;font-size:14px;background:#fff;"#,
    r#"border-bottom:1px solid #ddd">Messages: <a href="asyncapi/">AsyncAPI documents</a></p>"#
);
/// The single-document Swagger UI page served at `/<module>-spec/`.
const SPEC_HTML: &str = include_str!("../../../web/spec.html");

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI generation
// ---------------------------------------------------------------------------------------------------------------

/// The Swagger 2.0 document of `spec`: one operation per REST route, with the request/response schemas taken from
/// the gRPC method the route calls.
///
/// Path parameters are documented under their proto JSON names (`/api/stores/{storeId}/products` for the route
/// `/api/stores/{store_id}/products`), as `protoc-gen-openapiv2` documents them; the request path is the same.
/// A route whose service or method is unknown is still documented, with untyped schemas (and a warning logged).
pub fn openapi_document(spec: &ApiSpec) -> Value {
    let mut schemas = Schemas::new(Style::OpenApi);
    let index = schemas.index;

    let mut tags: Vec<&str> = Vec::new();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for route in spec.routes {
        if !route.tag.is_empty() && !tags.contains(&route.tag) {
            tags.push(route.tag);
        }
        let method = index.method(spec.service, route.rpc);
        if method.is_none() {
            tracing::warn!(
                service = spec.service,
                rpc = route.rpc,
                path = route.path,
                "documented rpc not found in descriptors"
            );
        }
        let (doc_path, operation) = operation(&mut schemas, route, method);
        paths.entry(doc_path).or_default().insert(route.method.to_ascii_lowercase(), operation);
    }

    let mut definitions = schemas.definitions();
    definitions.insert("protobufAny".into(), any_schema());
    definitions.insert(
        "rpcStatus".into(),
        json!({
            "type": "object",
            "properties": {
                "code": { "type": "integer", "format": "int32" },
                "message": { "type": "string" },
                "details": { "type": "array", "items": { "$ref": "#/definitions/protobufAny" } }
            }
        }),
    );

    json!({
        "swagger": "2.0",
        "info": { "title": spec.title, "version": "1.0.0" },
        "tags": tags.iter().map(|name| json!({ "name": name })).collect::<Vec<_>>(),
        "basePath": "/",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths.into_iter().map(|(path, item)| (path, Value::Object(item))).collect::<Map<_, _>>(),
        "definitions": definitions,
    })
}

/// The documented path and the operation object of one route.
fn operation(schemas: &mut Schemas<'_>, route: &RestRoute, method: Option<&MethodInfo>) -> (String, Value) {
    let index = schemas.index;
    let request = method.and_then(|m| index.messages.get(&m.input_type));

    // Path parameters: `{store_id}` → `{storeId}`, documented with the bound field's type.
    let mut bound = Vec::new();
    let mut parameters = Vec::new();
    let mut doc_path = String::with_capacity(route.path.len());
    let mut rest = route.path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let field_path = inner.split('=').next().unwrap_or(inner);
        let top = field_path.split('.').next().unwrap_or(field_path);
        bound.push(top.to_string());
        let field = request.and_then(|m| m.field(top));
        let json_name = field_path
            .split('.')
            .map(|segment| match field.filter(|f| f.name == segment) {
                Some(f) => f.json_name.clone(),
                None => lower_camel(segment),
            })
            .collect::<Vec<_>>()
            .join(".");
        doc_path.push_str(&rest[..open]);
        doc_path.push('{');
        doc_path.push_str(&json_name);
        doc_path.push('}');
        rest = &rest[close + 1..];

        let mut parameter = json!({ "name": json_name, "in": "path", "required": true });
        let scalar = field.filter(|f| field_path == top && !f.is_repeated()).and_then(|f| schemas.parameter_type(f));
        merge(&mut parameter, scalar.unwrap_or_else(|| json!({ "type": "string" })));
        parameters.push(parameter);
    }
    doc_path.push_str(rest);

    let unbound = |field: &&FieldInfo| !bound.contains(&field.name);
    if route.body {
        let schema = match (method, request) {
            (Some(m), Some(req)) if bound.is_empty() => schemas.reference(&m.input_type, req),
            (_, Some(req)) => {
                let properties = req
                    .fields
                    .iter()
                    .filter(unbound)
                    .map(|f| (f.json_name.clone(), schemas.field_schema(f)))
                    .collect::<Map<_, _>>();
                object_schema(properties)
            }
            (_, None) => json!({ "type": "object" }),
        };
        parameters.push(json!({ "name": "body", "in": "body", "required": true, "schema": schema }));
    } else if let Some(req) = request {
        // grpc-gateway reads the remaining request fields from the query string.
        for field in req.fields.iter().filter(unbound) {
            let Some(ty) = schemas.parameter_type(field) else { continue };
            let mut parameter = json!({ "name": field.json_name, "in": "query", "required": false });
            if field.is_repeated() {
                merge(&mut parameter, json!({ "type": "array", "items": ty, "collectionFormat": "multi" }));
            } else {
                merge(&mut parameter, ty);
            }
            parameters.push(parameter);
        }
    }

    let ok_schema = match method.and_then(|m| index.messages.get(&m.output_type).map(|r| (m, r))) {
        Some((m, response)) => schemas.reference(&m.output_type, response),
        None => json!({ "type": "object" }),
    };
    let mut operation = Map::new();
    if !route.summary.is_empty() {
        operation.insert("summary".into(), route.summary.into());
    }
    operation.insert("operationId".into(), route.operation_id.into());
    operation.insert(
        "responses".into(),
        json!({
            "200": { "description": "A successful response.", "schema": ok_schema },
            "default": {
                "description": "An unexpected error response.",
                "schema": { "$ref": "#/definitions/rpcStatus" }
            }
        }),
    );
    if !parameters.is_empty() {
        operation.insert("parameters".into(), Value::Array(parameters));
    }
    if !route.tag.is_empty() {
        operation.insert("tags".into(), json!([route.tag]));
    }
    (doc_path, Value::Object(operation))
}

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

/// Routes serving the OpenAPI documents and Swagger UI pages:
///
/// * `GET /<module>-spec/api.swagger.json`: the module's document (generated once, here);
/// * `GET /<module>-spec/` (and `index.html`): Swagger UI for that document (`/<module>-spec` redirects there);
/// * `GET /` (and `/index.html`): Swagger UI with a selector over every document, in registration order;
/// * `GET /swagger-ui/*`: the Swagger UI assets (`swagger-ui-bundle.js`, `swagger-ui-standalone-preset.js`,
///   `swagger-ui.css`, favicons, …) from the binary; `/swagger-ui/` itself redirects to `/`.
///
/// A module registered twice is documented once (the first registration wins). With `asyncapi`, the page at `/`
/// also links to the AsyncAPI documents (`asyncapi/`).
pub(crate) fn docs_routes<S: Clone + Send + Sync + 'static>(
    documents: &[ApiDocument],
    asyncapi: bool,
) -> axum::Router<S> {
    let mut router = axum::Router::new();
    let mut modules = HashSet::new();
    let mut urls = Vec::new();
    for document in documents {
        let spec = &document.spec;
        if !modules.insert(spec.module) {
            tracing::warn!(module = spec.module, "API document registered twice; keeping the first");
            continue;
        }
        let json = match serde_json::to_vec_pretty(&openapi_document(spec)) {
            Ok(bytes) => Bytes::from(bytes),
            Err(error) => {
                tracing::error!(module = spec.module, %error, "cannot serialize the API document");
                continue;
            }
        };
        let page = Bytes::from(SPEC_HTML.replace("__TITLE__", &html_escape(spec.title)));
        let base = format!("/{}-spec", spec.module);
        let relative = format!("{}-spec/", spec.module);
        router = router
            .route(&format!("{base}/api.swagger.json"), get(move || static_response(json.clone(), "application/json")))
            .route(
                &format!("{base}/"),
                get({
                    let page = page.clone();
                    move || static_response(page.clone(), "text/html; charset=utf-8")
                }),
            )
            .route(
                &format!("{base}/index.html"),
                get(move || static_response(page.clone(), "text/html; charset=utf-8")),
            )
            .route(&base, get(move || async move { Redirect::permanent(&relative) }));
        urls.push(json!({ "url": format!("{}-spec/api.swagger.json", spec.module), "name": spec.title }));
    }

    let mut index = INDEX_HTML.replace("__SWAGGER_URLS__", &script_json(&Value::Array(urls)));
    if asyncapi {
        index = index.replacen(SWAGGER_DIV, &format!("{ASYNCAPI_LINK}\n{SWAGGER_DIV}"), 1);
    }
    let index = Bytes::from(index);
    router
        .route(
            "/",
            get({
                let index = index.clone();
                move || static_response(index.clone(), "text/html; charset=utf-8")
            }),
        )
        .route("/index.html", get(move || static_response(index.clone(), "text/html; charset=utf-8")))
        .route("/swagger-ui", get(|| async { Redirect::to("./") }))
        .route("/swagger-ui/", get(|| async { Redirect::to("../") }))
        .route("/swagger-ui/{*path}", get(swagger_asset))
}

async fn static_response(body: Bytes, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// One Swagger UI file from the binary (`utoipa-swagger-ui`'s embedded distribution).
async fn swagger_asset(Path(path): Path<String>) -> Response {
    if path == "index.html" {
        // Our pages replace the distribution's own index (which would need its initializer configured).
        return Redirect::to("../").into_response();
    }
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| Arc::new(utoipa_swagger_ui::Config::default())).clone();
    match utoipa_swagger_ui::serve(&path, config) {
        Ok(Some(file)) => {
            let body = match file.bytes {
                Cow::Borrowed(bytes) => Body::from(Bytes::from_static(bytes)),
                Cow::Owned(bytes) => Body::from(bytes),
            };
            let mut response = body.into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&file.content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            if file.gzpipped {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, path, "cannot serve a Swagger UI file");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// JSON safe to paste inside a `<script>` element.
fn script_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::body::to_bytes;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::schema::descriptors;

    const ROUTES: &[RestRoute] = &[
        RestRoute {
            method: "GET",
            path: "/api/stores/{id}",
            rpc: "GetStore",
            operation_id: "getStore",
            tag: "Store",
            summary: "Get a store",
            body: false,
        },
        RestRoute {
            method: "POST",
            path: "/api/stores/{store_id}/products",
            rpc: "AddProduct",
            operation_id: "addProduct",
            tag: "Product",
            summary: "Add a product to a store",
            body: true,
        },
        RestRoute {
            method: "POST",
            path: "/api/stores",
            rpc: "CreateStore",
            operation_id: "createStore",
            tag: "Store",
            summary: "Create a store",
            body: true,
        },
    ];

    const STORES: ApiSpec =
        ApiSpec { module: "stores", title: "Store Management", service: "storespb.StoresService", routes: ROUTES };

    #[test]
    fn document_follows_protoc_gen_openapiv2() {
        let doc = openapi_document(&STORES);
        assert_eq!(doc["swagger"], "2.0");
        assert_eq!(doc["info"]["title"], "Store Management");
        assert_eq!(doc["info"]["version"], "1.0.0");
        assert_eq!(doc["basePath"], "/");
        assert_eq!(doc["consumes"], json!(["application/json"]));
        assert_eq!(doc["produces"], json!(["application/json"]));
        assert_eq!(doc["tags"], json!([{ "name": "Store" }, { "name": "Product" }]));

        let get_store = &doc["paths"]["/api/stores/{id}"]["get"];
        assert_eq!(get_store["operationId"], "getStore");
        assert_eq!(get_store["summary"], "Get a store");
        assert_eq!(get_store["tags"], json!(["Store"]));
        assert_eq!(
            get_store["parameters"],
            json!([{ "name": "id", "in": "path", "required": true, "type": "string" }])
        );
        assert_eq!(get_store["responses"]["200"]["schema"]["$ref"], "#/definitions/storespbGetStoreResponse");
        assert_eq!(get_store["responses"]["default"]["schema"]["$ref"], "#/definitions/rpcStatus");

        let defs = &doc["definitions"];
        assert_eq!(defs["storespbGetStoreResponse"]["properties"]["store"]["$ref"], "#/definitions/storespbStore");
        assert_eq!(defs["storespbStore"]["properties"]["participating"]["type"], "boolean");
        assert_eq!(defs["storespbStore"]["properties"]["location"]["type"], "string");
        assert_eq!(defs["rpcStatus"]["properties"]["code"], json!({ "type": "integer", "format": "int32" }));
        assert_eq!(defs["rpcStatus"]["properties"]["details"]["items"]["$ref"], "#/definitions/protobufAny");
        assert_eq!(defs["protobufAny"]["properties"]["@type"]["type"], "string");

        // Path parameters are documented under their JSON names; the body is the request minus the bound fields.
        assert!(doc["paths"].get("/api/stores/{store_id}/products").is_none());
        let add_product = &doc["paths"]["/api/stores/{storeId}/products"]["post"];
        assert_eq!(add_product["operationId"], "addProduct");
        let parameters = add_product["parameters"].as_array().unwrap();
        assert_eq!(parameters[0], json!({ "name": "storeId", "in": "path", "required": true, "type": "string" }));
        assert_eq!(parameters[1]["in"], "body");
        assert_eq!(parameters[1]["required"], true);
        let body = &parameters[1]["schema"];
        assert_eq!(body["type"], "object");
        assert!(body["properties"].get("storeId").is_none(), "path-bound field in the body: {body}");
        assert!(body["properties"].get("store_id").is_none());
        assert_eq!(body["properties"]["price"], json!({ "type": "number", "format": "double" }));
        assert_eq!(body["properties"]["name"]["type"], "string");
        // Only the referenced messages are defined.
        assert!(defs.get("storespbAddProductRequest").is_none());
        assert_eq!(add_product["responses"]["200"]["schema"]["$ref"], "#/definitions/storespbAddProductResponse");

        // A body without path parameters references the request message.
        let create = &doc["paths"]["/api/stores"]["post"];
        assert_eq!(create["parameters"][0]["schema"]["$ref"], "#/definitions/storespbCreateStoreRequest");
        assert_eq!(defs["storespbCreateStoreRequest"]["properties"]["location"]["type"], "string");
    }

    #[test]
    fn product_price_is_a_double() {
        let index = descriptors();
        let product = &index.messages[".storespb.Product"];
        assert_eq!(product.definition, "storespbProduct");
        let mut schemas = Schemas::with_index(index, Style::OpenApi);
        let (_, schema) = schemas.definition(".storespb.Product").unwrap();
        assert_eq!(schema["properties"]["price"], json!({ "type": "number", "format": "double" }));
        assert_eq!(schema["properties"]["storeId"]["type"], "string");
    }

    #[test]
    fn nested_maps_int64_and_timestamps() {
        const ROUTES: &[RestRoute] = &[
            RestRoute {
                method: "POST",
                path: "/api/search/orders",
                rpc: "SearchOrders",
                operation_id: "searchOrders",
                tag: "Orders",
                summary: "",
                body: true,
            },
            RestRoute {
                method: "GET",
                path: "/api/search/orders/{id}",
                rpc: "GetOrder",
                operation_id: "getOrder",
                tag: "Order",
                summary: "",
                body: false,
            },
        ];
        let doc = openapi_document(&ApiSpec {
            module: "search",
            title: "Search",
            service: "searchpb.SearchService",
            routes: ROUTES,
        });
        let defs = &doc["definitions"];
        assert_eq!(defs["searchpbOrderItem"]["properties"]["quantity"], json!({ "type": "string", "format": "int64" }));
        assert_eq!(defs["searchpbOrder"]["properties"]["items"]["items"]["$ref"], "#/definitions/searchpbOrderItem");
        let filters = &defs["searchpbSearchOrdersRequestFilters"]["properties"];
        assert_eq!(filters["after"], json!({ "type": "string", "format": "date-time" }));
        assert_eq!(filters["storeIds"], json!({ "type": "array", "items": { "type": "string" } }));
        assert!(doc["paths"]["/api/search/orders"]["post"].get("summary").is_none());

        let index = descriptors();
        let stops = index.messages[".depotpb.ShoppingList"].field("stops").unwrap();
        let mut schemas = Schemas::with_index(index, Style::OpenApi);
        assert_eq!(
            schemas.field_schema(stops),
            json!({ "type": "object", "additionalProperties": { "$ref": "#/definitions/depotpbStop" } })
        );
    }

    #[test]
    fn unknown_rpc_is_still_documented() {
        const ROUTES: &[RestRoute] = &[RestRoute {
            method: "GET",
            path: "/api/nothing/{some_id}",
            rpc: "Nope",
            operation_id: "nope",
            tag: "",
            summary: "",
            body: false,
        }];
        let doc = openapi_document(&ApiSpec { module: "x", title: "X", service: "x.Nope", routes: ROUTES });
        let op = &doc["paths"]["/api/nothing/{someId}"]["get"];
        assert_eq!(op["operationId"], "nope");
        assert_eq!(op["responses"]["200"]["schema"], json!({ "type": "object" }));
        assert!(doc["definitions"].get("rpcStatus").is_some());
    }

    async fn fetch(router: &axum::Router, uri: &str) -> (StatusCode, String, Bytes) {
        let response = router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, content_type, body)
    }

    #[tokio::test]
    async fn router_serves_documents_pages_and_assets() {
        const CUSTOMERS: ApiSpec =
            ApiSpec { module: "customers", title: "Customers", service: "customerspb.CustomersService", routes: &[] };
        let router: axum::Router = docs_routes(
            &[ApiDocument { spec: STORES }, ApiDocument { spec: CUSTOMERS }, ApiDocument { spec: STORES }],
            true,
        );

        let (status, content_type, body) = fetch(&router, "/swagger-ui/swagger-ui-bundle.js").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.contains("javascript"), "{content_type}");
        assert!(body.len() > 100_000);
        for asset in ["swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png"] {
            assert_eq!(fetch(&router, &format!("/swagger-ui/{asset}")).await.0, StatusCode::OK, "{asset}");
        }
        assert_eq!(fetch(&router, "/swagger-ui/nothing.js").await.0, StatusCode::NOT_FOUND);

        for uri in ["/", "/index.html"] {
            let (status, content_type, body) = fetch(&router, uri).await;
            assert_eq!(status, StatusCode::OK);
            assert!(content_type.starts_with("text/html"));
            let html = String::from_utf8(body.to_vec()).unwrap();
            assert!(html.contains(r#""url":"stores-spec/api.swagger.json""#), "{html}");
            assert!(html.contains(r#""name":"Store Management""#));
            assert!(html.contains(r#""url":"customers-spec/api.swagger.json""#));
            assert!(html.contains("swagger-ui/swagger-ui-bundle.js"));
            assert!(html.contains("StandaloneLayout"));
            assert!(!html.contains("__SWAGGER_URLS__"));
            assert!(html.contains(r#"<a href="asyncapi/">AsyncAPI documents</a></p>"#), "{html}");
        }

        let (status, content_type, body) = fetch(&router, "/stores-spec/api.swagger.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/json");
        let doc: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(doc, openapi_document(&STORES));

        for uri in ["/stores-spec/", "/stores-spec/index.html"] {
            let (status, _, body) = fetch(&router, uri).await;
            assert_eq!(status, StatusCode::OK);
            let html = String::from_utf8(body.to_vec()).unwrap();
            assert!(html.contains("<title>Store Management</title>"));
            assert!(html.contains(r#"url: "api.swagger.json""#));
            assert!(html.contains("../swagger-ui/swagger-ui-bundle.js"));
        }
        let (status, _, _) = fetch(&router, "/stores-spec").await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(fetch(&router, "/customers-spec/api.swagger.json").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn index_without_documents() {
        let router: axum::Router = docs_routes(&[], false);
        let (status, content_type, body) = fetch(&router, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"));
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("urls: [],"));
        assert!(!html.contains("asyncapi/"));
    }
}

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
//! The HTML pages live in `web/` at the repository root and are embedded with `include_str!`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use prost::Message as _;
use serde_json::{Map, Value, json};

use crate::runtime::{ApiDocument, ApiSpec, RestRoute};

/// The multi-document Swagger UI page served at `/`.
const INDEX_HTML: &str = include_str!("../../../web/index.html");
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
    let index = descriptors();
    let mut generator = Generator { index, pending: Vec::new(), seen: HashSet::new() };

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
        let (doc_path, operation) = generator.operation(route, method);
        paths.entry(doc_path).or_default().insert(route.method.to_ascii_lowercase(), operation);
    }

    let mut definitions = Map::new();
    while let Some(full_name) = generator.pending.pop() {
        if let Some((name, schema)) = generator.definition(&full_name) {
            definitions.insert(name, schema);
        }
    }
    definitions.insert(
        "protobufAny".into(),
        json!({
            "type": "object",
            "properties": { "@type": { "type": "string" } },
            "additionalProperties": {}
        }),
    );
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

/// Builds operations and collects the messages/enums they reference (`pending`) for the `definitions` section.
struct Generator<'a> {
    index: &'a DescriptorIndex,
    pending: Vec<String>,
    seen: HashSet<String>,
}

impl Generator<'_> {
    /// The documented path and the operation object of one route.
    fn operation(&mut self, route: &RestRoute, method: Option<&MethodInfo>) -> (String, Value) {
        let request = method.and_then(|m| self.index.messages.get(&m.input_type));

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
            let scalar = field.filter(|f| field_path == top && !f.is_repeated()).and_then(|f| self.parameter_type(f));
            merge(&mut parameter, scalar.unwrap_or_else(|| json!({ "type": "string" })));
            parameters.push(parameter);
        }
        doc_path.push_str(rest);

        let unbound = |field: &&FieldInfo| !bound.contains(&field.name);
        if route.body {
            let schema = match (method, request) {
                (Some(m), Some(req)) if bound.is_empty() => self.reference(&m.input_type, req),
                (_, Some(req)) => {
                    let properties = req
                        .fields
                        .iter()
                        .filter(unbound)
                        .map(|f| (f.json_name.clone(), self.field_schema(f)))
                        .collect::<Map<_, _>>();
                    object_schema(properties)
                }
                (_, None) => json!({ "type": "object" }),
            };
            parameters.push(json!({ "name": "body", "in": "body", "required": true, "schema": schema }));
        } else if let Some(req) = request {
            // grpc-gateway reads the remaining request fields from the query string.
            for field in req.fields.iter().filter(unbound) {
                let Some(ty) = self.parameter_type(field) else { continue };
                let mut parameter = json!({ "name": field.json_name, "in": "query", "required": false });
                if field.is_repeated() {
                    merge(&mut parameter, json!({ "type": "array", "items": ty, "collectionFormat": "multi" }));
                } else {
                    merge(&mut parameter, ty);
                }
                parameters.push(parameter);
            }
        }

        let ok_schema = match method.and_then(|m| self.index.messages.get(&m.output_type).map(|r| (m, r))) {
            Some((m, response)) => self.reference(&m.output_type, response),
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

    /// A `$ref` to the definition of message `full_name` (queued for the definitions section).
    fn reference(&mut self, full_name: &str, message: &MessageInfo) -> Value {
        if let Some(schema) = well_known(full_name) {
            return schema;
        }
        self.queue(full_name);
        json!({ "$ref": format!("#/definitions/{}", message.definition) })
    }

    fn queue(&mut self, full_name: &str) {
        if self.seen.insert(full_name.to_string()) {
            self.pending.push(full_name.to_string());
        }
    }

    /// The definition (name and schema) of a message or enum.
    fn definition(&mut self, full_name: &str) -> Option<(String, Value)> {
        if let Some(message) = self.index.messages.get(full_name) {
            let properties =
                message.fields.iter().map(|f| (f.json_name.clone(), self.field_schema(f))).collect::<Map<_, _>>();
            return Some((message.definition.clone(), object_schema(properties)));
        }
        let enumeration = self.index.enums.get(full_name)?;
        let mut schema = json!({ "type": "string", "enum": enumeration.values });
        if let Some(first) = enumeration.values.first() {
            merge(&mut schema, json!({ "default": first }));
        }
        Some((enumeration.definition.clone(), schema))
    }

    /// The schema of a field's value (arrays for repeated fields, objects for maps).
    fn field_schema(&mut self, field: &FieldInfo) -> Value {
        if field.is_repeated() {
            if let Some(entry) = self.index.messages.get(&field.type_name).filter(|m| m.map_entry) {
                let value = entry.field("value").cloned();
                let value_schema = value.map_or_else(|| json!({}), |v| self.single_schema(&v));
                return json!({ "type": "object", "additionalProperties": value_schema });
            }
            return json!({ "type": "array", "items": self.single_schema(field) });
        }
        self.single_schema(field)
    }

    fn single_schema(&mut self, field: &FieldInfo) -> Value {
        match field.ty {
            TYPE_MESSAGE | TYPE_GROUP => match self.index.messages.get(&field.type_name) {
                Some(message) => self.reference(&field.type_name, message),
                None => well_known(&field.type_name).unwrap_or_else(|| json!({ "type": "object" })),
            },
            TYPE_ENUM => match self.index.enums.get(&field.type_name) {
                Some(enumeration) => {
                    let definition = enumeration.definition.clone();
                    self.queue(&field.type_name);
                    json!({ "$ref": format!("#/definitions/{definition}") })
                }
                None => json!({ "type": "string" }),
            },
            ty => scalar_schema(ty),
        }
    }

    /// The `type`/`format` (or `enum`) of a path or query parameter; `None` for message fields that are not
    /// well-known scalars.
    fn parameter_type(&self, field: &FieldInfo) -> Option<Value> {
        match field.ty {
            TYPE_MESSAGE | TYPE_GROUP => {
                well_known(&field.type_name).filter(|s| s.get("type").is_some_and(|t| t != "object" && t != "array"))
            }
            TYPE_ENUM => {
                let enumeration = self.index.enums.get(&field.type_name)?;
                let mut schema = json!({ "type": "string", "enum": enumeration.values });
                if let Some(first) = enumeration.values.first() {
                    merge(&mut schema, json!({ "default": first }));
                }
                Some(schema)
            }
            ty => Some(scalar_schema(ty)),
        }
    }
}

/// `{"type": "object"}` with its `properties` when there are any.
fn object_schema(properties: Map<String, Value>) -> Value {
    if properties.is_empty() {
        json!({ "type": "object" })
    } else {
        json!({ "type": "object", "properties": properties })
    }
}

/// Copies the keys of `extra` (an object) into `target` (an object).
fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

/// The schema of a scalar proto type, as grpc-gateway's JSON encodes it (64-bit integers as strings).
fn scalar_schema(ty: i32) -> Value {
    let (ty, format) = match ty {
        TYPE_DOUBLE => ("number", Some("double")),
        TYPE_FLOAT => ("number", Some("float")),
        TYPE_INT64 | TYPE_SFIXED64 | TYPE_SINT64 => ("string", Some("int64")),
        TYPE_UINT64 | TYPE_FIXED64 => ("string", Some("uint64")),
        TYPE_INT32 | TYPE_SFIXED32 | TYPE_SINT32 => ("integer", Some("int32")),
        TYPE_UINT32 | TYPE_FIXED32 => ("integer", Some("int64")),
        TYPE_BOOL => ("boolean", None),
        TYPE_BYTES => ("string", Some("byte")),
        _ => ("string", None),
    };
    match format {
        Some(format) => json!({ "type": ty, "format": format }),
        None => json!({ "type": ty }),
    }
}

/// Inline schemas of the well-known types that proto3 JSON maps to plain JSON values.
fn well_known(full_name: &str) -> Option<Value> {
    let schema = match full_name {
        ".google.protobuf.Timestamp" => json!({ "type": "string", "format": "date-time" }),
        ".google.protobuf.Duration" | ".google.protobuf.FieldMask" | ".google.protobuf.StringValue" => {
            json!({ "type": "string" })
        }
        ".google.protobuf.Struct" | ".google.protobuf.Empty" => json!({ "type": "object" }),
        ".google.protobuf.Value" => json!({}),
        ".google.protobuf.ListValue" => json!({ "type": "array", "items": {} }),
        ".google.protobuf.NullValue" => json!({ "type": "string", "enum": ["NULL_VALUE"] }),
        ".google.protobuf.Any" => json!({ "$ref": "#/definitions/protobufAny" }),
        ".google.protobuf.BoolValue" => json!({ "type": "boolean" }),
        ".google.protobuf.BytesValue" => json!({ "type": "string", "format": "byte" }),
        ".google.protobuf.DoubleValue" => json!({ "type": "number", "format": "double" }),
        ".google.protobuf.FloatValue" => json!({ "type": "number", "format": "float" }),
        ".google.protobuf.Int32Value" => json!({ "type": "integer", "format": "int32" }),
        ".google.protobuf.UInt32Value" => json!({ "type": "integer", "format": "int64" }),
        ".google.protobuf.Int64Value" => json!({ "type": "string", "format": "int64" }),
        ".google.protobuf.UInt64Value" => json!({ "type": "string", "format": "uint64" }),
        _ => return None,
    };
    Some(schema)
}

/// protoc's default JSON name of a field: `store_id` → `storeId`.
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

// ---------------------------------------------------------------------------------------------------------------
// Proto descriptors (the few parts of descriptor.proto needed here; prost skips the other fields)
// ---------------------------------------------------------------------------------------------------------------

const TYPE_DOUBLE: i32 = 1;
const TYPE_FLOAT: i32 = 2;
const TYPE_INT64: i32 = 3;
const TYPE_UINT64: i32 = 4;
const TYPE_FIXED64: i32 = 6;
const TYPE_FIXED32: i32 = 7;
const TYPE_BOOL: i32 = 8;
const TYPE_GROUP: i32 = 10;
const TYPE_MESSAGE: i32 = 11;
const TYPE_BYTES: i32 = 12;
const TYPE_UINT32: i32 = 13;
const TYPE_ENUM: i32 = 14;
const TYPE_SFIXED32: i32 = 15;
const TYPE_SFIXED64: i32 = 16;
const TYPE_SINT32: i32 = 17;
const TYPE_SINT64: i32 = 18;
const TYPE_INT32: i32 = 5;
const LABEL_REPEATED: i32 = 3;

mod pb {
    //! `google/protobuf/descriptor.proto`, reduced to what the generator reads.

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct FileDescriptorSet {
        #[prost(message, repeated, tag = "1")]
        pub file: Vec<FileDescriptorProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct FileDescriptorProto {
        #[prost(string, tag = "2")]
        pub package: String,
        #[prost(message, repeated, tag = "4")]
        pub message_type: Vec<DescriptorProto>,
        #[prost(message, repeated, tag = "5")]
        pub enum_type: Vec<EnumDescriptorProto>,
        #[prost(message, repeated, tag = "6")]
        pub service: Vec<ServiceDescriptorProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct DescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(message, repeated, tag = "2")]
        pub field: Vec<FieldDescriptorProto>,
        #[prost(message, repeated, tag = "3")]
        pub nested_type: Vec<DescriptorProto>,
        #[prost(message, repeated, tag = "4")]
        pub enum_type: Vec<EnumDescriptorProto>,
        #[prost(message, optional, tag = "7")]
        pub options: Option<MessageOptions>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct MessageOptions {
        #[prost(bool, tag = "7")]
        pub map_entry: bool,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct FieldDescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(int32, tag = "4")]
        pub label: i32,
        #[prost(int32, tag = "5")]
        pub r#type: i32,
        #[prost(string, tag = "6")]
        pub type_name: String,
        #[prost(string, tag = "10")]
        pub json_name: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct EnumDescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(message, repeated, tag = "2")]
        pub value: Vec<EnumValueDescriptorProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct EnumValueDescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct ServiceDescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(message, repeated, tag = "2")]
        pub method: Vec<MethodDescriptorProto>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(super) struct MethodDescriptorProto {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(string, tag = "2")]
        pub input_type: String,
        #[prost(string, tag = "3")]
        pub output_type: String,
    }
}

#[derive(Clone, Debug)]
struct FieldInfo {
    name: String,
    json_name: String,
    label: i32,
    ty: i32,
    /// Fully qualified with a leading dot (`.storespb.Store`), for message and enum fields.
    type_name: String,
}

impl FieldInfo {
    fn is_repeated(&self) -> bool {
        self.label == LABEL_REPEATED
    }
}

#[derive(Debug)]
struct MessageInfo {
    /// The definition name, `protoc-gen-openapiv2` style: last package component + nested names (`storespbStore`).
    definition: String,
    fields: Vec<FieldInfo>,
    map_entry: bool,
}

impl MessageInfo {
    fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug)]
struct EnumInfo {
    definition: String,
    values: Vec<String>,
}

#[derive(Debug)]
struct MethodInfo {
    input_type: String,
    output_type: String,
}

/// Messages, enums and service methods of every proto, by fully qualified name (leading dot).
#[derive(Debug, Default)]
struct DescriptorIndex {
    messages: HashMap<String, MessageInfo>,
    enums: HashMap<String, EnumInfo>,
    /// `storespb.StoresService` → `AddProduct` → types.
    services: HashMap<String, HashMap<String, MethodInfo>>,
}

impl DescriptorIndex {
    fn from_bytes(bytes: &[u8]) -> Result<Self, prost::DecodeError> {
        let set = pb::FileDescriptorSet::decode(bytes)?;
        let mut index = Self::default();
        for file in set.file {
            let prefix = if file.package.is_empty() { String::new() } else { format!(".{}", file.package) };
            let short = file.package.rsplit('.').next().unwrap_or_default().to_string();
            for message in &file.message_type {
                index.add_message(&prefix, &short, message);
            }
            for enumeration in &file.enum_type {
                index.add_enum(&prefix, &short, enumeration);
            }
            for service in file.service {
                let methods = service
                    .method
                    .into_iter()
                    .map(|m| (m.name, MethodInfo { input_type: m.input_type, output_type: m.output_type }))
                    .collect();
                let name =
                    if file.package.is_empty() { service.name } else { format!("{}.{}", file.package, service.name) };
                index.services.insert(name, methods);
            }
        }
        Ok(index)
    }

    /// `scope` is the message's parent's full name; `definition` is the parent's definition name.
    fn add_message(&mut self, scope: &str, definition: &str, message: &pb::DescriptorProto) {
        let full_name = format!("{scope}.{}", message.name);
        let definition = format!("{definition}{}", message.name);
        for nested in &message.nested_type {
            self.add_message(&full_name, &definition, nested);
        }
        for enumeration in &message.enum_type {
            self.add_enum(&full_name, &definition, enumeration);
        }
        let fields = message
            .field
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                json_name: if f.json_name.is_empty() { lower_camel(&f.name) } else { f.json_name.clone() },
                label: f.label,
                ty: f.r#type,
                type_name: f.type_name.clone(),
            })
            .collect();
        let map_entry = message.options.as_ref().is_some_and(|o| o.map_entry);
        self.messages.insert(full_name, MessageInfo { definition, fields, map_entry });
    }

    fn add_enum(&mut self, scope: &str, definition: &str, enumeration: &pb::EnumDescriptorProto) {
        self.enums.insert(
            format!("{scope}.{}", enumeration.name),
            EnumInfo {
                definition: format!("{definition}{}", enumeration.name),
                values: enumeration.value.iter().map(|v| v.name.clone()).collect(),
            },
        );
    }

    fn method(&self, service: &str, rpc: &str) -> Option<&MethodInfo> {
        self.services.get(service.trim_start_matches('.'))?.get(rpc)
    }
}

/// The index of [`contracts::FILE_DESCRIPTOR_SET`], decoded once.
fn descriptors() -> &'static DescriptorIndex {
    static INDEX: OnceLock<DescriptorIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        DescriptorIndex::from_bytes(contracts::FILE_DESCRIPTOR_SET).unwrap_or_else(|error| {
            tracing::error!(%error, "cannot decode the proto descriptor set; API documents will have no schemas");
            DescriptorIndex::default()
        })
    })
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
/// A module registered twice is documented once (the first registration wins).
pub(crate) fn docs_routes<S: Clone + Send + Sync + 'static>(documents: &[ApiDocument]) -> axum::Router<S> {
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

    let index = Bytes::from(INDEX_HTML.replace("__SWAGGER_URLS__", &script_json(&Value::Array(urls))));
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
        let mut generator = Generator { index, pending: Vec::new(), seen: HashSet::new() };
        let (_, schema) = generator.definition(".storespb.Product").unwrap();
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
        let mut generator = Generator { index, pending: Vec::new(), seen: HashSet::new() };
        assert_eq!(
            generator.field_schema(stops),
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
        let router: axum::Router =
            docs_routes(&[ApiDocument { spec: STORES }, ApiDocument { spec: CUSTOMERS }, ApiDocument { spec: STORES }]);

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
        let router: axum::Router = docs_routes(&[]);
        let (status, content_type, body) = fetch(&router, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"));
        assert!(String::from_utf8(body.to_vec()).unwrap().contains("urls: [],"));
    }
}

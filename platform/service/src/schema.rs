//! JSON schemas of protobuf messages, generated from the descriptors in [`contracts::FILE_DESCRIPTOR_SET`], shared
//! by the OpenAPI ([`crate::docs`]) and AsyncAPI ([`crate::asyncapi`]) generators.
//!
//! Schemas follow proto3 JSON as grpc-gateway writes it: lowerCamelCase property names (the descriptor's
//! `json_name`), 64-bit integers as strings, `double` as numbers, enums as their value names, maps as objects,
//! well-known types inline (`Timestamp` → `date-time` string). The two documents differ only in where schemas live
//! and how they are named ([`Style`]).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use prost::Message as _;
use serde_json::{Map, Value, json};

/// Where referenced schemas live and how they are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Swagger 2.0 as `protoc-gen-openapiv2` writes it: `#/definitions/storespbStore`.
    OpenApi,
    /// AsyncAPI 2.6: `#/components/schemas/storespb.Store` (the proto full name), each property annotated with its
    /// protobuf field number (`x-field-number`), since the payloads travel as protobuf.
    AsyncApi,
}

impl Style {
    fn prefix(self) -> &'static str {
        match self {
            Style::OpenApi => "#/definitions/",
            Style::AsyncApi => "#/components/schemas/",
        }
    }

    /// The schema name of the message or enum `full_name` (leading dot) whose OpenAPI definition name is
    /// `definition`.
    fn key(self, full_name: &str, definition: &str) -> String {
        match self {
            Style::OpenApi => definition.to_owned(),
            Style::AsyncApi => full_name.trim_start_matches('.').to_owned(),
        }
    }
}

/// Builds schemas and collects the messages/enums they reference, for the document's schema section.
pub(crate) struct Schemas<'a> {
    pub(crate) index: &'a DescriptorIndex,
    style: Style,
    pending: Vec<String>,
    seen: HashSet<String>,
    /// Whether `google.protobuf.Any` was referenced (its schema is `protobufAny`).
    any: bool,
}

impl<'a> Schemas<'a> {
    /// A builder over the descriptors of [`contracts::FILE_DESCRIPTOR_SET`].
    pub(crate) fn new(style: Style) -> Schemas<'static> {
        Schemas::with_index(descriptors(), style)
    }

    pub(crate) fn with_index(index: &'a DescriptorIndex, style: Style) -> Self {
        Schemas { index, style, pending: Vec::new(), seen: HashSet::new(), any: false }
    }

    fn reference_to(&self, key: &str) -> Value {
        json!({ "$ref": format!("{}{key}", self.style.prefix()) })
    }

    /// A `$ref` to the definition of message `full_name` (queued for the schema section).
    pub(crate) fn reference(&mut self, full_name: &str, message: &MessageInfo) -> Value {
        if let Some(schema) = self.well_known(full_name) {
            return schema;
        }
        self.queue(full_name);
        self.reference_to(&self.style.key(full_name, &message.definition))
    }

    /// The schema of message `full_name` (leading dot optional): a `$ref`, or inline for well-known types; `None`
    /// when the descriptors do not have it.
    pub(crate) fn message(&mut self, full_name: &str) -> Option<Value> {
        let full_name = if full_name.starts_with('.') { full_name.to_owned() } else { format!(".{full_name}") };
        if let Some(schema) = self.well_known(&full_name) {
            return Some(schema);
        }
        let index = self.index;
        let message = index.messages.get(&full_name)?;
        Some(self.reference(&full_name, message))
    }

    fn queue(&mut self, full_name: &str) {
        if self.seen.insert(full_name.to_string()) {
            self.pending.push(full_name.to_string());
        }
    }

    /// Every definition referenced so far (and those they reference), by schema name.
    pub(crate) fn definitions(&mut self) -> Map<String, Value> {
        let mut definitions = Map::new();
        while let Some(full_name) = self.pending.pop() {
            if let Some((name, schema)) = self.definition(&full_name) {
                definitions.insert(name, schema);
            }
        }
        if self.any {
            definitions.insert("protobufAny".into(), any_schema());
        }
        definitions
    }

    /// The definition (name and schema) of a message or enum.
    pub(crate) fn definition(&mut self, full_name: &str) -> Option<(String, Value)> {
        if let Some(message) = self.index.messages.get(full_name) {
            let mut properties = Map::new();
            for field in &message.fields {
                let mut schema = self.field_schema(field);
                if self.style == Style::AsyncApi {
                    merge(&mut schema, json!({ "x-field-number": field.number }));
                }
                properties.insert(field.json_name.clone(), schema);
            }
            return Some((self.style.key(full_name, &message.definition), object_schema(properties)));
        }
        let enumeration = self.index.enums.get(full_name)?;
        let mut schema = json!({ "type": "string", "enum": enumeration.values });
        if let Some(first) = enumeration.values.first() {
            merge(&mut schema, json!({ "default": first }));
        }
        Some((self.style.key(full_name, &enumeration.definition), schema))
    }

    /// The schema of a field's value (arrays for repeated fields, objects for maps).
    pub(crate) fn field_schema(&mut self, field: &FieldInfo) -> Value {
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
                None => self.well_known(&field.type_name).unwrap_or_else(|| json!({ "type": "object" })),
            },
            TYPE_ENUM => match self.index.enums.get(&field.type_name) {
                Some(enumeration) => {
                    let key = self.style.key(&field.type_name, &enumeration.definition);
                    self.queue(&field.type_name);
                    self.reference_to(&key)
                }
                None => json!({ "type": "string" }),
            },
            ty => scalar_schema(ty),
        }
    }

    /// The `type`/`format` (or `enum`) of a path or query parameter; `None` for message fields that are not
    /// well-known scalars.
    pub(crate) fn parameter_type(&self, field: &FieldInfo) -> Option<Value> {
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

    /// [`well_known`], with `google.protobuf.Any` pointing at this document's `protobufAny`.
    fn well_known(&mut self, full_name: &str) -> Option<Value> {
        if full_name == ".google.protobuf.Any" {
            self.any = true;
            return Some(self.reference_to("protobufAny"));
        }
        well_known(full_name)
    }
}

/// The schema of `google.protobuf.Any` in proto3 JSON.
pub(crate) fn any_schema() -> Value {
    json!({
        "type": "object",
        "properties": { "@type": { "type": "string" } },
        "additionalProperties": {}
    })
}

/// `{"type": "object"}` with its `properties` when there are any.
pub(crate) fn object_schema(properties: Map<String, Value>) -> Value {
    if properties.is_empty() {
        json!({ "type": "object" })
    } else {
        json!({ "type": "object", "properties": properties })
    }
}

/// Copies the keys of `extra` (an object) into `target` (an object).
pub(crate) fn merge(target: &mut Value, extra: Value) {
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
pub(crate) fn lower_camel(name: &str) -> String {
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
        #[prost(int32, tag = "3")]
        pub number: i32,
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
pub(crate) struct FieldInfo {
    pub(crate) name: String,
    /// The proto3 JSON name (`storeId`).
    pub(crate) json_name: String,
    /// The protobuf field number.
    pub(crate) number: i32,
    pub(crate) label: i32,
    pub(crate) ty: i32,
    /// Fully qualified with a leading dot (`.storespb.Store`), for message and enum fields.
    pub(crate) type_name: String,
}

impl FieldInfo {
    pub(crate) fn is_repeated(&self) -> bool {
        self.label == LABEL_REPEATED
    }
}

#[derive(Debug)]
pub(crate) struct MessageInfo {
    /// The definition name, `protoc-gen-openapiv2` style: last package component + nested names (`storespbStore`).
    pub(crate) definition: String,
    pub(crate) fields: Vec<FieldInfo>,
    pub(crate) map_entry: bool,
}

impl MessageInfo {
    pub(crate) fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug)]
pub(crate) struct EnumInfo {
    pub(crate) definition: String,
    pub(crate) values: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct MethodInfo {
    pub(crate) input_type: String,
    pub(crate) output_type: String,
}

/// Messages, enums and service methods of every proto, by fully qualified name (leading dot).
#[derive(Debug, Default)]
pub(crate) struct DescriptorIndex {
    pub(crate) messages: HashMap<String, MessageInfo>,
    pub(crate) enums: HashMap<String, EnumInfo>,
    /// `storespb.StoresService` → `AddProduct` → types.
    pub(crate) services: HashMap<String, HashMap<String, MethodInfo>>,
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
                number: f.number,
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

    pub(crate) fn method(&self, service: &str, rpc: &str) -> Option<&MethodInfo> {
        self.services.get(service.trim_start_matches('.'))?.get(rpc)
    }
}

/// The index of [`contracts::FILE_DESCRIPTOR_SET`], decoded once.
pub(crate) fn descriptors() -> &'static DescriptorIndex {
    static INDEX: OnceLock<DescriptorIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        DescriptorIndex::from_bytes(contracts::FILE_DESCRIPTOR_SET).unwrap_or_else(|error| {
            tracing::error!(%error, "cannot decode the proto descriptor set; API documents will have no schemas");
            DescriptorIndex::default()
        })
    })
}

//! Wire-level checks of the published language: protobuf round-trips, proto3-JSON shape
//! (grpc-gateway compatible) and the embedded descriptor set.

use contracts::{FILE_DESCRIPTOR_SET, searchpb, storespb};
use prost::Message;

#[test]
fn store_created_protobuf_roundtrip() {
    let event = storespb::StoreCreated { id: "store-1".into(), name: "Store ABC".into(), location: "The mall".into() };
    let bytes = event.encode_to_vec();
    // field 1 (id), wire type 2 → tag byte 0x0a
    assert_eq!(bytes.first(), Some(&0x0a));
    let decoded = storespb::StoreCreated::decode(bytes.as_slice()).expect("decode StoreCreated");
    assert_eq!(decoded, event);
}

#[test]
fn get_store_response_emits_every_field_in_lower_camel_case() {
    let resp = storespb::GetStoreResponse { store: Some(storespb::Store::default()) };
    let json = serde_json::to_value(&resp).expect("serialize");
    assert_eq!(json, serde_json::json!({"store": {"id": "", "name": "", "location": "", "participating": false}}));

    let product = storespb::Product::default();
    let json = serde_json::to_value(&product).expect("serialize");
    assert!(json.get("storeId").is_some(), "lowerCamelCase expected: {json}");
    assert!(json.get("store_id").is_none(), "snake_case not expected: {json}");
    assert_eq!(json.get("price"), Some(&serde_json::json!(0.0)));
}

#[test]
fn requests_accept_snake_case_and_ignore_unknown_fields() {
    let req: storespb::AddProductRequest = serde_json::from_str(r#"{"store_id":"x","name":"n"}"#).expect("snake_case");
    assert_eq!(req.store_id, "x");
    assert_eq!(req.name, "n");

    let req: storespb::AddProductRequest =
        serde_json::from_str(r#"{"storeId":"y","price":9.99,"bogus":{"a":[1,2]}}"#).expect("camelCase + unknown field");
    assert_eq!(req.store_id, "y");
    assert!((req.price - 9.99).abs() < f64::EPSILON);

    let req: storespb::AddProductRequest = serde_json::from_str("{}").expect("empty body");
    assert_eq!(req, storespb::AddProductRequest::default());
}

#[test]
fn int64_serializes_as_json_string() {
    let item = searchpb::order::Item { quantity: 5, ..Default::default() };
    let json = serde_json::to_value(&item).expect("serialize");
    assert_eq!(json.get("quantity"), Some(&serde_json::json!("5")));

    let back: searchpb::order::Item =
        serde_json::from_value(serde_json::json!({"quantity": "7"})).expect("deserialize");
    assert_eq!(back.quantity, 7);
}

#[test]
fn search_filters_use_rfc3339_timestamps() {
    let req: searchpb::SearchOrdersRequest =
        serde_json::from_str(r#"{"filters":{"after":"2024-01-02T03:04:05Z","storeIds":["s1"]},"limit":10}"#)
            .expect("deserialize");
    let filters = req.filters.expect("filters");
    assert_eq!(filters.after.expect("after").seconds, 1_704_164_645);
    assert_eq!(filters.store_ids, vec!["s1".to_owned()]);
    assert_eq!(req.limit, 10);
}

#[test]
fn descriptor_set_lists_stores_service() {
    let fds = prost_types_free_decode();
    let (_, service) = fds
        .iter()
        .find(|(pkg, svc)| pkg == "storespb" && svc.0 == "StoresService")
        .expect("storespb.StoresService in the descriptor set");
    assert!(service.1.iter().any(|m| m == "GetStore"), "methods: {:?}", service.1);
}

/// Minimal decoding of the `FileDescriptorSet` without depending on prost-types:
/// returns `(package, (service name, method names))` for every service.
fn prost_types_free_decode() -> Vec<(String, (String, Vec<String>))> {
    #[derive(Clone, PartialEq, Message)]
    struct FileDescriptorSet {
        #[prost(message, repeated, tag = "1")]
        file: Vec<FileDescriptorProto>,
    }
    #[derive(Clone, PartialEq, Message)]
    struct FileDescriptorProto {
        #[prost(string, optional, tag = "2")]
        package: Option<String>,
        #[prost(message, repeated, tag = "6")]
        service: Vec<ServiceDescriptorProto>,
    }
    #[derive(Clone, PartialEq, Message)]
    struct ServiceDescriptorProto {
        #[prost(string, optional, tag = "1")]
        name: Option<String>,
        #[prost(message, repeated, tag = "2")]
        method: Vec<MethodDescriptorProto>,
    }
    #[derive(Clone, PartialEq, Message)]
    struct MethodDescriptorProto {
        #[prost(string, optional, tag = "1")]
        name: Option<String>,
    }

    let set = FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("decode descriptor set");
    set.file
        .into_iter()
        .flat_map(|f| {
            let pkg = f.package.unwrap_or_default();
            f.service.into_iter().map(move |s| {
                let methods = s.method.into_iter().filter_map(|m| m.name).collect();
                (pkg.clone(), (s.name.unwrap_or_default(), methods))
            })
        })
        .collect()
}

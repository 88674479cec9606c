//! gRPC server reflection on the RPC port (both protocol versions), as grpcurl and Postman use it: the original's
//! services are discoverable by name.

use futures::StreamExt;
use testkit::app::{AppBackend, TestApp};
use tonic_reflection::pb::{v1, v1alpha};

#[tokio::test]
async fn services_are_discoverable_through_reflection() {
    let app = TestApp::spawn(AppBackend::Embedded, vec![]).await;

    let channel =
        tonic::transport::Channel::from_shared(app.grpc_url()).expect("url").connect().await.expect("connect");
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::FileContainingSymbol(
            "storespb.StoresService".into(),
        )),
    };
    let mut responses =
        client.server_reflection_info(futures::stream::iter([request])).await.expect("call").into_inner();
    let response = responses.next().await.expect("a response").expect("ok");
    match response.message_response.expect("a message") {
        v1::server_reflection_response::MessageResponse::FileDescriptorResponse(files) => {
            assert!(!files.file_descriptor_proto.is_empty(), "the stores API file is returned");
        }
        other => panic!("unexpected reflection answer: {other:?}"),
    }

    let mut alpha = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1alpha::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut responses =
        alpha.server_reflection_info(futures::stream::iter([request])).await.expect("call").into_inner();
    let response = responses.next().await.expect("a response").expect("ok");
    let Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("no service list");
    };
    assert!(list.service.iter().any(|s| s.name.contains("ServerReflection")), "{:?}", list.service);
    app.stop().await;
}

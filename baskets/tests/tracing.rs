//! One trace per request across processes: a request that carries a W3C `traceparent` to baskets, and makes
//! baskets fall back to the stores service, reaches the stores process with the same trace id — the parent being
//! baskets' client span of that call, not the caller's span.

#[allow(unused_imports)] // the shared helpers re-export more than this suite uses
mod support;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::*;
use testkit::app::{AppBackend, TestApp};
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Context, Poll, Service, http};
use tonic::server::NamedService;
use tonic::transport::Channel;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID: &str = "00f067aa0ba902b7";

/// The gRPC path and `traceparent` of each call the proxy saw.
type Calls = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Stands in front of the stores process's gRPC service: records the method and `traceparent` of each call and
/// forwards it unchanged.
#[derive(Clone)]
struct RecordingProxy {
    upstream: Channel,
    calls: Calls,
}

impl NamedService for RecordingProxy {
    const NAME: &'static str = "storespb.StoresService";
}

impl Service<http::Request<Body>> for RecordingProxy {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let traceparent = request.headers().get("traceparent").and_then(|v| v.to_str().ok()).map(str::to_owned);
        self.calls.lock().expect("calls").push((request.uri().path().to_owned(), traceparent));
        let mut upstream = self.upstream.clone();
        Box::pin(async move {
            let forwarded = async {
                std::future::poll_fn(|cx| upstream.poll_ready(cx)).await?;
                upstream.call(request).await
            };
            Ok(forwarded.await.unwrap_or_else(|err| tonic::Status::unavailable(err.to_string()).into_http()))
        })
    }
}

/// Serves `proxy` on a free loopback port; returns the address.
async fn serve(proxy: RecordingProxy) -> std::net::SocketAddr {
    let incoming =
        tonic::transport::server::TcpIncoming::bind("127.0.0.1:0".parse().expect("addr")).expect("a free port");
    let addr = incoming.local_addr().expect("local addr");
    tokio::spawn(tonic::transport::Server::builder().add_service(proxy).serve_with_incoming(incoming));
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stores_fallback_continues_the_trace_of_the_request() {
    let backend = AppBackend::Embedded;
    let stores_app = TestApp::spawn(backend, vec![Arc::new(stores::StoresModule)]).await;
    let store = create_store(&stores_app, "Traced Store").await;
    let product = add_product(&stores_app, &store, "Traced", 3.0).await;

    let calls = Calls::default();
    let upstream = Channel::from_shared(stores_app.grpc_url()).expect("url").connect_lazy();
    let proxy = serve(RecordingProxy { upstream, calls: calls.clone() }).await;
    let rpc = format!("STORES={proxy}");
    // Baskets alone: the product is known only to the stores process, so adding it asks stores over gRPC.
    let baskets_app =
        TestApp::spawn_with(backend, vec![Arc::new(baskets::BasketsModule)], &["--rpc-services", &rpc]).await;
    let id = start_basket(&baskets_app, "c1").await;
    calls.lock().expect("calls").clear();

    let response = reqwest::Client::new()
        .put(format!("{}/api/baskets/{id}/addItem", baskets_app.base_url))
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01"))
        .json(&json!({ "productId": product, "quantity": 1 }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(basket(&baskets_app, &id).await["items"][0]["productName"], json!("Traced"));

    let calls = calls.lock().expect("calls").clone();
    let get_product = calls
        .iter()
        .find(|(path, _)| path == "/storespb.StoresService/GetProduct")
        .unwrap_or_else(|| panic!("baskets asked stores for the product: {calls:?}"));
    for (path, traceparent) in &calls {
        let traceparent = traceparent.as_deref().unwrap_or_else(|| panic!("{path} without a traceparent"));
        let fields: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(fields.len(), 4, "{traceparent}");
        assert_eq!(fields[1], TRACE_ID, "{path}: the trace of the request");
        assert_ne!(fields[2], CALLER_SPAN_ID, "{path}: the parent is baskets' client span");
    }
    assert!(get_product.1.is_some());

    baskets_app.stop().await;
    stores_app.stop().await;
}

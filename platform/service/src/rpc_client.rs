//! gRPC clients of other modules: a lazily connected channel to the owner's address, reused by every call and
//! bounded by a timeout, whose calls continue the caller's trace. Each call gets a client span (`otel.kind =
//! "client"`, named after the gRPC method) and carries that span's W3C trace context in its `traceparent` (and
//! `baggage`) metadata, which the server's [`request_span`](crate::telemetry::request_span) picks up — so a cache
//! fallback to another module stays in the trace of the request, message or loop that needed it.

use std::task::{Context, Poll};
use std::time::Duration;

use opentelemetry::propagation::Injector;
use tonic::codegen::http;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};
use tower::Service;
use tracing::Instrument as _;
use tracing::instrument::Instrumented;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The signature of [`inject_trace_context`], as the interceptor type of [`RpcChannel`].
pub type TraceInterceptor = fn(Request<()>) -> Result<Request<()>, Status>;

/// What generated tonic clients are built on (`XxxServiceClient::new(channel)`): see [`lazy_channel`].
pub type RpcChannel = ClientSpans<InterceptedService<Channel, TraceInterceptor>>;

/// A client channel to `address` (`host:port` or a URL) with `timeout` on connecting and on every request. Nothing
/// is dialled until the first call; the channel (cheap to clone) reconnects when the connection is lost. Calls made
/// through it are traced (see the module documentation).
pub fn lazy_channel(address: &str, timeout: Duration) -> Result<RpcChannel, tonic::transport::Error> {
    let uri = if address.contains("://") { address.to_owned() } else { format!("http://{address}") };
    let channel = Endpoint::from_shared(uri)?.connect_timeout(timeout).timeout(timeout).connect_lazy();
    Ok(ClientSpans::new(InterceptedService::new(channel, inject_trace_context as TraceInterceptor)))
}

/// A tonic client interceptor that puts the current [`tracing::Span`]'s OpenTelemetry context into the request's
/// metadata with the global propagator (`traceparent`, and `baggage` when there is any). Without a current span
/// carrying a context (no OpenTelemetry layer installed, or the span filtered out) the request is left as it is.
pub fn inject_trace_context(mut request: Request<()>) -> Result<Request<()>, Status> {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut MetadataInjector(request.metadata_mut()));
    });
    Ok(request)
}

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (MetadataKey::from_bytes(key.as_bytes()), MetadataValue::try_from(&value)) {
            self.0.insert(key, value);
        }
    }
}

/// A layer over a gRPC client transport that runs every call in a client span named after its method
/// (`storespb.StoresService/GetProduct`), entered while the inner service is called — so an
/// [`inject_trace_context`] interceptor below it sends the client span as the server's parent — and attached to
/// the response future.
#[derive(Debug, Clone)]
pub struct ClientSpans<S> {
    inner: S,
}

impl<S> ClientSpans<S> {
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S, B> Service<http::Request<B>> for ClientSpans<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Instrumented<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let span = client_span(request.uri().path());
        let future = span.in_scope(|| self.inner.call(request));
        future.instrument(span)
    }
}

/// The span of one outgoing call to `path` (`/package.Service/Method`).
fn client_span(path: &str) -> tracing::Span {
    let name = path.trim_start_matches('/');
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    tracing::info_span!(
        "rpc",
        otel.name = %name,
        otel.kind = "client",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::convert::Infallible;
    use std::sync::{Arc, Mutex};

    use opentelemetry::trace::TraceContextExt as _;

    use super::*;

    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const REMOTE_SPAN_ID: &str = "00f067aa0ba902b7";

    /// A span continuing the remote trace `TRACE_ID` (as a server span does after extracting `traceparent`).
    fn span_with_remote_parent() -> tracing::Span {
        crate::telemetry::init("test", "info", "rpc-client-test", None);
        let carrier = HashMap::from([("traceparent".to_owned(), format!("00-{TRACE_ID}-{REMOTE_SPAN_ID}-01"))]);
        let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier));
        let span = tracing::info_span!("handler");
        let _ = span.set_parent(parent);
        span
    }

    fn span_id(span: &tracing::Span) -> String {
        span.context().span().span_context().span_id().to_string()
    }

    /// `(trace id, parent span id)` of a `traceparent` value.
    fn parts(traceparent: &str) -> (String, String) {
        let fields: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(fields.len(), 4, "{traceparent}");
        (fields[1].to_owned(), fields[2].to_owned())
    }

    #[test]
    fn the_interceptor_sends_the_current_span_as_the_parent() {
        let span = span_with_remote_parent();
        let request = span.in_scope(|| inject_trace_context(Request::new(()))).expect("intercepted");
        let traceparent = request.metadata().get("traceparent").expect("traceparent").to_str().expect("ascii");
        let (trace_id, parent_id) = parts(traceparent);
        assert_eq!(trace_id, TRACE_ID);
        assert_eq!(parent_id, span_id(&span), "the current span, not the remote one, is the parent");
        assert_ne!(parent_id, REMOTE_SPAN_ID);
    }

    #[test]
    fn without_a_current_span_nothing_is_injected() {
        crate::telemetry::init("test", "info", "rpc-client-test", None);
        let request = inject_trace_context(Request::new(())).expect("intercepted");
        assert!(request.metadata().get("traceparent").is_none());
    }

    #[tokio::test]
    async fn each_call_runs_in_a_client_span_of_the_callers_trace() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let transport = {
            let seen = seen.clone();
            tower::service_fn(move |request: http::Request<()>| {
                let traceparent = request.headers().get("traceparent").and_then(|v| v.to_str().ok());
                seen.lock().expect("lock").push(traceparent.unwrap_or_default().to_owned());
                async { Ok::<_, Infallible>(http::Response::new(())) }
            })
        };
        let mut channel =
            ClientSpans::new(InterceptedService::new(transport, inject_trace_context as TraceInterceptor));

        let span = span_with_remote_parent();
        for _ in 0..2 {
            std::future::poll_fn(|cx| channel.poll_ready(cx)).await.expect("ready");
            let request = http::Request::builder()
                .uri("http://stores/storespb.StoresService/GetProduct")
                .body(())
                .expect("request");
            span.in_scope(|| channel.call(request)).await.expect("response");
        }

        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 2);
        let (first_trace, first_parent) = parts(&seen[0]);
        let (second_trace, second_parent) = parts(&seen[1]);
        assert_eq!((first_trace.as_str(), second_trace.as_str()), (TRACE_ID, TRACE_ID), "one trace");
        for parent in [&first_parent, &second_parent] {
            assert_ne!(parent, &span_id(&span), "the caller's span is not the parent: a client span is");
            assert_ne!(parent, REMOTE_SPAN_ID);
        }
        assert_ne!(first_parent, second_parent, "a client span per call");
    }
}

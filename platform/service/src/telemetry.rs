//! Logging and tracing: `tracing` to stdout (JSON lines in production, level from `LOG_LEVEL`) and OpenTelemetry
//! spans with W3C trace-context propagation, exported over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber, tracer provider and propagator once (later calls are no-ops, which keeps tests
/// that start several apps simple).
pub fn init(environment: &str, log_level: &str, service_name: &str, otlp_endpoint: Option<&str>) {
    if PROVIDER.get().is_some() {
        return;
    }
    let level = match log_level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "PANIC" => "error",
        _ => "info",
    };
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| {
        EnvFilter::new(format!("{level},sqlx=warn,async_nats=warn,h2=warn,tower=warn,hyper=warn,opentelemetry=warn"))
    });

    let mut builder = SdkTracerProvider::builder()
        .with_resource(opentelemetry_sdk::Resource::builder().with_service_name(service_name.to_owned()).build());
    if let Some(endpoint) = otlp_endpoint.filter(|e| !e.trim().is_empty()) {
        match opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint).build() {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(err) => eprintln!("OTLP exporter unavailable ({err}); traces are not exported"),
        }
    }
    let provider = builder.build();
    let tracer = provider.tracer("mallbots");
    opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
    opentelemetry::global::set_tracer_provider(provider.clone());
    let _ = PROVIDER.set(provider);

    let otel = tracing_opentelemetry::layer().with_tracer(tracer);
    let registry = tracing_subscriber::registry().with(filter).with(otel);
    let _ = if environment == "production" {
        registry.with(tracing_subscriber::fmt::layer().json().flatten_event(true)).try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer()).try_init()
    };
}

/// Flushes spans still buffered for export (called at the end of shutdown).
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get() {
        let _ = provider.force_flush();
    }
}

/// A span for an incoming request whose `traceparent` header (HTTP or gRPC metadata) continues a remote trace.
pub fn request_span(request: &axum::http::Request<impl Sized>) -> tracing::Span {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    struct Headers<'a>(&'a axum::http::HeaderMap);
    impl opentelemetry::propagation::Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|v| v.to_str().ok())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|k| k.as_str()).collect()
        }
    }
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(request.headers())));
    let span = tracing::info_span!(
        "request",
        otel.name = %format!("{} {}", request.method(), request.uri().path()),
        otel.kind = "server",
        http.method = %request.method(),
        http.target = %request.uri().path(),
    );
    let _ = span.set_parent(parent);
    span
}

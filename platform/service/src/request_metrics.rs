//! Latency histograms of every REST and gRPC request (`http_request_duration_seconds`,
//! `grpc_request_duration_seconds`), labelled by route/method and status.

use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{HistogramOpts, HistogramVec, Registry};

const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The two histograms, registered once per process.
#[derive(Clone)]
pub(crate) struct RequestMetrics {
    http: HistogramVec,
    grpc: HistogramVec,
}

impl RequestMetrics {
    pub(crate) fn new(registry: &Registry) -> Result<Self, prometheus::Error> {
        let http = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "REST request latency").buckets(BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let grpc = HistogramVec::new(
            HistogramOpts::new("grpc_request_duration_seconds", "gRPC request latency").buckets(BUCKETS.to_vec()),
            &["method", "status"],
        )?;
        registry.register(Box::new(http.clone()))?;
        registry.register(Box::new(grpc.clone()))?;
        Ok(Self { http, grpc })
    }

    /// axum middleware observing REST requests by their route template (never the raw path: ids would explode the
    /// label set).
    pub(crate) async fn observe_http(self, request: Request, next: Next) -> Response {
        let method = request.method().as_str().to_owned();
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "unmatched".into());
        let started = Instant::now();
        let response = next.run(request).await;
        self.http
            .with_label_values(&[&method, &route, response.status().as_str()])
            .observe(started.elapsed().as_secs_f64());
        response
    }
}

/// A tower layer for the gRPC server.
#[derive(Clone)]
pub(crate) struct GrpcMetricsLayer(pub(crate) RequestMetrics);

impl<S> tower::Layer<S> for GrpcMetricsLayer {
    type Service = GrpcMetrics<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GrpcMetrics { inner, metrics: self.0.clone() }
    }
}

#[derive(Clone)]
pub(crate) struct GrpcMetrics<S> {
    inner: S,
    metrics: RequestMetrics,
}

impl<S, B, RB> tower::Service<axum::http::Request<B>> for GrpcMetrics<S>
where
    S: tower::Service<axum::http::Request<B>, Response = axum::http::Response<RB>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let histogram = self.metrics.grpc.clone();
        let started = Instant::now();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = future.await;
            // The gRPC status travels in trailers; the header code covers errors raised before the body.
            let status = match &result {
                Ok(response) => {
                    response.headers().get("grpc-status").and_then(|v| v.to_str().ok()).unwrap_or("0").to_owned()
                }
                Err(_) => "transport".to_owned(),
            };
            histogram.with_label_values(&[&method, &status]).observe(started.elapsed().as_secs_f64());
            result
        })
    }
}

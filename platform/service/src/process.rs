//! Starting and stopping a MallBots process: connect, migrate, start the modules, serve REST and gRPC, and shut
//! down in order (stop intake → finish in-flight handlers → flush the outboxes → close the database).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use database::Database;
use messaging::{DbStream, DeadLetters, JetStream, Stream};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::runtime::{ApiDocument, Runtime};
use crate::{Config, Module, rest};

/// A started process; dropping it does not stop it, call [`RunningApp::stop`].
pub struct RunningApp {
    pub web_addr: SocketAddr,
    pub rpc_addr: SocketAddr,
    pub db: Database,
    pub stream: Arc<dyn Stream>,
    pub documents: Vec<ApiDocument>,
    stop: CancellationToken,
    done: JoinHandle<()>,
}

impl RunningApp {
    /// Shuts down gracefully and waits until everything has stopped.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.done.await;
    }

    /// Waits for SIGINT/SIGTERM, then shuts down.
    pub async fn run_until_signal(self) {
        tokio::select! {
            _ = wait_for_signal() => {}
            _ = self.stop.cancelled() => {}
        }
        self.stop().await;
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn connect(config: &Config) -> anyhow::Result<Database> {
    let url = config.database_url();
    Database::connect(&url, &config.db_namespace).await.with_context(|| "cannot open the database".to_owned())
}

/// Applies the migrations of the messaging layer and of `modules`.
pub async fn migrate(config: &Config, modules: &[Arc<dyn Module>]) -> anyhow::Result<Database> {
    let db = connect(config).await?;
    db.migrate("messaging", messaging::MIGRATIONS).await?;
    for module in modules {
        db.migrate(module.name(), module.migrations()).await?;
    }
    Ok(db)
}

/// Starts a process running `modules`.
pub async fn start(config: Config, modules: Vec<Arc<dyn Module>>) -> anyhow::Result<RunningApp> {
    crate::telemetry::init(
        &config.environment,
        &config.log_level,
        &config.otel_service_name,
        config.otel_exporter_otlp_endpoint.as_deref(),
    );
    let config = Arc::new(config);
    let db = migrate(&config, &modules).await?;
    let stream: Arc<dyn Stream> = match config.nats_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => Arc::new(
            JetStream::connect(url, &config.nats_stream)
                .await
                .with_context(|| format!("cannot reach NATS at {url}"))?,
        ),
        None => Arc::new(DbStream::new(&db, &config.nats_stream).await?),
    };
    let web =
        TcpListener::bind(config.web_addr()).await.with_context(|| format!("cannot bind {}", config.web_addr()))?;
    let rpc =
        TcpListener::bind(config.rpc_addr()).await.with_context(|| format!("cannot bind {}", config.rpc_addr()))?;
    let web_addr = web.local_addr()?;
    let rpc_addr = rpc.local_addr()?;

    let mut runtime = Runtime {
        config: config.clone(),
        db: db.clone(),
        stream: stream.clone(),
        registry: prometheus::Registry::new(),
        intake: CancellationToken::new(),
        relays_stop: CancellationToken::new(),
        router: axum::Router::new(),
        grpc: tonic::service::RoutesBuilder::default(),
        tasks: Vec::new(),
        relays: Vec::new(),
        dead_letters: DeadLetters::new(&db),
        metrics: Default::default(),
        inboxes: Default::default(),
        rpc_services: config.rpc_services().map_err(anyhow::Error::msg)?,
        rpc_addr,
        documents: Vec::new(),
        message_specs: Vec::new(),
        subscriptions: Vec::new(),
    };
    for module in &modules {
        module.start(&mut runtime).await.with_context(|| format!("module {} failed to start", module.name()))?;
    }

    let Runtime {
        intake,
        relays_stop,
        router,
        grpc,
        tasks,
        relays,
        documents,
        message_specs,
        subscriptions,
        registry,
        ..
    } = runtime;
    for problem in crate::asyncapi::undocumented(&message_specs, &subscriptions) {
        tracing::warn!(problem, "AsyncAPI document differs from the subscriptions");
    }
    let request_metrics = crate::request_metrics::RequestMetrics::new(&registry)?;
    let health = Health { db: db.clone(), stream: stream.clone(), registry };
    let operations = axum::Router::new()
        .route("/readiness", get(readiness))
        .route("/metrics", get(metrics))
        .route("/api/admin/deadletters", get(list_dead_letters))
        .route("/api/admin/deadletters/{seq}", axum::routing::delete(discard_dead_letter))
        .route("/api/admin/deadletters/{seq}/replay", axum::routing::post(replay_dead_letter))
        .with_state(health);
    let router = router
        .merge(crate::docs_routes(&documents, !message_specs.is_empty()))
        .merge(crate::asyncapi_routes(&message_specs, stream.name()))
        .merge(operations)
        .route("/liveness", get(|| async { "." }).head(|| async { "." }))
        .fallback(rest::not_found)
        .method_not_allowed_fallback(rest::method_not_allowed)
        .layer(DefaultBodyLimit::max(rest::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn({
            let metrics = request_metrics.clone();
            move |request, next| metrics.clone().observe_http(request, next)
        }))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|r: &axum::http::Request<_>| crate::telemetry::request_span(r)),
        );

    let web_stop = intake.clone();
    let web_task = tokio::spawn(async move {
        let shutdown = async move { web_stop.cancelled().await };
        if let Err(err) = axum::serve(web, router).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %err, "web server failed");
        }
    });
    // Both reflection versions: grpcurl and older tools still ask v1alpha.
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(contracts::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(contracts::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
    let mut grpc = grpc;
    grpc.add_service(reflection);
    grpc.add_service(reflection_alpha);
    let rpc_stop = intake.clone();
    let grpc_metrics = request_metrics.clone();
    let rpc_task = tokio::spawn(async move {
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(rpc);
        let result = tonic::transport::Server::builder()
            .trace_fn(crate::telemetry::request_span)
            .layer(crate::request_metrics::GrpcMetricsLayer(grpc_metrics))
            .add_routes(grpc.routes())
            .serve_with_incoming_shutdown(incoming, async move { rpc_stop.cancelled().await })
            .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "rpc server failed");
        }
    });
    tracing::info!("web server started; listening at http://{web_addr}");
    tracing::info!("rpc server started; listening at {rpc_addr}");

    let stop = CancellationToken::new();
    let timeout = config.shutdown_timeout();
    let done = {
        let stop = stop.clone();
        let db = db.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            tracing::info!("shutting down");
            intake.cancel();
            let servers = async {
                let _ = web_task.await;
                let _ = rpc_task.await;
                for task in tasks {
                    let _ = task.await;
                }
            };
            if tokio::time::timeout(timeout, servers).await.is_err() {
                tracing::warn!("in-flight work did not finish within the shutdown timeout");
            }
            relays_stop.cancel();
            let flush = async {
                for relay in relays {
                    let _ = relay.await;
                }
            };
            if tokio::time::timeout(timeout.min(Duration::from_secs(10)), flush).await.is_err() {
                tracing::warn!("outbox relays did not flush within the shutdown timeout");
            }
            db.close().await;
            crate::telemetry::shutdown();
            tracing::info!("stopped");
        })
    };
    Ok(RunningApp { web_addr, rpc_addr, db, stream, documents, stop, done })
}

#[derive(Clone)]
struct Health {
    db: Database,
    stream: Arc<dyn Stream>,
    registry: prometheus::Registry,
}

async fn readiness(State(health): State<Health>) -> impl IntoResponse {
    let db = health.db.ping().await;
    let broker = health.stream.ping().await;
    let body = serde_json::json!({
        "database": db.as_ref().map(|_| "ok".to_owned()).unwrap_or_else(|e| e.to_string()),
        "broker": broker.as_ref().map(|_| "ok".to_owned()).unwrap_or_else(|e| e.to_string()),
    });
    let status = if db.is_ok() && broker.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body))
}

#[derive(serde::Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

/// `GET /api/admin/deadletters?limit=N`: unresolved dead letters, oldest first.
async fn list_dead_letters(
    State(health): State<Health>,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> axum::response::Response {
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    match DeadLetters::new(&health.db).list(limit).await {
        Ok(letters) => axum::Json(serde_json::json!({ "deadLetters": letters })).into_response(),
        Err(err) => crate::error_response(&crate::internal(&err)),
    }
}

/// `POST /api/admin/deadletters/{seq}/replay`: the owning consumer runs the message again.
async fn replay_dead_letter(
    State(health): State<Health>,
    axum::extract::Path(seq): axum::extract::Path<i64>,
) -> axum::response::Response {
    dead_letter_action(DeadLetters::new(&health.db).replay(seq).await)
}

/// `DELETE /api/admin/deadletters/{seq}`: drops a dead letter for good.
async fn discard_dead_letter(
    State(health): State<Health>,
    axum::extract::Path(seq): axum::extract::Path<i64>,
) -> axum::response::Response {
    dead_letter_action(DeadLetters::new(&health.db).discard(seq).await)
}

fn dead_letter_action(result: Result<bool, database::DbError>) -> axum::response::Response {
    match result {
        Ok(true) => axum::Json(serde_json::json!({})).into_response(),
        Ok(false) => crate::error_response(&tonic::Status::not_found("dead letter not found")),
        Err(err) => crate::error_response(&crate::internal(&err)),
    }
}

async fn metrics(State(health): State<Health>) -> impl IntoResponse {
    use prometheus::Encoder;
    let mut buffer = Vec::new();
    let encoder = prometheus::TextEncoder::new();
    if let Err(err) = encoder.encode(&health.registry.gather(), &mut buffer) {
        tracing::error!(error = %err, "metrics encoding failed");
    }
    ([(axum::http::header::CONTENT_TYPE, encoder.format_type().to_owned())], buffer)
}

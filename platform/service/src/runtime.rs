//! What a module sees while it starts: the connections, and the places to register its REST routes, gRPC services,
//! consumers, outbox and background loops. Everything registered here is stopped in order at shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use database::{Database, Migration};
use messaging::{DeadLetters, Inbox, MessageHandler, ModuleMetrics, Outbox, RelaySettings, Stream, Subscription};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::asyncapi::{MessageSpec, Subscribed};
use crate::{Config, RpcServices};

/// How long handled message ids are remembered: far longer than any broker de-duplication window (2 minutes on
/// JetStream) or redelivery horizon.
pub const INBOX_RETENTION: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// How often outbox and consumer lag are sampled for `/metrics`.
const LAG_SAMPLE: std::time::Duration = std::time::Duration::from_secs(5);

/// A bounded context that can run in a MallBots process.
#[async_trait]
pub trait Module: Send + Sync + 'static {
    /// The module name: its schema, metrics prefix and `MODULES` entry (`stores`).
    fn name(&self) -> &'static str;
    /// Its migrations, in order.
    fn migrations(&self) -> &'static [Migration];
    /// Registers routes, services, consumers and loops on `runtime`.
    async fn start(&self, runtime: &mut Runtime) -> anyhow::Result<()>;
}

/// One REST route of a module, as documented: the gateway rule that maps it to a gRPC method.
#[derive(Clone, Copy, Debug)]
pub struct RestRoute {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path with proto-field-named parameters, exactly as routed: `/api/stores/{store_id}/products`.
    pub path: &'static str,
    /// The gRPC method it calls (`GetStore`); its request/response messages give the schemas.
    pub rpc: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Whether the request message is read from the body (`body: "*"`).
    pub body: bool,
}

impl RestRoute {
    /// A route, in the order the fields are documented (usable in `const` route tables).
    pub const fn new(
        method: &'static str,
        path: &'static str,
        rpc: &'static str,
        operation_id: &'static str,
        tag: &'static str,
        summary: &'static str,
        body: bool,
    ) -> Self {
        RestRoute { method, path, rpc, operation_id, tag, summary, body }
    }
}

/// The REST surface of a module: its OpenAPI document is generated from this and the proto descriptors, and served
/// at `/<module>-spec/api.swagger.json` with a Swagger UI page at `/<module>-spec/`.
#[derive(Clone, Copy, Debug)]
pub struct ApiSpec {
    /// `stores` → `/stores-spec/`.
    pub module: &'static str,
    /// The document title (`Store Management`).
    pub title: &'static str,
    /// The fully qualified gRPC service (`storespb.StoresService`).
    pub service: &'static str,
    pub routes: &'static [RestRoute],
}

/// A documented module, as registered.
#[derive(Clone)]
pub struct ApiDocument {
    pub spec: ApiSpec,
}

/// The registration surface handed to [`Module::start`].
pub struct Runtime {
    pub(crate) config: Arc<Config>,
    pub(crate) db: Database,
    pub(crate) stream: Arc<dyn Stream>,
    pub(crate) registry: prometheus::Registry,
    /// Cancelled first at shutdown: servers and consumers stop taking work.
    pub(crate) intake: CancellationToken,
    /// Cancelled last: relays flush and stop.
    pub(crate) relays_stop: CancellationToken,
    pub(crate) router: axum::Router,
    pub(crate) grpc: tonic::service::RoutesBuilder,
    pub(crate) tasks: Vec<JoinHandle<()>>,
    pub(crate) relays: Vec<JoinHandle<()>>,
    pub(crate) dead_letters: DeadLetters,
    pub(crate) metrics: HashMap<String, ModuleMetrics>,
    pub(crate) inboxes: HashMap<String, Inbox>,
    pub(crate) rpc_services: RpcServices,
    pub(crate) rpc_addr: SocketAddr,
    pub(crate) documents: Vec<ApiDocument>,
    pub(crate) message_specs: Vec<MessageSpec>,
    /// Every [`Runtime::subscribe`], checked against the [`MessageSpec`]s once the modules have started.
    pub(crate) subscriptions: Vec<Subscribed>,
}

impl Runtime {
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    pub fn stream(&self) -> Arc<dyn Stream> {
        self.stream.clone()
    }

    /// The process's Prometheus registry (served at `/metrics`).
    pub fn registry(&self) -> &prometheus::Registry {
        &self.registry
    }

    /// Cancelled when the process starts shutting down.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.intake.clone()
    }

    /// The messaging metrics of `module` (`<module>_received_messages_count` …), created once.
    pub fn module_metrics(&mut self, module: &str) -> anyhow::Result<ModuleMetrics> {
        if let Some(metrics) = self.metrics.get(module) {
            return Ok(metrics.clone());
        }
        let metrics = ModuleMetrics::new(&self.registry, module)?;
        self.metrics.insert(module.to_owned(), metrics.clone());
        Ok(metrics)
    }

    /// The outbox of `module`, with its relay running until the end of shutdown.
    pub fn outbox(&mut self, module: &str) -> anyhow::Result<Outbox> {
        let metrics = self.module_metrics(module)?;
        let outbox = Outbox::new(&self.db, module, Some(metrics.clone()));
        let relay = outbox.relay(&self.db, self.stream.clone(), RelaySettings::default());
        self.relays.push(tokio::spawn(relay.run(self.relays_stop.clone())));
        let sampler = outbox.relay(&self.db, self.stream.clone(), RelaySettings::default());
        let shutdown = self.intake.clone();
        self.tasks.push(tokio::spawn(async move {
            loop {
                if let Ok((pending, oldest)) = sampler.lag().await {
                    metrics.outbox_lag(pending, oldest);
                }
                tokio::select! {
                    _ = tokio::time::sleep(LAG_SAMPLE) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        }));
        Ok(outbox)
    }

    /// The inbox of `module`; its rows are pruned hourly after [`INBOX_RETENTION`] (created once per module).
    pub fn inbox(&mut self, module: &str) -> Inbox {
        if let Some(inbox) = self.inboxes.get(module) {
            return inbox.clone();
        }
        let inbox = Inbox::new(&self.db, module);
        self.inboxes.insert(module.to_owned(), inbox.clone());
        let (pruned, shutdown, module) = (inbox.clone(), self.intake.clone(), module.to_owned());
        self.tasks.push(tokio::spawn(async move {
            loop {
                if let Err(err) = pruned.prune(INBOX_RETENTION).await {
                    tracing::warn!(module, error = %err, "inbox prune failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        }));
        inbox
    }

    /// Starts a durable consumer of `subject` for `module`, handling only `names` (all when empty).
    pub async fn subscribe(
        &mut self,
        module: &str,
        subject: &str,
        durable: &str,
        names: &[&str],
        handler: Arc<dyn MessageHandler>,
    ) -> anyhow::Result<()> {
        self.subscriptions.push(Subscribed {
            module: module.to_owned(),
            subject: subject.to_owned(),
            durable: durable.to_owned(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        });
        let subscription = Subscription {
            subject: subject.to_owned(),
            durable: durable.to_owned(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            max_deliver: self.config.max_deliver.max(1),
            dead_letters: self.dead_letters.clone(),
            metrics: Some(self.module_metrics(module)?),
        };
        let metrics = subscription.metrics.clone();
        let task = self.stream.subscribe(subscription, handler, self.intake.clone()).await?;
        self.tasks.push(task);
        let (stream, shutdown) = (self.stream.clone(), self.intake.clone());
        let (subject, durable) = (subject.to_owned(), durable.to_owned());
        self.tasks.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(LAG_SAMPLE) => {}
                    _ = shutdown.cancelled() => break,
                }
                if let (Ok(pending), Some(metrics)) = (stream.pending(&subject, &durable).await, &metrics) {
                    metrics.consumer_lag(&durable, pending);
                }
            }
        }));
        Ok(())
    }

    /// Adds REST routes (and anything else served over HTTP).
    pub fn routes(&mut self, router: axum::Router) {
        let current = std::mem::take(&mut self.router);
        self.router = current.merge(router);
    }

    /// Adds a gRPC service.
    pub fn grpc<S>(&mut self, service: S)
    where
        S: tower::Service<
                axum::http::Request<tonic::body::Body>,
                Response = axum::http::Response<tonic::body::Body>,
                Error = std::convert::Infallible,
            > + tonic::server::NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.grpc.add_service(service);
    }

    /// Runs a background loop until shutdown (it should watch [`Runtime::shutdown_token`]).
    pub fn spawn(&mut self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        self.tasks.push(tokio::spawn(task));
    }

    /// The gRPC address of `service` (`STORES`): from RPC_SERVICES, or this process when not listed.
    pub fn rpc_address(&self, service: &str) -> String {
        match self.rpc_services.get(service) {
            Some(addr) => addr.to_owned(),
            None => {
                let ip = if self.rpc_addr.ip().is_unspecified() {
                    "127.0.0.1".to_owned()
                } else {
                    self.rpc_addr.ip().to_string()
                };
                format!("{ip}:{}", self.rpc_addr.port())
            }
        }
    }

    /// Publishes the module's OpenAPI document (and its Swagger UI page).
    pub fn api_spec(&mut self, spec: ApiSpec) {
        self.documents.push(ApiDocument { spec });
    }

    /// Publishes the module's AsyncAPI document (and its HTML page): what it sends and receives, checked at startup
    /// against its [`Runtime::subscribe`] calls (differences are logged as warnings).
    pub fn message_spec(&mut self, spec: MessageSpec) {
        for problem in spec.problems() {
            tracing::warn!(module = spec.module, problem, "AsyncAPI document");
        }
        self.message_specs.push(spec);
    }
}

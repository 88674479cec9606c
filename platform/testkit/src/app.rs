//! Spawning a whole MallBots process for black-box tests: free ports, a fresh database (SQLite file or a private
//! PostgreSQL namespace) and a fresh stream (database-backed, or a new JetStream stream), plus a small JSON client.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use service::{Config, Module, RunningApp};

use crate::in_ci;

/// The three runtime modes of TARGET.md §2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppBackend {
    /// SQLite + the database-backed stream.
    Embedded,
    /// PostgreSQL + NATS JetStream.
    PostgresNats,
    /// PostgreSQL + the database-backed stream.
    PostgresOnly,
}

/// The modes this run can test: embedded always, the PostgreSQL ones when `TEST_DATABASE_URL` (and
/// `TEST_NATS_URL`) are set. In CI a missing variable is an error, never a silent skip.
pub fn app_backends() -> Vec<AppBackend> {
    let pg = std::env::var("TEST_DATABASE_URL").ok().filter(|v| !v.is_empty());
    let nats = std::env::var("TEST_NATS_URL").ok().filter(|v| !v.is_empty());
    if in_ci() {
        assert!(pg.is_some(), "CI run without TEST_DATABASE_URL: the PostgreSQL suites would be skipped");
        assert!(nats.is_some(), "CI run without TEST_NATS_URL: the JetStream suites would be skipped");
    }
    let mut backends = vec![AppBackend::Embedded];
    if pg.is_some() && nats.is_some() {
        backends.push(AppBackend::PostgresNats);
    }
    if pg.is_some() {
        backends.push(AppBackend::PostgresOnly);
    }
    backends
}

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    config: Config,
}

/// A running process and a client for it.
pub struct TestApp {
    pub backend: AppBackend,
    pub base_url: String,
    pub rpc_addr: SocketAddr,
    pub stream_name: String,
    pub app: RunningApp,
    http: reqwest::Client,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    //! A temporary directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A test config on free ports; `extra` flags are appended (e.g. `["--max-deliver", "2"]`).
pub fn test_config(backend: AppBackend, sqlite_path: &str, namespace: &str, stream: &str, extra: &[&str]) -> Config {
    let mut args: Vec<String> = [
        "mallbots",
        "--web-host",
        "127.0.0.1",
        "--web-port",
        "0",
        "--rpc-host",
        "127.0.0.1",
        "--rpc-port",
        "0",
        "--shutdown-timeout",
        "5s",
        "--nats-stream",
        stream,
        "--sqlite-path",
        sqlite_path,
        "--db-namespace",
        namespace,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    match backend {
        AppBackend::Embedded => {}
        AppBackend::PostgresNats | AppBackend::PostgresOnly => {
            let pg = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
            args.extend(["--database-url".to_owned(), pg]);
        }
    }
    if backend == AppBackend::PostgresNats {
        args.extend(["--nats-url".to_owned(), std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL")]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    // Only the flags above count: the test process's own environment must not leak into the app.
    let mut config = Args::try_parse_from(args).expect("test config").config;
    if backend == AppBackend::Embedded {
        config.pg_conn = None;
        config.database_url = None;
    }
    if backend != AppBackend::PostgresNats {
        config.nats_url = None;
    }
    config
}

impl TestApp {
    /// Starts `modules` on `backend` with a fresh database and stream.
    pub async fn spawn(backend: AppBackend, modules: Vec<Arc<dyn Module>>) -> TestApp {
        Self::spawn_with(backend, modules, &[]).await
    }

    /// [`TestApp::spawn`] with extra command-line flags.
    pub async fn spawn_with(backend: AppBackend, modules: Vec<Arc<dyn Module>>, extra: &[&str]) -> TestApp {
        let suffix = crate::unique_stream_name();
        let dir = std::env::temp_dir().join(format!("mallbots-{suffix}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sqlite = dir.join("mallbots.db");
        let namespace = format!("{suffix}_");
        let config = test_config(backend, &sqlite.to_string_lossy(), &namespace, &suffix, extra);
        let app = service::start(config, modules).await.expect("the app starts");
        TestApp {
            backend,
            base_url: format!("http://{}", app.web_addr),
            rpc_addr: app.rpc_addr,
            stream_name: suffix,
            app,
            http: reqwest::Client::new(),
            _dir: Some(tempdir::Dir(dir)),
        }
    }

    /// `http://127.0.0.1:<rpc port>` for tonic clients.
    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.rpc_addr)
    }

    /// Sends a request with an optional JSON body; returns the status and the JSON body (Null when not JSON).
    pub async fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{}", self.base_url, path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    /// Sends raw bytes (for malformed-input tests).
    pub async fn call_raw(&self, method: &str, path: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = self
            .http
            .request(method, format!("{}{}", self.base_url, path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call("POST", path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call("PUT", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, serde_json::Value) {
        self.call("DELETE", path, None).await
    }

    /// Stops the process (and deletes its JetStream stream).
    pub async fn stop(self) {
        let nats = (self.backend == AppBackend::PostgresNats).then(|| self.stream_name.clone());
        self.app.stop().await;
        if let (Some(stream), Ok(url)) = (nats, std::env::var("TEST_NATS_URL"))
            && let Ok(client) = async_nats::connect(url).await
        {
            let _ = async_nats::jetstream::new(client).delete_stream(stream).await;
        }
    }
}

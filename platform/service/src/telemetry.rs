//! Logging: `tracing` to stdout, JSON lines in production, level from `LOG_LEVEL`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once (later calls are no-ops, which keeps tests simple).
pub fn init(environment: &str, log_level: &str) {
    let level = match log_level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "PANIC" => "error",
        _ => "info",
    };
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn,async_nats=warn,h2=warn,tower=warn,hyper=warn")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if environment == "production" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

//! The one typed configuration, read once in `main` from flags and the original's environment variables.

use std::collections::HashMap;
use std::time::Duration;

/// Every setting of a MallBots process. Flags and environment variables mirror each other.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// `production` switches logs to JSON lines.
    #[arg(long, global = true, env = "ENVIRONMENT", default_value = "development")]
    pub environment: String,

    /// TRACE, DEBUG, INFO, WARN or ERROR (unknown values mean INFO).
    #[arg(long, global = true, env = "LOG_LEVEL", default_value = "INFO")]
    pub log_level: String,

    /// PostgreSQL connection, as a URL or the libpq `key=value` form. Unset (and no DATABASE_URL): embedded SQLite.
    #[arg(long, global = true, env = "PG_CONN")]
    pub pg_conn: Option<String>,

    /// Alternative to PG_CONN (`postgres://…` or `sqlite://path`).
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// The SQLite file of the embedded mode (created when missing).
    #[arg(long, global = true, env = "SQLITE_PATH", default_value = "./mallbots.db")]
    pub sqlite_path: String,

    /// Prefix of every schema (PostgreSQL) or table (SQLite); lets several installations share one database.
    #[arg(long, global = true, env = "DB_NAMESPACE", default_value = "")]
    pub db_namespace: String,

    /// NATS server with JetStream. Unset: the database-backed stream.
    #[arg(long, global = true, env = "NATS_URL")]
    pub nats_url: Option<String>,

    /// Stream name, also the first token of every subject.
    #[arg(long, global = true, env = "NATS_STREAM", default_value = "mallbots")]
    pub nats_stream: String,

    /// Address the REST server binds to.
    #[arg(long, global = true, env = "WEB_HOST", default_value = "0.0.0.0")]
    pub web_host: String,

    /// REST port (`8080` or the original's `:8080`; 0 picks a free port).
    #[arg(long, global = true, env = "WEB_PORT", default_value = ":8080")]
    pub web_port: String,

    /// Address the gRPC server binds to.
    #[arg(long, global = true, env = "RPC_HOST", default_value = "0.0.0.0")]
    pub rpc_host: String,

    /// gRPC port (`9000` or `:9000`; 0 picks a free port).
    #[arg(long, global = true, env = "RPC_PORT", default_value = ":9000")]
    pub rpc_port: String,

    /// Where other modules' gRPC services live: `STORES=stores:9000,CUSTOMERS=customers:9000`; a module not listed
    /// is this process.
    #[arg(long, global = true, env = "RPC_SERVICES", default_value = "")]
    pub rpc_services: String,

    /// How long shutdown waits for in-flight work (Go duration syntax: `30s`, `1m`, `500ms`).
    #[arg(long, global = true, env = "SHUTDOWN_TIMEOUT", default_value = "30s")]
    pub shutdown_timeout: String,

    /// Service name in traces.
    #[arg(long, global = true, env = "OTEL_SERVICE_NAME", default_value = "mallbots")]
    pub otel_service_name: String,

    /// OTLP/gRPC collector endpoint (`http://collector:4317`); traces are exported only when set.
    #[arg(long, global = true, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otel_exporter_otlp_endpoint: Option<String>,

    /// Which modules this process runs (comma-separated; default: all, i.e. the modular monolith).
    #[arg(long, global = true, env = "MODULES", value_delimiter = ',')]
    pub modules: Vec<String>,

    /// Write a snapshot of an event-sourced aggregate every N events (0: never).
    #[arg(long, global = true, env = "SNAPSHOT_EVERY", default_value_t = 50)]
    pub snapshot_every: u32,

    /// Simulated depot bots picking up available shopping lists (0: none; assign lists through the API).
    #[arg(long, global = true, env = "BOTS", default_value_t = 0)]
    pub bots: u32,

    /// How long a bot spends at each stop of a shopping list (Go duration syntax).
    #[arg(long, global = true, env = "BOT_PACE", default_value = "200ms")]
    pub bot_pace: String,

    /// Where notifications POST their SMS as JSON; unset: SMS are recorded in the notifications table and logged.
    #[arg(long, global = true, env = "SMS_WEBHOOK_URL")]
    pub sms_webhook_url: Option<String>,

    /// Deliveries of a failing message before it becomes a dead letter.
    #[arg(long, global = true, env = "MAX_DELIVER", default_value_t = messaging::DEFAULT_MAX_DELIVER)]
    pub max_deliver: u32,
}

impl Config {
    /// The database URL: PG_CONN, else DATABASE_URL, else the SQLite file.
    pub fn database_url(&self) -> String {
        self.pg_conn
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| self.database_url.clone().filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| format!("sqlite://{}", self.sqlite_path))
    }

    pub fn web_addr(&self) -> String {
        join_host_port(&self.web_host, &self.web_port)
    }

    pub fn rpc_addr(&self) -> String {
        join_host_port(&self.rpc_host, &self.rpc_port)
    }

    pub fn shutdown_timeout(&self) -> Duration {
        parse_duration(&self.shutdown_timeout).unwrap_or(Duration::from_secs(30))
    }

    pub fn bot_pace(&self) -> Duration {
        parse_duration(&self.bot_pace).unwrap_or(Duration::from_millis(200))
    }

    pub fn rpc_services(&self) -> Result<RpcServices, String> {
        RpcServices::parse(&self.rpc_services)
    }

    /// Whether `module` runs in this process.
    pub fn runs(&self, module: &str) -> bool {
        self.modules.is_empty() || self.modules.iter().any(|m| m.trim().eq_ignore_ascii_case(module))
    }
}

fn join_host_port(host: &str, port: &str) -> String {
    let port = port.trim().trim_start_matches(':');
    format!("{}:{}", if host.is_empty() { "0.0.0.0" } else { host }, port)
}

/// Go-style durations: `30s`, `1m30s`, `250ms`, `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return Some(Duration::from_secs_f64(secs));
    }
    let mut total = 0f64;
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        total += value
            * match unit.as_str() {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 0.001,
                "us" | "µs" => 0.000_001,
                "ns" => 0.000_000_001,
                _ => return None,
            };
    }
    number.is_empty().then(|| Duration::from_secs_f64(total))
}

/// `RPC_SERVICES`: module name → gRPC address.
#[derive(Clone, Debug, Default)]
pub struct RpcServices(HashMap<String, String>);

impl RpcServices {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = HashMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parts: Vec<&str> = pair.split('=').collect();
            if parts.len() != 2 {
                return Err(format!("invalid service pair: {pair:?}"));
            }
            map.insert(parts[0].trim().to_uppercase(), parts[1].trim().to_owned());
        }
        Ok(Self(map))
    }

    /// The address of `service`, if another process serves it.
    pub fn get(&self, service: &str) -> Option<&str> {
        self.0.get(&service.to_uppercase()).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("abc"), None);
    }

    #[test]
    fn rpc_services_parse_like_the_original() {
        let s = RpcServices::parse("stores=stores:9000, CUSTOMERS=customers:9000,").unwrap();
        assert_eq!(s.get("STORES"), Some("stores:9000"));
        assert_eq!(s.get("customers"), Some("customers:9000"));
        assert_eq!(s.get("depot"), None);
        assert_eq!(RpcServices::parse("a=b=c").unwrap_err(), "invalid service pair: \"a=b=c\"");
    }

    #[test]
    fn ports_accept_the_original_colon_form() {
        assert_eq!(join_host_port("0.0.0.0", ":8080"), "0.0.0.0:8080");
        assert_eq!(join_host_port("127.0.0.1", "0"), "127.0.0.1:0");
    }
}

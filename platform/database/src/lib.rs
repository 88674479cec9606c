//! The relational store shared by every module: one `Database` handle over PostgreSQL or SQLite, transactions that
//! wake background loops after commit, per-module table naming, and per-module migrations.
//!
//! Queries are written once with `$N` placeholders and portable SQL (sqlx's `Any` driver passes them to either
//! backend). Where the dialects differ the adapter asks [`Database::backend`] and keeps both versions side by side.

mod migrate;
mod transaction;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use migrate::Migration;
pub use sqlx;
pub use transaction::{Transaction, Wakeup};

/// Which SQL engine a [`Database`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Errors of the storage layer; `Conflict` is a unique-key violation (an optimistic-concurrency loss).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error(transparent)]
    Sql(sqlx::Error),
    #[error("migration {module}/{version} failed: {source}")]
    Migration { module: String, version: u32, source: sqlx::Error },
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return DbError::Conflict(db.message().to_owned());
        }
        DbError::Sql(err)
    }
}

/// A pooled connection to one database plus the naming rules for module tables.
///
/// In PostgreSQL every module owns a schema (`stores.events`); SQLite has no schemas, so the module name becomes a
/// table prefix (`stores_events`). An optional namespace is put in front of both, which lets test runs share one
/// server without colliding.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
    namespace: Arc<str>,
    url: Arc<str>,
}

impl Database {
    /// Connects to `url` (`postgres://…`, a libpq `key=value` string, or `sqlite://path`); SQLite files are created
    /// when missing and run in WAL mode.
    pub async fn connect(url: &str, namespace: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let url = normalize_url(url);
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') { url.clone() } else { format!("{url}?mode=rwc") };
                let opts = AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
                // SQLite has one writer (transactions take its lock up front), but readers run beside it: enough connections
                // that a writer waiting for the lock never starves a reader the lock holder depends on.
                AnyPoolOptions::new()
                    .max_connections(16)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::raw_sql(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;",
                            )
                            .execute(conn)
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                let opts = AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
                AnyPoolOptions::new()
                    .max_connections(32)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?
            }
        };
        Ok(Self { pool, backend, namespace: namespace.into(), url: url.into() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The URL this handle was opened with (normalised to a URL when a libpq string was given).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The qualified name of a module table: `ns_stores.events` (PostgreSQL) or `ns_stores_events` (SQLite).
    pub fn table(&self, module: &str, table: &str) -> String {
        format!("{}{}", self.table_prefix(module), table)
    }

    /// What goes in front of a bare table name for `module` (`stores.` or `stores_`).
    pub fn table_prefix(&self, module: &str) -> String {
        match self.backend {
            Backend::Postgres => format!("{}.", self.schema(module)),
            Backend::Sqlite => format!("{}{}_", self.namespace, module),
        }
    }

    /// The PostgreSQL schema of a module.
    pub fn schema(&self, module: &str) -> String {
        format!("{}{}", self.namespace, module)
    }

    /// Opens a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a transaction that read
    /// first and wrote later would otherwise fail when another connection committed in between (a stale snapshot
    /// cannot be upgraded), and waiting for the lock up front is what the busy timeout handles.
    pub async fn begin(&self) -> Result<Transaction, DbError> {
        let tx = match self.backend {
            Backend::Postgres => self.pool.begin().await?,
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
        };
        Ok(Transaction::new(tx))
    }

    /// Applies the module's migrations that have not run yet (see [`Migration`]).
    pub async fn migrate(&self, module: &str, migrations: &[Migration]) -> Result<(), DbError> {
        migrate::run(self, module, migrations).await
    }

    /// Checks the connection (used by `/readiness`).
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Accepts the original's libpq `key=value` form as well as URLs.
fn normalize_url(url: &str) -> String {
    let url = url.trim();
    if url.contains("://") || url.starts_with("sqlite:") {
        return url.to_owned();
    }
    // libpq key/value: host=... dbname=... user=... password=... port=... search_path=... sslmode=...
    let mut host = "localhost".to_owned();
    let mut port = None;
    let mut user = None;
    let mut password = None;
    let mut dbname = None;
    let mut params = Vec::new();
    for pair in url.split_whitespace() {
        let Some((k, v)) = pair.split_once('=') else { continue };
        let v = v.trim_matches('\'').to_owned();
        match k {
            "host" => host = v,
            "port" => port = Some(v),
            "user" => user = Some(v),
            "password" => password = Some(v),
            "dbname" => dbname = Some(v),
            "search_path" => params.push(format!("options=-csearch_path%3D{}", v.replace(',', "%2C"))),
            other => params.push(format!("{other}={v}")),
        }
    }
    let auth = match (user, password) {
        (Some(u), Some(p)) => format!("{u}:{p}@"),
        (Some(u), None) => format!("{u}@"),
        _ => String::new(),
    };
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let db = dbname.map(|d| format!("/{d}")).unwrap_or_default();
    let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
    format!("postgres://{auth}{host}{port}{db}{query}")
}

/// Microseconds since the Unix epoch: the portable timestamp of every table we own.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::normalize_url;

    #[test]
    fn libpq_key_value_strings_become_urls() {
        assert_eq!(
            normalize_url("host=postgres dbname=baskets user=baskets_user password=baskets_pass"),
            "postgres://baskets_user:baskets_pass@postgres/baskets"
        );
        assert_eq!(normalize_url("postgres://root@127.0.0.1/test"), "postgres://root@127.0.0.1/test");
        assert_eq!(normalize_url("sqlite://mallbots.db"), "sqlite://mallbots.db");
    }
}

/// A query text built once (table names filled in) and reused for every call.
#[derive(Clone, Debug)]
pub struct Sql(Arc<str>);

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql(Arc::from(text.into()))
    }

    /// The text in the form sqlx accepts for dynamic SQL (table names come from code, never from input).
    pub fn q(&self) -> sqlx::AssertSqlSafe<Arc<str>> {
        sqlx::AssertSqlSafe(self.0.clone())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

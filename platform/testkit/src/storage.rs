//! Fresh databases for tests: a temp-file SQLite, and a private namespace (its own schemas) on the PostgreSQL server
//! named by `TEST_DATABASE_URL`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use database::sqlx::{self, Row};
use database::{Database, Migration};

/// The variable naming the PostgreSQL server tests may use (`postgres://postgres@127.0.0.1:5432/test`).
pub const DATABASE_URL_VAR: &str = "TEST_DATABASE_URL";

/// Which engine a test database runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageBackend {
    Sqlite,
    Postgres,
}

impl StorageBackend {
    pub fn label(self) -> &'static str {
        match self {
            StorageBackend::Sqlite => "sqlite",
            StorageBackend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for StorageBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A fresh SQLite database in a file of its own. The file is kept for the rest of the process (SQLite needs it
/// while any connection is open) and removed by a later run once it is old.
pub async fn sqlite() -> Database {
    let dir = sqlite_root();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    sweep_sqlite_files(&dir);
    let path = dir.join(format!("{}.db", crate::fresh_token()));
    let url = format!("sqlite://{}", path.display());
    Database::connect(&url, "").await.unwrap_or_else(|e| panic!("cannot open SQLite at {url}: {e}"))
}

/// A connection to `TEST_DATABASE_URL` with a fresh namespace (`t…_`), so every test has its own schemas; `None`
/// when the variable is not set. Panics when it is set but the server cannot be reached.
pub async fn postgres() -> Option<Database> {
    let url = std::env::var(DATABASE_URL_VAR).ok().filter(|u| !u.trim().is_empty())?;
    let namespace = format!("{}_", crate::fresh_token());
    let db = Database::connect(&url, &namespace)
        .await
        .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR}={url} is set but PostgreSQL cannot be reached: {e}"));
    sweep_postgres_namespaces(&db).await;
    Some(db)
}

/// Every storage backend of this run: SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set (in CI it must be).
pub async fn databases() -> Vec<(StorageBackend, Database)> {
    let mut all = vec![(StorageBackend::Sqlite, sqlite().await)];
    match postgres().await {
        Some(db) => all.push((StorageBackend::Postgres, db)),
        None if crate::in_ci() => {
            panic!("{DATABASE_URL_VAR} is not set: in CI the PostgreSQL suites must run, not be skipped")
        }
        None => eprintln!("{DATABASE_URL_VAR} not set: PostgreSQL cases skipped"),
    }
    all
}

/// Creates the messaging tables: the process-wide ones (stream, cursors, dead letters) and `module`'s outbox/inbox.
pub async fn prepare_messaging(db: &Database, module: &str) {
    db.migrate("messaging", messaging::MIGRATIONS).await.expect("messaging migrations");
    db.migrate(module, &[Migration { version: 1, description: "outbox and inbox", sql: messaging::MODULE_TABLES_SQL }])
        .await
        .expect("module messaging tables");
}

fn sqlite_root() -> PathBuf {
    std::env::temp_dir().join("mallbots-testkit")
}

/// Removes the SQLite files of earlier runs (once per process; best effort).
fn sweep_sqlite_files(dir: &std::path::Path) {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if crate::token_age(&name.to_string_lossy()).is_some_and(|age| age > crate::LEFTOVER_AGE) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Drops the schemas of namespaces left by earlier runs (once per process; best effort).
async fn sweep_postgres_namespaces(db: &Database) {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(rows) = sqlx::query("SELECT nspname::text FROM pg_namespace WHERE nspname ~ '^t[0-9a-f]{16}_'")
        .fetch_all(db.pool())
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(schema) = row.try_get::<String, _>(0) else { continue };
        if crate::token_age(&schema).is_some_and(|age| age > crate::LEFTOVER_AGE) {
            let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(db.pool()).await;
        }
    }
}

//! Per-module schema migrations, one SQL text for both backends.
//!
//! sqlx's migrator keeps one version sequence per database, but our modules share a database in the monolith and
//! each owns its own sequence; so the bookkeeping table is keyed by (module, version). A migration's SQL may use
//! these tokens, replaced per backend before it runs:
//! `{schema}` → `stores.` / `stores_` (the module's table prefix), `{bytes}` → `BYTEA` / `BLOB`,
//! `{seq}` → `BIGSERIAL PRIMARY KEY` / `INTEGER PRIMARY KEY AUTOINCREMENT`.
//! An index name written `INDEX [IF NOT EXISTS] {schema}name` gets the prefix on SQLite only: PostgreSQL refuses a
//! schema-qualified index name and puts the index in its table's schema anyway.

use crate::{Backend, Database, DbError};

/// One forward-only migration of a module.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: u32,
    pub description: &'static str,
    pub sql: &'static str,
}

pub(crate) async fn run(db: &Database, module: &str, migrations: &[Migration]) -> Result<(), DbError> {
    let pool = db.pool();
    if db.backend() == Backend::Postgres {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", db.schema(module))))
            .execute(pool)
            .await?;
    }
    let book = db.table("mallbots", "migrations");
    if db.backend() == Backend::Postgres {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", db.schema("mallbots"))))
            .execute(pool)
            .await?;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE IF NOT EXISTS {book} (module TEXT NOT NULL, version BIGINT NOT NULL, description TEXT NOT NULL, \
         applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))"
    )))
    .execute(pool)
    .await?;

    for migration in migrations {
        let mut tx = db.begin().await?;
        if db.backend() == Backend::Postgres {
            // Serialise concurrent starters (two replicas) on the bookkeeping table.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("LOCK TABLE {book} IN EXCLUSIVE MODE")))
                .execute(tx.conn())
                .await?;
        }
        let applied: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM {book} WHERE module = $1 AND version = $2"
        )))
        .bind(module)
        .bind(migration.version as i64)
        .fetch_optional(tx.conn())
        .await?;
        if applied.is_some() {
            tx.rollback().await?;
            continue;
        }
        let sql = expand(db, module, migration.sql);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(tx.conn()).await.map_err(|source| DbError::Migration {
            module: module.to_owned(),
            version: migration.version,
            source,
        })?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {book} (module, version, description, applied_at) VALUES ($1, $2, $3, $4)"
        )))
        .bind(module)
        .bind(migration.version as i64)
        .bind(migration.description)
        .bind(crate::now_micros())
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        tracing::debug!(module, version = migration.version, "migration applied");
    }
    Ok(())
}

/// Replaces the dialect tokens of a migration.
pub(crate) fn expand(db: &Database, module: &str, sql: &str) -> String {
    let (bytes, seq) = match db.backend() {
        Backend::Postgres => ("BYTEA", "BIGSERIAL PRIMARY KEY"),
        Backend::Sqlite => ("BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    };
    let index_prefix = match db.backend() {
        Backend::Postgres => String::new(),
        Backend::Sqlite => db.table_prefix(module),
    };
    sql.replace("INDEX IF NOT EXISTS {schema}", &format!("INDEX IF NOT EXISTS {index_prefix}"))
        .replace("INDEX {schema}", &format!("INDEX {index_prefix}"))
        .replace("{schema}", &db.table_prefix(module))
        .replace("{bytes}", bytes)
        .replace("{seq}", seq)
}

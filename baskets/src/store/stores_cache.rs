//! `baskets.stores_cache (id, name)`: the names of the mall's stores, as the store events tell them.
//!
//! Events upsert (a rebrand of a store we have not cached yet still records its name); a fallback fetch only fills
//! a missing row, so a row written from an event is never overwritten by an older answer.

use database::sqlx::{self, Row};
use database::{Database, DbError, Sql, Transaction};

/// A store as the basket needs it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CachedStore {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Clone)]
pub(crate) struct StoresCache {
    db: Database,
    upsert: Sql,
    insert_missing: Sql,
    select: Sql,
}

impl StoresCache {
    pub(crate) fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "stores_cache");
        Self {
            db: db.clone(),
            upsert: Sql::new(format!(
                "INSERT INTO {t} (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"
            )),
            insert_missing: Sql::new(format!(
                "INSERT INTO {t} (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING"
            )),
            select: Sql::new(format!("SELECT id, name FROM {t} WHERE id = $1")),
        }
    }

    /// `storesapi.StoreCreated` / `storesapi.StoreRebranded`: the store is called `name` now.
    pub(crate) async fn save(&self, tx: &mut Transaction, id: &str, name: &str) -> Result<(), DbError> {
        sqlx::query(self.upsert.q()).bind(id).bind(name).bind(database::now_micros()).execute(tx.conn()).await?;
        Ok(())
    }

    /// Records what the stores service said, unless an event got there first.
    pub(crate) async fn fill(&self, store: &CachedStore) -> Result<(), DbError> {
        sqlx::query(self.insert_missing.q())
            .bind(&store.id)
            .bind(&store.name)
            .bind(database::now_micros())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    pub(crate) async fn find(&self, id: &str) -> Result<Option<CachedStore>, DbError> {
        let row = sqlx::query(self.select.q()).bind(id).fetch_optional(self.db.pool()).await?;
        row.map(|row| Ok(CachedStore { id: row.try_get(0)?, name: row.try_get(1)? })).transpose()
    }
}

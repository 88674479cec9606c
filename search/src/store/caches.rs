//! `customers_cache (id, name)`, `stores_cache (id, name)` and `products_cache (id, store_id, name)`: the names
//! search shows, copied from the owners' events and filled from the owners over gRPC on a miss.
//!
//! Creation events only insert (`ON CONFLICT DO NOTHING`): an existing row came from an earlier delivery or from the
//! owner itself, which is at least as fresh as the event. Renames overwrite; a product rename for a product not
//! cached yet is dropped (its store is unknown), the next lookup asks the owner. A removed product keeps its row:
//! orders placed before the removal still show its name.

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql};

use super::storage;
use crate::domain::SearchError;

/// A `(id, name)` cache: customers or stores.
struct NameCache {
    find: Sql,
    insert: Sql,
    rename: Sql,
}

impl NameCache {
    fn new(db: &Database, table: &str) -> Self {
        let t = db.table(crate::MODULE, table);
        Self {
            find: Sql::new(format!("SELECT name FROM {t} WHERE id = $1")),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING"
            )),
            rename: Sql::new(format!(
                "INSERT INTO {t} (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"
            )),
        }
    }

    async fn find(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<String>, SearchError> {
        let row = sqlx::query(self.find.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("reading a cache", e))?;
        row.map(|row| row.try_get(0)).transpose().map_err(|e| storage("reading a cache", e))
    }

    async fn run(&self, sql: &Sql, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), SearchError> {
        sqlx::query(sql.q())
            .bind(id)
            .bind(name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("writing a cache", e))?;
        Ok(())
    }
}

/// `search.customers_cache`
pub(crate) struct CustomersCache(NameCache);

impl CustomersCache {
    pub(crate) fn new(db: &Database) -> Self {
        Self(NameCache::new(db, "customers_cache"))
    }

    pub(crate) async fn name(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<String>, SearchError> {
        self.0.find(conn, id).await
    }

    pub(crate) async fn insert(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), SearchError> {
        self.0.run(&self.0.insert, conn, id, name).await
    }
}

/// `search.stores_cache`
pub(crate) struct StoresCache(NameCache);

impl StoresCache {
    pub(crate) fn new(db: &Database) -> Self {
        Self(NameCache::new(db, "stores_cache"))
    }

    pub(crate) async fn name(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<String>, SearchError> {
        self.0.find(conn, id).await
    }

    pub(crate) async fn insert(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), SearchError> {
        self.0.run(&self.0.insert, conn, id, name).await
    }

    pub(crate) async fn rename(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), SearchError> {
        self.0.run(&self.0.rename, conn, id, name).await
    }
}

/// A cached product: its store and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CachedProduct {
    pub(crate) store_id: String,
    pub(crate) name: String,
}

/// `search.products_cache`
pub(crate) struct ProductsCache {
    find: Sql,
    insert: Sql,
    rename: Sql,
}

impl ProductsCache {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table(crate::MODULE, "products_cache");
        Self {
            find: Sql::new(format!("SELECT store_id, name FROM {t} WHERE id = $1")),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, store_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 ON CONFLICT (id) DO NOTHING"
            )),
            rename: Sql::new(format!("UPDATE {t} SET name = $2, updated_at = $3 WHERE id = $1")),
        }
    }

    pub(crate) async fn find(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<CachedProduct>, SearchError> {
        let row = sqlx::query(self.find.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("reading the products cache", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<CachedProduct, sqlx::Error> {
            Ok(CachedProduct { store_id: row.try_get(0)?, name: row.try_get(1)? })
        };
        read().map(Some).map_err(|e| storage("reading the products cache", e))
    }

    pub(crate) async fn insert(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        product: &CachedProduct,
    ) -> Result<(), SearchError> {
        sqlx::query(self.insert.q())
            .bind(id)
            .bind(&product.store_id)
            .bind(&product.name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("writing the products cache", e))?;
        Ok(())
    }

    pub(crate) async fn rename(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), SearchError> {
        sqlx::query(self.rename.q())
            .bind(id)
            .bind(name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("writing the products cache", e))?;
        Ok(())
    }
}

//! The `depot.stores_cache` and `depot.products_cache` tables: the names and locations shopping lists are built
//! from, fed by the stores context's events (upserts, so a replay or a duplicate changes nothing) and filled on a
//! miss from the stores service (insert-if-absent, so an event-fed row is never overwritten by the fallback).

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql};

use super::storage;
use crate::domain::DepotError;

/// A store as the depot knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CachedStore {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) location: String,
}

/// A product as the depot knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CachedProduct {
    pub(crate) id: String,
    pub(crate) store_id: String,
    pub(crate) name: String,
}

/// Queries of the stores cache, built once.
pub(crate) struct StoreCache {
    select: Sql,
    upsert: Sql,
    insert_if_absent: Sql,
    rename: Sql,
}

impl StoreCache {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("depot", "stores_cache");
        Self {
            select: Sql::new(format!("SELECT name, location FROM {t} WHERE id = $1")),
            upsert: Sql::new(format!(
                "INSERT INTO {t} (id, name, location, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, location = excluded.location, \
                 updated_at = excluded.updated_at"
            )),
            insert_if_absent: Sql::new(format!(
                "INSERT INTO {t} (id, name, location, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING"
            )),
            rename: Sql::new(format!("UPDATE {t} SET name = $2, updated_at = $3 WHERE id = $1")),
        }
    }

    pub(crate) async fn find(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<CachedStore>, DepotError> {
        let row = sqlx::query(self.select.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading cached store", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<CachedStore, sqlx::Error> {
            Ok(CachedStore { id: id.to_owned(), name: row.try_get(0)?, location: row.try_get(1)? })
        };
        read().map(Some).map_err(|e| storage("reading cached store", e))
    }

    /// `storesapi.StoreCreated`: the store as it is now.
    pub(crate) async fn upsert(&self, conn: &mut AnyConnection, store: &CachedStore) -> Result<(), DepotError> {
        self.write(&self.upsert, conn, store).await
    }

    /// A store fetched from its owner after a miss; a row the events wrote in the meantime wins.
    pub(crate) async fn insert_if_absent(
        &self,
        conn: &mut AnyConnection,
        store: &CachedStore,
    ) -> Result<(), DepotError> {
        self.write(&self.insert_if_absent, conn, store).await
    }

    async fn write(&self, sql: &Sql, conn: &mut AnyConnection, store: &CachedStore) -> Result<(), DepotError> {
        sqlx::query(sql.q())
            .bind(&store.id)
            .bind(&store.name)
            .bind(&store.location)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("caching store", e))?;
        Ok(())
    }

    /// `storesapi.StoreRebranded`: an unknown store stays unknown (a later miss fetches all of it).
    pub(crate) async fn rename(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), DepotError> {
        sqlx::query(self.rename.q())
            .bind(id)
            .bind(name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("renaming cached store", e))?;
        Ok(())
    }
}

/// Queries of the products cache, built once.
pub(crate) struct ProductCache {
    select: Sql,
    upsert: Sql,
    insert_if_absent: Sql,
    rename: Sql,
    delete: Sql,
}

impl ProductCache {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("depot", "products_cache");
        Self {
            select: Sql::new(format!("SELECT store_id, name FROM {t} WHERE id = $1")),
            upsert: Sql::new(format!(
                "INSERT INTO {t} (id, store_id, name, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, \
                 updated_at = excluded.updated_at"
            )),
            insert_if_absent: Sql::new(format!(
                "INSERT INTO {t} (id, store_id, name, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING"
            )),
            rename: Sql::new(format!("UPDATE {t} SET name = $2, updated_at = $3 WHERE id = $1")),
            delete: Sql::new(format!("DELETE FROM {t} WHERE id = $1")),
        }
    }

    pub(crate) async fn find(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<CachedProduct>, DepotError> {
        let row = sqlx::query(self.select.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading cached product", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<CachedProduct, sqlx::Error> {
            Ok(CachedProduct { id: id.to_owned(), store_id: row.try_get(0)?, name: row.try_get(1)? })
        };
        read().map(Some).map_err(|e| storage("reading cached product", e))
    }

    /// `storesapi.ProductAdded`.
    pub(crate) async fn upsert(&self, conn: &mut AnyConnection, product: &CachedProduct) -> Result<(), DepotError> {
        self.write(&self.upsert, conn, product).await
    }

    /// A product fetched from its owner after a miss; a row the events wrote in the meantime wins.
    pub(crate) async fn insert_if_absent(
        &self,
        conn: &mut AnyConnection,
        product: &CachedProduct,
    ) -> Result<(), DepotError> {
        self.write(&self.insert_if_absent, conn, product).await
    }

    async fn write(&self, sql: &Sql, conn: &mut AnyConnection, product: &CachedProduct) -> Result<(), DepotError> {
        sqlx::query(sql.q())
            .bind(&product.id)
            .bind(&product.store_id)
            .bind(&product.name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("caching product", e))?;
        Ok(())
    }

    /// `storesapi.ProductRebranded`: an unknown product stays unknown.
    pub(crate) async fn rename(&self, conn: &mut AnyConnection, id: &str, name: &str) -> Result<(), DepotError> {
        sqlx::query(self.rename.q())
            .bind(id)
            .bind(name)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("renaming cached product", e))?;
        Ok(())
    }

    /// `storesapi.ProductRemoved`.
    pub(crate) async fn delete(&self, conn: &mut AnyConnection, id: &str) -> Result<(), DepotError> {
        sqlx::query(self.delete.q()).bind(id).execute(conn).await.map_err(|e| storage("removing cached product", e))?;
        Ok(())
    }
}

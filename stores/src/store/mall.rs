//! The mall read model: one row per store (`stores.stores`), the source of GetStore, GetStores and
//! GetParticipatingStores.

use database::sqlx::{self, Row, any::AnyRow};
use database::{Database, DbError, Sql, Transaction};

use crate::domain::Store;

/// A store as the queries return it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MallStore {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) participating: bool,
}

pub(crate) struct Mall {
    db: Database,
    upsert: Sql,
    select_one: Sql,
    select_all: Sql,
    select_participating: Sql,
}

impl Mall {
    pub(crate) fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "stores");
        // sqlx's Any driver cannot decode SQLite booleans: read the flag as an integer on both engines.
        let columns = "id, name, location, CAST(CASE WHEN participating THEN 1 ELSE 0 END AS BIGINT)";
        Self {
            db: db.clone(),
            upsert: Sql::new(format!(
                "INSERT INTO {t} (id, name, location, participating, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 location = excluded.location, participating = excluded.participating, updated_at = excluded.updated_at"
            )),
            select_one: Sql::new(format!("SELECT {columns} FROM {t} WHERE id = $1")),
            select_all: Sql::new(format!("SELECT {columns} FROM {t} ORDER BY created_at, id")),
            select_participating: Sql::new(format!(
                "SELECT {columns} FROM {t} WHERE participating ORDER BY created_at, id"
            )),
        }
    }

    /// Writes the current state of store `id`.
    pub(crate) async fn save(&self, tx: &mut Transaction, id: &str, store: &Store) -> Result<(), DbError> {
        sqlx::query(self.upsert.q())
            .bind(id)
            .bind(&store.name)
            .bind(&store.location)
            .bind(store.participating)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// Whether store `id` exists, seen from inside `tx`.
    pub(crate) async fn exists_in(&self, tx: &mut Transaction, id: &str) -> Result<bool, DbError> {
        Ok(sqlx::query(self.select_one.q()).bind(id).fetch_optional(tx.conn()).await?.is_some())
    }

    pub(crate) async fn find(&self, id: &str) -> Result<Option<MallStore>, DbError> {
        let row = sqlx::query(self.select_one.q()).bind(id).fetch_optional(self.db.pool()).await?;
        row.as_ref().map(decode).transpose()
    }

    pub(crate) async fn all(&self) -> Result<Vec<MallStore>, DbError> {
        sqlx::query(self.select_all.q()).fetch_all(self.db.pool()).await?.iter().map(decode).collect()
    }

    pub(crate) async fn participating(&self) -> Result<Vec<MallStore>, DbError> {
        sqlx::query(self.select_participating.q()).fetch_all(self.db.pool()).await?.iter().map(decode).collect()
    }
}

fn decode(row: &AnyRow) -> Result<MallStore, DbError> {
    Ok(MallStore {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        location: row.try_get(2)?,
        participating: row.try_get::<i64, _>(3)? != 0,
    })
}

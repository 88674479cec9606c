//! The `depot.shopping_lists` table: one row per order (unique `order_id`), stops as JSON with the original's Go
//! field names. Updates name the version they read; a bot claims a list with a conditional UPDATE on its status,
//! so a list is never claimed twice.

use database::sqlx::{self, AnyConnection, Row, any::AnyRow};
use database::{Database, Sql, Transaction};

use super::{Unreadable, Versioned, storage};
use crate::domain::{DepotError, ListStatus, ShoppingList};

/// Queries of the shopping-lists table, built once.
pub(crate) struct ShoppingListTable {
    db: Database,
    select: Sql,
    select_by_order: Sql,
    insert: Sql,
    update: Sql,
    available: Sql,
    assigned_to: Sql,
    claim: Sql,
    release: Sql,
}

const COLUMNS: &str = "id, order_id, stops, assigned_bot_id, status, version";

impl ShoppingListTable {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("depot", "shopping_lists");
        Self {
            db: db.clone(),
            select: Sql::new(format!("SELECT {COLUMNS} FROM {t} WHERE id = $1")),
            select_by_order: Sql::new(format!("SELECT {COLUMNS} FROM {t} WHERE order_id = $1")),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, order_id, stops, assigned_bot_id, status, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6)"
            )),
            update: Sql::new(format!(
                "UPDATE {t} SET assigned_bot_id = $3, status = $4, version = $2 + 1, updated_at = $5 \
                 WHERE id = $1 AND version = $2"
            )),
            available: Sql::new(format!(
                "SELECT id FROM {t} WHERE status = 'available' ORDER BY created_at, id LIMIT $1"
            )),
            assigned_to: Sql::new(format!(
                "SELECT id FROM {t} WHERE status = 'assigned' AND assigned_bot_id = $1 ORDER BY created_at, id LIMIT 1"
            )),
            claim: Sql::new(format!(
                "UPDATE {t} SET status = 'assigned', assigned_bot_id = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $1 AND status = 'available'"
            )),
            release: Sql::new(format!(
                "UPDATE {t} SET status = 'available', assigned_bot_id = '', version = version + 1, updated_at = $3 \
                 WHERE id = $1 AND status = 'assigned' AND assigned_bot_id = $2"
            )),
        }
    }

    pub(crate) async fn find(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<Versioned<ShoppingList>>, DepotError> {
        let row = sqlx::query(self.select.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading shopping list", e))?;
        row.as_ref().map(read).transpose()
    }

    pub(crate) async fn find_by_order(
        &self,
        conn: &mut AnyConnection,
        order_id: &str,
    ) -> Result<Option<Versioned<ShoppingList>>, DepotError> {
        let row = sqlx::query(self.select_by_order.q())
            .bind(order_id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading shopping list", e))?;
        row.as_ref().map(read).transpose()
    }

    /// Stores a new list; [`DepotError::Conflict`] when the order has one already (a concurrent creation won).
    pub(crate) async fn insert(&self, tx: &mut Transaction, list: &ShoppingList) -> Result<(), DepotError> {
        let stops = serde_json::to_string(&list.stops).map_err(|e| DepotError::internal("encoding stops", e))?;
        sqlx::query(self.insert.q())
            .bind(&list.id)
            .bind(&list.order_id)
            .bind(stops)
            .bind(&list.assigned_bot_id)
            .bind(list.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("storing shopping list", e))?;
        Ok(())
    }

    /// Stores `list` over the row read at `expected_version`; [`DepotError::Conflict`] when another writer got there
    /// first. (Stops never change after creation.)
    pub(crate) async fn update(
        &self,
        tx: &mut Transaction,
        list: &ShoppingList,
        expected_version: i64,
    ) -> Result<(), DepotError> {
        let done = sqlx::query(self.update.q())
            .bind(&list.id)
            .bind(expected_version)
            .bind(&list.assigned_bot_id)
            .bind(list.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("updating shopping list", e))?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(DepotError::Conflict) }
    }

    /// The oldest available lists (at most `limit`), for bots to claim.
    pub(crate) async fn available(&self, limit: i64) -> Result<Vec<String>, DepotError> {
        let rows = sqlx::query(self.available.q())
            .bind(limit)
            .fetch_all(self.db.pool())
            .await
            .map_err(|e| storage("listing available shopping lists", e))?;
        rows.iter().map(|row| row.try_get(0).map_err(|e| storage("reading shopping list id", e))).collect()
    }

    /// A list `bot_id` claimed and has not finished (after a failed completion).
    pub(crate) async fn assigned_to(&self, bot_id: &str) -> Result<Option<String>, DepotError> {
        let row = sqlx::query(self.assigned_to.q())
            .bind(bot_id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(|e| storage("finding a bot's shopping list", e))?;
        row.map(|row| row.try_get(0).map_err(|e| storage("reading shopping list id", e))).transpose()
    }

    /// Assigns list `id` to `bot_id` if it is still available; false when another bot (or a client) got it first.
    pub(crate) async fn claim(&self, id: &str, bot_id: &str) -> Result<bool, DepotError> {
        let done = sqlx::query(self.claim.q())
            .bind(id)
            .bind(bot_id)
            .bind(database::now_micros())
            .execute(self.db.pool())
            .await
            .map_err(|e| storage("claiming shopping list", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes list `id` available again if `bot_id` still holds it (a bot stopping mid-round).
    pub(crate) async fn release(&self, id: &str, bot_id: &str) -> Result<bool, DepotError> {
        let done = sqlx::query(self.release.q())
            .bind(id)
            .bind(bot_id)
            .bind(database::now_micros())
            .execute(self.db.pool())
            .await
            .map_err(|e| storage("releasing shopping list", e))?;
        Ok(done.rows_affected() == 1)
    }
}

fn read(row: &AnyRow) -> Result<Versioned<ShoppingList>, DepotError> {
    let columns = || -> Result<(String, String, String, String, String, i64), sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?))
    };
    let (id, order_id, stops, assigned_bot_id, status, version) =
        columns().map_err(|e| storage("reading shopping list", e))?;
    let status = ListStatus::parse(&status)
        .ok_or_else(|| DepotError::internal("reading shopping list", Unreadable(format!("unknown status {status:?}"))))?;
    let stops = serde_json::from_str(&stops).map_err(|e| DepotError::internal("reading shopping list stops", e))?;
    Ok(Versioned { value: ShoppingList { id, order_id, stops, assigned_bot_id, status }, version })
}

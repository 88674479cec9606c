//! The `depot.shopping_lists` table: one row per order (unique `order_id`), stops as JSON with the original's Go
//! field names. Updates name the version they read; a bot claims a list with a conditional UPDATE on its status,
//! so a list is never claimed twice.
//!
//! A bot's claim is a lease: it sets `claimed_by_fleet = 1` and `claim_expires_at` (µs) to now +
//! [`CLAIM_TIMEOUT`], and the bot renews it while it works ([`ShoppingListTable::assigned_to`]). A fleet claim that
//! lapsed is put back to `available` by the next bot looking for work ([`ShoppingListTable::available`]): one
//! conditional UPDATE, which a renewal or another fleet's reclaim racing it cannot double. Every other change (the
//! versioned `update`: `PUT …/assign`, complete, cancel) clears the flag, so a list assigned through the API is never
//! taken back. Expiry times come from the clock of the process that wrote them; the timeout dwarfs clock skew.

use database::sqlx::{self, AnyConnection, Row, any::AnyRow};
use database::{Database, Sql, Transaction};

use super::{Unreadable, Versioned, storage};
use crate::bots::CLAIM_TIMEOUT;
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
    renew: Sql,
    lapsed: Sql,
    reclaim: Sql,
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
            // Not a bot's claim (any more): the API's assign, a completion, a cancelation.
            update: Sql::new(format!(
                "UPDATE {t} SET assigned_bot_id = $3, status = $4, version = $2 + 1, updated_at = $5, \
                 claimed_by_fleet = 0, claim_expires_at = 0 WHERE id = $1 AND version = $2"
            )),
            available: Sql::new(format!(
                "SELECT id FROM {t} WHERE status = 'available' ORDER BY created_at, id LIMIT $1"
            )),
            assigned_to: Sql::new(format!(
                "SELECT id FROM {t} WHERE status = 'assigned' AND claimed_by_fleet = 1 AND assigned_bot_id = $1 \
                 ORDER BY created_at, id LIMIT 1"
            )),
            // A lease is not a change of the list: no new version (a concurrent cancel must not conflict with it).
            renew: Sql::new(format!(
                "UPDATE {t} SET claim_expires_at = $3 \
                 WHERE id = $1 AND status = 'assigned' AND claimed_by_fleet = 1 AND assigned_bot_id = $2"
            )),
            lapsed: Sql::new(format!(
                "SELECT id FROM {t} WHERE status = 'assigned' AND claimed_by_fleet = 1 AND claim_expires_at < $1 \
                 LIMIT 1"
            )),
            reclaim: Sql::new(format!(
                "UPDATE {t} SET status = 'available', assigned_bot_id = '', claimed_by_fleet = 0, \
                 claim_expires_at = 0, version = version + 1, updated_at = $1 \
                 WHERE status = 'assigned' AND claimed_by_fleet = 1 AND claim_expires_at < $1"
            )),
            claim: Sql::new(format!(
                "UPDATE {t} SET status = 'assigned', assigned_bot_id = $2, claimed_by_fleet = 1, \
                 claim_expires_at = $4, version = version + 1, updated_at = $3 WHERE id = $1 AND status = 'available'"
            )),
            release: Sql::new(format!(
                "UPDATE {t} SET status = 'available', assigned_bot_id = '', claimed_by_fleet = 0, \
                 claim_expires_at = 0, version = version + 1, updated_at = $3 \
                 WHERE id = $1 AND status = 'assigned' AND claimed_by_fleet = 1 AND assigned_bot_id = $2"
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

    /// The oldest available lists (at most `limit`), for bots to claim; first puts back to `available` every list
    /// whose fleet claim lapsed (its bot's process is gone, or stalled longer than [`CLAIM_TIMEOUT`]).
    pub(crate) async fn available(&self, limit: i64) -> Result<Vec<String>, DepotError> {
        // Looked for first: an idle bot must not take SQLite's write lock every round.
        let now = database::now_micros();
        let lapsed = sqlx::query(self.lapsed.q())
            .bind(now)
            .fetch_optional(self.db.pool())
            .await
            .map_err(|e| storage("looking for lapsed shopping list claims", e))?;
        if lapsed.is_some() {
            let reclaimed = sqlx::query(self.reclaim.q())
                .bind(now)
                .execute(self.db.pool())
                .await
                .map_err(|e| storage("reclaiming lapsed shopping list claims", e))?
                .rows_affected();
            if reclaimed > 0 {
                tracing::warn!(reclaimed, "shopping lists whose bot claim lapsed are available again");
            }
        }
        let rows = sqlx::query(self.available.q())
            .bind(limit)
            .fetch_all(self.db.pool())
            .await
            .map_err(|e| storage("listing available shopping lists", e))?;
        rows.iter().map(|row| row.try_get(0).map_err(|e| storage("reading shopping list id", e))).collect()
    }

    /// A list `bot_id` claimed and still holds (it is resuming after a failed completion, or checking at a stop
    /// that the list is still its own); its claim is renewed for [`CLAIM_TIMEOUT`] from now. `None` once the list
    /// was completed, canceled, or taken back after the claim lapsed.
    pub(crate) async fn assigned_to(&self, bot_id: &str) -> Result<Option<String>, DepotError> {
        let row = sqlx::query(self.assigned_to.q())
            .bind(bot_id)
            .fetch_optional(self.db.pool())
            .await
            .map_err(|e| storage("finding a bot's shopping list", e))?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0).map_err(|e| storage("reading shopping list id", e))?;
        let renewed = sqlx::query(self.renew.q())
            .bind(&id)
            .bind(bot_id)
            .bind(lease_end_from(database::now_micros()))
            .execute(self.db.pool())
            .await
            .map_err(|e| storage("renewing a bot's claim", e))?;
        // Lost in between (completed, canceled or taken back): nothing held.
        Ok((renewed.rows_affected() == 1).then_some(id))
    }

    /// Assigns list `id` to `bot_id` for [`CLAIM_TIMEOUT`] if it is still available; false when another bot (or a
    /// client) got it first.
    pub(crate) async fn claim(&self, id: &str, bot_id: &str) -> Result<bool, DepotError> {
        let now = database::now_micros();
        let done = sqlx::query(self.claim.q())
            .bind(id)
            .bind(bot_id)
            .bind(now)
            .bind(lease_end_from(now))
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

/// When a claim made or renewed at `now` lapses.
fn lease_end_from(now: i64) -> i64 {
    now.saturating_add(i64::try_from(CLAIM_TIMEOUT.as_micros()).unwrap_or(i64::MAX))
}

fn read(row: &AnyRow) -> Result<Versioned<ShoppingList>, DepotError> {
    let columns = || -> Result<(String, String, String, String, String, i64), sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?))
    };
    let (id, order_id, stops, assigned_bot_id, status, version) =
        columns().map_err(|e| storage("reading shopping list", e))?;
    let status = ListStatus::parse(&status).ok_or_else(|| {
        DepotError::internal("reading shopping list", Unreadable(format!("unknown status {status:?}")))
    })?;
    let stops = serde_json::from_str(&stops).map_err(|e| DepotError::internal("reading shopping list stops", e))?;
    Ok(Versioned { value: ShoppingList { id, order_id, stops, assigned_bot_id, status }, version })
}

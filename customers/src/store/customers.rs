//! The `customers.customers` table: one row per customer with a `version` that every update names, so a concurrent
//! writer is detected (zero rows updated) instead of silently overwritten.

use database::sqlx::error::DatabaseError;
use database::sqlx::{self, AnyConnection, Row};
use database::{Backend, Database, DbError, Sql, Transaction};

use crate::domain::{Customer, CustomerId, CustomersError};

/// A customer as stored, with the version it was read at.
#[derive(Clone, Debug)]
pub(crate) struct Versioned {
    pub(crate) customer: Customer,
    pub(crate) version: i64,
}

/// Queries of the customers table, built once.
pub(crate) struct CustomerTable {
    select: Sql,
    select_for_update: Sql,
    insert: Sql,
    update: Sql,
}

impl CustomerTable {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("customers", "customers");
        // sqlx's `Any` driver cannot read an SQLite BOOLEAN column, so the flag is read as an integer.
        let select =
            format!("SELECT name, sms_number, CASE WHEN enabled THEN 1 ELSE 0 END, version FROM {t} WHERE id = $1");
        Self {
            select: Sql::new(select.clone()),
            // Writers queue on the row instead of failing each other's version check: PostgreSQL locks it; SQLite
            // has no row locks and needs none (a transaction takes the one writer lock when it begins).
            select_for_update: Sql::new(match db.backend() {
                Backend::Postgres => format!("{select} FOR UPDATE"),
                Backend::Sqlite => select,
            }),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, name, sms_number, enabled, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5)"
            )),
            update: Sql::new(format!(
                "UPDATE {t} SET name = $3, sms_number = $4, enabled = $5, version = $2 + 1, updated_at = $6 \
                 WHERE id = $1 AND version = $2"
            )),
        }
    }

    /// The customer with `id`, if there is one.
    pub(crate) async fn find(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<Versioned>, CustomersError> {
        self.find_with(&self.select, conn, id).await
    }

    /// [`CustomerTable::find`] for a writer: concurrent writers of the row wait for this transaction to end.
    pub(crate) async fn find_for_update(
        &self,
        tx: &mut Transaction,
        id: &str,
    ) -> Result<Option<Versioned>, CustomersError> {
        self.find_with(&self.select_for_update, tx.conn(), id).await
    }

    async fn find_with(
        &self,
        sql: &Sql,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<Versioned>, CustomersError> {
        let row =
            sqlx::query(sql.q()).bind(id).fetch_optional(conn).await.map_err(|e| storage("loading customer", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<Versioned, sqlx::Error> {
            Ok(Versioned {
                customer: Customer {
                    id: CustomerId::new(id),
                    name: row.try_get(0)?,
                    sms_number: row.try_get(1)?,
                    enabled: row.try_get::<i64, _>(2)? != 0,
                },
                version: row.try_get(3)?,
            })
        };
        read().map(Some).map_err(|e| storage("reading customer", e))
    }

    /// Stores a new customer at version 1.
    pub(crate) async fn insert(&self, tx: &mut Transaction, customer: &Customer) -> Result<(), CustomersError> {
        sqlx::query(self.insert.q())
            .bind(customer.id.as_str())
            .bind(&customer.name)
            .bind(&customer.sms_number)
            .bind(customer.enabled)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| match DbError::from(e) {
                DbError::Conflict(_) => CustomersError::AlreadyExists,
                other => storage_db("storing customer", other),
            })?;
        Ok(())
    }

    /// Stores `customer` over the row read at `expected_version`; [`CustomersError::Conflict`] when another writer
    /// got there first.
    pub(crate) async fn update(
        &self,
        tx: &mut Transaction,
        customer: &Customer,
        expected_version: i64,
    ) -> Result<(), CustomersError> {
        let done = sqlx::query(self.update.q())
            .bind(customer.id.as_str())
            .bind(expected_version)
            .bind(&customer.name)
            .bind(&customer.sms_number)
            .bind(customer.enabled)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("updating customer", e))?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(CustomersError::Conflict) }
    }
}

/// A storage failure; lock contention that a retry resolves counts as a conflict.
pub(crate) fn storage(context: &'static str, err: sqlx::Error) -> CustomersError {
    storage_db(context, DbError::from(err))
}

pub(crate) fn storage_db(context: &'static str, err: DbError) -> CustomersError {
    match err {
        DbError::Conflict(_) => CustomersError::Conflict,
        other if lost_a_race(&other) => CustomersError::Conflict,
        other => CustomersError::internal(context, other),
    }
}

/// Whether the database refused the transaction only because concurrent ones held it up: SQLite's "busy"/"locked"
/// (the writer lock was not free within the busy timeout), PostgreSQL's serialization failure or deadlock.
/// Running the whole attempt again is then the cure, exactly as for a version conflict.
fn lost_a_race(err: &DbError) -> bool {
    let DbError::Sql(sqlx::Error::Database(db)) = err else { return false };
    if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        let primary = sqlite.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
        return matches!(primary, Some(5 | 6)); // SQLITE_BUSY*, SQLITE_LOCKED*
    }
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return matches!(pg.code(), "40001" | "40P01");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn table(db: &Database) -> CustomerTable {
        let migrations = crate::MIGRATIONS;
        db.migrate("customers", migrations).await.expect("migrations");
        CustomerTable::new(db)
    }

    fn customer(sms: &str) -> Customer {
        Customer { id: CustomerId::new("c-1"), name: "n".into(), sms_number: sms.into(), enabled: true }
    }

    /// Two writers read the same version; the second to write must get a conflict (to retry), never a 500 and
    /// never a silent overwrite.
    #[tokio::test]
    async fn a_writer_that_read_an_old_version_gets_a_conflict() {
        for (backend, db) in testkit::databases().await {
            let table = table(&db).await;
            let mut tx = db.begin().await.expect("begin");
            table.insert(&mut tx, &customer("0")).await.expect("insert");
            tx.commit().await.expect("commit");

            let mut conn = db.pool().acquire().await.expect("conn");
            let read_b = table.find(&mut conn, "c-1").await.expect("find b").expect("exists");
            drop(conn);
            let mut a = db.begin().await.expect("begin a");
            let read_a = table.find(a.conn(), "c-1").await.expect("find a").expect("exists");
            assert_eq!((read_a.version, read_b.version), (1, 1), "{backend}");
            table.update(&mut a, &customer("a"), read_a.version).await.expect("first writer");
            a.commit().await.expect("commit a");
            let mut b = db.begin().await.expect("begin b");
            let lost = table.update(&mut b, &customer("b"), read_b.version).await;
            assert!(matches!(lost, Err(CustomersError::Conflict)), "{backend}: {lost:?}");
            drop(b);

            let mut conn = db.pool().acquire().await.expect("conn");
            let stored = table.find(&mut conn, "c-1").await.expect("find").expect("exists");
            assert_eq!((stored.customer.sms_number.as_str(), stored.version), ("a", 2), "{backend}");
            assert!(table.find(&mut conn, "nobody").await.expect("find").is_none());
            drop(conn);

            let mut tx = db.begin().await.expect("begin");
            let duplicate = table.insert(&mut tx, &customer("x")).await;
            assert!(matches!(duplicate, Err(CustomersError::AlreadyExists)), "{backend}: {duplicate:?}");
        }
    }
}

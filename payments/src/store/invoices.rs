//! The `payments.invoices` table: one row per invoice (id = order id when the flow creates it), amount in cents.

use database::sqlx::{self, AnyConnection, Row, any::AnyRow};
use database::{Database, Sql, Transaction};

use super::{UnknownStatus, Versioned, storage};
use crate::domain::{Cents, Invoice, InvoiceStatus, PaymentsError};

/// Queries of the invoices table, built once.
pub(crate) struct InvoiceTable {
    select: Sql,
    select_by_order: Sql,
    insert: Sql,
    update: Sql,
}

const COLUMNS: &str = "id, order_id, payment_id, amount_cents, status, version";

impl InvoiceTable {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("payments", "invoices");
        Self {
            select: Sql::new(format!("SELECT {COLUMNS} FROM {t} WHERE id = $1")),
            select_by_order: Sql::new(format!("SELECT {COLUMNS} FROM {t} WHERE order_id = $1 ORDER BY created_at, id")),
            // A repeated creation (same id) changes nothing: the first one stands.
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, order_id, payment_id, amount_cents, status, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6) ON CONFLICT (id) DO NOTHING"
            )),
            update: Sql::new(format!(
                "UPDATE {t} SET amount_cents = $3, status = $4, version = $2 + 1, updated_at = $5 \
                 WHERE id = $1 AND version = $2"
            )),
        }
    }

    pub(crate) async fn find(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<Versioned<Invoice>>, PaymentsError> {
        let row = sqlx::query(self.select.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading invoice", e))?;
        row.as_ref().map(read).transpose()
    }

    /// Every invoice of `order_id`, oldest first.
    pub(crate) async fn find_by_order(
        &self,
        conn: &mut AnyConnection,
        order_id: &str,
    ) -> Result<Vec<Versioned<Invoice>>, PaymentsError> {
        let rows = sqlx::query(self.select_by_order.q())
            .bind(order_id)
            .fetch_all(conn)
            .await
            .map_err(|e| storage("loading invoices", e))?;
        rows.iter().map(read).collect()
    }

    /// Stores a new invoice; false when one with that id exists already (nothing is changed then).
    pub(crate) async fn insert(&self, tx: &mut Transaction, invoice: &Invoice) -> Result<bool, PaymentsError> {
        let done = sqlx::query(self.insert.q())
            .bind(&invoice.id)
            .bind(&invoice.order_id)
            .bind(&invoice.payment_id)
            .bind(invoice.amount.0)
            .bind(invoice.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("storing invoice", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores `invoice` over the row read at `expected_version`; [`PaymentsError::Conflict`] when another writer
    /// got there first.
    pub(crate) async fn update(
        &self,
        tx: &mut Transaction,
        invoice: &Invoice,
        expected_version: i64,
    ) -> Result<(), PaymentsError> {
        let done = sqlx::query(self.update.q())
            .bind(&invoice.id)
            .bind(expected_version)
            .bind(invoice.amount.0)
            .bind(invoice.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("updating invoice", e))?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(PaymentsError::Conflict) }
    }
}

fn read(row: &AnyRow) -> Result<Versioned<Invoice>, PaymentsError> {
    let status: String = row.try_get(4).map_err(|e| storage("reading invoice", e))?;
    let status = InvoiceStatus::parse(&status)
        .ok_or_else(|| PaymentsError::internal("reading invoice", UnknownStatus(status)))?;
    let read = || -> Result<Versioned<Invoice>, sqlx::Error> {
        Ok(Versioned {
            value: Invoice {
                id: row.try_get(0)?,
                order_id: row.try_get(1)?,
                payment_id: row.try_get(2)?,
                amount: Cents(row.try_get(3)?),
                status,
            },
            version: row.try_get(5)?,
        })
    };
    read().map_err(|e| storage("reading invoice", e))
}

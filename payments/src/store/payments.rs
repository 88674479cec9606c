//! The `payments.payments` table: one row per authorized payment, amount in cents, the order it was confirmed for.

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, DbError, Sql, Transaction};

use super::{UnknownStatus, Versioned, storage};
use crate::domain::{Cents, Payment, PaymentStatus, PaymentsError};

/// Queries of the payments table, built once.
pub(crate) struct PaymentTable {
    select: Sql,
    insert: Sql,
    update: Sql,
}

impl PaymentTable {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table("payments", "payments");
        Self {
            select: Sql::new(format!(
                "SELECT customer_id, amount_cents, order_id, status, version FROM {t} WHERE id = $1"
            )),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, customer_id, amount_cents, order_id, status, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6)"
            )),
            update: Sql::new(format!(
                "UPDATE {t} SET order_id = $3, status = $4, version = $2 + 1, updated_at = $5 \
                 WHERE id = $1 AND version = $2"
            )),
        }
    }

    pub(crate) async fn find(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<Versioned<Payment>>, PaymentsError> {
        let row = sqlx::query(self.select.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading payment", e))?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.try_get(3).map_err(|e| storage("reading payment", e))?;
        let status = PaymentStatus::parse(&status)
            .ok_or_else(|| PaymentsError::internal("reading payment", UnknownStatus(status)))?;
        let read = || -> Result<Versioned<Payment>, sqlx::Error> {
            Ok(Versioned {
                value: Payment {
                    id: id.to_owned(),
                    customer_id: row.try_get(0)?,
                    amount: Cents(row.try_get(1)?),
                    order_id: row.try_get(2)?,
                    status,
                },
                version: row.try_get(4)?,
            })
        };
        read().map(Some).map_err(|e| storage("reading payment", e))
    }

    pub(crate) async fn insert(&self, tx: &mut Transaction, payment: &Payment) -> Result<(), PaymentsError> {
        sqlx::query(self.insert.q())
            .bind(&payment.id)
            .bind(&payment.customer_id)
            .bind(payment.amount.0)
            .bind(payment.order_id.clone())
            .bind(payment.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| match DbError::from(e) {
                DbError::Conflict(_) => PaymentsError::Conflict,
                other => PaymentsError::internal("storing payment", other),
            })?;
        Ok(())
    }

    /// Stores `payment` over the row read at `expected_version`; [`PaymentsError::Conflict`] when another writer
    /// got there first.
    pub(crate) async fn update(
        &self,
        tx: &mut Transaction,
        payment: &Payment,
        expected_version: i64,
    ) -> Result<(), PaymentsError> {
        let done = sqlx::query(self.update.q())
            .bind(&payment.id)
            .bind(expected_version)
            .bind(payment.order_id.clone())
            .bind(payment.status.as_str())
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("updating payment", e))?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(PaymentsError::Conflict) }
    }
}

//! `notifications.notifications`: every SMS sent, keyed by its id (the id of the message that caused it, so a
//! redelivery can never record it twice), listed per customer in the order sent.

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql};

use super::storage;
use crate::domain::{NotificationsError, Sms};

pub(crate) struct NotificationTable {
    insert: Sql,
    of_customer: Sql,
}

impl NotificationTable {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table(crate::MODULE, "notifications");
        Self {
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, customer_id, order_id, kind, sms_number, text, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )),
            of_customer: Sql::new(format!(
                "SELECT id, order_id, kind, sms_number, text, sent_at FROM {t} WHERE customer_id = $1 \
                 ORDER BY sent_at, id"
            )),
        }
    }

    pub(crate) async fn insert(&self, conn: &mut AnyConnection, sms: &Sms) -> Result<(), NotificationsError> {
        sqlx::query(self.insert.q())
            .bind(&sms.id)
            .bind(&sms.customer_id)
            .bind(&sms.order_id)
            .bind(&sms.kind)
            .bind(&sms.to)
            .bind(&sms.text)
            .bind(sms.sent_at)
            .execute(conn)
            .await
            .map_err(|e| storage("recording a notification", e))?;
        Ok(())
    }

    /// The notifications of `customer_id`, oldest first.
    pub(crate) async fn of_customer(
        &self,
        conn: &mut AnyConnection,
        customer_id: &str,
    ) -> Result<Vec<Sms>, NotificationsError> {
        let rows = sqlx::query(self.of_customer.q())
            .bind(customer_id)
            .fetch_all(conn)
            .await
            .map_err(|e| storage("listing notifications", e))?;
        rows.iter()
            .map(|row| {
                Ok(Sms {
                    id: row.try_get(0)?,
                    customer_id: customer_id.to_owned(),
                    order_id: row.try_get(1)?,
                    kind: row.try_get(2)?,
                    to: row.try_get(3)?,
                    text: row.try_get(4)?,
                    sent_at: row.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| storage("reading notifications", e))
    }
}

//! `notifications.customers_cache (id, name, sms_number)`: who the customers are, as far as texting them goes.
//!
//! A registration only inserts (`ON CONFLICT DO NOTHING`): a row that exists came from an earlier delivery or from
//! the customers module itself, which is at least as fresh as the event. SMS number changes update in place; a
//! change for a customer not cached yet is dropped, because the next lookup asks the owner for the current number.

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql};

use super::storage;
use crate::domain::{NotificationsError, Recipient};

pub(crate) struct CustomersCache {
    find: Sql,
    insert: Sql,
    change_sms: Sql,
}

impl CustomersCache {
    pub(crate) fn new(db: &Database) -> Self {
        let t = db.table(crate::MODULE, "customers_cache");
        Self {
            find: Sql::new(format!("SELECT name, sms_number FROM {t} WHERE id = $1")),
            insert: Sql::new(format!(
                "INSERT INTO {t} (id, name, sms_number, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 ON CONFLICT (id) DO NOTHING"
            )),
            change_sms: Sql::new(format!("UPDATE {t} SET sms_number = $2, updated_at = $3 WHERE id = $1")),
        }
    }

    pub(crate) async fn find(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<Recipient>, NotificationsError> {
        let row = sqlx::query(self.find.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading a cached customer", e))?;
        let Some(row) = row else { return Ok(None) };
        let read = || -> Result<Recipient, sqlx::Error> {
            Ok(Recipient { customer_id: id.to_owned(), name: row.try_get(0)?, sms_number: row.try_get(1)? })
        };
        read().map(Some).map_err(|e| storage("reading a cached customer", e))
    }

    /// Caches `customer` unless it is cached already.
    pub(crate) async fn insert(
        &self,
        conn: &mut AnyConnection,
        customer: &Recipient,
    ) -> Result<(), NotificationsError> {
        sqlx::query(self.insert.q())
            .bind(&customer.customer_id)
            .bind(&customer.name)
            .bind(&customer.sms_number)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("caching a customer", e))?;
        Ok(())
    }

    pub(crate) async fn change_sms_number(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        sms_number: &str,
    ) -> Result<(), NotificationsError> {
        sqlx::query(self.change_sms.q())
            .bind(id)
            .bind(sms_number)
            .bind(database::now_micros())
            .execute(conn)
            .await
            .map_err(|e| storage("changing a cached SMS number", e))?;
        Ok(())
    }
}

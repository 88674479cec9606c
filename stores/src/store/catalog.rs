//! The catalog read model: one row per existing product (`stores.products`, price in cents), the source of
//! GetProduct and GetCatalog. A removed product's row is deleted.

use database::sqlx::{self, Row, any::AnyRow};
use database::{Database, DbError, Sql, Transaction};

use crate::domain::{Cents, Product};

/// A product as the queries return it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CatalogProduct {
    pub(crate) id: String,
    pub(crate) store_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) sku: String,
    pub(crate) price: Cents,
}

pub(crate) struct Catalog {
    db: Database,
    upsert: Sql,
    delete: Sql,
    select_one: Sql,
    select_by_store: Sql,
}

impl Catalog {
    pub(crate) fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "products");
        let columns = "id, store_id, name, description, sku, price_cents";
        Self {
            db: db.clone(),
            upsert: Sql::new(format!(
                "INSERT INTO {t} (id, store_id, name, description, sku, price_cents, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, \
                 name = excluded.name, description = excluded.description, sku = excluded.sku, \
                 price_cents = excluded.price_cents, updated_at = excluded.updated_at"
            )),
            delete: Sql::new(format!("DELETE FROM {t} WHERE id = $1")),
            select_one: Sql::new(format!("SELECT {columns} FROM {t} WHERE id = $1")),
            select_by_store: Sql::new(format!("SELECT {columns} FROM {t} WHERE store_id = $1 ORDER BY created_at, id")),
        }
    }

    /// Writes the current state of product `id` (deleting the row once the product is removed).
    pub(crate) async fn save(&self, tx: &mut Transaction, id: &str, product: &Product) -> Result<(), DbError> {
        if product.removed {
            sqlx::query(self.delete.q()).bind(id).execute(tx.conn()).await?;
            return Ok(());
        }
        sqlx::query(self.upsert.q())
            .bind(id)
            .bind(&product.store_id)
            .bind(&product.name)
            .bind(&product.description)
            .bind(&product.sku)
            .bind(product.price.0)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub(crate) async fn find(&self, id: &str) -> Result<Option<CatalogProduct>, DbError> {
        let row = sqlx::query(self.select_one.q()).bind(id).fetch_optional(self.db.pool()).await?;
        row.as_ref().map(decode).transpose()
    }

    pub(crate) async fn of_store(&self, store_id: &str) -> Result<Vec<CatalogProduct>, DbError> {
        sqlx::query(self.select_by_store.q())
            .bind(store_id)
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(decode)
            .collect()
    }
}

fn decode(row: &AnyRow) -> Result<CatalogProduct, DbError> {
    Ok(CatalogProduct {
        id: row.try_get(0)?,
        store_id: row.try_get(1)?,
        name: row.try_get(2)?,
        description: row.try_get(3)?,
        sku: row.try_get(4)?,
        price: Cents(row.try_get(5)?),
    })
}

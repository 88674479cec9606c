//! `baskets.products_cache (id, store_id, name, price_cents)`: the products a basket can hold, as the product
//! events tell them.
//!
//! `ProductAdded` upserts the whole row and the later events of the product (rename, price deltas, removal) change
//! it in the order they were published, so once the consumer has caught up the row equals the stores' product,
//! whatever a fallback fetch wrote before. A fallback fetch only fills a missing row.

use database::sqlx::{self, Row};
use database::{Database, DbError, Sql, Transaction};

use crate::domain::Cents;

/// A product as the basket needs it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CachedProduct {
    pub(crate) id: String,
    pub(crate) store_id: String,
    pub(crate) name: String,
    pub(crate) price: Cents,
}

#[derive(Clone)]
pub(crate) struct ProductsCache {
    db: Database,
    upsert: Sql,
    insert_missing: Sql,
    rename: Sql,
    change_price: Sql,
    delete: Sql,
    select: Sql,
}

impl ProductsCache {
    pub(crate) fn new(db: &Database, module: &str) -> Self {
        let t = db.table(module, "products_cache");
        let insert = format!(
            "INSERT INTO {t} (id, store_id, name, price_cents, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
        );
        Self {
            db: db.clone(),
            upsert: Sql::new(format!(
                "{insert} ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, \
                 price_cents = excluded.price_cents, updated_at = excluded.updated_at"
            )),
            insert_missing: Sql::new(format!("{insert} ON CONFLICT (id) DO NOTHING")),
            rename: Sql::new(format!("UPDATE {t} SET name = $2, updated_at = $3 WHERE id = $1")),
            change_price: Sql::new(format!(
                "UPDATE {t} SET price_cents = price_cents + $2, updated_at = $3 WHERE id = $1"
            )),
            delete: Sql::new(format!("DELETE FROM {t} WHERE id = $1")),
            select: Sql::new(format!("SELECT id, store_id, name, price_cents FROM {t} WHERE id = $1")),
        }
    }

    /// `storesapi.ProductAdded`.
    pub(crate) async fn save(&self, tx: &mut Transaction, product: &CachedProduct) -> Result<(), DbError> {
        sqlx::query(self.upsert.q())
            .bind(&product.id)
            .bind(&product.store_id)
            .bind(&product.name)
            .bind(product.price.0)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// `storesapi.ProductRebranded` (a product we do not hold is fetched when a basket needs it).
    pub(crate) async fn rename(&self, tx: &mut Transaction, id: &str, name: &str) -> Result<(), DbError> {
        sqlx::query(self.rename.q()).bind(id).bind(name).bind(database::now_micros()).execute(tx.conn()).await?;
        Ok(())
    }

    /// `storesapi.ProductPriceIncreased` / `storesapi.ProductPriceDecreased`: `price += delta`.
    pub(crate) async fn change_price(&self, tx: &mut Transaction, id: &str, delta: Cents) -> Result<(), DbError> {
        sqlx::query(self.change_price.q())
            .bind(id)
            .bind(delta.0)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// `storesapi.ProductRemoved`.
    pub(crate) async fn delete(&self, tx: &mut Transaction, id: &str) -> Result<(), DbError> {
        sqlx::query(self.delete.q()).bind(id).execute(tx.conn()).await?;
        Ok(())
    }

    /// Records what the stores service said, unless an event got there first.
    pub(crate) async fn fill(&self, product: &CachedProduct) -> Result<(), DbError> {
        sqlx::query(self.insert_missing.q())
            .bind(&product.id)
            .bind(&product.store_id)
            .bind(&product.name)
            .bind(product.price.0)
            .bind(database::now_micros())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    pub(crate) async fn find(&self, id: &str) -> Result<Option<CachedProduct>, DbError> {
        let row = sqlx::query(self.select.q()).bind(id).fetch_optional(self.db.pool()).await?;
        row.map(|row| {
            Ok(CachedProduct {
                id: row.try_get(0)?,
                store_id: row.try_get(1)?,
                name: row.try_get(2)?,
                price: Cents(row.try_get(3)?),
            })
        })
        .transpose()
    }
}

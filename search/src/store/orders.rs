//! `search.orders` and `search.order_items`: the order read model and the lines it is filtered by.
//!
//! Two writers, both upserts, so they commute: OrderCreated fills the details (never the status of a row that a
//! later event created first); a status event raises the status (only to a higher rank; a row it creates stays
//! hidden, `detailed = 0`, until OrderCreated arrives). Queries are built per request from the filters that are
//! set; every value is a bound parameter.

use database::sqlx::{self, AnyConnection, Row, any::AnyRow};
use database::{Database, Sql, Transaction};
use serde::{Deserialize, Serialize};

use super::storage;
use crate::domain::{Cursor, OrderLine, OrderQuery, OrderStatus, SearchError, SearchOrder};

/// An order line as stored in `orders.items` (the original's Go field names; `Price` in dollars as the original,
/// `PriceCents` exact).
#[derive(Serialize, Deserialize)]
struct StoredLine {
    #[serde(rename = "ProductID")]
    product_id: String,
    #[serde(rename = "StoreID")]
    store_id: String,
    #[serde(rename = "ProductName")]
    product_name: String,
    #[serde(rename = "StoreName")]
    store_name: String,
    #[serde(rename = "Price")]
    price: f64,
    #[serde(rename = "PriceCents")]
    price_cents: i64,
    #[serde(rename = "Quantity")]
    quantity: i64,
}

const COLUMNS: &str = "o.order_id, o.customer_id, o.customer_name, o.items, o.total_cents, o.status, o.created_at";

pub(crate) struct OrderTable {
    orders: String,
    items: String,
    upsert_details: Sql,
    raise_status: Sql,
    delete_lines: Sql,
    insert_line: Sql,
    get: Sql,
}

impl OrderTable {
    pub(crate) fn new(db: &Database) -> Self {
        let orders = db.table(crate::MODULE, "orders");
        let items = db.table(crate::MODULE, "order_items");
        Self {
            upsert_details: Sql::new(format!(
                "INSERT INTO {orders} AS o (order_id, customer_id, customer_name, items, total_cents, status, \
                 status_rank, detailed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) \
                 ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, \
                 customer_name = excluded.customer_name, items = excluded.items, total_cents = excluded.total_cents, \
                 detailed = 1, created_at = excluded.created_at, updated_at = excluded.updated_at"
            )),
            raise_status: Sql::new(format!(
                "INSERT INTO {orders} AS o (order_id, customer_id, customer_name, items, total_cents, status, \
                 status_rank, detailed, created_at, updated_at) VALUES ($1, $2, '', '[]', 0, $3, $4, 0, $5, $6) \
                 ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, status_rank = excluded.status_rank, \
                 updated_at = excluded.updated_at WHERE o.status_rank < excluded.status_rank"
            )),
            delete_lines: Sql::new(format!("DELETE FROM {items} WHERE order_id = $1")),
            insert_line: Sql::new(format!(
                "INSERT INTO {items} (order_id, line, product_id, store_id) VALUES ($1, $2, $3, $4)"
            )),
            get: Sql::new(format!("SELECT {COLUMNS} FROM {orders} o WHERE o.order_id = $1 AND o.detailed = 1")),
            orders,
            items,
        }
    }

    /// Stores the details of a created order (status `New` unless a later status is there already).
    pub(crate) async fn upsert_details(&self, tx: &mut Transaction, order: &SearchOrder) -> Result<(), SearchError> {
        let lines: Vec<StoredLine> = order
            .items
            .iter()
            .map(|l| StoredLine {
                product_id: l.product_id.clone(),
                store_id: l.store_id.clone(),
                product_name: l.product_name.clone(),
                store_name: l.store_name.clone(),
                price: l.price_cents as f64 / 100.0,
                price_cents: l.price_cents,
                quantity: l.quantity,
            })
            .collect();
        let items = serde_json::to_string(&lines).map_err(|e| SearchError::internal("encoding order items", e))?;
        sqlx::query(self.upsert_details.q())
            .bind(&order.order_id)
            .bind(&order.customer_id)
            .bind(&order.customer_name)
            .bind(items)
            .bind(order.total_cents)
            .bind(OrderStatus::New.as_str())
            .bind(OrderStatus::New.rank())
            .bind(order.created_at)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("storing an order", e))?;
        sqlx::query(self.delete_lines.q())
            .bind(&order.order_id)
            .execute(tx.conn())
            .await
            .map_err(|e| storage("replacing order lines", e))?;
        for (line, item) in order.items.iter().enumerate() {
            sqlx::query(self.insert_line.q())
                .bind(&order.order_id)
                .bind(line as i64)
                .bind(&item.product_id)
                .bind(&item.store_id)
                .execute(tx.conn())
                .await
                .map_err(|e| storage("storing an order line", e))?;
        }
        Ok(())
    }

    /// Moves the order to `status` if that is further along than where it is (creating a hidden row if the order is
    /// not known yet). `at` is when the event happened.
    pub(crate) async fn raise_status(
        &self,
        tx: &mut Transaction,
        order_id: &str,
        customer_id: &str,
        status: OrderStatus,
        at: i64,
    ) -> Result<(), SearchError> {
        sqlx::query(self.raise_status.q())
            .bind(order_id)
            .bind(customer_id)
            .bind(status.as_str())
            .bind(status.rank())
            .bind(at)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await
            .map_err(|e| storage("updating an order status", e))?;
        Ok(())
    }

    pub(crate) async fn get(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<SearchOrder>, SearchError> {
        let row = sqlx::query(self.get.q())
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(|e| storage("loading an order", e))?;
        row.as_ref().map(read_order).transpose()
    }

    /// At most `query.limit + 1` orders matching `query`, newest first, after its cursor (the extra one tells the
    /// caller there is a next page).
    pub(crate) async fn search(
        &self,
        conn: &mut AnyConnection,
        query: &OrderQuery,
    ) -> Result<Vec<SearchOrder>, SearchError> {
        let (sql, args) = self.search_sql(query);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for arg in args {
            q = match arg {
                Arg::Text(text) => q.bind(text),
                Arg::Int(n) => q.bind(n),
            };
        }
        let rows = q.fetch_all(conn).await.map_err(|e| storage("searching orders", e))?;
        rows.iter().map(read_order).collect()
    }

    fn search_sql(&self, query: &OrderQuery) -> (String, Vec<Arg>) {
        let mut w = Where::default();
        let mut sql = format!("SELECT {COLUMNS} FROM {} o WHERE o.detailed = 1", self.orders);
        if let Some(customer_id) = &query.customer_id {
            sql += &format!(" AND o.customer_id = {}", w.arg(Arg::Text(customer_id.clone())));
        }
        if let Some(after) = query.after {
            sql += &format!(" AND o.created_at >= {}", w.arg(Arg::Int(after)));
        }
        if let Some(before) = query.before {
            sql += &format!(" AND o.created_at < {}", w.arg(Arg::Int(before)));
        }
        if let Some(min) = query.min_total_cents {
            sql += &format!(" AND o.total_cents >= {}", w.arg(Arg::Int(min)));
        }
        if let Some(max) = query.max_total_cents {
            sql += &format!(" AND o.total_cents <= {}", w.arg(Arg::Int(max)));
        }
        if let Some(status) = &query.status {
            sql += &format!(" AND LOWER(o.status) = LOWER({})", w.arg(Arg::Text(status.clone())));
        }
        for (column, ids) in [("store_id", &query.store_ids), ("product_id", &query.product_ids)] {
            if ids.is_empty() {
                continue;
            }
            let list: Vec<String> = ids.iter().map(|id| w.arg(Arg::Text(id.clone()))).collect();
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM {} i WHERE i.order_id = o.order_id AND i.{column} IN ({}))",
                self.items,
                list.join(", ")
            );
        }
        if let Some(Cursor { created_at, order_id }) = &query.cursor {
            let before = w.arg(Arg::Int(*created_at));
            let same = w.arg(Arg::Int(*created_at));
            let id = w.arg(Arg::Text(order_id.clone()));
            sql += &format!(" AND (o.created_at < {before} OR (o.created_at = {same} AND o.order_id < {id}))");
        }
        sql += &format!(" ORDER BY o.created_at DESC, o.order_id DESC LIMIT {}", w.arg(Arg::Int(query.limit + 1)));
        (sql, w.args)
    }
}

/// A bound value of a dynamic query.
#[derive(Debug, PartialEq)]
enum Arg {
    Text(String),
    Int(i64),
}

/// The parameters of a dynamic query, numbered as they are added.
#[derive(Default)]
struct Where {
    args: Vec<Arg>,
}

impl Where {
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

fn read_order(row: &AnyRow) -> Result<SearchOrder, SearchError> {
    let read = || -> Result<(SearchOrder, String), sqlx::Error> {
        Ok((
            SearchOrder {
                order_id: row.try_get(0)?,
                customer_id: row.try_get(1)?,
                customer_name: row.try_get(2)?,
                items: Vec::new(),
                total_cents: row.try_get(4)?,
                status: row.try_get(5)?,
                created_at: row.try_get(6)?,
            },
            row.try_get(3)?,
        ))
    };
    let (mut order, items) = read().map_err(|e| storage("reading an order", e))?;
    let lines: Vec<StoredLine> =
        serde_json::from_str(&items).map_err(|e| SearchError::internal("decoding order items", e))?;
    order.items = lines
        .into_iter()
        .map(|l| OrderLine {
            product_id: l.product_id,
            store_id: l.store_id,
            product_name: l.product_name,
            store_name: l.store_name,
            price_cents: l.price_cents,
            quantity: l.quantity,
        })
        .collect();
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RawQuery;

    #[test]
    fn only_the_filters_that_are_set_become_bound_conditions() {
        let table = OrderTable {
            orders: "s.orders".into(),
            items: "s.order_items".into(),
            upsert_details: Sql::new(""),
            raise_status: Sql::new(""),
            delete_lines: Sql::new(""),
            insert_line: Sql::new(""),
            get: Sql::new(""),
        };
        let plain = OrderQuery::new(RawQuery::default()).expect("valid");
        let (sql, args) = table.search_sql(&plain);
        assert!(sql.ends_with("WHERE o.detailed = 1 ORDER BY o.created_at DESC, o.order_id DESC LIMIT $1"), "{sql}");
        assert_eq!(args, [Arg::Int(21)]);

        let cursor = Cursor { created_at: 5, order_id: "o".into() };
        let full = OrderQuery::new(RawQuery {
            customer_id: "c".into(),
            store_ids: vec!["s1".into(), "s2".into()],
            product_ids: vec!["p".into()],
            status: "new".into(),
            next: cursor.encode(),
            limit: 2,
            ..RawQuery::default()
        })
        .expect("valid");
        let (sql, args) = table.search_sql(&full);
        assert!(sql.contains("o.customer_id = $1"), "{sql}");
        assert!(sql.contains("LOWER(o.status) = LOWER($2)"), "{sql}");
        assert!(sql.contains("i.store_id IN ($3, $4)"), "{sql}");
        assert!(sql.contains("i.product_id IN ($5)"), "{sql}");
        assert!(sql.contains("(o.created_at < $6 OR (o.created_at = $7 AND o.order_id < $8))"), "{sql}");
        assert!(sql.ends_with("LIMIT $9"), "{sql}");
        assert_eq!(args.len(), 9);
        assert_eq!(args[8], Arg::Int(3));
    }
}

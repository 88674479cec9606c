//! A search over orders: the filters of `SearchOrdersRequest`, normalised (proto3 zero values mean "not set"), a
//! page size, and the opaque cursor that continues after the last order of the previous page.
//!
//! Orders are listed newest first, by (created_at, order_id) descending; the cursor is that pair of the last order
//! returned, hex-encoded, so every order is listed exactly once however the pages are cut.

use super::SearchError;

pub(crate) const DEFAULT_LIMIT: i64 = 20;
pub(crate) const MAX_LIMIT: i64 = 100;

/// Where the next page starts (exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) created_at: i64,
    pub(crate) order_id: String,
}

impl Cursor {
    pub(crate) fn encode(&self) -> String {
        format!("{}:{}", self.created_at, self.order_id).bytes().map(|b| format!("{b:02x}")).collect()
    }

    pub(crate) fn decode(text: &str) -> Result<Cursor, SearchError> {
        let text = text.trim();
        if !text.len().is_multiple_of(2) || !text.is_ascii() {
            return Err(SearchError::InvalidCursor);
        }
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| SearchError::InvalidCursor)?;
        let decoded = String::from_utf8(bytes).map_err(|_| SearchError::InvalidCursor)?;
        let (created_at, order_id) = decoded.split_once(':').ok_or(SearchError::InvalidCursor)?;
        let created_at = created_at.parse().map_err(|_| SearchError::InvalidCursor)?;
        if order_id.is_empty() {
            return Err(SearchError::InvalidCursor);
        }
        Ok(Cursor { created_at, order_id: order_id.to_owned() })
    }
}

/// The filters as given on the wire (money in dollars, times in µs, zero values meaning "not set").
#[derive(Clone, Debug, Default)]
pub(crate) struct RawQuery {
    pub(crate) customer_id: String,
    pub(crate) after: Option<i64>,
    pub(crate) before: Option<i64>,
    pub(crate) store_ids: Vec<String>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) min_total: f64,
    pub(crate) max_total: f64,
    pub(crate) status: String,
    pub(crate) next: String,
    pub(crate) limit: i32,
}

/// A validated search: every `Some`/non-empty filter must hold (store and product lists match an order that has a
/// line with ANY of the ids; `after` is inclusive, `before` exclusive; totals are inclusive bounds; the status is
/// compared case-insensitively).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderQuery {
    pub(crate) customer_id: Option<String>,
    pub(crate) after: Option<i64>,
    pub(crate) before: Option<i64>,
    pub(crate) store_ids: Vec<String>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) min_total_cents: Option<i64>,
    pub(crate) max_total_cents: Option<i64>,
    pub(crate) status: Option<String>,
    pub(crate) limit: i64,
    pub(crate) cursor: Option<Cursor>,
}

impl OrderQuery {
    pub(crate) fn new(raw: RawQuery) -> Result<OrderQuery, SearchError> {
        let text = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let ids = |ids: Vec<String>| {
            let mut ids: Vec<String> = ids.into_iter().filter_map(text).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let money = |dollars: f64| (dollars.is_finite() && dollars > 0.0).then(|| super::cents(dollars));
        let limit = match i64::from(raw.limit) {
            n if n <= 0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let cursor = match text(raw.next) {
            Some(next) => Some(Cursor::decode(&next)?),
            None => None,
        };
        Ok(OrderQuery {
            customer_id: text(raw.customer_id),
            after: raw.after,
            before: raw.before,
            store_ids: ids(raw.store_ids),
            product_ids: ids(raw.product_ids),
            min_total_cents: money(raw.min_total),
            max_total_cents: money(raw.max_total),
            status: text(raw.status),
            limit,
            cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor { created_at: 1_764_201_600_000_001, order_id: "a:b-c".into() };
        let text = cursor.encode();
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(Cursor::decode(&text).expect("round trip"), cursor);
        for bad in ["xyz", "abc", "6869", "3a", "é1", "31323a"] {
            assert!(matches!(Cursor::decode(bad), Err(SearchError::InvalidCursor)), "{bad}");
        }
    }

    #[test]
    fn zero_values_mean_not_set_and_limits_are_clamped() {
        let q = OrderQuery::new(RawQuery::default()).expect("valid");
        assert_eq!(
            q,
            OrderQuery {
                customer_id: None,
                after: None,
                before: None,
                store_ids: vec![],
                product_ids: vec![],
                min_total_cents: None,
                max_total_cents: None,
                status: None,
                limit: DEFAULT_LIMIT,
                cursor: None
            }
        );
        let q = OrderQuery::new(RawQuery {
            customer_id: " c ".into(),
            store_ids: vec!["b".into(), " ".into(), "a".into(), "b".into()],
            min_total: 1.10,
            max_total: -1.0,
            status: "New".into(),
            limit: 1000,
            ..RawQuery::default()
        })
        .expect("valid");
        assert_eq!(q.customer_id.as_deref(), Some("c"));
        assert_eq!(q.store_ids, ["a", "b"]);
        assert_eq!((q.min_total_cents, q.max_total_cents), (Some(110), None));
        assert_eq!(q.limit, MAX_LIMIT);
        assert!(matches!(
            OrderQuery::new(RawQuery { next: "zz".into(), ..RawQuery::default() }),
            Err(SearchError::InvalidCursor)
        ));
    }
}

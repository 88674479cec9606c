//! The `stores.Product` aggregate: an item of a store's catalog with a name, description, SKU and an exact price.
//!
//! A removed product is gone: every later command answers "product not found" (the original let it be removed again
//! and again).

use serde::{Deserialize, Serialize};

use super::{Cents, StoresError};

/// The state of a product, folded from its events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Product {
    pub(crate) store_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) sku: String,
    pub(crate) price: Cents,
    pub(crate) removed: bool,
}

/// The events of a product, stored under the original's names with Go field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
pub(crate) enum ProductEvent {
    #[serde(rename = "stores.ProductAdded")]
    Added(ProductAdded),
    #[serde(rename = "stores.ProductRebranded")]
    Rebranded {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Description")]
        description: String,
    },
    #[serde(rename = "stores.ProductPriceIncreased")]
    PriceIncreased(PriceChanged),
    #[serde(rename = "stores.ProductPriceDecreased")]
    PriceDecreased(PriceChanged),
    #[serde(rename = "stores.ProductRemoved")]
    Removed {},
}

impl ddd::DomainEvent for ProductEvent {}

/// `stores.ProductAdded`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ProductAddedData", from = "ProductAddedData")]
pub(crate) struct ProductAdded {
    pub(crate) store_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) sku: String,
    pub(crate) price: Cents,
}

/// `stores.ProductPriceIncreased` / `stores.ProductPriceDecreased`: `delta` = new price − old price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "PriceChangedData", from = "PriceChangedData")]
pub(crate) struct PriceChanged {
    pub(crate) delta: Cents,
}

/// The stored JSON of `ProductAdded`: the original's Go fields (`Price` in dollars) plus the exact `PriceCents`,
/// which wins when present (data written by the original has only `Price`).
#[derive(Serialize, Deserialize)]
struct ProductAddedData {
    #[serde(rename = "StoreID")]
    store_id: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "SKU", default)]
    sku: String,
    #[serde(rename = "Price", default)]
    price: f64,
    #[serde(rename = "PriceCents", default)]
    price_cents: Option<i64>,
}

/// The stored JSON of a price change: the original's `Delta` in dollars plus the exact `DeltaCents`.
#[derive(Serialize, Deserialize)]
struct PriceChangedData {
    #[serde(rename = "Delta", default)]
    delta: f64,
    #[serde(rename = "DeltaCents", default)]
    delta_cents: Option<i64>,
}

/// Cents from the exact field, or from the original's float field when only that exists.
fn cents_of(exact: Option<i64>, dollars: f64) -> Cents {
    exact.map(Cents).unwrap_or_else(|| Cents::from_dollars(dollars).unwrap_or_default())
}

impl From<ProductAdded> for ProductAddedData {
    fn from(e: ProductAdded) -> Self {
        ProductAddedData {
            store_id: e.store_id,
            name: e.name,
            description: e.description,
            sku: e.sku,
            price: e.price.dollars(),
            price_cents: Some(e.price.0),
        }
    }
}

impl From<ProductAddedData> for ProductAdded {
    fn from(d: ProductAddedData) -> Self {
        ProductAdded {
            store_id: d.store_id,
            name: d.name,
            description: d.description,
            sku: d.sku,
            price: cents_of(d.price_cents, d.price),
        }
    }
}

impl From<PriceChanged> for PriceChangedData {
    fn from(e: PriceChanged) -> Self {
        PriceChangedData { delta: e.delta.dollars(), delta_cents: Some(e.delta.0) }
    }
}

impl From<PriceChangedData> for PriceChanged {
    fn from(d: PriceChangedData) -> Self {
        PriceChanged { delta: cents_of(d.delta_cents, d.delta) }
    }
}

/// Snapshot `stores.ProductV1`: the original's fields plus `PriceCents` and `Removed`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ProductV1 {
    #[serde(rename = "StoreID")]
    store_id: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "SKU", default)]
    sku: String,
    #[serde(rename = "Price", default)]
    price: f64,
    #[serde(rename = "PriceCents", default)]
    price_cents: Option<i64>,
    #[serde(rename = "Removed", default)]
    removed: bool,
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl Product {
    /// A new product of `store_id` (the original's `InitProduct`; the caller checks that the store exists).
    pub(crate) fn add(
        store_id: &str,
        name: &str,
        description: &str,
        sku: &str,
        price: Cents,
    ) -> Result<Vec<ProductEvent>, StoresError> {
        if blank(name) {
            return Err(StoresError::BlankProductName);
        }
        if price.is_negative() {
            return Err(StoresError::NegativePrice);
        }
        Ok(vec![ProductEvent::Added(ProductAdded {
            store_id: store_id.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            sku: sku.to_owned(),
            price,
        })])
    }

    fn exists(&self) -> Result<(), StoresError> {
        if self.removed { Err(StoresError::ProductNotFound) } else { Ok(()) }
    }

    /// Renames the product; unlike the original, a blank name is refused.
    pub(crate) fn rebrand(&self, name: &str, description: &str) -> Result<Vec<ProductEvent>, StoresError> {
        self.exists()?;
        if blank(name) {
            return Err(StoresError::BlankProductName);
        }
        Ok(vec![ProductEvent::Rebranded { name: name.to_owned(), description: description.to_owned() }])
    }

    /// Sets a new, not lower, price.
    pub(crate) fn increase_price(&self, price: Cents) -> Result<Vec<ProductEvent>, StoresError> {
        self.exists()?;
        if price < self.price {
            return Err(StoresError::PriceDecrease);
        }
        Ok(vec![ProductEvent::PriceIncreased(PriceChanged { delta: price - self.price })])
    }

    /// Sets a new, not higher (and not negative), price.
    pub(crate) fn decrease_price(&self, price: Cents) -> Result<Vec<ProductEvent>, StoresError> {
        self.exists()?;
        if price > self.price {
            return Err(StoresError::PriceIncrease);
        }
        if price.is_negative() {
            return Err(StoresError::NegativePrice);
        }
        Ok(vec![ProductEvent::PriceDecreased(PriceChanged { delta: price - self.price })])
    }

    pub(crate) fn remove(&self) -> Result<Vec<ProductEvent>, StoresError> {
        self.exists()?;
        Ok(vec![ProductEvent::Removed {}])
    }
}

impl ddd::Aggregate for Product {
    const TYPE: &'static str = "stores.Product";
    const SNAPSHOT_NAME: &'static str = "stores.ProductV1";
    type Event = ProductEvent;
    type Snapshot = ProductV1;

    fn apply(&mut self, event: &ProductEvent) {
        match event {
            ProductEvent::Added(added) => {
                self.store_id = added.store_id.clone();
                self.name = added.name.clone();
                self.description = added.description.clone();
                self.sku = added.sku.clone();
                self.price = added.price;
            }
            ProductEvent::Rebranded { name, description } => {
                self.name = name.clone();
                self.description = description.clone();
            }
            ProductEvent::PriceIncreased(change) | ProductEvent::PriceDecreased(change) => {
                self.price = self.price + change.delta;
            }
            ProductEvent::Removed {} => self.removed = true,
        }
    }

    fn to_snapshot(&self) -> ProductV1 {
        ProductV1 {
            store_id: self.store_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            sku: self.sku.clone(),
            price: self.price.dollars(),
            price_cents: Some(self.price.0),
            removed: self.removed,
        }
    }

    fn from_snapshot(s: ProductV1) -> Self {
        Product {
            price: cents_of(s.price_cents, s.price),
            store_id: s.store_id,
            name: s.name,
            description: s.description,
            sku: s.sku,
            removed: s.removed,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ddd::{Aggregate, decode_event, encode_event};

    use super::*;

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn evolve(mut product: Product, events: Vec<ProductEvent>) -> Product {
        for event in &events {
            product.apply(event);
        }
        product
    }

    fn added(price: i64) -> Product {
        evolve(Product::default(), Product::add("s1", "Pencil", "HB", "P-1", Cents(price)).unwrap())
    }

    #[test]
    fn a_product_needs_a_name_and_a_non_negative_price() {
        assert_eq!(
            Product::add("s1", "", "d", "k", Cents(1)).unwrap_err().to_string(),
            "the product name cannot be blank"
        );
        assert_eq!(
            Product::add("s1", "n", "d", "k", Cents(-1)).unwrap_err().to_string(),
            "the product price cannot be negative"
        );
        let product = added(0);
        assert_eq!(product.price, Cents(0));
        let product = added(125);
        assert_eq!(
            product,
            Product {
                store_id: "s1".into(),
                name: "Pencil".into(),
                description: "HB".into(),
                sku: "P-1".into(),
                price: Cents(125),
                removed: false
            }
        );
    }

    #[test]
    fn prices_only_move_in_the_asked_direction() {
        let product = added(1000);
        assert_eq!(product.increase_price(Cents(999)).unwrap_err().to_string(), "the price change would be a decrease");
        assert_eq!(
            product.decrease_price(Cents(1001)).unwrap_err().to_string(),
            "the price change would be an increase"
        );
        let events = product.increase_price(Cents(1250)).unwrap();
        assert_eq!(events, vec![ProductEvent::PriceIncreased(PriceChanged { delta: Cents(250) })]);
        let product = evolve(product, events);
        assert_eq!(product.price, Cents(1250));
        let events = product.decrease_price(Cents(1100)).unwrap();
        assert_eq!(events, vec![ProductEvent::PriceDecreased(PriceChanged { delta: Cents(-150) })]);
        let product = evolve(product, events);
        assert_eq!(product.price, Cents(1100));
        assert_eq!(product.decrease_price(Cents(-1)).unwrap_err().to_string(), "the product price cannot be negative");
    }

    #[test]
    fn rebranding_refuses_blank_names() {
        let product = added(1);
        assert_eq!(product.rebrand("", "x").unwrap_err().to_string(), "the product name cannot be blank");
        let product = evolve(product.clone(), product.rebrand("Pen", "").unwrap());
        assert_eq!((product.name.as_str(), product.description.as_str()), ("Pen", ""));
    }

    #[test]
    fn a_removed_product_is_gone() {
        let product = added(1);
        let product = evolve(product.clone(), product.remove().unwrap());
        assert!(product.removed);
        for err in [
            product.remove().unwrap_err(),
            product.rebrand("a", "b").unwrap_err(),
            product.increase_price(Cents(5)).unwrap_err(),
            product.decrease_price(Cents(0)).unwrap_err(),
        ] {
            assert_eq!(err.to_string(), "product not found");
        }
    }

    #[test]
    fn events_keep_the_go_field_names_and_exact_cents() {
        let added = ProductEvent::Added(ProductAdded {
            store_id: "s".into(),
            name: "n".into(),
            description: "d".into(),
            sku: "k".into(),
            price: Cents(1099),
        });
        let (name, data) = encode_event(&added).unwrap();
        assert_eq!(name, "stores.ProductAdded");
        assert_eq!(
            json(&data),
            json(br#"{"StoreID":"s","Name":"n","Description":"d","SKU":"k","Price":10.99,"PriceCents":1099}"#)
        );
        assert_eq!(decode_event::<ProductEvent>(&name, &data).unwrap(), added);

        let down = ProductEvent::PriceDecreased(PriceChanged { delta: Cents(-5) });
        let (name, data) = encode_event(&down).unwrap();
        assert_eq!(name, "stores.ProductPriceDecreased");
        assert_eq!(json(&data), json(br#"{"Delta":-0.05,"DeltaCents":-5}"#));
        assert_eq!(decode_event::<ProductEvent>(&name, &data).unwrap(), down);

        let (name, data) = encode_event(&ProductEvent::Removed {}).unwrap();
        assert_eq!((name.as_str(), data.as_slice()), ("stores.ProductRemoved", b"{}".as_slice()));
        assert_eq!(decode_event::<ProductEvent>(&name, &data).unwrap(), ProductEvent::Removed {});

        let (name, data) =
            encode_event(&ProductEvent::Rebranded { name: "a".into(), description: "b".into() }).unwrap();
        assert_eq!(name, "stores.ProductRebranded");
        assert_eq!(json(&data), json(br#"{"Name":"a","Description":"b"}"#));
    }

    #[test]
    fn data_written_by_the_original_decodes_from_float_dollars() {
        let event: ProductEvent =
            decode_event("stores.ProductAdded", br#"{"StoreID":"s","Name":"n","Description":"","SKU":"","Price":3.3}"#)
                .unwrap();
        let ProductEvent::Added(added) = event else { panic!("not added") };
        assert_eq!(added.price, Cents(330));
        let event: ProductEvent = decode_event("stores.ProductPriceIncreased", br#"{"Delta":1.1}"#).unwrap();
        assert_eq!(event, ProductEvent::PriceIncreased(PriceChanged { delta: Cents(110) }));
    }

    #[test]
    fn snapshots_round_trip_as_product_v1() {
        let mut product = added(1999);
        product.removed = true;
        let json = serde_json::to_string(&product.to_snapshot()).unwrap();
        assert_eq!(
            json,
            r#"{"StoreID":"s1","Name":"Pencil","Description":"HB","SKU":"P-1","Price":19.99,"PriceCents":1999,"Removed":true}"#
        );
        assert_eq!(Product::from_snapshot(serde_json::from_str(&json).unwrap()), product);
        let original: ProductV1 =
            serde_json::from_str(r#"{"StoreID":"s","Name":"n","Description":"","SKU":"","Price":0.1}"#).unwrap();
        assert_eq!(Product::from_snapshot(original).price, Cents(10));
    }
}

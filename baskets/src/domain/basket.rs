//! The `baskets.Basket` aggregate: a customer's basket of products, open until it is cancelled or checked out.
//!
//! Items keep the order in which their products were first added (the original kept a map, so its checkout listed
//! items in random order). Adding a product that is already in the basket adds to its quantity (name and price stay
//! those of the first add); removing takes away from it and drops the item once nothing is left.

use serde::{Deserialize, Serialize};

use super::{BasketsError, Cents, Quantity};

/// Where a basket is in its life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum BasketStatus {
    /// No events yet.
    #[default]
    Unknown,
    Open,
    Canceled,
    CheckedOut,
}

impl BasketStatus {
    /// The original's status strings.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BasketStatus::Unknown => "",
            BasketStatus::Open => "open",
            BasketStatus::Canceled => "canceled",
            BasketStatus::CheckedOut => "checked_out",
        }
    }

    fn parse(text: &str) -> BasketStatus {
        match text {
            "open" => BasketStatus::Open,
            "canceled" => BasketStatus::Canceled,
            "checked_out" => BasketStatus::CheckedOut,
            _ => BasketStatus::Unknown,
        }
    }
}

/// One product line of a basket, with the names and price seen when it was first added.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ItemData", from = "ItemData")]
pub(crate) struct Item {
    pub(crate) store_id: String,
    pub(crate) product_id: String,
    pub(crate) store_name: String,
    pub(crate) product_name: String,
    pub(crate) price: Cents,
    pub(crate) quantity: Quantity,
}

/// A product about to be added, as the caches describe it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NewItem {
    pub(crate) store_id: String,
    pub(crate) product_id: String,
    pub(crate) store_name: String,
    pub(crate) product_name: String,
    pub(crate) price: Cents,
}

/// The state of a basket, folded from its events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Basket {
    pub(crate) customer_id: String,
    pub(crate) payment_id: String,
    pub(crate) items: Vec<Item>,
    pub(crate) status: BasketStatus,
}

/// The events of a basket, stored under the original's names with Go field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
pub(crate) enum BasketEvent {
    #[serde(rename = "baskets.BasketStarted")]
    Started {
        #[serde(rename = "CustomerID")]
        customer_id: String,
    },
    #[serde(rename = "baskets.BasketItemAdded")]
    ItemAdded {
        #[serde(rename = "Item")]
        item: Item,
    },
    #[serde(rename = "baskets.BasketItemRemoved")]
    ItemRemoved {
        #[serde(rename = "ProductID")]
        product_id: String,
        #[serde(rename = "Quantity")]
        quantity: Quantity,
    },
    #[serde(rename = "baskets.BasketCanceled")]
    Canceled {},
    #[serde(rename = "baskets.BasketCheckedOut")]
    CheckedOut {
        #[serde(rename = "PaymentID")]
        payment_id: String,
    },
}

impl ddd::DomainEvent for BasketEvent {}

/// The stored JSON of an item: the original's Go fields (`ProductPrice` in dollars) plus the exact
/// `ProductPriceCents`, which wins when present.
#[derive(Serialize, Deserialize)]
struct ItemData {
    #[serde(rename = "StoreID", default)]
    store_id: String,
    #[serde(rename = "ProductID", default)]
    product_id: String,
    #[serde(rename = "StoreName", default)]
    store_name: String,
    #[serde(rename = "ProductName", default)]
    product_name: String,
    #[serde(rename = "ProductPrice", default)]
    product_price: f64,
    #[serde(rename = "ProductPriceCents", default)]
    product_price_cents: Option<i64>,
    #[serde(rename = "Quantity", default)]
    quantity: i32,
}

impl From<Item> for ItemData {
    fn from(item: Item) -> Self {
        ItemData {
            store_id: item.store_id,
            product_id: item.product_id,
            store_name: item.store_name,
            product_name: item.product_name,
            product_price: item.price.dollars(),
            product_price_cents: Some(item.price.0),
            quantity: item.quantity.get(),
        }
    }
}

impl From<ItemData> for Item {
    fn from(data: ItemData) -> Self {
        Item {
            store_id: data.store_id,
            product_id: data.product_id,
            store_name: data.store_name,
            product_name: data.product_name,
            price: data.product_price_cents.map(Cents).unwrap_or_else(|| Cents::from_dollars(data.product_price)),
            quantity: Quantity::new(data.quantity),
        }
    }
}

/// Snapshot `baskets.BasketV1 {CustomerID, PaymentID, Items, Status}`. `Items` is a list in basket order (the
/// original stored a map keyed by product id, which has no order).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BasketV1 {
    #[serde(rename = "CustomerID", default)]
    customer_id: String,
    #[serde(rename = "PaymentID", default)]
    payment_id: String,
    #[serde(rename = "Items", default)]
    items: Vec<Item>,
    #[serde(rename = "Status", default)]
    status: String,
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl Basket {
    fn open(&self) -> Result<(), BasketsError> {
        if self.status == BasketStatus::Open { Ok(()) } else { Err(BasketsError::CannotBeModified) }
    }

    /// The item of `product_id`, if the basket holds it.
    pub(crate) fn item(&self, product_id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.product_id == product_id)
    }

    /// Starts a new basket for `customer_id`.
    pub(crate) fn start(&self, customer_id: &str) -> Result<Vec<BasketEvent>, BasketsError> {
        if self.status != BasketStatus::Unknown {
            return Err(BasketsError::CannotBeModified);
        }
        if blank(customer_id) {
            return Err(BasketsError::BlankCustomerId);
        }
        Ok(vec![BasketEvent::Started { customer_id: customer_id.to_owned() }])
    }

    /// Adds `quantity` (at least 1) of a product.
    pub(crate) fn add_item(&self, product: NewItem, quantity: i32) -> Result<Vec<BasketEvent>, BasketsError> {
        self.open()?;
        if quantity < 0 {
            return Err(BasketsError::NegativeQuantity);
        }
        if quantity == 0 {
            return Err(BasketsError::ZeroQuantity);
        }
        Ok(vec![BasketEvent::ItemAdded {
            item: Item {
                store_id: product.store_id,
                product_id: product.product_id,
                store_name: product.store_name,
                product_name: product.product_name,
                price: product.price,
                quantity: Quantity::new(quantity),
            },
        }])
    }

    /// Takes `quantity` of a product out; a product that is not in the basket, or a quantity of 0, changes nothing.
    pub(crate) fn remove_item(&self, product_id: &str, quantity: i32) -> Result<Vec<BasketEvent>, BasketsError> {
        self.open()?;
        if quantity < 0 {
            return Err(BasketsError::NegativeQuantity);
        }
        if quantity == 0 || self.item(product_id).is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![BasketEvent::ItemRemoved { product_id: product_id.to_owned(), quantity: Quantity::new(quantity) }])
    }

    pub(crate) fn cancel(&self) -> Result<Vec<BasketEvent>, BasketsError> {
        if self.status != BasketStatus::Open {
            return Err(BasketsError::CannotBeCancelled);
        }
        Ok(vec![BasketEvent::Canceled {}])
    }

    /// Checks the basket out with the payment that will pay for it.
    pub(crate) fn checkout(&self, payment_id: &str) -> Result<Vec<BasketEvent>, BasketsError> {
        self.open()?;
        if self.items.is_empty() {
            return Err(BasketsError::NoItems);
        }
        if blank(payment_id) {
            return Err(BasketsError::BlankPaymentId);
        }
        Ok(vec![BasketEvent::CheckedOut { payment_id: payment_id.to_owned() }])
    }
}

impl ddd::Aggregate for Basket {
    const TYPE: &'static str = "baskets.Basket";
    const SNAPSHOT_NAME: &'static str = "baskets.BasketV1";
    type Event = BasketEvent;
    type Snapshot = BasketV1;

    fn apply(&mut self, event: &BasketEvent) {
        match event {
            BasketEvent::Started { customer_id } => {
                self.customer_id = customer_id.clone();
                self.status = BasketStatus::Open;
            }
            BasketEvent::ItemAdded { item } => match self.items.iter_mut().find(|i| i.product_id == item.product_id) {
                Some(existing) => existing.quantity = existing.quantity.plus(item.quantity),
                None => self.items.push(item.clone()),
            },
            BasketEvent::ItemRemoved { product_id, quantity } => {
                if let Some(index) = self.items.iter().position(|i| &i.product_id == product_id) {
                    let left = self.items[index].quantity.minus(*quantity);
                    // The original removed the item while one was still left (`<= 1`); nothing left means gone.
                    if left.get() <= 0 {
                        self.items.remove(index);
                    } else {
                        self.items[index].quantity = left;
                    }
                }
            }
            BasketEvent::Canceled {} => {
                self.items.clear();
                self.status = BasketStatus::Canceled;
            }
            BasketEvent::CheckedOut { payment_id } => {
                self.payment_id = payment_id.clone();
                self.status = BasketStatus::CheckedOut;
            }
        }
    }

    fn to_snapshot(&self) -> BasketV1 {
        BasketV1 {
            customer_id: self.customer_id.clone(),
            payment_id: self.payment_id.clone(),
            items: self.items.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_snapshot(snapshot: BasketV1) -> Self {
        Basket {
            customer_id: snapshot.customer_id,
            payment_id: snapshot.payment_id,
            items: snapshot.items,
            status: BasketStatus::parse(&snapshot.status),
        }
    }
}

#[cfg(test)]
mod tests {
    use ddd::Aggregate as _;

    use super::*;

    fn product(id: &str, price: i64) -> NewItem {
        NewItem {
            store_id: "s1".into(),
            product_id: id.into(),
            store_name: "Store".into(),
            product_name: format!("Product {id}"),
            price: Cents(price),
        }
    }

    fn fold(basket: &mut Basket, decide: impl FnOnce(&Basket) -> Result<Vec<BasketEvent>, BasketsError>) {
        for event in decide(basket).expect("decided") {
            basket.apply(&event);
        }
    }

    fn open_basket() -> Basket {
        let mut basket = Basket::default();
        fold(&mut basket, |b| b.start("c1"));
        basket
    }

    #[test]
    fn a_started_basket_is_open_and_cannot_be_started_again() {
        let basket = open_basket();
        assert_eq!(basket.status, BasketStatus::Open);
        assert_eq!(basket.customer_id, "c1");
        assert!(matches!(basket.start("c2"), Err(BasketsError::CannotBeModified)));
        assert!(matches!(Basket::default().start("  "), Err(BasketsError::BlankCustomerId)));
    }

    #[test]
    fn quantities_must_be_at_least_one_to_add() {
        let basket = open_basket();
        assert!(matches!(basket.add_item(product("p1", 100), -1), Err(BasketsError::NegativeQuantity)));
        assert!(matches!(basket.add_item(product("p1", 100), 0), Err(BasketsError::ZeroQuantity)));
        assert!(matches!(Basket::default().add_item(product("p1", 100), 1), Err(BasketsError::CannotBeModified)));
    }

    #[test]
    fn adding_a_product_again_sums_its_quantity_and_keeps_the_order() {
        let mut basket = open_basket();
        fold(&mut basket, |b| b.add_item(product("p2", 250), 1));
        fold(&mut basket, |b| b.add_item(product("p1", 100), 2));
        fold(&mut basket, |b| b.add_item(product("p2", 999), 3));
        let lines: Vec<(&str, i32, i64)> =
            basket.items.iter().map(|i| (i.product_id.as_str(), i.quantity.get(), i.price.0)).collect();
        assert_eq!(lines, [("p2", 4, 250), ("p1", 2, 100)]);
    }

    #[test]
    fn removing_deletes_the_item_only_when_nothing_is_left() {
        let mut basket = open_basket();
        fold(&mut basket, |b| b.add_item(product("p1", 100), 3));
        fold(&mut basket, |b| b.remove_item("p1", 2));
        assert_eq!(basket.item("p1").map(|i| i.quantity.get()), Some(1), "one left stays (the original's off-by-one)");
        fold(&mut basket, |b| b.remove_item("p1", 1));
        assert!(basket.item("p1").is_none());

        fold(&mut basket, |b| b.add_item(product("p1", 100), 2));
        fold(&mut basket, |b| b.remove_item("p1", 5));
        assert!(basket.items.is_empty(), "removing more than there is removes the item");
        assert_eq!(basket.remove_item("unknown", 1).expect("no-op"), Vec::new());
        assert_eq!(basket.remove_item("p1", 0).expect("no-op"), Vec::new());
        assert!(matches!(basket.remove_item("p1", -1), Err(BasketsError::NegativeQuantity)));
    }

    #[test]
    fn checkout_needs_items_and_a_payment_and_happens_once() {
        let mut basket = open_basket();
        assert!(matches!(basket.checkout("pay"), Err(BasketsError::NoItems)));
        fold(&mut basket, |b| b.add_item(product("p1", 100), 1));
        assert!(matches!(basket.checkout(" "), Err(BasketsError::BlankPaymentId)));
        fold(&mut basket, |b| b.checkout("pay"));
        assert_eq!((basket.status, basket.payment_id.as_str()), (BasketStatus::CheckedOut, "pay"));
        assert!(matches!(basket.checkout("pay"), Err(BasketsError::CannotBeModified)));
        assert!(matches!(basket.add_item(product("p2", 1), 1), Err(BasketsError::CannotBeModified)));
        assert!(matches!(basket.cancel(), Err(BasketsError::CannotBeCancelled)));
    }

    #[test]
    fn cancelling_clears_the_basket() {
        let mut basket = open_basket();
        fold(&mut basket, |b| b.add_item(product("p1", 100), 1));
        fold(&mut basket, |b| b.cancel());
        assert_eq!(basket.status, BasketStatus::Canceled);
        assert!(basket.items.is_empty());
        assert!(matches!(basket.cancel(), Err(BasketsError::CannotBeCancelled)));
        assert!(matches!(basket.remove_item("p1", 1), Err(BasketsError::CannotBeModified)));
    }

    #[test]
    fn events_are_stored_with_the_original_names_and_go_fields() {
        let mut basket = open_basket();
        let added = basket.add_item(product("p1", 999), 5).expect("added");
        let (name, data) = ddd::encode_event(&added[0]).expect("encoded");
        assert_eq!(name, "baskets.BasketItemAdded");
        let json: serde_json::Value = serde_json::from_slice(&data).expect("json");
        assert_eq!(
            json,
            serde_json::json!({ "Item": { "StoreID": "s1", "ProductID": "p1", "StoreName": "Store",
                "ProductName": "Product p1", "ProductPrice": 9.99, "ProductPriceCents": 999, "Quantity": 5 } })
        );
        // data written by the original (no cents field) still decodes
        let old = br#"{"Item":{"StoreID":"s","ProductID":"p","StoreName":"S","ProductName":"P","ProductPrice":1.1,"Quantity":2}}"#;
        let event: BasketEvent = ddd::decode_event("baskets.BasketItemAdded", old).expect("decoded");
        basket.apply(&event);
        assert_eq!(basket.item("p").map(|i| (i.price, i.quantity.get())), Some((Cents(110), 2)));

        for (event, name, json) in [
            (BasketEvent::Started { customer_id: "c".into() }, "baskets.BasketStarted", r#"{"CustomerID":"c"}"#),
            (
                BasketEvent::ItemRemoved { product_id: "p".into(), quantity: Quantity::new(1) },
                "baskets.BasketItemRemoved",
                r#"{"ProductID":"p","Quantity":1}"#,
            ),
            (BasketEvent::Canceled {}, "baskets.BasketCanceled", "{}"),
            (BasketEvent::CheckedOut { payment_id: "x".into() }, "baskets.BasketCheckedOut", r#"{"PaymentID":"x"}"#),
        ] {
            let (stored_name, data) = ddd::encode_event(&event).expect("encoded");
            assert_eq!((stored_name.as_str(), String::from_utf8_lossy(&data).as_ref()), (name, json));
            assert_eq!(ddd::decode_event::<BasketEvent>(name, json.as_bytes()).expect("decoded"), event);
        }
    }

    #[test]
    fn snapshots_round_trip() {
        let mut basket = open_basket();
        fold(&mut basket, |b| b.add_item(product("p2", 250), 1));
        fold(&mut basket, |b| b.add_item(product("p1", 100), 2));
        fold(&mut basket, |b| b.checkout("pay"));
        let json = serde_json::to_value(basket.to_snapshot()).expect("snapshot");
        assert_eq!(json["Status"], "checked_out");
        assert_eq!(json["Items"][0]["ProductID"], "p2");
        let back = Basket::from_snapshot(serde_json::from_value(json).expect("decoded"));
        assert_eq!(back, basket);
    }
}

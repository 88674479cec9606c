//! The `ordering.Order` aggregate: a checked-out basket on its way through the create-order saga and fulfilment.
//!
//! ```text
//! pending ──approve──▶ approved ──ready──▶ ready ──complete──▶ completed
//!    │ └──reject──▶ rejected ◀──reject──┘
//!    └──cancel──▶ cancelled ◀──cancel── approved
//! ```
//!
//! Repeating a step the order has already taken is not an error and records nothing (approving an approved order,
//! rejecting a rejected or cancelled one, readying a ready one, completing a completed one): the saga and the
//! consumers may deliver a step twice.

use serde::{Deserialize, Serialize};

use super::{Cents, OrderingError, Quantity};

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum OrderStatus {
    /// No events yet.
    #[default]
    Unknown,
    Pending,
    Rejected,
    Approved,
    Ready,
    Completed,
    Cancelled,
}

impl OrderStatus {
    /// The original's status strings (note "cancelled" with two l).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Unknown => "",
            OrderStatus::Pending => "pending",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Approved => "approved",
            OrderStatus::Ready => "ready",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> OrderStatus {
        match text {
            "pending" => OrderStatus::Pending,
            "rejected" => OrderStatus::Rejected,
            "approved" => OrderStatus::Approved,
            "ready" => OrderStatus::Ready,
            "completed" => OrderStatus::Completed,
            "cancelled" => OrderStatus::Cancelled,
            _ => OrderStatus::Unknown,
        }
    }
}

/// One line of an order, with the names and unit price the basket had.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ItemData", from = "ItemData")]
pub(crate) struct OrderItem {
    pub(crate) product_id: String,
    pub(crate) store_id: String,
    pub(crate) store_name: String,
    pub(crate) product_name: String,
    pub(crate) price: Cents,
    pub(crate) quantity: Quantity,
}

/// The state of an order, folded from its events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Order {
    pub(crate) customer_id: String,
    pub(crate) payment_id: String,
    pub(crate) invoice_id: String,
    pub(crate) shopping_id: String,
    pub(crate) items: Vec<OrderItem>,
    pub(crate) status: OrderStatus,
    /// The depot finished the shopping before the approval was handled (the order becomes ready when approved).
    pub(crate) shopping_completed: bool,
}

/// The events of an order, stored under the original's names with Go field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
pub(crate) enum OrderEvent {
    #[serde(rename = "ordering.OrderCreated")]
    Created {
        #[serde(rename = "CustomerID")]
        customer_id: String,
        #[serde(rename = "PaymentID")]
        payment_id: String,
        #[serde(rename = "ShoppingID", default)]
        shopping_id: String,
        #[serde(rename = "Items")]
        items: Vec<OrderItem>,
    },
    #[serde(rename = "ordering.OrderRejected")]
    Rejected {},
    #[serde(rename = "ordering.OrderApproved")]
    Approved {
        #[serde(rename = "ShoppingID")]
        shopping_id: String,
    },
    #[serde(rename = "ordering.OrderCanceled")]
    Canceled {
        #[serde(rename = "CustomerID")]
        customer_id: String,
        #[serde(rename = "PaymentID")]
        payment_id: String,
    },
    #[serde(rename = "ordering.OrderReadied")]
    Readied(Readied),
    /// Internal (never published): the shopping list was completed while the order still waited for its approval.
    #[serde(rename = "ordering.OrderShoppingCompleted")]
    ShoppingCompleted {},
    #[serde(rename = "ordering.OrderCompleted")]
    Completed {
        #[serde(rename = "CustomerID")]
        customer_id: String,
        #[serde(rename = "InvoiceID")]
        invoice_id: String,
    },
}

impl ddd::DomainEvent for OrderEvent {}

/// `ordering.OrderReadied`: the order is ready for pickup and this is what it costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ReadiedData", from = "ReadiedData")]
pub(crate) struct Readied {
    pub(crate) customer_id: String,
    pub(crate) payment_id: String,
    pub(crate) total: Cents,
}

/// The stored JSON of `OrderReadied`: the original's `Total` (dollars) plus the exact `TotalCents`.
#[derive(Serialize, Deserialize)]
struct ReadiedData {
    #[serde(rename = "CustomerID", default)]
    customer_id: String,
    #[serde(rename = "PaymentID", default)]
    payment_id: String,
    #[serde(rename = "Total", default)]
    total: f64,
    #[serde(rename = "TotalCents", default)]
    total_cents: Option<i64>,
}

impl From<Readied> for ReadiedData {
    fn from(e: Readied) -> Self {
        ReadiedData {
            customer_id: e.customer_id,
            payment_id: e.payment_id,
            total: e.total.dollars(),
            total_cents: Some(e.total.0),
        }
    }
}

impl From<ReadiedData> for Readied {
    fn from(d: ReadiedData) -> Self {
        Readied { customer_id: d.customer_id, payment_id: d.payment_id, total: cents_of(d.total_cents, d.total) }
    }
}

/// The stored JSON of an item: the original's Go fields (`Price` in dollars) plus the exact `PriceCents`.
#[derive(Serialize, Deserialize)]
struct ItemData {
    #[serde(rename = "ProductID", default)]
    product_id: String,
    #[serde(rename = "StoreID", default)]
    store_id: String,
    #[serde(rename = "StoreName", default)]
    store_name: String,
    #[serde(rename = "ProductName", default)]
    product_name: String,
    #[serde(rename = "Price", default)]
    price: f64,
    #[serde(rename = "PriceCents", default)]
    price_cents: Option<i64>,
    #[serde(rename = "Quantity", default)]
    quantity: i32,
}

/// Cents from the exact field, or from the original's float field when only that exists.
fn cents_of(exact: Option<i64>, dollars: f64) -> Cents {
    exact.map(Cents).unwrap_or_else(|| Cents::from_dollars(dollars).unwrap_or_default())
}

impl From<OrderItem> for ItemData {
    fn from(item: OrderItem) -> Self {
        ItemData {
            product_id: item.product_id,
            store_id: item.store_id,
            store_name: item.store_name,
            product_name: item.product_name,
            price: item.price.dollars(),
            price_cents: Some(item.price.0),
            quantity: item.quantity.get(),
        }
    }
}

impl From<ItemData> for OrderItem {
    fn from(d: ItemData) -> Self {
        OrderItem {
            product_id: d.product_id,
            store_id: d.store_id,
            store_name: d.store_name,
            product_name: d.product_name,
            price: cents_of(d.price_cents, d.price),
            quantity: Quantity::new(d.quantity),
        }
    }
}

/// Snapshot `ordering.OrderV1 {CustomerID, PaymentID, InvoiceID, ShoppingID, Items, Status}`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OrderV1 {
    #[serde(rename = "CustomerID", default)]
    customer_id: String,
    #[serde(rename = "PaymentID", default)]
    payment_id: String,
    #[serde(rename = "InvoiceID", default)]
    invoice_id: String,
    #[serde(rename = "ShoppingID", default)]
    shopping_id: String,
    #[serde(rename = "Items", default)]
    items: Vec<OrderItem>,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "ShoppingCompleted", default)]
    shopping_completed: bool,
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl Order {
    /// What the order costs: Σ price × quantity, exact.
    pub(crate) fn total(&self) -> Cents {
        Cents(self.items.iter().map(|i| i.price.0.saturating_mul(i64::from(i.quantity.get()))).sum())
    }

    /// Creates the order (the original's checks, in its order, then the line checks).
    pub(crate) fn create(
        &self,
        customer_id: &str,
        payment_id: &str,
        items: Vec<OrderItem>,
    ) -> Result<Vec<OrderEvent>, OrderingError> {
        if self.status != OrderStatus::Unknown {
            return Err(OrderingError::CannotBeRecreated);
        }
        if items.is_empty() {
            return Err(OrderingError::NoItems);
        }
        if blank(customer_id) {
            return Err(OrderingError::BlankCustomerId);
        }
        if blank(payment_id) {
            return Err(OrderingError::BlankPaymentId);
        }
        if items.iter().any(|i| i.quantity.get() < 1) {
            return Err(OrderingError::InvalidQuantity);
        }
        if items.iter().any(|i| i.price.0 < 0) {
            return Err(OrderingError::NegativePrice);
        }
        Ok(vec![OrderEvent::Created {
            customer_id: customer_id.to_owned(),
            payment_id: payment_id.to_owned(),
            shopping_id: String::new(),
            items,
        }])
    }

    /// The saga approved the order (its shopping list is `shopping_id`).
    pub(crate) fn approve(&self, shopping_id: &str) -> Result<Vec<OrderEvent>, OrderingError> {
        match self.status {
            OrderStatus::Pending if self.shopping_completed => Ok(vec![
                OrderEvent::Approved { shopping_id: shopping_id.to_owned() },
                OrderEvent::Readied(Readied {
                    customer_id: self.customer_id.clone(),
                    payment_id: self.payment_id.clone(),
                    total: self.total(),
                }),
            ]),
            OrderStatus::Pending => Ok(vec![OrderEvent::Approved { shopping_id: shopping_id.to_owned() }]),
            OrderStatus::Approved | OrderStatus::Ready | OrderStatus::Completed => Ok(Vec::new()),
            OrderStatus::Unknown | OrderStatus::Rejected | OrderStatus::Cancelled => {
                Err(OrderingError::CannotBeApproved)
            }
        }
    }

    /// The saga gave up on the order.
    pub(crate) fn reject(&self) -> Result<Vec<OrderEvent>, OrderingError> {
        match self.status {
            OrderStatus::Pending | OrderStatus::Approved => Ok(vec![OrderEvent::Rejected {}]),
            OrderStatus::Rejected | OrderStatus::Cancelled => Ok(Vec::new()),
            OrderStatus::Unknown | OrderStatus::Ready | OrderStatus::Completed => Err(OrderingError::CannotBeRejected),
        }
    }

    /// The customer cancels: allowed until the order is ready.
    pub(crate) fn cancel(&self) -> Result<Vec<OrderEvent>, OrderingError> {
        match self.status {
            OrderStatus::Pending | OrderStatus::Approved => Ok(vec![OrderEvent::Canceled {
                customer_id: self.customer_id.clone(),
                payment_id: self.payment_id.clone(),
            }]),
            _ => Err(OrderingError::CannotBeCancelled),
        }
    }

    /// The shopping list was completed: the order is ready for pickup.
    /// The depot completed the order's shopping list: ready when approved; before the approval (a fast bot, or an
    /// approval delayed by a crash) it is remembered and the approval makes the order ready.
    pub(crate) fn shopping_completed(&self) -> Result<Vec<OrderEvent>, OrderingError> {
        match self.status {
            OrderStatus::Pending if self.shopping_completed => Ok(Vec::new()),
            OrderStatus::Pending => Ok(vec![OrderEvent::ShoppingCompleted {}]),
            _ => self.ready(),
        }
    }

    pub(crate) fn ready(&self) -> Result<Vec<OrderEvent>, OrderingError> {
        match self.status {
            OrderStatus::Approved => Ok(vec![OrderEvent::Readied(Readied {
                customer_id: self.customer_id.clone(),
                payment_id: self.payment_id.clone(),
                total: self.total(),
            })]),
            OrderStatus::Ready | OrderStatus::Completed => Ok(Vec::new()),
            OrderStatus::Pending => Err(OrderingError::NotYetApproved),
            _ => Err(OrderingError::CannotBeReadied),
        }
    }

    /// The invoice `invoice_id` was paid: the order is complete.
    pub(crate) fn complete(&self, invoice_id: &str) -> Result<Vec<OrderEvent>, OrderingError> {
        if blank(invoice_id) {
            return Err(OrderingError::BlankInvoiceId);
        }
        match self.status {
            OrderStatus::Ready => Ok(vec![OrderEvent::Completed {
                customer_id: self.customer_id.clone(),
                invoice_id: invoice_id.to_owned(),
            }]),
            OrderStatus::Completed => Ok(Vec::new()),
            _ => Err(OrderingError::CannotBeCompleted),
        }
    }
}

impl ddd::Aggregate for Order {
    const TYPE: &'static str = "ordering.Order";
    const SNAPSHOT_NAME: &'static str = "ordering.OrderV1";
    type Event = OrderEvent;
    type Snapshot = OrderV1;

    fn apply(&mut self, event: &OrderEvent) {
        match event {
            OrderEvent::Created { customer_id, payment_id, shopping_id, items } => {
                self.customer_id = customer_id.clone();
                self.payment_id = payment_id.clone();
                self.shopping_id = shopping_id.clone();
                self.items = items.clone();
                self.status = OrderStatus::Pending;
            }
            OrderEvent::Rejected {} => self.status = OrderStatus::Rejected,
            OrderEvent::Approved { shopping_id } => {
                self.shopping_id = shopping_id.clone();
                self.status = OrderStatus::Approved;
            }
            OrderEvent::Canceled { .. } => self.status = OrderStatus::Cancelled,
            OrderEvent::Readied(_) => self.status = OrderStatus::Ready,
            OrderEvent::ShoppingCompleted {} => self.shopping_completed = true,
            OrderEvent::Completed { invoice_id, .. } => {
                self.invoice_id = invoice_id.clone();
                self.status = OrderStatus::Completed;
            }
        }
    }

    fn to_snapshot(&self) -> OrderV1 {
        OrderV1 {
            customer_id: self.customer_id.clone(),
            payment_id: self.payment_id.clone(),
            invoice_id: self.invoice_id.clone(),
            shopping_id: self.shopping_id.clone(),
            items: self.items.clone(),
            status: self.status.as_str().to_owned(),
            shopping_completed: self.shopping_completed,
        }
    }

    fn from_snapshot(snapshot: OrderV1) -> Self {
        Order {
            customer_id: snapshot.customer_id,
            payment_id: snapshot.payment_id,
            invoice_id: snapshot.invoice_id,
            shopping_id: snapshot.shopping_id,
            items: snapshot.items,
            status: OrderStatus::parse(&snapshot.status),
            shopping_completed: snapshot.shopping_completed,
        }
    }
}

#[cfg(test)]
mod tests {
    use ddd::Aggregate as _;

    use super::*;

    fn item(product: &str, price: i64, quantity: i32) -> OrderItem {
        OrderItem {
            product_id: product.into(),
            store_id: "s1".into(),
            store_name: "Store".into(),
            product_name: format!("Product {product}"),
            price: Cents(price),
            quantity: Quantity::new(quantity),
        }
    }

    fn fold(order: &mut Order, decide: impl FnOnce(&Order) -> Result<Vec<OrderEvent>, OrderingError>) -> usize {
        let events = decide(order).expect("decided");
        for event in &events {
            order.apply(event);
        }
        events.len()
    }

    fn pending() -> Order {
        let mut order = Order::default();
        fold(&mut order, |o| o.create("c1", "pay1", vec![item("p1", 110, 3), item("p2", 250, 1)]));
        order
    }

    fn in_status(status: OrderStatus) -> Order {
        Order { status, ..pending() }
    }

    #[test]
    fn creation_checks_the_original_rules_then_the_lines() {
        let order = Order::default();
        assert!(matches!(order.create("c", "p", vec![]), Err(OrderingError::NoItems)));
        assert!(matches!(order.create(" ", "p", vec![item("p", 1, 1)]), Err(OrderingError::BlankCustomerId)));
        assert!(matches!(order.create("c", "", vec![item("p", 1, 1)]), Err(OrderingError::BlankPaymentId)));
        assert!(matches!(order.create("c", "p", vec![item("p", 1, 0)]), Err(OrderingError::InvalidQuantity)));
        assert!(matches!(order.create("c", "p", vec![item("p", -1, 1)]), Err(OrderingError::NegativePrice)));
        let order = pending();
        assert_eq!(order.status, OrderStatus::Pending);
        assert_eq!(order.total(), Cents(580), "3 × 1.10 + 2.50, exact");
        assert!(matches!(order.create("c", "p", vec![item("p", 1, 1)]), Err(OrderingError::CannotBeRecreated)));
    }

    #[test]
    fn the_happy_path_runs_to_completed_and_repeats_are_no_ops() {
        let mut order = pending();
        assert_eq!(fold(&mut order, |o| o.approve("list-1")), 1);
        assert_eq!((order.status, order.shopping_id.as_str()), (OrderStatus::Approved, "list-1"));
        assert_eq!(fold(&mut order, |o| o.approve("list-1")), 0);
        let readied = order.ready().expect("ready");
        assert_eq!(
            readied,
            [OrderEvent::Readied(Readied { customer_id: "c1".into(), payment_id: "pay1".into(), total: Cents(580) })]
        );
        assert_eq!(fold(&mut order, |o| o.ready()), 1);
        assert_eq!(fold(&mut order, |o| o.ready()), 0);
        assert_eq!(fold(&mut order, |o| o.approve("list-1")), 0, "a late approval changes nothing");
        assert!(matches!(order.complete(" "), Err(OrderingError::BlankInvoiceId)));
        assert_eq!(fold(&mut order, |o| o.complete("inv-1")), 1);
        assert_eq!((order.status, order.invoice_id.as_str()), (OrderStatus::Completed, "inv-1"));
        assert_eq!(fold(&mut order, |o| o.complete("inv-1")), 0);
    }

    #[test]
    fn a_shopping_list_completed_before_the_approval_makes_the_approval_ready_the_order() {
        let mut order = pending();
        assert_eq!(fold(&mut order, |o| o.shopping_completed()), 1);
        assert_eq!(fold(&mut order, |o| o.shopping_completed()), 0, "remembered once");
        assert_eq!(order.status, OrderStatus::Pending);
        let approved = order.approve("list-1").expect("approved");
        assert!(matches!(approved.as_slice(), [OrderEvent::Approved { .. }, OrderEvent::Readied(_)]), "{approved:?}");
        for event in &approved {
            order.apply(event);
        }
        assert_eq!(order.status, OrderStatus::Ready);
        let mut normal = pending();
        fold(&mut normal, |o| o.approve("list-1"));
        assert_eq!(fold(&mut normal, |o| o.shopping_completed()), 1, "after the approval it is the usual ready");
        assert_eq!(normal.status, OrderStatus::Ready);
        assert!(in_status(OrderStatus::Cancelled).shopping_completed().is_err());
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert!(matches!(pending().ready(), Err(OrderingError::NotYetApproved)));
        assert_eq!(OrderingError::NotYetApproved.to_string(), "the order cannot be readied");
        assert!(matches!(pending().complete("i"), Err(OrderingError::CannotBeCompleted)));
        assert!(matches!(in_status(OrderStatus::Approved).complete("i"), Err(OrderingError::CannotBeCompleted)));
        for status in [OrderStatus::Rejected, OrderStatus::Cancelled] {
            assert!(matches!(in_status(status).approve("l"), Err(OrderingError::CannotBeApproved)), "{status:?}");
            assert!(matches!(in_status(status).ready(), Err(OrderingError::CannotBeReadied)), "{status:?}");
        }
        assert!(matches!(Order::default().approve("l"), Err(OrderingError::CannotBeApproved)));
    }

    #[test]
    fn rejection_follows_the_saga_rules() {
        let mut order = pending();
        assert_eq!(fold(&mut order, |o| o.reject()), 1);
        assert_eq!(order.status, OrderStatus::Rejected);
        assert_eq!(fold(&mut order, |o| o.reject()), 0, "rejecting a rejected order is a no-op");
        assert_eq!(in_status(OrderStatus::Cancelled).reject().expect("no-op"), Vec::new());
        assert_eq!(in_status(OrderStatus::Approved).reject().expect("compensation"), [OrderEvent::Rejected {}]);
        for status in [OrderStatus::Ready, OrderStatus::Completed, OrderStatus::Unknown] {
            assert!(matches!(in_status(status).reject(), Err(OrderingError::CannotBeRejected)), "{status:?}");
        }
    }

    #[test]
    fn orders_can_be_cancelled_until_they_are_ready() {
        for status in [OrderStatus::Pending, OrderStatus::Approved] {
            let mut order = in_status(status);
            assert_eq!(
                order.cancel().expect("cancelled"),
                [OrderEvent::Canceled { customer_id: "c1".into(), payment_id: "pay1".into() }]
            );
            fold(&mut order, |o| o.cancel());
            assert_eq!(order.status, OrderStatus::Cancelled);
        }
        for status in [
            OrderStatus::Ready,
            OrderStatus::Completed,
            OrderStatus::Rejected,
            OrderStatus::Cancelled,
            OrderStatus::Unknown,
        ] {
            assert!(matches!(in_status(status).cancel(), Err(OrderingError::CannotBeCancelled)), "{status:?}");
        }
    }

    #[test]
    fn events_are_stored_with_the_original_names_and_go_fields() {
        let created = Order::default().create("c", "p", vec![item("p1", 999, 2)]).expect("created");
        let (name, data) = ddd::encode_event(&created[0]).expect("encoded");
        assert_eq!(name, "ordering.OrderCreated");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&data).expect("json"),
            serde_json::json!({ "CustomerID": "c", "PaymentID": "p", "ShoppingID": "", "Items": [{
                "ProductID": "p1", "StoreID": "s1", "StoreName": "Store", "ProductName": "Product p1",
                "Price": 9.99, "PriceCents": 999, "Quantity": 2 }] })
        );
        for (event, name, json) in [
            (OrderEvent::Rejected {}, "ordering.OrderRejected", "{}"),
            (OrderEvent::Approved { shopping_id: "l".into() }, "ordering.OrderApproved", r#"{"ShoppingID":"l"}"#),
            (
                OrderEvent::Canceled { customer_id: "c".into(), payment_id: "p".into() },
                "ordering.OrderCanceled",
                r#"{"CustomerID":"c","PaymentID":"p"}"#,
            ),
            (
                OrderEvent::Readied(Readied { customer_id: "c".into(), payment_id: "p".into(), total: Cents(330) }),
                "ordering.OrderReadied",
                r#"{"CustomerID":"c","PaymentID":"p","Total":3.3,"TotalCents":330}"#,
            ),
            (
                OrderEvent::Completed { customer_id: "c".into(), invoice_id: "i".into() },
                "ordering.OrderCompleted",
                r#"{"CustomerID":"c","InvoiceID":"i"}"#,
            ),
        ] {
            let (stored_name, data) = ddd::encode_event(&event).expect("encoded");
            assert_eq!((stored_name.as_str(), String::from_utf8_lossy(&data).as_ref()), (name, json));
            assert_eq!(ddd::decode_event::<OrderEvent>(name, json.as_bytes()).expect("decoded"), event);
        }
        // the original's data (dollars only) still decodes
        let old = br#"{"CustomerID":"c","PaymentID":"p","Total":5.8}"#;
        let event: OrderEvent = ddd::decode_event("ordering.OrderReadied", old).expect("decoded");
        assert!(matches!(event, OrderEvent::Readied(Readied { total: Cents(580), .. })));
    }

    #[test]
    fn snapshots_round_trip() {
        let mut order = pending();
        fold(&mut order, |o| o.approve("list-1"));
        fold(&mut order, |o| o.cancel());
        let json = serde_json::to_value(order.to_snapshot()).expect("snapshot");
        assert_eq!(json["Status"], "cancelled");
        assert_eq!(json["ShoppingID"], "list-1");
        assert_eq!(Order::from_snapshot(serde_json::from_value(json).expect("decoded")), order);
    }
}

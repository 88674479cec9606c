//! Helpers shared by the ordering black-box suites: spawning the ordering module on a backend, publishing the
//! messages other contexts would publish (checkouts, saga commands, completed shopping lists, paid invoices), and
//! reading what ordering put in its outbox and in its event store (the stream, replies, dead letters and metrics are
//! read with `testkit::wire`).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::{basketspb, depotpb, orderingpb, paymentspb};
use database::sqlx::{self, Row};
use prost::Message as _;
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;
pub use testkit::wire::{assert_error, with_saga_metadata};

pub const ORDER_EVENTS: &str = "ordering.events.Order";
pub const REPLIES: &str = contracts::names::COSEC_CREATE_ORDER_REPLIES;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(ordering::OrderingModule)]).await
}

/// A message as another context would publish it.
pub fn message(subject: &str, name: &str, payload: impl prost::Message) -> messaging::Message {
    messaging::Message::new(subject, name, payload)
}

/// A `basketsapi.BasketCheckedOut` of basket `id`: two lines (3 × 1.10 and 1 × 2.50, total 5.80).
pub fn checkout(id: &str) -> messaging::Message {
    let item = |product: &str, name: &str, price: f64, quantity: i32| basketspb::basket_checked_out::Item {
        store_id: "store-1".into(),
        product_id: product.into(),
        store_name: "Waldorf Books".into(),
        product_name: name.into(),
        price,
        quantity,
    };
    message(
        "baskets.events.Basket",
        "basketsapi.BasketCheckedOut",
        basketspb::BasketCheckedOut {
            id: id.to_owned(),
            customer_id: "customer-1".into(),
            payment_id: "payment-1".into(),
            items: vec![item("product-b", "Pen", 1.10, 3), item("product-a", "Book", 2.50, 1)],
        },
    )
}

/// Publishes a checkout of a new basket and waits for its order; returns the order id.
pub async fn order_from_checkout(app: &TestApp) -> String {
    let id = ddd::new_id();
    app.publish(&checkout(&id)).await;
    wait_for_status(app, &id, "pending").await;
    id
}

/// The order's status over REST (`None` while it does not exist).
pub async fn status(app: &TestApp, id: &str) -> Option<String> {
    let (code, body) = app.get(&format!("/api/ordering/{id}")).await;
    (code == 200).then(|| body["order"]["status"].as_str().unwrap_or_default().to_owned())
}

pub async fn wait_for_status(app: &TestApp, id: &str, expected: &str) {
    let mut last = None;
    testkit::wait_until(&format!("order {id} to be {expected}"), async || {
        last = status(app, id).await;
        last.as_deref() == Some(expected)
    })
    .await;
}

pub fn approve_order(app: &TestApp, order_id: &str, saga_id: &str) -> messaging::Message {
    let command = orderingpb::ApproveOrder { id: order_id.to_owned(), shopping_id: "list-1".into() };
    with_saga_metadata(app, message("ordering.commands", "ordersapi.ApproveOrder", command), saga_id)
}

pub fn reject_order(app: &TestApp, order_id: &str, saga_id: &str) -> messaging::Message {
    let command = orderingpb::RejectOrder { id: order_id.to_owned() };
    with_saga_metadata(app, message("ordering.commands", "ordersapi.RejectOrder", command), saga_id)
}

pub fn shopping_list_completed(order_id: &str) -> messaging::Message {
    let event = depotpb::ShoppingListCompleted { id: ddd::new_id(), order_id: order_id.to_owned() };
    message("depot.events.ShoppingList", "depotapi.ShoppingListCompleted", event)
}

pub fn invoice_paid(order_id: &str, invoice_id: &str) -> messaging::Message {
    let event = paymentspb::InvoicePaid { id: invoice_id.to_owned(), order_id: order_id.to_owned() };
    message("payments.events.Invoice", "paymentsapi.InvoicePaid", event)
}

/// The ordering outbox messages about order `id`, in write order.
pub async fn order_events(app: &TestApp, id: &str) -> Vec<messaging::Message> {
    app.outbox("ordering")
        .await
        .into_iter()
        .filter(|m| {
            // every order event carries the order id in field 1
            let about = orderingpb::OrderRejected::decode(m.payload.as_slice()).map(|e| e.id).unwrap_or_default();
            m.subject == ORDER_EVENTS && about == id
        })
        .collect()
}

/// The names of [`order_events`].
pub async fn order_event_names(app: &TestApp, id: &str) -> Vec<String> {
    order_events(app, id).await.into_iter().map(|m| m.name).collect()
}

/// How many events the order's stream holds in the event store.
pub async fn stored_events(app: &TestApp, id: &str) -> i64 {
    let table = app.app.db.table("ordering", "events");
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE stream_id = $1")))
        .bind(id)
        .fetch_one(app.app.db.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count")
}

//! Helpers shared by the notifications suites: spawning the module, building the integration events it consumes as
//! their producers would, and reading the REST list (publishing, also past the broker's de-duplication, and dead
//! letters are `testkit::wire`'s).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use contracts::{customerspb, orderingpb};
use messaging::Message;
use serde_json::Value;
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(notifications::NotificationsModule)]).await
}

pub fn customer_registered(id: &str, name: &str, sms: &str) -> Message {
    Message::new(
        names::CUSTOMERS_CUSTOMER_EVENTS,
        names::customers::CUSTOMER_REGISTERED,
        customerspb::CustomerRegistered { id: id.into(), name: name.into(), sms_number: sms.into() },
    )
}

pub fn sms_changed(id: &str, sms: &str) -> Message {
    Message::new(
        names::CUSTOMERS_CUSTOMER_EVENTS,
        names::customers::CUSTOMER_SMS_CHANGED,
        customerspb::CustomerSmsChanged { id: id.into(), sms_number: sms.into() },
    )
}

fn order_event(name: &str, payload: impl prost::Message) -> Message {
    Message::new(names::ORDERING_ORDER_EVENTS, name, payload)
}

pub fn order_created(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_CREATED,
        orderingpb::OrderCreated {
            id: order.into(),
            customer_id: customer.into(),
            payment_id: "payment-1".into(),
            shopping_id: String::new(),
            items: vec![orderingpb::order_created::Item {
                product_id: "product-1".into(),
                store_id: "store-1".into(),
                price: 1.10,
                quantity: 3,
            }],
        },
    )
}

pub fn order_approved(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_APPROVED,
        orderingpb::OrderApproved { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_rejected(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_REJECTED,
        orderingpb::OrderRejected { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_readied(order: &str, customer: &str, total: f64) -> Message {
    order_event(
        names::ordering::ORDER_READIED,
        orderingpb::OrderReadied {
            id: order.into(),
            customer_id: customer.into(),
            payment_id: "payment-1".into(),
            total,
        },
    )
}

pub fn order_canceled(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_CANCELED,
        orderingpb::OrderCanceled { id: order.into(), customer_id: customer.into(), payment_id: "payment-1".into() },
    )
}

pub fn order_completed(order: &str, customer: &str) -> Message {
    order_event(
        names::ordering::ORDER_COMPLETED,
        orderingpb::OrderCompleted { id: order.into(), customer_id: customer.into(), invoice_id: order.into() },
    )
}

/// `GET /api/notifications/customers/{id}`.
pub async fn list(app: &TestApp, customer: &str) -> (u16, Value) {
    app.get(&format!("/api/notifications/customers/{customer}")).await
}

/// The notifications of `customer`, waiting until there are `count` of them.
pub async fn wait_for_notifications(app: &TestApp, customer: &str, count: usize) -> Vec<Value> {
    let mut found = Vec::new();
    testkit::wait_until(&format!("{count} notifications for {customer}"), async || {
        let (status, body) = list(app, customer).await;
        found = if status == 200 { body["notifications"].as_array().cloned().unwrap_or_default() } else { Vec::new() };
        found.len() >= count
    })
    .await;
    found
}

/// Waits until the customers cache knows `customer` (the list answers 200 instead of asking the owner).
pub async fn wait_until_cached(app: &TestApp, customer: &str) {
    testkit::wait_until(&format!("customer {customer} cached"), async || list(app, customer).await.0 == 200).await;
}

//! Helpers shared by the payments black-box suites: spawning the module on a backend, authorizing payments over
//! REST, and building commands as the saga sends them (the stream, replies, dead letters and the outbox are read
//! with `testkit::wire`).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use serde_json::json;
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;
pub use testkit::wire::with_saga_metadata;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(payments::PaymentsModule)]).await
}

/// Authorizes a payment over REST and returns its id.
pub async fn authorize(app: &TestApp, customer_id: &str, amount: f64) -> String {
    let (status, body) = app.post("/api/payments", json!({ "customerId": customer_id, "amount": amount })).await;
    assert_eq!(status, 200, "authorize {customer_id} {amount}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A command `name` on `payments.commands` with the saga metadata of a new saga.
pub fn command(app: &TestApp, name: &str, payload: impl prost::Message) -> messaging::Message {
    with_saga_metadata(app, messaging::Message::new(names::PAYMENTS_COMMANDS, name, payload), &ddd::new_id())
}

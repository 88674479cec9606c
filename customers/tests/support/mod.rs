//! Helpers shared by the black-box suites: spawning the customers module on a backend, registering customers, and
//! building commands as the original saga sends them (the stream, replies, dead letters and metrics are read with
//! `testkit::wire`).
#![allow(dead_code)]

use std::sync::Arc;

use contracts::names;
use serde_json::json;
use testkit::app::{AppBackend, TestApp};

pub use testkit::app::app_backends;
pub use testkit::wire::with_saga_metadata;

pub async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(customers::CustomersModule)]).await
}

/// Registers a customer over REST and returns its id.
pub async fn register(app: &TestApp, name: &str, sms: &str) -> String {
    let (status, body) = app.post("/api/customers", json!({ "name": name, "smsNumber": sms })).await;
    assert_eq!(status, 200, "register {name}: {body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A command `name` on `customers.commands` carrying `payload` as it is, with the saga metadata of `saga_id`.
pub fn command(app: &TestApp, name: &str, payload: &[u8], saga_id: &str) -> messaging::Message {
    with_saga_metadata(app, testkit::message(names::CUSTOMERS_COMMANDS, name, payload), saga_id)
}

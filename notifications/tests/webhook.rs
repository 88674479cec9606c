//! The HTTP webhook SMS sender, on every backend: with `--sms-webhook-url` every SMS is POSTed as JSON to the
//! webhook (here a local axum server) and recorded; a failing webhook makes the delivery retry, and the SMS is still
//! recorded once.

mod support;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use support::*;
use testkit::app::TestApp;

/// A webhook that records every body it gets and answers 500 to the first `failures` requests.
#[derive(Clone, Default)]
struct Webhook {
    received: Arc<Mutex<Vec<Value>>>,
    failures: Arc<Mutex<usize>>,
}

impl Webhook {
    async fn serve(&self) -> String {
        let hook = self.clone();
        let router = axum::Router::new().route(
            "/sms",
            post(move |axum::Json(body): axum::Json<Value>| {
                let hook = hook.clone();
                async move {
                    hook.received.lock().expect("lock").push(body);
                    let mut failures = hook.failures.lock().expect("lock");
                    if *failures > 0 {
                        *failures -= 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        format!("http://{addr}/sms")
    }

    fn received(&self) -> Vec<Value> {
        self.received.lock().expect("lock").clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_gets_every_sms_as_json() {
    for backend in app_backends() {
        let hook = Webhook::default();
        *hook.failures.lock().expect("lock") = 1;
        let url = hook.serve().await;
        let app = TestApp::spawn_with(
            backend,
            vec![Arc::new(notifications::NotificationsModule)],
            &["--sms-webhook-url", &url],
        )
        .await;
        let customer = ddd::new_id();
        app.publish(&customer_registered(&customer, "Dave", "555-0404")).await;
        wait_until_cached(&app, &customer).await;
        let created = order_created("order-w", &customer);
        let readied = order_readied("order-w", &customer, 12.5);
        app.publish_all(&[created.clone(), readied.clone()]).await;

        let sent = wait_for_notifications(&app, &customer, 2).await;
        let expected = [
            json!({ "id": created.id, "to": "555-0404", "text": "Hi Dave, we have received your order order-w.",
                "orderId": "order-w", "customerId": customer, "kind": "created" }),
            json!({ "id": readied.id, "to": "555-0404",
                "text": "Hi Dave, your order order-w is ready for pickup. Amount due: $12.50.",
                "orderId": "order-w", "customerId": customer, "kind": "ready" }),
        ];
        let received = hook.received();
        // the first POST failed (500): the delivery was retried and the SMS recorded once
        assert_eq!(received.len(), 3, "{backend:?}: {received:?}");
        assert_eq!(received[0], expected[0], "{backend:?}");
        assert_eq!(&received[1..], &expected, "{backend:?}");
        assert_eq!(sent.len(), 2, "{backend:?}");
        assert_eq!(sent[1]["text"], expected[1]["text"], "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_webhook_records_nothing_and_dead_letters_the_event() {
    for backend in app_backends() {
        let hook = Webhook::default();
        *hook.failures.lock().expect("lock") = usize::MAX;
        let url = hook.serve().await;
        let app = TestApp::spawn_with(
            backend,
            vec![Arc::new(notifications::NotificationsModule)],
            &["--sms-webhook-url", &url, "--max-deliver", "2"],
        )
        .await;
        let customer = ddd::new_id();
        app.publish(&customer_registered(&customer, "Eve", "555-0505")).await;
        wait_until_cached(&app, &customer).await;
        let created = order_created("order-x", &customer);
        app.publish(&created).await;
        testkit::wait_until("the event dead-lettered", async || {
            !app.dead_letters("notification-orders").await.is_empty()
        })
        .await;
        let letters = app.dead_letters("notification-orders").await;
        assert_eq!(letters[0].message_id, created.id, "{backend:?}");
        assert!(letters[0].error.contains("the SMS gateway is unavailable"), "{backend:?}: {letters:?}");
        assert_eq!(hook.received().len(), 2, "{backend:?}");
        assert_eq!(list(&app, &customer).await.1, json!({ "notifications": [] }), "{backend:?}: nothing recorded");
        app.stop().await;
    }
}

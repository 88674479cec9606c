//! Notifications driven by the integration events, on every backend: one SMS per order event with the right kind,
//! number and text, never two for one message (broker re-publish or a redelivery past the broker's
//! de-duplication), SMS number changes followed, and the customers module asked when the cache has never seen the
//! customer (in another process, as in the microservices topology).

mod support;

use std::sync::Arc;

use serde_json::Value;
use support::*;
use testkit::app::TestApp;

/// The SMS number in the customers cache.
async fn cached_number(app: &TestApp, customer: &str) -> Option<String> {
    use database::sqlx::{self, Row};
    let table = app.app.db.table("notifications", "customers_cache");
    let select = format!("SELECT sms_number FROM {table} WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(select))
        .bind(customer)
        .fetch_optional(app.app.db.pool())
        .await
        .expect("cache row")
        .map(|row| row.try_get(0).expect("sms_number"))
}

fn kinds_and_texts(list: &[Value]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap_or_default().to_owned(),
                n["smsNumber"].as_str().unwrap_or_default().to_owned(),
                n["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_event_texts_the_customer_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let customer = ddd::new_id();
        app.publish(&customer_registered(&customer, "Ann", "555-0100")).await;
        wait_until_cached(&app, &customer).await;
        assert_eq!(list(&app, &customer).await.1, serde_json::json!({ "notifications": [] }), "{backend:?}");

        let (first, second, third) = ("order-1", "order-2", "order-3");
        let events = vec![
            order_created(first, &customer),
            order_approved(first, &customer),
            order_readied(first, &customer, 3.30),
            order_completed(first, &customer),
            order_created(second, &customer),
            order_rejected(second, &customer),
            order_created(third, &customer),
            order_canceled(third, &customer),
        ];
        app.publish_all(&events).await;
        // the same messages again: the broker (or the database stream) keeps one of each
        app.publish_all(&events).await;
        let sent = wait_for_notifications(&app, &customer, events.len()).await;
        let expected = [
            ("created", "Hi Ann, we have received your order order-1."),
            ("approved", "Hi Ann, your order order-1 has been approved and is being picked."),
            ("ready", "Hi Ann, your order order-1 is ready for pickup. Amount due: $3.30."),
            ("completed", "Hi Ann, your order order-1 is complete. Thank you for shopping at MallBots!"),
            ("created", "Hi Ann, we have received your order order-2."),
            ("rejected", "Hi Ann, sorry, your order order-2 could not be accepted."),
            ("created", "Hi Ann, we have received your order order-3."),
            ("canceled", "Hi Ann, your order order-3 has been canceled."),
        ]
        .map(|(kind, text)| (kind.to_owned(), "555-0100".to_owned(), text.to_owned()));
        assert_eq!(kinds_and_texts(&sent), expected, "{backend:?}");
        let orders: Vec<&str> = sent.iter().map(|n| n["orderId"].as_str().unwrap_or_default()).collect();
        assert_eq!(orders, [first, first, first, first, second, second, third, third], "{backend:?}");
        for (notification, event) in sent.iter().zip(&events) {
            assert_eq!(notification["id"], event.id.as_str(), "{backend:?}: the SMS id is the message id");
            let sent_at = notification["sentAt"].as_str().unwrap_or_default();
            assert!(sent_at.ends_with('Z') && sent_at.contains('T'), "{backend:?}: {sent_at}");
        }

        // a redelivery past the broker's de-duplication: only the inbox can tell, and it does
        for event in &events[..3] {
            app.publish_past_broker_dedup(event).await;
        }
        let marker = order_canceled("order-4", &customer);
        app.publish_past_broker_dedup(&marker).await;
        let sent = wait_for_notifications(&app, &customer, events.len() + 1).await;
        assert_eq!(sent.len(), events.len() + 1, "{backend:?}: {sent:?}");
        assert_eq!(sent[events.len()]["orderId"], "order-4", "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_number_changes_are_followed() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let customer = ddd::new_id();
        app.publish_all(&[customer_registered(&customer, "Bob", "555-0001"), sms_changed(&customer, "555-0002")]).await;
        // a change for a customer the cache never saw is dropped without failing the consumer
        app.publish(&sms_changed("nobody", "555-9999")).await;
        testkit::wait_until("the new number cached", async || {
            cached_number(&app, &customer).await.as_deref() == Some("555-0002")
        })
        .await;
        app.publish(&order_created("order-5", &customer)).await;
        wait_for_notifications(&app, &customer, 1).await;
        let (_, body) = list(&app, &customer).await;
        let last = body["notifications"].as_array().and_then(|l| l.last().cloned()).unwrap_or_default();
        assert_eq!(last["smsNumber"], "555-0002", "{backend:?}");
        assert!(app.dead_letters("notification-customers").await.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_the_cache_never_saw_is_asked_of_the_customers_module() {
    for backend in app_backends() {
        // customers runs in its own process with its own stream: notifications never sees its events
        let owner = TestApp::spawn(backend, vec![Arc::new(customers::CustomersModule)]).await;
        let (status, body) =
            owner.post("/api/customers", serde_json::json!({ "name": "Carol", "smsNumber": "555-0303" })).await;
        assert_eq!(status, 200, "{body}");
        let customer = body["id"].as_str().expect("id").to_owned();

        let rpc = format!("CUSTOMERS={}", owner.rpc_addr);
        let app =
            TestApp::spawn_with(backend, vec![Arc::new(notifications::NotificationsModule)], &["--rpc-services", &rpc])
                .await;
        // a known customer without notifications lists nothing; an unknown one is 404
        assert_eq!(list(&app, &customer).await, (200, serde_json::json!({ "notifications": [] })), "{backend:?}");
        let (status, body) = list(&app, "no-such-customer").await;
        assert_eq!(
            (status, &body["code"], &body["message"]),
            (404, &Value::from(5), &Value::from("customer not found"))
        );

        app.publish(&order_created("order-9", &customer)).await;
        let sent = wait_for_notifications(&app, &customer, 1).await;
        assert_eq!(
            kinds_and_texts(&sent),
            [(
                "created".to_owned(),
                "555-0303".to_owned(),
                "Hi Carol, we have received your order order-9.".to_owned()
            )],
            "{backend:?}"
        );
        // an order of a customer nobody knows is acknowledged without an SMS
        app.publish_all(&[order_created("order-10", "no-such-customer"), order_canceled("order-9", &customer)]).await;
        wait_for_notifications(&app, &customer, 2).await;
        assert!(app.dead_letters("notification-orders").await.is_empty(), "{backend:?}");
        assert_eq!(list(&app, "no-such-customer").await.0, 404, "{backend:?}");
        app.stop().await;
        owner.stop().await;
    }
}

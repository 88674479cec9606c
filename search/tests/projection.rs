//! The order read model on every backend: every status followed, the exact total, names from the caches, one
//! change per message however often it is delivered, and events that arrive out of order.

mod support;

use serde_json::{Value, json};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_follow_every_status_with_names_and_exact_totals() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        app.publish(&customer_registered("c-1", "Ann")).await;
        app.publish_all(&[
            store_created("s-1", "Toys"),
            store_created("s-2", "Books"),
            store_rebranded("s-2", "Books & More"),
        ])
        .await;
        app.publish_all(&[
            product_added("p-1", "s-1", "Robot", 1.10),
            product_added("p-2", "s-2", "Novel", 9.99),
            product_rebranded("p-2", "Novel (2nd ed.)"),
        ])
        .await;
        wait_for_caches(&app, 1, 2, 2).await;

        let lines = [("p-1", "s-1", 1.10, 3), ("p-2", "s-2", 9.99, 1)];
        let created = order_created("o-1", "c-1", &lines);
        app.publish(&created).await;
        let order = wait_for_status(&app, "o-1", "New").await;
        let created_at = rfc3339(created.occurred_at);
        assert_eq!(
            order,
            json!({
                "orderId": "o-1",
                "customerId": "c-1",
                "customerName": "Ann",
                "items": [
                    { "productId": "p-1", "storeId": "s-1", "productName": "Robot", "storeName": "Toys",
                      "price": 1.1, "quantity": "3" },
                    { "productId": "p-2", "storeId": "s-2", "productName": "Novel (2nd ed.)",
                      "storeName": "Books & More", "price": 9.99, "quantity": "1" },
                ],
                "total": 13.29,
                "status": "New",
                "createdAt": created_at,
            }),
            "{backend:?}"
        );

        for (event, status) in [("approved", "Approved"), ("readied", "Ready For Pickup"), ("completed", "Completed")] {
            app.publish(&order_event(event, "o-1", "c-1")).await;
            wait_for_status(&app, "o-1", status).await;
        }
        app.publish_all(&[order_created("o-2", "c-1", &lines[..1]), order_event("rejected", "o-2", "c-1")]).await;
        app.publish_all(&[order_created("o-3", "c-1", &lines[1..]), order_event("approved", "o-3", "c-1")]).await;
        app.publish(&order_event("canceled", "o-3", "c-1")).await;
        let rejected = wait_for_status(&app, "o-2", "Rejected").await;
        assert_eq!(rejected["total"], json!(3.3), "{backend:?}: 3 × 1.10 is exactly 3.30");
        wait_for_status(&app, "o-3", "Canceled").await;

        // a repeated OrderCreated (another message for the same order) never moves an order back
        app.publish_all(&[order_created("o-1", "c-1", &lines), order_event("approved", "o-1", "c-1")]).await;
        let marker = order_created("o-4", "c-1", &lines[..1]);
        app.publish(&marker).await;
        wait_for_status(&app, "o-4", "New").await;
        assert_eq!(get_order(&app, "o-1").await.1["order"]["status"], "Completed", "{backend:?}");

        let (status, body) = get_order(&app, "no-such-order").await;
        assert_eq!(status, 404, "{backend:?}");
        assert_eq!(body, json!({ "code": 5, "message": "order not found", "details": [] }), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_out_of_order_end_in_the_right_status() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        app.publish_all(&[customer_registered("c-1", "Ann"), store_created("s-1", "Toys")]).await;
        app.publish(&product_added("p-1", "s-1", "Robot", 2.5)).await;
        wait_for_caches(&app, 1, 1, 1).await;

        // the order is readied before search hears it was created: kept, but hidden until the details arrive
        app.publish_all(&[order_event("readied", "o-late", "c-1"), order_event("approved", "o-late", "c-1")]).await;
        testkit::wait_until("the early status stored", async || count(&app, "orders").await == 1).await;
        assert_eq!(get_order(&app, "o-late").await.0, 404, "{backend:?}");
        let (ids, _) = search(&app, json!({})).await;
        assert!(ids.is_empty(), "{backend:?}: {ids:?}");

        app.publish(&order_created("o-late", "c-1", &[("p-1", "s-1", 2.5, 2)])).await;
        let order = wait_for_status(&app, "o-late", "Ready For Pickup").await;
        assert_eq!((&order["customerName"], &order["total"]), (&json!("Ann"), &json!(5.0)), "{backend:?}");

        // completed, then a stale "approved" and a redelivered "readied": the order stays completed
        let readied = order_event("readied", "o-late", "c-1");
        app.publish_all(&[order_event("completed", "o-late", "c-1"), order_event("approved", "o-late", "c-1")]).await;
        app.publish_past_broker_dedup(&readied).await;
        let marker = order_created("o-marker", "c-1", &[]);
        app.publish_past_broker_dedup(&marker).await;
        wait_for_status(&app, "o-marker", "New").await;
        assert_eq!(get_order(&app, "o-late").await.1["order"]["status"], "Completed", "{backend:?}");
        assert!(app.dead_letters("search-orders").await.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_published_twice_changes_the_read_model_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        app.publish_all(&[customer_registered("c-1", "Ann"), store_created("s-1", "Toys")]).await;
        app.publish(&product_added("p-1", "s-1", "Robot", 1.0)).await;
        wait_for_caches(&app, 1, 1, 1).await;
        let created = order_created("o-1", "c-1", &[("p-1", "s-1", 1.0, 1)]);
        app.publish(&created).await;
        app.publish(&created).await;
        app.publish_past_broker_dedup(&created).await;
        let marker = order_created("o-2", "c-1", &[("p-1", "s-1", 1.0, 2)]);
        app.publish_past_broker_dedup(&marker).await;
        wait_for_status(&app, "o-2", "New").await;
        // one inbox row per message id: the three extra deliveries of `created` changed nothing
        let inbox = app.app.db.table("search", "inbox");
        let select = format!("SELECT id FROM {inbox} WHERE name = 'ordersapi.OrderCreated' ORDER BY id");
        let handled: Vec<String> = {
            use database::sqlx::{self, Row};
            sqlx::query(sqlx::AssertSqlSafe(select))
                .fetch_all(app.app.db.pool())
                .await
                .expect("inbox rows")
                .iter()
                .map(|row| row.try_get(0).expect("id"))
                .collect()
        };
        let mut expected = vec![created.id.clone(), marker.id.clone()];
        expected.sort();
        assert_eq!(handled, expected, "{backend:?}");
        assert_eq!((count(&app, "orders").await, count(&app, "order_items").await), (2, 2), "{backend:?}");
        let order: Value = get_order(&app, "o-1").await.1["order"].clone();
        assert_eq!(order["items"].as_array().map(Vec::len), Some(1), "{backend:?}");
        app.stop().await;
    }
}

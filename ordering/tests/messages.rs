//! The ordering context on the stream, on every backend: orders from checkouts (exactly once), the saga's
//! ApproveOrder/RejectOrder commands and their replies, and the fulfilment tail (shopping list completed → ready,
//! invoice paid → completed) with every status change published as `ordersapi.*`.

mod support;

use contracts::orderingpb;
use prost::Message as _;
use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_becomes_one_order_however_often_it_is_delivered() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let basket = ddd::new_id();
        let first = checkout(&basket);
        app.publish(&first).await;
        wait_for_status(&app, &basket, "pending").await;
        let (_, body) = app.get(&format!("/api/ordering/{basket}")).await;
        assert_eq!(
            body,
            json!({ "order": { "id": basket, "customerId": "customer-1", "paymentId": "payment-1", "status": "pending",
                "items": [
                    { "storeId": "store-1", "productId": "product-b", "storeName": "Waldorf Books", "productName": "Pen",
                      "price": 1.1, "quantity": 3 },
                    { "storeId": "store-1", "productId": "product-a", "storeName": "Waldorf Books", "productName": "Book",
                      "price": 2.5, "quantity": 1 }
                ] } }),
            "{backend:?}: the order id is the basket id and keeps the basket's lines in order"
        );

        // the same message again (through the broker's de-duplication, then past it), and a new message about the
        // same basket
        app.publish(&first).await;
        app.publish_past_broker_dedup(&first).await;
        app.publish(&checkout(&basket)).await;
        // consumption is sequential: once a later checkout is an order, the duplicates have been handled
        let fence = order_from_checkout(&app).await;
        assert_ne!(fence, basket);

        assert_eq!(order_event_names(&app, &basket).await, ["ordersapi.OrderCreated"], "{backend:?}");
        assert_eq!(stored_events(&app, &basket).await, 1, "{backend:?}");
        let created =
            orderingpb::OrderCreated::decode(order_events(&app, &basket).await[0].payload.as_slice()).expect("payload");
        assert_eq!(created.id, basket);
        let lines: Vec<(&str, f64, i32)> =
            created.items.iter().map(|i| (i.product_id.as_str(), i.price, i.quantity)).collect();
        assert_eq!(lines, [("product-b", 1.1, 3), ("product-a", 2.5, 1)]);
        assert!(app.dead_letters("ordering-baskets").await.is_empty(), "{backend:?}");

        // and it reaches the stream for the saga
        let mut published = Vec::new();
        testkit::wait_until("the order events on the stream", async || {
            published = app.stream_messages(ORDER_EVENTS).await;
            published.len() >= 2
        })
        .await;
        assert!(published.iter().all(|m| m.name == "ordersapi.OrderCreated"), "{backend:?}");
        assert_eq!(published.len(), 2, "{backend:?}: one per basket");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_and_reject_commands_are_answered_with_the_saga_metadata() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let channel = format!("{}.cosec.replies.CreateOrder", app.stream_name);

        // approve a pending order
        let approved = order_from_checkout(&app).await;
        let saga = ddd::new_id();
        let reply = app.command(approve_order(&app, &approved, &saga)).await;
        assert_eq!(reply.name, "am.Success", "{backend:?}: {reply:?}");
        assert!(reply.payload.is_empty());
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));
        assert_eq!(reply.meta_str("REPLY_SAGA_ID"), Some(saga.as_str()));
        assert_eq!(reply.meta_str("REPLY_SAGA_NAME"), Some("cosec.CreateOrder"));
        assert_eq!(reply.meta_str("REPLY_REPLY_CHANNEL"), Some(channel.as_str()));
        assert!(!reply.metadata.keys().any(|k| k.starts_with("COMMAND_")), "{backend:?}: {reply:?}");
        assert_eq!(status(&app, &approved).await.as_deref(), Some("approved"));
        // approving again (the saga re-sends after a timeout with a new message id) is a success that changes nothing
        let again = app.command(approve_order(&app, &approved, &ddd::new_id())).await;
        assert_eq!(again.meta_str("REPLY_OUTCOME"), Some("SUCCESS"), "{backend:?}");
        assert_eq!(order_event_names(&app, &approved).await, ["ordersapi.OrderCreated", "ordersapi.OrderApproved"]);
        let event = orderingpb::OrderApproved::decode(order_events(&app, &approved).await[1].payload.as_slice())
            .expect("payload");
        assert_eq!(
            event,
            orderingpb::OrderApproved {
                id: approved.clone(),
                customer_id: "customer-1".into(),
                payment_id: "payment-1".into()
            }
        );

        // reject a pending order; rejecting again succeeds; approving a rejected order fails
        let rejected = order_from_checkout(&app).await;
        let saga = ddd::new_id();
        let reply = app.command(reject_order(&app, &rejected, &saga)).await;
        assert_eq!(
            (reply.name.as_str(), reply.meta_str("REPLY_OUTCOME")),
            ("am.Success", Some("SUCCESS")),
            "{backend:?}"
        );
        assert_eq!(reply.meta_str("REPLY_SAGA_ID"), Some(saga.as_str()));
        assert_eq!(status(&app, &rejected).await.as_deref(), Some("rejected"));
        let reply = app.command(reject_order(&app, &rejected, &ddd::new_id())).await;
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));
        let saga = ddd::new_id();
        let reply = app.command(approve_order(&app, &rejected, &saga)).await;
        assert_eq!(
            (reply.name.as_str(), reply.meta_str("REPLY_OUTCOME")),
            ("am.Failure", Some("FAILURE")),
            "{backend:?}"
        );
        assert_eq!(reply.meta_str("REPLY_SAGA_ID"), Some(saga.as_str()));
        assert_eq!(reply.meta_str("REPLY_SAGA_NAME"), Some("cosec.CreateOrder"));
        assert_eq!(order_event_names(&app, &rejected).await, ["ordersapi.OrderCreated", "ordersapi.OrderRejected"]);

        // the saga compensating after an approval rejects the approved order
        let reply = app.command(reject_order(&app, &approved, &ddd::new_id())).await;
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));
        assert_eq!(status(&app, &approved).await.as_deref(), Some("rejected"));

        // a cancelled order: approving fails, rejecting succeeds without a change
        let cancelled = order_from_checkout(&app).await;
        assert_eq!(app.delete(&format!("/api/ordering/{cancelled}")).await.0, 200);
        let reply = app.command(approve_order(&app, &cancelled, &ddd::new_id())).await;
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("FAILURE"), "{backend:?}");
        let reply = app.command(reject_order(&app, &cancelled, &ddd::new_id())).await;
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"), "{backend:?}");
        assert_eq!(status(&app, &cancelled).await.as_deref(), Some("cancelled"));

        // unknown orders: both fail
        for make in [approve_order, reject_order] {
            let reply = app.command(make(&app, &ddd::new_id(), &ddd::new_id())).await;
            assert_eq!(
                (reply.name.as_str(), reply.meta_str("REPLY_OUTCOME")),
                ("am.Failure", Some("FAILURE")),
                "{backend:?}"
            );
        }
        assert!(app.dead_letters("ordering-commands").await.is_empty(), "{backend:?}: refusals are answers");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_delivered_twice_is_answered_once_and_one_without_a_channel_is_dead_lettered() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let order = order_from_checkout(&app).await;
        let saga = ddd::new_id();
        let approve = approve_order(&app, &order, &saga);
        app.publish(&approve).await;
        assert_eq!(app.reply_for(&saga).await.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));
        app.publish(&approve).await;
        app.publish_past_broker_dedup(&approve).await;

        let mut orphan = approve_order(&app, &order, &ddd::new_id());
        orphan.metadata.remove("COMMAND_REPLY_CHANNEL");
        app.publish(&orphan).await;
        // a later command is answered only after the earlier ones were handled
        let later = app.command(approve_order(&app, &order, &ddd::new_id())).await;
        assert_eq!(later.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));

        let answers = app
            .stream_messages(REPLIES)
            .await
            .into_iter()
            .filter(|r| r.meta_str("REPLY_SAGA_ID") == Some(&saga))
            .count();
        assert_eq!(answers, 1, "{backend:?}: the inbox answers a command once");
        let dead = app.dead_letters("ordering-commands").await;
        assert_eq!(dead.len(), 1, "{backend:?}: {dead:?}");
        assert_eq!(dead[0].message_id, orphan.id);
        assert!(dead[0].error.contains("COMMAND_REPLY_CHANNEL"), "{dead:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fulfilment_moves_the_order_to_ready_and_completed_and_publishes_each_step() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let order = order_from_checkout(&app).await;
        app.command(approve_order(&app, &order, &ddd::new_id())).await;
        wait_for_status(&app, &order, "approved").await;

        let completed = shopping_list_completed(&order);
        app.publish(&completed).await;
        wait_for_status(&app, &order, "ready").await;
        // a second completion (another message) changes nothing; a ready order cannot be cancelled
        app.publish(&shopping_list_completed(&order)).await;
        assert_error(app.delete(&format!("/api/ordering/{order}")).await, 400, 3, "the order cannot be cancelled");

        app.publish(&invoice_paid(&order, &order)).await;
        wait_for_status(&app, &order, "completed").await;
        app.publish(&invoice_paid(&order, &order)).await;
        assert_error(app.delete(&format!("/api/ordering/{order}")).await, 400, 3, "the order cannot be cancelled");

        // the stream carries every step, in order
        let mut published = Vec::new();
        testkit::wait_until("four order events on the stream", async || {
            published = app.stream_messages(ORDER_EVENTS).await;
            published.len() >= 4
        })
        .await;
        let names: Vec<&str> = published.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["ordersapi.OrderCreated", "ordersapi.OrderApproved", "ordersapi.OrderReadied", "ordersapi.OrderCompleted"],
            "{backend:?}"
        );
        let readied = orderingpb::OrderReadied::decode(published[2].payload.as_slice()).expect("payload");
        assert_eq!(
            readied,
            orderingpb::OrderReadied {
                id: order.clone(),
                customer_id: "customer-1".into(),
                payment_id: "payment-1".into(),
                total: 5.8
            },
            "{backend:?}: 3 × 1.10 + 2.50, exact"
        );
        let done = orderingpb::OrderCompleted::decode(published[3].payload.as_slice()).expect("payload");
        assert_eq!(
            done,
            orderingpb::OrderCompleted {
                id: order.clone(),
                customer_id: "customer-1".into(),
                invoice_id: order.clone()
            }
        );
        assert_eq!(order_event_names(&app, &order).await.len(), 4, "{backend:?}: repeats publish nothing");
        assert!(app.dead_letters("ordering-depot").await.is_empty());
        assert!(app.dead_letters("ordering-payments").await.is_empty());
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_completed_before_the_approval_waits_for_it_and_stray_events_are_ignored() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        // a fast bot: the list is completed while the approval is still on its way
        let order = order_from_checkout(&app).await;
        app.publish(&shopping_list_completed(&order)).await;
        app.command(approve_order(&app, &order, &ddd::new_id())).await;
        wait_for_status(&app, &order, "ready").await;
        assert_eq!(
            order_event_names(&app, &order).await,
            ["ordersapi.OrderCreated", "ordersapi.OrderApproved", "ordersapi.OrderReadied"],
            "{backend:?}"
        );

        // an approved order cancelled by the customer publishes OrderCanceled; its late completion is ignored
        let cancelled = order_from_checkout(&app).await;
        app.command(approve_order(&app, &cancelled, &ddd::new_id())).await;
        assert_eq!(app.delete(&format!("/api/ordering/{cancelled}")).await, (200, json!({})), "{backend:?}");
        app.publish(&shopping_list_completed(&cancelled)).await;
        app.publish(&invoice_paid(&cancelled, "inv-x")).await;
        // events about unknown orders are ignored too
        app.publish(&shopping_list_completed(&ddd::new_id())).await;
        app.publish(&invoice_paid(&ddd::new_id(), "inv-y")).await;
        // fences: a later event on each subject was handled, so the stray ones were too
        let fence = order_from_checkout(&app).await;
        app.command(approve_order(&app, &fence, &ddd::new_id())).await;
        app.publish(&shopping_list_completed(&fence)).await;
        wait_for_status(&app, &fence, "ready").await;
        app.publish(&invoice_paid(&fence, "inv-z")).await;
        wait_for_status(&app, &fence, "completed").await;

        assert_eq!(status(&app, &cancelled).await.as_deref(), Some("cancelled"), "{backend:?}");
        assert_eq!(
            order_event_names(&app, &cancelled).await,
            ["ordersapi.OrderCreated", "ordersapi.OrderApproved", "ordersapi.OrderCanceled"],
            "{backend:?}"
        );
        assert!(app.dead_letters("ordering-depot").await.is_empty(), "{backend:?}");
        assert!(app.dead_letters("ordering-payments").await.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_load_the_same_from_snapshots() {
    for backend in app_backends() {
        let app = testkit::app::TestApp::spawn_with(
            backend,
            vec![std::sync::Arc::new(ordering::OrderingModule)],
            &["--snapshot-every", "2"],
        )
        .await;
        let order = order_from_checkout(&app).await;
        app.command(approve_order(&app, &order, &ddd::new_id())).await;
        app.publish(&shopping_list_completed(&order)).await;
        wait_for_status(&app, &order, "ready").await;
        app.publish(&invoice_paid(&order, "inv-1")).await;
        wait_for_status(&app, &order, "completed").await;
        let (_, body) = app.get(&format!("/api/ordering/{order}")).await;
        assert_eq!(body["order"]["items"].as_array().map(Vec::len), Some(2), "{backend:?}: {body}");

        let table = app.app.db.table("ordering", "snapshots");
        let row = database::sqlx::query(database::sqlx::AssertSqlSafe(format!(
            "SELECT snapshot_name, stream_version FROM {table} WHERE stream_id = $1"
        )))
        .bind(&order)
        .fetch_one(app.app.db.pool())
        .await
        .expect("a snapshot was written");
        use database::sqlx::Row as _;
        let (name, version): (String, i64) = (row.try_get(0).expect("name"), row.try_get(1).expect("version"));
        assert_eq!((name.as_str(), version), ("ordering.OrderV1", 4), "{backend:?}");
        // a repeated step decided on the snapshot still changes nothing
        let reply = app.command(approve_order(&app, &order, &ddd::new_id())).await;
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"));
        assert_eq!(stored_events(&app, &order).await, 4, "{backend:?}");
        app.stop().await;
    }
}

//! The depot context on the stream, on every backend, with the stores module beside it: the saga's depot
//! commands and their replies (idempotent by business key), the caches fed by store and product events, the
//! cleanup after `ordersapi.OrderCanceled`, and the bot fleet completing every available list exactly once.

mod support;

use std::collections::HashSet;

use contracts::{depotpb, names, orderingpb};
use serde_json::json;
use support::*;
use testkit::app::TestApp;
use testkit::wire::assert_outcome;

const CREATE: &str = "depotapi.CreateShoppingListCommand";
const CANCEL: &str = "depotapi.CancelShoppingListCommand";

fn create_command(order_id: &str, lines: &[(&str, &str, i32)]) -> depotpb::CreateShoppingList {
    depotpb::CreateShoppingList {
        order_id: order_id.to_owned(),
        items: lines
            .iter()
            .map(|(product, store, quantity)| depotpb::create_shopping_list::Item {
                product_id: (*product).to_owned(),
                store_id: (*store).to_owned(),
                quantity: *quantity,
            })
            .collect(),
    }
}

/// Sends `CreateShoppingListCommand`; returns (success, list id) from the `CreatedShoppingListReply`.
async fn create_by_command(app: &TestApp, order_id: &str, lines: &[(&str, &str, i32)]) -> (bool, String) {
    let reply = app.command(command(app, CREATE, create_command(order_id, lines))).await;
    assert_eq!(reply.name, "depotapi.CreatedShoppingListReply", "{reply:?}");
    let created: depotpb::CreatedShoppingList = reply.decode().expect("reply payload");
    (reply.meta_str("REPLY_OUTCOME") == Some("SUCCESS"), created.id)
}

async fn cancel(app: &TestApp, id: &str) -> messaging::Message {
    app.command(command(app, CANCEL, depotpb::CancelShoppingList { id: id.to_owned() })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_shopping_list_commands_are_idempotent_per_order() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let (p1, p2) = (add_product(&app, &store, "Eggs").await, add_product(&app, &store, "Ham").await);
        let order = ddd::new_id();

        let (ok, id) = create_by_command(&app, &order, &[(&p1, &store, 1), (&p2, &store, 2), (&p1, &store, 2)]).await;
        assert!(ok && !id.is_empty(), "{backend:?}");
        let found = list(&app, &id).await;
        assert_eq!((&found["orderId"], &found["status"]), (&json!(order), &json!("pending")), "{backend:?}");
        assert_eq!(found["stops"][&store]["items"][&p1], json!({ "name": "Eggs", "quantity": 3 }), "{backend:?}");
        assert_eq!(found["stops"][&store]["storeLocation"], "Mall", "{backend:?}");

        assert_eq!(
            create_by_command(&app, &order, &[(&p2, &store, 9)]).await,
            (true, id.clone()),
            "{backend:?}: re-sent"
        );

        let (ok, id) = create_by_command(&app, &ddd::new_id(), &[(&p1, &store, 1), (&ddd::new_id(), &store, 1)]).await;
        assert_eq!((ok, id.as_str()), (false, ""), "{backend:?}: an unknown product fails the command");
        assert!(app.dead_letters("depot-commands").await.is_empty(), "{backend:?}: refusals are answers");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiate_and_cancel_commands_follow_the_rules() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Eggs").await;
        let (_, id) = create_by_command(&app, &ddd::new_id(), &[(&product, &store, 1)]).await;

        assert_outcome(&initiate(&app, &id).await, true, "initiate");
        assert_eq!(list(&app, &id).await["status"], "available", "{backend:?}");
        assert_outcome(&initiate(&app, &id).await, true, "initiate again");
        assert_outcome(&cancel(&app, &id).await, true, "cancel");
        assert_eq!(list(&app, &id).await["status"], "canceled", "{backend:?}");
        assert_outcome(&cancel(&app, &id).await, true, "cancel again");
        assert_outcome(&initiate(&app, &id).await, false, "initiate a canceled list");
        assert_outcome(&cancel(&app, &ddd::new_id()).await, false, "cancel an unknown list");
        assert_outcome(&initiate(&app, &ddd::new_id()).await, false, "initiate an unknown list");

        let (_, done) = create_by_command(&app, &ddd::new_id(), &[(&product, &store, 1)]).await;
        assert_outcome(&initiate(&app, &done).await, true, "initiate");
        assert_eq!(app.put(&format!("/api/depot/shopping/{done}/assign"), json!({ "botId": "b" })).await.0, 200);
        assert_outcome(&initiate(&app, &done).await, true, "initiate an assigned list (a re-sent command)");
        assert_eq!(app.put(&format!("/api/depot/shopping/{done}/complete"), json!({})).await.0, 200);
        assert_outcome(&cancel(&app, &done).await, false, "cancel a completed list");
        assert_eq!(list(&app, &done).await["status"], "completed", "{backend:?}");
        app.stop().await;
    }
}

async fn order_canceled(app: &TestApp, order_id: &str) {
    let event = orderingpb::OrderCanceled { id: order_id.into(), customer_id: "c".into(), payment_id: "p".into() };
    app.publish(&messaging::Message::new(names::ORDERING_ORDER_EVENTS, "ordersapi.OrderCanceled", event)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canceled_order_cancels_its_list_unless_completed() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Eggs").await;
        let line = json!([{ "productId": product, "storeId": store, "quantity": 1 }]);
        let (open_order, done_order) = (ddd::new_id(), ddd::new_id());
        let open = create_list(&app, &open_order, line.clone()).await;
        let done = create_list(&app, &done_order, line).await;
        assert_outcome(&initiate(&app, &open).await, true, "initiate");
        assert_outcome(&initiate(&app, &done).await, true, "initiate");
        assert_eq!(app.put(&format!("/api/depot/shopping/{open}/assign"), json!({ "botId": "b" })).await.0, 200);
        assert_eq!(app.put(&format!("/api/depot/shopping/{done}/assign"), json!({ "botId": "b" })).await.0, 200);
        assert_eq!(app.put(&format!("/api/depot/shopping/{done}/complete"), json!({})).await.0, 200);

        order_canceled(&app, &done_order).await;
        order_canceled(&app, &ddd::new_id()).await;
        order_canceled(&app, &open_order).await;
        testkit::wait_until("the open list canceled", async || list(&app, &open).await["status"] == "canceled").await;
        assert_eq!(list(&app, &done).await["status"], "completed", "{backend:?}");
        assert!(app.dead_letters("depot-orders").await.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_and_product_events_keep_the_caches_current() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Old Name", "Mall").await;
        let product = add_product(&app, &store, "Eggs").await;
        let line = json!([{ "productId": product, "storeId": store, "quantity": 1 }]);
        let products_cache = app.app.db.table("depot", "products_cache");
        testkit::wait_until("the product cached from its event", async || {
            let sql = format!("SELECT COUNT(*) FROM {products_cache} WHERE id = $1");
            let n: i64 = database::sqlx::query_scalar(database::sqlx::AssertSqlSafe(sql))
                .bind(&product)
                .fetch_one(app.app.db.pool())
                .await
                .expect("count");
            n == 1
        })
        .await;

        assert_eq!(app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "New Name" })).await.0, 200);
        assert_eq!(
            app.put(
                &format!("/api/stores/products/{product}/rebrand"),
                json!({ "name": "Free-range eggs", "description": "" })
            )
            .await
            .0,
            200
        );
        testkit::wait_until("new lists use the new names", async || {
            let id = create_list(&app, &ddd::new_id(), line.clone()).await;
            let stop = list(&app, &id).await["stops"][&store].clone();
            stop["storeName"] == "New Name" && stop["items"][&product]["name"] == "Free-range eggs"
        })
        .await;

        assert_eq!(app.delete(&format!("/api/stores/products/{product}")).await.0, 200);
        testkit::wait_until("a removed product is unknown", async || {
            let (status, body) =
                app.post("/api/depot/shopping", json!({ "orderId": ddd::new_id(), "items": line })).await;
            status == 404 && body["message"] == "product not found"
        })
        .await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_complete_every_available_list_exactly_once() {
    const LISTS: usize = 8;
    for backend in app_backends() {
        let app = spawn_with(backend, &["--bots", "2", "--bot-pace", "10ms"]).await;
        let s1 = create_store(&app, "Store 1", "Mall 1").await;
        let s2 = create_store(&app, "Store 2", "Mall 2").await;
        let (p1, p2) = (add_product(&app, &s1, "Eggs").await, add_product(&app, &s2, "Ham").await);
        let mut orders = HashSet::new();
        let mut ids = HashSet::new();
        for _ in 0..LISTS {
            let order = ddd::new_id();
            let (ok, id) = create_by_command(&app, &order, &[(&p1, &s1, 1), (&p2, &s2, 1)]).await;
            assert!(ok, "{backend:?}");
            assert_eq!(list(&app, &id).await["status"], "pending", "{backend:?}: bots take only available lists");
            assert_outcome(&initiate(&app, &id).await, true, "initiate");
            orders.insert(order);
            ids.insert(id);
        }
        testkit::wait_until("every list completed by a bot", async || {
            let mut all = true;
            for id in &ids {
                all &= list(&app, id).await["status"] == "completed";
            }
            all
        })
        .await;
        for id in &ids {
            let bot = list(&app, id).await["assignedBotId"].as_str().expect("bot").to_owned();
            assert!(bot.starts_with("bot-"), "{backend:?}: {bot}");
        }
        let mut published = Vec::new();
        testkit::wait_until("every completion on the stream", async || {
            published = completed_on_stream(&app).await;
            published.len() >= LISTS
        })
        .await;
        assert_eq!(published.len(), LISTS, "{backend:?}: each list once");
        let published_ids: HashSet<String> = published.iter().map(|(id, _)| id.clone()).collect();
        let published_orders: HashSet<String> = published.iter().map(|(_, order)| order.clone()).collect();
        assert_eq!((published_ids, published_orders), (ids.clone(), orders.clone()), "{backend:?}");
        app.stop().await;
    }
}

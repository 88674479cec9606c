//! Black-box tests of the depot REST API (ORIGINAL.md §4.3 with TARGET.md's fixes), on every backend, with the
//! stores module beside it: list shapes (stops per store, duplicates added up), idempotent creation, the
//! assign/complete/cancel rules and texts, 404 for unknown ids, the fallback to the stores service at the owner's
//! address, and the API document.

mod support;

use std::sync::Arc;

use serde_json::json;
use support::*;
use testkit::app::TestApp;
use testkit::wire::{assert_error, assert_outcome};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_has_a_stop_per_store_and_duplicate_lines_add_up() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let s1 = create_store(&app, "Store 1", "Mall 1").await;
        let s2 = create_store(&app, "Store 2", "Mall 2").await;
        let (p1, p2) = (add_product(&app, &s1, "Apples").await, add_product(&app, &s1, "Pears").await);
        let p3 = add_product(&app, &s2, "Bread").await;
        let order = ddd::new_id();
        let items = json!([
            { "productId": p1, "storeId": s1, "quantity": 2 },
            { "productId": p3, "storeId": s2, "quantity": 1 },
            { "product_id": p1, "store_id": s1, "quantity": 3 },
            { "productId": p2, "quantity": 1 },
        ]);
        let id = create_list(&app, &order, items.clone()).await;
        assert_eq!(
            list(&app, &id).await,
            json!({
                "id": id,
                "orderId": order,
                "stops": {
                    s1.clone(): { "storeName": "Store 1", "storeLocation": "Mall 1", "items": {
                        p1.clone(): { "name": "Apples", "quantity": 5 },
                        p2.clone(): { "name": "Pears", "quantity": 1 },
                    } },
                    s2.clone(): { "storeName": "Store 2", "storeLocation": "Mall 2", "items": {
                        p3.clone(): { "name": "Bread", "quantity": 1 },
                    } },
                },
                "assignedBotId": "",
                "status": "pending",
            }),
            "{backend:?}"
        );
        assert_eq!(create_list(&app, &order, json!([])).await, id, "{backend:?}: one list per order");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_and_bad_lines_are_refused() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Milk").await;
        let unknown = ddd::new_id();
        assert_error(app.get(&format!("/api/depot/shopping/{unknown}")).await, 404, 5, "shopping list not found");
        assert_error(
            app.post(&format!("/api/depot/shopping/{unknown}"), json!({})).await,
            404,
            5,
            "shopping list not found",
        );
        assert_error(
            app.put(&format!("/api/depot/shopping/{unknown}/assign"), json!({ "botId": "b" })).await,
            404,
            5,
            "shopping list not found",
        );
        assert_error(
            app.put(&format!("/api/depot/shopping/{unknown}/complete"), json!({})).await,
            404,
            5,
            "shopping list not found",
        );
        let create = |items: serde_json::Value| {
            app.post("/api/depot/shopping", json!({ "orderId": ddd::new_id(), "items": items }))
        };
        assert_error(
            create(json!([{ "productId": unknown, "storeId": store, "quantity": 1 }])).await,
            404,
            5,
            "product not found",
        );
        assert_error(
            create(json!([{ "productId": product, "storeId": unknown, "quantity": 1 }])).await,
            404,
            5,
            "store not found",
        );
        assert_error(
            create(json!([{ "productId": product, "storeId": store, "quantity": 0 }])).await,
            400,
            3,
            "the item quantity must be at least 1",
        );
        assert_error(
            app.post("/api/depot/shopping", json!({ "orderId": " ", "items": [] })).await,
            400,
            3,
            "the order id cannot be blank",
        );
        let (status, body) = app.call_raw("POST", "/api/depot/shopping", b"{\"items\": 3}".to_vec()).await;
        assert_eq!((status, body["code"].as_i64()), (400, Some(3)), "{backend:?}: {body}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initiated_list_is_assigned_then_completed_and_published() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Milk").await;
        let order = ddd::new_id();
        let id = create_list(&app, &order, json!([{ "productId": product, "storeId": store, "quantity": 1 }])).await;
        let path = format!("/api/depot/shopping/{id}");

        assert_error(
            app.put(&format!("{path}/assign"), json!({ "botId": "bot-7" })).await,
            400,
            3,
            "the shopping list cannot be assigned",
        );
        assert_error(
            app.put(&format!("{path}/complete"), json!({})).await,
            400,
            3,
            "the shopping list cannot be completed",
        );
        assert_outcome(&initiate(&app, &id).await, true, "initiate");
        assert_eq!(list(&app, &id).await["status"], "available", "{backend:?}");

        assert_eq!(app.put(&format!("{path}/assign"), json!({ "botId": "bot-7" })).await, (200, json!({})));
        let assigned = list(&app, &id).await;
        assert_eq!((&assigned["status"], &assigned["assignedBotId"]), (&json!("assigned"), &json!("bot-7")));
        assert_error(
            app.put(&format!("{path}/assign"), json!({ "botId": "bot-8" })).await,
            400,
            3,
            "the shopping list cannot be assigned",
        );

        assert_eq!(app.put(&format!("{path}/complete"), json!({})).await, (200, json!({})));
        assert_eq!(list(&app, &id).await["status"], "completed", "{backend:?}");
        let mut published = Vec::new();
        testkit::wait_until("ShoppingListCompleted on the stream", async || {
            published = completed_on_stream(&app).await;
            !published.is_empty()
        })
        .await;
        assert_eq!(published, [(id.clone(), order.clone())], "{backend:?}");
        assert_error(
            app.put(&format!("{path}/complete"), json!({})).await,
            400,
            3,
            "the shopping list cannot be completed",
        );
        assert_error(app.post(&path, json!({})).await, 400, 3, "the shopping list cannot be canceled");
        assert_eq!(app.outbox("depot").await.len(), 2, "{backend:?}: the initiate reply and one ShoppingListCompleted");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_is_canceled_once_over_rest() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Milk").await;
        let id =
            create_list(&app, &ddd::new_id(), json!([{ "productId": product, "storeId": store, "quantity": 1 }])).await;
        assert_eq!(app.post(&format!("/api/depot/shopping/{id}"), json!({})).await, (200, json!({})));
        assert_eq!(list(&app, &id).await["status"], "canceled", "{backend:?}");
        assert_error(
            app.post(&format!("/api/depot/shopping/{id}"), json!({})).await,
            400,
            3,
            "the shopping list cannot be canceled",
        );
        assert_outcome(&initiate(&app, &id).await, false, "a canceled list cannot be initiated");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_misses_ask_the_stores_service_at_the_owners_address() {
    for backend in app_backends() {
        // stores in one process, depot in another with its own stream: depot's caches never see a store event
        let owner = TestApp::spawn(backend, vec![Arc::new(stores::StoresModule)]).await;
        let address = format!("STORES={}", owner.rpc_addr);
        let depot =
            TestApp::spawn_with(backend, vec![Arc::new(depot::DepotModule)], &["--rpc-services", &address]).await;
        let store = create_store(&owner, "Far Store", "Far Mall").await;
        let product = add_product(&owner, &store, "Tea").await;

        let id = create_list(&depot, &ddd::new_id(), json!([{ "productId": product, "quantity": 2 }])).await;
        let found = list(&depot, &id).await;
        assert_eq!(
            found["stops"],
            json!({ store.clone(): { "storeName": "Far Store", "storeLocation": "Far Mall",
                "items": { product.clone(): { "name": "Tea", "quantity": 2 } } } }),
            "{backend:?}"
        );
        assert_error(
            depot
                .post(
                    "/api/depot/shopping",
                    json!({ "orderId": "o", "items": [{ "productId": ddd::new_id(), "quantity": 1 }] }),
                )
                .await,
            404,
            5,
            "product not found",
        );
        // the answers were cached: with the owner gone, the same lines still resolve
        owner.stop().await;
        create_list(&depot, &ddd::new_id(), json!([{ "productId": product, "storeId": store, "quantity": 1 }])).await;
        assert_error(
            depot
                .post(
                    "/api/depot/shopping",
                    json!({ "orderId": "o2", "items": [{ "productId": ddd::new_id(), "quantity": 1 }] }),
                )
                .await,
            503,
            14,
            "the stores service is unavailable",
        );
        depot.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_names_the_original_operations() {
    let app = spawn_with(app_backends()[0], &[]).await;
    let (status, doc) = app.get("/depot-spec/api.swagger.json").await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["info"]["title"], "Depot Operations");
    let text = doc.to_string();
    for operation in
        ["createShoppingList", "cancelShoppingList", "assignShoppingList", "ccompleteShoppingList", "getShoppingList"]
    {
        assert!(text.contains(&format!("\"operationId\":\"{operation}\"")), "{operation} missing: {text}");
    }
    assert!(text.contains("\"ShoppingList\""), "tag: {text}");
    app.stop().await;
}

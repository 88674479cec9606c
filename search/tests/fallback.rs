//! Names the caches never saw come from their owners over gRPC, on every backend: with customers and stores in
//! another process (the microservices topology, `RPC_SERVICES`), and in one process where an order can overtake the
//! cache consumers.

mod support;

use std::sync::Arc;

use serde_json::json;
use support::*;
use testkit::app::TestApp;

async fn create(owner: &TestApp, path: &str, body: serde_json::Value) -> String {
    let (status, response) = owner.post(path, body.clone()).await;
    assert_eq!(status, 200, "{path} {body}: {response}");
    response["id"].as_str().expect("id").to_owned()
}

/// A customer, a store and a product registered at `owner`: (customer, store, product).
async fn given_owned_data(owner: &TestApp) -> (String, String, String) {
    let customer = create(owner, "/api/customers", json!({ "name": "Carol", "smsNumber": "555-0303" })).await;
    let store = create(owner, "/api/stores", json!({ "name": "Corner Shop", "location": "Level 2" })).await;
    let product = create(
        owner,
        &format!("/api/stores/{store}/products"),
        json!({ "name": "Umbrella", "description": "d", "sku": "u-1", "price": 12.5 }),
    )
    .await;
    (customer, store, product)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_gets_its_names_from_the_owners_in_other_processes() {
    for backend in app_backends() {
        // the owners run with their own stream: search never sees their events
        let owner =
            TestApp::spawn(backend, vec![Arc::new(customers::CustomersModule), Arc::new(stores::StoresModule)]).await;
        let (customer, store, product) = given_owned_data(&owner).await;
        let services = format!("CUSTOMERS={0},STORES={0}", owner.rpc_addr);
        let app =
            TestApp::spawn_with(backend, vec![Arc::new(search::SearchModule)], &["--rpc-services", &services]).await;

        app.publish(&order_created("o-1", &customer, &[(&product, &store, 12.5, 2)])).await;
        let order = wait_for_status(&app, "o-1", "New").await;
        assert_eq!(order["customerName"], "Carol", "{backend:?}");
        assert_eq!(
            order["items"][0],
            json!({ "productId": product, "storeId": store, "productName": "Umbrella", "storeName": "Corner Shop",
                "price": 12.5, "quantity": "2" }),
            "{backend:?}"
        );
        assert_eq!(order["total"], json!(25.0), "{backend:?}");
        // the answers were cached
        assert_eq!(
            (
                count(&app, "customers_cache").await,
                count(&app, "stores_cache").await,
                count(&app, "products_cache").await
            ),
            (1, 1, 1),
            "{backend:?}"
        );

        // ids nobody knows: the order is still projected, without names
        app.publish(&order_created("o-2", "no-customer", &[("no-product", "no-store", 1.0, 1)])).await;
        let order = wait_for_status(&app, "o-2", "New").await;
        assert_eq!((&order["customerName"], &order["items"][0]["productName"]), (&json!(""), &json!("")));
        assert!(app.dead_letters("search-orders").await.is_empty(), "{backend:?}");
        app.stop().await;
        owner.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_that_overtakes_the_caches_still_gets_its_names() {
    for backend in app_backends() {
        let app = TestApp::spawn(
            backend,
            vec![Arc::new(customers::CustomersModule), Arc::new(stores::StoresModule), Arc::new(search::SearchModule)],
        )
        .await;
        let (customer, store, product) = given_owned_data(&app).await;
        // published at once: the order may well be handled before the cache consumers ran
        app.publish(&order_created("o-1", &customer, &[(&product, &store, 12.5, 1)])).await;
        let order = wait_for_status(&app, "o-1", "New").await;
        assert_eq!(order["customerName"], "Carol", "{backend:?}");
        assert_eq!(order["items"][0]["productName"], "Umbrella", "{backend:?}");
        assert_eq!(order["items"][0]["storeName"], "Corner Shop", "{backend:?}");

        // and the caches follow the owners' events
        let (status, _) = app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "Big Shop" })).await;
        assert_eq!(status, 200);
        testkit::wait_until("the rebrand cached", async || {
            let table = app.app.db.table("search", "stores_cache");
            let select = format!("SELECT COUNT(*) FROM {table} WHERE name = 'Big Shop'");
            use database::sqlx::{self, Row};
            sqlx::query(sqlx::AssertSqlSafe(select))
                .fetch_one(app.app.db.pool())
                .await
                .expect("count")
                .try_get::<i64, _>(0)
                .expect("count value")
                == 1
        })
        .await;
        app.publish(&order_created("o-2", &customer, &[(&product, &store, 12.5, 1)])).await;
        let order = wait_for_status(&app, "o-2", "New").await;
        assert_eq!(order["items"][0]["storeName"], "Big Shop", "{backend:?}");
        app.stop().await;
    }
}

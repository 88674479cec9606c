//! The store and product caches of the baskets context, on every backend: fed by the stores' events (creation,
//! renames, price changes, removal), and filled on a miss from the stores gRPC service — in this process, at
//! another process's address (`RPC_SERVICES`), or failing cleanly when that process cannot be reached.

mod support;

use std::sync::Arc;

use serde_json::json;
use support::*;
use testkit::app::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_and_product_events_keep_the_caches_current() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        // created after the basket module started: the events fill the caches
        let store = create_store(&app, "Waldorf Books").await;
        let product = add_product(&app, &store, "Book", 10.0).await;
        wait_for_cached_price(&app, &product, 1000).await;
        testkit::wait_until("the store in the cache", async || cached_store_name(&app, &store).await.is_some()).await;

        let first = start_basket(&app, "c1").await;
        assert_ok_empty(add_item(&app, &first, &product, 1).await);
        assert_eq!(basket(&app, &first).await["items"][0]["productPrice"], json!(10.0), "{backend:?}");

        // price changes travel as deltas and reach the cache
        let (status, body) =
            app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": 12.5 })).await;
        assert_eq!(status, 200, "{body}");
        wait_for_cached_price(&app, &product, 1250).await;
        let (status, _) =
            app.put(&format!("/api/stores/products/{product}/decreasePrice"), json!({ "price": 11.35 })).await;
        assert_eq!(status, 200);
        wait_for_cached_price(&app, &product, 1135).await;

        // renames reach the caches
        let (status, _) = app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "Waldorf Media" })).await;
        assert_eq!(status, 200);
        let (status, _) = app
            .put(&format!("/api/stores/products/{product}/rebrand"), json!({ "name": "E-Book", "description": "d" }))
            .await;
        assert_eq!(status, 200);
        testkit::wait_until("the renames in the caches", async || {
            cached_store_name(&app, &store).await.as_deref() == Some("Waldorf Media")
                && cached_product_name(&app, &product).await.as_deref() == Some("E-Book")
        })
        .await;

        let second = start_basket(&app, "c2").await;
        assert_ok_empty(add_item(&app, &second, &product, 2).await);
        assert_eq!(
            basket(&app, &second).await["items"],
            json!([{ "storeId": store, "productId": product, "storeName": "Waldorf Media", "productName": "E-Book",
                "productPrice": 11.35, "quantity": 2 }]),
            "{backend:?}"
        );
        // an item keeps what it was when it was added
        assert_eq!(basket(&app, &first).await["items"][0]["productName"], json!("Book"));

        // a removed product leaves the cache and can no longer be added
        let (status, _) = app.delete(&format!("/api/stores/products/{product}")).await;
        assert_eq!(status, 200);
        testkit::wait_until("the removal in the cache", async || cached_price(&app, &product).await.is_none()).await;
        assert_error(add_item(&app, &second, &product, 1).await, 404, 5, "product not found");
        // … but what the basket holds can still be taken out
        assert_ok_empty(remove_item(&app, &second, &product, 2).await);
        assert_eq!(basket(&app, &second).await["items"], json!([]));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_miss_falls_back_to_the_stores_service_and_is_cached() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "Store").await;
        let product = add_product(&app, &store, "Lamp", 20.0).await;
        let (status, _) =
            app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": 25.0 })).await;
        assert_eq!(status, 200);
        wait_for_cached_price(&app, &product, 2500).await;
        // as if the events had not arrived yet
        forget_cached(&app, &product, &store).await;
        assert_eq!(cached_price(&app, &product).await, None);

        let id = start_basket(&app, "c1").await;
        assert_ok_empty(add_item(&app, &id, &product, 1).await);
        assert_eq!(
            basket(&app, &id).await["items"],
            json!([{ "storeId": store, "productId": product, "storeName": "Store", "productName": "Lamp",
                "productPrice": 25.0, "quantity": 1 }]),
            "{backend:?}"
        );
        assert_eq!(cached_price(&app, &product).await, Some(2500), "{backend:?}: the answer was cached");
        assert_eq!(cached_store_name(&app, &store).await.as_deref(), Some("Store"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baskets_in_another_process_ask_the_stores_process_at_its_address() {
    for backend in app_backends() {
        // Stores alone; its products exist before the baskets process starts.
        let stores_app = TestApp::spawn(backend, vec![Arc::new(stores::StoresModule)]).await;
        let store = create_store(&stores_app, "Remote Store").await;
        let before = add_product(&stores_app, &store, "Before", 1.25).await;

        // Baskets alone, on its own database and stream: it never sees the stores' events, only its gRPC service.
        let rpc = format!("STORES={}", stores_app.rpc_addr);
        let baskets_app =
            TestApp::spawn_with(backend, vec![Arc::new(baskets::BasketsModule)], &["--rpc-services", &rpc]).await;
        let after = add_product(&stores_app, &store, "After", 2.5).await;

        let id = start_basket(&baskets_app, "c1").await;
        assert_ok_empty(add_item(&baskets_app, &id, &before, 1).await);
        assert_ok_empty(add_item(&baskets_app, &id, &after, 2).await);
        let items = basket(&baskets_app, &id).await["items"].clone();
        assert_eq!(
            items,
            json!([
                { "storeId": store, "productId": before, "storeName": "Remote Store", "productName": "Before",
                  "productPrice": 1.25, "quantity": 1 },
                { "storeId": store, "productId": after, "storeName": "Remote Store", "productName": "After",
                  "productPrice": 2.5, "quantity": 2 }
            ]),
            "{backend:?}"
        );
        assert_eq!(cached_price(&baskets_app, &before).await, Some(125));
        assert_eq!(cached_price(&baskets_app, &after).await, Some(250));
        assert_error(add_item(&baskets_app, &id, &ddd::new_id(), 1).await, 404, 5, "product not found");
        baskets_app.stop().await;
        stores_app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_stores_service_is_a_clean_error() {
    for backend in app_backends() {
        // Nothing listens on port 9 of the loopback interface: the connection is refused at once.
        let app = TestApp::spawn_with(
            backend,
            vec![Arc::new(baskets::BasketsModule)],
            &["--rpc-services", "STORES=127.0.0.1:9"],
        )
        .await;
        let id = start_basket(&app, "c1").await;
        let started = std::time::Instant::now();
        assert_error(add_item(&app, &id, &ddd::new_id(), 1).await, 503, 14, "product fallback failed");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{backend:?}: the 2 s timeout holds");
        app.stop().await;
    }
}

//! Black-box tests of the stores REST API (ORIGINAL.md §4.7 with TARGET.md's fixes), run on every backend:
//! exact JSON shapes, validation texts, 404 for unknown ids, bad input, concurrent commands, documents and metrics.

use std::sync::Arc;

use database::sqlx::{self, Row};
use serde_json::{Value, json};
use testkit::app::{AppBackend, TestApp, app_backends};
use testkit::wire::assert_error;

async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(stores::StoresModule)]).await
}

async fn create_store(app: &TestApp, name: &str, location: &str) -> String {
    let (status, body) = app.post("/api/stores", json!({ "name": name, "location": location })).await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["id"]);
    body["id"].as_str().expect("id").to_owned()
}

async fn add_product(app: &TestApp, store_id: &str, name: &str, price: f64) -> String {
    let (status, body) = app
        .post(
            &format!("/api/stores/{store_id}/products"),
            json!({ "name": name, "description": format!("{name} description"), "sku": format!("SKU-{name}"), "price": price }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

#[track_caller]
fn assert_ok_empty(response: (u16, Value)) {
    assert_eq!(response, (200, json!({})));
}

async fn raw_get(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = reqwest::get(format!("{}{}", app.base_url, path)).await.expect("request");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, response.text().await.expect("text"))
}

async fn count_events(app: &TestApp, stream_id: &str, name: &str) -> i64 {
    let table = app.app.db.table("stores", "events");
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} WHERE stream_id = $1 AND event_name = $2"
    )))
    .bind(stream_id)
    .bind(name)
    .fetch_one(app.app.db.pool())
    .await
    .expect("count");
    row.try_get(0).expect("count")
}

#[tokio::test]
async fn stores_are_created_read_listed_toggled_and_rebranded() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        assert_eq!(app.get("/api/stores").await, (200, json!({ "stores": [] })), "{backend:?}");
        assert_eq!(app.get("/api/stores/participating").await, (200, json!({ "stores": [] })));

        let id = create_store(&app, "Waldorf Books", "Upper level").await;
        let store = json!({ "id": id, "name": "Waldorf Books", "location": "Upper level", "participating": false });
        assert_eq!(app.get(&format!("/api/stores/{id}")).await, (200, json!({ "store": store })));
        assert_eq!(app.get("/api/stores").await, (200, json!({ "stores": [store] })));
        assert_eq!(app.get("/api/stores/participating").await, (200, json!({ "stores": [] })));

        // snake_case and unknown fields are accepted.
        let (status, other) =
            app.post("/api/stores", json!({ "name": "Statler Toys", "location": "Ground", "extra": [1, 2] })).await;
        assert_eq!(status, 200, "{other}");
        let other_id = other["id"].as_str().expect("id").to_owned();

        // Enable accepts `{}` and an empty body.
        assert_ok_empty(app.put(&format!("/api/stores/{id}/participating"), json!({})).await);
        assert_ok_empty(app.call("PUT", &format!("/api/stores/{other_id}/participating"), None).await);
        assert_error(
            app.put(&format!("/api/stores/{id}/participating"), json!({})).await,
            400,
            3,
            "the store is already participating",
        );
        let participating = app.get("/api/stores/participating").await;
        assert_eq!(participating.0, 200);
        assert_eq!(participating.1["stores"].as_array().expect("stores").len(), 2);
        assert_eq!(participating.1["stores"][0]["participating"], json!(true));

        assert_ok_empty(app.delete(&format!("/api/stores/{other_id}/participating")).await);
        assert_error(
            app.delete(&format!("/api/stores/{other_id}/participating")).await,
            400,
            3,
            "the store is already not participating",
        );
        let participating = app.get("/api/stores/participating").await.1;
        assert_eq!(
            participating,
            json!({ "stores": [{ "id": id, "name": "Waldorf Books", "location": "Upper level", "participating": true }] })
        );

        assert_ok_empty(app.put(&format!("/api/stores/{id}/rebrand"), json!({ "name": "Statler Books" })).await);
        assert_error(
            app.put(&format!("/api/stores/{id}/rebrand"), json!({ "name": "" })).await,
            400,
            3,
            "the store name cannot be blank",
        );
        assert_eq!(
            app.get(&format!("/api/stores/{id}")).await.1,
            json!({ "store": { "id": id, "name": "Statler Books", "location": "Upper level", "participating": true } })
        );
        let all = app.get("/api/stores").await.1;
        assert_eq!(all["stores"].as_array().expect("stores").len(), 2);

        // Validation texts.
        assert_error(
            app.post("/api/stores", json!({ "name": "", "location": "x" })).await,
            400,
            3,
            "the store name cannot be blank",
        );
        assert_error(
            app.post("/api/stores", json!({ "name": "x" })).await,
            400,
            3,
            "the store location cannot be blank",
        );
        assert_error(app.post("/api/stores", json!({})).await, 400, 3, "the store name cannot be blank");
        app.stop().await;
    }
}

#[tokio::test]
async fn products_are_added_read_repriced_rebranded_and_removed() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "Pens & Co", "East wing").await;
        assert_eq!(
            app.get(&format!("/api/stores/{store}/products")).await,
            (200, json!({ "products": [] })),
            "{backend:?}"
        );

        // The path wins over a store id in the body.
        let (status, body) = app
            .post(
                &format!("/api/stores/{store}/products"),
                json!({ "store_id": "elsewhere", "name": "Pencil", "description": "HB", "sku": "P-1", "price": 1.10 }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let pencil = body["id"].as_str().expect("id").to_owned();
        let expected = json!({ "product": {
            "id": pencil, "storeId": store, "name": "Pencil", "description": "HB", "sku": "P-1", "price": 1.1
        } });
        assert_eq!(app.get(&format!("/api/stores/products/{pencil}")).await, (200, expected.clone()));

        // Every field is emitted even when empty; price is a JSON number.
        let (status, body) = app.post(&format!("/api/stores/{store}/products"), json!({ "name": "Eraser" })).await;
        assert_eq!(status, 200, "{body}");
        let eraser = body["id"].as_str().expect("id").to_owned();
        let eraser_json =
            json!({ "id": eraser, "storeId": store, "name": "Eraser", "description": "", "sku": "", "price": 0.0 });
        assert_eq!(app.get(&format!("/api/stores/products/{eraser}")).await.1, json!({ "product": eraser_json }));
        assert_eq!(
            app.get(&format!("/api/stores/{store}/products")).await,
            (200, json!({ "products": [expected["product"], eraser_json] }))
        );

        // Prices: exact cents, both directions.
        assert_ok_empty(
            app.put(&format!("/api/stores/products/{pencil}/increasePrice"), json!({ "price": 3.30 })).await,
        );
        assert_eq!(app.get(&format!("/api/stores/products/{pencil}")).await.1["product"]["price"], json!(3.3));
        assert_error(
            app.put(&format!("/api/stores/products/{pencil}/increasePrice"), json!({ "price": 3.29 })).await,
            400,
            3,
            "the price change would be a decrease",
        );
        assert_ok_empty(
            app.put(&format!("/api/stores/products/{pencil}/decreasePrice"), json!({ "price": 2.2 })).await,
        );
        assert_eq!(app.get(&format!("/api/stores/products/{pencil}")).await.1["product"]["price"], json!(2.2));
        assert_error(
            app.put(&format!("/api/stores/products/{pencil}/decreasePrice"), json!({ "price": 2.21 })).await,
            400,
            3,
            "the price change would be an increase",
        );

        // Rebrand.
        assert_ok_empty(
            app.put(&format!("/api/stores/products/{pencil}/rebrand"), json!({ "name": "Pen", "description": "Blue" }))
                .await,
        );
        let product = app.get(&format!("/api/stores/products/{pencil}")).await.1;
        assert_eq!((&product["product"]["name"], &product["product"]["description"]), (&json!("Pen"), &json!("Blue")));
        assert_error(
            app.put(&format!("/api/stores/products/{pencil}/rebrand"), json!({ "name": " ", "description": "x" }))
                .await,
            400,
            3,
            "the product name cannot be blank",
        );

        // AddProduct validation texts (with the original's prefix) and the unknown store.
        assert_error(
            app.post(&format!("/api/stores/{store}/products"), json!({ "name": "", "price": 1 })).await,
            400,
            3,
            "initializing product: the product name cannot be blank",
        );
        assert_error(
            app.post(&format!("/api/stores/{store}/products"), json!({ "name": "Ink", "price": -0.5 })).await,
            400,
            3,
            "initializing product: the product price cannot be negative",
        );
        assert_error(
            app.post("/api/stores/00000000-0000-4000-8000-000000000000/products", json!({ "name": "Ink", "price": 1 }))
                .await,
            404,
            5,
            "store not found",
        );

        // Remove: gone from the catalog, and a second removal is 404.
        assert_ok_empty(app.delete(&format!("/api/stores/products/{eraser}")).await);
        assert_error(app.delete(&format!("/api/stores/products/{eraser}")).await, 404, 5, "product not found");
        assert_error(app.get(&format!("/api/stores/products/{eraser}")).await, 404, 5, "product not found");
        assert_error(
            app.put(&format!("/api/stores/products/{eraser}/rebrand"), json!({ "name": "x" })).await,
            404,
            5,
            "product not found",
        );
        assert_error(
            app.put(&format!("/api/stores/products/{eraser}/increasePrice"), json!({ "price": 9 })).await,
            404,
            5,
            "product not found",
        );
        let catalog = app.get(&format!("/api/stores/{store}/products")).await.1;
        assert_eq!(catalog["products"].as_array().expect("products").len(), 1);
        assert_eq!(catalog["products"][0]["id"], json!(pencil));

        // A second store's catalog is separate.
        let other = create_store(&app, "Other", "West").await;
        let ink = add_product(&app, &other, "Ink", 4.99).await;
        let catalog = app.get(&format!("/api/stores/{other}/products")).await.1;
        assert_eq!(catalog["products"].as_array().expect("products").len(), 1);
        assert_eq!(catalog["products"][0]["id"], json!(ink));
        assert_eq!(catalog["products"][0]["price"], json!(4.99));
        app.stop().await;
    }
}

#[tokio::test]
async fn unknown_ids_are_404_on_every_read_and_command() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        for id in ["6f1c2d2e-8a4b-4c1e-9d1f-2b3c4d5e6f70", "not-a-uuid"] {
            let store = "store not found";
            let product = "product not found";
            assert_error(app.get(&format!("/api/stores/{id}")).await, 404, 5, store);
            assert_error(app.put(&format!("/api/stores/{id}/participating"), json!({})).await, 404, 5, store);
            assert_error(app.delete(&format!("/api/stores/{id}/participating")).await, 404, 5, store);
            assert_error(app.put(&format!("/api/stores/{id}/rebrand"), json!({ "name": "x" })).await, 404, 5, store);
            assert_error(app.get(&format!("/api/stores/{id}/products")).await, 404, 5, store);
            assert_error(
                app.post(&format!("/api/stores/{id}/products"), json!({ "name": "x", "price": 1 })).await,
                404,
                5,
                store,
            );
            assert_error(app.get(&format!("/api/stores/products/{id}")).await, 404, 5, product);
            assert_error(
                app.put(&format!("/api/stores/products/{id}/rebrand"), json!({ "name": "x" })).await,
                404,
                5,
                product,
            );
            assert_error(
                app.put(&format!("/api/stores/products/{id}/increasePrice"), json!({ "price": 1 })).await,
                404,
                5,
                product,
            );
            assert_error(
                app.put(&format!("/api/stores/products/{id}/decreasePrice"), json!({ "price": 1 })).await,
                404,
                5,
                product,
            );
            assert_error(app.delete(&format!("/api/stores/products/{id}")).await, 404, 5, product);
        }
        // No phantom streams: nothing was stored.
        let table = app.app.db.table("stores", "events");
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(app.app.db.pool())
            .await
            .expect("count");
        assert_eq!(row.try_get::<i64, _>(0).expect("count"), 0, "{backend:?}");
        assert_eq!(app.get("/api/stores").await, (200, json!({ "stores": [] })));
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_the_error_json() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "S", "L").await;
        let product = add_product(&app, &store, "P", 1.0).await;
        let cases: Vec<(&str, String, Vec<u8>)> = vec![
            ("POST", "/api/stores".into(), b"{\"name\": \"x\", ".to_vec()),
            ("POST", "/api/stores".into(), b"not json".to_vec()),
            ("POST", "/api/stores".into(), br#"{"name": 5, "location": "x"}"#.to_vec()),
            ("POST", "/api/stores".into(), br#"["name"]"#.to_vec()),
            ("POST", format!("/api/stores/{store}/products"), br#"{"name": "x", "price": "abc"}"#.to_vec()),
            ("POST", format!("/api/stores/{store}/products"), br#"{"name": "x", "price": true}"#.to_vec()),
            ("PUT", format!("/api/stores/products/{product}/increasePrice"), br#"{"price": [1]}"#.to_vec()),
            ("PUT", format!("/api/stores/{store}/rebrand"), br#"{"name": {"a": 1}}"#.to_vec()),
        ];
        for (method, path, body) in cases {
            let (status, json) = app.call_raw(method, &path, body.clone()).await;
            assert_eq!(status, 400, "{backend:?} {method} {path} {}: {json}", String::from_utf8_lossy(&body));
            assert_eq!(json["code"], json!(3), "{json}");
            assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
            assert_eq!(json["details"], json!([]));
        }
        // Non-finite prices (proto3 JSON allows "NaN"/"Infinity" strings) are refused, never stored.
        let (status, json) = app
            .call_raw(
                "PUT",
                &format!("/api/stores/products/{product}/increasePrice"),
                br#"{"price": "Infinity"}"#.to_vec(),
            )
            .await;
        assert_eq!(status, 400, "{json}");

        let mut huge = br#"{"name": ""#.to_vec();
        huge.extend(std::iter::repeat_n(b'x', 1024 * 1024 + 10));
        huge.extend(br#"", "location": "x"}"#);
        let (status, json) = app.call_raw("POST", "/api/stores", huge).await;
        assert_eq!(status, 413, "{json}");
        assert!(json["code"].is_number() && json["message"].is_string(), "{json}");
        assert_eq!(json["details"], json!([]));

        // Nothing of that was stored.
        assert_eq!(app.get("/api/stores").await.1["stores"].as_array().expect("stores").len(), 1);
        assert_eq!(app.get(&format!("/api/stores/products/{product}")).await.1["product"]["price"], json!(1.0));
        app.stop().await;
    }
}

#[tokio::test]
async fn concurrent_commands_on_one_product_lose_no_update() {
    for backend in app_backends() {
        let app = Arc::new(spawn(backend).await);
        let store = create_store(&app, "Busy", "Center").await;
        let product = add_product(&app, &store, "Hot item", 10.0).await;

        let mut tasks = Vec::new();
        for i in 1..=8u32 {
            let app = app.clone();
            let product = product.clone();
            let price = 10.0 + f64::from(i);
            tasks.push(tokio::spawn(async move {
                let response =
                    app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": price })).await;
                (price, response)
            }));
        }
        let mut applied = Vec::new();
        for task in tasks {
            let (price, (status, body)) = task.await.expect("task");
            match status {
                200 => applied.push(price),
                400 => assert_eq!(body["message"], json!("the price change would be a decrease"), "{body}"),
                409 => assert_eq!(body["code"], json!(10), "{body}"),
                other => panic!("{backend:?}: unexpected {other} {body}"),
            }
        }
        assert!(!applied.is_empty(), "{backend:?}: no increase succeeded");
        let increases = count_events(&app, &product, "stores.ProductPriceIncreased").await;
        assert_eq!(increases, applied.len() as i64, "{backend:?}");
        let highest = applied.iter().cloned().fold(f64::MIN, f64::max);
        let price = app.get(&format!("/api/stores/products/{product}")).await.1["product"]["price"].clone();
        assert_eq!(price, json!(highest), "{backend:?}");

        // Renames never refuse each other: every one succeeds (or reports a conflict) and each success is an event.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let app = app.clone();
            let product = product.clone();
            tasks.push(tokio::spawn(async move {
                let name = format!("Name {i}");
                let response = app
                    .put(&format!("/api/stores/products/{product}/rebrand"), json!({ "name": name, "description": "" }))
                    .await;
                (name, response)
            }));
        }
        let mut renamed = Vec::new();
        for task in tasks {
            let (name, (status, body)) = task.await.expect("task");
            match status {
                200 => renamed.push(name),
                409 => assert_eq!(body["code"], json!(10), "{body}"),
                other => panic!("{backend:?}: unexpected {other} {body}"),
            }
        }
        assert_eq!(count_events(&app, &product, "stores.ProductRebranded").await, renamed.len() as i64);
        let name = app.get(&format!("/api/stores/products/{product}")).await.1["product"]["name"].clone();
        assert!(renamed.iter().any(|n| json!(n) == name), "{backend:?}: {name} not among {renamed:?}");

        let app = Arc::into_inner(app).expect("all tasks finished");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_api_documents_and_metrics_are_served() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let stream = app.stream_name.clone();
        let (status, doc) = app.get("/stores-asyncapi/asyncapi.json").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(doc["asyncapi"].as_str().is_some_and(|v| v.starts_with("2.")), "{doc}");
        let store_channel = &doc["channels"][format!("{stream}.stores.events.Store")];
        let product_channel = &doc["channels"][format!("{stream}.stores.events.Product")];
        assert!(store_channel.is_object() && product_channel.is_object(), "{doc}");
        let messages = doc["components"]["messages"].as_object().expect("messages");
        for name in [
            "storesapi.StoreCreated",
            "storesapi.StoreParticipatingToggled",
            "storesapi.StoreRebranded",
            "storesapi.ProductAdded",
            "storesapi.ProductRebranded",
            "storesapi.ProductPriceIncreased",
            "storesapi.ProductPriceDecreased",
            "storesapi.ProductRemoved",
        ] {
            assert!(messages.contains_key(name), "{name} missing");
        }
        assert_eq!(messages.len(), 8);
        let added = &doc["components"]["schemas"]["storespb.ProductAdded"]["properties"];
        assert_eq!(added["storeId"]["type"], json!("string"));
        assert_eq!(added["price"]["type"], json!("number"));

        let (status, content_type, page) = raw_get(&app, "/stores-asyncapi/").await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(page.contains(&format!("{stream}.stores.events.Product")));
        assert!(page.contains("storesapi.StoreParticipatingToggled"));
        assert!(page.contains("<table"));
        assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));

        // The OpenAPI document generated from the module's route table.
        let (status, swagger) = app.get("/stores-spec/api.swagger.json").await;
        assert_eq!(status, 200);
        assert_eq!(swagger["info"]["title"], json!("Store Management"));
        let operations = testkit::wire::swagger_operations(&swagger);
        let expected = [
            ("DELETE /api/stores/products/{id}", "removeProduct", "Product"),
            ("DELETE /api/stores/{id}/participating", "disableParticipation", "Participation"),
            ("GET /api/stores", "getStores", "Store"),
            ("GET /api/stores/participating", "getParticipatingStores", "Participation"),
            ("GET /api/stores/products/{id}", "getProduct", "Product"),
            ("GET /api/stores/{id}", "getStore", "Store"),
            ("GET /api/stores/{storeId}/products", "getStoreProducts", "Product"),
            ("POST /api/stores", "createStore", "Store"),
            ("POST /api/stores/{storeId}/products", "addProduct", "Product"),
            ("PUT /api/stores/products/{id}/decreasePrice", "decreaseProductPrice", "Product"),
            ("PUT /api/stores/products/{id}/increasePrice", "increaseProductPrice", "Product"),
            ("PUT /api/stores/products/{id}/rebrand", "rebrandProduct", "Product"),
            ("PUT /api/stores/{id}/participating", "enableParticipation", "Participation"),
            ("PUT /api/stores/{id}/rebrand", "rebrandStore", "Store"),
        ];
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(operations, expected);

        // The outbox counts what it was given.
        let store = create_store(&app, "Counted", "Here").await;
        app.put(&format!("/api/stores/{store}/participating"), json!({})).await;
        let (status, _, metrics) = raw_get(&app, "/metrics").await;
        assert_eq!(status, 200);
        assert!(metrics.contains(r#"stores_sent_messages_count{message="storesapi.StoreCreated"} 1"#), "{metrics}");
        assert!(metrics.contains(r#"stores_sent_messages_count{message="storesapi.StoreParticipatingToggled"} 1"#));
        assert!(metrics.contains(r#"stores_sent_messages_count{message="all"} 2"#));
        app.stop().await;
    }
}

#[tokio::test]
async fn snapshots_do_not_change_what_commands_see() {
    for backend in app_backends() {
        let modules: Vec<Arc<dyn service::Module>> = vec![Arc::new(stores::StoresModule)];
        let app = TestApp::spawn_with(backend, modules, &["--snapshot-every", "2"]).await;
        let store = create_store(&app, "Snap", "Shot").await;
        assert_ok_empty(app.put(&format!("/api/stores/{store}/participating"), json!({})).await);
        assert_ok_empty(app.delete(&format!("/api/stores/{store}/participating")).await);
        assert_ok_empty(app.put(&format!("/api/stores/{store}/participating"), json!({})).await);
        assert_ok_empty(app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "Snapped" })).await);
        // Version 5, snapshot at 4: the participation decided from snapshot + one event.
        assert_error(
            app.put(&format!("/api/stores/{store}/participating"), json!({})).await,
            400,
            3,
            "the store is already participating",
        );
        assert_ok_empty(app.delete(&format!("/api/stores/{store}/participating")).await);

        let product = add_product(&app, &store, "Film", 5.0).await;
        for price in [6.0, 7.5, 9.99] {
            assert_ok_empty(
                app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": price })).await,
            );
        }
        assert_ok_empty(
            app.put(&format!("/api/stores/products/{product}/decreasePrice"), json!({ "price": 8.01 })).await,
        );
        assert_error(
            app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": 8.0 })).await,
            400,
            3,
            "the price change would be a decrease",
        );
        assert_ok_empty(app.delete(&format!("/api/stores/products/{product}")).await);
        // Version 6 with a snapshot at 6: the removal survives in the snapshot.
        assert_error(app.delete(&format!("/api/stores/products/{product}")).await, 404, 5, "product not found");

        let table = app.app.db.table("stores", "snapshots");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT stream_name, stream_version, snapshot_name FROM {table} ORDER BY stream_name"
        )))
        .fetch_all(app.app.db.pool())
        .await
        .expect("snapshots");
        let snapshots: Vec<(String, i64, String)> = rows
            .iter()
            .map(|r| (r.try_get(0).expect("name"), r.try_get(1).expect("version"), r.try_get(2).expect("snapshot")))
            .collect();
        assert_eq!(
            snapshots,
            [
                ("stores.Product".to_owned(), 6, "stores.ProductV1".to_owned()),
                ("stores.Store".to_owned(), 6, "stores.StoreV1".to_owned())
            ],
            "{backend:?}"
        );
        assert_eq!(
            app.get(&format!("/api/stores/{store}")).await.1,
            json!({ "store": { "id": store, "name": "Snapped", "location": "Shot", "participating": false } })
        );
        app.stop().await;
    }
}

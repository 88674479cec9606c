//! Black-box tests of the baskets REST API (ORIGINAL.md §4.1 with TARGET.md's fixes), run on every backend: exact
//! JSON shapes, validation texts, 404 for unknown ids, the quantity rules, checkout once, the checked-out event,
//! counters, gRPC and the API document.

mod support;

use contracts::basketspb::{self, basket_service_client::BasketServiceClient};
use prost::Message as _;
use serde_json::json;
use support::*;
use testkit::wire::metric_value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baskets_start_read_and_validate() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (status, body) = app.post("/api/baskets", json!({ "customerId": "customer-1" })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["id"]);
        let id = body["id"].as_str().expect("id").to_owned();
        assert_eq!(
            app.get(&format!("/api/baskets/{id}")).await,
            (
                200,
                json!({ "basket": { "id": id, "items": [], "customerId": "customer-1", "paymentId": "", "status": "open" } })
            ),
            "{backend:?}"
        );
        // snake_case input works too
        let (status, _) = app.post("/api/baskets", json!({ "customer_id": "customer-2" })).await;
        assert_eq!(status, 200);

        assert_error(
            app.post("/api/baskets", json!({ "customerId": " " })).await,
            400,
            3,
            "the customer id cannot be blank",
        );
        assert_error(app.post("/api/baskets", json!({})).await, 400, 3, "the customer id cannot be blank");
        let (status, body) = app.call_raw("POST", "/api/baskets", b"{\"customerId\":".to_vec()).await;
        assert_eq!((status, body["code"].clone()), (400, json!(3)), "{body}");

        let unknown = ddd::new_id();
        assert_error(app.get(&format!("/api/baskets/{unknown}")).await, 404, 5, "basket not found");
        assert_error(app.get("/api/baskets/not-a-uuid").await, 404, 5, "basket not found");
        assert_error(app.delete(&format!("/api/baskets/{unknown}")).await, 404, 5, "basket not found");
        assert_error(
            app.put(&format!("/api/baskets/{unknown}/checkout"), json!({ "paymentId": "p" })).await,
            404,
            5,
            "basket not found",
        );
        let store = create_store(&app, "Store").await;
        let product = add_product(&app, &store, "Product", 1.0).await;
        assert_error(add_item(&app, &unknown, &product, 1).await, 404, 5, "basket not found");
        assert_error(remove_item(&app, &unknown, &product, 1).await, 404, 5, "basket not found");
        assert_error(add_item(&app, &id, &ddd::new_id(), 1).await, 404, 5, "product not found");
        assert_error(remove_item(&app, &id, &ddd::new_id(), 1).await, 404, 5, "product not found");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_follow_the_quantity_rules() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "Waldorf Books").await;
        let book = add_product(&app, &store, "Book", 9.99).await;
        let pen = add_product(&app, &store, "Pen", 1.10).await;
        let id = start_basket(&app, "customer-1").await;

        assert_error(add_item(&app, &id, &book, -1).await, 400, 3, "the item quantity cannot be negative");
        assert_error(add_item(&app, &id, &book, 0).await, 400, 3, "the item quantity must be at least 1");
        assert_eq!(basket(&app, &id).await["items"], json!([]), "{backend:?}: refused adds change nothing");

        assert_ok_empty(add_item(&app, &id, &pen, 2).await);
        assert_ok_empty(add_item(&app, &id, &book, 1).await);
        assert_ok_empty(add_item(&app, &id, &pen, 3).await);
        let item = |product: &str, name: &str, price: f64, quantity: i64| {
            json!({ "storeId": store, "productId": product, "storeName": "Waldorf Books", "productName": name,
                "productPrice": price, "quantity": quantity })
        };
        assert_eq!(
            basket(&app, &id).await["items"],
            json!([item(&pen, "Pen", 1.1, 5), item(&book, "Book", 9.99, 1)]),
            "{backend:?}: adding again sums; items keep the order of their first add"
        );

        // remove: the last one goes only when nothing is left
        assert_error(remove_item(&app, &id, &pen, -1).await, 400, 3, "the item quantity cannot be negative");
        assert_ok_empty(remove_item(&app, &id, &pen, 4).await);
        assert_eq!(basket(&app, &id).await["items"][0]["quantity"], json!(1), "{backend:?}: one left stays");
        assert_ok_empty(remove_item(&app, &id, &pen, 1).await);
        assert_eq!(basket(&app, &id).await["items"], json!([item(&book, "Book", 9.99, 1)]), "{backend:?}");
        // more than there is removes the item; a known product that is not in the basket changes nothing
        assert_ok_empty(add_item(&app, &id, &pen, 1).await);
        assert_ok_empty(remove_item(&app, &id, &book, 7).await);
        assert_ok_empty(remove_item(&app, &id, &book, 1).await);
        assert_eq!(basket(&app, &id).await["items"], json!([item(&pen, "Pen", 1.1, 1)]), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basket_is_checked_out_once_with_its_items_in_order() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "Waldorf Books").await;
        let products = [
            add_product(&app, &store, "Zebra", 3.0).await,
            add_product(&app, &store, "Apple", 1.5).await,
            add_product(&app, &store, "Mango", 2.25).await,
        ];
        let id = start_basket(&app, "customer-1").await;
        let path = format!("/api/baskets/{id}/checkout");
        let checkout = |payment: &str| app.put(&path, json!({ "paymentId": payment }));

        assert_error(checkout("payment-1").await, 400, 3, "baskets checkout: the basket has no items");
        for (i, product) in products.iter().enumerate() {
            assert_ok_empty(add_item(&app, &id, product, i as i64 + 1).await);
        }
        assert_error(checkout("").await, 400, 3, "baskets checkout: the payment id cannot be blank");
        assert_ok_empty(checkout("payment-1").await);
        let body = basket(&app, &id).await;
        assert_eq!((body["status"].clone(), body["paymentId"].clone()), (json!("checked_out"), json!("payment-1")));

        assert_error(checkout("payment-2").await, 400, 3, "baskets checkout: the basket cannot be modified");
        assert_error(add_item(&app, &id, &products[0], 1).await, 400, 3, "the basket cannot be modified");
        assert_error(remove_item(&app, &id, &products[0], 1).await, 400, 3, "the basket cannot be modified");
        assert_error(app.delete(&format!("/api/baskets/{id}")).await, 400, 3, "the basket cannot be cancelled");

        // exactly one BasketCheckedOut, items in basket order, with names and prices
        let mut published = Vec::new();
        testkit::wait_until("the basket events on the stream", async || {
            published = app.stream_messages("baskets.events.Basket").await;
            published.len() >= 2
        })
        .await;
        let names: Vec<&str> = published.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["basketsapi.BasketStarted", "basketsapi.BasketCheckedOut"], "{backend:?}");
        let started = basketspb::BasketStarted::decode(published[0].payload.as_slice()).expect("payload");
        assert_eq!(started, basketspb::BasketStarted { id: id.clone(), customer_id: "customer-1".into() });
        let checked_out = basketspb::BasketCheckedOut::decode(published[1].payload.as_slice()).expect("payload");
        assert_eq!((checked_out.id.as_str(), checked_out.customer_id.as_str()), (id.as_str(), "customer-1"));
        assert_eq!(checked_out.payment_id, "payment-1");
        let items: Vec<(String, String, String, f64, i32)> = checked_out
            .items
            .into_iter()
            .map(|i| (i.product_id, i.product_name, i.store_name, i.price, i.quantity))
            .collect();
        let expected: Vec<(String, String, String, f64, i32)> =
            [("Zebra", 3.0, 1), ("Apple", 1.5, 2), ("Mango", 2.25, 3)]
                .iter()
                .zip(&products)
                .map(|((name, price, qty), id)| {
                    (id.clone(), name.to_string(), "Waldorf Books".to_owned(), *price, *qty)
                })
                .collect();
        assert_eq!(items, expected, "{backend:?}");
        let outbox = app.outbox("baskets").await;
        assert!(outbox.iter().all(|m| m.subject == "baskets.events.Basket"), "{backend:?}");
        assert_eq!(outbox.len(), 2, "{backend:?}: item changes and refusals publish nothing");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_baskets_are_empty_and_closed_and_counters_count() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let store = create_store(&app, "Store").await;
        let product = add_product(&app, &store, "Product", 5.0).await;
        let cancelled = start_basket(&app, "c1").await;
        assert_ok_empty(add_item(&app, &cancelled, &product, 2).await);
        assert_ok_empty(app.delete(&format!("/api/baskets/{cancelled}")).await);
        let body = basket(&app, &cancelled).await;
        assert_eq!((body["status"].clone(), body["items"].clone()), (json!("canceled"), json!([])), "{backend:?}");
        assert_error(app.delete(&format!("/api/baskets/{cancelled}")).await, 400, 3, "the basket cannot be cancelled");
        assert_error(add_item(&app, &cancelled, &product, 1).await, 400, 3, "the basket cannot be modified");
        assert_error(
            app.put(&format!("/api/baskets/{cancelled}/checkout"), json!({ "paymentId": "p" })).await,
            400,
            3,
            "baskets checkout: the basket cannot be modified",
        );

        let bought = start_basket(&app, "c2").await;
        assert_ok_empty(add_item(&app, &bought, &product, 1).await);
        assert_ok_empty(app.put(&format!("/api/baskets/{bought}/checkout"), json!({ "paymentId": "p" })).await);
        let _idle = start_basket(&app, "c3").await;

        let text = app.metrics().await;
        assert_eq!(metric_value(&text, "baskets_started_count"), 3.0, "{backend:?}:\n{text}");
        assert_eq!(metric_value(&text, "baskets_checked_out_count"), 1.0, "{backend:?}");
        assert_eq!(metric_value(&text, "baskets_canceled_count"), 1.0, "{backend:?}");
        let sent = "baskets_sent_messages_count{message=\"basketsapi.BasketCanceled\"}";
        assert_eq!(metric_value(&text, sent), 1.0, "{backend:?}:\n{text}");

        let names: Vec<String> = app.outbox("baskets").await.into_iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "basketsapi.BasketStarted",
                "basketsapi.BasketCanceled",
                "basketsapi.BasketStarted",
                "basketsapi.BasketCheckedOut",
                "basketsapi.BasketStarted"
            ],
            "{backend:?}"
        );
        let canceled =
            basketspb::BasketCanceled::decode(app.outbox("baskets").await[1].payload.as_slice()).expect("payload");
        assert_eq!(canceled.id, cancelled);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_adds_to_one_basket_lose_no_item() {
    for backend in app_backends() {
        let app = std::sync::Arc::new(spawn(backend).await);
        let store = create_store(&app, "Store").await;
        let product = add_product(&app, &store, "Product", 1.0).await;
        let id = start_basket(&app, "c1").await;
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (app, id, product) = (app.clone(), id.clone(), product.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0;
                for _ in 0..3 {
                    let (status, body) = add_item(&app, &id, &product, 1).await;
                    assert!(status == 200 || status == 409, "{status}: {body}");
                    if status == 200 {
                        ok += 1;
                    } else {
                        assert_eq!(body["code"], json!(10));
                    }
                }
                ok
            }));
        }
        let mut added = 0;
        for task in tasks {
            added += task.await.expect("task");
        }
        assert!(added > 0);
        assert_eq!(basket(&app, &id).await["items"][0]["quantity"], json!(added), "{backend:?}: no lost update");
        match std::sync::Arc::try_unwrap(app) {
            Ok(app) => app.stop().await,
            Err(_) => panic!("app still shared"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grpc_service_and_the_api_document_match_the_original() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut client = BasketServiceClient::connect(app.grpc_url()).await.expect("grpc connect");
        let id = client
            .start_basket(basketspb::StartBasketRequest { customer_id: "c1".into() })
            .await
            .expect("started")
            .into_inner()
            .id;
        let basket =
            client.get_basket(basketspb::GetBasketRequest { id: id.clone() }).await.expect("basket").into_inner();
        assert_eq!(
            basket.basket,
            Some(basketspb::Basket {
                id,
                items: vec![],
                customer_id: "c1".into(),
                payment_id: String::new(),
                status: "open".into()
            })
        );
        let missing = client.get_basket(basketspb::GetBasketRequest { id: ddd::new_id() }).await.expect_err("unknown");
        assert_eq!((missing.code(), missing.message()), (tonic::Code::NotFound, "basket not found"), "{backend:?}");
        let blank = client.start_basket(basketspb::StartBasketRequest::default()).await.expect_err("blank");
        assert_eq!((blank.code(), blank.message()), (tonic::Code::InvalidArgument, "the customer id cannot be blank"));

        let (status, swagger) = app.get("/baskets-spec/api.swagger.json").await;
        assert_eq!(status, 200);
        assert_eq!(swagger["info"]["title"], json!("Shopping Baskets"));
        let operations = testkit::wire::swagger_operations(&swagger);
        let expected = [
            ("DELETE /api/baskets/{id}", "cancelBasket", "Basket"),
            ("GET /api/baskets/{id}", "getBasket", "Basket"),
            ("POST /api/baskets", "startBasket", "Basket"),
            ("PUT /api/baskets/{id}/addItem", "addItem", "Item"),
            ("PUT /api/baskets/{id}/checkout", "checkoutBasket", "Basket"),
            ("PUT /api/baskets/{id}/removeItem", "removeItem", "Item"),
        ];
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(operations, expected);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baskets_load_the_same_from_snapshots() {
    for backend in app_backends() {
        let app = testkit::app::TestApp::spawn_with(
            backend,
            vec![std::sync::Arc::new(stores::StoresModule), std::sync::Arc::new(baskets::BasketsModule)],
            &["--snapshot-every", "2"],
        )
        .await;
        let store = create_store(&app, "Store").await;
        let first = add_product(&app, &store, "First", 1.0).await;
        let second = add_product(&app, &store, "Second", 2.0).await;
        let id = start_basket(&app, "c1").await;
        assert_ok_empty(add_item(&app, &id, &first, 1).await);
        assert_ok_empty(add_item(&app, &id, &second, 2).await);
        assert_ok_empty(add_item(&app, &id, &first, 3).await);
        assert_ok_empty(remove_item(&app, &id, &second, 1).await);
        let quantities = |basket: serde_json::Value| -> Vec<(String, i64)> {
            basket["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| {
                    (i["productName"].as_str().unwrap_or_default().to_owned(), i["quantity"].as_i64().unwrap_or(0))
                })
                .collect()
        };
        assert_eq!(quantities(basket(&app, &id).await), [("First".to_owned(), 4), ("Second".to_owned(), 1)]);

        let table = app.app.db.table("baskets", "snapshots");
        let row = database::sqlx::query(database::sqlx::AssertSqlSafe(format!(
            "SELECT snapshot_name, stream_version FROM {table} WHERE stream_id = $1"
        )))
        .bind(&id)
        .fetch_one(app.app.db.pool())
        .await
        .expect("a snapshot was written");
        use database::sqlx::Row as _;
        let (name, version): (String, i64) = (row.try_get(0).expect("name"), row.try_get(1).expect("version"));
        assert_eq!((name.as_str(), version), ("baskets.BasketV1", 4), "{backend:?}");

        // the checkout, decided on the snapshot plus one event, lists the items in basket order
        assert_ok_empty(app.put(&format!("/api/baskets/{id}/checkout"), json!({ "paymentId": "p" })).await);
        let checked_out = app
            .outbox("baskets")
            .await
            .into_iter()
            .find(|m| m.name == "basketsapi.BasketCheckedOut")
            .expect("checked out");
        let event = basketspb::BasketCheckedOut::decode(checked_out.payload.as_slice()).expect("payload");
        let lines: Vec<(String, i32)> = event.items.into_iter().map(|i| (i.product_name, i.quantity)).collect();
        assert_eq!(lines, [("First".to_owned(), 4), ("Second".to_owned(), 1)], "{backend:?}");
        app.stop().await;
    }
}

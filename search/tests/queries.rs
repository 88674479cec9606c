//! `POST /api/search/orders` and `GET /api/search/orders/{id}` on every backend, over REST and gRPC: every filter
//! of the original, newest first, and pages joined by the `next` cursor that list every order exactly once.

mod support;

use contracts::searchpb::search_service_client::SearchServiceClient;
use contracts::searchpb::{GetOrderRequest, SearchOrdersRequest, search_orders_request::Filters};
use serde_json::{Value, json};
use support::*;
use testkit::app::TestApp;
use tonic::Code;

/// 2025-11-27T00:00:00Z; order `n` is created `n` minutes later (o-8 and o-9 at the same instant).
const T0: i64 = 1_764_201_600_000_000;
const MINUTE: i64 = 60_000_000;

fn t(n: i64) -> i64 {
    T0 + n * MINUTE
}

/// Nine orders of two customers across two stores, in every status.
async fn given_orders(app: &TestApp) {
    app.publish_all(&[customer_registered("c-1", "Ann"), customer_registered("c-2", "Bob")]).await;
    app.publish_all(&[store_created("s-1", "Toys"), store_created("s-2", "Books")]).await;
    app.publish_all(&[
        product_added("p-1", "s-1", "Robot", 1.10),
        product_added("p-2", "s-1", "Kite", 5.00),
        product_added("p-3", "s-2", "Novel", 9.99),
    ])
    .await;
    wait_for_caches(app, 2, 2, 3).await;
    let (p1, p2, p3) = (("p-1", "s-1", 1.10), ("p-2", "s-1", 5.00), ("p-3", "s-2", 9.99));
    let line = |(p, s, price): (&'static str, &'static str, f64), q: i32| (p, s, price, q);
    app.publish_all(&[
        order_created_at("o-1", "c-1", &[line(p1, 3)], t(0)),
        order_created_at("o-2", "c-1", &[line(p3, 1)], t(1)),
        order_created_at("o-3", "c-2", &[line(p2, 2), line(p3, 1)], t(2)),
        order_created_at("o-4", "c-2", &[line(p1, 1)], t(3)),
        order_created_at("o-5", "c-1", &[line(p2, 1)], t(4)),
        order_created_at("o-6", "c-2", &[line(p3, 3)], t(5)),
        order_created_at("o-7", "c-1", &[line(p1, 10)], t(6)),
        order_created_at("o-8", "c-2", &[line(p1, 1)], t(7)),
        order_created_at("o-9", "c-2", &[line(p1, 2)], t(7)),
    ])
    .await;
    app.publish_all(&[
        order_event("approved", "o-2", "c-1"),
        order_event("approved", "o-3", "c-2"),
        order_event("readied", "o-3", "c-2"),
        order_event("rejected", "o-4", "c-2"),
        order_event("canceled", "o-5", "c-1"),
        order_event("approved", "o-6", "c-2"),
        order_event("readied", "o-6", "c-2"),
        order_event("completed", "o-6", "c-2"),
    ])
    .await;
    for (id, status) in [
        ("o-2", "Approved"),
        ("o-3", "Ready For Pickup"),
        ("o-4", "Rejected"),
        ("o-5", "Canceled"),
        ("o-6", "Completed"),
        ("o-9", "New"),
    ] {
        wait_for_status(app, id, status).await;
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

const ALL: [&str; 9] = ["o-9", "o-8", "o-7", "o-6", "o-5", "o-4", "o-3", "o-2", "o-1"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_narrows_the_search() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        given_orders(&app).await;
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (json!({}), ALL.to_vec()),
            (json!({ "customerId": "c-1" }), vec!["o-7", "o-5", "o-2", "o-1"]),
            (json!({ "customer_id": "c-2" }), vec!["o-9", "o-8", "o-6", "o-4", "o-3"]),
            (json!({ "customerId": "nobody" }), vec![]),
            (json!({ "status": "Approved" }), vec!["o-2"]),
            (json!({ "status": "ready for pickup" }), vec!["o-3"]),
            (json!({ "status": "New" }), vec!["o-9", "o-8", "o-7", "o-1"]),
            (json!({ "status": "Rejected" }), vec!["o-4"]),
            (json!({ "status": "Canceled" }), vec!["o-5"]),
            (json!({ "status": "Completed" }), vec!["o-6"]),
            (json!({ "storeIds": ["s-2"] }), vec!["o-6", "o-3", "o-2"]),
            (json!({ "productIds": ["p-1", "p-2"] }), vec!["o-9", "o-8", "o-7", "o-5", "o-4", "o-3", "o-1"]),
            (json!({ "storeIds": ["s-1"], "productIds": ["p-3"] }), vec!["o-3"]),
            (json!({ "minTotal": 9.99 }), vec!["o-7", "o-6", "o-3", "o-2"]),
            (json!({ "maxTotal": 5 }), vec!["o-9", "o-8", "o-5", "o-4", "o-1"]),
            (json!({ "minTotal": 5, "maxTotal": 11 }), vec!["o-7", "o-5", "o-2"]),
            (json!({ "after": rfc3339(t(2)) }), vec!["o-9", "o-8", "o-7", "o-6", "o-5", "o-4", "o-3"]),
            (json!({ "before": rfc3339(t(2)) }), vec!["o-2", "o-1"]),
            (json!({ "after": rfc3339(t(1)), "before": rfc3339(t(4)) }), vec!["o-4", "o-3", "o-2"]),
            (json!({ "customerId": "c-2", "minTotal": 2, "after": rfc3339(t(3)) }), vec!["o-9", "o-6"]),
        ];
        for (filters, expected) in cases {
            let (found, next) = search(&app, json!({ "filters": filters })).await;
            assert_eq!(found, ids(&expected), "{backend:?}: {filters}");
            assert_eq!(next, "", "{backend:?}: {filters}");
        }

        // the whole response shape, total as a double from exact cents
        let (status, body) =
            app.post("/api/search/orders", json!({ "filters": { "productIds": ["p-2"] }, "limit": 1 })).await;
        assert_eq!(status, 200);
        assert_eq!(body["orders"].as_array().map(Vec::len), Some(1), "{body}");
        let order = &body["orders"][0];
        assert_eq!(order["orderId"], "o-5");
        assert_eq!(order["customerName"], "Ann");
        assert_eq!(order["total"], json!(5.0));
        assert_eq!(
            order["items"][0],
            json!({ "productId": "p-2", "storeId": "s-1", "productName": "Kite",
            "storeName": "Toys", "price": 5.0, "quantity": "1" })
        );
        assert_ne!(body["next"], "", "{backend:?}: o-3 is on the next page");
        let (_, three) = get_order(&app, "o-3").await;
        assert_eq!(three["order"]["total"], json!(19.99), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_list_every_order_exactly_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        given_orders(&app).await;
        for limit in [1, 2, 3, 4, 8, 9, 10] {
            let (found, pages) = all_pages(&app, json!({}), limit).await;
            assert_eq!(found, ids(&ALL), "{backend:?}: limit {limit}");
            assert_eq!(pages, (ALL.len() as i32 + limit - 1).max(1) as usize / limit as usize, "{backend:?}: {limit}");
        }
        let (found, pages) = all_pages(&app, json!({ "customerId": "c-2" }), 2).await;
        assert_eq!((found, pages), (ids(&["o-9", "o-8", "o-6", "o-4", "o-3"]), 3), "{backend:?}");
        let (found, _) = all_pages(&app, json!({ "productIds": ["p-1"], "maxTotal": 3.3 }), 2).await;
        assert_eq!(found, ids(&["o-9", "o-8", "o-4", "o-1"]), "{backend:?}");

        // no limit: 20; too large: capped at 100 (all nine fit either way)
        assert_eq!(search(&app, json!({})).await.0.len(), 9);
        assert_eq!(search(&app, json!({ "limit": 1000 })).await.0.len(), 9);
        let (status, body) = app.post("/api/search/orders", json!({ "next": "not-a-cursor" })).await;
        assert_eq!((status, body), (400, json!({ "code": 3, "message": "the next cursor is invalid", "details": [] })));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_answers_over_grpc_and_is_documented() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        given_orders(&app).await;
        let mut client = SearchServiceClient::connect(app.grpc_url()).await.expect("connect");
        let page = client
            .search_orders(SearchOrdersRequest {
                filters: Some(Filters { customer_id: "c-1".into(), ..Filters::default() }),
                next: String::new(),
                limit: 3,
            })
            .await
            .expect("search")
            .into_inner();
        let found: Vec<&str> = page.orders.iter().map(|o| o.order_id.as_str()).collect();
        assert_eq!(found, ["o-7", "o-5", "o-2"], "{backend:?}");
        let rest = client
            .search_orders(SearchOrdersRequest {
                filters: Some(Filters { customer_id: "c-1".into(), ..Filters::default() }),
                next: page.next.clone(),
                limit: 3,
            })
            .await
            .expect("next page")
            .into_inner();
        assert_eq!(rest.orders.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["o-1"]);
        assert_eq!(rest.next, "");

        let order = client.get_order(GetOrderRequest { id: "o-6".into() }).await.expect("get").into_inner().order;
        let order = order.expect("an order");
        assert_eq!((order.customer_name.as_str(), order.status.as_str()), ("Bob", "Completed"));
        assert_eq!((order.total, order.items[0].quantity, order.items[0].store_name.as_str()), (29.97, 3, "Books"));
        let missing = client.get_order(GetOrderRequest { id: "nope".into() }).await.expect_err("unknown");
        assert_eq!((missing.code(), missing.message()), (Code::NotFound, "order not found"));
        let blank = client.get_order(GetOrderRequest { id: String::new() }).await.expect_err("blank");
        assert_eq!(blank.code(), Code::InvalidArgument);

        let (status, doc) = app.get("/search-spec/api.swagger.json").await;
        assert_eq!(status, 200);
        assert_eq!(doc["info"]["title"], "Search");
        assert_eq!(doc["paths"]["/api/search/orders"]["post"]["operationId"], "searchOrders");
        assert_eq!(doc["paths"]["/api/search/orders"]["post"]["tags"], json!(["Orders"]));
        assert_eq!(doc["paths"]["/api/search/orders/{id}"]["get"]["operationId"], "getOrder");
        assert_eq!(doc["paths"]["/api/search/orders/{id}"]["get"]["tags"], json!(["Order"]));
        app.stop().await;
    }
}

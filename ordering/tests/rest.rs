//! Black-box tests of the ordering REST and gRPC API (ORIGINAL.md §4.4, §5 with TARGET.md's fixes), run on every
//! backend: exact JSON shapes, validation texts, 404 for unknown ids, cancellation rules and the API document.

mod support;

use contracts::orderingpb::{self, ordering_service_client::OrderingServiceClient};
use prost::Message as _;
use serde_json::json;
use support::*;

fn items() -> serde_json::Value {
    json!([
        { "storeId": "s1", "productId": "p1", "storeName": "Store", "productName": "Pen", "price": 1.10, "quantity": 3 },
        { "store_id": "s1", "product_id": "p2", "store_name": "Store", "product_name": "Book", "price": 2.5, "quantity": 1 }
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_are_created_read_and_validated() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (status, body) =
            app.post("/api/ordering", json!({ "items": items(), "customerId": "c1", "paymentId": "pay1" })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["id"]);
        let id = body["id"].as_str().expect("id").to_owned();
        assert_eq!(
            app.get(&format!("/api/ordering/{id}")).await,
            (
                200,
                json!({ "order": { "id": id, "customerId": "c1", "paymentId": "pay1", "status": "pending", "items": [
                    { "storeId": "s1", "productId": "p1", "storeName": "Store", "productName": "Pen", "price": 1.1, "quantity": 3 },
                    { "storeId": "s1", "productId": "p2", "storeName": "Store", "productName": "Book", "price": 2.5, "quantity": 1 }
                ] } })
            ),
            "{backend:?}"
        );
        // the order is announced with its lines (the saga starts from it)
        let events = order_events(&app, &id).await;
        assert_eq!(events.len(), 1, "{backend:?}");
        assert_eq!(events[0].name, "ordersapi.OrderCreated");
        let created = orderingpb::OrderCreated::decode(events[0].payload.as_slice()).expect("payload");
        assert_eq!((created.customer_id.as_str(), created.payment_id.as_str()), ("c1", "pay1"));
        assert_eq!(created.shopping_id, "");
        let lines: Vec<(String, f64, i32)> =
            created.items.into_iter().map(|i| (i.product_id, i.price, i.quantity)).collect();
        assert_eq!(lines, [("p1".to_owned(), 1.1, 3), ("p2".to_owned(), 2.5, 1)]);

        for (body, message) in [
            (
                json!({ "items": [], "customerId": "c", "paymentId": "p" }),
                "create order command: the order has no items",
            ),
            (json!({ "customerId": "c", "paymentId": "p" }), "create order command: the order has no items"),
            (json!({ "items": items(), "paymentId": "p" }), "create order command: the customer id cannot be blank"),
            (json!({ "items": items(), "customerId": "c" }), "create order command: the payment id cannot be blank"),
            (
                json!({ "items": [{ "productId": "p", "price": 1.0, "quantity": 0 }], "customerId": "c", "paymentId": "p" }),
                "create order command: the item quantity must be at least 1",
            ),
            (
                json!({ "items": [{ "productId": "p", "price": -1.0, "quantity": 1 }], "customerId": "c", "paymentId": "p" }),
                "create order command: the item price cannot be negative",
            ),
        ] {
            assert_error(app.post("/api/ordering", body).await, 400, 3, message);
        }

        let unknown = ddd::new_id();
        assert_error(app.get(&format!("/api/ordering/{unknown}")).await, 404, 5, "order not found");
        assert_error(app.get("/api/ordering/not-a-uuid").await, 404, 5, "order not found");
        assert_error(app.delete(&format!("/api/ordering/{unknown}")).await, 404, 5, "order not found");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_orders_can_be_cancelled_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (_, body) =
            app.post("/api/ordering", json!({ "items": items(), "customerId": "c1", "paymentId": "pay1" })).await;
        let id = body["id"].as_str().expect("id").to_owned();
        assert_eq!(app.delete(&format!("/api/ordering/{id}")).await, (200, json!({})), "{backend:?}");
        assert_eq!(status(&app, &id).await.as_deref(), Some("cancelled"));
        assert_error(app.delete(&format!("/api/ordering/{id}")).await, 400, 3, "the order cannot be cancelled");

        let names = order_event_names(&app, &id).await;
        assert_eq!(names, ["ordersapi.OrderCreated", "ordersapi.OrderCanceled"], "{backend:?}");
        let canceled =
            orderingpb::OrderCanceled::decode(order_events(&app, &id).await[1].payload.as_slice()).expect("payload");
        assert_eq!(canceled, orderingpb::OrderCanceled { id, customer_id: "c1".into(), payment_id: "pay1".into() });
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grpc_service_checks_status_and_the_api_document_matches_the_original() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut client = OrderingServiceClient::connect(app.grpc_url()).await.expect("grpc connect");
        let item = orderingpb::Item { product_id: "p1".into(), price: 2.0, quantity: 2, ..Default::default() };
        let id = client
            .create_order(orderingpb::CreateOrderRequest {
                items: vec![item],
                customer_id: "c1".into(),
                payment_id: "pay1".into(),
            })
            .await
            .expect("created")
            .into_inner()
            .id;
        let order = client.get_order(orderingpb::GetOrderRequest { id: id.clone() }).await.expect("order").into_inner();
        assert_eq!(order.order.map(|o| o.status), Some("pending".to_owned()));

        let err = client.ready_order(orderingpb::ReadyOrderRequest { id: id.clone() }).await.expect_err("pending");
        assert_eq!(
            (err.code(), err.message()),
            (tonic::Code::InvalidArgument, "the order cannot be readied"),
            "{backend:?}"
        );
        let err = client
            .complete_order(orderingpb::CompleteOrderRequest { id: id.clone(), invoice_id: "inv".into() })
            .await
            .expect_err("pending");
        assert_eq!((err.code(), err.message()), (tonic::Code::InvalidArgument, "the order cannot be completed"));
        let err = client
            .complete_order(orderingpb::CompleteOrderRequest { id: ddd::new_id(), invoice_id: "inv".into() })
            .await
            .expect_err("unknown");
        assert_eq!((err.code(), err.message()), (tonic::Code::NotFound, "order not found"));
        let err = client.get_order(orderingpb::GetOrderRequest { id: ddd::new_id() }).await.expect_err("unknown");
        assert_eq!(err.code(), tonic::Code::NotFound);

        let (status, swagger) = app.get("/ordering-spec/api.swagger.json").await;
        assert_eq!(status, 200);
        assert_eq!(swagger["info"]["title"], json!("Order Processing"));
        let mut operations: Vec<String> = Vec::new();
        for (path, item) in swagger["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                assert_eq!(operation["tags"], json!(["Order"]));
                operations.push(format!(
                    "{} {path} {}",
                    method.to_uppercase(),
                    operation["operationId"].as_str().unwrap_or_default()
                ));
            }
        }
        operations.sort();
        assert_eq!(
            operations,
            [
                "DELETE /api/ordering/{id} cancelOrder",
                "GET /api/ordering/{id} getOrder",
                "POST /api/ordering createOrder"
            ]
        );

        // The AsyncAPI document: the events ordering publishes, on the real subject of this stream.
        let (status, asyncapi) = app.get("/ordering-asyncapi/asyncapi.json").await;
        assert_eq!(status, 200);
        let events = &asyncapi["channels"][format!("{}.ordering.events.Order", app.stream_name)]["subscribe"];
        let listed: Vec<&str> = events["message"]["oneOf"]
            .as_array()
            .expect("order events")
            .iter()
            .filter_map(|m| m["$ref"].as_str()?.strip_prefix("#/components/messages/"))
            .collect();
        assert!(listed.contains(&"ordersapi.OrderApproved"), "{listed:?}");
        let approved = &asyncapi["components"]["messages"]["ordersapi.OrderApproved"];
        assert_eq!(approved["name"], json!("ordersapi.OrderApproved"));
        assert_eq!(
            asyncapi["components"]["schemas"]["orderingpb.OrderApproved"]["properties"]["paymentId"]["type"],
            json!("string")
        );
        app.stop().await;
    }
}

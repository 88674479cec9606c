//! Black-box tests of the payments REST API (ORIGINAL.md §4.5 with TARGET.md's additions), on every backend:
//! exact JSON shapes, validation texts, 404 for unknown ids, bad input, and the API document.

mod support;

use serde_json::json;
use support::*;
use testkit::wire::assert_error;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_is_authorized_and_read_back() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (status, body) = app.post("/api/payments", json!({ "customerId": "c-1", "amount": 3.30 })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["id"], "{backend:?}");
        let id = body["id"].as_str().expect("id").to_owned();

        let (status, body) = app.get(&format!("/api/payments/{id}")).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(
            body,
            json!({ "payment": { "id": id, "customerId": "c-1", "amount": 3.3, "orderId": "", "status": "authorized" } }),
            "{backend:?}"
        );
        // snake_case input is accepted too, unknown fields are ignored
        let (status, body) = app.post("/api/payments", json!({ "customer_id": "c-2", "amount": 10, "x": 1 })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let (_, body) = app.get(&format!("/api/payments/{}", body["id"].as_str().expect("id"))).await;
        assert_eq!(body["payment"]["customerId"], "c-2");
        assert_eq!(body["payment"]["amount"], 10.0);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_payments_are_refused_with_the_texts() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        assert_error(
            app.post("/api/payments", json!({ "customerId": " ", "amount": 1.0 })).await,
            400,
            3,
            "the customer id cannot be blank",
        );
        assert_error(
            app.post("/api/payments", json!({ "amount": 1.0 })).await,
            400,
            3,
            "the customer id cannot be blank",
        );
        for amount in [0.0, -1.5, 0.004] {
            assert_error(
                app.post("/api/payments", json!({ "customerId": "c", "amount": amount })).await,
                400,
                3,
                "the payment amount must be positive",
            );
        }
        let (status, body) = app.call_raw("POST", "/api/payments", b"{\"customerId\":".to_vec()).await;
        assert_eq!((status, body["code"].as_i64()), (400, Some(3)), "{backend:?}: {body}");
        let (status, body) = app.post("/api/payments", json!({ "customerId": "c", "amount": "lots" })).await;
        assert_eq!((status, body["code"].as_i64()), (400, Some(3)), "{backend:?}: {body}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_are_not_found() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let unknown = ddd::new_id();
        assert_error(app.get(&format!("/api/payments/{unknown}")).await, 404, 5, "payment not found");
        assert_error(app.get(&format!("/api/payments/invoices/{unknown}")).await, 404, 5, "invoice not found");
        assert_error(
            app.put(&format!("/api/payments/invoices/{unknown}/pay"), json!({})).await,
            404,
            5,
            "invoice not found",
        );
        assert_error(app.get("/api/payments/not-a-uuid").await, 404, 5, "payment not found");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_names_the_original_operations() {
    let app = spawn(app_backends()[0]).await;
    let (status, doc) = app.get("/payments-spec/api.swagger.json").await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["info"]["title"], "Payments");
    let text = doc.to_string();
    for operation in ["authorizePayment", "payInvoice", "getPayment", "getInvoice"] {
        assert!(text.contains(&format!("\"operationId\":\"{operation}\"")), "{operation} missing: {text}");
    }
    assert!(text.contains("\"Payment\"") && text.contains("\"Invoice\""), "tags: {text}");
    app.stop().await;
}

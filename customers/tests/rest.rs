//! The REST surface of ORIGINAL.md §4.2 on every backend: exact JSON shapes, validation texts, 404s for unknown
//! ids, and the error JSON for malformed input.

mod support;

use serde_json::json;
use support::{app_backends, register, spawn};
use testkit::wire::metric_value;

fn error(code: i64, message: &str) -> serde_json::Value {
    json!({ "code": code, "message": message, "details": [] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_with_the_original_json() {
    for backend in app_backends() {
        let app = spawn(backend).await;

        let (status, body) =
            app.post("/api/customers", json!({ "name": "Customer ABC", "smsNumber": "555-555-1212" })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let id = body["id"].as_str().expect("id").to_owned();
        assert_eq!(body, json!({ "id": id }), "{backend:?}");
        assert_eq!(id.len(), 36, "a UUID: {id}");

        let (status, body) = app.get(&format!("/api/customers/{id}")).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(
            body,
            json!({ "customer": { "id": id, "name": "Customer ABC", "smsNumber": "555-555-1212", "enabled": true } }),
            "{backend:?}"
        );

        // disable → every field still emitted, `enabled: false` included
        assert_eq!(app.put(&format!("/api/customers/{id}/disable"), json!({})).await, (200, json!({})), "{backend:?}");
        let (_, body) = app.get(&format!("/api/customers/{id}")).await;
        assert_eq!(
            body,
            json!({ "customer": { "id": id, "name": "Customer ABC", "smsNumber": "555-555-1212", "enabled": false } }),
            "{backend:?}"
        );
        assert_eq!(
            app.put(&format!("/api/customers/{id}/disable"), json!({})).await,
            (400, error(3, "the customer is already disabled")),
            "{backend:?}"
        );

        // enable, with an empty body (grpc-gateway accepts it)
        let (status, body) = app.call_raw("PUT", &format!("/api/customers/{id}/enable"), Vec::new()).await;
        assert_eq!((status, body), (200, json!({})), "{backend:?}");
        assert_eq!(
            app.put(&format!("/api/customers/{id}/enable"), json!({})).await,
            (400, error(3, "the customer is already enabled")),
            "{backend:?}"
        );

        // change-sms works (the original answered 501), camelCase and snake_case alike
        assert_eq!(
            app.put(&format!("/api/customers/{id}/change-sms"), json!({ "smsNumber": "555-000-0001" })).await,
            (200, json!({})),
            "{backend:?}"
        );
        assert_eq!(app.get(&format!("/api/customers/{id}")).await.1["customer"]["smsNumber"], "555-000-0001");
        assert_eq!(
            app.put(&format!("/api/customers/{id}/change-sms"), json!({ "sms_number": "555-000-0002", "x": 1 })).await,
            (200, json!({})),
            "{backend:?}"
        );
        assert_eq!(app.get(&format!("/api/customers/{id}")).await.1["customer"]["smsNumber"], "555-000-0002");
        assert_eq!(
            app.put(&format!("/api/customers/{id}/change-sms"), json!({ "smsNumber": "" })).await,
            (400, error(3, "the SMS number cannot be blank")),
            "{backend:?}"
        );
        // the path id wins over an id in the body
        let other = register(&app, "Other", "555-9").await;
        assert_eq!(
            app.put(&format!("/api/customers/{other}/disable"), json!({ "id": id })).await,
            (200, json!({})),
            "{backend:?}"
        );
        assert_eq!(app.get(&format!("/api/customers/{id}")).await.1["customer"]["enabled"], true);
        assert_eq!(app.get(&format!("/api/customers/{other}")).await.1["customer"]["enabled"], false);

        // snake_case registration, unknown fields ignored
        let (status, body) =
            app.post("/api/customers", json!({ "name": "Snake", "sms_number": "555-1", "unknown": [1, 2] })).await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let snake = body["id"].as_str().expect("id");
        assert_eq!(app.get(&format!("/api/customers/{snake}")).await.1["customer"]["smsNumber"], "555-1");

        let text = app.metrics().await;
        assert_eq!(metric_value(&text, "customers_registered_count"), 3.0, "{backend:?}:\n{text}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_validates_with_the_original_texts() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let cases = [
            (json!({ "name": "", "smsNumber": "555" }), "the customer name cannot be blank"),
            (json!({ "name": "   ", "smsNumber": "555" }), "the customer name cannot be blank"),
            (json!({ "smsNumber": "555" }), "the customer name cannot be blank"),
            (json!({ "name": "A", "smsNumber": "" }), "the SMS number cannot be blank"),
            (json!({ "name": "A" }), "the SMS number cannot be blank"),
            (json!({}), "the customer name cannot be blank"),
        ];
        for (body, message) in cases {
            assert_eq!(app.post("/api/customers", body.clone()).await, (400, error(3, message)), "{backend:?}: {body}");
        }
        let (status, body) = app.call_raw("POST", "/api/customers", Vec::new()).await;
        assert_eq!((status, body), (400, error(3, "the customer name cannot be blank")), "{backend:?}: empty body");

        // refused registrations leave no trace: no event, no count
        assert!(app.outbox("customers").await.is_empty(), "{backend:?}");
        assert_eq!(metric_value(&app.metrics().await, "customers_registered_count"), 0.0, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_are_not_found_on_every_read_and_command() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let known = register(&app, "Known", "555").await;
        let not_found = error(5, "customer not found");
        for id in [ddd::new_id(), "not-a-uuid".to_owned(), "%20".to_owned()] {
            assert_eq!(app.get(&format!("/api/customers/{id}")).await, (404, not_found.clone()), "{backend:?} {id}");
            for action in ["enable", "disable"] {
                assert_eq!(
                    app.put(&format!("/api/customers/{id}/{action}"), json!({})).await,
                    (404, not_found.clone()),
                    "{backend:?} {action} {id}"
                );
            }
            assert_eq!(
                app.put(&format!("/api/customers/{id}/change-sms"), json!({ "smsNumber": "555-1" })).await,
                (404, not_found.clone()),
                "{backend:?} change-sms {id}"
            );
        }
        // nothing was written for the unknown ids: the outbox holds the one registration only
        let outbox = app.outbox("customers").await;
        assert_eq!(outbox.len(), 1, "{backend:?}: {outbox:?}");
        assert_eq!(app.get(&format!("/api/customers/{known}")).await.0, 200);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_gets_the_error_json() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let id = register(&app, "Customer", "555").await;
        let bad_bodies: [(&str, String, Vec<u8>); 5] = [
            ("POST", "/api/customers".to_owned(), b"{\"name\": \"x\"".to_vec()),
            ("POST", "/api/customers".to_owned(), br#"{"name": 5, "smsNumber": "555"}"#.to_vec()),
            ("POST", "/api/customers".to_owned(), b"[1, 2]".to_vec()),
            ("PUT", format!("/api/customers/{id}/change-sms"), br#"{"smsNumber": ["555"]}"#.to_vec()),
            ("PUT", format!("/api/customers/{id}/enable"), b"not json".to_vec()),
        ];
        for (method, path, body) in bad_bodies {
            let (status, json) = app.call_raw(method, &path, body.clone()).await;
            assert_eq!(status, 400, "{backend:?} {method} {path} {:?}: {json}", String::from_utf8_lossy(&body));
            assert_eq!(json["code"], 3, "{backend:?}: {json}");
            assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{backend:?}: {json}");
            assert_eq!(json["details"], json!([]), "{backend:?}: {json}");
        }

        let mut huge = br#"{"name": "big", "smsNumber": ""#.to_vec();
        huge.extend(std::iter::repeat_n(b'5', 1024 * 1024 + 1));
        huge.extend(br#""}"#);
        let (status, json) = app.call_raw("POST", "/api/customers", huge).await;
        assert_eq!(status, 413, "{backend:?}: {json}");
        assert!(json["code"].is_i64() && json["message"].is_string(), "{backend:?}: {json}");

        // nothing of the above changed anything
        assert_eq!(
            app.get(&format!("/api/customers/{id}")).await.1,
            json!({ "customer": { "id": id, "name": "Customer", "smsNumber": "555", "enabled": true } })
        );
        assert_eq!(metric_value(&app.metrics().await, "customers_registered_count"), 1.0, "{backend:?}");

        let (status, json) = app.get(&format!("/api/customers/{id}/nothing-here")).await;
        assert_eq!(status, 404, "{backend:?}: {json}");
        assert_eq!(json["code"], 5);
        let (status, _) = app.delete(&format!("/api/customers/{id}")).await;
        assert_eq!(status, 405, "{backend:?}");
        app.stop().await;
    }
}

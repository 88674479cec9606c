//! `notificationspb.NotificationsService` over gRPC on every backend: each method sends its SMS now; blank ids are
//! refused, unknown customers are 404.

mod support;

use std::sync::Arc;

use contracts::notificationspb::notifications_service_client::NotificationsServiceClient;
use contracts::notificationspb::*;
use support::*;
use testkit::app::TestApp;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notify_methods_send_their_sms() {
    for backend in app_backends() {
        let app = TestApp::spawn(
            backend,
            vec![Arc::new(customers::CustomersModule), Arc::new(notifications::NotificationsModule)],
        )
        .await;
        let (status, body) =
            app.post("/api/customers", serde_json::json!({ "name": "Fay", "smsNumber": "555-0606" })).await;
        assert_eq!(status, 200, "{body}");
        let customer = body["id"].as_str().expect("id").to_owned();
        let mut client = NotificationsServiceClient::connect(app.grpc_url()).await.expect("connect");

        let ids = |order: &str| (order.to_owned(), customer.clone());
        let (order_id, customer_id) = ids("order-g");
        client.notify_order_created(NotifyOrderCreatedRequest { order_id, customer_id }).await.expect("created");
        let (order_id, customer_id) = ids("order-g");
        client.notify_order_ready(NotifyOrderReadyRequest { order_id, customer_id }).await.expect("ready");
        let (order_id, customer_id) = ids("order-g");
        client.notify_order_canceled(NotifyOrderCanceledRequest { order_id, customer_id }).await.expect("canceled");

        let sent = wait_for_notifications(&app, &customer, 3).await;
        let kinds: Vec<&str> = sent.iter().map(|n| n["kind"].as_str().unwrap_or_default()).collect();
        assert_eq!(kinds, ["created", "ready", "canceled"], "{backend:?}");
        assert_eq!(sent[1]["text"], "Hi Fay, your order order-g is ready for pickup.", "{backend:?}");
        assert!(sent.iter().all(|n| n["smsNumber"] == "555-0606"), "{backend:?}");

        let refused = client
            .notify_order_created(NotifyOrderCreatedRequest { order_id: " ".into(), customer_id: customer.clone() })
            .await
            .expect_err("blank order id");
        assert_eq!((refused.code(), refused.message()), (Code::InvalidArgument, "the order id cannot be blank"));
        let refused = client
            .notify_order_ready(NotifyOrderReadyRequest { order_id: "o".into(), customer_id: String::new() })
            .await
            .expect_err("blank customer id");
        assert_eq!((refused.code(), refused.message()), (Code::InvalidArgument, "the customer id cannot be blank"));
        let refused = client
            .notify_order_canceled(NotifyOrderCanceledRequest { order_id: "o".into(), customer_id: "nobody".into() })
            .await
            .expect_err("unknown customer");
        assert_eq!((refused.code(), refused.message()), (Code::NotFound, "customer not found"), "{backend:?}");
        app.stop().await;
    }
}

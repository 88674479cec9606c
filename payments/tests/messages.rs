//! The payments context on the stream, on every backend: the saga's `ConfirmPayment` / `VoidPayment` commands and
//! their replies, invoices created from `ordersapi.OrderReadied` and paid (publishing `paymentsapi.InvoicePaid`),
//! the cleanup after `ordersapi.OrderCanceled`, and concurrent payments of one invoice.

mod support;

use std::sync::Arc;

use contracts::{names, orderingpb, paymentspb};
use serde_json::json;
use support::*;
use testkit::app::TestApp;
use testkit::wire::{assert_error, assert_outcome};

const CONFIRM: &str = "paymentsapi.ConfirmPayment";
const VOID: &str = "paymentsapi.VoidPayment";

/// `ConfirmPayment` as the saga sends it.
fn confirm(app: &TestApp, id: &str, amount: f64, order_id: &str, customer_id: &str) -> messaging::Message {
    let payload = paymentspb::ConfirmPayment {
        id: id.into(),
        amount,
        order_id: order_id.into(),
        customer_id: customer_id.into(),
    };
    command(app, CONFIRM, payload)
}

/// `VoidPayment` as the saga sends it.
fn void(app: &TestApp, id: &str) -> messaging::Message {
    command(app, VOID, paymentspb::VoidPayment { id: id.into() })
}

async fn payment(app: &TestApp, id: &str) -> serde_json::Value {
    let (status, body) = app.get(&format!("/api/payments/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["payment"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_payment_checks_owner_amount_and_single_use() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let p = authorize(&app, "c-1", 3.30).await;
        let (o1, o2) = (ddd::new_id(), ddd::new_id());

        let reply = app.command(confirm(&app, &p, 3.30, &o1, "c-2")).await;
        assert_outcome(&reply, false, "another customer's payment");
        let reply = app.command(confirm(&app, &p, 3.31, &o1, "c-1")).await;
        assert_outcome(&reply, false, "too small");
        let reply = app.command(confirm(&app, &ddd::new_id(), 1.0, &o1, "c-1")).await;
        assert_outcome(&reply, false, "unknown payment");
        assert_eq!(payment(&app, &p).await["status"], "authorized", "{backend:?}: refusals change nothing");

        // 3 × 1.10 as the saga computes it in doubles is 3.3000000000000003: exact cents make it 3.30
        let reply = app.command(confirm(&app, &p, 1.10 * 3.0, &o1, "c-1")).await;
        assert_outcome(&reply, true, "exactly covered");
        assert_eq!(
            payment(&app, &p).await,
            json!({ "id": p, "customerId": "c-1", "amount": 3.3, "orderId": o1, "status": "confirmed" }),
            "{backend:?}"
        );
        let reply = app.command(confirm(&app, &p, 3.30, &o1, "c-1")).await;
        assert_outcome(&reply, true, "the same order again (a saga retry)");
        let reply = app.command(confirm(&app, &p, 1.00, &o2, "c-1")).await;
        assert_outcome(&reply, false, "used by another order");
        assert_eq!(payment(&app, &p).await["orderId"], o1.as_str(), "{backend:?}");

        assert!(app.dead_letters("payment-commands").await.is_empty(), "{backend:?}: refusals are answers");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn void_payment_is_idempotent_and_final() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let p = authorize(&app, "c-1", 10.0).await;
        let order = ddd::new_id();
        assert_outcome(&app.command(confirm(&app, &p, 5.0, &order, "c-1")).await, true, "confirm");

        assert_outcome(&app.command(void(&app, &p)).await, true, "void");
        assert_eq!(payment(&app, &p).await["status"], "voided", "{backend:?}");
        assert_outcome(&app.command(void(&app, &p)).await, true, "void again");
        assert_outcome(&app.command(void(&app, &ddd::new_id())).await, false, "void an unknown payment");
        assert_outcome(&app.command(confirm(&app, &p, 5.0, &order, "c-1")).await, false, "confirm a voided one");
        assert_eq!(payment(&app, &p).await["status"], "voided", "{backend:?}");
        app.stop().await;
    }
}

async fn order_readied(app: &TestApp, order_id: &str, payment_id: &str, total: f64) {
    let event = orderingpb::OrderReadied {
        id: order_id.into(),
        customer_id: "c-1".into(),
        payment_id: payment_id.into(),
        total,
    };
    app.publish(&messaging::Message::new(names::ORDERING_ORDER_EVENTS, "ordersapi.OrderReadied", event)).await;
}

async fn order_canceled(app: &TestApp, order_id: &str, payment_id: &str) {
    let event =
        orderingpb::OrderCanceled { id: order_id.into(), customer_id: "c-1".into(), payment_id: payment_id.into() };
    app.publish(&messaging::Message::new(names::ORDERING_ORDER_EVENTS, "ordersapi.OrderCanceled", event)).await;
}

async fn invoice(app: &TestApp, id: &str) -> serde_json::Value {
    let (status, body) = app.get(&format!("/api/payments/invoices/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["invoice"].clone()
}

async fn wait_for_invoice(app: &TestApp, id: &str, status: &str) -> serde_json::Value {
    let mut found = serde_json::Value::Null;
    testkit::wait_until(&format!("invoice {id} {status}"), async || {
        let (code, body) = app.get(&format!("/api/payments/invoices/{id}")).await;
        found = body["invoice"].clone();
        code == 200 && found["status"] == status
    })
    .await;
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readied_order_gets_an_invoice_that_is_paid_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (order, p) = (ddd::new_id(), authorize(&app, "c-1", 3.30).await);
        order_readied(&app, &order, &p, 3.30).await;
        let found = wait_for_invoice(&app, &order, "pending").await;
        assert_eq!(
            found,
            json!({ "id": order, "orderId": order, "amount": 3.3, "status": "pending", "paymentId": p }),
            "{backend:?}"
        );

        assert_eq!(app.put(&format!("/api/payments/invoices/{order}/pay"), json!({})).await, (200, json!({})));
        assert_eq!(invoice(&app, &order).await["status"], "paid", "{backend:?}");
        let mut paid = Vec::new();
        testkit::wait_until("InvoicePaid on the stream", async || {
            paid = app.stream_messages(names::PAYMENTS_INVOICE_EVENTS).await;
            !paid.is_empty()
        })
        .await;
        assert_eq!(paid[0].name, "paymentsapi.InvoicePaid", "{backend:?}");
        assert_eq!(
            paid[0].decode::<paymentspb::InvoicePaid>().expect("payload"),
            paymentspb::InvoicePaid { id: order.clone(), order_id: order.clone() }
        );

        assert_error(
            app.put(&format!("/api/payments/invoices/{order}/pay"), json!({})).await,
            400,
            3,
            "invoice cannot be paid for",
        );
        // the same event again (a new message id, past the inbox): the paid invoice stays as it is
        order_readied(&app, &order, &p, 99.0).await;
        let other = ddd::new_id();
        order_readied(&app, &other, &p, 1.0).await;
        wait_for_invoice(&app, &other, "pending").await;
        assert_eq!(invoice(&app, &order).await["status"], "paid", "{backend:?}");
        assert_eq!(invoice(&app, &order).await["amount"], 3.3, "{backend:?}");
        let published = app.outbox("payments").await;
        assert_eq!(published.len(), 1, "{backend:?}: one InvoicePaid: {published:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canceled_order_cancels_its_invoice_and_voids_its_payment() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (order, p) = (ddd::new_id(), authorize(&app, "c-1", 20.0).await);
        assert_outcome(&app.command(confirm(&app, &p, 12.5, &order, "c-1")).await, true, "confirm");
        order_readied(&app, &order, &p, 12.5).await;
        wait_for_invoice(&app, &order, "pending").await;

        // another order's payment named by a cancel is left alone
        let (other_order, other_p) = (ddd::new_id(), authorize(&app, "c-1", 5.0).await);
        assert_outcome(&app.command(confirm(&app, &other_p, 5.0, &other_order, "c-1")).await, true, "confirm");
        order_canceled(&app, &ddd::new_id(), &other_p).await;

        order_canceled(&app, &order, &p).await;
        let canceled = wait_for_invoice(&app, &order, "canceled").await;
        assert_eq!(canceled["amount"], 12.5, "{backend:?}: canceled invoices load");
        testkit::wait_until("the payment voided", async || payment(&app, &p).await["status"] == "voided").await;
        assert_eq!(payment(&app, &other_p).await["status"], "confirmed", "{backend:?}");
        assert_error(
            app.put(&format!("/api/payments/invoices/{order}/pay"), json!({})).await,
            400,
            3,
            "invoice cannot be paid for",
        );
        assert!(app.dead_letters("payment-orders").await.is_empty(), "{backend:?}");
        assert!(app.outbox("payments").await.iter().all(|m| m.name != "paymentsapi.InvoicePaid"), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_payments_of_one_invoice_pay_it_once() {
    for backend in app_backends() {
        let app = Arc::new(spawn(backend).await);
        let order = ddd::new_id();
        order_readied(&app, &order, "p", 1.0).await;
        wait_for_invoice(&app, &order, "pending").await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (app, order) = (app.clone(), order.clone());
                tokio::spawn(async move { app.put(&format!("/api/payments/invoices/{order}/pay"), json!({})).await })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            let (status, body) = task.await.expect("task");
            match status {
                200 => ok += 1,
                400 => assert_eq!(body["message"], "invoice cannot be paid for", "{backend:?}"),
                409 => assert_eq!(body["code"], 10, "{backend:?}"),
                other => panic!("{backend:?}: {other} {body}"),
            }
        }
        assert_eq!(ok, 1, "{backend:?}");
        assert_eq!(app.outbox("payments").await.len(), 1, "{backend:?}: one InvoicePaid");
        let Ok(app) = Arc::try_unwrap(app) else { panic!("the app is still shared") };
        app.stop().await;
    }
}

//! The `paymentspb.PaymentsService` gRPC surface, on every backend, for the methods REST does not expose:
//! ConfirmPayment, CreateInvoice, AdjustInvoice, CancelInvoice (and the reads), with codes and texts.

mod support;

use contracts::paymentspb::{self as pb, payments_service_client::PaymentsServiceClient};
use support::*;
use tonic::Code;

#[track_caller]
fn assert_status<T: std::fmt::Debug>(result: Result<T, tonic::Status>, code: Code, message: &str) {
    let status = result.expect_err("an error status");
    assert_eq!((status.code(), status.message()), (code, message));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_and_invoices_over_grpc() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut client = PaymentsServiceClient::connect(app.grpc_url()).await.expect("connect");

        let id = client
            .authorize_payment(pb::AuthorizePaymentRequest { customer_id: "c-1".into(), amount: 7.5 })
            .await
            .expect("authorize")
            .into_inner()
            .id;
        client.confirm_payment(pb::ConfirmPaymentRequest { id: id.clone() }).await.expect("confirm");
        let payment = client.get_payment(pb::GetPaymentRequest { id: id.clone() }).await.expect("get").into_inner();
        assert_eq!(
            payment.payment,
            Some(pb::Payment {
                id: id.clone(),
                customer_id: "c-1".into(),
                amount: 7.5,
                order_id: String::new(),
                status: "confirmed".into()
            }),
            "{backend:?}"
        );
        assert_status(
            client.confirm_payment(pb::ConfirmPaymentRequest { id: ddd::new_id() }).await,
            Code::NotFound,
            "payment not found",
        );
        assert_status(
            client.authorize_payment(pb::AuthorizePaymentRequest { customer_id: "c".into(), amount: f64::NAN }).await,
            Code::InvalidArgument,
            "the payment amount must be positive",
        );

        let order = ddd::new_id();
        let invoice = client
            .create_invoice(pb::CreateInvoiceRequest { order_id: order.clone(), payment_id: id.clone(), amount: 5.0 })
            .await
            .expect("create invoice")
            .into_inner()
            .id;
        assert_ne!(invoice, order, "{backend:?}: the original's CreateInvoice makes a new id");
        client.adjust_invoice(pb::AdjustInvoiceRequest { id: invoice.clone(), amount: 6.25 }).await.expect("adjust");
        let found = client.get_invoice(pb::GetInvoiceRequest { id: invoice.clone() }).await.expect("get").into_inner();
        assert_eq!(
            found.invoice,
            Some(pb::Invoice {
                id: invoice.clone(),
                order_id: order.clone(),
                amount: 6.25,
                status: "pending".into(),
                payment_id: id.clone()
            }),
            "{backend:?}"
        );
        assert_status(
            client.adjust_invoice(pb::AdjustInvoiceRequest { id: invoice.clone(), amount: -1.0 }).await,
            Code::InvalidArgument,
            "the invoice amount cannot be negative",
        );
        client.cancel_invoice(pb::CancelInvoiceRequest { id: invoice.clone() }).await.expect("cancel");
        client.cancel_invoice(pb::CancelInvoiceRequest { id: invoice.clone() }).await.expect("cancel again");
        assert_status(
            client.pay_invoice(pb::PayInvoiceRequest { id: invoice.clone() }).await,
            Code::InvalidArgument,
            "invoice cannot be paid for",
        );

        let paid = client
            .create_invoice(pb::CreateInvoiceRequest { order_id: order.clone(), payment_id: id.clone(), amount: 1.0 })
            .await
            .expect("create invoice")
            .into_inner()
            .id;
        client.pay_invoice(pb::PayInvoiceRequest { id: paid.clone() }).await.expect("pay");
        assert_status(
            client.cancel_invoice(pb::CancelInvoiceRequest { id: paid.clone() }).await,
            Code::InvalidArgument,
            "invoice cannot be canceled",
        );
        for result in [
            client.cancel_invoice(pb::CancelInvoiceRequest { id: ddd::new_id() }).await.map(|_| ()),
            client.adjust_invoice(pb::AdjustInvoiceRequest { id: ddd::new_id(), amount: 1.0 }).await.map(|_| ()),
            client.get_invoice(pb::GetInvoiceRequest { id: ddd::new_id() }).await.map(|_| ()),
        ] {
            assert_status(result, Code::NotFound, "invoice not found");
        }
        assert_eq!(app.outbox("payments").await.len(), 1, "{backend:?}: one InvoicePaid");
        app.stop().await;
    }
}

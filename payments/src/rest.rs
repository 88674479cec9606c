//! The REST surface of ORIGINAL.md §4.5 plus the reads TARGET.md adds (`GET /api/payments/{id}`,
//! `GET /api/payments/invoices/{id}`), as grpc-gateway rules over `PaymentsService`, and its API description.

use axum::Router;
use contracts::paymentspb::payments_service_server::PaymentsService;
use service::rest::{get, post, put};
use service::{ApiSpec, RestRoute};

use crate::grpc::PaymentsGrpc;

/// The routes of the payments gateway.
pub(crate) fn router(svc: PaymentsGrpc) -> Router {
    Router::new()
        .route("/api/payments", post(svc.clone(), |s, r| async move { s.authorize_payment(r).await }))
        .route("/api/payments/{id}", get(svc.clone(), |s, r| async move { s.get_payment(r).await }))
        .route("/api/payments/invoices/{id}", get(svc.clone(), |s, r| async move { s.get_invoice(r).await }))
        .route("/api/payments/invoices/{id}/pay", put(svc, |s, r| async move { s.pay_invoice(r).await }))
}

/// The OpenAPI description (title, tags, operation ids and summaries of the original's `api.openapi.yaml`, plus
/// the two reads).
pub(crate) const API_SPEC: ApiSpec = ApiSpec {
    module: "payments",
    title: "Payments",
    service: "paymentspb.PaymentsService",
    routes: &[
        RestRoute {
            method: "POST",
            path: "/api/payments",
            rpc: "AuthorizePayment",
            operation_id: "authorizePayment",
            tag: "Payment",
            summary: "Authorize a future payment",
            body: true,
        },
        RestRoute {
            method: "GET",
            path: "/api/payments/{id}",
            rpc: "GetPayment",
            operation_id: "getPayment",
            tag: "Payment",
            summary: "Get a payment",
            body: false,
        },
        RestRoute {
            method: "PUT",
            path: "/api/payments/invoices/{id}/pay",
            rpc: "PayInvoice",
            operation_id: "payInvoice",
            tag: "Invoice",
            summary: "Pay an invoice",
            body: true,
        },
        RestRoute {
            method: "GET",
            path: "/api/payments/invoices/{id}",
            rpc: "GetInvoice",
            operation_id: "getInvoice",
            tag: "Invoice",
            summary: "Get an invoice",
            body: false,
        },
    ],
};

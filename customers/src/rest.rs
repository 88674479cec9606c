//! The REST surface of ORIGINAL.md §4.2 (grpc-gateway rules over `CustomersService`) and its API description.

use axum::Router;
use service::rest::{get, post, put};
use service::{ApiSpec, RestRoute};

use crate::grpc::CustomersGrpc;
use contracts::customerspb::customers_service_server::CustomersService;

/// The routes of the customers gateway.
pub(crate) fn router(svc: CustomersGrpc) -> Router {
    Router::new()
        .route("/api/customers", post(svc.clone(), |s, r| async move { s.register_customer(r).await }))
        .route("/api/customers/{id}", get(svc.clone(), |s, r| async move { s.get_customer(r).await }))
        .route("/api/customers/{id}/change-sms", put(svc.clone(), |s, r| async move { s.change_sms_number(r).await }))
        .route("/api/customers/{id}/enable", put(svc.clone(), |s, r| async move { s.enable_customer(r).await }))
        .route("/api/customers/{id}/disable", put(svc, |s, r| async move { s.disable_customer(r).await }))
}

const fn route(
    method: &'static str,
    path: &'static str,
    rpc: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    body: bool,
) -> RestRoute {
    RestRoute::new(method, path, rpc, operation_id, "Customer", summary, body)
}

/// The OpenAPI description (titles, tags, operation ids and summaries of the original's `api.openapi.yaml`).
pub(crate) const API_SPEC: ApiSpec = ApiSpec {
    module: "customers",
    title: "Customers",
    service: "customerspb.CustomersService",
    routes: &[
        route("POST", "/api/customers", "RegisterCustomer", "registerCustomer", "Register a new customer", true),
        route("GET", "/api/customers/{id}", "GetCustomer", "getCustomer", "Get a customer", false),
        route(
            "PUT",
            "/api/customers/{id}/change-sms",
            "ChangeSmsNumber",
            "changeSmsNumber",
            "Change a customers SMS number",
            true,
        ),
        route("PUT", "/api/customers/{id}/enable", "EnableCustomer", "enableCustomer", "Enable a customer", true),
        // (sic) the original's operationId is capitalised.
        route("PUT", "/api/customers/{id}/disable", "DisableCustomer", "DisableCustomer", "Disable a customer", true),
    ],
};

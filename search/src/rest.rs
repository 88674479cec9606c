//! The REST surface of ORIGINAL.md §4.6 (grpc-gateway rules over `SearchService`) and its API description.

use axum::Router;
use contracts::searchpb::search_service_server::SearchService;
use service::rest::{get, post};
use service::{ApiSpec, RestRoute};

use crate::grpc::SearchGrpc;

/// The routes of `/api/search`.
pub(crate) fn router(svc: SearchGrpc) -> Router {
    Router::new()
        .route("/api/search/orders", post(svc.clone(), |s, r| async move { s.search_orders(r).await }))
        .route("/api/search/orders/{id}", get(svc, |s, r| async move { s.get_order(r).await }))
}

/// The OpenAPI description (title, tags and operation ids of the original's `api.openapi.yaml`).
pub(crate) const API_SPEC: ApiSpec = ApiSpec {
    module: "search",
    title: "Search",
    service: "searchpb.SearchService",
    routes: &[
        RestRoute {
            method: "POST",
            path: "/api/search/orders",
            rpc: "SearchOrders",
            operation_id: "searchOrders",
            tag: "Orders",
            summary: "Search for orders",
            body: true,
        },
        RestRoute {
            method: "GET",
            path: "/api/search/orders/{id}",
            rpc: "GetOrder",
            operation_id: "getOrder",
            tag: "Order",
            summary: "Get an order",
            body: false,
        },
    ],
};

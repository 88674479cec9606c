//! The REST surface of the ordering context (grpc-gateway rules of the original, ORIGINAL.md §4.4) and its API
//! description for the OpenAPI generator. Every route calls the gRPC implementation in-process.

use axum::Router;
use contracts::orderingpb::ordering_service_server::OrderingService;
use service::rest::{delete, get, post};
use service::{ApiSpec, RestRoute};

use crate::grpc::OrderingServer;

/// The routes of `/api/ordering`.
pub(crate) fn routes(server: OrderingServer) -> Router {
    let s = server;
    Router::new().route("/api/ordering", post(s.clone(), |s, r| async move { s.create_order(r).await })).route(
        "/api/ordering/{id}",
        get(s.clone(), |s, r| async move { s.get_order(r).await })
            .merge(delete(s, |s, r| async move { s.cancel_order(r).await })),
    )
}

/// The documented routes: the original's operationIds and tag.
const ROUTES: &[RestRoute] = &[
    RestRoute {
        method: "POST",
        path: "/api/ordering",
        rpc: "CreateOrder",
        operation_id: "createOrder",
        tag: "Order",
        summary: "Create a new order",
        body: true,
    },
    RestRoute {
        method: "GET",
        path: "/api/ordering/{id}",
        rpc: "GetOrder",
        operation_id: "getOrder",
        tag: "Order",
        summary: "Get an order",
        body: false,
    },
    RestRoute {
        method: "DELETE",
        path: "/api/ordering/{id}",
        rpc: "CancelOrder",
        operation_id: "cancelOrder",
        tag: "Order",
        summary: "Cancel an order",
        body: false,
    },
];

/// The API description registered with the runtime (served at `/ordering-spec/`).
pub(crate) const API_SPEC: ApiSpec =
    ApiSpec { module: "ordering", title: "Order Processing", service: "orderingpb.OrderingService", routes: ROUTES };

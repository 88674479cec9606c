//! The REST surface of ORIGINAL.md §4.3 plus `GET /api/depot/shopping/{id}` (TARGET.md), as grpc-gateway rules
//! over `DepotService`, and its API description. Note the original's odd verb: cancel is
//! `POST /api/depot/shopping/{id}`.

use axum::Router;
use contracts::depotpb::depot_service_server::DepotService;
use service::rest::{get, post, put};
use service::{ApiSpec, RestRoute};

use crate::grpc::DepotGrpc;

/// The routes of the depot gateway.
pub(crate) fn router(svc: DepotGrpc) -> Router {
    Router::new()
        .route("/api/depot/shopping", post(svc.clone(), |s, r| async move { s.create_shopping_list(r).await }))
        .route(
            "/api/depot/shopping/{id}",
            post(svc.clone(), |s, r| async move { s.cancel_shopping_list(r).await })
                .merge(get(svc.clone(), |s, r| async move { s.get_shopping_list(r).await })),
        )
        .route(
            "/api/depot/shopping/{id}/assign",
            put(svc.clone(), |s, r| async move { s.assign_shopping_list(r).await }),
        )
        .route("/api/depot/shopping/{id}/complete", put(svc, |s, r| async move { s.complete_shopping_list(r).await }))
}

const fn route(
    method: &'static str,
    path: &'static str,
    rpc: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    body: bool,
) -> RestRoute {
    RestRoute::new(method, path, rpc, operation_id, "ShoppingList", summary, body)
}

/// The OpenAPI description (title, tag, operation ids and summaries of the original's `api.openapi.yaml`).
pub(crate) const API_SPEC: ApiSpec = ApiSpec {
    module: "depot",
    title: "Depot Operations",
    service: "depotpb.DepotService",
    routes: &[
        route(
            "POST",
            "/api/depot/shopping",
            "CreateShoppingList",
            "createShoppingList",
            "Schedule shopping tasks for an order",
            true,
        ),
        route(
            "POST",
            "/api/depot/shopping/{id}",
            "CancelShoppingList",
            "cancelShoppingList",
            "Cancel a shopping task",
            true,
        ),
        route(
            "PUT",
            "/api/depot/shopping/{id}/assign",
            "AssignShoppingList",
            "assignShoppingList",
            "Assign a shopping list to a bot",
            true,
        ),
        // (sic) the original's operationId has a double "c".
        route(
            "PUT",
            "/api/depot/shopping/{id}/complete",
            "CompleteShoppingList",
            "ccompleteShoppingList",
            "Complete a shopping task",
            true,
        ),
        route("GET", "/api/depot/shopping/{id}", "GetShoppingList", "getShoppingList", "Get a shopping list", false),
    ],
};

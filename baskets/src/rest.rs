//! The REST surface of the baskets context (grpc-gateway rules of the original, ORIGINAL.md §4.1) and its API
//! description for the OpenAPI generator. Every route calls the gRPC implementation in-process.

use axum::Router;
use contracts::basketspb::basket_service_server::BasketService;
use service::rest::{delete, get, post, put};
use service::{ApiSpec, RestRoute};

use crate::grpc::BasketServer;

/// The routes of `/api/baskets`.
pub(crate) fn routes(server: BasketServer) -> Router {
    let s = server;
    Router::new()
        .route("/api/baskets", post(s.clone(), |s, r| async move { s.start_basket(r).await }))
        .route(
            "/api/baskets/{id}",
            get(s.clone(), |s, r| async move { s.get_basket(r).await })
                .merge(delete(s.clone(), |s, r| async move { s.cancel_basket(r).await })),
        )
        .route("/api/baskets/{id}/checkout", put(s.clone(), |s, r| async move { s.checkout_basket(r).await }))
        .route("/api/baskets/{id}/addItem", put(s.clone(), |s, r| async move { s.add_item(r).await }))
        .route("/api/baskets/{id}/removeItem", put(s, |s, r| async move { s.remove_item(r).await }))
}

/// The documented routes: the original's operationIds and tags.
const ROUTES: &[RestRoute] = &[
    RestRoute::new("POST", "/api/baskets", "StartBasket", "startBasket", "Basket", "Start a shopping basket", true),
    RestRoute::new("GET", "/api/baskets/{id}", "GetBasket", "getBasket", "Basket", "Get a basket", false),
    RestRoute::new(
        "DELETE",
        "/api/baskets/{id}",
        "CancelBasket",
        "cancelBasket",
        "Basket",
        "Cancel a shopping basket",
        false,
    ),
    RestRoute::new(
        "PUT",
        "/api/baskets/{id}/checkout",
        "CheckoutBasket",
        "checkoutBasket",
        "Basket",
        "Checkout a shopping basket",
        true,
    ),
    RestRoute::new("PUT", "/api/baskets/{id}/addItem", "AddItem", "addItem", "Item", "Add an item to a basket", true),
    RestRoute::new(
        "PUT",
        "/api/baskets/{id}/removeItem",
        "RemoveItem",
        "removeItem",
        "Item",
        "Remove an item from a basket",
        true,
    ),
];

/// The API description registered with the runtime (served at `/baskets-spec/`).
pub(crate) const API_SPEC: ApiSpec =
    ApiSpec { module: "baskets", title: "Shopping Baskets", service: "basketspb.BasketService", routes: ROUTES };

//! The REST surface of the stores context (grpc-gateway rules of the original, ORIGINAL.md §4.7) and its API
//! description for the OpenAPI generator. Every route calls the gRPC implementation in-process.

use axum::Router;
use contracts::storespb::stores_service_server::StoresService;
use service::rest::{delete, get, post, put};
use service::{ApiSpec, RestRoute};

use crate::grpc::StoresServer;

/// The routes of `/api/stores`. Static segments win over parameters, so `GET /api/stores/participating` is
/// GetParticipatingStores and `/api/stores/products/{id}` is a product, not a store.
pub(crate) fn routes(server: StoresServer) -> Router {
    let s = server;
    Router::new()
        .route(
            "/api/stores",
            post(s.clone(), |s, r| async move { s.create_store(r).await })
                .merge(get(s.clone(), |s, r| async move { s.get_stores(r).await })),
        )
        .route("/api/stores/participating", get(s.clone(), |s, r| async move { s.get_participating_stores(r).await }))
        .route("/api/stores/{id}", get(s.clone(), |s, r| async move { s.get_store(r).await }))
        .route(
            "/api/stores/{id}/participating",
            put(s.clone(), |s, r| async move { s.enable_participation(r).await })
                .merge(delete(s.clone(), |s, r| async move { s.disable_participation(r).await })),
        )
        .route("/api/stores/{id}/rebrand", put(s.clone(), |s, r| async move { s.rebrand_store(r).await }))
        .route(
            "/api/stores/{store_id}/products",
            post(s.clone(), |s, r| async move { s.add_product(r).await })
                .merge(get(s.clone(), |s, r| async move { s.get_catalog(r).await })),
        )
        .route(
            "/api/stores/products/{id}",
            get(s.clone(), |s, r| async move { s.get_product(r).await })
                .merge(delete(s.clone(), |s, r| async move { s.remove_product(r).await })),
        )
        .route("/api/stores/products/{id}/rebrand", put(s.clone(), |s, r| async move { s.rebrand_product(r).await }))
        .route(
            "/api/stores/products/{id}/increasePrice",
            put(s.clone(), |s, r| async move { s.increase_product_price(r).await }),
        )
        .route(
            "/api/stores/products/{id}/decreasePrice",
            put(s, |s, r| async move { s.decrease_product_price(r).await }),
        )
}

/// The documented routes: operationIds, tags and summaries of the original's `api.swagger.json`.
const ROUTES: &[RestRoute] = &[
    RestRoute::new("POST", "/api/stores", "CreateStore", "createStore", "Store", "Create a new store", true),
    RestRoute::new("GET", "/api/stores", "GetStores", "getStores", "Store", "Get a list of stores", false),
    RestRoute::new("GET", "/api/stores/{id}", "GetStore", "getStore", "Store", "Get a store", false),
    RestRoute::new("PUT", "/api/stores/{id}/rebrand", "RebrandStore", "rebrandStore", "Store", "", true),
    RestRoute::new(
        "GET",
        "/api/stores/participating",
        "GetParticipatingStores",
        "getParticipatingStores",
        "Participation",
        "Get a list of participating stores",
        false,
    ),
    RestRoute::new(
        "PUT",
        "/api/stores/{id}/participating",
        "EnableParticipation",
        "enableParticipation",
        "Participation",
        "Enable store service participation",
        true,
    ),
    RestRoute::new(
        "DELETE",
        "/api/stores/{id}/participating",
        "DisableParticipation",
        "disableParticipation",
        "Participation",
        "Disable store service participation",
        false,
    ),
    RestRoute::new(
        "POST",
        "/api/stores/{store_id}/products",
        "AddProduct",
        "addProduct",
        "Product",
        "Add a store product",
        true,
    ),
    RestRoute::new(
        "GET",
        "/api/stores/{store_id}/products",
        "GetCatalog",
        "getStoreProducts",
        "Product",
        "Get a list of store products",
        false,
    ),
    RestRoute::new(
        "GET",
        "/api/stores/products/{id}",
        "GetProduct",
        "getProduct",
        "Product",
        "Get a store product",
        false,
    ),
    RestRoute::new(
        "PUT",
        "/api/stores/products/{id}/rebrand",
        "RebrandProduct",
        "rebrandProduct",
        "Product",
        "Change the name and description of a product",
        true,
    ),
    RestRoute::new(
        "PUT",
        "/api/stores/products/{id}/increasePrice",
        "IncreaseProductPrice",
        "increaseProductPrice",
        "Product",
        "Increase the price of a product",
        true,
    ),
    RestRoute::new(
        "PUT",
        "/api/stores/products/{id}/decreasePrice",
        "DecreaseProductPrice",
        "decreaseProductPrice",
        "Product",
        "Decrease the price of a product",
        true,
    ),
    RestRoute::new(
        "DELETE",
        "/api/stores/products/{id}",
        "RemoveProduct",
        "removeProduct",
        "Product",
        "Remove a store product",
        false,
    ),
];

/// The API description registered with the runtime (served at `/stores-spec/`).
pub(crate) const API_SPEC: ApiSpec =
    ApiSpec { module: "stores", title: "Store Management", service: "storespb.StoresService", routes: ROUTES };

//! The `depotpb.DepotService` gRPC server (also what the REST gateway calls in-process), and the gRPC client of
//! the stores service that answers cache misses: connected lazily to the owner's address (`rpc_address("STORES")`,
//! not depot's own as in the original), reused for every call, each call bounded by a timeout and traced as part of
//! the caller's trace.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use contracts::depotpb::{self as pb, depot_service_server::DepotService};
use contracts::storespb::{self, stores_service_client::StoresServiceClient};
use service::rpc_client::{RpcChannel, lazy_channel};
use tonic::{Code, Request, Response, Status};

use crate::application::{Application, OrderLine, StoresDirectory};
use crate::domain::{DepotError, ShoppingList};
use crate::store::{CachedProduct, CachedStore};

#[derive(Clone)]
pub(crate) struct DepotGrpc {
    app: Arc<Application>,
}

impl DepotGrpc {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: DepotError) -> Status {
    service::status_from(&err)
}

fn shopping_list_pb(list: ShoppingList) -> pb::ShoppingList {
    let stops = list
        .stops
        .into_iter()
        .map(|(store_id, stop)| {
            let items = stop
                .items
                .into_iter()
                .map(|(product_id, item)| (product_id, pb::Item { name: item.product_name, quantity: item.quantity }))
                .collect();
            (store_id, pb::Stop { store_name: stop.store_name, store_location: stop.store_location, items })
        })
        .collect();
    pb::ShoppingList {
        id: list.id,
        order_id: list.order_id,
        stops,
        assigned_bot_id: list.assigned_bot_id,
        status: list.status.as_str().to_owned(),
    }
}

#[tonic::async_trait]
impl DepotService for DepotGrpc {
    async fn create_shopping_list(
        &self,
        request: Request<pb::CreateShoppingListRequest>,
    ) -> Result<Response<pb::CreateShoppingListResponse>, Status> {
        let req = request.into_inner();
        let lines: Vec<OrderLine> = req
            .items
            .into_iter()
            .map(|i| OrderLine { product_id: i.product_id, store_id: i.store_id, quantity: i.quantity })
            .collect();
        let id = self.app.create_shopping_list(&req.order_id, &lines).await.map_err(status)?;
        Ok(Response::new(pb::CreateShoppingListResponse { id }))
    }

    async fn cancel_shopping_list(
        &self,
        request: Request<pb::CancelShoppingListRequest>,
    ) -> Result<Response<pb::CancelShoppingListResponse>, Status> {
        self.app.cancel_shopping_list(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::CancelShoppingListResponse {}))
    }

    async fn assign_shopping_list(
        &self,
        request: Request<pb::AssignShoppingListRequest>,
    ) -> Result<Response<pb::AssignShoppingListResponse>, Status> {
        let req = request.into_inner();
        self.app.assign_shopping_list(&req.id, &req.bot_id).await.map_err(status)?;
        Ok(Response::new(pb::AssignShoppingListResponse {}))
    }

    async fn complete_shopping_list(
        &self,
        request: Request<pb::CompleteShoppingListRequest>,
    ) -> Result<Response<pb::CompleteShoppingListResponse>, Status> {
        self.app.complete_shopping_list(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::CompleteShoppingListResponse {}))
    }

    async fn get_shopping_list(
        &self,
        request: Request<pb::GetShoppingListRequest>,
    ) -> Result<Response<pb::GetShoppingListResponse>, Status> {
        let list = self.app.get_shopping_list(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::GetShoppingListResponse { shopping_list: Some(shopping_list_pb(list)) }))
    }
}

/// How long a call to the stores service may take (connecting included).
const STORES_TIMEOUT: Duration = Duration::from_secs(2);

/// The stores service, as the depot's [`StoresDirectory`].
pub(crate) struct StoresClient {
    client: StoresServiceClient<RpcChannel>,
}

impl StoresClient {
    /// A client of the stores service at `address` (`host:port` or a URL); nothing is dialed until the first call.
    pub(crate) fn new(address: &str) -> anyhow::Result<Self> {
        Ok(Self { client: StoresServiceClient::new(lazy_channel(address, STORES_TIMEOUT)?) })
    }
}

/// `NotFound` means the owner does not know the id; anything else means it could not be asked.
fn unless_not_found<T>(what: &str, id: &str, result: Result<T, Status>) -> Result<Option<T>, DepotError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(status) if status.code() == Code::NotFound => Ok(None),
        Err(status) => {
            tracing::warn!(what, id, code = ?status.code(), message = status.message(), "stores fallback failed");
            Err(DepotError::StoresUnavailable)
        }
    }
}

#[async_trait]
impl StoresDirectory for StoresClient {
    async fn store(&self, id: &str) -> Result<Option<CachedStore>, DepotError> {
        let mut client = self.client.clone();
        let response = client.get_store(storespb::GetStoreRequest { id: id.to_owned() }).await;
        let store = unless_not_found("store", id, response.map(|r| r.into_inner().store))?.flatten();
        Ok(store.map(|s| CachedStore { id: s.id, name: s.name, location: s.location }))
    }

    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, DepotError> {
        let mut client = self.client.clone();
        let response = client.get_product(storespb::GetProductRequest { id: id.to_owned() }).await;
        let product = unless_not_found("product", id, response.map(|r| r.into_inner().product))?.flatten();
        Ok(product.map(|p| CachedProduct { id: p.id, store_id: p.store_id, name: p.name }))
    }
}

//! The `basketspb.BasketService` gRPC server (the REST gateway calls the same implementation), and the gRPC client
//! of the stores context that the caches fall back to.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use contracts::basketspb::{self, basket_service_server::BasketService};
use contracts::storespb::{self, stores_service_client::StoresServiceClient};
use service::rpc_client::{RpcChannel, lazy_channel};
use tonic::{Code, Request, Response, Status};

use crate::application::{Application, StoresDirectory};
use crate::domain::{Basket, BasketsError, Cents};
use crate::store::{CachedProduct, CachedStore};

/// How long a fallback call to the stores service may take.
const STORES_TIMEOUT: Duration = Duration::from_secs(2);

/// The gRPC face of the baskets context.
#[derive(Clone)]
pub(crate) struct BasketServer {
    app: Arc<Application>,
}

impl BasketServer {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: BasketsError) -> Status {
    service::status_from(&err)
}

fn basket_pb(id: String, basket: Basket) -> basketspb::Basket {
    basketspb::Basket {
        id,
        items: basket
            .items
            .into_iter()
            .map(|item| basketspb::Item {
                store_id: item.store_id,
                product_id: item.product_id,
                store_name: item.store_name,
                product_name: item.product_name,
                product_price: item.price.dollars(),
                quantity: item.quantity.get(),
            })
            .collect(),
        customer_id: basket.customer_id,
        payment_id: basket.payment_id,
        status: basket.status.as_str().to_owned(),
    }
}

#[tonic::async_trait]
impl BasketService for BasketServer {
    async fn start_basket(
        &self,
        request: Request<basketspb::StartBasketRequest>,
    ) -> Result<Response<basketspb::StartBasketResponse>, Status> {
        let id = self.app.start_basket(&request.into_inner().customer_id).await.map_err(status)?;
        Ok(Response::new(basketspb::StartBasketResponse { id }))
    }

    async fn cancel_basket(
        &self,
        request: Request<basketspb::CancelBasketRequest>,
    ) -> Result<Response<basketspb::CancelBasketResponse>, Status> {
        self.app.cancel_basket(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(basketspb::CancelBasketResponse {}))
    }

    async fn checkout_basket(
        &self,
        request: Request<basketspb::CheckoutBasketRequest>,
    ) -> Result<Response<basketspb::CheckoutBasketResponse>, Status> {
        let req = request.into_inner();
        self.app.checkout_basket(&req.id, &req.payment_id).await.map_err(status)?;
        Ok(Response::new(basketspb::CheckoutBasketResponse {}))
    }

    async fn add_item(
        &self,
        request: Request<basketspb::AddItemRequest>,
    ) -> Result<Response<basketspb::AddItemResponse>, Status> {
        let req = request.into_inner();
        self.app.add_item(&req.id, &req.product_id, req.quantity).await.map_err(status)?;
        Ok(Response::new(basketspb::AddItemResponse {}))
    }

    async fn remove_item(
        &self,
        request: Request<basketspb::RemoveItemRequest>,
    ) -> Result<Response<basketspb::RemoveItemResponse>, Status> {
        let req = request.into_inner();
        self.app.remove_item(&req.id, &req.product_id, req.quantity).await.map_err(status)?;
        Ok(Response::new(basketspb::RemoveItemResponse {}))
    }

    async fn get_basket(
        &self,
        request: Request<basketspb::GetBasketRequest>,
    ) -> Result<Response<basketspb::GetBasketResponse>, Status> {
        let id = request.into_inner().id;
        let basket = self.app.get_basket(&id).await.map_err(status)?;
        Ok(Response::new(basketspb::GetBasketResponse { basket: Some(basket_pb(id, basket)) }))
    }
}

/// The stores context over gRPC, at the owner's address (`RPC_SERVICES` `STORES=…`, or this process). The channel
/// connects on first use and is reused by every call; each call continues the caller's trace.
pub(crate) struct StoresGrpc {
    client: StoresServiceClient<RpcChannel>,
}

impl StoresGrpc {
    /// A client of `address` (`host:port`); nothing is dialled until the first call.
    pub(crate) fn lazy(address: &str) -> anyhow::Result<Self> {
        Ok(Self { client: StoresServiceClient::new(lazy_channel(address, STORES_TIMEOUT)?) })
    }

    /// Runs `call` with the timeout; NotFound becomes `None`, any other failure `unavailable`.
    async fn ask<T, F, Fut>(&self, what: &'static str, call: F) -> Result<Option<T>, BasketsError>
    where
        F: FnOnce(StoresServiceClient<RpcChannel>) -> Fut,
        Fut: std::future::Future<Output = Result<T, Status>>,
    {
        match tokio::time::timeout(STORES_TIMEOUT, call(self.client.clone())).await {
            Ok(Ok(found)) => Ok(Some(found)),
            Ok(Err(status)) if status.code() == Code::NotFound => Ok(None),
            Ok(Err(status)) => {
                tracing::warn!(code = ?status.code(), message = status.message(), "{what}");
                Err(BasketsError::StoresUnavailable(what))
            }
            Err(_) => {
                tracing::warn!("{what}: the stores service did not answer within {STORES_TIMEOUT:?}");
                Err(BasketsError::StoresUnavailable(what))
            }
        }
    }
}

#[async_trait]
impl StoresDirectory for StoresGrpc {
    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, BasketsError> {
        let request = storespb::GetProductRequest { id: id.to_owned() };
        let product = self
            .ask("product fallback failed", |mut client| async move {
                Ok(client.get_product(request).await?.into_inner().product)
            })
            .await?;
        Ok(product.flatten().map(|p| CachedProduct {
            id: p.id,
            store_id: p.store_id,
            name: p.name,
            price: Cents::from_dollars(p.price),
        }))
    }

    async fn store(&self, id: &str) -> Result<Option<CachedStore>, BasketsError> {
        let request = storespb::GetStoreRequest { id: id.to_owned() };
        let store = self
            .ask("store fallback failed", |mut client| async move {
                Ok(client.get_store(request).await?.into_inner().store)
            })
            .await?;
        Ok(store.flatten().map(|s| CachedStore { id: s.id, name: s.name }))
    }
}

//! The `storespb.StoresService` gRPC server: converts wire messages (prices as `double` dollars) to use-case calls
//! and errors to statuses through `service::status_from`. The REST gateway calls the same implementation.

use std::sync::Arc;

use contracts::storespb::{self, stores_service_server::StoresService};
use tonic::{Request, Response, Status};

use crate::application::{Application, NewProduct};
use crate::domain::{Cents, StoresError};
use crate::store::{CatalogProduct, MallStore};

/// The gRPC face of the stores context.
#[derive(Clone)]
pub(crate) struct StoresServer {
    app: Arc<Application>,
}

impl StoresServer {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: StoresError) -> Status {
    service::status_from(&err)
}

fn price(dollars: f64) -> Result<Cents, Status> {
    Cents::from_dollars(dollars).map_err(status)
}

fn store_pb(store: MallStore) -> storespb::Store {
    storespb::Store { id: store.id, name: store.name, location: store.location, participating: store.participating }
}

fn product_pb(product: CatalogProduct) -> storespb::Product {
    storespb::Product {
        id: product.id,
        store_id: product.store_id,
        name: product.name,
        description: product.description,
        sku: product.sku,
        price: product.price.dollars(),
    }
}

#[tonic::async_trait]
impl StoresService for StoresServer {
    async fn create_store(
        &self,
        request: Request<storespb::CreateStoreRequest>,
    ) -> Result<Response<storespb::CreateStoreResponse>, Status> {
        let req = request.into_inner();
        let id = self.app.create_store(&req.name, &req.location).await.map_err(status)?;
        Ok(Response::new(storespb::CreateStoreResponse { id }))
    }

    async fn enable_participation(
        &self,
        request: Request<storespb::EnableParticipationRequest>,
    ) -> Result<Response<storespb::EnableParticipationResponse>, Status> {
        self.app.enable_participation(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(storespb::EnableParticipationResponse {}))
    }

    async fn disable_participation(
        &self,
        request: Request<storespb::DisableParticipationRequest>,
    ) -> Result<Response<storespb::DisableParticipationResponse>, Status> {
        self.app.disable_participation(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(storespb::DisableParticipationResponse {}))
    }

    async fn rebrand_store(
        &self,
        request: Request<storespb::RebrandStoreRequest>,
    ) -> Result<Response<storespb::RebrandStoreResponse>, Status> {
        let req = request.into_inner();
        self.app.rebrand_store(&req.id, &req.name).await.map_err(status)?;
        Ok(Response::new(storespb::RebrandStoreResponse {}))
    }

    async fn get_store(
        &self,
        request: Request<storespb::GetStoreRequest>,
    ) -> Result<Response<storespb::GetStoreResponse>, Status> {
        let store = self.app.get_store(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(storespb::GetStoreResponse { store: Some(store_pb(store)) }))
    }

    async fn get_stores(
        &self,
        _request: Request<storespb::GetStoresRequest>,
    ) -> Result<Response<storespb::GetStoresResponse>, Status> {
        let stores = self.app.get_stores().await.map_err(status)?;
        Ok(Response::new(storespb::GetStoresResponse { stores: stores.into_iter().map(store_pb).collect() }))
    }

    async fn get_participating_stores(
        &self,
        _request: Request<storespb::GetParticipatingStoresRequest>,
    ) -> Result<Response<storespb::GetParticipatingStoresResponse>, Status> {
        let stores = self.app.get_participating_stores().await.map_err(status)?;
        Ok(Response::new(storespb::GetParticipatingStoresResponse {
            stores: stores.into_iter().map(store_pb).collect(),
        }))
    }

    async fn add_product(
        &self,
        request: Request<storespb::AddProductRequest>,
    ) -> Result<Response<storespb::AddProductResponse>, Status> {
        let req = request.into_inner();
        let price = Cents::from_dollars(req.price).map_err(|e| status(StoresError::initializing_product(e)))?;
        let id = self
            .app
            .add_product(NewProduct {
                store_id: &req.store_id,
                name: &req.name,
                description: &req.description,
                sku: &req.sku,
                price,
            })
            .await
            .map_err(status)?;
        Ok(Response::new(storespb::AddProductResponse { id }))
    }

    async fn rebrand_product(
        &self,
        request: Request<storespb::RebrandProductRequest>,
    ) -> Result<Response<storespb::RebrandProductResponse>, Status> {
        let req = request.into_inner();
        self.app.rebrand_product(&req.id, &req.name, &req.description).await.map_err(status)?;
        Ok(Response::new(storespb::RebrandProductResponse {}))
    }

    async fn increase_product_price(
        &self,
        request: Request<storespb::IncreaseProductPriceRequest>,
    ) -> Result<Response<storespb::IncreaseProductPriceResponse>, Status> {
        let req = request.into_inner();
        self.app.increase_product_price(&req.id, price(req.price)?).await.map_err(status)?;
        Ok(Response::new(storespb::IncreaseProductPriceResponse {}))
    }

    async fn decrease_product_price(
        &self,
        request: Request<storespb::DecreaseProductPriceRequest>,
    ) -> Result<Response<storespb::DecreaseProductPriceResponse>, Status> {
        let req = request.into_inner();
        self.app.decrease_product_price(&req.id, price(req.price)?).await.map_err(status)?;
        Ok(Response::new(storespb::DecreaseProductPriceResponse {}))
    }

    async fn remove_product(
        &self,
        request: Request<storespb::RemoveProductRequest>,
    ) -> Result<Response<storespb::RemoveProductResponse>, Status> {
        self.app.remove_product(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(storespb::RemoveProductResponse {}))
    }

    async fn get_product(
        &self,
        request: Request<storespb::GetProductRequest>,
    ) -> Result<Response<storespb::GetProductResponse>, Status> {
        let product = self.app.get_product(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(storespb::GetProductResponse { product: Some(product_pb(product)) }))
    }

    async fn get_catalog(
        &self,
        request: Request<storespb::GetCatalogRequest>,
    ) -> Result<Response<storespb::GetCatalogResponse>, Status> {
        let products = self.app.get_catalog(&request.into_inner().store_id).await.map_err(status)?;
        Ok(Response::new(storespb::GetCatalogResponse { products: products.into_iter().map(product_pb).collect() }))
    }
}

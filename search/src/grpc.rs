//! gRPC: the `searchpb.SearchService` server (also what the REST gateway calls in-process), and the clients of the
//! customers and stores services that implement the [`Owners`] port.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use contracts::customerspb::{GetCustomerRequest, customers_service_client::CustomersServiceClient};
use contracts::pbjson_types::Timestamp;
use contracts::searchpb::{self as pb, search_service_server::SearchService};
use contracts::storespb::{GetProductRequest, GetStoreRequest, stores_service_client::StoresServiceClient};
use service::rpc_client::{RpcChannel, lazy_channel};
use tonic::{Code, Request, Response, Status};

use crate::application::{Application, Owners};
use crate::domain::{OrderQuery, RawQuery, SearchError, SearchOrder};
use crate::store::CachedProduct;

/// How long a call to another module may take (connecting included).
const RPC_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub(crate) struct SearchGrpc {
    app: Arc<Application>,
}

impl SearchGrpc {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: SearchError) -> Status {
    service::status_from(&err)
}

fn micros(ts: &Timestamp) -> i64 {
    ts.seconds.saturating_mul(1_000_000).saturating_add(i64::from(ts.nanos) / 1000)
}

fn timestamp(micros: i64) -> Timestamp {
    Timestamp { seconds: micros.div_euclid(1_000_000), nanos: (micros.rem_euclid(1_000_000) * 1000) as i32 }
}

fn order_pb(order: SearchOrder) -> pb::Order {
    pb::Order {
        order_id: order.order_id,
        customer_id: order.customer_id,
        customer_name: order.customer_name,
        items: order
            .items
            .into_iter()
            .map(|line| pb::order::Item {
                product_id: line.product_id,
                store_id: line.store_id,
                product_name: line.product_name,
                store_name: line.store_name,
                price: line.price_cents as f64 / 100.0,
                quantity: line.quantity,
            })
            .collect(),
        total: order.total_cents as f64 / 100.0,
        status: order.status,
        created_at: Some(timestamp(order.created_at)),
    }
}

#[tonic::async_trait]
impl SearchService for SearchGrpc {
    async fn search_orders(
        &self,
        request: Request<pb::SearchOrdersRequest>,
    ) -> Result<Response<pb::SearchOrdersResponse>, Status> {
        let req = request.into_inner();
        let filters = req.filters.unwrap_or_default();
        let query = OrderQuery::new(RawQuery {
            customer_id: filters.customer_id,
            after: filters.after.as_ref().map(micros),
            before: filters.before.as_ref().map(micros),
            store_ids: filters.store_ids,
            product_ids: filters.product_ids,
            min_total: filters.min_total,
            max_total: filters.max_total,
            status: filters.status,
            next: req.next,
            limit: req.limit,
        })
        .map_err(status)?;
        let (orders, next) = self.app.search(&query).await.map_err(status)?;
        Ok(Response::new(pb::SearchOrdersResponse { orders: orders.into_iter().map(order_pb).collect(), next }))
    }

    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Result<Response<pb::GetOrderResponse>, Status> {
        let order = self.app.get_order(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::GetOrderResponse { order: Some(order_pb(order)) }))
    }
}

/// The customers and stores services over gRPC: one lazily connected channel each, reused (and reconnected) for
/// every call; each call continues the caller's trace.
pub(crate) struct OwnerClients {
    customers: CustomersServiceClient<RpcChannel>,
    stores: StoresServiceClient<RpcChannel>,
}

impl OwnerClients {
    /// Clients of the services at `customers` and `stores` (`host:port` or URLs); nothing is dialled yet.
    pub(crate) fn new(customers: &str, stores: &str) -> anyhow::Result<Self> {
        Ok(Self {
            customers: CustomersServiceClient::new(lazy_channel(customers, RPC_TIMEOUT)?),
            stores: StoresServiceClient::new(lazy_channel(stores, RPC_TIMEOUT)?),
        })
    }
}

/// The answer of an owner: `None` for "not found", [`SearchError::OwnerUnavailable`] for anything else.
async fn ask<T>(
    owner: &'static str,
    call: impl std::future::Future<Output = Result<Response<T>, Status>>,
) -> Result<Option<T>, SearchError> {
    match tokio::time::timeout(RPC_TIMEOUT, call).await {
        Ok(Ok(response)) => Ok(Some(response.into_inner())),
        Ok(Err(status)) if status.code() == Code::NotFound => Ok(None),
        Ok(Err(status)) => Err(SearchError::OwnerUnavailable { owner, source: Box::new(status) }),
        Err(elapsed) => Err(SearchError::OwnerUnavailable { owner, source: Box::new(elapsed) }),
    }
}

#[async_trait]
impl Owners for OwnerClients {
    async fn customer_name(&self, id: &str) -> Result<Option<String>, SearchError> {
        let mut client = self.customers.clone();
        let found = ask("customers", client.get_customer(GetCustomerRequest { id: id.to_owned() })).await?;
        Ok(found.and_then(|r| r.customer).map(|c| c.name))
    }

    async fn store_name(&self, id: &str) -> Result<Option<String>, SearchError> {
        let mut client = self.stores.clone();
        let found = ask("stores", client.get_store(GetStoreRequest { id: id.to_owned() })).await?;
        Ok(found.and_then(|r| r.store).map(|s| s.name))
    }

    async fn product(&self, id: &str) -> Result<Option<CachedProduct>, SearchError> {
        let mut client = self.stores.clone();
        let found = ask("stores", client.get_product(GetProductRequest { id: id.to_owned() })).await?;
        Ok(found.and_then(|r| r.product).map(|p| CachedProduct { store_id: p.store_id, name: p.name }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_micros() {
        for us in [0, 1, 1_764_201_600_000_001, -1] {
            assert_eq!(micros(&timestamp(us)), us);
        }
    }
}

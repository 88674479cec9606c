//! The `orderingpb.OrderingService` gRPC server: converts wire messages (prices as `double` dollars) to use-case
//! calls and errors to statuses through `service::status_from`. The REST gateway calls the same implementation.

use std::sync::Arc;

use contracts::orderingpb::{self, ordering_service_server::OrderingService};
use tonic::{Request, Response, Status};

use crate::application::Application;
use crate::domain::{Cents, Order, OrderItem, OrderingError, Quantity};

/// The gRPC face of the ordering context.
#[derive(Clone)]
pub(crate) struct OrderingServer {
    app: Arc<Application>,
}

impl OrderingServer {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: OrderingError) -> Status {
    service::status_from(&err)
}

fn item_pb(item: OrderItem) -> orderingpb::Item {
    orderingpb::Item {
        store_id: item.store_id,
        product_id: item.product_id,
        store_name: item.store_name,
        product_name: item.product_name,
        price: item.price.dollars(),
        quantity: item.quantity.get(),
    }
}

fn order_pb(id: String, order: Order) -> orderingpb::Order {
    orderingpb::Order {
        id,
        customer_id: order.customer_id,
        payment_id: order.payment_id,
        items: order.items.into_iter().map(item_pb).collect(),
        status: order.status.as_str().to_owned(),
    }
}

fn item_from_pb(item: orderingpb::Item) -> Result<OrderItem, OrderingError> {
    Ok(OrderItem {
        product_id: item.product_id,
        store_id: item.store_id,
        store_name: item.store_name,
        product_name: item.product_name,
        price: Cents::from_dollars(item.price)?,
        quantity: Quantity::new(item.quantity),
    })
}

#[tonic::async_trait]
impl OrderingService for OrderingServer {
    async fn create_order(
        &self,
        request: Request<orderingpb::CreateOrderRequest>,
    ) -> Result<Response<orderingpb::CreateOrderResponse>, Status> {
        let req = request.into_inner();
        let items = req
            .items
            .into_iter()
            .map(item_from_pb)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| status(OrderingError::create_order(e)))?;
        let id = self.app.create_order(&req.customer_id, &req.payment_id, items).await.map_err(status)?;
        Ok(Response::new(orderingpb::CreateOrderResponse { id }))
    }

    async fn get_order(
        &self,
        request: Request<orderingpb::GetOrderRequest>,
    ) -> Result<Response<orderingpb::GetOrderResponse>, Status> {
        let id = request.into_inner().id;
        let order = self.app.get_order(&id).await.map_err(status)?;
        Ok(Response::new(orderingpb::GetOrderResponse { order: Some(order_pb(id, order)) }))
    }

    async fn cancel_order(
        &self,
        request: Request<orderingpb::CancelOrderRequest>,
    ) -> Result<Response<orderingpb::CancelOrderResponse>, Status> {
        self.app.cancel_order(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(orderingpb::CancelOrderResponse {}))
    }

    async fn ready_order(
        &self,
        request: Request<orderingpb::ReadyOrderRequest>,
    ) -> Result<Response<orderingpb::ReadyOrderResponse>, Status> {
        self.app.ready_order(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(orderingpb::ReadyOrderResponse {}))
    }

    async fn complete_order(
        &self,
        request: Request<orderingpb::CompleteOrderRequest>,
    ) -> Result<Response<orderingpb::CompleteOrderResponse>, Status> {
        let req = request.into_inner();
        self.app.complete_order(&req.id, &req.invoice_id).await.map_err(status)?;
        Ok(Response::new(orderingpb::CompleteOrderResponse {}))
    }
}

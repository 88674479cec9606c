//! gRPC: the `notificationspb.NotificationsService` server (each method sends the SMS of its notice), and the
//! client of the customers module's `GetCustomer` that implements the [`CustomerDirectory`] port.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use contracts::customerspb::{GetCustomerRequest, customers_service_client::CustomersServiceClient};
use contracts::notificationspb::{self as pb, notifications_service_server::NotificationsService};
use service::rpc_client::{RpcChannel, lazy_channel};
use tonic::{Code, Request, Response, Status};

use crate::application::{Application, CustomerDirectory};
use crate::domain::{NoticeKind, NotificationsError, OrderNotice, Recipient};

/// How long a call to another module may take (connecting included).
const RPC_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub(crate) struct NotificationsGrpc {
    app: Arc<Application>,
}

impl NotificationsGrpc {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }

    async fn notify(&self, kind: NoticeKind, order_id: &str, customer_id: &str) -> Result<(), Status> {
        let notice = OrderNotice::requested(kind, order_id, customer_id).map_err(status)?;
        self.app.notify(notice).await.map_err(status)?;
        Ok(())
    }
}

pub(crate) fn status(err: NotificationsError) -> Status {
    if matches!(err, NotificationsError::CustomersUnavailable { .. } | NotificationsError::SmsGatewayUnavailable { .. })
    {
        tracing::warn!(error = %err.detail(), "a dependency of notifications is unavailable");
    }
    service::status_from(&err)
}

#[tonic::async_trait]
impl NotificationsService for NotificationsGrpc {
    async fn notify_order_created(
        &self,
        request: Request<pb::NotifyOrderCreatedRequest>,
    ) -> Result<Response<pb::NotifyOrderCreatedResponse>, Status> {
        let req = request.into_inner();
        self.notify(NoticeKind::Created, &req.order_id, &req.customer_id).await?;
        Ok(Response::new(pb::NotifyOrderCreatedResponse {}))
    }

    async fn notify_order_canceled(
        &self,
        request: Request<pb::NotifyOrderCanceledRequest>,
    ) -> Result<Response<pb::NotifyOrderCanceledResponse>, Status> {
        let req = request.into_inner();
        self.notify(NoticeKind::Canceled, &req.order_id, &req.customer_id).await?;
        Ok(Response::new(pb::NotifyOrderCanceledResponse {}))
    }

    async fn notify_order_ready(
        &self,
        request: Request<pb::NotifyOrderReadyRequest>,
    ) -> Result<Response<pb::NotifyOrderReadyResponse>, Status> {
        let req = request.into_inner();
        self.notify(NoticeKind::Ready, &req.order_id, &req.customer_id).await?;
        Ok(Response::new(pb::NotifyOrderReadyResponse {}))
    }
}

/// The customers module over gRPC: one lazily connected channel, reused (and reconnected) for every call; each call
/// continues the caller's trace.
pub(crate) struct CustomersClient {
    client: CustomersServiceClient<RpcChannel>,
}

impl CustomersClient {
    /// A client of the customers service at `address` (`host:port` or a URL); nothing is dialled yet.
    pub(crate) fn new(address: &str) -> anyhow::Result<Self> {
        Ok(Self { client: CustomersServiceClient::new(lazy_channel(address, RPC_TIMEOUT)?) })
    }
}

#[async_trait]
impl CustomerDirectory for CustomersClient {
    async fn customer(&self, id: &str) -> Result<Option<Recipient>, NotificationsError> {
        let mut client = self.client.clone();
        let call = client.get_customer(GetCustomerRequest { id: id.to_owned() });
        let unavailable =
            |source: Box<dyn std::error::Error + Send + Sync>| NotificationsError::CustomersUnavailable { source };
        match tokio::time::timeout(RPC_TIMEOUT, call).await {
            Ok(Ok(response)) => Ok(response.into_inner().customer.map(|c| Recipient {
                customer_id: if c.id.is_empty() { id.to_owned() } else { c.id },
                name: c.name,
                sms_number: c.sms_number,
            })),
            Ok(Err(status)) if status.code() == Code::NotFound => Ok(None),
            Ok(Err(status)) => Err(unavailable(Box::new(status))),
            Err(elapsed) => Err(unavailable(Box::new(elapsed))),
        }
    }
}

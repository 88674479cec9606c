//! The `customerspb.CustomersService` gRPC server (also what the REST gateway calls in-process).

use std::sync::Arc;

use contracts::customerspb::{self as pb, customers_service_server::CustomersService};
use tonic::{Request, Response, Status};

use crate::application::Application;
use crate::domain::Customer;

#[derive(Clone)]
pub(crate) struct CustomersGrpc {
    app: Arc<Application>,
}

impl CustomersGrpc {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: crate::domain::CustomersError) -> Status {
    service::status_from(&err)
}

fn customer_pb(customer: Customer) -> pb::Customer {
    pb::Customer {
        id: customer.id.to_string(),
        name: customer.name,
        sms_number: customer.sms_number,
        enabled: customer.enabled,
    }
}

#[tonic::async_trait]
impl CustomersService for CustomersGrpc {
    async fn register_customer(
        &self,
        request: Request<pb::RegisterCustomerRequest>,
    ) -> Result<Response<pb::RegisterCustomerResponse>, Status> {
        let req = request.into_inner();
        let id = self.app.register_customer(&req.name, &req.sms_number).await.map_err(status)?;
        Ok(Response::new(pb::RegisterCustomerResponse { id: id.to_string() }))
    }

    async fn enable_customer(
        &self,
        request: Request<pb::EnableCustomerRequest>,
    ) -> Result<Response<pb::EnableCustomerResponse>, Status> {
        self.app.enable_customer(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::EnableCustomerResponse {}))
    }

    async fn disable_customer(
        &self,
        request: Request<pb::DisableCustomerRequest>,
    ) -> Result<Response<pb::DisableCustomerResponse>, Status> {
        self.app.disable_customer(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::DisableCustomerResponse {}))
    }

    async fn change_sms_number(
        &self,
        request: Request<pb::ChangeSmsNumberRequest>,
    ) -> Result<Response<pb::ChangeSmsNumberResponse>, Status> {
        let req = request.into_inner();
        self.app.change_sms_number(&req.id, &req.sms_number).await.map_err(status)?;
        Ok(Response::new(pb::ChangeSmsNumberResponse {}))
    }

    async fn authorize_customer(
        &self,
        request: Request<pb::AuthorizeCustomerRequest>,
    ) -> Result<Response<pb::AuthorizeCustomerResponse>, Status> {
        self.app.authorize_customer(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::AuthorizeCustomerResponse {}))
    }

    async fn get_customer(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Result<Response<pb::GetCustomerResponse>, Status> {
        let customer = self.app.get_customer(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::GetCustomerResponse { customer: Some(customer_pb(customer)) }))
    }
}

//! The `paymentspb.PaymentsService` gRPC server (also what the REST gateway calls in-process): wire amounts are
//! `double` dollars, converted to exact cents here.

use std::sync::Arc;

use contracts::paymentspb::{self as pb, payments_service_server::PaymentsService};
use tonic::{Request, Response, Status};

use crate::application::Application;
use crate::domain::{Cents, Invoice, Payment, PaymentsError};

#[derive(Clone)]
pub(crate) struct PaymentsGrpc {
    app: Arc<Application>,
}

impl PaymentsGrpc {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

fn status(err: PaymentsError) -> Status {
    service::status_from(&err)
}

fn cents(dollars: f64) -> Result<Cents, Status> {
    Cents::from_dollars(dollars).ok_or_else(|| status(PaymentsError::AmountOutOfRange))
}

fn payment_pb(payment: Payment) -> pb::Payment {
    pb::Payment {
        id: payment.id,
        customer_id: payment.customer_id,
        amount: payment.amount.dollars(),
        order_id: payment.order_id.unwrap_or_default(),
        status: payment.status.as_str().to_owned(),
    }
}

fn invoice_pb(invoice: Invoice) -> pb::Invoice {
    pb::Invoice {
        id: invoice.id,
        order_id: invoice.order_id,
        amount: invoice.amount.dollars(),
        status: invoice.status.as_str().to_owned(),
        payment_id: invoice.payment_id,
    }
}

#[tonic::async_trait]
impl PaymentsService for PaymentsGrpc {
    async fn authorize_payment(
        &self,
        request: Request<pb::AuthorizePaymentRequest>,
    ) -> Result<Response<pb::AuthorizePaymentResponse>, Status> {
        let req = request.into_inner();
        // A NaN or absurd amount is no positive amount either.
        let amount = Cents::from_dollars(req.amount).unwrap_or_default();
        let id = self.app.authorize_payment(&req.customer_id, amount).await.map_err(status)?;
        Ok(Response::new(pb::AuthorizePaymentResponse { id }))
    }

    async fn confirm_payment(
        &self,
        request: Request<pb::ConfirmPaymentRequest>,
    ) -> Result<Response<pb::ConfirmPaymentResponse>, Status> {
        self.app.confirm_payment(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::ConfirmPaymentResponse {}))
    }

    async fn create_invoice(
        &self,
        request: Request<pb::CreateInvoiceRequest>,
    ) -> Result<Response<pb::CreateInvoiceResponse>, Status> {
        let req = request.into_inner();
        let id = self.app.create_invoice(&req.order_id, &req.payment_id, cents(req.amount)?).await.map_err(status)?;
        Ok(Response::new(pb::CreateInvoiceResponse { id }))
    }

    async fn adjust_invoice(
        &self,
        request: Request<pb::AdjustInvoiceRequest>,
    ) -> Result<Response<pb::AdjustInvoiceResponse>, Status> {
        let req = request.into_inner();
        self.app.adjust_invoice(&req.id, cents(req.amount)?).await.map_err(status)?;
        Ok(Response::new(pb::AdjustInvoiceResponse {}))
    }

    async fn pay_invoice(
        &self,
        request: Request<pb::PayInvoiceRequest>,
    ) -> Result<Response<pb::PayInvoiceResponse>, Status> {
        self.app.pay_invoice(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::PayInvoiceResponse {}))
    }

    async fn cancel_invoice(
        &self,
        request: Request<pb::CancelInvoiceRequest>,
    ) -> Result<Response<pb::CancelInvoiceResponse>, Status> {
        self.app.cancel_invoice(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::CancelInvoiceResponse {}))
    }

    async fn get_payment(
        &self,
        request: Request<pb::GetPaymentRequest>,
    ) -> Result<Response<pb::GetPaymentResponse>, Status> {
        let payment = self.app.get_payment(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::GetPaymentResponse { payment: Some(payment_pb(payment)) }))
    }

    async fn get_invoice(
        &self,
        request: Request<pb::GetInvoiceRequest>,
    ) -> Result<Response<pb::GetInvoiceResponse>, Status> {
        let invoice = self.app.get_invoice(&request.into_inner().id).await.map_err(status)?;
        Ok(Response::new(pb::GetInvoiceResponse { invoice: Some(invoice_pb(invoice)) }))
    }
}

//! The `notification-customers` consumer: `customersapi.CustomerRegistered` and `customersapi.CustomerSmsChanged`
//! keep `customers_cache` current.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::customerspb::{CustomerRegistered, CustomerSmsChanged};
use contracts::names::customers as msg;
use database::Transaction;
use messaging::{HandlerError, Message, TxMessageHandler};

use crate::application::Application;
use crate::domain::Recipient;

pub(crate) struct CustomerEventHandler {
    app: Arc<Application>,
}

impl CustomerEventHandler {
    pub(crate) fn new(app: Arc<Application>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl TxMessageHandler for CustomerEventHandler {
    async fn handle(&self, tx: &mut Transaction, message: &Message) -> Result<(), HandlerError> {
        match message.name.as_str() {
            msg::CUSTOMER_REGISTERED => {
                let event: CustomerRegistered = message.decode().map_err(HandlerError::permanent)?;
                let customer = Recipient { customer_id: event.id, name: event.name, sms_number: event.sms_number };
                self.app.customer_registered(tx, &customer).await.map_err(|e| HandlerError::transient(e.detail()))
            }
            msg::CUSTOMER_SMS_CHANGED => {
                let event: CustomerSmsChanged = message.decode().map_err(HandlerError::permanent)?;
                self.app
                    .sms_number_changed(tx, &event.id, &event.sms_number)
                    .await
                    .map_err(|e| HandlerError::transient(e.detail()))
            }
            _ => Ok(()),
        }
    }
}

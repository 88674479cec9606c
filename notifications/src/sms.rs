//! The adapters of the [`SmsSender`] port: the default one only logs (the notifications table is the record), the
//! webhook one POSTs every SMS as JSON to `SMS_WEBHOOK_URL`.

use std::time::Duration;

use async_trait::async_trait;

use crate::application::SmsSender;
use crate::domain::{NotificationsError, Sms};

/// How long the webhook may take before the send counts as failed (and the message is retried).
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// The default: the SMS is recorded (by the application) and logged, nothing leaves the process.
pub(crate) struct LogSmsSender;

#[async_trait]
impl SmsSender for LogSmsSender {
    async fn send(&self, sms: &Sms) -> Result<(), NotificationsError> {
        tracing::info!(to = %sms.to, kind = %sms.kind, order = %sms.order_id, text = %sms.text, "SMS recorded");
        Ok(())
    }
}

/// POSTs `{"id", "to", "text", "orderId", "customerId", "kind"}` to a webhook; any non-2xx answer is a failure.
pub(crate) struct WebhookSmsSender {
    url: String,
    http: reqwest::Client,
}

impl WebhookSmsSender {
    pub(crate) fn new(url: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(WEBHOOK_TIMEOUT).build()?;
        Ok(Self { url: url.trim().to_owned(), http })
    }
}

#[async_trait]
impl SmsSender for WebhookSmsSender {
    async fn send(&self, sms: &Sms) -> Result<(), NotificationsError> {
        let body = serde_json::json!({
            "id": sms.id,
            "to": sms.to,
            "text": sms.text,
            "orderId": sms.order_id,
            "customerId": sms.customer_id,
            "kind": sms.kind,
        });
        let unavailable = |e: reqwest::Error| NotificationsError::SmsGatewayUnavailable { source: Box::new(e) };
        self.http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(unavailable)?
            .error_for_status()
            .map_err(unavailable)?;
        tracing::info!(to = %sms.to, kind = %sms.kind, order = %sms.order_id, "SMS sent to the webhook");
        Ok(())
    }
}

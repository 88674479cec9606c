//! `GET /api/notifications/customers/{customerId}`: the SMS sent to a customer, oldest first (plain JSON; the
//! original had no REST surface for notifications).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::application::Application;
use crate::domain::Sms;

pub(crate) fn router(app: Arc<Application>) -> axum::Router {
    axum::Router::new().route("/api/notifications/customers/{customer_id}", get(list)).with_state(app)
}

async fn list(State(app): State<Arc<Application>>, Path(customer_id): Path<String>) -> Response {
    match app.notifications_of(&customer_id).await {
        Ok(sent) => {
            let notifications: Vec<serde_json::Value> = sent.iter().map(notification_json).collect();
            axum::Json(serde_json::json!({ "notifications": notifications })).into_response()
        }
        Err(err) => service::error_response(&crate::grpc::status(err)),
    }
}

fn notification_json(sms: &Sms) -> serde_json::Value {
    serde_json::json!({
        "id": sms.id,
        "orderId": sms.order_id,
        "kind": sms.kind,
        "smsNumber": sms.to,
        "text": sms.text,
        "sentAt": micros_to_rfc3339(sms.sent_at),
    })
}

/// µs since the epoch as RFC 3339 (UTC, microsecond precision).
fn micros_to_rfc3339(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_render_with_camel_case_fields() {
        let sms = Sms {
            id: "n".into(),
            customer_id: "c".into(),
            order_id: "o".into(),
            kind: "ready".into(),
            to: "555".into(),
            text: "t".into(),
            sent_at: 1_764_201_600_000_001,
        };
        assert_eq!(
            notification_json(&sms),
            serde_json::json!({"id": "n", "orderId": "o", "kind": "ready", "smsNumber": "555", "text": "t",
                "sentAt": "2025-11-27T00:00:00.000001Z"})
        );
    }
}

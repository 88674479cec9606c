//! `GET /api/cosec/sagas/{orderId}`: a read-only view of a create-order saga (step, direction, status, history).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use saga::Orchestrator;

use crate::saga_definition::CreateOrderData;

pub(crate) fn router(orchestrator: Arc<Orchestrator<CreateOrderData>>) -> axum::Router {
    axum::Router::new().route("/api/cosec/sagas/{id}", get(get_saga)).with_state(orchestrator)
}

async fn get_saga(State(orchestrator): State<Arc<Orchestrator<CreateOrderData>>>, Path(id): Path<String>) -> Response {
    match orchestrator.get(&id).await {
        Ok(Some(saga)) => {
            let history: Vec<serde_json::Value> = saga
                .history
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "at": micros_to_rfc3339(h.at), "step": h.step, "stepName": h.step_name,
                        "direction": h.direction, "event": h.event, "detail": h.detail,
                    })
                })
                .collect();
            axum::Json(serde_json::json!({
                "saga": {
                    "id": saga.id,
                    "name": saga.name,
                    "step": saga.step,
                    "direction": if saga.compensating() { "backward" } else { "forward" },
                    "status": saga.status.as_str(),
                    "data": {
                        "orderId": saga.data.order_id, "customerId": saga.data.customer_id,
                        "paymentId": saga.data.payment_id, "shoppingId": saga.data.shopping_id,
                        "total": saga.data.total_cents as f64 / 100.0,
                    },
                    "history": history,
                }
            }))
            .into_response()
        }
        Ok(None) => service::error_response(&tonic_not_found()),
        Err(err) => service::error_response(&service::internal(&err)),
    }
}

fn tonic_not_found() -> service::Status {
    service::Status::not_found("saga not found")
}

/// µs since the epoch as RFC 3339 (UTC, microsecond precision).
fn micros_to_rfc3339(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_render_as_rfc3339() {
        assert_eq!(super::micros_to_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(super::micros_to_rfc3339(1_764_201_600_000_001), "2025-11-27T00:00:00.000001Z");
    }
}

//! What every durable consumer does with a delivery, whichever broker brought it: decode, filter by name, run the
//! handler, then ack, retry later with backoff, or dead-letter (after `max_deliver` deliveries, or at once when the
//! message cannot be decoded).

use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::{Message, Subscription, decode_stream_message};

/// Handles one message; an error means "not done" (the delivery is retried, then dead-lettered).
#[async_trait]
pub trait MessageHandler: Send + Sync + 'static {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError>;
}

/// Why a handler could not handle a message.
#[derive(Debug, Clone)]
pub struct HandlerError {
    pub message: String,
    /// A retry cannot succeed (malformed payload, missing reply channel): dead-letter at once.
    pub permanent: bool,
}

impl HandlerError {
    pub fn transient(err: impl std::fmt::Display) -> Self {
        Self { message: err.to_string(), permanent: false }
    }

    pub fn permanent(err: impl std::fmt::Display) -> Self {
        Self { message: err.to_string(), permanent: true }
    }
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<database::DbError> for HandlerError {
    fn from(err: database::DbError) -> Self {
        HandlerError::transient(err)
    }
}

/// What to tell the broker about a delivery.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Ack,
    RetryAfter(Duration),
}

/// Backoff before delivery `n + 1` (100 ms, 200 ms, 400 ms … capped at 10 s).
pub(crate) fn backoff(delivered: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << delivered.saturating_sub(1).min(7))).min(Duration::from_secs(10))
}

/// Delivers `bytes` until it is done: handled, skipped or dead-lettered. Failed attempts are retried in place with
/// backoff, so later messages of the same subject never overtake it (per-aggregate order). Returns false when
/// `shutdown` interrupted the retries (the message is then left unacknowledged for the broker to redeliver).
pub(crate) async fn process(
    subscription: &Subscription,
    handler: &dyn MessageHandler,
    bytes: &[u8],
    first_delivery: u32,
    shutdown: &tokio_util::sync::CancellationToken,
) -> bool {
    let mut delivered = first_delivery.max(1);
    loop {
        match deliver(subscription, handler, bytes, delivered).await {
            Verdict::Ack => return true,
            Verdict::RetryAfter(delay) => {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => delivered += 1,
                    _ = shutdown.cancelled() => return false,
                }
            }
        }
    }
}

/// Handles one delivery of `bytes` (a `StreamMessage`), its `delivered`-th (1-based).
pub(crate) async fn deliver(
    subscription: &Subscription,
    handler: &dyn MessageHandler,
    bytes: &[u8],
    delivered: u32,
) -> Verdict {
    let message = match decode_stream_message(&subscription.subject, bytes) {
        Ok(message) => message,
        Err(err) => {
            tracing::warn!(durable = %subscription.durable, error = %err, "undecodable message dead-lettered");
            let id = format!("undecodable-{}", ddd::new_id());
            return dead_letter(subscription, &id, "", bytes, &err.to_string(), delivered).await;
        }
    };
    if !subscription.names.is_empty() && !subscription.names.iter().any(|n| n == &message.name) {
        return Verdict::Ack;
    }
    let started = Instant::now();
    let span = crate::trace_context::consumer_span(&message, &subscription.durable);
    let result = tracing::Instrument::instrument(handler.handle(&message), span).await;
    if let Some(metrics) = &subscription.metrics {
        metrics.received(&message.name, result.is_ok(), started.elapsed());
    }
    match result {
        Ok(()) => Verdict::Ack,
        Err(err) if err.permanent || delivered >= subscription.max_deliver => {
            tracing::warn!(durable = %subscription.durable, id = %message.id, name = %message.name, delivered,
                error = %err, "message dead-lettered");
            dead_letter(subscription, &message.id, &message.name, bytes, &err.message, delivered).await
        }
        Err(err) => {
            tracing::debug!(durable = %subscription.durable, id = %message.id, delivered, error = %err,
                "message handling failed; will retry");
            Verdict::RetryAfter(backoff(delivered))
        }
    }
}

async fn dead_letter(
    subscription: &Subscription,
    id: &str,
    name: &str,
    bytes: &[u8],
    error: &str,
    delivered: u32,
) -> Verdict {
    match subscription
        .dead_letters
        .add(&subscription.durable, &subscription.subject, id, name, bytes, error, delivered)
        .await
    {
        Ok(()) => {
            if let Some(metrics) = &subscription.metrics {
                metrics.dead_lettered(name);
            }
            Verdict::Ack
        }
        // Without a place to keep it, the message stays on the broker and is tried again later.
        Err(err) => {
            tracing::error!(error = %err, "cannot store dead letter");
            Verdict::RetryAfter(backoff(delivered))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(30), Duration::from_secs(10));
    }
}

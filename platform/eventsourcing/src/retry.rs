//! Retrying a whole command when it lost an optimistic-concurrency race.

use std::future::Future;
use std::time::Duration;

use ddd::{ErrorKind, HasErrorKind};

/// How many times a command runs at most before its conflict is reported (HTTP 409, gRPC 10).
pub const MAX_ATTEMPTS: u32 = 10;

/// Runs `attempt` (which must open and commit its own transaction) until it succeeds, fails with anything but a
/// conflict, or has lost [`MAX_ATTEMPTS`] races; waits a little longer, with jitter, before each new attempt.
pub async fn retry_on_conflict<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: HasErrorKind,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(err) if err.kind() == ErrorKind::Conflict && tries < MAX_ATTEMPTS => {
                let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0] % 8);
                tokio_sleep(Duration::from_millis(2u64.pow(tries).min(100) + jitter)).await;
            }
            other => return other,
        }
    }
}

async fn tokio_sleep(duration: Duration) {
    tokio::time::sleep(duration).await
}

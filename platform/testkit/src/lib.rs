//! Test infrastructure shared by every crate's integration tests: fresh databases (a temp-file SQLite always, a
//! private namespace on PostgreSQL when `TEST_DATABASE_URL` is set), stream backends (the database-backed stream on
//! each database, and NATS JetStream on a fresh stream when `TEST_NATS_URL` is set), a recording message handler,
//! and polling with a deadline instead of fixed sleeps.
//!
//! Conformance suites iterate over [`databases`] or [`stream_matrix`] so they are written once and run on every
//! backend. Outside CI a backend whose variable is missing is skipped; in CI (`CI` set to anything but `false`/`0`)
//! the matrix helpers panic instead, so a suite can never be skipped silently.

pub mod app;
mod recorder;
mod storage;
mod streams;
pub mod wire;

use std::future::Future;
use std::time::{Duration, Instant};

pub use recorder::Recorder;
pub use storage::{DATABASE_URL_VAR, StorageBackend, databases, postgres, prepare_messaging, sqlite};
pub use streams::{NATS_URL_VAR, StreamCase, StreamKind, nats_url, stream_matrix, streams, unique_stream_name};

/// A message with a fresh id on `subject` (relative to the stream) carrying `payload` as it is.
pub fn message(subject: &str, name: &str, payload: &[u8]) -> messaging::Message {
    let now = database::now_micros();
    messaging::Message {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        subject: subject.to_owned(),
        payload: payload.to_vec(),
        metadata: Default::default(),
        occurred_at: now,
        sent_at: now,
    }
}

/// How long [`wait_until`] waits before failing the test.
pub const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);

/// Whether this run is a CI run, where missing services are an error rather than a reason to skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Polls `check` every 20 ms until it holds; panics with `what` after [`WAIT`].
pub async fn wait_until(what: &str, check: impl AsyncFnMut() -> bool) {
    wait_until_for(what, WAIT, check).await
}

/// [`wait_until`] with an explicit deadline.
pub async fn wait_until_for(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits for `future` at most [`WAIT`]; panics with `what` when it takes longer.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(WAIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// A fresh name, unique across processes and runs: `t` + 8 hex digits of the Unix time + 8 random hex digits. It is
/// valid as an SQL identifier, a NATS stream name and a subject token, and its creation time can be read back so
/// that leftovers of crashed runs are swept later (see [`token_age`]).
pub(crate) fn fresh_token() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("t{:08x}{}", secs as u32, &random[..8])
}

/// How old a name made by [`fresh_token`] is; `None` for names of any other shape.
pub(crate) fn token_age(name: &str) -> Option<Duration> {
    let rest = name.strip_prefix('t')?;
    let token = rest.get(..16)?;
    if !token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let created = u64::from(u32::from_str_radix(&token[..8], 16).ok()?);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(now.saturating_sub(created)))
}

/// Leftovers older than this are removed by the sweeps (no test runs that long).
pub(crate) const LEFTOVER_AGE: Duration = Duration::from_secs(2 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_carry_their_age() {
        let a = fresh_token();
        let b = fresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 17);
        assert!(a.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert!(token_age(&a).expect("own token") < Duration::from_secs(5));
        assert!(token_age(&format!("{a}_messaging")).is_some());
        assert_eq!(token_age("mallbots"), None);
        assert_eq!(token_age("tzzzzzzzzzzzzzzzz"), None);
    }
}

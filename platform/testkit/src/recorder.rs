//! A message handler that records what it is given and fails when the test says so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;
use messaging::{HandlerError, Message, MessageHandler};

type Decide = Box<dyn Fn(&Message, u32) -> Result<(), HandlerError> + Send + Sync>;

/// Records every delivery; `decide(message, attempt)` (attempt 1, 2, … per message id) says whether it succeeds.
pub struct Recorder {
    decide: Decide,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    handled: Vec<Message>,
    attempts: HashMap<String, Vec<Instant>>,
}

impl Recorder {
    /// A handler that accepts everything.
    pub fn new() -> Arc<Self> {
        Self::with(|_, _| Ok(()))
    }

    /// A handler whose outcome for the `attempt`-th delivery of a message is `decide(message, attempt)`.
    pub fn with(decide: impl Fn(&Message, u32) -> Result<(), HandlerError> + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self { decide: Box::new(decide), state: Mutex::default() })
    }

    /// The messages handled successfully, in order.
    pub fn handled(&self) -> Vec<Message> {
        self.state().handled.clone()
    }

    /// The ids of [`Recorder::handled`].
    pub fn handled_ids(&self) -> Vec<String> {
        self.state().handled.iter().map(|m| m.id.clone()).collect()
    }

    pub fn handled_count(&self) -> usize {
        self.state().handled.len()
    }

    /// How often the message was delivered (successfully or not).
    pub fn attempts(&self, id: &str) -> usize {
        self.state().attempts.get(id).map_or(0, Vec::len)
    }

    /// When each delivery of the message started.
    pub fn attempt_times(&self, id: &str) -> Vec<Instant> {
        self.state().attempts.get(id).cloned().unwrap_or_default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl MessageHandler for Recorder {
    async fn handle(&self, message: &Message) -> Result<(), HandlerError> {
        let attempt = {
            let mut state = self.state();
            let times = state.attempts.entry(message.id.clone()).or_default();
            times.push(Instant::now());
            times.len() as u32
        };
        (self.decide)(message, attempt)?;
        self.state().handled.push(message.clone());
        Ok(())
    }
}

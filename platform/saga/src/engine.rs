//! The orchestrator: starts sagas, applies replies, and drives timeouts and compensation retries.

use std::sync::Arc;
use std::time::Duration;

use contracts::names;
use database::{Database, Transaction};
use messaging::{Message, Outbox};
use prometheus::{IntCounter, Opts, Registry};
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::sync::CancellationToken;

use crate::store::{HistoryEntry, Pending, SagaInstance, SagaStatus, SagaStore};
use crate::{COMMAND_ID, REPLY_ID, SagaError};

/// A command a step sends.
pub struct Command {
    /// Subject without the stream prefix (`customers.commands`).
    pub subject: &'static str,
    pub name: &'static str,
    pub payload: Vec<u8>,
}

/// One step of a saga.
pub struct Step<D> {
    pub name: &'static str,
    pub action: Option<fn(&D) -> Command>,
    pub compensation: Option<fn(&D) -> Command>,
    /// Runs on the reply to this step's action (success or failure), e.g. to keep an id the participant returned.
    pub on_action_reply: Option<fn(&mut D, &Message)>,
}

/// The shape of a saga.
pub struct SagaDefinition<D> {
    /// `cosec.CreateOrder`.
    pub name: &'static str,
    /// Where participants reply, without the stream prefix (`cosec.replies.CreateOrder`).
    pub reply_subject: &'static str,
    pub steps: Vec<Step<D>>,
    /// How long a step waits for its reply before the command is sent again.
    pub step_timeout: Duration,
    /// Sends of one command before giving up (an action is then compensated; a compensation makes the saga stuck).
    pub max_attempts: u32,
}

/// Saga outcome counters (`<module>_sagas_started_count` …).
#[derive(Clone)]
pub struct SagaMetrics {
    started: IntCounter,
    completed: IntCounter,
    compensated: IntCounter,
    stuck: IntCounter,
}

impl SagaMetrics {
    pub fn new(registry: &Registry, module: &str) -> Result<Self, prometheus::Error> {
        let counter = |what: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let c = IntCounter::with_opts(Opts::new(format!("{module}_sagas_{what}_count"), help.to_owned()))?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        Ok(Self {
            started: counter("started", "Sagas started")?,
            completed: counter("completed", "Sagas whose every step succeeded")?,
            compensated: counter("compensated", "Sagas rolled back by their compensations")?,
            stuck: counter("stuck", "Sagas whose compensation kept failing (need an operator)")?,
        })
    }

    fn finished(&self, status: SagaStatus) {
        match status {
            SagaStatus::Completed => self.completed.inc(),
            SagaStatus::Compensated => self.compensated.inc(),
            SagaStatus::Stuck => self.stuck.inc(),
            _ => {}
        }
    }
}

/// Runs the sagas of one definition.
pub struct Orchestrator<D> {
    definition: Arc<SagaDefinition<D>>,
    store: Arc<SagaStore<D>>,
    outbox: Outbox,
    db: Database,
    stream_name: String,
    metrics: Option<SagaMetrics>,
}

impl<D> Clone for Orchestrator<D> {
    fn clone(&self) -> Self {
        Self {
            definition: self.definition.clone(),
            store: self.store.clone(),
            outbox: self.outbox.clone(),
            db: self.db.clone(),
            stream_name: self.stream_name.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

impl<D: Serialize + DeserializeOwned + Clone + Send + Sync + 'static> Orchestrator<D> {
    /// `stream_name` prefixes the reply channel participants are told to answer on.
    pub fn new(
        definition: SagaDefinition<D>,
        db: &Database,
        module: &str,
        outbox: Outbox,
        stream_name: &str,
        metrics: Option<SagaMetrics>,
    ) -> Self {
        Self {
            definition: Arc::new(definition),
            store: Arc::new(SagaStore::new(db, module)),
            outbox,
            db: db.clone(),
            stream_name: stream_name.to_owned(),
            metrics,
        }
    }

    pub fn name(&self) -> &'static str {
        self.definition.name
    }

    /// Reads a saga.
    pub async fn get(&self, id: &str) -> Result<Option<SagaInstance<D>>, SagaError> {
        let mut conn = self.db.pool().acquire().await?;
        self.store.load(&mut conn, id, self.definition.name).await
    }

    /// Starts saga `id` in `tx`; starting an existing saga again changes nothing.
    pub async fn start(&self, tx: &mut Transaction, id: &str, data: D) -> Result<(), SagaError> {
        if self.store.load(tx.conn(), id, self.definition.name).await?.is_some() {
            return Ok(());
        }
        let mut instance = SagaInstance {
            id: id.to_owned(),
            name: self.definition.name.to_owned(),
            data,
            step: -1,
            status: SagaStatus::Running,
            pending: None,
            deadline_at: None,
            history: Vec::new(),
            version: 0,
        };
        if let Some(metrics) = &self.metrics {
            metrics.started.inc();
        }
        self.advance(tx, &mut instance).await?;
        self.store.save(tx, &mut instance).await
    }

    /// Applies a participant's reply, in `tx` (the consumer's inbox transaction).
    pub async fn handle_reply(&self, tx: &mut Transaction, reply: &Message) -> Result<(), SagaError> {
        if reply.meta_str(names::REPLY_SAGA_NAME) != Some(self.definition.name) {
            return Ok(());
        }
        let Some(id) = reply.meta_str(names::REPLY_SAGA_ID) else { return Ok(()) };
        let Some(mut instance) = self.store.load(tx.conn(), id, self.definition.name).await? else {
            tracing::warn!(saga = id, reply = %reply.name, "reply for an unknown saga ignored");
            return Ok(());
        };
        let Some(pending) = instance.pending.clone() else {
            self.note(&mut instance, "ignored_reply", format!("{} after the saga finished", reply.name));
            return self.store.save(tx, &mut instance).await;
        };
        if reply.meta_str(REPLY_ID).is_some_and(|answered| answered != pending.command_id) {
            self.note(&mut instance, "ignored_reply", format!("late or duplicate {}", reply.name));
            return self.store.save(tx, &mut instance).await;
        }
        let success = reply.meta_str(names::REPLY_OUTCOME) == Some(names::SUCCESS);
        if !pending.compensation
            && let Some(on_reply) = self.step(pending.step).and_then(|s| s.on_action_reply)
        {
            on_reply(&mut instance.data, reply);
        }
        match (pending.compensation, success) {
            (_, true) => {
                self.note(&mut instance, "succeeded", reply.name.clone());
                self.advance(tx, &mut instance).await?;
            }
            (false, false) => {
                self.note(&mut instance, "failed", reply.name.clone());
                instance.status = SagaStatus::Compensating;
                self.advance(tx, &mut instance).await?;
            }
            (true, false) => {
                self.note(&mut instance, "failed", format!("compensation failed: {}", reply.name));
                self.retry_or_give_up(tx, &mut instance).await?;
            }
        }
        self.store.save(tx, &mut instance).await
    }

    /// Handles the sagas whose step deadline has passed; returns how many it touched.
    pub async fn process_timeouts_once(&self) -> Result<usize, SagaError> {
        let due = self.store.due(&self.db, self.definition.name, database::now_micros()).await?;
        let mut touched = 0;
        for id in due {
            let mut tx = self.db.begin().await?;
            let Some(mut instance) = self.store.load(tx.conn(), &id, self.definition.name).await? else { continue };
            if instance.deadline_at.is_none_or(|d| d > database::now_micros()) || instance.pending.is_none() {
                tx.rollback().await?;
                continue;
            }
            self.note(&mut instance, "timed_out", "no reply in time".to_owned());
            self.retry_or_give_up(&mut tx, &mut instance).await?;
            match self.store.save(&mut tx, &mut instance).await {
                Ok(()) => {
                    tx.commit().await?;
                    touched += 1;
                }
                // A reply got there first: nothing to do.
                Err(SagaError::Conflict) => tx.rollback().await?,
                Err(err) => return Err(err),
            }
        }
        Ok(touched)
    }

    /// Runs [`Orchestrator::process_timeouts_once`] every `tick` until `shutdown`.
    pub async fn run_timeouts(self, tick: Duration, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = shutdown.cancelled() => break,
            }
            if let Err(err) = self.process_timeouts_once().await {
                tracing::warn!(saga = self.definition.name, error = %err, "saga timeout processing failed");
            }
        }
    }

    fn step(&self, index: i64) -> Option<&Step<D>> {
        usize::try_from(index).ok().and_then(|i| self.definition.steps.get(i))
    }

    /// Sends the pending command again, or — after the last attempt — compensates (an action) or marks the saga
    /// stuck (a compensation).
    async fn retry_or_give_up(&self, tx: &mut Transaction, instance: &mut SagaInstance<D>) -> Result<(), SagaError> {
        let Some(pending) = instance.pending.clone() else { return Ok(()) };
        if pending.attempts < self.definition.max_attempts {
            // A pending step the definition no longer has (a saga persisted by another version) cannot be resent.
            let build =
                self.step(pending.step).and_then(|s| if pending.compensation { s.compensation } else { s.action });
            if let Some(build) = build {
                self.send(tx, instance, pending.step, pending.compensation, build, pending.attempts + 1).await?;
                self.note(instance, "retried", format!("attempt {}", pending.attempts + 1));
                return Ok(());
            }
        }
        if pending.compensation {
            instance.status = SagaStatus::Stuck;
            instance.pending = None;
            instance.deadline_at = None;
            self.note(instance, "stuck", "compensation kept failing".to_owned());
            tracing::error!(saga = %instance.id, name = self.definition.name, "saga stuck");
            if let Some(metrics) = &self.metrics {
                metrics.finished(SagaStatus::Stuck);
            }
            Ok(())
        } else {
            instance.status = SagaStatus::Compensating;
            self.advance(tx, instance).await
        }
    }

    /// Moves to the next step in the current direction and sends its command; finishes when there is none.
    async fn advance(&self, tx: &mut Transaction, instance: &mut SagaInstance<D>) -> Result<(), SagaError> {
        let backward = instance.compensating();
        let mut index = instance.step;
        loop {
            index += if backward { -1 } else { 1 };
            let Some(step) = self.step(index) else { break };
            let build = if backward { step.compensation } else { step.action };
            if let Some(build) = build {
                instance.step = index;
                return self.send(tx, instance, index, backward, build, 1).await;
            }
        }
        instance.pending = None;
        instance.deadline_at = None;
        instance.status = if backward { SagaStatus::Compensated } else { SagaStatus::Completed };
        self.note(instance, "finished", instance.status.as_str().to_owned());
        if let Some(metrics) = &self.metrics {
            metrics.finished(instance.status);
        }
        Ok(())
    }

    async fn send(
        &self,
        tx: &mut Transaction,
        instance: &mut SagaInstance<D>,
        step: i64,
        compensation: bool,
        build: fn(&D) -> Command,
        attempts: u32,
    ) -> Result<(), SagaError> {
        let command = build(&instance.data);
        let now = database::now_micros();
        let mut message = Message {
            id: ddd::new_id(),
            name: command.name.to_owned(),
            subject: command.subject.to_owned(),
            payload: command.payload,
            metadata: Default::default(),
            occurred_at: now,
            sent_at: now,
        };
        let reply_channel = format!("{}.{}", self.stream_name, self.definition.reply_subject);
        message.metadata.insert(names::COMMAND_REPLY_CHANNEL.into(), reply_channel.into());
        message.metadata.insert(names::COMMAND_SAGA_ID.into(), instance.id.clone().into());
        message.metadata.insert(names::COMMAND_SAGA_NAME.into(), self.definition.name.into());
        message.metadata.insert(COMMAND_ID.into(), message.id.clone().into());
        let timeout = self.definition.step_timeout.saturating_mul(1 << (attempts.saturating_sub(1)).min(6));
        instance.pending = Some(Pending { command_id: message.id.clone(), step, compensation, attempts });
        instance.deadline_at = Some(now + timeout.as_micros() as i64);
        let detail = message.name.clone();
        self.outbox.add(tx, message).await?;
        if attempts == 1 {
            self.note(instance, "sent", detail);
        }
        Ok(())
    }

    fn note(&self, instance: &mut SagaInstance<D>, event: &str, detail: String) {
        let step_name = self.step(instance.step).map(|s| s.name).unwrap_or("start").to_owned();
        instance.history.push(HistoryEntry {
            at: database::now_micros(),
            step: instance.step,
            step_name,
            direction: if instance.compensating() { "backward" } else { "forward" }.to_owned(),
            event: event.to_owned(),
            detail,
        });
    }
}

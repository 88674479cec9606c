//! The original's messaging metrics per module: `<module>_received_messages_count`,
//! `<module>_received_messages_latency_seconds`, `<module>_sent_messages_count`, plus dead letters.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// Counters of one module, registered once in the process registry.
#[derive(Clone)]
pub struct ModuleMetrics {
    inner: Arc<Inner>,
}

struct Inner {
    received: IntCounterVec,
    latency: HistogramVec,
    sent: IntCounterVec,
    dead_letters: IntCounterVec,
    outbox_pending: IntGauge,
    outbox_oldest: Gauge,
    consumer_pending: IntGaugeVec,
}

impl ModuleMetrics {
    pub fn new(registry: &Registry, module: &str) -> Result<Self, prometheus::Error> {
        let received = IntCounterVec::new(
            Opts::new(
                format!("{module}_received_messages_count"),
                format!("The total number of messages received by {module}"),
            ),
            &["message", "handled"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                format!("{module}_received_messages_latency_seconds"),
                format!("The latency of received messages handled by {module}"),
            )
            .buckets(vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["message", "handled"],
        )?;
        let sent = IntCounterVec::new(
            Opts::new(
                format!("{module}_sent_messages_count"),
                format!("The total number of messages sent by {module}"),
            ),
            &["message"],
        )?;
        let dead_letters = IntCounterVec::new(
            Opts::new(format!("{module}_dead_letters_count"), format!("Messages {module} gave up on (dead letters)")),
            &["message"],
        )?;
        let outbox_pending = IntGauge::with_opts(Opts::new(
            format!("{module}_outbox_pending_messages"),
            format!("Messages in the {module} outbox not yet acknowledged by the broker"),
        ))?;
        let outbox_oldest = Gauge::with_opts(Opts::new(
            format!("{module}_outbox_oldest_pending_seconds"),
            format!("Age of the oldest unpublished message in the {module} outbox"),
        ))?;
        let consumer_pending = IntGaugeVec::new(
            Opts::new(
                format!("{module}_consumer_pending_messages"),
                format!("Messages waiting for a {module} consumer"),
            ),
            &["durable"],
        )?;
        registry.register(Box::new(outbox_pending.clone()))?;
        registry.register(Box::new(outbox_oldest.clone()))?;
        registry.register(Box::new(consumer_pending.clone()))?;
        registry.register(Box::new(received.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(sent.clone()))?;
        registry.register(Box::new(dead_letters.clone()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                received,
                latency,
                sent,
                dead_letters,
                outbox_pending,
                outbox_oldest,
                consumer_pending,
            }),
        })
    }

    pub(crate) fn received(&self, name: &str, handled: bool, took: Duration) {
        let handled = if handled { "true" } else { "false" };
        for label in [name, "all"] {
            self.inner.received.with_label_values(&[label, handled]).inc();
            self.inner.latency.with_label_values(&[label, handled]).observe(took.as_secs_f64());
        }
    }

    pub(crate) fn sent(&self, name: &str) {
        self.inner.sent.with_label_values(&[name]).inc();
        self.inner.sent.with_label_values(&["all"]).inc();
    }

    /// Records the outbox lag (pending rows and the age of the oldest).
    pub fn outbox_lag(&self, pending: i64, oldest: Option<Duration>) {
        self.inner.outbox_pending.set(pending);
        self.inner.outbox_oldest.set(oldest.map(|d| d.as_secs_f64()).unwrap_or(0.0));
    }

    /// Records how many messages wait for the consumer `durable`.
    pub fn consumer_lag(&self, durable: &str, pending: u64) {
        self.inner.consumer_pending.with_label_values(&[durable]).set(pending as i64);
    }

    pub(crate) fn dead_lettered(&self, name: &str) {
        self.inner.dead_letters.with_label_values(&[name]).inc();
    }
}

//! W3C trace context in message metadata: the publisher's current span goes into `traceparent` (and `baggage`)
//! when a message is written to the outbox; a consumer's span continues that trace, so one trace runs from the HTTP
//! request through the outbox, the broker and every consumer and command.

use opentelemetry::propagation::{Extractor, Injector};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::{Message, Metadata};

struct MetadataInjector<'a>(&'a mut Metadata);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), serde_json::Value::String(value));
    }
}

struct MetadataExtractor<'a>(&'a Metadata);

impl Extractor for MetadataExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// Puts the current span's context into `metadata` unless the message already carries one.
pub(crate) fn inject_current(metadata: &mut Metadata) {
    if metadata.contains_key(contracts::names::TRACEPARENT) {
        return;
    }
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut MetadataInjector(metadata));
    });
}

/// A span for handling `message`, continuing the trace its metadata carries.
pub(crate) fn consumer_span(message: &Message, durable: &str) -> tracing::Span {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&MetadataExtractor(&message.metadata))
    });
    let span = tracing::info_span!(
        "consume",
        otel.name = %message.name,
        otel.kind = "consumer",
        messaging.message.id = %message.id,
        messaging.destination = %message.subject,
        messaging.consumer.group = %durable,
    );
    let _ = span.set_parent(parent);
    span
}

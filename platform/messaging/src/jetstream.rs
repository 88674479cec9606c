//! NATS JetStream as the broker: one stream (`mallbots`, subjects `mallbots.>`), publishes de-duplicated by
//! `Nats-Msg-Id` and acknowledged by the server, durable pull consumers with explicit ack.
//!
//! Retries happen in place inside the consumer (with `InProgress` to hold the ack deadline), so a failing message
//! never lets later messages of its subject overtake it; a crash leaves it unacked and the server redelivers it.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull, stream};
use async_trait::async_trait;
use futures::StreamExt;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{Message, MessageHandler, Stream, StreamError, Subscription, encode_stream_message};

/// How long the server waits for an ack before redelivering (kept alive with `InProgress` while a handler works):
/// also how long a crashed process delays its unacknowledged messages.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// A connection to a JetStream stream.
#[derive(Clone)]
pub struct JetStream {
    client: async_nats::Client,
    context: jetstream::Context,
    name: String,
}

impl JetStream {
    /// Connects and creates the stream `name` (subjects `name.>`) when it does not exist.
    pub async fn connect(url: &str, name: &str) -> Result<Self, StreamError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(broker)?;
        let context = jetstream::new(client.clone());
        context
            .get_or_create_stream(stream::Config {
                name: name.to_owned(),
                subjects: vec![format!("{name}.>")],
                ..Default::default()
            })
            .await
            .map_err(broker)?;
        Ok(Self { client, context, name: name.to_owned() })
    }

    /// Deletes the stream (test clean-up).
    pub async fn delete_stream(&self) -> Result<(), StreamError> {
        self.context.delete_stream(&self.name).await.map_err(broker)?;
        Ok(())
    }
}

fn broker(err: impl std::fmt::Display) -> StreamError {
    StreamError::Broker(err.to_string())
}

#[async_trait]
impl Stream for JetStream {
    fn name(&self) -> &str {
        &self.name
    }

    async fn publish(&self, messages: &[Message]) -> Result<(), StreamError> {
        // Pipelined: send all, then wait for every acknowledgement (the caller marks rows only after this returns).
        let mut acks = Vec::with_capacity(messages.len());
        for message in messages {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", message.id.as_str());
            let subject = format!("{}.{}", self.name, message.subject);
            let ack = self
                .context
                .publish_with_headers(subject, headers, encode_stream_message(message).into())
                .await
                .map_err(broker)?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await.map_err(broker)?;
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        subscription: Subscription,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> Result<JoinHandle<()>, StreamError> {
        let stream = self.context.get_stream(&self.name).await.map_err(broker)?;
        let consumer = stream
            .get_or_create_consumer(
                &subscription.durable,
                pull::Config {
                    durable_name: Some(subscription.durable.clone()),
                    filter_subject: format!("{}.{}", self.name, subscription.subject),
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    ack_wait: ACK_WAIT,
                    // Dead letters are ours to decide (after `max_deliver`), not silently dropped by the server.
                    max_deliver: -1,
                    ..Default::default()
                },
            )
            .await
            .map_err(broker)?;
        let mut messages = consumer.messages().await.map_err(broker)?;
        Ok(tokio::spawn(async move {
            let mut replay_tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                let next = tokio::select! {
                    next = messages.next() => next,
                    _ = replay_tick.tick() => {
                        crate::dead_letters::run_replays(&subscription, handler.as_ref()).await;
                        continue;
                    }
                    _ = shutdown.cancelled() => break,
                };
                let message = match next {
                    Some(Ok(message)) => message,
                    Some(Err(err)) => {
                        tracing::warn!(durable = %subscription.durable, error = %err, "jetstream consumer error");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                    None => break,
                };
                let delivered = message.info().map(|i| i.delivered.max(1) as u32).unwrap_or(1);
                let keepalive = {
                    let message = message.clone();
                    tokio::spawn(async move {
                        loop {
                            tokio::time::sleep(ACK_WAIT / 3).await;
                            let _ = message.ack_with(AckKind::Progress).await;
                        }
                    })
                };
                let done =
                    crate::consumer::process(&subscription, handler.as_ref(), &message.payload, delivered, &shutdown)
                        .await;
                keepalive.abort();
                if done && let Err(err) = message.double_ack().await {
                    tracing::warn!(error = %err, "ack failed; the message will be redelivered");
                }
            }
        }))
    }

    async fn pending(&self, _subject: &str, durable: &str) -> Result<u64, StreamError> {
        let stream = self.context.get_stream(&self.name).await.map_err(broker)?;
        let mut consumer: jetstream::consumer::Consumer<pull::Config> =
            stream.get_consumer(durable).await.map_err(broker)?;
        let info = consumer.info().await.map_err(broker)?;
        Ok(info.num_pending + info.num_ack_pending as u64)
    }

    async fn ping(&self) -> Result<(), StreamError> {
        if self.client.connection_state() == async_nats::connection::State::Connected {
            Ok(())
        } else {
            Err(StreamError::Broker("not connected to NATS".into()))
        }
    }
}

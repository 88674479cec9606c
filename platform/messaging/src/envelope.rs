//! The original's three-layer wire envelope: `StreamMessage{id, name, data, metadata, sent_at}` whose `data` is an
//! `Event|Command|ReplyMessageData{payload, occurred_at}` whose `payload` is the protobuf message itself.

use contracts::am::EventMessageData;
use contracts::jetstream::StreamMessage;
use pbjson_types::Timestamp;
use prost::Message as _;

/// String-keyed metadata carried with a message (saga correlation, `traceparent`, …).
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A message as the application sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Unique id (UUID); the de-duplication key of the broker and of every inbox.
    pub id: String,
    /// The message name (`storesapi.StoreCreated`).
    pub name: String,
    /// The subject without the stream prefix (`stores.events.Store`).
    pub subject: String,
    /// The protobuf-encoded payload (empty for `am.Success`/`am.Failure`).
    pub payload: Vec<u8>,
    pub metadata: Metadata,
    /// When the event/command/reply was created (µs since the epoch).
    pub occurred_at: i64,
    /// When it was handed to the publisher, i.e. written to the outbox (µs since the epoch).
    pub sent_at: i64,
}

impl Message {
    /// A new message with a fresh id, created now.
    pub fn new(subject: impl Into<String>, name: impl Into<String>, payload: impl prost::Message) -> Self {
        let now = database::now_micros();
        Self {
            id: ddd::new_id(),
            name: name.into(),
            subject: subject.into(),
            payload: payload.encode_to_vec(),
            metadata: Metadata::new(),
            occurred_at: now,
            sent_at: now,
        }
    }

    pub fn with_metadata(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.metadata.insert(key.to_owned(), value.into());
        self
    }

    /// A string metadata value.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(|v| v.as_str())
    }

    /// Decodes the payload as `T`.
    pub fn decode<T: prost::Message + Default>(&self) -> Result<T, EnvelopeError> {
        T::decode(self.payload.as_slice()).map_err(|e| EnvelopeError::Payload(self.name.clone(), e))
    }

    /// The inner envelope (`EventMessageData`; commands and replies have the same layout).
    pub fn envelope_data(&self) -> Vec<u8> {
        EventMessageData { payload: self.payload.clone(), occurred_at: Some(timestamp(self.occurred_at)) }
            .encode_to_vec()
    }

    /// Rebuilds a message from the outbox columns (`data` holds the inner envelope, `metadata` JSON).
    pub fn from_parts(
        id: String,
        name: String,
        subject: String,
        data: &[u8],
        metadata: &[u8],
        sent_at: i64,
    ) -> Result<Self, EnvelopeError> {
        let inner = EventMessageData::decode(data).map_err(EnvelopeError::Envelope)?;
        let metadata: Metadata = serde_json::from_slice(metadata).map_err(EnvelopeError::Metadata)?;
        Ok(Self {
            id,
            name,
            subject,
            payload: inner.payload,
            metadata,
            occurred_at: inner.occurred_at.map(micros).unwrap_or(sent_at),
            sent_at,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("malformed StreamMessage: {0}")]
    Envelope(prost::DecodeError),
    #[error("malformed metadata: {0}")]
    Metadata(serde_json::Error),
    #[error("malformed payload of {0}: {1}")]
    Payload(String, prost::DecodeError),
    #[error("subject {0} is outside the stream {1}")]
    Subject(String, String),
}

/// Encodes the outer `StreamMessage` (the bytes on the broker).
pub fn encode_stream_message(message: &Message) -> Vec<u8> {
    let metadata = serde_json::from_value::<pbjson_types::Struct>(serde_json::Value::Object(message.metadata.clone()))
        .unwrap_or_default();
    StreamMessage {
        id: message.id.clone(),
        name: message.name.clone(),
        data: message.envelope_data(),
        metadata: Some(metadata),
        sent_at: Some(timestamp(message.sent_at)),
    }
    .encode_to_vec()
}

/// Decodes broker bytes; `subject` is the relative subject the message arrived on.
pub fn decode_stream_message(subject: &str, bytes: &[u8]) -> Result<Message, EnvelopeError> {
    let outer = StreamMessage::decode(bytes).map_err(EnvelopeError::Envelope)?;
    let inner = EventMessageData::decode(outer.data.as_slice()).map_err(EnvelopeError::Envelope)?;
    let metadata = match outer.metadata {
        Some(s) => match serde_json::to_value(&s).map_err(EnvelopeError::Metadata)? {
            serde_json::Value::Object(map) => map,
            _ => Metadata::new(),
        },
        None => Metadata::new(),
    };
    let sent_at = outer.sent_at.map(micros).unwrap_or_default();
    Ok(Message {
        id: outer.id,
        name: outer.name,
        subject: subject.to_owned(),
        payload: inner.payload,
        metadata,
        occurred_at: inner.occurred_at.map(micros).unwrap_or(sent_at),
        sent_at,
    })
}

fn timestamp(micros: i64) -> Timestamp {
    Timestamp { seconds: micros.div_euclid(1_000_000), nanos: (micros.rem_euclid(1_000_000) * 1000) as i32 }
}

fn micros(ts: Timestamp) -> i64 {
    ts.seconds.saturating_mul(1_000_000).saturating_add(i64::from(ts.nanos) / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_messages_round_trip_with_metadata() {
        let msg = Message::new(
            "stores.events.Store",
            "storesapi.StoreCreated",
            contracts::storespb::StoreCreated { id: "s1".into(), name: "n".into(), location: "l".into() },
        )
        .with_metadata("COMMAND_SAGA_ID", "abc")
        .with_metadata("n", 1.5);
        let bytes = encode_stream_message(&msg);
        let back = decode_stream_message("stores.events.Store", &bytes).unwrap();
        assert_eq!(back, msg);
        let payload: contracts::storespb::StoreCreated = back.decode().unwrap();
        assert_eq!(payload.location, "l");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_stream_message("x", &[0xff, 0xff, 0xff]).is_err());
    }
}

//! Domain-driven design primitives with no I/O: identifiers, the error vocabulary shared by every bounded context,
//! domain events named for storage, and the aggregate contract (`decide` elsewhere, `apply` here).

mod error;
mod event;

pub use error::{ErrorKind, HasErrorKind};
pub use event::{DomainEvent, EventCodecError, decode_event, encode_event};

/// A fresh random identifier in the original's format (UUID v4, lowercase, hyphenated).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An event-sourced aggregate: its state is a fold of its events.
///
/// Commands are plain methods on the aggregate that *decide* (validate and return events, never mutate);
/// the repository calls [`Aggregate::apply`] for every stored and every newly decided event.
pub trait Aggregate: Default + Send + Sync + 'static {
    /// The stream name of the aggregate type (`stores.Store`).
    const TYPE: &'static str;
    /// The name its snapshots are stored under (`stores.StoreV1`).
    const SNAPSHOT_NAME: &'static str;
    type Event: DomainEvent;
    /// The snapshot form of the state (kept separate so the in-memory shape may change).
    type Snapshot: serde::Serialize + serde::de::DeserializeOwned + Send;

    fn apply(&mut self, event: &Self::Event);
    fn to_snapshot(&self) -> Self::Snapshot;
    fn from_snapshot(snapshot: Self::Snapshot) -> Self;
}

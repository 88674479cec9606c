//! The `stores.Store` aggregate: a shop in the mall that can join or leave the MallBots programme and be renamed.

use serde::{Deserialize, Serialize};

use super::StoresError;

/// The state of a store, folded from its events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Store {
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) participating: bool,
}

/// The events of a store, stored under the original's names with Go field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "data")]
pub(crate) enum StoreEvent {
    #[serde(rename = "stores.StoreCreated")]
    Created {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Location")]
        location: String,
    },
    #[serde(rename = "stores.StoreParticipationEnabled")]
    ParticipationEnabled {
        #[serde(rename = "Participating")]
        participating: bool,
    },
    #[serde(rename = "stores.StoreParticipationDisabled")]
    ParticipationDisabled {
        #[serde(rename = "Participating")]
        participating: bool,
    },
    #[serde(rename = "stores.StoreRebranded")]
    Rebranded {
        #[serde(rename = "Name")]
        name: String,
    },
}

impl ddd::DomainEvent for StoreEvent {}

/// Snapshot `stores.StoreV1`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoreV1 {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Location")]
    location: String,
    #[serde(rename = "Participating")]
    participating: bool,
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl Store {
    /// Opens a new store (the original's `InitStore`).
    pub(crate) fn create(name: &str, location: &str) -> Result<Vec<StoreEvent>, StoresError> {
        if blank(name) {
            return Err(StoresError::BlankStoreName);
        }
        if blank(location) {
            return Err(StoresError::BlankStoreLocation);
        }
        Ok(vec![StoreEvent::Created { name: name.to_owned(), location: location.to_owned() }])
    }

    pub(crate) fn enable_participation(&self) -> Result<Vec<StoreEvent>, StoresError> {
        if self.participating {
            return Err(StoresError::AlreadyParticipating);
        }
        Ok(vec![StoreEvent::ParticipationEnabled { participating: true }])
    }

    pub(crate) fn disable_participation(&self) -> Result<Vec<StoreEvent>, StoresError> {
        if !self.participating {
            return Err(StoresError::AlreadyNotParticipating);
        }
        Ok(vec![StoreEvent::ParticipationDisabled { participating: false }])
    }

    /// Renames the store; unlike the original, a blank name is refused.
    pub(crate) fn rebrand(&self, name: &str) -> Result<Vec<StoreEvent>, StoresError> {
        if blank(name) {
            return Err(StoresError::BlankStoreName);
        }
        Ok(vec![StoreEvent::Rebranded { name: name.to_owned() }])
    }
}

impl ddd::Aggregate for Store {
    const TYPE: &'static str = "stores.Store";
    const SNAPSHOT_NAME: &'static str = "stores.StoreV1";
    type Event = StoreEvent;
    type Snapshot = StoreV1;

    fn apply(&mut self, event: &StoreEvent) {
        match event {
            StoreEvent::Created { name, location } => {
                self.name = name.clone();
                self.location = location.clone();
            }
            StoreEvent::ParticipationEnabled { participating }
            | StoreEvent::ParticipationDisabled { participating } => {
                self.participating = *participating;
            }
            StoreEvent::Rebranded { name } => self.name = name.clone(),
        }
    }

    fn to_snapshot(&self) -> StoreV1 {
        StoreV1 { name: self.name.clone(), location: self.location.clone(), participating: self.participating }
    }

    fn from_snapshot(snapshot: StoreV1) -> Self {
        Store { name: snapshot.name, location: snapshot.location, participating: snapshot.participating }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ddd::{Aggregate, decode_event, encode_event};

    use super::*;

    fn fold(events: &[StoreEvent]) -> Store {
        let mut store = Store::default();
        for event in events {
            store.apply(event);
        }
        store
    }

    fn created() -> Store {
        fold(&Store::create("Waldorf Books", "Upper level").unwrap())
    }

    #[test]
    fn a_store_needs_a_name_and_a_location() {
        assert_eq!(Store::create("", "here").unwrap_err().to_string(), "the store name cannot be blank");
        assert_eq!(Store::create("  ", "here").unwrap_err().to_string(), "the store name cannot be blank");
        assert_eq!(Store::create("Shop", "").unwrap_err().to_string(), "the store location cannot be blank");
        let store = created();
        assert_eq!(store, Store { name: "Waldorf Books".into(), location: "Upper level".into(), participating: false });
    }

    #[test]
    fn participation_toggles_once_each_way() {
        let store = created();
        assert_eq!(store.disable_participation().unwrap_err().to_string(), "the store is already not participating");
        let events = store.enable_participation().unwrap();
        // Deciding does not change the state; applying does.
        assert!(!store.participating);
        let store = fold(&[Store::create("a", "b").unwrap(), events].concat());
        assert!(store.participating);
        assert_eq!(store.enable_participation().unwrap_err().to_string(), "the store is already participating");
        let mut store = store;
        for event in store.disable_participation().unwrap() {
            store.apply(&event);
        }
        assert!(!store.participating);
    }

    #[test]
    fn rebranding_refuses_blank_names() {
        let store = created();
        assert_eq!(store.rebrand(" ").unwrap_err().to_string(), "the store name cannot be blank");
        let mut store = store;
        for event in store.rebrand("Statler Books").unwrap() {
            store.apply(&event);
        }
        assert_eq!(store.name, "Statler Books");
    }

    #[test]
    fn events_are_stored_under_the_original_names_and_go_fields() {
        let cases = [
            (
                StoreEvent::Created { name: "n".into(), location: "l".into() },
                "stores.StoreCreated",
                r#"{"Name":"n","Location":"l"}"#,
            ),
            (
                StoreEvent::ParticipationEnabled { participating: true },
                "stores.StoreParticipationEnabled",
                r#"{"Participating":true}"#,
            ),
            (
                StoreEvent::ParticipationDisabled { participating: false },
                "stores.StoreParticipationDisabled",
                r#"{"Participating":false}"#,
            ),
            (StoreEvent::Rebranded { name: "m".into() }, "stores.StoreRebranded", r#"{"Name":"m"}"#),
        ];
        for (event, name, json) in cases {
            let (stored_name, data) = encode_event(&event).unwrap();
            assert_eq!(stored_name, name);
            let stored: serde_json::Value = serde_json::from_slice(&data).unwrap();
            assert_eq!(stored, serde_json::from_str::<serde_json::Value>(json).unwrap());
            assert_eq!(decode_event::<StoreEvent>(name, &data).unwrap(), event);
        }
    }

    #[test]
    fn snapshots_round_trip_as_store_v1() {
        let mut store = created();
        store.participating = true;
        let json = serde_json::to_string(&store.to_snapshot()).unwrap();
        assert_eq!(json, r#"{"Name":"Waldorf Books","Location":"Upper level","Participating":true}"#);
        let back = Store::from_snapshot(serde_json::from_str(&json).unwrap());
        assert_eq!(back, store);
    }
}

//! Domain events stored by name: a storage name per variant (`stores.StoreCreated`) and JSON data, with a hook for
//! upcasting old shapes before they are decoded.
//!
//! An event enum derives serde with `#[serde(tag = "name", content = "data")]` and renames each variant to its
//! storage name; [`encode_event`] then splits the name from the data and [`decode_event`] joins them again.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A domain event: serde-tagged by its storage name.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + Send + Sync + std::fmt::Debug + 'static {
    /// Rewrites stored data of an older event version into the current shape (default: unchanged).
    fn upcast(name: &str, data: serde_json::Value) -> (String, serde_json::Value) {
        (name.to_owned(), data)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EventCodecError {
    #[error("event is not tagged by name and data")]
    NotTagged,
    #[error("cannot decode event {name}: {source}")]
    Decode { name: String, source: serde_json::Error },
    #[error("cannot encode event: {0}")]
    Encode(serde_json::Error),
}

/// Splits an event into its storage name and JSON data.
pub fn encode_event<E: DomainEvent>(event: &E) -> Result<(String, Vec<u8>), EventCodecError> {
    let value = serde_json::to_value(event).map_err(EventCodecError::Encode)?;
    let serde_json::Value::Object(mut map) = value else { return Err(EventCodecError::NotTagged) };
    let Some(serde_json::Value::String(name)) = map.remove("name") else { return Err(EventCodecError::NotTagged) };
    let data = map.remove("data").unwrap_or(serde_json::Value::Object(Default::default()));
    let bytes = serde_json::to_vec(&data).map_err(EventCodecError::Encode)?;
    Ok((name, bytes))
}

/// Rebuilds an event from its storage name and JSON data, upcasting first.
pub fn decode_event<E: DomainEvent>(name: &str, data: &[u8]) -> Result<E, EventCodecError> {
    let value: serde_json::Value =
        serde_json::from_slice(data).map_err(|source| EventCodecError::Decode { name: name.to_owned(), source })?;
    let (name, value) = E::upcast(name, value);
    let empty = value.as_object().is_some_and(|data| data.is_empty());
    let tagged = serde_json::json!({ "name": name, "data": value });
    match serde_json::from_value(tagged) {
        Ok(event) => Ok(event),
        // A unit variant is stored with `{}` data (see `encode_event`) but decodes from its name alone.
        Err(_) if empty => serde_json::from_value(serde_json::json!({ "name": name }))
            .map_err(|source| EventCodecError::Decode { name, source }),
        Err(source) => Err(EventCodecError::Decode { name, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "name", content = "data")]
    enum Ev {
        #[serde(rename = "t.Created")]
        Created {
            #[serde(rename = "Name")]
            name: String,
        },
        #[serde(rename = "t.Removed")]
        Removed {},
    }
    impl DomainEvent for Ev {
        fn upcast(name: &str, data: serde_json::Value) -> (String, serde_json::Value) {
            if name == "t.CreatedV0" {
                return ("t.Created".into(), serde_json::json!({ "Name": data["n"] }));
            }
            (name.into(), data)
        }
    }

    #[test]
    fn events_round_trip_by_name() {
        let ev = Ev::Created { name: "x".into() };
        let (name, data) = encode_event(&ev).unwrap();
        assert_eq!(name, "t.Created");
        assert_eq!(data, br#"{"Name":"x"}"#);
        assert_eq!(decode_event::<Ev>(&name, &data).unwrap(), ev);
        let (name, data) = encode_event(&Ev::Removed {}).unwrap();
        assert_eq!(decode_event::<Ev>(&name, &data).unwrap(), Ev::Removed {});
    }

    #[test]
    fn unit_variants_round_trip() {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "name", content = "data")]
        enum Unit {
            #[serde(rename = "t.Reset")]
            Reset,
        }
        impl DomainEvent for Unit {}
        let (name, data) = encode_event(&Unit::Reset).unwrap();
        assert_eq!((name.as_str(), data.as_slice()), ("t.Reset", b"{}".as_slice()));
        assert_eq!(decode_event::<Unit>(&name, &data).unwrap(), Unit::Reset);
    }

    #[test]
    fn old_shapes_are_upcast() {
        let ev: Ev = decode_event("t.CreatedV0", br#"{"n":"old"}"#).unwrap();
        assert_eq!(ev, Ev::Created { name: "old".into() });
        assert!(decode_event::<Ev>("t.Unknown", b"{}").is_err());
    }
}

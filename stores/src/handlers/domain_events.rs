//! Domain events → integration events (`storesapi.*`, protobuf payloads of `storespb`), on the original subjects.
//! The caller writes the returned messages to the outbox in the transaction of the append.

use contracts::names::{STORES_PRODUCT_EVENTS, STORES_STORE_EVENTS, stores as names};
use contracts::storespb;
use messaging::Message;

use crate::domain::{ProductEvent, StoreEvent};

/// The integration event published for a store event.
pub(crate) fn store_message(id: &str, event: &StoreEvent) -> Message {
    let id = id.to_owned();
    match event {
        StoreEvent::Created { name, location } => Message::new(
            STORES_STORE_EVENTS,
            names::STORE_CREATED,
            storespb::StoreCreated { id, name: name.clone(), location: location.clone() },
        ),
        StoreEvent::ParticipationEnabled { participating } | StoreEvent::ParticipationDisabled { participating } => {
            Message::new(
                STORES_STORE_EVENTS,
                names::STORE_PARTICIPATION_TOGGLED,
                storespb::StoreParticipationToggled { id, participating: *participating },
            )
        }
        StoreEvent::Rebranded { name } => Message::new(
            STORES_STORE_EVENTS,
            names::STORE_REBRANDED,
            storespb::StoreRebranded { id, name: name.clone() },
        ),
    }
}

/// The integration event published for a product event.
pub(crate) fn product_message(id: &str, event: &ProductEvent) -> Message {
    let id = id.to_owned();
    match event {
        ProductEvent::Added(added) => Message::new(
            STORES_PRODUCT_EVENTS,
            names::PRODUCT_ADDED,
            storespb::ProductAdded {
                id,
                store_id: added.store_id.clone(),
                name: added.name.clone(),
                description: added.description.clone(),
                sku: added.sku.clone(),
                price: added.price.dollars(),
            },
        ),
        ProductEvent::Rebranded { name, description } => Message::new(
            STORES_PRODUCT_EVENTS,
            names::PRODUCT_REBRANDED,
            storespb::ProductRebranded { id, name: name.clone(), description: description.clone() },
        ),
        ProductEvent::PriceIncreased(change) => Message::new(
            STORES_PRODUCT_EVENTS,
            names::PRODUCT_PRICE_INCREASED,
            storespb::ProductPriceChanged { id, delta: change.delta.dollars() },
        ),
        ProductEvent::PriceDecreased(change) => Message::new(
            STORES_PRODUCT_EVENTS,
            names::PRODUCT_PRICE_DECREASED,
            storespb::ProductPriceChanged { id, delta: change.delta.dollars() },
        ),
        ProductEvent::Removed {} => {
            Message::new(STORES_PRODUCT_EVENTS, names::PRODUCT_REMOVED, storespb::ProductRemoved { id })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{Cents, Product};

    #[test]
    fn store_events_map_to_the_original_wire_names() {
        let msg = store_message("s1", &StoreEvent::Created { name: "n".into(), location: "l".into() });
        assert_eq!((msg.subject.as_str(), msg.name.as_str()), ("stores.events.Store", "storesapi.StoreCreated"));
        let payload: storespb::StoreCreated = msg.decode().unwrap();
        assert_eq!(payload, storespb::StoreCreated { id: "s1".into(), name: "n".into(), location: "l".into() });

        let msg = store_message("s1", &StoreEvent::ParticipationDisabled { participating: false });
        assert_eq!(msg.name, "storesapi.StoreParticipatingToggled");
        let payload: storespb::StoreParticipationToggled = msg.decode().unwrap();
        assert!(!payload.participating);

        let msg = store_message("s1", &StoreEvent::Rebranded { name: "m".into() });
        assert_eq!(msg.name, "storesapi.StoreRebranded");
    }

    #[test]
    fn product_events_map_to_the_original_wire_names() {
        let events = Product::add("s1", "n", "d", "k", Cents(1099)).unwrap();
        let msg = product_message("p1", &events[0]);
        assert_eq!((msg.subject.as_str(), msg.name.as_str()), ("stores.events.Product", "storesapi.ProductAdded"));
        let payload: storespb::ProductAdded = msg.decode().unwrap();
        assert_eq!(payload.price, 10.99);
        assert_eq!(payload.store_id, "s1");

        let product = Product { price: Cents(1000), ..Product::default() };
        let up = product_message("p1", &product.increase_price(Cents(1250)).unwrap()[0]);
        assert_eq!(up.name, "storesapi.ProductPriceIncreased");
        assert_eq!(up.decode::<storespb::ProductPriceChanged>().unwrap().delta, 2.5);
        let down = product_message("p1", &product.decrease_price(Cents(990)).unwrap()[0]);
        assert_eq!(down.name, "storesapi.ProductPriceDecreased");
        assert_eq!(down.decode::<storespb::ProductPriceChanged>().unwrap().delta, -0.1);
        let removed = product_message("p1", &ProductEvent::Removed {});
        assert_eq!(removed.name, "storesapi.ProductRemoved");
        assert_eq!(removed.decode::<storespb::ProductRemoved>().unwrap().id, "p1");
    }
}

//! Basket events → integration events (`basketsapi.*`, protobuf payloads of `basketspb`) on
//! `baskets.events.Basket`. The caller writes them to the outbox in the transaction of the append.

use contracts::basketspb;
use contracts::names::{self, baskets as msg};
use messaging::Message;

use crate::domain::{Basket, BasketEvent};

/// The integration event of `event`, given the basket's state after it; item changes are not published.
pub(crate) fn basket_message(id: &str, basket: &Basket, event: &BasketEvent) -> Option<Message> {
    let subject = names::BASKETS_BASKET_EVENTS;
    let id = id.to_owned();
    Some(match event {
        BasketEvent::Started { customer_id } => Message::new(
            subject,
            msg::BASKET_STARTED,
            basketspb::BasketStarted { id, customer_id: customer_id.clone() },
        ),
        BasketEvent::Canceled {} => Message::new(subject, msg::BASKET_CANCELED, basketspb::BasketCanceled { id }),
        BasketEvent::CheckedOut { payment_id } => Message::new(
            subject,
            msg::BASKET_CHECKED_OUT,
            basketspb::BasketCheckedOut {
                id,
                customer_id: basket.customer_id.clone(),
                payment_id: payment_id.clone(),
                // basket order: the order in which the products were first added
                items: basket
                    .items
                    .iter()
                    .map(|item| basketspb::basket_checked_out::Item {
                        store_id: item.store_id.clone(),
                        product_id: item.product_id.clone(),
                        store_name: item.store_name.clone(),
                        product_name: item.product_name.clone(),
                        price: item.price.dollars(),
                        quantity: item.quantity.get(),
                    })
                    .collect(),
            },
        ),
        BasketEvent::ItemAdded { .. } | BasketEvent::ItemRemoved { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use ddd::Aggregate as _;

    use super::*;
    use crate::domain::{Cents, NewItem};

    #[test]
    fn basket_events_map_to_the_original_wire_names() {
        let mut basket = Basket::default();
        let started = basket.start("c1").expect("started");
        basket.apply(&started[0]);
        let message = basket_message("b1", &basket, &started[0]).expect("published");
        assert_eq!(
            (message.subject.as_str(), message.name.as_str()),
            ("baskets.events.Basket", "basketsapi.BasketStarted")
        );
        assert_eq!(
            message.decode::<basketspb::BasketStarted>().expect("payload"),
            basketspb::BasketStarted { id: "b1".into(), customer_id: "c1".into() }
        );

        for (product, price, quantity) in [("p2", 150, 2), ("p1", 999, 1)] {
            let item = NewItem {
                store_id: "s1".into(),
                product_id: product.into(),
                store_name: "Store".into(),
                product_name: format!("Product {product}"),
                price: Cents(price),
            };
            let added = basket.add_item(item, quantity).expect("added");
            assert!(basket_message("b1", &basket, &added[0]).is_none());
            basket.apply(&added[0]);
        }
        let checked_out = basket.checkout("pay1").expect("checked out");
        basket.apply(&checked_out[0]);
        let message = basket_message("b1", &basket, &checked_out[0]).expect("published");
        assert_eq!(message.name, "basketsapi.BasketCheckedOut");
        let payload: basketspb::BasketCheckedOut = message.decode().expect("payload");
        assert_eq!(
            (payload.id.as_str(), payload.customer_id.as_str(), payload.payment_id.as_str()),
            ("b1", "c1", "pay1")
        );
        let items: Vec<(&str, f64, i32, &str)> =
            payload.items.iter().map(|i| (i.product_id.as_str(), i.price, i.quantity, i.store_name.as_str())).collect();
        assert_eq!(items, [("p2", 1.5, 2, "Store"), ("p1", 9.99, 1, "Store")]);

        let message = basket_message("b1", &basket, &BasketEvent::Canceled {}).expect("published");
        assert_eq!(message.name, "basketsapi.BasketCanceled");
        assert_eq!(message.decode::<basketspb::BasketCanceled>().expect("payload").id, "b1");
    }
}

//! Order events → integration events (`ordersapi.*`, protobuf payloads of `orderingpb`) on
//! `ordering.events.Order`; every event of an order is published (the original forgot approvals and rejections).
//! The caller writes them to the outbox in the transaction of the append.

use contracts::names::{self, ordering as msg};
use contracts::orderingpb;
use messaging::Message;

use crate::domain::{Order, OrderEvent};

/// The integration event of `event`, given the order's state after it (None for internal bookkeeping events).
pub(crate) fn order_message(id: &str, order: &Order, event: &OrderEvent) -> Option<Message> {
    let subject = names::ORDERING_ORDER_EVENTS;
    let id = id.to_owned();
    let customer_id = order.customer_id.clone();
    let payment_id = order.payment_id.clone();
    let message = match event {
        OrderEvent::ShoppingCompleted {} => return None,
        OrderEvent::Created { shopping_id, items, .. } => Message::new(
            subject,
            msg::ORDER_CREATED,
            orderingpb::OrderCreated {
                id,
                customer_id,
                payment_id,
                shopping_id: shopping_id.clone(),
                items: items
                    .iter()
                    .map(|item| orderingpb::order_created::Item {
                        product_id: item.product_id.clone(),
                        store_id: item.store_id.clone(),
                        price: item.price.dollars(),
                        quantity: item.quantity.get(),
                    })
                    .collect(),
            },
        ),
        OrderEvent::Approved { .. } => {
            Message::new(subject, msg::ORDER_APPROVED, orderingpb::OrderApproved { id, customer_id, payment_id })
        }
        OrderEvent::Rejected {} => {
            Message::new(subject, msg::ORDER_REJECTED, orderingpb::OrderRejected { id, customer_id, payment_id })
        }
        OrderEvent::Canceled { .. } => {
            Message::new(subject, msg::ORDER_CANCELED, orderingpb::OrderCanceled { id, customer_id, payment_id })
        }
        OrderEvent::Readied(readied) => Message::new(
            subject,
            msg::ORDER_READIED,
            orderingpb::OrderReadied { id, customer_id, payment_id, total: readied.total.dollars() },
        ),
        OrderEvent::Completed { invoice_id, .. } => Message::new(
            subject,
            msg::ORDER_COMPLETED,
            orderingpb::OrderCompleted { id, customer_id, invoice_id: invoice_id.clone() },
        ),
    };
    Some(message)
}

#[cfg(test)]
mod tests {
    use ddd::Aggregate as _;

    use super::*;
    use crate::domain::{Cents, OrderItem, Quantity};

    #[test]
    fn order_events_map_to_the_original_wire_names() {
        let items = vec![OrderItem {
            product_id: "p1".into(),
            store_id: "s1".into(),
            store_name: "S".into(),
            product_name: "P".into(),
            price: Cents(110),
            quantity: Quantity::new(3),
        }];
        let mut order = Order::default();
        let mut messages = Vec::new();
        let steps: [fn(&Order) -> Vec<OrderEvent>; 3] = [
            |o| o.approve("list-1").expect("approved"),
            |o| o.ready().expect("ready"),
            |o| o.complete("inv-1").expect("completed"),
        ];
        let created = order.create("c1", "pay1", items).expect("created");
        order.apply(&created[0]);
        messages.extend(order_message("o1", &order, &created[0]));
        for step in steps {
            for event in step(&order) {
                order.apply(&event);
                messages.extend(order_message("o1", &order, &event));
            }
        }
        let names: Vec<&str> = messages.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["ordersapi.OrderCreated", "ordersapi.OrderApproved", "ordersapi.OrderReadied", "ordersapi.OrderCompleted"]
        );
        assert!(messages.iter().all(|m| m.subject == "ordering.events.Order"));
        assert_eq!(
            messages[0].decode::<orderingpb::OrderCreated>().expect("payload"),
            orderingpb::OrderCreated {
                id: "o1".into(),
                customer_id: "c1".into(),
                payment_id: "pay1".into(),
                shopping_id: String::new(),
                items: vec![orderingpb::order_created::Item {
                    product_id: "p1".into(),
                    store_id: "s1".into(),
                    price: 1.1,
                    quantity: 3
                }],
            }
        );
        assert_eq!(
            messages[1].decode::<orderingpb::OrderApproved>().expect("payload"),
            orderingpb::OrderApproved { id: "o1".into(), customer_id: "c1".into(), payment_id: "pay1".into() }
        );
        assert_eq!(messages[2].decode::<orderingpb::OrderReadied>().expect("payload").total, 3.3);
        assert_eq!(
            messages[3].decode::<orderingpb::OrderCompleted>().expect("payload"),
            orderingpb::OrderCompleted { id: "o1".into(), customer_id: "c1".into(), invoice_id: "inv-1".into() }
        );

        let rejected = order_message("o1", &order, &OrderEvent::Rejected {}).expect("published");
        assert_eq!(rejected.name, "ordersapi.OrderRejected");
        assert_eq!(rejected.decode::<orderingpb::OrderRejected>().expect("payload").payment_id, "pay1");
        let canceled =
            order_message("o1", &order, &OrderEvent::Canceled { customer_id: "c1".into(), payment_id: "pay1".into() })
                .expect("published");
        assert_eq!(canceled.name, "ordersapi.OrderCanceled");
        assert_eq!(canceled.decode::<orderingpb::OrderCanceled>().expect("payload").customer_id, "c1");
    }
}

//! Shopping-list changes → integration events: completion publishes `depotapi.ShoppingListCompleted{id, order_id}`
//! on `depot.events.ShoppingList`, in the transaction of the change. (The original publishes nothing else.)

use contracts::depotpb;
use contracts::names;
use database::Transaction;
use messaging::{Message, Outbox};

use crate::domain::{DepotError, ListEvent, ShoppingList};
use crate::store::storage_db;

fn integration_message(list: &ShoppingList, event: &ListEvent) -> Option<Message> {
    match event {
        ListEvent::Completed => Some(Message::new(
            names::DEPOT_SHOPPING_LIST_EVENTS,
            names::depot::SHOPPING_LIST_COMPLETED,
            depotpb::ShoppingListCompleted { id: list.id.clone(), order_id: list.order_id.clone() },
        )),
        ListEvent::Canceled | ListEvent::Initiated | ListEvent::Assigned { .. } => None,
    }
}

/// Writes the integration events of `events` to `outbox` within `tx`.
pub(crate) async fn publish_list_events(
    tx: &mut Transaction,
    outbox: &Outbox,
    list: &ShoppingList,
    events: &[ListEvent],
) -> Result<(), DepotError> {
    for message in events.iter().filter_map(|event| integration_message(list, event)) {
        outbox.add(tx, message).await.map_err(|e| storage_db("writing to the outbox", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ListStatus;

    #[test]
    fn only_completion_is_published_with_the_original_name() {
        let list = ShoppingList {
            id: "l-1".into(),
            order_id: "o-1".into(),
            stops: Default::default(),
            assigned_bot_id: "b".into(),
            status: ListStatus::Completed,
        };
        let message = integration_message(&list, &ListEvent::Completed).expect("published");
        assert_eq!(
            (message.subject.as_str(), message.name.as_str()),
            ("depot.events.ShoppingList", "depotapi.ShoppingListCompleted")
        );
        let payload: depotpb::ShoppingListCompleted = message.decode().expect("payload");
        assert_eq!(payload, depotpb::ShoppingListCompleted { id: "l-1".into(), order_id: "o-1".into() });
        assert!(integration_message(&list, &ListEvent::Canceled).is_none());
        assert!(integration_message(&list, &ListEvent::Assigned { bot_id: "b".into() }).is_none());
    }
}

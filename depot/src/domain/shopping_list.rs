//! The shopping list (`depot.ShoppingList`): what a bot must pick for one order, as one stop per store with the
//! items to take there. Status machine: pending → available (initiated by the saga) → assigned (to a bot) →
//! completed; canceled from any state before completion. Commands decide; `apply` evolves the state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DepotError;

/// Where a list is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListStatus {
    Pending,
    Available,
    Assigned,
    /// Defined by the original (a bot underway); cancelable, completable; nothing here sets it.
    Active,
    Completed,
    Canceled,
}

impl ListStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ListStatus::Pending => "pending",
            ListStatus::Available => "available",
            ListStatus::Assigned => "assigned",
            ListStatus::Active => "active",
            ListStatus::Completed => "completed",
            ListStatus::Canceled => "canceled",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => ListStatus::Pending,
            "available" => ListStatus::Available,
            "assigned" => ListStatus::Assigned,
            "active" => ListStatus::Active,
            "completed" => ListStatus::Completed,
            "canceled" => ListStatus::Canceled,
            _ => return None,
        })
    }
}

/// One product to pick at a stop (stored JSON keeps the original's Go names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShoppingListItem {
    #[serde(rename = "ProductName")]
    pub(crate) product_name: String,
    #[serde(rename = "Quantity")]
    pub(crate) quantity: i32,
}

/// A store to visit and what to take there, by product id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stop {
    #[serde(rename = "StoreName")]
    pub(crate) store_name: String,
    #[serde(rename = "StoreLocation")]
    pub(crate) store_location: String,
    #[serde(rename = "Items")]
    pub(crate) items: BTreeMap<String, ShoppingListItem>,
}

/// An order line resolved against the store and product caches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListItem {
    pub(crate) store_id: String,
    pub(crate) store_name: String,
    pub(crate) store_location: String,
    pub(crate) product_id: String,
    pub(crate) product_name: String,
    pub(crate) quantity: i32,
}

/// The shopping list of one order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShoppingList {
    pub(crate) id: String,
    pub(crate) order_id: String,
    /// Stops by store id.
    pub(crate) stops: BTreeMap<String, Stop>,
    pub(crate) assigned_bot_id: String,
    pub(crate) status: ListStatus,
}

/// What can be asked of an existing list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ListCommand {
    Cancel,
    Initiate,
    Assign { bot_id: String },
    Complete,
}

/// What happened (`Completed` becomes `depotapi.ShoppingListCompleted`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ListEvent {
    Canceled,
    Initiated,
    Assigned { bot_id: String },
    Completed,
}

impl ShoppingList {
    /// Decides a new (pending) list: one stop per store; a product named twice is picked once with the quantities
    /// added up.
    pub(crate) fn create(id: String, order_id: &str, items: Vec<ListItem>) -> Result<ShoppingList, DepotError> {
        if order_id.trim().is_empty() {
            return Err(DepotError::BlankOrderId);
        }
        let mut stops: BTreeMap<String, Stop> = BTreeMap::new();
        for item in items {
            if item.quantity < 1 {
                return Err(DepotError::BadQuantity);
            }
            let stop = stops.entry(item.store_id).or_insert_with(|| Stop {
                store_name: item.store_name,
                store_location: item.store_location,
                items: BTreeMap::new(),
            });
            stop.items
                .entry(item.product_id)
                .and_modify(|existing| existing.quantity = existing.quantity.saturating_add(item.quantity))
                .or_insert(ShoppingListItem { product_name: item.product_name, quantity: item.quantity });
        }
        Ok(ShoppingList {
            id,
            order_id: order_id.to_owned(),
            stops,
            assigned_bot_id: String::new(),
            status: ListStatus::Pending,
        })
    }

    /// Decides `command`; an empty list means "already so".
    pub(crate) fn decide(&self, command: &ListCommand) -> Result<Vec<ListEvent>, DepotError> {
        use ListStatus::*;
        match (command, self.status) {
            (ListCommand::Cancel, Pending | Available | Assigned | Active) => Ok(vec![ListEvent::Canceled]),
            (ListCommand::Cancel, _) => Err(DepotError::CannotCancel),
            (ListCommand::Initiate, Pending) => Ok(vec![ListEvent::Initiated]),
            // Initiated before (a re-sent command), possibly already picked up by a bot.
            (ListCommand::Initiate, Available | Assigned | Active | Completed) => Ok(vec![]),
            (ListCommand::Initiate, Canceled) => Err(DepotError::CannotInitiate),
            (ListCommand::Assign { bot_id }, Available) => Ok(vec![ListEvent::Assigned { bot_id: bot_id.clone() }]),
            (ListCommand::Assign { .. }, _) => Err(DepotError::CannotAssign),
            (ListCommand::Complete, Assigned | Active) => Ok(vec![ListEvent::Completed]),
            (ListCommand::Complete, _) => Err(DepotError::CannotComplete),
        }
    }

    pub(crate) fn apply(&mut self, event: &ListEvent) {
        match event {
            ListEvent::Canceled => self.status = ListStatus::Canceled,
            ListEvent::Initiated => self.status = ListStatus::Available,
            ListEvent::Assigned { bot_id } => {
                self.assigned_bot_id = bot_id.clone();
                self.status = ListStatus::Assigned;
            }
            ListEvent::Completed => self.status = ListStatus::Completed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(store: &str, product: &str, quantity: i32) -> ListItem {
        ListItem {
            store_id: store.into(),
            store_name: format!("{store} name"),
            store_location: format!("{store} location"),
            product_id: product.into(),
            product_name: format!("{product} name"),
            quantity,
        }
    }

    fn list() -> ShoppingList {
        ShoppingList::create("l-1".into(), "o-1", vec![item("s1", "p1", 1)]).expect("valid")
    }

    fn run(list: &mut ShoppingList, command: ListCommand) -> Result<Vec<ListEvent>, DepotError> {
        let events = list.decide(&command)?;
        for event in &events {
            list.apply(event);
        }
        Ok(events)
    }

    #[test]
    fn stops_group_items_by_store_and_duplicates_add_up() {
        let list = ShoppingList::create(
            "l".into(),
            "o",
            vec![item("s1", "p1", 2), item("s2", "p2", 1), item("s1", "p1", 3), item("s1", "p3", 1)],
        )
        .expect("valid");
        assert_eq!(list.status, ListStatus::Pending);
        assert_eq!(list.stops.len(), 2);
        let s1 = &list.stops["s1"];
        assert_eq!((s1.store_name.as_str(), s1.store_location.as_str()), ("s1 name", "s1 location"));
        assert_eq!(s1.items["p1"], ShoppingListItem { product_name: "p1 name".into(), quantity: 5 });
        assert_eq!(s1.items["p3"].quantity, 1);
        assert_eq!(list.stops["s2"].items["p2"].quantity, 1);
        let json = serde_json::to_value(&list.stops).expect("json");
        assert_eq!(
            json["s2"],
            serde_json::json!({
                "StoreName": "s2 name", "StoreLocation": "s2 location",
                "Items": { "p2": { "ProductName": "p2 name", "Quantity": 1 } }
            })
        );
    }

    #[test]
    fn creation_is_validated() {
        assert!(matches!(ShoppingList::create("l".into(), " ", vec![]), Err(DepotError::BlankOrderId)));
        assert!(matches!(ShoppingList::create("l".into(), "o", vec![item("s", "p", 0)]), Err(DepotError::BadQuantity)));
    }

    #[test]
    fn the_happy_path_reaches_completed() {
        let mut l = list();
        assert_eq!(
            run(&mut l, ListCommand::Assign { bot_id: "b".into() }).expect_err("pending").to_string(),
            "the shopping list cannot be assigned"
        );
        assert_eq!(
            run(&mut l, ListCommand::Complete).expect_err("pending").to_string(),
            "the shopping list cannot be completed"
        );
        assert_eq!(run(&mut l, ListCommand::Initiate).expect("initiate"), vec![ListEvent::Initiated]);
        assert_eq!(l.status, ListStatus::Available);
        assert_eq!(run(&mut l, ListCommand::Initiate).expect("again"), vec![]);
        run(&mut l, ListCommand::Assign { bot_id: "bot-1".into() }).expect("assign");
        assert_eq!((l.status, l.assigned_bot_id.as_str()), (ListStatus::Assigned, "bot-1"));
        assert!(run(&mut l, ListCommand::Assign { bot_id: "bot-2".into() }).is_err(), "never assigned twice");
        assert_eq!(run(&mut l, ListCommand::Complete).expect("complete"), vec![ListEvent::Completed]);
        assert_eq!(
            run(&mut l, ListCommand::Cancel).expect_err("completed").to_string(),
            "the shopping list cannot be canceled"
        );
        assert_eq!(run(&mut l, ListCommand::Initiate).expect("already progressed"), vec![]);
    }

    #[test]
    fn cancel_rules() {
        for setup in [
            vec![],
            vec![ListCommand::Initiate],
            vec![ListCommand::Initiate, ListCommand::Assign { bot_id: "b".into() }],
        ] {
            let mut l = list();
            for command in setup {
                run(&mut l, command).expect("setup");
            }
            assert_eq!(run(&mut l, ListCommand::Cancel).expect("cancelable"), vec![ListEvent::Canceled]);
            assert!(matches!(run(&mut l, ListCommand::Cancel), Err(DepotError::CannotCancel)));
            assert!(matches!(run(&mut l, ListCommand::Initiate), Err(DepotError::CannotInitiate)));
            assert!(matches!(run(&mut l, ListCommand::Complete), Err(DepotError::CannotComplete)));
        }
    }
}

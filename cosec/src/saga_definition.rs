//! The `cosec.CreateOrder` saga: its data and its steps.

use std::time::Duration;

use contracts::{customerspb, depotpb, names, orderingpb, paymentspb};
use messaging::Message;
use prost::Message as _;
use saga::{Command, SagaDefinition, Step};
use serde::{Deserialize, Serialize};

/// What the saga knows about its order (stored as JSON with the original's field names).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct CreateOrderData {
    #[serde(rename = "OrderID")]
    pub order_id: String,
    #[serde(rename = "CustomerID")]
    pub customer_id: String,
    #[serde(rename = "PaymentID")]
    pub payment_id: String,
    #[serde(rename = "ShoppingID")]
    pub shopping_id: String,
    #[serde(rename = "Items")]
    pub items: Vec<Item>,
    /// The order total in cents (exact).
    #[serde(rename = "TotalCents")]
    pub total_cents: i64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Item {
    #[serde(rename = "ProductID")]
    pub product_id: String,
    #[serde(rename = "StoreID")]
    pub store_id: String,
    /// Unit price in cents.
    #[serde(rename = "PriceCents")]
    pub price_cents: i64,
    #[serde(rename = "Quantity")]
    pub quantity: i32,
}

/// Converts a wire price (a double) to exact cents.
fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

impl CreateOrderData {
    pub(crate) fn from_event(event: orderingpb::OrderCreated) -> Self {
        let items: Vec<Item> = event
            .items
            .into_iter()
            .map(|i| Item {
                product_id: i.product_id,
                store_id: i.store_id,
                price_cents: cents(i.price),
                quantity: i.quantity,
            })
            .collect();
        let total_cents = items.iter().map(|i| i.price_cents * i64::from(i.quantity)).sum();
        Self {
            order_id: event.id,
            customer_id: event.customer_id,
            payment_id: event.payment_id,
            shopping_id: event.shopping_id,
            items,
            total_cents,
        }
    }
}

fn reject_order(d: &CreateOrderData) -> Command {
    Command {
        subject: names::ORDERING_COMMANDS,
        name: names::ordering::REJECT_ORDER,
        payload: orderingpb::RejectOrder { id: d.order_id.clone() }.encode_to_vec(),
    }
}

fn authorize_customer(d: &CreateOrderData) -> Command {
    Command {
        subject: names::CUSTOMERS_COMMANDS,
        name: names::customers::AUTHORIZE_CUSTOMER,
        payload: customerspb::AuthorizeCustomer { id: d.customer_id.clone() }.encode_to_vec(),
    }
}

fn create_shopping_list(d: &CreateOrderData) -> Command {
    let items = d
        .items
        .iter()
        .map(|i| depotpb::create_shopping_list::Item {
            product_id: i.product_id.clone(),
            store_id: i.store_id.clone(),
            quantity: i.quantity,
        })
        .collect();
    Command {
        subject: names::DEPOT_COMMANDS,
        name: names::depot::CREATE_SHOPPING_LIST,
        payload: depotpb::CreateShoppingList { order_id: d.order_id.clone(), items }.encode_to_vec(),
    }
}

fn keep_shopping_list_id(d: &mut CreateOrderData, reply: &Message) {
    if reply.name == names::depot::CREATED_SHOPPING_LIST
        && let Ok(created) = reply.decode::<depotpb::CreatedShoppingList>()
        && !created.id.is_empty()
    {
        d.shopping_id = created.id;
    }
}

fn cancel_shopping_list(d: &CreateOrderData) -> Command {
    Command {
        subject: names::DEPOT_COMMANDS,
        name: names::depot::CANCEL_SHOPPING_LIST,
        payload: depotpb::CancelShoppingList { id: d.shopping_id.clone() }.encode_to_vec(),
    }
}

fn confirm_payment(d: &CreateOrderData) -> Command {
    Command {
        subject: names::PAYMENTS_COMMANDS,
        name: names::payments::CONFIRM_PAYMENT,
        payload: paymentspb::ConfirmPayment {
            id: d.payment_id.clone(),
            amount: d.total_cents as f64 / 100.0,
            order_id: d.order_id.clone(),
            customer_id: d.customer_id.clone(),
        }
        .encode_to_vec(),
    }
}

fn void_payment(d: &CreateOrderData) -> Command {
    Command {
        subject: names::PAYMENTS_COMMANDS,
        name: names::payments::VOID_PAYMENT,
        payload: paymentspb::VoidPayment { id: d.payment_id.clone() }.encode_to_vec(),
    }
}

fn initiate_shopping(d: &CreateOrderData) -> Command {
    Command {
        subject: names::DEPOT_COMMANDS,
        name: names::depot::INITIATE_SHOPPING,
        payload: depotpb::InitiateShopping { id: d.shopping_id.clone() }.encode_to_vec(),
    }
}

fn approve_order(d: &CreateOrderData) -> Command {
    Command {
        subject: names::ORDERING_COMMANDS,
        name: names::ordering::APPROVE_ORDER,
        payload: orderingpb::ApproveOrder { id: d.order_id.clone(), shopping_id: d.shopping_id.clone() }
            .encode_to_vec(),
    }
}

/// The saga's steps (see the crate documentation for the table).
pub(crate) fn create_order_saga() -> SagaDefinition<CreateOrderData> {
    SagaDefinition {
        name: names::COSEC_CREATE_ORDER_SAGA,
        reply_subject: names::COSEC_CREATE_ORDER_REPLIES,
        steps: vec![
            Step { name: "rejectOrder", action: None, compensation: Some(reject_order), on_action_reply: None },
            Step {
                name: "authorizeCustomer",
                action: Some(authorize_customer),
                compensation: None,
                on_action_reply: None,
            },
            Step {
                name: "createShoppingList",
                action: Some(create_shopping_list),
                compensation: Some(cancel_shopping_list),
                on_action_reply: Some(keep_shopping_list_id),
            },
            Step {
                name: "confirmPayment",
                action: Some(confirm_payment),
                compensation: Some(void_payment),
                on_action_reply: None,
            },
            Step {
                name: "initiateShopping",
                action: Some(initiate_shopping),
                compensation: None,
                on_action_reply: None,
            },
            Step { name: "approveOrder", action: Some(approve_order), compensation: None, on_action_reply: None },
        ],
        step_timeout: Duration::from_secs(30),
        max_attempts: 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_exact_cents() {
        let data = CreateOrderData::from_event(orderingpb::OrderCreated {
            id: "o".into(),
            customer_id: "c".into(),
            payment_id: "p".into(),
            shopping_id: String::new(),
            items: vec![orderingpb::order_created::Item {
                product_id: "x".into(),
                store_id: "s".into(),
                price: 1.10,
                quantity: 3,
            }],
        });
        assert_eq!(data.total_cents, 330);
        let cmd = confirm_payment(&data);
        let decoded = paymentspb::ConfirmPayment::decode(cmd.payload.as_slice()).unwrap();
        assert_eq!(decoded.amount, 3.30);
        assert_eq!(decoded.order_id, "o");
    }
}

//! The CreateOrder saga against participants played by the test (through the real stream, on every backend):
//! the forward path sends the five commands in order with the saga metadata; a failure at the last step compensates
//! backwards — the confirmed payment is voided, the shopping list cancelled, the order rejected; duplicate replies
//! change nothing.

use std::sync::Arc;

use contracts::{depotpb, names, orderingpb, paymentspb};
use messaging::Message;
use prost::Message as _;
use testkit::app::{TestApp, app_backends};

fn order_created(order: &str) -> Message {
    Message::new(
        names::ORDERING_ORDER_EVENTS,
        names::ordering::ORDER_CREATED,
        orderingpb::OrderCreated {
            id: order.to_owned(),
            customer_id: "customer-1".into(),
            payment_id: "payment-1".into(),
            shopping_id: String::new(),
            items: vec![orderingpb::order_created::Item {
                product_id: "product-1".into(),
                store_id: "store-1".into(),
                price: 1.10,
                quantity: 3,
            }],
        },
    )
}

/// The reply a participant sends to `command` (every `COMMAND_*` key echoed as `REPLY_*`).
fn reply(command: &Message, success: bool, named: Option<(&str, Vec<u8>)>) -> Message {
    let (name, payload) =
        named.unwrap_or((if success { names::SUCCESS_REPLY } else { names::FAILURE_REPLY }, Vec::new()));
    let mut reply = testkit::message(names::COSEC_CREATE_ORDER_REPLIES, name, &payload);
    for (key, value) in &command.metadata {
        if let Some(rest) = key.strip_prefix("COMMAND_") {
            reply.metadata.insert(format!("REPLY_{rest}"), value.clone());
        }
    }
    reply.metadata.insert(names::REPLY_OUTCOME.into(), if success { names::SUCCESS } else { names::FAILURE }.into());
    reply
}

/// Waits for the `n`-th (0-based) command of saga `order` on `subject`.
async fn nth_command(app: &TestApp, subject: &str, order: &str, n: usize) -> Message {
    let mut found = None;
    testkit::wait_until(&format!("command #{n} on {subject}"), async || {
        let commands: Vec<Message> = app
            .stream_messages(subject)
            .await
            .into_iter()
            .filter(|m| m.meta_str(names::COMMAND_SAGA_ID) == Some(order))
            .collect();
        found = commands.get(n).cloned();
        found.is_some()
    })
    .await;
    found.expect("command")
}

async fn saga(app: &TestApp, order: &str) -> serde_json::Value {
    app.get(&format!("/api/cosec/sagas/{order}")).await.1
}

#[tokio::test]
async fn a_failing_approval_voids_the_payment_cancels_the_list_and_rejects_the_order() {
    for backend in app_backends() {
        let app = TestApp::spawn(backend, vec![Arc::new(cosec::CosecModule)]).await;
        let order = ddd::new_id();
        app.publish(&order_created(&order)).await;

        let authorize = nth_command(&app, names::CUSTOMERS_COMMANDS, &order, 0).await;
        assert_eq!(authorize.name, names::customers::AUTHORIZE_CUSTOMER);
        assert_eq!(authorize.meta_str(names::COMMAND_SAGA_NAME), Some(names::COSEC_CREATE_ORDER_SAGA));
        assert_eq!(
            authorize.meta_str(names::COMMAND_REPLY_CHANNEL),
            Some(format!("{}.{}", app.stream_name, names::COSEC_CREATE_ORDER_REPLIES).as_str())
        );
        let ok = reply(&authorize, true, None);
        app.publish(&ok).await;
        app.publish_past_broker_dedup(&ok).await; // a duplicate reply changes nothing

        let create = nth_command(&app, names::DEPOT_COMMANDS, &order, 0).await;
        assert_eq!(create.name, names::depot::CREATE_SHOPPING_LIST);
        let created = depotpb::CreatedShoppingList { id: "list-1".into() }.encode_to_vec();
        app.publish(&reply(&create, true, Some((names::depot::CREATED_SHOPPING_LIST, created)))).await;

        let confirm = nth_command(&app, names::PAYMENTS_COMMANDS, &order, 0).await;
        let confirm_payload = paymentspb::ConfirmPayment::decode(confirm.payload.as_slice()).expect("ConfirmPayment");
        assert_eq!(confirm_payload.amount, 3.30, "exact total of 3 × 1.10");
        assert_eq!(confirm_payload.order_id, order);
        assert_eq!(confirm_payload.customer_id, "customer-1");
        app.publish(&reply(&confirm, true, None)).await;

        let initiate = nth_command(&app, names::DEPOT_COMMANDS, &order, 1).await;
        assert_eq!(initiate.name, names::depot::INITIATE_SHOPPING);
        assert_eq!(depotpb::InitiateShopping::decode(initiate.payload.as_slice()).expect("payload").id, "list-1");
        app.publish(&reply(&initiate, true, None)).await;

        let approve = nth_command(&app, names::ORDERING_COMMANDS, &order, 0).await;
        assert_eq!(approve.name, names::ordering::APPROVE_ORDER);
        let approve_payload = orderingpb::ApproveOrder::decode(approve.payload.as_slice()).expect("payload");
        assert_eq!(approve_payload.shopping_id, "list-1");
        app.publish(&reply(&approve, false, None)).await;

        // Backwards: void the confirmed payment, cancel the list, reject the order.
        let void = nth_command(&app, names::PAYMENTS_COMMANDS, &order, 1).await;
        assert_eq!(void.name, names::payments::VOID_PAYMENT, "{backend:?}");
        app.publish(&reply(&void, true, None)).await;
        let cancel = nth_command(&app, names::DEPOT_COMMANDS, &order, 2).await;
        assert_eq!(cancel.name, names::depot::CANCEL_SHOPPING_LIST);
        assert_eq!(depotpb::CancelShoppingList::decode(cancel.payload.as_slice()).expect("payload").id, "list-1");
        app.publish(&reply(&cancel, true, None)).await;
        let reject = nth_command(&app, names::ORDERING_COMMANDS, &order, 1).await;
        assert_eq!(reject.name, names::ordering::REJECT_ORDER);
        app.publish(&reply(&reject, true, None)).await;

        testkit::wait_until("the saga to be compensated", async || {
            saga(&app, &order).await["saga"]["status"] == "compensated"
        })
        .await;
        let view = saga(&app, &order).await;
        assert_eq!(view["saga"]["direction"], "backward");
        assert_eq!(view["saga"]["data"]["shoppingId"], "list-1");
        // Exactly one command per step: the duplicate reply sent nothing more.
        assert_eq!(app.stream_messages(names::CUSTOMERS_COMMANDS).await.len(), 1, "{backend:?}");
        let (status, body) = app.get("/api/cosec/sagas/unknown-order").await;
        assert_eq!(status, 404, "{body}");
        app.stop().await;
    }
}

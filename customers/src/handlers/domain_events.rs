//! Customer events → integration events (`customersapi.*` on `customers.events.Customer`), written to the outbox in
//! the transaction of the state change.

use contracts::customerspb;
use contracts::names::{self, customers as msg};
use database::Transaction;
use messaging::{Message, Outbox};

use crate::domain::{CustomerEvent, CustomerId, CustomersError};

/// The integration message of `event`, if it has one (an authorization is not published).
fn integration_message(id: &CustomerId, event: &CustomerEvent) -> Option<Message> {
    let subject = names::CUSTOMERS_CUSTOMER_EVENTS;
    let id = id.to_string();
    Some(match event {
        CustomerEvent::Registered { name, sms_number } => Message::new(
            subject,
            msg::CUSTOMER_REGISTERED,
            customerspb::CustomerRegistered { id, name: name.clone(), sms_number: sms_number.clone() },
        ),
        CustomerEvent::SmsChanged { sms_number } => Message::new(
            subject,
            msg::CUSTOMER_SMS_CHANGED,
            customerspb::CustomerSmsChanged { id, sms_number: sms_number.clone() },
        ),
        CustomerEvent::Enabled => Message::new(subject, msg::CUSTOMER_ENABLED, customerspb::CustomerEnabled { id }),
        CustomerEvent::Disabled => Message::new(subject, msg::CUSTOMER_DISABLED, customerspb::CustomerDisabled { id }),
        CustomerEvent::Authorized => return None,
    })
}

/// Writes the integration events of `events` to `outbox` within `tx`.
pub(crate) async fn publish_events(
    tx: &mut Transaction,
    outbox: &Outbox,
    id: &CustomerId,
    events: &[CustomerEvent],
) -> Result<(), CustomersError> {
    for message in events.iter().filter_map(|event| integration_message(id, event)) {
        outbox.add(tx, message).await.map_err(|e| crate::store::storage_db("writing to the outbox", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_the_original_names_and_payloads() {
        let id = CustomerId::new("c-1");
        let registered = CustomerEvent::Registered { name: "n".into(), sms_number: "s".into() };
        let message = integration_message(&id, &registered).expect("published");
        assert_eq!(
            (message.subject.as_str(), message.name.as_str()),
            ("customers.events.Customer", "customersapi.CustomerRegistered")
        );
        let payload: customerspb::CustomerRegistered = message.decode().expect("payload");
        assert_eq!(
            payload,
            customerspb::CustomerRegistered { id: "c-1".into(), name: "n".into(), sms_number: "s".into() }
        );

        let sms = integration_message(&id, &CustomerEvent::SmsChanged { sms_number: "9".into() }).expect("published");
        assert_eq!(sms.name, "customersapi.CustomerSmsChanged");
        assert_eq!(sms.decode::<customerspb::CustomerSmsChanged>().expect("payload").sms_number, "9");
        assert_eq!(
            integration_message(&id, &CustomerEvent::Enabled).expect("published").name,
            "customersapi.CustomerEnabled"
        );
        assert_eq!(
            integration_message(&id, &CustomerEvent::Disabled).expect("published").name,
            "customersapi.CustomerDisabled"
        );
        assert!(integration_message(&id, &CustomerEvent::Authorized).is_none());
    }
}

//! Invoice changes → integration events: a payment publishes `paymentsapi.InvoicePaid{id, order_id}` on
//! `payments.events.Invoice`, in the transaction of the change.

use contracts::names;
use contracts::paymentspb;
use database::Transaction;
use messaging::{Message, Outbox};

use crate::domain::{Invoice, InvoiceEvent, PaymentsError};
use crate::store::storage_db;

fn integration_message(invoice: &Invoice, event: &InvoiceEvent) -> Option<Message> {
    match event {
        InvoiceEvent::Paid => Some(Message::new(
            names::PAYMENTS_INVOICE_EVENTS,
            names::payments::INVOICE_PAID,
            paymentspb::InvoicePaid { id: invoice.id.clone(), order_id: invoice.order_id.clone() },
        )),
        InvoiceEvent::Adjusted { .. } | InvoiceEvent::Canceled => None,
    }
}

/// Writes the integration events of `events` to `outbox` within `tx`.
pub(crate) async fn publish_invoice_events(
    tx: &mut Transaction,
    outbox: &Outbox,
    invoice: &Invoice,
    events: &[InvoiceEvent],
) -> Result<(), PaymentsError> {
    for message in events.iter().filter_map(|event| integration_message(invoice, event)) {
        outbox.add(tx, message).await.map_err(|e| storage_db("writing to the outbox", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Cents, InvoiceStatus};

    #[test]
    fn only_a_payment_is_published_with_the_original_name() {
        let invoice = Invoice {
            id: "i-1".into(),
            order_id: "o-1".into(),
            payment_id: "p-1".into(),
            amount: Cents(1),
            status: InvoiceStatus::Paid,
        };
        let message = integration_message(&invoice, &InvoiceEvent::Paid).expect("published");
        assert_eq!(
            (message.subject.as_str(), message.name.as_str()),
            ("payments.events.Invoice", "paymentsapi.InvoicePaid")
        );
        let payload: paymentspb::InvoicePaid = message.decode().expect("payload");
        assert_eq!(payload, paymentspb::InvoicePaid { id: "i-1".into(), order_id: "o-1".into() });
        assert!(integration_message(&invoice, &InvoiceEvent::Canceled).is_none());
    }
}

//! An invoice: what a readied order costs (its id is the order id when the flow creates it). It is paid once
//! (publishing `paymentsapi.InvoicePaid`) or canceled while pending.

use super::{Cents, PaymentsError};

/// Where an invoice is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InvoiceStatus {
    Pending,
    Paid,
    Canceled,
}

impl InvoiceStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Pending => "pending",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Canceled => "canceled",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(InvoiceStatus::Pending),
            "paid" => Some(InvoiceStatus::Paid),
            "canceled" => Some(InvoiceStatus::Canceled),
            _ => None,
        }
    }
}

/// An invoice for an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invoice {
    pub(crate) id: String,
    pub(crate) order_id: String,
    pub(crate) payment_id: String,
    pub(crate) amount: Cents,
    pub(crate) status: InvoiceStatus,
}

/// What can be asked of an existing invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InvoiceCommand {
    Adjust { amount: Cents },
    Pay,
    Cancel,
}

/// What changed (`Paid` becomes `paymentsapi.InvoicePaid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InvoiceEvent {
    Adjusted { amount: Cents },
    Paid,
    Canceled,
}

impl Invoice {
    /// Decides a new (pending) invoice.
    pub(crate) fn create(
        id: String,
        order_id: &str,
        payment_id: &str,
        amount: Cents,
    ) -> Result<Invoice, PaymentsError> {
        if order_id.trim().is_empty() {
            return Err(PaymentsError::BlankOrderId);
        }
        if amount.0 < 0 {
            return Err(PaymentsError::NegativeInvoiceAmount);
        }
        Ok(Invoice {
            id,
            order_id: order_id.to_owned(),
            payment_id: payment_id.to_owned(),
            amount,
            status: InvoiceStatus::Pending,
        })
    }

    /// Decides `command`; an empty list means "already so".
    pub(crate) fn decide(&self, command: &InvoiceCommand) -> Result<Vec<InvoiceEvent>, PaymentsError> {
        match command {
            // The original adjusts without looking at the status; so do we.
            InvoiceCommand::Adjust { amount } if amount.0 < 0 => Err(PaymentsError::NegativeInvoiceAmount),
            InvoiceCommand::Adjust { amount } if *amount == self.amount => Ok(vec![]),
            InvoiceCommand::Adjust { amount } => Ok(vec![InvoiceEvent::Adjusted { amount: *amount }]),
            InvoiceCommand::Pay if self.status == InvoiceStatus::Pending => Ok(vec![InvoiceEvent::Paid]),
            InvoiceCommand::Pay => Err(PaymentsError::CannotPay),
            InvoiceCommand::Cancel => match self.status {
                InvoiceStatus::Pending => Ok(vec![InvoiceEvent::Canceled]),
                InvoiceStatus::Canceled => Ok(vec![]),
                InvoiceStatus::Paid => Err(PaymentsError::CannotCancel),
            },
        }
    }

    pub(crate) fn apply(&mut self, event: &InvoiceEvent) {
        match event {
            InvoiceEvent::Adjusted { amount } => self.amount = *amount,
            InvoiceEvent::Paid => self.status = InvoiceStatus::Paid,
            InvoiceEvent::Canceled => self.status = InvoiceStatus::Canceled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice() -> Invoice {
        Invoice::create("o-1".into(), "o-1", "p-1", Cents(330)).expect("valid")
    }

    fn run(invoice: &mut Invoice, command: InvoiceCommand) -> Result<Vec<InvoiceEvent>, PaymentsError> {
        let events = invoice.decide(&command)?;
        for event in &events {
            invoice.apply(event);
        }
        Ok(events)
    }

    #[test]
    fn an_invoice_is_paid_once() {
        let mut inv = invoice();
        assert_eq!(run(&mut inv, InvoiceCommand::Pay).expect("pay"), vec![InvoiceEvent::Paid]);
        assert_eq!(run(&mut inv, InvoiceCommand::Pay).expect_err("twice").to_string(), "invoice cannot be paid for");
        assert_eq!(run(&mut inv, InvoiceCommand::Cancel).expect_err("paid").to_string(), "invoice cannot be canceled");
    }

    #[test]
    fn a_canceled_invoice_cannot_be_paid_and_cancels_idempotently() {
        let mut inv = invoice();
        assert_eq!(run(&mut inv, InvoiceCommand::Cancel).expect("cancel"), vec![InvoiceEvent::Canceled]);
        assert_eq!(run(&mut inv, InvoiceCommand::Cancel).expect("again"), vec![]);
        assert!(matches!(run(&mut inv, InvoiceCommand::Pay), Err(PaymentsError::CannotPay)));
        assert_eq!(InvoiceStatus::parse(inv.status.as_str()), Some(InvoiceStatus::Canceled));
    }

    #[test]
    fn amounts_are_checked() {
        assert!(matches!(Invoice::create("i".into(), "o", "p", Cents(-1)), Err(PaymentsError::NegativeInvoiceAmount)));
        assert!(matches!(Invoice::create("i".into(), " ", "p", Cents(1)), Err(PaymentsError::BlankOrderId)));
        let mut inv = invoice();
        assert_eq!(run(&mut inv, InvoiceCommand::Adjust { amount: Cents(400) }).expect("adjust").len(), 1);
        assert_eq!(inv.amount, Cents(400));
        assert!(run(&mut inv, InvoiceCommand::Adjust { amount: Cents(-1) }).is_err());
    }
}

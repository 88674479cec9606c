//! A payment: an amount a customer pre-authorized. The create-order saga confirms it for one order (same
//! customer, enough money, not used by another order) and voids it when a later step fails or the order is
//! canceled. Commands decide (validate, return what changes); `apply` evolves the state.

use super::{Cents, PaymentsError};

/// Where a payment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PaymentStatus {
    Authorized,
    Confirmed,
    Voided,
}

impl PaymentStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Confirmed => "confirmed",
            PaymentStatus::Voided => "voided",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "authorized" => Some(PaymentStatus::Authorized),
            "confirmed" => Some(PaymentStatus::Confirmed),
            "voided" => Some(PaymentStatus::Voided),
            _ => None,
        }
    }
}

/// A pre-authorized payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) customer_id: String,
    pub(crate) amount: Cents,
    /// The order it was confirmed for (at most one, ever).
    pub(crate) order_id: Option<String>,
    pub(crate) status: PaymentStatus,
}

/// What can be asked of an existing payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PaymentCommand {
    /// The saga's `paymentsapi.ConfirmPayment`: binds the payment to `order_id`.
    ConfirmForOrder { order_id: String, customer_id: String, total: Cents },
    /// The gRPC `ConfirmPayment{id}` of the original, which names no order: the payment must be usable.
    Confirm,
    /// `paymentsapi.VoidPayment` (or the order was canceled).
    Void,
}

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PaymentEvent {
    Confirmed { order_id: Option<String> },
    Voided,
}

impl Payment {
    /// Decides a new authorization.
    pub(crate) fn authorize(id: String, customer_id: &str, amount: Cents) -> Result<Payment, PaymentsError> {
        if customer_id.trim().is_empty() {
            return Err(PaymentsError::BlankCustomerId);
        }
        if amount.0 <= 0 {
            return Err(PaymentsError::NonPositiveAmount);
        }
        Ok(Payment {
            id,
            customer_id: customer_id.to_owned(),
            amount,
            order_id: None,
            status: PaymentStatus::Authorized,
        })
    }

    /// Decides `command`; an empty list means "already so" (idempotent repeats change nothing).
    pub(crate) fn decide(&self, command: &PaymentCommand) -> Result<Vec<PaymentEvent>, PaymentsError> {
        match command {
            PaymentCommand::ConfirmForOrder { order_id, customer_id, total } => {
                if order_id.trim().is_empty() {
                    return Err(PaymentsError::BlankOrderId);
                }
                if self.status == PaymentStatus::Voided {
                    return Err(PaymentsError::CannotConfirm);
                }
                if self.customer_id != *customer_id {
                    return Err(PaymentsError::WrongCustomer);
                }
                match &self.order_id {
                    Some(other) if other != order_id => return Err(PaymentsError::UsedByAnotherOrder),
                    _ => {}
                }
                if self.amount < *total {
                    return Err(PaymentsError::InsufficientAmount);
                }
                if self.status == PaymentStatus::Confirmed && self.order_id.as_deref() == Some(order_id.as_str()) {
                    return Ok(vec![]);
                }
                Ok(vec![PaymentEvent::Confirmed { order_id: Some(order_id.clone()) }])
            }
            PaymentCommand::Confirm => match self.status {
                PaymentStatus::Voided => Err(PaymentsError::CannotConfirm),
                PaymentStatus::Confirmed => Ok(vec![]),
                PaymentStatus::Authorized => Ok(vec![PaymentEvent::Confirmed { order_id: None }]),
            },
            PaymentCommand::Void => match self.status {
                PaymentStatus::Voided => Ok(vec![]),
                _ => Ok(vec![PaymentEvent::Voided]),
            },
        }
    }

    pub(crate) fn apply(&mut self, event: &PaymentEvent) {
        match event {
            PaymentEvent::Confirmed { order_id } => {
                self.status = PaymentStatus::Confirmed;
                if order_id.is_some() {
                    self.order_id = order_id.clone();
                }
            }
            PaymentEvent::Voided => self.status = PaymentStatus::Voided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(amount: i64) -> Payment {
        Payment::authorize("p-1".into(), "c-1", Cents(amount)).expect("valid")
    }

    fn confirm(order: &str, customer: &str, total: i64) -> PaymentCommand {
        PaymentCommand::ConfirmForOrder { order_id: order.into(), customer_id: customer.into(), total: Cents(total) }
    }

    fn run(payment: &mut Payment, command: PaymentCommand) -> Result<Vec<PaymentEvent>, PaymentsError> {
        let events = payment.decide(&command)?;
        for event in &events {
            payment.apply(event);
        }
        Ok(events)
    }

    #[test]
    fn authorization_needs_a_customer_and_a_positive_amount() {
        let err = |customer: &str, amount: i64| {
            Payment::authorize("p".into(), customer, Cents(amount)).expect_err("invalid").to_string()
        };
        assert_eq!(err(" ", 100), "the customer id cannot be blank");
        assert_eq!(err("c", 0), "the payment amount must be positive");
        assert_eq!(err("c", -5), "the payment amount must be positive");
        assert_eq!(payment(1).status, PaymentStatus::Authorized);
    }

    #[test]
    fn an_exact_amount_confirms_once_per_order() {
        let mut p = payment(330);
        assert_eq!(
            run(&mut p, confirm("o-1", "c-1", 330)).expect("exact cents"),
            vec![PaymentEvent::Confirmed { order_id: Some("o-1".into()) }]
        );
        assert_eq!((p.status, p.order_id.as_deref()), (PaymentStatus::Confirmed, Some("o-1")));
        assert_eq!(run(&mut p, confirm("o-1", "c-1", 330)).expect("same order again"), vec![]);
        assert!(matches!(run(&mut p, confirm("o-2", "c-1", 100)), Err(PaymentsError::UsedByAnotherOrder)));
    }

    #[test]
    fn confirmation_refusals() {
        let p = payment(330);
        assert!(matches!(p.decide(&confirm("o", "c-2", 100)), Err(PaymentsError::WrongCustomer)));
        assert!(matches!(p.decide(&confirm("o", "c-1", 331)), Err(PaymentsError::InsufficientAmount)));
        assert!(matches!(p.decide(&confirm("", "c-1", 1)), Err(PaymentsError::BlankOrderId)));
        let mut voided = payment(330);
        run(&mut voided, PaymentCommand::Void).expect("void");
        assert!(matches!(voided.decide(&confirm("o", "c-1", 1)), Err(PaymentsError::CannotConfirm)));
        assert!(matches!(voided.decide(&PaymentCommand::Confirm), Err(PaymentsError::CannotConfirm)));
    }

    #[test]
    fn voiding_is_idempotent_and_keeps_the_order() {
        let mut p = payment(500);
        run(&mut p, confirm("o-1", "c-1", 500)).expect("confirm");
        assert_eq!(run(&mut p, PaymentCommand::Void).expect("void"), vec![PaymentEvent::Voided]);
        assert_eq!(run(&mut p, PaymentCommand::Void).expect("again"), vec![]);
        assert_eq!((p.status, p.order_id.as_deref()), (PaymentStatus::Voided, Some("o-1")));
    }

    #[test]
    fn a_plain_confirmation_binds_no_order() {
        let mut p = payment(500);
        run(&mut p, PaymentCommand::Confirm).expect("confirm");
        assert_eq!((p.status, p.order_id.as_deref()), (PaymentStatus::Confirmed, None));
        run(&mut p, confirm("o-9", "c-1", 500)).expect("an order may still claim it");
        assert_eq!(p.order_id.as_deref(), Some("o-9"));
    }
}

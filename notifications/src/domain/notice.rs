//! Order notices and their SMS: which order events a customer hears about (`NoticeKind`), and the text composed
//! for each. The wording is ours (the original never sent anything); amounts are exact cents.

use super::NotificationsError;

/// Why a customer is texted: one kind per order event (the `kind` of a stored notification).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoticeKind {
    /// `ordersapi.OrderCreated`
    Created,
    /// `ordersapi.OrderApproved`
    Approved,
    /// `ordersapi.OrderRejected`
    Rejected,
    /// `ordersapi.OrderReadied`
    Ready,
    /// `ordersapi.OrderCanceled`
    Canceled,
    /// `ordersapi.OrderCompleted`
    Completed,
}

impl NoticeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Created => "created",
            NoticeKind::Approved => "approved",
            NoticeKind::Rejected => "rejected",
            NoticeKind::Ready => "ready",
            NoticeKind::Canceled => "canceled",
            NoticeKind::Completed => "completed",
        }
    }
}

/// Something that happened to a customer's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderNotice {
    pub(crate) kind: NoticeKind,
    pub(crate) order_id: String,
    pub(crate) customer_id: String,
    /// The amount due, when the event carries it (`OrderReadied`).
    pub(crate) total_cents: Option<i64>,
}

impl OrderNotice {
    /// A notice asked for directly (gRPC), with the original's two fields checked.
    pub(crate) fn requested(kind: NoticeKind, order_id: &str, customer_id: &str) -> Result<Self, NotificationsError> {
        if order_id.trim().is_empty() {
            return Err(NotificationsError::BlankOrderId);
        }
        if customer_id.trim().is_empty() {
            return Err(NotificationsError::BlankCustomerId);
        }
        Ok(OrderNotice { kind, order_id: order_id.to_owned(), customer_id: customer_id.to_owned(), total_cents: None })
    }

    /// The SMS text for this notice, addressed to `name`.
    pub(crate) fn text(&self, name: &str) -> String {
        let greeting = if name.trim().is_empty() { "Hi".to_owned() } else { format!("Hi {}", name.trim()) };
        let order = &self.order_id;
        match self.kind {
            NoticeKind::Created => format!("{greeting}, we have received your order {order}."),
            NoticeKind::Approved => format!("{greeting}, your order {order} has been approved and is being picked."),
            NoticeKind::Rejected => format!("{greeting}, sorry, your order {order} could not be accepted."),
            NoticeKind::Ready => match self.total_cents {
                Some(cents) => {
                    format!("{greeting}, your order {order} is ready for pickup. Amount due: {}.", dollars(cents))
                }
                None => format!("{greeting}, your order {order} is ready for pickup."),
            },
            NoticeKind::Canceled => format!("{greeting}, your order {order} has been canceled."),
            NoticeKind::Completed => {
                format!("{greeting}, your order {order} is complete. Thank you for shopping at MallBots!")
            }
        }
    }
}

/// `1234` → `$12.34` (exact: the cents are never a float).
fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", cents / 100, cents % 100)
}

/// Whom an SMS goes to (from the customers cache, or the customers module itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub(crate) customer_id: String,
    pub(crate) name: String,
    pub(crate) sms_number: String,
}

/// One SMS, as sent and as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sms {
    pub(crate) id: String,
    pub(crate) customer_id: String,
    pub(crate) order_id: String,
    pub(crate) kind: String,
    /// The number it went to.
    pub(crate) to: String,
    pub(crate) text: String,
    /// µs since the epoch.
    pub(crate) sent_at: i64,
}

impl Sms {
    /// The SMS of `notice` for `recipient`, identified by `id`.
    pub(crate) fn compose(id: String, notice: &OrderNotice, recipient: &Recipient, sent_at: i64) -> Sms {
        Sms {
            id,
            customer_id: notice.customer_id.clone(),
            order_id: notice.order_id.clone(),
            kind: notice.kind.as_str().to_owned(),
            to: recipient.sms_number.clone(),
            text: notice.text(&recipient.name),
            sent_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, total_cents: Option<i64>) -> OrderNotice {
        OrderNotice { kind, order_id: "o-1".into(), customer_id: "c-1".into(), total_cents }
    }

    #[test]
    fn every_kind_has_its_text() {
        let cases = [
            (NoticeKind::Created, "Hi Ann, we have received your order o-1."),
            (NoticeKind::Approved, "Hi Ann, your order o-1 has been approved and is being picked."),
            (NoticeKind::Rejected, "Hi Ann, sorry, your order o-1 could not be accepted."),
            (NoticeKind::Ready, "Hi Ann, your order o-1 is ready for pickup."),
            (NoticeKind::Canceled, "Hi Ann, your order o-1 has been canceled."),
            (NoticeKind::Completed, "Hi Ann, your order o-1 is complete. Thank you for shopping at MallBots!"),
        ];
        for (kind, text) in cases {
            assert_eq!(notice(kind, None).text("Ann"), text);
        }
        assert_eq!(
            notice(NoticeKind::Ready, Some(330)).text("Ann"),
            "Hi Ann, your order o-1 is ready for pickup. Amount due: $3.30."
        );
        assert_eq!(notice(NoticeKind::Created, None).text("  "), "Hi, we have received your order o-1.");
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(dollars(0), "$0.00");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(dollars(123_456), "$1234.56");
        assert_eq!(dollars(-250), "-$2.50");
    }

    #[test]
    fn requested_notices_need_both_ids() {
        assert!(matches!(OrderNotice::requested(NoticeKind::Created, " ", "c"), Err(NotificationsError::BlankOrderId)));
        assert!(matches!(
            OrderNotice::requested(NoticeKind::Created, "o", ""),
            Err(NotificationsError::BlankCustomerId)
        ));
        let ok = OrderNotice::requested(NoticeKind::Canceled, "o", "c").expect("valid");
        assert_eq!((ok.kind, ok.total_cents), (NoticeKind::Canceled, None));
    }

    #[test]
    fn an_sms_carries_the_recipient_and_the_kind() {
        let recipient = Recipient { customer_id: "c-1".into(), name: "Ann".into(), sms_number: "555".into() };
        let sms = Sms::compose("n-1".into(), &notice(NoticeKind::Approved, None), &recipient, 7);
        assert_eq!((sms.to.as_str(), sms.kind.as_str(), sms.sent_at), ("555", "approved", 7));
        assert_eq!(sms.order_id, "o-1");
    }
}

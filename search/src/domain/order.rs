//! The searchable view of an order: who ordered what from which stores, the exact total, and where the order is in
//! its lifecycle.

/// The statuses the read model shows (the original's texts for New / Ready For Pickup / Canceled / Completed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrderStatus {
    /// `ordersapi.OrderCreated`
    New,
    /// `ordersapi.OrderApproved`
    Approved,
    /// `ordersapi.OrderRejected`
    Rejected,
    /// `ordersapi.OrderReadied`
    ReadyForPickup,
    /// `ordersapi.OrderCanceled`
    Canceled,
    /// `ordersapi.OrderCompleted`
    Completed,
}

impl OrderStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "New",
            OrderStatus::Approved => "Approved",
            OrderStatus::Rejected => "Rejected",
            OrderStatus::ReadyForPickup => "Ready For Pickup",
            OrderStatus::Canceled => "Canceled",
            OrderStatus::Completed => "Completed",
        }
    }

    /// How far along the lifecycle the status is. An order only moves to a higher rank (pending → approved →
    /// ready → completed; rejected and canceled end it), so applying the highest rank seen is right whatever order
    /// the events arrive in, and a repeated or late event never moves an order back.
    pub(crate) fn rank(self) -> i64 {
        match self {
            OrderStatus::New => 0,
            OrderStatus::Approved => 1,
            OrderStatus::ReadyForPickup => 2,
            OrderStatus::Rejected | OrderStatus::Canceled | OrderStatus::Completed => 3,
        }
    }
}

/// One line of an order, with the names known when it was projected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OrderLine {
    pub(crate) product_id: String,
    pub(crate) store_id: String,
    pub(crate) product_name: String,
    pub(crate) store_name: String,
    pub(crate) price_cents: i64,
    pub(crate) quantity: i64,
}

/// An order as search shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SearchOrder {
    pub(crate) order_id: String,
    pub(crate) customer_id: String,
    pub(crate) customer_name: String,
    pub(crate) items: Vec<OrderLine>,
    pub(crate) total_cents: i64,
    pub(crate) status: String,
    /// When the order was created (µs since the epoch).
    pub(crate) created_at: i64,
}

/// Σ price × quantity, exact.
pub(crate) fn total_cents(items: &[OrderLine]) -> i64 {
    items.iter().fold(0i64, |sum, line| sum.saturating_add(line.price_cents.saturating_mul(line.quantity)))
}

/// A wire amount in dollars as cents, rounded to the nearest cent (NaN and infinities count as 0).
pub(crate) fn cents(dollars: f64) -> i64 {
    let cents = (dollars * 100.0).round();
    if cents.is_finite() { cents as i64 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(price_cents: i64, quantity: i64) -> OrderLine {
        OrderLine {
            product_id: "p".into(),
            store_id: "s".into(),
            product_name: String::new(),
            store_name: String::new(),
            price_cents,
            quantity,
        }
    }

    #[test]
    fn totals_are_exact_cents() {
        assert_eq!(cents(1.10), 110);
        assert_eq!(cents(0.125), 13);
        assert_eq!(cents(f64::NAN), 0);
        // 3 × 1.10 is 3.30 exactly, not 3.3000000000000003
        assert_eq!(total_cents(&[line(cents(1.10), 3)]), 330);
        assert_eq!(total_cents(&[line(999, 2), line(1, 1)]), 1999);
        assert_eq!(total_cents(&[]), 0);
    }

    #[test]
    fn statuses_only_move_forward() {
        use OrderStatus::*;
        assert!(New.rank() < Approved.rank());
        assert!(Approved.rank() < ReadyForPickup.rank());
        assert!(ReadyForPickup.rank() < Completed.rank());
        for end in [Rejected, Canceled, Completed] {
            assert!(Approved.rank() < end.rank(), "{end:?} ends an approved order");
        }
        assert_eq!(ReadyForPickup.as_str(), "Ready For Pickup");
    }
}

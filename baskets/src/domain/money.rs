//! Exact money and item quantities. The wire (protobuf `double`) carries dollars; the conversion happens only at the
//! edge, rounding to the nearest cent.

use serde::{Deserialize, Serialize};

/// Largest accepted amount: every cent value stays exactly representable as an `f64` on the way out.
const MAX_CENTS: i64 = 1 << 53;

/// An amount of money in cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cents(pub(crate) i64);

impl Cents {
    /// Converts a wire amount in dollars, rounding to the nearest cent; NaN and infinities become 0 (a price read
    /// from a trusted source such as the stores service or our own stored events).
    pub(crate) fn from_dollars(dollars: f64) -> Cents {
        let cents = (dollars * 100.0).round();
        if cents.is_finite() { Cents(cents.clamp(-(MAX_CENTS as f64), MAX_CENTS as f64) as i64) } else { Cents(0) }
    }

    /// The amount in dollars for the wire.
    pub(crate) fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// How many of one product a basket holds (never below 1 while the item is in the basket).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Quantity(i32);

impl Quantity {
    pub(crate) fn new(count: i32) -> Self {
        Quantity(count)
    }

    pub(crate) fn get(self) -> i32 {
        self.0
    }

    /// `self + more`, capped at the wire's `int32` range.
    pub(crate) fn plus(self, more: Quantity) -> Quantity {
        Quantity(self.0.saturating_add(more.0))
    }

    /// `self - less`, floored at the wire's `int32` range.
    pub(crate) fn minus(self, less: Quantity) -> Quantity {
        Quantity(self.0.saturating_sub(less.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_round_to_the_nearest_cent_and_back() {
        assert_eq!(Cents::from_dollars(9.99), Cents(999));
        assert_eq!(Cents::from_dollars(1.10), Cents(110));
        assert_eq!(Cents::from_dollars(f64::NAN), Cents(0));
        assert_eq!(Cents(999).dollars(), 9.99);
    }

    #[test]
    fn quantities_saturate_instead_of_overflowing() {
        assert_eq!(Quantity::new(i32::MAX).plus(Quantity::new(1)), Quantity::new(i32::MAX));
        assert_eq!(Quantity::new(3).minus(Quantity::new(5)), Quantity::new(-2));
    }
}

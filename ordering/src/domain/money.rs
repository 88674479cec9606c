//! Exact money and item quantities. The wire (protobuf `double`) carries dollars; the conversion happens only at the
//! edge, rounding to the nearest cent.

use serde::{Deserialize, Serialize};

use super::OrderingError;

/// Largest accepted amount: every cent value stays exactly representable as an `f64` on the way out.
const MAX_CENTS: i64 = 1 << 53;

/// An amount of money in cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cents(pub(crate) i64);

impl Cents {
    /// Converts a wire amount in dollars, rounding to the nearest cent; NaN, infinities and absurd sizes are refused.
    pub(crate) fn from_dollars(dollars: f64) -> Result<Cents, OrderingError> {
        let cents = (dollars * 100.0).round();
        if !cents.is_finite() || cents.abs() > MAX_CENTS as f64 {
            return Err(OrderingError::PriceOutOfRange);
        }
        Ok(Cents(cents as i64))
    }

    /// The amount in dollars for the wire.
    pub(crate) fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// How many of one product an order line holds.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_round_to_the_nearest_cent_and_back() {
        assert_eq!(Cents::from_dollars(9.99).expect("cents"), Cents(999));
        assert_eq!(Cents::from_dollars(1.10).expect("cents"), Cents(110));
        assert_eq!(Cents(330).dollars(), 3.3);
        assert!(matches!(Cents::from_dollars(f64::NAN), Err(OrderingError::PriceOutOfRange)));
        assert!(matches!(Cents::from_dollars(1e300), Err(OrderingError::PriceOutOfRange)));
    }
}

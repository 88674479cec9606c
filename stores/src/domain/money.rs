//! Money as exact integer cents. The wire (protobuf `double`) carries dollars; the conversion happens only at the
//! edge, rounding to the nearest cent.

use super::StoresError;

/// Largest accepted amount: every cent value stays exactly representable as an `f64` on the way out.
const MAX_CENTS: i64 = 1 << 53;

/// An amount of money in cents (may be negative for price deltas).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cents(pub(crate) i64);

impl Cents {
    /// Converts a wire amount in dollars, rounding to the nearest cent; NaN, infinities and absurd sizes are refused.
    /// Negative amounts round down, so that even a fraction of a cent below zero stays negative (and is refused
    /// as a price, as the original refused any `price < 0`).
    pub(crate) fn from_dollars(dollars: f64) -> Result<Cents, StoresError> {
        let scaled = dollars * 100.0;
        let cents = if dollars < 0.0 { scaled.floor() } else { scaled.round() };
        if !cents.is_finite() || cents.abs() > MAX_CENTS as f64 {
            return Err(if dollars < 0.0 { StoresError::NegativePrice } else { StoresError::PriceOutOfRange });
        }
        Ok(Cents(cents as i64))
    }

    /// The amount in dollars for the wire.
    pub(crate) fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub(crate) fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0.saturating_sub(rhs.0))
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0.saturating_add(rhs.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dollars_round_to_the_nearest_cent_and_back() {
        assert_eq!(Cents::from_dollars(9.99).unwrap(), Cents(999));
        assert_eq!(Cents::from_dollars(1.10).unwrap(), Cents(110));
        assert_eq!(Cents::from_dollars(0.125).unwrap(), Cents(13));
        assert_eq!(Cents::from_dollars(-2.5).unwrap(), Cents(-250));
        assert!(Cents::from_dollars(-0.001).unwrap().is_negative());
        assert_eq!(Cents::from_dollars(-0.0).unwrap(), Cents(0));
        assert_eq!(Cents(999).dollars(), 9.99);
        assert_eq!((Cents(330) - Cents(110)).dollars(), 2.2);
    }

    #[test]
    fn non_numbers_are_refused() {
        assert!(matches!(Cents::from_dollars(f64::NAN), Err(StoresError::PriceOutOfRange)));
        assert!(matches!(Cents::from_dollars(f64::INFINITY), Err(StoresError::PriceOutOfRange)));
        assert!(matches!(Cents::from_dollars(f64::NEG_INFINITY), Err(StoresError::NegativePrice)));
        assert!(matches!(Cents::from_dollars(1e300), Err(StoresError::PriceOutOfRange)));
    }
}

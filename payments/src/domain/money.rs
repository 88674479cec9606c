//! Money as exact integer cents. The wire (protobuf `double`) carries dollars; the conversion happens only at the
//! edge, rounding to the nearest cent, so a payment of 3.30 covers 3 × 1.10 exactly.

/// Largest accepted amount: every cent value stays exactly representable as an `f64` on the way out.
const MAX_CENTS: i64 = 1 << 53;

/// An amount of money in cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cents(pub(crate) i64);

impl Cents {
    /// Converts a wire amount in dollars, rounding to the nearest cent; `None` for NaN, infinities and absurd sizes.
    pub(crate) fn from_dollars(dollars: f64) -> Option<Cents> {
        let cents = (dollars * 100.0).round();
        (cents.is_finite() && cents.abs() <= MAX_CENTS as f64).then_some(Cents(cents as i64))
    }

    /// The amount in dollars for the wire.
    pub(crate) fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_round_to_the_nearest_cent_and_back() {
        assert_eq!(Cents::from_dollars(3.30), Some(Cents(330)));
        assert_eq!(Cents::from_dollars(1.10 * 3.0), Some(Cents(330)), "3 × 1.10 is 3.3000000000000003 as a double");
        assert_eq!(Cents::from_dollars(0.125), Some(Cents(13)));
        assert_eq!(Cents::from_dollars(-2.5), Some(Cents(-250)));
        assert_eq!(Cents(999).dollars(), 9.99);
        assert_eq!(Cents::from_dollars(f64::NAN), None);
        assert_eq!(Cents::from_dollars(f64::INFINITY), None);
        assert_eq!(Cents::from_dollars(1e300), None);
    }
}

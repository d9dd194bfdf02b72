//! A percentage as the firm types it (a rate of employer charges, a
//! platform fee, a target activity rate, a business manager's share),
//! held in basis points: hundredths of a percent.
//!
//! Basis points rather than per mille: payroll rates are quoted with two
//! decimals (42,35 %), which per mille would round away, and an integer
//! keeps every product with an amount exact up to its one rounding to the
//! cent (5,5 % has no exact binary fraction). Each use sets its own bounds
//! (a share is at most 100 %, a charges rate too); this type only refuses
//! what is no percentage at all.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::locale::Locale;
use crate::money::{Money, MoneyError, Rounding};
use crate::terms::{parse_percent, percent_to_basis_points};
use crate::validation::ErrorKey;

/// A percentage in basis points (4500 = 45 %).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Percentage(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error("not a percentage")]
    Invalid,
    #[error("a percentage cannot be negative")]
    Negative,
    #[error("a percentage has at most two decimals")]
    TooManyDecimals,
}

impl ErrorKey for PercentError {
    fn key(&self) -> &'static str {
        match self {
            PercentError::Invalid => "percent-invalid",
            PercentError::Negative => "percent-negative",
            PercentError::TooManyDecimals => "percent-too-many-decimals",
        }
    }
}

impl Percentage {
    pub const ZERO: Percentage = Percentage(0);
    pub const HUNDRED: Percentage = Percentage(10_000);

    pub const fn from_basis_points(bp: u32) -> Percentage {
        Percentage(bp)
    }

    /// # Panics
    /// Above `u32::MAX` basis points.
    pub const fn from_percent(percent: u32) -> Percentage {
        match percent.checked_mul(100) {
            Some(bp) => Percentage(bp),
            None => panic!("Percentage::from_percent overflow"),
        }
    }

    /// "45", "45 %", "42,35", "5.5 %". A sign is refused by name, since
    /// a negative rate is a mistake worth telling apart from a typo.
    pub fn parse(input: &str) -> Result<Percentage, PercentError> {
        let t = input.trim();
        if t.starts_with(['-', '\u{2212}']) {
            return Err(PercentError::Negative);
        }
        let percent = parse_percent(t).ok_or(PercentError::Invalid)?;
        percent_to_basis_points(percent)
            .map(Percentage)
            .ok_or_else(|| match percent.checked_mul(Decimal::ONE_HUNDRED) {
                Some(bp) if !bp.fract().is_zero() => PercentError::TooManyDecimals,
                _ => PercentError::Invalid,
            })
    }

    pub const fn basis_points(self) -> u32 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// 45, 42.35 (no trailing zeros).
    pub fn percent(self) -> Decimal {
        Decimal::new(i64::from(self.0), 2).normalize()
    }

    /// `amount` × this rate, rounded half up to the cent once.
    pub fn of(self, amount: Money) -> Result<Money, MoneyError> {
        Money::from_ratio(
            i128::from(amount.cents()) * i128::from(self.0),
            10_000,
            Rounding::HalfUp,
        )
    }

    /// "42,35 %" in French (narrow no-break space), "42.35%" in English.
    pub fn format(self, locale: Locale) -> String {
        crate::locale::format_percent(self.percent(), locale)
    }

    /// As a form shows it, without the sign: "42,35".
    pub fn to_input(self) -> String {
        self.percent().to_string().replace('.', ",")
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::Fr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_are_typed_with_up_to_two_decimals() {
        assert_eq!(
            Percentage::parse("45"),
            Ok(Percentage::from_basis_points(4500))
        );
        assert_eq!(Percentage::parse(" 42,35 % ").unwrap().basis_points(), 4235);
        assert_eq!(Percentage::parse("5.5%").unwrap().basis_points(), 550);
        assert_eq!(Percentage::parse("0").unwrap(), Percentage::ZERO);
        assert_eq!(Percentage::parse("-5"), Err(PercentError::Negative));
        assert_eq!(Percentage::parse("\u{2212}5"), Err(PercentError::Negative));
        assert_eq!(
            Percentage::parse("1,234"),
            Err(PercentError::TooManyDecimals)
        );
        assert_eq!(Percentage::parse("abc"), Err(PercentError::Invalid));
        assert_eq!(Percentage::parse(""), Err(PercentError::Invalid));
        assert_eq!(PercentError::Negative.key(), "percent-negative");
    }

    #[test]
    fn shown_and_typed_again() {
        let p = Percentage::from_basis_points(4235);
        assert_eq!(p.format(Locale::Fr), "42,35\u{202f}%");
        assert_eq!(p.format(Locale::En), "42.35%");
        assert_eq!(p.to_input(), "42,35");
        assert_eq!(Percentage::from_percent(90).to_input(), "90");
    }

    #[test]
    fn a_rate_of_an_amount_is_rounded_half_up_once() {
        let rate = Percentage::from_percent(45);
        assert_eq!(
            rate.of(Money::from_euros(48_000)),
            Ok(Money::from_euros(21_600))
        );
        // 0,05 € × 10 % = 0,005 € → 0,01 €.
        assert_eq!(
            Percentage::from_percent(10).of(Money::from_cents(5)),
            Ok(Money::from_cents(1))
        );
    }

    proptest! {
        #[test]
        fn typed_again_reads_the_same(bp in 0u32..1_000_000) {
            let p = Percentage::from_basis_points(bp);
            prop_assert_eq!(Percentage::parse(&p.to_input()), Ok(p));
        }
    }
}

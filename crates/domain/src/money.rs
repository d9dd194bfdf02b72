//! Euro amounts as integer cents.
//!
//! Cents in an `i64` make sums exact and cheap; arithmetic that needs
//! fractions of a cent (day rates × fractional days, VAT rates) goes through
//! `Decimal` and is rounded exactly once, with an explicit [`Rounding`].

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::locale::{Locale, NARROW_NBSP, NBSP, group_digits};

/// An amount in euro cents. Serialized as the bare integer of cents so that
/// no consumer ever has to parse a decimal string to get an exact value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// How a value with fractions of a cent is brought back to cents.
///
/// `HalfUp` (half away from zero, so 0.125 → 0.13 and −0.125 → −0.13) is
/// the commercial rounding French accountants, invoicing software and the
/// EN 16931 validators expect, so it is the default for invoices and VAT.
/// `HalfEven` (banker's rounding) is available for aggregates where the
/// systematic upward bias of `HalfUp` over many roundings matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rounding {
    #[default]
    HalfUp,
    HalfEven,
}

impl Rounding {
    const fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("no amount given")]
    Empty,
    #[error("not a valid amount")]
    Invalid,
    #[error("an amount has at most 2 decimals")]
    TooManyDecimals,
    #[error("amount out of range")]
    Overflow,
}

impl MoneyError {
    /// Translation key of the message shown to the user.
    pub fn key(&self) -> &'static str {
        match self {
            MoneyError::Empty => "money-empty",
            MoneyError::Invalid => "money-invalid",
            MoneyError::TooManyDecimals => "money-too-many-decimals",
            MoneyError::Overflow => "money-overflow",
        }
    }
}

/// Rounds to two decimals; every cent rounding in the domain goes through
/// here so that the policy lives in one place. The result has scale 2
/// (e.g. `20.00`), which is how amounts must appear in invoices (BR-DEC).
pub fn round_to_cents(d: Decimal, r: Rounding) -> Decimal {
    let mut rounded = d.round_dp_with_strategy(2, r.strategy());
    rounded.rescale(2);
    rounded
}

/// `numerator / denominator` rounded to an integer with `r`, in exact
/// integer arithmetic; `None` only when negating an `i128::MIN` operand.
/// The rounding of [`Money::from_ratio`], for other integer units (basis
/// points of a margin rate).
///
/// # Panics
/// When `denominator` is zero (a programming error: callers divide by
/// validated, non-zero quantities).
pub fn round_ratio(numerator: i128, denominator: i128, r: Rounding) -> Option<i128> {
    assert!(denominator != 0, "round_ratio by zero");
    let (n, d) = if denominator < 0 {
        (numerator.checked_neg()?, denominator.checked_neg()?)
    } else {
        (numerator, denominator)
    };
    // `floor` and `rem` in 0..d: the value is floor + rem / d.
    let floor = n.div_euclid(d);
    let rem = n.rem_euclid(d);
    let up = match rem.cmp(&(d - rem)) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Greater => true,
        // Exactly a half: away from zero is up for a positive value and
        // down (the floor) for a negative one.
        std::cmp::Ordering::Equal => match r {
            Rounding::HalfUp => n > 0,
            Rounding::HalfEven => floor.rem_euclid(2) == 1,
        },
    };
    Some(if up { floor + 1 } else { floor })
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// # Panics
    /// If the amount does not fit in `i64` cents (beyond ±92 billion billion
    /// cents), which only a programming error can produce.
    pub const fn from_euros(euros: i64) -> Money {
        match euros.checked_mul(100) {
            Some(cents) => Money(cents),
            None => panic!("Money::from_euros overflow"),
        }
    }

    pub const fn checked_add(self, rhs: Money) -> Option<Money> {
        match self.0.checked_add(rhs.0) {
            Some(c) => Some(Money(c)),
            None => None,
        }
    }

    pub const fn checked_sub(self, rhs: Money) -> Option<Money> {
        match self.0.checked_sub(rhs.0) {
            Some(c) => Some(Money(c)),
            None => None,
        }
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// # Panics
    /// On `i64::MIN` cents, whose opposite is not representable.
    pub const fn abs(self) -> Money {
        match self.0.checked_abs() {
            Some(c) => Money(c),
            None => panic!("Money::abs overflow"),
        }
    }

    /// Exact, with scale 2 (`12.30`, not `12.3`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn from_decimal(d: Decimal, r: Rounding) -> Result<Money, MoneyError> {
        let cents = round_to_cents(d, r)
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or(MoneyError::Overflow)?;
        i64::try_from(cents)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Multiplies by an arbitrary decimal (a number of days, a VAT rate as
    /// a fraction…). The product is computed in `Decimal` and rounded once:
    /// rounding intermediate results would let cent errors accumulate and
    /// make totals disagree with what an auditor recomputes.
    pub fn mul_decimal(self, factor: Decimal, r: Rounding) -> Result<Money, MoneyError> {
        let product = self
            .to_decimal()
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Money::from_decimal(product, r)
    }

    /// The amount `numerator / denominator` cents, rounded once with `r`.
    ///
    /// For rules stated as a fraction of integers (an annual cost over
    /// 218 days, a share in basis points of a margin): integer arithmetic
    /// keeps the quotient exact up to the single rounding, so the cent is
    /// the one an auditor finds with pencil and paper.
    ///
    /// # Panics
    /// When `denominator` is zero: callers divide by validated settings
    /// (a divisor of days, a non-zero total of weights), so a zero here is
    /// a programming error.
    pub fn from_ratio(
        numerator: i128,
        denominator: i128,
        r: Rounding,
    ) -> Result<Money, MoneyError> {
        let cents = round_ratio(numerator, denominator, r).ok_or(MoneyError::Overflow)?;
        i64::try_from(cents)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Parses an amount typed by a user in French or English style:
    /// "12000", "12 000,50 €", "12000.5", "€12,000.50", "-3,20".
    ///
    /// A lone ',' is ambiguous ("12,50" in French, "12,000" in English):
    /// it is decimal when followed by one or two digits, or when spaces are
    /// used for grouping (the French habit); otherwise it groups thousands
    /// if the grouping is well formed. Any other reading yields an error
    /// rather than a guess, since a misplaced separator means an amount off
    /// by a factor of 1000. For the same reason group sizes are checked.
    pub fn parse(input: &str) -> Result<Money, MoneyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, body) = strip_sign_and_currency(trimmed)?;
        if body.is_empty()
            || !body
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.') || is_group_space(c))
            || !body.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(MoneyError::Invalid);
        }

        let (int_part, frac_part) = match decimal_separator_position(body)? {
            Some(pos) => (&body[..pos], Some(&body[pos + 1..])),
            None => (body, None),
        };

        let units = parse_grouped_integer(int_part)?;
        let frac_cents = match frac_part {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(MoneyError::Invalid);
            }
            Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals),
            Some(f) => {
                let v: u128 = f.parse().map_err(|_| MoneyError::Invalid)?;
                if f.len() == 1 { v * 10 } else { v }
            }
        };

        let magnitude = units
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac_cents))
            .ok_or(MoneyError::Overflow)?;
        let signed = if negative {
            0i128
                .checked_sub_unsigned(magnitude)
                .ok_or(MoneyError::Overflow)?
        } else {
            i128::try_from(magnitude).map_err(|_| MoneyError::Overflow)?
        };
        i64::try_from(signed)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// The amount as a form field shows it to be typed again: "612,50".
    pub fn to_input(self) -> String {
        self.to_decimal().to_string().replace('.', ",")
    }

    /// French: `-12 000,00 €` with CLDR's narrow no-break space between
    /// thousands and a no-break space before `€` (as
    /// `Intl.NumberFormat('fr-FR')` does). English: `-€12,000.00`.
    pub fn format(self, locale: Locale) -> String {
        let abs = self.0.unsigned_abs();
        let (units, cents) = (abs / 100, abs % 100);
        let sign = if self.0 < 0 { "-" } else { "" };
        let grouped = group_digits(units, locale.thousands_separator());
        match locale {
            Locale::Fr => format!("{sign}{grouped},{cents:02}{NBSP}€"),
            Locale::En => format!("{sign}€{grouped}.{cents:02}"),
        }
    }
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | NBSP | NARROW_NBSP)
}

/// Peels the sign and currency off both ends, in any order users write
/// them ("-€12", "€-12", "-12 €", "12 EUR").
fn strip_sign_and_currency(s: &str) -> Result<(bool, &str), MoneyError> {
    let mut rest = s;
    let mut negative = false;
    let mut sign_seen = false;
    let mut currency_seen = false;
    loop {
        rest = rest.trim_start();
        // U+2212 is the typographic minus some locales and word processors emit.
        if let Some(r) = rest.strip_prefix(['-', '\u{2212}', '+']) {
            if sign_seen {
                return Err(MoneyError::Invalid);
            }
            sign_seen = true;
            negative = !rest.starts_with('+');
            rest = r;
        } else if let Some(r) = strip_currency_prefix(rest) {
            if currency_seen {
                return Err(MoneyError::Invalid);
            }
            currency_seen = true;
            rest = r;
        } else {
            break;
        }
    }
    rest = rest.trim_end();
    if let Some(r) = strip_currency_suffix(rest) {
        if currency_seen {
            return Err(MoneyError::Invalid);
        }
        rest = r.trim_end();
    }
    Ok((negative, rest))
}

fn strip_currency_prefix(s: &str) -> Option<&str> {
    if let Some(r) = s.strip_prefix('€') {
        return Some(r);
    }
    match s.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("EUR") => Some(&s[3..]),
        _ => None,
    }
}

fn strip_currency_suffix(s: &str) -> Option<&str> {
    if let Some(r) = s.strip_suffix('€') {
        return Some(r);
    }
    let cut = s.len().checked_sub(3)?;
    match s.get(cut..) {
        Some(p) if p.eq_ignore_ascii_case("EUR") => Some(&s[..cut]),
        _ => None,
    }
}

/// Byte position of the decimal separator in `body`, if any.
fn decimal_separator_position(body: &str) -> Result<Option<usize>, MoneyError> {
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    match (body.rfind(','), body.rfind('.')) {
        (Some(c), Some(d)) => {
            let (pos, count) = if c > d { (c, commas) } else { (d, dots) };
            if count > 1 {
                return Err(MoneyError::Invalid);
            }
            Ok(Some(pos))
        }
        (Some(c), None) if commas == 1 => {
            let after = &body[c + 1..];
            let french_grouping = body[..c].contains(is_group_space);
            let is_decimal = french_grouping
                || (1..=2).contains(&after.len())
                || parse_grouped_integer(body).is_err();
            Ok(is_decimal.then_some(c))
        }
        // A single '.' is a decimal point even when three digits follow
        // ("12.000"): that then fails as too many decimals instead of being
        // silently read as twelve thousand.
        (None, Some(d)) if dots == 1 => Ok(Some(d)),
        _ => Ok(None),
    }
}

/// Parses the integer part, with any of ' ', U+00A0, U+202F, ',' or '.'
/// as thousands separators; a grouped number must have a first group of 1
/// to 3 digits (no leading zero: "0,001" is not one) and then groups of
/// exactly 3.
fn parse_grouped_integer(s: &str) -> Result<u128, MoneyError> {
    let groups: Vec<&str> = s
        .split(|c: char| c == ',' || c == '.' || is_group_space(c))
        .collect();
    let well_formed = groups
        .iter()
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && (groups.len() == 1
            || (groups[0].len() <= 3
                && !groups[0].starts_with('0')
                && groups[1..].iter().all(|g| g.len() == 3)));
    if !well_formed {
        return Err(MoneyError::Invalid);
    }
    let mut value: u128 = 0;
    for b in groups.iter().flat_map(|g| g.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(b - b'0')))
            // Anything past this is far beyond i64 cents anyway.
            .filter(|&v| v <= u128::from(u64::MAX))
            .ok_or(MoneyError::Overflow)?;
    }
    Ok(value)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::Fr))
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

// Operators panic on overflow even in release builds: a wrapped amount
// would be a silently wrong invoice, which is worse than a crash.
impl Add for Money {
    type Output = Money;

    fn add(self, rhs: Money) -> Money {
        self.checked_add(rhs).expect("Money addition overflow")
    }
}

impl Sub for Money {
    type Output = Money;

    fn sub(self, rhs: Money) -> Money {
        self.checked_sub(rhs).expect("Money subtraction overflow")
    }
}

impl Neg for Money {
    type Output = Money;

    fn neg(self) -> Money {
        Money(self.0.checked_neg().expect("Money negation overflow"))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, I64Deserializer};

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ok(s: &str) -> i64 {
        Money::parse(s)
            .unwrap_or_else(|e| panic!("{s:?} should parse, got {e:?}"))
            .cents()
    }

    #[test]
    fn constructors_and_accessors() {
        assert_eq!(Money::ZERO, Money::default());
        assert_eq!(Money::from_euros(120).cents(), 12_000);
        assert_eq!(Money::from_cents(-5).cents(), -5);
        assert!(Money::ZERO.is_zero());
        assert!(Money::from_cents(-1).is_negative());
        assert!(!Money::ZERO.is_negative());
        assert_eq!(Money::from_cents(-250).abs(), Money::from_cents(250));
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn from_euros_overflow_panics() {
        let _ = Money::from_euros(i64::MAX / 10);
    }

    #[test]
    fn a_ratio_is_rounded_once() {
        let r = |n: i128, d: i128, m: Rounding| Money::from_ratio(n, d, m).unwrap().cents();
        // 72 168 € over 218 days: 331.0458… € → 331.05 €.
        assert_eq!(r(7_216_800, 218, Rounding::HalfUp), 33_105);
        assert_eq!(r(5, 2, Rounding::HalfUp), 3);
        assert_eq!(r(-5, 2, Rounding::HalfUp), -3);
        assert_eq!(r(5, -2, Rounding::HalfUp), -3);
        assert_eq!(r(5, 2, Rounding::HalfEven), 2);
        assert_eq!(r(7, 2, Rounding::HalfEven), 4);
        assert_eq!(r(-5, 2, Rounding::HalfEven), -2);
        assert_eq!(r(-7, 3, Rounding::HalfUp), -2);
        assert_eq!(
            Money::from_ratio(i128::MAX, 1, Rounding::HalfUp),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic() {
        let a = Money::from_cents(1050);
        let b = Money::from_cents(-300);
        assert_eq!(a + b, Money::from_cents(750));
        assert_eq!(a - b, Money::from_cents(1350));
        assert_eq!(-a, Money::from_cents(-1050));
        let mut c = a;
        c += b;
        c -= Money::from_cents(50);
        assert_eq!(c, Money::from_cents(700));
        assert_eq!(
            Money::from_cents(i64::MAX).checked_add(Money::from_cents(1)),
            None
        );
        assert_eq!(
            Money::from_cents(i64::MIN).checked_sub(Money::from_cents(1)),
            None
        );
        let v = [a, b, Money::from_cents(1)];
        assert_eq!(v.iter().sum::<Money>(), Money::from_cents(751));
        assert_eq!(v.into_iter().sum::<Money>(), Money::from_cents(751));
        assert_eq!(Vec::<Money>::new().into_iter().sum::<Money>(), Money::ZERO);
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn add_overflow_panics() {
        let _ = Money::from_cents(i64::MAX) + Money::from_cents(1);
    }

    #[test]
    fn rounding_modes() {
        let r = |s, m| round_to_cents(dec(s), m);
        assert_eq!(r("0.125", Rounding::HalfUp), dec("0.13"));
        assert_eq!(r("0.125", Rounding::HalfEven), dec("0.12"));
        assert_eq!(r("0.135", Rounding::HalfEven), dec("0.14"));
        assert_eq!(r("-0.125", Rounding::HalfUp), dec("-0.13"));
        assert_eq!(r("-0.125", Rounding::HalfEven), dec("-0.12"));
        assert_eq!(r("0.1249999", Rounding::HalfUp), dec("0.12"));
        assert_eq!(r("2.5", Rounding::HalfUp).to_string(), "2.50");
        assert_eq!(r("7", Rounding::HalfEven).to_string(), "7.00");
        assert_eq!(Rounding::default(), Rounding::HalfUp);
    }

    #[test]
    fn decimal_conversions() {
        assert_eq!(Money::from_cents(1230).to_decimal().to_string(), "12.30");
        assert_eq!(Money::from_cents(-5).to_decimal().to_string(), "-0.05");
        assert_eq!(
            Money::from_decimal(dec("0.125"), Rounding::HalfUp),
            Ok(Money::from_cents(13))
        );
        assert_eq!(
            Money::from_decimal(dec("0.125"), Rounding::HalfEven),
            Ok(Money::from_cents(12))
        );
        assert_eq!(
            Money::from_decimal(dec("-0.125"), Rounding::HalfUp),
            Ok(Money::from_cents(-13))
        );
        assert_eq!(
            Money::from_decimal(dec("100000000000000000"), Rounding::HalfUp),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::from_decimal(Decimal::MAX, Rounding::HalfUp),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::from_decimal(Money::from_cents(i64::MIN).to_decimal(), Rounding::HalfUp),
            Ok(Money::from_cents(i64::MIN))
        );
    }

    #[test]
    fn mul_decimal_examples() {
        // TJM 600 € × 19.5 days.
        let tjm = Money::from_euros(600);
        assert_eq!(
            tjm.mul_decimal(dec("19.5"), Rounding::HalfUp),
            Ok(Money::from_euros(11_700))
        );
        // 20 % VAT on 12 345,67 € = 2 469,134 → 2 469,13.
        assert_eq!(
            Money::from_cents(1_234_567).mul_decimal(dec("0.20"), Rounding::HalfUp),
            Ok(Money::from_cents(246_913))
        );
        // Rounded once: 0.05 × 2.5 = 0.125.
        assert_eq!(
            Money::from_cents(5).mul_decimal(dec("2.5"), Rounding::HalfUp),
            Ok(Money::from_cents(13))
        );
        assert_eq!(
            Money::from_cents(5).mul_decimal(dec("2.5"), Rounding::HalfEven),
            Ok(Money::from_cents(12))
        );
        assert_eq!(
            Money::from_cents(i64::MAX).mul_decimal(dec("2"), Rounding::HalfUp),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn parse_accepted_forms() {
        assert_eq!(ok("12000"), 1_200_000);
        assert_eq!(ok("12 000,50"), 1_200_050);
        assert_eq!(ok("12 000,50 €"), 1_200_050);
        assert_eq!(ok("12\u{a0}000,50\u{a0}€"), 1_200_050);
        assert_eq!(ok("12\u{202f}000,5"), 1_200_050);
        assert_eq!(ok("12000.5"), 1_200_050);
        assert_eq!(ok("€12,000.50"), 1_200_050);
        assert_eq!(ok("-3,20"), -320);
        assert_eq!(ok("-€12,000.00"), -1_200_000);
        assert_eq!(ok("€-12"), -1200);
        assert_eq!(ok("- 12 €"), -1200);
        assert_eq!(ok("\u{2212}12,5"), -1250);
        assert_eq!(ok("+7"), 700);
        assert_eq!(ok("12 EUR"), 1200);
        assert_eq!(ok("eur 12.01"), 1201);
        assert_eq!(ok("12,000"), 1_200_000);
        assert_eq!(ok("12,505"), 1_250_500);
        assert_eq!(ok("12 000.000,5"), 1_200_000_050);
        assert_eq!(ok("1,234,567"), 123_456_700);
        assert_eq!(ok("1.234.567"), 123_456_700);
        assert_eq!(ok("1.234.567,89"), 123_456_789);
        assert_eq!(ok("1,234,567.89"), 123_456_789);
        assert_eq!(ok("0,05"), 5);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-0"), 0);
        assert_eq!(ok("007"), 700);
        assert_eq!(ok("  42  "), 4200);
        assert_eq!(ok("-92 233 720 368 547 758,08"), i64::MIN);
        assert_eq!(ok("92 233 720 368 547 758,07"), i64::MAX);
    }

    #[test]
    fn parse_rejections() {
        let err = |s: &str| Money::parse(s).unwrap_err();
        assert_eq!(err(""), MoneyError::Empty);
        assert_eq!(err(" \u{a0} "), MoneyError::Empty);
        for bad in [
            "abc",
            "€",
            "-",
            "12 €€",
            "€12 €",
            "--3",
            "12-",
            "1 2",
            "12  000",
            "12,3,4,5",
            "1,2,3",
            ",5",
            ".5",
            "12,",
            "12.",
            "1.000,00.5",
            "12e3",
            "0x10",
            "12 000 ,50",
            "1,23,456",
            "12,000,50",
            "1 000.000.5",
        ] {
            assert_eq!(err(bad), MoneyError::Invalid, "{bad:?}");
        }
        for too_precise in [
            "0,001",
            "12.000",
            "1.2345",
            "12 000,505",
            "12000,505",
            "-1 000,505 €",
        ] {
            assert_eq!(
                err(too_precise),
                MoneyError::TooManyDecimals,
                "{too_precise:?}"
            );
        }
        assert_eq!(err("92 233 720 368 547 758,08"), MoneyError::Overflow);
        assert_eq!(err("-92 233 720 368 547 758,09"), MoneyError::Overflow);
        assert_eq!(
            err("99999999999999999999999999999999999999999"),
            MoneyError::Overflow
        );
    }

    #[test]
    fn error_keys() {
        assert_eq!(MoneyError::Empty.key(), "money-empty");
        assert_eq!(MoneyError::Invalid.key(), "money-invalid");
        assert_eq!(MoneyError::TooManyDecimals.key(), "money-too-many-decimals");
        assert_eq!(MoneyError::Overflow.key(), "money-overflow");
    }

    #[test]
    fn formatting() {
        let m = Money::from_cents(1_200_000);
        assert_eq!(m.format(Locale::Fr), "12\u{202f}000,00\u{a0}€");
        assert_eq!(m.format(Locale::En), "€12,000.00");
        assert_eq!((-m).format(Locale::Fr), "-12\u{202f}000,00\u{a0}€");
        assert_eq!((-m).format(Locale::En), "-€12,000.00");
        assert_eq!(Money::from_cents(5).format(Locale::Fr), "0,05\u{a0}€");
        assert_eq!(Money::from_cents(-5).format(Locale::En), "-€0.05");
        assert_eq!(Money::from_cents(99_999).format(Locale::En), "€999.99");
        assert_eq!(m.to_string(), m.format(Locale::Fr));
        assert_eq!(
            Money::from_cents(i64::MIN).format(Locale::En),
            "-€92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn serde_is_integer_cents() {
        let de: I64Deserializer<DeError> = 1250i64.into_deserializer();
        assert_eq!(Money::deserialize(de), Ok(Money::from_cents(1250)));
    }

    fn decimal_strategy() -> impl Strategy<Value = Decimal> {
        (-1_000_000_000_000_000i64..1_000_000_000_000_000, 0u32..=8)
            .prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
    }

    const BOUND: i64 = 10_000_000_000_000;

    proptest! {
        /// The integer ratio rounds exactly as `Decimal` does.
        #[test]
        fn ratio_agrees_with_decimal(n in -1_000_000_000_000i64..1_000_000_000_000, d in 1i64..1_000_000) {
            let exact = Decimal::from(n) / Decimal::from(d) / Decimal::ONE_HUNDRED;
            for r in [Rounding::HalfUp, Rounding::HalfEven] {
                prop_assert_eq!(
                    Money::from_ratio(i128::from(n), i128::from(d), r),
                    Money::from_decimal(exact, r)
                );
            }
        }
        #[test]
        fn parse_format_round_trip(cents in -BOUND..=BOUND) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.format(Locale::Fr)), Ok(m));
            prop_assert_eq!(Money::parse(&m.format(Locale::En)), Ok(m));
        }

        #[test]
        fn parse_format_round_trip_full_range(cents in any::<i64>()) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.format(Locale::Fr)), Ok(m));
            prop_assert_eq!(Money::parse(&m.format(Locale::En)), Ok(m));
        }

        #[test]
        fn decimal_round_trip(cents in any::<i64>()) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::from_decimal(m.to_decimal(), Rounding::HalfUp), Ok(m));
            prop_assert_eq!(Money::from_decimal(m.to_decimal(), Rounding::HalfEven), Ok(m));
        }

        #[test]
        fn rounding_modes_differ_only_on_ties(d in decimal_strategy()) {
            let up = round_to_cents(d, Rounding::HalfUp);
            let even = round_to_cents(d, Rounding::HalfEven);
            let is_tie = (d * Decimal::ONE_HUNDRED).fract().abs() == dec("0.5");
            if !is_tie {
                prop_assert_eq!(up, even);
            }
            // Never off by more than half a cent.
            prop_assert!((up - d).abs() <= dec("0.005"));
            prop_assert!((even - d).abs() <= dec("0.005"));
        }

        #[test]
        fn half_cent_ties(cents in -BOUND..=BOUND) {
            // x.xx5 exactly: HalfUp goes away from zero, HalfEven to the even cent.
            let d = Decimal::new(cents * 10 + if cents < 0 { -5 } else { 5 }, 3);
            let away = if d.is_sign_negative() { cents - 1 } else { cents + 1 };
            let toward = cents;
            prop_assert_eq!(Money::from_decimal(d, Rounding::HalfUp), Ok(Money::from_cents(away)));
            let even = if toward.rem_euclid(2) == 0 { toward } else { away };
            prop_assert_eq!(Money::from_decimal(d, Rounding::HalfEven), Ok(Money::from_cents(even)));
        }

        #[test]
        fn sum_matches_cents(v in proptest::collection::vec(-BOUND..=BOUND, 0..50)) {
            let total: Money = v.iter().map(|&c| Money::from_cents(c)).sum();
            prop_assert_eq!(total.cents(), v.iter().sum::<i64>());
        }

        #[test]
        fn mul_by_one_is_identity(cents in any::<i64>()) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(m.mul_decimal(Decimal::ONE, Rounding::HalfUp), Ok(m));
            prop_assert_eq!(m.mul_decimal(dec("1.000"), Rounding::HalfEven), Ok(m));
        }

        #[test]
        fn add_sub_inverse(a in -BOUND..=BOUND, b in -BOUND..=BOUND) {
            let (a, b) = (Money::from_cents(a), Money::from_cents(b));
            prop_assert_eq!(a + b - b, a);
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Money::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_number_like_input(s in "[-+€ \u{a0}\u{202f}0-9,.EUR]{0,30}") {
            let _ = Money::parse(&s);
        }
    }
}

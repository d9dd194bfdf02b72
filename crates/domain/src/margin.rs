//! Gross margin ("marge brute"): revenue less the consultant's cost for
//! the days sold, in euros and as a rate on revenue.
//!
//! Every figure is in cents and rounded at one named place: a day's cost
//! is days × CJM rounded half up (the CJM itself already in cents, see
//! [`crate::people::cjm`]); margin is then a plain difference, exact for
//! any slice (a mission, a month, a business manager), so totals agree
//! whichever way a report adds them up. The rate is on revenue, never on
//! cost: "44,83 % de marge" means 44,83 € kept for 100 € sold, which is
//! what the trade and its KPIs (ACCOUNTING.md §9) call a margin rate; a
//! markup on cost would read higher and mislead a business manager.
//!
//! How a margin is shared among the business managers who own a
//! consultant or an account is [`split_by_shares`]; where bench time goes
//! is [`mod@bench`]'s; when a locked month's cost changes, [`mod@lock`]'s.
//! The live margin of a period is [`live`]'s, its tables [`views`]'.

pub mod apportion;
pub mod bench;
pub mod forecast;
pub mod live;
#[cfg(test)]
mod live_tests;
pub mod lock;
pub mod views;

use std::fmt;
use std::ops::Add;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::locale::Locale;
use crate::mission::DayQuantity;
use crate::money::{Money, Rounding, round_ratio};
use crate::percent::Percentage;

pub use apportion::apportion;
pub use bench::{BenchAllocation, BenchCarrier, allocate_bench};
pub use lock::{LockError, MarginLock, retroactive_adjustment};

/// Revenue − cost. Exact: both are cents.
pub fn margin(revenue: Money, cost: Money) -> Money {
    revenue - cost
}

/// The cost of `days` at a daily cost, rounded half up to the cent once
/// (only a half day at an odd cent has anything to round).
///
/// # Panics
/// Beyond `i64` cents, out of reach of any real CJM and day count.
pub fn days_cost(cjm: Money, days: DayQuantity) -> Money {
    Money::from_ratio(
        i128::from(cjm.cents()) * i128::from(days.half_days()),
        2,
        Rounding::HalfUp,
    )
    .expect("days × CJM fits in i64 cents")
}

/// A margin rate on revenue, in signed basis points (4483 = 44,83 %;
/// negative for a loss).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarginRate(i64);

impl MarginRate {
    pub const fn from_basis_points(bp: i64) -> MarginRate {
        MarginRate(bp)
    }

    pub const fn basis_points(self) -> i64 {
        self.0
    }

    /// 44.83, −12.5 (no trailing zeros).
    pub fn percent(self) -> Decimal {
        Decimal::new(self.0, 2).normalize()
    }

    /// "44,83 %" in French (narrow no-break space), "44.83%" in English.
    pub fn format(self, locale: Locale) -> String {
        crate::locale::format_percent(self.percent(), locale)
    }
}

impl fmt::Display for MarginRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::Fr))
    }
}

/// `margin ÷ revenue`, to the hundredth of a percent, half away from zero
/// (the rounding of [`Rounding::HalfUp`]: 44,825 % → 44,83 %, −44,825 % →
/// −44,83 %). `None` when there is no revenue: a rate on nothing is not
/// 0 %, and a bench month must not show as a break-even one.
pub fn margin_rate(margin: Money, revenue: Money) -> Option<MarginRate> {
    if revenue.is_zero() {
        return None;
    }
    let bp = round_ratio(
        i128::from(margin.cents()) * 10_000,
        i128::from(revenue.cents()),
        Rounding::HalfUp,
    )?;
    i64::try_from(bp).ok().map(MarginRate)
}

/// The margin figures of a slice (a mission's month, a business manager's
/// quarter): they add up slice by slice, and the rate of a sum is
/// recomputed from the summed amounts, never averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MarginFigures {
    pub revenue: Money,
    pub cost: Money,
}

impl MarginFigures {
    pub fn new(revenue: Money, cost: Money) -> MarginFigures {
        MarginFigures { revenue, cost }
    }

    /// Days sold at a daily rate against days at a daily cost.
    pub fn for_days(tjm: Money, cjm: Money, days: DayQuantity) -> MarginFigures {
        MarginFigures::new(days_cost(tjm, days), days_cost(cjm, days))
    }

    pub fn margin(&self) -> Money {
        margin(self.revenue, self.cost)
    }

    pub fn rate(&self) -> Option<MarginRate> {
        margin_rate(self.margin(), self.revenue)
    }
}

impl Add for MarginFigures {
    type Output = MarginFigures;

    fn add(self, rhs: MarginFigures) -> MarginFigures {
        MarginFigures::new(self.revenue + rhs.revenue, self.cost + rhs.cost)
    }
}

impl std::iter::Sum for MarginFigures {
    fn sum<I: Iterator<Item = MarginFigures>>(iter: I) -> MarginFigures {
        iter.fold(MarginFigures::default(), Add::add)
    }
}

/// The shares given do not add up to 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("shares add up to {total}, not 100 %")]
pub struct SharesNotHundred {
    pub total: Percentage,
}

/// A margin (or revenue, or bench cost) shared among business managers by
/// their shares, the parts adding up to `amount` to the cent
/// (largest remainder, [`apportion()`]). The shares are those of the
/// portfolio on the day (see [`crate::people::portfolio::owners_on`]) and
/// must add up to exactly 100 %, as a valid portfolio's do.
pub fn split_by_shares(
    amount: Money,
    shares: &[(UserId, Percentage)],
) -> Result<Vec<(UserId, Money)>, SharesNotHundred> {
    let total: u64 = shares
        .iter()
        .map(|(_, s)| u64::from(s.basis_points()))
        .sum();
    if total != u64::from(Percentage::HUNDRED.basis_points()) {
        return Err(SharesNotHundred {
            total: Percentage::from_basis_points(u32::try_from(total).unwrap_or(u32::MAX)),
        });
    }
    let weights: Vec<u64> = shares
        .iter()
        .map(|(_, s)| u64::from(s.basis_points()))
        .collect();
    let parts = apportion(amount, &weights).expect("shares add up to 100 %");
    Ok(shares.iter().map(|(bm, _)| *bm).zip(parts).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn bm(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }

    /// Camille (JOURNEY.md): 20 days at 600 € at Clientis, her CJM the
    /// worked figure of PAYROLL.md §4.
    #[test]
    fn camille_margin_is_5379_euros_or_44_83_percent() {
        let cjm = Money::from_cents(33_105);
        let f = MarginFigures::for_days(Money::from_euros(600), cjm, DayQuantity::from_days(20));
        assert_eq!(f.revenue, Money::from_euros(12_000));
        assert_eq!(f.cost, Money::from_euros(6_621));
        assert_eq!(f.margin(), Money::from_euros(5_379));
        // 5 379 / 12 000 = 44,825 %: half up gives 44,83 %.
        let rate = f.rate().unwrap();
        assert_eq!(rate.basis_points(), 4483);
        assert_eq!(rate.format(Locale::Fr), "44,83\u{202f}%");
        assert_eq!(rate.format(Locale::En), "44.83%");
        assert_eq!(f.margin().format(Locale::Fr), "5\u{202f}379,00\u{a0}€");
    }

    /// The same from the forms: the salary version as typed, the CJM of a
    /// day of November by the default settings, the month's margin.
    #[test]
    fn camille_margin_from_her_salary_version() {
        use crate::people::cjm::CjmSettings;
        use crate::people::cost::SalaryVersionInput;
        let version = SalaryVersionInput {
            effective_from: "16/11/2026".into(),
            annual_gross: "48 000".into(),
            employer_charges: "45".into(),
            mutual_insurance: "720".into(),
            meal_vouchers: "1308".into(),
            transport: "540".into(),
            ..SalaryVersionInput::default()
        }
        .validate()
        .unwrap();
        let cjm = CjmSettings::default()
            .cjm_on(&[version], time::macros::date!(2026 - 11 - 30))
            .unwrap();
        assert_eq!(cjm, Money::from_cents(33_105));
        let f = MarginFigures::for_days(Money::from_euros(600), cjm, DayQuantity::from_days(20));
        assert_eq!(
            (f.margin(), f.rate().map(MarginRate::basis_points)),
            (Money::from_euros(5_379), Some(4483))
        );
    }

    #[test]
    fn the_rate_is_on_revenue_and_absent_without_revenue() {
        assert_eq!(
            margin_rate(Money::from_euros(25), Money::from_euros(100))
                .unwrap()
                .basis_points(),
            2500
        );
        assert_eq!(margin_rate(Money::from_euros(-10), Money::ZERO), None);
        assert_eq!(margin_rate(Money::ZERO, Money::ZERO), None);
        // A loss: −44,825 % is −44,83 % (half away from zero).
        let loss = margin_rate(Money::from_euros(-5_379), Money::from_euros(12_000)).unwrap();
        assert_eq!(loss.basis_points(), -4483);
        assert_eq!(loss.format(Locale::Fr), "-44,83\u{202f}%");
        // A bench month: cost without revenue.
        let bench = MarginFigures::new(Money::ZERO, Money::from_euros(331));
        assert_eq!(bench.margin(), Money::from_euros(-331));
        assert_eq!(bench.rate(), None);
    }

    #[test]
    fn half_days_at_an_odd_cent_round_half_up() {
        assert_eq!(
            days_cost(Money::from_cents(33_105), DayQuantity::from_half_days(1)),
            Money::from_cents(16_553)
        );
        assert_eq!(
            days_cost(Money::from_cents(33_105), DayQuantity::from_half_days(3)),
            Money::from_cents(49_658)
        );
        assert_eq!(
            days_cost(Money::from_cents(33_105), DayQuantity::ZERO),
            Money::ZERO
        );
    }

    #[test]
    fn a_margin_shared_70_30_adds_up() {
        let parts = split_by_shares(
            Money::from_cents(537_901),
            &[
                (bm(1), Percentage::from_percent(70)),
                (bm(2), Percentage::from_percent(30)),
            ],
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                (bm(1), Money::from_cents(376_531)),
                (bm(2), Money::from_cents(161_370))
            ]
        );
        let thirds = [3334, 3333, 3333].map(Percentage::from_basis_points);
        let parts = split_by_shares(
            Money::from_euros(100),
            &[(bm(1), thirds[0]), (bm(2), thirds[1]), (bm(3), thirds[2])],
        )
        .unwrap();
        assert_eq!(
            parts.iter().map(|p| p.1).sum::<Money>(),
            Money::from_euros(100)
        );
        assert_eq!(
            split_by_shares(
                Money::from_euros(1),
                &[(bm(1), Percentage::from_percent(60))]
            ),
            Err(SharesNotHundred {
                total: Percentage::from_percent(60)
            })
        );
        assert!(split_by_shares(Money::from_euros(1), &[]).is_err());
    }

    fn shares() -> impl Strategy<Value = Vec<(UserId, Percentage)>> {
        // Cut points in 0..=10000 give shares adding up to 100 %.
        (prop::collection::vec(0u32..=10_000, 0..4), 1u128..6).prop_map(|(mut cuts, first)| {
            cuts.push(0);
            cuts.push(10_000);
            cuts.sort();
            cuts.windows(2)
                .enumerate()
                .map(|(i, w)| {
                    (
                        bm(first + i as u128),
                        Percentage::from_basis_points(w[1] - w[0]),
                    )
                })
                .collect()
        })
    }

    proptest! {
        /// Margin = revenue − cost for any slice, and the figures of the
        /// slices add up to the figures of the whole.
        #[test]
        fn margin_is_revenue_less_cost_for_any_slice(
            slices in prop::collection::vec((1i64..200_000, 1i64..150_000, 0u32..60), 1..10)
        ) {
            let figures: Vec<MarginFigures> = slices.iter()
                .map(|&(tjm, cjm, h)| MarginFigures::for_days(Money::from_cents(tjm), Money::from_cents(cjm), DayQuantity::from_half_days(h)))
                .collect();
            for f in &figures {
                prop_assert_eq!(f.margin() + f.cost, f.revenue);
            }
            let whole: MarginFigures = figures.iter().copied().sum();
            prop_assert_eq!(whole.margin(), figures.iter().map(|f| f.margin()).sum::<Money>());
            prop_assert_eq!(whole.margin(), whole.revenue - whole.cost);
        }

        /// A margin rate is within half a basis point of the exact ratio.
        #[test]
        fn the_rate_is_the_ratio_rounded(m in -100_000_000i64..100_000_000, r in 1i64..100_000_000) {
            let rate = margin_rate(Money::from_cents(m), Money::from_cents(r)).unwrap();
            let diff = i128::from(rate.basis_points()) * i128::from(r) - i128::from(m) * 10_000;
            prop_assert!(2 * diff.abs() <= i128::from(r));
        }

        /// Split by shares adding up to 100 %, the parts add up to the
        /// whole.
        #[test]
        fn a_split_sums_to_the_whole(amount in -10_000_000_000i64..10_000_000_000, shares in shares()) {
            let parts = split_by_shares(Money::from_cents(amount), &shares).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<Money>(), Money::from_cents(amount));
        }

        /// With every mission's shares adding up to 100 %, the total margin
        /// over missions equals the total over business managers.
        #[test]
        fn missions_and_business_managers_agree(
            missions in prop::collection::vec((-5_000_000i64..50_000_000, shares()), 1..8)
        ) {
            let by_mission: Money = missions.iter().map(|(m, _)| Money::from_cents(*m)).sum();
            let mut by_bm: BTreeMap<UserId, Money> = BTreeMap::new();
            for (m, s) in &missions {
                for (who, part) in split_by_shares(Money::from_cents(*m), s).unwrap() {
                    *by_bm.entry(who).or_default() += part;
                }
            }
            prop_assert_eq!(by_bm.values().sum::<Money>(), by_mission);
        }
    }
}

//! Foisonnement: how an account grows from its own missions. The trade
//! counts the child opportunities born in follow-up meetings (a need the
//! client mentions while the firm's consultant is already there), what
//! they are worth, and how many of them the firm wins.
//!
//! A child opportunity **born in a follow-up meeting** is one recorded
//! from a meeting's note, or whose source says it came from a follow-up
//! meeting. It is counted in the period in which it was created (Paris
//! date), under its account and its business manager, whatever it became
//! since. **Value** is its expected revenue. The **conversion rate** is
//! won ÷ closed: of those born in the period and since won or lost, the
//! share won (those still open are not yet a success nor a failure, so
//! they do not lower the rate); no rate while none is closed.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::crm::Outcome;
use crate::ids::{CompanyId, UserId};
use crate::money::Money;
use crate::percent::Percentage;

/// One child opportunity born in a follow-up meeting, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Born {
    pub account: CompanyId,
    pub business_manager: UserId,
    /// The day it was created, in Paris.
    pub on: Date,
    pub expected: Money,
    pub outcome: Outcome,
}

/// The figures of a set of born opportunities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub born: u32,
    pub born_value: Money,
    pub won: u32,
    pub won_value: Money,
    pub lost: u32,
}

impl Figures {
    fn add(&mut self, b: &Born) {
        self.born += 1;
        self.born_value += b.expected;
        match b.outcome {
            Outcome::Won => {
                self.won += 1;
                self.won_value += b.expected;
            }
            Outcome::Lost => self.lost += 1,
            Outcome::Open => {}
        }
    }

    pub fn closed(&self) -> u32 {
        self.won + self.lost
    }

    pub fn open(&self) -> u32 {
        self.born - self.closed()
    }

    /// Won ÷ closed, rounded half up to the basis point; `None` while none
    /// is closed.
    pub fn conversion(&self) -> Option<Percentage> {
        let closed = self.closed();
        if closed == 0 {
            return None;
        }
        let bp = (u64::from(self.won) * 10_000 * 2 + u64::from(closed)) / (2 * u64::from(closed));
        Some(Percentage::from_basis_points(
            u32::try_from(bp).expect("at most 10 000"),
        ))
    }
}

/// The period counted, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn contains(&self, d: Date) -> bool {
        d >= self.from && d <= self.to
    }
}

/// The foisonnement of a period: overall, per account and per business
/// manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Foisonnement {
    pub total: Figures,
    pub by_account: BTreeMap<CompanyId, Figures>,
    pub by_business_manager: BTreeMap<UserId, Figures>,
}

/// Counts the opportunities of `born` created within `period`.
pub fn tally(born: &[Born], period: Period) -> Foisonnement {
    let mut out = Foisonnement::default();
    for b in born.iter().filter(|b| period.contains(b.on)) {
        out.total.add(b);
        out.by_account.entry(b.account).or_default().add(b);
        out.by_business_manager
            .entry(b.business_manager)
            .or_default()
            .add(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;
    use uuid::Uuid;

    fn born(account: u128, bm: u128, on: Date, euros: i64, outcome: Outcome) -> Born {
        Born {
            account: CompanyId(Uuid::from_u128(account)),
            business_manager: UserId(Uuid::from_u128(bm)),
            on,
            expected: Money::from_euros(euros),
            outcome,
        }
    }

    const DECEMBER: Period = Period {
        from: date!(2026 - 12 - 01),
        to: date!(2026 - 12 - 31),
    };

    #[test]
    fn clientis_dataviz_is_born_open_and_counts_no_rate() {
        // DataViz: 2 positions × 40 days × 550 € (the bottom of the range).
        let f = tally(
            &[born(1, 9, date!(2026 - 12 - 07), 44_000, Outcome::Open)],
            DECEMBER,
        );
        assert_eq!(f.total.born, 1);
        assert_eq!(f.total.born_value, Money::from_euros(44_000));
        assert_eq!(f.total.won, 0);
        assert_eq!(f.total.open(), 1);
        assert_eq!(f.total.conversion(), None, "none closed: no rate");
    }

    #[test]
    fn won_over_closed_per_account_and_manager() {
        let f = tally(
            &[
                born(1, 9, date!(2026 - 12 - 01), 10_000, Outcome::Won),
                born(1, 9, date!(2026 - 12 - 15), 20_000, Outcome::Lost),
                born(1, 8, date!(2026 - 12 - 31), 5_000, Outcome::Won),
                born(2, 9, date!(2026 - 12 - 20), 7_000, Outcome::Open),
                // Outside the period: not counted.
                born(2, 9, date!(2026 - 11 - 30), 99_000, Outcome::Won),
                born(2, 9, date!(2027 - 01 - 01), 99_000, Outcome::Won),
            ],
            DECEMBER,
        );
        assert_eq!(f.total.born, 4);
        assert_eq!(f.total.won, 2);
        assert_eq!(f.total.won_value, Money::from_euros(15_000));
        // 2 won of 3 closed: 66,67 %.
        assert_eq!(
            f.total.conversion(),
            Some(Percentage::from_basis_points(6_667))
        );
        let clientis = f.by_account[&CompanyId(Uuid::from_u128(1))];
        assert_eq!((clientis.born, clientis.won, clientis.lost), (3, 2, 1));
        let bm = f.by_business_manager[&UserId(Uuid::from_u128(9))];
        assert_eq!(bm.born_value, Money::from_euros(37_000));
        assert_eq!(bm.conversion(), Some(Percentage::from_percent(50)));
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        prop_oneof![Just(Outcome::Open), Just(Outcome::Won), Just(Outcome::Lost)]
    }

    proptest! {
        /// Whatever is born: won ≤ closed ≤ born, the rate between 0 and
        /// 100 %, and the accounts (and the managers) add up to the total.
        #[test]
        fn parts_add_up(items in prop::collection::vec((0u128..4, 0u128..3, 0i64..62, 1i64..100_000, outcome()), 0..40)) {
            let born: Vec<Born> = items
                .iter()
                .map(|&(a, m, d, e, o)| born(a, m, date!(2026 - 11 - 15) + time::Duration::days(d), e, o))
                .collect();
            let f = tally(&born, DECEMBER);
            prop_assert!(f.total.won <= f.total.closed() && f.total.closed() <= f.total.born);
            prop_assert!(f.total.won_value <= f.total.born_value);
            if let Some(r) = f.total.conversion() {
                prop_assert!(r <= Percentage::HUNDRED);
            }
            for parts in [
                f.by_account.values().copied().collect::<Vec<_>>(),
                f.by_business_manager.values().copied().collect(),
            ] {
                prop_assert_eq!(parts.iter().map(|p| p.born).sum::<u32>(), f.total.born);
                prop_assert_eq!(parts.iter().map(|p| p.won).sum::<u32>(), f.total.won);
                prop_assert_eq!(parts.iter().map(|p| p.born_value).sum::<Money>(), f.total.born_value);
                prop_assert_eq!(parts.iter().map(|p| p.won_value).sum::<Money>(), f.total.won_value);
            }
            let inside = born.iter().filter(|b| DECEMBER.contains(b.on)).count() as u32;
            prop_assert_eq!(f.total.born, inside);
        }
    }
}

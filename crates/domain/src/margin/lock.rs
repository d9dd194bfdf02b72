//! The margin lock: once a month's margins are locked (reported to the
//! direction, used for the business managers' variable pay), they never
//! change again.
//!
//! Entering a cost version dated inside a locked month is therefore
//! refused ([`crate::people::cost::check_new_version`]): the locked months
//! keep the costs they were computed with. A change that still concerns
//! them (a raise decided in May, effective 1 March, with March and April
//! locked) is entered from the first open month, and its effect on the
//! locked months is booked there as an adjustment, the way payroll pays a
//! retroactive raise as back pay on the next payslip:
//! [`MarginLock::landing_month`] says which month,
//! [`retroactive_adjustment`] how much.
//!
//! Such a change is a version dated the first day of the first open month
//! with its real start as its retroactive date
//! ([`crate::people::cost::CostVersion::retroactive_from`]); the live
//! margin ([`super::live`]) books the adjustment in that month, one per
//! consultant and mission (or bench carrier), each locked month's days
//! rounded as that month rounded them.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::YearMonth;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::validation::ErrorKey;

/// The months whose margins are locked: every month up to and including
/// `locked_through`, none when it is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarginLock(Option<YearMonth>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// Locks only move forward: a locked month reopened would change
    /// margins already reported and variable pay already computed.
    #[error("margins are already locked through {locked_through}")]
    Backwards { locked_through: YearMonth },
}

impl ErrorKey for LockError {
    fn key(&self) -> &'static str {
        match self {
            LockError::Backwards { .. } => "margin-lock-backwards",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            LockError::Backwards { locked_through } => {
                crate::args![("month", *locked_through)]
            }
        }
    }
}

impl MarginLock {
    /// Nothing locked yet.
    pub const OPEN: MarginLock = MarginLock(None);

    pub const fn through(month: YearMonth) -> MarginLock {
        MarginLock(Some(month))
    }

    pub const fn locked_through(self) -> Option<YearMonth> {
        self.0
    }

    pub fn is_locked(self, month: YearMonth) -> bool {
        self.0.is_some_and(|l| month <= l)
    }

    /// Whether `date` falls in a locked month, where no cost may be
    /// entered or changed.
    pub fn refuses(self, date: Date) -> bool {
        self.is_locked(YearMonth::of(date))
    }

    /// The month after the last locked one; `None` when nothing is locked
    /// (every month is open).
    pub fn first_open_month(self) -> Option<YearMonth> {
        self.0.map(YearMonth::next)
    }

    /// The month where a cost change effective on `effective` shows in the
    /// margins: its own month if open, otherwise the first open month, as
    /// an adjustment.
    pub fn landing_month(self, effective: Date) -> YearMonth {
        let own = YearMonth::of(effective);
        match self.first_open_month() {
            Some(open) if open > own => open,
            _ => own,
        }
    }

    /// Locks every month through `month`. Locking again the same month is
    /// allowed (nothing changes), going back is refused.
    pub fn advance(self, month: YearMonth) -> Result<MarginLock, LockError> {
        match self.0 {
            Some(l) if month < l => Err(LockError::Backwards { locked_through: l }),
            _ => Ok(MarginLock(Some(month))),
        }
    }
}

/// The adjustment a daily cost change brings to the first open month: the
/// days the locked months counted at the old cost, now at the new one.
/// Each side is rounded as the margins rounded it (days × CJM, half up),
/// so that adjustment plus the locked figures equal what the months would
/// have shown had the change been known in time.
pub fn retroactive_adjustment(old_cjm: Money, new_cjm: Money, locked_days: DayQuantity) -> Money {
    super::days_cost(new_cjm, locked_days) - super::days_cost(old_cjm, locked_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;
    use time::macros::date;

    const MARCH: YearMonth = YearMonth::new(2027, Month::March);
    const APRIL: YearMonth = YearMonth::new(2027, Month::April);
    const MAY: YearMonth = YearMonth::new(2027, Month::May);

    #[test]
    fn a_change_into_a_locked_month_lands_in_the_first_open_one() {
        let lock = MarginLock::through(APRIL);
        assert_eq!(lock.landing_month(date!(2027 - 03 - 01)), MAY);
        assert_eq!(lock.landing_month(date!(2027 - 04 - 30)), MAY);
        assert_eq!(lock.landing_month(date!(2027 - 05 - 01)), MAY);
        assert_eq!(
            lock.landing_month(date!(2027 - 07 - 14)),
            YearMonth::new(2027, Month::July)
        );
        // Across the new year.
        let december = MarginLock::through(YearMonth::new(2026, Month::December));
        assert_eq!(
            december.landing_month(date!(2026 - 06 - 01)),
            YearMonth::new(2027, Month::January)
        );
        assert_eq!(
            MarginLock::OPEN.landing_month(date!(2020 - 01 - 15)).year,
            2020
        );
    }

    #[test]
    fn locked_months_refuse_costs() {
        let lock = MarginLock::through(MARCH);
        assert!(lock.refuses(date!(2027 - 03 - 31)));
        assert!(lock.refuses(date!(2026 - 01 - 01)));
        assert!(!lock.refuses(date!(2027 - 04 - 01)));
        assert!(!MarginLock::OPEN.refuses(date!(2027 - 03 - 31)));
        assert_eq!(lock.first_open_month(), Some(APRIL));
        assert_eq!(MarginLock::OPEN.first_open_month(), None);
    }

    #[test]
    fn locks_only_move_forward() {
        let lock = MarginLock::through(APRIL);
        assert_eq!(lock.advance(MAY), Ok(MarginLock::through(MAY)));
        assert_eq!(lock.advance(APRIL), Ok(lock));
        let err = lock.advance(MARCH).unwrap_err();
        assert_eq!(
            err,
            LockError::Backwards {
                locked_through: APRIL
            }
        );
        assert_eq!(err.key(), "margin-lock-backwards");
        assert_eq!(
            MarginLock::OPEN.advance(MARCH),
            Ok(MarginLock::through(MARCH))
        );
    }

    #[test]
    fn back_pay_of_a_raise_is_the_locked_days_at_the_difference() {
        // March and April locked with 40 days at 331,05 €; the raise makes
        // it 345,00 €: May carries 40 × 13,95 € = 558,00 €.
        let adj = retroactive_adjustment(
            Money::from_cents(33_105),
            Money::from_euros(345),
            DayQuantity::from_days(40),
        );
        assert_eq!(adj, Money::from_euros(558));
        // A half day at an odd cent is rounded on each side, as the
        // margins were.
        let half = retroactive_adjustment(
            Money::from_cents(1),
            Money::from_cents(2),
            DayQuantity::from_half_days(1),
        );
        assert_eq!(half, Money::ZERO);
    }
}

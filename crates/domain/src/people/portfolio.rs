//! The business managers' portfolio: who owns a consultant (or an
//! account) on a given day, and with what share.
//!
//! Ownership changes over time (a BM leaves, an account is handed over)
//! and is sometimes shared (70/30 between the hunter who signed the
//! account and the farmer who grows it, PAYROLL.md §3), so it is a list of
//! dated periods, each giving one BM a share. Margins and variable pay are
//! split by these shares, so on every day some period covers, the shares
//! must add up to exactly 100 %: less would lose part of a margin, more
//! would pay it twice. A BM's own periods must not overlap either (his
//! share would be counted twice). Days no period covers have no owner;
//! that is allowed (a consultant between two BMs), and margins of those
//! days go unassigned rather than to a guess.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::UserId;
use crate::locale::{Locale, format_date};
use crate::percent::Percentage;
use crate::validation::{ErrorKey, ValidationErrors};

/// One BM's share from `from` to `to` (both inclusive; open-ended when
/// `to` is `None`). The share is above 0 and at most 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortfolioPeriod {
    pub bm_id: UserId,
    pub from: Date,
    pub to: Option<Date>,
    pub share: Percentage,
}

impl PortfolioPeriod {
    pub fn covers(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// A period as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PortfolioPeriodInput {
    pub bm_id: String,
    pub from: String,
    /// Blank: until further notice.
    pub to: String,
    /// A percentage; blank is 100 %.
    pub share: String,
}

struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

impl PortfolioPeriodInput {
    /// Checks the fields of one period; how it fits with the others is
    /// [`check_portfolio`]'s.
    pub fn validate(&self) -> Result<PortfolioPeriod, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let bm_id = e.required("bm_id", &self.bm_id, |s| {
            UserId::parse(s).ok_or(UnknownRecord)
        });
        let from = e.required("from", &self.from, crate::validation::date);
        let to = e.optional("to", &self.to, crate::validation::date);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            e.add("to", "portfolio-end-before-start");
        }
        let share = if self.share.trim().is_empty() {
            Some(Percentage::HUNDRED)
        } else {
            e.optional("share", &self.share, Percentage::parse)
                .filter(|s| {
                    let ok = !s.is_zero() && *s <= Percentage::HUNDRED;
                    if !ok {
                        e.add("share", "portfolio-share-invalid");
                    }
                    ok
                })
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(PortfolioPeriod {
            bm_id: bm_id.expect("checked"),
            from: from.expect("checked"),
            to,
            share: share.expect("checked"),
        })
    }
}

impl PortfolioPeriod {
    /// The form to edit this period.
    pub fn to_input(&self) -> PortfolioPeriodInput {
        PortfolioPeriodInput {
            bm_id: self.bm_id.to_string(),
            from: format_date(self.from, Locale::Fr),
            to: self
                .to
                .map(|d| format_date(d, Locale::Fr))
                .unwrap_or_default(),
            share: self.share.to_input(),
        }
    }
}

/// Why a set of periods is refused, on the first day it goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PortfolioError {
    #[error("two periods of the same business manager overlap on {day}")]
    SameBmOverlap { bm_id: UserId, day: Date },
    #[error("shares add up to {total} on {day}, not 100 %")]
    SharesNotHundred { day: Date, total: Percentage },
}

impl ErrorKey for PortfolioError {
    fn key(&self) -> &'static str {
        match self {
            PortfolioError::SameBmOverlap { .. } => "portfolio-bm-overlap",
            PortfolioError::SharesNotHundred { .. } => "portfolio-shares-not-hundred",
        }
    }

    /// `total` as a percentage, which the edge writes in the reader's
    /// language ("33,33 %", "33.33%").
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            PortfolioError::SameBmOverlap { day, .. } => crate::args![("day", *day)],
            PortfolioError::SharesNotHundred { day, total } => {
                crate::args![("day", *day), ("total", *total)]
            }
        }
    }
}

/// Checks a whole portfolio: a BM's periods never overlap, and on every
/// day covered the shares add up to exactly 100 %. Reports the earliest
/// day that fails.
///
/// Both totals only change on a day a period starts or the day after one
/// ends, so checking those days is checking every day.
pub fn check_portfolio(periods: &[PortfolioPeriod]) -> Result<(), PortfolioError> {
    let mut days: Vec<Date> = periods
        .iter()
        .flat_map(|p| [Some(p.from), p.to.and_then(Date::next_day)])
        .flatten()
        .collect();
    days.sort();
    days.dedup();
    for day in days {
        let covering: Vec<&PortfolioPeriod> = periods.iter().filter(|p| p.covers(day)).collect();
        if covering.is_empty() {
            continue;
        }
        for (i, p) in covering.iter().enumerate() {
            if covering[..i].iter().any(|q| q.bm_id == p.bm_id) {
                return Err(PortfolioError::SameBmOverlap {
                    bm_id: p.bm_id,
                    day,
                });
            }
        }
        let total: u64 = covering
            .iter()
            .map(|p| u64::from(p.share.basis_points()))
            .sum();
        if total != u64::from(Percentage::HUNDRED.basis_points()) {
            return Err(PortfolioError::SharesNotHundred {
                day,
                total: Percentage::from_basis_points(u32::try_from(total).unwrap_or(u32::MAX)),
            });
        }
    }
    Ok(())
}

/// The owners on `day` and their shares, the largest share first; among
/// equal shares the longest-standing owner (earliest start) first, then
/// by id, so the order never depends on how the periods were listed.
pub fn owners_on(periods: &[PortfolioPeriod], day: Date) -> Vec<(UserId, Percentage)> {
    let mut covering: Vec<&PortfolioPeriod> = periods.iter().filter(|p| p.covers(day)).collect();
    covering.sort_by(|a, b| {
        b.share
            .cmp(&a.share)
            .then(a.from.cmp(&b.from))
            .then(a.bm_id.cmp(&b.bm_id))
    });
    covering.into_iter().map(|p| (p.bm_id, p.share)).collect()
}

/// The "current owner" shown on a page: the owner with the largest share
/// that day, ties broken as [`owners_on`] orders them (the
/// longest-standing, then by id). `None` when nobody owns that day.
pub fn current_owner(periods: &[PortfolioPeriod], day: Date) -> Option<UserId> {
    owners_on(periods, day).first().map(|(bm, _)| *bm)
}

/// What a change of business manager on the mission form means: from
/// `day` on, `new_bm` owns it alone; before `day`, history stays as it
/// was (periods covering `day` end the day before, periods starting on or
/// after it are dropped). When `new_bm` already owns it alone from `day`
/// on, until further notice, nothing changes. A valid portfolio stays
/// valid.
pub fn hand_over(periods: &[PortfolioPeriod], new_bm: UserId, day: Date) -> Vec<PortfolioPeriod> {
    let alone_for_good = periods
        .iter()
        .filter(|p| p.covers(day) || p.from > day)
        .all(|p| p.bm_id == new_bm && p.share == Percentage::HUNDRED && p.to.is_none());
    if alone_for_good && owners_on(periods, day) == [(new_bm, Percentage::HUNDRED)] {
        return periods.to_vec();
    }
    let mut out: Vec<PortfolioPeriod> = periods
        .iter()
        .filter(|p| p.from < day)
        .map(|p| PortfolioPeriod {
            to: match p.to {
                Some(to) if to < day => Some(to),
                _ => day.previous_day(),
            },
            ..*p
        })
        .collect();
    out.push(PortfolioPeriod {
        bm_id: new_bm,
        from: day,
        to: None,
        share: Percentage::HUNDRED,
    });
    out
}

/// What saving a mission's form means for its portfolio `current`, the
/// form naming `bm` and the mission starting on `start`: `None` when
/// nothing changes. A new mission belongs to its manager alone from its
/// start; a start moved earlier gives those days to the first owners
/// (their shares made 100 % on the first day, so they still do); another
/// manager takes it over from `today` with the history kept, or alone from
/// the start for a mission not yet begun (no history to keep).
pub fn follow_form(
    current: &[PortfolioPeriod],
    bm: UserId,
    start: Date,
    today: Date,
) -> Option<Vec<PortfolioPeriod>> {
    let alone = || {
        vec![PortfolioPeriod {
            bm_id: bm,
            from: start,
            to: None,
            share: Percentage::HUNDRED,
        }]
    };
    let mut current = current.to_vec();
    let first = current.iter().map(|p| p.from).min();
    let mut changed = false;
    if let Some(first) = first
        && first > start
    {
        for p in current.iter_mut().filter(|p| p.from == first) {
            p.from = start;
        }
        changed = true;
    }
    let day = today.max(start);
    if current.is_empty() {
        Some(alone())
    } else if current_owner(&current, day) == Some(bm) {
        changed.then_some(current)
    } else if today <= start {
        Some(alone())
    } else {
        Some(hand_over(&current, bm, day))
    }
}

/// The owner the mission shows (its `business_manager_id`): today's, else
/// the current owner of the nearest covered day: the first day of a
/// portfolio starting later, the last day of a portfolio that has ended.
/// Shared periods are settled as on any day (largest share, then the
/// longest-standing, then by id), never by the order they are listed in.
pub fn shown_owner(periods: &[PortfolioPeriod], today: Date) -> Option<UserId> {
    let first_later = periods.iter().map(|p| p.from).filter(|d| *d > today).min();
    // Nobody owns today and nothing starts later: every period has ended
    // (an open-ended one would cover today or start later).
    let last_covered = periods.iter().filter_map(|p| p.to).max();
    current_owner(periods, today)
        .or_else(|| first_later.and_then(|d| current_owner(periods, d)))
        .or_else(|| last_covered.and_then(|d| current_owner(periods, d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::margin::split_by_shares;
    use crate::money::Money;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;
    use uuid::Uuid;

    fn bm(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn period(who: u128, from: Date, to: Option<Date>, percent: u32) -> PortfolioPeriod {
        PortfolioPeriod {
            bm_id: bm(who),
            from,
            to,
            share: Percentage::from_percent(percent),
        }
    }

    /// Alice alone in 2026, then 70/30 with Bruno, then Bruno alone.
    fn handover() -> Vec<PortfolioPeriod> {
        vec![
            period(1, date!(2026 - 01 - 01), Some(date!(2026 - 12 - 31)), 100),
            period(1, date!(2027 - 01 - 01), Some(date!(2027 - 06 - 30)), 70),
            period(2, date!(2027 - 01 - 01), Some(date!(2027 - 06 - 30)), 30),
            period(2, date!(2027 - 07 - 01), None, 100),
        ]
    }

    #[test]
    fn a_handover_with_a_shared_half_year_is_valid() {
        let p = handover();
        assert_eq!(check_portfolio(&p), Ok(()));
        assert_eq!(owners_on(&p, date!(2025 - 12 - 31)), vec![]);
        assert_eq!(current_owner(&p, date!(2025 - 12 - 31)), None);
        assert_eq!(current_owner(&p, date!(2026 - 06 - 01)), Some(bm(1)));
        assert_eq!(
            owners_on(&p, date!(2027 - 03 - 01)),
            vec![
                (bm(1), Percentage::from_percent(70)),
                (bm(2), Percentage::from_percent(30))
            ]
        );
        assert_eq!(current_owner(&p, date!(2027 - 03 - 01)), Some(bm(1)));
        assert_eq!(current_owner(&p, date!(2030 - 01 - 01)), Some(bm(2)));
    }

    #[test]
    fn shares_not_adding_up_to_100_are_refused_on_the_first_day() {
        let mut p = handover();
        p[2].share = Percentage::from_percent(20);
        let err = check_portfolio(&p).unwrap_err();
        assert_eq!(
            err,
            PortfolioError::SharesNotHundred {
                day: date!(2027 - 01 - 01),
                total: Percentage::from_percent(90)
            }
        );
        assert_eq!(err.key(), "portfolio-shares-not-hundred");
        assert_eq!(
            err.args(),
            crate::args![
                ("day", date!(2027 - 01 - 01)),
                ("total", Percentage::from_percent(90))
            ]
        );
        let thirds = [
            period(1, date!(2027 - 01 - 01), None, 33),
            period(2, date!(2027 - 01 - 01), None, 33),
        ];
        let err = check_portfolio(&thirds).unwrap_err();
        let total = &err.args()[1].1;
        assert_eq!(
            total.format(Locale::Fr, &|k, _| k.to_owned()),
            "66\u{202f}%"
        );
        let odd = [PortfolioPeriod {
            share: Percentage::from_basis_points(3333),
            ..thirds[0]
        }];
        let err = check_portfolio(&odd).unwrap_err();
        let total = &err.args()[1].1;
        assert_eq!(
            total.format(Locale::Fr, &|k, _| k.to_owned()),
            "33,33\u{202f}%"
        );
        assert_eq!(total.format(Locale::En, &|k, _| k.to_owned()), "33.33%");
        // A third owner starting mid-period pushes the total over 100 %.
        let mut p = handover();
        p.push(period(
            3,
            date!(2027 - 03 - 01),
            Some(date!(2027 - 03 - 31)),
            10,
        ));
        assert_eq!(
            check_portfolio(&p),
            Err(PortfolioError::SharesNotHundred {
                day: date!(2027 - 03 - 01),
                total: Percentage::from_percent(110)
            })
        );
        // A 30 % share ending before its partner's leaves 70 % alone.
        let mut p = handover();
        p[2].to = Some(date!(2027 - 05 - 31));
        assert_eq!(
            check_portfolio(&p),
            Err(PortfolioError::SharesNotHundred {
                day: date!(2027 - 06 - 01),
                total: Percentage::from_percent(70)
            })
        );
    }

    #[test]
    fn a_bms_own_periods_must_not_overlap() {
        let mut p = handover();
        // Bruno's open period starts the day before his shared one ends.
        p[3].from = date!(2027 - 06 - 30);
        let err = check_portfolio(&p).unwrap_err();
        assert_eq!(
            err,
            PortfolioError::SameBmOverlap {
                bm_id: bm(2),
                day: date!(2027 - 06 - 30)
            }
        );
        assert_eq!(err.key(), "portfolio-bm-overlap");
        // Two halves for the same BM add up to 100 % but are still refused.
        let halves = [
            period(1, date!(2027 - 01 - 01), None, 50),
            period(1, date!(2027 - 01 - 01), None, 50),
        ];
        assert_eq!(
            check_portfolio(&halves),
            Err(PortfolioError::SameBmOverlap {
                bm_id: bm(1),
                day: date!(2027 - 01 - 01)
            })
        );
        assert_eq!(check_portfolio(&[]), Ok(()));
    }

    #[test]
    fn ties_go_to_the_longest_standing_owner_then_the_id() {
        let p = [
            period(2, date!(2027 - 01 - 01), None, 50),
            period(1, date!(2027 - 02 - 01), None, 50),
        ];
        assert_eq!(current_owner(&p, date!(2027 - 03 - 01)), Some(bm(2)));
        let same_day = [
            period(2, date!(2027 - 01 - 01), None, 50),
            period(1, date!(2027 - 01 - 01), None, 50),
        ];
        assert_eq!(current_owner(&same_day, date!(2027 - 03 - 01)), Some(bm(1)));
        let mut reversed = same_day;
        reversed.reverse();
        assert_eq!(
            owners_on(&reversed, date!(2027 - 03 - 01)),
            owners_on(&same_day, date!(2027 - 03 - 01))
        );
    }

    #[test]
    fn a_period_form_validates() {
        let i = PortfolioPeriodInput {
            bm_id: bm(1).to_string(),
            from: "01/01/2027".into(),
            to: "30/06/2027".into(),
            share: "70 %".into(),
        };
        let p = i.validate().unwrap();
        assert_eq!(
            p,
            period(1, date!(2027 - 01 - 01), Some(date!(2027 - 06 - 30)), 70)
        );
        assert_eq!(p.to_input().validate(), Ok(p));
        let open = PortfolioPeriodInput {
            to: String::new(),
            share: String::new(),
            ..i.clone()
        };
        assert_eq!(
            open.validate().unwrap(),
            period(1, date!(2027 - 01 - 01), None, 100)
        );
        let keys = |i: PortfolioPeriodInput| -> Vec<(&'static str, &'static str)> {
            i.validate()
                .unwrap_err()
                .0
                .iter()
                .map(|f| (f.field, f.key))
                .collect()
        };
        assert_eq!(
            keys(PortfolioPeriodInput {
                to: "31/12/2026".into(),
                share: "0".into(),
                ..i.clone()
            }),
            vec![
                ("to", "portfolio-end-before-start"),
                ("share", "portfolio-share-invalid")
            ]
        );
        assert_eq!(
            keys(PortfolioPeriodInput {
                share: "120".into(),
                ..i.clone()
            }),
            vec![("share", "portfolio-share-invalid")]
        );
        assert_eq!(
            keys(PortfolioPeriodInput {
                share: "-30".into(),
                ..i.clone()
            }),
            vec![("share", "percent-negative")]
        );
        assert_eq!(
            keys(PortfolioPeriodInput::default()),
            vec![("bm_id", "field-required"), ("from", "field-required")]
        );
    }

    fn day(n: i64) -> Date {
        date!(2027 - 01 - 01) + Duration::days(n)
    }

    fn periods() -> impl Strategy<Value = Vec<PortfolioPeriod>> {
        prop::collection::vec(
            (
                1u128..4,
                0i64..60,
                prop::option::of(0i64..40),
                prop::sample::select(vec![2500u32, 5000, 7500, 10_000]),
            ),
            0..6,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(who, start, len, bp)| PortfolioPeriod {
                    bm_id: bm(who),
                    from: day(start),
                    to: len.map(|l| day(start + l)),
                    share: Percentage::from_basis_points(bp),
                })
                .collect()
        })
    }

    /// Portfolios valid by construction: consecutive segments (with gaps
    /// between some), each split among distinct BMs by a partition of 100 %;
    /// the last segment may be open-ended.
    fn valid_periods() -> impl Strategy<Value = Vec<PortfolioPeriod>> {
        let splits: Vec<Vec<u32>> = vec![
            vec![10_000],
            vec![5_000, 5_000],
            vec![7_000, 3_000],
            vec![2_500, 2_500, 5_000],
            vec![3_334, 3_333, 3_333],
        ];
        (
            prop::collection::vec(
                (0i64..5, 1i64..40, prop::sample::select(splits), 0u128..4),
                0..5,
            ),
            any::<bool>(),
        )
            .prop_map(|(segments, open_end)| {
                let mut out = Vec::new();
                let mut start = 0;
                let n = segments.len();
                for (i, (gap, len, split, offset)) in segments.into_iter().enumerate() {
                    start += gap;
                    let to = (!(open_end && i + 1 == n)).then(|| day(start + len - 1));
                    for (k, bp) in split.into_iter().enumerate() {
                        out.push(PortfolioPeriod {
                            bm_id: bm(1 + (offset + k as u128) % 4),
                            from: day(start),
                            to,
                            share: Percentage::from_basis_points(bp),
                        });
                    }
                    start += len;
                }
                out
            })
    }

    proptest! {
        /// The check agrees with looking at every single day.
        #[test]
        fn agrees_with_checking_every_day(p in periods()) {
            let brute = (0..120).map(day).find_map(|d| {
                let covering: Vec<&PortfolioPeriod> = p.iter().filter(|q| q.covers(d)).collect();
                if covering.is_empty() {
                    return None;
                }
                for (i, q) in covering.iter().enumerate() {
                    if covering[..i].iter().any(|r| r.bm_id == q.bm_id) {
                        return Some(PortfolioError::SameBmOverlap { bm_id: q.bm_id, day: d });
                    }
                }
                let total: u32 = covering.iter().map(|q| q.share.basis_points()).sum();
                (total != 10_000).then(|| PortfolioError::SharesNotHundred { day: d, total: Percentage::from_basis_points(total) })
            });
            prop_assert_eq!(check_portfolio(&p).err(), brute);
        }

        /// On a valid portfolio, every covered day's shares add up to
        /// 100 %, a margin split by them adds up to itself, and the
        /// current owner holds the largest share.
        #[test]
        fn valid_portfolios_split_margins_exactly(p in valid_periods(), probe in 0i64..200, amount in -1_000_000i64..10_000_000) {
            prop_assert_eq!(check_portfolio(&p), Ok(()));
            let owners = owners_on(&p, day(probe));
            if owners.is_empty() {
                prop_assert_eq!(current_owner(&p, day(probe)), None);
            } else {
                let total: u32 = owners.iter().map(|o| o.1.basis_points()).sum();
                prop_assert_eq!(total, 10_000);
                let parts = split_by_shares(Money::from_cents(amount), &owners).unwrap();
                prop_assert_eq!(parts.iter().map(|x| x.1).sum::<Money>(), Money::from_cents(amount));
                let max = owners.iter().map(|o| o.1).max().unwrap();
                let current = current_owner(&p, day(probe)).unwrap();
                prop_assert!(owners.iter().any(|o| o.0 == current && o.1 == max));
            }
        }
    }

    #[test]
    fn a_hand_over_keeps_history_and_gives_the_rest_to_the_new_manager() {
        // Hunter 70 / farmer 30 since January; the farmer takes it all
        // from 1 March.
        let shared = vec![period(1, day(0), None, 70), period(2, day(0), None, 30)];
        let after = hand_over(&shared, bm(2), day(59));
        assert_eq!(
            after,
            vec![
                period(1, day(0), Some(day(58)), 70),
                period(2, day(0), Some(day(58)), 30),
                period(2, day(59), None, 100),
            ]
        );
        assert_eq!(check_portfolio(&after), Ok(()));
        assert_eq!(current_owner(&after, day(10)), Some(bm(1)));
        assert_eq!(current_owner(&after, day(59)), Some(bm(2)));
        // Already his alone: nothing changes.
        assert_eq!(hand_over(&after, bm(2), day(70)), after);
        // A period planned after the day is replaced.
        let planned = vec![
            period(1, day(0), Some(day(9)), 100),
            period(3, day(10), None, 100),
        ];
        assert_eq!(
            hand_over(&planned, bm(2), day(5)),
            vec![
                period(1, day(0), Some(day(4)), 100),
                period(2, day(5), None, 100)
            ]
        );
        // Nothing before: the new manager from that day.
        assert_eq!(
            hand_over(&[], bm(1), day(3)),
            vec![period(1, day(3), None, 100)]
        );
    }

    proptest! {
        #[test]
        fn a_hand_over_keeps_a_portfolio_valid_and_the_past_unchanged(
            ps in valid_periods(), who in 0u128..5, at in 0i64..200,
        ) {
            let after = hand_over(&ps, bm(who), day(at));
            prop_assert_eq!(check_portfolio(&after), Ok(()));
            prop_assert_eq!(owners_on(&after, day(at)), vec![(bm(who), Percentage::HUNDRED)]);
            prop_assert_eq!(current_owner(&after, day(at + 365)), Some(bm(who)));
            for d in 0..at {
                prop_assert_eq!(owners_on(&after, day(d)), owners_on(&ps, day(d)));
            }
        }
    }

    #[test]
    fn the_mission_form_decides_the_portfolio() {
        let today = day(30);
        // A new mission: its manager alone from its start.
        assert_eq!(
            follow_form(&[], bm(1), day(0), today),
            Some(vec![period(1, day(0), None, 100)])
        );
        let own = vec![period(1, day(0), None, 100)];
        // Saved unchanged: nothing.
        assert_eq!(follow_form(&own, bm(1), day(0), today), None);
        // Started earlier: the first owner owns those days too.
        assert_eq!(
            follow_form(&own, bm(1), day(-5), today),
            Some(vec![period(1, day(-5), None, 100)])
        );
        // Another manager: from today, history kept.
        assert_eq!(
            follow_form(&own, bm(2), day(0), today),
            Some(hand_over(&own, bm(2), today))
        );
        // Not begun yet: the new manager alone from the start.
        let planned = vec![period(1, day(40), None, 100)];
        assert_eq!(
            follow_form(&planned, bm(2), day(40), today),
            Some(vec![period(2, day(40), None, 100)])
        );
    }

    #[test]
    fn the_owner_shown_is_todays_else_the_nearest() {
        let shared = vec![
            period(1, day(0), Some(day(9)), 70),
            period(2, day(0), Some(day(9)), 30),
        ];
        assert_eq!(shown_owner(&shared, day(5)), Some(bm(1)));
        let handed = vec![
            period(1, day(0), Some(day(4)), 100),
            period(2, day(5), Some(day(9)), 100),
        ];
        assert_eq!(
            shown_owner(&handed, day(20)),
            Some(bm(2)),
            "ended: the last owner"
        );
        // Ended shared: the larger share of the last day, however listed.
        let ended_shared = vec![
            period(1, day(0), Some(day(4)), 100),
            period(2, day(5), Some(day(9)), 60),
            period(3, day(5), Some(day(9)), 40),
        ];
        assert_eq!(shown_owner(&ended_shared, day(20)), Some(bm(2)));
        let mut listed_otherwise = ended_shared.clone();
        listed_otherwise.reverse();
        assert_eq!(shown_owner(&listed_otherwise, day(20)), Some(bm(2)));
        // Equal shares: the longest-standing owner of that day.
        let halves = vec![
            period(3, day(0), Some(day(9)), 50),
            period(2, day(5), Some(day(9)), 50),
            period(1, day(0), Some(day(4)), 50),
        ];
        assert_eq!(check_portfolio(&halves), Ok(()));
        assert_eq!(shown_owner(&halves, day(20)), Some(bm(3)));
        // Shared from a later start: the larger share of the first day.
        let later_shared = vec![period(4, day(10), None, 30), period(5, day(10), None, 70)];
        assert_eq!(shown_owner(&later_shared, day(5)), Some(bm(5)));
        let later = vec![period(3, day(10), None, 100)];
        assert_eq!(
            shown_owner(&later, day(5)),
            Some(bm(3)),
            "not begun: the first owner"
        );
        assert_eq!(shown_owner(&[], day(5)), None);
    }
}

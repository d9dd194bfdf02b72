//! Leave: typed requests in full or half days, approved by the manager,
//! counted on the consultant's working days only (a week of leave over a
//! public holiday costs four days, not five).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::cra::{Half, WorkPattern};
use crate::mission::DayQuantity;
use crate::validation::ValidationErrors;

pub mod mail;

/// A leave type's code: "cp", "rtt", "sans_solde", … Firms add their own, so
/// it is a checked string rather than an enum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeaveTypeCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a leave type code is 1 to 20 lowercase letters, digits or underscores")]
pub struct LeaveTypeCodeInvalid;

impl LeaveTypeCode {
    pub fn parse(s: &str) -> Result<LeaveTypeCode, LeaveTypeCodeInvalid> {
        let ok = (1..=20).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(LeaveTypeCode(s.to_owned()))
        } else {
            Err(LeaveTypeCodeInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LeaveTypeCode {
    type Error = LeaveTypeCodeInvalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        LeaveTypeCode::parse(&s)
    }
}

impl From<LeaveTypeCode> for String {
    fn from(c: LeaveTypeCode) -> String {
        c.0
    }
}

impl std::fmt::Display for LeaveTypeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The types every firm has, seeded by the migration.
pub const STANDARD_TYPES: [(&str, &str, &str, bool); 5] = [
    ("cp", "Congés payés", "Paid leave", true),
    ("rtt", "RTT", "RTT (reduced working time)", true),
    ("sans_solde", "Congé sans solde", "Unpaid leave", false),
    ("maladie", "Maladie", "Sick leave", false),
    ("formation", "Formation", "Training leave", false),
];

/// A leave period: from a day's morning or afternoon to a day's noon or
/// evening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavePeriod {
    pub start: Date,
    /// `Pm` starts at noon.
    pub start_half: Half,
    pub end: Date,
    /// `Am` ends at noon.
    pub end_half: Half,
}

/// Longer requests are almost always typos in the year.
pub const MAX_LEAVE_DAYS: i64 = 366;

impl LeavePeriod {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.end < self.start {
            e.add("end", "leave-end-before-start");
        } else if self.end == self.start && self.start_half == Half::Pm && self.end_half == Half::Am
        {
            e.add("end_half", "leave-empty-half");
        } else if (self.end - self.start).whole_days() > MAX_LEAVE_DAYS {
            e.add("end", "leave-too-long");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// The half days the leave actually takes: the consultant's working
    /// halves inside the period.
    pub fn halves(&self, pattern: WorkPattern) -> Vec<(Date, Half)> {
        let mut out = Vec::new();
        if self.validate().is_err() {
            return out;
        }
        let mut d = self.start;
        loop {
            if pattern.works_on(d) {
                for h in Half::BOTH {
                    let before_start =
                        d == self.start && self.start_half == Half::Pm && h == Half::Am;
                    let after_end = d == self.end && self.end_half == Half::Am && h == Half::Pm;
                    if !before_start && !after_end {
                        out.push((d, h));
                    }
                }
            }
            if d >= self.end {
                break;
            }
            match d.next_day() {
                Some(n) => d = n,
                None => break,
            }
        }
        out
    }

    pub fn days(&self, pattern: WorkPattern) -> DayQuantity {
        DayQuantity::from_half_days(self.halves(pattern).len() as u32)
    }

    pub fn overlaps(&self, other: &LeavePeriod) -> bool {
        let key = |d: Date, h: Half| (d, h);
        key(self.start, self.start_half) <= key(other.end, other.end_half)
            && key(other.start, other.start_half) <= key(self.end, self.end_half)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveStatus {
    Requested,
    Approved,
    Refused,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveEvent {
    Approve,
    Refuse,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("leave cannot go from {from:?} by {event:?}")]
pub struct LeaveTransitionError {
    pub from: LeaveStatus,
    pub event: LeaveEvent,
}

impl LeaveStatus {
    pub const ALL: [LeaveStatus; 4] = [
        LeaveStatus::Requested,
        LeaveStatus::Approved,
        LeaveStatus::Refused,
        LeaveStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "requested",
            LeaveStatus::Approved => "approved",
            LeaveStatus::Refused => "refused",
            LeaveStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<LeaveStatus> {
        LeaveStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("leave-status-{}", self.as_str())
    }

    /// Approved leave can still be cancelled (plans change); refused and
    /// cancelled requests are final.
    pub fn transition(self, event: LeaveEvent) -> Result<LeaveStatus, LeaveTransitionError> {
        use LeaveEvent::*;
        use LeaveStatus::*;
        match (self, event) {
            (Requested, Approve) => Ok(Approved),
            (Requested, Refuse) => Ok(Refused),
            (Requested | Approved, Cancel) => Ok(Cancelled),
            (from, event) => Err(LeaveTransitionError { from, event }),
        }
    }
}

/// A balance per type and year, in half days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Balance {
    pub acquired: DayQuantity,
    /// Approved, already past.
    pub taken: DayQuantity,
    /// Approved, still ahead.
    pub planned: DayQuantity,
    /// Requested, not yet decided.
    pub pending: DayQuantity,
}

impl Balance {
    /// What is left once taken and planned leave are counted; negative when
    /// the firm let someone take more than acquired (it happens: advances).
    pub fn remaining_half_days(&self) -> i64 {
        i64::from(self.acquired.half_days())
            - i64::from(self.taken.half_days())
            - i64::from(self.planned.half_days())
    }

    /// Adds one request's halves, split at `today` between taken and planned.
    pub fn count(&mut self, status: LeaveStatus, halves: &[(Date, Half)], today: Date) {
        let add = |q: &mut DayQuantity, n: usize| {
            *q = DayQuantity::from_half_days(q.half_days() + n as u32);
        };
        match status {
            LeaveStatus::Approved => {
                let past = halves.iter().filter(|(d, _)| *d <= today).count();
                add(&mut self.taken, past);
                add(&mut self.planned, halves.len() - past);
            }
            LeaveStatus::Requested => add(&mut self.pending, halves.len()),
            LeaveStatus::Refused | LeaveStatus::Cancelled => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Region;
    use proptest::prelude::*;
    use time::macros::date;

    fn period(start: Date, sh: Half, end: Date, eh: Half) -> LeavePeriod {
        LeavePeriod {
            start,
            start_half: sh,
            end,
            end_half: eh,
        }
    }

    #[test]
    fn codes_are_checked() {
        assert!(LeaveTypeCode::parse("cp").is_ok());
        assert!(LeaveTypeCode::parse("conge_naissance2").is_ok());
        assert!(LeaveTypeCode::parse("").is_err());
        assert!(LeaveTypeCode::parse("CP").is_err());
        assert!(LeaveTypeCode::parse("a b").is_err());
        assert!(LeaveTypeCode::parse(&"x".repeat(21)).is_err());
    }

    #[test]
    fn a_week_over_a_holiday_costs_four_days() {
        // Monday 9 → Friday 13 November 2026; 11 November is a holiday.
        let p = period(
            date!(2026 - 11 - 09),
            Half::Am,
            date!(2026 - 11 - 13),
            Half::Pm,
        );
        assert_eq!(p.days(WorkPattern::default()), DayQuantity::from_days(4));
        // Alsace-Moselle: 26 December is off too.
        let xmas = period(
            date!(2026 - 12 - 21),
            Half::Am,
            date!(2026 - 12 - 27),
            Half::Pm,
        );
        assert_eq!(xmas.days(WorkPattern::default()), DayQuantity::from_days(4));
        let am = WorkPattern {
            region: Region::AlsaceMoselle,
            ..WorkPattern::default()
        };
        // 26 Dec 2026 is a Saturday, so the same count; Good Friday shows it.
        assert_eq!(xmas.days(am), DayQuantity::from_days(4));
        let easter = period(
            date!(2026 - 04 - 03),
            Half::Am,
            date!(2026 - 04 - 03),
            Half::Pm,
        );
        assert_eq!(
            easter.days(WorkPattern::default()),
            DayQuantity::from_days(1)
        );
        assert_eq!(easter.days(am), DayQuantity::ZERO);
    }

    #[test]
    fn half_days_at_either_end() {
        let d = date!(2026 - 11 - 16);
        let morning = period(d, Half::Am, d, Half::Am);
        assert_eq!(morning.halves(WorkPattern::default()), vec![(d, Half::Am)]);
        let afternoon = period(d, Half::Pm, d, Half::Pm);
        assert_eq!(
            afternoon.halves(WorkPattern::default()),
            vec![(d, Half::Pm)]
        );
        let e = period(d, Half::Pm, d, Half::Am).validate().unwrap_err();
        assert_eq!(e.0[0].key, "leave-empty-half");
        let e = period(d, Half::Am, date!(2026 - 11 - 15), Half::Pm)
            .validate()
            .unwrap_err();
        assert_eq!(e.0[0].key, "leave-end-before-start");
        let p = period(d, Half::Pm, date!(2026 - 11 - 17), Half::Am);
        assert_eq!(p.days(WorkPattern::default()), DayQuantity::from_days(1));
    }

    #[test]
    fn transitions() {
        use LeaveEvent::*;
        use LeaveStatus::*;
        assert_eq!(Requested.transition(Approve), Ok(Approved));
        assert_eq!(Requested.transition(Refuse), Ok(Refused));
        assert_eq!(Approved.transition(Cancel), Ok(Cancelled));
        assert!(Approved.transition(Approve).is_err());
        assert!(Refused.transition(Cancel).is_err());
        assert!(Cancelled.transition(Approve).is_err());
    }

    #[test]
    fn balances_split_at_today() {
        let halves = period(
            date!(2026 - 11 - 26),
            Half::Am,
            date!(2026 - 12 - 01),
            Half::Pm,
        )
        .halves(WorkPattern::default());
        let mut b = Balance {
            acquired: DayQuantity::from_days(25),
            ..Balance::default()
        };
        b.count(LeaveStatus::Approved, &halves, date!(2026 - 11 - 29));
        assert_eq!(b.taken, DayQuantity::from_days(2));
        assert_eq!(b.planned, DayQuantity::from_days(2));
        b.count(LeaveStatus::Requested, &halves[..1], date!(2026 - 11 - 29));
        assert_eq!(b.pending, DayQuantity::from_half_days(1));
        assert_eq!(b.remaining_half_days(), 42);
    }

    proptest! {
        #[test]
        fn halves_are_unique_inside_and_on_working_days(start in 0i64..400, len in 0i64..40, sh in any::<bool>(), eh in any::<bool>()) {
            let s = date!(2026 - 01 - 01) + time::Duration::days(start);
            let p = period(s, if sh { Half::Am } else { Half::Pm }, s + time::Duration::days(len), if eh { Half::Am } else { Half::Pm });
            let halves = p.halves(WorkPattern::default());
            let mut seen = std::collections::BTreeSet::new();
            for (d, h) in &halves {
                prop_assert!(seen.insert((*d, *h)));
                prop_assert!(*d >= p.start && *d <= p.end);
                prop_assert!(WorkPattern::default().works_on(*d));
            }
            prop_assert!(halves.len() as i64 <= 2 * (len + 1));
        }
    }
}

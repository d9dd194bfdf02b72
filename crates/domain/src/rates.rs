//! The daily rate in force on each day of a mission, as amendments
//! (avenants) change the rate or the end date.
//!
//! Invoices are computed day by day from this schedule, so a rate change in
//! the middle of a month bills the days before it at the old rate and the
//! days from it at the new one. Amendments apply in the order of their
//! effective dates, so a new one cannot re-rate days that a later-dated one
//! already settled.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::mission::Tjm;
use crate::validation::ErrorKey;

/// A change to a mission signed by both parties: a new rate from
/// `effective_from`, a new end date, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub effective_from: Date,
    pub new_tjm: Option<Tjm>,
    /// Later than the current end for a renewal, earlier to shorten.
    pub new_end: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    #[error("an amendment must change the rate or the end date")]
    Empty,
    #[error("the effective date is outside the mission")]
    OutsideMission,
    #[error("the new end date is before the effective date or unchanged")]
    EndInvalid,
    #[error("the effective date is before a previous amendment's")]
    OutOfOrder,
}

impl ErrorKey for AmendmentError {
    fn key(&self) -> &'static str {
        match self {
            AmendmentError::Empty => "amendment-empty",
            AmendmentError::OutsideMission => "amendment-outside-mission",
            AmendmentError::EndInvalid => "amendment-end-invalid",
            AmendmentError::OutOfOrder => "amendment-out-of-order",
        }
    }
}

/// One step of the schedule: `tjm` applies from `from` until the next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateChange {
    pub from: Date,
    pub tjm: Tjm,
}

/// Consecutive days, both bounds included, billed at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RatePeriod {
    pub from: Date,
    pub to: Date,
    pub tjm: Tjm,
}

/// The rates of a mission from its start to its current end date.
///
/// Invariants: `steps` is never empty, starts on `start`, is strictly
/// increasing in dates, never has two consecutive steps with the same rate,
/// and no step starts after `end`. `periods` relies on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateSchedule {
    start: Date,
    end: Date,
    steps: Vec<RateChange>,
    /// Effective date of the last amendment applied, whatever it changed.
    last_effective: Option<Date>,
}

impl RateSchedule {
    /// The schedule as signed, before any amendment. `end` is inclusive;
    /// an `end` before `start` gives a schedule with no day (validated
    /// missions never have one, and a query is better answered "no rate"
    /// than by a panic).
    pub fn new(start: Date, end: Date, base: Tjm) -> RateSchedule {
        RateSchedule {
            start,
            end,
            steps: vec![RateChange {
                from: start,
                tjm: base,
            }],
            last_effective: None,
        }
    }

    /// Applies an amendment, or leaves the schedule untouched and says why.
    ///
    /// - It must change something (`Empty`).
    /// - Amendments come in the order of their effective dates; equal dates
    ///   are allowed, the later one winning (`OutOfOrder`). Allowing an
    ///   earlier date would rewrite the rate of days a later amendment
    ///   already settled.
    /// - The effective date lies within the mission as it stands. An
    ///   extension (a new end, with or without a new rate for the extended
    ///   period) may also take effect the day after the current end, which is
    ///   how a renewal reads (`OutsideMission`).
    /// - A new end date is on or after the effective date, and differs from
    ///   the current one (`EndInvalid`).
    pub fn apply(&mut self, a: &Amendment) -> Result<(), AmendmentError> {
        let Amendment {
            effective_from: from,
            new_tjm,
            new_end,
        } = *a;
        if new_tjm.is_none() && new_end.is_none() {
            return Err(AmendmentError::Empty);
        }
        if self.last_effective.is_some_and(|last| from < last) {
            return Err(AmendmentError::OutOfOrder);
        }
        let within = self.start <= from && from <= self.end;
        let day_after_end = self.end.next_day() == Some(from);
        // A renewal starts the day after the current end; it may set the
        // rate of the extended period in the same amendment.
        let extends = new_end.is_some();
        if !(within || (extends && day_after_end)) {
            return Err(AmendmentError::OutsideMission);
        }
        if let Some(end) = new_end
            && (end < from || end == self.end)
        {
            return Err(AmendmentError::EndInvalid);
        }

        if let Some(tjm) = new_tjm {
            // A second change on the same day replaces the first; a change
            // back to the rate already in force is no step at all.
            if self.steps.last().is_some_and(|s| s.from == from) {
                self.steps.pop();
            }
            if self.steps.last().map(|s| s.tjm) != Some(tjm) {
                self.steps.push(RateChange { from, tjm });
            }
        }
        if let Some(end) = new_end {
            // Every step starts at or before `from` (effective dates only
            // grow), so a shortened end never strands a step after it.
            self.end = end;
        }
        self.last_effective = Some(from);
        Ok(())
    }

    pub fn start(&self) -> Date {
        self.start
    }

    /// The current end date, amendments included.
    pub fn end(&self) -> Date {
        self.end
    }

    /// The rate steps, the first one starting on the mission's start date.
    pub fn changes(&self) -> &[RateChange] {
        &self.steps
    }

    /// The rate in force on `date`, `None` outside the mission.
    pub fn tjm_on(&self, date: Date) -> Option<Tjm> {
        if date < self.start || date > self.end {
            return None;
        }
        self.steps
            .iter()
            .rev()
            .find(|s| s.from <= date)
            .map(|s| s.tjm)
    }

    /// The days of `from..=to` that belong to the mission, cut into
    /// contiguous periods at each rate change: what a monthly invoice bills
    /// line by line. Empty when the window misses the mission.
    pub fn periods(&self, from: Date, to: Date) -> Vec<RatePeriod> {
        let lo = from.max(self.start);
        let hi = to.min(self.end);
        if lo > hi {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let step_end = match self.steps.get(i + 1) {
                Some(next) => next
                    .from
                    .previous_day()
                    .expect("a later step has a day before"),
                None => self.end,
            };
            let (a, b) = (step.from.max(lo), step_end.min(hi));
            if a <= b {
                out.push(RatePeriod {
                    from: a,
                    to: b,
                    tjm: step.tjm,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    fn tjm(euros: i64) -> Tjm {
        Tjm::from_cents(euros * 100).unwrap()
    }

    fn amend(from: Date, new_tjm: Option<i64>, new_end: Option<Date>) -> Amendment {
        Amendment {
            effective_from: from,
            new_tjm: new_tjm.map(tjm),
            new_end,
        }
    }

    const START: Date = date!(2026 - 03 - 01);
    const END: Date = date!(2026 - 08 - 31);

    fn schedule() -> RateSchedule {
        RateSchedule::new(START, END, tjm(600))
    }

    #[test]
    fn a_new_schedule_has_one_rate() {
        let s = schedule();
        assert_eq!((s.start(), s.end()), (START, END));
        assert_eq!(s.tjm_on(START), Some(tjm(600)));
        assert_eq!(s.tjm_on(END), Some(tjm(600)));
        assert_eq!(s.tjm_on(date!(2026 - 02 - 28)), None);
        assert_eq!(s.tjm_on(date!(2026 - 09 - 01)), None);
        assert_eq!(
            s.changes(),
            &[RateChange {
                from: START,
                tjm: tjm(600)
            }]
        );
    }

    #[test]
    fn a_mid_month_rate_change_splits_the_month() {
        let mut s = schedule();
        s.apply(&amend(date!(2026 - 04 - 15), Some(650), None))
            .unwrap();
        assert_eq!(s.tjm_on(date!(2026 - 04 - 14)), Some(tjm(600)));
        assert_eq!(s.tjm_on(date!(2026 - 04 - 15)), Some(tjm(650)));
        assert_eq!(
            s.periods(date!(2026 - 04 - 01), date!(2026 - 04 - 30)),
            vec![
                RatePeriod {
                    from: date!(2026 - 04 - 01),
                    to: date!(2026 - 04 - 14),
                    tjm: tjm(600)
                },
                RatePeriod {
                    from: date!(2026 - 04 - 15),
                    to: date!(2026 - 04 - 30),
                    tjm: tjm(650)
                },
            ]
        );
        // Windows are clipped to the mission.
        assert_eq!(
            s.periods(date!(2026 - 01 - 01), date!(2026 - 03 - 10)),
            vec![RatePeriod {
                from: START,
                to: date!(2026 - 03 - 10),
                tjm: tjm(600)
            }]
        );
        assert!(
            s.periods(date!(2026 - 09 - 01), date!(2026 - 09 - 30))
                .is_empty()
        );
        assert!(
            s.periods(date!(2026 - 05 - 02), date!(2026 - 05 - 01))
                .is_empty()
        );
    }

    #[test]
    fn validation_rules() {
        let mut s = schedule();
        assert_eq!(
            s.apply(&amend(START, None, None)),
            Err(AmendmentError::Empty)
        );
        assert_eq!(
            s.apply(&amend(date!(2026 - 02 - 28), Some(650), None)),
            Err(AmendmentError::OutsideMission)
        );
        // A rate change alone cannot start the day after the end; with an
        // extension it can (a renewal at a new rate), checked on a copy.
        let day_after = date!(2026 - 09 - 01);
        assert_eq!(
            s.apply(&amend(day_after, Some(650), None)),
            Err(AmendmentError::OutsideMission)
        );
        let mut renewed = s.clone();
        assert_eq!(
            renewed.apply(&amend(day_after, Some(650), Some(date!(2027 - 02 - 28)))),
            Ok(())
        );
        assert_eq!(
            renewed.tjm_on(day_after).map(|t| t.amount().cents()),
            Some(65_000)
        );
        assert_eq!(
            s.apply(&amend(
                date!(2026 - 09 - 02),
                None,
                Some(date!(2027 - 02 - 28))
            )),
            Err(AmendmentError::OutsideMission)
        );
        assert_eq!(
            s.apply(&amend(date!(2026 - 05 - 01), None, Some(END))),
            Err(AmendmentError::EndInvalid)
        );
        assert_eq!(
            s.apply(&amend(
                date!(2026 - 05 - 01),
                None,
                Some(date!(2026 - 04 - 30))
            )),
            Err(AmendmentError::EndInvalid)
        );
        assert_eq!(s, schedule(), "refused amendments change nothing");

        s.apply(&amend(date!(2026 - 06 - 01), Some(650), None))
            .unwrap();
        assert_eq!(
            s.apply(&amend(date!(2026 - 05 - 31), Some(700), None)),
            Err(AmendmentError::OutOfOrder)
        );
        // Same date as the previous amendment: allowed, replaces.
        s.apply(&amend(date!(2026 - 06 - 01), Some(700), None))
            .unwrap();
        assert_eq!(s.tjm_on(date!(2026 - 06 - 01)), Some(tjm(700)));
        assert_eq!(s.changes().len(), 2);
        let keys = [
            AmendmentError::Empty,
            AmendmentError::OutsideMission,
            AmendmentError::EndInvalid,
            AmendmentError::OutOfOrder,
        ]
        .map(|e| e.key());
        assert_eq!(
            keys,
            [
                "amendment-empty",
                "amendment-outside-mission",
                "amendment-end-invalid",
                "amendment-out-of-order"
            ]
        );
    }

    #[test]
    fn extensions_and_shortenings() {
        let mut s = schedule();
        // A renewal signed late, effective the day after the end.
        s.apply(&amend(
            date!(2026 - 09 - 01),
            None,
            Some(date!(2027 - 02 - 28)),
        ))
        .unwrap();
        assert_eq!(s.end(), date!(2027 - 02 - 28));
        assert_eq!(s.tjm_on(date!(2027 - 01 - 15)), Some(tjm(600)));
        // Then a rate change within the extension, and an extension that
        // also changes the rate.
        s.apply(&amend(date!(2027 - 01 - 01), Some(650), None))
            .unwrap();
        s.apply(&amend(
            date!(2027 - 02 - 01),
            Some(680),
            Some(date!(2027 - 06 - 30)),
        ))
        .unwrap();
        assert_eq!(s.tjm_on(date!(2026 - 12 - 31)), Some(tjm(600)));
        assert_eq!(s.tjm_on(date!(2027 - 01 - 31)), Some(tjm(650)));
        assert_eq!(s.tjm_on(date!(2027 - 06 - 30)), Some(tjm(680)));
        // Shortened: the days after the new end are no longer billable.
        s.apply(&amend(
            date!(2027 - 03 - 01),
            None,
            Some(date!(2027 - 03 - 31)),
        ))
        .unwrap();
        assert_eq!(s.tjm_on(date!(2027 - 04 - 01)), None);
        assert_eq!(
            s.periods(START, date!(2099 - 01 - 01)).last().unwrap().to,
            date!(2027 - 03 - 31)
        );
    }

    #[test]
    fn a_change_back_to_the_current_rate_is_no_step() {
        let mut s = schedule();
        s.apply(&amend(date!(2026 - 04 - 01), Some(600), None))
            .unwrap();
        assert_eq!(s.changes().len(), 1);
        s.apply(&amend(date!(2026 - 05 - 01), Some(650), None))
            .unwrap();
        s.apply(&amend(date!(2026 - 05 - 01), Some(600), None))
            .unwrap();
        assert_eq!(s.changes().len(), 1);
        assert_eq!(s.periods(START, END).len(), 1);
        s.apply(&amend(date!(2026 - 05 - 01), Some(610), None))
            .unwrap();
        assert_eq!(s.changes().len(), 2);
        // A change on the start date replaces the base rate.
        let mut s2 = schedule();
        s2.apply(&amend(START, Some(610), None)).unwrap();
        assert_eq!(
            s2.changes(),
            &[RateChange {
                from: START,
                tjm: tjm(610)
            }]
        );
    }

    #[test]
    fn an_inverted_schedule_has_no_day() {
        let s = RateSchedule::new(END, START, tjm(600));
        assert_eq!(s.tjm_on(START), None);
        assert_eq!(s.tjm_on(END), None);
        assert!(s.periods(START, END).is_empty());
    }

    // ----- Properties -----

    #[derive(Debug, Clone)]
    struct Spec {
        offset: i64,
        tjm: Option<i64>,
        end: Option<i64>,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (
            -5i64..260,
            proptest::option::of(prop_oneof![Just(600i64), 500i64..800]),
            proptest::option::of(-5i64..400),
        )
            .prop_map(|(offset, tjm, end)| Spec { offset, tjm, end })
    }

    /// A schedule built from random amendments, with the list of those it
    /// accepted.
    fn build(len: i64, base: i64, specs: &[Spec]) -> (RateSchedule, Vec<Amendment>) {
        let start = date!(2026 - 01 - 01);
        let mut s = RateSchedule::new(start, start + Duration::days(len), tjm(base));
        let mut accepted = Vec::new();
        for sp in specs {
            let a = amend(
                start + Duration::days(sp.offset),
                sp.tjm,
                sp.end.map(|e| start + Duration::days(e)),
            );
            let before = s.clone();
            match s.apply(&a) {
                Ok(()) => accepted.push(a),
                Err(_) => assert_eq!(s, before),
            }
        }
        (s, accepted)
    }

    fn model_tjm(s: &RateSchedule, base: i64, accepted: &[Amendment], d: Date) -> Option<Tjm> {
        if d < s.start() || d > s.end() {
            return None;
        }
        Some(
            accepted
                .iter()
                .rev()
                .filter(|a| a.effective_from <= d)
                .find_map(|a| a.new_tjm)
                .unwrap_or(tjm(base)),
        )
    }

    proptest! {
        #[test]
        fn tjm_on_is_the_last_applicable_amendment(
            len in 0i64..200,
            base in 500i64..800,
            specs in proptest::collection::vec(spec(), 0..8),
        ) {
            let (s, accepted) = build(len, base, &specs);
            for k in -10..420 {
                let d = s.start() + Duration::days(k);
                prop_assert_eq!(s.tjm_on(d), model_tjm(&s, base, &accepted, d), "{}", d);
            }
            // Invariants of the steps.
            let steps = s.changes();
            prop_assert_eq!(steps[0].from, s.start());
            for w in steps.windows(2) {
                prop_assert!(w[0].from < w[1].from && w[0].tjm != w[1].tjm);
            }
            prop_assert!(steps.iter().all(|st| st.from <= s.end()));
        }

        #[test]
        fn periods_cover_each_day_once(
            len in 0i64..200,
            base in 500i64..800,
            specs in proptest::collection::vec(spec(), 0..8),
            w_from in -20i64..420,
            w_len in 0i64..120,
        ) {
            let (s, _) = build(len, base, &specs);
            let from = s.start() + Duration::days(w_from);
            let to = from + Duration::days(w_len);
            let periods = s.periods(from, to);
            let mut days = Vec::new();
            for p in &periods {
                prop_assert!(p.from <= p.to);
                let mut d = p.from;
                while d <= p.to {
                    prop_assert_eq!(s.tjm_on(d), Some(p.tjm));
                    days.push(d);
                    d = d.next_day().unwrap();
                }
            }
            for w in periods.windows(2) {
                prop_assert_eq!(w[0].to.next_day(), Some(w[1].from));
                prop_assert_ne!(w[0].tjm, w[1].tjm);
            }
            let mut expected = Vec::new();
            let mut d = from;
            while d <= to {
                if d >= s.start() && d <= s.end() {
                    expected.push(d);
                }
                d = d.next_day().unwrap();
            }
            prop_assert_eq!(days, expected);
        }

        #[test]
        fn an_extension_never_changes_a_past_day(
            len in 0i64..200,
            base in 500i64..800,
            specs in proptest::collection::vec(spec(), 0..6),
            back in 0i64..4,
            day_after in any::<bool>(),
            more in 1i64..200,
        ) {
            let (mut s, _) = build(len, base, &specs);
            let before = s.clone();
            let old_end = s.end();
            let from = if day_after {
                old_end.next_day().unwrap()
            } else {
                (old_end - Duration::days(back)).max(s.start())
            };
            let new_end = old_end + Duration::days(more);
            if s.apply(&amend(from, None, Some(new_end))).is_ok() {
                prop_assert_eq!(s.end(), new_end);
                let mut d = before.start();
                while d <= old_end {
                    prop_assert_eq!(s.tjm_on(d), before.tjm_on(d));
                    d = d.next_day().unwrap();
                }
                let last = before.tjm_on(old_end);
                while d <= new_end {
                    prop_assert_eq!(s.tjm_on(d), last);
                    d = d.next_day().unwrap();
                }
            } else {
                // Only an out-of-order date can refuse it.
                prop_assert!(before.last_effective.is_some_and(|l| from < l));
            }
        }
    }
}

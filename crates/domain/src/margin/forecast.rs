//! The 90-day forecast margin: what the missions in progress will earn and
//! cost over the coming days if nothing changes, with the missions whose
//! end falls inside the window and has no renewal decision flagged as at
//! risk (ACCOUNTING.md §9, "marge prévisionnelle à 90 jours").
//!
//! Each mission's days to come are its consultant's working days (his
//! weekly pattern and his region's holidays, less the leave already
//! approved), from tomorrow to the horizon and within the mission; each
//! day earns the rate in force that day (amendments included) and costs
//! the daily cost in force that day, the same two rules the invoicing and
//! the margin use, so a forecast month turns into the same figures once
//! worked. The CRM's open opportunities starting in the window come in
//! beside it through [`Pipeline`] (`crm::pipeline::for_forecast`): their
//! weighted revenue, and their weighted margin only where the cost of
//! their days is known; they are never added to the missions' figures,
//! which are what is signed.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::{MarginRate, days_cost, margin_rate};
use crate::calendar::YearMonth;
use crate::cra::{Half, WorkPattern};
use crate::ids::{MissionId, UserId};
use crate::leave::LeavePeriod;
use crate::mission::{DayQuantity, Tjm};
use crate::money::Money;
use crate::rates::RateSchedule;

/// The forecast window, in days after today.
pub const HORIZON_DAYS: i64 = 90;

/// A renewal is "at risk" when the mission ends within this many days and
/// no decision has been recorded (the renewals page's D-60 alert).
pub const AT_RISK_DAYS: i64 = 60;

/// A mission in progress, as the forecast needs it.
#[derive(Debug, Clone)]
pub struct Running {
    pub mission: MissionId,
    pub consultant: UserId,
    pub rates: RateSchedule,
    /// The consultant's working time per day from tomorrow to the horizon
    /// (his pattern and holidays; a day with half a day of approved leave
    /// counts half, a day off entirely is absent); days outside the mission
    /// are ignored here.
    pub working_days: Vec<(Date, DayQuantity)>,
    /// A renewal decision is recorded (renewed or not).
    pub renewal_decided: bool,
}

/// What a day of the consultant costs, when known (a person without a
/// cost version, or hidden salaries without a grade: unknown).
pub trait DailyCost {
    fn on(&self, consultant: UserId, day: Date) -> Option<Money>;
}

impl<F: Fn(UserId, Date) -> Option<Money>> DailyCost for F {
    fn on(&self, consultant: UserId, day: Date) -> Option<Money> {
        self(consultant, day)
    }
}

/// The open opportunities starting in the window, weighted by their
/// probability: what the pipeline may add to the forecast.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    pub count: u32,
    pub weighted_revenue: Money,
    /// Over the opportunities whose daily cost is known only.
    pub weighted_margin_known: Money,
    /// Weighted revenue of those whose cost is unknown: no margin is
    /// counted for it.
    pub weighted_revenue_without_cost: Money,
}

/// One mission's forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissionForecast {
    pub mission: MissionId,
    pub consultant: UserId,
    pub days: DayQuantity,
    pub revenue: Money,
    /// `None` when a day's cost is unknown: the margin is then unknown too,
    /// never read as the whole revenue.
    pub cost: Option<Money>,
    pub ends: Date,
    /// Ends inside [`AT_RISK_DAYS`] without a renewal decision.
    pub renewal_at_risk: bool,
    /// Revenue, cost (when known) per calendar month of the window.
    pub months: BTreeMap<YearMonth, (Money, Option<Money>)>,
}

impl MissionForecast {
    pub fn margin(&self) -> Option<Money> {
        self.cost.map(|c| self.revenue - c)
    }

    pub fn rate(&self) -> Option<MarginRate> {
        margin_rate(self.margin()?, self.revenue)
    }
}

/// The whole forecast: per mission, then totals over the missions whose
/// cost is known (and how much revenue has no known cost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub from: Date,
    pub to: Date,
    pub missions: Vec<MissionForecast>,
    pub revenue: Money,
    /// Over the missions with a known cost only.
    pub margin_known: Money,
    /// Revenue of missions whose cost is unknown.
    pub revenue_without_cost: Money,
    pub at_risk: usize,
    pub pipeline: Option<Pipeline>,
}

/// A consultant's working time per day from `from` to `to`: his pattern's
/// working days (weekdays he works, his region's holidays off), less the
/// halves his approved leave takes.
pub fn working_time(
    pattern: WorkPattern,
    from: Date,
    to: Date,
    leave: &[LeavePeriod],
) -> Vec<(Date, DayQuantity)> {
    let off: std::collections::BTreeSet<(Date, Half)> =
        leave.iter().flat_map(|l| l.halves(pattern)).collect();
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if pattern.works_on(d) {
            let halves = Half::BOTH
                .iter()
                .filter(|h| !off.contains(&(d, **h)))
                .count();
            out.push((d, DayQuantity::from_half_days(halves as u32)));
        }
        let Some(next) = d.next_day() else { break };
        d = next;
    }
    out
}

/// The window of the forecast made on `today`: tomorrow to the horizon.
pub fn window(today: Date) -> (Date, Date) {
    (
        today + time::Duration::days(1),
        today + time::Duration::days(HORIZON_DAYS),
    )
}

/// The forecast from the day after `today` to `today + HORIZON_DAYS`.
pub fn forecast(
    today: Date,
    running: &[Running],
    cost: &impl DailyCost,
    pipeline: Option<Pipeline>,
) -> Forecast {
    let (from, to) = window(today);
    let mut missions = Vec::with_capacity(running.len());
    for r in running {
        // Days counted per month and rate, then priced once per group: the
        // month's invoice bills a line per rate period and the margin costs
        // a month's days at the CJM in one rounding, so the forecast of a
        // month becomes the same figures once worked.
        let mut sold: BTreeMap<(YearMonth, Tjm), u32> = BTreeMap::new();
        let mut spent: BTreeMap<(YearMonth, Option<Money>), u32> = BTreeMap::new();
        let mut days = DayQuantity::ZERO;
        for &(d, q) in &r.working_days {
            if d < from || d > to || q == DayQuantity::ZERO {
                continue;
            }
            // Outside the mission (before its start, after its end as
            // amended) the schedule has no rate.
            let Some(tjm) = r.rates.tjm_on(d) else {
                continue;
            };
            let month = YearMonth::of(d);
            *sold.entry((month, tjm)).or_default() += q.half_days();
            *spent.entry((month, cost.on(r.consultant, d))).or_default() += q.half_days();
            days = DayQuantity::from_half_days(days.half_days() + q.half_days());
        }
        let mut months: BTreeMap<YearMonth, (Money, Option<Money>)> = BTreeMap::new();
        for ((month, rate), halves) in sold {
            months
                .entry(month)
                .or_insert((Money::ZERO, Some(Money::ZERO)))
                .0 += rate.for_days(DayQuantity::from_half_days(halves));
        }
        for ((month, cjm), halves) in spent {
            let m = months
                .entry(month)
                .or_insert((Money::ZERO, Some(Money::ZERO)));
            m.1 =
                m.1.zip(cjm)
                    .map(|(a, c)| a + days_cost(c, DayQuantity::from_half_days(halves)));
        }
        let revenue = months.values().map(|m| m.0).sum();
        let known = months
            .values()
            .try_fold(Money::ZERO, |acc, m| m.1.map(|c| acc + c));
        let ends = r.rates.end();
        let renewal_at_risk = !r.renewal_decided
            && ends >= today
            && ends <= today + time::Duration::days(AT_RISK_DAYS);
        if days == DayQuantity::ZERO && !renewal_at_risk {
            continue;
        }
        missions.push(MissionForecast {
            mission: r.mission,
            consultant: r.consultant,
            days,
            revenue,
            cost: known,
            ends,
            renewal_at_risk,
            months,
        });
    }
    let revenue = missions.iter().map(|m| m.revenue).sum();
    let margin_known = missions.iter().filter_map(MissionForecast::margin).sum();
    let revenue_without_cost = missions
        .iter()
        .filter(|m| m.cost.is_none())
        .map(|m| m.revenue)
        .sum();
    let at_risk = missions.iter().filter(|m| m.renewal_at_risk).count();
    Forecast {
        from,
        to,
        missions,
        revenue,
        margin_known,
        revenue_without_cost,
        at_risk,
        pipeline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::Amendment;
    use proptest::prelude::*;
    use time::macros::date;

    fn weekdays(from: Date, to: Date) -> Vec<(Date, DayQuantity)> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if d.weekday().number_days_from_monday() < 5 {
                out.push((d, DayQuantity::from_days(1)));
            }
            d = d.next_day().unwrap();
        }
        out
    }

    fn running(start: Date, end: Date, tjm: i64) -> Running {
        Running {
            mission: MissionId::new(),
            consultant: UserId::new(),
            rates: RateSchedule::new(start, end, Tjm::from_cents(tjm).unwrap()),
            working_days: weekdays(date!(2026 - 12 - 08), date!(2027 - 03 - 31)),
            renewal_decided: false,
        }
    }

    #[test]
    fn camille_at_600_with_a_cjm_of_331_05() {
        // Today Monday 7 December 2026; the mission runs to 31 January.
        let today = date!(2026 - 12 - 07);
        let r = running(date!(2026 - 01 - 01), date!(2027 - 01 - 31), 60_000);
        let f = forecast(today, &[r], &|_, _| Some(Money::from_cents(33_105)), None);
        let m = &f.missions[0];
        // 8–31 December: 18 weekdays; January 2027: 21.
        assert_eq!(m.days, DayQuantity::from_days(39));
        assert_eq!(m.revenue, Money::from_euros(23_400));
        assert_eq!(m.cost, Some(Money::from_cents(39 * 33_105)));
        assert_eq!(m.margin(), Some(Money::from_cents(2_340_000 - 1_291_095)));
        assert!(m.renewal_at_risk, "ends in 55 days, nothing decided");
        assert_eq!(
            m.months[&YearMonth::of(date!(2026 - 12 - 01))],
            (
                Money::from_euros(10_800),
                Some(Money::from_cents(18 * 33_105))
            )
        );
        assert_eq!(f.at_risk, 1);
        assert_eq!(f.margin_known, m.margin().unwrap());
    }

    #[test]
    fn an_amended_rate_applies_from_its_day_and_a_decision_clears_the_risk() {
        let today = date!(2026 - 12 - 07);
        let mut r = running(date!(2026 - 01 - 01), date!(2027 - 01 - 15), 50_000);
        r.rates
            .apply(&Amendment {
                effective_from: date!(2027 - 01 - 01),
                new_tjm: Some(Tjm::from_cents(55_000).unwrap()),
                new_end: None,
            })
            .unwrap();
        r.renewal_decided = true;
        let f = forecast(today, &[r], &|_, _| None, None);
        let m = &f.missions[0];
        // 18 December days at 500 €, 1–15 January: 11 weekdays at 550 €.
        assert_eq!(m.revenue, Money::from_euros(18 * 500 + 11 * 550));
        assert!(!m.renewal_at_risk);
        assert_eq!(m.cost, None, "unknown cost stays unknown");
        assert_eq!(f.margin_known, Money::ZERO);
        assert_eq!(f.revenue_without_cost, m.revenue);
    }

    #[test]
    fn a_half_day_of_leave_counts_half() {
        let today = date!(2026 - 12 - 07);
        let mut r = running(date!(2026 - 01 - 01), date!(2027 - 12 - 31), 60_001);
        r.working_days = vec![
            (date!(2026 - 12 - 08), DayQuantity::from_half_days(1)),
            (date!(2026 - 12 - 09), DayQuantity::ZERO),
            (date!(2026 - 12 - 10), DayQuantity::from_days(1)),
        ];
        let f = forecast(today, &[r], &|_, _| Some(Money::from_cents(33_105)), None);
        let m = &f.missions[0];
        assert_eq!(m.days, DayQuantity::from_half_days(3));
        // 1,5 days priced once: 900,015 → 900,02 €; 496,575 → 496,58 €.
        assert_eq!(m.revenue, Money::from_cents(90_002));
        assert_eq!(m.cost, Some(Money::from_cents(49_658)));
    }

    #[test]
    fn working_time_follows_the_pattern_holidays_and_leave() {
        // Four days a week (no Wednesday), Christmas off, leave from the
        // afternoon of Monday 21 to the morning of Tuesday 22 December.
        let pattern = WorkPattern {
            region: crate::calendar::Region::Standard,
            weekdays: WorkPattern::parse_weekdays("1245").unwrap(),
        };
        let leave = LeavePeriod {
            start: date!(2026 - 12 - 21),
            start_half: Half::Pm,
            end: date!(2026 - 12 - 22),
            end_half: Half::Am,
        };
        let days = working_time(
            pattern,
            date!(2026 - 12 - 21),
            date!(2026 - 12 - 27),
            &[leave],
        );
        assert_eq!(
            days,
            vec![
                (date!(2026 - 12 - 21), DayQuantity::from_half_days(1)),
                (date!(2026 - 12 - 22), DayQuantity::from_half_days(1)),
                (date!(2026 - 12 - 24), DayQuantity::from_days(1)),
            ]
        );
    }

    #[test]
    fn nothing_after_the_horizon_nor_outside_the_mission() {
        let today = date!(2026 - 12 - 07);
        let r = running(date!(2027 - 02 - 01), date!(2027 - 12 - 31), 60_000);
        let f = forecast(today, &[r], &|_, _| Some(Money::from_euros(300)), None);
        // 1 February to 7 March 2027 (today + 90): 25 weekdays.
        assert_eq!(f.missions[0].days, DayQuantity::from_days(25));
        assert!(!f.missions[0].renewal_at_risk);
    }

    proptest! {
        /// Whatever the rates and costs, margin = revenue − cost per
        /// mission and the months add up to the mission.
        #[test]
        fn months_add_up(tjm in 30_000i64..120_000, cjm in 10_000i64..90_000, len in 1i64..200) {
            let today = date!(2026 - 12 - 07);
            let r = running(date!(2026 - 11 - 01), today + time::Duration::days(len), tjm);
            let f = forecast(today, &[r], &|_, _| Some(Money::from_cents(cjm)), None);
            for m in &f.missions {
                let rev: Money = m.months.values().map(|v| v.0).sum();
                let cost: Money = m.months.values().map(|v| v.1.unwrap()).sum();
                prop_assert_eq!(rev, m.revenue);
                prop_assert_eq!(Some(cost), m.cost);
                prop_assert_eq!(m.margin(), Some(m.revenue - cost));
            }
        }
    }
}

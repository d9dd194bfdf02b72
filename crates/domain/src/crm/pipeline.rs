//! The pipeline in covered days, set against the consultants becoming
//! free over the same 90 days (ACCOUNTING.md §9).
//!
//! **Covered days** = Σ, over the open opportunities starting within 90
//! days (those already started included: their need runs now), of the
//! days still to come × positions × probability: the "DataViz" need, 2
//! positions × 40 days at 30 %, covers 24 days. **Value** is the expected
//! revenue, **weighted value** the expected revenue × probability.
//!
//! **Days becoming free** = for each consultant whose mission ends within
//! the 90 days without a renewal (or who is on the bench today), his
//! working days from the day after the end (tomorrow for the bench) to
//! the horizon. Month by month, the covered days of the needs starting in
//! the month (already started: the current month) stand against the free
//! days of the consultants becoming free in the month: the needs the
//! business managers must staff against the people they must place.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::opportunity::covered_hundredths;
use crate::calendar::{Region, YearMonth, working_days_between};
use crate::ids::{AgencyId, CompanyId, OpportunityId, UserId};
use crate::margin::days_cost;
use crate::margin::forecast::{HORIZON_DAYS, Pipeline as ForecastPipeline};
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::percent::Percentage;

/// One open opportunity, as the pipeline counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub opportunity: OpportunityId,
    pub account: CompanyId,
    pub business_manager: UserId,
    /// The business manager's agency, when he has one.
    pub agency: Option<AgencyId>,
    pub start: Date,
    /// Days of one position, in all, and still to come today.
    pub days: DayQuantity,
    pub remaining: DayQuantity,
    pub positions: u32,
    pub probability: Percentage,
    pub expected: Money,
    pub weighted: Money,
    /// A day of the consultant it would staff, when known (a renewal: the
    /// renewed mission's consultant); `None` otherwise.
    pub daily_cost: Option<Money>,
}

impl Line {
    /// Covered days in hundredths of a day.
    pub fn covered(&self) -> i64 {
        covered_hundredths(self.remaining, self.positions, self.probability)
    }
}

/// A consultant becoming free within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freed {
    pub consultant: UserId,
    pub agency: Option<AgencyId>,
    /// The business manager and account of the mission ending; none for
    /// the bench.
    pub business_manager: Option<UserId>,
    pub account: Option<CompanyId>,
    /// His first day without a mission.
    pub free_from: Date,
    pub region: Region,
}

/// What a group of opportunities is worth and covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub count: u32,
    pub expected: Money,
    pub weighted: Money,
    /// Hundredths of a day.
    pub covered: i64,
    /// Working days of the consultants becoming free (the groups a
    /// consultant belongs to: his agency, his mission's manager and account).
    pub free_days: u32,
}

impl Figures {
    fn add(&mut self, l: &Line) {
        self.count += 1;
        self.expected += l.expected;
        self.weighted += l.weighted;
        self.covered += l.covered();
    }

    /// The figures of two groups together (a page's "other accounts").
    pub fn merge(&mut self, o: &Figures) {
        self.count += o.count;
        self.expected += o.expected;
        self.weighted += o.weighted;
        self.covered += o.covered;
        self.free_days += o.free_days;
    }
}

/// The pipeline of the window, overall and by group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineView {
    pub today: Date,
    pub horizon: Date,
    pub total: Figures,
    pub by_business_manager: BTreeMap<UserId, Figures>,
    pub by_account: BTreeMap<CompanyId, Figures>,
    /// `None`: managers without an agency.
    pub by_agency: BTreeMap<Option<AgencyId>, Figures>,
    /// Per month: covered hundredths, free days.
    pub months: BTreeMap<YearMonth, (i64, u32)>,
    /// The opportunities counted, in the order given.
    pub lines: Vec<Line>,
    pub freed: Vec<(Freed, u32)>,
}

/// The last day of the window opened on `today`.
pub fn horizon(today: Date) -> Date {
    today + time::Duration::days(HORIZON_DAYS)
}

/// Whether the pipeline counts `l` on `today`: starting by the horizon,
/// with days still to come.
pub fn counts(l: &Line, today: Date) -> bool {
    l.start <= horizon(today) && l.remaining > DayQuantity::ZERO
}

/// The working days a freed consultant offers within the window.
pub fn free_days(f: &Freed, today: Date) -> u32 {
    let first = f.free_from.max(today + time::Duration::days(1));
    let last = horizon(today);
    if first > last {
        return 0;
    }
    working_days_between(first, last, f.region).len() as u32
}

/// The pipeline on `today` of the open opportunities `lines` (those not
/// counted are left out) against the consultants `freed`.
pub fn pipeline(today: Date, lines: &[Line], freed: &[Freed]) -> PipelineView {
    let mut v = PipelineView {
        today,
        horizon: horizon(today),
        total: Figures::default(),
        by_business_manager: BTreeMap::new(),
        by_account: BTreeMap::new(),
        by_agency: BTreeMap::new(),
        months: BTreeMap::new(),
        lines: Vec::new(),
        freed: Vec::new(),
    };
    for l in lines.iter().filter(|l| counts(l, today)) {
        v.total.add(l);
        v.by_business_manager
            .entry(l.business_manager)
            .or_default()
            .add(l);
        v.by_account.entry(l.account).or_default().add(l);
        v.by_agency.entry(l.agency).or_default().add(l);
        v.months
            .entry(YearMonth::of(l.start.max(today)))
            .or_default()
            .0 += l.covered();
        v.lines.push(l.clone());
    }
    for f in freed {
        let days = free_days(f, today);
        if days == 0 {
            continue;
        }
        v.total.free_days += days;
        v.by_agency.entry(f.agency).or_default().free_days += days;
        if let Some(bm) = f.business_manager {
            v.by_business_manager.entry(bm).or_default().free_days += days;
        }
        if let Some(a) = f.account {
            v.by_account.entry(a).or_default().free_days += days;
        }
        v.months
            .entry(YearMonth::of(f.free_from.max(today)))
            .or_default()
            .1 += days;
        v.freed.push((f.clone(), days));
    }
    v
}

/// The forecast margin's part of the pipeline: the open opportunities
/// starting within the forecast window (tomorrow to the horizon), their
/// weighted revenue, and their weighted margin where the cost of their
/// days is known. An opportunity without a known cost adds its revenue to
/// `weighted_revenue_without_cost`, never to the margin.
pub fn for_forecast(today: Date, lines: &[Line]) -> ForecastPipeline {
    let (from, to) = crate::margin::forecast::window(today);
    let mut p = ForecastPipeline::default();
    for l in lines.iter().filter(|l| l.start >= from && l.start <= to) {
        p.count += 1;
        p.weighted_revenue += l.weighted;
        match l.daily_cost {
            Some(cjm) => {
                let cost =
                    Money::from_cents(days_cost(cjm, l.days).cents() * i64::from(l.positions));
                p.weighted_margin_known +=
                    super::opportunity::weighted(l.expected - cost, l.probability);
            }
            None => p.weighted_revenue_without_cost += l.weighted,
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;
    use uuid::Uuid;

    const TODAY: Date = date!(2026 - 12 - 07);

    fn dataviz() -> Line {
        Line {
            opportunity: OpportunityId(Uuid::from_u128(1)),
            account: CompanyId(Uuid::from_u128(10)),
            business_manager: UserId(Uuid::from_u128(20)),
            agency: Some(AgencyId(Uuid::from_u128(30))),
            start: TODAY + time::Duration::days(30),
            days: DayQuantity::from_days(40),
            remaining: DayQuantity::from_days(40),
            positions: 2,
            probability: Percentage::from_percent(30),
            expected: Money::from_euros(44_000),
            weighted: Money::from_euros(13_200),
            daily_cost: None,
        }
    }

    #[test]
    fn dataviz_covers_24_days_in_january() {
        let v = pipeline(TODAY, &[dataviz()], &[]);
        assert_eq!(v.total.covered, 2_400, "2 × 40 days × 30 %");
        assert_eq!(v.total.weighted, Money::from_euros(13_200));
        assert_eq!(v.by_account[&CompanyId(Uuid::from_u128(10))].covered, 2_400);
        assert_eq!(
            v.months[&YearMonth::of(date!(2027 - 01 - 06))],
            (2_400, 0),
            "starts on 6 January"
        );
    }

    #[test]
    fn merged_groups_add_up_to_the_total() {
        let mut other = dataviz();
        other.account = CompanyId(Uuid::from_u128(11));
        other.weighted = Money::from_cents(12_345);
        let v = pipeline(TODAY, &[dataviz(), other], &[]);
        let mut all = Figures::default();
        for f in v.by_account.values() {
            all.merge(f);
        }
        assert_eq!(all, v.total);
    }

    #[test]
    fn beyond_the_horizon_or_used_up_is_not_counted() {
        let mut late = dataviz();
        late.start = TODAY + time::Duration::days(91);
        let mut done = dataviz();
        done.start = TODAY - time::Duration::days(100);
        done.remaining = DayQuantity::ZERO;
        let v = pipeline(TODAY, &[late, done], &[]);
        assert_eq!(v.total, Figures::default());
        // Started already, 10 days left: counted in this month.
        let mut running = dataviz();
        running.start = TODAY - time::Duration::days(20);
        running.remaining = DayQuantity::from_days(10);
        let v = pipeline(TODAY, &[running], &[]);
        assert_eq!(v.total.covered, 600);
        assert_eq!(v.months[&YearMonth::of(TODAY)].0, 600);
    }

    #[test]
    fn lucas_free_after_his_mission_ends() {
        // Lucas's mission ends on Wednesday 20 January 2027 without a
        // renewal: free from the 21st to the horizon (7 March 2027).
        let lucas = Freed {
            consultant: UserId(Uuid::from_u128(2)),
            agency: Some(AgencyId(Uuid::from_u128(30))),
            business_manager: Some(UserId(Uuid::from_u128(20))),
            account: Some(CompanyId(Uuid::from_u128(11))),
            free_from: date!(2027 - 01 - 21),
            region: Region::Standard,
        };
        // 21–29 January: 7 weekdays; February: 20; 1–5 March: 5.
        assert_eq!(free_days(&lucas, TODAY), 32);
        let v = pipeline(TODAY, &[dataviz()], &[lucas]);
        assert_eq!(v.total.free_days, 32);
        assert_eq!(v.months[&YearMonth::of(date!(2027 - 01 - 01))], (2_400, 32));
        assert_eq!(
            v.by_agency[&Some(AgencyId(Uuid::from_u128(30)))].free_days,
            32
        );
        // On the bench since last month: free from tomorrow.
        let bench = Freed {
            free_from: date!(2026 - 11 - 01),
            business_manager: None,
            account: None,
            ..v.freed[0].0.clone()
        };
        assert_eq!(
            free_days(&bench, TODAY),
            working_days_between(date!(2026 - 12 - 08), horizon(TODAY), Region::Standard).len()
                as u32
        );
    }

    #[test]
    fn the_forecast_counts_margin_only_where_the_cost_is_known() {
        let mut renewal = dataviz();
        renewal.positions = 1;
        renewal.days = DayQuantity::from_days(20);
        renewal.expected = Money::from_euros(20 * 500);
        renewal.probability = Percentage::from_percent(50);
        renewal.weighted = Money::from_euros(5_000);
        renewal.daily_cost = Some(Money::from_euros(480));
        let p = for_forecast(TODAY, &[dataviz(), renewal]);
        assert_eq!(p.count, 2);
        assert_eq!(p.weighted_revenue, Money::from_euros(18_200));
        // (10 000 − 20 × 480) × 50 % = 200 €.
        assert_eq!(p.weighted_margin_known, Money::from_euros(200));
        assert_eq!(p.weighted_revenue_without_cost, Money::from_euros(13_200));
        // Starting today or after the window: not in the forecast.
        let mut today = dataviz();
        today.start = TODAY;
        assert_eq!(for_forecast(TODAY, &[today]).count, 0);
    }

    proptest! {
        /// Whatever the lines: each group adds up to the total, the months
        /// too, and covered days never exceed the days still to come ×
        /// positions.
        #[test]
        fn groups_and_months_add_up(items in prop::collection::vec((0u128..3, 0u128..3, -30i64..120, 0u32..200, 1u32..5, 0u32..=100), 0..30)) {
            let lines: Vec<Line> = items.iter().enumerate().map(|(i, &(a, b, s, half, pos, p))| Line {
                opportunity: OpportunityId(Uuid::from_u128(i as u128)),
                account: CompanyId(Uuid::from_u128(a)),
                business_manager: UserId(Uuid::from_u128(b)),
                agency: (b > 0).then(|| AgencyId(Uuid::from_u128(b))),
                start: TODAY + time::Duration::days(s),
                days: DayQuantity::from_half_days(half),
                remaining: DayQuantity::from_half_days(half),
                positions: pos,
                probability: Percentage::from_percent(p),
                expected: Money::from_cents(i64::from(half) * 30_000 * i64::from(pos)),
                weighted: Money::ZERO,
                daily_cost: None,
            }).collect();
            let v = pipeline(TODAY, &lines, &[]);
            for covered in [
                v.by_account.values().map(|f| f.covered).sum::<i64>(),
                v.by_business_manager.values().map(|f| f.covered).sum(),
                v.by_agency.values().map(|f| f.covered).sum(),
                v.months.values().map(|m| m.0).sum(),
            ] {
                prop_assert_eq!(covered, v.total.covered);
            }
            prop_assert_eq!(v.by_account.values().map(|f| f.count).sum::<u32>(), v.total.count);
            let bound: i64 = v.lines.iter().map(|l| i64::from(l.remaining.half_days()) * 50 * i64::from(l.positions)).sum();
            prop_assert!(v.total.covered <= bound + v.lines.len() as i64);
        }
    }
}

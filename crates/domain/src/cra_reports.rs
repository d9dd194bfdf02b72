//! Rules of the activity-report dashboards: what a validated month bills,
//! who a late report is waiting for, and the on-time rate.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::Locale;
use crate::calendar::YearMonth;
use crate::cra::CraStatus;
use crate::mission::{DayQuantity, Tjm};
use crate::money::Money;
use crate::rates::RateSchedule;

pub mod mail;

/// Who has to act for a report to move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stuck {
    /// Not created yet, or still a draft: the consultant must fill and sign.
    Consultant,
    /// Signed, waiting for one client or more.
    Client,
    /// Validated by every client, waiting for the manager.
    Manager,
}

impl Stuck {
    pub const ALL: [Stuck; 3] = [Stuck::Consultant, Stuck::Client, Stuck::Manager];

    /// Where a report in `status` (`None`: never created) waits; `None`
    /// once the manager has validated it (or for a superseded version, which
    /// never waits for anyone).
    pub fn of(status: Option<CraStatus>) -> Option<Stuck> {
        match status {
            None | Some(CraStatus::Draft) => Some(Stuck::Consultant),
            Some(CraStatus::Signed) => Some(Stuck::Client),
            Some(CraStatus::ClientValidated) => Some(Stuck::Manager),
            Some(CraStatus::Validated | CraStatus::Superseded) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stuck::Consultant => "consultant",
            Stuck::Client => "client",
            Stuck::Manager => "manager",
        }
    }
}

/// `part / whole` in thousandths, rounded half up; `None` when there is
/// nothing to divide by. Integers only, so 2 of 3 is always 667 ‰.
pub fn per_mille(part: u32, whole: u32) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let (p, w) = (u64::from(part), u64::from(whole));
    Some(((p * 1000 + w / 2) / w) as u32)
}

/// "66,7 %" / "66.7 %": a per-mille rate as a percentage with one decimal.
pub fn format_per_mille(pm: u32, locale: Locale) -> String {
    format!("{}{}{} %", pm / 10, locale.decimal_separator(), pm % 10)
}

/// Billable days of one report and mission over consecutive days billed at
/// one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatedDays {
    pub from: Date,
    pub to: Date,
    /// `None` for days the schedule does not cover (a mission shortened by
    /// an amendment after the report was validated): shown, never priced.
    pub tjm: Option<Tjm>,
    pub days: DayQuantity,
    pub amount: Money,
}

/// Cuts the mission half days of one month (`halves` per calendar day) at
/// each rate change of the schedule.
///
/// Rounding rule: each line's amount is `half days × TJM / 2`, computed
/// exactly and rounded once to the cent, half up (`Tjm::for_days`), so a
/// half day at 600,01 € is 300,01 €. Totals are sums of the rounded lines,
/// the way the invoice will add them up; a line is never re-rounded.
pub fn split_by_rate(
    schedule: &RateSchedule,
    month: YearMonth,
    halves: &BTreeMap<Date, u32>,
) -> Vec<RatedDays> {
    let mut out = Vec::new();
    let mut priced = 0u32;
    for p in schedule.periods(month.first_day(), month.last_day()) {
        let n: u32 = halves.range(p.from..=p.to).map(|(_, h)| *h).sum();
        if n == 0 {
            continue;
        }
        priced += n;
        let days = DayQuantity::from_half_days(n);
        out.push(RatedDays {
            from: p.from,
            to: p.to,
            tjm: Some(p.tjm),
            days,
            amount: p.tjm.for_days(days),
        });
    }
    let total: u32 = halves.values().sum();
    if priced < total {
        let unrated: Vec<(&Date, &u32)> = halves
            .iter()
            .filter(|(d, h)| **h > 0 && schedule.tjm_on(**d).is_none())
            .collect();
        if let (Some(first), Some(last)) = (unrated.first(), unrated.last()) {
            out.push(RatedDays {
                from: *first.0,
                to: *last.0,
                tjm: None,
                days: DayQuantity::from_half_days(total - priced),
                amount: Money::ZERO,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::Amendment;
    use time::Month;
    use time::macros::date;

    fn tjm(cents: i64) -> Tjm {
        Tjm::from_cents(cents).unwrap()
    }

    fn nov() -> YearMonth {
        YearMonth::new(2026, Month::November)
    }

    fn full_days(days: &[Date]) -> BTreeMap<Date, u32> {
        days.iter().map(|d| (*d, 2)).collect()
    }

    #[test]
    fn a_mid_month_amendment_splits_the_line() {
        let mut s = RateSchedule::new(date!(2026 - 09 - 01), date!(2027 - 02 - 28), tjm(60_000));
        s.apply(&Amendment {
            effective_from: date!(2026 - 11 - 16),
            new_tjm: Some(tjm(65_000)),
            new_end: None,
        })
        .unwrap();
        let wd = nov().working_days(crate::calendar::Region::Standard);
        let mut halves = full_days(&wd);
        // Half a day off on Friday 20.
        halves.insert(date!(2026 - 11 - 20), 1);
        let lines = split_by_rate(&s, nov(), &halves);
        assert_eq!(lines.len(), 2);
        // 2–13 Nov: 9 working days (11 Nov is a holiday).
        assert_eq!(lines[0].from, date!(2026 - 11 - 01));
        assert_eq!(lines[0].to, date!(2026 - 11 - 15));
        assert_eq!(lines[0].days, DayQuantity::from_days(9));
        assert_eq!(lines[0].amount, Money::from_euros(5_400));
        // 16–30 Nov: 11 working days less half a day.
        assert_eq!(lines[1].from, date!(2026 - 11 - 16));
        assert_eq!(lines[1].days, DayQuantity::from_half_days(21));
        assert_eq!(lines[1].amount, Money::from_cents(682_500));
    }

    #[test]
    fn an_odd_cent_rate_rounds_each_line_half_up() {
        let s = RateSchedule::new(date!(2026 - 01 - 01), date!(2026 - 12 - 31), tjm(60_001));
        // 3 half days × 600,01 € / 2 = 900,015 € → 900,02 €.
        let halves: BTreeMap<Date, u32> =
            [(date!(2026 - 11 - 02), 2), (date!(2026 - 11 - 03), 1)].into();
        let lines = split_by_rate(&s, nov(), &halves);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount, Money::from_cents(90_002));
        // One half day: 300,005 € → 300,01 €.
        let one: BTreeMap<Date, u32> = [(date!(2026 - 11 - 02), 1)].into();
        assert_eq!(
            split_by_rate(&s, nov(), &one)[0].amount,
            Money::from_cents(30_001)
        );
    }

    #[test]
    fn days_outside_the_schedule_are_shown_unpriced() {
        // Shortened to 20 Nov after the report was validated.
        let s = RateSchedule::new(date!(2026 - 01 - 01), date!(2026 - 11 - 20), tjm(50_000));
        let halves = full_days(&[
            date!(2026 - 11 - 19),
            date!(2026 - 11 - 20),
            date!(2026 - 11 - 23),
            date!(2026 - 11 - 24),
        ]);
        let lines = split_by_rate(&s, nov(), &halves);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, Money::from_euros(1_000));
        assert_eq!(lines[1].tjm, None);
        assert_eq!(lines[1].days, DayQuantity::from_days(2));
        assert_eq!(
            (lines[1].from, lines[1].to),
            (date!(2026 - 11 - 23), date!(2026 - 11 - 24))
        );
        assert_eq!(lines[1].amount, Money::ZERO);
    }

    #[test]
    fn rates_are_integers_in_thousandths() {
        assert_eq!(per_mille(2, 3), Some(667));
        assert_eq!(per_mille(1, 3), Some(333));
        assert_eq!(per_mille(1, 8), Some(125));
        assert_eq!(per_mille(0, 5), Some(0));
        assert_eq!(per_mille(5, 5), Some(1000));
        assert_eq!(per_mille(0, 0), None);
        assert_eq!(format_per_mille(667, Locale::Fr), "66,7 %");
        assert_eq!(format_per_mille(1000, Locale::En), "100.0 %");
    }

    #[test]
    fn each_status_waits_for_someone() {
        assert_eq!(Stuck::of(None), Some(Stuck::Consultant));
        assert_eq!(Stuck::of(Some(CraStatus::Draft)), Some(Stuck::Consultant));
        assert_eq!(Stuck::of(Some(CraStatus::Signed)), Some(Stuck::Client));
        assert_eq!(
            Stuck::of(Some(CraStatus::ClientValidated)),
            Some(Stuck::Manager)
        );
        assert_eq!(Stuck::of(Some(CraStatus::Validated)), None);
    }
}

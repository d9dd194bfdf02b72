//! Follow-up meetings (RDV de suivi) recur per mission or account: every
//! N weeks, monthly or quarterly, from a first date, until an optional
//! last one. When a meeting is held the next one is planned at the series'
//! next date after it; a date falling on a day off moves to the next
//! working day (a meeting is never planned on a Sunday or 14 July).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::calendar::{Region, is_working_day};
use crate::validation::{ErrorKey, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "snake_case")]
pub enum Recurrence {
    Weeks { n: u32 },
    Monthly,
    Quarterly,
}

/// At most every half year in weeks: beyond, monthly or quarterly say it.
pub const MAX_WEEKS: u32 = 26;

impl Recurrence {
    /// `weeks` (with `n`), `monthly`, `quarterly`.
    pub fn parse(kind: &str, n: &str) -> Result<Recurrence, ValidationErrors> {
        match kind.trim() {
            "monthly" => Ok(Recurrence::Monthly),
            "quarterly" => Ok(Recurrence::Quarterly),
            "weeks" => match n.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_WEEKS).contains(&n) => Ok(Recurrence::Weeks { n }),
                _ => {
                    let mut e = ValidationErrors::new();
                    e.add_with(
                        "every_weeks",
                        "meeting-weeks-invalid",
                        crate::args![("max", i64::from(MAX_WEEKS))],
                    );
                    Err(e)
                }
            },
            _ => Err(ValidationErrors::single(
                "recurrence",
                "meeting-recurrence-invalid",
            )),
        }
    }

    /// The `k`-th date of a series starting on `first` (k = 0: `first`),
    /// before moving off days off. A monthly series started on the 31st
    /// meets on the last day of shorter months.
    fn nth(self, first: Date, k: u32) -> Option<Date> {
        match self {
            Recurrence::Weeks { n } => first.checked_add(Duration::weeks(i64::from(n * k))),
            Recurrence::Monthly => add_months(first, k),
            Recurrence::Quarterly => add_months(first, 3 * k),
        }
    }
}

fn add_months(d: Date, months: u32) -> Option<Date> {
    let total = d.month() as i32 - 1 + months as i32;
    let year = d.year() + total / 12;
    let month = Month::try_from((total % 12 + 1) as u8).ok()?;
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).ok()
}

/// The first working day on or after `d`.
fn working_on_or_after(mut d: Date, region: Region) -> Date {
    while !is_working_day(d, region) {
        d = d.next_day().expect("dates stay in range");
    }
    d
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("the series ends before it starts")]
    EndsBeforeStart,
}

impl ErrorKey for SeriesError {
    fn key(&self) -> &'static str {
        "meeting-series-ends-before-start"
    }
}

/// A recurring meeting: its rule, first date and optional last date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub recurrence: Recurrence,
    pub first: Date,
    pub until: Option<Date>,
}

impl Series {
    pub fn new(
        recurrence: Recurrence,
        first: Date,
        until: Option<Date>,
    ) -> Result<Series, SeriesError> {
        if until.is_some_and(|u| u < first) {
            return Err(SeriesError::EndsBeforeStart);
        }
        Ok(Series {
            recurrence,
            first,
            until,
        })
    }

    /// The series' next meeting strictly after `after` (the day the last
    /// one was held), moved to a working day; `None` once past `until`.
    pub fn next_after(&self, after: Date, region: Region) -> Option<Date> {
        let mut k = 0;
        loop {
            let planned = working_on_or_after(self.recurrence.nth(self.first, k)?, region);
            if self.until.is_some_and(|u| planned > u) {
                return None;
            }
            if planned > after {
                return Some(planned);
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn monthly_from_the_31st_and_off_days_moved() {
        let s = Series::new(Recurrence::Monthly, date!(2027 - 01 - 29), None).unwrap();
        // 28 February 2027 is a Sunday: Monday 1 March.
        assert_eq!(
            s.next_after(date!(2027 - 01 - 29), Region::Standard),
            Some(date!(2027 - 03 - 01))
        );
        let end = Series::new(Recurrence::Monthly, date!(2027 - 01 - 31), None).unwrap();
        // 30 April 2027 is a Friday.
        assert_eq!(
            end.next_after(date!(2027 - 04 - 01), Region::Standard),
            Some(date!(2027 - 04 - 30))
        );
        // 14 July 2027 (a Wednesday) is a holiday: the 15th.
        let w = Series::new(Recurrence::Weeks { n: 2 }, date!(2027 - 06 - 30), None).unwrap();
        assert_eq!(
            w.next_after(date!(2027 - 06 - 30), Region::Standard),
            Some(date!(2027 - 07 - 15))
        );
    }

    #[test]
    fn a_series_ends_and_is_checked() {
        let q = Series::new(
            Recurrence::Quarterly,
            date!(2027 - 01 - 04),
            Some(date!(2027 - 06 - 30)),
        )
        .unwrap();
        assert_eq!(
            q.next_after(date!(2027 - 01 - 05), Region::Standard),
            Some(date!(2027 - 04 - 05)),
            "4 April 2027 is a Sunday"
        );
        assert_eq!(q.next_after(date!(2027 - 04 - 05), Region::Standard), None);
        assert_eq!(
            Series::new(
                Recurrence::Monthly,
                date!(2027 - 03 - 01),
                Some(date!(2027 - 02 - 01))
            ),
            Err(SeriesError::EndsBeforeStart)
        );
        assert!(Recurrence::parse("weeks", "0").is_err());
        assert!(Recurrence::parse("weeks", "27").is_err());
        assert_eq!(
            Recurrence::parse("weeks", "3"),
            Ok(Recurrence::Weeks { n: 3 })
        );
        assert!(Recurrence::parse("yearly", "").is_err());
    }

    proptest! {
        /// The next meeting is always after the day given, on a working
        /// day, and never past the series' end.
        #[test]
        fn next_is_after_on_a_working_day(
            offset in 0i64..2_000,
            after in 0i64..3_000,
            kind in 0u8..3,
            n in 1u32..=26,
        ) {
            let first = date!(2026 - 01 - 01) + Duration::days(offset);
            let r = match kind { 0 => Recurrence::Weeks { n }, 1 => Recurrence::Monthly, _ => Recurrence::Quarterly };
            let until = first + Duration::days(1_500);
            let s = Series::new(r, first, Some(until)).unwrap();
            let after = first + Duration::days(after - 200);
            if let Some(next) = s.next_after(after, Region::Standard) {
                prop_assert!(next > after);
                prop_assert!(is_working_day(next, Region::Standard));
                prop_assert!(next <= until);
                prop_assert!(next >= first);
            }
        }
    }
}

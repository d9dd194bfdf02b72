//! The firm's clock: people see dates and times in Paris, deadlines fall
//! on Paris days, while instants are stored in UTC. This is the one place
//! that turns an instant into what a person in France reads.
//!
//! France (metropolitan) is on CET (UTC+1) and, from the last Sunday of
//! March at 01:00 UTC to the last Sunday of October at 01:00 UTC, on CEST
//! (UTC+2) — the EU rule since 1996 (directive 2000/84/EC), the same
//! instant everywhere in the Union. Computed here rather than read from a
//! time-zone database, which the domain does without.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

const CET: UtcOffset = match UtcOffset::from_hms(1, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("CET"),
};
const CEST: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("CEST"),
};

/// The last Sunday of `month` of `year`, at 01:00 UTC: when summer time
/// starts (March) or ends (October).
fn switch(year: i32, month: Month) -> OffsetDateTime {
    let mut d = Date::from_calendar_date(year, month, 31)
        .or_else(|_| Date::from_calendar_date(year, month, 30))
        .expect("March and October have 31 days");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("within the year");
    }
    PrimitiveDateTime::new(d, Time::from_hms(1, 0, 0).expect("01:00")).assume_utc()
}

/// Paris's offset from UTC at the instant `t`.
pub fn offset_at(t: OffsetDateTime) -> UtcOffset {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    if switch(year, Month::March) <= utc && utc < switch(year, Month::October) {
        CEST
    } else {
        CET
    }
}

/// The instant `t` as a clock in Paris shows it.
pub fn in_paris(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(offset_at(t))
}

/// The day it is in Paris at the instant `t`.
pub fn date(t: OffsetDateTime) -> Date {
    in_paris(t).date()
}

/// The instant a Paris clock shows `time` on `day`. In the hour repeated
/// when summer time ends the first (summer) one is taken; in the hour
/// skipped when it starts, the clock as if still in winter.
pub fn at(day: Date, time: Time) -> OffsetDateTime {
    let local = PrimitiveDateTime::new(day, time);
    let summer = local.assume_offset(CEST);
    if offset_at(summer) == CEST {
        summer
    } else {
        local.assume_offset(CET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_last_evening_of_a_month_is_still_that_month_in_paris() {
        // 23:30 in Paris on 30 November (CET): 22:30 UTC, same day.
        assert_eq!(
            date(datetime!(2026-11-30 22:30 UTC)),
            time::macros::date!(2026 - 11 - 30)
        );
        // 00:30 in Paris on 1 December: still 30 November in UTC.
        assert_eq!(
            date(datetime!(2026-11-30 23:30 UTC)),
            time::macros::date!(2026 - 12 - 01)
        );
        // Summer (CEST): 23:30 in Paris on 31 July is 21:30 UTC; 00:30 on
        // 1 August is 22:30 UTC on 31 July.
        assert_eq!(
            date(datetime!(2026-07-31 21:30 UTC)),
            time::macros::date!(2026 - 07 - 31)
        );
        assert_eq!(
            date(datetime!(2026-07-31 22:30 UTC)),
            time::macros::date!(2026 - 08 - 01)
        );
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_eu_sundays_at_one_utc() {
        // 2026: 29 March and 25 October.
        assert_eq!(offset_at(datetime!(2026-03-29 00:59 UTC)), CET);
        assert_eq!(offset_at(datetime!(2026-03-29 01:00 UTC)), CEST);
        assert_eq!(offset_at(datetime!(2026-10-25 00:59 UTC)), CEST);
        assert_eq!(offset_at(datetime!(2026-10-25 01:00 UTC)), CET);
        // 2027: 28 March and 31 October (the month's last day is a Sunday).
        assert_eq!(offset_at(datetime!(2027-03-28 01:00 UTC)), CEST);
        assert_eq!(offset_at(datetime!(2027-10-31 00:30 UTC)), CEST);
        assert_eq!(offset_at(datetime!(2027-10-31 01:30 UTC)), CET);
        // The clock as shown: 02:30 does not exist on 29 March 2026.
        let before = in_paris(datetime!(2026-03-29 00:59 UTC));
        let after = in_paris(datetime!(2026-03-29 01:00 UTC));
        assert_eq!((before.hour(), before.minute()), (1, 59));
        assert_eq!((after.hour(), after.minute()), (3, 0));
        // An instant given in another offset reads the same.
        assert_eq!(in_paris(datetime!(2026-11-28 14:05 +05:00)).hour(), 10);
    }
}

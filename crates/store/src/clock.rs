//! What time it is, for everything the firm's code reads through
//! [`now`] and [`today`] (re-exported as `crate::now`, `crate::today`): the
//! system clock, unless a test runs
//! a future under [`at`] to see what happens at 23:30 or 00:30 in Paris on
//! the last day of a month, or across a daylight-saving change, from the
//! request down to the database. The override is task-local, so tests
//! running side by side in one process each keep their own time, and
//! nothing outside such a scope can change it.

use std::future::Future;

use time::OffsetDateTime;

tokio::task_local! {
    static FROZEN: OffsetDateTime;
}

/// Runs `f` with the clock stopped at `instant` (UTC, as stored).
pub async fn at<F: Future>(instant: OffsetDateTime, f: F) -> F::Output {
    FROZEN.scope(instant, f).await
}

/// The instant now: the stopped clock inside [`at`], else the system's.
fn read() -> OffsetDateTime {
    FROZEN
        .try_with(|t| *t)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// The day it is for the firm: the date in Paris now (`domain::paris`).
/// Every deadline and every "today" people see comes from here; instants
/// are stored in UTC ([`now`]). Tests stop the clock with [`at`].
pub fn today() -> time::Date {
    domain::paris::date(now())
}

/// Current time at the precision both backends keep (microseconds), so a value
/// read back equals the value written.
///
/// SQLite keeps times as text and drops trailing zeros of the fraction, so
/// `…:00.12Z` would sort after `…:00.123Z`. A last digit never zero keeps six
/// fractional digits, hence text order equals time order (at a cost of at most
/// one microsecond).
pub fn now() -> OffsetDateTime {
    let t = read();
    let mut micros = t.nanosecond() / 1000;
    if micros.is_multiple_of(10) {
        micros += 1;
    }
    t.replace_nanosecond(micros * 1000)
        .expect("valid nanosecond")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn a_stopped_clock_holds_inside_its_scope_only() {
        let midnight = datetime!(2026-12-31 23:30 UTC);
        let inside = at(midnight, async { (read(), today()) }).await;
        assert_eq!(inside.0, midnight);
        // 00:30 in Paris: already the new year for the firm.
        assert_eq!(inside.1, time::macros::date!(2027 - 01 - 01));
        assert_ne!(read(), midnight);
    }
}

//! How much of a consultant's working time a mission takes, and the rule
//! that keeps him from being sold twice: a consultant's missions may
//! overlap only when the firm marks them part time (or shared between
//! clients), and on any day their shares add up to at most full time.
//!
//! A second full-time mission overlapping the first is therefore refused:
//! either its dates are wrong, or the firm means to share the consultant and
//! says so by giving each mission its share.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::validation::ErrorKey;

/// A consultant's share of working time on one mission, in percent
/// (1 to 100; 100 is full time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Allocation(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("a share of working time is a whole percentage from 1 to 100")]
    Invalid,
}

impl ErrorKey for AllocationError {
    fn key(&self) -> &'static str {
        "allocation-invalid"
    }
}

impl Allocation {
    pub const FULL_TIME: Allocation = Allocation(100);

    pub fn new(percent: u8) -> Result<Allocation, AllocationError> {
        if (1..=100).contains(&percent) {
            Ok(Allocation(percent))
        } else {
            Err(AllocationError::Invalid)
        }
    }

    /// "50", "50 %" or "50%"; blank is full time.
    pub fn parse(input: &str) -> Result<Allocation, AllocationError> {
        let t = input.trim().trim_end_matches('%').trim();
        if t.is_empty() {
            return Ok(Allocation::FULL_TIME);
        }
        t.parse::<u8>()
            .map_err(|_| AllocationError::Invalid)
            .and_then(Allocation::new)
    }

    pub fn percent(self) -> u8 {
        self.0
    }

    pub fn is_full_time(self) -> bool {
        self.0 == 100
    }
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation::FULL_TIME
    }
}

/// One mission of a consultant as the overlap rule sees it: its days
/// (inclusive) and its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub start: Date,
    pub end: Date,
    pub allocation: Allocation,
}

impl Booking {
    fn covers(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

/// The first day a new booking would put the consultant above full time,
/// and the total share that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overbooked {
    pub day: Date,
    pub percent: u32,
}

/// Checks `new` against the consultant's other missions (`others`, without
/// the one being edited): on every day of `new`, the shares of the
/// missions covering that day, `new` included, must not exceed 100 %.
///
/// The total only rises on a day some mission starts, so checking the first
/// day of `new` and every start falling inside it is enough.
pub fn overbooked(new: &Booking, others: &[Booking]) -> Option<Overbooked> {
    let mut days: Vec<Date> = std::iter::once(new.start)
        .chain(others.iter().map(|o| o.start).filter(|d| new.covers(*d)))
        .collect();
    days.sort();
    days.into_iter().find_map(|day| {
        let percent: u32 = std::iter::once(new)
            .chain(others.iter())
            .filter(|b| b.covers(day))
            .map(|b| u32::from(b.allocation.percent()))
            .sum();
        (percent > 100).then_some(Overbooked { day, percent })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn b(start: Date, end: Date, percent: u8) -> Booking {
        Booking {
            start,
            end,
            allocation: Allocation::new(percent).unwrap(),
        }
    }

    #[test]
    fn shares_are_whole_percentages_blank_is_full_time() {
        assert_eq!(Allocation::parse(""), Ok(Allocation::FULL_TIME));
        assert_eq!(Allocation::parse(" 50 % ").unwrap().percent(), 50);
        assert_eq!(Allocation::parse("100%").unwrap().percent(), 100);
        for bad in ["0", "101", "-5", "50,5", "moitié"] {
            assert_eq!(
                Allocation::parse(bad),
                Err(AllocationError::Invalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_second_full_time_mission_overlapping_the_first_is_refused() {
        let first = b(date!(2027 - 01 - 01), date!(2027 - 06 - 30), 100);
        let second = b(date!(2027 - 06 - 01), date!(2027 - 12 - 31), 100);
        assert_eq!(
            overbooked(&second, &[first]),
            Some(Overbooked {
                day: date!(2027 - 06 - 01),
                percent: 200
            })
        );
        // Starting before the first: the clash is on the first's start.
        let earlier = b(date!(2026 - 10 - 01), date!(2027 - 01 - 15), 100);
        assert_eq!(
            overbooked(&earlier, &[first]).map(|o| o.day),
            Some(date!(2027 - 01 - 01))
        );
    }

    #[test]
    fn back_to_back_missions_and_shares_within_full_time_pass() {
        let first = b(date!(2027 - 01 - 01), date!(2027 - 06 - 30), 100);
        let next = b(date!(2027 - 07 - 01), date!(2027 - 12 - 31), 100);
        assert_eq!(overbooked(&next, &[first]), None);
        let half = b(date!(2027 - 01 - 01), date!(2027 - 12 - 31), 50);
        let other_half = b(date!(2027 - 03 - 01), date!(2027 - 04 - 30), 50);
        assert_eq!(overbooked(&other_half, &[half]), None);
        let too_much = b(date!(2027 - 03 - 01), date!(2027 - 04 - 30), 60);
        assert_eq!(overbooked(&too_much, &[half]).map(|o| o.percent), Some(110));
    }

    fn day(n: i64) -> Date {
        date!(2027 - 01 - 01) + time::Duration::days(n)
    }

    fn booking() -> impl Strategy<Value = Booking> {
        (0i64..120, 0i64..60, 1u8..=100).prop_map(|(s, len, p)| b(day(s), day(s + len), p))
    }

    proptest! {
        /// The answer equals a day-by-day count over the whole range.
        #[test]
        fn agrees_with_counting_every_day(new in booking(), others in prop::collection::vec(booking(), 0..6)) {
            let brute = (0..200).map(day).filter(|d| new.covers(*d)).find_map(|d| {
                let p: u32 = std::iter::once(&new).chain(others.iter())
                    .filter(|b| b.covers(d)).map(|b| u32::from(b.allocation.percent())).sum();
                (p > 100).then_some(Overbooked { day: d, percent: p })
            });
            prop_assert_eq!(overbooked(&new, &others), brute);
        }

        /// Missions that do not share a day never clash, whatever their shares.
        #[test]
        fn disjoint_missions_never_clash(new in booking(), gap in 1i64..30, len in 0i64..60) {
            let after = b(new.end + time::Duration::days(gap), new.end + time::Duration::days(gap + len), 100);
            prop_assert_eq!(overbooked(&new, &[after]), None);
        }
    }
}

//! The half days of one consultant's month as a set of bits, the way they
//! are stored: a month has at most 31 days, so its 62 half days fit in one
//! 64-bit integer. Half day `pm` of the `d`-th is bit `(d − 1) × 2 + 1`,
//! its morning the bit below. One row per line, consultant and month then
//! records what a line bills (instead of one row per half day), and one
//! guard row per consultant and month the union of what is billed and not
//! credited back: claiming a day twice shows as two masks that intersect.
//!
//! A mask does not know its month: it is always stored beside it, and
//! [`HalfDayMask::slots`] is told which month to read it in.

use std::collections::BTreeMap;
use std::ops::{BitAnd, BitOr, Not};

use time::Date;

use crate::calendar::YearMonth;
use crate::cra::Half;

/// A set of half days of one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HalfDayMask(u64);

/// Bits past the 31st's afternoon: never set.
const ALL: u64 = (1 << 62) - 1;

impl HalfDayMask {
    pub const EMPTY: HalfDayMask = HalfDayMask(0);

    /// The bit of a half day within its month.
    pub fn bit(day: Date, half: Half) -> u32 {
        (u32::from(day.day()) - 1) * 2
            + match half {
                Half::Am => 0,
                Half::Pm => 1,
            }
    }

    /// The one half day.
    pub fn single(day: Date, half: Half) -> HalfDayMask {
        HalfDayMask(1 << Self::bit(day, half))
    }

    /// The half days given; each is read in its own month, so the caller
    /// gives the days of one month.
    pub fn of(slots: impl IntoIterator<Item = (Date, Half)>) -> HalfDayMask {
        slots
            .into_iter()
            .fold(Self::EMPTY, |m, (d, h)| m | Self::single(d, h))
    }

    /// Reads a stored mask: refused (`None`) when it has bits no half day
    /// has (negative, or past the 31st), i.e. the row is corrupt.
    pub fn from_bits(bits: i64) -> Option<HalfDayMask> {
        u64::try_from(bits)
            .ok()
            .filter(|b| b & !ALL == 0)
            .map(HalfDayMask)
    }

    /// As stored (a `BIGINT`: bit 62 and the sign are never set).
    pub fn bits(self) -> i64 {
        self.0 as i64
    }

    pub fn contains(self, day: Date, half: Half) -> bool {
        self.0 & (1 << Self::bit(day, half)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many half days.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether the two share a half day.
    pub fn overlaps(self, other: HalfDayMask) -> bool {
        self.0 & other.0 != 0
    }

    /// The half days of `self` that `other` does not have.
    pub fn minus(self, other: HalfDayMask) -> HalfDayMask {
        HalfDayMask(self.0 & !other.0)
    }

    /// The half days, in date order, read in `month`. A bit past the
    /// month's last day (a 30th in February) has no date and is skipped:
    /// [`HalfDayMask::of`] never sets one.
    pub fn slots(self, month: YearMonth) -> Vec<(Date, Half)> {
        let mut out = Vec::with_capacity(self.count() as usize);
        let mut bits = self.0;
        while bits != 0 {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            let half = if bit.is_multiple_of(2) {
                Half::Am
            } else {
                Half::Pm
            };
            if let Ok(day) = Date::from_calendar_date(month.year, month.month, (bit / 2 + 1) as u8)
            {
                out.push((day, half));
            }
        }
        out
    }

    /// Groups half days by month and by a key of the caller's (a line, a
    /// consultant): one mask for each key and month they fall in.
    pub fn group<K: Ord>(
        slots: impl IntoIterator<Item = (K, Date, Half)>,
    ) -> BTreeMap<(K, YearMonth), HalfDayMask> {
        let mut out: BTreeMap<(K, YearMonth), HalfDayMask> = BTreeMap::new();
        for (key, day, half) in slots {
            let m = out.entry((key, YearMonth::of(day))).or_default();
            *m = *m | Self::single(day, half);
        }
        out
    }
}

impl BitOr for HalfDayMask {
    type Output = HalfDayMask;
    fn bitor(self, o: HalfDayMask) -> HalfDayMask {
        HalfDayMask(self.0 | o.0)
    }
}

impl BitAnd for HalfDayMask {
    type Output = HalfDayMask;
    fn bitand(self, o: HalfDayMask) -> HalfDayMask {
        HalfDayMask(self.0 & o.0)
    }
}

impl Not for HalfDayMask {
    type Output = HalfDayMask;
    /// Every half day a month can have that `self` does not.
    fn not(self) -> HalfDayMask {
        HalfDayMask(!self.0 & ALL)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::Month;
    use time::macros::date;

    use super::*;

    fn month(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, Month::try_from(m).unwrap())
    }

    #[test]
    fn the_bits_follow_the_days_and_halves() {
        assert_eq!(HalfDayMask::bit(date!(2026 - 11 - 01), Half::Am), 0);
        assert_eq!(HalfDayMask::bit(date!(2026 - 11 - 01), Half::Pm), 1);
        assert_eq!(HalfDayMask::bit(date!(2026 - 11 - 02), Half::Am), 2);
        assert_eq!(HalfDayMask::bit(date!(2026 - 12 - 31), Half::Pm), 61);
        let last = HalfDayMask::single(date!(2026 - 12 - 31), Half::Pm);
        assert_eq!(last.bits(), 1 << 61);
        assert!(last.bits() > 0, "fits a signed BIGINT");
    }

    #[test]
    fn a_31_day_month_fills_62_bits() {
        let dec = month(2026, 12);
        let all = HalfDayMask::of(
            dec.days()
                .flat_map(|d| Half::BOTH.into_iter().map(move |h| (d, h))),
        );
        assert_eq!(all.count(), 62);
        assert_eq!(all, !HalfDayMask::EMPTY);
        assert_eq!(HalfDayMask::from_bits(all.bits()), Some(all));
        assert_eq!(all.slots(dec).len(), 62);
        assert_eq!(all.slots(dec)[61], (date!(2026 - 12 - 31), Half::Pm));
    }

    #[test]
    fn february_reads_its_own_days_only() {
        let feb = month(2027, 2);
        let all = HalfDayMask::of(
            feb.days()
                .flat_map(|d| Half::BOTH.into_iter().map(move |h| (d, h))),
        );
        assert_eq!(all.count(), 56);
        assert_eq!(
            all.slots(feb).last(),
            Some(&(date!(2027 - 02 - 28), Half::Pm))
        );
        // A leap year's 29th.
        let leap = HalfDayMask::single(date!(2028 - 02 - 29), Half::Am);
        assert_eq!(
            leap.slots(month(2028, 2)),
            vec![(date!(2028 - 02 - 29), Half::Am)]
        );
        // The 31st's bits have no date in February.
        let thirty_first = HalfDayMask::single(date!(2026 - 12 - 31), Half::Am);
        assert!(thirty_first.slots(feb).is_empty());
    }

    #[test]
    fn stored_bits_no_half_day_has_are_refused() {
        assert_eq!(HalfDayMask::from_bits(-1), None);
        assert_eq!(HalfDayMask::from_bits(1 << 62), None);
        assert_eq!(HalfDayMask::from_bits(0), Some(HalfDayMask::EMPTY));
    }

    #[test]
    fn grouping_cuts_at_month_boundaries() {
        let g = HalfDayMask::group([
            ("a", date!(2026 - 10 - 31), Half::Pm),
            ("a", date!(2026 - 11 - 01), Half::Am),
            ("a", date!(2026 - 11 - 01), Half::Pm),
            ("b", date!(2026 - 11 - 01), Half::Am),
        ]);
        assert_eq!(g.len(), 3);
        assert_eq!(g[&("a", month(2026, 10))].bits(), 1 << 61);
        assert_eq!(g[&("a", month(2026, 11))].bits(), 0b11);
        assert_eq!(g[&("b", month(2026, 11))].bits(), 0b1);
    }

    fn slots_of(month: YearMonth) -> impl Strategy<Value = Vec<(Date, Half)>> {
        let days: Vec<(Date, Half)> = month
            .days()
            .flat_map(|d| Half::BOTH.into_iter().map(move |h| (d, h)))
            .collect();
        proptest::sample::subsequence(days.clone(), 0..=days.len())
    }

    fn any_month() -> impl Strategy<Value = YearMonth> {
        (2000i32..2100, 1u8..=12).prop_map(|(y, m)| month(y, m))
    }

    proptest! {
        #[test]
        fn slots_round_trip_through_the_mask(
            (m, slots) in any_month().prop_flat_map(|m| (Just(m), slots_of(m)))
        ) {
            let mask = HalfDayMask::of(slots.iter().copied());
            prop_assert_eq!(mask.count() as usize, slots.len());
            prop_assert_eq!(mask.slots(m), slots.clone());
            prop_assert_eq!(HalfDayMask::from_bits(mask.bits()), Some(mask));
            for (d, h) in &slots {
                prop_assert!(mask.contains(*d, *h));
            }
        }

        #[test]
        fn union_and_difference_are_those_of_the_sets(
            (m, a, b) in any_month().prop_flat_map(|m| (Just(m), slots_of(m), slots_of(m)))
        ) {
            use std::collections::BTreeSet;
            let (sa, sb): (BTreeSet<_>, BTreeSet<_>) =
                (a.iter().copied().collect(), b.iter().copied().collect());
            let (ma, mb) = (HalfDayMask::of(a), HalfDayMask::of(b));
            let union: Vec<_> = sa.union(&sb).copied().collect();
            let minus: Vec<_> = sa.difference(&sb).copied().collect();
            let both: Vec<_> = sa.intersection(&sb).copied().collect();
            prop_assert_eq!((ma | mb).slots(m), union);
            prop_assert_eq!(ma.minus(mb).slots(m), minus);
            prop_assert_eq!((ma & mb).slots(m), both.clone());
            prop_assert_eq!(ma.overlaps(mb), !both.is_empty());
            prop_assert_eq!(ma & !mb, ma.minus(mb));
        }
    }
}

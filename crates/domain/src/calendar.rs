//! French public holidays and working days, the basis of every count of
//! days worked (a CRA's month, a deadline "on the 5th working day").
//!
//! The list is the statutory one of the Code du travail (art. L3133-1),
//! plus the two days that local law adds in Alsace-Moselle (art. L3134-13).
//! Overseas departments and collectivities have further days of their own;
//! they are not modelled yet.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Duration, Month, Weekday};

/// Which set of public holidays applies to a place of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Metropolitan France outside Alsace-Moselle.
    #[default]
    Standard,
    /// Moselle (57), Bas-Rhin (67) and Haut-Rhin (68), where the local law
    /// inherited from the German period adds Good Friday and 26 December.
    /// The law grants Good Friday only to communes with a Protestant or
    /// mixed church, but it is observed across the three departments, so
    /// it is applied to the whole region.
    AlsaceMoselle,
}

impl Region {
    pub const ALL: [Region; 2] = [Region::Standard, Region::AlsaceMoselle];

    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Standard => "standard",
            Region::AlsaceMoselle => "alsace_moselle",
        }
    }

    /// Accepts exactly the codes of [`Region::as_str`], the same as serde,
    /// so a stored value and a form value can never disagree.
    pub fn parse(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A public holiday ("jour férié").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holiday {
    NewYear,
    /// Alsace-Moselle only.
    GoodFriday,
    EasterMonday,
    LabourDay,
    VictoryDay,
    Ascension,
    WhitMonday,
    BastilleDay,
    Assumption,
    AllSaints,
    Armistice,
    Christmas,
    /// Alsace-Moselle only.
    StStephen,
}

impl Holiday {
    pub const fn label_fr(self) -> &'static str {
        match self {
            Holiday::NewYear => "Jour de l'an",
            Holiday::GoodFriday => "Vendredi saint",
            Holiday::EasterMonday => "Lundi de Pâques",
            Holiday::LabourDay => "Fête du Travail",
            Holiday::VictoryDay => "Victoire 1945",
            Holiday::Ascension => "Ascension",
            Holiday::WhitMonday => "Lundi de Pentecôte",
            Holiday::BastilleDay => "Fête nationale",
            Holiday::Assumption => "Assomption",
            Holiday::AllSaints => "Toussaint",
            Holiday::Armistice => "Armistice 1918",
            Holiday::Christmas => "Noël",
            Holiday::StStephen => "Saint-Étienne",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Holiday::NewYear => "New Year's Day",
            Holiday::GoodFriday => "Good Friday",
            Holiday::EasterMonday => "Easter Monday",
            Holiday::LabourDay => "Labour Day",
            Holiday::VictoryDay => "Victory in Europe Day",
            Holiday::Ascension => "Ascension Day",
            Holiday::WhitMonday => "Whit Monday",
            Holiday::BastilleDay => "Bastille Day",
            Holiday::Assumption => "Assumption Day",
            Holiday::AllSaints => "All Saints' Day",
            Holiday::Armistice => "Armistice Day",
            Holiday::Christmas => "Christmas Day",
            Holiday::StStephen => "St Stephen's Day",
        }
    }

    /// The name in the reader's language.
    pub const fn label(self, locale: crate::Locale) -> &'static str {
        match locale {
            crate::Locale::Fr => self.label_fr(),
            crate::Locale::En => self.label_en(),
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous
/// Gregorian algorithm", Meeus/Jones/Butcher).
///
/// # Panics
/// If `year` is outside the range of [`time::Date`] (±9999).
pub fn easter_sunday(year: i32) -> Date {
    // Euclidean division keeps the formula total for years before 0,
    // where Rust's `%` would go negative; it is exact for every year > 0.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = if n / 31 == 3 {
        Month::March
    } else {
        Month::April
    };
    let day = (n % 31 + 1) as u8;
    Date::from_calendar_date(year, month, day).expect("year within time's supported range")
}

/// Every holiday of `year` in `region`, fixed-date ones first, each with
/// its date; two may share a date (Ascension fell on 1 May in 2008).
fn candidates(year: i32, region: Region) -> Vec<(Date, Holiday)> {
    let on = |month, day| {
        Date::from_calendar_date(year, month, day).expect("year within time's supported range")
    };
    let easter = easter_sunday(year);
    let after_easter = |days| easter + Duration::days(days);
    let mut all = vec![
        (on(Month::January, 1), Holiday::NewYear),
        (on(Month::May, 1), Holiday::LabourDay),
        (on(Month::May, 8), Holiday::VictoryDay),
        (on(Month::July, 14), Holiday::BastilleDay),
        (on(Month::August, 15), Holiday::Assumption),
        (on(Month::November, 1), Holiday::AllSaints),
        (on(Month::November, 11), Holiday::Armistice),
        (on(Month::December, 25), Holiday::Christmas),
    ];
    if region == Region::AlsaceMoselle {
        all.push((on(Month::December, 26), Holiday::StStephen));
        all.push((after_easter(-2), Holiday::GoodFriday));
    }
    all.extend([
        (after_easter(1), Holiday::EasterMonday),
        (after_easter(39), Holiday::Ascension),
        (after_easter(50), Holiday::WhitMonday),
    ]);
    all
}

/// The public holiday falling on `date` in `region`, if any.
///
/// When a movable feast falls on a fixed-date holiday (Ascension on 1 or
/// 8 May), the fixed-date one is returned so that a given day of the year
/// always carries the same name.
pub fn holiday(date: Date, region: Region) -> Option<Holiday> {
    candidates(date.year(), region)
        .into_iter()
        .find(|&(d, _)| d == date)
        .map(|(_, h)| h)
}

/// The public holidays of `year` in `region`, sorted by date, one entry per
/// date (named as by [`holiday`] when two coincide).
pub fn holidays(year: i32, region: Region) -> Vec<(Date, Holiday)> {
    let mut all = candidates(year, region);
    // Stable, so among coinciding holidays the fixed-date one, listed
    // first by `candidates`, is the one `dedup_by_key` keeps.
    all.sort_by_key(|&(d, _)| d);
    all.dedup_by_key(|&mut (d, _)| d);
    all
}

pub fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Monday to Friday and not a public holiday. Saturdays count as "jours
/// ouvrables" in French labour law but not as working days here, because
/// a consultant's days are billed Monday to Friday.
pub fn is_working_day(date: Date, region: Region) -> bool {
    !is_weekend(date) && holiday(date, region).is_none()
}

/// Every calendar day of the month, in order.
///
/// # Panics
/// If `year` is outside the range of [`time::Date`] (±9999).
pub fn month_days(year: i32, month: Month) -> impl Iterator<Item = Date> {
    let first =
        Date::from_calendar_date(year, month, 1).expect("year within time's supported range");
    (0..month.length(year)).map(move |i| first + Duration::days(i64::from(i)))
}

pub fn working_days(year: i32, month: Month, region: Region) -> Vec<Date> {
    let holidays = holidays(year, region);
    month_days(year, month)
        .filter(|&d| !is_weekend(d) && !holidays.iter().any(|&(h, _)| h == d))
        .collect()
}

/// The working days from `from` to `to`, both included; empty if `to` is
/// before `from`.
pub fn working_days_between(from: Date, to: Date, region: Region) -> Vec<Date> {
    let mut days = Vec::new();
    // Computed once per year crossed rather than once per day.
    let mut year_holidays: Option<(i32, Vec<(Date, Holiday)>)> = None;
    let mut day = from;
    while day <= to {
        if !is_weekend(day) {
            let year = day.year();
            let list = match &year_holidays {
                Some((y, list)) if *y == year => list,
                _ => &year_holidays.insert((year, holidays(year, region))).1,
            };
            if !list.iter().any(|&(h, _)| h == day) {
                days.push(day);
            }
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    days
}

/// The `n`-th working day counted from the 1st of the month (`n` = 1 is the
/// first working day). A month with fewer than `n` working days carries the
/// count on into the next month, so deadlines such as "the 25th working
/// day" stay defined; `n` = 0 is read as 1.
///
/// # Panics
/// If the count runs past the range of [`time::Date`] (year 9999).
pub fn nth_working_day(year: i32, month: Month, n: u32, region: Region) -> Date {
    let mut left = n.max(1);
    let (mut year, mut month) = (year, month);
    loop {
        for day in working_days(year, month, region) {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
        (year, month) = next_month(year, month);
    }
}

pub fn next_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::December => (year + 1, Month::January),
        m => (year, m.next()),
    }
}

fn previous_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::January => (year - 1, Month::December),
        m => (year, m.previous()),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar month, such as the month a CRA covers.
///
/// Orders chronologically. Serialized as the string `"2026-11"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: Month,
}

impl YearMonth {
    pub const fn new(year: i32, month: Month) -> YearMonth {
        YearMonth { year, month }
    }

    /// Parses exactly `YYYY-MM`. The year is limited to 2000..=2100 because
    /// anything else typed into a CRA form is a typo, not a real month.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (year, month) = s.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        // `parse` alone would accept a leading '+'.
        if !year
            .bytes()
            .chain(month.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u8 = month.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        Some(YearMonth::new(year, Month::try_from(month).ok()?))
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> YearMonth {
        YearMonth::new(date.year(), date.month())
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1)
            .expect("year within time's supported range")
    }

    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, self.month.length(self.year))
            .expect("year within time's supported range")
    }

    pub fn contains(self, date: Date) -> bool {
        YearMonth::of(date) == self
    }

    pub fn next(self) -> YearMonth {
        let (year, month) = next_month(self.year, self.month);
        YearMonth::new(year, month)
    }

    pub fn prev(self) -> YearMonth {
        let (year, month) = previous_month(self.year, self.month);
        YearMonth::new(year, month)
    }

    /// Every calendar day of the month, in order.
    pub fn days(self) -> impl Iterator<Item = Date> {
        month_days(self.year, self.month)
    }

    pub fn working_days(self, region: Region) -> Vec<Date> {
        working_days(self.year, self.month, region)
    }

    /// "novembre 2026": lower case, as French writes month names.
    pub fn label_fr(self) -> String {
        format!(
            "{} {}",
            MONTHS_FR[usize::from(self.month as u8 - 1)],
            self.year
        )
    }

    pub fn label_en(self) -> String {
        format!(
            "{} {}",
            MONTHS_EN[usize::from(self.month as u8 - 1)],
            self.year
        )
    }

    /// The label in the reader's language.
    pub fn label(self, locale: crate::Locale) -> String {
        match locale {
            crate::Locale::Fr => self.label_fr(),
            crate::Locale::En => self.label_en(),
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month as u8)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<YearMonth, D::Error> {
        let s = String::deserialize(deserializer)?;
        YearMonth::parse(&s).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"a month as YYYY-MM, year 2000 to 2100",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::macros::date;

    #[test]
    fn known_easter_sundays() {
        for (year, easter) in [
            (2000, date!(2000 - 04 - 23)),
            (2008, date!(2008 - 03 - 23)),
            (2011, date!(2011 - 04 - 24)),
            (2019, date!(2019 - 04 - 21)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2038, date!(2038 - 04 - 25)),
            (2100, date!(2100 - 03 - 28)),
            // The extremes of the Gregorian range: 22 March and 25 April.
            (1818, date!(1818 - 03 - 22)),
            (2285, date!(2285 - 03 - 22)),
            (1943, date!(1943 - 04 - 25)),
        ] {
            assert_eq!(easter_sunday(year), easter, "{year}");
            assert_eq!(easter.weekday(), Weekday::Sunday);
        }
    }

    #[test]
    fn holidays_of_2026() {
        let standard: Vec<_> = holidays(2026, Region::Standard);
        assert_eq!(
            standard,
            vec![
                (date!(2026 - 01 - 01), Holiday::NewYear),
                (date!(2026 - 04 - 06), Holiday::EasterMonday),
                (date!(2026 - 05 - 01), Holiday::LabourDay),
                (date!(2026 - 05 - 08), Holiday::VictoryDay),
                (date!(2026 - 05 - 14), Holiday::Ascension),
                (date!(2026 - 05 - 25), Holiday::WhitMonday),
                (date!(2026 - 07 - 14), Holiday::BastilleDay),
                (date!(2026 - 08 - 15), Holiday::Assumption),
                (date!(2026 - 11 - 01), Holiday::AllSaints),
                (date!(2026 - 11 - 11), Holiday::Armistice),
                (date!(2026 - 12 - 25), Holiday::Christmas),
            ]
        );
        let alsace = holidays(2026, Region::AlsaceMoselle);
        assert_eq!(alsace.len(), 13);
        assert!(alsace.contains(&(date!(2026 - 04 - 03), Holiday::GoodFriday)));
        assert!(alsace.contains(&(date!(2026 - 12 - 26), Holiday::StStephen)));
        assert_eq!(holiday(date!(2026 - 04 - 03), Region::Standard), None);
        assert_eq!(holiday(date!(2026 - 12 - 26), Region::Standard), None);
        assert_eq!(holiday(date!(2026 - 06 - 01), Region::AlsaceMoselle), None);
    }

    #[test]
    fn coinciding_holidays_keep_the_fixed_date_name() {
        // Easter 2008 was 23 March, so Ascension fell on 1 May.
        assert_eq!(
            holiday(date!(2008 - 05 - 01), Region::Standard),
            Some(Holiday::LabourDay)
        );
        let h = holidays(2008, Region::Standard);
        assert_eq!(h.len(), 10);
        assert!(!h.iter().any(|&(_, h)| h == Holiday::Ascension));
    }

    #[test]
    fn labels() {
        assert_eq!(Holiday::NewYear.label_fr(), "Jour de l'an");
        assert_eq!(Holiday::StStephen.label_fr(), "Saint-Étienne");
        assert_eq!(Holiday::VictoryDay.label_fr(), "Victoire 1945");
        assert_eq!(Holiday::Armistice.label_fr(), "Armistice 1918");
        assert_eq!(Holiday::WhitMonday.label_en(), "Whit Monday");
    }

    #[test]
    fn region_codes() {
        for r in Region::ALL {
            assert_eq!(Region::parse(r.as_str()), Some(r));
            let de: StrDeserializer<DeError> = r.as_str().into_deserializer();
            assert_eq!(Region::deserialize(de), Ok(r));
        }
        assert_eq!(Region::parse("alsace-moselle"), None);
        assert_eq!(Region::parse("Standard"), None);
        assert_eq!(Region::default(), Region::Standard);
    }

    #[test]
    fn working_days_of_november_2026() {
        // 21 weekdays; 1 November is a Sunday, so only 11 November (a
        // Wednesday) is lost.
        let days = working_days(2026, Month::November, Region::Standard);
        assert_eq!(days.len(), 20);
        assert_eq!(days.first(), Some(&date!(2026 - 11 - 02)));
        assert_eq!(days.last(), Some(&date!(2026 - 11 - 30)));
        assert!(!days.contains(&date!(2026 - 11 - 11)));
        assert_eq!(
            working_days(2026, Month::November, Region::AlsaceMoselle).len(),
            20
        );
    }

    #[test]
    fn working_days_of_other_months() {
        // May 2026: 21 weekdays, less 1, 8, 14 and 25 May.
        assert_eq!(working_days(2026, Month::May, Region::Standard).len(), 17);
        // December 2026: 23 weekdays, less Friday 25 and, in
        // Alsace-Moselle, Saturday 26 (which changes nothing).
        assert_eq!(
            working_days(2026, Month::December, Region::Standard).len(),
            22
        );
        assert_eq!(
            working_days(2026, Month::December, Region::AlsaceMoselle).len(),
            22
        );
        // April 2026: Good Friday (3rd) only counts in Alsace-Moselle.
        assert_eq!(working_days(2026, Month::April, Region::Standard).len(), 21);
        assert_eq!(
            working_days(2026, Month::April, Region::AlsaceMoselle).len(),
            20
        );
        // December 2025: Friday 26 is a holiday in Alsace-Moselle only.
        assert_eq!(
            working_days(2025, Month::December, Region::Standard).len(),
            22
        );
        assert_eq!(
            working_days(2025, Month::December, Region::AlsaceMoselle).len(),
            21
        );
    }

    #[test]
    fn month_days_cover_the_month() {
        assert_eq!(month_days(2024, Month::February).count(), 29);
        assert_eq!(month_days(2100, Month::February).count(), 28);
        let days: Vec<_> = month_days(2026, Month::December).collect();
        assert_eq!(days.len(), 31);
        assert_eq!(days[0], date!(2026 - 12 - 01));
        assert_eq!(days[30], date!(2026 - 12 - 31));
    }

    #[test]
    fn working_days_between_bounds() {
        let r = Region::Standard;
        assert_eq!(
            working_days_between(date!(2026 - 12 - 24), date!(2027 - 01 - 04), r),
            vec![
                date!(2026 - 12 - 24),
                date!(2026 - 12 - 28),
                date!(2026 - 12 - 29),
                date!(2026 - 12 - 30),
                date!(2026 - 12 - 31),
                date!(2027 - 01 - 04),
            ]
        );
        assert_eq!(
            working_days_between(date!(2026 - 11 - 02), date!(2026 - 11 - 02), r),
            vec![date!(2026 - 11 - 02)]
        );
        assert!(working_days_between(date!(2026 - 11 - 03), date!(2026 - 11 - 02), r).is_empty());
        assert!(working_days_between(date!(2026 - 11 - 11), date!(2026 - 11 - 11), r).is_empty());
        assert!(working_days_between(Date::MAX, Date::MAX, r).len() <= 1);
    }

    #[test]
    fn nth_working_days() {
        let r = Region::Standard;
        // 1 December 2026 is a Tuesday: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7.
        assert_eq!(
            nth_working_day(2026, Month::December, 5, r),
            date!(2026 - 12 - 07)
        );
        // 1 January 2027 is a holiday (and a Friday).
        assert_eq!(
            nth_working_day(2027, Month::January, 1, r),
            date!(2027 - 01 - 04)
        );
        assert_eq!(
            nth_working_day(2027, Month::January, 0, r),
            date!(2027 - 01 - 04)
        );
        // Past the month's 20 working days, the count goes on in December.
        assert_eq!(
            nth_working_day(2026, Month::November, 20, r),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            nth_working_day(2026, Month::November, 21, r),
            date!(2026 - 12 - 01)
        );
        // Good Friday, 3 April 2026, is skipped in Alsace-Moselle only.
        assert_eq!(
            nth_working_day(2026, Month::April, 3, r),
            date!(2026 - 04 - 03)
        );
        assert_eq!(
            nth_working_day(2026, Month::April, 3, Region::AlsaceMoselle),
            date!(2026 - 04 - 07)
        );
    }

    #[test]
    fn next_month_wraps() {
        assert_eq!(next_month(2026, Month::December), (2027, Month::January));
        assert_eq!(next_month(2026, Month::November), (2026, Month::December));
    }

    #[test]
    fn year_month_parse_and_display() {
        let ym = YearMonth::parse("2026-11").unwrap();
        assert_eq!(ym, YearMonth::new(2026, Month::November));
        assert_eq!(ym.to_string(), "2026-11");
        assert_eq!(YearMonth::new(2027, Month::January).to_string(), "2027-01");
        assert_eq!(
            YearMonth::parse("2000-01"),
            Some(YearMonth::new(2000, Month::January))
        );
        assert_eq!(
            YearMonth::parse("2100-12"),
            Some(YearMonth::new(2100, Month::December))
        );
        for bad in [
            "2026-13",
            "2026-00",
            "26-11",
            "2026-1",
            "2026-011",
            "02026-11",
            "1999-12",
            "2101-01",
            "2026/11",
            "2026-11-01",
            "+026-11",
            "2026-+1",
            " 2026-11",
            "2026-11 ",
            "2026-1a",
            "",
            "-",
            "2026-",
            "-11",
            "２０２６-11",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn year_month_days_and_bounds() {
        let ym = YearMonth::new(2024, Month::February);
        assert_eq!(ym.first_day(), date!(2024 - 02 - 01));
        assert_eq!(ym.last_day(), date!(2024 - 02 - 29));
        assert_eq!(ym.days().count(), 29);
        assert!(ym.contains(date!(2024 - 02 - 29)));
        assert!(!ym.contains(date!(2024 - 03 - 01)));
        assert!(!ym.contains(date!(2023 - 02 - 15)));
        assert_eq!(YearMonth::of(date!(2024 - 02 - 10)), ym);
        assert_eq!(
            YearMonth::new(2026, Month::December).next(),
            YearMonth::new(2027, Month::January)
        );
        assert_eq!(
            YearMonth::new(2026, Month::January).prev(),
            YearMonth::new(2025, Month::December)
        );
        assert_eq!(
            YearMonth::new(2026, Month::November)
                .working_days(Region::Standard)
                .len(),
            20
        );
        assert!(YearMonth::new(2025, Month::December) < YearMonth::new(2026, Month::January));
        assert!(YearMonth::new(2026, Month::February) < YearMonth::new(2026, Month::March));
    }

    #[test]
    fn year_month_labels() {
        let ym = YearMonth::new(2026, Month::November);
        assert_eq!(ym.label_fr(), "novembre 2026");
        assert_eq!(ym.label_en(), "November 2026");
        assert_eq!(YearMonth::new(2027, Month::August).label_fr(), "août 2027");
    }

    #[test]
    fn year_month_serde_is_a_string() {
        let de: StrDeserializer<DeError> = "2026-11".into_deserializer();
        assert_eq!(
            YearMonth::deserialize(de),
            Ok(YearMonth::new(2026, Month::November))
        );
        let de: StrDeserializer<DeError> = "2026-13".into_deserializer();
        assert!(YearMonth::deserialize(de).is_err());
        // serde's Serializer for fmt::Formatter takes only scalars and
        // strings, so this also checks that no struct or map comes out.
        struct ViaSerde(YearMonth);
        impl fmt::Display for ViaSerde {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.serialize(f)
            }
        }
        assert_eq!(
            ViaSerde(YearMonth::new(2026, Month::November)).to_string(),
            "2026-11"
        );
    }

    fn region() -> impl Strategy<Value = Region> {
        prop::sample::select(Region::ALL.to_vec())
    }

    fn month() -> impl Strategy<Value = Month> {
        (1u8..=12).prop_map(|m| Month::try_from(m).unwrap())
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_from_22_march_to_25_april(year in 1583i32..=9999) {
            let e = easter_sunday(year);
            prop_assert_eq!(e.year(), year);
            prop_assert_eq!(e.weekday(), Weekday::Sunday);
            let (lo, hi) = (
                Date::from_calendar_date(year, Month::March, 22).unwrap(),
                Date::from_calendar_date(year, Month::April, 25).unwrap(),
            );
            prop_assert!(lo <= e && e <= hi, "{}", e);
        }

        #[test]
        fn holidays_are_in_the_year_sorted_unique_and_named_alike(
            year in 1583i32..=9999,
            region in region(),
        ) {
            let list = holidays(year, region);
            prop_assert!(list.iter().all(|&(d, _)| d.year() == year));
            prop_assert!(list.windows(2).all(|w| w[0].0 < w[1].0));
            for &(d, h) in &list {
                prop_assert_eq!(holiday(d, region), Some(h));
            }
            let expected = match region {
                Region::Standard => 11,
                Region::AlsaceMoselle => 13,
            };
            // Only Ascension can fall on another holiday (1 or 8 May).
            prop_assert!(list.len() == expected || list.len() == expected - 1);
        }

        #[test]
        fn working_days_are_weekdays_and_not_holidays(
            year in 2000i32..=2100,
            month in month(),
            region in region(),
        ) {
            for d in working_days(year, month, region) {
                prop_assert!(!is_weekend(d), "{}", d);
                prop_assert!(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday));
                prop_assert_eq!(holiday(d, region), None);
            }
        }

        #[test]
        fn working_days_are_the_month_filtered(
            year in 1900i32..=2200,
            month in month(),
            region in region(),
        ) {
            let filtered: Vec<Date> = month_days(year, month)
                .filter(|&d| is_working_day(d, region))
                .collect();
            let days = working_days(year, month, region);
            prop_assert_eq!(&days, &filtered);
            let ym = YearMonth::new(year, month);
            prop_assert_eq!(
                &working_days_between(ym.first_day(), ym.last_day(), region),
                &days
            );
            prop_assert_eq!(&ym.working_days(region), &days);
            for (i, &d) in days.iter().enumerate() {
                prop_assert_eq!(nth_working_day(year, month, i as u32 + 1, region), d);
            }
        }

        #[test]
        fn alsace_moselle_works_no_more_than_the_rest_of_france(
            year in 2000i32..=2100,
            month in month(),
        ) {
            let standard = working_days(year, month, Region::Standard);
            let alsace = working_days(year, month, Region::AlsaceMoselle);
            prop_assert!(alsace.iter().all(|d| standard.contains(d)));
            prop_assert!(standard.len() - alsace.len() <= 2);
        }

        #[test]
        fn working_days_between_spans_months(
            from in 2_451_545i32..2_488_070,
            len in 0i32..800,
            region in region(),
        ) {
            let from = Date::from_julian_day(from).unwrap();
            let to = from + Duration::days(i64::from(len));
            let expected: Vec<Date> = (0..=len)
                .map(|i| from + Duration::days(i64::from(i)))
                .filter(|&d| is_working_day(d, region))
                .collect();
            prop_assert_eq!(working_days_between(from, to, region), expected);
            if len > 0 {
                prop_assert!(working_days_between(to, from, region).is_empty());
            }
        }

        #[test]
        fn year_month_next_prev_round_trip(year in -9000i32..=9000, month in month()) {
            let ym = YearMonth::new(year, month);
            prop_assert_eq!(ym.next().prev(), ym);
            prop_assert_eq!(ym.prev().next(), ym);
            prop_assert!(ym.prev() < ym && ym < ym.next());
            prop_assert_eq!(ym.next().first_day(), ym.last_day().next_day().unwrap());
            prop_assert_eq!(YearMonth::of(ym.first_day()), ym);
            prop_assert_eq!(YearMonth::of(ym.last_day()), ym);
            prop_assert_eq!(ym.days().count(), usize::from(month.length(year)));
        }

        #[test]
        fn year_month_display_parses_back(year in 2000i32..=2100, month in month()) {
            let ym = YearMonth::new(year, month);
            prop_assert_eq!(YearMonth::parse(&ym.to_string()), Some(ym));
        }

        #[test]
        fn year_month_parse_never_panics(s in any::<String>()) {
            let _ = YearMonth::parse(&s);
        }

        #[test]
        fn year_month_parse_accepts_only_its_own_display(s in "[0-9+-]{1,9}") {
            if let Some(ym) = YearMonth::parse(&s) {
                prop_assert_eq!(ym.to_string(), s);
            }
        }
    }
}

//! The two user-interface languages and the locale-dependent formatting of
//! numbers and dates that does not involve money.

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

/// A supported user-interface language.
///
/// French is the default because Régisseur targets French firms: an
/// unknown or missing preference should fall back to the language of the
/// legal documents they produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

/// Narrow no-break space: the French thousands separator in CLDR (and what
/// `Intl.NumberFormat('fr-FR')` emits), so server-rendered and
/// browser-rendered numbers look identical and never wrap across lines.
pub(crate) const NARROW_NBSP: char = '\u{202F}';

/// No-break space: CLDR puts it between a French amount and its currency sign.
pub(crate) const NBSP: char = '\u{00A0}';

/// Thousandths, so q-values compare exactly without floats.
const Q_MAX: u16 = 1000;

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// Accepts a bare language ("fr", "EN") or a BCP 47 / POSIX tag
    /// ("fr-FR", "en_US"); only the primary language subtag matters since
    /// regional variants share one translation.
    pub fn parse(input: &str) -> Option<Locale> {
        let primary = input.trim().split(['-', '_']).next()?;
        Locale::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.as_str()))
    }

    /// Picks the supported locale the client prefers, per the HTTP
    /// `Accept-Language` header (RFC 9110 §12.5.4).
    ///
    /// Entries with a malformed q-value are ignored rather than trusted,
    /// and `q=0` explicitly means "not acceptable". Among equal q-values
    /// the earlier entry wins. The `*` wildcard stands for the default
    /// locale, because a client accepting anything is best served in the
    /// language of the firm's documents.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for entry in accept_language.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            if tag.is_empty() {
                continue;
            }
            let mut q = Some(Q_MAX);
            for param in parts {
                if let Some((name, value)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    q = parse_q(value.trim());
                }
            }
            let Some(q) = q.filter(|&q| q > 0) else {
                continue;
            };
            let locale = if tag == "*" {
                Some(Locale::default())
            } else {
                Locale::parse(tag)
            };
            if let Some(locale) = locale
                && best.is_none_or(|(best_q, _)| q > best_q)
            {
                best = Some((q, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    pub const fn thousands_separator(self) -> char {
        match self {
            Locale::Fr => NARROW_NBSP,
            Locale::En => ',',
        }
    }

    pub const fn decimal_separator(self) -> char {
        match self {
            Locale::Fr => ',',
            Locale::En => '.',
        }
    }
}

/// Parses an RFC 9110 qvalue (`0`, `0.8`, `1.000`…) into thousandths.
fn parse_q(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if int.len() != 1 || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(Q_MAX),
        _ => None,
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// French "28/11/2026"; English uses the unambiguous "28 Nov 2026" so that
/// British and American readers cannot swap day and month.
pub fn format_date(d: Date, locale: Locale) -> String {
    match locale {
        Locale::Fr => format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year()),
        Locale::En => format!(
            "{} {} {:04}",
            d.day(),
            EN_MONTHS[usize::from(u8::from(d.month())) - 1],
            d.year()
        ),
    }
}

/// Renders the instant `dt` as a clock in Paris shows it (`crate::paris`),
/// whatever offset it carries: people read the firm's time.
pub fn format_datetime(dt: OffsetDateTime, locale: Locale) -> String {
    let dt = crate::paris::in_paris(dt);
    format!(
        "{} {:02}:{:02}",
        format_date(dt.date(), locale),
        dt.hour(),
        dt.minute()
    )
}

/// Accepts what French users type ("28/11/2026", also "1/2/2026") and ISO
/// 8601 ("2026-11-28", what `<input type="date">` submits).
pub fn parse_date(input: &str) -> Option<Date> {
    let s = input.trim();
    let (year, month, day) = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        (digits(y, 4, 4)?, digits(m, 1, 2)?, digits(d, 1, 2)?)
    } else {
        let mut parts = s.splitn(3, '-');
        let y = digits(parts.next()?, 4, 4)?;
        let m = digits(parts.next()?, 2, 2)?;
        let d = digits(parts.next()?, 2, 2)?;
        (y, m, d)
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// `str::parse` would also take a sign, which has no place inside a date.
fn digits(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if !(min_len..=max_len).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A percentage as people read it: "5,5 %" in French (narrow no-break
/// space, as CLDR), "5.5%" in English; `percent` as it is (no rounding
/// here, no trailing zeros added).
pub fn format_percent(percent: rust_decimal::Decimal, locale: Locale) -> String {
    let n = percent
        .to_string()
        .replace('.', &locale.decimal_separator().to_string());
    match locale {
        Locale::Fr => format!("{n}{NARROW_NBSP}%"),
        Locale::En => format!("{n}%"),
    }
}

pub fn format_int(n: i64, locale: Locale) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!(
        "{sign}{}",
        group_digits(n.unsigned_abs(), locale.thousands_separator())
    )
}

/// Groups by three from the right; shared with money formatting so both
/// stay consistent.
pub(crate) fn group_digits(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::macros::{date, datetime};

    #[test]
    fn as_str_and_parse() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.as_str()), Some(l));
        }
        assert_eq!(Locale::parse("fr-FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("FR"), Some(Locale::Fr));
        assert_eq!(Locale::parse("fr_CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("en_US"), Some(Locale::En));
        assert_eq!(Locale::parse(" En "), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse("french"), None);
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::default(), Locale::Fr);
    }

    #[test]
    fn serde_uses_lowercase_codes() {
        let de: StrDeserializer<DeError> = "en".into_deserializer();
        assert_eq!(Locale::deserialize(de), Ok(Locale::En));
        let de: StrDeserializer<DeError> = "fr".into_deserializer();
        assert_eq!(Locale::deserialize(de), Ok(Locale::Fr));
        let de: StrDeserializer<DeError> = "Fr".into_deserializer();
        assert!(Locale::deserialize(de).is_err());
    }

    #[test]
    fn negotiate_examples() {
        assert_eq!(
            Locale::negotiate("en-US,en;q=0.9,fr;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(Locale::negotiate("de-DE, fr;q=0.5"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("de"), None);
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!(Locale::negotiate("fr;q=0.5, en;q=0.7"), Some(Locale::En));
        // q=0 means "not acceptable", not "least preferred".
        assert_eq!(Locale::negotiate("fr;q=0, de"), None);
        assert_eq!(
            Locale::negotiate("en;q=0.000, fr;q=0.001"),
            Some(Locale::Fr)
        );
        // Ties go to the first listed.
        assert_eq!(Locale::negotiate("fr;q=0.5, en;q=0.5"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("en;q=0.5, fr;q=0.5"), Some(Locale::En));
        assert_eq!(Locale::negotiate("EN-gb ; Q=1.0"), Some(Locale::En));
        // Malformed q-values disqualify the entry rather than count as 1.
        assert_eq!(Locale::negotiate("en;q=2, fr;q=0.1"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("en;q=abc"), None);
        assert_eq!(Locale::negotiate("en;q=0.1234"), None);
        assert_eq!(Locale::negotiate("de, *;q=0.1"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate(",,;;,=,;q=,"), None);
    }

    #[test]
    fn parse_q_values() {
        assert_eq!(parse_q("1"), Some(1000));
        assert_eq!(parse_q("1.000"), Some(1000));
        assert_eq!(parse_q("1.001"), None);
        assert_eq!(parse_q("0.8"), Some(800));
        assert_eq!(parse_q("0.85"), Some(850));
        assert_eq!(parse_q("0."), Some(0));
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("-0.5"), None);
        assert_eq!(parse_q(".5"), None);
        assert_eq!(parse_q("+1"), None);
        assert_eq!(parse_q(""), None);
    }

    #[test]
    fn dates() {
        let d = date!(2026 - 11 - 28);
        assert_eq!(format_date(d, Locale::Fr), "28/11/2026");
        assert_eq!(format_date(d, Locale::En), "28 Nov 2026");
        let d = date!(2026 - 01 - 05);
        assert_eq!(format_date(d, Locale::Fr), "05/01/2026");
        assert_eq!(format_date(d, Locale::En), "5 Jan 2026");
        let dt = datetime!(2026-11-28 14:05:59 +01:00);
        assert_eq!(format_datetime(dt, Locale::Fr), "28/11/2026 14:05");
        assert_eq!(format_datetime(dt, Locale::En), "28 Nov 2026 14:05");
        // Stored in UTC, shown in Paris: 23:30 UTC on 30 November is
        // already 1 December there.
        let dt = datetime!(2026-11-30 23:30 UTC);
        assert_eq!(format_datetime(dt, Locale::Fr), "01/12/2026 00:30");
        let dt = datetime!(2026-07-14 10:00 UTC);
        assert_eq!(format_datetime(dt, Locale::Fr), "14/07/2026 12:00");
    }

    #[test]
    fn parse_dates() {
        let d = date!(2026 - 11 - 28);
        assert_eq!(parse_date("28/11/2026"), Some(d));
        assert_eq!(parse_date(" 2026-11-28 "), Some(d));
        assert_eq!(parse_date("1/2/2026"), Some(date!(2026 - 02 - 01)));
        assert_eq!(parse_date("29/02/2028"), Some(date!(2028 - 02 - 29)));
        assert_eq!(parse_date("29/02/2026"), None);
        assert_eq!(parse_date("31/04/2026"), None);
        assert_eq!(parse_date("28/13/2026"), None);
        assert_eq!(parse_date("00/11/2026"), None);
        assert_eq!(parse_date("28/11/26"), None);
        assert_eq!(parse_date("2026-1-28"), None);
        assert_eq!(parse_date("+026-11-28"), None);
        assert_eq!(parse_date("28/11/2026/1"), None);
        assert_eq!(parse_date("2026-11-28T10:00"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("28 Nov 2026"), None);
    }

    #[test]
    fn ints() {
        assert_eq!(format_int(0, Locale::Fr), "0");
        assert_eq!(format_int(999, Locale::En), "999");
        assert_eq!(format_int(1000, Locale::En), "1,000");
        assert_eq!(format_int(-1_234_567, Locale::En), "-1,234,567");
        assert_eq!(format_int(1_234_567, Locale::Fr), "1\u{202F}234\u{202F}567");
        assert_eq!(format_int(100_000, Locale::Fr), "100\u{202F}000");
        assert_eq!(
            format_int(i64::MIN, Locale::En),
            "-9,223,372,036,854,775,808"
        );
    }

    proptest! {
        #[test]
        fn negotiate_never_panics(s in any::<String>()) {
            let _ = Locale::negotiate(&s);
        }

        #[test]
        fn negotiate_never_panics_on_header_like_input(s in "[a-zA-Z*_;=,. 0-9q-]{0,60}") {
            let _ = Locale::negotiate(&s);
        }

        #[test]
        fn parse_date_never_panics(s in any::<String>()) {
            let _ = parse_date(&s);
        }

        #[test]
        fn date_round_trips(julian in 2_000_000i32..2_500_000) {
            let d = Date::from_julian_day(julian).unwrap();
            prop_assert_eq!(parse_date(&format_date(d, Locale::Fr)), Some(d));
            prop_assert_eq!(parse_date(&d.to_string()), Some(d));
        }

        #[test]
        fn format_int_digits_are_preserved(n in any::<i64>()) {
            let en: String = format_int(n, Locale::En).chars().filter(|&c| c != ',').collect();
            prop_assert_eq!(en, n.to_string());
            let fr: String = format_int(n, Locale::Fr).chars().filter(|&c| c != NARROW_NBSP).collect();
            prop_assert_eq!(fr, n.to_string());
        }
    }
}

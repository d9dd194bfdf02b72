//! The values a message of the catalogue carries (a date, an amount, a
//! count, the name of a missing mention), kept as values until the message
//! is put in the reader's words.
//!
//! The domain and the store say *what* went wrong, with a key and these
//! arguments; only the edge knows who reads it. A date refused in a French
//! page reads `28/11/2026`, in an English one `28 Nov 2026`; an amount
//! `12 000,00 €` or `€12,000.00`; a count stays a number so that the
//! catalogue can choose between singular and plural.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::Locale;
use crate::calendar::YearMonth;
use crate::cra::Half;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::percent::Percentage;
use crate::terms::VatRate;

/// How the edge puts a message of its catalogue in words: the key and its
/// arguments (none for a plain label).
pub type Translate<'a> = &'a dyn Fn(&str, &[(&str, Arg)]) -> String;

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text shown as it is: a name, an invoice number, an account.
    Text(String),
    /// A number of things; the catalogue may pick a plural form on it.
    Count(i64),
    Date(Date),
    Money(Money),
    /// A quantity of days, possibly with a half.
    Days(DayQuantity),
    /// A month, named in the reader's language ("novembre 2026").
    Month(YearMonth),
    /// A half day of a report: its date and `am` or `pm`.
    HalfDay(Date, Half),
    /// A VAT rate.
    Rate(VatRate),
    /// A share or a ratio ("33,33 %" in French), written by
    /// `locale::format_percent`.
    Percent(Percentage),
    /// Another message of the catalogue, by key (a label).
    Key(Cow<'static, str>),
    /// Another message of the catalogue with arguments of its own.
    Message(Cow<'static, str>, Vec<(&'static str, Arg)>),
    /// Several values, separated by commas.
    List(Vec<Arg>),
}

impl Arg {
    /// A label of the catalogue, by key.
    pub const fn key(key: &'static str) -> Arg {
        Arg::Key(Cow::Borrowed(key))
    }

    /// Labels of the catalogue, as a list.
    pub fn keys<'a>(keys: impl IntoIterator<Item = &'a &'static str>) -> Arg {
        Arg::List(keys.into_iter().map(|k| Arg::key(k)).collect())
    }

    /// Values as a list.
    pub fn list<T: Into<Arg>>(items: impl IntoIterator<Item = T>) -> Arg {
        Arg::List(items.into_iter().map(Into::into).collect())
    }

    /// The value as a reader of `locale` writes it. A label or a message
    /// of the catalogue (`Key`, `Message`) is put in words by `label`,
    /// which knows the catalogue.
    pub fn format(&self, locale: Locale, label: Translate<'_>) -> String {
        match self {
            Arg::Text(s) => s.clone(),
            // As Fluent prints its numbers: digits only.
            Arg::Count(n) => n.to_string(),
            Arg::Date(d) => crate::locale::format_date(*d, locale),
            Arg::Money(m) => m.format(locale),
            Arg::Days(d) => d.format(locale),
            Arg::Month(m) => m.label(locale),
            Arg::HalfDay(d, h) => {
                format!("{} {}", crate::locale::format_date(*d, locale), h.as_str())
            }
            Arg::Rate(r) => r.format(locale),
            Arg::Percent(p) => p.format(locale),
            Arg::Key(k) => label(k, &[]),
            Arg::Message(k, args) => label(k, args),
            Arg::List(items) => items
                .iter()
                .map(|a| a.format(locale, label))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The arguments of a message, each value converted into an [`Arg`]:
/// `args![("date", d), ("open", total)]`.
#[macro_export]
macro_rules! args {
    ($(($name:expr, $value:expr)),* $(,)?) => {
        vec![$(($name, $crate::message::Arg::from($value))),*]
    };
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<Date> for Arg {
    fn from(d: Date) -> Arg {
        Arg::Date(d)
    }
}

impl From<Money> for Arg {
    fn from(m: Money) -> Arg {
        Arg::Money(m)
    }
}

impl From<DayQuantity> for Arg {
    fn from(d: DayQuantity) -> Arg {
        Arg::Days(d)
    }
}

impl From<VatRate> for Arg {
    fn from(r: VatRate) -> Arg {
        Arg::Rate(r)
    }
}

impl From<Percentage> for Arg {
    fn from(p: Percentage) -> Arg {
        Arg::Percent(p)
    }
}

impl From<YearMonth> for Arg {
    fn from(m: YearMonth) -> Arg {
        Arg::Month(m)
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Count(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
count_from!(i32, i64, u32, u64, usize);

/// For logs and the one-line descriptions stored with a record (an
/// invoice's `issue_error`): each value in a form of no language that
/// [`Arg::read`] reads back (`2026-11-28`, `2026-11`, `EUR 12000.00`, a
/// label by its key), so the page that shows it later writes it in its
/// reader's language.
impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Text(s) => f.write_str(s),
            Arg::Count(n) => write!(f, "{n}"),
            Arg::Date(d) => write!(f, "{d}"),
            Arg::Money(m) => write!(f, "EUR {}", m.to_decimal()),
            Arg::Days(d) => write!(f, "{}", d.as_decimal()),
            Arg::Month(m) => write!(f, "{m}"),
            Arg::HalfDay(d, h) => write!(f, "{d} {}", h.as_str()),
            Arg::Rate(r) => write!(f, "{}%", r.percent()),
            Arg::Percent(p) => write!(f, "{}%", p.percent()),
            Arg::Key(k) => f.write_str(k),
            // Its own arguments cannot be told apart from the outer
            // message's in one line: the label alone.
            Arg::Message(k, _) => f.write_str(k),
            Arg::List(items) => {
                for (i, a) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                Ok(())
            }
        }
    }
}

impl Arg {
    /// One value as [`Display`](fmt::Display) wrote it: a date, a month, an
    /// amount or a half day come back typed; anything else is text (the
    /// caller, who knows the catalogue, tells a label's key from text).
    pub fn read(s: &str) -> Arg {
        let iso = |s: &str| s.len() == 10 && s.as_bytes()[4] == b'-';
        if iso(s)
            && let Some(d) = crate::locale::parse_date(s)
        {
            return Arg::Date(d);
        }
        if let Some((d, h)) = s.split_once(' ')
            && iso(d)
            && let (Some(d), Some(h)) = (crate::locale::parse_date(d), Half::parse(h))
        {
            return Arg::HalfDay(d, h);
        }
        if s.len() == 7
            && let Some(m) = YearMonth::parse(s)
        {
            return Arg::Month(m);
        }
        if let Some(amount) = s.strip_prefix("EUR ")
            && let Ok(m) = Money::parse(amount)
        {
            return Arg::Money(m);
        }
        Arg::Text(s.to_owned())
    }
}

/// How an argument is stored (a close run's summary keeps its refusals):
/// text as a plain string, as before arguments had types; any other value
/// tagged with its kind.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stored {
    Count(i64),
    Date(Date),
    Money(i64),
    HalfDays(u32),
    Month(YearMonth),
    HalfDay(Date, String),
    RateBasisPoints(u32),
    PercentBasisPoints(u32),
    Key(String),
    Message(String, Vec<(String, Arg)>),
    List(Vec<Arg>),
}

/// The names a nested message's arguments may have.
fn known_name(n: &str) -> Option<&'static str> {
    const NAMES: [&str; 4] = ["title", "was", "now", "name"];
    NAMES.into_iter().find(|k| *k == n)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Either {
    Text(String),
    Typed(Stored),
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let stored = match self {
            Arg::Text(t) => return s.serialize_str(t),
            Arg::Count(n) => Stored::Count(*n),
            Arg::Date(d) => Stored::Date(*d),
            Arg::Money(m) => Stored::Money(m.cents()),
            Arg::Days(d) => Stored::HalfDays(d.half_days()),
            Arg::Month(m) => Stored::Month(*m),
            Arg::HalfDay(d, h) => Stored::HalfDay(*d, h.as_str().to_owned()),
            Arg::Rate(r) => Stored::RateBasisPoints(r.basis_points()),
            Arg::Percent(p) => Stored::PercentBasisPoints(p.basis_points()),
            Arg::Key(k) => Stored::Key(k.to_string()),
            Arg::Message(k, args) => Stored::Message(
                k.to_string(),
                args.iter()
                    .map(|(n, a)| ((*n).to_owned(), a.clone()))
                    .collect(),
            ),
            Arg::List(l) => Stored::List(l.clone()),
        };
        stored.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Arg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Arg, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::Text(t) => Arg::Text(t),
            Either::Typed(Stored::Count(n)) => Arg::Count(n),
            Either::Typed(Stored::Date(d)) => Arg::Date(d),
            Either::Typed(Stored::Money(c)) => Arg::Money(Money::from_cents(c)),
            Either::Typed(Stored::HalfDays(h)) => Arg::Days(DayQuantity::from_half_days(h)),
            Either::Typed(Stored::Month(m)) => Arg::Month(m),
            Either::Typed(Stored::HalfDay(d, h)) => Arg::HalfDay(
                d,
                Half::parse(&h).ok_or_else(|| serde::de::Error::custom("half day"))?,
            ),
            Either::Typed(Stored::RateBasisPoints(bp)) => Arg::Rate(
                VatRate::from_basis_points(bp).map_err(|_| serde::de::Error::custom("VAT rate"))?,
            ),
            Either::Typed(Stored::PercentBasisPoints(bp)) => {
                Arg::Percent(Percentage::from_basis_points(bp))
            }
            Either::Typed(Stored::Key(k)) => Arg::Key(Cow::Owned(k)),
            // An argument's name is one of the catalogue's few variables;
            // a stored one is kept as text when it is not a known name.
            Either::Typed(Stored::Message(k, args)) => Arg::Message(
                Cow::Owned(k),
                args.into_iter()
                    .filter_map(|(n, a)| known_name(&n).map(|n| (n, a)))
                    .collect(),
            ),
            Either::Typed(Stored::List(l)) => Arg::List(l),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn label(k: &str, args: &[(&str, Arg)]) -> String {
        if !args.is_empty() {
            let args: Vec<String> = args.iter().map(|(n, a)| format!("{n}: {a}")).collect();
            return format!("{k} ({})", args.join(" "));
        }
        match k {
            "mention-siren" => "SIREN".into(),
            "mention-address" => "adresse".into(),
            other => other.into(),
        }
    }

    #[test]
    fn each_value_is_written_in_the_readers_language() {
        let d = Arg::from(date!(2026 - 11 - 28));
        assert_eq!(d.format(Locale::Fr, &label), "28/11/2026");
        assert_eq!(d.format(Locale::En, &label), "28 Nov 2026");
        let m = Arg::from(Money::from_cents(1_200_000));
        assert_eq!(m.format(Locale::Fr, &label), "12\u{202f}000,00\u{a0}€");
        assert_eq!(
            m.format(Locale::En, &label),
            Money::from_cents(1_200_000).format(Locale::En)
        );
        let days = Arg::from(DayQuantity::from_half_days(39));
        assert_eq!(days.format(Locale::Fr, &label), "19,5");
        assert_eq!(days.format(Locale::En, &label), "19.5");
        let month = Arg::from(YearMonth::new(2026, time::Month::November));
        assert_eq!(month.format(Locale::Fr, &label), "novembre 2026");
        assert_eq!(month.format(Locale::En, &label), "November 2026");
        assert_eq!(Arg::from(3usize), Arg::Count(3));
        let half = Arg::HalfDay(date!(2026 - 11 - 2), Half::Am);
        assert_eq!(half.format(Locale::Fr, &label), "02/11/2026 am");
        assert_eq!(half.format(Locale::En, &label), "2 Nov 2026 am");
        assert_eq!(Arg::from(12_000i64).format(Locale::En, &label), "12000");
        assert_eq!(
            Arg::from("FA-2026-0001").format(Locale::En, &label),
            "FA-2026-0001"
        );
    }

    #[test]
    fn labels_and_lists_go_through_the_catalogue() {
        let l = Arg::keys(&["mention-siren", "mention-address"]);
        assert_eq!(l.format(Locale::Fr, &label), "SIREN, adresse");
        assert_eq!(
            Arg::list([date!(2026 - 11 - 2), date!(2026 - 11 - 3)]).format(Locale::En, &label),
            "2 Nov 2026, 3 Nov 2026"
        );
    }

    #[test]
    fn a_description_reads_its_values_back() {
        for a in [
            Arg::from(date!(2026 - 11 - 28)),
            Arg::from(Money::from_cents(1_200_050)),
            Arg::from(Money::from_cents(-5)),
            Arg::from(YearMonth::new(2026, time::Month::November)),
            Arg::HalfDay(date!(2026 - 11 - 2), Half::Pm),
            Arg::from("Clientis"),
        ] {
            assert_eq!(Arg::read(&a.to_string()), a, "{a}");
        }
        assert_eq!(
            Arg::keys(&["mention-buyer-siren"]).to_string(),
            "mention-buyer-siren"
        );
        assert_eq!(Arg::read("28/11/2026"), Arg::from("28/11/2026"));
    }

    #[test]
    fn the_macro_converts_each_value() {
        let a: Vec<(&str, Arg)> = args![("date", date!(2026 - 1 - 5)), ("count", 2usize)];
        assert_eq!(
            a,
            vec![
                ("date", Arg::Date(date!(2026 - 1 - 5))),
                ("count", Arg::Count(2))
            ]
        );
    }

    #[test]
    fn stored_arguments_read_back_and_old_plain_strings_are_text() {
        let all = vec![
            Arg::from("Clientis"),
            Arg::Count(4),
            Arg::from(date!(2026 - 11 - 28)),
            Arg::from(Money::from_cents(-5)),
            Arg::from(DayQuantity::from_half_days(3)),
            Arg::from(YearMonth::new(2026, time::Month::August)),
            Arg::key("mention-siren"),
            Arg::Rate(VatRate::STANDARD),
            Arg::Message(
                "terms-change-vat-rate".into(),
                crate::args![("title", "Build"), ("was", VatRate::STANDARD)],
            ),
            Arg::HalfDay(date!(2026 - 11 - 2), Half::Pm),
            Arg::list(["a", "b"]),
        ];
        let json = serde_json::to_string(&all).unwrap();
        let back: Vec<Arg> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, all);
        let old: Vec<(String, Arg)> =
            serde_json::from_str(r#"[["month","novembre 2026"]]"#).unwrap();
        assert_eq!(old, vec![("month".into(), Arg::from("novembre 2026"))]);
    }
}

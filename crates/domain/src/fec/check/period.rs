//! The fiscal year the entry dates must fall in, and where it comes from.
//!
//! A FEC covers one fiscal year and is named `<SIREN>FEC<AAAAMMJJ>`, the
//! date being the closing date (A47 A-1, BOI-CF-IOR-60-40-20). A year is
//! usually twelve months but need not be a calendar year, and a first or
//! last year may be longer: up to 23 months here. So, unless the user
//! gives the period (`--year`, or `--from` and `--to`), the checker takes
//! the closing date from the name (or `--to`), assumes the twelve months
//! before it, and stretches the start back to the oldest entry when one is
//! older, never beyond 23 months. A name that does not follow the pattern
//! is a problem of its own, and the dates are then not compared with any
//! year rather than with a guessed one.

use time::{Date, Month};

use crate::identifiers::Siren;
use crate::locale::Locale;

use super::super::{format_date, parse_date};

/// The longest fiscal year accepted when the period is not given.
pub const MAX_MONTHS: u32 = 23;

/// A period of dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    pub fn calendar(year: i32) -> Option<Period> {
        Some(Period {
            start: Date::from_calendar_date(year, Month::January, 1).ok()?,
            end: Date::from_calendar_date(year, Month::December, 31).ok()?,
        })
    }

    /// The twelve months ending on `end` (the closing date of a file name).
    pub fn ending(end: Date) -> Option<Period> {
        Period::months_ending(end, 12)
    }

    /// The `months` months ending on `end`: from the day after the same
    /// day `months` months earlier (the month's last day when `end` is a
    /// month's last day, or when that month is shorter) to `end`.
    pub fn months_ending(end: Date, months: u32) -> Option<Period> {
        let total = end.year() * 12 + i32::from(u8::from(end.month())) - 1 - months as i32;
        let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
        let month = Month::try_from(month).ok()?;
        // A month-end closing goes back to a month-end.
        let month_end = end.next_day().is_none_or(|d| d.month() != end.month());
        let day = if month_end { 31 } else { end.day() };
        let before = (0..4).find_map(|back| {
            Date::from_calendar_date(year, month, day.saturating_sub(back)).ok()
        })?;
        Some(Period {
            start: before.next_day()?,
            end,
        })
    }

    /// How many calendar months the period touches.
    pub fn months(&self) -> u32 {
        let m = |d: Date| d.year() * 12 + i32::from(u8::from(d.month()));
        (m(self.end) - m(self.start) + 1).max(0) as u32
    }

    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// Where the period of the report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodSource {
    /// Given by the user (`--year`, `--from`/`--to`).
    Given,
    /// The twelve months before the closing date (from the file name, or
    /// `--to`).
    Closing { from_name: bool },
    /// A long first or last year: from the oldest entry (line `line`) to
    /// the closing date.
    LongYear { from_name: bool, line: u64 },
    /// No file name to read: the calendar year of the first entry.
    FirstEntry,
    /// The file name is malformed and nothing was given: dates are not
    /// compared with a year.
    Unknown,
}

impl PeriodSource {
    /// One sentence saying which period was assumed and why.
    pub fn describe(&self, period: Option<Period>, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        let span = |p: Period| {
            if fr {
                format!(
                    "du {} au {} ({} mois)",
                    format_date(p.start),
                    format_date(p.end),
                    p.months()
                )
            } else {
                format!(
                    "from {} to {} ({} months)",
                    format_date(p.start),
                    format_date(p.end),
                    p.months()
                )
            }
        };
        let origin = |from_name: bool| match (from_name, fr) {
            (true, true) => "la date de clôture du nom du fichier",
            (true, false) => "the closing date in the file name",
            (false, true) => "la date de clôture --to",
            (false, false) => "the closing date --to",
        };
        match (self, period) {
            (PeriodSource::Unknown, _) | (_, None) => if fr {
                "exercice inconnu : les dates ne sont pas comparées à un exercice (nom de fichier non conforme ; indiquer --to, --from et --to, ou --year)"
            } else {
                "fiscal year unknown: dates are not compared with a year (malformed file name; give --to, --from and --to, or --year)"
            }
            .into(),
            (PeriodSource::Given, Some(p)) => {
                if fr {
                    format!("exercice {} (donné en option)", span(p))
                } else {
                    format!("fiscal year {} (given as an option)", span(p))
                }
            }
            (PeriodSource::Closing { from_name }, Some(p)) => {
                if fr {
                    format!(
                        "exercice {} : les 12 mois avant {}",
                        span(p),
                        origin(*from_name)
                    )
                } else {
                    format!(
                        "fiscal year {}: the 12 months before {}",
                        span(p),
                        origin(*from_name)
                    )
                }
            }
            (PeriodSource::LongYear { from_name, line }, Some(p)) => {
                if fr {
                    format!(
                        "exercice long {} : de l'écriture la plus ancienne (ligne {line}) à {} (premier ou dernier exercice, {MAX_MONTHS} mois au plus ; sinon indiquer --from et --to)",
                        span(p),
                        origin(*from_name)
                    )
                } else {
                    format!(
                        "long fiscal year {}: from the oldest entry (line {line}) to {} (a first or last year, at most {MAX_MONTHS} months; otherwise give --from and --to)",
                        span(p),
                        origin(*from_name)
                    )
                }
            }
            (PeriodSource::FirstEntry, Some(p)) => {
                if fr {
                    format!("exercice {} : l'année civile de la première écriture", span(p))
                } else {
                    format!(
                        "fiscal year {}: the calendar year of the first entry",
                        span(p)
                    )
                }
            }
        }
    }
}

/// What is wrong with a file name that should read `<SIREN>FEC<AAAAMMJJ>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// No `FEC` in the name.
    NoFec,
    /// What precedes `FEC` is not 9 digits.
    Siren(String),
    /// Nine digits whose check digit is wrong.
    SirenKey(String),
    /// What follows `FEC` does not start with a real `AAAAMMJJ` date.
    Closing(String),
}

impl NameError {
    pub fn message(&self, name: &str, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        let what = match (self, fr) {
            (NameError::NoFec, true) => "« FEC » manquant".to_owned(),
            (NameError::NoFec, false) => "'FEC' missing".to_owned(),
            (NameError::Siren(s), true) => format!("SIREN « {s} » : 9 chiffres attendus"),
            (NameError::Siren(s), false) => format!("SIREN '{s}': 9 digits expected"),
            (NameError::SirenKey(s), true) => format!("SIREN « {s} » : clé de contrôle fausse"),
            (NameError::SirenKey(s), false) => format!("SIREN '{s}': wrong check digit"),
            (NameError::Closing(s), true) => {
                format!("date de clôture « {s} » : date AAAAMMJJ réelle attendue")
            }
            (NameError::Closing(s), false) => {
                format!("closing date '{s}': a real AAAAMMJJ date expected")
            }
        };
        if fr {
            format!("nom de fichier « {name} » non conforme à <SIREN>FEC<AAAAMMJJ> : {what}")
        } else {
            format!("file name '{name}' does not follow <SIREN>FEC<AAAAMMJJ>: {what}")
        }
    }
}

/// The SIREN and closing date of a file named `<SIREN>FEC<AAAAMMJJ>…`
/// (any extension), or what is wrong with the name.
pub fn read_file_name(name: &str) -> Result<(String, Date), NameError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let at = base.find("FEC").ok_or(NameError::NoFec)?;
    let siren = &base[..at];
    if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NameError::Siren(short(siren)));
    }
    if Siren::parse(siren).is_err() {
        return Err(NameError::SirenKey(siren.to_owned()));
    }
    let rest = &base[at + 3..];
    let digits: String = rest.chars().take(8).collect();
    let closing = parse_date(&digits).ok_or_else(|| NameError::Closing(short(&digits)))?;
    if rest.as_bytes().get(8).is_some_and(|b| b.is_ascii_digit()) {
        let longer: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return Err(NameError::Closing(short(&longer)));
    }
    Ok((siren.to_owned(), closing))
}

fn short(s: &str) -> String {
    if s.chars().count() > 30 {
        let mut t: String = s.chars().take(30).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

/// How entry dates are judged while the file streams.
#[derive(Debug, Clone)]
pub(super) enum YearRule {
    Strict(Period),
    /// From a closing date: twelve months, or up to [`MAX_MONTHS`] when an
    /// older entry says so.
    Flexible {
        twelve: Period,
        widest: Period,
        from_name: bool,
        /// The oldest entry before `twelve.start`, with its line.
        oldest: Option<(Date, u64)>,
    },
    FirstEntry(Option<Period>),
    Unknown,
}

/// What a date is to the year.
pub(super) enum Verdict {
    Inside,
    /// Outside `period`; `widest` when it is the longest year allowed.
    Outside {
        period: Period,
        widest: bool,
    },
}

impl YearRule {
    pub(super) fn from_closing(closing: Date, from_name: bool) -> YearRule {
        match (
            Period::ending(closing),
            Period::months_ending(closing, MAX_MONTHS),
        ) {
            (Some(twelve), Some(widest)) => YearRule::Flexible {
                twelve,
                widest,
                from_name,
                oldest: None,
            },
            _ => YearRule::Unknown,
        }
    }

    pub(super) fn judge(&mut self, d: Date, line: u64) -> Verdict {
        match self {
            YearRule::Strict(p) => {
                if p.contains(d) {
                    Verdict::Inside
                } else {
                    Verdict::Outside {
                        period: *p,
                        widest: false,
                    }
                }
            }
            YearRule::Flexible {
                twelve,
                widest,
                oldest,
                ..
            } => {
                if twelve.contains(d) {
                    Verdict::Inside
                } else if widest.contains(d) {
                    if oldest.is_none_or(|(o, _)| d < o) {
                        *oldest = Some((d, line));
                    }
                    Verdict::Inside
                } else {
                    Verdict::Outside {
                        period: *widest,
                        widest: true,
                    }
                }
            }
            YearRule::FirstEntry(p) => {
                let p = *p.get_or_insert_with(|| {
                    Period::calendar(d.year()).unwrap_or(Period { start: d, end: d })
                });
                if p.contains(d) {
                    Verdict::Inside
                } else {
                    Verdict::Outside {
                        period: p,
                        widest: false,
                    }
                }
            }
            YearRule::Unknown => Verdict::Inside,
        }
    }

    /// The period assumed once every line was read, and why.
    pub(super) fn outcome(&self) -> (Option<Period>, PeriodSource) {
        match self {
            YearRule::Strict(p) => (Some(*p), PeriodSource::Given),
            YearRule::Flexible {
                twelve,
                from_name,
                oldest,
                ..
            } => match oldest {
                Some((d, line)) => (
                    Some(Period {
                        start: *d,
                        end: twelve.end,
                    }),
                    PeriodSource::LongYear {
                        from_name: *from_name,
                        line: *line,
                    },
                ),
                None => (
                    Some(*twelve),
                    PeriodSource::Closing {
                        from_name: *from_name,
                    },
                ),
            },
            YearRule::FirstEntry(p) => (*p, PeriodSource::FirstEntry),
            YearRule::Unknown => (None, PeriodSource::Unknown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_back_from_a_closing_date() {
        let p = |end, m| Period::months_ending(end, m).unwrap().start;
        assert_eq!(p(date!(2026 - 12 - 31), 12), date!(2026 - 01 - 01));
        assert_eq!(p(date!(2026 - 12 - 31), 23), date!(2025 - 02 - 01));
        assert_eq!(p(date!(2026 - 06 - 30), 12), date!(2025 - 07 - 01));
        assert_eq!(p(date!(2026 - 06 - 30), 23), date!(2024 - 08 - 01));
        assert_eq!(p(date!(2024 - 02 - 29), 12), date!(2023 - 03 - 01));
        assert_eq!(p(date!(2026 - 03 - 31), 1), date!(2026 - 03 - 01));
        assert_eq!(p(date!(2026 - 03 - 30), 1), date!(2026 - 03 - 01));
        assert_eq!(p(date!(2026 - 01 - 15), 23), date!(2024 - 02 - 16));
        assert_eq!(p(date!(2025 - 02 - 28), 12), date!(2024 - 03 - 01));
        let long = Period {
            start: date!(2025 - 02 - 01),
            end: date!(2026 - 12 - 31),
        };
        assert_eq!(long.months(), 23);
        assert_eq!(Period::ending(date!(2026 - 09 - 30)).unwrap().months(), 12);
    }

    #[test]
    fn file_names_are_read_or_refused_with_the_faulty_part() {
        assert_eq!(
            read_file_name("/tmp/x/123456782FEC20260630.txt"),
            Ok(("123456782".into(), date!(2026 - 06 - 30)))
        );
        assert_eq!(
            read_file_name("123456782FEC20261231"),
            Ok(("123456782".into(), date!(2026 - 12 - 31)))
        );
        assert_eq!(read_file_name("export.txt"), Err(NameError::NoFec));
        assert_eq!(
            read_file_name("FEC20261231.txt"),
            Err(NameError::Siren(String::new()))
        );
        assert_eq!(
            read_file_name("12345678FEC20261231.txt"),
            Err(NameError::Siren("12345678".into()))
        );
        assert_eq!(
            read_file_name("123456789FEC20261231.txt"),
            Err(NameError::SirenKey("123456789".into()))
        );
        assert_eq!(
            read_file_name("123456782FEC20261331.txt"),
            Err(NameError::Closing("20261331".into()))
        );
        assert_eq!(
            read_file_name("123456782FEC2026.txt"),
            Err(NameError::Closing("2026.txt".into()))
        );
        assert_eq!(
            read_file_name("123456782FEC202612310.txt"),
            Err(NameError::Closing("202612310".into()))
        );
        let m = NameError::NoFec.message("export.txt", Locale::Fr);
        assert!(m.contains("export.txt") && m.contains("FEC"), "{m}");
        assert_ne!(m, NameError::NoFec.message("export.txt", Locale::En));
    }

    #[test]
    fn a_closing_date_gives_twelve_months_or_up_to_23_from_the_oldest_entry() {
        let mut r = YearRule::from_closing(date!(2026 - 12 - 31), true);
        assert!(matches!(r.judge(date!(2026 - 03 - 01), 2), Verdict::Inside));
        assert_eq!(
            r.outcome(),
            (
                Period::calendar(2026),
                PeriodSource::Closing { from_name: true }
            )
        );
        assert!(matches!(r.judge(date!(2025 - 06 - 01), 9), Verdict::Inside));
        assert!(matches!(
            r.judge(date!(2025 - 03 - 01), 12),
            Verdict::Inside
        ));
        assert!(matches!(
            r.judge(date!(2025 - 01 - 31), 13),
            Verdict::Outside { widest: true, .. }
        ));
        assert!(matches!(
            r.judge(date!(2027 - 01 - 01), 14),
            Verdict::Outside { widest: true, .. }
        ));
        let (p, source) = r.outcome();
        assert_eq!(
            p,
            Some(Period {
                start: date!(2025 - 03 - 01),
                end: date!(2026 - 12 - 31)
            })
        );
        assert_eq!(
            source,
            PeriodSource::LongYear {
                from_name: true,
                line: 12
            }
        );
        let text = source.describe(p, Locale::Fr);
        assert!(
            text.contains("22 mois") && text.contains("ligne 12"),
            "{text}"
        );
    }
}

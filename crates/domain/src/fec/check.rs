//! Checks any FEC, ours or another software's, line by line from a reader:
//! the memory it keeps is one line (at most [`MAX_LINE`] bytes) plus one
//! balance per entry and per lettering code. It never panics on garbage: a
//! file it cannot make sense of at all is [`Unreadable`], anything else is
//! a list of problems with their line numbers.
//!
//! What is checked (A47 A-1, and what the DGFiP's "Test Compta Demat"
//! checks, plus the ledger's own rules): the separator (tab or `|`) and the
//! charset (UTF-8 or ISO-8859-15, told apart per line); the header's 18
//! names (or the `Montant`/`Sens` variant); 18 fields on every line; the
//! required fields; `CompteNum` starting with 3 digits; real `AAAAMMJJ`
//! dates, the entry date inside the fiscal year; amounts with a comma
//! decimal; debit xor credit; each entry (JournalCode + EcritureNum)
//! balanced; numbers without gaps per journal (when they end with digits)
//! and dates in order; lettering balanced per account and code, `DateLet`
//! present exactly when `EcritureLet` is.

use std::collections::HashMap;
use std::io::BufRead;

use time::Date;

use super::{COLUMNS, format_amount, parse_date};
use crate::locale::Locale;

/// Longer lines are reported and skipped, never held in memory.
pub const MAX_LINE: usize = 64 * 1024;

/// Problems kept in the report (all are counted).
pub const MAX_PROBLEMS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Tab,
    Pipe,
}

impl Separator {
    fn char(self) -> char {
        match self {
            Separator::Tab => '\t',
            Separator::Pipe => '|',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Separator::Tab => "tab",
            Separator::Pipe => "|",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Only ASCII bytes: both charsets read it alike.
    Ascii,
    Utf8,
    Latin9,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Ascii => "ASCII",
            Encoding::Utf8 => "UTF-8",
            Encoding::Latin9 => "ISO-8859-15",
        }
    }
}

/// Debit and Credit columns, or the Montant + Sens variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    DebitCredit,
    MontantSens,
}

/// The fiscal year the entry dates must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    pub fn calendar(year: i32) -> Option<Period> {
        Some(Period {
            start: Date::from_calendar_date(year, time::Month::January, 1).ok()?,
            end: Date::from_calendar_date(year, time::Month::December, 31).ok()?,
        })
    }

    /// The twelve months ending on `end` (the closing date of a file name).
    pub fn ending(end: Date) -> Option<Period> {
        let year_before = Date::from_calendar_date(end.year() - 1, end.month(), end.day())
            .or_else(|_| Date::from_calendar_date(end.year() - 1, end.month(), end.day() - 1))
            .ok()?;
        Some(Period {
            start: year_before.next_day()?,
            end,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// From `--year`; otherwise from the file name, otherwise from the
    /// first entry date (a calendar year).
    pub period: Option<Period>,
    /// The file's name, for its closing date.
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Io(String),
    Empty,
    /// The first line has neither a tab nor a `|`: not a FEC.
    NoSeparator,
}

impl Unreadable {
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (Unreadable::Io(e), Locale::Fr) => format!("lecture impossible : {e}"),
            (Unreadable::Io(e), Locale::En) => format!("cannot read: {e}"),
            (Unreadable::Empty, Locale::Fr) => "fichier vide".into(),
            (Unreadable::Empty, Locale::En) => "empty file".into(),
            (Unreadable::NoSeparator, Locale::Fr) => {
                "la première ligne n'a ni tabulation ni « | » : ce n'est pas un FEC".into()
            }
            (Unreadable::NoSeparator, Locale::En) => {
                "the first line has neither a tab nor a '|': not a FEC".into()
            }
        }
    }
}

/// One problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub issue: Issue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    HeaderColumns {
        found: usize,
    },
    HeaderName {
        column: usize,
        expected: &'static str,
        found: String,
    },
    FieldCount {
        found: usize,
    },
    LineTooLong,
    EmptyLine,
    MixedEncoding,
    Required {
        column: &'static str,
    },
    Account {
        found: String,
    },
    BadDate {
        column: &'static str,
        found: String,
    },
    OutsideYear {
        found: Date,
        period: Period,
    },
    BadAmount {
        column: &'static str,
        found: String,
    },
    BadSens {
        found: String,
    },
    BothSides,
    Unbalanced {
        journal: String,
        number: String,
        debit: i128,
        credit: i128,
    },
    NumberGap {
        journal: String,
        expected: String,
        found: String,
    },
    NumberOrder {
        journal: String,
        previous: String,
        found: String,
    },
    DateOrder {
        journal: String,
        previous: Date,
        found: Date,
    },
    NotContiguous {
        journal: String,
        number: String,
    },
    LetteringUnbalanced {
        account: String,
        code: String,
        balance: i128,
    },
    DateLetWithoutLet,
    LetWithoutDateLet,
}

fn amount(cents: i128) -> String {
    match i64::try_from(cents) {
        Ok(c) => format_amount(c),
        Err(_) => format!("{cents} c"),
    }
}

impl Issue {
    pub fn message(&self, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        match self {
            Issue::HeaderColumns { found } => {
                if fr {
                    format!("l'en-tête a {found} colonnes au lieu de 18")
                } else {
                    format!("the header has {found} columns instead of 18")
                }
            }
            Issue::HeaderName {
                column,
                expected,
                found,
            } => {
                if fr {
                    format!("colonne {column} de l'en-tête : « {found} » au lieu de « {expected} »")
                } else {
                    format!("header column {column}: '{found}' instead of '{expected}'")
                }
            }
            Issue::FieldCount { found } => {
                if fr {
                    format!("{found} champs au lieu de 18")
                } else {
                    format!("{found} fields instead of 18")
                }
            }
            Issue::LineTooLong => {
                if fr {
                    format!("ligne de plus de {MAX_LINE} octets, ignorée")
                } else {
                    format!("line longer than {MAX_LINE} bytes, skipped")
                }
            }
            Issue::EmptyLine => {
                if fr {
                    "ligne vide".into()
                } else {
                    "empty line".into()
                }
            }
            Issue::MixedEncoding => {
                if fr {
                    "jeu de caractères différent des lignes précédentes (UTF-8 et ISO-8859-15 mélangés)".into()
                } else {
                    "charset differs from the previous lines (UTF-8 and ISO-8859-15 mixed)".into()
                }
            }
            Issue::Required { column } => {
                if fr {
                    format!("{column} est obligatoire et vide")
                } else {
                    format!("{column} is required and empty")
                }
            }
            Issue::Account { found } => {
                if fr {
                    format!("CompteNum « {found} » ne commence pas par 3 chiffres")
                } else {
                    format!("CompteNum '{found}' does not start with 3 digits")
                }
            }
            Issue::BadDate { column, found } => {
                if fr {
                    format!("{column} « {found} » n'est pas une date AAAAMMJJ réelle")
                } else {
                    format!("{column} '{found}' is not a real AAAAMMJJ date")
                }
            }
            Issue::OutsideYear { found, period } => {
                if fr {
                    format!(
                        "EcritureDate {} hors de l'exercice ({} – {})",
                        super::format_date(*found),
                        super::format_date(period.start),
                        super::format_date(period.end)
                    )
                } else {
                    format!(
                        "EcritureDate {} outside the fiscal year ({} – {})",
                        super::format_date(*found),
                        super::format_date(period.start),
                        super::format_date(period.end)
                    )
                }
            }
            Issue::BadAmount { column, found } => {
                if fr {
                    format!(
                        "{column} « {found} » n'est pas un montant (virgule décimale, sans séparateur de milliers)"
                    )
                } else {
                    format!(
                        "{column} '{found}' is not an amount (comma decimal, no thousands separator)"
                    )
                }
            }
            Issue::BadSens { found } => {
                if fr {
                    format!("Sens « {found} » : D, C, +1 ou -1 attendu")
                } else {
                    format!("Sens '{found}': D, C, +1 or -1 expected")
                }
            }
            Issue::BothSides => {
                if fr {
                    "débit et crédit tous deux non nuls".into()
                } else {
                    "debit and credit both non-zero".into()
                }
            }
            Issue::Unbalanced {
                journal,
                number,
                debit,
                credit,
            } => {
                if fr {
                    format!(
                        "écriture {journal} {number} déséquilibrée : débit {} ≠ crédit {}",
                        amount(*debit),
                        amount(*credit)
                    )
                } else {
                    format!(
                        "entry {journal} {number} unbalanced: debit {} ≠ credit {}",
                        amount(*debit),
                        amount(*credit)
                    )
                }
            }
            Issue::NumberGap {
                journal,
                expected,
                found,
            } => {
                if fr {
                    format!(
                        "journal {journal} : numéro {found} au lieu de {expected} (rupture de séquence)"
                    )
                } else {
                    format!(
                        "journal {journal}: number {found} instead of {expected} (gap in the sequence)"
                    )
                }
            }
            Issue::NumberOrder {
                journal,
                previous,
                found,
            } => {
                if fr {
                    format!(
                        "journal {journal} : numéro {found} après {previous} (ordre non croissant)"
                    )
                } else {
                    format!("journal {journal}: number {found} after {previous} (not increasing)")
                }
            }
            Issue::DateOrder {
                journal,
                previous,
                found,
            } => {
                if fr {
                    format!(
                        "journal {journal} : écriture du {} après une écriture du {} (ordre non chronologique)",
                        super::format_date(*found),
                        super::format_date(*previous)
                    )
                } else {
                    format!(
                        "journal {journal}: entry dated {} after one dated {} (not chronological)",
                        super::format_date(*found),
                        super::format_date(*previous)
                    )
                }
            }
            Issue::NotContiguous { journal, number } => {
                if fr {
                    format!("les lignes de l'écriture {journal} {number} ne se suivent pas")
                } else {
                    format!("the lines of entry {journal} {number} are not together")
                }
            }
            Issue::LetteringUnbalanced {
                account,
                code,
                balance,
            } => {
                if fr {
                    format!(
                        "lettrage {code} du compte {account} non soldé ({})",
                        amount(*balance)
                    )
                } else {
                    format!(
                        "lettering {code} on account {account} does not balance ({})",
                        amount(*balance)
                    )
                }
            }
            Issue::DateLetWithoutLet => {
                if fr {
                    "DateLet renseignée sans EcritureLet".into()
                } else {
                    "DateLet set without EcritureLet".into()
                }
            }
            Issue::LetWithoutDateLet => {
                if fr {
                    "EcritureLet renseignée sans DateLet".into()
                } else {
                    "EcritureLet set without DateLet".into()
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub separator: Separator,
    pub encoding: Encoding,
    pub layout: Layout,
    /// Data lines (without the header).
    pub lines: u64,
    pub entries: u64,
    pub period: Option<Period>,
    pub debit_cents: i128,
    pub credit_cents: i128,
    /// The first [`MAX_PROBLEMS`], in the order found.
    pub problems: Vec<Problem>,
    pub problem_count: u64,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    fn add(&mut self, line: u64, issue: Issue) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem { line, issue });
        }
    }
}

/// Reads one line into `buf` (without its `\n`), at most `MAX_LINE` bytes:
/// `Ok(None)` at the end, `Ok(Some(true))` when the line was longer (its
/// rest is skipped).
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if any { Some(too_long) } else { None });
        }
        any = true;
        let (chunk, used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if !too_long {
            if buf.len() + chunk.len() > MAX_LINE {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        r.consume(used);
        if done {
            return Ok(Some(too_long));
        }
    }
}

/// Amount in cents: digits, then optionally a comma and one or two digits;
/// a leading sign is allowed.
pub fn parse_amount(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || int.len() > 30
        || !digits(int)
        || frac.len() > 2
        || !digits(frac)
        || (body.contains(',') && frac.is_empty())
    {
        return None;
    }
    let units: i128 = int.parse().ok()?;
    let cents: i128 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i128>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let v = units.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -v } else { v })
}

/// Trailing digits of an entry number and what comes before them.
fn sequence_of(num: &str) -> Option<(&str, u64)> {
    let start = num
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(i, _)| i)?;
    let digits = &num[start..];
    if digits.len() > 18 {
        return None;
    }
    Some((&num[..start], digits.parse().ok()?))
}

struct EntryAcc {
    first_line: u64,
    debit: i128,
    credit: i128,
}

#[derive(Default)]
struct JournalState {
    current: String,
    last_seq: Option<(String, u64, String)>,
    last_date: Option<Date>,
}

const REQUIRED: [usize; 12] = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15];

/// Checks the FEC read from `reader`.
pub fn check(mut reader: impl BufRead, opts: &Options) -> Result<Report, Unreadable> {
    let mut buf = Vec::new();
    let first = read_line(&mut reader, &mut buf).map_err(|e| Unreadable::Io(e.to_string()))?;
    let Some(header_too_long) = first else {
        return Err(Unreadable::Empty);
    };
    let mut bytes: &[u8] = &buf;
    if bytes.ends_with(b"\r") {
        bytes = &bytes[..bytes.len() - 1];
    }
    let mut encoding = Encoding::Ascii;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
        encoding = Encoding::Utf8;
    }
    if header_too_long || bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Unreadable::NoSeparator);
    }
    let separator = if bytes.contains(&b'\t') {
        Separator::Tab
    } else if bytes.contains(&b'|') {
        Separator::Pipe
    } else {
        return Err(Unreadable::NoSeparator);
    };
    let mut report = Report {
        separator,
        encoding,
        layout: Layout::DebitCredit,
        lines: 0,
        entries: 0,
        period: opts.period,
        debit_cents: 0,
        credit_cents: 0,
        problems: Vec::new(),
        problem_count: 0,
    };
    let header = decode(bytes, &mut report, 1);
    let names: Vec<&str> = header.split(separator.char()).map(str::trim).collect();
    if names.len() != 18 {
        report.add(1, Issue::HeaderColumns { found: names.len() });
    }
    let is = |i: usize, n: &str| names.get(i).is_some_and(|s| s.eq_ignore_ascii_case(n));
    if is(11, "Montant") && is(12, "Sens") {
        report.layout = Layout::MontantSens;
    }
    for (i, expected) in COLUMNS.iter().enumerate() {
        let expected: &'static str = match (report.layout, i) {
            (Layout::MontantSens, 11) => "Montant",
            (Layout::MontantSens, 12) => "Sens",
            _ => expected,
        };
        match names.get(i) {
            Some(found) if found.eq_ignore_ascii_case(expected) => {}
            Some(found) => report.add(
                1,
                Issue::HeaderName {
                    column: i + 1,
                    expected,
                    found: truncate(found),
                },
            ),
            None => {}
        }
    }
    if report.period.is_none() {
        report.period = opts
            .file_name
            .as_deref()
            .and_then(|n| {
                let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
                super::parse_file_name(base)
            })
            .and_then(|(_, end)| Period::ending(end));
    }

    let mut entries: HashMap<(String, String), EntryAcc> = HashMap::new();
    let mut journals: HashMap<String, JournalState> = HashMap::new();
    let mut lettering: HashMap<(String, String), (u64, i128)> = HashMap::new();
    let mut line_no: u64 = 1;
    let mut pending_empty: Option<u64> = None;
    loop {
        let next = read_line(&mut reader, &mut buf).map_err(|e| Unreadable::Io(e.to_string()))?;
        let Some(too_long) = next else { break };
        line_no += 1;
        if too_long {
            if let Some(empty) = pending_empty.take() {
                report.add(empty, Issue::EmptyLine);
            }
            report.lines += 1;
            report.add(line_no, Issue::LineTooLong);
            continue;
        }
        let bytes = buf.strip_suffix(b"\r").unwrap_or(&buf);
        if bytes.is_empty() {
            pending_empty.get_or_insert(line_no);
            continue;
        }
        if let Some(empty) = pending_empty.take() {
            report.add(empty, Issue::EmptyLine);
        }
        report.lines += 1;
        let text = decode(bytes, &mut report, line_no);
        let fields: Vec<&str> = text.split(separator.char()).collect();
        if fields.len() != 18 {
            report.add(
                line_no,
                Issue::FieldCount {
                    found: fields.len(),
                },
            );
            continue;
        }
        check_line(
            &fields,
            line_no,
            &mut report,
            &mut entries,
            &mut journals,
            &mut lettering,
        );
    }
    let mut unbalanced: Vec<(u64, Issue)> = entries
        .into_iter()
        .filter(|(_, a)| a.debit != a.credit)
        .map(|((journal, number), a)| {
            (
                a.first_line,
                Issue::Unbalanced {
                    journal,
                    number,
                    debit: a.debit,
                    credit: a.credit,
                },
            )
        })
        .collect();
    unbalanced.sort_by_key(|(l, _)| *l);
    for (l, i) in unbalanced {
        report.add(l, i);
    }
    let mut letters: Vec<(u64, Issue)> = lettering
        .into_iter()
        .filter(|(_, (_, b))| *b != 0)
        .map(|((account, code), (l, balance))| {
            (
                l,
                Issue::LetteringUnbalanced {
                    account,
                    code,
                    balance,
                },
            )
        })
        .collect();
    letters.sort_by_key(|(l, _)| *l);
    for (l, i) in letters {
        report.add(l, i);
    }
    Ok(report)
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        let mut t: String = s.chars().take(60).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

/// Decodes a line: ASCII as is; otherwise UTF-8 when it is valid UTF-8,
/// else ISO-8859-15. The first non-ASCII line decides the file's charset;
/// a later line in the other one is a problem.
fn decode(bytes: &[u8], report: &mut Report, line: u64) -> String {
    if bytes.is_ascii() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let utf8 = std::str::from_utf8(bytes).ok();
    let this = if utf8.is_some() {
        Encoding::Utf8
    } else {
        Encoding::Latin9
    };
    match report.encoding {
        Encoding::Ascii => report.encoding = this,
        Encoding::Latin9 => return super::latin9::decode(bytes),
        Encoding::Utf8 if this != Encoding::Utf8 => report.add(line, Issue::MixedEncoding),
        Encoding::Utf8 => {}
    }
    match utf8 {
        Some(s) => s.to_owned(),
        None => super::latin9::decode(bytes),
    }
}

fn check_line(
    f: &[&str],
    line: u64,
    report: &mut Report,
    entries: &mut HashMap<(String, String), EntryAcc>,
    journals: &mut HashMap<String, JournalState>,
    lettering: &mut HashMap<(String, String), (u64, i128)>,
) {
    let f: Vec<&str> = f.iter().map(|s| s.trim()).collect();
    let layout = report.layout;
    let names = |i: usize| -> &'static str {
        match (layout, i) {
            (Layout::MontantSens, 11) => "Montant",
            (Layout::MontantSens, 12) => "Sens",
            _ => COLUMNS[i],
        }
    };
    for i in REQUIRED {
        if f[i].is_empty() {
            report.add(line, Issue::Required { column: names(i) });
        }
    }
    let account = f[4];
    if !account.is_empty()
        && !account
            .bytes()
            .take(3)
            .filter(u8::is_ascii_digit)
            .count()
            .eq(&3)
    {
        report.add(
            line,
            Issue::Account {
                found: truncate(account),
            },
        );
    }
    let date = |column: usize, report: &mut Report| -> Option<Date> {
        let s = f[column];
        if s.is_empty() {
            return None;
        }
        let d = parse_date(s);
        if d.is_none() {
            report.add(
                line,
                Issue::BadDate {
                    column: COLUMNS[column],
                    found: truncate(s),
                },
            );
        }
        d
    };
    let entry_date = date(3, report);
    date(9, report);
    date(15, report);
    date(14, report);
    if let Some(d) = entry_date {
        if report.period.is_none() {
            report.period = Period::calendar(d.year());
        }
        if let Some(p) = report.period
            && (d < p.start || d > p.end)
        {
            report.add(
                line,
                Issue::OutsideYear {
                    found: d,
                    period: p,
                },
            );
        }
    }
    // Amounts: (debit, credit) in cents.
    let amounts: Option<(i128, i128)> = match report.layout {
        Layout::DebitCredit => {
            let a = |i: usize, report: &mut Report| {
                if f[i].is_empty() {
                    return None;
                }
                let v = parse_amount(f[i]);
                if v.is_none() {
                    report.add(
                        line,
                        Issue::BadAmount {
                            column: COLUMNS[i],
                            found: truncate(f[i]),
                        },
                    );
                }
                v
            };
            let d = a(11, report);
            let c = a(12, report);
            match (d, c) {
                (Some(d), Some(c)) => {
                    if d != 0 && c != 0 {
                        report.add(line, Issue::BothSides);
                    }
                    Some((d, c))
                }
                _ => None,
            }
        }
        Layout::MontantSens => {
            let m = if f[11].is_empty() {
                None
            } else {
                let v = parse_amount(f[11]);
                if v.is_none() {
                    report.add(
                        line,
                        Issue::BadAmount {
                            column: "Montant",
                            found: truncate(f[11]),
                        },
                    );
                }
                v
            };
            let debit_side = match f[12] {
                "D" | "d" | "+1" | "1" => Some(true),
                "C" | "c" | "-1" => Some(false),
                "" => None,
                other => {
                    report.add(
                        line,
                        Issue::BadSens {
                            found: truncate(other),
                        },
                    );
                    None
                }
            };
            match (m, debit_side) {
                (Some(m), Some(true)) => Some((m, 0)),
                (Some(m), Some(false)) => Some((0, m)),
                _ => None,
            }
        }
    };
    let lettre = f[13];
    match (lettre.is_empty(), f[14].is_empty()) {
        (true, false) => report.add(line, Issue::DateLetWithoutLet),
        (false, true) => report.add(line, Issue::LetWithoutDateLet),
        _ => {}
    }
    if let Some((d, c)) = amounts {
        report.debit_cents += d;
        report.credit_cents += c;
        if !lettre.is_empty() {
            let e = lettering
                .entry((account.to_owned(), lettre.to_owned()))
                .or_insert((line, 0));
            e.1 += d - c;
        }
    }
    let (journal, number) = (f[0], f[2]);
    if journal.is_empty() || number.is_empty() {
        return;
    }
    let key = (journal.to_owned(), number.to_owned());
    let state = journals.entry(journal.to_owned()).or_default();
    if state.current != number {
        if entries.contains_key(&key) {
            report.add(
                line,
                Issue::NotContiguous {
                    journal: journal.to_owned(),
                    number: truncate(number),
                },
            );
        } else {
            report.entries += 1;
            if let Some((prefix, n)) = sequence_of(number) {
                if let Some((last_prefix, last, last_num)) = &state.last_seq
                    && last_prefix == prefix
                {
                    if n <= *last {
                        report.add(
                            line,
                            Issue::NumberOrder {
                                journal: journal.to_owned(),
                                previous: last_num.clone(),
                                found: truncate(number),
                            },
                        );
                    } else if n != last + 1 {
                        report.add(
                            line,
                            Issue::NumberGap {
                                journal: journal.to_owned(),
                                expected: format!(
                                    "{prefix}{:0width$}",
                                    last + 1,
                                    width = number.len() - prefix.len()
                                ),
                                found: truncate(number),
                            },
                        );
                    }
                }
                state.last_seq = Some((prefix.to_owned(), n, number.to_owned()));
            }
            if let Some(d) = entry_date {
                if let Some(previous) = state.last_date
                    && d < previous
                {
                    report.add(
                        line,
                        Issue::DateOrder {
                            journal: journal.to_owned(),
                            previous,
                            found: d,
                        },
                    );
                }
                state.last_date = Some(state.last_date.map_or(d, |p| p.max(d)));
            }
        }
        state.current = number.to_owned();
    }
    let acc = entries.entry(key).or_insert(EntryAcc {
        first_line: line,
        debit: 0,
        credit: 0,
    });
    if let Some((d, c)) = amounts {
        acc.debit += d;
        acc.credit += c;
    }
}

#[cfg(test)]
mod tests;

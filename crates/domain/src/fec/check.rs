//! Checks any FEC, ours or another software's, line by line from a reader:
//! the memory it keeps is one line (at most [`MAX_LINE`] bytes) plus one
//! balance per entry and per lettering code, and the runs of entry numbers
//! seen. It never panics on garbage: a file it cannot make sense of at all
//! is [`Unreadable`], anything else is a list of problems with their line
//! numbers, summed up per rule ([`Report::rules`]) and handed one by one to
//! a sink as they are found ([`check_streaming`]), for a full list.
//!
//! What is checked (A47 A-1, and what the DGFiP's "Test Compta Demat"
//! checks, plus the ledger's own rules): the file name `<SIREN>FEC<AAAAMMJJ>`
//! when one is given; the line separator (CRLF, LF or CR alone); the field
//! separator (tab or `|`) and the charset (UTF-8 or ISO-8859-15, told
//! apart per line); the header's 18 names (or the `Montant`/`Sens`
//! variant), or the 21 (BA) and 22 (BNC) of cash-basis accounts, which
//! add `DateRglt`, `ModeRglt`, `NatOp` and `IdClient`; as many fields on
//! every line (a trailing separator on each line is noted once, then
//! ignored, as the DGFiP's tester does); the required fields; `CompteNum`
//! starting with 3 digits; real `AAAAMMJJ` dates, the entry date inside
//! the fiscal year ([`period`]); amounts with a comma decimal; debit xor
//! credit; each entry (JournalCode + EcritureNum) balanced; numbers
//! without gaps (per journal, or across the file when it numbers entries
//! in one sequence) and in order, told apart ([`sequence`]), and dates in
//! order; lettering balanced per account and code, `DateLet` present
//! exactly when `EcritureLet` is.

mod fields;
mod issue;
mod lines;
pub mod period;
mod sequence;

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use time::Date;

pub use fields::parse_amount;
pub use issue::{Issue, Note, Problem, Rule};
pub use lines::LineEnd;
pub use period::{NameError, Period, PeriodSource};

use super::COLUMNS;
use crate::locale::Locale;
use period::YearRule;
use sequence::Seen;

/// Longer lines are reported and skipped, never held in memory.
pub const MAX_LINE: usize = 64 * 1024;

/// Problems kept in [`Report::problems`] (all are counted, and all go to
/// the sink).
pub const MAX_PROBLEMS: usize = 1000;

/// Examples kept per rule for the summary.
pub const EXAMPLES: usize = 5;

/// The columns cash-basis accounts add after the 18 (A47 A-1): the
/// payment's date and means, the nature of the operation and, for BNC,
/// the client.
pub const CASH_COLUMNS: [&str; 4] = ["DateRglt", "ModeRglt", "NatOp", "IdClient"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Tab,
    Pipe,
}

impl Separator {
    fn byte(self) -> u8 {
        match self {
            Separator::Tab => b'\t',
            Separator::Pipe => b'|',
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

/// Which list of columns of A47 A-1 the header follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// The 18 columns of accrual accounts.
    Standard,
    /// Agricultural profits (BA) kept on a cash basis: 18 + DateRglt,
    /// ModeRglt, NatOp.
    BaCash,
    /// Non-commercial profits (BNC) kept on a cash basis (recettes-dépenses):
    /// 18 + DateRglt, ModeRglt, NatOp, IdClient.
    BncCash,
}

impl Columns {
    pub fn count(self) -> usize {
        match self {
            Columns::Standard => 18,
            Columns::BaCash => 21,
            Columns::BncCash => 22,
        }
    }

    pub fn name(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Columns::Standard, Locale::Fr) => "18 colonnes",
            (Columns::Standard, Locale::En) => "18 columns",
            (Columns::BaCash, Locale::Fr) => "21 colonnes (BA, trésorerie)",
            (Columns::BncCash, Locale::Fr) => "22 colonnes (BNC, trésorerie)",
            (Columns::BaCash, Locale::En) => "21 columns (BA, cash basis)",
            (Columns::BncCash, Locale::En) => "22 columns (BNC, cash basis)",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Given by the user (`--year`, or `--from` and `--to`): entry dates
    /// must fall in it.
    pub period: Option<Period>,
    /// The closing date given by the user (`--to` alone), instead of the
    /// file name's.
    pub closing: Option<Date>,
    /// The file's name: checked, and its closing date read. Without a
    /// name nor a period, the year is the calendar year of the first entry.
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
                "ligne 1 (en-tête) : ni tabulation ni « | » : ce n'est pas un FEC".into()
            }
            (Unreadable::NoSeparator, Locale::En) => {
                "line 1 (header): neither a tab nor a '|': not a FEC".into()
            }
        }
    }
}

/// How often one rule was broken, and where first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSummary {
    pub count: u64,
    /// The first [`EXAMPLES`], in the order found.
    pub examples: Vec<Problem>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub separator: Separator,
    pub encoding: Encoding,
    pub layout: Layout,
    pub columns: Columns,
    pub line_end: LineEnd,
    /// Data lines (without the header).
    pub lines: u64,
    pub entries: u64,
    /// The period entry dates were compared with, and why that one.
    pub period: Option<Period>,
    pub period_source: PeriodSource,
    pub debit_cents: i128,
    pub credit_cents: i128,
    /// The first [`MAX_PROBLEMS`], in the order found.
    pub problems: Vec<Problem>,
    pub problem_count: u64,
    /// Per rule, in the summary's order.
    pub rules: BTreeMap<Rule, RuleSummary>,
    pub notes: Vec<Note>,
    /// Found on the current line, not yet given to the sink.
    fresh: Vec<Problem>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    fn add(&mut self, line: u64, issue: Issue) {
        self.problem_count += 1;
        let p = Problem { line, issue };
        let rule = self.rules.entry(p.issue.rule()).or_default();
        rule.count += 1;
        if rule.examples.len() < EXAMPLES {
            rule.examples.push(p.clone());
        }
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p.clone());
        }
        self.fresh.push(p);
    }

    fn flush(&mut self, sink: &mut dyn FnMut(&Problem)) {
        for p in self.fresh.drain(..) {
            sink(&p);
        }
    }
}

/// Checks the FEC read from `reader`.
pub fn check(reader: impl BufRead, opts: &Options) -> Result<Report, Unreadable> {
    check_streaming(reader, opts, &mut |_| {})
}

/// Checks the FEC read from `reader`, giving `sink` every problem as it is
/// found (those known only at the end, like unbalanced entries and gaps,
/// come last, by line).
pub fn check_streaming(
    reader: impl BufRead,
    opts: &Options,
    sink: &mut dyn FnMut(&Problem),
) -> Result<Report, Unreadable> {
    let io = |e: std::io::Error| Unreadable::Io(e.to_string());
    let mut lines = lines::Lines::new(reader);
    let mut buf = Vec::new();
    let Some(header_too_long) = lines.read(&mut buf).map_err(io)? else {
        return Err(Unreadable::Empty);
    };
    let mut bytes: &[u8] = &buf;
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
        columns: Columns::Standard,
        line_end: lines.end(),
        lines: 0,
        entries: 0,
        period: None,
        period_source: PeriodSource::Unknown,
        debit_cents: 0,
        credit_cents: 0,
        problems: Vec::new(),
        problem_count: 0,
        rules: BTreeMap::new(),
        notes: Vec::new(),
        fresh: Vec::new(),
    };
    let mut year = year_rule(opts, &mut report);
    let header = decode(bytes, &mut report, 1);
    let expected = read_header(&header, &mut report);
    report.flush(sink);

    let mut state = State {
        trailing_noted: report
            .notes
            .iter()
            .any(|n| matches!(n, Note::TrailingSeparator { .. })),
        ..Default::default()
    };
    let mut line_no: u64 = 1;
    let mut pending_empty: Option<u64> = None;
    let mut text = String::new();
    while let Some(too_long) = lines.read(&mut buf).map_err(io)? {
        line_no += 1;
        if buf.is_empty() && !too_long {
            pending_empty.get_or_insert(line_no);
            continue;
        }
        if let Some(empty) = pending_empty.take() {
            report.add(empty, Issue::EmptyLine);
        }
        report.lines += 1;
        if too_long {
            report.add(line_no, Issue::LineTooLong);
            report.flush(sink);
            continue;
        }
        decode_into(&buf, &mut report, line_no, &mut text);
        let mut fields: Vec<&str> = Vec::with_capacity(expected + 1);
        fields.extend(text.split(separator.byte() as char).map(str::trim));
        if fields.len() == expected + 1 && fields[expected].is_empty() {
            fields.pop();
            if !state.trailing_noted {
                state.trailing_noted = true;
                report.notes.push(Note::TrailingSeparator { line: line_no });
            }
        }
        if fields.len() != expected {
            report.add(
                line_no,
                Issue::FieldCount {
                    found: fields.len(),
                    expected,
                },
            );
        } else {
            fields::check_line(&fields, line_no, &mut report, &mut state, &mut year);
        }
        report.flush(sink);
    }
    state.finish(&mut report);
    (report.period, report.period_source) = year.outcome();
    report.flush(sink);
    Ok(report)
}

/// How entry dates will be judged, from the options and the file name; a
/// malformed name is a problem (line 0).
fn year_rule(opts: &Options, report: &mut Report) -> YearRule {
    let name = opts.file_name.as_deref().map(|n| {
        let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
        (base, period::read_file_name(base))
    });
    if let Some((base, Err(error))) = &name {
        report.add(
            0,
            Issue::FileName {
                name: truncate(base),
                error: error.clone(),
            },
        );
    }
    if let Some(p) = opts.period {
        return YearRule::Strict(p);
    }
    if let Some(closing) = opts.closing {
        return YearRule::from_closing(closing, false);
    }
    match name {
        Some((_, Ok((_, closing)))) => YearRule::from_closing(closing, true),
        Some((_, Err(_))) => YearRule::Unknown,
        None => YearRule::FirstEntry(None),
    }
}

/// Checks the header's names; returns how many fields each line must have.
fn read_header(header: &str, report: &mut Report) -> usize {
    let mut names: Vec<&str> = header
        .split(report.separator.byte() as char)
        .map(str::trim)
        .collect();
    if names.len() > 1 && names.last().is_some_and(|n| n.is_empty()) {
        names.pop();
        report.notes.push(Note::TrailingSeparator { line: 1 });
    }
    let is = |i: usize, n: &str| names.get(i).is_some_and(|s| s.eq_ignore_ascii_case(n));
    if is(11, "Montant") && is(12, "Sens") {
        report.layout = Layout::MontantSens;
    }
    report.columns = if (0..4).all(|i| is(18 + i, CASH_COLUMNS[i])) {
        Columns::BncCash
    } else if (0..3).all(|i| is(18 + i, CASH_COLUMNS[i])) {
        Columns::BaCash
    } else {
        Columns::Standard
    };
    if names.len() < 18 {
        report.add(1, Issue::HeaderColumns { found: names.len() });
    }
    let legal = report.columns.count();
    for (i, found) in names.iter().enumerate().take(legal) {
        let expected = column_name(report.layout, i);
        if !found.eq_ignore_ascii_case(expected) {
            report.add(
                1,
                Issue::HeaderName {
                    column: i + 1,
                    expected,
                    found: truncate(found),
                },
            );
        }
    }
    if names.len() > legal {
        let mut extra: Vec<String> = names[legal..]
            .iter()
            .take(10)
            .map(|n| truncate(n))
            .collect();
        if names.len() - legal > 10 {
            extra.push("…".into());
        }
        report.notes.push(Note::ExtraColumns { names: extra });
    }
    names.len().max(legal)
}

/// The name of column `i` (0-based) in this layout.
fn column_name(layout: Layout, i: usize) -> &'static str {
    match (layout, i) {
        (Layout::MontantSens, 11) => "Montant",
        (Layout::MontantSens, 12) => "Sens",
        (_, 0..18) => COLUMNS[i],
        (_, 18..22) => CASH_COLUMNS[i - 18],
        _ => "?",
    }
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

fn decode(bytes: &[u8], report: &mut Report, line: u64) -> String {
    let mut s = String::new();
    decode_into(bytes, report, line, &mut s);
    s
}

/// Decodes a line into `out`: ASCII as is; otherwise UTF-8 when it is
/// valid UTF-8, else ISO-8859-15. The first non-ASCII line decides the
/// file's charset; a later line in the other one is a problem.
fn decode_into(bytes: &[u8], report: &mut Report, line: u64, out: &mut String) {
    out.clear();
    if bytes.is_ascii() {
        // ASCII is valid UTF-8.
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    let utf8 = std::str::from_utf8(bytes).ok();
    let this = if utf8.is_some() {
        Encoding::Utf8
    } else {
        Encoding::Latin9
    };
    match report.encoding {
        Encoding::Ascii => report.encoding = this,
        Encoding::Latin9 => {
            out.push_str(&super::latin9::decode(bytes));
            return;
        }
        Encoding::Utf8 if this != Encoding::Utf8 => report.add(line, Issue::MixedEncoding),
        Encoding::Utf8 => {}
    }
    match utf8 {
        Some(s) => out.push_str(s),
        None => out.push_str(&super::latin9::decode(bytes)),
    }
}

/// Entry number sequences: per journal and prefix, and per prefix across
/// the file.
#[derive(Default)]
struct Sequences {
    journal: HashMap<(String, String), Seen>,
    file: HashMap<String, Seen>,
}

/// What the checker remembers between lines.
#[derive(Default)]
pub(crate) struct State {
    /// Per entry, keyed `journal \0 number` (looked up without allocating).
    entries: HashMap<String, EntryAcc>,
    key: String,
    journals: HashMap<String, JournalState>,
    lettering: HashMap<(String, String), (u64, i128)>,
    sequences: Sequences,
    trailing_noted: bool,
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

impl State {
    /// What only the whole file tells: unbalanced entries and lettering,
    /// gaps in the numbering; each rule's problems by line.
    fn finish(&mut self, report: &mut Report) {
        let mut late: Vec<(u64, Issue)> = Vec::new();
        for (key, a) in self.entries.drain() {
            if a.debit != a.credit {
                let (journal, number) = key.split_once('\0').unwrap_or((&key, ""));
                let (journal, number) = (journal.to_owned(), number.to_owned());
                late.push((
                    a.first_line,
                    Issue::Unbalanced {
                        journal,
                        number,
                        debit: a.debit,
                        credit: a.credit,
                    },
                ));
            }
        }
        for ((account, code), (l, balance)) in self.lettering.drain() {
            if balance != 0 {
                late.push((
                    l,
                    Issue::LetteringUnbalanced {
                        account,
                        code,
                        balance,
                    },
                ));
            }
        }
        // A prefix numbered across journals when that leaves fewer numbers
        // missing than numbering per journal does.
        let mut per_journal: HashMap<&str, u64> = HashMap::new();
        let mut journals_of: HashMap<&str, u32> = HashMap::new();
        for ((_, prefix), seen) in &self.sequences.journal {
            *per_journal.entry(prefix).or_default() += seen.missing();
            *journals_of.entry(prefix).or_default() += 1;
        }
        let fmt = |prefix: &str, n: u64, width: usize| format!("{prefix}{n:0width$}");
        let mut file_wide: Vec<&str> = Vec::new();
        for (prefix, seen) in &self.sequences.file {
            if journals_of.get(prefix.as_str()).copied().unwrap_or(0) > 1
                && seen.missing() < per_journal.get(prefix.as_str()).copied().unwrap_or(0)
            {
                file_wide.push(prefix);
                for g in seen.gaps() {
                    late.push((
                        g.line,
                        Issue::NumberGap {
                            journal: None,
                            from: fmt(prefix, g.from, seen.width),
                            to: fmt(prefix, g.to, seen.width),
                            count: g.to - g.from + 1,
                        },
                    ));
                }
            }
        }
        for ((journal, prefix), seen) in &self.sequences.journal {
            if file_wide.contains(&prefix.as_str()) {
                continue;
            }
            for g in seen.gaps() {
                late.push((
                    g.line,
                    Issue::NumberGap {
                        journal: Some(journal.clone()),
                        from: fmt(prefix, g.from, seen.width),
                        to: fmt(prefix, g.to, seen.width),
                        count: g.to - g.from + 1,
                    },
                ));
            }
        }
        late.sort_by_key(|a| (a.1.rule(), a.0));
        for (l, i) in late {
            report.add(l, i);
        }
    }
}

#[cfg(test)]
mod tests;

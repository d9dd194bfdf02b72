//! CSV exports, read through a column mapping saved per bank.
//!
//! Banks' exports differ in separator, header, date format, amount columns
//! and encoding (see [`super::text`]: declared in the mapping or detected).
//! A field in quotes may hold the separator, doubled quotes and line
//! breaks: some French banks export a transfer's label on several lines.
//! Such a record counts from the line it starts on; a quote left open to
//! the end of the file refuses it, naming that line and the column.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::text::{TextEncoding, decode_csv};
use super::{ParseError, Reason, Statement, StatementLine, dmy_date, err, iso_date};
use crate::money::Money;
use crate::validation::fold_accents;

/// A column of a CSV file: by its header name (compared without case nor
/// accents) or by its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    Index(usize),
    Name(String),
}

impl Column {
    /// From a form field: digits are a position, anything else a header name;
    /// blank is no column.
    pub fn parse(raw: &str) -> Option<Column> {
        let t = raw.trim();
        if t.is_empty() {
            None
        } else if t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().ok().map(Column::Index)
        } else {
            Some(Column::Name(t.to_string()))
        }
    }

    pub fn display(&self) -> String {
        match self {
            Column::Index(i) => i.to_string(),
            Column::Name(n) => n.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DateFormat {
    /// `28/11/2026` (French banks).
    #[default]
    #[serde(rename = "dd/mm/yyyy")]
    DayMonthYear,
    #[serde(rename = "yyyy-mm-dd")]
    Iso,
}

impl DateFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::DayMonthYear => "dd/mm/yyyy",
            DateFormat::Iso => "yyyy-mm-dd",
        }
    }

    pub fn parse(s: &str) -> Option<DateFormat> {
        match s {
            "dd/mm/yyyy" => Some(DateFormat::DayMonthYear),
            "yyyy-mm-dd" => Some(DateFormat::Iso),
            _ => None,
        }
    }

    fn read(self, s: &str) -> Option<Date> {
        match self {
            DateFormat::DayMonthYear => dmy_date(s),
            DateFormat::Iso => iso_date(s),
        }
    }
}

/// How one bank's CSV export reads; saved on the bank account as JSON and
/// offered again at the next import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvMapping {
    /// `;`, `,` or a tab.
    pub separator: char,
    /// Lines before the header (banks put the account and period there).
    #[serde(default)]
    pub skip_lines: usize,
    /// Whether a header line follows the skipped lines.
    #[serde(default = "yes")]
    pub header: bool,
    pub date_format: DateFormat,
    pub date: Column,
    #[serde(default)]
    pub value_date: Option<Column>,
    pub label: Column,
    /// A signed amount column, or else…
    #[serde(default)]
    pub amount: Option<Column>,
    /// …a debit and a credit column (amounts without sign).
    #[serde(default)]
    pub debit: Option<Column>,
    #[serde(default)]
    pub credit: Option<Column>,
    #[serde(default)]
    pub reference: Option<Column>,
    #[serde(default)]
    pub counterparty: Option<Column>,
    /// The file's encoding; `Auto` detects it.
    #[serde(default)]
    pub encoding: TextEncoding,
}

fn yes() -> bool {
    true
}

impl CsvMapping {
    /// The layout most French banks export: `Date;Libellé;Débit;Crédit`.
    pub fn french_bank() -> CsvMapping {
        CsvMapping {
            separator: ';',
            skip_lines: 0,
            header: true,
            date_format: DateFormat::DayMonthYear,
            date: Column::Name("Date".into()),
            value_date: None,
            label: Column::Name("Libellé".into()),
            amount: None,
            debit: Some(Column::Name("Débit".into())),
            credit: Some(Column::Name("Crédit".into())),
            reference: None,
            counterparty: None,
            encoding: TextEncoding::Auto,
        }
    }

    /// Checks the mapping itself (before reading any file).
    pub fn check(&self) -> Result<(), Reason> {
        if !matches!(self.separator, ';' | ',' | '\t') {
            return Err(Reason::Mapping("separator"));
        }
        match (&self.amount, &self.debit, &self.credit) {
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            _ => return Err(Reason::Mapping("amount")),
        }
        let cols = [
            Some(&self.date),
            self.value_date.as_ref(),
            Some(&self.label),
            self.amount.as_ref(),
            self.debit.as_ref(),
            self.credit.as_ref(),
            self.reference.as_ref(),
            self.counterparty.as_ref(),
        ];
        for c in cols.into_iter().flatten() {
            match c {
                Column::Index(0) => return Err(Reason::Mapping("column")),
                Column::Name(_) if !self.header => return Err(Reason::Mapping("header")),
                _ => {}
            }
        }
        Ok(())
    }
}

/// One record of the file: the line it starts on and its fields.
struct Record {
    line: usize,
    fields: Vec<String>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.is_empty())
    }
}

/// Splits `text` (whose first line is `first_line`) into records. Quotes
/// (`"…"`, `""` inside) protect separators and line breaks; a quote opens
/// a field only at its start, elsewhere it is a character.
fn records(text: &str, sep: char, first_line: usize) -> Result<Vec<Record>, ParseError> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut line = first_line;
    let mut start = first_line;
    let mut chars = text.chars().peekable();
    let end_field = |cur: &mut String, fields: &mut Vec<String>| {
        fields.push(std::mem::take(cur).trim().to_string());
    };
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_field(&mut cur, &mut fields);
                out.push(Record {
                    line: start,
                    fields: std::mem::take(&mut fields),
                });
                start = line;
            }
            c if c == sep => end_field(&mut cur, &mut fields),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(err(start, (fields.len() + 1).to_string(), Reason::Unclosed));
    }
    if !cur.is_empty() || !fields.is_empty() {
        end_field(&mut cur, &mut fields);
        out.push(Record {
            line: start,
            fields,
        });
    }
    Ok(out)
}

fn header_key(s: &str) -> String {
    fold_accents(s.trim())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Reads a CSV export with `mapping`. Blank records are skipped; any
/// other must give a date and an amount, or the whole file is refused with
/// the line number and the column.
pub fn parse_csv(bytes: &[u8], mapping: &CsvMapping) -> Result<Statement, ParseError> {
    mapping.check().map_err(|r| err(0, "", r))?;
    let text = decode_csv(bytes, mapping.encoding)?;
    // The lines before the header are free text (account, period): skipped
    // as lines, not as records.
    let mut offset = 0;
    for _ in 0..mapping.skip_lines {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => offset = text.len(),
        }
    }
    let all = records(&text[offset..], mapping.separator, mapping.skip_lines + 1)?;
    let mut rows = all.into_iter().filter(|r| !r.is_blank());

    let mut names: HashMap<String, usize> = HashMap::new();
    let mut header_line = mapping.skip_lines;
    if mapping.header {
        let Some(header) = rows.next() else {
            return Err(err(0, "", Reason::Empty));
        };
        header_line = header.line;
        for (i, h) in header.fields.iter().enumerate() {
            names.entry(header_key(h)).or_insert(i);
        }
    }
    let index = |c: &Column| -> Result<usize, ParseError> {
        match c {
            Column::Index(i) => Ok(i - 1),
            Column::Name(n) => names
                .get(&header_key(n))
                .copied()
                .ok_or_else(|| err(header_line, n.clone(), Reason::ColumnNotFound(n.clone()))),
        }
    };
    let opt_index = |c: &Option<Column>| c.as_ref().map(index).transpose();
    let date_i = index(&mapping.date)?;
    let value_i = opt_index(&mapping.value_date)?;
    let label_i = index(&mapping.label)?;
    let amount_i = opt_index(&mapping.amount)?;
    let debit_i = opt_index(&mapping.debit)?;
    let credit_i = opt_index(&mapping.credit)?;
    let ref_i = opt_index(&mapping.reference)?;
    let party_i = opt_index(&mapping.counterparty)?;
    let col_name = |c: &Column| c.display();

    let mut lines = Vec::new();
    for Record { line: n, fields } in rows {
        let get = |i: usize, c: &Column| -> Result<&str, ParseError> {
            fields
                .get(i)
                .map(String::as_str)
                .ok_or_else(|| err(n, col_name(c), Reason::TooFewColumns))
        };
        let opt = |i: Option<usize>| -> Option<String> {
            i.and_then(|i| fields.get(i))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let date_raw = get(date_i, &mapping.date)?;
        let booking_date = mapping
            .date_format
            .read(date_raw)
            .ok_or_else(|| err(n, col_name(&mapping.date), Reason::Date(date_raw.into())))?;
        let value_date = match (value_i, &mapping.value_date) {
            (Some(i), Some(c)) => match fields.get(i).filter(|v| !v.is_empty()) {
                Some(v) => Some(
                    mapping
                        .date_format
                        .read(v)
                        .ok_or_else(|| err(n, col_name(c), Reason::Date(v.clone())))?,
                ),
                None => None,
            },
            _ => None,
        };
        let label = get(label_i, &mapping.label)?.to_string();
        let amount = match (amount_i, &mapping.amount, debit_i, credit_i) {
            (Some(i), Some(c), _, _) => {
                let raw = get(i, c)?;
                csv_amount(raw).ok_or_else(|| err(n, col_name(c), Reason::Amount(raw.into())))?
            }
            (_, _, Some(di), Some(ci)) => {
                let (dc, cc) = (
                    mapping.debit.as_ref().expect("checked"),
                    mapping.credit.as_ref().expect("checked"),
                );
                let d = fields.get(di).map(String::as_str).unwrap_or("");
                let c = fields.get(ci).map(String::as_str).unwrap_or("");
                if fields.len() <= di.min(ci) {
                    return Err(err(n, col_name(dc), Reason::TooFewColumns));
                }
                let dv = if d.is_empty() {
                    None
                } else {
                    Some(
                        csv_amount(d)
                            .ok_or_else(|| err(n, col_name(dc), Reason::Amount(d.into())))?,
                    )
                }
                .filter(|m| !m.is_zero());
                let cv = if c.is_empty() {
                    None
                } else {
                    Some(
                        csv_amount(c)
                            .ok_or_else(|| err(n, col_name(cc), Reason::Amount(c.into())))?,
                    )
                }
                .filter(|m| !m.is_zero());
                match (dv, cv) {
                    (Some(_), Some(_)) => return Err(err(n, col_name(dc), Reason::DebitAndCredit)),
                    (Some(d), None) => -d.abs(),
                    (None, Some(c)) => c.abs(),
                    (None, None) => return Err(err(n, col_name(dc), Reason::ZeroAmount)),
                }
            }
            _ => return Err(err(0, "", Reason::Mapping("amount"))),
        };
        if amount.is_zero() {
            let at = mapping.amount.as_ref().map(col_name).unwrap_or_default();
            return Err(err(n, at, Reason::ZeroAmount));
        }
        lines.push(StatementLine {
            line: n,
            booking_date,
            value_date,
            amount,
            label,
            counterparty: opt(party_i),
            bank_reference: opt(ref_i),
            end_to_end_id: None,
            remittance: None,
        });
    }
    if lines.is_empty() {
        return Err(err(0, "", Reason::Empty));
    }
    let period = lines
        .iter()
        .map(|l| l.booking_date)
        .min()
        .zip(lines.iter().map(|l| l.booking_date).max());
    Ok(Statement {
        position: 1,
        line: 1,
        period,
        lines,
        ..Statement::default()
    })
}

/// A CSV amount: `1 234,56`, `-1234,56`, `1234.56`, `+12,00 €`.
fn csv_amount(raw: &str) -> Option<Money> {
    Money::parse(raw).ok()
}

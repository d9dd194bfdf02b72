//! Bank statements as the bank sends them: ISO 20022 CAMT.053 (XML,
//! [`camt`]) or a CSV export read through a column mapping saved per bank
//! ([`csv`]), in the encoding the file declares or that is detected
//! ([`text`]).
//!
//! Both readers are total: any input, however mangled, yields statements
//! or a [`ParseError`] naming the line, the element or column and the reason
//! (never a panic), so an import is all or nothing and the user can fix the
//! file. Amounts are signed cents, money in positive.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use time::{Date, Month};

use crate::money::Money;

mod camt;
mod csv;
mod text;

#[cfg(test)]
use camt::decimal_point_amount;
pub use camt::parse_camt053;
pub use csv::{Column, CsvMapping, DateFormat, parse_csv};
pub use text::{TextEncoding, decode_text};

/// One statement: where it is in the file, the account, the bank's id for
/// it, the period, the balances when the format carries them, and its
/// booked movements in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    /// Its rank in the file, from 1 (a CSV file is one statement).
    pub position: usize,
    /// The line it starts on.
    pub line: usize,
    pub iban: Option<String>,
    /// The account's identifier when the bank gives another than the IBAN
    /// (`Acct/Id/Othr/Id`, often the domestic account number), as written.
    pub other_id: Option<String>,
    pub statement_id: Option<String>,
    pub period: Option<(Date, Date)>,
    pub opening_balance: Option<Money>,
    pub closing_balance: Option<Money>,
    pub lines: Vec<StatementLine>,
    /// Entries reported but not booked (pending, announced, future), left
    /// out of `lines` until a later statement brings them booked.
    pub not_booked: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The line of the file the movement starts on.
    pub line: usize,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    /// Signed: money in is positive.
    pub amount: Money,
    pub label: String,
    pub counterparty: Option<String>,
    /// The bank's own reference of the movement (CAMT `AcctSvcrRef`).
    pub bank_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    /// Unstructured remittance information (`RmtInf/Ustrd`).
    pub remittance: Option<String>,
}

impl StatementLine {
    /// Everything a person or the matcher reads to identify the payer:
    /// label, remittance information and counterparty.
    pub fn search_text(&self) -> String {
        let mut s = self.label.clone();
        for extra in [&self.remittance, &self.counterparty, &self.end_to_end_id]
            .into_iter()
            .flatten()
        {
            if !s.contains(extra.as_str()) {
                s.push(' ');
                s.push_str(extra);
            }
        }
        s
    }
}

/// Why a file was refused. `line` is 1-based (0 when the whole file is at
/// fault); `at` names the XML element path or the CSV column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, {at}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub at: String,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("not well-formed XML ({0})")]
    Xml(String),
    #[error("not a CAMT.053 statement")]
    NotCamt053,
    #[error("entry status {0:?} (BOOK, PDNG, INFO or FUTR expected)")]
    EntryStatus(String),
    #[error("element missing")]
    Missing,
    #[error("not an amount: {0:?}")]
    Amount(String),
    #[error("not a date: {0:?}")]
    Date(String),
    #[error("currency {0:?}, only EUR is accepted")]
    Currency(String),
    #[error("credit/debit indicator {0:?} (CRDT or DBIT expected)")]
    CreditDebit(String),
    #[error("the text is not {0} as declared")]
    Encoding(String),
    #[error("unknown encoding {0:?}")]
    EncodingUnknown(String),
    #[error("a quote opened and never closed")]
    Unclosed,
    #[error("column not found in the header: {0:?}")]
    ColumnNotFound(String),
    #[error("the line has too few columns")]
    TooFewColumns,
    #[error("both debit and credit are filled")]
    DebitAndCredit,
    #[error("an amount of zero")]
    ZeroAmount,
    #[error("the file holds no movement")]
    Empty,
    #[error("invalid column mapping: {0}")]
    Mapping(&'static str),
}

impl Reason {
    /// Translation key of the message shown to the user.
    pub fn key(&self) -> &'static str {
        match self {
            Reason::Xml(_) => "statement-xml",
            Reason::NotCamt053 => "statement-not-camt053",
            Reason::EntryStatus(_) => "statement-entry-status",
            Reason::Missing => "statement-missing",
            Reason::Amount(_) => "statement-amount",
            Reason::Date(_) => "statement-date",
            Reason::Currency(_) => "statement-currency",
            Reason::CreditDebit(_) => "statement-credit-debit",
            Reason::Encoding(_) => "statement-encoding",
            Reason::EncodingUnknown(_) => "statement-encoding-unknown",
            Reason::Unclosed => "statement-csv-unclosed",
            Reason::ColumnNotFound(_) => "statement-column-not-found",
            Reason::TooFewColumns => "statement-too-few-columns",
            Reason::DebitAndCredit => "statement-debit-and-credit",
            Reason::ZeroAmount => "statement-zero-amount",
            Reason::Empty => "statement-empty",
            Reason::Mapping(_) => "statement-mapping",
        }
    }

    /// The offending value, if any (shown in the message).
    pub fn value(&self) -> String {
        match self {
            Reason::Xml(v)
            | Reason::Amount(v)
            | Reason::Date(v)
            | Reason::Currency(v)
            | Reason::CreditDebit(v)
            | Reason::EntryStatus(v)
            | Reason::Encoding(v)
            | Reason::EncodingUnknown(v)
            | Reason::ColumnNotFound(v) => v.clone(),
            Reason::Mapping(v) => (*v).to_string(),
            _ => String::new(),
        }
    }
}

fn err(line: usize, at: impl Into<String>, reason: Reason) -> ParseError {
    ParseError {
        line,
        at: at.into(),
        reason,
    }
}

fn iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let y = i32::try_from(num(0..4)?).ok()?;
    let m = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    Date::from_calendar_date(y, m, u8::try_from(num(8..10)?).ok()?).ok()
}

fn dmy_date(s: &str) -> Option<Date> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=2).contains(&d.len())
        || !(1..=2).contains(&m.len())
        || !(y.len() == 4 || y.len() == 2)
        || ![d, m, y]
            .iter()
            .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let mut year: i32 = y.parse().ok()?;
    if y.len() == 2 {
        year += 2000;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, d.parse().ok()?).ok()
}

// ---------------------------------------------------------------------------
// Duplicates

/// The key that identifies each movement across files.
///
/// With the bank's reference: the reference, booking date and amount
/// (`ref:R|2026-12-03|60000`). A reference is not always one movement:
/// banks repeat a batch entry's reference on each of its transactions, and
/// a batch may hold two payments of the same amount; so when a key repeats
/// within the statement, its second occurrence gets `#2`, the third `#3`.
/// The same statement read again gives the same keys, so a movement
/// imported twice is still found, and lines of one batch are never taken
/// for duplicates of each other.
///
/// Without a reference: a digest of the booking date, amount, label and the
/// rank of identical movements that day (two identical card payments the
/// same day are two movements, not a duplicate).
pub fn dedupe_keys(lines: &[StatementLine]) -> Vec<String> {
    let mut seen: HashMap<(Date, i64, &str), u32> = HashMap::new();
    let mut refs: HashMap<String, u32> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            if let Some(r) = l.bank_reference.as_deref().filter(|r| !r.trim().is_empty()) {
                let base = reference_key(r, l.booking_date, l.amount);
                let rank = refs.entry(base.clone()).or_insert(0);
                *rank += 1;
                return if *rank == 1 {
                    base
                } else {
                    format!("{base}#{rank}")
                };
            }
            let rank = seen
                .entry((l.booking_date, l.amount.cents(), l.label.as_str()))
                .or_insert(0);
            *rank += 1;
            let mut h = Sha256::new();
            h.update(
                format!(
                    "{}|{}|{}|{}",
                    l.booking_date,
                    l.amount.cents(),
                    l.label.trim(),
                    rank
                )
                .as_bytes(),
            );
            let digest = h.finalize();
            let mut hex = String::with_capacity(40);
            for b in &digest[..20] {
                hex.push_str(&format!("{b:02x}"));
            }
            format!("h:{hex}")
        })
        .collect()
}

/// The key of a movement by the bank's reference (see [`dedupe_keys`]);
/// the migration `20261206000014_bank_identifiers` rewrote older keys to it.
fn reference_key(reference: &str, booking_date: Date, amount: Money) -> String {
    format!("ref:{}|{booking_date}|{}", reference.trim(), amount.cents())
}

/// An account identifier as banks write it, for comparison: without
/// spaces, dots or dashes, in capitals (`30004 00003 12345678901 43` and
/// `3000400003-1234567890143` are the same number).
pub fn normalise_account_id(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether a statement's account identifiers designate the bank account
/// of `iban` (and of `other_id`, the number the bank uses for it when it
/// gives one): the same IBAN; or an `Othr/Id` equal to the account's other
/// identifier, or to the domestic number inside its IBAN (the BBAN: the
/// IBAN without its country code and check digits). A statement naming
/// neither never matches.
pub fn designates(statement: &Statement, iban: &str, other_id: Option<&str>) -> bool {
    let iban = normalise_account_id(iban);
    if let Some(found) = &statement.iban {
        return normalise_account_id(found) == iban;
    }
    let Some(found) = statement.other_id.as_deref().map(normalise_account_id) else {
        return false;
    };
    if found.is_empty() {
        return false;
    }
    let bban = iban.get(4..).unwrap_or("");
    found == bban
        || found == iban
        || other_id
            .map(normalise_account_id)
            .is_some_and(|o| !o.is_empty() && o == found)
}

#[cfg(test)]
mod tests;

//! Bank statements as the bank sends them: ISO 20022 CAMT.053 (XML) or a
//! CSV export read through a column mapping saved per bank.
//!
//! Both readers are total: any input, however mangled, yields a statement
//! or a [`ParseError`] naming the line, the element or column and the reason
//! (never a panic), so an import is all or nothing and the user can fix the
//! file. Amounts are signed cents, money in positive.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Month};

use crate::money::Money;
use crate::validation::fold_accents;

/// One statement: the account, the bank's id for it, the period, the
/// balances when the format carries them, and its movements in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    pub iban: Option<String>,
    pub statement_id: Option<String>,
    pub period: Option<(Date, Date)>,
    pub opening_balance: Option<Money>,
    pub closing_balance: Option<Money>,
    pub lines: Vec<StatementLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
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
    #[error("several statements in one file")]
    SeveralStatements,
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
    #[error("text is neither UTF-8 nor Latin-1")]
    Encoding,
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
            Reason::SeveralStatements => "statement-several",
            Reason::Missing => "statement-missing",
            Reason::Amount(_) => "statement-amount",
            Reason::Date(_) => "statement-date",
            Reason::Currency(_) => "statement-currency",
            Reason::CreditDebit(_) => "statement-credit-debit",
            Reason::Encoding => "statement-encoding",
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

// ---------------------------------------------------------------------------
// CAMT.053

/// Parses an ISO 20022 bank-to-customer statement (camt.053.001.02 and
/// later: the elements read here kept their names and places).
///
/// An entry (`Ntry`) gives one line; a batch entry whose transaction
/// details (`TxDtls`) each carry an amount gives one line per transaction,
/// so each payer can be matched on its own.
pub fn parse_camt053(bytes: &[u8]) -> Result<Statement, ParseError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| err(line_at(bytes, e.valid_up_to()), "", Reason::Encoding))?;
    let mut reader = Reader::from_str(text);
    let cfg = reader.config_mut();
    cfg.check_end_names = true;
    cfg.expand_empty_elements = true;

    let mut p = CamtParser::default();
    let mut lines = LineCounter::new(text);
    loop {
        let event = reader.read_event();
        // The position after the event: its closing '>' (elements and their
        // values sit on one line in the files banks produce).
        let line = lines.at(reader.buffer_position() as usize);
        match event {
            Err(e) => {
                let line = line_at(text.as_bytes(), reader.error_position() as usize);
                return Err(err(line, p.path(), Reason::Xml(e.to_string())));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref()).to_string();
                let ccy = match e.try_get_attribute("Ccy") {
                    Ok(Some(a)) => Some(
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| err(line, p.path(), Reason::Xml(e.to_string())))?
                            .into_owned(),
                    ),
                    Ok(None) => None,
                    Err(e) => return Err(err(line, p.path(), Reason::Xml(e.to_string()))),
                };
                p.start(name, ccy, line)?;
            }
            Ok(Event::End(_)) => p.end(line)?,
            Ok(Event::Text(t)) => p.text(&t.xml_content(quick_xml::XmlVersion::Implicit1_0)),
            Ok(Event::CData(t)) => p.text(&t.xml_content(quick_xml::XmlVersion::Implicit1_0)),
            Ok(Event::GeneralRef(r)) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(err(
                                line,
                                p.path(),
                                Reason::Xml(format!("unknown entity &{};", &*r)),
                            ));
                        }
                    },
                    Err(e) => return Err(err(line, p.path(), Reason::Xml(e.to_string()))),
                };
                p.text(&resolved);
            }
            Ok(_) => {}
        }
    }
    p.finish()
}

/// Local part of a possibly prefixed name (`ns2:Stmt` → `Stmt`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Byte offset → 1-based line number, incrementally (offsets only grow).
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            return 1 + self.bytes[..offset].iter().filter(|&&b| b == b'\n').count();
        }
        self.line += self.bytes[self.pos..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = offset;
        self.line
    }
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// A value read from the file with where it was, for error messages.
#[derive(Debug, Clone, Default)]
struct Located {
    value: String,
    line: usize,
    path: String,
    ccy: Option<String>,
}

#[derive(Debug, Default)]
struct RawTx {
    amount: Option<Located>,
    end_to_end: Option<String>,
    bank_ref: Option<String>,
    debtor: Option<String>,
    creditor: Option<String>,
    remittance: Vec<String>,
}

#[derive(Debug, Default)]
struct RawEntry {
    line: usize,
    amount: Option<Located>,
    cdt_dbt: Option<Located>,
    booking: Option<Located>,
    value: Option<Located>,
    bank_ref: Option<String>,
    info: Option<String>,
    txs: Vec<RawTx>,
}

#[derive(Debug, Default)]
struct RawBalance {
    code: Option<String>,
    amount: Option<Located>,
    cdt_dbt: Option<Located>,
}

#[derive(Default)]
struct CamtParser {
    stack: Vec<String>,
    ccy: Vec<Option<String>>,
    start_line: Vec<usize>,
    text: String,
    root_ok: bool,
    statements: usize,
    statement: Statement,
    from: Option<Located>,
    to: Option<Located>,
    balances: Vec<RawBalance>,
    entry: Option<RawEntry>,
    entries: Vec<RawEntry>,
}

impl CamtParser {
    fn path(&self) -> String {
        self.stack.join("/")
    }

    fn start(&mut self, name: String, ccy: Option<String>, line: usize) -> Result<(), ParseError> {
        if self.stack.is_empty() && name != "Document" {
            return Err(err(line, name, Reason::NotCamt053));
        }
        if self.stack.len() == 1 {
            if name != "BkToCstmrStmt" {
                return Err(err(line, format!("Document/{name}"), Reason::NotCamt053));
            }
            self.root_ok = true;
        }
        self.stack.push(name);
        self.ccy.push(ccy);
        self.start_line.push(line);
        self.text.clear();
        let rel = self.rel();
        match rel.as_str() {
            "Stmt" => {
                self.statements += 1;
                if self.statements > 1 {
                    return Err(err(line, self.path(), Reason::SeveralStatements));
                }
            }
            "Stmt/Bal" => self.balances.push(RawBalance::default()),
            "Stmt/Ntry" => {
                self.entry = Some(RawEntry {
                    line,
                    ..RawEntry::default()
                })
            }
            "Stmt/Ntry/NtryDtls/TxDtls" => {
                if let Some(e) = self.entry.as_mut() {
                    e.txs.push(RawTx::default());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The path below `Document/BkToCstmrStmt/`.
    fn rel(&self) -> String {
        if self.stack.len() <= 2 {
            return String::new();
        }
        self.stack[2..].join("/")
    }

    fn text(&mut self, t: &str) {
        self.text.push_str(t);
    }

    fn end(&mut self, _line: usize) -> Result<(), ParseError> {
        let rel = self.rel();
        let path = self.path();
        let line = self.start_line.last().copied().unwrap_or(0);
        let ccy = self.ccy.last().cloned().flatten();
        let value = std::mem::take(&mut self.text).trim().to_string();
        let located = || Located {
            value: value.clone(),
            line,
            path: path.clone(),
            ccy: ccy.clone(),
        };
        match rel.as_str() {
            "Stmt/Id" => self.statement.statement_id = Some(value.clone()),
            "Stmt/Acct/Id/IBAN" => self.statement.iban = Some(value.replace(' ', "")),
            "Stmt/FrToDt/FrDtTm" => self.from = Some(located()),
            "Stmt/FrToDt/ToDtTm" => self.to = Some(located()),
            "Stmt/Bal/Tp/CdOrPrtry/Cd" => {
                if let Some(b) = self.balances.last_mut() {
                    b.code = Some(value.clone());
                }
            }
            "Stmt/Bal/Amt" => {
                if let Some(b) = self.balances.last_mut() {
                    b.amount = Some(located());
                }
            }
            "Stmt/Bal/CdtDbtInd" => {
                if let Some(b) = self.balances.last_mut() {
                    b.cdt_dbt = Some(located());
                }
            }
            "Stmt/Ntry" => {
                if let Some(e) = self.entry.take() {
                    self.entries.push(e);
                }
            }
            _ => {
                if let Some(e) = self.entry.as_mut() {
                    entry_field(e, &rel, located(), &value);
                }
            }
        }
        self.stack.pop();
        self.ccy.pop();
        self.start_line.pop();
        Ok(())
    }

    fn finish(mut self) -> Result<Statement, ParseError> {
        if !self.root_ok {
            return Err(err(1, "Document/BkToCstmrStmt", Reason::NotCamt053));
        }
        if self.statements == 0 {
            return Err(err(0, "Document/BkToCstmrStmt/Stmt", Reason::Missing));
        }
        for b in &self.balances {
            let (Some(amount), Some(code)) = (&b.amount, &b.code) else {
                continue;
            };
            let mut m = camt_amount(amount)?;
            if let Some(ind) = &b.cdt_dbt
                && credit_debit(ind)? < 0
            {
                m = -m;
            }
            match code.as_str() {
                "OPBD" | "PRCD" if self.statement.opening_balance.is_none() => {
                    self.statement.opening_balance = Some(m)
                }
                "CLBD" => self.statement.closing_balance = Some(m),
                _ => {}
            }
        }
        let mut lines = Vec::new();
        for e in std::mem::take(&mut self.entries) {
            entry_lines(e, &mut lines)?;
        }
        if let (Some(f), Some(t)) = (&self.from, &self.to) {
            self.statement.period = Some((camt_date(f)?, camt_date(t)?));
        } else if let (Some(first), Some(last)) = (
            lines.iter().map(|l: &StatementLine| l.booking_date).min(),
            lines.iter().map(|l| l.booking_date).max(),
        ) {
            self.statement.period = Some((first, last));
        }
        self.statement.lines = lines;
        Ok(self.statement)
    }
}

fn entry_field(e: &mut RawEntry, rel: &str, located: Located, value: &str) {
    let Some(sub) = rel.strip_prefix("Stmt/Ntry/") else {
        return;
    };
    let some = || (!value.is_empty()).then(|| value.to_string());
    match sub {
        "Amt" => e.amount = Some(located),
        "CdtDbtInd" => e.cdt_dbt = Some(located),
        "BookgDt/Dt" | "BookgDt/DtTm" => e.booking = Some(located),
        "ValDt/Dt" | "ValDt/DtTm" => e.value = Some(located),
        "AcctSvcrRef" => e.bank_ref = some(),
        "AddtlNtryInf" => e.info = some(),
        _ => {
            let Some(tx_field) = sub.strip_prefix("NtryDtls/TxDtls/") else {
                return;
            };
            let Some(tx) = e.txs.last_mut() else {
                return;
            };
            match tx_field {
                // The transaction's own amount wins over its detail.
                "Amt" => tx.amount = Some(located),
                "AmtDtls/TxAmt/Amt" if tx.amount.is_none() => tx.amount = Some(located),
                "Refs/EndToEndId" => tx.end_to_end = some().filter(|v| v != "NOTPROVIDED"),
                "Refs/AcctSvcrRef" => tx.bank_ref = some(),
                "RltdPties/Dbtr/Nm" | "RltdPties/Dbtr/Pty/Nm" => tx.debtor = some(),
                "RltdPties/Cdtr/Nm" | "RltdPties/Cdtr/Pty/Nm" => tx.creditor = some(),
                "RmtInf/Ustrd" => {
                    if let Some(v) = some() {
                        tx.remittance.push(v);
                    }
                }
                "RmtInf/Strd/CdtrRefInf/Ref" => {
                    if let Some(v) = some() {
                        tx.remittance.push(v);
                    }
                }
                _ => {}
            }
        }
    }
}

fn entry_lines(e: RawEntry, out: &mut Vec<StatementLine>) -> Result<(), ParseError> {
    let amount_at = e.amount.as_ref().ok_or_else(|| {
        err(
            e.line,
            "Document/BkToCstmrStmt/Stmt/Ntry/Amt",
            Reason::Missing,
        )
    })?;
    let sign = match &e.cdt_dbt {
        Some(ind) => credit_debit(ind)?,
        None => {
            return Err(err(
                e.line,
                "Document/BkToCstmrStmt/Stmt/Ntry/CdtDbtInd",
                Reason::Missing,
            ));
        }
    };
    let total = camt_amount(amount_at)?;
    if total.is_zero() {
        return Err(err(amount_at.line, &amount_at.path, Reason::ZeroAmount));
    }
    let booking = e.booking.as_ref().ok_or_else(|| {
        err(
            e.line,
            "Document/BkToCstmrStmt/Stmt/Ntry/BookgDt",
            Reason::Missing,
        )
    })?;
    let booking_date = camt_date(booking)?;
    let value_date = e.value.as_ref().map(camt_date).transpose()?;

    // One line per transaction when each has its amount and they add up;
    // otherwise the entry as one line.
    let mut tx_amounts = Vec::with_capacity(e.txs.len());
    for tx in &e.txs {
        match &tx.amount {
            Some(a) => tx_amounts.push(camt_amount(a)?),
            None => break,
        }
    }
    let split = e.txs.len() > 1
        && tx_amounts.len() == e.txs.len()
        && tx_amounts.iter().copied().sum::<Money>() == total
        && tx_amounts.iter().all(|a| !a.is_zero());

    let counterparty = |tx: &RawTx| {
        if sign > 0 {
            tx.debtor.clone().or_else(|| tx.creditor.clone())
        } else {
            tx.creditor.clone().or_else(|| tx.debtor.clone())
        }
    };
    let signed = |m: Money| if sign < 0 { -m } else { m };

    if split {
        for (i, (tx, amount)) in e.txs.iter().zip(tx_amounts).enumerate() {
            let remittance = (!tx.remittance.is_empty()).then(|| tx.remittance.join(" "));
            let bank_reference = tx
                .bank_ref
                .clone()
                .or_else(|| e.bank_ref.as_ref().map(|r| format!("{r}/{n}", n = i + 1)));
            out.push(StatementLine {
                booking_date,
                value_date,
                amount: signed(amount),
                label: remittance
                    .clone()
                    .or_else(|| e.info.clone())
                    .unwrap_or_default(),
                counterparty: counterparty(tx),
                bank_reference,
                end_to_end_id: tx.end_to_end.clone(),
                remittance,
            });
        }
    } else {
        let remittance: Vec<String> = e.txs.iter().flat_map(|t| t.remittance.clone()).collect();
        let remittance = (!remittance.is_empty()).then(|| remittance.join(" "));
        let label = match (&e.info, &remittance) {
            (Some(i), _) => i.clone(),
            (None, Some(r)) => r.clone(),
            (None, None) => String::new(),
        };
        let first = e.txs.first();
        out.push(StatementLine {
            booking_date,
            value_date,
            amount: signed(total),
            label,
            counterparty: first.and_then(counterparty),
            bank_reference: e
                .bank_ref
                .clone()
                .or_else(|| first.and_then(|t| t.bank_ref.clone())),
            end_to_end_id: first.and_then(|t| t.end_to_end.clone()),
            remittance,
        });
    }
    Ok(())
}

fn credit_debit(ind: &Located) -> Result<i8, ParseError> {
    match ind.value.as_str() {
        "CRDT" => Ok(1),
        "DBIT" => Ok(-1),
        other => Err(err(
            ind.line,
            &ind.path,
            Reason::CreditDebit(other.to_string()),
        )),
    }
}

fn camt_amount(a: &Located) -> Result<Money, ParseError> {
    match &a.ccy {
        Some(c) if c == "EUR" => {}
        Some(c) => return Err(err(a.line, &a.path, Reason::Currency(c.clone()))),
        None => {
            return Err(err(
                a.line,
                format!("{}@Ccy", a.path),
                Reason::Currency(String::new()),
            ));
        }
    }
    decimal_point_amount(&a.value)
        .filter(|m| !m.is_negative())
        .ok_or_else(|| err(a.line, &a.path, Reason::Amount(a.value.clone())))
}

/// `1234.5`, `1234.56` or `1234.56000` (ISO 20022 allows five fraction
/// digits; beyond the cent they must be zeros).
fn decimal_point_amount(s: &str) -> Option<Money> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || int.len() > 15
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (body.contains('.') && frac.is_empty())
        || frac.len() > 5
        || frac.bytes().skip(2).any(|b| b != b'0')
    {
        return None;
    }
    let units: i64 = int.parse().ok()?;
    let mut cents = 0i64;
    for (i, b) in frac.bytes().take(2).enumerate() {
        cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
    }
    let total = units.checked_mul(100)?.checked_add(cents)?;
    Some(Money::from_cents(if neg { -total } else { total }))
}

fn camt_date(d: &Located) -> Result<Date, ParseError> {
    d.value
        .get(..10)
        .and_then(iso_date)
        .ok_or_else(|| err(d.line, &d.path, Reason::Date(d.value.clone())))
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
// CSV

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

/// UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise
/// Windows-1252, the superset of ISO-8859-1 that French banks' "Latin-1"
/// exports really use. Never fails: every byte has a Windows-1252 reading
/// (the five undefined ones map to the C1 control of the same code).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Splits one CSV record; quotes (`"…"`, `""` inside) protect separators.
/// Records never span lines here: bank exports do not break labels.
fn split_record(line: &str, sep: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.trim().is_empty() {
            cur.clear();
            quoted = true;
        } else if c == sep {
            fields.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    fields.push(cur);
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

fn header_key(s: &str) -> String {
    fold_accents(s.trim())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Reads a CSV export with `mapping`. Lines that are blank are skipped;
/// any other line must give a date and an amount, or the whole file is
/// refused with the line number and the column.
pub fn parse_csv(bytes: &[u8], mapping: &CsvMapping) -> Result<Statement, ParseError> {
    mapping.check().map_err(|r| err(0, "", r))?;
    let text = decode_text(bytes);
    let mut rows = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .skip(mapping.skip_lines);

    let mut names: HashMap<String, usize> = HashMap::new();
    if mapping.header {
        let Some((_, header)) = rows.by_ref().find(|(_, l)| !l.trim().is_empty()) else {
            return Err(err(0, "", Reason::Empty));
        };
        for (i, h) in split_record(header, mapping.separator).iter().enumerate() {
            names.entry(header_key(h)).or_insert(i);
        }
    }
    let header_line = mapping.skip_lines + usize::from(mapping.header);
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
    for (n, raw) in rows {
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split_record(raw, mapping.separator);
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
        period,
        lines,
        ..Statement::default()
    })
}

/// A CSV amount: `1 234,56`, `-1234,56`, `1234.56`, `+12,00 €`.
fn csv_amount(raw: &str) -> Option<Money> {
    Money::parse(raw).ok()
}

// ---------------------------------------------------------------------------
// Duplicates

/// The key that identifies each movement across files: the bank's
/// reference when it gave one, else a digest of the booking date, amount,
/// label and the rank of identical movements that day (two identical card
/// payments the same day are two movements, not a duplicate).
pub fn dedupe_keys(lines: &[StatementLine]) -> Vec<String> {
    let mut seen: HashMap<(Date, i64, &str), u32> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            if let Some(r) = l.bank_reference.as_deref().filter(|r| !r.trim().is_empty()) {
                return format!("ref:{}", r.trim());
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

#[cfg(test)]
mod tests;

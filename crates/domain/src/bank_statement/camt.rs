//! CAMT.053 (ISO 20022 bank-to-customer statement), as banks send it.
//!
//! - A file holds one or more statements (`Stmt`, 1..n in the schema):
//!   banks send one per day or per account in one file. Each is read on
//!   its own with its rank in the file, the line it starts on and its
//!   account: `Acct/Id/IBAN`, or `Acct/Id/Othr/Id` (a domestic account
//!   number, a BBAN) for banks that do not give the IBAN. Which bank
//!   account that is, the import decides (`store::statements`).
//! - The file is decoded as its XML declaration says (ISO-8859-1,
//!   Windows-1252, UTF-16…), see [`super::text`].
//! - Only booked entries (`Sts` BOOK: `<Sts>BOOK</Sts>` up to version 07,
//!   `<Sts><Cd>BOOK</Cd></Sts>` from 08) become lines. Entries the bank
//!   reports without booking them — pending (PDNG), announced (INFO) or
//!   future (FUTR) — are left out and counted (`not_booked`): they are not
//!   in the booked balances either, and the bank reports them again as
//!   booked in a later statement, which brings the line then. An entry
//!   without status counts as booked; any other status refuses the file.
//! - An entry (`Ntry`) gives one line; a batch entry whose transaction
//!   details (`TxDtls`) each carry an amount that add up gives one line per
//!   transaction, so each payer can be matched on its own. Banks often
//!   repeat the entry's reference on each transaction of a batch: these
//!   lines share the bank reference, which is no duplicate
//!   ([`super::dedupe_keys`] tells them apart).

use quick_xml::Reader;
use quick_xml::events::Event;
use time::Date;

use super::text::{decode_xml, line_at};
use super::{ParseError, Reason, Statement, StatementLine, err, iso_date};
use crate::money::Money;

/// The statuses of entries not (yet) booked, left out of the lines.
const NOT_BOOKED: [&str; 3] = ["PDNG", "INFO", "FUTR"];

/// Parses a CAMT.053 file into its statements, in file order. Any error in
/// any statement refuses the whole file (a real error: the file is not
/// what the standard describes).
pub fn parse_camt053(bytes: &[u8]) -> Result<Vec<Statement>, ParseError> {
    let text = decode_xml(bytes)?;
    let text = text.as_str();
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
    status: Option<Located>,
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

/// One `Stmt` being read.
#[derive(Default)]
struct RawStatement {
    statement: Statement,
    from: Option<Located>,
    to: Option<Located>,
    balances: Vec<RawBalance>,
    entry: Option<RawEntry>,
    entries: Vec<RawEntry>,
}

#[derive(Default)]
struct CamtParser {
    stack: Vec<String>,
    ccy: Vec<Option<String>>,
    start_line: Vec<usize>,
    text: String,
    root_ok: bool,
    current: Option<RawStatement>,
    statements: Vec<Statement>,
}

const STMT: &str = "Document/BkToCstmrStmt/Stmt";

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
                self.current = Some(RawStatement {
                    statement: Statement {
                        position: self.statements.len() + 1,
                        line,
                        ..Statement::default()
                    },
                    ..RawStatement::default()
                });
            }
            "Stmt/Bal" => {
                if let Some(s) = self.current.as_mut() {
                    s.balances.push(RawBalance::default());
                }
            }
            "Stmt/Ntry" => {
                if let Some(s) = self.current.as_mut() {
                    s.entry = Some(RawEntry {
                        line,
                        ..RawEntry::default()
                    });
                }
            }
            "Stmt/Ntry/NtryDtls/TxDtls" => {
                if let Some(e) = self.current.as_mut().and_then(|s| s.entry.as_mut()) {
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
        if rel == "Stmt" {
            if let Some(s) = self.current.take() {
                self.statements.push(finish_statement(s)?);
            }
        } else if let Some(s) = self.current.as_mut() {
            match rel.as_str() {
                "Stmt/Id" => s.statement.statement_id = Some(value.clone()),
                "Stmt/Acct/Id/IBAN" => s.statement.iban = Some(value.replace(' ', "")),
                "Stmt/Acct/Id/Othr/Id" if !value.is_empty() => {
                    s.statement.other_id = Some(value.clone())
                }
                "Stmt/FrToDt/FrDtTm" => s.from = Some(located()),
                "Stmt/FrToDt/ToDtTm" => s.to = Some(located()),
                "Stmt/Bal/Tp/CdOrPrtry/Cd" => {
                    if let Some(b) = s.balances.last_mut() {
                        b.code = Some(value.clone());
                    }
                }
                "Stmt/Bal/Amt" => {
                    if let Some(b) = s.balances.last_mut() {
                        b.amount = Some(located());
                    }
                }
                "Stmt/Bal/CdtDbtInd" => {
                    if let Some(b) = s.balances.last_mut() {
                        b.cdt_dbt = Some(located());
                    }
                }
                "Stmt/Ntry" => {
                    if let Some(e) = s.entry.take() {
                        s.entries.push(e);
                    }
                }
                _ => {
                    if let Some(e) = s.entry.as_mut() {
                        entry_field(e, &rel, located(), &value);
                    }
                }
            }
        }
        self.stack.pop();
        self.ccy.pop();
        self.start_line.pop();
        Ok(())
    }

    fn finish(self) -> Result<Vec<Statement>, ParseError> {
        if !self.root_ok {
            return Err(err(1, "Document/BkToCstmrStmt", Reason::NotCamt053));
        }
        if self.statements.is_empty() {
            return Err(err(0, STMT, Reason::Missing));
        }
        Ok(self.statements)
    }
}

fn finish_statement(mut s: RawStatement) -> Result<Statement, ParseError> {
    if s.statement.iban.is_none() && s.statement.other_id.is_none() {
        return Err(err(
            s.statement.line,
            format!("{STMT}/Acct/Id"),
            Reason::Missing,
        ));
    }
    for b in &s.balances {
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
            "OPBD" | "PRCD" if s.statement.opening_balance.is_none() => {
                s.statement.opening_balance = Some(m)
            }
            "CLBD" => s.statement.closing_balance = Some(m),
            _ => {}
        }
    }
    let mut lines = Vec::new();
    for e in std::mem::take(&mut s.entries) {
        if let Some(status) = &e.status
            && status.value != "BOOK"
        {
            if NOT_BOOKED.contains(&status.value.as_str()) {
                s.statement.not_booked += 1;
                continue;
            }
            return Err(err(
                status.line,
                &status.path,
                Reason::EntryStatus(status.value.clone()),
            ));
        }
        entry_lines(e, &mut lines)?;
    }
    if let (Some(f), Some(t)) = (&s.from, &s.to) {
        s.statement.period = Some((camt_date(f)?, camt_date(t)?));
    } else if let (Some(first), Some(last)) = (
        lines.iter().map(|l: &StatementLine| l.booking_date).min(),
        lines.iter().map(|l| l.booking_date).max(),
    ) {
        s.statement.period = Some((first, last));
    }
    s.statement.lines = lines;
    Ok(s.statement)
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
        // `<Sts>BOOK</Sts>` (up to version 07) or `<Sts><Cd>BOOK</Cd></Sts>`.
        "Sts" | "Sts/Cd" | "Sts/Prtry" if !value.is_empty() => e.status = Some(located),
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
                line: e.line,
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
            line: e.line,
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
pub(super) fn decimal_point_amount(s: &str) -> Option<Money> {
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

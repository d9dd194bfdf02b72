//! Bank statements imported (CAMT.053, CSV) and the queue of their credit
//! lines waiting to become payments.
//!
//! One upload may bring several statements (a CAMT.053 file holds one per
//! day or per account): each goes to the bank account it names, and those
//! that cannot be imported (unknown or deactivated account, already
//! imported, nothing booked) are left aside and reported ([`import`]). A
//! real error refuses the whole file with a message naming what, and
//! nothing is written: a malformed file, a file already imported (its
//! digest), a movement already imported (its dedupe key) or twice in the
//! file, no statement left to import.
//!
//! Entries the bank reports without booking them (pending, announced) never
//! become lines: the reader leaves them out and the statement keeps their
//! count (`not_booked`, shown with the statement). When the bank books
//! them, a later statement brings them as ordinary lines. So nothing
//! pending can be matched or posted, and no line ever changes status
//! behind the user's back. Accepting a line records the payment and
//! marks the line matched in the same transaction; the line is claimed
//! first, so of two concurrent accepts one wins and the other gets a
//! conflict.

use domain::ids::{BankAccountId, BankLineId, CompanyId, InvoiceId, PaymentId, StatementId};
use std::collections::HashMap;

use domain::Money;
use domain::bank_statement::{self, CsvMapping, ParseError, Statement};
use domain::matching::{self, BankLineStatus, CreditLine, MatchReason, Matcher};
use domain::paging::{Cursor, KeysetPage, KeysetRequest, PageRequest, Paged, Seek};
use domain::validation::{Arg, ValidationErrors};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Tx, audit, now, on_tx};

/// The file's format, with the CSV column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Camt053,
    Csv(Box<CsvMapping>),
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Camt053 => "camt053",
            Format::Csv(_) => "csv",
        }
    }
}

/// The form field every import error is reported against.
pub const FILE_FIELD: &str = "file";

/// One statement of the file, imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedStatement {
    pub statement_id: StatementId,
    pub bank_account_id: BankAccountId,
    pub bank_label: String,
    /// Its rank in the file.
    pub position: usize,
    pub statement_ref: Option<String>,
    pub lines: usize,
    pub credits: usize,
    pub not_booked: usize,
}

/// One statement of the file left aside, and why (a translation key whose
/// arguments are `args`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub position: usize,
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// What an upload did: the statements imported (at least one) and those
/// left aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The first statement imported.
    pub statement_id: StatementId,
    /// Totals over the statements imported.
    pub lines: usize,
    pub credits: usize,
    pub not_booked: usize,
    pub statements: Vec<ImportedStatement>,
    pub skipped: Vec<Skipped>,
}

/// A refused file as a validation error: the reason's key, with the line,
/// the element or column (`name`) and the offending value (`found`).
pub fn parse_error(e: &ParseError) -> ValidationErrors {
    let mut v = ValidationErrors::new();
    v.add_with(
        FILE_FIELD,
        e.reason.key(),
        domain::args![
            ("line", e.line),
            ("name", e.at.clone()),
            ("found", e.reason.value()),
        ],
    );
    v
}

fn refuse(key: &'static str, args: Vec<(&'static str, Arg)>) -> Error {
    let mut v = ValidationErrors::new();
    v.add_with(FILE_FIELD, key, args);
    Error::Invalid(v)
}

/// How a statement names its account, for messages.
fn account_named(s: &Statement) -> String {
    s.iban
        .clone()
        .or_else(|| s.other_id.clone())
        .unwrap_or_default()
}

/// Where a statement is in the file, for messages: its rank, its line and
/// its account as the file names it.
fn place(s: &Statement) -> Vec<(&'static str, Arg)> {
    domain::args![
        ("position", s.position),
        ("line", s.line),
        ("found", account_named(s)),
        ("number", s.statement_id.clone().unwrap_or_default()),
    ]
}

/// Imports a statement file. A CSV file is one statement of
/// `bank_account_id`, whose column mapping is saved for next time.
///
/// A CAMT.053 file may hold several statements: each goes to the bank
/// account it names (its IBAN, or its `Othr/Id` compared with the account's
/// other identifier or the domestic number inside its IBAN —
/// `domain::bank_statement::designates`), whichever account was chosen.
/// A statement of an account unknown here, of a deactivated account,
/// already imported, or without any booked movement is left aside and
/// reported; the others are imported. The file is refused as a whole, with
/// nothing written, for a real error: malformed, already imported, a
/// statement or a movement twice in the file, a movement already imported
/// from another file, two bank accounts answering to one statement, or no
/// statement left to import (then the first reason is the refusal).
pub async fn import(
    tx: &mut Tx,
    actor: &Actor,
    bank_account_id: BankAccountId,
    file_name: &str,
    bytes: &[u8],
    format: &Format,
) -> Result<Imported> {
    let chosen = match crate::bank_accounts::get(tx, bank_account_id).await {
        Ok(a) => a,
        Err(Error::NotFound) => {
            return Err(Error::Invalid(ValidationErrors::single(
                "bank_account_id",
                "statement-bank-account-unknown",
            )));
        }
        Err(e) => return Err(e),
    };
    if !chosen.active {
        return Err(Error::Invalid(ValidationErrors::single(
            "bank_account_id",
            "statement-bank-account-inactive",
        )));
    }

    let statements: Vec<Statement> = match format {
        Format::Camt053 => bank_statement::parse_camt053(bytes),
        Format::Csv(m) => bank_statement::parse_csv(bytes, m).map(|s| vec![s]),
    }
    .map_err(|e| Error::Invalid(parse_error(&e)))?;

    let digest = hex::encode(Sha256::digest(bytes));
    let previous: Option<(String, OffsetDateTime)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT file_name, imported_at FROM bank_statements WHERE file_sha256 = $1
             ORDER BY imported_at LIMIT 1",
        )
        .bind(&digest)
        .fetch_optional(c)
        .await
    })?;
    if let Some((name, at)) = previous {
        return Err(refuse(
            "statement-file-already-imported",
            domain::args![("name", name), ("date", domain::paris::date(at)),],
        ));
    }

    // Each statement to its bank account, or aside.
    let accounts = crate::bank_accounts::list(tx).await?;
    let mut routed: Vec<(Statement, crate::bank_accounts::BankAccount)> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    for s in statements {
        let account = match format {
            Format::Csv(_) => chosen.clone(),
            Format::Camt053 => {
                let named: Vec<&crate::bank_accounts::BankAccount> = accounts
                    .iter()
                    .filter(|a| bank_statement::designates(&s, &a.iban, a.other_id.as_deref()))
                    .collect();
                let pick = named
                    .iter()
                    .find(|a| a.id == chosen.id)
                    .or_else(|| (named.len() == 1).then(|| &named[0]));
                match pick {
                    Some(a) => (*a).clone(),
                    None if named.is_empty() => {
                        skipped.push(Skipped {
                            position: s.position,
                            key: "statement-account-unknown",
                            args: place(&s),
                        });
                        continue;
                    }
                    None => {
                        let mut args = place(&s);
                        args.push(("name", Arg::list(named.iter().map(|a| &a.label))));
                        return Err(refuse("statement-account-ambiguous", args));
                    }
                }
            }
        };
        if !account.active {
            let mut args = place(&s);
            args.push(("name", account.label.clone().into()));
            skipped.push(Skipped {
                position: s.position,
                key: "statement-account-inactive",
                args,
            });
            continue;
        }
        if s.lines.is_empty() {
            let mut args = place(&s);
            args.push(("count", s.not_booked.into()));
            skipped.push(Skipped {
                position: s.position,
                key: "statement-skipped-empty",
                args,
            });
            continue;
        }
        if let Some(r) = &s.statement_id {
            if let Some((other, _)) = routed
                .iter()
                .find(|(o, a)| a.id == account.id && o.statement_id.as_ref() == Some(r))
            {
                let mut args = place(&s);
                args.push(("other", other.position.into()));
                return Err(refuse("statement-twice-in-file", args));
            }
            let seen: Option<String> = on_tx!(tx, |c| {
                sqlx::query_scalar(
                    "SELECT file_name FROM bank_statements WHERE bank_account_id = $1 AND statement_ref = $2",
                )
                .bind(account.id.to_string())
                .bind(r)
                .fetch_optional(c)
                .await
            })?;
            if let Some(name) = seen {
                let mut args = place(&s);
                args.push(("name", name.into()));
                skipped.push(Skipped {
                    position: s.position,
                    key: "statement-already-imported",
                    args,
                });
                continue;
            }
        }
        routed.push((s, account));
    }
    if routed.is_empty() {
        return Err(match skipped.into_iter().next() {
            Some(first) => refuse(first.key, first.args),
            None => refuse(
                "statement-empty",
                domain::args![
                    ("line", 0u32),
                    ("name", String::new()),
                    ("found", String::new()),
                ],
            ),
        });
    }

    // Movements: each once in the file (per account), none imported before.
    let keys: Vec<Vec<String>> = routed
        .iter()
        .map(|(s, _)| bank_statement::dedupe_keys(&s.lines))
        .collect();
    let mut in_file: HashMap<(BankAccountId, &str), &bank_statement::StatementLine> =
        HashMap::new();
    for ((s, a), ks) in routed.iter().zip(&keys) {
        for (k, l) in ks.iter().zip(&s.lines) {
            if let Some(first) = in_file.insert((a.id, k.as_str()), l) {
                return Err(refuse(
                    "statement-line-twice-in-file",
                    domain::args![
                        ("line", l.line),
                        ("other", first.line),
                        ("date", l.booking_date),
                        ("total", l.amount),
                        ("name", domain::validation::single_line(&l.label)),
                    ],
                ));
            }
        }
    }
    for ((s, a), ks) in routed.iter().zip(&keys) {
        for (chunk, lines) in ks
            .chunks(crate::MAX_BINDS - 1)
            .zip(s.lines.chunks(crate::MAX_BINDS - 1))
        {
            let sql = format!(
                "SELECT dedupe_key FROM bank_lines WHERE bank_account_id = $1 AND dedupe_key IN ({})",
                (2..chunk.len() + 2)
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let found: Vec<String> = on_tx!(tx, |c| {
                let mut q =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(a.id.to_string());
                for k in chunk {
                    q = q.bind(k.as_str());
                }
                q.fetch_all(c).await
            })?;
            if let Some((_, l)) = chunk.iter().zip(lines).find(|(k, _)| found.contains(k)) {
                return Err(line_already_imported(l));
            }
        }
    }

    let mut done = Vec::new();
    for ((s, account), ks) in routed.iter().zip(&keys) {
        done.push(insert_statement(tx, actor, account, file_name, &digest, format, s, ks).await?);
    }

    if let Format::Csv(mapping) = format {
        let json = serde_json::to_string(mapping).map_err(|e| Error::Corrupt(e.to_string()))?;
        crate::bank_accounts::set_csv_mapping(tx, actor, bank_account_id, &json).await?;
    }

    Ok(Imported {
        statement_id: done[0].statement_id,
        lines: done.iter().map(|d| d.lines).sum(),
        credits: done.iter().map(|d| d.credits).sum(),
        not_booked: done.iter().map(|d| d.not_booked).sum(),
        statements: done,
        skipped,
    })
}

/// Writes one statement and its lines.
#[allow(clippy::too_many_arguments)]
async fn insert_statement(
    tx: &mut Tx,
    actor: &Actor,
    account: &crate::bank_accounts::BankAccount,
    file_name: &str,
    digest: &str,
    format: &Format,
    statement: &Statement,
    keys: &[String],
) -> Result<ImportedStatement> {
    let id = StatementId::new();
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO bank_statements (id, bank_account_id, format, file_name, file_sha256, statement_ref,
             period_from, period_to, opening_balance_cents, closing_balance_cents, line_count, imported_by, imported_at,
             file_position, not_booked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
    .bind(id.to_string())
    .bind(account.id.to_string())
    .bind(format.as_str())
    .bind(file_name)
    .bind(digest)
    .bind(&statement.statement_id)
    .bind(statement.period.map(|p| p.0))
    .bind(statement.period.map(|p| p.1))
    .bind(statement.opening_balance.map(Money::cents))
    .bind(statement.closing_balance.map(Money::cents))
    .bind(statement.lines.len() as i64)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .bind(statement.position as i64)
    .bind(statement.not_booked as i64)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| {
        crate::map_unique(
            e,
            &[
                ("bank_statements_file_key", FILE_FIELD),
                ("file_sha256", FILE_FIELD),
                ("bank_statements_ref_key", FILE_FIELD),
                ("statement_ref", FILE_FIELD),
            ],
        )
    })?;

    let rows: Vec<(usize, &bank_statement::StatementLine, &String)> = statement
        .lines
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (l, k))| (i + 1, l, k))
        .collect();
    for chunk in rows.chunks(crate::rows_per_statement(12)) {
        let sql = format!(
            "INSERT INTO bank_lines (id, statement_id, bank_account_id, position, booking_date, value_date,
                 amount_cents, label, counterparty, bank_reference, end_to_end_id, dedupe_key, status) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unmatched')", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (pos, l, key) in chunk {
                q = q
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(id.to_string())
                    .bind(account.id.to_string())
                    .bind(*pos as i64)
                    .bind(l.booking_date)
                    .bind(l.value_date)
                    .bind(l.amount.cents())
                    .bind(display_label(l))
                    .bind(l.counterparty.as_deref())
                    .bind(l.bank_reference.as_deref())
                    .bind(l.end_to_end_id.as_deref())
                    .bind(key.as_str());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(|e| {
            crate::map_unique(
                e,
                &[
                    ("bank_lines_dedupe_key", FILE_FIELD),
                    ("dedupe_key", FILE_FIELD),
                ],
            )
        })?;
    }

    let imported = ImportedStatement {
        statement_id: id,
        bank_account_id: account.id,
        bank_label: account.label.clone(),
        position: statement.position,
        statement_ref: statement.statement_id.clone(),
        lines: statement.lines.len(),
        credits: statement
            .lines
            .iter()
            .filter(|l| l.amount.cents() > 0)
            .count(),
        not_booked: statement.not_booked,
    };
    audit::record(
        tx,
        actor,
        "import_statement",
        "bank_statement",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "file_name": file_name,
            "bank_account_id": account.id,
            "statement_ref": statement.statement_id,
            "file_position": statement.position,
            "lines": imported.lines,
            "not_booked": imported.not_booked,
        })),
    )
    .await?;
    Ok(imported)
}

/// The label stored: the bank's label, with the remittance information
/// when the label does not already carry it (what the matcher reads).
fn display_label(l: &bank_statement::StatementLine) -> String {
    match &l.remittance {
        Some(r) if !l.label.contains(r.as_str()) => {
            if l.label.is_empty() {
                r.clone()
            } else {
                format!("{} {r}", l.label)
            }
        }
        _ => l.label.clone(),
    }
}

fn line_already_imported(l: &bank_statement::StatementLine) -> Error {
    refuse(
        "statement-line-already-imported",
        domain::args![
            ("date", l.booking_date),
            ("total", l.amount),
            ("name", domain::validation::single_line(&l.label)),
        ],
    )
}

/// The CSV mapping saved on a bank account, if any (unreadable JSON, from
/// an older version, counts as none).
pub async fn csv_mapping(
    tx: &mut Tx,
    bank_account_id: BankAccountId,
) -> Result<Option<CsvMapping>> {
    let json: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT csv_mapping FROM bank_accounts WHERE id = $1"
    )
    .bind(bank_account_id.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(json.flatten().and_then(|j| serde_json::from_str(&j).ok()))
}

/// A bank account as the import form offers it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccountChoice {
    #[sqlx(try_from = "String")]
    pub id: BankAccountId,
    pub label: String,
    pub iban: String,
    pub csv_mapping: Option<String>,
}

pub async fn accounts(tx: &mut Tx) -> Result<Vec<AccountChoice>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, label, iban, csv_mapping FROM bank_accounts WHERE active = TRUE ORDER BY label, id"
    )
    .fetch_all(c)
    .await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatementRow {
    #[sqlx(try_from = "String")]
    pub id: StatementId,
    #[sqlx(try_from = "String")]
    pub bank_account_id: BankAccountId,
    pub bank_label: String,
    pub format: String,
    pub file_name: String,
    pub statement_ref: Option<String>,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    pub opening_balance_cents: Option<i64>,
    pub closing_balance_cents: Option<i64>,
    pub line_count: i32,
    pub not_booked: i32,
    pub imported_at: OffsetDateTime,
    pub matched: i64,
    pub ignored: i64,
    pub unmatched: i64,
}

const STATEMENT_SELECT: &str = "SELECT s.id, s.bank_account_id, a.label AS bank_label, s.format, s.file_name,
        s.statement_ref, s.period_from, s.period_to, s.opening_balance_cents, s.closing_balance_cents,
        s.line_count, s.not_booked, s.imported_at,
        (SELECT COUNT(*) FROM bank_lines l WHERE l.statement_id = s.id AND l.status = 'matched') AS matched,
        (SELECT COUNT(*) FROM bank_lines l WHERE l.statement_id = s.id AND l.status = 'ignored') AS ignored,
        (SELECT COUNT(*) FROM bank_lines l WHERE l.statement_id = s.id AND l.status = 'unmatched') AS unmatched
     FROM bank_statements s JOIN bank_accounts a ON a.id = s.bank_account_id";

/// The imports, newest first.
pub async fn list(tx: &mut Tx, limit: i64) -> Result<Vec<StatementRow>> {
    let sql = format!("{STATEMENT_SELECT} ORDER BY s.imported_at DESC, s.id LIMIT $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// A numbered page of the imports, newest first, with their count (a few a
/// month per account: counting them is cheap).
pub async fn page(tx: &mut Tx, req: PageRequest) -> Result<Paged<StatementRow>> {
    let sql = format!("{STATEMENT_SELECT} ORDER BY s.imported_at DESC, s.id LIMIT $1 OFFSET $2");
    let items: Vec<StatementRow> =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(req.limit())
            .bind(req.offset())
            .fetch_all(c)
            .await)?;
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM bank_statements"
    )
    .fetch_one(c)
    .await)?;
    Ok(Paged {
        items,
        page: req.page,
        per_page: req.per_page,
        total: total.max(0) as u64,
    })
}

pub async fn get(tx: &mut Tx, id: StatementId) -> Result<StatementRow> {
    let sql = format!("{STATEMENT_SELECT} WHERE s.id = $1");
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?
    .ok_or(Error::NotFound)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BankLine {
    #[sqlx(try_from = "String")]
    pub id: BankLineId,
    #[sqlx(try_from = "String")]
    pub statement_id: StatementId,
    #[sqlx(try_from = "String")]
    pub bank_account_id: BankAccountId,
    pub position: i32,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    pub amount_cents: i64,
    pub label: String,
    pub counterparty: Option<String>,
    pub bank_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: BankLineStatus,
    #[sqlx(try_from = "crate::MaybeId")]
    pub payment_id: Option<PaymentId>,
    pub handled_at: Option<OffsetDateTime>,
}

impl BankLine {
    pub fn amount(&self) -> Money {
        Money::from_cents(self.amount_cents)
    }

    /// What the matcher reads: label, counterparty and end-to-end id.
    pub fn search_text(&self) -> String {
        let mut s = self.label.clone();
        for extra in [&self.counterparty, &self.end_to_end_id]
            .into_iter()
            .flatten()
        {
            s.push(' ');
            s.push_str(extra);
        }
        s
    }
}

pub(crate) const LINE_COLUMNS: &str =
    "id, statement_id, bank_account_id, position, booking_date, value_date, amount_cents,
    label, counterparty, bank_reference, end_to_end_id, status, payment_id, handled_at";

/// The lines of a statement, in file order.
pub async fn lines(tx: &mut Tx, statement_id: StatementId) -> Result<Vec<BankLine>> {
    let sql =
        format!("SELECT {LINE_COLUMNS} FROM bank_lines WHERE statement_id = $1 ORDER BY position");
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(statement_id.to_string())
    .fetch_all(c)
    .await)?)
}

/// A line's place on its statement.
pub fn line_cursor(l: &BankLine) -> Cursor {
    Cursor::new([l.position.to_string()])
}

/// One page of a statement's lines, in their order on the statement.
pub async fn lines_page(
    tx: &mut Tx,
    statement_id: StatementId,
    req: &KeysetRequest,
) -> Result<KeysetPage<BankLine>> {
    let mut req = req.clone();
    loop {
        // A cursor that is no position (a hand-edited link) reads from the start.
        let position = req.cursor().map(|c| c.parts()[0].parse::<i32>());
        let position = match position {
            Some(Err(_)) => {
                req = KeysetRequest::first(req.per_page);
                None
            }
            Some(Ok(p)) => Some(p),
            None => None,
        };
        let (cmp, dir) = match req.seek {
            Seek::First => ("", "ASC"),
            Seek::After(_) => (" AND position > $3", "ASC"),
            Seek::Before(_) => (" AND position < $3", "DESC"),
        };
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM bank_lines WHERE statement_id = $1{cmp} ORDER BY position {dir} LIMIT $2"
        );
        let rows: Vec<BankLine> = on_tx!(tx, |c| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(statement_id.to_string())
                .bind(req.fetch());
            match position {
                Some(p) => q.bind(p),
                None => q,
            }
            .fetch_all(c)
            .await
        })?;
        let page = KeysetPage::assemble(&req, rows, line_cursor);
        if !page.came_short(&req) {
            return Ok(page);
        }
        req = KeysetRequest::first(req.per_page);
    }
}

pub async fn line(tx: &mut Tx, line_id: BankLineId) -> Result<BankLine> {
    let sql = format!("SELECT {LINE_COLUMNS} FROM bank_lines WHERE id = $1");
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(line_id.to_string())
        .fetch_optional(c)
        .await)?
    .ok_or(Error::NotFound)
}

/// Credit lines not yet matched nor ignored, oldest first.
pub async fn unmatched_lines(tx: &mut Tx, limit: i64) -> Result<Vec<BankLine>> {
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM bank_lines WHERE status = 'unmatched' AND amount_cents > 0
         ORDER BY booking_date, statement_id, position LIMIT $1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// How many credit lines wait to be matched (those `unmatched_lines` and
/// the matching queue list).
pub async fn unmatched_count(tx: &mut Tx) -> Result<u64> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM bank_lines WHERE status = 'unmatched' AND amount_cents > 0"
    )
    .fetch_one(c)
    .await
    })?;
    Ok(n.max(0) as u64)
}

/// The open items as the matcher reads them (`payments::open_items`).
pub async fn open_items(tx: &mut Tx) -> Result<Vec<matching::OpenItem>> {
    Ok(crate::payments::open_items(tx, None)
        .await?
        .into_iter()
        .map(|i| matching::OpenItem {
            invoice_id: i.invoice_id.to_string(),
            number: i.number,
            client_id: i.client_id.to_string(),
            client_name: i.client_name,
            due_date: i.due_date,
            outstanding: i.outstanding,
        })
        .collect())
}

/// One proposed settlement of a line, resolved for display.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub client_id: CompanyId,
    pub client_name: String,
    /// (invoice, amount allocated to it).
    pub allocations: Vec<(matching::OpenItem, Money)>,
    pub unallocated: Money,
    pub confidence: u8,
    pub reasons: Vec<MatchReason>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub line: BankLine,
    pub proposals: Vec<Proposal>,
}

/// The unmatched queue: each credit line with its best suggestions.
pub async fn queue(tx: &mut Tx, limit: i64, per_line: usize) -> Result<Vec<QueueItem>> {
    let lines = unmatched_lines(tx, limit).await?;
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let items = open_items(tx).await?;
    let matcher = Matcher::new(&items);
    lines
        .into_iter()
        .map(|line| {
            let credit = CreditLine {
                booking_date: line.booking_date,
                amount: line.amount(),
                text: line.search_text(),
            };
            let proposals = matcher
                .suggest(&credit, per_line)
                .into_iter()
                .map(|s| {
                    Ok(Proposal {
                        client_name: s
                            .allocations
                            .first()
                            .map(|&(i, _)| items[i].client_name.clone())
                            .unwrap_or_default(),
                        client_id: crate::id(&s.client_id)?,
                        allocations: s
                            .allocations
                            .iter()
                            .map(|&(i, m)| (items[i].clone(), m))
                            .collect(),
                        unallocated: s.unallocated,
                        confidence: s.confidence,
                        reasons: s.reasons,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(QueueItem { line, proposals })
        })
        .collect()
}

/// Claims an unmatched line for `status` (one statement: of two concurrent
/// claims, one updates the row and the other finds it handled).
async fn claim(
    tx: &mut Tx,
    actor: &Actor,
    line_id: BankLineId,
    from: BankLineStatus,
    to: BankLineStatus,
) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE bank_lines SET status = $3, handled_by = $4, handled_at = $5
         WHERE id = $1 AND status = $2"
    )
    .bind(line_id.to_string())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 1 {
        return Ok(());
    }
    // Missing, or already handled by someone else.
    line(tx, line_id).await?;
    Err(Error::Conflict { field: "line" })
}

/// Puts a line aside (bank fees, a transfer between the firm's accounts):
/// it leaves the queue without a payment.
pub async fn ignore(tx: &mut Tx, actor: &Actor, line_id: BankLineId) -> Result<()> {
    claim(
        tx,
        actor,
        line_id,
        BankLineStatus::Unmatched,
        BankLineStatus::Ignored,
    )
    .await?;
    audit::record(
        tx,
        actor,
        "ignore_bank_line",
        "bank_line",
        &line_id.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

/// Brings an ignored line back to the queue.
pub async fn unignore(tx: &mut Tx, actor: &Actor, line_id: BankLineId) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE bank_lines SET status = 'unmatched', handled_by = NULL, handled_at = NULL
         WHERE id = $1 AND status = $2"
    )
    .bind(line_id.to_string())
    .bind(BankLineStatus::Ignored.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done != 1 {
        line(tx, line_id).await?;
        return Err(Error::Conflict { field: "line" });
    }
    audit::record(
        tx,
        actor,
        "unignore_bank_line",
        "bank_line",
        &line_id.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

/// What accepting a line asks of the payment: which invoices, how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub invoice_id: InvoiceId,
    pub amount: Money,
}

/// The payment a line becomes: the line's date and amount, received by
/// transfer on the line's bank account, referenced by its end-to-end id or
/// label, for the client of the invoices (one client only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFromLine {
    pub client_id: CompanyId,
    pub bank_account_id: BankAccountId,
    pub received_on: Date,
    pub amount: Money,
    /// The bank's text on one line, none when it had nothing printable.
    pub reference: Option<String>,
    pub allocations: Vec<Allocation>,
}

/// Claims the line as matched and returns the payment to record. The
/// caller records it (`payments::record`) in the same transaction and then
/// calls [`link_payment`].
pub async fn claim_for_payment(
    tx: &mut Tx,
    actor: &Actor,
    line_id: BankLineId,
    allocations: &[Allocation],
) -> Result<PaymentFromLine> {
    let l = line(tx, line_id).await?;
    if l.amount_cents <= 0 {
        return Err(Error::Invalid(ValidationErrors::single(
            "line",
            "matching-not-a-credit",
        )));
    }
    if allocations.is_empty() {
        return Err(Error::Invalid(ValidationErrors::single(
            "allocations",
            "matching-no-invoice",
        )));
    }
    // The invoices' client: one, and the same for all.
    let mut clients: HashMap<String, ()> = HashMap::new();
    for a in allocations {
        let client: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT client_id FROM invoices WHERE id = $1 AND kind = 'invoice'"
        )
        .bind(a.invoice_id.to_string())
        .fetch_optional(c)
        .await)?;
        match client {
            Some(c) => {
                clients.insert(c, ());
            }
            None => {
                return Err(Error::Invalid(ValidationErrors::single(
                    "allocations",
                    "matching-invoice-unknown",
                )));
            }
        }
    }
    if clients.len() != 1 {
        return Err(Error::Invalid(ValidationErrors::single(
            "allocations",
            "matching-several-clients",
        )));
    }
    claim(
        tx,
        actor,
        line_id,
        BankLineStatus::Unmatched,
        BankLineStatus::Matched,
    )
    .await?;
    // What the bank wrote, made fit for the ledger by the one rule (some
    // banks export a label on several lines).
    let reference = domain::validation::single_line(l.end_to_end_id.as_deref().unwrap_or(&l.label))
        .chars()
        .take(domain::payment::REFERENCE_MAX)
        .collect::<String>();
    let reference = (!reference.is_empty()).then_some(reference);
    Ok(PaymentFromLine {
        client_id: crate::id(&clients.into_keys().next().expect("one client"))?,
        amount: l.amount(),
        bank_account_id: l.bank_account_id,
        received_on: l.booking_date,
        reference,
        allocations: allocations.to_vec(),
    })
}

/// Links a matched line to the payment recorded from it.
pub async fn link_payment(
    tx: &mut Tx,
    actor: &Actor,
    line_id: BankLineId,
    payment_id: PaymentId,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE bank_lines SET payment_id = $2 WHERE id = $1 AND status = $3 AND payment_id IS NULL"
    )
    .bind(line_id.to_string())
    .bind(payment_id.to_string())
    .bind(BankLineStatus::Matched.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done != 1 {
        return Err(Error::Conflict { field: "line" });
    }
    audit::record(
        tx,
        actor,
        "accept_bank_line",
        "bank_line",
        &line_id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({ "payment_id": payment_id.to_string() })),
    )
    .await
}

/// Accepts a line: records the payment it is (by transfer, on the line's
/// bank account, at its booking date and amount, for the invoices' client)
/// and marks the line matched with it, in the caller's transaction. What
/// the allocations leave of the amount is kept as the client's credit when
/// `keep_excess` (otherwise `payments::record` refuses it).
pub async fn accept(
    tx: &mut Tx,
    actor: &Actor,
    line_id: BankLineId,
    allocations: &[Allocation],
    keep_excess: bool,
) -> Result<crate::payments::Recorded> {
    let p = claim_for_payment(tx, actor, line_id, allocations).await?;
    let client_id = p.client_id;
    let recorded = crate::payments::record(
        tx,
        actor,
        &crate::payments::NewPayment {
            client_id,
            bank_account_id: p.bank_account_id,
            received_on: p.received_on,
            amount: p.amount,
            method: domain::payment::PaymentMethod::Transfer,
            reference: p.reference,
            allocations: p
                .allocations
                .into_iter()
                .map(|a| crate::payments::NewAllocation {
                    invoice_id: a.invoice_id,
                    amount: a.amount,
                })
                .collect(),
            keep_excess,
        },
    )
    .await?;
    link_payment(tx, actor, line_id, recorded.id).await?;
    Ok(recorded)
}

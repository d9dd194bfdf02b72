//! The general ledger: posting balanced entries with gap-free numbers per
//! journal and year (in the caller's transaction, so a rolled-back posting
//! gives its number back), reversals, period closing, and balances.

use domain::brouillard;
use domain::calendar::YearMonth;
use domain::ids::LedgerEntryId;
use domain::ledger::{self, AccountNumber, AccountTotals, Journal, Line, NewEntry, PeriodStatus};
use domain::money::Money;
use domain::paging::{Cursor, KeysetPage, KeysetRequest, Seek};
use domain::validation::{ErrorKey, ValidationErrors};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Tx, audit, corrupt, map_unique, now, on_tx};

#[derive(Debug, Clone, Serialize)]
pub struct Posted {
    pub id: LedgerEntryId,
    pub journal: Journal,
    pub number: String,
    /// Waiting in the brouillard: numbered and sealed when validated.
    pub provisional: bool,
    pub date: Date,
    pub label: String,
    pub piece_ref: Option<String>,
    pub reverses_id: Option<LedgerEntryId>,
    pub source: Option<String>,
    pub posted_at: OffsetDateTime,
    pub lines: Vec<Line>,
}

pub(crate) fn refuse(
    field: &'static str,
    key: &'static str,
    args: Vec<(&'static str, domain::message::Arg)>,
) -> Error {
    let mut e = ValidationErrors::new();
    e.add_with(field, key, args);
    Error::Invalid(e)
}

pub async fn period_status(tx: &mut Tx, month: YearMonth) -> Result<PeriodStatus> {
    let s: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT status FROM ledger_periods WHERE month = $1"
    )
    .bind(month.to_string())
    .fetch_optional(c)
    .await)?;
    match s {
        None => Ok(PeriodStatus::Open),
        Some(s) => PeriodStatus::parse(&s).ok_or_else(|| corrupt("period status", &s)),
    }
}

/// The next number of a series (a journal, an invoice series) for a year,
/// taken in the caller's transaction: a rollback gives it back, so numbers
/// have no gaps, and the row it updates makes concurrent takers wait.
pub(crate) async fn next_number(tx: &mut Tx, series: &str, year: i32) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO ledger_sequences (journal, year, last_number) VALUES ($1, $2, 1)
         ON CONFLICT (journal, year) DO UPDATE SET last_number = ledger_sequences.last_number + 1
         RETURNING last_number"
    )
    .bind(series)
    .bind(year)
    .fetch_one(c)
    .await)?)
}

/// Takes a journal's sequence row for the year (created at 0 if new) and
/// returns its last number, without taking one: what a provisional posting
/// and a validation hold so they wait for each other.
pub(crate) async fn hold_sequence(tx: &mut Tx, journal: &str, year: i32) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO ledger_sequences (journal, year, last_number) VALUES ($1, $2, 0)
         ON CONFLICT (journal, year) DO UPDATE SET last_number = ledger_sequences.last_number
         RETURNING last_number"
    )
    .bind(journal)
    .bind(year)
    .fetch_one(c)
    .await)?)
}

/// The date of a journal's last validated entry of the year: its highest
/// number, as numbers follow dates (one step down the number index, where
/// MAX(entry_date) made PostgreSQL scan the journal's year).
async fn last_validated_date(tx: &mut Tx, journal: &str, year: i32) -> Result<Option<Date>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT entry_date FROM ledger_entries WHERE journal = $1 AND year = $2 AND number > 0
         ORDER BY number DESC LIMIT 1"
    )
    .bind(journal)
    .bind(year)
    .fetch_optional(c)
    .await)?)
}

/// Posts a balanced entry into an open period. Refused, with nothing
/// written, when it does not balance, names an unknown account, falls in a
/// closed period, or is dated before the journal's last (validated) entry
/// of the year (numbers follow dates, as the FEC requires). A bank entry is
/// recorded provisional, in the brouillard ([`crate::brouillard::validate`]).
pub async fn post(
    tx: &mut Tx,
    actor: &Actor,
    entry: &NewEntry,
    source: Option<&str>,
) -> Result<Posted> {
    post_inner(tx, actor, entry, source, None).await
}

/// An entry to post in a batch ([`post_many`]): where it comes from, and
/// the entry it reverses, if any.
#[derive(Debug, Clone)]
pub(crate) struct ToPost {
    pub entry: NewEntry,
    pub source: Option<String>,
    pub reverses: Option<LedgerEntryId>,
}

/// The checks every posting passes before it takes a number: balanced,
/// in an open year and period, on known active accounts. One read of the
/// accounts and of each month's status for the whole batch.
async fn check_postable(tx: &mut Tx, entries: &[&NewEntry]) -> Result<()> {
    let mut months = std::collections::BTreeSet::new();
    for entry in entries {
        entry.validate()?;
        if let Err(w) = ledger::check_open_years(entry.date, crate::today()) {
            return Err(refuse("date", w.key(), w.args()));
        }
        months.insert(ledger::period_of(entry.date));
    }
    for month in months {
        if period_status(tx, month).await? == PeriodStatus::Closed {
            return Err(refuse(
                "date",
                "ledger-period-closed",
                domain::args![("month", month)],
            ));
        }
    }
    let known: std::collections::HashSet<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT number FROM ledger_accounts WHERE active = TRUE"
    )
    .fetch_all(c)
    .await)?
    .into_iter()
    .collect();
    let mut unknown: Vec<&str> = entries
        .iter()
        .flat_map(|e| e.lines.iter().map(|l| l.account.as_str()))
        .filter(|a| !known.contains(*a))
        .collect();
    unknown.dedup();
    if !unknown.is_empty() {
        return Err(refuse(
            "lines",
            "ledger-account-unknown",
            domain::args![("accounts", unknown.join(", "))],
        ));
    }
    Ok(())
}

async fn post_inner(
    tx: &mut Tx,
    actor: &Actor,
    entry: &NewEntry,
    source: Option<&str>,
    reverses: Option<LedgerEntryId>,
) -> Result<Posted> {
    if !brouillard::numbered_at_validation(entry.journal) {
        let one = ToPost {
            entry: entry.clone(),
            source: source.map(str::to_owned),
            reverses,
        };
        let mut posted = post_many(tx, actor, std::slice::from_ref(&one)).await?;
        return posted
            .pop()
            .ok_or_else(|| corrupt("posting", "nothing posted"));
    }
    check_postable(tx, &[entry]).await?;
    let year = entry.date.year();
    let journal = entry.journal.code();
    // Bank entries wait in the brouillard, numbered when validated
    // (domain::brouillard). The journal's sequence row is taken first: it
    // serialises the journal's postings and validations on PostgreSQL, so
    // the date check below sees the latest validated entry. They are
    // sealed when validated.
    hold_sequence(tx, journal, year).await?;
    let number = -next_number(tx, &brouillard::places_series(entry.journal), year).await?;
    let latest = last_validated_date(tx, journal, year).await?;
    if let Err(w) = brouillard::check_date(entry.journal, entry.date, latest) {
        return Err(refuse("date", w.key(), w.args()));
    }
    let posted = Posted {
        id: LedgerEntryId::new(),
        journal: entry.journal,
        number: ledger::entry_number(entry.journal, year, number),
        provisional: true,
        date: entry.date,
        label: entry.label.trim().to_owned(),
        piece_ref: entry.piece_ref.clone(),
        reverses_id: reverses,
        source: source.map(str::to_owned),
        posted_at: now(),
        lines: entry.lines.clone(),
    };
    let one = Sealed {
        posted,
        year,
        number,
        seal: None,
    };
    write(tx, actor, std::slice::from_ref(&one)).await?;
    Ok(one.posted)
}

/// An entry ready to write: its number in the journal's year and, once
/// validated, its seal (hash, previous hash).
struct Sealed {
    posted: Posted,
    year: i32,
    number: i64,
    seal: Option<(String, String)>,
}

/// Posts entries of numbered journals (every journal but the bank's, whose
/// entries wait in the brouillard) in the given order, as one posting each
/// would, with one statement per step for the whole batch: the checks, `+n`
/// on each journal's sequence row, the hash chain computed in memory from
/// the journal's last seal, multi-row inserts of the entries, their lines
/// and their audit lines. Refused as a whole, with nothing written, when
/// one entry is: unbalanced, on an unknown account, in a closed period, or
/// dated before an entry of its journal posted earlier (numbers follow
/// dates, as the FEC requires).
pub(crate) async fn post_many(tx: &mut Tx, actor: &Actor, items: &[ToPost]) -> Result<Vec<Posted>> {
    if let Some(p) = items
        .iter()
        .find(|p| brouillard::numbered_at_validation(p.entry.journal))
    {
        return Err(corrupt("batched posting", p.entry.journal.code()));
    }
    check_postable(tx, &items.iter().map(|p| &p.entry).collect::<Vec<_>>()).await?;
    // Each journal's year in the order its first entry comes: every batch
    // takes the sequence rows in the order of its entries (the close posts
    // VE before OD, as single postings did), so two instances never wait
    // on each other's rows crosswise.
    let mut series: Vec<(Journal, i32)> = Vec::new();
    for p in items {
        let key = (p.entry.journal, p.entry.date.year());
        if !series.contains(&key) {
            series.push(key);
        }
    }
    let at = now();
    let mut numbered: Vec<Option<Sealed>> = (0..items.len()).map(|_| None).collect();
    for (journal, year) in series {
        let code = journal.code();
        let mine: Vec<usize> = (0..items.len())
            .filter(|&i| (items[i].entry.journal, items[i].entry.date.year()) == (journal, year))
            .collect();
        let last = take_numbers(tx, code, year, mine.len() as i64).await?;
        let first = last - mine.len() as i64 + 1;
        let mut latest = last_validated_date(tx, code, year).await?;
        let mut previous = crate::ledger_seal::hash_of(tx, code, year, first - 1).await?;
        for (k, &i) in mine.iter().enumerate() {
            let p = &items[i];
            let number = first + k as i64;
            if let Some(l) = latest
                && p.entry.date < l
            {
                return Err(refuse(
                    "date",
                    "ledger-date-before-last",
                    domain::args![("journal", code), ("date", l)],
                ));
            }
            latest = Some(p.entry.date);
            let hash = seal_input(&p.entry, year, number).hash(&previous);
            let seal = (hash.clone(), std::mem::replace(&mut previous, hash));
            numbered[i] = Some(Sealed {
                posted: Posted {
                    id: LedgerEntryId::new(),
                    journal,
                    number: ledger::entry_number(journal, year, number),
                    provisional: false,
                    date: p.entry.date,
                    label: p.entry.label.trim().to_owned(),
                    piece_ref: p.entry.piece_ref.clone(),
                    reverses_id: p.reverses,
                    source: p.source.clone(),
                    posted_at: at,
                    lines: p.entry.lines.clone(),
                },
                year,
                number,
                seal: Some(seal),
            });
        }
    }
    let sealed: Vec<Sealed> = numbered.into_iter().flatten().collect();
    write(tx, actor, &sealed).await?;
    Ok(sealed.into_iter().map(|s| s.posted).collect())
}

/// Takes the next `n` numbers of a series for a year in one statement and
/// returns the last of them (see [`next_number`]).
pub(crate) async fn take_numbers(tx: &mut Tx, series: &str, year: i32, n: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO ledger_sequences (journal, year, last_number) VALUES ($1, $2, $3)
         ON CONFLICT (journal, year) DO UPDATE SET last_number = ledger_sequences.last_number + $3
         RETURNING last_number"
    )
    .bind(series)
    .bind(year)
    .bind(n)
    .fetch_one(c)
    .await)?)
}

/// Writes numbered entries, their lines and their audit lines, in
/// multi-row statements.
async fn write(tx: &mut Tx, actor: &Actor, entries: &[Sealed]) -> Result<()> {
    const ENTRY: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let by = actor.user_id.map(|u| u.to_string());
    for chunk in entries.chunks(crate::rows_per_statement(15)) {
        let sql = format!(
            "INSERT INTO ledger_entries (id, journal, year, number, entry_date, label, piece_ref, reverses_id, source,
               posted_at, posted_by, hash, previous_hash, validated_at, validated_by) VALUES {}",
            crate::values_list(ENTRY, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for s in chunk {
                let p = &s.posted;
                let validated_at = s.seal.is_some().then_some(p.posted_at);
                q = q
                    .bind(p.id.to_string())
                    .bind(p.journal.code())
                    .bind(s.year)
                    .bind(s.number)
                    .bind(p.date)
                    .bind(&p.label)
                    .bind(p.piece_ref.as_deref())
                    .bind(p.reverses_id.map(|i| i.to_string()))
                    .bind(p.source.as_deref())
                    .bind(p.posted_at)
                    .bind(by.as_deref())
                    .bind(s.seal.as_ref().map(|(h, _)| h.as_str()))
                    .bind(s.seal.as_ref().map(|(_, p)| p.as_str()))
                    .bind(validated_at)
                    .bind(validated_at.and(by.as_deref()));
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(|e| {
            map_unique(
                e,
                &[
                    ("ledger_entries_reversed_once", "entry"),
                    ("reverses_id", "entry"),
                ],
            )
        })?;
    }
    const LINE: &str = "(?, ?, ?, ?, ?, ?, ?, ?)";
    let lines: Vec<(LedgerEntryId, usize, &Line)> = entries
        .iter()
        .flat_map(|s| {
            s.posted
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| (s.posted.id, i + 1, l))
        })
        .collect();
    for chunk in lines.chunks(crate::rows_per_statement(8)) {
        let sql = format!(
            "INSERT INTO ledger_lines (entry_id, position, account, debit_cents, credit_cents, label, third_party_id,
               analytic_code) VALUES {}",
            crate::values_list(LINE, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (id, position, l) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(*position as i32)
                    .bind(l.account.as_str())
                    .bind(l.debit.cents())
                    .bind(l.credit.cents())
                    .bind(&l.label)
                    .bind(l.third_party.map(|c| c.to_string()))
                    .bind(l.analytic.as_deref());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let audit: Vec<audit::Row> = entries
        .iter()
        .map(|s| audit::Row {
            action: "post_entry",
            entity: "ledger_entry",
            entity_id: s.posted.id.to_string(),
            before: None,
            after: Some(serde_json::to_string(&s.posted).unwrap_or_default()),
        })
        .collect();
    audit::record_many(tx, actor, &audit).await
}

/// The entry as it is sealed: exactly the values the INSERTs bind.
pub(crate) fn seal_input(entry: &NewEntry, year: i32, number: i64) -> domain::seal::SealEntry {
    domain::seal::SealEntry {
        journal: entry.journal.code().to_owned(),
        year,
        number,
        date: entry.date,
        label: entry.label.trim().to_owned(),
        piece_ref: entry.piece_ref.clone(),
        lines: entry
            .lines
            .iter()
            .map(|l| domain::seal::SealLine {
                account: l.account.as_str().to_owned(),
                third_party: l.third_party.map(|c| c.to_string()),
                debit_cents: l.debit.cents(),
                credit_cents: l.credit.cents(),
                label: l.label.clone(),
                analytic: l.analytic.clone(),
            })
            .collect(),
    }
}

pub use crate::ledger_seal::{ChainReport, Verification, seal_pending, verify, verify_with};

/// Cancels a posted entry by its mirror image dated `date` (in an open
/// period). An entry is reversed once; a reversal is not itself reversed
/// (post the entry again instead).
pub async fn reverse(
    tx: &mut Tx,
    actor: &Actor,
    entry_id: LedgerEntryId,
    date: Date,
    label: &str,
) -> Result<Posted> {
    reverse_with(tx, actor, entry_id, |original| {
        original.reversal(date, label)
    })
    .await
}

/// Cancels a posted entry by the reversal `reversal` makes of it (a rule
/// of `domain::postings`: every line on the other side, dated and
/// labelled by the event), with the checks and links of [`reverse`].
pub(crate) async fn reverse_with(
    tx: &mut Tx,
    actor: &Actor,
    entry_id: LedgerEntryId,
    reversal: impl FnOnce(&NewEntry) -> NewEntry,
) -> Result<Posted> {
    let original = get(tx, entry_id).await?;
    if original.reverses_id.is_some() {
        return Err(refuse(
            "entry",
            "ledger-reversal-not-reversible",
            Vec::new(),
        ));
    }
    let again: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM ledger_entries WHERE reverses_id = $1"
    )
    .bind(entry_id.to_string())
    .fetch_optional(c)
    .await)?;
    if again.is_some() {
        return Err(refuse(
            "entry",
            "ledger-already-reversed",
            domain::args![("number", original.number.clone())],
        ));
    }
    let e = reversal(&NewEntry {
        journal: original.journal,
        date: original.date,
        label: original.label.clone(),
        piece_ref: original.piece_ref.clone(),
        lines: original.lines.clone(),
    });
    post_inner(tx, actor, &e, original.source.as_deref(), Some(entry_id)).await
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(try_from = "String")]
    id: LedgerEntryId,
    journal: String,
    year: i32,
    number: i64,
    entry_date: Date,
    label: String,
    piece_ref: Option<String>,
    #[sqlx(try_from = "crate::MaybeId")]
    reverses_id: Option<LedgerEntryId>,
    source: Option<String>,
    posted_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    #[sqlx(try_from = "String")]
    entry_id: LedgerEntryId,
    account: String,
    debit_cents: i64,
    credit_cents: i64,
    label: String,
    third_party_id: Option<String>,
    analytic_code: Option<String>,
}

impl TryFrom<LineRow> for Line {
    type Error = Error;
    fn try_from(r: LineRow) -> Result<Line> {
        Ok(Line {
            account: AccountNumber::parse(&r.account)
                .map_err(|_| corrupt("account", &r.account))?,
            debit: Money::from_cents(r.debit_cents),
            credit: Money::from_cents(r.credit_cents),
            label: r.label,
            third_party: match r.third_party_id {
                Some(t) => Some(
                    domain::ids::CompanyId::parse(&t).ok_or_else(|| corrupt("company id", &t))?,
                ),
                None => None,
            },
            analytic: r.analytic_code,
        })
    }
}

fn assemble(rows: Vec<EntryRow>, lines: Vec<LineRow>) -> Result<Vec<Posted>> {
    let mut by_entry: std::collections::HashMap<LedgerEntryId, Vec<Line>> =
        std::collections::HashMap::new();
    for l in lines {
        let id = l.entry_id;
        by_entry.entry(id).or_default().push(l.try_into()?);
    }
    rows.into_iter()
        .map(|r| {
            let journal =
                Journal::parse(&r.journal).ok_or_else(|| corrupt("journal", &r.journal))?;
            Ok(Posted {
                number: ledger::entry_number(journal, r.year, r.number),
                provisional: brouillard::Seq::from_stored(r.number).is_provisional(),
                lines: by_entry.remove(&r.id).unwrap_or_default(),
                id: r.id,
                journal,
                date: r.entry_date,
                label: r.label,
                piece_ref: r.piece_ref,
                reverses_id: r.reverses_id,
                source: r.source,
                posted_at: r.posted_at,
            })
        })
        .collect()
}

const ENTRY_COLUMNS: &str =
    "id, journal, year, number, entry_date, label, piece_ref, reverses_id, source, posted_at";

pub async fn get(tx: &mut Tx, id: LedgerEntryId) -> Result<Posted> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id = $1");
    let row: Option<EntryRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let row = row.ok_or(Error::NotFound)?;
    let lines: Vec<LineRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT entry_id, account, debit_cents, credit_cents, label, third_party_id, analytic_code
         FROM ledger_lines WHERE entry_id = $1 ORDER BY position"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    assemble(vec![row], lines)?.pop().ok_or(Error::NotFound)
}

/// A journal's entries between two dates, in number order (the journal
/// report), then those waiting in its brouillard by date, at most `limit`.
pub async fn journal(
    tx: &mut Tx,
    journal: Journal,
    from: Date,
    to: Date,
    limit: i64,
) -> Result<Vec<Posted>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE journal = $1 AND entry_date >= $2 AND entry_date <= $3
         ORDER BY year, CASE WHEN number < 0 THEN 1 ELSE 0 END, entry_date, ABS(number) LIMIT $4"
    );
    let rows: Vec<EntryRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(journal.code())
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    let lines: Vec<LineRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.entry_id, l.account, l.debit_cents, l.credit_cents, l.label, l.third_party_id, l.analytic_code
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE e.journal = $1 AND e.entry_date >= $2 AND e.entry_date <= $3 ORDER BY l.entry_id, l.position"
    )
    .bind(journal.code())
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?;
    assemble(rows, lines)
}

/// A journal entry's place in the journal report's order: its year, then
/// numbered before waiting, its date, its number (see `journal`).
fn journal_cursor(r: &EntryRow) -> Cursor {
    Cursor::new([
        r.year.to_string(),
        i32::from(r.number < 0).to_string(),
        r.entry_date.to_string(),
        r.number.abs().to_string(),
    ])
}

/// Parts in a journal cursor.
pub const JOURNAL_CURSOR_PARTS: usize = 4;

/// One page of a journal between two dates, in the report's order, each
/// entry with its lines (read for this page's entries only).
pub async fn journal_page(
    tx: &mut Tx,
    journal: Journal,
    from: Date,
    to: Date,
    req: &KeysetRequest,
) -> Result<KeysetPage<Posted>> {
    type Key = (i32, i32, Date, i64);
    let parse = |c: &Cursor| -> Option<Key> {
        let p = c.parts();
        Some((
            p[0].parse().ok()?,
            p[1].parse().ok()?,
            Date::parse(
                &p[2],
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()?,
            p[3].parse().ok()?,
        ))
    };
    let mut req = req.clone();
    let page = loop {
        // A cursor that does not read (a hand-edited link) starts over.
        let key = match req.cursor().map(parse) {
            Some(None) => {
                req = KeysetRequest::first(req.per_page);
                None
            }
            Some(Some(k)) => Some(k),
            None => None,
        };
        let (cmp, dir) = match req.seek {
            Seek::First => ("", "ASC"),
            Seek::After(_) => (
                " AND (year, CASE WHEN number < 0 THEN 1 ELSE 0 END, entry_date, ABS(number)) > ($5, $6, $7, $8)",
                "ASC",
            ),
            Seek::Before(_) => (
                " AND (year, CASE WHEN number < 0 THEN 1 ELSE 0 END, entry_date, ABS(number)) < ($5, $6, $7, $8)",
                "DESC",
            ),
        };
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE journal = $1 AND entry_date >= $2 AND entry_date <= $3{cmp}
             ORDER BY year {dir}, CASE WHEN number < 0 THEN 1 ELSE 0 END {dir}, entry_date {dir}, ABS(number) {dir} LIMIT $4"
        );
        let rows: Vec<EntryRow> = on_tx!(tx, |c| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(journal.code())
                .bind(from)
                .bind(to)
                .bind(req.fetch());
            match key {
                Some((year, waiting, date, number)) => {
                    q.bind(year).bind(waiting).bind(date).bind(number)
                }
                None => q,
            }
            .fetch_all(c)
            .await
        })?;
        let page = KeysetPage::assemble(&req, rows, journal_cursor);
        if !page.came_short(&req) {
            break page;
        }
        req = KeysetRequest::first(req.per_page);
    };
    let KeysetPage {
        items,
        per_page,
        prev,
        next,
    } = page;
    let lines: Vec<LineRow> = if items.is_empty() {
        Vec::new()
    } else {
        let marks = (1..=items.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT entry_id, account, debit_cents, credit_cents, label, third_party_id, analytic_code
             FROM ledger_lines WHERE entry_id IN ({marks}) ORDER BY entry_id, position"
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for r in &items {
                q = q.bind(r.id.to_string());
            }
            q.fetch_all(c).await
        })?
    };
    Ok(KeysetPage {
        items: assemble(items, lines)?,
        per_page,
        prev,
        next,
    })
}

/// A line of the trial balance.
#[derive(Debug, Clone, Serialize)]
pub struct Balance {
    pub account: AccountNumber,
    pub label: String,
    pub totals: AccountTotals,
}

/// Totals per account of the entries dated `from..=to`, in account order.
pub async fn trial_balance(tx: &mut Tx, from: Date, to: Date) -> Result<Vec<Balance>> {
    let rows: Vec<(String, String, i64, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT a.number, a.label, CAST(SUM(l.debit_cents) AS BIGINT), CAST(SUM(l.credit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.number = l.account
         WHERE e.entry_date >= $1 AND e.entry_date <= $2
         GROUP BY a.number, a.label ORDER BY a.number"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(n, label, d, c)| {
            Ok(Balance {
                account: AccountNumber::parse(&n).map_err(|_| corrupt("account", &n))?,
                label,
                totals: AccountTotals {
                    debit: Money::from_cents(d),
                    credit: Money::from_cents(c),
                },
            })
        })
        .collect()
}

/// Adds an account (a sub-account such as 411CLIENTIS is not allowed: PCG
/// numbers are digits; customers are told apart by the line's third party).
pub async fn add_account(tx: &mut Tx, actor: &Actor, number: &str, label: &str) -> Result<()> {
    let mut e = ValidationErrors::new();
    let n = e.optional("number", number, AccountNumber::parse);
    if label.trim().is_empty() {
        e.add("label", "field-required");
    }
    if n.is_none() && e.for_field("number").is_none() {
        e.add("number", "field-required");
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let n = n.expect("checked");
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO ledger_accounts (number, label) VALUES ($1, $2)"
    )
    .bind(n.as_str())
    .bind(label.trim())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, &[("ledger_accounts", "number")]))?;
    audit::record(
        tx,
        actor,
        "add_account",
        "ledger_account",
        n.as_str(),
        None::<&()>,
        Some(&label.trim()),
    )
    .await
}

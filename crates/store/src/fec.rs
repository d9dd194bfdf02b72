//! The FEC of a fiscal year, read in pages so memory stays constant
//! whatever the year's size: the opening entry first, then the entries by
//! date, journal and number (the chronological order the DGFiP expects),
//! one FEC line per posting line. Formatting is `domain::fec`'s. Only
//! validated entries are listed (those waiting in the bank journal's
//! brouillard have no number yet, `domain::brouillard`); ValidDate is the
//! day an entry was validated.

use std::collections::BTreeMap;

use domain::fec::{FecLine, OPENING_JOURNAL, OPENING_JOURNAL_LABEL};
use domain::ledger::{AccountNumber, FiscalYear, Journal};
use time::{Date, OffsetDateTime};

use crate::{Result, Tx, corrupt, on_tx};

/// Entries per page: a page is a few thousand lines.
const PAGE: i64 = 2000;

/// The code of a customer in CompAuxNum: its SIREN when known (unique),
/// else the first eight hex digits of its id.
fn aux_code(id: &str, siren: Option<&str>) -> String {
    match siren.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_owned(),
        None => id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(8)
            .collect::<String>()
            .to_uppercase(),
    }
}

/// The customer account (411…) is the one with an auxiliary account in
/// the FEC; other lines naming a third party (4181) keep theirs blank.
fn has_aux(account: &str) -> bool {
    account.starts_with("411")
}

/// `<SIREN>FEC<AAAAMMJJ>.txt` for the year (nine zeros while the firm's
/// SIREN is not filled in).
pub async fn file_name(tx: &mut Tx, year: FiscalYear) -> Result<String> {
    let siren = crate::firm::get(tx)
        .await?
        .and_then(|f| f.siren)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "000000000".to_owned());
    Ok(domain::fec::file_name(&siren, year.end()))
}

/// Posting lines of the year (the opening entry's few lines aside).
pub async fn count_lines(tx: &mut Tx, year: FiscalYear) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
         WHERE e.entry_date >= $1 AND e.entry_date <= $2 AND e.number > 0"
    )
    .bind(year.start())
    .bind(year.end())
    .fetch_one(c)
    .await)?)
}

/// The opening entry ("à nouveaux", journal AN, dated the first day of the
/// year): the balance of every balance-sheet account (classes 1 to 5) at
/// the end of the previous years, per customer on 411, and the previous
/// years' result (classes 6 and 7, which are not carried) on 120 (profit)
/// or 129 (loss), so the entry balances. No lines when nothing was posted
/// before the year. Computed, not stored: the ledger has no closing entries
/// yet.
#[allow(clippy::type_complexity)]
pub async fn opening(tx: &mut Tx, year: FiscalYear) -> Result<Vec<FecLine>> {
    let rows: Vec<(
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    )> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.account, a.label, l.third_party_id, co.name, co.siren,
                    CAST(SUM(l.debit_cents) AS BIGINT), CAST(SUM(l.credit_cents) AS BIGINT)
             FROM ledger_lines l
             JOIN ledger_accounts a ON a.number = l.account
             LEFT JOIN companies co ON co.id = l.third_party_id
             WHERE l.entry_id IN (SELECT id FROM ledger_entries WHERE entry_date < $1 AND number > 0)
             GROUP BY l.account, a.label, l.third_party_id, co.name, co.siren"
    )
    .bind(year.start())
    .fetch_all(c)
    .await
    })?;
    let mut balances: BTreeMap<(String, Option<String>), (String, Option<String>, i64)> =
        BTreeMap::new();
    let mut result = 0i64;
    for (account, label, tp, name, siren, d, c) in rows {
        let number = AccountNumber::parse(&account).map_err(|_| corrupt("account", &account))?;
        if number.is_income_statement() {
            result += c - d;
            continue;
        }
        let aux = match (&tp, has_aux(&account)) {
            (Some(id), true) => Some(aux_code(id, siren.as_deref())),
            _ => None,
        };
        let e = balances
            .entry((account, aux))
            .or_insert((label, name.filter(|_| tp.is_some()), 0));
        e.2 += d - c;
    }
    if result > 0 {
        balances.insert(
            ("120".into(), None),
            ("Résultat de l'exercice (bénéfice)".into(), None, -result),
        );
    } else if result < 0 {
        balances.insert(
            ("129".into(), None),
            ("Résultat de l'exercice (perte)".into(), None, -result),
        );
    }
    let date = year.start();
    let number = format!("{OPENING_JOURNAL}-{}-000001", year.year());
    Ok(balances
        .into_iter()
        .filter(|(_, (_, _, b))| *b != 0)
        .map(|((account, aux), (label, name, balance))| FecLine {
            journal_code: OPENING_JOURNAL.into(),
            journal_lib: OPENING_JOURNAL_LABEL.into(),
            ecriture_num: number.clone(),
            ecriture_date: date,
            compte_num: account,
            compte_lib: label,
            comp_aux: aux.map(|a| (a, name.unwrap_or_default())),
            piece_ref: number.clone(),
            piece_date: date,
            ecriture_lib: "A nouveaux".into(),
            debit_cents: balance.max(0),
            credit_cents: (-balance).max(0),
            lettering: None,
            valid_date: date,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    journal: String,
    year: i32,
    number: i64,
    entry_date: Date,
    label: String,
    piece_ref: Option<String>,
    validated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    entry_id: String,
    account: String,
    account_label: String,
    third_party_id: Option<String>,
    company_name: Option<String>,
    company_siren: Option<String>,
    debit_cents: i64,
    credit_cents: i64,
    label: String,
    let_code: Option<String>,
    let_date: Option<Date>,
}

/// Walks a year's FEC lines page by page.
#[derive(Debug, Clone)]
pub struct Cursor {
    year: FiscalYear,
    page: i64,
    /// The last entry returned: (date, journal, number).
    after: (Date, String, i64),
    opening_done: bool,
}

impl Cursor {
    pub fn new(year: FiscalYear) -> Cursor {
        Cursor::with_page(year, PAGE)
    }

    /// A cursor reading `page` entries at a time (tests use tiny pages).
    pub fn with_page(year: FiscalYear, page: i64) -> Cursor {
        Cursor {
            year,
            page: page.max(1),
            after: (year.start(), String::new(), 0),
            opening_done: false,
        }
    }

    /// The next lines: the opening entry first, then the entries a page at
    /// a time; empty at the end.
    pub async fn next_page(&mut self, tx: &mut Tx) -> Result<Vec<FecLine>> {
        if !self.opening_done {
            self.opening_done = true;
            let lines = opening(tx, self.year).await?;
            if !lines.is_empty() {
                return Ok(lines);
            }
        }
        let (d, j, n) = self.after.clone();
        let entries: Vec<EntryRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, journal, year, number, entry_date, label, piece_ref, validated_at FROM ledger_entries
             WHERE entry_date >= $1 AND entry_date <= $2 AND number > 0 AND (entry_date, journal, number) > ($3, $4, $5)
             ORDER BY entry_date, journal, number LIMIT $6"
        )
        .bind(self.year.start())
        .bind(self.year.end())
        .bind(d)
        .bind(&j)
        .bind(n)
        .bind(self.page)
        .fetch_all(c)
        .await
        })?;
        let Some(last) = entries.last() else {
            return Ok(Vec::new());
        };
        let last = (last.entry_date, last.journal.clone(), last.number);
        let lines: Vec<LineRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT l.entry_id, l.account, a.label AS account_label, l.third_party_id, co.name AS company_name,
                    co.siren AS company_siren, l.debit_cents, l.credit_cents, l.label,
                    g.code AS let_code, g.lettered_on AS let_date
             FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
             JOIN ledger_accounts a ON a.number = l.account
             LEFT JOIN companies co ON co.id = l.third_party_id
             LEFT JOIN lettering_lines ll ON ll.entry_id = l.entry_id AND ll.position = l.position AND ll.live = TRUE
             LEFT JOIN letterings g ON g.id = ll.lettering_id AND g.complete = TRUE
               AND NOT EXISTS (SELECT 1 FROM lettering_lines x JOIN ledger_entries xe ON xe.id = x.entry_id
                               WHERE x.lettering_id = g.id AND x.live = TRUE
                                 AND (xe.entry_date < $1 OR xe.entry_date > $2 OR xe.number < 0))
             WHERE e.entry_date >= $1 AND e.entry_date <= $2 AND e.number > 0
               AND (e.entry_date, e.journal, e.number) > ($3, $4, $5)
               AND (e.entry_date, e.journal, e.number) <= ($6, $7, $8)
             ORDER BY e.entry_date, e.journal, e.number, l.position"
        )
        .bind(self.year.start())
        .bind(self.year.end())
        .bind(d)
        .bind(&j)
        .bind(n)
        .bind(last.0)
        .bind(&last.1)
        .bind(last.2)
        .fetch_all(c)
        .await
        })?;
        self.after = last;
        // Lines come in entry order: walk both lists together.
        let mut out = Vec::with_capacity(lines.len());
        let mut entries = entries.iter().peekable();
        let mut current: Option<(&EntryRow, Journal, String)> = None;
        for l in lines {
            while current.as_ref().is_none_or(|(e, _, _)| e.id != l.entry_id) {
                let Some(e) = entries.next() else {
                    return Err(corrupt("ledger line without its entry", &l.entry_id));
                };
                let journal =
                    Journal::parse(&e.journal).ok_or_else(|| corrupt("journal", &e.journal))?;
                let number = domain::ledger::entry_number(journal, e.year, e.number);
                current = Some((e, journal, number));
            }
            let (e, journal, number) = current.as_ref().expect("set above");
            let label = if l.label.trim().is_empty() || l.label.trim() == e.label.trim() {
                e.label.clone()
            } else {
                format!("{} - {}", e.label.trim(), l.label.trim())
            };
            out.push(FecLine {
                journal_code: journal.code().into(),
                journal_lib: journal.label_fr().into(),
                ecriture_num: number.clone(),
                ecriture_date: e.entry_date,
                comp_aux: match (&l.third_party_id, has_aux(&l.account)) {
                    (Some(id), true) => Some((
                        aux_code(id, l.company_siren.as_deref()),
                        l.company_name.clone().unwrap_or_default(),
                    )),
                    _ => None,
                },
                compte_num: l.account,
                compte_lib: l.account_label,
                piece_ref: e.piece_ref.clone().unwrap_or_else(|| number.clone()),
                piece_date: e.entry_date,
                ecriture_lib: label,
                debit_cents: l.debit_cents,
                credit_cents: l.credit_cents,
                // A complete live lettering whose lines all fall in the
                // year: its lines sum to zero in this file, as the checker
                // wants. A partial one, or one reaching into another year
                // (whose lines there are in the opening balance), stays
                // blank.
                lettering: l.let_code.zip(l.let_date),
                valid_date: domain::paris::date(e.validated_at),
            });
        }
        Ok(out)
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    pub lines: u64,
    pub bytes: u64,
}

/// Writes the year's FEC (header included) to `out`, calling `progress`
/// with the lines written so far after each page.
pub async fn write(
    tx: &mut Tx,
    year: FiscalYear,
    out: &mut (dyn std::io::Write + Send),
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Written> {
    let mut buf = Vec::with_capacity(1 << 20);
    domain::fec::write_header(&mut buf);
    let mut w = Written::default();
    let mut cursor = Cursor::new(year);
    loop {
        let page = cursor.next_page(tx).await?;
        if page.is_empty() {
            break;
        }
        for l in &page {
            l.write(&mut buf);
        }
        w.lines += page.len() as u64;
        w.bytes += buf.len() as u64;
        out.write_all(&buf)?;
        buf.clear();
        progress(w.lines);
    }
    w.bytes += buf.len() as u64;
    out.write_all(&buf)?;
    out.flush()?;
    Ok(w)
}

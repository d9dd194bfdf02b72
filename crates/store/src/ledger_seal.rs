//! The ledger's hash chain (see `domain::seal`): the previous hash a
//! posting chains to, the sealing of entries posted before the chain
//! existed, and the verification of every chain.

use domain::ledger::Journal;
use domain::seal::{Broken, Chain, GENESIS, SealEntry, SealLine};
use serde::Serialize;
use time::Date;

use crate::{Db, Result, Tx, on_tx};

/// Entries read at once while sealing or verifying.
const PAGE: i64 = 2000;

/// The hash of entry `number` of a journal and year: what the next entry
/// chains to ([`GENESIS`] before number 1). An entry without one (not
/// sealed yet) also gives [`GENESIS`]: verification reports it.
pub(crate) async fn hash_of(tx: &mut Tx, journal: &str, year: i32, number: i64) -> Result<String> {
    if number < 1 {
        return Ok(GENESIS.to_owned());
    }
    let h: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT hash FROM ledger_entries WHERE journal = $1 AND year = $2 AND number = $3"
    )
    .bind(journal)
    .bind(year)
    .bind(number)
    .fetch_optional(c)
    .await)?;
    Ok(h.flatten().unwrap_or_else(|| GENESIS.to_owned()))
}

/// A stored entry with its seal.
struct Stored {
    id: String,
    hash: Option<String>,
    previous: Option<String>,
    entry: SealEntry,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    number: i64,
    entry_date: Date,
    label: String,
    piece_ref: Option<String>,
    hash: Option<String>,
    previous_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    entry_id: String,
    account: String,
    third_party_id: Option<String>,
    debit_cents: i64,
    credit_cents: i64,
    label: String,
    analytic_code: Option<String>,
}

/// The entries of a journal and year numbered after `after` (at most
/// [`PAGE`]), with their lines, in number order. `unsealed_only` skips the
/// sealed ones.
async fn page(
    tx: &mut Tx,
    journal: &str,
    year: i32,
    after: i64,
    unsealed_only: bool,
) -> Result<Vec<Stored>> {
    let sql =
        format!(
        "SELECT id, number, entry_date, label, piece_ref, hash, previous_hash FROM ledger_entries
         WHERE journal = $1 AND year = $2 AND number > $3 {} ORDER BY number LIMIT $4",
        if unsealed_only { "AND hash IS NULL" } else { "" }
    );
    let rows: Vec<EntryRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(journal)
        .bind(year)
        .bind(after)
        .bind(PAGE)
        .fetch_all(c)
        .await)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let (first, last) = (first.number, last.number);
    let lines: Vec<LineRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.entry_id, l.account, l.third_party_id, l.debit_cents, l.credit_cents, l.label, l.analytic_code
         FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
         WHERE e.journal = $1 AND e.year = $2 AND e.number >= $3 AND e.number <= $4
         ORDER BY e.number, l.position"
    )
    .bind(journal)
    .bind(year)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    })?;
    let mut by_entry: std::collections::HashMap<String, Vec<SealLine>> =
        std::collections::HashMap::with_capacity(rows.len());
    for l in lines {
        by_entry.entry(l.entry_id).or_default().push(SealLine {
            account: l.account,
            third_party: l.third_party_id,
            debit_cents: l.debit_cents,
            credit_cents: l.credit_cents,
            label: l.label,
            analytic: l.analytic_code,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| Stored {
            entry: SealEntry {
                journal: journal.to_owned(),
                year,
                number: r.number,
                date: r.entry_date,
                label: r.label,
                piece_ref: r.piece_ref,
                lines: by_entry.remove(&r.id).unwrap_or_default(),
            },
            id: r.id,
            hash: r.hash,
            previous: r.previous_hash,
        })
        .collect())
}

/// Seals, in number order, every entry that has no seal yet (those posted
/// before the chain existed), in one transaction. Idempotent: a second run
/// finds nothing. Returns how many entries it sealed.
pub async fn seal_pending(db: &Db) -> Result<u64> {
    // At every start-up: a look at the partial index, no writer lock.
    let mut read = db.read().await?;
    let any: Option<i32> = on_tx!(&mut read, |c| sqlx::query_scalar(
        "SELECT 1 FROM ledger_entries WHERE hash IS NULL AND number > 0 LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    read.commit().await?;
    if any.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let chains: Vec<(String, i32)> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT journal, year FROM ledger_entries WHERE hash IS NULL AND number > 0 ORDER BY journal, year"
    )
    .fetch_all(c)
    .await
    })?;
    let mut sealed = 0;
    for (journal, year) in chains {
        let mut after = 0;
        loop {
            let entries = page(&mut tx, &journal, year, after, true).await?;
            if entries.is_empty() {
                break;
            }
            for s in entries {
                let previous = hash_of(&mut tx, &journal, year, s.entry.number - 1).await?;
                let hash = s.entry.hash(&previous);
                on_tx!(&mut tx, |c| sqlx::query(
                    "UPDATE ledger_entries SET hash = $2, previous_hash = $3 WHERE id = $1"
                )
                .bind(&s.id)
                .bind(&hash)
                .bind(&previous)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                after = s.entry.number;
                sealed += 1;
            }
        }
    }
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(sealed, "ledger entries sealed");
    }
    Ok(sealed)
}

/// One journal and year's chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub journal: String,
    pub year: i32,
    /// Entries checked before the first broken link (all of them when intact).
    pub entries: u64,
    /// The hash of the last entry checked: written down elsewhere, it
    /// pins the chain up to there.
    pub last_hash: String,
    pub first_broken: Option<Broken>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Verification {
    pub journals: Vec<ChainReport>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.journals.iter().all(|j| j.first_broken.is_none())
    }

    pub fn entries(&self) -> u64 {
        self.journals.iter().map(|j| j.entries).sum()
    }
}

/// How many entries verification reads (for a progress bar).
pub async fn count_entries(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_entries WHERE number > 0"
    )
    .fetch_one(c)
    .await)?)
}

/// Recomputes every chain (each journal and year) and reports its first
/// broken link: a line or field changed, an entry removed (a gap in the
/// numbers, or fewer than the sequence gave out), an entry inserted or
/// replaced, a hash edited.
pub async fn verify(tx: &mut Tx) -> Result<Verification> {
    verify_with(tx, &mut |_| {}).await
}

/// [`verify`], calling `progress` with the entries checked so far.
pub async fn verify_with(
    tx: &mut Tx,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Verification> {
    // The chains: every journal and year with entries or a sequence (an
    // invoice series shares the sequence table: only journals count).
    let mut chains: Vec<(String, i32, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT journal, year, last_number FROM ledger_sequences ORDER BY journal, year"
    )
    .fetch_all(c)
    .await)?;
    chains.retain(|(j, _, _)| Journal::parse(j).is_some());
    let with_entries: Vec<(String, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT DISTINCT journal, year FROM ledger_entries ORDER BY journal, year"
    )
    .fetch_all(c)
    .await)?;
    for (j, y) in with_entries {
        if !chains.iter().any(|(cj, cy, _)| *cj == j && *cy == y) {
            // Entries without a sequence row were added by hand: any
            // number is beyond a sequence of 0.
            chains.push((j, y, 0));
        }
    }
    chains.sort();
    let mut out = Verification::default();
    let mut done = 0u64;
    for (journal, year, last) in chains {
        let mut chain = Chain::new(last);
        let mut report = ChainReport {
            journal: journal.clone(),
            year,
            entries: 0,
            last_hash: GENESIS.to_owned(),
            first_broken: None,
        };
        let mut after = 0;
        'pages: loop {
            let entries = page(tx, &journal, year, after, false).await?;
            if entries.is_empty() {
                break;
            }
            for s in &entries {
                if let Err(b) = chain.feed(&s.entry, s.hash.as_deref(), s.previous.as_deref()) {
                    report.first_broken = Some(b);
                    break 'pages;
                }
                report.entries += 1;
                after = s.entry.number;
            }
            done += entries.len() as u64;
            progress(done);
        }
        if report.first_broken.is_none()
            && let Err(b) = chain.finish()
        {
            report.first_broken = Some(b);
        }
        report.last_hash = chain.last_hash().to_owned();
        out.journals.push(report);
    }
    Ok(out)
}

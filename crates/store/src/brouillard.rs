//! The bank journal's brouillard (see `domain::brouillard`): what waits in
//! it, and its validation up to a date, by finance or when a month closes.

use domain::brouillard::{self, Pending};
use domain::ledger::{self, Journal, NewEntry};
use serde::Serialize;
use time::Date;

use crate::ledger::{get, hold_sequence, refuse, seal_input};
use crate::{Actor, Result, Tx, audit, now, on_tx};

/// What waits in a journal's brouillard.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Waiting {
    pub journal: Journal,
    pub count: i64,
    pub first: Option<Date>,
    pub last: Option<Date>,
}

pub async fn waiting(tx: &mut Tx, journal: Journal) -> Result<Waiting> {
    let (count, first, last): (i64, Option<Date>, Option<Date>) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*), MIN(entry_date), MAX(entry_date) FROM ledger_entries
         WHERE journal = $1 AND number < 0"
    )
    .bind(journal.code())
    .fetch_one(c)
    .await)?;
    Ok(Waiting {
        journal,
        count,
        first,
        last,
    })
}

/// What a validation did: the entries it numbered, the first and last
/// numbers given.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Validation {
    pub journal: Journal,
    pub through: Date,
    pub count: i64,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Validates a journal up to `through` (today at the latest): its
/// provisional entries dated up to then are numbered in date order, sealed
/// and stamped validated, in one transaction with its audit line. Nothing
/// waiting gives a validation of no entry.
pub async fn validate(
    tx: &mut Tx,
    actor: &Actor,
    journal: Journal,
    through: Date,
) -> Result<Validation> {
    let today = crate::today();
    if through > today {
        return Err(refuse(
            "through",
            "ledger-validate-future",
            domain::args![("date", today)],
        ));
    }
    validate_through(tx, actor, journal, through).await
}

/// [`validate`] without the date check: a month's close validates up to
/// its last day.
pub(crate) async fn validate_through(
    tx: &mut Tx,
    actor: &Actor,
    journal: Journal,
    through: Date,
) -> Result<Validation> {
    let years: Vec<i32> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT CAST(year AS INTEGER) FROM ledger_entries
         WHERE journal = $1 AND number < 0 AND entry_date <= $2 ORDER BY 1"
    )
    .bind(journal.code())
    .bind(through)
    .fetch_all(c)
    .await)?;
    let mut done = Validation {
        journal,
        through,
        count: 0,
        first: None,
        last: None,
    };
    for year in years {
        validate_year(tx, actor, journal, year, through, &mut done).await?;
    }
    if done.count > 0 {
        audit::record(
            tx,
            actor,
            "validate_journal",
            "ledger_journal",
            journal.code(),
            None::<&()>,
            Some(&done),
        )
        .await?;
    }
    Ok(done)
}

async fn validate_year(
    tx: &mut Tx,
    actor: &Actor,
    journal: Journal,
    year: i32,
    through: Date,
    done: &mut Validation,
) -> Result<()> {
    let code = journal.code();
    // Held until commit: postings into this journal and year wait, so none
    // slips in before the dates validated here.
    let last = hold_sequence(tx, code, year).await?;
    let rows: Vec<(String, Date, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, entry_date, number FROM ledger_entries
         WHERE journal = $1 AND year = $2 AND number < 0 AND entry_date <= $3"
    )
    .bind(code)
    .bind(year)
    .bind(through)
    .fetch_all(c)
    .await)?;
    let pending = rows
        .into_iter()
        .map(|(id, date, n)| Pending {
            id,
            date,
            place: -n,
        })
        .collect();
    let numbered = brouillard::numbering(pending, last);
    let Some(&(_, highest)) = numbered.last() else {
        return Ok(());
    };
    let mut previous = crate::ledger_seal::hash_of(tx, code, year, last).await?;
    let at = now();
    for (p, number) in &numbered {
        let e = get(tx, crate::id(&p.id)?).await?;
        let sealed = seal_input(
            &NewEntry {
                journal,
                date: e.date,
                label: e.label,
                piece_ref: e.piece_ref,
                lines: e.lines,
            },
            year,
            *number,
        );
        let hash = sealed.hash(&previous);
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE ledger_entries SET number = $2, hash = $3, previous_hash = $4, validated_at = $5,
               validated_by = $6
             WHERE id = $1 AND number < 0"
        )
        .bind(&p.id)
        .bind(number)
        .bind(&hash)
        .bind(&previous)
        .bind(at)
        .bind(actor.user_id.map(|u| u.to_string()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        previous = hash;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE ledger_sequences SET last_number = $3 WHERE journal = $1 AND year = $2"
    )
    .bind(code)
    .bind(year)
    .bind(highest)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    done.count += numbered.len() as i64;
    if done.first.is_none() {
        done.first = Some(ledger::entry_number(journal, year, last + 1));
    }
    done.last = Some(ledger::entry_number(journal, year, highest));
    Ok(())
}

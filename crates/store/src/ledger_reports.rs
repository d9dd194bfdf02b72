//! The ledger's reports, read-only: the general ledger (opening balances and
//! lines, two queries whatever the number of accounts), the customer ledger
//! summary (one query), and the fiscal years with their periods. The
//! running balances are computed by `domain::ledger_reports`.

use domain::calendar::YearMonth;
use domain::ids::CompanyId;
use domain::ledger::{AccountNumber, FiscalYear, Journal, PeriodStatus};
use domain::ledger_reports::{
    self, AccountLedger, CustomerBalance, DateRange, FiscalYearPeriods, LedgerLine, LedgerQuery,
    Opening,
};
use domain::money::Money;
use domain::validation::ValidationErrors;
use time::Date;

use crate::{Error, Result, Tx, corrupt, on_tx};

fn account(n: &str) -> Result<AccountNumber> {
    AccountNumber::parse(n).map_err(|_| corrupt("account", n))
}

fn company(id: Option<String>) -> Result<Option<CompanyId>> {
    id.map(|t| CompanyId::parse(&t).ok_or_else(|| corrupt("company id", &t)))
        .transpose()
}

#[derive(sqlx::FromRow)]
struct LineRow {
    account: String,
    account_label: String,
    entry_date: Date,
    journal: String,
    year: i32,
    number: i64,
    piece_ref: Option<String>,
    entry_label: String,
    label: String,
    debit_cents: i64,
    credit_cents: i64,
    third_party_id: Option<String>,
    third_party_name: Option<String>,
}

/// The filters shared by both queries of the general ledger, after the
/// date conditions: `$3` the account pattern, `$4` the customer.
const FILTERS: &str = "AND (CAST($3 AS TEXT) IS NULL OR l.account LIKE $3)
   AND (CAST($4 AS TEXT) IS NULL OR l.third_party_id = $4)";

/// The general ledger (grand livre) of `q`: per account, the balance before
/// the range, then every line of the range with the balance after it, in
/// account, date and entry number order.
///
/// Refused in words when the range holds more than `max_lines` lines: a
/// report cut short would print wrong totals, so the reader narrows the
/// filter (or exports, which allows more) instead.
pub async fn general_ledger(
    tx: &mut Tx,
    q: &LedgerQuery,
    max_lines: i64,
) -> Result<Vec<AccountLedger>> {
    let pattern = q.accounts.as_ref().map(|p| p.like_pattern());
    let customer = q.third_party.map(|c| c.to_string());
    let (from, to) = (q.range.from(), q.range.to());
    // Balance sheet accounts carry everything before the range; income
    // statement accounts (classes 6, 7) only this fiscal year's part.
    let year_start = FiscalYear::of(from).start();
    let sql = format!(
        "SELECT l.account, a.label, CAST(SUM(l.debit_cents) - SUM(l.credit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.number = l.account
         WHERE e.entry_date < $1 AND (substr(l.account, 1, 1) NOT IN ('6', '7') OR e.entry_date >= $2)
           {FILTERS}
         GROUP BY l.account, a.label"
    );
    let openings: Vec<(String, String, i64)> =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(from)
            .bind(year_start)
            .bind(pattern.as_deref())
            .bind(customer.as_deref())
            .fetch_all(c)
            .await)?;
    let sql = format!(
        "SELECT l.account, a.label AS account_label, e.entry_date, e.journal, e.year, e.number, e.piece_ref,
           e.label AS entry_label, l.label, l.debit_cents, l.credit_cents, l.third_party_id,
           c.name AS third_party_name
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.number = l.account
           LEFT JOIN companies c ON c.id = l.third_party_id
         WHERE e.entry_date >= $1 AND e.entry_date <= $2
           {FILTERS}
         ORDER BY l.account, e.entry_date, e.journal, e.year, e.number, l.position
         LIMIT $5"
    );
    let rows: Vec<LineRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(from)
        .bind(to)
        .bind(pattern.as_deref())
        .bind(customer.as_deref())
        // One more than allowed tells "too many" from "exactly the limit".
        .bind(max_lines.saturating_add(1))
        .fetch_all(c)
        .await)?;
    if rows.len() as i64 > max_lines {
        let mut e = ValidationErrors::new();
        e.add_with(
            "from",
            "ledger-report-too-long",
            domain::args![("max", max_lines)],
        );
        return Err(Error::Invalid(e));
    }
    let openings = openings
        .into_iter()
        .map(|(n, label, balance)| {
            Ok(Opening {
                account: account(&n)?,
                label,
                balance: Money::from_cents(balance),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let lines = rows
        .into_iter()
        .map(|r| {
            let journal =
                Journal::parse(&r.journal).ok_or_else(|| corrupt("journal", &r.journal))?;
            Ok((
                account(&r.account)?,
                r.account_label,
                LedgerLine {
                    date: r.entry_date,
                    journal,
                    number: domain::ledger::entry_number(journal, r.year, r.number),
                    piece_ref: r.piece_ref,
                    entry_label: r.entry_label,
                    label: r.label,
                    debit: Money::from_cents(r.debit_cents),
                    credit: Money::from_cents(r.credit_cents),
                    third_party: company(r.third_party_id)?,
                    third_party_name: r.third_party_name,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ledger_reports::general_ledger(q.range, openings, lines))
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    third_party_id: Option<String>,
    name: Option<String>,
    opening_cents: i64,
    debit_cents: i64,
    credit_cents: i64,
}

/// The customer ledger summary (balance auxiliaire clients): per customer,
/// its 411 balance before the range, the range's debits and credits, in
/// name order, customers without either left out. Lines on 411 without a
/// customer come last, as one row without a company.
pub async fn customer_balances(tx: &mut Tx, range: DateRange) -> Result<Vec<CustomerBalance>> {
    let rows: Vec<CustomerRow> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT l.third_party_id, c.name,
               CAST(SUM(CASE WHEN e.entry_date < $1 THEN l.debit_cents - l.credit_cents ELSE 0 END) AS BIGINT)
                 AS opening_cents,
               CAST(SUM(CASE WHEN e.entry_date >= $1 THEN l.debit_cents ELSE 0 END) AS BIGINT) AS debit_cents,
               CAST(SUM(CASE WHEN e.entry_date >= $1 THEN l.credit_cents ELSE 0 END) AS BIGINT) AS credit_cents
             FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
               LEFT JOIN companies c ON c.id = l.third_party_id
             WHERE l.account LIKE $3 AND e.entry_date <= $2
             GROUP BY l.third_party_id, c.name",
        )
        .bind(range.from())
        .bind(range.to())
        .bind(ledger_reports::AccountPrefix::customers().like_pattern())
        .fetch_all(c)
        .await
    })?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            Ok(CustomerBalance {
                company: company(r.third_party_id)?,
                name: r.name,
                opening: Money::from_cents(r.opening_cents),
                debit: Money::from_cents(r.debit_cents),
                credit: Money::from_cents(r.credit_cents),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.retain(|b| !(b.opening.is_zero() && b.debit.is_zero() && b.credit.is_zero()));
    // Sorted here rather than in SQL: the backends order NULLs and accents
    // differently, and the page must read the same on both.
    out.sort_by_cached_key(|b| {
        (
            b.company.is_none(),
            b.name.as_deref().map(domain::validation::fold_accents),
        )
    });
    Ok(out)
}

/// The fiscal years and the status of their months, newest first (see
/// [`ledger_reports::fiscal_years`] for which years).
pub async fn fiscal_years(tx: &mut Tx, today: Date) -> Result<Vec<FiscalYearPeriods>> {
    let bounds: (Option<Date>, Option<Date>) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT MIN(entry_date), MAX(entry_date) FROM ledger_entries"
    )
    .fetch_one(c)
    .await)?;
    let closed: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT month FROM ledger_periods WHERE status = $1"
    )
    .bind(PeriodStatus::Closed.as_str())
    .fetch_all(c)
    .await)?;
    let closed = closed
        .iter()
        .map(|m| YearMonth::parse(m).ok_or_else(|| corrupt("period month", m)))
        .collect::<Result<Vec<_>>>()?;
    let entries = match bounds {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    };
    Ok(ledger_reports::fiscal_years(today, entries, &closed))
}

//! Receivables reporting (#8), read-only: the aged balance on any date
//! (today or in the past), DSO from the ledger, the expected cash-in from
//! due dates, and one client's statement (with its PDF). The arithmetic is
//! `domain::receivables`; here, a few aggregated queries.
//!
//! What an invoice still owes on a date is its total (TTC) less what was
//! settled by then: the allocations made by that date
//! (`payment_allocations.allocated_on`) and not given back by then (a
//! cancelled payment, `reversed_on`), and the credit notes issued by then
//! that credit it. A client's credit on a date is what it paid by then (a
//! payment cancelled by then counts for nothing) less what of it was
//! allocated by then and not given back.
//!
//! Nothing here walks every invoice or payment: the database keeps, by
//! triggers (migration `receivables_settlement`), each invoice's settled
//! amount with the date of its last settlement event and the date from
//! which it stays settled (`settled_on`), and each payment's allocated
//! amount with the same two dates (`used_up_on`). A report on `D` reads
//! the invoices with `settled_on > D` (the partial index
//! `invoices_open_on`, which covers every column the aged balance needs)
//! and the payments with `used_up_on > D` (`payments_credit_on`); only
//! those with an event after `D` have their history summed (indexes on
//! `payment_allocations (invoice_id, allocated_on)`, `(payment_id)` and
//! `invoices (credits_id)`). Today that is the open invoices and the
//! payments holding credit, whatever the years kept.
//!
//! The SQLite plans are pinned (`INDEXED BY`): the planner's choice must
//! not depend on when statistics were last taken (an `ANALYZE` run while
//! the tables were small made the former query 100 times slower). For DSO,
//! `ledger_lines_account` (account, entry_id) with `ledger_entries_date`.

use std::collections::HashMap;

use domain::ids::{CompanyId, InvoiceId, UserId};
use domain::money::Money;
use domain::receivables::{
    self, AgedBalance, Bucket, Buckets, ClientCredit, CountBackDso, DsoFigures, Forecast,
    MonthRevenue, OpenAmount, SimpleDso,
};
use serde::Serialize;
use time::{Date, Duration};

use crate::{Error, Result, Tx, corrupt, on_tx};

fn company(id: &str) -> Result<CompanyId> {
    CompanyId::parse(id).ok_or_else(|| corrupt("company id", id))
}

/// What invoice `i` had settled on `$1`: the kept figure when its last
/// settlement event is on or before `$1` (always the case today), else
/// its allocations and credit notes summed up to `$1`.
fn settled_on(tx: &Tx) -> String {
    format!(
        "CASE WHEN i.settled_changed_on IS NULL OR i.settled_changed_on <= $1 THEN i.settled_cents
    ELSE CAST(COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocations a {by_invoice}
                        WHERE a.invoice_id = i.id AND a.allocated_on <= $1
                          AND (a.reversed_on IS NULL OR a.reversed_on > $1)), 0)
            + COALESCE((SELECT SUM(n.gross_cents) FROM invoices n {credited}
                        WHERE n.credits_id = i.id AND n.kind = 'credit_note' AND n.status = 'issued'
                          AND n.issue_date <= $1), 0) AS BIGINT) END",
        by_invoice = crate::pinned(tx, "payment_allocations_invoice"),
        credited = crate::pinned(tx, "invoices_credited"),
    )
}

/// The issued invoices that may be open on `$1` (issued by then, not
/// settled for good by then), with what each had settled on `$1`: of every
/// client through `invoices_open_on` alone, or of the client `$2` through
/// `invoices_client_open_on`. `columns` are read from `i`.
fn open_invoices(tx: &Tx, one_client: bool, columns: &str) -> String {
    let (index, client) = if one_client {
        ("invoices_client_open_on", "AND i.client_id = $2")
    } else {
        ("invoices_open_on", "AND CAST($2 AS TEXT) IS NULL")
    };
    format!(
        "SELECT {columns}, COALESCE(i.due_date, i.issue_date) AS due_date, i.gross_cents,
           {settled} AS settled_cents
         FROM invoices i {hint}
         WHERE i.status = 'issued' AND i.kind = 'invoice' AND i.settled_on > $1 AND i.issue_date <= $1
           {client}",
        hint = crate::pinned(tx, index),
        settled = settled_on(tx),
    )
}

/// What the clients owed on `as_of`, summed per client and due date (one
/// row per pair, however many invoices).
pub async fn open_amounts(
    tx: &mut Tx,
    as_of: Date,
    client: Option<CompanyId>,
) -> Result<Vec<OpenAmount>> {
    open_amounts_summed(tx, as_of, client, None).await
}

/// What the clients owed on `as_of` as the aged balance and the cash-in
/// forecast read it: [`open_amounts`], except that what fell due on or
/// before [`Bucket::over_90_due_by`] is summed per client on that day.
/// Years of unpaid invoices come back as one row per client rather than
/// one per due date (a row costs more to carry out of the database than
/// to sum in it).
async fn open_amounts_by_age(tx: &mut Tx, as_of: Date) -> Result<Vec<OpenAmount>> {
    open_amounts_summed(tx, as_of, None, Some(Bucket::over_90_due_by(as_of))).await
}

/// [`open_amounts`], the due dates before `oldest` (when given) counted
/// as `oldest`.
async fn open_amounts_summed(
    tx: &mut Tx,
    as_of: Date,
    client: Option<CompanyId>,
    oldest: Option<Date>,
) -> Result<Vec<OpenAmount>> {
    let due = match oldest {
        Some(_) => "CASE WHEN o.due_date < $3 THEN $3 ELSE o.due_date END",
        None => "o.due_date",
    };
    let sql = format!(
        "SELECT o.client_id, {due} AS due, CAST(SUM(o.gross_cents - o.settled_cents) AS BIGINT)
         FROM ({}) o
         WHERE o.gross_cents - o.settled_cents > 0
         GROUP BY o.client_id, due",
        open_invoices(tx, client.is_some(), "i.client_id")
    );
    let client = client.map(|c| c.to_string());
    let rows: Vec<(String, Date, i64)> = on_tx!(tx, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(as_of)
            .bind(client.as_deref());
        match oldest {
            Some(d) => q.bind(d),
            None => q,
        }
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(c, due, cents)| {
            Ok(OpenAmount {
                client: company(&c)?,
                due,
                amount: Money::from_cents(cents),
            })
        })
        .collect()
}

/// The invoices past their due date and not settled on `today`: how many
/// and what they still owe (TTC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Overdue {
    pub count: u64,
    pub amount: Money,
}

/// The overdue invoices on `today` (the open amounts of the aged balance
/// whose due date has passed): of every client, of the client `client`
/// (a client contact's company), or of the missions that `manager`
/// manages as business manager (their own invoices, and those of a client
/// contract one of them bills under).
pub async fn overdue(
    tx: &mut Tx,
    today: Date,
    client: Option<CompanyId>,
    manager: Option<UserId>,
) -> Result<Overdue> {
    // The outer alias is `i` too, so that a manager's documents are chosen
    // by the same clause as the invoice list's and the home figures'.
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(i.gross_cents - i.settled_cents), 0) AS BIGINT)
         FROM ({}) i
         WHERE i.gross_cents - i.settled_cents > 0 AND i.due_date < $1 AND {}",
        open_invoices(tx, client.is_some(), "i.mission_id, i.contract_id"),
        crate::invoicing::figures::managed_by!("$3")
    );
    let client = client.map(|c| c.to_string());
    let manager = manager.map(|m| m.to_string());
    let (count, cents): (i64, i64) =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(today)
            .bind(client.as_deref())
            .bind(manager.as_deref())
            .fetch_one(c)
            .await)?;
    Ok(Overdue {
        count: count.max(0) as u64,
        amount: Money::from_cents(cents),
    })
}

/// What each of the documents `ids` still owes today (TTC): an issued
/// invoice its total less what settled it (payments allocated, credit
/// notes), as the aged balance counts it; a draft or a credit note nothing.
pub async fn amounts_due(tx: &mut Tx, ids: &[InvoiceId]) -> Result<HashMap<InvoiceId, Money>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT id, CAST(CASE WHEN kind = 'invoice' AND status = 'issued'
                 AND gross_cents > settled_cents THEN gross_cents - settled_cents ELSE 0 END AS BIGINT)
             FROM invoices WHERE id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<(String, i64)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        for (id, cents) in rows {
            out.insert(crate::id(&id)?, Money::from_cents(cents));
        }
    }
    Ok(out)
}

/// The credits' query (of every client, or of the client `$2`).
fn credits_sql(tx: &Tx, one_client: bool) -> String {
    // A payment's credit on $1: nothing once cancelled; else its amount
    // less its allocations then (the kept figure when none changed after
    // $1). Every client's through `payments_credit_on`, one client's
    // through `payments_client`.
    let (index, filter) = if one_client {
        ("payments_client", "p.client_id = $2")
    } else {
        ("payments_credit_on", "CAST($2 AS TEXT) IS NULL")
    };
    format!(
        "SELECT p.client_id, CAST(SUM(p.amount_cents - CASE
             WHEN p.reversed_on IS NOT NULL AND p.reversed_on <= $1 THEN p.amount_cents
             WHEN p.allocations_changed_on IS NULL OR p.allocations_changed_on <= $1 THEN p.allocated_cents
             ELSE COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocations a {by_payment}
                            WHERE a.payment_id = p.id AND a.allocated_on <= $1
                              AND (a.reversed_on IS NULL OR a.reversed_on > $1)), 0) END) AS BIGINT)
         FROM payments p {hint}
         WHERE {filter} AND p.used_up_on > $1 AND p.received_on <= $1
         GROUP BY p.client_id",
        hint = crate::pinned(tx, index),
        by_payment = crate::pinned(tx, "payment_allocations_payment"),
    )
}

/// Each client's credit on `as_of`: paid by then (and not cancelled by
/// then), less allocated by then (and not given back by then).
pub async fn credits(
    tx: &mut Tx,
    as_of: Date,
    client: Option<CompanyId>,
) -> Result<Vec<ClientCredit>> {
    let sql = credits_sql(tx, client.is_some());
    let client = client.map(|c| c.to_string());
    let rows: Vec<(String, i64)> =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(as_of)
            .bind(client.as_deref())
            .fetch_all(c)
            .await)?;
    rows.into_iter()
        .filter(|(_, cents)| *cents != 0)
        .map(|(c, cents)| {
            Ok(ClientCredit {
                client: company(&c)?,
                amount: Money::from_cents(cents),
            })
        })
        .collect()
}

/// The plans of the aged balance's two queries on `as_of`, as the
/// backend explains them (SQLite: `EXPLAIN QUERY PLAN` details;
/// PostgreSQL: `EXPLAIN` lines): for the bench and the test that checks
/// the pinned indexes are used whatever the statistics.
pub async fn aged_balance_plan(tx: &mut Tx, as_of: Date) -> Result<Vec<String>> {
    let open = format!(
        "SELECT o.client_id, o.due_date FROM ({}) o WHERE o.gross_cents - o.settled_cents > 0",
        open_invoices(tx, false, "i.client_id")
    );
    let credit = credits_sql(tx, false);
    let mut out = Vec::new();
    for sql in [open, credit] {
        let lines: Vec<String> = match tx {
            Tx::Sqlite(t) => {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                        .bind(as_of)
                        .bind(None::<String>)
                        .fetch_all(&mut **t)
                        .await?;
                rows.into_iter().map(|r| r.3).collect()
            }
            Tx::Postgres(t) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
                    .bind(as_of)
                    .bind(None::<String>)
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        out.extend(lines);
    }
    Ok(out)
}

async fn names(tx: &mut Tx, ids: Vec<String>) -> Result<HashMap<CompanyId, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT id, name FROM companies WHERE id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<(String, String)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(c).await
        })?;
        for (id, name) in rows {
            out.insert(company(&id)?, name);
        }
    }
    Ok(out)
}

/// The aged balance on `as_of` (today or any past date): per client, its
/// open invoices by age and its credit. Three queries.
pub async fn aged_balance(tx: &mut Tx, as_of: Date) -> Result<AgedBalance> {
    Ok(aged_balance_with_open(tx, as_of).await?.0)
}

/// The aged balance on `as_of` with the open amounts it was made of, for
/// a page that also shows the cash-in forecast of that day (read once):
/// what fell due more than 90 days before `as_of` summed per client (see
/// `open_amounts_by_age`), which neither reads apart.
pub async fn aged_balance_with_open(
    tx: &mut Tx,
    as_of: Date,
) -> Result<(AgedBalance, Vec<OpenAmount>)> {
    let open = open_amounts_by_age(tx, as_of).await?;
    let credits = credits(tx, as_of, None).await?;
    let mut ids: Vec<String> = open
        .iter()
        .map(|o| o.client.to_string())
        .chain(credits.iter().map(|c| c.client.to_string()))
        .collect();
    ids.sort();
    ids.dedup();
    let names = names(tx, ids).await?;
    let aged = receivables::aged_balance(as_of, &open, &credits, &|id| names.get(&id).cloned());
    Ok((aged, open))
}

/// DSO on `end` over the `months` months ending then, by both methods,
/// with the figures they used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dso {
    pub figures: DsoFigures,
    pub simple: SimpleDso,
    pub count_back: CountBackDso,
}

/// Reads the 411 (customers) and 4181 (accrued revenue) balances on `end`
/// and the TTC revenue of each month of the period from the sales journal
/// (VE: the 411 debits of invoices less the 411 credits of credit notes).
pub async fn dso(tx: &mut Tx, end: Date, months: u32) -> Result<Dso> {
    let months = months.clamp(1, 24);
    let (customers, accrued): (i64, i64) = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN l.account LIKE '411%' THEN l.debit_cents - l.credit_cents END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN l.account LIKE '4181%' THEN l.debit_cents - l.credit_cents END), 0) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE (l.account LIKE '411%' OR l.account LIKE '4181%') AND e.entry_date <= $1"
    )
    .bind(end)
    .fetch_one(c)
    .await
    })?;
    let period = receivables::period_months(end, months);
    let start = period.last().map_or(end, |m| m.from);
    let days: Vec<(Date, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT e.entry_date, CAST(SUM(l.debit_cents - l.credit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE e.journal = 'VE' AND l.account LIKE '411%' AND e.entry_date >= $1 AND e.entry_date <= $2
         GROUP BY e.entry_date"
    )
    .bind(start)
    .bind(end)
    .fetch_all(c)
    .await
    })?;
    let months = period
        .into_iter()
        .map(|m| MonthRevenue {
            month: m,
            revenue: days
                .iter()
                .filter(|(d, _)| m.from <= *d && *d <= m.to)
                .map(|(_, c)| Money::from_cents(*c))
                .sum(),
        })
        .collect();
    let figures = DsoFigures {
        end,
        customers: Money::from_cents(customers),
        accrued: Money::from_cents(accrued),
        months,
    };
    Ok(Dso {
        simple: receivables::dso_simple(&figures),
        count_back: receivables::dso_count_back(&figures),
        figures,
    })
}

/// What should come in over the `horizon_days` from `today`, by week,
/// from the due dates of what is open today (late amounts apart).
pub async fn cash_in_forecast(tx: &mut Tx, today: Date, horizon_days: i64) -> Result<Forecast> {
    let open = open_amounts_by_age(tx, today).await?;
    Ok(receivables::cash_in_forecast(today, horizon_days, &open))
}

/// How far back a statement lists the payments received.
pub const STATEMENT_PAYMENT_DAYS: i64 = 90;

/// One open invoice of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementItem {
    pub invoice_id: String,
    pub number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub gross: Money,
    /// Allocated and credited by the statement's date.
    pub settled: Money,
    pub outstanding: Money,
    pub days_late: i64,
}

/// A payment received from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementPayment {
    pub received_on: Date,
    /// As stored: `transfer`, `cheque`…
    pub method: String,
    pub reference: Option<String>,
    pub amount: Money,
}

/// One client's account on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub client: CompanyId,
    pub name: String,
    pub as_of: Date,
    /// By due date, then number.
    pub items: Vec<StatementItem>,
    pub buckets: Buckets,
    pub credit: Money,
    /// Received within [`STATEMENT_PAYMENT_DAYS`] up to `as_of`, latest first.
    pub payments: Vec<StatementPayment>,
    pub payments_since: Date,
}

impl Statement {
    pub fn total_open(&self) -> Money {
        self.buckets.total()
    }

    /// Open items less the credit.
    pub fn balance(&self) -> Money {
        self.total_open() - self.credit
    }
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: String,
    number: Option<String>,
    issue_date: Date,
    due_date: Date,
    gross_cents: i64,
    settled_cents: i64,
}

/// The statement of `client` on `as_of`; `NotFound` for an unknown company.
pub async fn statement(tx: &mut Tx, client: CompanyId, as_of: Date) -> Result<Statement> {
    let id = client.to_string();
    let name: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM companies WHERE id = $1"
    )
    .bind(&id)
    .fetch_optional(c)
    .await)?;
    let name = name.ok_or(Error::NotFound)?;
    let sql = format!(
        "SELECT o.id, o.number, o.issue_date, o.due_date, o.gross_cents, o.settled_cents
         FROM ({}) o WHERE o.gross_cents - o.settled_cents > 0 ORDER BY o.due_date, o.number",
        open_invoices(tx, true, "i.id, i.number, i.issue_date")
    );
    let rows: Vec<ItemRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(as_of)
        .bind(&id)
        .fetch_all(c)
        .await)?;
    let mut buckets = Buckets::default();
    let items: Vec<StatementItem> = rows
        .into_iter()
        .map(|r| {
            let outstanding = Money::from_cents(r.gross_cents - r.settled_cents);
            buckets.add(Bucket::of(r.due_date, as_of), outstanding);
            StatementItem {
                invoice_id: r.id,
                number: r.number.unwrap_or_default(),
                issue_date: r.issue_date,
                due_date: r.due_date,
                gross: Money::from_cents(r.gross_cents),
                settled: Money::from_cents(r.settled_cents),
                outstanding,
                days_late: receivables::days_late(r.due_date, as_of),
            }
        })
        .collect();
    let credit = credits(tx, as_of, Some(client))
        .await?
        .iter()
        .map(|c| c.amount)
        .sum();
    let since = as_of - Duration::days(STATEMENT_PAYMENT_DAYS);
    let payments: Vec<(Date, String, Option<String>, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT received_on, method, reference, amount_cents FROM payments
         WHERE client_id = $1 AND received_on > $2 AND received_on <= $3
         ORDER BY received_on DESC, created_at DESC"
    )
    .bind(&id)
    .bind(since)
    .bind(as_of)
    .fetch_all(c)
    .await)?;
    Ok(Statement {
        client,
        name,
        as_of,
        items,
        buckets,
        credit,
        payments: payments
            .into_iter()
            .map(|(received_on, method, reference, cents)| StatementPayment {
                received_on,
                method,
                reference,
                amount: Money::from_cents(cents),
            })
            .collect(),
        payments_since: since + Duration::days(1),
    })
}

/// A client's postal address: (line 1, line 2, postcode, city, country).
pub type PostalAddress = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The postal address of `client`, as a statement prints it.
pub async fn postal_address(tx: &mut Tx, client: CompanyId) -> Result<PostalAddress> {
    let address: Option<PostalAddress> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT address_line1, address_line2, postcode, city, country FROM companies WHERE id = $1"
    )
    .bind(client.to_string())
    .fetch_optional(c)
    .await
    })?;
    address.ok_or(Error::NotFound)
}

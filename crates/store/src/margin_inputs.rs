//! What margins are computed from, read in a few set queries: the revenue
//! booked per mission (its analytic code) and the days of work the
//! validated reports record per consultant, mission (or free activity)
//! and month. The arithmetic is `domain::margin`'s.
//!
//! Revenue is read from the ledger, not recomputed from reports: the 706
//! lines of the sales entries, accruals (FAE), their reversals and the
//! credit notes, each carrying its mission's analytic code, credit less
//! debit, by entry date. An accrual booked at a month-end and reversed
//! when its invoice goes out thus leaves the revenue in the month worked.

use std::collections::BTreeMap;

use domain::calendar::YearMonth;
use domain::ids::{MissionId, UserId};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::postings::REVENUE;
use time::Date;

use crate::{Result, Tx, corrupt, on_tx};

/// Revenue (HT) booked from `from` to `to` included, per analytic code;
/// lines without a code (none are written today) under `None`.
pub async fn revenue_by_analytic(
    tx: &mut Tx,
    from: Date,
    to: Date,
) -> Result<BTreeMap<Option<String>, Money>> {
    let rows: Vec<(Option<String>, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT l.analytic_code, CAST(SUM(l.credit_cents - l.debit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE l.account = $1 AND e.entry_date >= $2 AND e.entry_date <= $3
         GROUP BY l.analytic_code"
    )
    .bind(REVENUE)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(code, cents)| (code, Money::from_cents(cents)))
        .collect())
}

/// Revenue (HT) booked per analytic code and month, from `from` to `to`
/// included, read from the monthly totals the ledger's trigger keeps
/// (`analytic_months`): the same figure as [`revenue_by_analytic`] over
/// whole months, without reading the lines.
pub async fn revenue_by_analytic_month(
    tx: &mut Tx,
    from: YearMonth,
    to: YearMonth,
) -> Result<BTreeMap<(String, YearMonth), Money>> {
    let rows: Vec<(String, String, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT analytic_code, month, CAST(credit_cents - debit_cents AS BIGINT)
         FROM analytic_months WHERE account = $1 AND month >= $2 AND month <= $3"
    )
    .bind(REVENUE)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(code, month, cents)| {
            let month = YearMonth::parse(&month).ok_or_else(|| corrupt("revenue month", &month))?;
            Ok(((code, month), Money::from_cents(cents)))
        })
        .collect()
}

/// What a consultant's validated report says he did in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    Mission(MissionId),
    /// Bench (intercontrat), training, internal work, pre-sales: days
    /// that cost without a client paying for them.
    Unbilled,
}

/// Days per consultant, month and kind of work, from the validated
/// reports of the months `from` to `to` (leave is not work: its cost is
/// already in the daily cost's divisor).
pub async fn days_worked(
    tx: &mut Tx,
    from: YearMonth,
    to: YearMonth,
) -> Result<BTreeMap<(UserId, YearMonth, Work), DayQuantity>> {
    // From the totals the slots' triggers keep (one row per report and
    // kind of work), not the slots themselves.
    let rows: Vec<(String, String, String, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT r.consultant_id, r.month, t.mission_key, CAST(SUM(t.half_days) AS BIGINT)
         FROM cras r JOIN cra_day_totals t ON t.cra_id = r.id
         WHERE r.status = 'validated' AND r.month >= $1 AND r.month <= $2 AND t.activity <> 'leave'
         GROUP BY r.consultant_id, r.month, t.mission_key"
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    let mut out = BTreeMap::new();
    for (consultant, month, mission, halves) in rows {
        let who = UserId::parse(&consultant).ok_or_else(|| corrupt("consultant", &consultant))?;
        let month = YearMonth::parse(&month).ok_or_else(|| corrupt("report month", &month))?;
        let work = if mission.is_empty() {
            Work::Unbilled
        } else {
            Work::Mission(MissionId::parse(&mission).ok_or_else(|| corrupt("mission", &mission))?)
        };
        let halves =
            u32::try_from(halves).map_err(|_| corrupt("half days", &halves.to_string()))?;
        let q = out.entry((who, month, work)).or_insert(DayQuantity::ZERO);
        *q = DayQuantity::from_half_days(q.half_days() + halves);
    }
    Ok(out)
}

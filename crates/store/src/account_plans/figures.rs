//! The actual figures an account plan's targets are measured against,
//! for one year, over the account and the entities under it; each read
//! through the reader's scope, as every figure of the firm:
//! - revenue: what the invoices issued in the year bill HT, less the
//!   credit notes issued in it (as `invoicing::figures::revenue_invoiced`
//!   counts it, by issue date);
//! - consultants placed: the distinct consultants on a mission of the
//!   account on the year's headcount day (today, or the last day of a
//!   past year), an interrupted mission not counting;
//! - new opportunities: those created in the year (Paris days).

use std::collections::BTreeSet;

use domain::crm::account_plan::{headcount_day, year_bounds};
use domain::ids::CompanyId;
use domain::money::Money;
use serde::Serialize;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use crate::{Error, Result, Scope, Tx, on_tx, scope_clause};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub revenue: Money,
    pub consultants: u32,
    pub opportunities: u32,
    /// The day the consultants are counted on.
    pub headcount_on: Date,
}

pub async fn actual(
    tx: &mut Tx,
    scope: Scope,
    companies: &[CompanyId],
    year: i32,
    today: Date,
) -> Result<Figures> {
    let (first, last) = year_bounds(year).ok_or(Error::NotFound)?;
    let on = headcount_day(year, today);
    // Stored in UTC: the Paris year's bounds are compared in UTC too.
    let midnight = |d: Date| domain::paris::at(d, Time::MIDNIGHT).to_offset(UtcOffset::UTC);
    let (start, end): (OffsetDateTime, OffsetDateTime) =
        (midnight(first), midnight(last.next_day().unwrap_or(last)));
    const REVENUE: &str = concat!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN i.kind = 'credit_note' THEN -i.net_cents ELSE i.net_cents END), 0) AS BIGINT) \
         FROM invoices i WHERE i.status = 'issued' AND i.client_id = $4 \
         AND i.issue_date >= $5 AND i.issue_date <= $6 AND ",
        scope_clause!(invoices)
    );
    const CONSULTANTS: &str = concat!(
        "SELECT DISTINCT m.consultant_id FROM missions m WHERE m.client_id = $4 \
         AND m.start_date <= $5 AND m.end_date >= $5 AND m.status <> 'interrupted' AND ",
        scope_clause!(missions)
    );
    const OPPORTUNITIES: &str = concat!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM opportunities o WHERE o.client_id = $4 \
         AND o.created_at >= $5 AND o.created_at < $6 AND ",
        scope_clause!(opportunities)
    );
    let mut revenue = 0i64;
    let mut consultants = BTreeSet::new();
    let mut opportunities = 0i64;
    for id in companies {
        let cents: i64 = on_tx!(tx, |c| sqlx::query_scalar(REVENUE)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(id.to_string())
            .bind(first)
            .bind(last)
            .fetch_one(c)
            .await)?;
        revenue = revenue.saturating_add(cents);
        let placed: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(CONSULTANTS)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(id.to_string())
            .bind(on)
            .fetch_all(c)
            .await)?;
        consultants.extend(placed);
        let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(OPPORTUNITIES)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(id.to_string())
            .bind(start)
            .bind(end)
            .fetch_one(c)
            .await)?;
        opportunities += n;
    }
    Ok(Figures {
        revenue: Money::from_cents(revenue),
        consultants: u32::try_from(consultants.len()).unwrap_or(u32::MAX),
        opportunities: u32::try_from(opportunities.max(0)).unwrap_or(u32::MAX),
        headcount_on: on,
    })
}

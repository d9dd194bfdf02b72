//! What the pipeline in covered days needs (`domain::crm::pipeline`), in
//! a fixed number of set queries: the open opportunities of the scope
//! starting by the horizon, their business managers' agencies, the
//! consultant of the mission each renewal would prolong (his daily cost
//! is then known), and the consultants becoming free in the window.
//!
//! Who becomes free: the consultant of a mission of the scope ending in
//! the window, with no renewal decided for that end and no later mission
//! of his; and, for readers who see the whole firm, the consultants with
//! no mission today nor to come (the bench). A business manager's scope
//! is his portfolio: the bench belongs to no portfolio, so he sees the
//! consultants of his own missions only.

use std::collections::BTreeMap;

use domain::calendar::Region;
use domain::crm::opportunity::remaining_days;
use domain::crm::pipeline::{Freed, Line, PipelineView, horizon, pipeline as domain_pipeline};
use domain::crm::stage::open_probability;
use domain::ids::{AgencyId, CompanyId, OpportunityId, UserId};
use domain::mission::DayQuantity;
use domain::money::Money;
use serde::Serialize;
use time::Date;

use crate::{Result, Scope, Tx, corrupt, on_tx};

/// The names a pipeline page shows beside the ids.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Names {
    pub companies: BTreeMap<CompanyId, String>,
    pub users: BTreeMap<UserId, String>,
    pub agencies: BTreeMap<AgencyId, String>,
    /// The needs' titles.
    pub opportunities: BTreeMap<OpportunityId, String>,
}

/// What the pipeline reads of an open need: its figures and what names
/// it, not the rest of the record. Thousands of rows cross from the
/// database; each column read costs (31 columns: a third more time on the
/// pipeline page than these 13).
#[derive(sqlx::FromRow)]
struct LineRow {
    id: String,
    title: String,
    client_id: String,
    client_name: String,
    business_manager_id: String,
    business_manager_name: String,
    start_date: Date,
    half_days: i32,
    positions: i32,
    probability_bp: Option<i32>,
    stage_probability_bp: i32,
    expected_cents: i64,
    weighted_cents: i64,
}

/// The open opportunities of `scope` starting by the horizon of `today`,
/// as lines (no cost yet), with the consultant each renewal would keep.
pub async fn open_lines(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
    names: &mut Names,
) -> Result<(Vec<Line>, BTreeMap<OpportunityId, UserId>)> {
    const SQL: &str = concat!(
        "SELECT o.id, o.title, o.client_id, c.name AS client_name, o.business_manager_id, \
         b.display_name AS business_manager_name, o.start_date, o.half_days, o.positions, \
         o.probability_bp, s.probability_bp AS stage_probability_bp, o.expected_cents, o.weighted_cents \
         FROM opportunities o JOIN companies c ON c.id = o.client_id \
         JOIN users b ON b.id = o.business_manager_id JOIN opportunity_stages s ON s.code = o.stage ",
        // The open stages by name, so that `opportunities_stage` serves
        // the start dates of each (not every need ever started).
        "WHERE o.stage IN (SELECT os.code FROM opportunity_stages os WHERE os.outcome = 'open') \
         AND o.start_date <= $4 AND ",
        crate::scope_clause!(opportunities),
        " ORDER BY o.start_date, o.id"
    );
    let rows: Vec<LineRow> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(horizon(today))
        .fetch_all(c)
        .await)?;
    let renewed = renewed(tx, scope, today).await?;
    let agency_of = agencies(tx, names).await?;
    let count = |n: i32, what: &str| u32::try_from(n).map_err(|_| corrupt(what, &n.to_string()));
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let id: OpportunityId = crate::id(&r.id)?;
        let account: CompanyId = crate::id(&r.client_id)?;
        let business_manager: UserId = crate::id(&r.business_manager_id)?;
        let days = DayQuantity::from_half_days(count(r.half_days, "half days")?);
        names.companies.insert(account, r.client_name);
        names
            .users
            .insert(business_manager, r.business_manager_name);
        names.opportunities.insert(id, r.title);
        lines.push(Line {
            opportunity: id,
            account,
            business_manager,
            agency: agency_of.get(&business_manager).copied(),
            start: r.start_date,
            days,
            // Opportunities carry no consultant, hence no calendar: their
            // days are counted on the standard one.
            remaining: remaining_days(r.start_date, days, today, Region::Standard),
            positions: count(r.positions, "positions")?,
            probability: open_probability(
                r.probability_bp.map(super::percent).transpose()?,
                super::percent(r.stage_probability_bp)?,
            ),
            expected: Money::from_cents(r.expected_cents),
            weighted: Money::from_cents(r.weighted_cents),
            daily_cost: None,
        });
    }
    Ok((lines, renewed))
}

/// The open renewal opportunities of `scope` starting by the horizon, with
/// the consultant of the mission each renews.
async fn renewed(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
) -> Result<BTreeMap<OpportunityId, UserId>> {
    const RENEWED: &str = concat!(
        "SELECT o.id, m.consultant_id FROM opportunities o JOIN missions m ON m.id = o.renews_mission_id \
         WHERE o.stage IN (SELECT os.code FROM opportunity_stages os WHERE os.outcome = 'open') \
         AND o.start_date <= $4 AND ",
        crate::scope_clause!(opportunities)
    );
    let renewed: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(RENEWED)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(horizon(today))
        .fetch_all(c)
        .await)?;
    renewed
        .iter()
        .map(|(o, u)| Ok((crate::id(o)?, crate::id(u)?)))
        .collect()
}

/// Each employee's agency (every employee has one), with the agencies'
/// names: reference data every reader of the pipeline may see.
async fn agencies(tx: &mut Tx, names: &mut Names) -> Result<BTreeMap<UserId, AgencyId>> {
    let rows: Vec<(String, String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT e.user_id, a.id, a.name FROM employees e JOIN agencies a ON a.id = e.agency_id
         WHERE e.user_id IS NOT NULL"
    )
    .fetch_all(c)
    .await)?;
    let mut out = BTreeMap::new();
    for (user, agency, name) in rows {
        let agency: AgencyId = crate::id(&agency)?;
        names.agencies.insert(agency, name);
        out.insert(crate::id(&user)?, agency);
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct FreedRow {
    consultant_id: String,
    consultant_name: String,
    work_region: String,
    business_manager_id: Option<String>,
    client_id: Option<String>,
    client_name: Option<String>,
    free_from: Date,
}

fn freed_of(
    rows: Vec<FreedRow>,
    agency_of: &BTreeMap<UserId, AgencyId>,
    names: &mut Names,
) -> Result<Vec<Freed>> {
    rows.into_iter()
        .map(|r| {
            let consultant: UserId = crate::id(&r.consultant_id)?;
            names.users.insert(consultant, r.consultant_name);
            let account: Option<CompanyId> = r.client_id.as_deref().map(crate::id).transpose()?;
            if let (Some(a), Some(n)) = (account, r.client_name) {
                names.companies.insert(a, n);
            }
            Ok(Freed {
                consultant,
                agency: agency_of.get(&consultant).copied(),
                business_manager: r
                    .business_manager_id
                    .as_deref()
                    .map(crate::id)
                    .transpose()?,
                account,
                free_from: r.free_from,
                region: Region::parse(&r.work_region)
                    .ok_or_else(|| corrupt("work region", &r.work_region))?,
            })
        })
        .collect()
}

/// The consultants of `scope`'s missions ending in the window of `today`
/// without a renewal, free from the day after their mission's end. Like
/// the opportunities, none for a consultant or a client contact.
pub async fn freed(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
    names: &mut Names,
) -> Result<Vec<Freed>> {
    const SQL: &str = concat!(
        "SELECT m.consultant_id, u.display_name AS consultant_name, u.work_region,
                m.business_manager_id, m.client_id, c.name AS client_name, m.end_date AS free_from
         FROM missions m JOIN users u ON u.id = m.consultant_id JOIN companies c ON c.id = m.client_id
         WHERE CAST($1 AS TEXT) IS NULL AND CAST($2 AS TEXT) IS NULL
           AND m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $4 AND m.end_date < $5
           AND NOT EXISTS (SELECT 1 FROM renewals r WHERE r.mission_id = m.id AND r.end_date = m.end_date
                           AND r.status = 'renewed')
           AND NOT EXISTS (SELECT 1 FROM missions n WHERE n.consultant_id = m.consultant_id AND n.id <> m.id
                           AND n.status IN ('upcoming', 'active', 'extended') AND n.end_date > m.end_date)
           AND ",
        crate::scope_clause!(missions),
        " ORDER BY m.end_date, m.id"
    );
    let mut rows: Vec<FreedRow> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(today)
        .bind(horizon(today))
        .fetch_all(c)
        .await)?;
    // Free the day after the last day of the mission.
    for r in &mut rows {
        r.free_from = r.free_from.next_day().unwrap_or(r.free_from);
    }
    let agency_of = agencies(tx, names).await?;
    let mut out = freed_of(rows, &agency_of, names)?;
    if scope == Scope::All {
        out.extend(bench(tx, today, &agency_of, names).await?);
    }
    Ok(out)
}

/// The consultants with no mission running or to come on `today`: free
/// from tomorrow. The whole firm's: only readers who see every mission
/// are given it.
async fn bench(
    tx: &mut Tx,
    today: Date,
    agency_of: &BTreeMap<UserId, AgencyId>,
    names: &mut Names,
) -> Result<Vec<Freed>> {
    let rows: Vec<FreedRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT u.id AS consultant_id, u.display_name AS consultant_name, u.work_region,
                CAST(NULL AS TEXT) AS business_manager_id, CAST(NULL AS TEXT) AS client_id,
                CAST(NULL AS TEXT) AS client_name, $2 AS free_from
         FROM users u JOIN employees e ON e.user_id = u.id
         WHERE u.role = 'consultant' AND u.active = TRUE
           AND NOT EXISTS (SELECT 1 FROM missions n WHERE n.consultant_id = u.id
                           AND n.status IN ('upcoming', 'active', 'extended') AND n.end_date >= $1)
         ORDER BY u.display_name, u.id"
    )
    .bind(today)
    .bind(today.next_day().unwrap_or(today))
    .fetch_all(c)
    .await)?;
    freed_of(rows, agency_of, names)
}

/// The pipeline of `scope` on `today`, with the names to show.
pub async fn pipeline(tx: &mut Tx, scope: Scope, today: Date) -> Result<(PipelineView, Names)> {
    let mut names = Names::default();
    let (lines, _) = open_lines(tx, scope, today, &mut names).await?;
    let freed = freed(tx, scope, today, &mut names).await?;
    Ok((domain_pipeline(today, &lines, &freed), names))
}

/// The consultants the open renewals of `scope` would keep (to cost them).
pub async fn renewal_consultants(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
) -> Result<std::collections::BTreeSet<UserId>> {
    Ok(renewed(tx, scope, today).await?.into_values().collect())
}

/// The open opportunities of `scope` for the forecast margin, each renewal
/// costed with `cost` (the renewed mission's consultant on its first day).
pub async fn forecast_lines(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
    cost: &impl Fn(UserId, Date) -> Option<Money>,
) -> Result<Vec<Line>> {
    let (mut lines, renewed) = open_lines(tx, scope, today, &mut Names::default()).await?;
    for l in &mut lines {
        l.daily_cost = renewed.get(&l.opportunity).and_then(|u| cost(*u, l.start));
    }
    Ok(lines)
}

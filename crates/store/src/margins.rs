//! The live margin's reads: everything `domain::margin::live::compute`
//! needs for a period, fetched in a fixed number of set queries whatever
//! the number of consultants, missions or months (about a dozen: the
//! settings, the missions in scope with their portfolio, the people with
//! their records and cost versions, the ledger's revenue grouped by
//! mission and month, the validated report days grouped by consultant,
//! month, activity and cost version, approved leave, the agencies). The
//! grouping is done by the database, on indexed columns (report months,
//! entry dates), so what crosses to the application is a few rows per
//! consultant and month, never one per day.
//!
//! **Scope.** Which missions a reader may see is decided in one place:
//! `missions_in_scope!`, the subquery every read below filters missions
//! through (revenue, days, portfolio, the mission list). A narrower scope
//! (a business manager's own portfolio) is a condition added there.
//!
//! Cost versions are read here without an audit line: they are not shown,
//! only multiplied, and a business manager's margins use the grade's
//! standard instead (the caller chooses the basis from the role).

use std::collections::BTreeMap;

use domain::calendar::YearMonth;
use domain::cra::{Half, WorkPattern};
use domain::ids::{AgencyId, CompanyId, MissionId, UserId};
use domain::leave::LeavePeriod;
use domain::margin::bench::BenchAllocation;
use domain::margin::live::{
    self, EmployeeFacts, Fact, Inputs, MissionFacts, Person, ReportedDays, Spent,
};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::people::cjm::CostBasis;
use domain::people::employee::Grade;
use domain::people::portfolio::PortfolioPeriod;
use domain::percent::Percentage;
use domain::postings::REVENUE;
use domain::role::Role;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Actor, Result, Scope, Tx, audit, corrupt, on_tx, scope_clause};

/// The missions the reader may see: the one place a scope narrows every
/// margin read (`… IN (missions_in_scope!())`). `$1`/`$2`/`$3` are the scope's
/// binds.
macro_rules! missions_in_scope {
    () => {
        concat!(
            "SELECT m.id FROM missions m WHERE ",
            scope_clause!(missions)
        )
    };
}

/// The firm's margin rules, beside its CJM settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarginPolicy {
    /// Who carries bench cost.
    pub bench: BenchAllocation,
    /// Whether salaries are hidden from business and delivery managers,
    /// who then see margins at the grade's standard CJM.
    pub salaries_hidden: bool,
}

impl Default for MarginPolicy {
    fn default() -> Self {
        MarginPolicy {
            bench: BenchAllocation::ToConsultantBm,
            salaries_hidden: true,
        }
    }
}

pub async fn policy(tx: &mut Tx) -> Result<MarginPolicy> {
    let row: Option<(String, bool)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT bench_allocation, salaries_hidden FROM cjm_settings WHERE id = 1"
    )
    .fetch_optional(c)
    .await)?;
    let Some((bench, salaries_hidden)) = row else {
        return Ok(MarginPolicy::default());
    };
    Ok(MarginPolicy {
        bench: BenchAllocation::parse(&bench).ok_or_else(|| corrupt("bench allocation", &bench))?,
        salaries_hidden,
    })
}

pub async fn set_policy(tx: &mut Tx, actor: &Actor, p: MarginPolicy) -> Result<()> {
    let before = policy(tx).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE cjm_settings SET bench_allocation = $1, salaries_hidden = $2 WHERE id = 1"
    )
    .bind(p.bench.as_str())
    .bind(p.salaries_hidden)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "update",
        "margin_policy",
        "1",
        Some(&before),
        Some(&p),
    )
    .await
}

/// Names to show beside the facts' ids.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub missions: BTreeMap<MissionId, MissionName>,
    pub companies: BTreeMap<CompanyId, String>,
    pub users: BTreeMap<UserId, String>,
    pub agencies: BTreeMap<AgencyId, String>,
}

#[derive(Debug, Clone)]
pub struct MissionName {
    pub title: String,
    pub analytic_code: String,
    pub client_id: CompanyId,
    pub consultant_id: UserId,
}

/// The facts of a period and the names that go with them.
#[derive(Debug, Clone)]
pub struct Margins {
    pub facts: Vec<Fact>,
    pub names: Names,
    pub basis: CostBasis,
}

/// Where the revenue and the report days are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// The totals the triggers keep (`analytic_months`, `cra_day_totals`).
    Totals,
    /// The ledger lines and report slots themselves, grouped per request.
    Rows,
}

/// Every margin fact of the months `from` to `to`, costs on `basis`.
pub async fn compute(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
    basis: CostBasis,
    today: Date,
) -> Result<Margins> {
    compute_with(tx, scope, from, to, basis, today, Read::Totals).await
}

/// [`compute`] reading the ledger lines and the report slots themselves
/// instead of the totals kept by triggers: the same facts, the naive way.
/// Not used by the pages; it is the baseline `regisseur bench --margins`
/// times beside [`compute`], and the check that both agree.
pub async fn compute_from_rows(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
    basis: CostBasis,
    today: Date,
) -> Result<Margins> {
    compute_with(tx, scope, from, to, basis, today, Read::Rows).await
}

async fn compute_with(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
    basis: CostBasis,
    today: Date,
    read: Read,
) -> Result<Margins> {
    let (settings, _) = crate::costs::settings(tx).await?;
    let policy = policy(tx).await?;
    let standard = crate::costs::standard_cjm(tx).await?;
    // A business manager's margins are the firm's, cut to what is his:
    // bench carriers and shared missions are decided over every mission
    // and person, so his figures are the very ones direction sees.
    let portfolio = match scope {
        Scope::Portfolio(bm) => Some((bm, mission_ids(tx, scope).await?)),
        _ => None,
    };
    let scope = if portfolio.is_some() {
        Scope::All
    } else {
        scope
    };
    let mut names = Names::default();
    // The naive read takes every mission, as the pages did before.
    let period = (read == Read::Totals).then(|| (from.first_day(), to.last_day()));
    let mut missions = missions(tx, scope, &mut names, period).await?;
    let people = people(tx, &mut names, None).await?;
    let agencies: Vec<(String, String)> =
        on_tx!(tx, |c| sqlx::query_as("SELECT id, name FROM agencies")
            .fetch_all(c)
            .await)?;
    for (id, name) in agencies {
        names.agencies.insert(crate::id(&id)?, name);
    }
    let first_report_month: Option<String> =
        on_tx!(tx, |c| sqlx::query_scalar("SELECT MIN(month) FROM cras")
            .fetch_one(c)
            .await)?;
    let revenue = match read {
        Read::Totals => revenue(tx, scope, from, to).await?,
        Read::Rows => revenue_from_lines(tx, scope, from, to).await?,
    };
    // A retroactive version landing in these months adjusts days of the
    // locked months before them: read their days too.
    let reach = live::reach_back(&people, from, to);
    let reported = reported(tx, scope, reach, to, &people, read).await?;
    let named = |m: &MissionId| missions.contains_key(m);
    if period.is_some()
        && (revenue.iter().any(|(m, _, _)| !named(m))
            || reported.iter().any(|r| match r.spent {
                Spent::Mission(m) => !named(&m),
                _ => false,
            }))
    {
        // Revenue or days of a mission outside the period's: all of them.
        names.missions.clear();
        missions = self::missions(tx, scope, &mut names, None).await?;
    }
    let inputs = Inputs {
        from,
        to,
        current_month: YearMonth::of(today),
        first_report_month: first_report_month.as_deref().and_then(YearMonth::parse),
        settings,
        bench_rule: policy.bench,
        basis,
        standard,
        missions,
        people,
        revenue,
        reported,
        leave: leave(tx, reach, to).await?,
    };
    let mut facts = live::compute(&inputs);
    if let Some((bm, mine)) = portfolio {
        facts.retain(|f| {
            f.mission.is_some_and(|m| mine.contains(&m))
                || f.owners.iter().any(|o| o.bm == Some(bm))
        });
        // The missions he may open are his portfolio's, as everywhere.
        names.missions.retain(|m, _| mine.contains(m));
    }
    Ok(Margins {
        facts,
        names,
        basis,
    })
}

/// One mission's facts from `from` to `to`: what [`compute`] gives for
/// it (the facts [`views::by`] puts on its row), read from its own rows
/// only — its revenue, its consultant's days on it, his cost versions —
/// instead of the whole firm's. For its page's margin block.
///
/// Under the rule that spreads bench over the agency's missions, the
/// bench a mission absorbs depends on every mission of its agency: then
/// the firm's facts are computed and cut to the mission.
///
/// [`views::by`]: domain::margin::views::by
pub async fn compute_mission(
    tx: &mut Tx,
    scope: Scope,
    mission: MissionId,
    from: YearMonth,
    to: YearMonth,
    basis: CostBasis,
    today: Date,
) -> Result<Margins> {
    let policy = policy(tx).await?;
    if policy.bench == BenchAllocation::SpreadOverAgencyMissions {
        let mut m = compute(tx, scope, from, to, basis, today).await?;
        m.facts.retain(|f| f.mission == Some(mission));
        return Ok(m);
    }
    let mut names = Names::default();
    const IN_SCOPE: &str = concat!(
        "SELECT m.id FROM missions m WHERE m.id = $4 AND m.id IN (",
        missions_in_scope!(),
        ")"
    );
    let visible: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(IN_SCOPE)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(mission.to_string())
        .fetch_optional(c)
        .await)?;
    if visible.is_none() {
        return Ok(Margins {
            facts: Vec::new(),
            names,
            basis,
        });
    }
    let (settings, _) = crate::costs::settings(tx).await?;
    let standard = crate::costs::standard_cjm(tx).await?;
    let missions = one_mission(tx, mission, &mut names).await?;
    let Some(consultant) = missions.get(&mission).map(|m| m.consultant_id) else {
        return Err(crate::Error::NotFound);
    };
    let people = people(tx, &mut names, Some(consultant)).await?;
    let code = names
        .missions
        .get(&mission)
        .map(|n| n.analytic_code.clone())
        .unwrap_or_default();
    let revenue_rows: Vec<(String, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT month, CAST(SUM(credit_cents - debit_cents) AS BIGINT) FROM analytic_months
         WHERE analytic_code = $1 AND account = $2 AND month >= $3 AND month <= $4 GROUP BY month"
    )
    .bind(&code)
    .bind(REVENUE)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    let revenue = revenue_rows
        .into_iter()
        .map(|(month, cents)| {
            Ok((
                mission,
                YearMonth::parse(&month).ok_or_else(|| corrupt("entry month", &month))?,
                Money::from_cents(cents),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    // The mission's days are its consultant's (the slots' mission is
    // always his); a retroactive version landing in the period adjusts
    // days of the locked months before it: those are read too.
    let reach = live::reach_back(&people, from, to);
    let rows: Vec<TotalRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id, r.consultant_id, r.month, t.activity, t.mission_key, CAST(t.half_days AS BIGINT)
         FROM cras r JOIN cra_day_totals t ON t.cra_id = r.id
         WHERE r.consultant_id = $1 AND r.status = 'validated' AND r.month >= $2 AND r.month <= $3
           AND t.mission_key = $4"
    )
    .bind(consultant.to_string())
    .bind(reach.to_string())
    .bind(to.to_string())
    .bind(mission.to_string())
    .fetch_all(c)
    .await
    })?;
    let reported = reported_days(tx, scope, rows, &people).await?;
    let inputs = Inputs {
        from,
        to,
        current_month: YearMonth::of(today),
        // Days without a report are bench: never a mission's.
        first_report_month: None,
        settings,
        bench_rule: policy.bench,
        basis,
        standard,
        missions,
        people,
        revenue,
        reported,
        leave: Vec::new(),
    };
    let mut facts = live::compute(&inputs);
    facts.retain(|f| f.mission == Some(mission));
    Ok(Margins {
        facts,
        names,
        basis,
    })
}

/// One mission's facts and portfolio, and its names.
async fn one_mission(
    tx: &mut Tx,
    mission: MissionId,
    names: &mut Names,
) -> Result<BTreeMap<MissionId, MissionFacts>> {
    let row: Option<(String, String, String, String, String, Date)> =
        on_tx!(tx, |c| sqlx::query_as(
            "SELECT m.title, m.analytic_code, m.client_id, c.name, m.consultant_id, m.start_date
             FROM missions m JOIN companies c ON c.id = m.client_id WHERE m.id = $1"
        )
        .bind(mission.to_string())
        .fetch_optional(c)
        .await)?;
    let Some((title, code, client, client_name, consultant, start)) = row else {
        return Ok(BTreeMap::new());
    };
    let client_id: CompanyId = crate::id(&client)?;
    let consultant_id: UserId = crate::id(&consultant)?;
    names.companies.insert(client_id, client_name);
    names.missions.insert(
        mission,
        MissionName {
            title,
            analytic_code: code,
            client_id,
            consultant_id,
        },
    );
    let periods: Vec<(String, Date, Option<Date>, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT business_manager_id, valid_from, valid_to, share_bp FROM mission_portfolio
         WHERE mission_id = $1"
    )
    .bind(mission.to_string())
    .fetch_all(c)
    .await)?;
    let mut portfolio = Vec::with_capacity(periods.len());
    for (bm, from, to, bp) in periods {
        let share = u32::try_from(bp).map_err(|_| corrupt("share", &bp.to_string()))?;
        portfolio.push(PortfolioPeriod {
            bm_id: crate::id(&bm)?,
            from,
            to,
            share: Percentage::from_basis_points(share),
        });
    }
    Ok(BTreeMap::from([(
        mission,
        MissionFacts {
            client_id,
            consultant_id,
            start,
            portfolio,
        },
    )]))
}

/// The ids of the missions in scope.
async fn mission_ids(tx: &mut Tx, scope: Scope) -> Result<std::collections::BTreeSet<MissionId>> {
    let rows: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(missions_in_scope!())
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .fetch_all(c)
        .await)?;
    rows.iter().map(|id| crate::id(id)).collect()
}

/// The missions in scope that a period's facts can name, `$4`/`$5` its first
/// and last days (`$4` null: every mission): those running in it, and each
/// consultant's last one started before it (whose managers carry his bench
/// when he has no manager of his own). A mission outside both with revenue
/// or days in the period (a late credit note) is rare: the caller then
/// reads them all.
macro_rules! period_missions {
    () => {
        concat!(
            "SELECT m.id FROM missions m WHERE m.id IN (",
            missions_in_scope!(),
            ") AND (CAST($4 AS TEXT) IS NULL OR (m.start_date <= $5 AND m.end_date >= $4)
               OR (m.consultant_id, m.start_date) IN (SELECT l.consultant_id, MAX(l.start_date)
                   FROM missions l WHERE l.start_date < $4 GROUP BY l.consultant_id))"
        )
    };
}

/// The missions of [`period_missions!`] for `period` (its first and last
/// days), or every mission in scope.
async fn missions(
    tx: &mut Tx,
    scope: Scope,
    names: &mut Names,
    period: Option<(Date, Date)>,
) -> Result<BTreeMap<MissionId, MissionFacts>> {
    const SQL: &str = concat!(
        "SELECT m.id, m.title, m.analytic_code, m.client_id, c.name, m.consultant_id, m.start_date
         FROM missions m JOIN companies c ON c.id = m.client_id WHERE m.id IN (",
        period_missions!(),
        ")"
    );
    let rows: Vec<(String, String, String, String, String, String, Date)> =
        on_tx!(tx, |c| sqlx::query_as(SQL)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(period.map(|p| p.0))
            .bind(period.map(|p| p.1))
            .fetch_all(c)
            .await)?;
    let mut out = BTreeMap::new();
    for (id, title, code, client, client_name, consultant, start) in rows {
        let id: MissionId = crate::id(&id)?;
        let client_id: CompanyId = crate::id(&client)?;
        let consultant_id: UserId = crate::id(&consultant)?;
        names.companies.insert(client_id, client_name);
        names.missions.insert(
            id,
            MissionName {
                title,
                analytic_code: code,
                client_id,
                consultant_id,
            },
        );
        out.insert(
            id,
            MissionFacts {
                client_id,
                consultant_id,
                start,
                portfolio: Vec::new(),
            },
        );
    }
    const PERIODS: &str = concat!(
        "SELECT p.mission_id, p.business_manager_id, p.valid_from, p.valid_to, p.share_bp
         FROM mission_portfolio p WHERE p.mission_id IN (",
        period_missions!(),
        ")"
    );
    let periods: Vec<(String, String, Date, Option<Date>, i32)> =
        on_tx!(tx, |c| sqlx::query_as(PERIODS)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(period.map(|p| p.0))
            .bind(period.map(|p| p.1))
            .fetch_all(c)
            .await)?;
    for (mission, bm, from, to, bp) in periods {
        let id: MissionId = crate::id(&mission)?;
        let share = u32::try_from(bp).map_err(|_| corrupt("share", &bp.to_string()))?;
        if let Some(m) = out.get_mut(&id) {
            m.portfolio.push(PortfolioPeriod {
                bm_id: crate::id(&bm)?,
                from,
                to,
                share: Percentage::from_basis_points(share),
            });
        }
    }
    Ok(out)
}

type PersonRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Date>,
    Option<Date>,
    Option<String>,
);

/// Every user (names for the tables) with his work pattern and, when he
/// has one, his employee record and cost versions.
/// With `only`, that user alone.
pub(crate) async fn people(
    tx: &mut Tx,
    names: &mut Names,
    only: Option<UserId>,
) -> Result<BTreeMap<UserId, Person>> {
    let only = only.map(|u| u.to_string());
    let rows: Vec<PersonRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT u.id, u.display_name, u.role, u.work_region, u.work_weekdays,
                e.id, e.agency_id, e.grade, e.hire_date, e.exit_date, e.manager_id
         FROM users u LEFT JOIN employees e ON e.user_id = u.id
         WHERE CAST($1 AS TEXT) IS NULL OR u.id = $1"
    )
    .bind(only.as_deref())
    .fetch_all(c)
    .await)?;
    let mut versions = match &only {
        None => crate::costs::all_versions(tx).await?,
        Some(u) => crate::costs::versions_of_user(tx, u).await?,
    };
    let mut out = BTreeMap::new();
    for (id, name, role, region, weekdays, employee, agency, grade, hire, exit, manager) in rows {
        let who: UserId = crate::id(&id)?;
        names.users.insert(who, name);
        let pattern = WorkPattern {
            region: domain::calendar::Region::parse(&region)
                .ok_or_else(|| corrupt("work region", &region))?,
            weekdays: WorkPattern::parse_weekdays(&weekdays)
                .ok_or_else(|| corrupt("work weekdays", &weekdays))?,
        };
        let employee = match (employee, agency, hire) {
            (Some(e), Some(agency), Some(hire)) => {
                let e: domain::ids::EmployeeId = crate::id(&e)?;
                Some(EmployeeFacts {
                    agency_id: crate::id(&agency)?,
                    grade: grade
                        .map(|g| Grade::parse(&g).map_err(|_| corrupt("grade", &g)))
                        .transpose()?,
                    hire,
                    exit,
                    manager_id: manager.as_deref().map(crate::id).transpose()?,
                    versions: versions.remove(&e).unwrap_or_default(),
                })
            }
            _ => None,
        };
        out.insert(
            who,
            Person {
                pattern,
                reports: Role::parse(&role) == Some(Role::Consultant),
                employee,
            },
        );
    }
    Ok(out)
}

/// Revenue booked per mission and month: the 706 lines by analytic code,
/// credit less debit, by entry month — read from the monthly totals the
/// ledger's trigger keeps (`analytic_months`), not from the lines.
async fn revenue(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<(MissionId, YearMonth, Money)>> {
    const SQL: &str = concat!(
        "SELECT m.id, a.month, CAST(SUM(a.credit_cents - a.debit_cents) AS BIGINT)
         FROM analytic_months a JOIN missions m ON m.analytic_code = a.analytic_code
         WHERE a.month >= $4 AND a.month <= $5 AND a.account = $6 AND m.id IN (",
        missions_in_scope!(),
        ") GROUP BY m.id, a.month"
    );
    let rows: Vec<(String, String, i64)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(REVENUE)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, month, cents)| {
            Ok((
                crate::id(&id)?,
                YearMonth::parse(&month).ok_or_else(|| corrupt("entry month", &month))?,
                Money::from_cents(cents),
            ))
        })
        .collect()
}

/// [`revenue`] from the ledger lines themselves: every 706 line of the
/// period with its entry's date, grouped per request.
async fn revenue_from_lines(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<(MissionId, YearMonth, Money)>> {
    const SQL: &str = concat!(
        "SELECT m.id, e.entry_date, CAST(SUM(l.credit_cents - l.debit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         JOIN missions m ON m.analytic_code = l.analytic_code
         WHERE e.entry_date >= $4 AND e.entry_date <= $5 AND l.account = $6 AND m.id IN (",
        missions_in_scope!(),
        ") GROUP BY m.id, e.entry_date"
    );
    let rows: Vec<(String, Date, i64)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(from.first_day())
        .bind(to.last_day())
        .bind(REVENUE)
        .fetch_all(c)
        .await)?;
    let mut out: BTreeMap<(MissionId, YearMonth), Money> = BTreeMap::new();
    for (id, date, cents) in rows {
        *out.entry((crate::id(&id)?, YearMonth::of(date)))
            .or_insert(Money::ZERO) += Money::from_cents(cents);
    }
    Ok(out
        .into_iter()
        .map(|((m, month), v)| (m, month, v))
        .collect())
}

/// Validated report days per consultant, month, activity, mission (in
/// scope) and cost version in force.
///
/// Read from the per-report totals the slots' triggers keep
/// (`cra_day_totals`): one row per report and kind of work. A month takes
/// the cost period of its first day (the version in force, and the later
/// version whose retroactive period covers it), unless one of the
/// person's versions or retroactive periods starts inside it: only those
/// reports (a raise on the 15th) are read day by day, so each day still
/// costs at the version in force and is adjusted as its own.
async fn reported(
    tx: &mut Tx,
    scope: Scope,
    from: YearMonth,
    to: YearMonth,
    people: &BTreeMap<UserId, Person>,
    read: Read,
) -> Result<Vec<ReportedDays>> {
    // The naive way: the same rows, counted from the slots per request.
    const FROM_SLOTS: &str = concat!(
        "SELECT r.id, r.consultant_id, r.month, s.activity, COALESCE(s.mission_id, ''), CAST(COUNT(*) AS BIGINT)
         FROM cras r JOIN cra_slots s ON s.cra_id = r.id
         WHERE r.status = 'validated' AND r.month >= $4 AND r.month <= $5
           AND (s.mission_id IS NULL OR s.mission_id IN (",
        missions_in_scope!(),
        ")) GROUP BY r.id, r.consultant_id, r.month, s.activity, COALESCE(s.mission_id, '')"
    );
    const TOTALS: &str = concat!(
        "SELECT r.id, r.consultant_id, r.month, t.activity, t.mission_key, CAST(t.half_days AS BIGINT)
         FROM cras r JOIN cra_day_totals t ON t.cra_id = r.id
         WHERE r.status = 'validated' AND r.month >= $4 AND r.month <= $5
           AND (t.mission_key = '' OR t.mission_key IN (",
        missions_in_scope!(),
        "))"
    );
    let rows: Vec<TotalRow> = on_tx!(tx, |c| sqlx::query_as(match read {
        Read::Totals => TOTALS,
        Read::Rows => FROM_SLOTS,
    })
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    reported_days(tx, scope, rows, people).await
}

/// (report, consultant, month, activity, mission or '', half days).
type TotalRow = (String, String, String, String, String, i64);

/// Report totals as days, each month at the cost version in force; the
/// reports of a month that sees a version start are read day by day.
async fn reported_days(
    tx: &mut Tx,
    scope: Scope,
    rows: Vec<TotalRow>,
    people: &BTreeMap<UserId, Person>,
) -> Result<Vec<ReportedDays>> {
    let versions_of = |who: &UserId| {
        people
            .get(who)
            .and_then(|p| p.employee.as_ref())
            .map_or(&[][..], |e| e.versions.as_slice())
    };
    // Reports whose month sees a version start after its first day.
    let mut split: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (report, who, month, activity, mission, halves) in rows {
        let consultant: UserId = crate::id(&who)?;
        let month = YearMonth::parse(&month).ok_or_else(|| corrupt("report month", &month))?;
        let versions = versions_of(&consultant);
        if live::cost_period_changes_in(versions, month) {
            if split.last() != Some(&report) {
                split.push(report);
            }
            continue;
        }
        let mission: Option<MissionId> = (!mission.is_empty())
            .then(|| crate::id(&mission))
            .transpose()?;
        let (version_from, adjusted_by) = live::cost_period_on(versions, month.first_day());
        out.push(ReportedDays {
            consultant,
            month,
            spent: Spent::from_parts(&activity, mission)
                .ok_or_else(|| corrupt("activity", &activity))?,
            version_from,
            adjusted_by,
            days: half_days(halves)?,
        });
    }
    split.sort_unstable();
    split.dedup();
    for chunk in split.chunks(crate::MAX_BINDS) {
        // The scope's missions only, as the totals' query keeps them.
        let sql = format!(
            "SELECT r.consultant_id, r.month, s.activity, s.mission_id, s.day
             FROM cras r JOIN cra_slots s ON s.cra_id = r.id WHERE r.id IN ({})
               AND (s.mission_id IS NULL OR s.mission_id IN ({}))",
            crate::values_list_from("?", chunk.len(), 4),
            missions_in_scope!()
        );
        let slots: Vec<(String, String, String, Option<String>, Date)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(scope.company())
                .bind(scope.own_user())
                .bind(scope.portfolio());
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(c).await
        })?;
        // (consultant, month, activity, mission, cost period) → half days.
        type Key = (String, String, String, Option<String>, live::CostPeriod);
        let mut grouped: BTreeMap<Key, i64> = BTreeMap::new();
        for (who, month, activity, mission, day) in slots {
            let consultant: UserId = crate::id(&who)?;
            let period = live::cost_period_on(versions_of(&consultant), day);
            *grouped
                .entry((who, month, activity, mission, period))
                .or_default() += 1;
        }
        for ((who, month, activity, mission, (version_from, adjusted_by)), halves) in grouped {
            let mission: Option<MissionId> = mission.as_deref().map(crate::id).transpose()?;
            out.push(ReportedDays {
                consultant: crate::id(&who)?,
                month: YearMonth::parse(&month).ok_or_else(|| corrupt("report month", &month))?,
                spent: Spent::from_parts(&activity, mission)
                    .ok_or_else(|| corrupt("activity", &activity))?,
                version_from,
                adjusted_by,
                days: half_days(halves)?,
            });
        }
    }
    Ok(out)
}

fn half_days(halves: i64) -> Result<DayQuantity> {
    u32::try_from(halves)
        .map(DayQuantity::from_half_days)
        .map_err(|_| corrupt("half days", &halves.to_string()))
}

/// Approved leave touching the months.
async fn leave(tx: &mut Tx, from: YearMonth, to: YearMonth) -> Result<Vec<(UserId, LeavePeriod)>> {
    let rows: Vec<(String, Date, String, Date, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT user_id, start_date, start_half, end_date, end_half FROM leave_requests
         WHERE status = 'approved' AND end_date >= $1 AND start_date <= $2"
    )
    .bind(from.first_day())
    .bind(to.last_day())
    .fetch_all(c)
    .await)?;
    let half = |h: &str| match h {
        "am" => Ok(Half::Am),
        "pm" => Ok(Half::Pm),
        other => Err(corrupt("half", other)),
    };
    rows.into_iter()
        .map(|(who, start, sh, end, eh)| {
            Ok((
                crate::id(&who)?,
                LeavePeriod {
                    start,
                    start_half: half(&sh)?,
                    end,
                    end_half: half(&eh)?,
                },
            ))
        })
        .collect()
}

/// A 706 line of a mission: the entries behind its revenue.
#[derive(Debug, Clone, Serialize)]
pub struct RevenueLine {
    pub date: Date,
    pub journal: String,
    pub number: i64,
    pub label: String,
    pub piece_ref: Option<String>,
    pub amount: Money,
}

/// The revenue lines of a mission (in scope) from `from` to `to`, oldest
/// first: they add up to the revenue its margin shows.
pub async fn revenue_lines(
    tx: &mut Tx,
    scope: Scope,
    mission: MissionId,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<RevenueLine>> {
    const SQL: &str = concat!(
        "SELECT e.entry_date, e.journal, e.number, l.label, e.piece_ref, l.credit_cents - l.debit_cents
         FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
         JOIN missions m ON m.analytic_code = l.analytic_code
         WHERE m.id = $4 AND e.entry_date >= $5 AND e.entry_date <= $6 AND l.account = $7 AND m.id IN (",
        missions_in_scope!(),
        ") ORDER BY e.entry_date, e.journal, e.number, l.position"
    );
    let rows: Vec<(Date, String, i64, String, Option<String>, i64)> =
        on_tx!(tx, |c| sqlx::query_as(SQL)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(mission.to_string())
            .bind(from.first_day())
            .bind(to.last_day())
            .bind(REVENUE)
            .fetch_all(c)
            .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(date, journal, number, label, piece_ref, cents)| RevenueLine {
                date,
                journal,
                number,
                label,
                piece_ref,
                amount: Money::from_cents(cents),
            },
        )
        .collect())
}

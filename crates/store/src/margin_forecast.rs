//! What the 90-day forecast margin needs (`domain::margin::forecast`),
//! read in a fixed number of set queries whatever the number of missions:
//! the missions in scope running in the window with their consultant's
//! work pattern and the renewal decisions already taken, their
//! amendments, the approved leave in the window, and the people's cost
//! versions (shared with the live margin, so a forecast day costs what
//! the same day will cost once worked).

use std::collections::HashMap;

use domain::calendar::Region;
use domain::cra::{Half, WorkPattern};
use domain::crm::pipeline::for_forecast;
use domain::ids::{MissionId, UserId};
use domain::leave::LeavePeriod;
use domain::margin::forecast::{
    Forecast, Running, forecast as domain_forecast, window, working_time,
};
use domain::people::cjm::{CostBasis, margin_cjm_on};
use time::Date;

use crate::margins::{MissionName, Names};
use crate::{Result, Scope, Tx, corrupt, on_tx};

#[derive(sqlx::FromRow)]
struct MissionRow {
    id: String,
    title: String,
    analytic_code: String,
    client_id: String,
    client_name: String,
    consultant_id: String,
    consultant_name: String,
    start_date: Date,
    initial_end_date: Date,
    base_tjm_cents: i64,
    work_region: String,
    work_weekdays: String,
    decided: bool,
}

/// The 90-day forecast of the missions in `scope`, each day costed on
/// `basis` (a business manager's at the grade's standard CJM when the
/// firm hides salaries), with the names to show beside it.
pub async fn forecast(
    tx: &mut Tx,
    scope: Scope,
    basis: CostBasis,
    today: Date,
) -> Result<(Forecast, Names)> {
    let mut names = Names::default();
    let running = running_named(tx, scope, today, &mut names).await?;
    let (settings, _) = crate::costs::settings(tx).await?;
    let standard = crate::costs::standard_cjm(tx).await?;
    // Only the forecast's consultants are costed (below).
    // The open opportunities starting in the window, weighted: a renewal
    // keeps its consultant, whose cost is then known on the same basis.
    let renewing = crate::opportunities::pipeline::renewal_consultants(tx, scope, today).await?;
    let mut people = crate::margins::people(tx, &mut Names::default(), None).await?;
    people.retain(|u, _| running.iter().any(|r| r.consultant == *u) || renewing.contains(u));
    let cost = |who: UserId, day: Date| {
        let e = people.get(&who)?.employee.as_ref()?;
        margin_cjm_on(
            settings,
            &e.versions,
            day,
            basis,
            e.grade.as_ref(),
            &standard,
        )
    };
    let lines = crate::opportunities::pipeline::forecast_lines(tx, scope, today, &cost).await?;
    let pipeline = for_forecast(today, &lines);
    Ok((
        domain_forecast(today, &running, &cost, Some(pipeline)),
        names,
    ))
}

/// The missions that have days in the forecast window of `today`, or whose
/// end falls in it, each with its consultant's working time per day.
pub async fn running(tx: &mut Tx, scope: Scope, today: Date) -> Result<Vec<Running>> {
    running_named(tx, scope, today, &mut Names::default()).await
}

async fn running_named(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
    names: &mut Names,
) -> Result<Vec<Running>> {
    let (from, to) = window(today);
    // A renewal decision counts for the mission's current end date only: a
    // renewal decided for an end since moved is history.
    const MISSIONS: &str = concat!(
        "SELECT m.id, m.title, m.analytic_code, m.client_id, c.name AS client_name,
                m.consultant_id, u.display_name AS consultant_name,
                m.start_date, m.initial_end_date, m.base_tjm_cents,
                u.work_region, u.work_weekdays,
                EXISTS (SELECT 1 FROM renewals r WHERE r.mission_id = m.id AND r.end_date = m.end_date
                        AND r.status IN ('renewed', 'not_renewed')) AS decided
         FROM missions m JOIN users u ON u.id = m.consultant_id JOIN companies c ON c.id = m.client_id
         WHERE m.status IN ('upcoming', 'active', 'extended')
           AND m.start_date <= $5 AND m.end_date >= $4 AND ",
        crate::scope_clause!(missions),
        " ORDER BY m.id"
    );
    let rows: Vec<MissionRow> = on_tx!(tx, |c| {
        sqlx::query_as(MISSIONS)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(today)
            .bind(to)
            .fetch_all(c)
            .await
    })?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    const AMENDMENTS: &str = concat!(
        "SELECT a.mission_id, CAST(a.number AS INTEGER), a.effective_from, a.new_tjm_cents, a.new_end
         FROM amendments a JOIN missions m ON m.id = a.mission_id
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.start_date <= $5 AND m.end_date >= $4
           AND ",
        crate::scope_clause!(missions),
        " ORDER BY a.mission_id, a.number"
    );
    let amendments: Vec<crate::missions::AmendmentTuple> = on_tx!(tx, |c| {
        sqlx::query_as(AMENDMENTS)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(today)
            .bind(to)
            .fetch_all(c)
            .await
    })?;
    let schedules = crate::missions::schedules(
        rows.iter().map(|r| {
            (
                r.id.as_str(),
                r.start_date,
                r.initial_end_date,
                r.base_tjm_cents,
            )
        }),
        amendments,
    )?;
    let leave_rows: Vec<(String, Date, String, Date, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT user_id, start_date, start_half, end_date, end_half FROM leave_requests
         WHERE status = 'approved' AND end_date >= $1 AND start_date <= $2"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    let half = |s: &str| Half::parse(s).ok_or_else(|| corrupt("half", s));
    let mut leave: HashMap<String, Vec<LeavePeriod>> = HashMap::new();
    for (user, start, start_half, end, end_half) in leave_rows {
        let period = LeavePeriod {
            start,
            start_half: half(&start_half)?,
            end,
            end_half: half(&end_half)?,
        };
        leave.entry(user).or_default().push(period);
    }

    // One calendar per consultant, shared by his missions.
    let mut calendars: HashMap<&str, Vec<(Date, domain::mission::DayQuantity)>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let pattern = WorkPattern {
            region: Region::parse(&r.work_region)
                .ok_or_else(|| corrupt("work region", &r.work_region))?,
            weekdays: WorkPattern::parse_weekdays(&r.work_weekdays)
                .ok_or_else(|| corrupt("work weekdays", &r.work_weekdays))?,
        };
        let days = calendars
            .entry(r.consultant_id.as_str())
            .or_insert_with(|| {
                working_time(
                    pattern,
                    from,
                    to,
                    leave.get(&r.consultant_id).map_or(&[][..], Vec::as_slice),
                )
            })
            .clone();
        let mission = MissionId::parse(&r.id).ok_or_else(|| corrupt("mission id", &r.id))?;
        let consultant = UserId::parse(&r.consultant_id)
            .ok_or_else(|| corrupt("consultant id", &r.consultant_id))?;
        let client_id = crate::id(&r.client_id)?;
        names.missions.insert(
            mission,
            MissionName {
                title: r.title.clone(),
                analytic_code: r.analytic_code.clone(),
                client_id,
                consultant_id: consultant,
            },
        );
        names.companies.insert(client_id, r.client_name.clone());
        names.users.insert(consultant, r.consultant_name.clone());
        out.push(Running {
            mission,
            consultant,
            rates: schedules
                .get(r.id.as_str())
                .cloned()
                .ok_or_else(|| corrupt("mission schedule", &r.id))?,
            working_days: days,
            renewal_decided: r.decided,
        });
    }
    Ok(out)
}

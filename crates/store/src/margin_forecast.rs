//! What the 90-day forecast margin needs (`domain::margin::forecast`),
//! read in four set queries whatever the number of missions: the missions
//! running in the window with their consultant's work pattern, their
//! amendments, the approved leave in the window, and the renewal
//! decisions already taken.

use std::collections::HashMap;

use domain::calendar::Region;
use domain::cra::{Half, WorkPattern};
use domain::ids::{MissionId, UserId};
use domain::leave::LeavePeriod;
use domain::margin::forecast::{Running, window, working_time};
use time::Date;

use crate::{Result, Tx, corrupt, on_tx};

#[derive(sqlx::FromRow)]
struct MissionRow {
    id: String,
    consultant_id: String,
    start_date: Date,
    initial_end_date: Date,
    base_tjm_cents: i64,
    work_region: String,
    work_weekdays: String,
    decided: bool,
}

/// The missions that have days in the forecast window of `today`, or whose
/// end falls in it, each with its consultant's working time per day.
pub async fn running(tx: &mut Tx, today: Date) -> Result<Vec<Running>> {
    let (from, to) = window(today);
    // A renewal decision counts for the mission's current end date only: a
    // renewal decided for an end since moved is history.
    let rows: Vec<MissionRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.id, m.consultant_id, m.start_date, m.initial_end_date, m.base_tjm_cents,
                u.work_region, u.work_weekdays,
                EXISTS (SELECT 1 FROM renewals r WHERE r.mission_id = m.id AND r.end_date = m.end_date
                        AND r.status IN ('renewed', 'not_renewed')) AS decided
         FROM missions m JOIN users u ON u.id = m.consultant_id
         WHERE m.status IN ('upcoming', 'active', 'extended')
           AND m.start_date <= $2 AND m.end_date >= $1
         ORDER BY m.id"
    )
    .bind(today)
    .bind(to)
    .fetch_all(c)
    .await
    })?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let amendments: Vec<crate::missions::AmendmentTuple> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT a.mission_id, CAST(a.number AS INTEGER), a.effective_from, a.new_tjm_cents, a.new_end
         FROM amendments a JOIN missions m ON m.id = a.mission_id
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.start_date <= $2 AND m.end_date >= $1
         ORDER BY a.mission_id, a.number"
    )
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
        out.push(Running {
            mission: MissionId::parse(&r.id).ok_or_else(|| corrupt("mission id", &r.id))?,
            consultant: UserId::parse(&r.consultant_id)
                .ok_or_else(|| corrupt("consultant id", &r.consultant_id))?,
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

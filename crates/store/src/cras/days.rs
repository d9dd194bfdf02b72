//! What leave needs from the reports, below both the report workflow and
//! `leave`: the consultant's work pattern, the month's report, whether a
//! month is still a draft, and writing leave halves into draft grids.
//! Nothing here reaches back to the rest of `cras` or to `leave`.

use std::collections::BTreeMap;

use domain::calendar::{Region, YearMonth};
use domain::cra::{Activity, CraEvent, CraStatus, Half, Slot, WorkPattern};
use domain::ids::{CraId, UserId};
use domain::leave::LeaveTypeCode;
use domain::validation::ValidationErrors;
use time::Date;

use crate::{Error, Result, Tx, corrupt, now, on_tx};

pub async fn work_pattern(tx: &mut Tx, user: UserId) -> Result<WorkPattern> {
    let (region, days): (String, String) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT work_region, work_weekdays FROM users WHERE id = $1"
    )
    .bind(user.to_string())
    .fetch_optional(c)
    .await)?
    .ok_or(Error::NotFound)?;
    Ok(WorkPattern {
        region: Region::parse(&region).ok_or_else(|| corrupt("work region", &region))?,
        weekdays: WorkPattern::parse_weekdays(&days)
            .ok_or_else(|| corrupt("work weekdays", &days))?,
    })
}

/// The live report of a consultant for a month, if any.
pub async fn find(tx: &mut Tx, consultant: UserId, month: YearMonth) -> Result<Option<CraId>> {
    let id: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM cras WHERE consultant_id = $1 AND month = $2 AND status <> 'superseded'"
    )
    .bind(consultant.to_string())
    .bind(month.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(id.and_then(|s| CraId::parse(&s)))
}

pub(super) async fn insert_slots(tx: &mut Tx, id: CraId, slots: &[Slot]) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?, ?)";
    for chunk in slots.chunks(crate::rows_per_statement(6)) {
        let sql = format!(
            "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id, leave_type) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for s in chunk {
                let (mission, leave) = match &s.activity {
                    Activity::Mission(m) => (Some(m.to_string()), None),
                    Activity::Leave(t) => (None, Some(t.as_str().to_owned())),
                    _ => (None, None),
                };
                q = q
                    .bind(id.to_string())
                    .bind(s.day)
                    .bind(s.half.as_str())
                    .bind(s.activity.kind())
                    .bind(mission)
                    .bind(leave);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Takes the report's row for this transaction if it is still a draft, so
/// that a concurrent signature waits for this write (PostgreSQL) and then
/// sees it, or this write sees the signature and gives up.
pub(crate) async fn hold_draft(tx: &mut Tx, id: CraId) -> Result<()> {
    // Still being written: a state the consultant may still sign from.
    let (guard, from) = allowed_from(CraEvent::Sign, 3);
    let sql = format!("UPDATE cras SET updated_at = $2 WHERE id = $1 AND {guard}");
    let n = on_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.to_string())
            .bind(now());
        for s in &from {
            q = q.bind(*s);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(refuse("status", "cra-changed-meanwhile"));
    }
    Ok(())
}

/// `status IN ($first, …)`: the guard of a statement that moves a report
/// by `event`, listing the states `domain::cra`'s machine allows it from,
/// with the values to bind (in that order, from `$first`).
pub(super) fn allowed_from(event: CraEvent, first: usize) -> (String, Vec<&'static str>) {
    let from = event.sources();
    let marks: Vec<String> = (0..from.len()).map(|i| format!("${}", first + i)).collect();
    (
        format!("status IN ({})", marks.join(", ")),
        from.into_iter().map(CraStatus::as_str).collect(),
    )
}

pub(super) fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

/// A leave date of the consultant on which a report past the draft stage
/// already holds something: leave may not rewrite a signed month.
pub async fn locked_on(
    tx: &mut Tx,
    consultant: UserId,
    halves: &[(Date, Half)],
) -> Result<Option<Date>> {
    let months: std::collections::BTreeSet<YearMonth> =
        halves.iter().map(|(d, _)| YearMonth::of(*d)).collect();
    for m in months {
        let status: Option<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT status FROM cras WHERE consultant_id = $1 AND month = $2 AND status <> 'superseded'"
        )
        .bind(consultant.to_string())
        .bind(m.to_string())
        .fetch_optional(c)
        .await
        })?;
        if status.is_some_and(|s| !CraStatus::parse(&s).is_some_and(CraStatus::is_editable)) {
            return Ok(halves
                .iter()
                .map(|(d, _)| *d)
                .find(|d| YearMonth::of(*d) == m));
        }
    }
    Ok(None)
}

/// Writes (or removes) leave halves into the consultant's draft reports.
/// Work typed on those halves gives way to the leave.
pub async fn apply_leave(
    tx: &mut Tx,
    consultant: UserId,
    halves: &[(Date, Half)],
    leave: Option<&LeaveTypeCode>,
) -> Result<()> {
    let mut by_month: BTreeMap<YearMonth, Vec<(Date, Half)>> = BTreeMap::new();
    for (d, h) in halves {
        by_month
            .entry(YearMonth::of(*d))
            .or_default()
            .push((*d, *h));
    }
    for (month, hs) in by_month {
        let Some(id) = find(tx, consultant, month).await? else {
            continue;
        };
        // A month signed since the caller checked refuses the leave.
        hold_draft(tx, id).await?;
        for (d, h) in &hs {
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM cra_slots WHERE cra_id = $1 AND day = $2 AND half = $3"
            )
            .bind(id.to_string())
            .bind(*d)
            .bind(h.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        if let Some(t) = leave {
            let slots: Vec<Slot> = hs
                .iter()
                .map(|(d, h)| Slot {
                    day: *d,
                    half: *h,
                    activity: Activity::Leave(t.clone()),
                })
                .collect();
            insert_slots(tx, id, &slots).await?;
        }
    }
    Ok(())
}

//! Renewal follow-up: alerts and tasks for the business manager at D-60 and
//! D-30 before a mission ends, the status of each renewal, the renewal rate.

use domain::ids::{MissionId, UserId};
use domain::renewal::{AlertKind, RenewalEvent, RenewalStatus, alerts_due};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx, outbox};

pub const SCAN_JOB: &str = "renewal_scan";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    pub missions_seen: u64,
    pub alerts_created: u64,
}

#[derive(sqlx::FromRow)]
struct Ending {
    id: String,
    title: String,
    end_date: Date,
    business_manager_id: String,
    bm_email: String,
    client_name: String,
    consultant_name: String,
}

fn kind_str(k: AlertKind) -> &'static str {
    match k {
        AlertKind::D60 => "d60",
        AlertKind::D30 => "d30",
    }
}

/// Creates the alerts due today for every running mission ending within 60
/// days: one alert per threshold and end date (the unique constraint makes a
/// second scan, or a second instance, a no-op), with a task and an e-mail for
/// the business manager.
pub async fn scan(tx: &mut Tx, today: Date) -> Result<ScanReport> {
    let horizon = today + Duration::days(60);
    let rows: Vec<Ending> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.id, m.title, m.end_date, m.business_manager_id, b.email AS bm_email, c.name AS client_name,
                u.display_name AS consultant_name
         FROM missions m JOIN users b ON b.id = m.business_manager_id JOIN companies c ON c.id = m.client_id
         JOIN users u ON u.id = m.consultant_id
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $1 AND m.end_date <= $2
         ORDER BY m.end_date, m.id"
    )
    .bind(today)
    .bind(horizon)
    .fetch_all(c)
    .await
    })?;
    let mut report = ScanReport::default();
    for m in rows {
        report.missions_seen += 1;
        ensure_renewal(tx, &m.id, m.end_date).await?;
        for kind in alerts_due(m.end_date, today) {
            let alert_id = uuid::Uuid::new_v4().to_string();
            let inserted = on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO renewal_alerts (id, mission_id, kind, end_date, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (mission_id, kind, end_date) DO NOTHING"
            )
            .bind(&alert_id)
            .bind(&m.id)
            .bind(kind_str(kind))
            .bind(m.end_date)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            if inserted == 0 {
                continue;
            }
            report.alerts_created += 1;
            let days = kind.days_before();
            let title = format!(
                "Renouvellement J-{days} : {} ({}, {}) se termine le {}",
                m.title,
                m.consultant_name,
                m.client_name,
                domain::locale::format_date(m.end_date, domain::Locale::Fr)
            );
            let task_id = uuid::Uuid::new_v4().to_string();
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO tasks (id, assignee_id, mission_id, kind, title, due_date, created_at)
                 VALUES ($1, $2, $3, 'renewal', $4, $5, $6)"
            )
            .bind(&task_id)
            .bind(&m.business_manager_id)
            .bind(&m.id)
            .bind(&title)
            .bind(today.max(m.end_date - Duration::days(days.saturating_sub(15))))
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE renewal_alerts SET task_id = $2 WHERE id = $1"
            )
            .bind(&alert_id)
            .bind(&task_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            let body = format!(
                "Bonjour,\n\nLa mission « {} » de {} chez {} se termine le {} (J-{days}).\n\
                 Une tâche de renouvellement vous a été attribuée dans Régisseur (page Renouvellements).\n\n— Régisseur",
                m.title,
                m.consultant_name,
                m.client_name,
                domain::locale::format_date(m.end_date, domain::Locale::Fr)
            );
            outbox::queue(tx, &m.bm_email, &title, &body).await?;
        }
    }
    Ok(report)
}

async fn ensure_renewal(tx: &mut Tx, mission_id: &str, end: Date) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO renewals (mission_id, end_date, status, updated_at) VALUES ($1, $2, 'to_follow_up', $3)
         ON CONFLICT (mission_id, end_date) DO NOTHING"
    )
    .bind(mission_id)
    .bind(end)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct RenewalLine {
    pub mission_id: MissionId,
    pub title: String,
    pub client_name: String,
    pub consultant_name: String,
    pub business_manager_name: String,
    pub end_date: Date,
    pub days_left: i64,
    pub status: RenewalStatus,
    pub note: Option<String>,
    pub alerts: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: String,
    title: String,
    client_name: String,
    consultant_name: String,
    bm_name: String,
    end_date: Date,
    status: Option<String>,
    note: Option<String>,
}

/// Missions ending within `days`, with their renewal status.
pub async fn upcoming(
    tx: &mut Tx,
    scope: Scope,
    today: Date,
    days: i64,
) -> Result<Vec<RenewalLine>> {
    let rows: Vec<LineRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.id, m.title, c.name AS client_name, u.display_name AS consultant_name, b.display_name AS bm_name,
                m.end_date, r.status, r.note
         FROM missions m JOIN companies c ON c.id = m.client_id JOIN users u ON u.id = m.consultant_id
         JOIN users b ON b.id = m.business_manager_id
         LEFT JOIN renewals r ON r.mission_id = m.id AND r.end_date = m.end_date
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $1 AND m.end_date <= $2
           AND (CAST($3 AS TEXT) IS NULL OR m.client_id = $3) AND (CAST($4 AS TEXT) IS NULL OR m.consultant_id = $4)
         ORDER BY m.end_date, m.id"
    )
    .bind(today)
    .bind(today + Duration::days(days))
    .bind(scope.company())
    .bind(scope.own_user())
    .fetch_all(c)
    .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let alerts: Vec<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT kind FROM renewal_alerts WHERE mission_id = $1 AND end_date = $2 ORDER BY kind DESC"
        )
        .bind(&r.id)
        .bind(r.end_date)
        .fetch_all(c)
        .await
        })?;
        out.push(RenewalLine {
            mission_id: MissionId::parse(&r.id).ok_or_else(|| corrupt("mission id", &r.id))?,
            status: match r.status.as_deref() {
                Some(s) => RenewalStatus::parse(s).ok_or_else(|| corrupt("renewal status", s))?,
                None => RenewalStatus::ToFollowUp,
            },
            days_left: (r.end_date - today).whole_days(),
            title: r.title,
            client_name: r.client_name,
            consultant_name: r.consultant_name,
            business_manager_name: r.bm_name,
            end_date: r.end_date,
            note: r.note,
            alerts,
        });
    }
    Ok(out)
}

/// Moves a renewal to its next status (discussion, declined, reopened).
/// Renewing goes through `renew`, which records the amendment too.
pub async fn apply_event(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    mission: MissionId,
    event: RenewalEvent,
    note: Option<&str>,
) -> Result<RenewalStatus> {
    let m = crate::missions::get(tx, scope, mission).await?;
    ensure_renewal(tx, &mission.to_string(), m.data.end_date).await?;
    let current: String = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT status FROM renewals WHERE mission_id = $1 AND end_date = $2"
    )
    .bind(mission.to_string())
    .bind(m.data.end_date)
    .fetch_one(c)
    .await)?;
    let current =
        RenewalStatus::parse(&current).ok_or_else(|| corrupt("renewal status", &current))?;
    let next = current.transition(event).map_err(|_| {
        Error::Invalid(ValidationErrors::single(
            "status",
            "renewal-illegal-transition",
        ))
    })?;
    let decided = matches!(next, RenewalStatus::Renewed | RenewalStatus::NotRenewed).then(now);
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE renewals SET status = $3, note = COALESCE($4, note), decided_at = $5, updated_at = $6
         WHERE mission_id = $1 AND end_date = $2"
    )
    .bind(mission.to_string())
    .bind(m.data.end_date)
    .bind(next.as_str())
    .bind(note)
    .bind(decided)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "renewal",
        "mission",
        &mission.to_string(),
        Some(&current.as_str()),
        Some(&next.as_str()),
    )
    .await?;
    Ok(next)
}

/// Renews: records the amendment (new end, optionally a new rate from the day
/// after the current end) and marks the renewal renewed.
pub async fn renew(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    mission: MissionId,
    new_end: Date,
    new_tjm: Option<domain::mission::Tjm>,
    note: Option<&str>,
) -> Result<()> {
    let m = crate::missions::get(tx, scope, mission).await?;
    apply_event(tx, actor, scope, mission, RenewalEvent::Renew, note).await?;
    let from = m
        .data
        .end_date
        .next_day()
        .ok_or_else(|| corrupt("end date", "max"))?;
    let a = domain::rates::Amendment {
        effective_from: from,
        new_tjm,
        new_end: Some(new_end),
    };
    crate::missions::add_amendment(
        tx,
        actor,
        scope,
        mission,
        &a,
        note.or(Some("Renouvellement")),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct RateFigures {
    pub renewed: u32,
    pub reached_end: u32,
}

/// Missions whose end date fell in [from, to], and how many were renewed.
pub async fn rate(tx: &mut Tx, from: Date, to: Date) -> Result<RateFigures> {
    let (total, renewed): (i64, i64) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'renewed' THEN 1 ELSE 0 END), 0)
         FROM renewals WHERE end_date >= $1 AND end_date <= $2"
    )
    .bind(from)
    .bind(to)
    .fetch_one(c)
    .await)?;
    Ok(RateFigures {
        renewed: renewed as u32,
        reached_end: total as u32,
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub due_date: Date,
    pub mission_id: Option<String>,
    pub done_at: Option<OffsetDateTime>,
}

pub async fn open_tasks(tx: &mut Tx, user: UserId) -> Result<Vec<Task>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, title, due_date, mission_id, done_at FROM tasks WHERE assignee_id = $1 AND done_at IS NULL ORDER BY due_date, id"
    )
    .bind(user.to_string())
    .fetch_all(c)
    .await
    })?)
}

pub async fn complete_task(tx: &mut Tx, user: UserId, id: &str) -> Result<()> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET done_at = $3 WHERE id = $1 AND assignee_id = $2 AND done_at IS NULL"
    )
    .bind(id)
    .bind(user.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

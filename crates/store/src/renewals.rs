//! Renewal follow-up: alerts and tasks for the business manager at D-60 and
//! D-30 before a mission ends, the status of each renewal, the renewal rate.

use domain::ids::{MissionId, RenewalTaskId, UserId};
use domain::renewal::{self, AlertKind, RenewalEvent, RenewalStatus, alerts_due};
use domain::validation::ValidationErrors;
use std::collections::HashSet;

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

impl Ending {
    fn named(&self) -> renewal::Ending<'_> {
        renewal::Ending {
            mission_title: &self.title,
            consultant_name: &self.consultant_name,
            client_name: &self.client_name,
            end_date: self.end_date,
        }
    }
}

/// Creates the alerts due today for every running mission ending within 60
/// days: one alert per threshold and end date (the unique constraint makes a
/// second scan, or a second instance, a no-op), with a task and an e-mail for
/// the business manager.
///
/// Set-based: the number of statements does not grow with the missions in
/// the window, only with the alerts to create (multi-row inserts of at most
/// `MAX_BINDS` parameters each); a scan with nothing new runs four statements.
pub async fn scan(tx: &mut Tx, today: Date) -> Result<ScanReport> {
    // The widest threshold bounds the window (`alerts_due`: a threshold is
    // reached when the end is at most that many days away, and the mission
    // has not ended).
    let horizon = today + Duration::days(AlertKind::D60.days_before());
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO renewals (mission_id, end_date, status, updated_at)
             SELECT id, end_date, 'to_follow_up', $3 FROM missions
             WHERE status IN ('upcoming', 'active', 'extended') AND end_date >= $1 AND end_date <= $2
             ON CONFLICT (mission_id, end_date) DO NOTHING",
        )
        .bind(today)
        .bind(horizon)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let seen: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM missions
             WHERE status IN ('upcoming', 'active', 'extended') AND end_date >= $1 AND end_date <= $2",
        )
        .bind(today)
        .bind(horizon)
        .fetch_one(c)
        .await
    })?;
    // The alerts not sent yet, per threshold: every threshold reached is due,
    // not only the one crossed today, so a mission first seen 20 days before
    // its end gets both.
    let mut due: Vec<(AlertKind, Ending)> = Vec::new();
    for kind in AlertKind::ALL {
        let until = today + Duration::days(kind.days_before());
        let rows: Vec<Ending> = on_tx!(tx, |c| {
            sqlx::query_as(
                "SELECT m.id, m.title, m.end_date, m.business_manager_id, b.email AS bm_email, c.name AS client_name,
                        u.display_name AS consultant_name
                 FROM missions m JOIN users b ON b.id = m.business_manager_id JOIN companies c ON c.id = m.client_id
                 JOIN users u ON u.id = m.consultant_id
                 WHERE m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $1 AND m.end_date <= $2
                   AND NOT EXISTS (SELECT 1 FROM renewal_alerts a
                                   WHERE a.mission_id = m.id AND a.kind = $3 AND a.end_date = m.end_date)",
            )
            .bind(today)
            .bind(until)
            .bind(kind.as_str())
            .fetch_all(c)
            .await
        })?;
        due.extend(rows.into_iter().map(|m| (kind, m)));
    }
    debug_assert!(
        due.iter()
            .all(|(k, m)| alerts_due(m.end_date, today).contains(k))
    );
    // Missions by end date, D-60 before D-30: the order of the
    // one-at-a-time scan, hence of the e-mails' send jobs.
    due.sort_by(|(ka, a), (kb, b)| (a.end_date, &a.id, ka).cmp(&(b.end_date, &b.id, kb)));

    // A task per alert, written first so that each alert is written once,
    // with its task.
    let tasks: Vec<NewTask> = due
        .iter()
        .map(|(kind, m)| {
            let days = kind.days_before();
            NewTask {
                id: uuid::Uuid::new_v4().to_string(),
                assignee_id: &m.business_manager_id,
                mission_id: &m.id,
                title: renewal::task_title(*kind, &m.named()),
                due_date: today.max(m.end_date - Duration::days(days.saturating_sub(15))),
                created_at: now(),
            }
        })
        .collect();
    for chunk in tasks.chunks(crate::rows_per_statement(6)) {
        let sql = format!(
            "INSERT INTO tasks (id, assignee_id, mission_id, kind, title, due_date, created_at) VALUES {}",
            crate::values_list("(?, ?, ?, 'renewal', ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for t in chunk {
                q = q
                    .bind(t.id.as_str())
                    .bind(t.assignee_id)
                    .bind(t.mission_id)
                    .bind(t.title.as_str())
                    .bind(t.due_date)
                    .bind(t.created_at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    // The alerts. A concurrent scan may have made some since the select: the
    // unique constraint decides, and only the alerts inserted go on.
    let alert_ids: Vec<String> = due
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let mut inserted = HashSet::new();
    let per_statement = crate::rows_per_statement(6);
    for ((chunk, ids), tasks) in due
        .chunks(per_statement)
        .zip(alert_ids.chunks(per_statement))
        .zip(tasks.chunks(per_statement))
    {
        let sql = format!(
            "INSERT INTO renewal_alerts (id, mission_id, kind, end_date, task_id, created_at) VALUES {}
             ON CONFLICT (mission_id, kind, end_date) DO NOTHING RETURNING id",
            crate::values_list("(?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let rows: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for (((kind, m), id), task) in chunk.iter().zip(ids).zip(tasks) {
                q = q
                    .bind(id.as_str())
                    .bind(m.id.as_str())
                    .bind(kind.as_str())
                    .bind(m.end_date)
                    .bind(task.id.as_str())
                    .bind(now());
            }
            q.fetch_all(c).await
        })?;
        inserted.extend(rows);
    }
    let mut created: Vec<(AlertKind, &Ending, &NewTask)> = Vec::with_capacity(inserted.len());
    let mut orphans: Vec<&str> = Vec::new();
    for ((id, (kind, m)), task) in alert_ids.iter().zip(&due).zip(&tasks) {
        if inserted.contains(id) {
            created.push((*kind, m, task));
        } else {
            orphans.push(&task.id);
        }
    }
    // Alerts another scan made meanwhile come with that scan's tasks: drop
    // the ones written here for them.
    for chunk in orphans.chunks(crate::rows_per_statement(1)) {
        let sql = format!(
            "DELETE FROM tasks WHERE id IN ({})",
            crate::values_list("?", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    // An e-mail to the business manager per new alert.
    let emails: Vec<outbox::NewEmail> = created
        .iter()
        .map(|(kind, m, task)| outbox::NewEmail {
            to: m.bm_email.clone(),
            subject: task.title.clone(),
            text: renewal::alert_text(*kind, &m.named()),
        })
        .collect();
    outbox::queue_many(tx, &emails).await?;
    Ok(ScanReport {
        missions_seen: seen as u64,
        alerts_created: created.len() as u64,
    })
}

struct NewTask<'a> {
    id: String,
    assignee_id: &'a str,
    mission_id: &'a str,
    title: String,
    due_date: Date,
    created_at: OffsetDateTime,
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
    pub business_manager_id: UserId,
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
    bm_id: String,
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
        sqlx::query_as(concat!(
        "SELECT m.id, m.title, c.name AS client_name, u.display_name AS consultant_name, m.business_manager_id AS bm_id,
                b.display_name AS bm_name, m.end_date, r.status, r.note
         FROM missions m JOIN companies c ON c.id = m.client_id JOIN users u ON u.id = m.consultant_id
         JOIN users b ON b.id = m.business_manager_id
         LEFT JOIN renewals r ON r.mission_id = m.id AND r.end_date = m.end_date
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $4 AND m.end_date <= $5
           AND ",
        crate::scope_clause!(missions),
        " ORDER BY m.end_date, m.id"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(today)
    .bind(today + Duration::days(days))
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
            business_manager_id: UserId::parse(&r.bm_id)
                .ok_or_else(|| corrupt("user id", &r.bm_id))?,
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
    #[sqlx(try_from = "String")]
    pub id: RenewalTaskId,
    pub title: String,
    pub due_date: Date,
    #[sqlx(try_from = "crate::MaybeId")]
    pub mission_id: Option<MissionId>,
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

pub async fn complete_task(tx: &mut Tx, user: UserId, id: RenewalTaskId) -> Result<()> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET done_at = $3 WHERE id = $1 AND assignee_id = $2 AND done_at IS NULL"
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

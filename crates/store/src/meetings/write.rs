//! Planning, changing, holding and cancelling follow-up meetings. Each
//! command checks what the domain cannot (the mission, the account, the
//! people named exist; the contacts are the account's), writes what
//! `domain::crm::meeting` decided, in the caller's one transaction.

use domain::calendar::Region;
use domain::crm::meeting::{Held, MeetingData, MeetingKind, MeetingStatus, next_meeting};
use domain::crm::recurrence::{Recurrence, Series};
use domain::crm::skill::contact_field;
use domain::ids::{CompanyId, MeetingId};
use domain::validation::ValidationErrors;
use time::{Date, OffsetDateTime};

use super::{Meeting, get, next_of, utc};
use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx};

/// The account of the meeting (the mission's client when about a
/// mission), every refusal by field.
async fn check_references(tx: &mut Tx, d: &MeetingData) -> Result<CompanyId> {
    let mut e = ValidationErrors::new();
    let mut company = d.company_id;
    if let Some(m) = d.mission_id {
        let client: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT client_id FROM missions WHERE id = $1"
        )
        .bind(m.to_string())
        .fetch_optional(c)
        .await)?;
        match client {
            Some(client) => {
                let client: CompanyId = crate::id(&client)?;
                if company.is_some_and(|c| c != client) {
                    e.add("company_id", "meeting-company-not-mission-client");
                }
                company = Some(client);
            }
            None => e.add("mission_id", "id-unknown-record"),
        }
    } else if let Some(c) = company {
        let found: i64 = on_tx!(tx, |x| sqlx::query_scalar(
            "SELECT COUNT(*) FROM companies WHERE id = $1"
        )
        .bind(c.to_string())
        .fetch_one(x)
        .await)?;
        if found == 0 {
            e.add("company_id", "company-unknown");
        }
    }
    if crate::users::active_in_roles(
        tx,
        d.organiser_id,
        &[
            domain::role::Role::BusinessManager,
            domain::role::Role::Direction,
            domain::role::Role::Admin,
            domain::role::Role::DeliveryManager,
        ],
    )
    .await?
    .is_none()
    {
        e.add("organiser_id", "meeting-organiser-role");
    }
    for (i, contact) in d.contact_ids.iter().enumerate() {
        let of: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT company_id FROM contacts WHERE id = $1"
        )
        .bind(contact.to_string())
        .fetch_optional(c)
        .await)?;
        if company.is_none() || of.as_deref() != company.map(|c| c.to_string()).as_deref() {
            e.add(contact_field(i), "meeting-contact-not-at-company");
        }
    }
    for u in &d.user_ids {
        let found: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE id = $1 AND active"
        )
        .bind(u.to_string())
        .fetch_one(c)
        .await)?;
        if found == 0 {
            e.add("user_ids", "id-unknown-record");
        }
    }
    match company {
        Some(c) if e.is_empty() => Ok(c),
        _ => Err(Error::Invalid(e)),
    }
}

async fn write_attendees(tx: &mut Tx, id: MeetingId, d: &MeetingData) -> Result<()> {
    for sql in [
        "DELETE FROM meeting_contacts WHERE meeting_id = $1",
        "DELETE FROM meeting_users WHERE meeting_id = $1",
    ] {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id.to_string())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    for contact in &d.contact_ids {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO meeting_contacts (meeting_id, contact_id) VALUES ($1, $2)"
        )
        .bind(id.to_string())
        .bind(contact.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let mut users = d.user_ids.clone();
    // A consultant follow-up is with the mission's consultant.
    if d.kind == MeetingKind::Consultant
        && let Some(m) = d.mission_id
    {
        let consultant: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT consultant_id FROM missions WHERE id = $1"
        )
        .bind(m.to_string())
        .fetch_optional(c)
        .await)?;
        if let Some(u) = consultant.as_deref().map(crate::id).transpose()?
            && !users.contains(&u)
        {
            users.push(u);
        }
    }
    for u in &users {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO meeting_users (meeting_id, user_id) VALUES ($1, $2)"
        )
        .bind(id.to_string())
        .bind(u.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Re-read after writing: a business manager plans only what his scope
/// then shows him.
async fn in_scope(
    tx: &mut Tx,
    scope: Scope,
    id: MeetingId,
    field: &'static str,
) -> Result<Meeting> {
    match get(tx, scope, id).await {
        Ok(m) => Ok(m),
        Err(Error::NotFound) => Err(Error::Invalid(ValidationErrors::single(
            field,
            "meeting-outside-portfolio",
        ))),
        Err(e) => Err(e),
    }
}

async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    d: &MeetingData,
    company: CompanyId,
    series: Option<String>,
    previous: Option<MeetingId>,
) -> Result<MeetingId> {
    let id = MeetingId::new();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO meetings (id, kind, mission_id, company_id, series_id, previous_id, planned_at, mode, place,
           organiser_id, status, note, decisions, held_at, held_by, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', NULL, NULL, NULL, NULL, $11, $12, $12)"
    )
    .bind(id.to_string())
    .bind(d.kind.as_str())
    .bind(d.mission_id.map(|m| m.to_string()))
    .bind(company.to_string())
    .bind(series.clone())
    .bind(previous.map(|p| p.to_string()))
    .bind(utc(d.planned_at))
    .bind(d.mode.as_str())
    .bind(&d.place)
    .bind(d.organiser_id.to_string())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    write_attendees(tx, id, d).await?;
    Ok(id)
}

/// Plans a one-off meeting, or the first of a series.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    d: &MeetingData,
    series: Option<&Series>,
) -> Result<Meeting> {
    let company = check_references(tx, d).await?;
    let series_id = match series {
        Some(s) => {
            let id = uuid::Uuid::new_v4().to_string();
            let (kind, n) = match s.recurrence {
                Recurrence::Weeks { n } => ("weeks", Some(n as i32)),
                Recurrence::Monthly => ("monthly", None),
                Recurrence::Quarterly => ("quarterly", None),
            };
            on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO meeting_series (id, recurrence, every_weeks, first_date, until_date, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(&id)
            .bind(kind)
            .bind(n)
            .bind(s.first)
            .bind(s.until)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            Some(id)
        }
        None => None,
    };
    let id = insert(tx, actor, d, company, series_id, None).await?;
    let field = if d.mission_id.is_some() {
        "mission_id"
    } else {
        "company_id"
    };
    let created = in_scope(tx, scope, id, field).await?;
    audit::record(
        tx,
        actor,
        "create",
        "meeting",
        &id.to_string(),
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

fn refuse_unless_planned(m: &Meeting) -> Result<()> {
    if m.status == MeetingStatus::Planned {
        Ok(())
    } else {
        Err(Error::Invalid(ValidationErrors::single(
            "status",
            "meeting-not-planned",
        )))
    }
}

/// Changes a planned meeting (its series is kept).
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MeetingId,
    d: &MeetingData,
) -> Result<Meeting> {
    let before = get(tx, scope, id).await?;
    refuse_unless_planned(&before)?;
    let company = check_references(tx, d).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE meetings SET kind = $2, mission_id = $3, company_id = $4, planned_at = $5, mode = $6, place = $7,
           organiser_id = $8, updated_at = $9 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(d.kind.as_str())
    .bind(d.mission_id.map(|m| m.to_string()))
    .bind(company.to_string())
    .bind(utc(d.planned_at))
    .bind(d.mode.as_str())
    .bind(&d.place)
    .bind(d.organiser_id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    write_attendees(tx, id, d).await?;
    let after = in_scope(tx, scope, id, "mission_id").await?;
    audit::record(
        tx,
        actor,
        "update",
        "meeting",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

async fn series_of(tx: &mut Tx, id: &str) -> Result<Series> {
    let (kind, n, first, until): (String, Option<i32>, Date, Option<Date>) = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT recurrence, every_weeks, first_date, until_date FROM meeting_series WHERE id = $1"
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    let r = Recurrence::parse(&kind, &n.map(|n| n.to_string()).unwrap_or_default())
        .map_err(|_| corrupt("meeting recurrence", &kind))?;
    Series::new(r, first, until).map_err(|_| corrupt("meeting series", id))
}

/// Holds a planned meeting: its note and decisions, and the series' next
/// meeting planned with the same people. Holding it again changes nothing
/// and answers the same next meeting: `previous_id` is unique, so one
/// meeting never plans two.
pub async fn hold(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MeetingId,
    held: &Held,
) -> Result<(Meeting, Option<MeetingId>)> {
    let before = get(tx, scope, id).await?;
    match before.status {
        MeetingStatus::Held => {
            let next = next_of(tx, id).await?;
            return Ok((before, next));
        }
        MeetingStatus::Cancelled => {
            return Err(Error::Invalid(ValidationErrors::single(
                "status",
                "meeting-not-planned",
            )));
        }
        MeetingStatus::Planned => {}
    }
    let at = now();
    let changed = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE meetings SET status = 'held', note = $2, decisions = $3, held_at = $4, held_by = $5, updated_at = $4
         WHERE id = $1 AND status = 'planned'"
    )
    .bind(id.to_string())
    .bind(&held.note)
    .bind(&held.decisions)
    .bind(at)
    .bind(actor.user_id.map(|u| u.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        // Held by someone else since it was read.
        let m = get(tx, scope, id).await?;
        let next = next_of(tx, id).await?;
        return Ok((m, next));
    }
    let next = match &before.series_id {
        Some(series_id) => {
            let series = series_of(tx, series_id).await?;
            match next_meeting(&series, before.planned_at, at, Region::Standard) {
                Some(when) => {
                    let d = data_of(tx, &before, when).await?;
                    Some(
                        insert(
                            tx,
                            actor,
                            &d,
                            before.company_id,
                            Some(series_id.clone()),
                            Some(id),
                        )
                        .await?,
                    )
                }
                None => None,
            }
        }
        None => None,
    };
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "hold",
        "meeting",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok((after, next))
}

/// The facts of the meeting `m` planned again at `when`, with its people.
async fn data_of(tx: &mut Tx, m: &Meeting, when: OffsetDateTime) -> Result<MeetingData> {
    let contacts: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT contact_id FROM meeting_contacts WHERE meeting_id = $1 ORDER BY contact_id"
    )
    .bind(m.id.to_string())
    .fetch_all(c)
    .await)?;
    let users: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM meeting_users WHERE meeting_id = $1 ORDER BY user_id"
    )
    .bind(m.id.to_string())
    .fetch_all(c)
    .await)?;
    Ok(MeetingData {
        kind: m.kind,
        mission_id: m.mission_id,
        company_id: Some(m.company_id),
        planned_at: when,
        mode: m.mode,
        place: m.place.clone(),
        organiser_id: m.organiser_id,
        contact_ids: contacts
            .iter()
            .map(|c| crate::id(c))
            .collect::<Result<_>>()?,
        user_ids: users.iter().map(|u| crate::id(u)).collect::<Result<_>>()?,
    })
}

/// Cancels a planned meeting (a cancelled one stays so).
pub async fn cancel(tx: &mut Tx, actor: &Actor, scope: Scope, id: MeetingId) -> Result<Meeting> {
    let before = get(tx, scope, id).await?;
    if before.status == MeetingStatus::Cancelled {
        return Ok(before);
    }
    refuse_unless_planned(&before)?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE meetings SET status = 'cancelled', updated_at = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "cancel",
        "meeting",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

//! Follow-up meetings (RDV de suivi): read here for the mission's and the
//! company's pages, the user's upcoming list and the detail, always
//! through the scope (a business manager sees those of his missions and
//! accounts; consultants and client contacts none). Writing is in
//! `write.rs`; a held meeting's child opportunities in `child.rs`; its
//! follow-up tasks and who was present in `follow_up.rs`.

mod child;
mod follow_up;
mod write;

pub use child::child_opportunity;
pub use follow_up::{FollowUp, follow_up_task, mark_presence, tasks_of};
pub use write::{cancel, create, hold, update};

use domain::crm::meeting::{MeetingKind, MeetingMode, MeetingStatus};
use domain::ids::{CompanyId, ContactId, MeetingId, MissionId, OpportunityId, UserId};
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::OffsetDateTime;

use crate::filter::{self, Conditions};
use crate::{Error, Result, Scope, Tx, corrupt, on_tx};

#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub kind: MeetingKind,
    pub mission_id: Option<MissionId>,
    pub mission_title: Option<String>,
    pub company_id: CompanyId,
    pub company_name: String,
    pub series_id: Option<String>,
    pub previous_id: Option<MeetingId>,
    pub planned_at: OffsetDateTime,
    pub mode: MeetingMode,
    pub place: Option<String>,
    pub organiser_id: UserId,
    pub organiser_name: String,
    pub status: MeetingStatus,
    pub note: Option<String>,
    pub decisions: Option<String>,
    pub held_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    mission_id: Option<String>,
    mission_title: Option<String>,
    company_id: String,
    company_name: String,
    series_id: Option<String>,
    previous_id: Option<String>,
    planned_at: OffsetDateTime,
    mode: String,
    place: Option<String>,
    organiser_id: String,
    organiser_name: String,
    status: String,
    note: Option<String>,
    decisions: Option<String>,
    held_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl Row {
    fn into_meeting(self) -> Result<Meeting> {
        Ok(Meeting {
            id: crate::id(&self.id)?,
            kind: MeetingKind::parse(&self.kind)
                .ok_or_else(|| corrupt("meeting kind", &self.kind))?,
            mission_id: self.mission_id.as_deref().map(crate::id).transpose()?,
            mission_title: self.mission_title,
            company_id: crate::id(&self.company_id)?,
            company_name: self.company_name,
            series_id: self.series_id,
            previous_id: self.previous_id.as_deref().map(crate::id).transpose()?,
            planned_at: self.planned_at,
            mode: MeetingMode::parse(&self.mode)
                .ok_or_else(|| corrupt("meeting mode", &self.mode))?,
            place: self.place,
            organiser_id: crate::id(&self.organiser_id)?,
            organiser_name: self.organiser_name,
            status: MeetingStatus::parse(&self.status)
                .ok_or_else(|| corrupt("meeting status", &self.status))?,
            note: self.note,
            decisions: self.decisions,
            held_at: self.held_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns of [`Row`], from `mt` and its joins.
macro_rules! meeting_columns {
    () => {
        "SELECT mt.id, mt.kind, mt.mission_id, m.title AS mission_title, mt.company_id, c.name AS company_name, \
         mt.series_id, mt.previous_id, mt.planned_at, mt.mode, mt.place, mt.organiser_id, \
         u.display_name AS organiser_name, mt.status, mt.note, mt.decisions, mt.held_at, mt.created_at, mt.updated_at \
         FROM meetings mt JOIN companies c ON c.id = mt.company_id JOIN users u ON u.id = mt.organiser_id \
         LEFT JOIN missions m ON m.id = mt.mission_id "
    };
}

pub async fn get(tx: &mut Tx, scope: Scope, id: MeetingId) -> Result<Meeting> {
    const SQL: &str = concat!(
        meeting_columns!(),
        "WHERE mt.id = $4 AND ",
        crate::scope_clause!(meetings)
    );
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.into_meeting()
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub mission_id: Option<MissionId>,
    pub company_id: Option<CompanyId>,
    /// Planned at or after / before.
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub status: Option<MeetingStatus>,
    /// The agenda's order: the planned ones first, soonest first, then
    /// the others, latest first (else the latest planned first).
    pub upcoming_first: bool,
}

impl MeetingFilter {
    /// The filters present, as conditions on `mt`.
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::new();
        c.eq("mt.mission_id", self.mission_id.map(|m| m.to_string()))
            .eq("mt.company_id", self.company_id.map(|x| x.to_string()))
            .cmp("mt.planned_at", ">=", self.from.map(utc))
            .cmp("mt.planned_at", "<", self.to.map(utc))
            .eq("mt.status", self.status.map(|s| s.as_str()));
        c
    }
}

/// Instants are written in UTC so that both backends order them alike.
pub(crate) fn utc(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(time::UtcOffset::UTC)
}

/// The meetings of `scope`, filtered, the latest planned first.
pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    f: &MeetingFilter,
    page: PageRequest,
) -> Result<Paged<Meeting>> {
    let c = f.conditions();
    let total = filter::count(
        tx,
        scope,
        crate::scoped_sql!("meetings mt WHERE ", meetings),
        &c,
        None,
    )
    .await?;
    // The agenda: the planned ones first, soonest first, then the others,
    // latest first.
    let order = if f.upcoming_first {
        "ORDER BY CASE WHEN mt.status = 'planned' THEN 0 ELSE 1 END, \
         CASE WHEN mt.status = 'planned' THEN mt.planned_at END, mt.planned_at DESC, mt.id"
    } else {
        "ORDER BY mt.planned_at DESC, mt.id"
    };
    let rows: Vec<Row> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(concat!(meeting_columns!(), "WHERE "), meetings),
        &c,
        order,
        Some(page),
    )
    .await?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(Row::into_meeting)
            .collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// "Mes prochains RDV": the planned meetings `user` organises or attends,
/// the overdue ones (still to hold) first, at most `limit`.
pub async fn upcoming_for(
    tx: &mut Tx,
    scope: Scope,
    user: UserId,
    limit: u32,
) -> Result<Vec<Meeting>> {
    const SQL: &str = concat!(
        meeting_columns!(),
        "WHERE mt.status = 'planned' AND (mt.organiser_id = $4 OR mt.id IN \
         (SELECT mu.meeting_id FROM meeting_users mu WHERE mu.user_id = $4)) AND ",
        crate::scope_clause!(meetings),
        " ORDER BY mt.planned_at, mt.id LIMIT $5"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(user.to_string())
        .bind(i64::from(limit))
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Row::into_meeting).collect()
}

/// What the mission's or the company's page shows: the next planned
/// meeting and the last held.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub next: Option<Meeting>,
    pub last_held: Option<Meeting>,
}

pub async fn summary(
    tx: &mut Tx,
    scope: Scope,
    mission: Option<MissionId>,
    company: Option<CompanyId>,
) -> Result<Summary> {
    const NEXT: &str = concat!(
        meeting_columns!(),
        "WHERE mt.status = 'planned' AND (CAST($4 AS TEXT) IS NULL OR mt.mission_id = $4) \
         AND (CAST($5 AS TEXT) IS NULL OR mt.company_id = $5) AND ",
        crate::scope_clause!(meetings),
        " ORDER BY mt.planned_at, mt.id LIMIT 1"
    );
    const LAST: &str = concat!(
        meeting_columns!(),
        "WHERE mt.status = 'held' AND (CAST($4 AS TEXT) IS NULL OR mt.mission_id = $4) \
         AND (CAST($5 AS TEXT) IS NULL OR mt.company_id = $5) AND ",
        crate::scope_clause!(meetings),
        " ORDER BY mt.planned_at DESC, mt.id LIMIT 1"
    );
    let mut out = Summary::default();
    for (sql, slot) in [(NEXT, &mut out.next), (LAST, &mut out.last_held)] {
        let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(mission.map(|m| m.to_string()))
            .bind(company.map(|c| c.to_string()))
            .fetch_optional(c)
            .await)?;
        *slot = row.map(Row::into_meeting).transpose()?;
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Attendee<Id> {
    pub id: Id,
    pub name: String,
    /// Once held: whether this attendee was there (None: not recorded).
    pub present: Option<bool>,
}

/// A child opportunity, as the meeting lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Child {
    pub id: OpportunityId,
    pub title: String,
    pub stage_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub meeting: Meeting,
    pub contacts: Vec<Attendee<ContactId>>,
    pub users: Vec<Attendee<UserId>>,
    /// The meeting its holding planned.
    pub next_id: Option<MeetingId>,
    pub children: Vec<Child>,
    /// The follow-up tasks its note asked for.
    pub tasks: Vec<FollowUp>,
}

pub(crate) async fn next_of(tx: &mut Tx, id: MeetingId) -> Result<Option<MeetingId>> {
    let next: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM meetings WHERE previous_id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    next.as_deref().map(crate::id).transpose()
}

pub async fn detail(tx: &mut Tx, scope: Scope, id: MeetingId) -> Result<Detail> {
    let meeting = get(tx, scope, id).await?;
    let contacts: Vec<(String, String, String, Option<bool>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT p.id, p.first_name, p.last_name, mc.present FROM meeting_contacts mc
         JOIN contacts p ON p.id = mc.contact_id WHERE mc.meeting_id = $1
         ORDER BY p.last_name, p.first_name, p.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    let users: Vec<(String, String, Option<bool>)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT u.id, u.display_name, mu.present FROM meeting_users mu JOIN users u ON u.id = mu.user_id
         WHERE mu.meeting_id = $1 ORDER BY u.display_name, u.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    // The meeting is in scope, so are the opportunities of its account.
    let children: Vec<(String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT o.id, o.title, s.label FROM opportunities o JOIN opportunity_stages s ON s.code = o.stage
         WHERE o.meeting_id = $1 ORDER BY o.created_at, o.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(Detail {
        next_id: next_of(tx, id).await?,
        tasks: tasks_of(tx, id).await?,
        meeting,
        contacts: contacts
            .into_iter()
            .map(|(i, f, l, present)| {
                Ok(Attendee {
                    id: crate::id(&i)?,
                    name: format!("{f} {l}"),
                    present,
                })
            })
            .collect::<Result<_>>()?,
        users: users
            .into_iter()
            .map(|(i, name, present)| {
                Ok(Attendee {
                    id: crate::id(&i)?,
                    name,
                    present,
                })
            })
            .collect::<Result<_>>()?,
        children: children
            .into_iter()
            .map(|(i, title, stage_label)| {
                Ok(Child {
                    id: crate::id(&i)?,
                    title,
                    stage_label,
                })
            })
            .collect::<Result<_>>()?,
    })
}

//! What a held meeting leaves behind besides its note: who of those
//! invited was there, and the follow-up tasks its note asked for (in the
//! assignee's task list, linked to the meeting and its mission).

use domain::crm::follow_up::{FollowUpTask, KIND};
use domain::crm::meeting::MeetingStatus;
use domain::ids::{ContactId, MeetingId, RenewalTaskId, UserId};
use domain::role::Role;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::get;
use crate::{Actor, Error, Result, Scope, Tx, audit, now, on_tx};

/// Who may be given a follow-up task: the firm's people, a consultant
/// included (a client contact has no task list).
const ASSIGNABLE: &[Role] = &[
    Role::Admin,
    Role::Direction,
    Role::BusinessManager,
    Role::DeliveryManager,
    Role::Recruiter,
    Role::Finance,
    Role::Consultant,
];

/// Records who was there among those invited to `id`: those listed were
/// present, the others absent. Names not invited are ignored (a stale
/// form); the invitations themselves stay, so the series' next meeting
/// invites the same people.
pub async fn mark_presence(
    tx: &mut Tx,
    id: MeetingId,
    contacts: &[ContactId],
    users: &[UserId],
) -> Result<()> {
    let invited: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT contact_id FROM meeting_contacts WHERE meeting_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    for contact in invited {
        let present = contacts.iter().any(|c| c.to_string() == contact);
        on_tx!(tx, |c| sqlx::query(
            "UPDATE meeting_contacts SET present = $3 WHERE meeting_id = $1 AND contact_id = $2"
        )
        .bind(id.to_string())
        .bind(&contact)
        .bind(present)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let invited: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM meeting_users WHERE meeting_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    for user in invited {
        let present = users.iter().any(|u| u.to_string() == user);
        on_tx!(tx, |c| sqlx::query(
            "UPDATE meeting_users SET present = $3 WHERE meeting_id = $1 AND user_id = $2"
        )
        .bind(id.to_string())
        .bind(&user)
        .bind(present)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A follow-up task, as the meeting's page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    pub id: RenewalTaskId,
    pub title: String,
    pub due_date: Date,
    pub assignee_name: String,
    pub done_at: Option<OffsetDateTime>,
}

pub async fn tasks_of(tx: &mut Tx, id: MeetingId) -> Result<Vec<FollowUp>> {
    let rows: Vec<(String, String, Date, String, Option<OffsetDateTime>)> =
        on_tx!(tx, |c| sqlx::query_as(
            "SELECT t.id, t.title, t.due_date, u.display_name, t.done_at FROM tasks t
             JOIN users u ON u.id = t.assignee_id WHERE t.meeting_id = $1
             ORDER BY t.due_date, t.created_at, t.id"
        )
        .bind(id.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, title, due_date, assignee_name, done_at)| {
            Ok(FollowUp {
                id: crate::id(&id)?,
                title,
                due_date,
                assignee_name,
                done_at,
            })
        })
        .collect()
}

/// Creates a follow-up task of the held meeting `id`, in the assignee's
/// task list.
pub async fn follow_up_task(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MeetingId,
    task: &FollowUpTask,
) -> Result<RenewalTaskId> {
    let m = get(tx, scope, id).await?;
    if m.status != MeetingStatus::Held {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "meeting-not-held",
        )));
    }
    if crate::users::active_in_roles(tx, task.assignee_id, ASSIGNABLE)
        .await?
        .is_none()
    {
        return Err(Error::Invalid(ValidationErrors::single(
            "task_assignee_id",
            "meeting-task-assignee",
        )));
    }
    let task_id = RenewalTaskId::new();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO tasks (id, assignee_id, mission_id, kind, title, due_date, created_at, meeting_id,
               company_id, created_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $7)",
        )
        .bind(task_id.to_string())
        .bind(task.assignee_id.to_string())
        .bind(m.mission_id.map(|x| x.to_string()))
        .bind(KIND)
        .bind(&task.title)
        .bind(task.due_date)
        .bind(now())
        .bind(id.to_string())
        .bind(m.company_id.to_string())
        .bind(actor.user_id.map(|u| u.to_string()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "follow_up_task",
        "meeting",
        &id.to_string(),
        None::<&()>,
        Some(task),
    )
    .await?;
    Ok(task_id)
}

//! Logging, planning, changing and completing activities. Each command
//! reads what the links point to (their accounts, the assignee's role),
//! lets `domain::crm::activity` decide the account, then writes it in the
//! caller's one transaction and reads the activity back through the scope.

use domain::crm::activity::{ActivityData, ActivityKind, LinkAccounts, account_of};
use domain::ids::{ActivityId, CompanyId};
use domain::role::Role;
use domain::validation::ValidationErrors;

use super::{Activity, get};
use crate::{Actor, Error, Result, Scope, Tx, audit, now, on_tx};

/// The people an activity may be assigned to: the firm's managers.
const ASSIGNABLE: [Role; 4] = [
    Role::BusinessManager,
    Role::Direction,
    Role::Admin,
    Role::DeliveryManager,
];

/// The account of a linked record, read with `sql` (one `$1`); an unknown
/// record is refused on its field.
async fn account(
    tx: &mut Tx,
    e: &mut ValidationErrors,
    field: &'static str,
    sql: &'static str,
    id: Option<String>,
) -> Result<Option<CompanyId>> {
    let Some(id) = id else { return Ok(None) };
    let found: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(id.as_str())
        .fetch_optional(c)
        .await)?;
    match found {
        Some(c) => Ok(Some(crate::id(&c)?)),
        None => {
            e.add(field, "id-unknown-record");
            Ok(None)
        }
    }
}

/// The activity's account, every refusal by field.
async fn check_references(tx: &mut Tx, d: &ActivityData) -> Result<Option<CompanyId>> {
    let mut e = ValidationErrors::new();
    let links = LinkAccounts {
        contact: account(
            tx,
            &mut e,
            "contact_id",
            "SELECT company_id FROM contacts WHERE id = $1",
            d.contact_id.map(|c| c.to_string()),
        )
        .await?,
        opportunity: account(
            tx,
            &mut e,
            "opportunity_id",
            "SELECT client_id FROM opportunities WHERE id = $1",
            d.opportunity_id.map(|o| o.to_string()),
        )
        .await?,
        mission: account(
            tx,
            &mut e,
            "mission_id",
            "SELECT client_id FROM missions WHERE id = $1",
            d.mission_id.map(|m| m.to_string()),
        )
        .await?,
    };
    account(
        tx,
        &mut e,
        "company_id",
        "SELECT id FROM companies WHERE id = $1",
        d.company_id.map(|c| c.to_string()),
    )
    .await?;
    if crate::users::active_in_roles(tx, d.assignee_id, &ASSIGNABLE)
        .await?
        .is_none()
    {
        e.add("assignee_id", "activity-assignee-role");
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    account_of(d.company_id, links).map_err(Error::Invalid)
}

/// Re-read after writing: a business manager writes only what his scope
/// then shows him.
async fn in_scope(tx: &mut Tx, scope: Scope, id: ActivityId) -> Result<Activity> {
    match get(tx, scope, id).await {
        Ok(a) => Ok(a),
        Err(Error::NotFound) => Err(Error::Invalid(ValidationErrors::single(
            "company_id",
            "activity-outside-portfolio",
        ))),
        Err(e) => Err(e),
    }
}

/// Logs an activity (done: a call just made) or plans one.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    d: &ActivityData,
) -> Result<Activity> {
    let company = check_references(tx, d).await?;
    let id = ActivityId::new();
    let at = now();
    let by = actor.user_id.map(|u| u.to_string());
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO tasks (id, assignee_id, mission_id, kind, title, due_date, done_at, created_at,
           company_id, contact_id, opportunity_id, notes, created_by, done_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $8)"
    )
    .bind(id.to_string())
    .bind(d.assignee_id.to_string())
    .bind(d.mission_id.map(|m| m.to_string()))
    .bind(d.kind.as_str())
    .bind(&d.title)
    .bind(d.due_date)
    .bind(d.done.then_some(at))
    .bind(at)
    .bind(company.map(|c| c.to_string()))
    .bind(d.contact_id.map(|c| c.to_string()))
    .bind(d.opportunity_id.map(|o| o.to_string()))
    .bind(&d.notes)
    .bind(by.clone())
    .bind(if d.done { by.clone() } else { None })
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let created = in_scope(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "activity",
        &id.to_string(),
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Changes an activity's facts; done or open is changed by [`set_done`].
/// A renewal task is the renewal scan's: only its completion changes.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: ActivityId,
    d: &ActivityData,
) -> Result<Activity> {
    let before = get(tx, scope, id).await?;
    if before.kind == ActivityKind::Renewal {
        return Err(Error::Invalid(ValidationErrors::single(
            "kind",
            "activity-renewal-fixed",
        )));
    }
    let company = check_references(tx, d).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET assignee_id = $2, mission_id = $3, kind = $4, title = $5, due_date = $6,
           company_id = $7, contact_id = $8, opportunity_id = $9, notes = $10, updated_at = $11
         WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(d.assignee_id.to_string())
    .bind(d.mission_id.map(|m| m.to_string()))
    .bind(d.kind.as_str())
    .bind(&d.title)
    .bind(d.due_date)
    .bind(company.map(|c| c.to_string()))
    .bind(d.contact_id.map(|c| c.to_string()))
    .bind(d.opportunity_id.map(|o| o.to_string()))
    .bind(&d.notes)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let after = in_scope(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "activity",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Marks an activity done (by the actor, now) or open again. Doing what
/// is already done changes nothing: a second click keeps the first time.
pub async fn set_done(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: ActivityId,
    done: bool,
) -> Result<Activity> {
    let before = get(tx, scope, id).await?;
    if before.is_done() == done {
        return Ok(before);
    }
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET done_at = $2, done_by = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(done.then_some(at))
    .bind(if done {
        actor.user_id.map(|u| u.to_string())
    } else {
        None
    })
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        if done { "complete" } else { "reopen" },
        "activity",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

//! Commercial activities (calls, meetings, e-mails, tasks) and the renewal
//! follow-up tasks: list with filters, log or plan one, read, change, mark
//! done. Dates are `YYYY-MM-DD`; instants RFC 3339 in UTC.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::crm::activity::{ActivityInput, ActivityKind};
use domain::ids::{ActivityId, CompanyId, MissionId, OpportunityId, UserId};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::activities::{Activity, ActivityFilter, Status};
use utoipa::{IntoParams, ToSchema};

use super::companies::ListParamsFlat;
use super::{ListParams, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct ActivityDto {
    pub id: String,
    /// `call`, `meeting`, `email`, `task`, or `renewal` (made by the
    /// renewal scan, read-only but for its completion).
    pub kind: String,
    pub title: String,
    #[schema(format = Date)]
    pub due_date: String,
    pub assignee_id: String,
    pub assignee_name: String,
    /// The account (the mission's client for a renewal task).
    pub company_id: Option<String>,
    pub company_name: Option<String>,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub opportunity_id: Option<String>,
    pub opportunity_title: Option<String>,
    pub mission_id: Option<String>,
    pub mission_title: Option<String>,
    pub notes: Option<String>,
    pub done: bool,
    /// RFC 3339, UTC.
    pub done_at: Option<String>,
    pub created_at: String,
}

impl From<&Activity> for ActivityDto {
    fn from(a: &Activity) -> Self {
        ActivityDto {
            id: a.id.to_string(),
            kind: a.kind.as_str().into(),
            title: a.title.clone(),
            due_date: a.due_date.to_string(),
            assignee_id: a.assignee_id.to_string(),
            assignee_name: a.assignee_name.clone(),
            company_id: a.company_id.map(|x| x.to_string()),
            company_name: a.company_name.clone(),
            contact_id: a.contact_id.map(|x| x.to_string()),
            contact_name: a.contact_name.clone(),
            opportunity_id: a.opportunity_id.map(|x| x.to_string()),
            opportunity_title: a.opportunity_title.clone(),
            mission_id: a.mission_id.map(|x| x.to_string()),
            mission_title: a.mission_title.clone(),
            notes: a.notes.clone(),
            done: a.is_done(),
            done_at: a.done_at.as_ref().map(rfc3339),
            created_at: rfc3339(&a.created_at),
        }
    }
}

/// An activity to log (`done: true`, a call just made) or to plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    /// `call`, `meeting`, `email` or `task` (default).
    #[schema(pattern = "^(call|meeting|email|task)$")]
    pub kind: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// `YYYY-MM-DD`: when it is due, or took place.
    #[schema(format = Date)]
    pub due_date: String,
    /// One of the firm's managers; default: the caller.
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// The account; default: the one of the contact, opportunity or
    /// mission.
    #[schema(format = Uuid)]
    pub company_id: Option<String>,
    /// A contact of the account.
    #[schema(format = Uuid)]
    pub contact_id: Option<String>,
    /// An opportunity of the account.
    #[schema(format = Uuid)]
    pub opportunity_id: Option<String>,
    /// A mission of the account.
    #[schema(format = Uuid)]
    pub mission_id: Option<String>,
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    /// Already done (logged after the fact). Default false.
    pub done: Option<bool>,
}

/// Changes: a member absent is kept; an empty string clears a link or the
/// notes; `done` marks it done or open again.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    #[schema(pattern = "^(call|meeting|email|task)$")]
    pub kind: Option<String>,
    #[schema(max_length = 200)]
    pub title: Option<String>,
    #[schema(format = Date)]
    pub due_date: Option<String>,
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    pub company_id: Option<String>,
    pub contact_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub mission_id: Option<String>,
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    pub done: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilterParams {
    #[param(format = Uuid)]
    pub assignee_id: Option<String>,
    #[param(pattern = "^(call|meeting|email|task|renewal)$")]
    pub kind: Option<String>,
    /// `open` (not done yet) or `done`.
    #[param(pattern = "^(open|done)$")]
    pub status: Option<String>,
    /// Due on or after, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub due_from: Option<String>,
    /// Due on or before, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub due_to: Option<String>,
    #[param(format = Uuid)]
    pub company_id: Option<String>,
    #[param(format = Uuid)]
    pub opportunity_id: Option<String>,
    #[param(format = Uuid)]
    pub mission_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ActivityListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    #[serde(flatten)]
    pub filter: ActivityFilterParams,
}

/// The filter, every refusal naming its parameter (pages and API alike).
pub fn filter_of(p: &ActivityFilterParams) -> Result<ActivityFilter, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let given = |v: &Option<String>| v.clone().unwrap_or_default();
    fn id<T>(
        e: &mut ValidationErrors,
        field: &'static str,
        raw: String,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let r = parse(raw);
        if r.is_none() {
            e.add(field, "id-unknown-record");
        }
        r
    }
    let assignee_id = id(&mut e, "assignee_id", given(&p.assignee_id), UserId::parse);
    let company_id = id(&mut e, "company_id", given(&p.company_id), CompanyId::parse);
    let opportunity_id = id(
        &mut e,
        "opportunity_id",
        given(&p.opportunity_id),
        OpportunityId::parse,
    );
    let mission_id = id(&mut e, "mission_id", given(&p.mission_id), MissionId::parse);
    let kind = id(&mut e, "kind", given(&p.kind), ActivityKind::parse);
    let status = id(&mut e, "status", given(&p.status), Status::parse);
    let due_from = e.optional(
        "due_from",
        p.due_from.as_deref().unwrap_or_default(),
        domain::validation::date,
    );
    let due_to = e.optional(
        "due_to",
        p.due_to.as_deref().unwrap_or_default(),
        domain::validation::date,
    );
    e.into_result(|| ActivityFilter {
        assignee_id,
        kind,
        status,
        due_from,
        due_to,
        company_id,
        opportunity_id,
        mission_id,
    })
}

/// List the activities the caller may see (a business manager: those
/// assigned to him and those of his accounts, missions and
/// opportunities), the latest due first.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", summary = "List activities",
    params(ListParams, ActivityFilterParams),
    responses((status = 200, body = ActivityPage),
        (status = 422, description = "A filter or the paging refused, naming the parameter", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityListQuery>,
) -> AppResult<Json<ActivityPage>> {
    let params = q.list.parse()?;
    let filter = filter_of(&q.filter).map_err(AppError::Validation)?;
    let mut tx = app.db.read().await?;
    let paged = store::activities::list(&mut tx, ctx.scope()?, &filter, params.page()).await?;
    tx.commit().await?;
    Ok(Json(ActivityPage {
        items: paged.items.iter().map(ActivityDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

/// Log an activity (`done: true`) or plan one.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", summary = "Log or plan an activity",
    request_body = ActivityBody,
    responses((status = 201, body = ActivityDto, headers(("Location" = String, description = "The activity"))),
        (status = 422, description = "Refused, naming the field (`title`, `due_date`, `contact_id` of another account, …); nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(b): Body<ActivityBody>,
) -> AppResult<Response> {
    let s = |o: Option<String>| o.unwrap_or_default();
    let input = ActivityInput {
        kind: s(b.kind),
        title: b.title,
        due_date: b.due_date,
        assignee_id: b
            .assignee_id
            .unwrap_or_else(|| ctx.user().map(|u| u.id.to_string()).unwrap_or_default()),
        company_id: s(b.company_id),
        contact_id: s(b.contact_id),
        opportunity_id: s(b.opportunity_id),
        mission_id: s(b.mission_id),
        notes: s(b.notes),
        done: b.done.unwrap_or(false),
    };
    let data = input.validate().map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let a = store::activities::create(tx, &ctx.actor(), scope, &data).await?;
            Ok(ActivityDto::from(&a))
        })
        .await?;
    Ok(created(format!("/api/v1/activities/{}", dto.id), dto))
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", summary = "Get an activity",
    params(("id" = uuid::Uuid, Path, description = "Activity id")),
    responses((status = 200, body = ActivityDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ActivityId>,
) -> AppResult<Json<ActivityDto>> {
    let mut tx = app.db.read().await?;
    let a = store::activities::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    Ok(Json(ActivityDto::from(&a)))
}

/// The form's text of a stored activity, for a change applied over it.
pub fn input_of(a: &Activity) -> ActivityInput {
    let s = |x: Option<String>| x.unwrap_or_default();
    ActivityInput {
        kind: a.kind.as_str().into(),
        title: a.title.clone(),
        due_date: a.due_date.to_string(),
        assignee_id: a.assignee_id.to_string(),
        // The account as typed, not as filled from a mission.
        company_id: s(a.company_id.map(|x| x.to_string())),
        contact_id: s(a.contact_id.map(|x| x.to_string())),
        opportunity_id: s(a.opportunity_id.map(|x| x.to_string())),
        mission_id: s(a.mission_id.map(|x| x.to_string())),
        notes: s(a.notes.clone()),
        done: a.is_done(),
    }
}

/// Change an activity; `done` marks it done or open again. A renewal
/// task only takes `done`.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", summary = "Change an activity",
    params(("id" = uuid::Uuid, Path, description = "Activity id")),
    request_body = ActivityPatch,
    responses((status = 200, body = ActivityDto),
        (status = 422, description = "Refused, naming the field (`kind` for a renewal task); nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ActivityId>,
    Body(p): Body<ActivityPatch>,
) -> AppResult<Json<ActivityDto>> {
    let scope = ctx.scope()?;
    let changes_facts = p.kind.is_some()
        || p.title.is_some()
        || p.due_date.is_some()
        || p.assignee_id.is_some()
        || p.company_id.is_some()
        || p.contact_id.is_some()
        || p.opportunity_id.is_some()
        || p.mission_id.is_some()
        || p.notes.is_some();
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let a = store::activities::get(tx, scope, id).await?;
            if changes_facts {
                let mut input = input_of(&a);
                for (field, v) in [
                    (&mut input.kind, &p.kind),
                    (&mut input.title, &p.title),
                    (&mut input.due_date, &p.due_date),
                    (&mut input.assignee_id, &p.assignee_id),
                    (&mut input.company_id, &p.company_id),
                    (&mut input.contact_id, &p.contact_id),
                    (&mut input.opportunity_id, &p.opportunity_id),
                    (&mut input.mission_id, &p.mission_id),
                    (&mut input.notes, &p.notes),
                ] {
                    if let Some(v) = v {
                        field.clone_from(v);
                    }
                }
                let data = input.validate().map_err(AppError::Validation)?;
                store::activities::update(tx, &ctx.actor(), scope, id, &data).await?;
            }
            let a = match p.done {
                Some(done) => {
                    store::activities::set_done(tx, &ctx.actor(), scope, id, done).await?
                }
                None => store::activities::get(tx, scope, id).await?,
            };
            Ok(ActivityDto::from(&a))
        })
        .await?;
    Ok(Json(dto))
}

/// Mark an activity done (now, by the caller). Done already: unchanged.
#[utoipa::path(post, path = "/api/v1/activities/{id}/done", tag = "activities", summary = "Mark an activity done",
    params(("id" = uuid::Uuid, Path, description = "Activity id")),
    responses((status = 200, body = ActivityDto)),
    security(("bearer" = [])))]
pub async fn done(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ActivityId>,
) -> AppResult<Json<ActivityDto>> {
    let scope = ctx.scope()?;
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let a = store::activities::set_done(tx, &ctx.actor(), scope, id, true).await?;
            Ok(ActivityDto::from(&a))
        })
        .await?;
    Ok(Json(dto))
}

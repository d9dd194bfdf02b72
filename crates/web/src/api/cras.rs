//! Activity reports over the API: read them (scoped like the pages), let a
//! consultant's tool write his grid, and let a manager validate in bulk.

use axum::Json;
use axum::extract::State;
use domain::calendar::YearMonth;
use domain::cra::{self, Activity, Cell, CraStatus};
use domain::ids::{CraId, MissionId};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::Tx;
use store::cras::{Entry, Sheet, Summary};
use utoipa::{IntoParams, ToSchema};

use super::rfc3339;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct CraSummaryDto {
    pub id: String,
    pub consultant_id: String,
    pub consultant_name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub version: i32,
    /// `draft`, `signed`, `client_validated`, `validated` or `superseded`.
    pub status: String,
    /// Billable days, e.g. "19.5".
    pub billable_days: String,
    pub leave_days: String,
    pub other_days: String,
    pub updated_at: String,
}

impl From<&Summary> for CraSummaryDto {
    fn from(s: &Summary) -> Self {
        let days = |h: i64| {
            domain::mission::DayQuantity::from_half_days(h.max(0) as u32)
                .as_decimal()
                .to_string()
        };
        CraSummaryDto {
            id: s.cra.id.to_string(),
            consultant_id: s.cra.consultant_id.to_string(),
            consultant_name: s.cra.consultant_name.clone(),
            month: s.cra.month.to_string(),
            version: s.cra.version,
            status: s.cra.status.as_str().into(),
            billable_days: days(s.billable_half_days),
            leave_days: days(s.leave_half_days),
            other_days: days(s.other_half_days),
            updated_at: rfc3339(&s.cra.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CraEntryDto {
    #[schema(format = Date)]
    pub date: String,
    /// `mission`, `bench`, `training`, `internal`, `presales` (and `leave`,
    /// read only: leave is requested, not typed).
    #[schema(pattern = "^(mission|bench|training|internal|presales|leave)$")]
    pub activity: String,
    /// With `mission`.
    #[schema(format = Uuid)]
    pub mission_id: Option<String>,
    /// With `leave` (read only).
    pub leave_type: Option<String>,
    /// "1" or "0.5".
    pub days: String,
}

#[derive(Serialize, ToSchema)]
pub struct CraDto {
    pub id: String,
    pub consultant_id: String,
    pub consultant_name: String,
    pub month: String,
    pub version: i32,
    pub status: String,
    pub comment: Option<String>,
    pub rejection_reason: Option<String>,
    /// The last day the manager may validate for the report to count as on time.
    pub on_time_deadline: String,
    pub entries: Vec<CraEntryDto>,
}

fn dto(s: &Sheet) -> CraDto {
    let entries = cra::cells_of(&s.slots)
        .into_iter()
        .flat_map(|(a, days)| {
            days.into_iter().map(move |(d, h)| CraEntryDto {
                date: d.to_string(),
                activity: a.kind().into(),
                mission_id: match &a {
                    Activity::Mission(m) => Some(m.to_string()),
                    _ => None,
                },
                leave_type: match &a {
                    Activity::Leave(t) => Some(t.to_string()),
                    _ => None,
                },
                days: if h >= 2 { "1".into() } else { "0.5".into() },
            })
        })
        .collect();
    CraDto {
        id: s.cra.id.to_string(),
        consultant_id: s.cra.consultant_id.to_string(),
        consultant_name: s.cra.consultant_name.clone(),
        month: s.cra.month.to_string(),
        version: s.cra.version,
        status: s.cra.status.as_str().into(),
        comment: s.cra.comment.clone(),
        rejection_reason: s.cra.rejection_reason.clone(),
        on_time_deadline: cra::on_time_deadline(s.cra.month).to_string(),
        entries,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CraListParams {
    /// `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub month: Option<String>,
    /// One status: `draft`, `signed`, `client_validated`, `validated` or `superseded`.
    #[param(pattern = "^(draft|signed|client_validated|validated|superseded)$")]
    pub status: Option<String>,
}

/// Reports the caller may see: a consultant his own, a client contact those
/// with his company's missions, staff all (newest months first, 500 at most).
#[utoipa::path(get, path = "/api/v1/cras", tag = "activity reports", summary = "List activity reports",
    params(CraListParams),
    responses((status = 200, body = Vec<CraSummaryDto>)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CraListParams>,
) -> AppResult<Json<Vec<CraSummaryDto>>> {
    let mut e = ValidationErrors::new();
    let month = e.optional("month", q.month.as_deref().unwrap_or(""), |s| {
        YearMonth::parse(s).ok_or(MonthInvalid)
    });
    let status = e.optional("status", q.status.as_deref().unwrap_or(""), |s| {
        CraStatus::parse(s).ok_or(StatusInvalid)
    });
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let mut tx = app.db.read().await?;
    let rows = store::cras::list(
        &mut tx,
        ctx.scope()?,
        &store::cras::Filter {
            month,
            status,
            consultant: None,
        },
        500,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(rows.iter().map(CraSummaryDto::from).collect()))
}

struct MonthInvalid;
impl domain::validation::ErrorKey for MonthInvalid {
    fn key(&self) -> &'static str {
        "cra-month-invalid"
    }
}

struct StatusInvalid;
impl domain::validation::ErrorKey for StatusInvalid {
    fn key(&self) -> &'static str {
        "cra-status-invalid"
    }
}

/// One report with its days.
#[utoipa::path(get, path = "/api/v1/cras/{id}", tag = "activity reports", summary = "Get an activity report",
    params(("id" = uuid::Uuid, Path, description = "Report id")),
    responses((status = 200, body = CraDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
) -> AppResult<Json<CraDto>> {
    let mut tx = app.db.read().await?;
    let s = store::cras::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    Ok(Json(dto(&s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CraBody {
    /// Every typed entry of the month (leave excluded); replaces the grid.
    pub entries: Vec<CraEntryDto>,
    pub comment: Option<String>,
}

/// Replace the grid of one's own draft report. Refused as a whole, naming
/// each bad entry, when a day exceeds one, falls outside the month or the
/// mission, or the report is no longer a draft.
#[utoipa::path(put, path = "/api/v1/cras/{id}", tag = "activity reports", summary = "Replace one's own report's days",
    params(("id" = uuid::Uuid, Path, description = "Report id")),
    request_body = CraBody,
    responses((status = 200, body = CraDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Body(body): Body<CraBody>,
) -> AppResult<Json<CraDto>> {
    let mut e = ValidationErrors::new();
    let mut cells = Vec::new();
    for entry in &body.entries {
        let day = time::Date::parse(
            &entry.date,
            &time::format_description::well_known::Iso8601::DATE,
        );
        let activity = match (entry.activity.as_str(), entry.mission_id.as_deref()) {
            ("mission", Some(m)) => MissionId::parse(m).map(Activity::Mission),
            (kind, None) if cra::FREE_ACTIVITIES.contains(&kind) => {
                Activity::from_parts(kind, None)
            }
            _ => None,
        };
        let half_days = cra::parse_cell(&entry.days);
        match (day, activity, half_days) {
            (Ok(day), Some(activity), Ok(half_days)) => cells.push(Cell {
                activity,
                day,
                half_days,
            }),
            (Err(_), _, _) => e.add_with(
                "entries",
                "cra-entry-date-invalid",
                domain::args![("day", entry.date.clone())],
            ),
            (_, None, _) => e.add_with(
                "entries",
                "cra-entry-activity-invalid",
                domain::args![("day", entry.date.clone())],
            ),
            (_, _, Err(cra::CellError::OverOneDay)) => e.add_with(
                "entries",
                "cra-cell-over-one-day",
                domain::args![("day", entry.date.clone())],
            ),
            (_, _, Err(cra::CellError::Invalid)) => e.add_with(
                "entries",
                "cra-cell-invalid",
                domain::args![("day", entry.date.clone())],
            ),
        }
    }
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let (scope, me) = (ctx.scope()?, ctx.user()?.id);
    let save = async |tx: &mut Tx| {
        let sheet = store::cras::get(tx, scope, id).await?;
        if sheet.cra.consultant_id != me {
            return Err(store::Error::NotFound);
        }
        let entry = Entry {
            cells,
            comment: body
                .comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            // The API leaves on-call and overtime as they are.
            extras: sheet.extras.clone(),
        };
        store::cras::save(tx, &ctx.actor(), scope, id, &entry).await
    };
    let s = write(&app, &ctx).commit(save).await?;
    Ok(Json(dto(&s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateBody {
    /// Report ids, 1 to 5000.
    #[schema(min_items = 1, max_items = 5000, inline, value_type = Vec<uuid::Uuid>)]
    pub ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ValidateResult {
    pub validated: Vec<String>,
    /// Not waiting for the manager: left unchanged.
    pub skipped: Vec<String>,
}

/// The manager validates reports already validated by their clients, in one
/// transaction.
#[utoipa::path(post, path = "/api/v1/cras/validate", tag = "activity reports", summary = "Validate reports as their manager",
    request_body = ValidateBody,
    responses((status = 200, body = ValidateResult)),
    security(("bearer" = [])))]
pub async fn validate(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<ValidateBody>,
) -> AppResult<Json<ValidateResult>> {
    let ids: Option<Vec<CraId>> = body.ids.iter().map(|s| CraId::parse(s)).collect();
    let Some(ids) = ids.filter(|i| !i.is_empty() && i.len() <= 5000) else {
        return Err(AppError::Validation(ValidationErrors::single(
            "ids",
            "cra-ids-invalid",
        )));
    };
    let done = write(&app, &ctx)
        .commit(async |tx| store::cras::validate(tx, &ctx.actor(), &ids).await)
        .await?;
    Ok(Json(ValidateResult {
        validated: done.done.iter().map(ToString::to_string).collect(),
        skipped: done.skipped.iter().map(ToString::to_string).collect(),
    }))
}

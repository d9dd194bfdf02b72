//! The month-end close over the API: queue the close of a period (it runs
//! as a job, as from the page) and follow its progress and summary.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::calendar::YearMonth;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::invoicing::close::{self, Close, Run};
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body};
use crate::write::write;

/// The close to run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// `YYYY-MM`: the month whose validated days are invoiced.
    pub period: String,
    /// `YYYY-MM-DD`, after the period's last day: the date the invoices
    /// bear.
    #[schema(format = Date)]
    pub issue_date: String,
}

/// What a close did, once finished.
#[derive(Serialize, ToSchema)]
pub struct CloseSummaryDto {
    /// Contracts and missions looked at.
    pub units: usize,
    pub drafted: usize,
    pub issued: usize,
    /// Decimal strings, e.g. `"14400.00"`.
    pub issued_net: String,
    pub issued_vat: String,
    pub issued_gross: String,
    pub accrued: usize,
    pub accrued_gross: String,
    pub waiting: usize,
    pub drafts_kept: usize,
    /// Each contract that failed, with the reason's key.
    pub errors: Vec<CloseErrorDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CloseErrorDto {
    pub unit: String,
    pub key: String,
}

/// A close run.
#[derive(Serialize, ToSchema)]
pub struct CloseRunDto {
    pub id: String,
    pub period: String,
    /// `queued`, `running`, `done`, `refused` (its period was closed in the
    /// ledger before it started) or `interrupted` (stopped before its end;
    /// running it again finishes the work).
    pub status: String,
    /// Steps done and to do (two per contract: drafting and accruals, then
    /// issuing).
    pub done: usize,
    pub total: usize,
    pub summary: Option<CloseSummaryDto>,
    /// Why it was refused (a message key), when it was.
    pub refusal: Option<String>,
}

impl From<Run> for CloseRunDto {
    fn from(r: Run) -> CloseRunDto {
        let status = match (&r.summary, &r.refusal) {
            (Some(_), _) => "done",
            (None, Some(_)) => "refused",
            _ if r.in_progress() && r.total == 0 => "queued",
            _ if r.in_progress() => "running",
            _ => "interrupted",
        };
        let amount = |m: domain::money::Money| m.to_decimal().to_string();
        CloseRunDto {
            status: status.to_owned(),
            done: r.done,
            total: r.total,
            summary: r.summary.map(|s| CloseSummaryDto {
                units: s.units,
                drafted: s.drafted,
                issued: s.issued,
                issued_net: amount(s.issued_net),
                issued_vat: amount(s.issued_vat),
                issued_gross: amount(s.issued_gross),
                accrued: s.accrued,
                accrued_gross: amount(s.accrued_gross),
                waiting: s.waiting,
                drafts_kept: s.drafts_kept,
                errors: s
                    .errors
                    .into_iter()
                    .map(|e| CloseErrorDto {
                        unit: e.unit,
                        key: e.key,
                    })
                    .collect(),
            }),
            refusal: r.refusal.map(|e| e.key),
            id: r.id,
            period: r.period,
        }
    }
}

/// Queue the close of a period: it drafts the validated days not billed
/// yet, accrues what waits for a signature and issues the rest, in the
/// background; follow it at the `Location` given.
#[utoipa::path(post, path = "/api/v1/closes", tag = "invoices", summary = "Queue a month-end close",
    request_body = CloseBody,
    responses((status = 202, body = CloseRunDto, headers(("Location" = String, description = "The run"))),
        (status = 400, description = "Malformed body", body = super::ProblemDoc,
            content_type = "application/problem+json"),
        (status = 422, description = "Invalid period or date, period closed in the ledger, or a close of the period already queued or running",
            body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<CloseBody>,
) -> AppResult<Response> {
    let period = YearMonth::parse(body.period.trim()).ok_or_else(|| {
        AppError::Validation(ValidationErrors::single("period", "invoice-period-invalid"))
    })?;
    let issue_date = super::date_field("issue_date", &body.issue_date)?;
    let c = Close { period, issue_date };
    let run = write(&app, &ctx)
        .commit(async |tx| {
            let id = close::request(tx, &ctx.actor(), c).await?;
            close::run_by_id(tx, &id)
                .await?
                .ok_or(store::Error::NotFound)
        })
        .await?;
    let location = format!("/api/v1/closes/{}", run.id);
    let mut r = (StatusCode::ACCEPTED, Json(CloseRunDto::from(run))).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&location) {
        r.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(r)
}

/// A close run: how far it got, and its summary once finished.
#[utoipa::path(get, path = "/api/v1/closes/{id}", tag = "invoices", summary = "Get a month-end close run",
    params(("id" = uuid::Uuid, Path, description = "Run id")),
    responses((status = 200, body = CloseRunDto),
        (status = 404, description = "No such run", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    Id(id): Id<domain::ids::CloseRunId>,
) -> AppResult<Json<CloseRunDto>> {
    let mut tx = app.db.read().await?;
    let run = close::run_by_id(&mut tx, &id.to_string()).await?;
    tx.commit().await?;
    Ok(Json(run.ok_or(AppError::NotFound)?.into()))
}

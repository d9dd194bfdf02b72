//! Positionings of an opportunity: the consultants proposed, their rate,
//! the expected margin and the client's answer. Amounts are decimal
//! strings (`"600.00"`), dates `YYYY-MM-DD`. The margin is costed as the
//! reader may see it (`authz::margin_basis`): with the grade's standard
//! CJM when the firm hides salaries from him; `null` when the cost is
//! unknown.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::crm::positioning::{AnswerInput, PositioningInput};
use domain::ids::{OpportunityId, PositioningId};
use domain::people::cjm::CostBasis;
use serde::{Deserialize, Serialize};
use store::Tx;
use store::opportunities::positionings::Positioning;
use utoipa::ToSchema;

use super::{amount, created, rfc3339};
use crate::AppState;
use crate::authz::margin_basis;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct PositioningDto {
    pub id: String,
    pub opportunity_id: String,
    pub consultant_id: Option<String>,
    pub consultant_name: Option<String>,
    /// A recruitment candidate instead of a consultant (later).
    pub candidate_id: Option<String>,
    /// The daily rate proposed to the client, a decimal string.
    pub proposed_tjm: String,
    /// The consultant's daily cost on the need's start as the reader may
    /// see it; null when unknown.
    pub daily_cost: Option<String>,
    /// `personal` (his own CJM) or `grade_standard`.
    pub cost_basis: String,
    /// Proposed rate − daily cost; null when the cost is unknown.
    pub margin_per_day: Option<String>,
    /// The day's margin over the days of one position; null when unknown.
    pub margin_total: Option<String>,
    /// `pending`, `accepted` or `refused`.
    pub answer: String,
    pub answered_on: Option<String>,
    pub note: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

fn dto(p: &Positioning, basis: CostBasis) -> PositioningDto {
    PositioningDto {
        id: p.id.to_string(),
        opportunity_id: p.opportunity_id.to_string(),
        consultant_id: p.consultant_id.map(|u| u.to_string()),
        consultant_name: p.consultant_name.clone(),
        candidate_id: p.candidate_id.clone(),
        proposed_tjm: amount(p.proposed_tjm.amount()),
        daily_cost: p.daily_cost.map(amount),
        cost_basis: match basis {
            CostBasis::Personal => "personal",
            CostBasis::GradeStandard => "grade_standard",
        }
        .into(),
        margin_per_day: p.margin.map(|m| amount(m.per_day)),
        margin_total: p.margin.map(|m| amount(m.total)),
        answer: p.answer.as_str().into(),
        answered_on: p.answered_on.map(|d| d.to_string()),
        note: p.note.clone(),
        created_by_name: p.created_by_name.clone(),
        created_at: rfc3339(&p.created_at),
    }
}

/// The cost basis of the signed-in reader.
pub async fn basis(tx: &mut Tx, ctx: &Ctx) -> AppResult<CostBasis> {
    let policy = store::margins::policy(tx).await?;
    Ok(margin_basis(ctx.user()?.role, policy.salaries_hidden))
}

/// The consultants positioned on an opportunity.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/positionings", tag = "opportunities",
    summary = "List the consultants positioned on an opportunity",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    responses((status = 200, body = Vec<PositioningDto>)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
) -> AppResult<Json<Vec<PositioningDto>>> {
    let mut tx = app.db.read().await?;
    let basis = basis(&mut tx, &ctx).await?;
    let items = store::opportunities::positionings::list(&mut tx, ctx.scope()?, id, basis).await?;
    tx.commit().await?;
    Ok(Json(items.iter().map(|p| dto(p, basis)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PositioningBody {
    pub consultant_id: Option<String>,
    /// A decimal string, above zero.
    pub proposed_tjm: Option<String>,
    pub note: Option<String>,
}

/// Positions a consultant (once per opportunity); the answer is pending.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/positionings", tag = "opportunities",
    summary = "Position a consultant on an opportunity",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    request_body = PositioningBody,
    responses((status = 201, body = PositioningDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Body(b): Body<PositioningBody>,
) -> AppResult<Response> {
    let input = PositioningInput {
        consultant_id: b.consultant_id.unwrap_or_default(),
        proposed_tjm: b.proposed_tjm.unwrap_or_default(),
        note: b.note.unwrap_or_default(),
    };
    let new = input.validate().map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let (p, basis) = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let basis = basis(tx, &ctx).await?;
            let p = store::opportunities::positionings::create(
                tx,
                &ctx.actor(),
                scope,
                id,
                &new,
                basis,
            )
            .await?;
            Ok((p, basis))
        })
        .await?;
    Ok(created(
        format!("/api/v1/opportunities/{id}/positionings/{}", p.id),
        dto(&p, basis),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `pending`, `accepted` or `refused`.
    pub answer: Option<String>,
    /// `YYYY-MM-DD`, not before the positioning; required unless pending.
    pub answered_on: Option<String>,
}

/// Records the client's answer.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}/positionings/{positioning_id}",
    tag = "opportunities", summary = "Record the client's answer to a positioning",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id"),
           ("positioning_id" = uuid::Uuid, Path, description = "Positioning id")),
    request_body = AnswerBody,
    responses((status = 200, body = PositioningDto)),
    security(("bearer" = [])))]
pub async fn answer(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, positioning)): Path<(String, String)>,
    Body(b): Body<AnswerBody>,
) -> AppResult<Json<PositioningDto>> {
    let id = OpportunityId::parse(&id).ok_or(AppError::NotFound)?;
    let positioning = PositioningId::parse(&positioning).ok_or(AppError::NotFound)?;
    let input = AnswerInput {
        answer: b.answer.unwrap_or_default(),
        answered_on: b.answered_on.unwrap_or_default(),
    };
    let scope = ctx.scope()?;
    let (p, basis) = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let basis = basis(tx, &ctx).await?;
            let p = store::opportunities::positionings::answer(
                tx,
                &ctx.actor(),
                scope,
                id,
                positioning,
                basis,
                |on| input.validate(on),
            )
            .await?;
            Ok((p, basis))
        })
        .await?;
    Ok(Json(dto(&p, basis)))
}

//! The firm's margin rules over the API: who carries bench cost, and
//! whether salaries are hidden from business and delivery managers.

use axum::Json;
use axum::extract::State;
use domain::margin::bench::BenchAllocation;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::margins::MarginPolicy;
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Json as Body;
use crate::write::write;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarginPolicyDto {
    /// `consultant_bm` (to the consultant's business manager, default),
    /// `agency` or `agency_missions` (spread over the agency's missions by
    /// days).
    pub bench_allocation: String,
    /// Business and delivery managers see margins at the grade's standard
    /// CJM, never a person's own (default true).
    pub salaries_hidden: bool,
}

impl From<MarginPolicy> for MarginPolicyDto {
    fn from(p: MarginPolicy) -> Self {
        MarginPolicyDto {
            bench_allocation: p.bench.as_str().into(),
            salaries_hidden: p.salaries_hidden,
        }
    }
}

impl MarginPolicyDto {
    pub fn validate(&self) -> Result<MarginPolicy, ValidationErrors> {
        BenchAllocation::parse(self.bench_allocation.trim())
            .map(|bench| MarginPolicy {
                bench,
                salaries_hidden: self.salaries_hidden,
            })
            .ok_or_else(|| ValidationErrors::single("bench_allocation", "margin-bench-invalid"))
    }
}

/// The margin rules.
#[utoipa::path(get, path = "/api/v1/margin-policy", tag = "people",
    summary = "Get the margin rules",
    responses((status = 200, body = MarginPolicyDto)),
    security(("bearer" = [])))]
pub async fn show(State(app): State<AppState>, _ctx: Ctx) -> AppResult<Json<MarginPolicyDto>> {
    let mut tx = app.db.read().await?;
    let p = store::margins::policy(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(p.into()))
}

/// Set the margin rules (audited).
#[utoipa::path(put, path = "/api/v1/margin-policy", tag = "people",
    summary = "Set the margin rules",
    request_body = MarginPolicyDto,
    responses((status = 200, body = MarginPolicyDto),
        (status = 422, description = "`bench_allocation` unknown (`margin-bench-invalid`): nothing written", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<MarginPolicyDto>,
) -> AppResult<Json<MarginPolicyDto>> {
    let p = body.validate().map_err(AppError::Validation)?;
    write(&app, &ctx)
        .commit(async |tx| store::margins::set_policy(tx, &ctx.actor(), p).await)
        .await?;
    Ok(Json(p.into()))
}

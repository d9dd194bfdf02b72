//! The margin lock over the API: the last month whose margins are final
//! (a cost entered later with effect on it lands in the first open month).

use axum::Json;
use axum::extract::State;
use domain::calendar::YearMonth;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Json as Body;
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct MarginLockDto {
    /// `YYYY-MM`, the last locked month; null: nothing locked.
    pub locked_through: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarginLockBody {
    /// `YYYY-MM`: a month that is over, not before the current lock.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub month: String,
}

async fn current(app: &AppState) -> AppResult<MarginLockDto> {
    let mut tx = app.db.read().await?;
    let (_, lock) = store::costs::settings(&mut tx).await?;
    tx.commit().await?;
    Ok(MarginLockDto {
        locked_through: lock.locked_through().map(|m| m.to_string()),
    })
}

/// The margin lock.
#[utoipa::path(get, path = "/api/v1/margin-lock", tag = "people",
    summary = "Get the margin lock",
    responses((status = 200, body = MarginLockDto)),
    security(("bearer" = [])))]
pub async fn show(State(app): State<AppState>, _ctx: Ctx) -> AppResult<Json<MarginLockDto>> {
    Ok(Json(current(&app).await?))
}

/// Lock margins through a month (audited). A lock only moves forward.
#[utoipa::path(put, path = "/api/v1/margin-lock", tag = "people",
    summary = "Lock margins through a month",
    request_body = MarginLockBody,
    responses((status = 200, body = MarginLockDto),
        (status = 422, description = "`month` not a month, not over yet (`margin-lock-month-not-over`), or before the current lock (`margin-lock-backwards`): nothing written", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn lock(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<MarginLockBody>,
) -> AppResult<Json<MarginLockDto>> {
    let month = YearMonth::parse(body.month.trim()).ok_or_else(|| {
        AppError::Validation(ValidationErrors::single(
            "month",
            "margin-lock-month-invalid",
        ))
    })?;
    write(&app, &ctx)
        .commit(async |tx| store::costs::lock_margins(tx, &ctx.actor(), month).await)
        .await?;
    Ok(Json(current(&app).await?))
}

//! The portfolio of a mission or of an account (client company) over the
//! API: its business managers over dated periods with their shares, and
//! (direction, admin) replacing them as a whole. A refusal names the field of its row (`periods[1].share`) or,
//! when the periods do not fit together, `periods`.

use axum::Json;
use axum::extract::State;
use domain::ids::{CompanyId, MissionId};
use domain::people::portfolio::{self, PortfolioPeriodInput};
use serde::{Deserialize, Serialize};
use store::portfolio::{Holder, PortfolioLine};
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body};
use crate::write::write;

/// One business manager's share over a period.
#[derive(Serialize, ToSchema)]
pub struct PortfolioPeriodDto {
    pub business_manager_id: String,
    pub business_manager_name: String,
    /// First day, ISO 8601.
    pub from: String,
    /// Last day included, ISO 8601; null: until further notice.
    pub to: Option<String>,
    /// Percentage as a decimal string, e.g. `"70"`, `"33.33"`.
    pub share: String,
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioDto {
    pub mission_id: String,
    /// Oldest first.
    pub periods: Vec<PortfolioPeriodDto>,
    /// The owner shown on the mission (the largest share today), if any.
    pub current_business_manager_id: Option<String>,
}

/// An account's business managers and their shares over time.
#[derive(Serialize, ToSchema)]
pub struct CompanyPortfolioDto {
    pub company_id: String,
    /// Oldest first.
    pub periods: Vec<PortfolioPeriodDto>,
    /// The owner with the largest share today, if any.
    pub current_business_manager_id: Option<String>,
}

fn dto(mission: MissionId, lines: &[PortfolioLine]) -> PortfolioDto {
    let (periods, current) = periods_dto(lines);
    PortfolioDto {
        mission_id: mission.to_string(),
        periods,
        current_business_manager_id: current,
    }
}

fn company_dto(company: CompanyId, lines: &[PortfolioLine]) -> CompanyPortfolioDto {
    let (periods, current) = periods_dto(lines);
    CompanyPortfolioDto {
        company_id: company.to_string(),
        periods,
        current_business_manager_id: current,
    }
}

/// The periods as sent, and today's owner.
fn periods_dto(lines: &[PortfolioLine]) -> (Vec<PortfolioPeriodDto>, Option<String>) {
    let periods: Vec<_> = lines.iter().map(|l| l.period).collect();
    (
        lines
            .iter()
            .map(|l| PortfolioPeriodDto {
                business_manager_id: l.period.bm_id.to_string(),
                business_manager_name: l.business_manager_name.clone(),
                from: l.period.from.to_string(),
                to: l.period.to.map(|d| d.to_string()),
                share: l.period.share.percent().to_string(),
            })
            .collect(),
        portfolio::current_owner(&periods, store::today()).map(|u| u.to_string()),
    )
}

/// A period as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioPeriodBody {
    pub business_manager_id: String,
    /// ISO 8601 (or DD/MM/YYYY).
    pub from: String,
    /// Last day included; absent or null: until further notice.
    pub to: Option<String>,
    /// Percentage above 0 and at most 100, two decimals at most; absent: 100.
    pub share: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioBody {
    /// Every period, replacing those stored; on each day covered the
    /// shares add up to 100 % and a manager appears once.
    #[schema(max_items = 20)]
    pub periods: Vec<PortfolioPeriodBody>,
}

/// A mission's business managers and their shares over time.
#[utoipa::path(get, path = "/api/v1/missions/{id}/portfolio", tag = "missions",
    summary = "Get a mission's portfolio",
    params(("id" = uuid::Uuid, Path, description = "Mission id")),
    responses((status = 200, body = PortfolioDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
) -> AppResult<Json<PortfolioDto>> {
    let lines = lines_of(&app, &ctx, id.into()).await?;
    Ok(Json(dto(id, &lines)))
}

/// Replace a mission's portfolio; the mission's business manager becomes
/// the owner with the largest share today. Audited.
#[utoipa::path(put, path = "/api/v1/missions/{id}/portfolio", tag = "missions",
    summary = "Replace a mission's portfolio",
    params(("id" = uuid::Uuid, Path, description = "Mission id")),
    request_body = PortfolioBody,
    responses((status = 200, body = PortfolioDto),
        (status = 422, description = "A period's field (`periods[1].share`), or periods that do not fit together (`periods`: shares not adding up to 100 % on a day, a manager twice on a day, none at all), or a user who may not manage missions: nothing written", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn replace(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    Body(body): Body<PortfolioBody>,
) -> AppResult<Json<PortfolioDto>> {
    let lines = replace_lines(&app, &ctx, id.into(), body).await?;
    Ok(Json(dto(id, &lines)))
}

/// Refuses, as not found, a mission or an account the caller may not see.
async fn check_visible(tx: &mut store::Tx, scope: store::Scope, holder: Holder) -> AppResult<()> {
    match holder {
        Holder::Mission(id) => {
            store::missions::get(tx, scope, id).await?;
        }
        Holder::Company(id) => {
            store::companies::get(tx, scope, id).await?;
        }
    }
    Ok(())
}

/// The periods of a mission or an account the caller may see.
async fn lines_of(app: &AppState, ctx: &Ctx, holder: Holder) -> AppResult<Vec<PortfolioLine>> {
    let mut tx = app.db.read().await?;
    check_visible(&mut tx, ctx.scope()?, holder).await?;
    let lines = store::portfolio::of(&mut tx, holder).await?;
    tx.commit().await?;
    Ok(lines)
}

/// Replaces the periods of a mission or an account: the holder first (one
/// the caller may not see is not found, before anything about its periods
/// is said), then the periods checked, then written in one transaction.
async fn replace_lines(
    app: &AppState,
    ctx: &Ctx,
    holder: Holder,
    body: PortfolioBody,
) -> AppResult<Vec<PortfolioLine>> {
    let inputs = inputs(body);
    {
        let mut tx = app.db.read().await?;
        check_visible(&mut tx, ctx.scope()?, holder).await?;
        tx.commit().await?;
    }
    let periods = store::portfolio::validate(&inputs).map_err(AppError::Validation)?;
    write(app, ctx)
        .commit(async |tx| {
            store::portfolio::replace(tx, &ctx.actor(), holder, &periods, store::today()).await
        })
        .await
}

/// The periods as typed, for the domain to check.
fn inputs(body: PortfolioBody) -> Vec<PortfolioPeriodInput> {
    body.periods
        .into_iter()
        .map(|p| PortfolioPeriodInput {
            bm_id: p.business_manager_id,
            from: p.from,
            to: p.to.unwrap_or_default(),
            share: p.share.unwrap_or_default(),
        })
        .collect()
}

/// An account's business managers and their shares over time.
#[utoipa::path(get, path = "/api/v1/companies/{id}/portfolio", tag = "companies",
    summary = "Get an account's portfolio",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    responses((status = 200, body = CompanyPortfolioDto)),
    security(("bearer" = [])))]
pub async fn company_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Json<CompanyPortfolioDto>> {
    let lines = lines_of(&app, &ctx, id.into()).await?;
    Ok(Json(company_dto(id, &lines)))
}

/// Replace an account's portfolio, under the rules of a mission's.
/// Audited.
#[utoipa::path(put, path = "/api/v1/companies/{id}/portfolio", tag = "companies",
    summary = "Replace an account's portfolio",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    request_body = PortfolioBody,
    responses((status = 200, body = CompanyPortfolioDto),
        (status = 422, description = "A period's field (`periods[1].share`), or periods that do not fit together (`periods`: shares not adding up to 100 % on a day, a manager twice on a day, none at all), or a user who may not manage accounts: nothing written", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn company_replace(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Body(body): Body<PortfolioBody>,
) -> AppResult<Json<CompanyPortfolioDto>> {
    let lines = replace_lines(&app, &ctx, id.into(), body).await?;
    Ok(Json(company_dto(id, &lines)))
}

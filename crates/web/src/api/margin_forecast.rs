//! The 90-day forecast margin over the API: the same figures as the
//! page (`/margins/forecast`), costs as the caller may see them; an
//! unknown cost is `null`, never zero.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::amount;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::pages::margin_forecast::{known_rate, load, mission_names, months};

#[derive(Serialize, ToSchema)]
pub struct ForecastMonthDto {
    /// `YYYY-MM`.
    pub month: String,
    /// Revenue to come, a decimal string.
    pub revenue: String,
    /// Null when some day's cost is unknown.
    pub cost: Option<String>,
    pub margin: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ForecastMissionDto {
    pub mission_id: String,
    pub title: String,
    pub client: String,
    pub consultant_id: String,
    pub consultant: String,
    /// The mission's end as amended, ISO 8601.
    pub ends: String,
    /// Working days to come in the window, a decimal string (`"39"`, `"1.5"`).
    pub days: String,
    pub revenue: String,
    pub cost: Option<String>,
    pub margin: Option<String>,
    /// Margin ÷ revenue in percent (`"44.83"`).
    pub rate: Option<String>,
    /// Ends within 60 days with no renewal decision recorded.
    pub renewal_at_risk: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ForecastDto {
    /// The window: tomorrow to 90 days from today, ISO 8601.
    pub from: String,
    pub to: String,
    /// `personal` (each person's CJM) or `grade_standard`.
    pub cost_basis: String,
    pub revenue: String,
    /// Over the missions whose cost is known.
    pub margin_known: String,
    /// `margin_known` ÷ the revenue of those missions, in percent.
    pub rate_known: Option<String>,
    /// Revenue of the missions whose cost is unknown.
    pub revenue_without_cost: String,
    pub renewals_at_risk: u64,
    pub months: Vec<ForecastMonthDto>,
    pub missions: Vec<ForecastMissionDto>,
    /// The open opportunities starting in the window, weighted, apart from
    /// the missions.
    pub pipeline: Option<ForecastPipelineDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ForecastPipelineDto {
    pub count: u32,
    /// Expected revenue × probability.
    pub weighted_revenue: String,
    /// Over the opportunities whose daily cost is known only; null when
    /// none has one (revenue is never read as margin).
    pub weighted_margin_known: Option<String>,
    /// Weighted revenue of those without a known cost.
    pub weighted_revenue_without_cost: String,
}

/// The 90-day forecast margin of the missions in progress.
#[utoipa::path(get, path = "/api/v1/margins/forecast", tag = "people",
    summary = "The 90-day forecast margin",
    responses((status = 200, body = ForecastDto),
        (status = 401, description = "Not signed in", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Consultants and client contacts see no margin", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn forecast(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<ForecastDto>> {
    let (f, names, basis) = load(&app, &ctx).await?;
    Ok(Json(ForecastDto {
        from: f.from.to_string(),
        to: f.to.to_string(),
        cost_basis: basis.as_str().into(),
        revenue: amount(f.revenue),
        margin_known: amount(f.margin_known),
        rate_known: known_rate(&f).map(|r| r.percent().to_string()),
        revenue_without_cost: amount(f.revenue_without_cost),
        renewals_at_risk: f.at_risk as u64,
        months: months(&f)
            .into_iter()
            .map(|(month, revenue, cost)| ForecastMonthDto {
                month: month.to_string(),
                revenue: amount(revenue),
                cost: cost.map(amount),
                margin: cost.map(|c| amount(revenue - c)),
            })
            .collect(),
        missions: f
            .missions
            .iter()
            .map(|m| {
                let (title, client, consultant) = mission_names(&names, m);
                ForecastMissionDto {
                    mission_id: m.mission.to_string(),
                    title,
                    client,
                    consultant_id: m.consultant.to_string(),
                    consultant,
                    ends: m.ends.to_string(),
                    days: m.days.as_decimal().to_string(),
                    revenue: amount(m.revenue),
                    cost: m.cost.map(amount),
                    margin: m.margin().map(amount),
                    rate: m.rate().map(|r| r.percent().to_string()),
                    renewal_at_risk: m.renewal_at_risk,
                }
            })
            .collect(),
        pipeline: f.pipeline.map(|p| ForecastPipelineDto {
            count: p.count,
            weighted_revenue: amount(p.weighted_revenue),
            weighted_margin_known: (p.weighted_revenue != p.weighted_revenue_without_cost)
                .then(|| amount(p.weighted_margin_known)),
            weighted_revenue_without_cost: amount(p.weighted_revenue_without_cost),
        }),
    }))
}

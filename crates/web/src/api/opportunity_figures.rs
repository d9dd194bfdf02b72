//! The pipeline in covered days and the foisonnement over the API: the
//! same figures as the pages (`/opportunities/pipeline`,
//! `/opportunities/foisonnement`), in the caller's scope. Amounts are
//! decimal strings, covered days decimal strings of days (`"24"`,
//! `"12.5"`), rates percentages as decimal strings.

use axum::Json;
use axum::extract::State;
use domain::crm::foisonnement::Figures as Born;
use domain::crm::pipeline::Figures;
use serde::Serialize;
use utoipa::ToSchema;

use super::amount;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::pages::opportunities::foisonnement::{PeriodQuery, named};
use crate::pages::opportunities::pipeline as page;

/// Hundredths of a day as a decimal string of days.
fn days(hundredths: i64) -> String {
    match hundredths % 100 {
        0 => (hundredths / 100).to_string(),
        f => format!(
            "{}.{}",
            hundredths / 100,
            format!("{f:02}").trim_end_matches('0')
        ),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PipelineFiguresDto {
    /// The business manager's, account's or agency's id; null: managers
    /// without an agency.
    pub id: Option<String>,
    pub name: String,
    pub count: u32,
    pub expected: String,
    pub weighted: String,
    pub covered_days: String,
    /// Working days of the consultants of the group becoming free.
    pub free_days: u32,
}

impl PipelineFiguresDto {
    fn of(id: Option<String>, name: String, f: &Figures) -> Self {
        PipelineFiguresDto {
            id,
            name,
            count: f.count,
            expected: amount(f.expected),
            weighted: amount(f.weighted),
            covered_days: days(f.covered),
            free_days: f.free_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PipelineMonthDto {
    /// `YYYY-MM`.
    pub month: String,
    /// Covered days of the needs starting in the month.
    pub covered_days: String,
    /// Free days of the consultants becoming free in the month.
    pub free_days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineLineDto {
    pub opportunity_id: String,
    pub title: String,
    pub client_id: String,
    pub business_manager_id: String,
    /// ISO 8601.
    pub start_date: String,
    /// Days of one position still to come.
    pub remaining_days: String,
    pub positions: u32,
    /// Percent, a decimal string (`"30"`).
    pub probability: String,
    pub expected: String,
    pub weighted: String,
    pub covered_days: String,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineDto {
    /// Today and the horizon (today + 90 days), ISO 8601.
    pub today: String,
    pub horizon: String,
    pub total: PipelineFiguresDto,
    pub by_business_manager: Vec<PipelineFiguresDto>,
    pub by_account: Vec<PipelineFiguresDto>,
    pub by_agency: Vec<PipelineFiguresDto>,
    pub months: Vec<PipelineMonthDto>,
    pub opportunities: Vec<PipelineLineDto>,
}

/// The pipeline in covered days: Σ over the open opportunities starting
/// within 90 days of remaining days × positions × probability, against the
/// consultants becoming free.
#[utoipa::path(get, path = "/api/v1/opportunities/pipeline", tag = "opportunities",
    summary = "The pipeline in covered days",
    responses((status = 200, body = PipelineDto),
        (status = 401, description = "Not signed in", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Consultants, client contacts and recruiters see no opportunity", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn pipeline(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<PipelineDto>> {
    let (v, names) = page::load(&app, &ctx).await?;
    fn name<K: Ord>(m: &std::collections::BTreeMap<K, String>, k: &K) -> String {
        m.get(k).cloned().unwrap_or_default()
    }
    Ok(Json(PipelineDto {
        today: v.today.to_string(),
        horizon: v.horizon.to_string(),
        total: PipelineFiguresDto::of(None, String::new(), &v.total),
        by_business_manager: v
            .by_business_manager
            .iter()
            .map(|(id, f)| PipelineFiguresDto::of(Some(id.to_string()), name(&names.users, id), f))
            .collect(),
        by_account: v
            .by_account
            .iter()
            .map(|(id, f)| {
                PipelineFiguresDto::of(Some(id.to_string()), name(&names.companies, id), f)
            })
            .collect(),
        by_agency: v
            .by_agency
            .iter()
            .map(|(id, f)| {
                let n = id
                    .and_then(|a| names.agencies.get(&a).cloned())
                    .unwrap_or_default();
                PipelineFiguresDto::of(id.map(|a| a.to_string()), n, f)
            })
            .collect(),
        months: v
            .months
            .iter()
            .map(|(m, (covered, free))| PipelineMonthDto {
                month: m.to_string(),
                covered_days: days(*covered),
                free_days: *free,
            })
            .collect(),
        opportunities: v
            .lines
            .iter()
            .map(|l| PipelineLineDto {
                opportunity_id: l.opportunity.to_string(),
                title: names
                    .opportunities
                    .get(&l.opportunity)
                    .cloned()
                    .unwrap_or_default(),
                client_id: l.account.to_string(),
                business_manager_id: l.business_manager.to_string(),
                start_date: l.start.to_string(),
                remaining_days: days(i64::from(l.remaining.half_days()) * 50),
                positions: l.positions,
                probability: l.probability.percent().normalize().to_string(),
                expected: amount(l.expected),
                weighted: amount(l.weighted),
                covered_days: days(l.covered()),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FoisonnementFiguresDto {
    /// The account's or business manager's id; null on the total.
    pub id: Option<String>,
    pub name: String,
    pub born: u32,
    pub born_value: String,
    pub won: u32,
    pub won_value: String,
    pub lost: u32,
    pub open: u32,
    /// Won ÷ closed (won + lost) in percent; null while none is closed.
    pub conversion: Option<String>,
}

impl FoisonnementFiguresDto {
    fn of(id: Option<String>, name: String, f: &Born) -> Self {
        FoisonnementFiguresDto {
            id,
            name,
            born: f.born,
            born_value: amount(f.born_value),
            won: f.won,
            won_value: amount(f.won_value),
            lost: f.lost,
            open: f.open(),
            conversion: f.conversion().map(|p| p.percent().normalize().to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FoisonnementDto {
    /// The period counted, ISO 8601, both days included.
    pub from: String,
    pub to: String,
    pub total: FoisonnementFiguresDto,
    pub by_account: Vec<FoisonnementFiguresDto>,
    pub by_business_manager: Vec<FoisonnementFiguresDto>,
}

/// Foisonnement: the child opportunities born in follow-up meetings and
/// created in the period, per account and per business manager.
#[utoipa::path(get, path = "/api/v1/opportunities/foisonnement", tag = "opportunities",
    summary = "Foisonnement: opportunities born in follow-up meetings",
    params(PeriodQuery),
    responses((status = 200, body = FoisonnementDto),
        (status = 401, description = "Not signed in", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Consultants, client contacts and recruiters see no opportunity", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`from` or `to` is not a date, or `from` is after `to`", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn foisonnement(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<FoisonnementDto>> {
    let period = q.period(store::today()).map_err(AppError::Validation)?;
    let (f, names) = crate::pages::opportunities::foisonnement::load(&app, &ctx, period).await?;
    let (accounts, managers) = named(&f, &names);
    Ok(Json(FoisonnementDto {
        from: period.from.to_string(),
        to: period.to.to_string(),
        total: FoisonnementFiguresDto::of(None, String::new(), &f.total),
        by_account: accounts
            .iter()
            .map(|(id, n, x)| FoisonnementFiguresDto::of(Some(id.clone()), n.clone(), x))
            .collect(),
        by_business_manager: managers
            .iter()
            .map(|(id, n, x)| FoisonnementFiguresDto::of(Some(id.clone()), n.clone(), x))
            .collect(),
    }))
}

//! Margins over the API: a table by mission, account, business manager,
//! agency or consultant over a range of months, and one mission's margin
//! month by month. Costs as the caller may see them (business and
//! delivery managers: the grade's standard CJM when salaries are hidden);
//! an unknown cost is `null`, never zero.

use axum::Json;
use axum::extract::State;
use domain::calendar::YearMonth;
use domain::margin::views::{self, Dimension, RowKey, Totals};
use domain::people::cjm::CostBasis;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::amount;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Query};
use crate::pages::margins::{check_dimension, load, row_id, row_name};

/// The most months one request may span.
const MAX_MONTHS: u32 = 60;

#[derive(Serialize, ToSchema)]
pub struct FiguresDto {
    /// Revenue booked (HT), a decimal string (`"12000.00"`).
    pub revenue: String,
    /// The cost; null when some of it is unknown (a person without an
    /// employee record or cost version, or without a grade's standard).
    pub cost: Option<String>,
    /// Revenue − cost; null when the cost is unknown.
    pub margin: Option<String>,
    /// Margin ÷ revenue in percent (`"44.83"`); null without revenue or
    /// cost.
    pub rate: Option<String>,
    /// Of the cost, what back-dated cost changes brought to it: the
    /// adjustments of locked months booked in these months (the locked
    /// months themselves never change). Null when there is none.
    pub adjustment: Option<String>,
}

impl From<&Totals> for FiguresDto {
    fn from(t: &Totals) -> Self {
        FiguresDto {
            revenue: amount(t.revenue),
            cost: t.cost().map(amount),
            margin: t.margin().map(amount),
            rate: t.rate().map(|r| r.percent().to_string()),
            adjustment: t.adjustment().map(amount),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MarginRowDto {
    /// `mission`, `account`, `bm`, `agency`, `consultant`, `bench` (bench
    /// carried outside any mission) or `unassigned` (nobody's).
    pub kind: String,
    /// The record's id; `bench` or `unassigned` for those rows.
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: FiguresDto,
}

#[derive(Serialize, ToSchema)]
pub struct MarginPage {
    pub by: String,
    /// `YYYY-MM`.
    pub from: String,
    pub to: String,
    /// `personal` (each person's CJM) or `grade_standard`.
    pub cost_basis: String,
    pub total: FiguresDto,
    pub items: Vec<MarginRowDto>,
    pub page: u32,
    pub per_page: u32,
    pub total_items: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarginParams {
    /// `mission` (default), `account`, `bm`, `agency` or `consultant`
    /// (finance, direction, admin only: 403 otherwise).
    pub by: Option<String>,
    /// First month, `YYYY-MM` (default: `to`).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: last month); at most 60 months
    /// after `from`.
    pub to: Option<String>,
    /// Page number, from 1; out of range: 422 naming `page`.
    pub page: Option<String>,
    /// Items per page, 1–200 (default 25); out of range: 422 naming `per_page`.
    pub per_page: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// First month, `YYYY-MM` (default: eleven months before `to`).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
}

fn month(
    field: &'static str,
    raw: Option<&str>,
    default: YearMonth,
) -> Result<YearMonth, ValidationErrors> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => YearMonth::parse(s)
            .ok_or_else(|| ValidationErrors::single(field, "margin-month-invalid")),
    }
}

fn range(
    from: Option<&str>,
    to: Option<&str>,
    default_to: YearMonth,
    default_span: u32,
) -> AppResult<(YearMonth, YearMonth)> {
    let to = month("to", to, default_to).map_err(AppError::Validation)?;
    let from = month("from", from, crate::pages::margins::back(to, default_span))
        .map_err(AppError::Validation)?;
    if from > to {
        return Err(AppError::Validation(ValidationErrors::single(
            "from",
            "margin-range-backwards",
        )));
    }
    if crate::pages::margins::back(to, MAX_MONTHS - 1) > from {
        return Err(AppError::Validation(ValidationErrors::single(
            "from",
            "margin-range-too-long",
        )));
    }
    Ok((from, to))
}

fn basis_str(b: CostBasis) -> String {
    b.as_str().into()
}

/// Margins by mission, account, business manager, agency or consultant.
#[utoipa::path(get, path = "/api/v1/margins", tag = "people",
    summary = "Margins over a range of months",
    params(MarginParams),
    responses((status = 200, body = MarginPage),
        (status = 400, description = "Malformed query string", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Consultants and client contacts see no margin; the consultant view is for finance, direction and admin", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`by`, `from`, `to`, `page` or `per_page` refused (unknown view, not a month, `from` after `to`, more than 60 months)", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MarginParams>,
) -> AppResult<Json<MarginPage>> {
    let dim = match q.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Dimension::Mission,
        Some(s) => Dimension::parse(s).ok_or_else(|| {
            AppError::Validation(ValidationErrors::single("by", "margin-by-invalid"))
        })?,
    };
    let paging = domain::paging::PageRequest::parse(q.page.as_deref(), q.per_page.as_deref())
        .map_err(AppError::Validation)?;
    let (from, to) = range(
        q.from.as_deref(),
        q.to.as_deref(),
        YearMonth::of(store::today()).prev(),
        0,
    )?;
    check_dimension(&ctx, dim)?;
    let m = load_range(&app, &ctx, from, to).await?;
    let mut rows: Vec<(RowKey, Totals)> = views::by(&m.facts, dim, from, to).into_iter().collect();
    rows.sort_by(|a, b| b.1.revenue.cmp(&a.1.revenue).then(a.0.cmp(&b.0)));
    let total = views::total(&views::by(&m.facts, dim, from, to));
    let total_items = rows.len() as u64;
    let start = ((paging.page - 1) as usize).saturating_mul(paging.per_page as usize);
    let items = rows
        .iter()
        .skip(start)
        .take(paging.per_page as usize)
        .map(|(key, t)| MarginRowDto {
            kind: match key {
                RowKey::Bench => "bench".into(),
                RowKey::Unassigned => "unassigned".into(),
                _ => dim.as_str().into(),
            },
            id: row_id(*key),
            name: row_name(&m.names, *key, ctx.locale),
            figures: t.into(),
        })
        .collect();
    Ok(Json(MarginPage {
        by: dim.as_str().into(),
        from: from.to_string(),
        to: to.to_string(),
        cost_basis: basis_str(m.basis),
        total: (&total).into(),
        items,
        page: paging.page,
        per_page: paging.per_page,
        total_items,
    }))
}

/// Margins of the range, which may be longer than the page's twelve months.
async fn load_range(
    app: &AppState,
    ctx: &Ctx,
    from: YearMonth,
    to: YearMonth,
) -> AppResult<store::margins::Margins> {
    if crate::pages::margins::back(to, 11) <= from {
        return load(app, ctx, to).await;
    }
    let mut tx = app.db.read().await?;
    let policy = store::margins::policy(&mut tx).await?;
    let basis = crate::authz::margin_basis(ctx.user()?.role, policy.salaries_hidden);
    let m = store::margins::compute(&mut tx, ctx.scope()?, from, to, basis, store::today()).await?;
    tx.commit().await?;
    Ok(m)
}

#[derive(Serialize, ToSchema)]
pub struct MonthFiguresDto {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub figures: FiguresDto,
}

#[derive(Serialize, ToSchema)]
pub struct MissionMarginDto {
    pub mission_id: String,
    pub from: String,
    pub to: String,
    pub cost_basis: String,
    pub total: FiguresDto,
    pub months: Vec<MonthFiguresDto>,
}

/// One mission's margin month by month (revenue from the ledger, cost
/// from its days at the CJM in force, bench spread to it if the firm's
/// rule says so).
#[utoipa::path(get, path = "/api/v1/missions/{id}/margin", tag = "people",
    summary = "A mission's margin",
    params(("id" = String, Path, format = Uuid), RangeParams),
    responses((status = 200, body = MissionMarginDto),
        (status = 400, description = "Malformed id or query string", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Consultants and client contacts see no margin", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such mission, or not visible", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`from` or `to` refused", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn mission(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<domain::ids::MissionId>,
    Query(q): Query<RangeParams>,
) -> AppResult<Json<MissionMarginDto>> {
    let (from, to) = range(
        q.from.as_deref(),
        q.to.as_deref(),
        YearMonth::of(store::today()),
        11,
    )?;
    // The mission's own facts, not the firm's cut to it.
    let mut tx = app.db.read().await?;
    let policy = store::margins::policy(&mut tx).await?;
    let basis = crate::authz::margin_basis(ctx.user()?.role, policy.salaries_hidden);
    let m =
        store::margins::compute_mission(&mut tx, ctx.scope()?, id, from, to, basis, store::today())
            .await?;
    tx.commit().await?;
    if !m.names.missions.contains_key(&id) {
        return Err(AppError::NotFound);
    }
    let key = RowKey::Mission(id);
    let months = views::monthly(&m.facts, Dimension::Mission, Some(key), from, to);
    let total = views::by(&m.facts, Dimension::Mission, from, to)
        .get(&key)
        .copied()
        .unwrap_or_default();
    Ok(Json(MissionMarginDto {
        mission_id: id.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        cost_basis: basis_str(m.basis),
        total: (&total).into(),
        months: months
            .iter()
            .map(|(month, t)| MonthFiguresDto {
                month: month.to_string(),
                figures: t.into(),
            })
            .collect(),
    }))
}

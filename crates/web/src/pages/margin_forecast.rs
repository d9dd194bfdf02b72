//! The 90-day forecast margin (ACCOUNTING.md §9): what the missions in
//! progress will earn and cost from tomorrow to the horizon if nothing
//! changes, month by month and per mission, with the renewals at risk
//! flagged. Costs as the reader may see them (`authz::margin_basis`), the
//! same rule as the live margin, so a forecast month turns into the same
//! figures once worked.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::YearMonth;
use domain::locale::{Locale, format_date};
use domain::margin::forecast::{Forecast, MissionForecast};
use domain::margin::{MarginRate, margin_rate};
use domain::money::Money;
use domain::people::cjm::CostBasis;
use store::margins::Names;

use crate::authz::margin_basis;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};
use crate::{AppState, chart, i18n};

/// The forecast of the reader's scope, costs on his basis.
pub async fn load(app: &AppState, ctx: &Ctx) -> AppResult<(Forecast, Names, CostBasis)> {
    let mut tx = app.db.read().await?;
    let policy = store::margins::policy(&mut tx).await?;
    let basis = margin_basis(ctx.user()?.role, policy.salaries_hidden);
    let (forecast, names) =
        store::margin_forecast::forecast(&mut tx, ctx.scope()?, basis, store::today()).await?;
    tx.commit().await?;
    Ok((forecast, names, basis))
}

/// The mission's title and client, and its consultant.
pub fn mission_names(names: &Names, m: &MissionForecast) -> (String, String, String) {
    let mission = names.missions.get(&m.mission);
    (
        mission.map(|n| n.title.clone()).unwrap_or_default(),
        mission
            .and_then(|n| names.companies.get(&n.client_id).cloned())
            .unwrap_or_default(),
        names.users.get(&m.consultant).cloned().unwrap_or_default(),
    )
}

/// Revenue, cost (when every day's is known) and margin of each month of
/// the window, over every mission.
pub fn months(f: &Forecast) -> Vec<(YearMonth, Money, Option<Money>)> {
    let mut out: std::collections::BTreeMap<YearMonth, (Money, Option<Money>)> = Default::default();
    for m in &f.missions {
        for (month, (revenue, cost)) in &m.months {
            let e = out
                .entry(*month)
                .or_insert((Money::ZERO, Some(Money::ZERO)));
            e.0 += *revenue;
            e.1 = e.1.zip(*cost).map(|(a, b)| a + b);
        }
    }
    out.into_iter().map(|(m, (r, c))| (m, r, c)).collect()
}

/// The rate of the known margin on the revenue it was earned on.
pub fn known_rate(f: &Forecast) -> Option<MarginRate> {
    margin_rate(f.margin_known, f.revenue - f.revenue_without_cost)
}

struct Row {
    href: String,
    title: String,
    client: String,
    consultant: String,
    ends: String,
    days: String,
    revenue: String,
    cost: String,
    margin: String,
    rate: String,
    loss: bool,
    at_risk: bool,
}

#[derive(Template)]
#[template(path = "margins/forecast.html")]
struct Page {
    layout: Layout,
    window: String,
    standard: bool,
    revenue: String,
    margin: String,
    rate: String,
    without_cost: String,
    has_without_cost: bool,
    at_risk: usize,
    chart: String,
    rows: Vec<Row>,
    /// The weighted opportunities starting in the window: count, revenue,
    /// margin over those with a known cost, revenue without a known cost.
    pipeline: Option<(u32, String, String, String)>,
    pipeline_has_margin: bool,
    pipeline_has_without_cost: bool,
}

fn window_label(f: &Forecast, l: Locale) -> String {
    i18n::t_args(
        l,
        "forecast-window",
        &[
            ("from", format_date(f.from, l)),
            ("to", format_date(f.to, l)),
        ],
    )
}

/// GET /margins/forecast
pub async fn page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let (f, names, basis) = load(&app, &ctx).await?;
    let unknown = i18n::t(l, "margin-cost-unknown");
    let chart_items: Vec<(String, Option<i64>, String)> = months(&f)
        .into_iter()
        .map(|(month, revenue, cost)| {
            let margin = cost.map(|c| revenue - c);
            (
                month.label(l),
                margin.map(Money::cents),
                margin.map_or_else(|| unknown.clone(), |m| m.format(l)),
            )
        })
        .collect();
    let rows = f
        .missions
        .iter()
        .map(|m| {
            let (title, client, consultant) = mission_names(&names, m);
            Row {
                href: format!("/missions/{}", m.mission),
                title,
                client,
                consultant,
                ends: format_date(m.ends, l),
                days: m.days.format(l),
                revenue: m.revenue.format(l),
                cost: m.cost.map_or_else(|| unknown.clone(), |c| c.format(l)),
                margin: m.margin().map_or_else(|| unknown.clone(), |c| c.format(l)),
                rate: m.rate().map_or("—".into(), |r| r.format(l)),
                loss: m.margin().is_some_and(Money::is_negative),
                at_risk: m.renewal_at_risk,
            }
        })
        .collect();
    render(&Page {
        layout: layout(&app, &ctx, "forecast-title").await?,
        window: window_label(&f, l),
        standard: basis == CostBasis::GradeStandard,
        revenue: f.revenue.format(l),
        margin: f.margin_known.format(l),
        rate: known_rate(&f).map_or("—".into(), |r| r.format(l)),
        without_cost: f.revenue_without_cost.format(l),
        has_without_cost: f.revenue_without_cost != Money::ZERO,
        at_risk: f.at_risk,
        chart: chart::signed(&i18n::t(l, "forecast-chart-title"), &chart_items),
        rows,
        pipeline: f.pipeline.filter(|p| p.count > 0).map(|p| {
            (
                p.count,
                p.weighted_revenue.format(l),
                p.weighted_margin_known.format(l),
                p.weighted_revenue_without_cost.format(l),
            )
        }),
        // Margin shown only where some cost is known: never revenue read
        // as margin.
        pipeline_has_margin: f
            .pipeline
            .is_some_and(|p| p.weighted_revenue != p.weighted_revenue_without_cost),
        pipeline_has_without_cost: f
            .pipeline
            .is_some_and(|p| p.weighted_revenue_without_cost != Money::ZERO),
    })
}

/// GET /margins/forecast/export: one line per mission, as CSV.
pub async fn export(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    use crate::csv::{amount, document, response, text};
    let l = ctx.locale;
    let (f, names, _) = load(&app, &ctx).await?;
    let unknown = i18n::t(l, "margin-cost-unknown");
    let mut out = vec![
        [
            "forecast-col-mission",
            "forecast-col-client",
            "forecast-col-consultant",
            "forecast-col-ends",
            "forecast-col-days",
            "margin-col-revenue",
            "margin-col-cost",
            "margin-col-margin",
            "margin-col-rate",
            "forecast-col-renewal",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    for m in &f.missions {
        let (title, client, consultant) = mission_names(&names, m);
        out.push(vec![
            text(&title),
            text(&client),
            text(&consultant),
            text(&format_date(m.ends, l)),
            text(&m.days.format(l)),
            amount(m.revenue),
            m.cost.map_or_else(|| text(&unknown), amount),
            m.margin().map_or_else(|| text(&unknown), amount),
            m.rate()
                .map(|r| r.percent().to_string().replace('.', ","))
                .unwrap_or_default(),
            text(&i18n::t(
                l,
                if m.renewal_at_risk {
                    "forecast-renewal-at-risk"
                } else {
                    "forecast-renewal-ok"
                },
            )),
        ]);
    }
    Ok(response(
        &format!("marge-previsionnelle-{}.csv", f.from),
        document(&out),
    ))
}

//! Margins: by mission, account, business manager, agency or consultant,
//! for a month or the twelve months ending at it, with the twelve months'
//! trend, a drill-down from each row to the amounts behind it (which add
//! up to the row exactly), and the CSV of each table.
//!
//! A back-dated cost change shows in the month it was entered in as an
//! adjustment of the locked months: a line of its own in the drill-down
//! (its version, the locked period, the days and both CJMs), a column of
//! the CSV, a flag on the table's rows and a note on the mission's page.
//!
//! Who sees which cost is the policy's (`authz::margin_basis`): business
//! and delivery managers, when the firm hides salaries, see costs at the
//! grade's standard CJM, and never a person's own CJM or pay; the
//! consultant view is for those who may see pay.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::YearMonth;
use domain::ids::MissionId;
use domain::locale::{Locale, format_date};
use domain::margin::bench::BenchCarrier;
use domain::margin::live::{Fact, Source};
use domain::margin::views::{self, Dimension, RowKey, Totals};
use domain::money::Money;
use domain::people::cjm::CostBasis;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::margins::{Margins, Names, RevenueLine};

use crate::authz::{Permission, allows, margin_basis};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::view::{Layout, layout, render};
use crate::{AppState, chart, i18n};

/// The page's selectors, as typed in its address.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarginQuery {
    /// `mission` (default), `account`, `bm`, `agency` or `consultant`.
    pub by: String,
    /// `YYYY-MM`; default: last month.
    pub month: String,
    /// `12`: the twelve months ending at `month`; otherwise the month alone.
    pub span: String,
    /// The drill-down's row: an id, `bench` or `unassigned`.
    pub id: String,
}

/// A period and a view, checked.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub dim: Dimension,
    pub from: YearMonth,
    pub to: YearMonth,
    pub twelve: bool,
}

impl MarginQuery {
    pub fn select(&self, today: time::Date) -> Result<Selection, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let dim = match self.by.trim() {
            "" => Some(Dimension::Mission),
            s => Dimension::parse(s),
        };
        if dim.is_none() {
            e.add("by", "margin-by-invalid");
        }
        let to = match self.month.trim() {
            "" => Some(YearMonth::of(today).prev()),
            s => YearMonth::parse(s),
        };
        if to.is_none() {
            e.add("month", "margin-month-invalid");
        }
        let twelve = self.span.trim() == "12";
        e.into_result(|| {
            let to = to.expect("checked");
            Selection {
                dim: dim.expect("checked"),
                from: if twelve { back(to, 11) } else { to },
                to,
                twelve,
            }
        })
    }
}

/// `n` months before `m`.
pub fn back(mut m: YearMonth, n: u32) -> YearMonth {
    for _ in 0..n {
        m = m.prev();
    }
    m
}

/// Refuses the consultant view to those who may not see a person's cost.
pub fn check_dimension(ctx: &Ctx, dim: Dimension) -> AppResult<()> {
    if dim == Dimension::Consultant && !allows(ctx.user()?.role, Permission::ViewConsultantMargins)
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The facts of the twelve months ending at `to`, costs as the reader may
/// see them.
pub async fn load(app: &AppState, ctx: &Ctx, to: YearMonth) -> AppResult<Margins> {
    let mut tx = app.db.read().await?;
    let policy = store::margins::policy(&mut tx).await?;
    let basis = margin_basis(ctx.user()?.role, policy.salaries_hidden);
    let margins = store::margins::compute(
        &mut tx,
        ctx.scope()?,
        back(to, 11),
        to,
        basis,
        store::today(),
    )
    .await?;
    tx.commit().await?;
    Ok(margins)
}

/// A row's name.
pub fn row_name(names: &Names, key: RowKey, l: Locale) -> String {
    let user = |u| names.users.get(&u).cloned().unwrap_or_default();
    match key {
        RowKey::Mission(m) => names
            .missions
            .get(&m)
            .map(|n| {
                format!(
                    "{} · {}",
                    n.title,
                    names
                        .companies
                        .get(&n.client_id)
                        .cloned()
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        RowKey::Account(c) => names.companies.get(&c).cloned().unwrap_or_default(),
        RowKey::Bm(u) | RowKey::Consultant(u) => user(u),
        RowKey::Agency(a) => names.agencies.get(&a).cloned().unwrap_or_default(),
        RowKey::Bench => i18n::t(l, "margin-row-bench"),
        RowKey::Unassigned => i18n::t(l, "margin-row-unassigned"),
    }
}

/// A row's id in addresses.
pub fn row_id(key: RowKey) -> String {
    match key {
        RowKey::Mission(m) => m.to_string(),
        RowKey::Account(c) => c.to_string(),
        RowKey::Bm(u) | RowKey::Consultant(u) => u.to_string(),
        RowKey::Agency(a) => a.to_string(),
        RowKey::Bench => "bench".into(),
        RowKey::Unassigned => "unassigned".into(),
    }
}

/// The row an address names, in a view.
pub fn parse_row(dim: Dimension, id: &str) -> Option<RowKey> {
    let uuid = || uuid::Uuid::parse_str(id.trim()).ok();
    Some(match (dim, id.trim()) {
        (Dimension::Mission | Dimension::Account, "bench") => RowKey::Bench,
        (_, "unassigned") => RowKey::Unassigned,
        (Dimension::Mission, _) => RowKey::Mission(domain::ids::MissionId(uuid()?)),
        (Dimension::Account, _) => RowKey::Account(domain::ids::CompanyId(uuid()?)),
        (Dimension::Bm, _) => RowKey::Bm(domain::ids::UserId(uuid()?)),
        (Dimension::Agency, _) => RowKey::Agency(domain::ids::AgencyId(uuid()?)),
        (Dimension::Consultant, _) => RowKey::Consultant(domain::ids::UserId(uuid()?)),
    })
}

/// Figures as shown: amounts in the reader's language, "coût inconnu"
/// where a cost is unknown.
pub struct Shown {
    pub revenue: String,
    pub cost: String,
    pub margin: String,
    pub rate: String,
    pub loss: bool,
    /// The adjustments of locked months inside the cost, when any.
    pub adjustment: Option<String>,
}

pub fn shown(t: &Totals, l: Locale) -> Shown {
    let unknown = i18n::t(l, "margin-cost-unknown");
    Shown {
        revenue: t.revenue.format(l),
        cost: t.cost().map_or(unknown.clone(), |c| c.format(l)),
        margin: t.margin().map_or(unknown, |m| m.format(l)),
        rate: t.rate().map_or("—".into(), |r| r.format(l)),
        loss: t.margin().is_some_and(Money::is_negative),
        adjustment: t.adjustment().map(|a| a.format(l)),
    }
}

pub struct Row {
    pub name: String,
    pub href: String,
    pub figures: Shown,
}

#[derive(Template)]
#[template(path = "margins/list.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<(String, String, bool)>,
    month: String,
    twelve: bool,
    by: &'static str,
    period: String,
    rows: Vec<Row>,
    total: Shown,
    chart: String,
    standard: bool,
    csv_href: String,
}

/// The rows of a view over the selection, largest revenue first.
pub fn rows(m: &Margins, s: &Selection) -> Vec<(RowKey, Totals)> {
    let mut rows: Vec<(RowKey, Totals)> = views::by(&m.facts, s.dim, s.from, s.to)
        .into_iter()
        .collect();
    rows.sort_by(|a, b| b.1.revenue.cmp(&a.1.revenue).then(a.0.cmp(&b.0)));
    rows
}

fn query_string(s: &Selection) -> String {
    format!(
        "by={}&month={}{}",
        s.dim.as_str(),
        s.to,
        if s.twelve { "&span=12" } else { "" }
    )
}

/// The trend of the twelve months ending at the selection's month, for
/// one row or the whole view.
fn trend(m: &Margins, s: &Selection, row: Option<RowKey>, l: Locale) -> String {
    let months = views::monthly(&m.facts, s.dim, row, back(s.to, 11), s.to);
    let items: Vec<(String, Option<i64>, String)> = months
        .iter()
        .map(|(month, t)| {
            (
                month.label(l),
                t.margin().map(Money::cents),
                t.margin()
                    .map_or_else(|| i18n::t(l, "margin-cost-unknown"), |v| v.format(l)),
            )
        })
        .collect();
    chart::signed(&i18n::t(l, "margin-trend-title"), &items)
}

fn period_label(s: &Selection, l: Locale) -> String {
    if s.twelve {
        i18n::t_args(
            l,
            "margin-period-range",
            &[("from", s.from.label(l)), ("to", s.to.label(l))],
        )
    } else {
        s.to.label(l)
    }
}

fn selection(ctx: &Ctx, q: &MarginQuery) -> AppResult<Selection> {
    let s = q.select(store::today()).map_err(AppError::Validation)?;
    check_dimension(ctx, s.dim)?;
    Ok(s)
}

/// GET /margins
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MarginQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let s = selection(&ctx, &q)?;
    let m = load(&app, &ctx, s.to).await?;
    let qs = query_string(&s);
    let rows = rows(&m, &s)
        .into_iter()
        .map(|(key, t)| Row {
            name: row_name(&m.names, key, l),
            href: format!("/margins/detail?{qs}&id={}", row_id(key)),
            figures: shown(&t, l),
        })
        .collect();
    let role = ctx.user()?.role;
    let tabs = Dimension::ALL
        .into_iter()
        .filter(|d| *d != Dimension::Consultant || allows(role, Permission::ViewConsultantMargins))
        .map(|d| {
            (
                format!(
                    "/margins?by={}&month={}{}",
                    d.as_str(),
                    s.to,
                    if s.twelve { "&span=12" } else { "" }
                ),
                i18n::t(l, &format!("margin-by-{}", d.as_str())),
                d == s.dim,
            )
        })
        .collect();
    render(&ListPage {
        layout: layout(&app, &ctx, "margins-title").await?,
        tabs,
        month: s.to.to_string(),
        twelve: s.twelve,
        by: s.dim.as_str(),
        period: period_label(&s, l),
        total: shown(&views::total(&views::by(&m.facts, s.dim, s.from, s.to)), l),
        chart: trend(&m, &s, None, l),
        rows,
        standard: m.basis == CostBasis::GradeStandard,
        csv_href: format!("/margins/export?{qs}"),
    })
}

/// GET /margins/export: the table as CSV.
pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MarginQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, document, response, text};
    let l = ctx.locale;
    let s = selection(&ctx, &q)?;
    let m = load(&app, &ctx, s.to).await?;
    let unknown = i18n::t(l, "margin-cost-unknown");
    let mut out = vec![
        [
            "margin-col-name",
            "margin-col-revenue",
            "margin-col-cost",
            "margin-col-margin",
            "margin-col-rate",
            "margin-col-adjustment",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    for (key, t) in rows(&m, &s) {
        out.push(vec![
            text(&row_name(&m.names, key, l)),
            amount(t.revenue),
            t.cost().map_or_else(|| text(&unknown), amount),
            t.margin().map_or_else(|| text(&unknown), amount),
            t.rate()
                .map(|r| r.percent().to_string().replace('.', ","))
                .unwrap_or_default(),
            // Part of the cost: what back-dated changes brought to it.
            t.adjustment().map(amount).unwrap_or_default(),
        ]);
    }
    Ok(response(
        &format!("marges-{}-{}.csv", s.dim.as_str(), s.to),
        document(&out),
    ))
}

/// One amount behind a row.
pub struct Line {
    pub mission: String,
    pub consultant: String,
    pub what: String,
    pub revenue: String,
    pub cost: String,
    /// An adjustment of locked months, marked as such.
    pub adjustment: bool,
}

pub struct MonthBlock {
    pub label: String,
    pub lines: Vec<Line>,
    pub total: Shown,
}

pub struct LedgerLine {
    pub date: String,
    pub entry: String,
    pub label: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "margins/detail.html")]
struct DetailPage {
    layout: Layout,
    name: String,
    period: String,
    back: String,
    total: Shown,
    months: Vec<MonthBlock>,
    ledger: Vec<LedgerLine>,
    ledger_total: String,
    chart: String,
    standard: bool,
    mission_href: Option<String>,
    csv_href: String,
}

/// What a fact is, in words: "20 j × 331,05 €", "Intercontrat (sans CRA) :
/// 5 j × 480,00 €, porté par Bruno Marchand".
pub fn describe(f: &Fact, names: &Names, basis: CostBasis, l: Locale) -> String {
    let cjm_text = |days: domain::mission::DayQuantity,
                    cjm: Option<Money>,
                    from: Option<time::Date>| {
        match cjm {
            Some(c) => {
                let mut s = i18n::t_args(
                    l,
                    "margin-line-days",
                    &[("days", days.format(l)), ("cjm", c.format(l))],
                );
                match (basis, from) {
                    (CostBasis::Personal, Some(d)) => {
                        s.push_str(&i18n::t_args(
                            l,
                            "margin-line-version",
                            &[("date", format_date(d, l))],
                        ));
                    }
                    (CostBasis::GradeStandard, _) => {
                        s.push_str(&i18n::t(l, "margin-line-standard"));
                    }
                    _ => {}
                }
                s
            }
            None => i18n::t_args(l, "margin-line-days-unknown", &[("days", days.format(l))]),
        }
    };
    let carrier_name = |carrier: Option<BenchCarrier>| match carrier {
        Some(BenchCarrier::BusinessManager(u)) => names.users.get(&u).cloned().unwrap_or_default(),
        Some(BenchCarrier::Agency(a)) => names.agencies.get(&a).cloned().unwrap_or_default(),
        Some(BenchCarrier::Mission(m)) => names
            .missions
            .get(&m)
            .map(|n| n.title.clone())
            .unwrap_or_default(),
        None => i18n::t(l, "margin-row-unassigned"),
    };
    let bench_kind = |kind: domain::margin::live::BenchKind| {
        i18n::t(
            l,
            &format!("margin-bench-{}", kind.as_str().replace('_', "-")),
        )
    };
    match f.source {
        Source::Revenue => i18n::t(l, "margin-line-revenue"),
        Source::Adjustment {
            bench,
            days,
            old_cjm,
            new_cjm,
            version_from,
            retroactive_from,
            carrier,
        } => {
            // What the locked days were, and where their cost went.
            let what = match bench {
                None => i18n::t(l, "margin-adjustment-work"),
                Some(kind) => format!(
                    "{}, {}",
                    bench_kind(kind),
                    i18n::t_args(
                        l,
                        "margin-adjustment-carried",
                        &[("carrier", carrier_name(carrier))]
                    )
                ),
            };
            let mut args = vec![
                ("from", format_date(retroactive_from, l)),
                (
                    "to",
                    format_date(version_from.previous_day().unwrap_or(version_from), l),
                ),
                ("what", what),
                ("days", days.format(l)),
                ("version", format_date(version_from, l)),
            ];
            // Under the grade's standard only a buy rate (or a change of
            // contract) is ever adjusted, never a salary: no "standard"
            // mention, which would misname a supplier's rate.
            let key = match (old_cjm, new_cjm) {
                (Some(old), Some(new)) => {
                    args.push(("old", old.format(l)));
                    args.push(("new", new.format(l)));
                    "margin-line-adjustment"
                }
                _ => "margin-line-adjustment-unknown",
            };
            i18n::t_args(l, key, &args)
        }
        Source::Work {
            days,
            cjm,
            version_from,
        } => cjm_text(days, cjm, version_from),
        Source::Bench {
            kind,
            days,
            cjm,
            version_from,
            carrier,
        } => i18n::t_args(
            l,
            "margin-line-bench",
            &[
                ("kind", bench_kind(kind)),
                ("days", cjm_text(days, cjm, version_from)),
                ("carrier", carrier_name(carrier)),
            ],
        ),
    }
}

/// A row's facts month by month (months without any left out), each with
/// the row's part of its revenue and cost, and the month's total, where
/// adjustments of locked months count apart.
type MonthParts<'a> = Vec<(YearMonth, Vec<(&'a Fact, Money, Option<Money>)>, Totals)>;

fn by_month<'a>(facts: &'a [Fact], s: &Selection, key: RowKey) -> MonthParts<'a> {
    let mut out = Vec::new();
    let mut month = s.from;
    while month <= s.to {
        let mut total = Totals::default();
        let parts: Vec<(&Fact, Money, Option<Money>)> = facts
            .iter()
            .filter(|f| f.month == month)
            .map(|f| {
                let (revenue, cost) = views::part_in(f, s.dim, key);
                if f.source.is_adjustment() {
                    total.add_adjustment(cost);
                } else {
                    total.add(revenue, cost);
                }
                (f, revenue, cost)
            })
            .collect();
        if !parts.is_empty() {
            out.push((month, parts, total));
        }
        month = month.next();
    }
    out
}

fn fact_mission(names: &Names, f: &Fact) -> String {
    f.mission
        .and_then(|id| names.missions.get(&id))
        .map(|n| n.title.clone())
        .unwrap_or_default()
}

fn fact_consultant(names: &Names, f: &Fact) -> String {
    f.consultant
        .and_then(|u| names.users.get(&u).cloned())
        .unwrap_or_default()
}

/// The row the address names, among those the reader may open.
async fn detail_of(
    app: &AppState,
    ctx: &Ctx,
    q: &MarginQuery,
) -> AppResult<(Selection, RowKey, Margins)> {
    let s = selection(ctx, q)?;
    let key = parse_row(s.dim, &q.id).ok_or(AppError::NotFound)?;
    let mut m = load(app, ctx, s.to).await?;
    if let RowKey::Mission(id) = key
        && !m.names.missions.contains_key(&id)
    {
        // The period's computation names the missions of the period; an
        // older one of the reader's is shown, empty.
        let mut tx = app.db.read().await?;
        let own = store::margins::compute_mission(
            &mut tx,
            ctx.scope()?,
            id,
            s.from,
            s.to,
            m.basis,
            store::today(),
        )
        .await?;
        tx.commit().await?;
        m.names.companies.extend(own.names.companies);
        m.names.missions.extend(own.names.missions);
        if !m.names.missions.contains_key(&id) {
            return Err(AppError::NotFound);
        }
    }
    Ok((s, key, m))
}

/// GET /margins/detail/export: the drill-down's lines as CSV, one per
/// amount, adding up to the row.
pub async fn detail_export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MarginQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, document, response, text};
    let l = ctx.locale;
    let (s, key, m) = detail_of(&app, &ctx, &q).await?;
    let facts = views::facts_of(&m.facts, s.dim, key, s.from, s.to);
    let unknown = i18n::t(l, "margin-cost-unknown");
    let mut out = vec![
        [
            "margin-month",
            "forecast-col-mission",
            "forecast-col-consultant",
            "margin-col-what",
            "margin-col-revenue",
            "margin-col-cost",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    for (month, parts, _) in by_month(&facts, &s, key) {
        for (f, revenue, cost) in parts {
            out.push(vec![
                month.to_string(),
                text(&fact_mission(&m.names, f)),
                text(&fact_consultant(&m.names, f)),
                text(&describe(f, &m.names, m.basis, l)),
                amount(revenue),
                cost.map_or_else(|| text(&unknown), amount),
            ]);
        }
    }
    Ok(response(
        &format!("marge-detail-{}-{}.csv", s.dim.as_str(), s.to),
        document(&out),
    ))
}

/// GET /margins/detail: the amounts behind one row, month by month.
pub async fn detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MarginQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (s, key, m) = detail_of(&app, &ctx, &q).await?;
    let facts = views::facts_of(&m.facts, s.dim, key, s.from, s.to);
    let months = by_month(&facts, &s, key)
        .into_iter()
        .map(|(month, parts, total)| MonthBlock {
            label: month.label(l),
            lines: parts
                .into_iter()
                .map(|(f, revenue, cost)| Line {
                    mission: fact_mission(&m.names, f),
                    consultant: fact_consultant(&m.names, f),
                    what: describe(f, &m.names, m.basis, l),
                    revenue: revenue.format(l),
                    cost: cost.map_or_else(|| i18n::t(l, "margin-cost-unknown"), |c| c.format(l)),
                    adjustment: f.source.is_adjustment(),
                })
                .collect(),
            total: shown(&total, l),
        })
        .collect();
    let (ledger, ledger_total) = match key {
        RowKey::Mission(id) => {
            let lines = ledger_lines(&app, &ctx, id, s.from, s.to).await?;
            let sum: Money = lines.iter().map(|r| r.amount).sum();
            (
                lines
                    .iter()
                    .map(|r| LedgerLine {
                        date: format_date(r.date, l),
                        entry: format!(
                            "{}-{}{}",
                            r.journal,
                            r.number,
                            r.piece_ref
                                .as_deref()
                                .map(|p| format!(" · {p}"))
                                .unwrap_or_default()
                        ),
                        label: r.label.clone(),
                        amount: r.amount.format(l),
                    })
                    .collect(),
                sum.format(l),
            )
        }
        _ => (Vec::new(), String::new()),
    };
    let row_total = views::by(&m.facts, s.dim, s.from, s.to)
        .get(&key)
        .copied()
        .unwrap_or_default();
    render(&DetailPage {
        layout: layout(&app, &ctx, "margins-detail-title").await?,
        name: row_name(&m.names, key, l),
        period: period_label(&s, l),
        back: format!("/margins?{}", query_string(&s)),
        total: shown(&row_total, l),
        months,
        ledger,
        ledger_total,
        chart: trend(&m, &s, Some(key), l),
        standard: m.basis == CostBasis::GradeStandard,
        mission_href: match key {
            RowKey::Mission(id) => Some(format!("/missions/{id}")),
            _ => None,
        },
        csv_href: format!(
            "/margins/detail/export?{}&id={}",
            query_string(&s),
            row_id(key)
        ),
    })
}

async fn ledger_lines(
    app: &AppState,
    ctx: &Ctx,
    mission: MissionId,
    from: YearMonth,
    to: YearMonth,
) -> AppResult<Vec<RevenueLine>> {
    let mut tx = app.db.read().await?;
    let lines = store::margins::revenue_lines(&mut tx, ctx.scope()?, mission, from, to).await?;
    tx.commit().await?;
    Ok(lines)
}

/// A mission's margin for its page: the month, the twelve months.
pub struct MissionMargin {
    /// This month's, then the twelve months': (period, figures).
    pub rows: Vec<(String, Shown)>,
    pub href: String,
    pub standard: bool,
}

/// The margin block of a mission's page, for those who may see margins.
pub async fn for_mission(
    app: &AppState,
    ctx: &Ctx,
    id: MissionId,
) -> AppResult<Option<MissionMargin>> {
    if !allows(ctx.user()?.role, Permission::ViewMargins) {
        return Ok(None);
    }
    let l = ctx.locale;
    let today = store::today();
    let to = YearMonth::of(today);
    // The mission's own facts, not the firm's cut to it.
    let mut tx = app.db.read().await?;
    let policy = store::margins::policy(&mut tx).await?;
    let basis = margin_basis(ctx.user()?.role, policy.salaries_hidden);
    let m =
        store::margins::compute_mission(&mut tx, ctx.scope()?, id, back(to, 11), to, basis, today)
            .await?;
    tx.commit().await?;
    let key = RowKey::Mission(id);
    let figures = |from| {
        views::by(&m.facts, Dimension::Mission, from, to)
            .get(&key)
            .copied()
            .unwrap_or_default()
    };
    Ok(Some(MissionMargin {
        rows: vec![
            (to.label(l), shown(&figures(to), l)),
            (
                i18n::t_args(
                    l,
                    "margin-period-range",
                    &[("from", back(to, 11).label(l)), ("to", to.label(l))],
                ),
                shown(&figures(back(to, 11)), l),
            ),
        ],
        href: format!("/margins/detail?by=mission&month={to}&span=12&id={id}"),
        standard: m.basis == CostBasis::GradeStandard,
    }))
}

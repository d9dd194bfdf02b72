//! The pipeline in covered days (`domain::crm::pipeline`): what the open
//! opportunities starting within 90 days are worth, weighted, and how
//! many consultant days they cover, by business manager, account and
//! agency, set month by month against the days of the consultants
//! becoming free. The reader's scope: a business manager sees his own.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::crm::pipeline::{Figures, PipelineView};
use domain::locale::format_date;
use store::opportunities::pipeline::Names;

use super::show::hundredths;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};
use crate::{AppState, chart, i18n};

/// The pipeline of the reader's scope today.
pub async fn load(app: &AppState, ctx: &Ctx) -> AppResult<(PipelineView, Names)> {
    let mut tx = app.db.read().await?;
    let out =
        store::opportunities::pipeline::pipeline(&mut tx, ctx.scope()?, store::today()).await?;
    tx.commit().await?;
    Ok(out)
}

/// One group's row: its name and figures, as shown.
pub struct GroupRow {
    pub name: String,
    pub count: u32,
    pub expected: String,
    pub weighted: String,
    pub covered: String,
    pub free_days: u32,
}

fn group_row(name: String, f: &Figures, l: Locale) -> GroupRow {
    GroupRow {
        name,
        count: f.count,
        expected: f.expected.format(l),
        weighted: f.weighted.format(l),
        covered: hundredths(f.covered, l),
        free_days: f.free_days,
    }
}

/// The accounts a page shows, the largest weighted values: beyond, one
/// row sums the others (a firm's whole pipeline has thousands; the CSV
/// lists every opportunity).
const SHOWN_ACCOUNTS: usize = 25;
/// The opportunities a page lists, the first to start.
const SHOWN_LINES: usize = 100;

/// The three groupings: by business manager, by account (the largest
/// first, the rest summed), by agency.
pub fn groups(v: &PipelineView, names: &Names, l: Locale) -> [Vec<GroupRow>; 3] {
    let none = i18n::t(l, "pipeline-no-agency");
    let mut by_bm: Vec<GroupRow> = v
        .by_business_manager
        .iter()
        .map(|(id, f)| group_row(names.users.get(id).cloned().unwrap_or_default(), f, l))
        .collect();
    let mut accounts: Vec<(String, &Figures)> = v
        .by_account
        .iter()
        .map(|(id, f)| (names.companies.get(id).cloned().unwrap_or_default(), f))
        .collect();
    accounts.sort_by(|a, b| b.1.weighted.cmp(&a.1.weighted).then(a.0.cmp(&b.0)));
    let others = accounts.split_off(accounts.len().min(SHOWN_ACCOUNTS));
    let mut by_account: Vec<GroupRow> = accounts
        .into_iter()
        .map(|(name, f)| group_row(name, f, l))
        .collect();
    by_account.sort_by(|a, b| a.name.cmp(&b.name));
    if !others.is_empty() {
        let mut rest = Figures::default();
        for (_, f) in &others {
            rest.merge(f);
        }
        let name = i18n::t_args(
            l,
            "pipeline-other-accounts",
            &[("count", domain::locale::format_int(others.len() as i64, l))],
        );
        by_account.push(group_row(name, &rest, l));
    }
    let mut by_agency: Vec<GroupRow> = v
        .by_agency
        .iter()
        .map(|(id, f)| {
            let name = id
                .and_then(|a| names.agencies.get(&a).cloned())
                .unwrap_or_else(|| none.clone());
            group_row(name, f, l)
        })
        .collect();
    for g in [&mut by_bm, &mut by_agency] {
        g.sort_by(|a, b| a.name.cmp(&b.name));
    }
    [by_bm, by_account, by_agency]
}

struct LineRow {
    href: String,
    title: String,
    account: String,
    start: String,
    remaining: String,
    positions: u32,
    probability: String,
    weighted: String,
    covered: String,
}

#[derive(Template)]
#[template(path = "opportunities/pipeline.html")]
struct Page {
    layout: Layout,
    window: String,
    expected: String,
    weighted: String,
    covered: String,
    free_days: u32,
    chart: String,
    /// Id, heading and rows of each grouping.
    groups: Vec<(&'static str, String, Vec<GroupRow>)>,
    lines: Vec<LineRow>,
    /// Said when the list is cut.
    lines_note: Option<String>,
}

pub fn window(v: &PipelineView, l: Locale) -> String {
    format!(
        "{} – {}",
        format_date(v.today, l),
        format_date(v.horizon, l)
    )
}

/// GET /opportunities/pipeline
pub async fn page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let (v, names) = load(&app, &ctx).await?;
    let rows: Vec<chart::Pair> = v
        .months
        .iter()
        .map(|(month, (covered, free))| chart::Pair {
            label: month.label(l),
            values: [
                (
                    u64::try_from(*covered).unwrap_or(0),
                    hundredths(*covered, l),
                ),
                (u64::from(*free) * 100, free.to_string()),
            ],
        })
        .collect();
    let covered_label = i18n::t(l, "pipeline-covered");
    let free_label = i18n::t(l, "pipeline-free-days");
    let [by_bm, by_account, by_agency] = groups(&v, &names, l);
    let lines_note = (v.lines.len() > SHOWN_LINES).then(|| {
        i18n::t_args(
            l,
            "pipeline-lines-shown",
            &[
                ("shown", SHOWN_LINES.to_string()),
                ("count", domain::locale::format_int(v.lines.len() as i64, l)),
            ],
        )
    });
    let lines = v
        .lines
        .iter()
        .take(SHOWN_LINES)
        .map(|line| {
            let o = names.opportunities.get(&line.opportunity);
            LineRow {
                href: format!("/opportunities/{}", line.opportunity),
                title: o.cloned().unwrap_or_default(),
                account: names
                    .companies
                    .get(&line.account)
                    .cloned()
                    .unwrap_or_default(),
                start: format_date(line.start, l),
                remaining: line.remaining.format(l),
                positions: line.positions,
                probability: line.probability.format(l),
                weighted: line.weighted.format(l),
                covered: hundredths(line.covered(), l),
            }
        })
        .collect();
    render(&Page {
        layout: layout(&app, &ctx, "pipeline-title").await?,
        window: window(&v, l),
        expected: v.total.expected.format(l),
        weighted: v.total.weighted.format(l),
        covered: hundredths(v.total.covered, l),
        free_days: v.total.free_days,
        chart: chart::pairs(
            &i18n::t(l, "pipeline-chart-title"),
            [&covered_label, &free_label],
            &rows,
        ),
        groups: vec![
            ("pipeline-by-bm", i18n::t(l, "pipeline-by-bm"), by_bm),
            (
                "pipeline-by-account",
                i18n::t(l, "pipeline-by-account"),
                by_account,
            ),
            (
                "pipeline-by-agency",
                i18n::t(l, "pipeline-by-agency"),
                by_agency,
            ),
        ],
        lines,
        lines_note,
    })
}

/// GET /opportunities/pipeline/export: one line per opportunity counted.
pub async fn export(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    use crate::csv::{amount, document, response, text};
    let l = ctx.locale;
    let (v, names) = load(&app, &ctx).await?;
    let mut out = vec![
        [
            "opportunity-title",
            "opportunity-client",
            "opportunity-bm",
            "pipeline-agency",
            "opportunity-start",
            "pipeline-remaining",
            "opportunity-positions",
            "opportunity-probability",
            "opportunity-expected",
            "opportunity-weighted",
            "pipeline-covered",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    let none = i18n::t(l, "pipeline-no-agency");
    for line in &v.lines {
        let o = names.opportunities.get(&line.opportunity);
        out.push(vec![
            text(&o.cloned().unwrap_or_default()),
            text(
                &names
                    .companies
                    .get(&line.account)
                    .cloned()
                    .unwrap_or_default(),
            ),
            text(
                &names
                    .users
                    .get(&line.business_manager)
                    .cloned()
                    .unwrap_or_default(),
            ),
            text(
                &line
                    .agency
                    .and_then(|a| names.agencies.get(&a).cloned())
                    .unwrap_or_else(|| none.clone()),
            ),
            text(&format_date(line.start, l)),
            text(&line.remaining.format(l)),
            line.positions.to_string(),
            text(&line.probability.format(l)),
            amount(line.expected),
            amount(line.weighted),
            text(&hundredths(line.covered(), l)),
        ]);
    }
    Ok(response(
        &format!("pipeline-{}.csv", v.today),
        document(&out),
    ))
}

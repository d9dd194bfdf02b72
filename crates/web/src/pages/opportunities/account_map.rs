//! The map of an account (JOURNEY.md step 11): the tree of the client's
//! opportunities, each under the one it was born from, with the mission
//! each won one became (its consultant and rate) and the follow-up
//! meeting it was born in; the account's foisonnement over the last
//! twelve months beside it. Only an account of the reader's scope is
//! mapped (another answers 404).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::Region;
use domain::crm::foisonnement::tally;
use domain::crm::opportunity::covered_hundredths;
use domain::crm::{OpportunityKind, Outcome};
use domain::ids::CompanyId;
use domain::locale::format_date;
use store::opportunities::account_map::MapMission;

use super::foisonnement::{Row as FigureRow, default_period, row};
use super::show::hundredths;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::view::{Layout, layout, render};
use crate::{AppState, i18n};

struct MissionView {
    href: String,
    title: String,
    consultant: String,
    tjm: String,
    dates: String,
}

struct NodeView {
    /// The depth shown (capped so a deep tree still fits a phone).
    indent: usize,
    depth: usize,
    href: String,
    title: String,
    stage: String,
    won: bool,
    lost: bool,
    expected: String,
    weighted: String,
    covered: String,
    tjm: String,
    positions: u32,
    source: String,
    meeting: Option<(String, String)>,
    mission: Option<MissionView>,
}

#[derive(Template)]
#[template(path = "opportunities/account_map.html")]
struct Page {
    layout: Layout,
    company_id: String,
    company: String,
    period: String,
    figures: FigureRow,
    nodes: Vec<NodeView>,
    other_missions: Vec<MissionView>,
}

fn mission_view(m: &MapMission, l: domain::Locale) -> MissionView {
    MissionView {
        href: format!("/missions/{}", m.id),
        title: m.title.clone(),
        consultant: m.consultant_name.clone(),
        tjm: m.tjm.amount().format(l),
        dates: format!(
            "{} – {}",
            format_date(m.start_date, l),
            format_date(m.end_date, l)
        ),
    }
}

/// GET /companies/{id}/account-map
pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let map = store::opportunities::account_map::account_map(&mut tx, ctx.scope()?, &[id]).await?;
    tx.commit().await?;
    let today = store::today();
    let period = default_period(today);
    let f = tally(&map.born(), period);
    let t = |k: &str| i18n::t(l, k);
    let nodes = map
        .nodes
        .iter()
        .map(|n| {
            let o = &n.opportunity;
            let tjm = match (o.data.kind, o.data.tjm_min, o.data.tjm_max) {
                (OpportunityKind::RegieMission, Some(a), Some(b)) if a != b => {
                    format!("{} – {}", a.amount().format(l), b.amount().format(l))
                }
                (OpportunityKind::RegieMission, a, b) => {
                    a.or(b).map_or_else(String::new, |x| x.amount().format(l))
                }
                _ => String::new(),
            };
            let covered = if o.outcome == Outcome::Open {
                covered_hundredths(
                    o.data.remaining_days(today, Region::Standard),
                    o.data.positions,
                    o.probability,
                )
            } else {
                0
            };
            NodeView {
                indent: n.depth.min(4),
                depth: n.depth,
                href: format!("/opportunities/{}", o.id),
                title: o.data.title.clone(),
                stage: o.stage_label.clone(),
                won: o.outcome == Outcome::Won,
                lost: o.outcome == Outcome::Lost,
                expected: o.expected.format(l),
                weighted: o.weighted.format(l),
                covered: hundredths(covered, l),
                tjm,
                positions: o.data.positions,
                source: t(&o.data.source.label_key()),
                meeting: n.meeting.map(|(m, at)| {
                    (
                        format!("/meetings/{m}"),
                        domain::locale::format_datetime(at, l),
                    )
                }),
                mission: n.mission.as_ref().map(|m| mission_view(m, l)),
            }
        })
        .collect();
    let (company_id, company) = map
        .companies
        .first()
        .map(|(c, n)| (c.to_string(), n.clone()))
        .unwrap_or_default();
    render(&Page {
        layout: layout(&app, &ctx, "account-map-title").await?,
        company_id,
        company,
        period: format!(
            "{} – {}",
            format_date(period.from, l),
            format_date(period.to, l)
        ),
        figures: row(t("foisonnement-total"), &f.total, l),
        nodes,
        other_missions: map
            .other_missions
            .iter()
            .map(|m| mission_view(m, l))
            .collect(),
    })
}

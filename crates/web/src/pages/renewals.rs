//! Renewals: missions ending within 90 days, their follow-up status, the
//! renewal rate; renewing records the amendment.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::ids::MissionId;
use domain::locale::format_date;
use domain::mission::Tjm;
use domain::renewal::{RenewalEvent, RenewalRate};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use time::Duration;

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::view::{Layout, flash_refusal, layout, render};
use crate::write::{Refused, flash_back, write};
use crate::{AppState, chart, i18n};

pub struct Line {
    pub id: MissionId,
    pub title: String,
    pub who: String,
    pub end: String,
    pub days_left: String,
    pub alerts: Vec<String>,
    pub status: String,
    /// Its renewal opportunity, once made.
    pub opportunity: Option<domain::ids::OpportunityId>,
}

#[derive(Template)]
#[template(path = "renewals.html")]
struct RenewalsPage {
    layout: Layout,
    rows: Vec<Line>,
    rate: String,
    rate_label: String,
    chart: Option<String>,
    can_edit: bool,
    /// May create renewal opportunities (and see them).
    can_opportunity: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Only the missions the signed-in business manager manages (`mine=1`,
    /// from his home page).
    #[serde(default)]
    pub mine: String,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    crate::extract::Query(q): crate::extract::Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    let year_ago = today - Duration::days(365);
    let mine = (q.mine == "1").then_some(ctx.user()?.id);
    let mut tx = app.db.read().await?;
    let mut lines = store::renewals::upcoming(&mut tx, ctx.scope()?, today, 90).await?;
    lines.retain(|r| mine.is_none_or(|me| r.business_manager_id == me));
    let figures = store::renewals::rate(&mut tx, year_ago, today).await?;
    let role = ctx.user()?.role;
    let can_opportunity = allows(role, Permission::EditOpportunities);
    let opportunities = if allows(role, Permission::ViewOpportunities) {
        store::opportunities::renewals(&mut tx, ctx.scope()?).await?
    } else {
        Default::default()
    };
    tx.commit().await?;
    let rate = RenewalRate::compute(figures.renewed, figures.reached_end)
        .map(|p| {
            format!(
                "{} %",
                p.to_string()
                    .replace('.', if l == domain::Locale::Fr { "," } else { "." })
            )
        })
        .unwrap_or_else(|| "—".into());
    let chart = (figures.reached_end > 0).then(|| {
        chart::bars(
            &i18n::t(l, "renewals-chart-title"),
            &[
                (
                    i18n::t(l, "renewal-status-renewed"),
                    u64::from(figures.renewed),
                ),
                (
                    i18n::t(l, "renewals-not-renewed"),
                    u64::from(figures.reached_end - figures.renewed),
                ),
            ],
        )
    });
    let rows = lines
        .iter()
        .map(|r| Line {
            id: r.mission_id,
            title: r.title.clone(),
            who: format!(
                "{} · {} · {}",
                r.consultant_name, r.client_name, r.business_manager_name
            ),
            end: format_date(r.end_date, l),
            days_left: i18n::t_args(l, "renewal-days-left", &[("days", r.days_left.to_string())]),
            alerts: r
                .alerts
                .iter()
                .map(|a| a.to_uppercase().replace('D', "J-"))
                .collect(),
            status: i18n::t(l, &r.status.label_key()),
            opportunity: opportunities.get(&r.mission_id).copied(),
        })
        .collect();
    render(&RenewalsPage {
        layout: layout(&app, &ctx, "renewals-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditMissions),
        can_opportunity,
        rate_label: i18n::t_args(
            l,
            "renewals-rate",
            &[
                ("renewed", figures.renewed.to_string()),
                ("total", figures.reached_end.to_string()),
            ],
        ),
        rate,
        chart,
        rows,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub note: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let event = match f.event.as_str() {
        "discuss" => RenewalEvent::Discuss,
        "decline" => RenewalEvent::Decline,
        "reopen" => RenewalEvent::Reopen,
        _ => return Err(AppError::BadRequest("error-malformed-form")),
    };
    let note = Some(f.note.trim()).filter(|n| !n.is_empty());
    let scope = ctx.scope()?;
    let apply = async |tx: &mut Tx| {
        store::renewals::apply_event(tx, &ctx.actor(), scope, id, event, note).await
    };
    if let Refused(e) = write(&app, &ctx)
        .flash("renewal-updated")
        .run(apply)
        .await?
    {
        flash_refusal(&app, &ctx, &e, "renewal-illegal-transition").await?;
    }
    Ok(see_other("/renewals"))
}

#[derive(Debug, Default, Deserialize)]
pub struct RenewForm {
    #[serde(default)]
    pub new_end: String,
    #[serde(default)]
    pub new_tjm: String,
}

pub async fn renew(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    Form(f): Form<RenewForm>,
) -> AppResult<Response> {
    let mut e = ValidationErrors::new();
    let new_end = e.required("new_end", &f.new_end, domain::validation::date);
    let new_tjm = e.optional("new_tjm", &f.new_tjm, Tjm::parse);
    let (Some(end), true) = (new_end, e.is_empty()) else {
        return flash_back(&app, &ctx, &e, "/renewals").await;
    };
    let scope = ctx.scope()?;
    let renew = async |tx: &mut Tx| {
        store::renewals::renew(tx, &ctx.actor(), scope, id, end, new_tjm, None).await
    };
    write(&app, &ctx)
        .flash("renewal-renewed")
        .redirect("/renewals", renew)
        .await
}

//! The detail page of an opportunity and its commands: move to a stage,
//! lose with a reason, win (which makes the mission and opens it), and
//! the renewal opportunity of a mission.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::Region;
use domain::crm::opportunity::covered_hundredths;
use domain::crm::{LossReason, Outcome};
use domain::ids::{MissionId, OpportunityId};
use domain::role::Role;
use serde::Deserialize;

use super::positionings::{Forms, PositioningBlock, positioning_block};
use crate::api::opportunities::{stage_request, win_with};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::{Layout, flash_refusal, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};
use axum::http::StatusCode;

pub struct Line {
    pub text: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "opportunities/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    title: String,
    stage_label: String,
    outcome: &'static str,
    client_id: String,
    facts: Vec<(String, String)>,
    need: Option<String>,
    expected: String,
    weighted: String,
    covered: String,
    contacts: Vec<(String, String)>,
    skills: Vec<(String, String)>,
    parent: Option<(String, String)>,
    children: Vec<(String, String, String)>,
    mission: Option<(String, String)>,
    renews: Option<(String, String)>,
    /// The follow-up meeting it was born in: its id and when it took place.
    meeting: Option<(String, String)>,
    timeline: Vec<Line>,
    /// Its calls, meetings, e-mails and tasks, the latest due first.
    activities: Vec<crate::pages::activities::Row>,
    can_log: bool,
    back: String,
    log_query: String,
    /// Where it may move: the open stages but its own.
    moves: Vec<(String, String)>,
    reasons: Vec<(&'static str, String)>,
    consultants: Vec<(String, String)>,
    can_edit: bool,
    positioning: PositioningBlock,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
) -> AppResult<Response> {
    page(&app, &ctx, id, Forms::default()).await
}

/// The detail page; `forms` holds what a refused positioning or answer
/// form typed, shown again with its errors beside the fields (422).
pub(super) async fn page(
    app: &AppState,
    ctx: &Ctx,
    id: OpportunityId,
    forms: Forms,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let d = store::opportunities::detail(&mut tx, ctx.scope()?, id).await?;
    let stages = store::opportunities::stages(&mut tx).await?;
    let can_edit = allows(ctx.user()?.role, Permission::EditOpportunities);
    let refused = forms.refused();
    let positioning = positioning_block(&mut tx, ctx, &d.opportunity, can_edit, forms).await?;
    let consultants = if can_edit && d.opportunity.mission_id.is_none() {
        crate::pages::missions::users_with(&mut tx, &[Role::Consultant]).await?
    } else {
        Vec::new()
    };
    let meeting = match d.opportunity.meeting_id {
        Some(mid) => match store::meetings::get(&mut tx, ctx.scope()?, mid).await {
            Ok(m) => Some((
                mid.to_string(),
                domain::locale::format_datetime(m.planned_at, l),
            )),
            Err(store::Error::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let activities = crate::pages::activities::timeline_rows(
        &mut tx,
        ctx,
        store::activities::Subject::Opportunity(id),
    )
    .await?;
    tx.commit().await?;
    let o = &d.opportunity;
    let data = &o.data;
    let date = |x: time::Date| domain::locale::format_date(x, l);
    let t = |k: &str| i18n::t(l, k);
    let mut facts = vec![
        (t("opportunity-client"), o.client_name.clone()),
        (t("opportunity-kind"), t(&data.kind.label_key())),
        (t("opportunity-source"), t(&data.source.label_key())),
        (t("opportunity-bm"), o.business_manager_name.clone()),
        (t("opportunity-start"), date(data.start_date)),
    ];
    if let Some(end) = data.end_date {
        facts.push((t("opportunity-end"), date(end)));
    }
    facts.push((t("opportunity-days"), data.days.format(l)));
    facts.push((t("opportunity-positions"), data.positions.to_string()));
    if let Some(min) = data.tjm_min {
        facts.push((t("opportunity-tjm-min"), min.amount().format(l)));
    }
    if let Some(max) = data.tjm_max {
        facts.push((t("opportunity-tjm-max"), max.amount().format(l)));
    }
    if let Some(a) = data.amount {
        facts.push((t("opportunity-amount"), a.format(l)));
    }
    facts.push((t("opportunity-probability"), o.probability.format(l)));
    if let Some(r) = o.standing.loss_reason {
        let mut why = t(&r.label_key());
        if let Some(n) = &o.loss_note {
            why = format!("{why} — {n}");
        }
        facts.push((t("opportunity-loss-reason"), why));
    }
    let today = store::today();
    let covered = if o.outcome == Outcome::Open {
        covered_hundredths(
            data.remaining_days(today, Region::Standard),
            data.positions,
            o.probability,
        )
    } else {
        0
    };
    let covered = hundredths(covered, l);
    let timeline = d
        .events
        .iter()
        .map(|e| {
            let who = e
                .user_name
                .clone()
                .unwrap_or_else(|| t("opportunity-by-system"));
            let text = match e.kind.as_str() {
                "stage_moved" | "reopened" => i18n::t_args(
                    l,
                    &format!("opportunity-event-{}", e.kind.replace('_', "-")),
                    &[
                        ("who", who),
                        ("from", e.from_stage.clone().unwrap_or_default()),
                        ("to", e.to_stage.clone().unwrap_or_default()),
                    ],
                ),
                "lost" => i18n::t_args(
                    l,
                    "opportunity-event-lost",
                    &[
                        ("who", who),
                        (
                            "reason",
                            e.loss_reason.map(|r| t(&r.label_key())).unwrap_or_default(),
                        ),
                    ],
                ),
                kind => i18n::t_args(
                    l,
                    &format!("opportunity-event-{}", kind.replace('_', "-")),
                    &[("who", who)],
                ),
            };
            Line {
                text,
                when: domain::locale::format_datetime(e.at, l),
            }
        })
        .collect();
    let moves = stages
        .stages()
        .iter()
        .filter(|s| s.outcome == Outcome::Open && s.code != o.standing.stage)
        .map(|s| (s.code.to_string(), s.label.clone()))
        .collect();
    let page = ShowPage {
        layout: layout(app, ctx, "opportunities-title").await?,
        id: o.id.to_string(),
        title: data.title.clone(),
        stage_label: o.stage_label.clone(),
        outcome: o.outcome.as_str(),
        client_id: data.client_id.to_string(),
        facts,
        need: data.need.clone(),
        expected: o.expected.format(l),
        weighted: o.weighted.format(l),
        covered,
        contacts: d
            .contacts
            .iter()
            .map(|c| {
                let name = match &c.job_title {
                    Some(j) => format!("{} ({j})", c.name),
                    None => c.name.clone(),
                };
                (c.id.to_string(), name)
            })
            .collect(),
        skills: d
            .skills
            .iter()
            .map(|s| (s.name.clone(), t(&s.level.label_key())))
            .collect(),
        parent: d
            .parent
            .as_ref()
            .map(|p| (p.id.to_string(), p.title.clone())),
        children: d
            .children
            .iter()
            .map(|c| (c.id.to_string(), c.title.clone(), c.stage_label.clone()))
            .collect(),
        mission: d
            .mission
            .as_ref()
            .map(|(m, title)| (m.to_string(), title.clone())),
        renews: d
            .renews
            .as_ref()
            .map(|(m, title)| (m.to_string(), title.clone())),
        meeting,
        timeline,
        activities,
        can_log: allows(ctx.user()?.role, Permission::LogActivities),
        back: format!("/opportunities/{id}"),
        log_query: format!("opportunity={id}"),
        moves,
        reasons: LossReason::ALL
            .iter()
            .map(|r| (r.as_str(), t(&r.label_key())))
            .collect(),
        consultants,
        can_edit,
        positioning,
    };
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

/// Hundredths of a day as a page writes them: "24", "24,5", "24,25".
pub(crate) fn hundredths(n: i64, l: domain::Locale) -> String {
    let whole = domain::locale::format_int(n / 100, l);
    match n % 100 {
        0 => whole,
        f => {
            let frac = format!("{f:02}");
            format!(
                "{whole}{}{}",
                l.decimal_separator(),
                frac.trim_end_matches('0')
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub loss_reason: String,
    #[serde(default)]
    pub loss_note: String,
    /// `kanban` to go back to the kanban, else the detail page.
    #[serde(default)]
    pub back: String,
}

pub async fn stage(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Form(f): Form<StageForm>,
) -> AppResult<Response> {
    let back = if f.back == "kanban" {
        "/opportunities/kanban".to_string()
    } else {
        format!("/opportunities/{id}")
    };
    let (target, reason, note) =
        match stage_request(&f.stage, Some(f.loss_reason.as_str()), Some(f.loss_note)) {
            Ok(x) => x,
            Err(crate::error::AppError::Validation(v)) => {
                return crate::write::flash_back(&app, &ctx, &v, &back).await;
            }
            Err(e) => return Err(e),
        };
    let scope = ctx.scope()?;
    write(&app, &ctx)
        .flash("opportunity-moved")
        .redirect(&back, async |tx| {
            store::opportunities::move_stage(
                tx,
                &ctx.actor(),
                scope,
                id,
                &target,
                reason,
                note.as_deref(),
            )
            .await
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct WinForm {
    #[serde(default)]
    pub consultant_id: String,
}

/// Wins it and opens the mission it became.
pub async fn win(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Form(f): Form<WinForm>,
) -> AppResult<Response> {
    let back = format!("/opportunities/{id}");
    let with = match win_with(Some(f.consultant_id.as_str()), None) {
        Ok(w) => w,
        Err(crate::error::AppError::Validation(v)) => {
            return crate::write::flash_back(&app, &ctx, &v, &back).await;
        }
        Err(e) => return Err(e),
    };
    let scope = ctx.scope()?;
    match write(&app, &ctx)
        .flash("opportunity-won")
        .run(async |tx| store::opportunities::win(tx, &ctx.actor(), scope, id, with).await)
        .await?
    {
        Done((mission, _)) => Ok(see_other(&format!("/missions/{mission}"))),
        Refused(v) => {
            flash_refusal(&app, &ctx, &v, "error-validation").await?;
            Ok(see_other(&back))
        }
    }
}

/// The renewal opportunity of a mission (the renewals page's button):
/// made once, then opened.
pub async fn renewal(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(mission): Id<MissionId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    match write(&app, &ctx)
        .run_then_flash(
            async |tx| {
                store::opportunities::renewal_for_mission(tx, &ctx.actor(), scope, mission).await
            },
            |(_, made)| {
                Some(crate::view::Flash::success(if *made {
                    "opportunity-renewal-created"
                } else {
                    "opportunity-renewal-exists"
                }))
            },
        )
        .await?
    {
        Done((id, _)) => Ok(see_other(&format!("/opportunities/{id}"))),
        Refused(v) => {
            flash_refusal(&app, &ctx, &v, "error-validation").await?;
            Ok(see_other("/renewals"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hundredths;
    use domain::Locale;

    #[test]
    fn covered_days_are_written_like_numbers() {
        assert_eq!(hundredths(2_400, Locale::Fr), "24");
        assert_eq!(hundredths(2_450, Locale::Fr), "24,5");
        assert_eq!(hundredths(2_425, Locale::En), "24.25");
        assert_eq!(hundredths(5, Locale::Fr), "0,05");
    }
}

//! Follow-up meetings (RDV de suivi) as pages: the agenda of those the
//! reader may see (planned first, soonest first, then those held or
//! cancelled), the form to plan or change one, the detail page where it is
//! held (which plans the series' next one), gives birth to a child
//! opportunity or to follow-up tasks; and the block the mission's and the
//! account's pages show (the next meeting, the last held).

mod form;
mod show;

pub use form::{create, edit, new, update};
pub use show::{cancel, child_opportunity, hold, show, task};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::crm::meeting::{MeetingKind, MeetingStatus};
use domain::ids::{CompanyId, MissionId};
use domain::paging::PageRequest;
use serde::Deserialize;
use store::meetings::Meeting;

use crate::api::meetings::{MeetingFilterParams, filter_of};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{Layout, Pager, layout, render};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub mission_id: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<u32>,
}

impl ListQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("mission_id", self.mission_id.clone()),
            ("company_id", self.company_id.clone()),
            ("status", self.status.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ]
    }

    /// The filter; a value that is none (a forged link) is ignored on a
    /// page rather than refused, the page then shows every meeting.
    fn filter(&self) -> store::meetings::MeetingFilter {
        let opt = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
        let params = MeetingFilterParams {
            mission_id: opt(&self.mission_id),
            company_id: opt(&self.company_id),
            from: opt(&self.from),
            to: opt(&self.to),
            status: opt(&self.status),
        };
        let mut f = filter_of(&params).unwrap_or_default();
        f.upcoming_first = true;
        f
    }
}

/// "client" or "consultant" follow-up, in words.
pub(crate) fn kind_label(l: Locale, k: MeetingKind) -> String {
    i18n::t(l, &format!("meeting-kind-{}", k.as_str()))
}

pub(crate) fn status_label(l: Locale, s: MeetingStatus) -> String {
    i18n::t(l, &format!("meeting-status-{}", s.as_str()))
}

/// What a meeting is about: its mission, else its account.
fn subject(m: &Meeting) -> String {
    match &m.mission_title {
        Some(t) => format!("{t} — {}", m.company_name),
        None => m.company_name.clone(),
    }
}

/// The missions and accounts a meeting may be about, in the reader's scope.
pub(crate) struct Subjects {
    pub missions: Vec<(String, String)>,
    pub companies: Vec<(String, String)>,
}

pub(crate) async fn subjects(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Subjects> {
    let scope = ctx.scope()?;
    let missions = store::missions::list(
        tx,
        scope,
        &store::missions::MissionFilter::default(),
        PageRequest::new(Some(1), Some(200)),
    )
    .await?
    .items
    .into_iter()
    .map(|m| {
        (
            m.id.to_string(),
            format!("{} — {}", m.data.title, m.client_name),
        )
    })
    .collect();
    let mut companies = Vec::new();
    for kind in [
        domain::company::CompanyKind::Client,
        domain::company::CompanyKind::Prospect,
    ] {
        companies.extend(
            store::companies::options(tx, scope, Some(kind))
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
    }
    companies.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Subjects {
        missions,
        companies,
    })
}

/// One meeting as the agenda shows it.
pub struct RowView {
    pub id: String,
    pub when: String,
    pub kind: String,
    pub subject: String,
    pub organiser: String,
    pub status: &'static str,
    pub status_label: String,
}

fn row(m: &Meeting, l: Locale) -> RowView {
    RowView {
        id: m.id.to_string(),
        when: domain::locale::format_datetime(m.planned_at, l),
        kind: kind_label(l, m.kind),
        subject: subject(m),
        organiser: m.organiser_name.clone(),
        status: m.status.as_str(),
        status_label: status_label(l, m.status),
    }
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    f: ListQuery,
    s: Subjects,
    statuses: Vec<(&'static str, String)>,
    rows: Vec<RowView>,
    pager: Pager,
    can_edit: bool,
    /// The "plan one" link, carrying the mission or account filtered on.
    plan: String,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let filter = q.filter();
    let mut tx = app.db.read().await?;
    let paged = store::meetings::list(
        &mut tx,
        ctx.scope()?,
        &filter,
        PageRequest::new(q.page, None),
    )
    .await?;
    let s = subjects(&mut tx, &ctx).await?;
    tx.commit().await?;
    let plan = match (filter.mission_id, filter.company_id) {
        (Some(m), _) => format!("/meetings/new?mission={m}"),
        (None, Some(c)) => format!("/meetings/new?company={c}"),
        _ => "/meetings/new".to_owned(),
    };
    render(&ListPage {
        layout: layout(&app, &ctx, "meetings-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditOpportunities),
        statuses: [
            MeetingStatus::Planned,
            MeetingStatus::Held,
            MeetingStatus::Cancelled,
        ]
        .iter()
        .map(|s| (s.as_str(), status_label(l, *s)))
        .collect(),
        rows: paged.items.iter().map(|m| row(m, l)).collect(),
        pager: Pager::new(&paged, "/meetings", &q.pairs()),
        f: q,
        s,
        plan,
    })
}

/// The "Rendez-vous de suivi" block of a mission's or an account's page.
pub struct MeetingBlock {
    /// (id, when, what) of the next planned meeting.
    pub next: Option<(String, String, String)>,
    /// (id, when, what) of the last one held.
    pub last: Option<(String, String, String)>,
    /// The agenda filtered on this mission or account.
    pub all: String,
    /// The form, prefilled with this mission or account.
    pub plan: String,
    pub can_plan: bool,
}

/// The block, for those who see the CRM (`None` for the others).
pub(crate) async fn block(
    tx: &mut store::Tx,
    ctx: &Ctx,
    mission: Option<MissionId>,
    company: Option<CompanyId>,
) -> AppResult<Option<MeetingBlock>> {
    let role = ctx.user()?.role;
    if !allows(role, Permission::ViewOpportunities) {
        return Ok(None);
    }
    let l = ctx.locale;
    let s = store::meetings::summary(tx, ctx.scope()?, mission, company).await?;
    let line = |m: &Meeting| {
        (
            m.id.to_string(),
            domain::locale::format_datetime(m.planned_at, l),
            match (&m.mission_title, mission) {
                (Some(t), None) => format!("{} — {t}", kind_label(l, m.kind)),
                _ => kind_label(l, m.kind),
            },
        )
    };
    let (all, plan) = match (mission, company) {
        (Some(m), _) => (
            format!("/meetings?mission_id={m}"),
            format!("/meetings/new?mission={m}"),
        ),
        (None, Some(c)) => (
            format!("/meetings?company_id={c}"),
            format!("/meetings/new?company={c}"),
        ),
        _ => ("/meetings".to_owned(), "/meetings/new".to_owned()),
    };
    Ok(Some(MeetingBlock {
        next: s.next.as_ref().map(line),
        last: s.last_held.as_ref().map(line),
        all,
        plan,
        can_plan: allows(role, Permission::EditOpportunities),
    }))
}

//! Activities: the list (filters, paging), "ma journée" (today's and
//! overdue open ones, grouped, done in one click), marking done or open
//! again, and the form (`form.rs`). The timelines of an opportunity and a
//! company are shown on their pages with [`timeline_rows`].

mod form;
pub mod of_mission;

pub use form::{create, edit, new, update};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::crm::activity::{ActivityKind, Due, due_on};
use domain::paging::PageRequest;
use serde::Deserialize;
use store::activities::{Activity, Subject};

use crate::api::activities::{ActivityFilterParams, filter_of};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id, Query};
use crate::pages::see_other;
use crate::view::{Layout, Pager, layout, render};
use crate::write::write;
use crate::{AppState, i18n};

/// One activity as the list, the day and the timelines show it.
pub struct Row {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
    pub assignee: String,
    /// (href, text) of what it is about: the account, the opportunity, the
    /// mission, the contact.
    pub about: Vec<(String, String)>,
    pub notes: Option<String>,
    pub editable: bool,
}

pub fn kind_label(l: Locale, k: ActivityKind) -> String {
    i18n::t(l, &format!("activity-kind-{}", k.as_str()))
}

fn row(a: &Activity, l: Locale, today: time::Date) -> Row {
    let mut about = Vec::new();
    if let (Some(id), Some(name)) = (a.company_id, &a.company_name) {
        about.push((format!("/companies/{id}"), name.clone()));
    }
    if let (Some(id), Some(name)) = (a.contact_id, &a.contact_name) {
        about.push((format!("/contacts/{id}"), name.clone()));
    }
    if let (Some(id), Some(t)) = (a.opportunity_id, &a.opportunity_title) {
        about.push((format!("/opportunities/{id}"), t.clone()));
    }
    if let (Some(id), Some(t)) = (a.mission_id, &a.mission_title) {
        about.push((format!("/missions/{id}"), t.clone()));
    }
    Row {
        id: a.id.to_string(),
        kind: kind_label(l, a.kind),
        title: a.title.clone(),
        due: domain::locale::format_date(a.due_date, l),
        overdue: !a.is_done() && due_on(a.due_date, today) == Due::Overdue,
        done: a.is_done(),
        assignee: a.assignee_name.clone(),
        about,
        notes: a.notes.clone(),
        editable: a.kind != ActivityKind::Renewal,
    }
}

/// The activities about an opportunity or a company, for its page.
pub async fn timeline_rows(tx: &mut store::Tx, ctx: &Ctx, about: Subject) -> AppResult<Vec<Row>> {
    let today = store::today();
    Ok(
        store::activities::timeline(tx, ctx.scope()?, about, TIMELINE)
            .await?
            .iter()
            .map(|a| row(a, ctx.locale, today))
            .collect(),
    )
}

/// Activities a detail page shows; the rest is on the list, filtered.
const TIMELINE: u32 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub assignee_id: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub opportunity_id: String,
    #[serde(default)]
    pub mission_id: String,
    #[serde(default)]
    pub due_from: String,
    #[serde(default)]
    pub due_to: String,
    pub page: Option<u32>,
}

impl ListQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("kind", self.kind.clone()),
            ("status", self.status.clone()),
            ("assignee_id", self.assignee_id.clone()),
            ("company_id", self.company_id.clone()),
            ("opportunity_id", self.opportunity_id.clone()),
            ("mission_id", self.mission_id.clone()),
            ("due_from", self.due_from.clone()),
            ("due_to", self.due_to.clone()),
        ]
    }
}

#[derive(Template)]
#[template(path = "activities/list.html")]
struct ListPage {
    layout: Layout,
    f: ListQuery,
    kinds: Vec<(&'static str, String)>,
    managers: Vec<(String, String)>,
    companies: Vec<(String, String)>,
    rows: Vec<Row>,
    pager: Pager,
    can_log: bool,
    errors: crate::view::FieldErrors,
    back: String,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let opt = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
    let params = ActivityFilterParams {
        assignee_id: opt(&q.assignee_id),
        kind: opt(&q.kind),
        status: opt(&q.status),
        due_from: opt(&q.due_from),
        due_to: opt(&q.due_to),
        company_id: opt(&q.company_id),
        opportunity_id: opt(&q.opportunity_id),
        mission_id: opt(&q.mission_id),
    };
    // A refused filter is shown beside its field; the list is then unfiltered.
    let (filter, errors) = match filter_of(&params) {
        Ok(f) => (f, domain::validation::ValidationErrors::new()),
        Err(e) => (Default::default(), e),
    };
    let mut tx = app.db.read().await?;
    let paged = store::activities::list_at_most(
        &mut tx,
        scope,
        &filter,
        PageRequest::new(q.page, None),
        COUNTED,
    )
    .await?;
    let managers = super::missions::users_with(&mut tx, ASSIGNABLE).await?;
    let companies = store::companies::options(&mut tx, scope, None)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    tx.commit().await?;
    let l = ctx.locale;
    let today = store::today();
    let pager = Pager::at_most(&paged, "/activities", &q.pairs(), COUNTED);
    let back = format!(
        "/activities?{}",
        serde_urlencoded::to_string(q.pairs()).unwrap_or_default()
    );
    render(&ListPage {
        layout: layout(&app, &ctx, "activities-title").await?,
        kinds: kinds(l, true),
        managers,
        companies,
        rows: paged.items.iter().map(|a| row(a, l, today)).collect(),
        pager,
        can_log: allows(ctx.user()?.role, Permission::LogActivities),
        errors: crate::view::FieldErrors::new(l, &errors),
        back,
        f: q,
    })
}

/// The list counts up to this many, then says "more than".
const COUNTED: u64 = 1_000;

/// The roles an activity may be assigned to (the store checks it again).
pub(crate) const ASSIGNABLE: &[domain::role::Role] = &[
    domain::role::Role::BusinessManager,
    domain::role::Role::Direction,
    domain::role::Role::Admin,
    domain::role::Role::DeliveryManager,
];

/// The kinds offered, the renewal's too on the list's filter.
fn kinds(l: Locale, with_renewal: bool) -> Vec<(&'static str, String)> {
    ActivityKind::CHOSEN
        .into_iter()
        .chain(with_renewal.then_some(ActivityKind::Renewal))
        .map(|k| (k.as_str(), kind_label(l, k)))
        .collect()
}

#[derive(Template)]
#[template(path = "activities/my_day.html")]
struct MyDayPage {
    layout: Layout,
    today: String,
    overdue: Vec<Row>,
    /// All his overdue ones, and the list of them when more than shown.
    overdue_total: u64,
    all_overdue: Option<String>,
    due_today: Vec<Row>,
}

/// "Ma journée": the signed-in user's open activities due today, and
/// those overdue, each done in one click.
pub async fn my_day(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?.id;
    let today = store::today();
    let mut tx = app.db.read().await?;
    let day = store::activities::my_day(&mut tx, user, today).await?;
    let overdue_total = store::activities::overdue_count(&mut tx, user, today).await?;
    tx.commit().await?;
    let l = ctx.locale;
    let (overdue, due_today): (Vec<Row>, Vec<Row>) = day
        .iter()
        .map(|a| row(a, l, today))
        .partition(|r| r.overdue);
    // Beyond the ones listed, the whole list of his overdue activities.
    let all_overdue = (overdue_total > overdue.len() as u64).then(|| {
        format!(
            "/activities?status=open&assignee_id={user}&due_to={}",
            today.previous_day().unwrap_or(today)
        )
    });
    render(&MyDayPage {
        layout: layout(&app, &ctx, "my-day-title").await?,
        today: domain::locale::format_date(today, l),
        overdue,
        overdue_total,
        all_overdue,
        due_today,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    pub back: String,
}

fn back_to(f: &DoneForm) -> String {
    crate::redirect::local_path(f.back.trim())
        .unwrap_or("/my-day")
        .to_owned()
}

/// Marks an activity done, then back to the page it was clicked on.
pub async fn done(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<domain::ids::ActivityId>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    set(&app, &ctx, id, true).await?;
    Ok(see_other(&back_to(&f)))
}

/// Opens a done activity again.
pub async fn reopen(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<domain::ids::ActivityId>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    set(&app, &ctx, id, false).await?;
    Ok(see_other(&back_to(&f)))
}

async fn set(app: &AppState, ctx: &Ctx, id: domain::ids::ActivityId, done: bool) -> AppResult<()> {
    let scope = ctx.scope()?;
    write(app, ctx)
        .flash(if done {
            "activity-done"
        } else {
            "activity-reopened"
        })
        .commit(async |tx| store::activities::set_done(tx, &ctx.actor(), scope, id, done).await)
        .await?;
    Ok(())
}

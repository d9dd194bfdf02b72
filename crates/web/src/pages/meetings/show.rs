//! A meeting's page and its commands: hold it (note, decisions, who was
//! there; the series' next meeting is planned and shown), cancel it, and
//! once held, "Créer une opportunité fille" in one click and "Créer une
//! tâche de suivi" from its note.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::crm::follow_up::{follow_up_input, suggested_title};
use domain::crm::meeting::{MeetingStatus, hold_input};
use domain::ids::{ContactId, MeetingId, UserId};
use domain::validation::ValidationErrors;
use store::meetings::Meeting;

use super::{kind_label, status_label};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Id;
use crate::pages::see_other;
use crate::view::{
    FieldErrors, Flash, FlashKind, Layout, flash_refusal, layout, render, render_status,
};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

/// What the hold form sends (and shows again when refused).
#[derive(Debug, Default)]
pub struct HoldForm {
    pub note: String,
    pub decisions: String,
    pub contacts: Vec<String>,
    pub users: Vec<String>,
}

/// What the follow-up task form sends.
#[derive(Debug, Default)]
pub struct TaskForm {
    pub title: String,
    pub due_date: String,
    pub assignee_id: String,
}

/// An attendee: id, name, and once held whether present.
pub struct Person {
    pub id: String,
    pub name: String,
    pub present: Option<bool>,
}

pub struct TaskLine {
    pub title: String,
    pub due: String,
    pub assignee: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    status: &'static str,
    status_label: String,
    heading: String,
    facts: Vec<(String, String)>,
    mission: Option<(String, String)>,
    company: (String, String),
    contacts: Vec<Person>,
    users: Vec<Person>,
    note: Option<String>,
    decisions: Option<String>,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    recurring: bool,
    children: Vec<(String, String, String)>,
    tasks: Vec<TaskLine>,
    assignees: Vec<(String, String)>,
    can_edit: bool,
    hold: HoldForm,
    task: TaskForm,
    errors: FieldErrors,
}

impl ShowPage {
    fn contact_present(&self, id: &str) -> bool {
        self.hold.contacts.iter().any(|c| c == id)
    }

    fn user_present(&self, id: &str) -> bool {
        self.hold.users.iter().any(|u| u == id)
    }
}

/// The date and time of a meeting in scope, for the series' links.
async fn when_of(
    tx: &mut store::Tx,
    ctx: &Ctx,
    id: Option<MeetingId>,
) -> AppResult<Option<(String, String)>> {
    let Some(id) = id else { return Ok(None) };
    match store::meetings::get(tx, ctx.scope()?, id).await {
        Ok(m) => Ok(Some((
            id.to_string(),
            domain::locale::format_datetime(m.planned_at, ctx.locale),
        ))),
        Err(store::Error::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn heading(ctx: &Ctx, m: &Meeting) -> String {
    let what = match &m.mission_title {
        Some(t) => t.clone(),
        None => m.company_name.clone(),
    };
    format!(
        "{} — {what} — {}",
        kind_label(ctx.locale, m.kind),
        domain::locale::format_datetime(m.planned_at, ctx.locale)
    )
}

/// The page; `hold` and `task` are the forms as typed when one was
/// refused (`None`: their starting values).
async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    id: MeetingId,
    hold: Option<HoldForm>,
    task: Option<TaskForm>,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let d = store::meetings::detail(&mut tx, ctx.scope()?, id).await?;
    let previous = when_of(&mut tx, ctx, d.meeting.previous_id).await?;
    let next = when_of(&mut tx, ctx, d.next_id).await?;
    let can_edit = allows(ctx.user()?.role, Permission::EditOpportunities);
    let assignees = if can_edit && d.meeting.status == MeetingStatus::Held {
        crate::pages::missions::users_with(
            &mut tx,
            &[
                domain::role::Role::BusinessManager,
                domain::role::Role::Direction,
                domain::role::Role::Admin,
                domain::role::Role::DeliveryManager,
                domain::role::Role::Recruiter,
                domain::role::Role::Consultant,
            ],
        )
        .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let m = &d.meeting;
    let t = |k: &str| i18n::t(l, k);
    let mut facts = vec![
        (t("meeting-kind"), kind_label(l, m.kind)),
        (
            t("meeting-planned-at"),
            domain::locale::format_datetime(m.planned_at, l),
        ),
        (
            t("meeting-mode"),
            t(&format!(
                "meeting-mode-{}",
                m.mode.as_str().replace('_', "-")
            )),
        ),
    ];
    if let Some(p) = &m.place {
        facts.push((t("meeting-place"), p.clone()));
    }
    facts.push((t("meeting-organiser"), m.organiser_name.clone()));
    if let Some(h) = m.held_at {
        facts.push((t("meeting-held-at"), domain::locale::format_datetime(h, l)));
    }
    let people = |a: &[store::meetings::Attendee<ContactId>]| -> Vec<Person> {
        a.iter()
            .map(|x| Person {
                id: x.id.to_string(),
                name: x.name.clone(),
                present: x.present,
            })
            .collect()
    };
    let contacts = people(&d.contacts);
    let users: Vec<Person> = d
        .users
        .iter()
        .map(|x| Person {
            id: x.id.to_string(),
            name: x.name.clone(),
            present: x.present,
        })
        .collect();
    // Everyone invited is ticked until told otherwise.
    let hold = hold.unwrap_or_else(|| HoldForm {
        contacts: contacts.iter().map(|p| p.id.clone()).collect(),
        users: users.iter().map(|p| p.id.clone()).collect(),
        ..HoldForm::default()
    });
    let task = task.unwrap_or_else(|| TaskForm {
        title: m
            .note
            .as_deref()
            .map(|n| suggested_title(n, m.decisions.as_deref()))
            .unwrap_or_default(),
        due_date: store::today()
            .checked_add(time::Duration::days(7))
            .map(|d| domain::locale::format_date(d, l))
            .unwrap_or_default(),
        assignee_id: ctx.user().map(|u| u.id.to_string()).unwrap_or_default(),
    });
    let page = ShowPage {
        layout: layout(app, ctx, "meetings-title").await?,
        id: m.id.to_string(),
        status: m.status.as_str(),
        status_label: status_label(l, m.status),
        heading: heading(ctx, m),
        facts,
        mission: m
            .mission_id
            .map(|x| (x.to_string(), m.mission_title.clone().unwrap_or_default())),
        company: (m.company_id.to_string(), m.company_name.clone()),
        contacts,
        users,
        note: m.note.clone(),
        decisions: m.decisions.clone(),
        previous,
        next,
        recurring: m.series_id.is_some(),
        children: d
            .children
            .iter()
            .map(|c| (c.id.to_string(), c.title.clone(), c.stage_label.clone()))
            .collect(),
        tasks: d
            .tasks
            .iter()
            .map(|x| TaskLine {
                title: x.title.clone(),
                due: domain::locale::format_date(x.due_date, l),
                assignee: x.assignee_name.clone(),
                done: x.done_at.is_some(),
            })
            .collect(),
        assignees,
        can_edit,
        hold,
        task,
        errors: FieldErrors::new(l, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
) -> AppResult<Response> {
    show_page(&app, &ctx, id, None, None, &ValidationErrors::new()).await
}

fn pairs(body: &[u8]) -> AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(body).map_err(|_| AppError::BadRequest("error-malformed-form"))
}

/// Holds it: the note (required), the decisions, who was there; then the
/// page, which shows the series' next meeting now planned.
pub async fn hold(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
    body: Bytes,
) -> AppResult<Response> {
    let mut f = HoldForm::default();
    for (k, v) in pairs(&body)? {
        match k.as_str() {
            "note" => f.note = v,
            "decisions" => f.decisions = v,
            "present_contact" => f.contacts.push(v),
            "present_user" => f.users.push(v),
            _ => {}
        }
    }
    let held = match hold_input(&f.note, &f.decisions) {
        Ok(h) => h,
        Err(errors) => return show_page(&app, &ctx, id, Some(f), None, &errors).await,
    };
    // A ticked box that is no id is a forged form: it counts as absent.
    let contacts: Vec<ContactId> = f
        .contacts
        .iter()
        .filter_map(|c| ContactId::parse(c))
        .collect();
    let users: Vec<UserId> = f.users.iter().filter_map(|u| UserId::parse(u)).collect();
    let scope = ctx.scope()?;
    let l = ctx.locale;
    let run = async |tx: &mut store::Tx| -> AppResult<_> {
        let before = store::meetings::get(tx, scope, id).await?;
        // Held already (a second click): what was recorded stays.
        if before.status == MeetingStatus::Planned {
            store::meetings::mark_presence(tx, id, &contacts, &users).await?;
        }
        let (_, next) = store::meetings::hold(tx, &ctx.actor(), scope, id, &held).await?;
        let when = match next {
            Some(n) => Some(store::meetings::get(tx, scope, n).await?.planned_at),
            None => None,
        };
        Ok(when)
    };
    match write(&app, &ctx)
        .run_then_flash(run, |when| {
            Some(match when {
                Some(at) => Flash::text(
                    FlashKind::Success,
                    i18n::t_args(
                        l,
                        "meeting-held-next",
                        &[("date", domain::locale::format_datetime(*at, l))],
                    ),
                ),
                None => Flash::success("meeting-held"),
            })
        })
        .await?
    {
        Done(_) => Ok(see_other(&format!("/meetings/{id}"))),
        Refused(errors) => show_page(&app, &ctx, id, Some(f), None, &errors).await,
    }
}

pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    write(&app, &ctx)
        .flash("meeting-cancelled")
        .redirect(&format!("/meetings/{id}"), async |tx| {
            store::meetings::cancel(tx, &ctx.actor(), scope, id).await
        })
        .await
}

/// "Créer une opportunité fille": one click makes it and opens it. The
/// form carries how many children the page showed: a second click (or a
/// reload) finding one more opens that one instead of making another.
pub async fn child_opportunity(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
    body: Bytes,
) -> AppResult<Response> {
    let seen: Option<usize> = pairs(&body)?
        .into_iter()
        .find(|(k, _)| k == "seen")
        .and_then(|(_, v)| v.trim().parse().ok());
    let scope = ctx.scope()?;
    let run = async |tx: &mut store::Tx| -> AppResult<_> {
        let d = store::meetings::detail(tx, scope, id).await?;
        if let (Some(seen), Some(last)) = (seen, d.children.last())
            && d.children.len() > seen
        {
            return Ok((last.id, false));
        }
        let title = crate::api::meetings::child_title(&ctx, &d.meeting);
        let o = store::meetings::child_opportunity(tx, &ctx.actor(), scope, id, &title).await?;
        Ok((o.id, true))
    };
    match write(&app, &ctx)
        .run_then_flash(run, |(_, made)| {
            Some(Flash::success(if *made {
                "meeting-child-created"
            } else {
                "meeting-child-exists"
            }))
        })
        .await?
    {
        Done((o, _)) => Ok(see_other(&format!("/opportunities/{o}"))),
        Refused(v) => {
            flash_refusal(&app, &ctx, &v, "error-validation").await?;
            Ok(see_other(&format!("/meetings/{id}")))
        }
    }
}

/// "Créer une tâche de suivi": title, due date, assignee.
pub async fn task(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
    body: Bytes,
) -> AppResult<Response> {
    let mut f = TaskForm::default();
    for (k, v) in pairs(&body)? {
        match k.as_str() {
            "task_title" => f.title = v,
            "task_due_date" => f.due_date = v,
            "task_assignee_id" => f.assignee_id = v,
            _ => {}
        }
    }
    let input = match follow_up_input(&f.title, &f.due_date, &f.assignee_id) {
        Ok(t) => t,
        Err(errors) => return show_page(&app, &ctx, id, None, Some(f), &errors).await,
    };
    let scope = ctx.scope()?;
    match write(&app, &ctx)
        .flash("meeting-task-created")
        .run(async |tx| store::meetings::follow_up_task(tx, &ctx.actor(), scope, id, &input).await)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/meetings/{id}"))),
        Refused(errors) => show_page(&app, &ctx, id, None, Some(f), &errors).await,
    }
}

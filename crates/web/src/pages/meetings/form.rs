//! The meeting form: plan one (`?mission=` or `?company=` prefills what it
//! is about) or change a planned one, errors beside their fields, nothing
//! written on a refusal. The contacts offered are those of the meeting's
//! account (the mission's client); the series of a recurring meeting is
//! chosen when planning it and kept when it changes.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::crm::meeting::{MeetingInput, paris_clock};
use domain::ids::{CompanyId, MeetingId, MissionId};
use domain::paging::PageRequest;
use domain::role::Role;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;

use super::{Subjects, subjects};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};

/// The firm's people who may attend: every internal role.
const ATTENDEES: &[Role] = &[
    Role::BusinessManager,
    Role::Direction,
    Role::Admin,
    Role::DeliveryManager,
    Role::Recruiter,
    Role::Consultant,
];

/// Who may organise one (what the store accepts).
const ORGANISERS: &[Role] = &[
    Role::BusinessManager,
    Role::Direction,
    Role::Admin,
    Role::DeliveryManager,
];

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: MeetingInput,
    /// Changing a planned meeting: its series is not chosen again.
    editing: bool,
    s: Subjects,
    contacts: Vec<(String, String)>,
    users: Vec<(String, String)>,
    organisers: Vec<(String, String)>,
    errors: FieldErrors,
}

impl FormPage {
    fn contact_checked(&self, id: &str) -> bool {
        self.form.contact_ids.iter().any(|c| c == id)
    }

    fn user_checked(&self, id: &str) -> bool {
        self.form.user_ids.iter().any(|u| u == id)
    }

    /// Contacts sent that the account does not have (a refused one stays
    /// ticked beside its error, as typed).
    fn unlisted_contacts(&self) -> Vec<&String> {
        self.form
            .contact_ids
            .iter()
            .filter(|id| !self.contacts.iter().any(|(c, _)| c == *id))
            .collect()
    }

    /// A refused contact is named by its position: shown once, on the box.
    fn contact_error(&self) -> Option<String> {
        (0..domain::crm::skill::MAX_CONTACTS)
            .map(domain::crm::skill::contact_field)
            .chain(["contact_ids"])
            .find_map(|f| self.errors.get(f).map(str::to_owned))
    }
}

fn read_form(body: &[u8]) -> AppResult<MeetingInput> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
    let mut f = MeetingInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "kind" => f.kind = v,
            "mission_id" => f.mission_id = v,
            "company_id" => f.company_id = v,
            "planned_at" => f.planned_at = v,
            "mode" => f.mode = v,
            "place" => f.place = v,
            "organiser_id" => f.organiser_id = v,
            "contact_ids" => f.contact_ids.push(v),
            "user_ids" => f.user_ids.push(v),
            "recurrence" => f.recurrence = v,
            "every_weeks" => f.every_weeks = v,
            "until" => f.until = v,
            _ => {}
        }
    }
    // A mission chosen says the account: the company list is for meetings
    // about an account alone.
    if !f.mission_id.trim().is_empty() {
        f.company_id.clear();
    }
    Ok(f)
}

/// The account whose contacts the form offers: the mission's client, else
/// the account chosen.
async fn account_of(tx: &mut Tx, ctx: &Ctx, f: &MeetingInput) -> AppResult<Option<CompanyId>> {
    if let Some(m) = MissionId::parse(f.mission_id.trim()) {
        return match store::missions::get(tx, ctx.scope()?, m).await {
            Ok(m) => Ok(Some(m.data.client_id)),
            Err(store::Error::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    Ok(CompanyId::parse(f.company_id.trim()))
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<MeetingId>,
    form: MeetingInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "meetings-edit",
            format!("/meetings/{id}"),
            format!("/meetings/{id}"),
        ),
        None => ("meetings-new", "/meetings".into(), "/meetings".into()),
    };
    let mut tx = app.db.read().await?;
    let s = subjects(&mut tx, ctx).await?;
    let contacts = match account_of(&mut tx, ctx, &form).await? {
        Some(company_id) => {
            let filter = store::contacts::ContactFilter {
                company_id: Some(company_id),
                ..Default::default()
            };
            store::contacts::list(
                &mut tx,
                ctx.scope()?,
                &filter,
                PageRequest::new(Some(1), Some(200)),
            )
            .await?
            .items
            .iter()
            .map(|c| (c.id.to_string(), c.full_name()))
            .collect()
        }
        None => Vec::new(),
    };
    let users = crate::pages::missions::users_with(&mut tx, ATTENDEES).await?;
    let organisers = crate::pages::missions::users_with(&mut tx, ORGANISERS).await?;
    tx.commit().await?;
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: crate::i18n::t(ctx.locale, title_key),
        action,
        cancel,
        form,
        editing: existing.is_some(),
        s,
        contacts,
        users,
        organisers,
        errors: FieldErrors::new(ctx.locale, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// `?mission=` or `?company=` (the links of the mission's and the
/// account's pages); `mission_id` and `company_id` are what the form's
/// own selects send when it asks for the account's contacts again.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub mission: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub mission_id: String,
    #[serde(default)]
    pub company_id: String,
}

pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let pick = |a: String, b: String| if a.trim().is_empty() { b } else { a };
    let input = MeetingInput {
        kind: "client".into(),
        mission_id: pick(q.mission, q.mission_id),
        company_id: pick(q.company, q.company_id),
        mode: "on_site".into(),
        organiser_id: ctx.user()?.id.to_string(),
        ..Default::default()
    };
    form_page(&app, &ctx, None, input, &ValidationErrors::new()).await
}

pub async fn create(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let form = read_form(&body)?;
    let (data, series) = match form.validate() {
        Ok(x) => x,
        Err(errors) => return form_page(&app, &ctx, None, form, &errors).await,
    };
    let scope = ctx.scope()?;
    let create = async |tx: &mut Tx| {
        store::meetings::create(tx, &ctx.actor(), scope, &data, series.as_ref()).await
    };
    match write(&app, &ctx)
        .flash("meeting-planned")
        .run(create)
        .await?
    {
        Done(m) => Ok(see_other(&format!("/meetings/{}", m.id))),
        Refused(errors) => form_page(&app, &ctx, None, form, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let d = store::meetings::detail(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    let m = &d.meeting;
    let input = MeetingInput {
        kind: m.kind.as_str().into(),
        mission_id: m.mission_id.map(|x| x.to_string()).unwrap_or_default(),
        company_id: if m.mission_id.is_some() {
            String::new()
        } else {
            m.company_id.to_string()
        },
        planned_at: paris_clock(m.planned_at),
        mode: m.mode.as_str().into(),
        place: m.place.clone().unwrap_or_default(),
        organiser_id: m.organiser_id.to_string(),
        contact_ids: d.contacts.iter().map(|c| c.id.to_string()).collect(),
        user_ids: d.users.iter().map(|u| u.id.to_string()).collect(),
        ..MeetingInput::default()
    };
    form_page(&app, &ctx, Some(id), input, &ValidationErrors::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MeetingId>,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = read_form(&body)?;
    // The series is kept: its fields are not on the form.
    form.recurrence.clear();
    form.every_weeks.clear();
    form.until.clear();
    let (data, _) = match form.validate() {
        Ok(x) => x,
        Err(errors) => return form_page(&app, &ctx, Some(id), form, &errors).await,
    };
    let scope = ctx.scope()?;
    let update =
        async |tx: &mut Tx| store::meetings::update(tx, &ctx.actor(), scope, id, &data).await;
    match write(&app, &ctx)
        .flash("meeting-updated")
        .run(update)
        .await?
    {
        Done(m) => Ok(see_other(&format!("/meetings/{}", m.id))),
        Refused(errors) => form_page(&app, &ctx, Some(id), form, &errors).await,
    }
}

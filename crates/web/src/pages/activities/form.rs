//! The activity form: new (prefilled from `?opportunity=`, `?company=`,
//! `?mission=`, `?contact=`, the account read from the link when not
//! given) and edit, errors beside their fields. The contacts,
//! opportunities and missions offered are the account's.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::crm::activity::{ActivityInput, ActivityKind};
use domain::ids::{ActivityId, CompanyId, ContactId, MissionId, OpportunityId};
use domain::paging::PageRequest;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;

use super::{ASSIGNABLE, kinds};
use crate::AppState;
use crate::api::activities::input_of;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};

#[derive(Template)]
#[template(path = "activities/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: ActivityInput,
    is_new: bool,
    kinds: Vec<(&'static str, String)>,
    managers: Vec<(String, String)>,
    companies: Vec<(String, String)>,
    /// The contact, opportunity and mission selects.
    links: Vec<LinkField>,
    errors: FieldErrors,
}

/// A select of the account's records; a value typed that is not among
/// them is kept (so a refused one stays beside its error).
struct LinkField {
    field: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    value: String,
    listed: bool,
}

impl LinkField {
    fn new(
        field: &'static str,
        label: &'static str,
        options: Vec<(String, String)>,
        value: &str,
    ) -> Self {
        let value = value.trim().to_owned();
        LinkField {
            listed: value.is_empty() || options.iter().any(|(id, _)| *id == value),
            field,
            label,
            options,
            value,
        }
    }
}

/// The form as posted (a checkbox absent is false).
#[derive(Debug, Default, Deserialize)]
pub struct Posted {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    company_id: String,
    #[serde(default)]
    contact_id: String,
    #[serde(default)]
    opportunity_id: String,
    #[serde(default)]
    mission_id: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    done: String,
}

impl Posted {
    fn input(self) -> ActivityInput {
        ActivityInput {
            kind: self.kind,
            title: self.title,
            due_date: self.due_date,
            assignee_id: self.assignee_id,
            company_id: self.company_id,
            contact_id: self.contact_id,
            opportunity_id: self.opportunity_id,
            mission_id: self.mission_id,
            notes: self.notes,
            done: !self.done.is_empty(),
        }
    }
}

/// The account a prefilled link belongs to, when the account is not given.
async fn account_of_links(tx: &mut Tx, ctx: &Ctx, f: &ActivityInput) -> AppResult<String> {
    if !f.company_id.trim().is_empty() {
        return Ok(f.company_id.clone());
    }
    let scope = ctx.scope()?;
    if let Some(o) = OpportunityId::parse(f.opportunity_id.trim())
        && let Ok(o) = store::opportunities::get(tx, scope, o).await
    {
        return Ok(o.data.client_id.to_string());
    }
    if let Some(m) = MissionId::parse(f.mission_id.trim())
        && let Ok(m) = store::missions::get(tx, scope, m).await
    {
        return Ok(m.data.client_id.to_string());
    }
    if let Some(c) = ContactId::parse(f.contact_id.trim())
        && let Ok(c) = store::contacts::get(tx, scope, c).await
    {
        return Ok(c.data.company_id.to_string());
    }
    Ok(String::new())
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<ActivityId>,
    mut form: ActivityInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "activities-edit",
            format!("/activities/{id}"),
            "/activities".to_string(),
        ),
        None => ("activities-new", "/activities".into(), "/my-day".into()),
    };
    let scope = ctx.scope()?;
    let mut tx = app.db.read().await?;
    form.company_id = account_of_links(&mut tx, ctx, &form).await?;
    let managers = super::super::missions::users_with(&mut tx, ASSIGNABLE).await?;
    let companies = store::companies::options(&mut tx, scope, None)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let all = || PageRequest::new(Some(1), Some(200));
    let (mut contacts, mut opportunities, mut missions) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(company_id) = CompanyId::parse(form.company_id.trim()) {
        let f = store::contacts::ContactFilter {
            company_id: Some(company_id),
            ..Default::default()
        };
        contacts = store::contacts::list(&mut tx, scope, &f, all())
            .await?
            .items
            .iter()
            .map(|c| (c.id.to_string(), c.full_name()))
            .collect();
        let f = store::opportunities::OpportunityFilter {
            client_id: Some(company_id),
            ..Default::default()
        };
        opportunities = store::opportunities::list(
            &mut tx,
            scope,
            &f,
            store::opportunities::Sort::Title,
            false,
            all(),
        )
        .await?
        .items
        .into_iter()
        .map(|o| (o.id.to_string(), o.data.title))
        .collect();
        let f = store::missions::MissionFilter {
            client_id: Some(company_id),
            ..Default::default()
        };
        missions = store::missions::list(&mut tx, scope, &f, all())
            .await?
            .items
            .into_iter()
            .map(|m| (m.id.to_string(), m.data.title))
            .collect();
    }
    tx.commit().await?;
    let l = ctx.locale;
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: crate::i18n::t(l, title_key),
        action,
        cancel,
        is_new: existing.is_none(),
        links: vec![
            LinkField::new("contact_id", "activity-contact", contacts, &form.contact_id),
            LinkField::new(
                "opportunity_id",
                "activity-opportunity",
                opportunities,
                &form.opportunity_id,
            ),
            LinkField::new("mission_id", "activity-mission", missions, &form.mission_id),
        ],
        form,
        kinds: kinds(l, false),
        managers,
        companies,
        errors: FieldErrors::new(l, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub opportunity: String,
    /// Also `company_id`: the form asks again for the account's records
    /// when the account changes.
    #[serde(default, alias = "company_id")]
    pub company: String,
    #[serde(default)]
    pub mission: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub kind: String,
}

pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let form = ActivityInput {
        kind: ActivityKind::parse_chosen(&q.kind)
            .unwrap_or(ActivityKind::Task)
            .as_str()
            .into(),
        due_date: domain::locale::format_date(store::today(), ctx.locale),
        assignee_id: ctx.user()?.id.to_string(),
        company_id: q.company,
        contact_id: q.contact,
        opportunity_id: q.opportunity,
        mission_id: q.mission,
        ..Default::default()
    };
    form_page(&app, &ctx, None, form, &ValidationErrors::new()).await
}

/// Where to go once saved: what it is about (the opportunity, else the
/// mission, else the account), else the list.
fn after(a: &store::activities::Activity) -> String {
    match (a.opportunity_id, a.mission_id, a.company_id) {
        (Some(o), _, _) => format!("/opportunities/{o}"),
        (None, Some(m), _) => format!("/missions/{m}#activities"),
        (None, None, Some(c)) => format!("/companies/{c}"),
        _ => "/activities".into(),
    }
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(p): Form<Posted>,
) -> AppResult<Response> {
    let form = p.input();
    let data = match form.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, None, form, &errors).await,
    };
    let scope = ctx.scope()?;
    let create =
        async |tx: &mut Tx| store::activities::create(tx, &ctx.actor(), scope, &data).await;
    match write(&app, &ctx)
        .flash("activity-created")
        .run(create)
        .await?
    {
        Done(a) => Ok(see_other(&after(&a))),
        Refused(errors) => form_page(&app, &ctx, None, form, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ActivityId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let a = store::activities::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    if a.kind == ActivityKind::Renewal {
        // The renewal scan's task: its page is the renewals'.
        return Err(AppError::NotFound);
    }
    let mut form = input_of(&a);
    form.due_date = domain::locale::format_date(a.due_date, ctx.locale);
    form_page(&app, &ctx, Some(id), form, &ValidationErrors::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ActivityId>,
    Form(p): Form<Posted>,
) -> AppResult<Response> {
    let form = p.input();
    let data = match form.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, Some(id), form, &errors).await,
    };
    let scope = ctx.scope()?;
    let update =
        async |tx: &mut Tx| store::activities::update(tx, &ctx.actor(), scope, id, &data).await;
    match write(&app, &ctx)
        .flash("activity-updated")
        .run(update)
        .await?
    {
        Done(a) => Ok(see_other(&after(&a))),
        Refused(errors) => form_page(&app, &ctx, Some(id), form, &errors).await,
    }
}

//! Contacts: list with search and paging, create, edit.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::contact::{ContactInput, ContactRole};
use domain::ids::{CompanyId, ContactId};
use domain::paging::PageRequest;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::contacts::ContactFilter;

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Layout, Pager, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub company_id: String,
    pub page: Option<u32>,
}

pub struct Row {
    pub id: ContactId,
    pub name: String,
    pub job_title: Option<String>,
    pub company_id: CompanyId,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    company_id: String,
    companies: Vec<(CompanyId, String)>,
    rows: Vec<Row>,
    pager: Pager,
    can_edit: bool,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let filter = ContactFilter {
        q: Some(q.q.clone()),
        company_id: CompanyId::parse(q.company_id.trim()),
    };
    let mut tx = app.db.read().await?;
    let paged =
        store::contacts::list(&mut tx, scope, &filter, PageRequest::new(q.page, None)).await?;
    let companies = store::companies::options(&mut tx, scope, None).await?;
    tx.commit().await?;
    let rows = paged
        .items
        .iter()
        .map(|p| Row {
            id: p.id,
            name: p.full_name(),
            job_title: p.data.job_title.clone(),
            company_id: p.data.company_id,
            company: p.company_name.clone(),
            role: i18n::t(ctx.locale, &p.data.role.label_key()),
            email: p
                .data
                .email
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            phone: p.data.phone.clone().unwrap_or_default(),
        })
        .collect();
    let pager = Pager::new(
        &paged,
        "/contacts",
        &[("q", q.q.clone()), ("company_id", q.company_id.clone())],
    );
    render(&ListPage {
        layout: layout(&app, &ctx, "contacts-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditContacts),
        q: q.q,
        company_id: q.company_id,
        companies,
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "contacts/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    form: ContactInput,
    companies: Vec<(CompanyId, String)>,
    roles: Vec<(&'static str, String)>,
    errors: FieldErrors,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<ContactId>,
    form: ContactInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action) = match existing {
        Some(id) => ("contacts-edit", format!("/contacts/{id}")),
        None => ("contacts-new", "/contacts".to_string()),
    };
    let mut tx = app.db.read().await?;
    let companies = store::companies::options(&mut tx, ctx.scope()?, None).await?;
    tx.commit().await?;
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: i18n::t(ctx.locale, title_key),
        action,
        form,
        companies,
        roles: ContactRole::ALL
            .iter()
            .map(|r| (r.as_str(), i18n::t(ctx.locale, &r.label_key())))
            .collect(),
        errors: FieldErrors::new(ctx.locale, errors),
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
    pub company_id: String,
}

pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let form = ContactInput {
        company_id: q.company_id,
        role: "other".into(),
        ..Default::default()
    };
    form_page(&app, &ctx, None, form, &ValidationErrors::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ContactInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, None, input, &errors).await,
    };
    let scope = ctx.scope()?;
    let create = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::contacts::create(tx, &ctx.actor(), scope, &data).await?)
    };
    match write(&app, &ctx)
        .flash("contact-created")
        .run(create)
        .await?
    {
        Done(contact) => Ok(see_other(&format!(
            "/companies/{}",
            contact.data.company_id
        ))),
        Refused(errors) => form_page(&app, &ctx, None, input, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContactId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let contact = store::contacts::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    form_page(
        &app,
        &ctx,
        Some(id),
        contact.data.to_input(),
        &ValidationErrors::new(),
    )
    .await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContactId>,
    Form(input): Form<ContactInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, Some(id), input, &errors).await,
    };
    let scope = ctx.scope()?;
    let update = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::contacts::update(tx, &ctx.actor(), scope, id, &data).await?)
    };
    match write(&app, &ctx)
        .flash("contact-updated")
        .run(update)
        .await?
    {
        Done(contact) => Ok(see_other(&format!(
            "/companies/{}",
            contact.data.company_id
        ))),
        Refused(errors) => form_page(&app, &ctx, Some(id), input, &errors).await,
    }
}

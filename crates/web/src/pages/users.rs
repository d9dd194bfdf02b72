//! User administration (admins only): list, edit, deactivate; and the
//! invitation of a new user, by an administrator (any role) or a business
//! manager (a consultant). Nobody types someone else's password: the new
//! user chooses his own through the link e-mailed to him
//! (`store::invitations`), and an administrator sends a new link to a user
//! who needs a new password.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::company::CompanyKind;
use domain::ids::{CompanyId, UserId};
use domain::paging::PageRequest;
use domain::role::Role;
use domain::user::UserInput;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::users::UserFilter;
use store::{Scope, Tx};

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
    pub role: String,
    pub page: Option<u32>,
}

pub struct Row {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub company: String,
    pub last_login: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    role: String,
    roles: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    pager: Pager,
}

fn roles(ctx: &Ctx) -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), i18n::t(ctx.locale, &r.label_key())))
        .collect()
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = UserFilter {
        q: Some(q.q.clone()),
        role: Role::parse(&q.role),
        company_id: None,
    };
    let mut tx = app.db.read().await?;
    let paged = store::users::list(&mut tx, &filter, PageRequest::new(q.page, None)).await?;
    tx.commit().await?;
    let l = layout(&app, &ctx, "users-title").await?;
    let rows = paged
        .items
        .iter()
        .map(|u| Row {
            id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
            role: i18n::t(ctx.locale, &u.role.label_key()),
            company: u.company_name.clone().unwrap_or_default(),
            last_login: u
                .last_login_at
                .as_ref()
                .map(|t| l.datetime(t))
                .unwrap_or_else(|| "—".into()),
            active: u.active,
        })
        .collect();
    let pager = Pager::new(
        &paged,
        "/users",
        &[("q", q.q.clone()), ("role", q.role.clone())],
    );
    render(&ListPage {
        layout: l,
        roles: roles(&ctx),
        q: q.q,
        role: q.role,
        rows,
        pager,
    })
}

/// The HTML form: a checkbox is absent when unticked, so `active` is read
/// as "present or not" rather than as a boolean.
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub locale: String,
    pub active: Option<String>,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            company_id: self.company_id.clone(),
            locale: self.locale.clone(),
            // Never typed by staff: chosen by the user through his link.
            password: String::new(),
            active: Some(self.active.is_some()),
        }
    }
}

pub struct FormValues {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub company_id: String,
    pub locale: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    form: FormValues,
    roles: Vec<(&'static str, String)>,
    companies: Vec<(CompanyId, String)>,
    creating: bool,
    /// Edit: the id, for the "send a new password link" button.
    existing: Option<UserId>,
    errors: FieldErrors,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<UserId>,
    form: FormValues,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action) = match existing {
        Some(id) => ("users-edit", format!("/users/{id}")),
        None => ("users-new", "/users".to_string()),
    };
    // Invited: the roles this user may invite; edited: any.
    let roles = match existing {
        Some(_) => roles(ctx),
        None => domain::invitation::invitable(ctx.user()?.role)
            .into_iter()
            .map(|r| (r.as_str(), i18n::t(ctx.locale, &r.label_key())))
            .collect(),
    };
    let mut tx = app.db.read().await?;
    let companies =
        store::companies::options(&mut tx, Scope::All, Some(CompanyKind::Client)).await?;
    tx.commit().await?;
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: i18n::t(ctx.locale, title_key),
        action,
        form,
        roles,
        companies,
        creating: existing.is_none(),
        existing,
        errors: FieldErrors::new(ctx.locale, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

fn values(f: &UserForm) -> FormValues {
    FormValues {
        email: f.email.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        company_id: f.company_id.clone(),
        locale: f.locale.clone(),
        active: f.active.is_some(),
    }
}

pub async fn new(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = FormValues {
        email: String::new(),
        display_name: String::new(),
        role: Role::Consultant.as_str().into(),
        company_id: String::new(),
        locale: String::new(),
        active: true,
    };
    form_page(&app, &ctx, None, form, &ValidationErrors::new()).await
}

/// POST /users: creates the account and e-mails its owner the link to
/// choose his password.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let data = match f.input().validate(false) {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, None, values(&f), &errors).await,
    };
    let inviter = ctx.user()?.clone();
    let invite = async |tx: &mut Tx| -> AppResult<_> {
        Ok(
            store::invitations::invite(tx, &ctx.actor(), &inviter, &data, &app.config.public_url)
                .await?,
        )
    };
    match write(&app, &ctx).flash("user-invited").run(invite).await? {
        // A business manager has no users list: back to his home.
        Done(_) if allows(inviter.role, Permission::ManageUsers) => Ok(see_other("/users")),
        Done(_) => Ok(see_other("/")),
        Refused(errors) => form_page(&app, &ctx, None, values(&f), &errors).await,
    }
}

/// POST /users/{id}/invite: a new link to choose a password (the earlier
/// ones stop working).
pub async fn invite_again(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<UserId>,
) -> AppResult<Response> {
    let inviter = ctx.user()?.clone();
    write(&app, &ctx)
        .flash("user-invitation-sent")
        .redirect(&format!("/users/{id}/edit"), async |tx| {
            store::invitations::send(tx, &ctx.actor(), &inviter, id, &app.config.public_url).await
        })
        .await
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<UserId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let u = store::users::get(&mut tx, id).await?;
    tx.commit().await?;
    let form = FormValues {
        email: u.email,
        display_name: u.display_name,
        role: u.role.as_str().into(),
        company_id: u.company_id.map(|c| c.to_string()).unwrap_or_default(),
        locale: u.locale.map(|l| l.as_str().to_string()).unwrap_or_default(),
        active: u.active,
    };
    form_page(&app, &ctx, Some(id), form, &ValidationErrors::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<UserId>,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let mut result = f.input().validate(false);
    // An administrator cannot lock himself out by demoting or disabling
    // his own account.
    if let Ok(d) = &result
        && ctx.user()?.id == id
        && (d.role != Role::Admin || !d.active)
    {
        result = Err(ValidationErrors::single("role", "user-cannot-demote-self"));
    }
    let data = match result {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, Some(id), values(&f), &errors).await,
    };
    let update = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::users::update(tx, &ctx.actor(), id, &data).await?)
    };
    match write(&app, &ctx).flash("user-updated").run(update).await? {
        Done(_) => Ok(see_other("/users")),
        Refused(errors) => form_page(&app, &ctx, Some(id), values(&f), &errors).await,
    }
}

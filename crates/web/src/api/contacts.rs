use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::contact::ContactInput;
use domain::ids::{CompanyId, ContactId};
use serde::{Deserialize, Serialize};
use store::contacts::{Contact, ContactFilter};
use utoipa::{IntoParams, ToSchema};

use super::companies::ListParamsFlat;
use super::{ListParams, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub id: String,
    pub company_id: String,
    pub company_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    /// `buyer`, `domain_manager`, `accounts_payable`, `operational` or `other`.
    pub role: String,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Contact> for ContactDto {
    fn from(c: &Contact) -> Self {
        ContactDto {
            id: c.id.to_string(),
            company_id: c.data.company_id.to_string(),
            company_name: c.company_name.clone(),
            first_name: c.data.first_name.clone(),
            last_name: c.data.last_name.clone(),
            email: c.data.email.as_ref().map(|e| e.to_string()),
            phone: c.data.phone.clone(),
            job_title: c.data.job_title.clone(),
            role: c.data.role.as_str().into(),
            notes: c.data.notes.clone(),
            created_at: rfc3339(&c.created_at),
            updated_at: rfc3339(&c.updated_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(format = Uuid)]
    pub company_id: String,
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    #[schema(format = Email)]
    pub email: Option<String>,
    /// 6 to 20 digits, with spaces, dots, hyphens, brackets or a leading +.
    #[schema(max_length = 30, pattern = "^[0-9 +.()-]+$")]
    pub phone: Option<String>,
    #[schema(max_length = 120)]
    pub job_title: Option<String>,
    /// `buyer`, `domain_manager`, `accounts_payable`, `operational` or `other` (default).
    #[schema(pattern = "^(buyer|domain_manager|accounts_payable|operational|other)$")]
    pub role: Option<String>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

impl From<ContactBody> for ContactInput {
    fn from(b: ContactBody) -> Self {
        let s = |o: Option<String>| o.unwrap_or_default();
        ContactInput {
            company_id: b.company_id,
            first_name: b.first_name,
            last_name: b.last_name,
            email: s(b.email),
            phone: s(b.phone),
            job_title: s(b.job_title),
            role: s(b.role),
            notes: s(b.notes),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilterParams {
    /// Only the contacts of this company.
    #[param(format = Uuid)]
    pub company_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    pub company_id: Option<String>,
}

/// List contacts the caller may see (client contacts: their company's).
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", summary = "List contacts",
    params(ListParams, ContactFilterParams),
    responses((status = 200, body = ContactPage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ContactListQuery>,
) -> AppResult<Json<ContactPage>> {
    let params = q.list.parse()?;
    let company_id = match q
        .company_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(CompanyId::parse(c).ok_or(AppError::Validation(
            domain::validation::ValidationErrors::single("company_id", "company-unknown"),
        ))?),
        None => None,
    };
    let filter = ContactFilter {
        q: params.q.clone(),
        company_id,
    };
    let mut tx = app.db.read().await?;
    let paged = store::contacts::list(&mut tx, ctx.scope()?, &filter, params.page()).await?;
    tx.commit().await?;
    Ok(Json(ContactPage {
        items: paged.items.iter().map(ContactDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

/// Create a contact at a company.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", summary = "Create a contact",
    request_body = ContactBody,
    responses((status = 201, body = ContactDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<ContactBody>,
) -> AppResult<Response> {
    let data = ContactInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let c = write(&app, &ctx)
        .commit(async |tx| store::contacts::create(tx, &ctx.actor(), scope, &data).await)
        .await?;
    Ok(created(
        format!("/api/v1/contacts/{}", c.id),
        ContactDto::from(&c),
    ))
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", summary = "Get a contact",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    responses((status = 200, body = ContactDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContactId>,
) -> AppResult<Json<ContactDto>> {
    let mut tx = app.db.read().await?;
    let c = store::contacts::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    Ok(Json(ContactDto::from(&c)))
}

/// Replace a contact.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", summary = "Replace a contact",
    params(("id" = uuid::Uuid, Path, description = "Contact id")),
    request_body = ContactBody,
    responses((status = 200, body = ContactDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContactId>,
    Body(body): Body<ContactBody>,
) -> AppResult<Json<ContactDto>> {
    let data = ContactInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let c = write(&app, &ctx)
        .commit(async |tx| store::contacts::update(tx, &ctx.actor(), scope, id, &data).await)
        .await?;
    Ok(Json(ContactDto::from(&c)))
}

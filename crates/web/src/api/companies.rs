use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::company::{CompanyInput, CompanyKind};
use domain::ids::CompanyId;
use serde::{Deserialize, Serialize};
use store::companies::{Company, CompanyFilter};
use utoipa::{IntoParams, ToSchema};

use super::{ListParams, ProblemDoc, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct CompanyDto {
    pub id: String,
    pub name: String,
    /// `client`, `prospect` or `supplier`.
    pub kind: String,
    pub legal_form: Option<String>,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub iban: Option<String>,
    pub key_account: bool,
    pub notes: Option<String>,
    /// The company above it in its group.
    pub parent_id: Option<String>,
    /// `group`, `billing_entity` or `site`.
    pub entity_kind: Option<String>,
    /// Whether the client gets each invoice and credit note by e-mail when
    /// it is issued (set with `PUT /api/v1/companies/{id}/invoice-delivery`).
    pub send_invoices_by_email: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Company> for CompanyDto {
    fn from(c: &Company) -> Self {
        let d = &c.data;
        CompanyDto {
            id: c.id.to_string(),
            name: d.name.clone(),
            kind: d.kind.as_str().into(),
            legal_form: d.legal_form.clone(),
            siren: d.siren.as_ref().map(|v| v.to_string()),
            siret: d.siret.as_ref().map(|v| v.to_string()),
            vat_number: d.vat_number.as_ref().map(|v| v.to_string()),
            address_line1: d.address_line1.clone(),
            address_line2: d.address_line2.clone(),
            postcode: d.postcode.clone(),
            city: d.city.clone(),
            country: d.country.clone(),
            email: d.email.as_ref().map(|v| v.to_string()),
            phone: d.phone.clone(),
            iban: d.iban.as_ref().map(|v| v.to_string()),
            key_account: d.key_account,
            notes: d.notes.clone(),
            parent_id: d.parent_id.map(|p| p.to_string()),
            entity_kind: d.entity_kind.map(|k| k.as_str().to_owned()),
            send_invoices_by_email: c.send_invoices_by_email,
            created_at: rfc3339(&c.created_at),
            updated_at: rfc3339(&c.updated_at),
        }
    }
}

/// A company as sent by a client. `PUT` replaces every field: omitted
/// optional fields are cleared.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyBody {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `client` (default), `prospect` or `supplier`.
    #[schema(pattern = "^(client|prospect|supplier)$")]
    pub kind: Option<String>,
    #[schema(max_length = 60)]
    pub legal_form: Option<String>,
    /// 9 digits, Luhn key checked.
    #[schema(pattern = "^[0-9]{9}$")]
    pub siren: Option<String>,
    /// 14 digits, Luhn key checked (La Poste rule included); must match the SIREN.
    #[schema(pattern = "^[0-9]{14}$")]
    pub siret: Option<String>,
    /// Intra-EU VAT number; a French one is FR + key + SIREN and must match the SIREN.
    pub vat_number: Option<String>,
    #[schema(max_length = 200)]
    pub address_line1: Option<String>,
    #[schema(max_length = 200)]
    pub address_line2: Option<String>,
    /// 5 digits in France; elsewhere 2 to 12 letters, digits, spaces or hyphens.
    #[schema(min_length = 2, max_length = 12, pattern = "^[0-9A-Za-z -]+$")]
    pub postcode: Option<String>,
    #[schema(max_length = 100)]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, default FR.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    /// 6 to 20 digits, with spaces, dots, hyphens, brackets or a leading +.
    #[schema(max_length = 30, pattern = "^[0-9 +.()-]+$")]
    pub phone: Option<String>,
    /// Checked with its mod-97 key.
    pub iban: Option<String>,
    pub key_account: Option<bool>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    /// The parent company (its group); no cycle allowed.
    pub parent_id: Option<String>,
    /// `group`, `billing_entity` or `site`.
    pub entity_kind: Option<String>,
}

impl From<CompanyBody> for CompanyInput {
    fn from(b: CompanyBody) -> Self {
        let s = |o: Option<String>| o.unwrap_or_default();
        CompanyInput {
            name: b.name,
            kind: s(b.kind),
            legal_form: s(b.legal_form),
            siren: s(b.siren),
            siret: s(b.siret),
            vat_number: s(b.vat_number),
            address_line1: s(b.address_line1),
            address_line2: s(b.address_line2),
            postcode: s(b.postcode),
            city: s(b.city),
            country: s(b.country),
            email: s(b.email),
            phone: s(b.phone),
            iban: s(b.iban),
            key_account: b.key_account.unwrap_or(false),
            notes: s(b.notes),
            parent_id: s(b.parent_id),
            entity_kind: s(b.entity_kind),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<CompanyDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyFilterParams {
    /// `client`, `prospect` or `supplier`.
    #[param(pattern = "^(client|prospect|supplier)$")]
    pub kind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CompanyListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    pub kind: Option<String>,
}

/// `ListParams` again without `IntoParams` so `flatten` works with numbers
/// arriving as query strings.
#[derive(Debug, Default, Deserialize)]
pub struct ListParamsFlat {
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub q: Option<String>,
}

impl ListParamsFlat {
    /// Out-of-range paging is refused naming the parameter, never clamped.
    pub fn parse(&self) -> AppResult<ListParams> {
        let page =
            domain::paging::PageRequest::parse(self.page.as_deref(), self.per_page.as_deref())
                .map_err(AppError::Validation)?;
        Ok(ListParams {
            page: Some(page.page),
            per_page: Some(page.per_page),
            q: self.q.clone(),
        })
    }
}

/// List companies the caller may see (client contacts: their own company).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", summary = "List companies",
    params(ListParams, CompanyFilterParams),
    responses((status = 200, body = CompanyPage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompanyListQuery>,
) -> AppResult<Json<CompanyPage>> {
    let params = q.list.parse()?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(CompanyKind::parse(k).ok_or(AppError::Validation(
            domain::validation::ValidationErrors::single("kind", "company-kind-invalid"),
        ))?),
        None => None,
    };
    let filter = CompanyFilter {
        q: params.q.clone(),
        kinds: kind.into_iter().collect(),
    };
    let mut tx = app.db.read().await?;
    let paged = store::companies::list(&mut tx, ctx.scope()?, &filter, params.page()).await?;
    tx.commit().await?;
    Ok(Json(CompanyPage {
        items: paged.items.iter().map(CompanyDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

/// Create a company.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", summary = "Create a company",
    request_body = CompanyBody,
    responses((status = 201, body = CompanyDto),
        (status = 422, description = "Refused fields, e.g. a SIREN whose Luhn key is wrong or already used", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<CompanyBody>,
) -> AppResult<Response> {
    let data = CompanyInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let c = write(&app, &ctx)
        .commit(async |tx| store::companies::create_in_scope(tx, &ctx.actor(), scope, &data).await)
        .await?;
    Ok(created(
        format!("/api/v1/companies/{}", c.id),
        CompanyDto::from(&c),
    ))
}

/// One company.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies", summary = "Get a company",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    responses((status = 200, body = CompanyDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Json<CompanyDto>> {
    let mut tx = app.db.read().await?;
    let c = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    Ok(Json(CompanyDto::from(&c)))
}

/// Replace a company.
#[utoipa::path(put, path = "/api/v1/companies/{id}", tag = "companies", summary = "Replace a company",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    request_body = CompanyBody,
    responses((status = 200, body = CompanyDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Body(body): Body<CompanyBody>,
) -> AppResult<Json<CompanyDto>> {
    let data = CompanyInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let scope = ctx.scope()?;
    let c = write(&app, &ctx)
        .commit(async |tx| store::companies::update(tx, &ctx.actor(), scope, id, &data).await)
        .await?;
    Ok(Json(CompanyDto::from(&c)))
}

/// How the client receives its invoices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceDeliveryBody {
    /// `true`: each invoice and credit note is e-mailed to the client's
    /// billing contact when it is issued (once, copy to the business
    /// manager); `false`: sent by hand only.
    pub send_invoices_by_email: bool,
}

/// Turn the automatic e-mailing of a client's invoices on or off (audited).
#[utoipa::path(put, path = "/api/v1/companies/{id}/invoice-delivery", tag = "companies",
    summary = "Set how a client receives its invoices",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    request_body = InvoiceDeliveryBody,
    responses((status = 200, body = CompanyDto)),
    security(("bearer" = [])))]
pub async fn invoice_delivery(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Body(body): Body<InvoiceDeliveryBody>,
) -> AppResult<Json<CompanyDto>> {
    let scope = ctx.scope()?;
    let c = write(&app, &ctx)
        .commit(async |tx| {
            // The scope first: a company the caller may not see is not found.
            store::companies::get(tx, scope, id).await?;
            store::invoice_emails::set_client_wants_email(
                tx,
                &ctx.actor(),
                id,
                body.send_invoices_by_email,
            )
            .await?;
            store::companies::get(tx, scope, id).await
        })
        .await?;
    Ok(Json(CompanyDto::from(&c)))
}

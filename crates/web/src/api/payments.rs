//! Payments over the API: the open invoices, the payments recorded, and
//! recording one (allocated to invoices; refused as a problem document
//! naming the field when it breaks a rule, nothing written).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::ids::CompanyId;
use domain::money::Money;
use domain::payment::PaymentMethod;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::Tx;
use store::payments::{self, Filter, NewAllocation, NewPayment};
use utoipa::{IntoParams, ToSchema};

use super::amount;
use super::{ProblemDoc, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Id;
use crate::extract::{Json as Body, Query};
use crate::write::write;
use domain::ids::PaymentId;

/// Amounts travel as decimal strings with a point (`"14400.00"`): exact,
/// unlike JSON numbers.
#[derive(Serialize, ToSchema)]
pub struct OpenItemDto {
    pub invoice_id: String,
    pub number: String,
    pub client_id: String,
    pub client_name: String,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    pub due_date: String,
    pub gross: String,
    pub outstanding: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenItemsParams {
    /// Only this client's invoices.
    #[param(format = Uuid)]
    pub client_id: Option<String>,
}

/// A client filter: absent or blank means every client; anything else must
/// be a company id, refused naming `client_id` rather than matching nothing.
fn client_filter(raw: Option<&str>) -> AppResult<Option<CompanyId>> {
    let mut e = ValidationErrors::new();
    let id = e.optional("client_id", raw.unwrap_or(""), |s| {
        CompanyId::parse(s).ok_or(ClientUnknown)
    });
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    Ok(id)
}

struct ClientUnknown;
impl domain::validation::ErrorKey for ClientUnknown {
    fn key(&self) -> &'static str {
        "company-unknown"
    }
}

/// The issued invoices still owed, by due date.
#[utoipa::path(get, path = "/api/v1/open-items", tag = "payments", summary = "List open invoices",
    params(OpenItemsParams),
    responses((status = 200, body = Vec<OpenItemDto>)),
    security(("bearer" = [])))]
pub async fn open_items(
    State(app): State<AppState>,
    Query(q): Query<OpenItemsParams>,
) -> AppResult<Json<Vec<OpenItemDto>>> {
    let client = client_filter(q.client_id.as_deref())?;
    let mut tx = app.db.read().await?;
    let items = payments::open_items(&mut tx, client).await?;
    tx.commit().await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| OpenItemDto {
                invoice_id: i.invoice_id.to_string(),
                number: i.number,
                client_id: i.client_id.to_string(),
                client_name: i.client_name,
                issue_date: i.issue_date.to_string(),
                due_date: i.due_date.to_string(),
                gross: amount(i.gross),
                outstanding: amount(i.outstanding),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AllocationDto {
    pub invoice_id: String,
    pub number: String,
    pub amount: String,
    /// VAT made due by it (VAT on receipts).
    pub vat: String,
    pub allocated_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub bank_account_id: String,
    pub received_on: String,
    pub amount: String,
    /// `transfer`, `cheque`, `card`, `direct_debit`, `cash` or `other`.
    pub method: String,
    pub reference: Option<String>,
    /// Left as the client's credit.
    pub unallocated: String,
    pub ledger_entry_id: String,
    pub created_at: String,
    pub allocations: Vec<AllocationDto>,
    /// `YYYY-MM-DD` the payment was cancelled on, with the reason.
    pub reversed_on: Option<String>,
    pub reversal_reason: Option<String>,
}

fn dto(p: payments::Payment, allocations: Vec<payments::Allocation>) -> PaymentDto {
    PaymentDto {
        id: p.id.to_string(),
        client_id: p.client_id.to_string(),
        client_name: p.client_name,
        bank_account_id: p.bank_account_id.to_string(),
        received_on: p.received_on.to_string(),
        amount: amount(p.amount),
        method: p.method.as_str().into(),
        reference: p.reference,
        unallocated: amount(p.unallocated),
        ledger_entry_id: p.ledger_entry_id.to_string(),
        created_at: rfc3339(&p.created_at),
        reversed_on: p.reversed_on.map(|d| d.to_string()),
        reversal_reason: p.reversal_reason,
        allocations: allocations
            .into_iter()
            .map(|a| AllocationDto {
                invoice_id: a.invoice_id.to_string(),
                number: a.number,
                amount: amount(a.amount),
                vat: amount(a.vat),
                allocated_on: a.allocated_on.to_string(),
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentsParams {
    /// Only this client's payments.
    #[param(format = Uuid)]
    pub client_id: Option<String>,
    /// Page number, from 1 (default 1); out of range: 422 naming `page`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<String>,
    /// Items per page, 1–200 (default 25); out of range: 422 naming `per_page`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentPage {
    pub items: Vec<PaymentDto>,
    pub page: u32,
    pub per_page: u32,
    /// Payments matching the filter, on every page.
    pub total: u64,
}

/// Payments, latest received first, a page at a time.
#[utoipa::path(get, path = "/api/v1/payments", tag = "payments", summary = "List payments",
    params(PaymentsParams),
    responses((status = 200, body = PaymentPage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    Query(q): Query<PaymentsParams>,
) -> AppResult<Json<PaymentPage>> {
    // Every refused parameter at once, each named.
    let (client, paging) = match (
        client_filter(q.client_id.as_deref()),
        domain::paging::PageRequest::parse(q.page.as_deref(), q.per_page.as_deref()),
    ) {
        (Ok(client), Ok(paging)) => (client, paging),
        (client, paging) => {
            let mut e = ValidationErrors::new();
            if let Err(AppError::Validation(v)) = client {
                e.0.extend(v.0);
            }
            if let Err(v) = paging {
                e.0.extend(v.0);
            }
            return Err(AppError::Validation(e));
        }
    };
    let f = Filter {
        client,
        ..Filter::default()
    };
    let mut tx = app.db.read().await?;
    let paged = payments::numbered(&mut tx, &f, paging).await?;
    let ids: Vec<PaymentId> = paged.items.iter().map(|p| p.id).collect();
    let mut allocations = payments::allocations_of(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(Json(PaymentPage {
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
        items: paged
            .items
            .into_iter()
            .map(|p| {
                let a = allocations.remove(&p.id).unwrap_or_default();
                dto(p, a)
            })
            .collect(),
    }))
}

/// One payment with its allocations.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments", summary = "Get a payment",
    params(("id" = uuid::Uuid, Path, description = "Payment id")),
    responses((status = 200, body = PaymentDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    Id(id): Id<PaymentId>,
) -> AppResult<Json<PaymentDto>> {
    let mut tx = app.db.read().await?;
    let (p, a) = payments::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(dto(p, a)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationBody {
    #[schema(format = Uuid)]
    pub invoice_id: String,
    /// Decimal string, e.g. `"7200.00"`.
    pub amount: String,
}

/// A payment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    #[schema(format = Uuid)]
    pub client_id: String,
    #[schema(format = Uuid)]
    pub bank_account_id: String,
    /// Not in the future.
    #[schema(format = Date)]
    pub received_on: String,
    /// Decimal string, e.g. `"14400.00"`.
    pub amount: String,
    /// `transfer` (default), `cheque`, `card`, `direct_debit`, `cash` or `other`.
    #[schema(pattern = "^(transfer|cheque|card|direct_debit|cash|other)$")]
    pub method: Option<String>,
    pub reference: Option<String>,
    /// The invoices it settles; none: the amount stays as the client's credit.
    #[serde(default)]
    pub allocations: Vec<AllocationBody>,
    /// Keep what exceeds the client's open invoices as credit (otherwise refused).
    #[serde(default)]
    pub keep_excess: bool,
}

fn parse(b: PaymentBody) -> Result<NewPayment, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let client = CompanyId::parse(b.client_id.trim());
    if client.is_none() {
        e.add("client_id", "payment-client-unknown");
    }
    let received_on = time::Date::parse(
        b.received_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok();
    if received_on.is_none() {
        e.add("received_on", "date-invalid");
    }
    let amount = e.required("amount", &b.amount, Money::parse);
    let method = match b.method.as_deref().map(str::trim) {
        None | Some("") => Some(PaymentMethod::Transfer),
        Some(m) => PaymentMethod::parse(m),
    };
    if method.is_none() {
        e.add("method", "payment-method-invalid");
    }
    let mut allocations = Vec::new();
    for a in &b.allocations {
        match Money::parse(&a.amount) {
            Ok(m) => allocations.push(NewAllocation {
                invoice_id: crate::extract::id_or_nil(&a.invoice_id),
                amount: m,
            }),
            Err(_) => e.add_with(
                "allocations",
                "payment-allocation-invalid",
                domain::args![("number", a.invoice_id.clone())],
            ),
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewPayment {
        client_id: client.expect("checked"),
        bank_account_id: crate::extract::id_or_nil(&b.bank_account_id),
        received_on: received_on.expect("checked"),
        amount: amount.expect("checked"),
        method: method.expect("checked"),
        reference: b.reference.filter(|r| !r.trim().is_empty()),
        allocations,
        keep_excess: b.keep_excess,
    })
}

/// Record a payment.
#[utoipa::path(post, path = "/api/v1/payments", tag = "payments", summary = "Record a payment",
    request_body = PaymentBody,
    responses((status = 201, body = PaymentDto),
        (status = 422, description = "Refused fields, e.g. an amount above the invoice's outstanding or a cancelled invoice", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<PaymentBody>,
) -> AppResult<Response> {
    let p = parse(body).map_err(AppError::Validation)?;
    let record = async |tx: &mut Tx| {
        let r = payments::record(tx, &ctx.actor(), &p).await?;
        payments::get(tx, r.id).await
    };
    let (p, a) = write(&app, &ctx).commit(record).await?;
    Ok(created(format!("/api/v1/payments/{}", p.id), dto(p, a)))
}

/// A cancellation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseBody {
    /// `YYYY-MM-DD`, between the receipt and today; today when absent.
    #[schema(format = Date)]
    pub date: Option<String>,
    /// Why, in words (1 to 500 characters).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Cancel a payment recorded on the wrong invoice or client: its bank
/// entry is reversed on the date given, the invoices it settled are open
/// again, its lettering is undone, its statement line returns to the
/// matching queue, and the receipts' e-reporting takes it back in the
/// month of the cancellation. Nothing is deleted.
#[utoipa::path(post, path = "/api/v1/payments/{id}/reverse", tag = "payments", summary = "Cancel a payment",
    params(("id" = uuid::Uuid, Path, description = "Payment id")),
    request_body = ReverseBody,
    responses((status = 200, body = PaymentDto)),
    security(("bearer" = [])))]
pub async fn reverse(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<PaymentId>,
    Body(body): Body<ReverseBody>,
) -> AppResult<Json<PaymentDto>> {
    let on = match body.date.as_deref() {
        None => store::today(),
        Some(raw) => super::date_field("date", raw)?,
    };
    let reverse = async |tx: &mut Tx| {
        payments::reverse(tx, &ctx.actor(), id, on, &body.reason).await?;
        payments::get(tx, id).await
    };
    let (p, a) = write(&app, &ctx).commit(reverse).await?;
    Ok(Json(dto(p, a)))
}

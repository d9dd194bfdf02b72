//! Invoices over the API: bringing a draft in line with the terms its
//! mission, client and firm carry, editing a draft before it is issued
//! (free text, references, payment terms within the legal cap, the order
//! of its lines; never its days or rates), and e-mailing an issued
//! document to its client.

use axum::Json;
use axum::extract::State;
use domain::invoice::editing::{DraftEdit, DraftEditInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Id, Json as Body};
use crate::write::write;
use domain::ids::InvoiceId;

/// A draft after its terms were refreshed.
#[derive(Serialize, ToSchema)]
pub struct TermsRefreshedDto {
    pub id: String,
    /// What had changed since the draft was frozen, in the words of the
    /// request's language (`Accept-Language`; empty when nothing had).
    pub changes: Vec<String>,
    /// Decimal strings, e.g. `"14400.00"`.
    pub net: String,
    pub vat: String,
    pub gross: String,
}

/// Refresh a draft's terms: it is frozen again with its mission's, client's
/// and firm's terms as they are now, its lines take their mission's VAT
/// rate and its totals are recomputed. Issuing refuses a draft whose terms
/// changed until this is done.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/refresh-terms", tag = "invoices",
    summary = "Refresh a draft invoice's terms",
    params(("id" = uuid::Uuid, Path, description = "Invoice id")),
    responses((status = 200, body = TermsRefreshedDto),
        (status = 422, description = "Not a draft (nor waiting for a signature)", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn refresh_terms(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Json<TermsRefreshedDto>> {
    let (changes, totals) = write(&app, &ctx)
        .commit(async |tx| store::invoicing::issue::refresh_terms(tx, &ctx.actor(), id).await)
        .await?;
    let amount = |m: domain::money::Money| m.to_decimal().to_string();
    Ok(Json(TermsRefreshedDto {
        id: id.to_string(),
        changes: changes
            .iter()
            .map(|c| crate::i18n::arg(ctx.locale, c))
            .collect(),
        net: amount(totals.net),
        vat: amount(totals.vat),
        gross: amount(totals.gross),
    }))
}

/// What to change on a draft; a field left out (or `null`) keeps its
/// value, `""` clears a text.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEditBody {
    /// A free text printed on the invoice (at most 500 characters).
    pub note: Option<String>,
    /// The buyer's purchase order number (bon de commande).
    pub po_number: Option<String>,
    /// The buyer's reference (BT-10).
    pub buyer_reference: Option<String>,
    /// Payment delay in days: at most 60, or 45 end of month
    /// (C. com. L441-10).
    pub payment_days: Option<u32>,
    pub payment_end_of_month: Option<bool>,
    /// Every line's id once, in the new order.
    #[serde(default)]
    pub line_order: Vec<String>,
}

/// A draft as edited.
#[derive(Serialize, ToSchema)]
pub struct DraftEditedDto {
    pub id: String,
    pub note: Option<String>,
    pub po_number: Option<String>,
    pub buyer_reference: Option<String>,
    pub payment_days: u16,
    pub payment_end_of_month: bool,
    /// The lines' ids in their order.
    pub line_order: Vec<String>,
}

/// Edit a draft before it is issued: its free text, purchase order number,
/// buyer reference, payment terms and the order of its lines, which the
/// PDF and the Factur-X then state. Its days and rates cannot be changed.
/// Refused with nothing written when a value is refused (the field is
/// named) or once the invoice is issued.
#[utoipa::path(patch, path = "/api/v1/invoices/{id}", tag = "invoices",
    summary = "Edit a draft invoice",
    params(("id" = uuid::Uuid, Path, description = "Invoice id")),
    request_body = DraftEditBody,
    responses((status = 200, body = DraftEditedDto),
        (status = 404, description = "No such invoice", body = super::ProblemDoc,
            content_type = "application/problem+json"),
        (status = 422, description = "A value refused (terms over the legal cap, a text too long, an order \
            that does not name each line once), or not a draft", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Body(body): Body<DraftEditBody>,
) -> AppResult<Json<DraftEditedDto>> {
    let (edit, order) = write(&app, &ctx)
        .commit(async |tx| {
            let now = store::invoicing::edit::effective_terms(tx, id).await?;
            let text = |asked: &Option<String>, was: Option<String>| {
                asked.clone().or(was).unwrap_or_default()
            };
            let input = DraftEditInput {
                note: text(&body.note, now.note),
                po_number: text(&body.po_number, now.po_number),
                buyer_reference: text(&body.buyer_reference, now.buyer_reference),
                payment_days: body
                    .payment_days
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| now.payment_days.to_string()),
                payment_end_of_month: body
                    .payment_end_of_month
                    .unwrap_or(now.payment_end_of_month),
            };
            let edit = DraftEdit::parse(&input).map_err(store::Error::Invalid)?;
            store::invoicing::edit::edit_draft(tx, &ctx.actor(), id, &edit, &body.line_order)
                .await?;
            let order = store::invoicing::edit::line_ids(tx, id).await?;
            Ok::<_, store::Error>((edit, order))
        })
        .await?;
    Ok(Json(DraftEditedDto {
        id: id.to_string(),
        note: edit.note,
        po_number: edit.po_number,
        buyer_reference: edit.buyer_reference,
        payment_days: edit.terms.days(),
        payment_end_of_month: edit.terms.end_of_month(),
        line_order: order,
    }))
}

/// An issued document e-mailed to its client.
#[derive(Serialize, ToSchema)]
pub struct EmailQueuedDto {
    pub invoice_id: String,
    /// The billing contact's address.
    pub to: String,
    /// The business manager of the mission, copied.
    pub cc: Option<String>,
    /// `fr` or `en`: the language of the message.
    pub language: String,
}

/// E-mail an issued invoice or credit note to the client's billing contact
/// (the mission's invoicing contact, else the client's address), its
/// Factur-X PDF attached, the mission's business manager copied. Queued in
/// the outbox and recorded on the invoice's history; each call sends it
/// once more.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/email", tag = "invoices",
    summary = "E-mail an issued invoice to the client",
    params(("id" = uuid::Uuid, Path, description = "Invoice id")),
    responses((status = 202, body = EmailQueuedDto),
        (status = 422, description = "Not issued (`invoice-email-not-issued`), or the client has no billing e-mail address (`invoice-email-no-address`): nothing is sent or recorded", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn email(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<(axum::http::StatusCode, Json<EmailQueuedDto>)> {
    let outcome = write(&app, &ctx)
        .commit(async |tx| {
            store::invoice_emails::send(
                tx,
                &ctx.actor(),
                id,
                domain::invoice::delivery::Reason::Resend,
                &app::Render,
            )
            .await
        })
        .await?;
    let store::invoice_emails::Outcome::Queued(r) = outcome else {
        // A sending by hand is queued or refused; nothing else.
        return Err(crate::error::AppError::Internal(anyhow::anyhow!(
            "invoice e-mail by hand not queued: {outcome:?}"
        )));
    };
    Ok((
        axum::http::StatusCode::ACCEPTED,
        Json(EmailQueuedDto {
            invoice_id: id.to_string(),
            to: r.to,
            cc: r.cc,
            language: r.locale.as_str().to_owned(),
        }),
    ))
}

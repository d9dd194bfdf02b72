//! Invoices over the API: bringing a draft in line with the terms its
//! mission, client and firm carry, and e-mailing an issued document to its
//! client (the rest of the invoice API comes with the issue that catches
//! the API up with the pages).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
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

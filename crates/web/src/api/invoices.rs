//! Invoices over the API: for now, bringing a draft in line with the terms
//! its mission, client and firm carry (the rest of the invoice API comes
//! with the issue that catches the API up with the pages).

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

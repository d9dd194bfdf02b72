//! Bank statement lines over the API: for now, posting a line no invoice
//! explains (bank fees, interest, a transfer between the firm's accounts,
//! an unexplained receipt) to an account of the chart.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::extract::Json as Body;
use crate::write::write;
use domain::ids::BankLineId;

/// The account to post a line to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    /// A chart account, 3 to 8 digits (`627` bank fees, `471` suspense,
    /// `580` internal transfers, `768` financial income…); not `411`.
    #[schema(pattern = "^[1-7][0-9]{2,7}$")]
    pub account: String,
}

/// The entry a line was posted with.
#[derive(Serialize, ToSchema)]
pub struct PostedDto {
    pub entry_id: String,
    /// `BQ-2026-B000123` while the entry waits in the bank journal's
    /// brouillard; its journal number (`BQ-2026-000123`) once validated.
    pub entry_number: String,
    /// `YYYY-MM-DD`: the day the bank booked the line.
    pub date: String,
}

/// Post a statement line to an account: money out debits the account and
/// credits the bank's, money in the other way round, on the day the bank
/// booked it; the line is then handled.
#[utoipa::path(post, path = "/api/v1/bank-lines/{id}/post", tag = "payments", summary = "Post a bank line to an account",
    params(("id" = uuid::Uuid, Path, description = "Statement line id")),
    request_body = PostBody,
    responses((status = 200, body = PostedDto)),
    security(("bearer" = [])))]
pub async fn post(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<BankLineId>,
    Body(body): Body<PostBody>,
) -> AppResult<Json<PostedDto>> {
    let posted = write(&app, &ctx)
        .commit(async |tx| store::bank_postings::post(tx, &ctx.actor(), id, &body.account).await)
        .await?;
    Ok(Json(PostedDto {
        entry_id: posted.id.to_string(),
        entry_number: posted.number,
        date: posted.date.to_string(),
    }))
}

//! The ledger over the API: what waits in the bank journal's brouillard,
//! and its validation up to a date (the entries get their journal numbers,
//! in date order, and their seal).

use axum::Json;
use axum::extract::State;
use domain::ledger::Journal;
use serde::{Deserialize, Serialize};
use store::Tx;
use utoipa::ToSchema;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Json as Body;
use crate::write::write;

/// A journal: `VE` sales, `BQ` bank, `OD` miscellaneous, `AC` purchases.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
pub enum JournalCode {
    VE,
    BQ,
    OD,
    AC,
}

impl From<JournalCode> for Journal {
    fn from(j: JournalCode) -> Journal {
        match j {
            JournalCode::VE => Journal::Ve,
            JournalCode::BQ => Journal::Bq,
            JournalCode::OD => Journal::Od,
            JournalCode::AC => Journal::Ac,
        }
    }
}

/// What to validate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateBody {
    pub journal: JournalCode,
    /// `YYYY-MM-DD`, today at the latest: entries dated up to this day are
    /// validated.
    #[schema(format = Date)]
    pub through: String,
}

/// What a validation did.
#[derive(Serialize, ToSchema)]
pub struct ValidationDto {
    pub journal: String,
    /// `YYYY-MM-DD`.
    pub through: String,
    /// Entries numbered by this validation (0 when none waited).
    pub validated: i64,
    /// The first and last numbers given (`BQ-2026-000041`), absent when
    /// none.
    pub first_number: Option<String>,
    pub last_number: Option<String>,
    /// Entries still waiting in the brouillard (dated after `through`).
    pub still_waiting: i64,
}

/// Validate a journal up to a date: its provisional entries dated up to
/// then (bank entries wait in the brouillard, as they arrive in any date
/// order) are numbered in date order, sealed and stamped validated, then
/// appear in the FEC; the journal then takes no entry dated earlier. A
/// month's close does the same up to its last day.
#[utoipa::path(post, path = "/api/v1/ledger/validate", tag = "ledger", summary = "Validate a journal's brouillard",
    request_body = ValidateBody,
    responses((status = 200, body = ValidationDto)),
    security(("bearer" = [])))]
pub async fn validate(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<ValidateBody>,
) -> AppResult<Json<ValidationDto>> {
    let through = super::date_field("through", &body.through)?;
    let journal = Journal::from(body.journal);
    let validate = async |tx: &mut Tx| -> store::Result<_> {
        let done = store::brouillard::validate(tx, &ctx.actor(), journal, through).await?;
        let waiting = store::brouillard::waiting(tx, journal).await?;
        Ok((done, waiting))
    };
    let (done, waiting) = write(&app, &ctx).commit(validate).await?;
    Ok(Json(ValidationDto {
        journal: journal.code().to_owned(),
        through: done.through.to_string(),
        validated: done.count,
        first_number: done.first,
        last_number: done.last,
        still_waiting: waiting.count,
    }))
}

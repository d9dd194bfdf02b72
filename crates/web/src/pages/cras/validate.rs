//! Validation of a signed report: by a client contact in the portal (his
//! company's days), then by the manager, one report or many ticked at once.

use axum::extract::State;
use axum::response::Response;
use domain::ids::{CraId, MissionId};
use domain::validation::ValidationErrors;
use store::Tx;
use store::cras::Via;

use super::ReasonForm;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::{Flash, FlashKind, flash};
use crate::write::write;

/// A client contact validates his company's days from the portal.
pub async fn client_validate(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let mission =
        MissionId::parse(&f.mission).ok_or(AppError::BadRequest("error-malformed-form"))?;
    let scope = ctx.scope()?;
    let actor = ctx.actor();
    let user = ctx.user()?;
    let who = format!("{} <{}>", user.display_name, user.email);
    let store::Scope::Company(company) = scope else {
        return Err(AppError::NotFound);
    };
    let validate = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        if !sheet
            .approvals
            .iter()
            .any(|a| a.mission_id == mission && a.client_id == company)
        {
            return Err(store::Error::NotFound);
        }
        let via = Via::Portal {
            mission,
            actor: &actor,
        };
        store::cras::client_validate(tx, scope, id, via, &who).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-client-validated-flash")
        .redirect(&format!("/cras/{id}"), validate)
        .await
}

pub async fn validate_one(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let validate = async |tx: &mut Tx| -> store::Result<()> {
        store::cras::get(tx, scope, id).await?;
        let done = store::cras::validate(tx, &ctx.actor(), &[id]).await?;
        // Nothing validated, nothing written.
        if done.done.is_empty() {
            return Err(store::Error::Invalid(ValidationErrors::single(
                "status",
                "cra-awaiting-client",
            )));
        }
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-validated-flash")
        .redirect(&format!("/cras/{id}"), validate)
        .await
}

/// Validates every ticked report awaiting the manager in one transaction.
pub async fn validate_many(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids: Vec<CraId> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| CraId::parse(v))
        .collect();
    let back = fields
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|b| b.starts_with("/cras"))
        .unwrap_or_else(|| "/cras".into());
    if ids.is_empty() {
        flash(&app, &ctx, FlashKind::Error, "cra-none-selected").await?;
        return Ok(see_other(&back));
    }
    write(&app, &ctx)
        .run_then_flash(
            async |tx| store::cras::validate(tx, &ctx.actor(), &ids).await,
            |done| {
                Some(Flash::success(if done.skipped.is_empty() {
                    "cra-bulk-validated-flash"
                } else {
                    "cra-bulk-partly-validated-flash"
                }))
            },
        )
        .await?
        .or_error()?;
    Ok(see_other(&back))
}

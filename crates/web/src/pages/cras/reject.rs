//! Sending a report back to the consultant, by its client (portal) or the
//! manager.

use axum::extract::State;
use axum::response::Response;
use domain::cra::CraStatus;
use domain::ids::CraId;
use domain::validation::ValidationErrors;
use store::Tx;

use super::ReasonForm;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::write::{Done, Refused, flash_back, write};

/// Back to the consultant, from the client (portal) or the manager.
pub async fn reject(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let client = matches!(scope, store::Scope::Company(_));
    let reject = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        // A client's say ends with his validation; after it, only the manager
        // (or a client still to validate his own days) may send the report back.
        let client_done = match scope {
            store::Scope::Company(c) => !sheet
                .approvals
                .iter()
                .any(|a| a.client_id == c && a.approved_at.is_none()),
            _ => false,
        };
        if client_done || (client && sheet.cra.status != CraStatus::Signed) {
            return Err(store::Error::Invalid(ValidationErrors::single(
                "status",
                "cra-client-done",
            )));
        }
        store::cras::reject(tx, &ctx.actor(), scope, id, &f.reason).await?;
        Ok(())
    };
    match write(&app, &ctx)
        .flash("cra-rejected-flash")
        .run(reject)
        .await?
    {
        // Sent back, the report is a draft again, which its client no longer
        // sees: his portal's home is where he goes on.
        Done(()) if client => Ok(see_other("/")),
        Done(()) => Ok(see_other(&format!("/cras/{id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, &format!("/cras/{id}")).await,
    }
}

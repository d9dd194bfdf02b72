//! Reopening a validated report: a new version, a draft again.

use axum::extract::State;
use axum::response::Response;
use domain::ids::CraId;
use store::Tx;

use super::ReasonForm;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::write::{Done, Refused, flash_back, write};

pub async fn reopen(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let reopen = async |tx: &mut Tx| {
        store::cras::get(tx, scope, id).await?;
        store::cras::reopen(tx, &ctx.actor(), id, &f.reason).await
    };
    match write(&app, &ctx)
        .flash("cra-reopened-flash")
        .run(reopen)
        .await?
    {
        Done(new_id) => Ok(see_other(&format!("/cras/{new_id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, &format!("/cras/{id}")).await,
    }
}

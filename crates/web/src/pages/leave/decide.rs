//! Approving or refusing a request from the team page; a refusal shows on
//! the request's row.

use axum::extract::State;
use axum::response::Response;
use domain::ids::LeaveRequestId;
use serde::Deserialize;
use store::leave::Decision;

use super::requests::RowRefusal;
use super::team::team_page;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::write::{Outcome, write};

async fn decide(
    app: &AppState,
    ctx: &Ctx,
    id: LeaveRequestId,
    d: Decision,
    done_key: &str,
) -> AppResult<Response> {
    let note = match &d {
        Decision::Refuse { note } => note.clone(),
        _ => String::new(),
    };
    let scope = ctx.scope()?;
    match write(app, ctx)
        .flash(done_key)
        .run(async |tx| store::leave::decide(tx, &ctx.actor(), scope, id, &d).await)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave/team")),
        Outcome::Refused(errors) => {
            let refusal = RowRefusal { id, errors, note };
            team_page(app, ctx, "", Some(refusal)).await
        }
    }
}

pub async fn approve(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
) -> AppResult<Response> {
    decide(&app, &ctx, id, Decision::Approve, "leave-approved").await
}

#[derive(Debug, Default, Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    pub note: String,
}

pub async fn refuse(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
    Form(f): Form<RefuseForm>,
) -> AppResult<Response> {
    decide(
        &app,
        &ctx,
        id,
        Decision::Refuse { note: f.note },
        "leave-refused",
    )
    .await
}

//! Cancelling one's own request (managers use the team page).

use axum::extract::State;
use axum::response::Response;
use domain::ids::LeaveRequestId;
use domain::validation::ValidationErrors;
use store::Scope;
use store::leave::Decision;

use super::mine::{RequestForm, mine_page};
use super::requests::RowRefusal;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::pages::see_other;
use crate::write::{Outcome, write};

/// One cancels only one's own requests here (managers use the team page).
pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
) -> AppResult<Response> {
    let scope = Scope::Own(ctx.user()?.id);
    match write(&app, &ctx)
        .flash("leave-cancelled")
        .run(async |tx| store::leave::decide(tx, &ctx.actor(), scope, id, &Decision::Cancel).await)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave")),
        Outcome::Refused(errors) => {
            let refusal = RowRefusal {
                id,
                errors,
                note: String::new(),
            };
            mine_page(
                &app,
                &ctx,
                RequestForm::default(),
                &ValidationErrors::new(),
                Some(refusal),
            )
            .await
        }
    }
}

//! Opening a month: the signed-in consultant's report, created on first use.

use axum::extract::State;
use axum::response::Response;
use domain::calendar::YearMonth;
use domain::validation::ValidationErrors;
use serde::Deserialize;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Form;
use crate::pages::see_other;
use crate::write::{Done, Refused, flash_back, write};

#[derive(Debug, Default, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    pub month: String,
}

/// Opens the signed-in consultant's report for a month (created on first use).
pub async fn open(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OpenForm>,
) -> AppResult<Response> {
    let month =
        YearMonth::parse(f.month.trim()).ok_or(AppError::BadRequest("error-malformed-form"))?;
    let user = ctx.user()?.id;
    if month > YearMonth::of(store::today()) {
        // Nobody reports on a month that has not begun: leave is requested
        // ahead, work is not.
        let v = ValidationErrors::single("month", "cra-month-not-started");
        return flash_back(&app, &ctx, &v, "/cras").await;
    }
    match write(&app, &ctx)
        .run(async |tx| store::cras::open(tx, &ctx.actor(), user, month).await)
        .await?
    {
        Done(id) => Ok(see_other(&format!("/cras/{id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, "/cras").await,
    }
}

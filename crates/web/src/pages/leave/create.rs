//! Asking for leave: the form read into a request, refused with the form
//! as typed.

use axum::extract::State;
use axum::response::Response;
use domain::cra::Half;
use domain::leave::LeavePeriod;
use domain::validation::ValidationErrors;
use store::Tx;
use store::leave::NewLeave;

use super::mine::{RequestForm, mine_page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Form;
use crate::pages::see_other;
use crate::write::{Outcome, write};

/// A half from a select: blank takes the default, anything else unknown is
/// a malformed form (the page never sends it).
fn half(raw: &str, default: Half) -> AppResult<Half> {
    match raw.trim() {
        "" => Ok(default),
        s => Half::parse(s).ok_or(AppError::BadRequest("error-malformed-form")),
    }
}

fn parse_request(f: &RequestForm) -> AppResult<Result<NewLeave, ValidationErrors>> {
    let start_half = half(&f.start_half, Half::Am)?;
    let end_half = half(&f.end_half, Half::Pm)?;
    let mut e = ValidationErrors::new();
    if f.leave_type.trim().is_empty() {
        e.add("leave_type", "field-required");
    }
    let start = e.required("start", &f.start, domain::validation::date);
    let end = e.required("end", &f.end, domain::validation::date);
    Ok(match (start, end) {
        (Some(start), Some(end)) if e.is_empty() => Ok(NewLeave {
            leave_type: f.leave_type.trim().to_owned(),
            period: LeavePeriod {
                start,
                start_half,
                end,
                end_half,
            },
            comment: Some(f.comment.clone()),
        }),
        _ => Err(e),
    })
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    let n = match parse_request(&f)? {
        Ok(n) => n,
        Err(errors) => return mine_page(&app, &ctx, f, &errors, None).await,
    };
    let request = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::leave::request(tx, &ctx.actor(), user, &n).await?)
    };
    match write(&app, &ctx)
        .flash("leave-requested")
        .run(request)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave")),
        Outcome::Refused(errors) => mine_page(&app, &ctx, f, &errors, None).await,
    }
}

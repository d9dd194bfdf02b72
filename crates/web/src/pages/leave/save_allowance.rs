//! Setting a person's allowance of a leave type for a year.

use axum::extract::State;
use axum::response::Response;
use domain::ids::UserId;
use domain::mission::DayQuantity;
use domain::validation::ValidationErrors;

use super::settings::{AllowanceForm, Refused, SettingsForms, blank_forms, settings_page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::pages::see_other;
use crate::write::{Outcome, write};

fn parse_allowance(
    f: &AllowanceForm,
) -> Result<(UserId, String, i32, DayQuantity), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let user = UserId::parse(f.user_id.trim());
    if f.user_id.trim().is_empty() {
        e.add("user_id", "field-required");
    } else if user.is_none() {
        e.add("user_id", "leave-user-unknown");
    }
    if f.leave_type.trim().is_empty() {
        e.add("leave_type", "field-required");
    }
    let year = match f.year.trim() {
        "" => {
            e.add("year", "field-required");
            None
        }
        y => {
            let parsed = y.parse::<i32>().ok();
            if parsed.is_none() {
                e.add("year", "leave-year-invalid");
            }
            parsed
        }
    };
    let days = e.required("days", &f.days, DayQuantity::parse);
    match (user, year, days) {
        (Some(u), Some(y), Some(d)) if e.is_empty() => {
            Ok((u, f.leave_type.trim().to_owned(), y, d))
        }
        _ => Err(e),
    }
}

pub async fn save_allowance(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AllowanceForm>,
) -> AppResult<Response> {
    let refuse = async |f: AllowanceForm, errors| {
        let forms = SettingsForms {
            allowance_form: f,
            ..blank_forms(String::new())
        };
        settings_page(&app, &ctx, forms, Refused::Allowance(errors)).await
    };
    let (user, leave_type, year, days) = match parse_allowance(&f) {
        Ok(x) => x,
        Err(errors) => return refuse(f, errors).await,
    };
    match write(&app, &ctx)
        .flash("leave-allowance-saved")
        .run(async |tx| {
            store::leave::set_allowance(tx, &ctx.actor(), user, &leave_type, year, days).await
        })
        .await?
    {
        Outcome::Done(()) => Ok(see_other(&format!("/settings/leave?year={year}"))),
        Outcome::Refused(errors) => refuse(f, errors).await,
    }
}

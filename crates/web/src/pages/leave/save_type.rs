//! Saving a leave type (code, names, whether it tracks a balance, active).

use axum::extract::State;
use axum::response::Response;
use store::leave::LeaveType;

use super::settings::{Refused, SettingsForms, TypeForm, blank_forms, settings_page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::pages::see_other;
use crate::write::{Outcome, write};

pub async fn save_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TypeForm>,
) -> AppResult<Response> {
    let t = LeaveType {
        code: f.code.trim().to_owned(),
        label_fr: f.label_fr.clone(),
        label_en: f.label_en.clone(),
        tracks_balance: f.tracks(),
        active: f.is_active(),
    };
    match write(&app, &ctx)
        .flash("leave-type-saved")
        .run(async |tx| store::leave::save_type(tx, &ctx.actor(), &t).await)
        .await?
    {
        Outcome::Done(()) => Ok(see_other("/settings/leave")),
        Outcome::Refused(errors) => {
            let forms = SettingsForms {
                type_form: f,
                ..blank_forms(String::new())
            };
            settings_page(&app, &ctx, forms, Refused::Type(errors)).await
        }
    }
}

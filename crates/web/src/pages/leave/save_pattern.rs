//! Setting a person's work pattern: region (public holidays) and weekdays.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::Region;
use domain::cra::WorkPattern;
use domain::ids::UserId;
use domain::validation::ValidationErrors;
use store::Tx;

use super::settings::{PatternForm, Refused, SettingsForms, blank_forms, settings_page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::write::{Outcome, write};

/// The weekday checkboxes repeat one name, which a struct cannot hold, so
/// the pairs are read one by one.
fn read_pattern(body: &[u8]) -> AppResult<PatternForm> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
    let mut f = PatternForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "pattern_user" => f.user = v,
            "region" => f.region = v,
            "weekdays" => match v.parse::<u8>() {
                Ok(n @ 1..=5) => f.weekdays.push(n),
                _ => return Err(AppError::BadRequest("error-malformed-form")),
            },
            _ => {}
        }
    }
    f.weekdays.sort_unstable();
    f.weekdays.dedup();
    Ok(f)
}

pub async fn save_pattern(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    let f = read_pattern(&body)?;
    // The person is checked against those on the payroll in the same
    // transaction that sets the pattern.
    let set = async |tx: &mut Tx| -> AppResult<()> {
        let mut e = ValidationErrors::new();
        let people = store::leave::employees(tx).await?;
        let user = UserId::parse(f.user.trim()).filter(|u| people.iter().any(|p| p.id == *u));
        if f.user.trim().is_empty() {
            e.add("pattern_user", "field-required");
        } else if user.is_none() {
            e.add("pattern_user", "leave-user-unknown");
        }
        let region = Region::parse(f.region.trim());
        if region.is_none() {
            e.add("region", "leave-region-invalid");
        }
        let weekdays = f.weekdays.iter().fold(0u8, |acc, n| acc | 1 << (n - 1));
        if weekdays == 0 {
            e.add("weekdays", "leave-pattern-no-weekday");
        }
        let (Some(user), Some(region), true) = (user, region, e.is_empty()) else {
            return Err(AppError::Validation(e));
        };
        let pattern = WorkPattern { region, weekdays };
        Ok(store::cras::set_work_pattern(tx, &ctx.actor(), user, pattern).await?)
    };
    match write(&app, &ctx)
        .flash("leave-pattern-saved")
        .run(set)
        .await?
    {
        Outcome::Done(()) => Ok(see_other("/settings/leave")),
        Outcome::Refused(e) => {
            let forms = SettingsForms {
                pattern_form: f,
                ..blank_forms(String::new())
            };
            settings_page(&app, &ctx, forms, Refused::Pattern(e)).await
        }
    }
}

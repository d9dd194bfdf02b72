//! Leave: one's own balances and requests, the managers' approval queue, and
//! the settings (leave types, yearly allowances, work patterns).
//!
//! One file per page or action; [`requests`] and [`balances`] build what the
//! lists show from stored rows, without a database.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::validation::ValidationErrors;
use time::Date;

use crate::error::AppResult;
use crate::i18n;
use crate::view::{render, render_status};

pub mod balances;
mod cancel;
mod create;
mod decide;
mod mine;
pub mod requests;
mod save_allowance;
mod save_pattern;
mod save_type;
pub(crate) mod settings;
mod team;

pub use balances::BalanceRow;
pub use cancel::cancel;
pub use create::create;
pub use decide::{RefuseForm, approve, refuse};
pub use mine::{RequestForm, mine};
pub use requests::{RequestRow, period_text};
pub use save_allowance::save_allowance;
pub use save_pattern::save_pattern;
pub use save_type::save_type;
pub use settings::{
    AllowanceForm, DayBox, PatternForm, PatternRow, SettingsQuery, TypeForm, TypeRow, settings,
};
pub use team::{TeamQuery, team};

fn today() -> Date {
    store::today()
}

/// A page re-shown after a refusal answers 422, so scripts and tests can tell.
fn respond(t: &impl Template, refused: bool) -> AppResult<Response> {
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, t)
    } else {
        render(t)
    }
}

/// The first refusal of a validation, in the user's language.
fn first_message(l: Locale, errors: &ValidationErrors) -> String {
    errors
        .0
        .first()
        .map(|e| i18n::field_error(l, e))
        .unwrap_or_else(|| i18n::t(l, "error-validation"))
}

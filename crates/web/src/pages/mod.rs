//! Server-rendered pages, one module per resource.

pub mod account;
pub mod accounting;
pub mod activities;
pub mod agencies;
pub mod api_docs;
pub mod bank_accounts;
pub mod cjm_settings;
pub mod companies;
pub mod contacts;
pub mod contracts;
pub mod cra_reports;
pub mod cras;
pub mod documents;
pub mod dunning;
pub mod employees;
pub mod employees_csv;
pub mod home;
pub mod invitations;
pub mod invoices;
pub mod jobs;
pub mod leave;
pub mod login;
pub mod margin_forecast;
pub mod margins;
pub mod meetings;
pub mod missions;
pub mod opportunities;
pub mod payments;
pub mod portal;
pub mod portfolio;
pub mod receivables;
pub mod renewals;
pub mod signing;
pub mod statements;
pub mod templates;
pub mod users;

use axum::response::{IntoResponse, Redirect, Response};

/// After a successful POST: redirect so a reload does not resubmit.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

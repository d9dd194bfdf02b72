//! The JSON API under `/api/v1`, authenticated by personal tokens
//! (`Authorization: Bearer rgt_…`) or, for same-site scripts, the session
//! cookie plus the CSRF header. Documented by OpenAPI 3.1 built from the
//! route table; the refusals every operation may answer are added there
//! (`refusals.rs`), a handler's attribute lists only its successes and any
//! refusal it describes more precisely.

pub mod account_plans;
pub mod activities;
pub mod agencies;
pub mod bank_lines;
pub mod closes;
pub mod companies;
pub mod contacts;
pub mod cras;
pub mod employees;
pub mod invoices;
pub mod ledger;
pub mod margin_forecast;
pub mod margin_lock;
pub mod margin_policy;
pub mod margins;
pub mod me;
pub mod meetings;
pub mod opportunities;
pub mod opportunity_figures;
pub mod opportunity_views;
pub mod payments;
pub mod portfolio;
pub mod positionings;
pub mod refusals;
pub mod users;

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa::{IntoParams, ToSchema};

/// RFC 9457 problem document, as every API error is returned.
#[derive(Serialize, ToSchema)]
pub struct ProblemDoc {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// `urn:request:<id>`, the id in the server's logs.
    pub instance: Option<String>,
    /// One entry per refused field; always present, empty when no single
    /// field is at fault (401, 403, 404…).
    pub errors: Vec<ProblemFieldDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemFieldDoc {
    /// The request field, e.g. `siren`, `per_page` or, inside a body,
    /// `entries[2].date`.
    pub field: String,
    /// Stable machine code of the failed check, e.g. `id-checksum`.
    pub code: String,
    /// The message in the request's language (Accept-Language).
    pub message: String,
}

/// Paging and search common to every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1 (default 1); out of range: 422 naming `page`.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1–200 (default 25); out of range: 422 naming `per_page`.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
    /// Free-text search (name, SIREN, city, e-mail…), accents and case ignored.
    pub q: Option<String>,
}

impl ListParams {
    pub fn page(&self) -> domain::paging::PageRequest {
        domain::paging::PageRequest::new(self.page, self.per_page)
    }
}

/// A date of a request body (`YYYY-MM-DD`), or the refusal naming its field.
pub fn date_field(field: &'static str, raw: &str) -> crate::error::AppResult<time::Date> {
    use domain::validation::ErrorKey;
    domain::validation::date(raw).map_err(|e| {
        let mut v = domain::validation::ValidationErrors::new();
        v.add_with(field, e.key(), e.args());
        crate::error::AppError::Validation(v)
    })
}

/// An amount as the API writes it: a decimal string (`"12000.00"`).
pub fn amount(m: domain::money::Money) -> String {
    m.to_decimal().to_string()
}

pub fn rfc3339(t: &OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub fn openapi_base() -> OpenApi {
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Régisseur API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Management of an IT consulting firm (régie). Errors are RFC 9457 problem documents \
                     (application/problem+json) naming the refused fields.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()))
                .schema_from::<ProblemDoc>()
                .schema_from::<ProblemFieldDoc>()
                .build(),
        ))
        .build()
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    crate::router::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

pub async fn openapi_json() -> Response {
    let mut r = OPENAPI_JSON.as_str().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A `201 Created` with a `Location` header.
pub fn created<T: Serialize>(location: String, body: T) -> Response {
    let mut r = (axum::http::StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

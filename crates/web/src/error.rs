//! One error type for every handler. Pages get an HTML page in the user's
//! language; the API gets an RFC 9457 problem document naming the fields.
//! Internal causes are logged with the request id, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Locale;
use domain::validation::ValidationErrors;
use serde::Serialize;

use crate::i18n;

tokio::task_local! {
    /// The language of the request being served, so errors raised deep in a
    /// handler still speak it.
    pub static REQUEST_LOCALE: Locale;
    /// True while serving `/api/…`: errors become problem documents.
    pub static IS_API: bool;
    pub static REQUEST_ID: String;
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("authentication required")]
    Unauthenticated { next: Option<String> },
    #[error("invalid or missing CSRF token")]
    Csrf,
    #[error("too many requests")]
    TooManyRequests,
    /// A malformed request; the key names the message.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A malformed request whose fault lies in one named field (a JSON
    /// member of the wrong type, a repeated query parameter): the path is
    /// only known at run time, e.g. `entries[2].date`.
    #[error("bad field {field}: {key}")]
    BadField { field: String, key: &'static str },
    #[error("validation failed")]
    Validation(ValidationErrors),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<store::Error> for AppError {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::NotFound => AppError::NotFound,
            store::Error::Conflict { field } => {
                AppError::Validation(ValidationErrors::single(field, conflict_key(field)))
            }
            store::Error::Invalid(v) => AppError::Validation(v),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

pub fn conflict_key(field: &str) -> &'static str {
    match field {
        "siren" => "siren-taken",
        "email" => "email-taken",
        "reference" => "reference-taken",
        _ => "value-taken",
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) | AppError::BadField { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Translation key of the title shown to people.
    pub fn title_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Forbidden => "error-forbidden",
            AppError::Unauthenticated { .. } => "error-unauthenticated",
            AppError::Csrf => "error-csrf",
            AppError::TooManyRequests => "error-too-many-requests",
            AppError::BadRequest(_) | AppError::BadField { .. } => "error-bad-request",
            AppError::Validation(_) => "error-validation",
            AppError::PayloadTooLarge => "error-payload-too-large",
            AppError::UnsupportedMediaType => "error-unsupported-media-type",
            AppError::MethodNotAllowed => "error-method-not-allowed",
            AppError::Unavailable => "error-unavailable",
            AppError::Internal(_) => "error-internal",
        }
    }

    fn detail_key(&self) -> &'static str {
        match self {
            AppError::BadRequest(key) | AppError::BadField { key, .. } => key,
            other => other.title_key(),
        }
    }
}

#[derive(Serialize)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// RFC 9457 problem details.
#[derive(Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Always present, empty when no single field is at fault, so clients
    /// need not test for it.
    pub errors: Vec<ProblemField>,
}

fn current_locale() -> Locale {
    REQUEST_LOCALE.try_with(|l| *l).unwrap_or_default()
}

fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|r| r.clone()).ok()
}

pub fn problem_response(err: &AppError) -> Response {
    let locale = current_locale();
    let status = err.status();
    let errors = match err {
        AppError::Validation(v) => {
            v.0.iter()
                .map(|e| ProblemField {
                    field: e.field.to_string(),
                    code: e.key.to_string(),
                    message: i18n::field_error(locale, e),
                })
                .collect()
        }
        AppError::BadField { field, key } => vec![ProblemField {
            field: field.clone(),
            code: key.trim_start_matches("error-").to_string(),
            message: i18n::t(locale, key),
        }],
        _ => Vec::new(),
    };
    let problem = Problem {
        kind: format!(
            "https://regisseur.example/problems/{}",
            err.title_key().trim_start_matches("error-")
        ),
        title: i18n::t(Locale::En, err.title_key()),
        status: status.as_u16(),
        detail: i18n::t(locale, err.detail_key()),
        instance: request_id().map(|r| format!("urn:request:{r}")),
        errors,
    };
    let mut resp = (status, serde_json::to_string(&problem).unwrap_or_default()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let AppError::Unauthenticated { .. } = err {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"regisseur\""),
        );
    }
    resp
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(request_id = ?request_id(), error = ?e, "internal error");
        }
        if IS_API.try_with(|a| *a).unwrap_or(false) {
            return problem_response(&self);
        }
        match &self {
            AppError::Unauthenticated { next } => {
                let target = match next {
                    Some(n) if n.starts_with('/') && !n.starts_with("//") => {
                        format!("/login?next={}", crate::view::url_encode(n))
                    }
                    _ => "/login".to_string(),
                };
                Redirect::to(&target).into_response()
            }
            _ => crate::view::error_page(current_locale(), &self),
        }
    }
}

//! Extractors whose rejections use our error format, so a malformed form,
//! query or JSON body gets a clear 4xx (problem+json on the API), never
//! axum's plain-text default.

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(_) => Err(AppError::BadRequest("error-malformed-form")),
        }
    }
}

pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            // serde_urlencoded names the parameter only in its message
            // (e.g. "duplicate field `page`").
            Err(e) => match quoted_name(&e.body_text()) {
                Some(field) => Err(AppError::BadField {
                    field,
                    key: "query-field-malformed",
                }),
                None => Err(AppError::BadRequest("error-malformed-query")),
            },
        }
    }
}

pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    /// Read as a JSON value first (content type, size, syntax), then shaped
    /// into `T` with the path of the first member at fault, so the problem
    /// document can name it (`entries[2].date`).
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(JsonRejection::MissingJsonContentType(_)) => {
                return Err(AppError::UnsupportedMediaType);
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge);
            }
            Err(_) => return Err(AppError::BadRequest("error-malformed-json")),
        };
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| shape_error(&e))
    }
}

/// Names the member at fault: the path of a mistyped value, or the path of
/// the object plus the member serde reports as missing or unknown.
fn shape_error(e: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let message = e.inner().to_string();
    let join = |name: String| {
        if path == "." {
            name
        } else {
            format!("{path}.{name}")
        }
    };
    let (field, key) = if message.starts_with("missing field") {
        (quoted_name(&message).map(join), "json-field-missing")
    } else if message.starts_with("unknown field") {
        // The path already ends with the unknown member.
        (Some(path.clone()), "json-field-unknown")
    } else {
        (Some(path.clone()), "json-field-invalid")
    };
    match field.filter(|f| f != ".") {
        Some(field) => AppError::BadField { field, key },
        None => AppError::BadRequest("error-json-shape"),
    }
}

/// The first name between backticks in a serde message.
fn quoted_name(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string()).filter(|n| !n.is_empty())
}

/// The id a form or body names, or for a text that is none the nil id,
/// which names no row: the store then refuses it as unknown, as it does an
/// id of nothing.
pub fn id_or_nil<T: std::str::FromStr + From<uuid::Uuid>>(raw: &str) -> T {
    raw.trim()
        .parse()
        .unwrap_or_else(|_| T::from(uuid::Uuid::nil()))
}

/// A path identifier; anything that is not one of ours is simply not found.
pub struct Id<T>(pub T);

macro_rules! id_extractor {
    ($($t:ty),*) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for Id<$t> {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
                    .await
                    .map_err(|_| AppError::NotFound)?;
                <$t>::parse(&raw).map(Id).ok_or(AppError::NotFound)
            }
        }
    )*};
}

id_extractor!(
    domain::ids::CompanyId,
    domain::ids::CraId,
    domain::ids::ContactId,
    domain::ids::UserId,
    domain::ids::ApiTokenId,
    domain::ids::MissionId,
    domain::ids::JobId,
    domain::ids::ContractId,
    domain::ids::AmendmentId,
    domain::ids::DocumentId,
    domain::ids::LeaveRequestId,
    domain::ids::InvoiceId,
    domain::ids::CloseRunId,
    domain::ids::PaymentId,
    domain::ids::BankAccountId,
    domain::ids::StatementId,
    domain::ids::BankLineId,
    domain::ids::ExportId,
    domain::ids::LetteringId,
    domain::ids::DunningPauseId,
    domain::ids::RenewalTaskId,
    domain::ids::AgencyId,
    domain::ids::EmployeeId,
    domain::ids::OpportunityId,
    domain::ids::MeetingId,
    domain::ids::ActivityId,
    domain::ids::PositioningId,
    domain::ids::OpportunityViewId
);

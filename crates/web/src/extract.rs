//! Extractors whose rejections use our error format, so a malformed form,
//! query or JSON body gets a clear 4xx (problem+json on the API), never
//! axum's plain-text default.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
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
            Err(QueryRejection::FailedToDeserializeQueryString(_)) | Err(_) => {
                Err(AppError::BadRequest("error-malformed-query"))
            }
        }
    }
}

pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(JsonRejection::JsonDataError(_)) => Err(AppError::BadRequest("error-json-shape")),
            Err(_) => Err(AppError::BadRequest("error-malformed-json")),
        }
    }
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
    domain::ids::LeaveRequestId
);

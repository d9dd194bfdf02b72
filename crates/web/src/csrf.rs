//! CSRF protection for every state-changing request made with a session
//! cookie: the session's token must come back in the `_csrf` form field or
//! the `X-CSRF-Token` header (htmx, scripts). Bearer-token API calls carry no
//! ambient credentials and need none. Cookies are also `SameSite=Lax`.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;

pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

/// Compares without stopping at the first difference, so timing does not
/// reveal how much of a guess was right.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn verify(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if req.method().is_safe() {
        return next.run(req).await;
    }
    // A signing link is its own credential (the token in the path and the
    // code typed by the signer), not an ambient cookie a forged form could
    // ride on. An invitation link likewise: its token is the credential.
    if req.uri().path().starts_with("/sign/") || req.uri().path().starts_with("/invitation/") {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return AppError::Internal(anyhow::anyhow!("context layer missing")).into_response();
    };
    if ctx.session.is_none() && ctx.is_api {
        // API calls authenticated by a bearer token (or not at all: the
        // authorization layer refuses those) carry no cookie to abuse.
        return next.run(req).await;
    }
    // The session's token, or before sign-in the login form's own.
    let expected = ctx.csrf_token().to_owned();
    if expected.is_empty() {
        return AppError::Csrf.into_response();
    }
    if let Some(h) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if same_token(h, &expected) {
            next.run(req).await
        } else {
            AppError::Csrf.into_response()
        };
    }
    if ctx.is_api {
        return AppError::Csrf.into_response();
    }
    // An upload's body is multipart and may be megabytes: its form carries
    // the token in the action's query string instead.
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.uri().query().unwrap_or("")).unwrap_or_default();
        let sent = query
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        return if same_token(sent, &expected) {
            next.run(req).await
        } else {
            AppError::Csrf.into_response()
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, app.config.body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !same_token(sent, &expected) {
        return AppError::Csrf.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::same_token;

    #[test]
    fn tokens_compare_exactly() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
        assert!(!same_token("", "a"));
    }
}

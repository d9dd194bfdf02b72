//! Operations: health and readiness probes, static assets, fallbacks and the
//! headers every response carries.

use std::any::Any;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::error::{AppError, IS_API, REQUEST_LOCALE};

/// Liveness: the process answers.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers and its schema is current.
pub async fn readyz(State(app): State<AppState>) -> Response {
    let db_ok = app.db.ping().await.is_ok();
    let migrations_ok = db_ok && app.db.migrations_current().await.unwrap_or(false);
    let status = if db_ok && migrations_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if status == StatusCode::OK { "ready" } else { "not_ready" },
            "database": if db_ok { "ok" } else { "unreachable" },
            "migrations": if migrations_ok { "current" } else { "pending" },
            "backend": app.db.backend().name(),
        })),
    )
        .into_response()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

pub async fn css() -> Response {
    asset("text/css; charset=utf-8", include_str!("../static/app.css"))
}

pub async fn htmx() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../static/htmx.min.js"),
    )
}

/// The pages' few enhancements (each page works without them).
pub async fn app_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../static/app.js"),
    )
}

pub async fn favicon() -> Response {
    asset("image/svg+xml", include_str!("../static/favicon.svg"))
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

pub async fn security_headers(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // Served over https (the public address says so): browsers must never
    // come back over plain http, where the session cookie could be taken.
    if app.config.secure_cookies() {
        h.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // A handler may allow framing by its own origin (a PDF shown inside the
    // signing page); everything else is never framed.
    h.entry("x-frame-options")
        .or_insert(HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry("content-security-policy")
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ));
    resp
}

/// The path of a request as the request log may show it: a signing link's
/// token is its own credential, so it is masked (the query string, which
/// may carry anything, is never logged).
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/sign/") {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("/sign/…{tail}").into()
        }
        None => path.into(),
    }
}

/// A request taking longer than `limit` is answered 503 (a problem
/// document on the API, in the language asked for) and its work dropped.
pub async fn deadline(limit: Duration, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/v1");
    let locale = crate::ctx::negotiate_locale(None, req.headers());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            REQUEST_LOCALE
                .scope(
                    locale,
                    IS_API.scope(is_api, async { AppError::Unavailable.into_response() }),
                )
                .await
        }
    }
}

pub fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    if IS_API.try_with(|a| *a).unwrap_or(false) {
        return crate::error::problem_response(&AppError::Internal(anyhow::anyhow!("panic")));
    }
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Erreur interne / Internal error",
    )
        .into_response()
}

#[cfg(test)]
mod log_tests {
    use super::loggable_path;

    #[test]
    fn signing_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/sign/rgs_abc123"), "/sign/…");
        assert_eq!(
            loggable_path("/sign/rgs_abc123/document.pdf"),
            "/sign/…/document.pdf"
        );
        assert_eq!(loggable_path("/cras/42"), "/cras/42");
    }
}

//! Sign-in and sign-out. Sessions live in the database; the session id is
//! replaced at sign-in (no fixation) and failed attempts are throttled in the
//! database so the limit holds across instances.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::see_other;
use crate::AppState;
use crate::ctx::{
    Ctx, clear_form_token_cookie, clear_session_cookie, form_token_cookie, session_cookie,
};
use crate::error::AppResult;
use crate::extract::{Form, Query};
use crate::view::{Layout, layout, render_status};
use crate::write::write;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub next: String,
}

/// Only this site's paths (see [`crate::redirect`]), and never the login
/// page itself, which would loop.
fn safe_next(next: &str) -> &str {
    crate::redirect::local_path(next)
        .filter(|p| !p.starts_with("/login"))
        .unwrap_or("/")
}

pub(crate) fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

pub async fn form(
    State(app): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(see_other(safe_next(&q.next)));
    }
    // The form's CSRF token rides in a cookie of its own: nothing is
    // written for a visitor who has not signed in.
    let mut set_cookie = None;
    if ctx.csrf_token().is_empty() {
        let token = store::credentials::new_token();
        set_cookie = Some(form_token_cookie(app.config.secure_cookies(), &token));
        ctx.form_token = Some(token);
    }
    let page = LoginPage {
        layout: layout(&app, &ctx, "login-title").await?,
        email: String::new(),
        next: q.next,
        error: None,
    };
    let mut resp = render_status(StatusCode::OK, &page)?;
    if let Some(c) = set_cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let email = f.email.trim().to_lowercase();
    let refuse = async |status: StatusCode, key: &'static str| {
        let page = LoginPage {
            layout: layout(&app, &ctx, "login-title").await?,
            email: f.email.clone(),
            next: f.next.clone(),
            error: Some(crate::i18n::t(ctx.locale, key)),
        };
        render_status(status, &page)
    };

    // Two transactions on purpose: the attempt is taken (and counted as a
    // failure) under the throttle's lock, committed, then the slow password
    // check runs without holding anything; a success clears the count.
    let mut tx = app.db.begin().await?;
    let allowed = store::throttle::reserve(&mut tx, &email, &ctx.ip).await?;
    tx.commit().await?;
    if !allowed {
        return refuse(StatusCode::TOO_MANY_REQUESTS, "login-throttled").await;
    }
    let mut tx = app.db.begin().await?;
    let found = store::users::credentials_for(&mut tx, &email).await?;
    let user = match found {
        Some((user, hash))
            if user.active && store::credentials::verify_password(&hash, &f.password) =>
        {
            Some(user)
        }
        Some(_) => None,
        None => {
            store::credentials::verify_against_dummy(&f.password);
            None
        }
    };
    let Some(user) = user else {
        tx.commit().await?;
        return refuse(StatusCode::UNAUTHORIZED, "login-failed").await;
    };
    store::throttle::record(&mut tx, &email, &ctx.ip, true).await?;
    if let Some(old) = &ctx.session {
        store::sessions::delete(&mut tx, &old.id_hash).await?;
    }
    let created =
        store::sessions::create(&mut tx, Some(user.id), Some(&ctx.ip), user_agent(&headers))
            .await?;
    store::users::record_login(&mut tx, user.id).await?;
    // Until the job runner exists, sign-ins sweep what has expired; both
    // deletes use an index and touch only dead rows.
    store::sessions::purge_expired(&mut tx).await?;
    store::throttle::purge_old(&mut tx).await?;
    tx.commit().await?;
    let mut resp = see_other(safe_next(&f.next));
    resp.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(app.config.secure_cookies(), &created.token),
    );
    if ctx.form_token.is_some() {
        resp.headers_mut().append(
            header::SET_COOKIE,
            clear_form_token_cookie(app.config.secure_cookies()),
        );
    }
    Ok(resp)
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        write(&app, &ctx)
            .commit(async |tx| store::sessions::delete(tx, &s.id_hash).await)
            .await?;
    }
    let mut resp = see_other("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        clear_session_cookie(app.config.secure_cookies()),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_redirects() {
        assert_eq!(safe_next("/companies?q=a"), "/companies?q=a");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n"), "/");
        assert_eq!(safe_next("/login?next=/x"), "/");
    }
}

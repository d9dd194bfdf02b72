//! The request context: who is asking (session cookie or API token), in which
//! language, from where. Built once per request by `load` and read by
//! handlers through the `Ctx` extractor.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Locale;
use store::sessions::Session;
use store::users::User;
use store::{Actor, Scope};

use crate::error::{AppError, IS_API, REQUEST_ID, REQUEST_LOCALE};
use crate::{AppState, authz};

pub const LANG_COOKIE: &str = "regisseur_lang";

#[derive(Clone, Debug)]
pub struct Ctx {
    pub request_id: String,
    pub ip: String,
    /// As sent, cut to 300 characters (it goes into signature trails).
    pub user_agent: String,
    pub locale: Locale,
    pub session: Option<Session>,
    pub user: Option<User>,
    /// Before sign-in, the CSRF token of the login form, carried by its own
    /// cookie rather than a session row (see [`form_token_cookie`]).
    pub form_token: Option<String>,
    pub is_api: bool,
    pub path: String,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.id),
            label: self
                .user
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_else(|| "anonymous".into()),
            ip: Some(self.ip.clone()),
        }
    }

    /// Who did it, as a signature trail records it.
    pub fn origin(&self) -> store::esign::Origin {
        match &self.user {
            Some(u) => self.origin_as(&u.display_name, &u.email),
            None => self.origin_as("anonyme", "-"),
        }
    }

    /// A signer identified by his link rather than a session.
    pub fn origin_as(&self, name: &str, email: &str) -> store::esign::Origin {
        store::esign::Origin {
            actor: format!("{name} <{email}>"),
            ip: self.ip.clone(),
            user_agent: if self.user_agent.is_empty() {
                "-".into()
            } else {
                self.user_agent.clone()
            },
        }
    }

    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthenticated {
            next: Some(self.path.clone()),
        })
    }

    /// The records this user may see; see `authz::scope_for`.
    pub fn scope(&self) -> Result<Scope, AppError> {
        Ok(authz::scope_for(self.user()?))
    }

    /// The token forms must send back: the session's, or before sign-in
    /// the login form's own.
    pub fn csrf_token(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .or(self.form_token.as_deref())
            .unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("context layer missing")))
    }
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    // The __Host- prefix pins the cookie to our origin, but browsers accept it
    // only with Secure, so plain-http demos use the bare name.
    if secure {
        "__Host-regisseur_session"
    } else {
        "regisseur_session"
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Lax, Secure over https.
pub fn session_cookie(secure: bool, token: &str) -> HeaderValue {
    let name = session_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}"
    ))
    .expect("token is hex")
}

pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    let name = session_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}"
    ))
    .expect("static")
}

/// The login form's CSRF token before any session exists. Anonymous
/// visitors get no session row (a bot opening the login page in a loop
/// would otherwise fill the sessions table): the token rides in this
/// cookie and comes back in the form, which a forged cross-site form
/// cannot read nor set (`__Host-` over https, `SameSite=Strict`).
pub fn form_token_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-regisseur_form"
    } else {
        "regisseur_form"
    }
}

pub fn form_token_cookie(secure: bool, token: &str) -> HeaderValue {
    let name = form_token_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict{secure_attr}"
    ))
    .expect("token is hex")
}

pub fn clear_form_token_cookie(secure: bool) -> HeaderValue {
    let name = form_token_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure_attr}"
    ))
    .expect("static")
}

/// The form token a visitor's cookie carries, if it has the shape of ours.
fn form_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie(headers, form_token_cookie_name(secure))
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn lang_cookie(secure: bool, locale: Locale) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure_attr}",
        locale.as_str()
    ))
    .expect("static")
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub fn negotiate_locale(user: Option<&User>, headers: &HeaderMap) -> Locale {
    user.and_then(|u| u.locale)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(|c| Locale::parse(&c)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .unwrap_or_default()
}

/// Builds the `Ctx` for every request and runs the rest of the stack inside
/// the task-locals that error rendering reads.
pub async fn load(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/v1");
    let ip = client_ip(&req, app.config.trust_proxy);

    let (session, user) = match identify(&app, req.headers(), is_api).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(%request_id, error = ?e, "cannot identify the request");
            let locale = negotiate_locale(None, req.headers());
            return REQUEST_ID
                .scope(
                    request_id,
                    REQUEST_LOCALE.scope(
                        locale,
                        IS_API.scope(is_api, async { AppError::Unavailable.into_response() }),
                    ),
                )
                .await;
        }
    };
    let locale = negotiate_locale(user.as_ref(), req.headers());
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or(path);
    let user_agent = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    let ctx = Ctx {
        request_id: request_id.clone(),
        ip,
        user_agent,
        locale,
        form_token: session
            .is_none()
            .then(|| form_token(req.headers(), app.config.secure_cookies()))
            .flatten(),
        session,
        user,
        is_api,
        path: path_and_query,
    };
    req.extensions_mut().insert(ctx);
    let mut resp = REQUEST_ID
        .scope(
            request_id.clone(),
            REQUEST_LOCALE.scope(locale, IS_API.scope(is_api, next.run(req))),
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

async fn identify(
    app: &AppState,
    headers: &HeaderMap,
    is_api: bool,
) -> Result<(Option<Session>, Option<User>), store::Error> {
    if is_api && let Some(token) = bearer(headers) {
        let mut tx = app.db.begin().await?;
        let user = store::api_tokens::authenticate(&mut tx, token).await?;
        tx.commit().await?;
        return Ok((None, user));
    }
    let Some(token) = cookie(headers, session_cookie_name(app.config.secure_cookies())) else {
        return Ok((None, None));
    };
    let mut tx = app.db.read().await?;
    let session = store::sessions::load(&mut tx, &token).await?;
    tx.commit().await?;
    if let Some(s) = &session
        && s.user.is_some()
        && store::now() - s.last_seen_at > time::Duration::minutes(1)
    {
        let mut tx = app.db.begin().await?;
        store::sessions::touch(&mut tx, s).await?;
        tx.commit().await?;
    }
    let user = session.as_ref().and_then(|s| s.user.clone());
    Ok((session, user))
}

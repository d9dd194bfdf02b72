//! The page an invitation's link opens (`store::invitations`): the invited
//! user chooses his password (the rules of every password) and is signed
//! in. A link unknown, used or expired says so and writes nothing.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use domain::user::Password;
use domain::validation::ValidationErrors;
use serde::Deserialize;

use super::login::user_agent;
use super::see_other;
use crate::AppState;
use crate::ctx::{Ctx, session_cookie};
use crate::error::AppResult;
use crate::extract::Form;
use crate::i18n;
use crate::view::{FieldErrors, Flash, Layout, layout, render_status};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    layout: Layout,
    token: String,
    /// The account's name and e-mail; none when the link does not work.
    account: Option<(String, String)>,
    /// Why the link does not work.
    refusal: Option<String>,
    errors: FieldErrors,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    token: &str,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let opened = store::invitations::open(&mut tx, token).await?;
    tx.commit().await?;
    let (account, refusal, status) = match opened {
        None => (None, Some("invitation-unknown"), StatusCode::NOT_FOUND),
        Some((u, state)) => match state.refusal_key() {
            Some(key) => (None, Some(key), StatusCode::GONE),
            None => (
                Some((u.display_name, u.email)),
                None,
                if errors.is_empty() {
                    StatusCode::OK
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
            ),
        },
    };
    let page = InvitationPage {
        layout: layout(app, ctx, "invitation-title").await?,
        token: token.to_owned(),
        account,
        refusal: refusal.map(|k| i18n::t(ctx.locale, k)),
        errors: FieldErrors::new(ctx.locale, errors),
    };
    let mut resp = render_status(status, &page)?;
    // The token is in the address: never cached, never sent on as a referrer.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

/// GET /invitation/{token}
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    page(&app, &ctx, &token, &ValidationErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// POST /invitation/{token}: the password chosen, the link spent, and the
/// user signed in (a new session, whatever session the browser had).
pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::new();
    let password = match Password::parse(&f.new_password) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.add_with(
                "new_password",
                domain::validation::ErrorKey::key(&e),
                domain::validation::ErrorKey::args(&e),
            );
            None
        }
    };
    if f.new_password != f.confirm_password {
        errors.add("confirm_password", "account-passwords-differ");
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return page(&app, &ctx, &token, &errors).await;
    };
    let mut tx = app.db.begin().await?;
    let user = match store::invitations::accept(&mut tx, &token, &password).await {
        Ok(u) => u,
        Err(store::Error::Invalid(v)) => {
            tx.rollback().await?;
            // The page says why the link no longer works.
            return page(&app, &ctx, &token, &v).await;
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = &ctx.session {
        store::sessions::delete(&mut tx, &old.id_hash).await?;
    }
    let created =
        store::sessions::create(&mut tx, Some(user.id), Some(&ctx.ip), user_agent(&headers))
            .await?;
    store::users::record_login(&mut tx, user.id).await?;
    let welcome = serde_json::to_string(&Flash::success("invitation-accepted")).expect("flash");
    store::sessions::set_flash(&mut tx, &created.session.id_hash, Some(welcome.as_str())).await?;
    tx.commit().await?;
    let mut resp = see_other("/");
    resp.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(app.config.secure_cookies(), &created.token),
    );
    Ok(resp)
}

//! The signed-in user's own account: password, language, API tokens.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use domain::Locale;
use domain::ids::ApiTokenId;
use domain::user::Password;
use domain::validation::{ErrorKey, ValidationErrors, text};
use serde::Deserialize;
use store::Tx;

use super::see_other;
use crate::ctx::{Ctx, lang_cookie};
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::view::{FieldErrors, Layout, layout, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

pub struct TokenLine {
    pub id: ApiTokenId,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    role: String,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    errors: FieldErrors,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    errors: &ValidationErrors,
    new_token: Option<String>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let mut tx = app.db.read().await?;
    let tokens = store::api_tokens::list_for_user(&mut tx, user.id).await?;
    tx.commit().await?;
    let l = layout(app, ctx, "account-title").await?;
    let tokens = tokens
        .iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created: l.datetime(&t.created_at),
            last_used: t
                .last_used_at
                .as_ref()
                .map(|d| l.datetime(d))
                .unwrap_or_else(|| "—".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let p = AccountPage {
        name: user.display_name.clone(),
        email: user.email.clone(),
        role: i18n::t(ctx.locale, &user.role.label_key()),
        errors: FieldErrors::new(ctx.locale, errors),
        layout: l,
        tokens,
        new_token,
    };
    let mut resp = render_status(status, &p)?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&app, &ctx, StatusCode::OK, &ValidationErrors::new(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
    /// Ticked: the API tokens are revoked too (otherwise they stay valid,
    /// as the form says).
    pub revoke_tokens: Option<String>,
}

pub async fn change_password(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let change = async |tx: &mut Tx| -> AppResult<()> {
        let mut errors = ValidationErrors::new();
        let hash = store::users::password_hash(tx, user.id).await?;
        if !store::credentials::verify_password(&hash, &f.current_password) {
            errors.add("current_password", "account-current-password-wrong");
        }
        let new = match Password::parse(&f.new_password) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.add_with("new_password", e.key(), e.args());
                None
            }
        };
        if f.new_password != f.confirm_password {
            errors.add("confirm_password", "account-passwords-differ");
        }
        let (Some(new), true) = (new, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let keep = ctx.session.as_ref().map(|s| s.id_hash.as_str());
        store::users::change_password(tx, &ctx.actor(), user.id, &new, keep).await?;
        if f.revoke_tokens.is_some() {
            store::api_tokens::revoke_all(tx, &ctx.actor(), user.id).await?;
        }
        Ok(())
    };
    match write(&app, &ctx)
        .flash("account-password-changed")
        .run(change)
        .await?
    {
        Done(()) => Ok(see_other("/account")),
        Refused(errors) => page(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, None).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
}

pub async fn create_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let name = match text(&f.name, 80) {
        Ok(n) => n,
        Err(e) => {
            let mut errors = ValidationErrors::new();
            errors.add_with("token_name", e.key(), e.args());
            return page(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, &errors, None).await;
        }
    };
    let (_, secret) = write(&app, &ctx)
        .commit(async |tx| store::api_tokens::create(tx, &ctx.actor(), user.id, &name).await)
        .await?;
    // Shown once, in this response only: it is not stored in clear anywhere.
    page(
        &app,
        &ctx,
        StatusCode::OK,
        &ValidationErrors::new(),
        Some(secret),
    )
    .await
}

pub async fn revoke_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ApiTokenId>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    write(&app, &ctx)
        .flash("account-token-revoked-flash")
        .commit(async |tx| store::api_tokens::revoke(tx, &ctx.actor(), user.id, id).await)
        .await?;
    Ok(see_other("/account#tokens"))
}

#[derive(Debug, Default, Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub back: String,
}

/// Switches the language: remembered on the account when signed in, and in a
/// cookie for the login page.
pub async fn set_locale(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&f.locale).ok_or(AppError::BadRequest("error-bad-locale"))?;
    if let Some(user) = &ctx.user {
        write(&app, &ctx)
            .commit(async |tx| store::users::set_locale(tx, user.id, locale).await)
            .await?;
    }
    let back = crate::redirect::local_path(&f.back).unwrap_or("/");
    let mut resp = see_other(back);
    resp.headers_mut().append(
        header::SET_COOKIE,
        lang_cookie(app.config.secure_cookies(), locale),
    );
    Ok(resp)
}

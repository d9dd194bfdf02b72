//! Invitations (`domain::invitation`): the account is created without a
//! password anyone knows, and its owner receives a link to choose one.
//!
//! Only the SHA-256 of the link's token is stored. Accepting is one
//! statement that marks the link used if it is neither used nor expired,
//! so a link works once even when opened twice at the same moment; a
//! refused link writes nothing. A new link for the same user makes the
//! earlier ones expire.

use domain::Locale;
use domain::ids::UserId;
use domain::invitation::{self, State};
use domain::user::{Password, UserData};
use domain::validation::ValidationErrors;
use time::OffsetDateTime;

use crate::users::User;
use crate::{Actor, Error, Result, Tx, credentials, now, on_tx};

/// Stored as the password hash of an account whose owner has not chosen
/// his password yet: not a hash, so no password ever matches it.
pub const NO_PASSWORD: &str = "!invited";

/// An invitation sent (the token itself is only in the e-mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub user: User,
    pub expires_at: OffsetDateTime,
}

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

/// Creates the account of `d` (its password, if any, is ignored: the
/// person chooses his own) and e-mails him his link. `inviter`'s role
/// must allow inviting `d.role` (`domain::invitation::may_invite`).
/// `base_url` is the address users reach the application at.
pub async fn invite(
    tx: &mut Tx,
    actor: &Actor,
    inviter: &User,
    d: &UserData,
    base_url: &str,
) -> Result<Sent> {
    if !invitation::may_invite(inviter.role, d.role) {
        return Err(refuse("role", "invitation-role-forbidden"));
    }
    let user = crate::users::create_with_hash(tx, actor, d, NO_PASSWORD).await?;
    send(tx, actor, inviter, user.id, base_url).await
}

/// E-mails `user` a new link to choose his password (his earlier links
/// stop working). Refused for an inactive account.
pub async fn send(
    tx: &mut Tx,
    actor: &Actor,
    inviter: &User,
    user: UserId,
    base_url: &str,
) -> Result<Sent> {
    let u = crate::users::get(tx, user).await?;
    if !u.active {
        return Err(refuse("active", "invitation-inactive"));
    }
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE user_invitations SET expires_at = $2 WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(user.to_string())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let new_password = crate::users::password_hash(tx, user).await? != NO_PASSWORD;
    let token = credentials::new_token();
    let expires_at = at + invitation::VALIDITY;
    let firm = crate::firm::get(tx)
        .await?
        .map(|f| f.name)
        .unwrap_or_default();
    let link = format!("{}/invitation/{token}", base_url.trim_end_matches('/'));
    let (subject, text) = invitation::email(
        &invitation::Facts {
            firm_name: &firm,
            name: &u.display_name,
            invited_by: &inviter.display_name,
            link: &link,
            expires_at,
            new_password,
        },
        u.locale.unwrap_or(Locale::Fr),
    );
    let email_id = crate::outbox::queue(tx, &u.email, &subject, &text).await?;
    let id = uuid::Uuid::new_v4().to_string();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO user_invitations (id, user_id, token_hash, email_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id.as_str())
    .bind(user.to_string())
    .bind(credentials::token_hash(&token))
    .bind(email_id.to_string())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::audit::record(
        tx,
        actor,
        "invite",
        "user",
        &user.to_string(),
        None::<&()>,
        Some(&serde_json::json!({ "email": u.email, "expires_at": expires_at })),
    )
    .await?;
    Ok(Sent {
        user: u,
        expires_at,
    })
}

/// What a link opens: the account it is for, or why it no longer works
/// (`None`: no such link).
pub async fn open(tx: &mut Tx, token: &str) -> Result<Option<(User, State)>> {
    let row: Option<(String, OffsetDateTime, Option<OffsetDateTime>)> =
        on_tx!(tx, |c| sqlx::query_as(
            "SELECT user_id, expires_at, used_at FROM user_invitations WHERE token_hash = $1"
        )
        .bind(credentials::token_hash(token))
        .fetch_optional(c)
        .await)?;
    let Some((user, expires_at, used_at)) = row else {
        return Ok(None);
    };
    let user = crate::users::get(tx, crate::id(&user)?).await?;
    let state = match State::of(now(), expires_at, used_at.is_some()) {
        State::Valid if !user.active => State::Expired,
        s => s,
    };
    Ok(Some((user, state)))
}

/// Sets the password chosen through the link and spends the link; every
/// session of the account ends. Refused, writing nothing, when the link is
/// unknown, used or expired.
pub async fn accept(tx: &mut Tx, token: &str, password: &Password) -> Result<User> {
    let Some((user, state)) = open(tx, token).await? else {
        return Err(refuse("token", "invitation-unknown"));
    };
    if let Some(key) = state.refusal_key() {
        return Err(refuse("token", key));
    }
    let at = now();
    // One statement: of two submissions at once, only one finds the link
    // unused.
    let spent: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE user_invitations SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING id"
    )
    .bind(credentials::token_hash(token))
    .bind(at)
    .fetch_optional(c)
    .await)?;
    if spent.is_none() {
        return Err(refuse("token", "invitation-used"));
    }
    let actor = Actor {
        user_id: Some(user.id),
        label: user.display_name.clone(),
        ip: None,
    };
    crate::users::change_password(tx, &actor, user.id, password, None).await?;
    Ok(user)
}

//! Personal API tokens for `/api/v1`. The token is shown once at creation;
//! only its SHA-256 is stored.

use domain::ids::{ApiTokenId, UserId};
use serde::Serialize;
use time::OffsetDateTime;

use crate::users::User;
use crate::{Actor, Error, Result, Tx, audit, corrupt, credentials, now, on_tx, user_columns};

pub const PREFIX: &str = "rgt_";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    /// The first characters, so a user can tell his tokens apart.
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    prefix: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl TryFrom<Row> for ApiToken {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        Ok(ApiToken {
            id: ApiTokenId::parse(&r.id).ok_or_else(|| corrupt("token id", &r.id))?,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
    }
}

/// Creates a token; returns it with its secret value, which is not kept.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    user_id: UserId,
    name: &str,
) -> Result<(ApiToken, String)> {
    let secret = format!("{PREFIX}{}", credentials::new_token());
    let id = ApiTokenId::new();
    let at = now();
    let prefix: String = secret.chars().take(PREFIX.len() + 6).collect();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(id.to_string())
    .bind(user_id.to_string())
    .bind(name)
    .bind(&prefix)
    .bind(credentials::token_hash(&secret))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let token = ApiToken {
        id,
        name: name.to_string(),
        prefix,
        created_at: at,
        last_used_at: None,
        revoked_at: None,
    };
    audit::record(
        tx,
        actor,
        "create",
        "api_token",
        &id.to_string(),
        None::<&()>,
        Some(&token),
    )
    .await?;
    Ok((token, secret))
}

/// The active user owning a live token.
pub async fn authenticate(tx: &mut Tx, secret: &str) -> Result<Option<User>> {
    let hash = credentials::token_hash(secret.trim());
    let sql = concat!(
        "SELECT ",
        user_columns!(),
        " FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN companies c ON c.id = u.company_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE"
    );
    let row: Option<crate::users::Row> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(&hash)
        .fetch_optional(c)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    // Recorded at most once a minute, like session activity, so a client
    // calling the API in a loop does not write on every request.
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2
         WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $3)"
    )
    .bind(&hash)
    .bind(at)
    .bind(at - time::Duration::minutes(1))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Some(crate::users::from_row(row)?))
}

pub async fn list_for_user(tx: &mut Tx, user_id: UserId) -> Result<Vec<ApiToken>> {
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC"
    )
    .bind(user_id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter().map(ApiToken::try_from).collect()
}

/// Revokes every live token of the user (a password changed because it
/// may have leaked: what was created with it goes too). Returns how many.
pub async fn revoke_all(tx: &mut Tx, actor: &Actor, user_id: UserId) -> Result<u64> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
    )
    .bind(user_id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n > 0 {
        audit::record(
            tx,
            actor,
            "revoke_all",
            "api_token",
            &user_id.to_string(),
            None::<&()>,
            Some(&serde_json::json!({ "revoked": n })),
        )
        .await?;
    }
    Ok(n)
}

/// Revokes one of the user's own tokens.
pub async fn revoke(tx: &mut Tx, actor: &Actor, user_id: UserId, id: ApiTokenId) -> Result<()> {
    let r = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"
    )
    .bind(id.to_string())
    .bind(user_id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if r == 0 {
        return Err(Error::NotFound);
    }
    audit::record(
        tx,
        actor,
        "revoke",
        "api_token",
        &id.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

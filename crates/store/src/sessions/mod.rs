//! Browser sessions, kept in the database so any instance can serve any
//! request. The cookie holds a random token; only its hash is stored.

use domain::ids::UserId;
use time::{Duration, OffsetDateTime};

use crate::users::User;
use crate::{Result, Tx, credentials, now, on_tx, user_columns};

mod revoke;

pub use revoke::delete_for_user;

/// Sessions of signed-in users last this long without activity.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// Anonymous sessions exist only to carry the login form's CSRF token.
pub const ANONYMOUS_TIMEOUT: Duration = Duration::hours(2);

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user: Option<User>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub last_seen_at: OffsetDateTime,
}

pub struct NewSession {
    /// The cookie value; shown once, never stored.
    pub token: String,
    pub session: Session,
}

pub async fn create(
    tx: &mut Tx,
    user_id: Option<UserId>,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<NewSession> {
    let token = credentials::new_token();
    let id_hash = credentials::token_hash(&token);
    let csrf_token = credentials::new_token();
    let at = now();
    let ttl = if user_id.is_some() {
        IDLE_TIMEOUT
    } else {
        ANONYMOUS_TIMEOUT
    };
    let sql = "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
               VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&id_hash)
        .bind(user_id.map(|u| u.to_string()))
        .bind(&csrf_token)
        .bind(at)
        .bind(at + ttl)
        .bind(ip)
        .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let user = match user_id {
        Some(id) => Some(crate::users::get(tx, id).await?),
        None => None,
    };
    Ok(NewSession {
        token,
        session: Session {
            id_hash,
            user,
            csrf_token,
            flash: None,
            last_seen_at: at,
        },
    })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id_hash: String,
    user_id: Option<String>,
    csrf_token: String,
    flash: Option<String>,
    last_seen_at: OffsetDateTime,
}

/// The live session for a cookie token, with its user if signed in and active.
pub async fn load(tx: &mut Tx, token: &str) -> Result<Option<Session>> {
    let id_hash = credentials::token_hash(token);
    let sql = "SELECT id_hash, user_id, csrf_token, flash, last_seen_at FROM sessions WHERE id_hash = $1 AND expires_at > $2";
    let row: Option<SessionRow> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(&id_hash)
        .bind(now())
        .fetch_optional(c)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let user = match row.user_id {
        Some(_) => {
            let sql = concat!(
                "SELECT ",
                user_columns!(),
                " FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN companies c ON c.id = u.company_id \
                 WHERE s.id_hash = $1 AND u.active = TRUE"
            );
            let r: Option<crate::users::Row> = on_tx!(tx, |c| sqlx::query_as(sql)
                .bind(&id_hash)
                .fetch_optional(c)
                .await)?;
            match r {
                Some(r) => Some(crate::users::from_row(r)?),
                // The account was deactivated: the session is worthless.
                None => return Ok(None),
            }
        }
        None => None,
    };
    Ok(Some(Session {
        id_hash: row.id_hash,
        user,
        csrf_token: row.csrf_token,
        flash: row.flash,
        last_seen_at: row.last_seen_at,
    }))
}

/// Slides the expiry forward. Called at most once a minute per session so
/// reads do not turn every page view into a write.
pub async fn touch(tx: &mut Tx, session: &Session) -> Result<()> {
    let at = now();
    if at - session.last_seen_at < Duration::minutes(1) {
        return Ok(());
    }
    let ttl = if session.user.is_some() {
        IDLE_TIMEOUT
    } else {
        ANONYMOUS_TIMEOUT
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1"
    )
    .bind(&session.id_hash)
    .bind(at)
    .bind(at + ttl)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_flash(tx: &mut Tx, id_hash: &str, flash: Option<&str>) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET flash = $2 WHERE id_hash = $1"
    )
    .bind(id_hash)
    .bind(flash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn purge_expired(tx: &mut Tx) -> Result<u64> {
    let r = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r)
}

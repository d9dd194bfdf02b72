//! Login throttling kept in the database, so the limit holds across every
//! instance behind a load balancer.

use time::Duration;

use crate::db::LockClass;
use crate::{Result, Tx, now, on_tx};

pub const WINDOW: Duration = Duration::minutes(15);
/// Failures for one account within the window before its logins are refused.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failures from one address within the window (many accounts tried).
pub const MAX_FAILURES_PER_IP: i64 = 30;

pub async fn record(tx: &mut Tx, email: &str, ip: &str, succeeded: bool) -> Result<()> {
    let email = email.trim().to_lowercase();
    if succeeded {
        // A successful login clears the account's slate, not the address's.
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM login_attempts WHERE email = $1 AND succeeded = FALSE"
        )
        .bind(&email)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        return Ok(());
    }
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO login_attempts (id, email, ip, succeeded, at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&email)
    .bind(ip)
    .bind(succeeded)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes one attempt for this account from this address, before the
/// password is checked: refused (false) when either has failed too often,
/// otherwise recorded as a failure straight away, which [`record`] with
/// success clears. Counting and recording happen under a lock on the
/// account and on the address, so concurrent guesses, on any instance,
/// get exactly the number of checks the limits allow; commit before the
/// slow password check so the lock is held for a few milliseconds only.
pub async fn reserve(tx: &mut Tx, email: &str, ip: &str) -> Result<bool> {
    let email = email.trim().to_lowercase();
    tx.lock_key(LockClass::LoginEmail, &email).await?;
    tx.lock_key(LockClass::LoginAddress, ip).await?;
    if is_blocked(tx, &email, ip).await? {
        return Ok(false);
    }
    record(tx, &email, ip, false).await?;
    Ok(true)
}

/// True when this email or address has failed too often recently.
pub async fn is_blocked(tx: &mut Tx, email: &str, ip: &str) -> Result<bool> {
    let since = now() - WINDOW;
    let email = email.trim().to_lowercase();
    let by_email: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND succeeded = FALSE AND at > $2"
    )
    .bind(&email)
    .bind(since)
    .fetch_one(c)
    .await)?;
    let by_ip: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND succeeded = FALSE AND at > $2"
    )
    .bind(ip)
    .bind(since)
    .fetch_one(c)
    .await)?;
    Ok(by_email >= MAX_FAILURES_PER_EMAIL || by_ip >= MAX_FAILURES_PER_IP)
}

pub async fn purge_old(tx: &mut Tx) -> Result<u64> {
    let r = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM login_attempts WHERE at <= $1"
    )
    .bind(now() - WINDOW)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r)
}

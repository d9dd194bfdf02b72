//! Ending a user's sessions, as `users` does when an account is deactivated,
//! its role changes or its password is changed. Below both `users` and the
//! rest of `sessions` (which reads users): it touches the sessions table only.

use domain::ids::UserId;

use crate::{Result, Tx, on_tx};

/// Ends every session of a user, except the one given (the user's current one
/// after a password change).
pub async fn delete_for_user(
    tx: &mut Tx,
    user_id: UserId,
    except_id_hash: Option<&str>,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2"
    )
    .bind(user_id.to_string())
    .bind(except_id_hash.unwrap_or(""))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

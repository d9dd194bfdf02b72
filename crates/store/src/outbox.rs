//! E-mails to send. Queued in the transaction of the change that causes them
//! (so a rolled-back change sends nothing) and delivered by a job.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{Result, Tx, now, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

pub const SEND_JOB: &str = "send_email";

/// Queues an e-mail and the job that will send it.
pub async fn queue(tx: &mut Tx, to: &str, subject: &str, text: &str) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO outbox_emails (id, to_address, subject, body_text, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&id)
    .bind(to)
    .bind(subject)
    .bind(text)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::jobs::enqueue(
        tx,
        SEND_JOB,
        &serde_json::json!({ "email_id": id }),
        at,
        Some(&format!("email:{id}")),
    )
    .await?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<OutgoingEmail>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, to_address, subject, body_text, created_at, sent_at, last_error FROM outbox_emails WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?)
}

pub async fn mark_sent(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox_emails SET sent_at = $2, last_error = NULL WHERE id = $1"
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn mark_failed(tx: &mut Tx, id: &str, error: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox_emails SET last_error = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn recent(tx: &mut Tx, limit: i64) -> Result<Vec<OutgoingEmail>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, to_address, subject, body_text, created_at, sent_at, last_error FROM outbox_emails ORDER BY created_at DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

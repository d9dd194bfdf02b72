//! E-mails to send. Queued in the transaction of the change that causes them
//! (so a rolled-back change sends nothing) and delivered by a job.

use domain::ids::EmailId;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Result, Tx, now, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct OutgoingEmail {
    #[sqlx(try_from = "String")]
    pub id: EmailId,
    pub to_address: String,
    /// The copy (`Cc:`), if any.
    pub cc_address: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

pub const SEND_JOB: &str = "send_email";

/// Where an e-mail stands, for the pages that show what was sent: a
/// dunning notice, an invoice sent to its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EmailState {
    Queued,
    Sent,
    /// Not delivered yet: the last error (it is retried).
    Failed(String),
    /// No address to send to: nothing was sent.
    NoAddress,
}

impl EmailState {
    pub fn as_str(&self) -> &'static str {
        match self {
            EmailState::Queued => "queued",
            EmailState::Sent => "sent",
            EmailState::Failed(_) => "failed",
            EmailState::NoAddress => "no_address",
        }
    }
}

impl EmailState {
    /// From the outbox row an e-mail id points to (none: no address).
    pub fn of(
        email_id: Option<&str>,
        sent_at: Option<OffsetDateTime>,
        last_error: Option<String>,
    ) -> EmailState {
        match (email_id, sent_at, last_error) {
            (None, _, _) => EmailState::NoAddress,
            (Some(_), Some(_), _) => EmailState::Sent,
            (Some(_), None, Some(err)) => EmailState::Failed(err),
            (Some(_), None, None) => EmailState::Queued,
        }
    }
}

/// An e-mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Queues an e-mail and the job that will send it.
pub async fn queue(tx: &mut Tx, to: &str, subject: &str, text: &str) -> Result<EmailId> {
    let email = NewEmail {
        to: to.to_string(),
        subject: subject.to_string(),
        text: text.to_string(),
    };
    let mut ids = queue_many(tx, std::slice::from_ref(&email)).await?;
    Ok(ids.remove(0))
}

/// Queues several e-mails and their send jobs with multi-row statements (of
/// at most `MAX_BINDS` parameters each), each exactly as `queue` would. Returns the e-mails' ids, in order.
pub async fn queue_many(tx: &mut Tx, emails: &[NewEmail]) -> Result<Vec<EmailId>> {
    let queued: Vec<(EmailId, OffsetDateTime)> =
        emails.iter().map(|_| (EmailId::new(), now())).collect();
    let per_statement = crate::rows_per_statement(5);
    for (chunk, ids) in emails
        .chunks(per_statement)
        .zip(queued.chunks(per_statement))
    {
        let sql = format!(
            "INSERT INTO outbox_emails (id, to_address, subject, body_text, created_at) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (e, (id, at)) in chunk.iter().zip(ids) {
                q = q
                    .bind(id.to_string())
                    .bind(e.to.as_str())
                    .bind(e.subject.as_str())
                    .bind(e.text.as_str())
                    .bind(*at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let jobs: Vec<crate::jobs::NewJob> = queued
        .iter()
        .map(|(id, at)| crate::jobs::NewJob {
            kind: SEND_JOB.to_string(),
            payload: serde_json::json!({ "email_id": id }),
            run_at: *at,
            dedupe_key: Some(format!("email:{id}")),
        })
        .collect();
    crate::jobs::enqueue_many(tx, &jobs).await?;
    Ok(queued.into_iter().map(|(id, _)| id).collect())
}

pub async fn get(tx: &mut Tx, id: EmailId) -> Result<Option<OutgoingEmail>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, to_address, cc_address, subject, body_text, created_at, sent_at, last_error FROM outbox_emails WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await
    })?)
}

/// How many e-mails wait to be sent.
pub async fn unsent(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_emails WHERE sent_at IS NULL"
    )
    .fetch_one(c)
    .await)?)
}

pub async fn mark_sent(tx: &mut Tx, id: EmailId) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox_emails SET sent_at = $2, last_error = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn mark_failed(tx: &mut Tx, id: EmailId, error: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox_emails SET last_error = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn recent(tx: &mut Tx, limit: i64) -> Result<Vec<OutgoingEmail>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, to_address, cc_address, subject, body_text, created_at, sent_at, last_error FROM outbox_emails ORDER BY created_at DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

/// A file to send with a queued e-mail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Queues an e-mail with files attached, and the job that will send it, in
/// the caller's transaction (a rolled-back change sends nothing).
pub async fn queue_with_attachments(
    tx: &mut Tx,
    to: &str,
    subject: &str,
    text: &str,
    attachments: &[Attachment],
) -> Result<EmailId> {
    let id = queue(tx, to, subject, text).await?;
    for (position, a) in attachments.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO outbox_attachments (email_id, position, file_name, content_type, bytes)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id.to_string())
        .bind(position as i32)
        .bind(a.file_name.as_str())
        .bind(a.content_type.as_str())
        .bind(a.bytes.as_slice())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

/// Copies a queued e-mail to `cc` (`Cc:`), in the caller's transaction.
pub async fn copy_to(tx: &mut Tx, id: EmailId, cc: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox_emails SET cc_address = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(cc)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The files of a queued e-mail, in order (none for most e-mails).
pub async fn attachments(tx: &mut Tx, email_id: EmailId) -> Result<Vec<Attachment>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT file_name, content_type, bytes FROM outbox_attachments
         WHERE email_id = $1 ORDER BY position"
    )
    .bind(email_id.to_string())
    .fetch_all(c)
    .await)?)
}

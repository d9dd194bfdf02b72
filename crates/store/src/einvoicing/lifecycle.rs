//! The lifecycle history of a document and its current status.

use domain::einvoice::{Lifecycle, LifecycleError, LifecycleStatus, Source, StatusEvent};
use domain::ids::InvoiceId;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::money::Money;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Tx, audit, corrupt, now, on_tx};

/// A status to record.
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub status: LifecycleStatus,
    pub occurred_at: OffsetDateTime,
    pub source: Source,
    pub reason: Option<String>,
    pub amount: Option<Money>,
    pub paid_on: Option<Date>,
    /// The platform's id of the message that reported it.
    pub message_id: Option<String>,
}

/// One entry of the history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub status: LifecycleStatus,
    pub occurred_at: OffsetDateTime,
    pub source: Source,
    pub actor: String,
    pub reason: Option<String>,
    pub amount: Option<Money>,
    pub paid_on: Option<Date>,
    pub message_id: Option<String>,
}

fn refused(e: LifecycleError) -> Error {
    Error::Invalid(ValidationErrors::single(e.field(), e.key()))
}

/// Where an issued document stands.
pub async fn state(tx: &mut Tx, invoice: InvoiceId) -> Result<Lifecycle> {
    let row: Option<(String, String, i64, Option<i32>, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT kind, status, gross_cents, CAST(lifecycle_status AS INTEGER), received_cents
         FROM invoices WHERE id = $1"
    )
    .bind(invoice.to_string())
    .fetch_optional(c)
    .await)?;
    let (kind, status, gross, code, received) = row.ok_or(Error::NotFound)?;
    if status != InvoiceStatus::Issued.as_str() {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "einvoice-not-issued",
        )));
    }
    let status = code
        .map(|c| {
            LifecycleStatus::from_code(c.into())
                .ok_or_else(|| corrupt("lifecycle status", &c.to_string()))
        })
        .transpose()?;
    Ok(Lifecycle {
        status,
        received: Money::from_cents(received),
        total: Money::from_cents(gross),
        credit_note: kind == InvoiceKind::CreditNote.as_str(),
    })
}

/// Records a status of an issued document: refused, nothing written, when
/// the domain's transition refuses it; otherwise the history row, the
/// invoice's current status (and receipts) and the audit entry, in the
/// caller's transaction. A platform message already recorded (same
/// message id) is refused as a conflict on `message_id`.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    invoice: InvoiceId,
    s: &NewStatus,
) -> Result<Lifecycle> {
    // Takes the invoice's row first, so two statuses recorded at once are
    // applied one after the other (PostgreSQL; SQLite has one writer).
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET lifecycle_status = lifecycle_status WHERE id = $1"
    )
    .bind(invoice.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let before = state(tx, invoice).await?;
    if let Some(m) = &s.message_id {
        let seen: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM invoice_lifecycle WHERE message_id = $1"
        )
        .bind(m)
        .fetch_one(c)
        .await)?;
        if seen > 0 {
            return Err(Error::Conflict {
                field: "message_id",
            });
        }
    }
    let reason = s
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().take(1000).collect::<String>());
    let after = before
        .transition(&StatusEvent {
            status: s.status,
            reason: reason.clone(),
            amount: s.amount,
            paid_on: s.paid_on,
        })
        .map_err(refused)?;
    let code = s.status.code() as i32;
    let amount = s.amount.map(Money::cents);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO invoice_lifecycle (id, invoice_id, status, occurred_at, source, actor, reason, amount_cents,
           paid_on, message_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(invoice.to_string())
    .bind(code)
    .bind(s.occurred_at)
    .bind(s.source.as_str())
    .bind(&actor.label)
    .bind(&reason)
    .bind(amount)
    .bind(s.paid_on)
    .bind(&s.message_id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET lifecycle_status = $2, received_cents = $3 WHERE id = $1"
    )
    .bind(invoice.to_string())
    .bind(code)
    .bind(after.received.cents())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "einvoice_status",
        "invoice",
        &invoice.to_string(),
        Some(&serde_json::json!({ "status": before.status.map(LifecycleStatus::code) })),
        Some(&serde_json::json!({
            "status": code,
            "source": s.source.as_str(),
            "reason": reason,
            "amount_cents": amount,
            "paid_on": s.paid_on,
            "message_id": s.message_id,
        })),
    )
    .await?;
    Ok(after)
}

type EntryRow = (
    String,
    i32,
    OffsetDateTime,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<Date>,
    Option<String>,
);

/// The history of a document, oldest first.
pub async fn history(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<Entry>> {
    let rows: Vec<EntryRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, CAST(status AS INTEGER), occurred_at, source, actor, reason, amount_cents, paid_on, message_id
         FROM invoice_lifecycle WHERE invoice_id = $1 ORDER BY created_at, id"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(Entry {
                status: LifecycleStatus::from_code(r.1.into())
                    .ok_or_else(|| corrupt("lifecycle status", &r.1.to_string()))?,
                source: Source::parse(&r.3).ok_or_else(|| corrupt("lifecycle source", &r.3))?,
                id: r.0,
                occurred_at: r.2,
                actor: r.4,
                reason: r.5,
                amount: r.6.map(Money::from_cents),
                paid_on: r.7,
                message_id: r.8,
            })
        })
        .collect()
}

/// The ids and numbers of the issued documents at `status`, by number.
pub async fn by_status(tx: &mut Tx, status: LifecycleStatus) -> Result<Vec<(InvoiceId, String)>> {
    let rows: Vec<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, number FROM invoices WHERE lifecycle_status = $1 AND number IS NOT NULL ORDER BY number"
    )
    .bind(status.code() as i32)
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(id, number)| Ok((crate::id(&id)?, number)))
        .collect()
}

/// The issued document numbered `number` (invoice or credit note).
pub async fn find_by_number(tx: &mut Tx, number: &str) -> Result<Option<InvoiceId>> {
    let id: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM invoices WHERE number = $1 AND status = 'issued'"
    )
    .bind(number)
    .fetch_optional(c)
    .await)?;
    id.as_deref().map(crate::id).transpose()
}

//! The key-account lock: no signed client contract, no invoice. The
//! revenue earned is booked anyway, at each period close, as accrued
//! unbilled revenue (FAE), kept until its invoice is issued — when the
//! contract-signed event arrives, or at a later close — and then reversed
//! on the issue date. What each entry moves, and when an accrual is booked
//! again, is `domain::postings` (`fae_entry`, `fae_step`, `fae_reversal`);
//! here the accrual rows: the reversal points at the accrual
//! (`reverses_id`) and the accrual row at both the reversal and the
//! invoice, so 4181 and 44587 net to zero for it.

use domain::ids::{ContractId, InvoiceId};
use domain::invoice::{InvoiceEvent, InvoiceStatus};
use serde::Serialize;
use time::Date;

use super::frozen::head;
use super::issue::Issued;
use super::shared::refuse;
use crate::{Actor, Db, Error, Result, Tx, audit, on_tx};

pub use super::accrual::{Accrued, accrue, still_locked};

/// Lifts the lock off a waiting invoice whose contract is now signed: it
/// becomes a draft. Refused while the lock holds.
pub async fn release(tx: &mut Tx, actor: &Actor, invoice: InvoiceId) -> Result<()> {
    let h = head(tx, invoice).await?;
    let status = h.status;
    let next = status
        .transition(InvoiceEvent::Release)
        .map_err(|e| refuse("status", e.key()))?;
    if still_locked(tx, invoice).await? {
        return Err(refuse("status", "invoice-waiting-signature"));
    }
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE invoices SET status = $2, waiting_since = NULL WHERE id = $1 AND status = $3",
        )
        .bind(invoice.to_string())
        .bind(next.as_str())
        .bind(status.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "release_invoice",
        "invoice",
        &invoice.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

/// Records why an automatic issue did not go through; the invoice stays a
/// draft for someone to complete and issue.
pub(crate) async fn note_issue_error(tx: &mut Tx, invoice: InvoiceId, error: &Error) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET issue_error = $2 WHERE id = $1"
    )
    .bind(invoice.to_string())
    .bind(super::shared::describe(error))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The waiting invoices of a contract's missions, oldest month first:
/// numbers follow the months billed.
async fn waiting_of(tx: &mut Tx, contract: ContractId) -> Result<Vec<String>> {
    let rows: Vec<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT i.period, i.id FROM invoices i LEFT JOIN missions m ON m.id = i.mission_id
         WHERE i.status = 'waiting_signature' AND (i.contract_id = $1 OR m.client_contract_id = $1)
         ORDER BY i.period, i.id"
    )
    .bind(contract.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(rows.into_iter().map(|(_, id)| id).collect())
}

/// What the signature of a contract did to one waiting invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Released {
    pub invoice_id: InvoiceId,
    pub issued: Option<Issued>,
    /// Why it stayed a draft (a missing mention, a closed period).
    pub error: Option<String>,
}

/// The contract is signed: its waiting invoices are issued on `date` (each
/// in its own transaction, oldest period first, its accrual reversed and
/// linked). An invoice that cannot be issued becomes a draft with the
/// reason recorded, and the others go on.
pub async fn release_contract(
    db: &Db,
    actor: &Actor,
    contract: ContractId,
    date: Date,
) -> Result<Vec<Released>> {
    let mut tx = db.begin().await?;
    let invoices = waiting_of(&mut tx, contract).await?;
    tx.rollback().await?;
    let mut out = Vec::new();
    for id in invoices {
        out.push(release_one(db, actor, crate::id(&id)?, date).await?);
    }
    Ok(out)
}

/// Releases and issues one waiting invoice; on a refusal (missing mention,
/// closed period) it is released only, with the reason noted.
pub(crate) async fn release_one(
    db: &Db,
    actor: &Actor,
    id: InvoiceId,
    date: Date,
) -> Result<Released> {
    let mut tx = db.begin().await?;
    let status = head(&mut tx, id).await?.status;
    if status != InvoiceStatus::WaitingSignature || still_locked(&mut tx, id).await? {
        tx.rollback().await?;
        return Ok(Released {
            invoice_id: id.to_owned(),
            issued: None,
            error: None,
        });
    }
    release(&mut tx, actor, id).await?;
    match super::issue(&mut tx, actor, id, date).await {
        Ok(issued) => {
            tx.commit().await?;
            Ok(Released {
                invoice_id: id.to_owned(),
                issued: Some(issued),
                error: None,
            })
        }
        Err(e @ Error::Invalid(_)) => {
            tx.rollback().await?;
            let mut tx = db.begin().await?;
            release(&mut tx, actor, id).await?;
            note_issue_error(&mut tx, id, &e).await?;
            tx.commit().await?;
            Ok(Released {
                invoice_id: id.to_owned(),
                issued: None,
                error: Some(super::shared::describe(&e)),
            })
        }
        Err(e) => Err(e),
    }
}

/// The job the signature of a contract queues (see `contracts::apply`).
pub const RELEASE_JOB: &str = "release_signed_contract";

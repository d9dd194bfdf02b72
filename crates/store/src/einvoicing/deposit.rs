//! Deposits to the platform, as jobs. Issuing queues the job and a
//! `queued` deposit row in the issue transaction ([`queue`]); the worker
//! runs [`run`]: the deposit row is taken (locked) for the whole deposit,
//! so a second run — another instance, a lease taken over, a re-deposit
//! asked twice — waits, then finds it deposited and does nothing. The
//! deposit, the row marked `deposited` and the status 200 Déposée commit
//! together; a failure is recorded on the row and the job retries with
//! back-off.

use domain::einvoice::{DepositStatus, LifecycleStatus, Source};
use domain::ids::InvoiceId;
use domain::invoice::InvoiceKind;
use serde::Serialize;
use time::OffsetDateTime;

use super::lifecycle::{self, NewStatus};
use super::platform::{Outbound, Platform, StatusMessage};
use crate::render::Render;
use crate::{Actor, Db, Error, Result, Tx, corrupt, now, on_tx};

/// The job that deposits one document (payload `{"invoice_id": …}`).
pub const DEPOSIT_JOB: &str = "einvoice_deposit";
/// The recurring job that imports the platform's status messages.
pub const POLL_JOB: &str = "einvoice_poll";

/// The channel every document is queued for until several exist.
pub const DEFAULT_CHANNEL: &str = "file_drop";

/// Where a document's deposit stands.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct DepositState {
    pub channel: String,
    #[sqlx(try_from = "String")]
    pub status: DepositStatus,
    pub attempts: i32,
    pub deposited_at: Option<OffsetDateTime>,
    pub platform_id: Option<String>,
    pub sha256: Option<String>,
    pub error: Option<String>,
}

async fn enqueue(tx: &mut Tx, invoice: InvoiceId, key: &str) -> Result<()> {
    crate::jobs::enqueue(
        tx,
        DEPOSIT_JOB,
        &serde_json::json!({ "invoice_id": invoice }),
        now(),
        Some(key),
    )
    .await?;
    Ok(())
}

/// Queues the deposit of a document being issued: one deposit row and one
/// job (keyed by the document) in the caller's transaction.
pub async fn queue(tx: &mut Tx, invoice: InvoiceId) -> Result<()> {
    queue_many(tx, &[invoice]).await
}

/// [`queue`] for several documents, in multi-row statements.
pub async fn queue_many(tx: &mut Tx, invoices: &[InvoiceId]) -> Result<()> {
    const ROW: &str = "(?, ?, ?, 'queued', 0, ?)";
    let at = now();
    for chunk in invoices.chunks(crate::rows_per_statement(4)) {
        let sql = format!(
            "INSERT INTO einvoice_deposits (id, invoice_id, channel, status, attempts, created_at)
             VALUES {} ON CONFLICT (invoice_id, channel) DO NOTHING",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for invoice in chunk {
                q = q
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(invoice.to_string())
                    .bind(DEFAULT_CHANNEL)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let jobs: Vec<crate::jobs::NewJob> = invoices
        .iter()
        .map(|invoice| crate::jobs::NewJob {
            kind: DEPOSIT_JOB.to_owned(),
            payload: serde_json::json!({ "invoice_id": invoice }),
            run_at: at,
            dedupe_key: Some(format!("{DEPOSIT_JOB}:{invoice}")),
        })
        .collect();
    crate::jobs::enqueue_many(tx, &jobs).await?;
    Ok(())
}

/// A failed deposit, or one the platform rejected (213: the file was at
/// fault, and is fixed), is queued again (the "redéposer" button); refused
/// otherwise.
pub async fn redeposit(tx: &mut Tx, actor: &Actor, invoice: InvoiceId) -> Result<()> {
    let attempts: Option<i32> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE einvoice_deposits SET status = 'queued', error = NULL
         WHERE invoice_id = $1
           AND (status = $2 OR (SELECT lifecycle_status FROM invoices WHERE id = $1) = 213)
         RETURNING CAST(attempts AS INTEGER)"
    )
    .bind(invoice.to_string())
    .bind(DepositStatus::Failed.as_str())
    .fetch_optional(c)
    .await)?;
    let Some(attempts) = attempts else {
        return Err(Error::Invalid(
            domain::validation::ValidationErrors::single("deposit", "einvoice-not-failed"),
        ));
    };
    enqueue(tx, invoice, &format!("{DEPOSIT_JOB}:{invoice}:{attempts}")).await?;
    crate::audit::record(
        tx,
        actor,
        "einvoice_redeposit",
        "invoice",
        &invoice.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

/// The deposits of a document (one per channel).
pub async fn of(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<DepositState>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT channel, status, CAST(attempts AS INTEGER) AS attempts, deposited_at, platform_id, sha256, error
         FROM einvoice_deposits WHERE invoice_id = $1 ORDER BY channel"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await
    })?)
}

/// What a run of the deposit job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Deposited,
    /// Deposited before (by another run): nothing done.
    AlreadyDone,
}

type HeadRow = (
    String,
    Option<String>,
    Option<time::Date>,
    i64,
    i64,
    i64,
    Option<String>,
);

async fn outbound(tx: &mut Tx, invoice: InvoiceId, render: &dyn Render) -> Result<Outbound> {
    let (kind, number, date, net, vat, gross, frozen): HeadRow = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT kind, number, issue_date, net_cents, vat_cents, gross_cents, frozen FROM invoices
         WHERE id = $1 AND status = 'issued'"
    )
    .bind(invoice.to_string())
    .fetch_optional(c)
    .await
    })?
    .ok_or(Error::NotFound)?;
    let frozen = crate::invoicing::issue::Frozen::read(frozen.as_deref())?;
    let doc = crate::invoicing::facturx::issued(tx, invoice).await?;
    let file = render.facturx(&doc)?;
    Ok(Outbound {
        number: number.ok_or_else(|| corrupt("issued without number", &invoice.to_string()))?,
        type_code: if kind == InvoiceKind::CreditNote.as_str() {
            381
        } else {
            380
        },
        issue_date: date.ok_or_else(|| corrupt("issued without date", &invoice.to_string()))?,
        seller_siren: frozen.seller.siren.clone().unwrap_or_default(),
        buyer_siren: frozen.buyer.siren.clone().unwrap_or_default(),
        net_cents: net,
        vat_cents: vat,
        gross_cents: gross,
        file_name: file.file_name,
        pdf: file.pdf,
        xml: file.xml,
    })
}

/// Deposits one document on `platform`, once (see the module). Returns the
/// platform's error after recording it on the deposit row.
pub async fn run(
    db: &Db,
    platform: &dyn Platform,
    invoice: InvoiceId,
    render: &dyn Render,
) -> Result<Outcome> {
    let channel = platform.channel().to_owned();
    let mut tx = db.begin().await?;
    // Taking the row: a concurrent run waits here, then sees it deposited.
    let taken: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "UPDATE einvoice_deposits SET attempts = attempts + 1
         WHERE invoice_id = $1 AND channel = $2 AND status <> $3 RETURNING id"
    )
    .bind(invoice.to_string())
    .bind(&channel)
    .bind(DepositStatus::Deposited.as_str())
    .fetch_optional(c)
    .await)?;
    if taken.is_none() {
        let exists: i64 = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM einvoice_deposits WHERE invoice_id = $1 AND channel = $2"
        )
        .bind(invoice.to_string())
        .bind(&channel)
        .fetch_one(c)
        .await
        })?;
        tx.rollback().await?;
        return if exists > 0 {
            Ok(Outcome::AlreadyDone)
        } else {
            Err(Error::NotFound)
        };
    }
    // The document's file may fail too (a corrupt record): recorded the same.
    let doc = match outbound(&mut tx, invoice, render).await {
        Ok(d) => d,
        Err(e) => {
            tx.rollback().await?;
            failed(db, invoice, &channel, &e.to_string()).await?;
            return Err(e);
        }
    };
    match platform.deposit(&doc) {
        Ok(d) => {
            on_tx!(&mut tx, |c| {
                sqlx::query(
                "UPDATE einvoice_deposits SET status = 'deposited', deposited_at = $3, platform_id = $4,
                   sha256 = $5, error = NULL
                 WHERE invoice_id = $1 AND channel = $2"
            )
            .bind(invoice.to_string())
            .bind(&channel)
            .bind(d.deposited_at)
            .bind(&d.platform_id)
            .bind(&d.sha256)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            lifecycle::record(
                &mut tx,
                &Actor::system("dépôt e-facture"),
                invoice,
                &NewStatus {
                    status: LifecycleStatus::Deposited,
                    occurred_at: d.deposited_at,
                    source: Source::System,
                    reason: None,
                    amount: None,
                    paid_on: None,
                    message_id: None,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(Outcome::Deposited)
        }
        Err(e) => {
            tx.rollback().await?;
            let message = e.to_string();
            failed(db, invoice, &channel, &message).await?;
            Err(Error::Config(format!("dépôt refusé : {message}")))
        }
    }
}

/// Records a failed attempt on the deposit row, in its own transaction.
async fn failed(db: &Db, invoice: InvoiceId, channel: &str, error: &str) -> Result<()> {
    let message: String = error.chars().take(2000).collect();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE einvoice_deposits SET status = 'failed', attempts = attempts + 1, error = $3
         WHERE invoice_id = $1 AND channel = $2 AND status <> $4"
    )
    .bind(invoice.to_string())
    .bind(channel)
    .bind(&message)
    .bind(DepositStatus::Deposited.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// What a poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Polled {
    pub applied: usize,
    pub rejected: usize,
}

/// Applies one status message in its own transaction; the reason it was
/// refused otherwise (nothing written).
async fn apply(db: &Db, m: &StatusMessage) -> Result<std::result::Result<(), String>> {
    let Some(status) = LifecycleStatus::from_code(m.status) else {
        return Ok(Err(format!("statut inconnu : {}", m.status)));
    };
    let paid_on = match m.paid_on.as_deref().map(domain::validation::date) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => return Ok(Err("date d'encaissement illisible".into())),
    };
    let mut tx = db.begin().await?;
    let Some(invoice) = lifecycle::find_by_number(&mut tx, &m.number).await? else {
        tx.rollback().await?;
        return Ok(Err(format!("facture inconnue : {}", m.number)));
    };
    let r = lifecycle::record(
        &mut tx,
        &Actor::system("plateforme"),
        invoice,
        &NewStatus {
            status,
            occurred_at: m.at,
            source: Source::Platform,
            reason: m.reason.clone(),
            amount: m.amount_cents.map(domain::money::Money::from_cents),
            paid_on,
            message_id: m.message_id.clone(),
        },
    )
    .await;
    match r {
        Ok(_) => {
            tx.commit().await?;
            Ok(Ok(()))
        }
        // Already applied (same message id): done, not rejected.
        Err(Error::Conflict { .. }) => {
            tx.rollback().await?;
            Ok(Ok(()))
        }
        Err(Error::Invalid(e)) => {
            tx.rollback().await?;
            let keys: Vec<&str> = e.0.iter().map(|f| f.key).collect();
            Ok(Err(format!(
                "refusé ({}) : statut {} sur {}",
                keys.join(", "),
                m.status,
                m.number
            )))
        }
        Err(e) => Err(e),
    }
}

/// Imports the platform's status messages: each is applied, or moved aside
/// with the reason (unknown document, illegal move); never a failure of
/// the whole poll for one bad message.
pub async fn poll(db: &Db, platform: &dyn Platform) -> Result<Polled> {
    let messages = platform
        .poll()
        .map_err(|e| Error::Config(format!("lecture des statuts : {e}")))?;
    let mut out = Polled::default();
    for m in messages {
        let outcome = apply(db, &m).await?;
        if outcome.is_ok() {
            out.applied += 1;
        } else {
            out.rejected += 1;
        }
        platform
            .acknowledge(&m, outcome)
            .map_err(|e| Error::Config(format!("acquittement du statut : {e}")))?;
    }
    Ok(out)
}

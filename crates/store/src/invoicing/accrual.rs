//! The accrual rows of the key-account lock (see `lock`): booking the
//! revenue earned as FAE at a period close, its reversal when the invoice
//! is issued or credited, and whether an invoice still waits for its
//! contract. Below issuing and crediting, which reverse it.

use domain::calendar::YearMonth;
use domain::contract::{ContractStatus, KeyAccountFacts, invoice_waits};
use domain::ids::{CompanyId, InvoiceId};
use domain::invoice::InvoiceStatus;
use domain::money::Money;
use domain::postings::{self, FaeAmounts, FaeInputs, FaeRelease, FaeStep};
use serde::Serialize;
use time::Date;

use super::frozen::head;
use super::shared::refuse;
use crate::{Actor, Result, Tx, corrupt, now, on_tx};

#[derive(sqlx::FromRow)]
struct LiveAccrual {
    id: String,
    entry_id: String,
    net_cents: i64,
    vat_cents: i64,
    gross_cents: i64,
}

impl LiveAccrual {
    fn amounts(&self) -> FaeAmounts {
        FaeAmounts {
            net: Money::from_cents(self.net_cents),
            vat: Money::from_cents(self.vat_cents),
            gross: Money::from_cents(self.gross_cents),
        }
    }
}

async fn live_accrual(tx: &mut Tx, invoice: InvoiceId) -> Result<Option<LiveAccrual>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, entry_id, net_cents, vat_cents, gross_cents FROM accruals
         WHERE invoice_id = $1 AND reversal_entry_id IS NULL"
    )
    .bind(invoice.to_string())
    .fetch_optional(c)
    .await)?)
}

/// What accruing did for one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Accrued {
    /// Booked now, for this amount (TTC).
    Booked(Money),
    /// Its live accrual already says the same.
    Unchanged,
}

/// Books (or brings up to date) the accrual of an invoice not issued (one
/// waiting for a signature, or a draft kept for review) at the end of
/// `period`. An accrual whose invoice changed since (a corrected report)
/// is reversed and booked again for the new amount.
pub async fn accrue(
    tx: &mut Tx,
    actor: &Actor,
    invoice: InvoiceId,
    period: YearMonth,
) -> Result<Accrued> {
    let h = head(tx, invoice).await?;
    if h.status == InvoiceStatus::Issued {
        return Err(refuse("status", "accrual-not-waiting"));
    }
    let amounts = FaeAmounts {
        net: Money::from_cents(h.net_cents),
        vat: Money::from_cents(h.vat_cents),
        gross: Money::from_cents(h.gross_cents),
    };
    let live = live_accrual(tx, invoice).await?;
    match (
        postings::fae_step(live.as_ref().map(LiveAccrual::amounts), amounts),
        &live,
    ) {
        (FaeStep::Keep, _) => return Ok(Accrued::Unchanged),
        (FaeStep::Rebook, Some(a)) => {
            reverse_accrual(tx, actor, a, None, period.last_day(), FaeRelease::Corrected).await?;
        }
        _ => {}
    }
    let client =
        CompanyId::parse(&h.client_id).ok_or_else(|| corrupt("company id", &h.client_id))?;
    let billed = YearMonth::parse(&h.period).ok_or_else(|| corrupt("period", &h.period))?;
    let revenue = super::lines::revenue(tx, invoice).await?;
    let entry = postings::fae_entry(&FaeInputs {
        billed,
        closing: period,
        client,
        gross: amounts.gross,
        vat: amounts.vat,
        revenue: &revenue,
    });
    let entry = crate::ledger::post(tx, actor, &entry, Some(&format!("accrual:{invoice}"))).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO accruals (id, invoice_id, period, net_cents, vat_cents, gross_cents, entry_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(invoice.to_string())
    .bind(period.to_string())
    .bind(h.net_cents)
    .bind(h.vat_cents)
    .bind(h.gross_cents)
    .bind(entry.id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(Accrued::Booked(Money::from_cents(h.gross_cents)))
}

/// Posts the reversal of the live accrual `a` on `date`, as
/// `domain::postings::fae_reversal` makes it of the accrual's entry, and
/// marks the accrual reversed (released by `invoice` when issued).
async fn reverse_accrual(
    tx: &mut Tx,
    actor: &Actor,
    a: &LiveAccrual,
    invoice: Option<InvoiceId>,
    date: Date,
    why: FaeRelease<'_>,
) -> Result<()> {
    let reversal = crate::ledger::reverse_with(tx, actor, crate::id(&a.entry_id)?, |accrual| {
        postings::fae_reversal(accrual, date, why)
    })
    .await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE accruals SET reversal_entry_id = $2, reversed_at = $3, released_by_invoice_id = $4
         WHERE id = $1 AND reversal_entry_id IS NULL"
    )
    .bind(&a.id)
    .bind(reversal.id.to_string())
    .bind(now())
    .bind(invoice.map(|i| i.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reverses the live accruals of invoices being issued (id, number), on
/// their issue date, each linked to its invoice: one statement finds which
/// of them were accrued, and only those are reversed.
pub(crate) async fn release_accruals(
    tx: &mut Tx,
    actor: &Actor,
    invoices: &[(InvoiceId, &str)],
    date: Date,
) -> Result<()> {
    let mut accrued = std::collections::HashSet::new();
    for chunk in invoices.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT invoice_id FROM accruals WHERE reversal_entry_id IS NULL AND invoice_id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for (id, _) in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        accrued.extend(rows);
    }
    for (id, number) in invoices {
        if accrued.contains(&id.to_string()) {
            release_accrual(tx, actor, *id, number, date).await?;
        }
    }
    Ok(())
}

/// Reverses the live accrual of an invoice being issued, on its issue date,
/// linked to it. Nothing to do for an invoice never accrued.
async fn release_accrual(
    tx: &mut Tx,
    actor: &Actor,
    invoice: InvoiceId,
    number: &str,
    date: Date,
) -> Result<()> {
    if let Some(a) = live_accrual(tx, invoice).await? {
        reverse_accrual(
            tx,
            actor,
            &a,
            Some(invoice),
            date,
            FaeRelease::Invoiced(number),
        )
        .await?;
    }
    Ok(())
}

/// Reverses the live accrual of a draft that disappears (its days were
/// taken off by a corrected report).
pub(crate) async fn drop_accrual(
    tx: &mut Tx,
    actor: &Actor,
    invoice: InvoiceId,
    date: Date,
) -> Result<()> {
    if let Some(a) = live_accrual(tx, invoice).await? {
        reverse_accrual(tx, actor, &a, None, date, FaeRelease::DaysRemoved).await?;
        // The accrual row keeps its history; the draft it points at goes.
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM accruals WHERE invoice_id = $1"
        )
        .bind(invoice.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Whether the invoice's lock still holds, as `domain::contract` decides it
/// from the facts of the missions it bills (whether invoicing is locked on
/// each, and its contract's status).
pub async fn still_locked(tx: &mut Tx, invoice: InvoiceId) -> Result<bool> {
    let facts: Vec<(bool, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT m.invoicing_locked, k.status FROM invoice_lines l JOIN missions m ON m.id = l.mission_id
           LEFT JOIN client_contracts k ON k.id = m.client_contract_id
         WHERE l.invoice_id = $1"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(invoice_waits(facts.into_iter().map(
        |(invoicing_locked, status)| KeyAccountFacts {
            invoicing_locked,
            contract: status.as_deref().and_then(ContractStatus::parse),
        },
    )))
}

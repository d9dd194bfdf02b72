//! Cancelling a payment recorded on the wrong invoice or client, the
//! accountant's way: nothing is edited or deleted. In one transaction, with
//! its audit line:
//! - the payment's bank entry is reversed on the day of the cancellation
//!   (contre-passation), and the payment's 411 lines are lettered with the
//!   reversal's, which cancel them;
//! - the letterings that paired the payment with its invoices are undone,
//!   so the invoices are open again, and each allocation is given back to
//!   its invoice (its paid amount goes down) on that day: the receipts'
//!   e-reporting subtracts it in the cancellation's month, the one it is
//!   declared in, never rewriting a month already reported;
//! - the bank line the payment came from returns to the matching queue.
//!
//! A payment whose credit was since used on another invoice is refused:
//! that use moved money of its own (an OD entry) which must not be left
//! pointing at a cancelled payment. So is a payment whose invoice was
//! since credited with VAT taken back from 44571 (ACCOUNTING.md E'): the
//! VAT would be taken back twice; the client is owed a refund instead.

use domain::ids::{LedgerEntryId, PaymentId};
use domain::lettering::LineKey;
use domain::payment::check_reversal;
use domain::postings;
use domain::validation::ValidationErrors;
use time::Date;

use crate::{Actor, Error, Result, Tx, audit, ledger, now, on_tx};

/// Cancels payment `id` on `on` for `reason`; returns the reversal entry.
pub async fn reverse(
    tx: &mut Tx,
    actor: &Actor,
    id: PaymentId,
    on: Date,
    reason: &str,
) -> Result<ledger::Posted> {
    let (payment, allocations) = super::get(tx, id).await?;
    let reason =
        check_reversal(payment.received_on, on, crate::today(), reason).map_err(Error::Invalid)?;
    // Taken first, so two cancellations at once cannot both go through.
    let taken = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE payments SET reversed_on = $2, reversed_at = $3, reversed_by = $4, reversal_reason = $5
         WHERE id = $1 AND reversed_on IS NULL"
    )
    .bind(id.to_string())
    .bind(on)
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(&reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if taken == 0 {
        return Err(Error::Invalid(ValidationErrors::single(
            "payment",
            "payment-already-reversed",
        )));
    }
    if let Some(used) = allocations
        .iter()
        .find(|a| a.entry_id != payment.ledger_entry_id)
    {
        let mut e = ValidationErrors::new();
        e.add_with(
            "payment",
            "payment-credit-used",
            domain::args![("number", used.number.clone())],
        );
        return Err(Error::Invalid(e));
    }
    // A credit note issued since took back, from 44571, VAT this payment
    // had made due: cancelling the payment would take it back a second
    // time (its reversal moves the same VAT from 44571 to 44574 again).
    // The client is owed a refund instead, which is a new movement.
    let credited: Option<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT n.number, i.number FROM payment_allocations a
         JOIN invoices i ON i.id = a.invoice_id
         JOIN invoices n ON n.credits_id = i.id AND n.kind = 'credit_note'
         JOIN ledger_lines l ON l.entry_id = n.ledger_entry_id AND l.account = '44571' AND l.debit_cents > 0
         WHERE a.payment_id = $1 AND a.vat_cents > 0
         ORDER BY n.number LIMIT 1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await
    })?;
    if let Some((note, invoice)) = credited {
        let mut e = ValidationErrors::new();
        e.add_with(
            "payment",
            "payment-reversal-credited",
            domain::args![("number", note), ("invoice", invoice)],
        );
        return Err(Error::Invalid(e));
    }
    let client = payment.client_id;
    // The letterings holding the payment's lines are undone first: their
    // invoices' lines are open again.
    let letterings: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT lettering_id FROM lettering_lines WHERE entry_id = $1 AND live = TRUE"
    )
    .bind(payment.ledger_entry_id.to_string())
    .fetch_all(c)
    .await)?;
    for l in &letterings {
        crate::lettering::unletter(
            tx,
            actor,
            crate::id(l)?,
            &format!("Règlement annulé : {reason}"),
        )
        .await?;
    }
    let reversal = ledger::reverse_with(tx, actor, payment.ledger_entry_id, |entry| {
        postings::payment_reversal(entry, on, &payment.client_name, &reason)
    })
    .await?;
    for a in &allocations {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE invoices SET paid_cents = paid_cents - $2 WHERE id = $1"
        )
        .bind(a.invoice_id.to_string())
        .bind(a.amount.cents())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE payment_allocations SET reversed_on = $2 WHERE payment_id = $1"
    )
    .bind(id.to_string())
    .bind(on)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE payments SET reversal_entry_id = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(reversal.id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE bank_lines SET status = 'unmatched', payment_id = NULL, handled_by = NULL, handled_at = NULL
         WHERE payment_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    // The payment's 411 lines and the reversal's mirror them: lettered
    // together, they leave the customer's open items as they were.
    let pairs: Vec<LineKey> = customer_lines(tx, payment.ledger_entry_id)
        .await?
        .into_iter()
        .chain(customer_lines(tx, reversal.id).await?)
        .collect();
    if !pairs.is_empty() {
        crate::lettering::letter_lines(tx, actor, client, &pairs, on).await?;
    }
    audit::record(
        tx,
        actor,
        "reverse",
        "payment",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "reversed_on": on,
            "reason": reason,
            "reversal_entry": reversal.number,
            "allocations": allocations.iter().map(|a| (a.number.clone(), a.amount.cents())).collect::<Vec<_>>(),
            "letterings_undone": letterings,
        })),
    )
    .await?;
    Ok(reversal)
}

/// The 411 lines of an entry.
async fn customer_lines(tx: &mut Tx, entry: LedgerEntryId) -> Result<Vec<LineKey>> {
    let positions: Vec<i32> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT CAST(position AS INTEGER) FROM ledger_lines WHERE entry_id = $1 AND account = '411'
         ORDER BY position"
    )
    .bind(entry.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(positions
        .into_iter()
        .map(|p| LineKey::new(&entry.to_string(), p))
        .collect())
}

//! Payment e-reporting: services invoiced under VAT on receipts (the
//! default for an ESN) owe their VAT when paid, so the firm reports the
//! cash received (status 212 Encaissée). For a month: each receipt (a
//! payment's allocation to an invoice, `store::payments`; a cancelled
//! payment's allocation counts negative in the month it was cancelled), split
//! per VAT rate in proportion to its invoice's VAT breakdown, to the cent
//! (`domain::einvoice::split_receipt`), and the totals per rate, net.
//!
//! A credit note on an invoice already (partly) paid takes back VAT the firm
//! had declared as received: its sales entry debits 44571 for it (the rest
//! comes from 44574, ACCOUNTING.md E and E'). That 44571 debit, read from
//! the ledger, counts negative in the credit note's month, split per rate in
//! proportion to the credit note's own breakdown
//! (`domain::einvoice::split_credit_note`). A credit note on an unpaid
//! invoice took everything from 44574 and gives no line.
//!
//! Invoices opted "on debits" (VAT due at invoicing), reverse-charged or
//! exempt, and their credit notes, are not reported this way and are left
//! out.

use domain::ids::InvoiceId;
use std::collections::BTreeMap;

use domain::calendar::YearMonth;
use domain::einvoice::{RateShare, split_credit_note, split_receipt};
use domain::money::Money;
use domain::terms::{VatRate, VatRegime};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::invoicing::issue::Frozen;
use crate::{Result, Tx, corrupt, on_tx};

/// What a line of the report is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A payment's allocation to an invoice, in the month received.
    Receipt,
    /// A receipt taken back, negative, in the month its payment was
    /// cancelled.
    CancelledReceipt,
    /// A credit note's VAT already declared as received (its 44571 debit),
    /// taken back, negative, in the credit note's month.
    CreditNote,
}

/// One receipt, cancelled receipt or credit note.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReceiptLine {
    pub kind: LineKind,
    /// The invoice, or the credit note (`kind` = `credit_note`).
    pub invoice_id: InvoiceId,
    pub number: String,
    pub client: String,
    /// The day received, cancelled, or of the credit note.
    pub paid_on: Date,
    /// TTC received (negative when taken back).
    pub received: Money,
    pub shares: Vec<RateShare>,
}

/// Totals of one rate over the month.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RateTotal {
    pub rate_bp: u32,
    pub received: Money,
    pub base: Money,
    pub vat: Money,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub month: String,
    pub lines: Vec<ReceiptLine>,
    pub totals: Vec<RateTotal>,
    pub received: Money,
    pub base: Money,
    pub vat: Money,
}

type Row = (
    String,
    OffsetDateTime,
    String,
    i64,
    Date,
    String,
    Option<String>,
    bool,
);

/// The VAT breakdown of a document: per rate, the base and its VAT rounded
/// once (EN 16931, as printed).
pub(crate) async fn breakdown(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<RateShare>> {
    let rows: Vec<(i32, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT CAST(vat_rate_bp AS INTEGER), CAST(SUM(net_cents) AS BIGINT) FROM invoice_lines
         WHERE invoice_id = $1 GROUP BY vat_rate_bp ORDER BY vat_rate_bp"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(bp, net)| {
            let rate = VatRate::from_basis_points(bp as u32)
                .map_err(|_| corrupt("vat rate", &bp.to_string()))?;
            let base = Money::from_cents(net);
            Ok(RateShare {
                rate_bp: bp as u32,
                base,
                vat: rate.vat_on(base),
            })
        })
        .collect()
}

/// The receipts of `month` on invoices under VAT on receipts, less the
/// cancelled ones and the VAT already received that credit notes took back.
pub async fn month(tx: &mut Tx, month: YearMonth) -> Result<Report> {
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT a.id, a.created_at, a.invoice_id, a.amount_cents, a.allocated_on, i.number, i.frozen, FALSE
         FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
         WHERE a.allocated_on >= $1 AND a.allocated_on <= $2 AND i.kind = 'invoice'
         UNION ALL
         SELECT a.id, a.created_at, a.invoice_id, a.amount_cents, a.reversed_on, i.number, i.frozen, TRUE
         FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
         WHERE a.reversed_on >= $1 AND a.reversed_on <= $2 AND i.kind = 'invoice'
         ORDER BY 5, 6, 2, 1, 8"
    )
    .bind(month.first_day())
    .bind(month.last_day())
    .fetch_all(c)
    .await
    })?;
    let mut lines = Vec::new();
    for (id, created, invoice, amount, paid_on, number, frozen, cancelled) in rows {
        let invoice: InvoiceId = crate::id(&invoice)?;
        let frozen = Frozen::read(frozen.as_deref())?;
        if frozen.regime() != VatRegime::OnReceipts {
            continue;
        }
        // What the invoice had received before this receipt.
        let before: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payment_allocations
             WHERE invoice_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))"
        )
        .bind(invoice.to_string())
        .bind(created)
        .bind(&id)
        .fetch_one(c)
        .await)?;
        let b = breakdown(tx, invoice).await?;
        let mut shares = split_receipt(&b, Money::from_cents(before), Money::from_cents(amount));
        let mut received = Money::from_cents(amount);
        let kind = if cancelled {
            LineKind::CancelledReceipt
        } else {
            LineKind::Receipt
        };
        if cancelled {
            // A cancelled payment: its receipt, as declared, taken back in
            // the month of the cancellation, share for share.
            for s in &mut shares {
                s.base = -s.base;
                s.vat = -s.vat;
            }
            received = -received;
        }
        lines.push(ReceiptLine {
            kind,
            shares,
            invoice_id: invoice,
            number,
            client: frozen.buyer.name,
            paid_on,
            received,
        });
    }
    lines.extend(credit_notes(tx, month).await?);
    // Day by day; on a day, receipts (in their order) before credit notes.
    lines.sort_by_key(|l| l.paid_on);
    let mut by_rate: BTreeMap<u32, (Money, Money)> = BTreeMap::new();
    for s in lines.iter().flat_map(|l| &l.shares) {
        let e = by_rate
            .entry(s.rate_bp)
            .or_insert((Money::ZERO, Money::ZERO));
        e.0 += s.base;
        e.1 += s.vat;
    }
    let totals: Vec<RateTotal> = by_rate
        .into_iter()
        .map(|(rate_bp, (base, vat))| RateTotal {
            rate_bp,
            received: base + vat,
            base,
            vat,
        })
        .collect();
    let sum = |f: fn(&RateTotal) -> Money| totals.iter().fold(Money::ZERO, |a, t| a + f(t));
    Ok(Report {
        month: month.to_string(),
        received: sum(|t| t.received),
        base: sum(|t| t.base),
        vat: sum(|t| t.vat),
        lines,
        totals,
    })
}

/// The credit notes of `month` that took back VAT already due (a 44571
/// debit in their sales entry) on invoices under VAT on receipts, as
/// negative lines.
async fn credit_notes(tx: &mut Tx, month: YearMonth) -> Result<Vec<ReceiptLine>> {
    let rows: Vec<(String, String, Date, Option<String>, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT n.id, n.number, e.entry_date, n.frozen, CAST(SUM(l.debit_cents) AS BIGINT)
         FROM invoices n JOIN ledger_entries e ON e.id = n.ledger_entry_id
           JOIN ledger_lines l ON l.entry_id = e.id AND l.account = '44571'
         WHERE n.kind = 'credit_note' AND n.status = 'issued' AND e.entry_date >= $1 AND e.entry_date <= $2
         GROUP BY n.id, n.number, e.entry_date, n.frozen
         ORDER BY e.entry_date, n.number"
    )
    .bind(month.first_day())
    .bind(month.last_day())
    .fetch_all(c)
    .await
    })?;
    let mut lines = Vec::new();
    for (id, number, on, frozen, taken_back) in rows {
        let id: InvoiceId = crate::id(&id)?;
        let frozen = Frozen::read(frozen.as_deref())?;
        // On debits, the credit note takes all its VAT from 44571: VAT
        // declared at invoicing, not on receipt.
        if frozen.regime() != VatRegime::OnReceipts {
            continue;
        }
        let shares = split_credit_note(&breakdown(tx, id).await?, Money::from_cents(taken_back));
        if shares.is_empty() {
            continue;
        }
        lines.push(ReceiptLine {
            kind: LineKind::CreditNote,
            received: shares.iter().map(|s| s.base + s.vat).sum(),
            shares,
            invoice_id: id,
            number,
            client: frozen.buyer.name,
            paid_on: on,
        });
    }
    Ok(lines)
}

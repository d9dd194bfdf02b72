//! An invoice's lines, totals, revenue by account and credit notes, as
//! stored: read by drafting, crediting, issuing, the accrual and printing.

use std::collections::HashMap;

use domain::ids::InvoiceId;
use domain::invoice::{self, InvoiceLine};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::postings::Revenue;
use domain::terms::VatRate;

use crate::{Result, Tx, corrupt, on_tx};

/// The invoice's lines as the domain computes with them.
pub(crate) async fn lines_of(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<InvoiceLine>> {
    type Row = (String, i32, i64, i32);
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT description, CAST(half_days AS INTEGER), unit_price_cents, CAST(vat_rate_bp AS INTEGER)
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY position"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(description, halves, price, rate)| {
            Ok(InvoiceLine {
                description,
                quantity: DayQuantity::from_half_days(halves.max(0) as u32),
                unit_price: Money::from_cents(price),
                vat_rate: VatRate::from_basis_points(rate.max(0) as u32)
                    .map_err(|_| corrupt("vat rate", &rate.to_string()))?,
            })
        })
        .collect()
}

/// Recomputes and stores a draft's totals from its lines (EN 16931: VAT
/// once per rate on the summed base).
pub(crate) async fn refresh_totals(tx: &mut Tx, invoice: InvoiceId) -> Result<invoice::Totals> {
    let lines = lines_of(tx, invoice).await?;
    let totals = invoice::totals(&lines);
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET net_cents = $2, vat_cents = $3, gross_cents = $4 WHERE id = $1"
    )
    .bind(invoice.to_string())
    .bind(totals.net.cents())
    .bind(totals.vat.cents())
    .bind(totals.gross.cents())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(totals)
}

/// The credit notes of an invoice.
pub async fn credit_notes_of(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<InvoiceId>> {
    let ids: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM invoices WHERE credits_id = $1 AND kind = 'credit_note' ORDER BY number"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await)?;
    ids.iter().map(|id| crate::id(id)).collect()
}

/// The revenue of a document's lines per analytic code (every revenue
/// line carries its mission's code), in the codes' order: what the sales
/// entry and the accrual both book on 706.
pub(crate) async fn revenue(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<Revenue>> {
    Ok(revenue_many(tx, &[invoice])
        .await?
        .remove(&invoice)
        .unwrap_or_default())
}

/// [`revenue`] of several documents, in one statement per few hundred.
pub(crate) async fn revenue_many(
    tx: &mut Tx,
    invoices: &[InvoiceId],
) -> Result<HashMap<InvoiceId, Vec<Revenue>>> {
    let mut out: HashMap<InvoiceId, Vec<Revenue>> = HashMap::new();
    for chunk in invoices.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT invoice_id, analytic_code, CAST(SUM(net_cents) AS BIGINT) FROM invoice_lines
             WHERE invoice_id IN ({}) GROUP BY invoice_id, analytic_code ORDER BY invoice_id, analytic_code",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<(String, Option<String>, i64)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        for (invoice, analytic, cents) in rows {
            out.entry(crate::id(&invoice)?).or_default().push(Revenue {
                analytic,
                net: Money::from_cents(cents),
            });
        }
    }
    Ok(out)
}

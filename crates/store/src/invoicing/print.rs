//! What the PDF of an invoice or a credit note prints from (laid out above
//! this crate, by `app::invoicing::print`).
//!
//! An issued document prints from what was frozen when it was issued (the
//! seller, the buyer, the terms, the VAT regime) and from its stored lines,
//! never from the live company or mission records: it prints the same
//! forever. A draft, or an invoice waiting for a contract's signature, has
//! no number yet: it prints as a preview marked as such, from the
//! parties and terms as they are now with what finance edited on it,
//! without issue or due date, so that someone can check it before issuing.

use domain::ids::InvoiceId;
use domain::invoice::{self, InvoiceKind, InvoiceLine, InvoiceStatus, Totals};
use domain::mission::DayQuantity;
use domain::terms::VatRate;
use time::OffsetDateTime;

use super::frozen::Frozen;
use super::read::{self, Detail, LineView};
use crate::{Result, Tx, corrupt, on_tx};

/// A document ready to lay out: its parties and terms (`frozen`), lines
/// and totals, when it was issued (`None` for a preview), and the name to
/// download it under.
#[derive(Debug, Clone)]
pub struct Printable {
    pub detail: Detail,
    pub frozen: Frozen,
    pub totals: Totals,
    pub issued_at: Option<OffsetDateTime>,
    pub file_name: String,
}

/// The printable invoice or credit note `id`: issued, from its frozen
/// parties; otherwise a preview of what the draft would state (its terms
/// frozen at drafting; the live ones for drafts made before drafting froze
/// them).
pub async fn printable(tx: &mut Tx, id: InvoiceId) -> Result<Printable> {
    let d = read::get(tx, id).await?;
    if d.summary.status == InvoiceStatus::Issued {
        let doc = issued(tx, d).await?;
        return Ok(Printable {
            file_name: file_name(&doc.detail),
            detail: doc.detail,
            frozen: doc.frozen,
            totals: doc.totals,
            issued_at: Some(doc.issued_at),
        });
    }
    let frozen = match d.frozen.clone() {
        Some(f) => f,
        None => live_parties(tx, id).await?,
    }
    .edited(d.edit.as_ref());
    let totals = document_totals(tx, &d).await?;
    Ok(Printable {
        file_name: file_name(&d),
        detail: d,
        frozen,
        totals,
        issued_at: None,
    })
}

fn file_name(d: &Detail) -> String {
    match (&d.summary.number, d.summary.kind) {
        (Some(n), InvoiceKind::Invoice) => format!("facture-{n}.pdf"),
        (Some(n), InvoiceKind::CreditNote) => format!("avoir-{n}.pdf"),
        (None, _) => "facture-brouillon.pdf".to_owned(),
    }
}

/// An issued document with what it prints from: its frozen parties, its
/// totals and when it was issued. The PDF and the Factur-X XML are both
/// made from it.
#[derive(Debug, Clone)]
pub struct IssuedDocument {
    pub detail: Detail,
    pub frozen: Frozen,
    pub totals: Totals,
    pub issued_at: OffsetDateTime,
}

/// Reads what an issued document `d` prints from; refused
/// (`invoice-not-issued`) when it is a draft or waits for a signature.
pub async fn issued(tx: &mut Tx, d: Detail) -> Result<IssuedDocument> {
    let id = d.summary.id;
    if d.summary.status != InvoiceStatus::Issued {
        return Err(super::shared::refuse("status", "invoice-not-issued"));
    }
    let frozen = d
        .frozen
        .clone()
        .ok_or_else(|| corrupt("issued invoice without its frozen parties", &id.to_string()))?;
    let issued_at: Option<OffsetDateTime> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT issued_at FROM invoices WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?;
    let totals = document_totals(tx, &d).await?;
    Ok(IssuedDocument {
        issued_at: issued_at.unwrap_or(d.summary.created_at),
        detail: d,
        frozen,
        totals,
    })
}

/// The lines as the domain computes with them.
pub(super) fn domain_lines(lines: &[LineView]) -> Result<Vec<InvoiceLine>> {
    lines
        .iter()
        .map(|l| {
            Ok(InvoiceLine {
                description: l.description.clone(),
                quantity: DayQuantity::from_half_days(l.half_days.max(0) as u32),
                unit_price: l.unit_price,
                vat_rate: rate(l.vat_rate_bp)?,
            })
        })
        .collect()
}

fn rate(bp: i32) -> Result<VatRate> {
    VatRate::from_basis_points(bp.max(0) as u32).map_err(|_| corrupt("vat rate", &bp.to_string()))
}

fn same(t: &Totals, d: &Detail) -> bool {
    (t.net, t.vat, t.gross) == (d.summary.net, d.summary.vat, d.summary.gross)
}

/// The totals a document shows, with its VAT breakdown: a draft's are its
/// lines' totals; an issued one's are the amounts it was posted with. They
/// are its lines' totals too, except for the credit note that gave back an
/// invoice's last days: it took exactly what was left of the invoice (see
/// `credit::issue_credit`), which is computed again the same way here.
pub async fn document_totals(tx: &mut Tx, d: &Detail) -> Result<Totals> {
    let own = invoice::totals(&domain_lines(&d.lines)?);
    if d.summary.status != InvoiceStatus::Issued || same(&own, d) {
        return Ok(own);
    }
    if let (InvoiceKind::CreditNote, Some(original)) = (d.summary.kind, d.summary.credits_id) {
        let mut left = invoice::totals(&super::lines::lines_of(tx, original).await?);
        for other in super::lines::credit_notes_of(tx, original).await? {
            if other == d.summary.id {
                break;
            }
            left = left.minus(&invoice::totals(&super::lines::lines_of(tx, other).await?));
        }
        if same(&left, d) {
            return Ok(left);
        }
    }
    // Never expected: print the amounts posted, with the lines' breakdown.
    tracing::warn!(invoice = %d.summary.id, "printed totals differ from the lines' totals");
    Ok(Totals {
        net: d.summary.net,
        vat: d.summary.vat,
        gross: d.summary.gross,
        ..own
    })
}

/// The parties and terms a draft would be issued with, as they are now.
async fn live_parties(tx: &mut Tx, id: InvoiceId) -> Result<Frozen> {
    let h = super::frozen::head(tx, id).await?;
    Ok(super::frozen::live(tx, &h).await?.frozen)
}

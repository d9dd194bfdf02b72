//! The sales entry (journal VE) of an issued invoice or credit note
//! (ACCOUNTING.md §2 A, A', E, E', F).
//!
//! An invoice debits the customer (411, TTC) and credits the revenue (706,
//! HT, one line per analytic code) and its VAT: VAT on receipts waits in
//! 44574 until the client pays; opted "on debits", it is due at once
//! (44571). A credit note is the mirror, except for the VAT under VAT on
//! receipts: what still waits in 44574 is taken back from there, and what
//! the invoice's payments already made due from 44571.

use time::Date;

use super::{CUSTOMERS, Revenue, VAT_DUE, VAT_PENDING, revenue_lines, side};
use crate::ids::CompanyId;
use crate::ledger::{Journal, NewEntry};
use crate::money::Money;
use crate::terms::VatRegime;

/// Which document the entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesDocument {
    Invoice,
    /// A credit note of an invoice whose VAT still waiting in 44574 is
    /// `vat_waiting`: the invoice's VAT, less what its payments made due,
    /// less what its earlier credit notes took back from 44574.
    CreditNote {
        vat_waiting: Money,
    },
}

/// What the sales entry of a document is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesInputs<'a> {
    pub document: SalesDocument,
    pub number: &'a str,
    pub date: Date,
    pub client: CompanyId,
    /// As the document names him (the 411 line's label).
    pub client_name: &'a str,
    pub regime: VatRegime,
    /// The document's revenue per analytic code: 706 lines, in this order.
    pub revenue: &'a [Revenue],
    pub vat: Money,
    pub gross: Money,
}

/// The sales entry of `s`: 411 / 706 per analytic code / VAT for an
/// invoice, the other way round for a credit note.
pub fn sales_entry(s: &SalesInputs<'_>) -> NewEntry {
    let invoice = s.document == SalesDocument::Invoice;
    let mut lines = vec![side(CUSTOMERS, s.gross, s.client_name, invoice).for_customer(s.client)];
    lines.extend(
        revenue_lines(s.revenue, &format!("Prestations {}", s.number))
            .into_iter()
            .map(|l| if invoice { l } else { l.mirrored() }),
    );
    if s.vat != Money::ZERO {
        match s.document {
            _ if s.regime == VatRegime::OnDebits => {
                lines.push(side(VAT_DUE, s.vat, "TVA collectée", !invoice));
            }
            SalesDocument::Invoice => {
                lines.push(side(VAT_PENDING, s.vat, "TVA collectée", false));
            }
            SalesDocument::CreditNote { vat_waiting } => {
                let (pending, due) = credit_vat_split(s.vat, vat_waiting);
                if pending > Money::ZERO {
                    lines.push(side(VAT_PENDING, pending, "TVA collectée", true));
                }
                if due > Money::ZERO {
                    lines.push(side(VAT_DUE, due, "TVA collectée déjà exigible", true));
                }
            }
        }
    }
    let what = if invoice { "Facture" } else { "Avoir" };
    NewEntry {
        journal: Journal::Ve,
        date: s.date,
        label: format!("{what} {} — {}", s.number, s.client_name),
        piece_ref: Some(s.number.to_owned()),
        lines,
    }
}

/// How a credit note of VAT `vat` (VAT on receipts) takes it back:
/// `(from 44574, from 44571)`. What still waits in 44574 (`vat_waiting`)
/// comes first; the rest was made due by the invoice's payments
/// (ACCOUNTING.md E and E'). Never more than `vat` in all, never more from
/// 44574 than waits there.
pub fn credit_vat_split(vat: Money, vat_waiting: Money) -> (Money, Money) {
    let pending = vat.min(vat_waiting.max(Money::ZERO));
    (pending, vat - pending)
}

//! The customer statement (relevé de compte): what a client still owes on
//! a date, invoice by invoice, with the totals by age, the payments
//! received lately and where to pay.
//!
//! Like [`invoice`](crate::invoice), [`StatementPdf`] is plain data whose
//! figures arrive formatted (`14 400,00 €`, `28/11/2026`): the store
//! computes them with `domain::receivables` and this module lays them out.

use time::OffsetDateTime;

use crate::invoice::{Seller, seller_lines};
use crate::{Align, Document};

/// A customer statement, ready to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementPdf {
    /// The firm sending the statement (its IBAN and BIC are printed in the
    /// payment block).
    pub seller: Seller,
    pub client_name: String,
    /// Lines separated by `\n`.
    pub client_address: String,
    /// The date the statement is drawn up at (`10/12/2026`).
    pub as_of: String,
    pub items: Vec<StatementItem>,
    /// Open amounts by age: (`Non échu`, `14 400,00 €`), … in order.
    pub buckets: Vec<(String, String)>,
    /// Sum of the open items.
    pub total_open: String,
    /// Money received and not yet allocated, when there is some.
    pub credit: Option<String>,
    /// What remains to pay: open items less the credit.
    pub balance: String,
    /// Payments received in the last days (see [`StatementPdf::payments_since`]).
    pub payments: Vec<StatementPayment>,
    /// `11/09/2026`: the start of the payments' window.
    pub payments_since: String,
    /// Written to the information dictionary: the same value gives the
    /// same bytes.
    pub created_at: OffsetDateTime,
}

/// One open invoice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementItem {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    /// The invoice's total (TTC).
    pub amount: String,
    /// Paid and credited so far.
    pub paid: String,
    pub outstanding: String,
    /// Days past the due date, empty when not late.
    pub days_late: String,
}

/// One payment received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementPayment {
    pub date: String,
    /// `Virement`, `Chèque`…
    pub method: String,
    pub reference: String,
    pub amount: String,
}

const ITEM_HEADERS: [&str; 7] = [
    "Facture",
    "Date",
    "Échéance",
    "Montant TTC",
    "Réglé",
    "Reste dû",
    "Jours de retard",
];
const ITEM_WIDTHS: [f32; 7] = [2.2, 1.3, 1.3, 1.6, 1.6, 1.6, 1.1];
const ITEM_ALIGNS: [Align; 7] = [
    Align::Left,
    Align::Left,
    Align::Left,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
];

/// The statement as a [`Document`]: the firm and the client side by side,
/// "Relevé de compte au …", the open invoices (header repeated on every
/// page), the totals by age, the credit and the balance, the payments
/// received, and the payment details (IBAN, BIC).
pub fn statement(st: &StatementPdf) -> Document {
    let title = format!("Relevé de compte au {}", st.as_of);
    let mut doc = Document::new(&format!("{title} — {}", st.client_name));
    doc.created_at(st.created_at);
    doc.footer(&format!(
        "{title} — {} — {}",
        st.client_name, st.seller.name
    ));
    let seller = seller_lines(&st.seller);
    doc.columns(&[
        (&st.seller.name, &seller.join("\n")),
        (&format!("Client : {}", st.client_name), &st.client_address),
    ]);
    doc.spacer(8.0).heading(&title);
    if st.items.is_empty() {
        doc.paragraph("Aucune facture ouverte à cette date.");
    } else {
        let rows: Vec<Vec<String>> = st
            .items
            .iter()
            .map(|i| {
                vec![
                    i.number.clone(),
                    i.issue_date.clone(),
                    i.due_date.clone(),
                    i.amount.clone(),
                    i.paid.clone(),
                    i.outstanding.clone(),
                    i.days_late.clone(),
                ]
            })
            .collect();
        doc.table_aligned(&ITEM_HEADERS, &rows, &ITEM_WIDTHS, &ITEM_ALIGNS);
    }
    let headers: Vec<&str> = st.buckets.iter().map(|(label, _)| label.as_str()).collect();
    let amounts: Vec<String> = st.buckets.iter().map(|(_, a)| a.clone()).collect();
    let right = vec![Align::Right; headers.len()];
    doc.subheading("Ancienneté des sommes dues").table_aligned(
        &headers,
        &[amounts],
        &vec![1.0; headers.len()],
        &right,
    );
    let mut totals: Vec<(&str, &str)> = vec![("Total des factures ouvertes", &st.total_open)];
    if let Some(credit) = &st.credit {
        totals.push(("Avoir en votre faveur (règlements non affectés)", credit));
    }
    totals.push(("Solde à régler", &st.balance));
    doc.key_values(&totals);
    doc.subheading(&format!("Règlements reçus depuis le {}", st.payments_since));
    if st.payments.is_empty() {
        doc.paragraph("Aucun règlement reçu sur cette période.");
    } else {
        let rows: Vec<Vec<String>> = st
            .payments
            .iter()
            .map(|p| {
                vec![
                    p.date.clone(),
                    p.method.clone(),
                    p.reference.clone(),
                    p.amount.clone(),
                ]
            })
            .collect();
        doc.table_aligned(
            &["Date", "Mode", "Référence", "Montant"],
            &rows,
            &[1.0, 1.2, 2.4, 1.3],
            &[Align::Left, Align::Left, Align::Left, Align::Right],
        );
    }
    let s = &st.seller;
    let mut pay: Vec<(&str, &str)> =
        vec![("Mode de paiement", "Virement bancaire"), ("IBAN", &s.iban)];
    if let Some(bic) = &s.bic {
        pay.push(("BIC", bic));
    }
    doc.subheading("Règlement").key_values(&pay).note(
        "Merci de rappeler les numéros des factures réglées en référence du virement. \
               Si votre règlement nous est parvenu entre-temps, ne tenez pas compte de ce relevé.",
    );
    doc
}

//! The Factur-X of an issued invoice or credit note: the CII XML of the
//! EN 16931 profile (`domain::facturx`) inside the PDF
//! (`pdf::facturx_invoice`). Both are made from what was frozen at issue,
//! the stored lines and the document's totals — what
//! `store::invoicing::facturx` reads — so the XML says what the PDF
//! prints, forever.
//!
//! Issuing refuses a document whose Factur-X could not be made
//! (`store::invoicing::facturx::check`), so an issued document always has
//! its Factur-X; only documents issued before that check can be refused
//! here.

use domain::facturx::{self, Note, NoteSubject};
use domain::ids::InvoiceId;
use domain::terms::VatRegime;
use store::Result;
use store::Tx;
use store::invoicing::facturx::{Wording, cii_invoice, issued, refusal};
use store::invoicing::print::IssuedDocument;

use super::print;

/// The Factur-X profile written, as the PDF's XMP declares it.
pub const CONFORMANCE_LEVEL: &str = "EN 16931";
/// `fx:DocumentType`.
pub const DOCUMENT_TYPE: &str = "INVOICE";

pub use store::render::FacturXFile;

/// The Factur-X of the issued invoice or credit note `id`. A draft, or an
/// invoice waiting for a signature, is refused (`invoice-not-issued`).
pub async fn document(tx: &mut Tx, id: InvoiceId) -> Result<FacturXFile> {
    of_issued(&issued(tx, id).await?)
}

/// The Factur-X of `doc`.
pub fn of_issued(doc: &IssuedDocument) -> Result<FacturXFile> {
    let printed = print::issued_pdf(doc)?;
    let xml = build_xml(doc, &printed)?;
    let pdf = pdf::facturx_invoice(
        &printed,
        &pdf::FacturX {
            xml: &xml,
            conformance_level: CONFORMANCE_LEVEL,
            document_type: DOCUMENT_TYPE,
        },
    );
    Ok(FacturXFile {
        file_name: format!("{}.pdf", printed.number),
        pdf,
        xml,
    })
}

/// The CII XML alone of the issued invoice or credit note `id`.
pub async fn xml(tx: &mut Tx, id: InvoiceId) -> Result<Vec<u8>> {
    Ok(xml_file(tx, id).await?.1)
}

/// The CII XML of `id` with the name to download it under
/// (`FA-2026-000001.xml`).
pub async fn xml_file(tx: &mut Tx, id: InvoiceId) -> Result<(String, Vec<u8>)> {
    let doc = issued(tx, id).await?;
    let printed = print::issued_pdf(&doc)?;
    let xml = build_xml(&doc, &printed)?;
    Ok((format!("{}.xml", printed.number), xml))
}

/// The XML of `doc`, whose PDF is `printed` (its notes and terms are
/// worded as the PDF prints them).
pub fn build_xml(doc: &IssuedDocument, printed: &pdf::InvoicePdf) -> Result<Vec<u8>> {
    let inv = cii_invoice(doc, wording(doc, printed))?;
    facturx::to_xml(&inv)
        .map(String::into_bytes)
        .map_err(|e| refusal(doc.detail.summary.id, e))
}

/// The notes, terms and mentions of `doc` as its PDF `printed` words them.
fn wording(doc: &IssuedDocument, printed: &pdf::InvoicePdf) -> Wording {
    let mut notes = vec![
        Note {
            subject: Some(NoteSubject::Pmd),
            text: printed.legal.late_penalties.clone(),
        },
        Note {
            subject: Some(NoteSubject::Pmt),
            text: pdf::invoice::INDEMNITY_MENTION.to_owned(),
        },
        Note {
            subject: Some(NoteSubject::Aab),
            text: printed.legal.discount.clone(),
        },
        Note {
            subject: Some(NoteSubject::Txd),
            text: printed.vat_regime.mentions().join(" — "),
        },
    ];
    notes.extend(printed.legal.extra.iter().map(|t| Note {
        subject: None,
        text: t.clone(),
    }));
    Wording {
        notes,
        seller_legal_info: legal_info(&printed.seller),
        payment_terms: printed.payment_terms.clone(),
        exemption_reason: exemption(doc.frozen.regime()),
    }
}

fn exemption(regime: VatRegime) -> Option<String> {
    (regime == VatRegime::Exempt).then(|| pdf::invoice::FRANCHISE_MENTION.to_owned())
}

/// BT-33: legal form, capital and registry, as the PDF prints them.
fn legal_info(s: &pdf::invoice::Seller) -> Option<String> {
    let known = |v: &str| !v.trim().is_empty() && v != "—";
    let mut parts = Vec::new();
    match (known(&s.legal_form), known(&s.share_capital)) {
        (true, true) => parts.push(format!(
            "{} au capital de {}",
            s.legal_form, s.share_capital
        )),
        (true, false) => parts.push(s.legal_form.clone()),
        (false, true) => parts.push(format!("Capital de {}", s.share_capital)),
        (false, false) => {}
    }
    if known(&s.rcs_city) {
        parts.push(format!("RCS {}", s.rcs_city));
    }
    (!parts.is_empty()).then(|| parts.join(" — "))
}

#[cfg(test)]
mod tests {
    /// Issuing checks the XML with the domain's copy of the mention; the
    /// PDF and the XML print the pdf crate's.
    #[test]
    fn the_franchise_mention_is_the_same_text_everywhere() {
        assert_eq!(
            pdf::invoice::FRANCHISE_MENTION,
            domain::terms::FRANCHISE_MENTION
        );
    }
}

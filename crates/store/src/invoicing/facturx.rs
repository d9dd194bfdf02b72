//! The Factur-X of an issued invoice or credit note: the CII XML of the
//! EN 16931 profile (`domain::facturx`) inside the PDF
//! (`pdf::facturx_invoice`). Both are made from what was frozen at issue,
//! the stored lines and the document's totals — what [`print`] reads — so
//! the XML says what the PDF prints, forever.
//!
//! Issuing refuses a document whose frozen data would leave a gap in the
//! XML ([`missing`]), so an issued document always has its Factur-X;
//! only documents issued before that check can be refused here.

use domain::facturx::{
    self, Address, CiiError, CiiInvoice, Gap, Note, NoteSubject, Party, TypeCode,
};
use domain::ids::InvoiceId;
use domain::invoice::{InvoiceKind, Totals};
use domain::mission::DayQuantity;
use domain::terms::{VatRate, VatRegime};
use domain::validation::ValidationErrors;
use time::Date;

use super::frozen::{Buyer, Frozen};
use super::print::{self, IssuedDocument};
use super::read::{self, LineView};
use crate::firm::Firm;
use crate::{Error, Result, Tx, corrupt};

/// The Factur-X profile written, as the PDF's XMP declares it.
pub const CONFORMANCE_LEVEL: &str = "EN 16931";
/// `fx:DocumentType`.
pub const DOCUMENT_TYPE: &str = "INVOICE";

/// A Factur-X document: the PDF with its XML attached, and the XML alone.
#[derive(Debug, Clone)]
pub struct FacturXFile {
    /// `FA-2026-000001.pdf`, `AV-2026-000001.pdf`.
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub xml: Vec<u8>,
}

/// The Factur-X of the issued invoice or credit note `id`. A draft, or an
/// invoice waiting for a signature, is refused (`invoice-not-issued`).
pub async fn document(tx: &mut Tx, id: InvoiceId) -> Result<FacturXFile> {
    let doc = issued(tx, id).await?;
    let printed = doc.build()?;
    let xml = build_xml(&doc, &printed)?;
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
    let printed = doc.build()?;
    let xml = build_xml(&doc, &printed)?;
    Ok((format!("{}.xml", printed.number), xml))
}

async fn issued(tx: &mut Tx, id: InvoiceId) -> Result<IssuedDocument> {
    let d = read::get(tx, id).await?;
    print::issued(tx, d).await
}

/// The XML of `doc`, whose PDF is `printed` (its notes and terms are
/// worded as the PDF prints them).
pub fn build_xml(doc: &IssuedDocument, printed: &pdf::InvoicePdf) -> Result<Vec<u8>> {
    let inv = cii_invoice(doc, printed)?;
    facturx::to_xml(&inv)
        .map(String::into_bytes)
        .map_err(|e| refusal(doc.detail.summary.id, e))
}

fn refusal(id: InvoiceId, e: CiiError) -> Error {
    match e {
        CiiError::Missing(gaps) => Error::Invalid(missing_error(&gaps)),
        // The lines and totals were computed by the domain when drafted:
        // arithmetic that does not hold is a corrupt document.
        other => corrupt("factur-x", &format!("{id}: {other}")),
    }
}

/// The refusal listing what is missing, as issuing words it.
pub(crate) fn missing_error(gaps: &[Gap]) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.add_with(
        "client",
        "invoice-client-incomplete",
        vec![("missing", labels(gaps).join(", "))],
    );
    e
}

fn labels(gaps: &[Gap]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for g in gaps {
        if !out.contains(&g.label_fr()) {
            out.push(g.label_fr());
        }
    }
    out
}

/// What the XML of a document issued with `frozen` would lack (the
/// number, dates and lines aside, which issuing provides).
pub(crate) fn missing(frozen: &Frozen, kind: InvoiceKind) -> Vec<Gap> {
    let inv = CiiInvoice {
        number: "FA".into(),
        type_code: type_code(kind),
        issue_date: Date::MIN,
        notes: Vec::new(),
        buyer_reference: None,
        purchase_order: None,
        contract_reference: None,
        preceding_invoice: Some(("FA".into(), Some(Date::MIN))),
        seller: seller(&frozen.seller, None),
        buyer: buyer(&frozen.buyer),
        period: None,
        iban: frozen.seller.iban.clone(),
        bic: None,
        payment_terms: None,
        due_date: None,
        vat_regime: frozen.regime(),
        exemption_reason: exemption(frozen.regime()),
        lines: Vec::new(),
        totals: Totals::zero(),
    };
    facturx::missing_en16931(&inv)
        .into_iter()
        .filter(|g| *g != Gap::Lines)
        .collect()
}

fn type_code(kind: InvoiceKind) -> TypeCode {
    match kind {
        InvoiceKind::Invoice => TypeCode::Invoice,
        InvoiceKind::CreditNote => TypeCode::CreditNote,
    }
}

fn exemption(regime: VatRegime) -> Option<String> {
    (regime == VatRegime::Exempt).then(|| pdf::invoice::FRANCHISE_MENTION.to_owned())
}

fn seller(f: &Firm, legal_info: Option<String>) -> Party {
    Party {
        name: f.name.clone(),
        siren: f.siren.clone(),
        vat_number: f.vat_number.clone(),
        address: Address {
            line1: f.address_line1.clone(),
            line2: None,
            postcode: f.postcode.clone(),
            city: f.city.clone(),
            country: f.country.clone(),
        },
        legal_info,
    }
}

fn buyer(b: &Buyer) -> Party {
    Party {
        name: b.name.clone(),
        siren: b.siren.clone(),
        vat_number: b.vat_number.clone(),
        address: Address {
            line1: b.address_line1.clone(),
            line2: b.address_line2.clone(),
            postcode: b.postcode.clone(),
            city: b.city.clone(),
            country: b.country.clone(),
        },
        legal_info: None,
    }
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

fn line(l: &LineView) -> Result<facturx::Line> {
    let rate = VatRate::from_basis_points(l.vat_rate_bp.max(0) as u32)
        .map_err(|_| corrupt("vat rate", &l.vat_rate_bp.to_string()))?;
    Ok(facturx::Line {
        id: l.position.to_string(),
        name: l.description.clone(),
        quantity: DayQuantity::from_half_days(l.half_days.max(0) as u32),
        unit_price: l.unit_price,
        net: l.net,
        vat_rate: rate,
        period: l.service_from.zip(l.service_to),
    })
}

/// The document as the XML says it.
fn cii_invoice(doc: &IssuedDocument, printed: &pdf::InvoicePdf) -> Result<CiiInvoice> {
    let d = &doc.detail;
    let s = &d.summary;
    let f = &doc.frozen;
    let id = &s.id;
    let number = s
        .number
        .clone()
        .ok_or_else(|| corrupt("issued invoice without a number", &id.to_string()))?;
    let issue_date = s
        .issue_date
        .ok_or_else(|| corrupt("issued invoice without a date", &id.to_string()))?;
    let preceding_invoice = match s.kind {
        InvoiceKind::Invoice => None,
        InvoiceKind::CreditNote => d
            .credited
            .as_ref()
            .map(|o| (o.number.clone().unwrap_or_default(), o.issue_date)),
    };
    let regime = f.regime();
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
    let from = d.lines.iter().filter_map(|l| l.service_from).min();
    let to = d.lines.iter().filter_map(|l| l.service_to).max();
    let month = domain::calendar::YearMonth::parse(&s.period);
    let period = from
        .or(month.map(|m| m.first_day()))
        .zip(to.or(month.map(|m| m.last_day())));
    Ok(CiiInvoice {
        number,
        type_code: type_code(s.kind),
        issue_date,
        notes,
        buyer_reference: None,
        purchase_order: f.po_number.clone(),
        contract_reference: f.contract_reference.clone(),
        preceding_invoice,
        seller: seller(&f.seller, legal_info(&printed.seller)),
        buyer: buyer(&f.buyer),
        period,
        // A credit note is refunded or set off: no payment instructions.
        iban: match s.kind {
            InvoiceKind::Invoice => f.seller.iban.clone(),
            InvoiceKind::CreditNote => None,
        },
        bic: f.seller.bic.clone(),
        payment_terms: Some(printed.payment_terms.clone()),
        due_date: s.due_date,
        vat_regime: regime,
        exemption_reason: exemption(regime),
        lines: d.lines.iter().map(line).collect::<Result<Vec<_>>>()?,
        totals: doc.totals.clone(),
    })
}

//! The Factur-X data of an issued invoice or credit note: the CII invoice
//! of the EN 16931 profile (`domain::facturx`) read from what was frozen at
//! issue, the stored lines and the document's totals — what [`print`]
//! reads — worded as the PDF prints it. The wording, the XML and the PDF
//! it goes in are made above this crate (`app::invoicing::facturx`).
//!
//! Issuing refuses a document whose frozen data would leave a gap in the
//! XML ([`missing`]) or whose XML could not be written ([`check`]), so an
//! issued document always has its Factur-X; only documents issued before
//! that check can be refused when it is made.

use domain::facturx::{self, Address, CiiError, CiiInvoice, Gap, Note, Party, TypeCode};
use domain::ids::InvoiceId;
use domain::invoice::{InvoiceKind, Totals};
use domain::mission::DayQuantity;
use domain::terms::{VatRate, VatRegime};
use domain::validation::{Arg, ValidationErrors};
use time::Date;

use super::frozen::{Buyer, Frozen};
use super::print::{self, IssuedDocument};
use super::read::{self, LineView};
use crate::firm::Firm;
use crate::{Error, Result, Tx, corrupt};

/// What the PDF prints and the XML repeats: its notes (BT-21/22), the
/// seller's legal form and capital (BT-33), the payment terms (BT-20) and
/// the exemption's ground (BT-120).
#[derive(Debug, Clone, Default)]
pub struct Wording {
    pub notes: Vec<Note>,
    pub seller_legal_info: Option<String>,
    pub payment_terms: String,
    pub exemption_reason: Option<String>,
}

/// Refuses (as the XML would) the issued invoice or credit note `id` whose
/// Factur-X could not be written: whether it can depends on its data
/// alone, not on its wording.
pub async fn check(tx: &mut Tx, id: InvoiceId) -> Result<()> {
    check_document(&issued(tx, id).await?)
}

/// [`check`] on a document held in memory (a batch about to be issued).
pub(crate) fn check_document(doc: &IssuedDocument) -> Result<()> {
    let wording = Wording {
        exemption_reason: exemption(doc.frozen.regime()),
        ..Wording::default()
    };
    let inv = cii_invoice(doc, wording)?;
    facturx::check(&inv).map_err(|e| refusal(doc.detail.summary.id, e))
}

/// What an issued document `id` prints from; a draft, or an invoice
/// waiting for a signature, is refused (`invoice-not-issued`).
pub async fn issued(tx: &mut Tx, id: InvoiceId) -> Result<IssuedDocument> {
    let d = read::get(tx, id).await?;
    print::issued(tx, d).await
}

/// The refusal of a document whose XML cannot be written.
pub fn refusal(id: InvoiceId, e: CiiError) -> Error {
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
        vec![("missing", Arg::keys(&labels(gaps)))],
    );
    e
}

fn labels(gaps: &[Gap]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for g in gaps {
        if !out.contains(&g.key()) {
            out.push(g.key());
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
    (regime == VatRegime::Exempt).then(|| domain::terms::FRANCHISE_MENTION.to_owned())
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

/// The document as the XML says it, in `wording`.
pub fn cii_invoice(doc: &IssuedDocument, wording: Wording) -> Result<CiiInvoice> {
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
        notes: wording.notes,
        buyer_reference: f.buyer_reference.clone(),
        purchase_order: f.po_number.clone(),
        contract_reference: f.contract_reference.clone(),
        preceding_invoice,
        seller: seller(&f.seller, wording.seller_legal_info),
        buyer: buyer(&f.buyer),
        period,
        // A credit note is refunded or set off: no payment instructions.
        iban: match s.kind {
            InvoiceKind::Invoice => f.seller.iban.clone(),
            InvoiceKind::CreditNote => None,
        },
        bic: f.seller.bic.clone(),
        payment_terms: Some(wording.payment_terms),
        due_date: s.due_date,
        vat_regime: regime,
        exemption_reason: wording.exemption_reason,
        lines: d.lines.iter().map(line).collect::<Result<Vec<_>>>()?,
        totals: doc.totals.clone(),
    })
}

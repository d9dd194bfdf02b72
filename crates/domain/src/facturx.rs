//! The structured half of a Factur-X invoice: the UN/CEFACT CII XML of the
//! EN 16931 profile (ACCOUNTING.md §6), with the French rules (BR-FR) of
//! the e-invoicing reform.
//!
//! [`CiiInvoice`] is plain data gathered by the store from what was frozen
//! at issue; [`to_xml`] writes it in the element order the Factur-X 1.09
//! EN 16931 XSD requires, after two checks:
//!
//! - [`missing_en16931`]: what EN 16931 or BR-FR need and the data lacks
//!   (seller SIREN, buyer address, IBAN…), each [`Gap`] with a French
//!   label. Issuing refuses an invoice with gaps, so no issued document
//!   ever gets an XML that fails the schematron.
//! - the arithmetic no schematron checks: each line's net is its quantity
//!   × its price ([`InvoiceLine::net`]); and the one it does, checked here
//!   first so the error names the line: the lines add up to the totals,
//!   rate by rate, VAT rounded once per rate.
//!
//! Amounts carry two decimals, quantities up to one (half days), rates two.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use time::Date;

use crate::invoice::{InvoiceLine, Totals};
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::terms::{VatRate, VatRegime};

/// BT-24: the EN 16931 profile of Factur-X.
pub const GUIDELINE_EN16931: &str = "urn:cen.eu:en16931:2017";
/// BT-23: services (BR-FR-08 "S1": services only, no prepayment).
pub const BUSINESS_PROCESS_SERVICES: &str = "S1";
/// BT-130: a day (UN/ECE Rec. 20).
pub const UNIT_DAY: &str = "DAY";
/// BT-81: SEPA credit transfer.
pub const PAYMENT_SEPA_TRANSFER: &str = "58";
/// BT-30/47 scheme: the SIRENE register (SIREN).
pub const SCHEME_SIREN: &str = "0002";
/// BT-34/49 scheme: the French e-invoicing directory, addressed by SIREN.
pub const SCHEME_FR_DIRECTORY: &str = "0225";
/// BT-121 for the intra-EU reverse charge.
pub const VATEX_REVERSE_CHARGE: &str = "VATEX-EU-AE";
/// BT-120 for the intra-EU reverse charge (CGI 242 nonies A).
pub const REVERSE_CHARGE_REASON: &str = "Autoliquidation";

/// BT-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCode {
    /// 380.
    Invoice,
    /// 381: amounts stay positive.
    CreditNote,
}

impl TypeCode {
    pub fn code(self) -> &'static str {
        match self {
            TypeCode::Invoice => "380",
            TypeCode::CreditNote => "381",
        }
    }
}

/// BT-21 subject codes the French rules ask for (BR-FR-05).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteSubject {
    /// Late-payment penalties.
    Pmd,
    /// The 40 € recovery indemnity.
    Pmt,
    /// Discount for early payment, or its absence.
    Aab,
    /// Tax mention (VAT on debits, reverse charge, exemption ground).
    Txd,
}

impl NoteSubject {
    pub fn code(self) -> &'static str {
        match self {
            NoteSubject::Pmd => "PMD",
            NoteSubject::Pmt => "PMT",
            NoteSubject::Aab => "AAB",
            NoteSubject::Txd => "TXD",
        }
    }
}

/// BG-1: a note with its subject (none for free text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub subject: Option<NoteSubject>,
    pub text: String,
}

/// BG-5 / BG-8.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// BG-4 (seller) or BG-7 (buyer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    /// BT-30 / BT-47, nine digits.
    pub siren: Option<String>,
    /// BT-31 / BT-48.
    pub vat_number: Option<String>,
    pub address: Address,
    /// BT-33, seller only: legal form, capital, RCS (R123-237).
    pub legal_info: Option<String>,
}

/// BG-25: days of service at a daily rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// BT-126.
    pub id: String,
    /// BT-153.
    pub name: String,
    /// BT-129, in days (BT-130 `DAY`).
    pub quantity: DayQuantity,
    /// BT-146.
    pub unit_price: Money,
    /// BT-131 as recorded; must be quantity × price.
    pub net: Money,
    /// BT-152.
    pub vat_rate: VatRate,
    /// BT-134 / BT-135.
    pub period: Option<(Date, Date)>,
}

/// Everything the XML says, plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiiInvoice {
    /// BT-1.
    pub number: String,
    pub type_code: TypeCode,
    /// BT-2.
    pub issue_date: Date,
    /// BG-1, in order.
    pub notes: Vec<Note>,
    /// BT-10.
    pub buyer_reference: Option<String>,
    /// BT-13: the client's purchase order.
    pub purchase_order: Option<String>,
    /// BT-12.
    pub contract_reference: Option<String>,
    /// BT-25 / BT-26: the invoice a credit note corrects.
    pub preceding_invoice: Option<(String, Option<Date>)>,
    pub seller: Party,
    pub buyer: Party,
    /// BT-73 / BT-74.
    pub period: Option<(Date, Date)>,
    /// BT-84 (payment means 58).
    pub iban: Option<String>,
    /// BT-86.
    pub bic: Option<String>,
    /// BT-20.
    pub payment_terms: Option<String>,
    /// BT-9.
    pub due_date: Option<Date>,
    /// Decides the VAT category of each rate: S (or Z at 0 %), AE, E.
    pub vat_regime: VatRegime,
    /// BT-120 under [`VatRegime::Exempt`] (e.g. "TVA non applicable, art.
    /// 293 B du CGI").
    pub exemption_reason: Option<String>,
    pub lines: Vec<Line>,
    /// BG-22 and BG-23, as computed by [`crate::invoice::totals`] (or the
    /// amounts posted, for a credit note that took what was left).
    pub totals: Totals,
}

/// What EN 16931 or the French rules need and the data lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    SellerName,
    /// BT-30 (BR-FR-10) and BT-34 (BR-FR-13).
    SellerSiren,
    /// BT-31 (BR-S-02, BR-AE-02, BR-E-02).
    SellerVat,
    /// BG-5 (BR-08).
    SellerAddress,
    /// BT-40 (BR-09).
    SellerCountry,
    /// BT-84 for payment means 58 (BR-61).
    SellerIban,
    BuyerName,
    /// BG-8 (BR-10).
    BuyerAddress,
    /// BT-55 (BR-11).
    BuyerCountry,
    /// BT-47 of a French buyer, and its BT-49 (BR-FR-12).
    BuyerSiren,
    /// BT-48: reverse charge (BR-AE-02), and the e-address of a buyer
    /// abroad (BR-FR-12).
    BuyerVat,
    /// BT-49 of a buyer abroad whose country has no VAT scheme in the EAS
    /// list.
    BuyerElectronicAddress,
    /// BT-25 / BT-26 of a credit note (BR-FR-CO-05).
    PrecedingInvoice,
    /// BT-120 under an exemption (BR-E-10).
    ExemptionReason,
    /// BG-25 (BR-16).
    Lines,
}

impl Gap {
    /// Translation key of what the person filling it in reads (as
    /// issuing's list of missing mentions words them).
    pub fn key(self) -> &'static str {
        match self {
            Gap::SellerName => "mention-seller-name",
            Gap::SellerSiren => "mention-seller-siren",
            Gap::SellerVat => "mention-seller-vat",
            Gap::SellerAddress => "mention-seller-address",
            Gap::SellerCountry => "mention-seller-country",
            Gap::SellerIban => "mention-seller-iban",
            Gap::BuyerName => "mention-buyer-name",
            Gap::BuyerAddress => "mention-buyer-address",
            Gap::BuyerCountry => "mention-buyer-country",
            Gap::BuyerSiren => "mention-buyer-siren",
            Gap::BuyerVat => "mention-buyer-vat",
            Gap::BuyerElectronicAddress => "mention-buyer-e-address",
            Gap::PrecedingInvoice => "mention-preceding-invoice",
            Gap::ExemptionReason => "mention-exemption-reason",
            Gap::Lines => "mention-lines",
        }
    }

    /// Whether it is about the firm itself (set once, in the settings).
    pub fn is_seller(self) -> bool {
        matches!(
            self,
            Gap::SellerName
                | Gap::SellerSiren
                | Gap::SellerVat
                | Gap::SellerAddress
                | Gap::SellerCountry
                | Gap::SellerIban
        )
    }
}

/// Why no XML could be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CiiError {
    #[error("EN 16931 data missing: {0:?}")]
    Missing(Vec<Gap>),
    #[error("line {line}: net {found} is not quantity × price ({expected})")]
    LineNet {
        line: String,
        expected: Money,
        found: Money,
    },
    #[error("line {line}: VAT rate {rate} does not fit the VAT regime")]
    LineRate { line: String, rate: VatRate },
    #[error("the totals do not add up: {0}")]
    Totals(&'static str),
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn nine_digits(s: &Option<String>) -> bool {
    s.as_deref()
        .is_some_and(|s| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()))
}

fn address_incomplete(a: &Address) -> bool {
    blank(&a.line1) || blank(&a.postcode) || blank(&a.city)
}

fn country_missing(a: &Address) -> bool {
    let c = a.country.trim();
    c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_fr(a: &Address) -> bool {
    a.country.trim() == "FR"
}

/// The EAS scheme (BT-49-1) of a VAT number, by the country that issued
/// it: how a buyer outside the French directory is addressed.
pub fn vat_scheme(country: &str) -> Option<&'static str> {
    Some(match country {
        "AT" => "9914",
        "BE" => "9925",
        "BG" => "9926",
        "CY" => "9928",
        "CZ" => "9929",
        "DE" => "9930",
        "EE" => "9931",
        "EL" | "GR" => "9933",
        "ES" => "9920",
        "FR" => "9957",
        "HR" => "9934",
        "HU" => "9910",
        "IE" => "9935",
        "IT" => "0211",
        "LT" => "9937",
        "LU" => "9938",
        "LV" => "9939",
        "MT" => "9943",
        "NL" => "9944",
        "PL" => "9945",
        "PT" => "9946",
        "RO" => "9947",
        "SI" => "9949",
        "SK" => "9950",
        _ => return None,
    })
}

/// The buyer's electronic address (BT-49): its SIREN in the French
/// directory, else its VAT number under its country's scheme.
fn buyer_endpoint(b: &Party) -> Option<(&'static str, String)> {
    if is_fr(&b.address) && nine_digits(&b.siren) {
        return b.siren.clone().map(|s| (SCHEME_FR_DIRECTORY, s));
    }
    let vat = b.vat_number.as_deref()?.trim();
    let scheme = vat_scheme(vat.get(..2)?)?;
    Some((scheme, vat.to_owned()))
}

/// What EN 16931 or BR-FR need that `inv` lacks, in a stable order, each
/// once. Empty means [`to_xml`] writes a document the validators accept
/// (as far as data presence goes).
pub fn missing_en16931(inv: &CiiInvoice) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let s = &inv.seller;
    let name = s.name.trim();
    if name.is_empty() || name == "—" {
        gaps.push(Gap::SellerName);
    }
    if !nine_digits(&s.siren) {
        gaps.push(Gap::SellerSiren);
    }
    if blank(&s.vat_number) {
        gaps.push(Gap::SellerVat);
    }
    if address_incomplete(&s.address) {
        gaps.push(Gap::SellerAddress);
    }
    if country_missing(&s.address) {
        gaps.push(Gap::SellerCountry);
    }
    if inv.type_code == TypeCode::Invoice && blank(&inv.iban) {
        gaps.push(Gap::SellerIban);
    }
    let b = &inv.buyer;
    if b.name.trim().is_empty() {
        gaps.push(Gap::BuyerName);
    }
    if address_incomplete(&b.address) {
        gaps.push(Gap::BuyerAddress);
    }
    if country_missing(&b.address) {
        gaps.push(Gap::BuyerCountry);
    } else if is_fr(&b.address) {
        if !nine_digits(&b.siren) {
            gaps.push(Gap::BuyerSiren);
        }
    } else if blank(&b.vat_number) {
        gaps.push(Gap::BuyerVat);
    } else if buyer_endpoint(b).is_none() {
        gaps.push(Gap::BuyerElectronicAddress);
    }
    if inv.vat_regime == VatRegime::ReverseChargeEu
        && blank(&b.vat_number)
        && !gaps.contains(&Gap::BuyerVat)
    {
        gaps.push(Gap::BuyerVat);
    }
    if inv.type_code == TypeCode::CreditNote
        && !matches!(&inv.preceding_invoice, Some((n, Some(_))) if !n.trim().is_empty())
    {
        gaps.push(Gap::PrecedingInvoice);
    }
    if inv.vat_regime == VatRegime::Exempt && blank(&inv.exemption_reason) {
        gaps.push(Gap::ExemptionReason);
    }
    if inv.lines.is_empty() {
        gaps.push(Gap::Lines);
    }
    gaps
}

/// A VAT category (BT-118 / BT-151).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Standard,
    Zero,
    ReverseCharge,
    Exempt,
}

impl Category {
    fn code(self) -> &'static str {
        match self {
            Category::Standard => "S",
            Category::Zero => "Z",
            Category::ReverseCharge => "AE",
            Category::Exempt => "E",
        }
    }
}

fn category(regime: VatRegime, rate: VatRate) -> Option<Category> {
    match (regime, rate == VatRate::ZERO) {
        (VatRegime::OnReceipts | VatRegime::OnDebits, false) => Some(Category::Standard),
        (VatRegime::OnReceipts | VatRegime::OnDebits, true) => Some(Category::Zero),
        (VatRegime::ReverseChargeEu, true) => Some(Category::ReverseCharge),
        (VatRegime::Exempt, true) => Some(Category::Exempt),
        _ => None,
    }
}

/// The arithmetic of the document: each line's net is quantity × price,
/// the lines add up to the totals rate by rate, the VAT of each rate is
/// its base × rate rounded once, and gross is net + VAT.
pub fn check_arithmetic(inv: &CiiInvoice) -> Result<(), CiiError> {
    let mut by_rate: BTreeMap<VatRate, Money> = BTreeMap::new();
    let mut net = Money::ZERO;
    for l in &inv.lines {
        let expected = InvoiceLine {
            description: String::new(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            vat_rate: l.vat_rate,
        }
        .net();
        if expected != l.net {
            return Err(CiiError::LineNet {
                line: l.id.clone(),
                expected,
                found: l.net,
            });
        }
        if category(inv.vat_regime, l.vat_rate).is_none() {
            return Err(CiiError::LineRate {
                line: l.id.clone(),
                rate: l.vat_rate,
            });
        }
        net += l.net;
        *by_rate.entry(l.vat_rate).or_insert(Money::ZERO) += l.net;
    }
    let t = &inv.totals;
    if t.net != net {
        return Err(CiiError::Totals("the lines' nets do not add up to BT-106"));
    }
    if t.breakdown.len() != by_rate.len() {
        return Err(CiiError::Totals("one breakdown row per VAT rate"));
    }
    for b in &t.breakdown {
        if by_rate.get(&b.rate) != Some(&b.taxable) {
            return Err(CiiError::Totals("a rate's base is not its lines' nets"));
        }
        // One cent either way: a credit note that gives back an invoice's
        // last days takes exactly the VAT left on it, whose rounding may
        // differ by a cent from its own base × rate (BR-S-09 allows less
        // than one unit of currency).
        if (b.vat - b.rate.vat_on(b.taxable)).abs() > Money::from_cents(1) {
            return Err(CiiError::Totals("a rate's VAT is not its base × rate"));
        }
    }
    if t.vat != t.breakdown.iter().map(|b| b.vat).sum::<Money>() {
        return Err(CiiError::Totals("BT-110 is not the sum of the rates' VAT"));
    }
    if t.gross != t.net + t.vat {
        return Err(CiiError::Totals("BT-112 is not BT-109 + BT-110"));
    }
    Ok(())
}

/// Why the CII XML of `inv` cannot be written, if it cannot: missing data
/// ([`missing_en16931`]) or arithmetic that does not hold
/// ([`check_arithmetic`]). [`to_xml`] refuses exactly what this refuses, so
/// issuing can ask it without writing the XML.
pub fn check(inv: &CiiInvoice) -> Result<(), CiiError> {
    let gaps = missing_en16931(inv);
    if !gaps.is_empty() {
        return Err(CiiError::Missing(gaps));
    }
    check_arithmetic(inv)
}

/// The CII XML of `inv` (UTF-8), or why it cannot be written: missing
/// data ([`missing_en16931`]) or arithmetic that does not hold
/// ([`check_arithmetic`]).
pub fn to_xml(inv: &CiiInvoice) -> Result<String, CiiError> {
    check(inv)?;
    let mut w = Writer::with_capacity(4096 + inv.lines.len() * 1024);
    w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.raw(
        "<rsm:CrossIndustryInvoice \
         xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" \
         xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\" \
         xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\" \
         xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">\n",
    );
    w.open("rsm:ExchangedDocumentContext");
    w.open("ram:BusinessProcessSpecifiedDocumentContextParameter");
    w.leaf("ram:ID", BUSINESS_PROCESS_SERVICES);
    w.close("ram:BusinessProcessSpecifiedDocumentContextParameter");
    w.open("ram:GuidelineSpecifiedDocumentContextParameter");
    w.leaf("ram:ID", GUIDELINE_EN16931);
    w.close("ram:GuidelineSpecifiedDocumentContextParameter");
    w.close("rsm:ExchangedDocumentContext");

    w.open("rsm:ExchangedDocument");
    w.leaf("ram:ID", &inv.number);
    w.leaf("ram:TypeCode", inv.type_code.code());
    w.date("ram:IssueDateTime", "udt", inv.issue_date);
    for n in &inv.notes {
        w.open("ram:IncludedNote");
        w.leaf("ram:Content", &n.text);
        if let Some(s) = n.subject {
            w.leaf("ram:SubjectCode", s.code());
        }
        w.close("ram:IncludedNote");
    }
    w.close("rsm:ExchangedDocument");

    w.open("rsm:SupplyChainTradeTransaction");
    for l in &inv.lines {
        line(&mut w, inv.vat_regime, l);
    }

    w.open("ram:ApplicableHeaderTradeAgreement");
    w.opt_leaf("ram:BuyerReference", &inv.buyer_reference);
    party(&mut w, "ram:SellerTradeParty", &inv.seller, true);
    party(&mut w, "ram:BuyerTradeParty", &inv.buyer, false);
    if let Some(po) = nonblank(&inv.purchase_order) {
        w.open("ram:BuyerOrderReferencedDocument");
        w.leaf("ram:IssuerAssignedID", po);
        w.close("ram:BuyerOrderReferencedDocument");
    }
    if let Some(k) = nonblank(&inv.contract_reference) {
        w.open("ram:ContractReferencedDocument");
        w.leaf("ram:IssuerAssignedID", k);
        w.close("ram:ContractReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeAgreement");

    match inv.period {
        // BT-72: services are delivered when their period ends.
        Some((_, to)) => {
            w.open("ram:ApplicableHeaderTradeDelivery");
            w.open("ram:ActualDeliverySupplyChainEvent");
            w.date("ram:OccurrenceDateTime", "udt", to);
            w.close("ram:ActualDeliverySupplyChainEvent");
            w.close("ram:ApplicableHeaderTradeDelivery");
        }
        None => w.empty("ram:ApplicableHeaderTradeDelivery"),
    }

    w.open("ram:ApplicableHeaderTradeSettlement");
    w.leaf("ram:InvoiceCurrencyCode", "EUR");
    if let Some(iban) = nonblank(&inv.iban) {
        w.open("ram:SpecifiedTradeSettlementPaymentMeans");
        w.leaf("ram:TypeCode", PAYMENT_SEPA_TRANSFER);
        w.open("ram:PayeePartyCreditorFinancialAccount");
        w.leaf("ram:IBANID", &iban.replace(' ', ""));
        w.close("ram:PayeePartyCreditorFinancialAccount");
        if let Some(bic) = nonblank(&inv.bic) {
            w.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
            w.leaf("ram:BICID", bic);
            w.close("ram:PayeeSpecifiedCreditorFinancialInstitution");
        }
        w.close("ram:SpecifiedTradeSettlementPaymentMeans");
    }
    for b in &inv.totals.breakdown {
        let cat = category(inv.vat_regime, b.rate).expect("checked with the lines");
        w.open("ram:ApplicableTradeTax");
        w.leaf("ram:CalculatedAmount", &amount(b.vat));
        w.leaf("ram:TypeCode", "VAT");
        match cat {
            Category::ReverseCharge => w.leaf("ram:ExemptionReason", REVERSE_CHARGE_REASON),
            Category::Exempt => {
                w.opt_leaf("ram:ExemptionReason", &inv.exemption_reason);
            }
            _ => {}
        }
        w.leaf("ram:BasisAmount", &amount(b.taxable));
        w.leaf("ram:CategoryCode", cat.code());
        if cat == Category::ReverseCharge {
            w.leaf("ram:ExemptionReasonCode", VATEX_REVERSE_CHARGE);
        }
        if cat == Category::Standard {
            // BT-8: VAT due on payment (services), or on the invoice date
            // when the firm opted for debits.
            let code = if inv.vat_regime == VatRegime::OnDebits {
                "5"
            } else {
                "72"
            };
            w.leaf("ram:DueDateTypeCode", code);
        }
        w.leaf("ram:RateApplicablePercent", &percent(b.rate));
        w.close("ram:ApplicableTradeTax");
    }
    if let Some((from, to)) = inv.period {
        period(&mut w, from, to);
    }
    if nonblank(&inv.payment_terms).is_some() || inv.due_date.is_some() {
        w.open("ram:SpecifiedTradePaymentTerms");
        w.opt_leaf("ram:Description", &inv.payment_terms);
        if let Some(d) = inv.due_date {
            w.date("ram:DueDateDateTime", "udt", d);
        }
        w.close("ram:SpecifiedTradePaymentTerms");
    }
    let t = &inv.totals;
    w.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    w.leaf("ram:LineTotalAmount", &amount(t.net));
    w.leaf("ram:TaxBasisTotalAmount", &amount(t.net));
    w.raw_leaf("ram:TaxTotalAmount", " currencyID=\"EUR\"", &amount(t.vat));
    w.leaf("ram:GrandTotalAmount", &amount(t.gross));
    w.leaf("ram:DuePayableAmount", &amount(t.gross));
    w.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    if let Some((number, date)) = &inv.preceding_invoice {
        w.open("ram:InvoiceReferencedDocument");
        w.leaf("ram:IssuerAssignedID", number);
        if let Some(d) = date {
            w.date("ram:FormattedIssueDateTime", "qdt", *d);
        }
        w.close("ram:InvoiceReferencedDocument");
    }
    w.close("ram:ApplicableHeaderTradeSettlement");
    w.close("rsm:SupplyChainTradeTransaction");
    w.raw("</rsm:CrossIndustryInvoice>\n");
    Ok(w.out)
}

fn line(w: &mut Writer, regime: VatRegime, l: &Line) {
    let cat = category(regime, l.vat_rate).expect("checked");
    w.open("ram:IncludedSupplyChainTradeLineItem");
    w.open("ram:AssociatedDocumentLineDocument");
    w.leaf("ram:LineID", &l.id);
    w.close("ram:AssociatedDocumentLineDocument");
    w.open("ram:SpecifiedTradeProduct");
    w.leaf("ram:Name", &l.name);
    w.close("ram:SpecifiedTradeProduct");
    w.open("ram:SpecifiedLineTradeAgreement");
    w.open("ram:NetPriceProductTradePrice");
    w.leaf("ram:ChargeAmount", &amount(l.unit_price));
    w.close("ram:NetPriceProductTradePrice");
    w.close("ram:SpecifiedLineTradeAgreement");
    w.open("ram:SpecifiedLineTradeDelivery");
    w.raw_leaf(
        "ram:BilledQuantity",
        &format!(" unitCode=\"{UNIT_DAY}\""),
        &l.quantity.as_decimal().to_string(),
    );
    w.close("ram:SpecifiedLineTradeDelivery");
    w.open("ram:SpecifiedLineTradeSettlement");
    w.open("ram:ApplicableTradeTax");
    w.leaf("ram:TypeCode", "VAT");
    w.leaf("ram:CategoryCode", cat.code());
    w.leaf("ram:RateApplicablePercent", &percent(l.vat_rate));
    w.close("ram:ApplicableTradeTax");
    if let Some((from, to)) = l.period {
        period(w, from, to);
    }
    w.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
    w.leaf("ram:LineTotalAmount", &amount(l.net));
    w.close("ram:SpecifiedTradeSettlementLineMonetarySummation");
    w.close("ram:SpecifiedLineTradeSettlement");
    w.close("ram:IncludedSupplyChainTradeLineItem");
}

fn party(w: &mut Writer, tag: &str, p: &Party, seller: bool) {
    w.open(tag);
    w.leaf("ram:Name", &p.name);
    if seller {
        w.opt_leaf("ram:Description", &p.legal_info);
    }
    if let Some(siren) = nonblank(&p.siren) {
        w.open("ram:SpecifiedLegalOrganization");
        w.raw_leaf(
            "ram:ID",
            &format!(" schemeID=\"{SCHEME_SIREN}\""),
            &escape(siren),
        );
        w.close("ram:SpecifiedLegalOrganization");
    }
    let a = &p.address;
    w.open("ram:PostalTradeAddress");
    w.opt_leaf("ram:PostcodeCode", &a.postcode);
    w.opt_leaf("ram:LineOne", &a.line1);
    w.opt_leaf("ram:LineTwo", &a.line2);
    w.opt_leaf("ram:CityName", &a.city);
    w.leaf("ram:CountryID", a.country.trim());
    w.close("ram:PostalTradeAddress");
    let endpoint = if seller {
        p.siren.clone().map(|s| (SCHEME_FR_DIRECTORY, s))
    } else {
        buyer_endpoint(p)
    };
    if let Some((scheme, id)) = endpoint {
        w.open("ram:URIUniversalCommunication");
        w.raw_leaf(
            "ram:URIID",
            &format!(" schemeID=\"{scheme}\""),
            &escape(&id),
        );
        w.close("ram:URIUniversalCommunication");
    }
    if let Some(vat) = nonblank(&p.vat_number) {
        w.open("ram:SpecifiedTaxRegistration");
        w.raw_leaf("ram:ID", " schemeID=\"VA\"", &escape(vat));
        w.close("ram:SpecifiedTaxRegistration");
    }
    w.close(tag);
}

fn period(w: &mut Writer, from: Date, to: Date) {
    w.open("ram:BillingSpecifiedPeriod");
    w.date("ram:StartDateTime", "udt", from);
    w.date("ram:EndDateTime", "udt", to);
    w.close("ram:BillingSpecifiedPeriod");
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `1234.50`, `-3.00`: two decimals, a point (BR-DEC-*).
pub fn amount(m: Money) -> String {
    m.to_decimal().to_string()
}

/// `20.00`, `5.50`.
fn percent(r: VatRate) -> String {
    rust_decimal::Decimal::new(i64::from(r.basis_points()), 2).to_string()
}

/// `20261130` (format 102).
fn date102(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Text as XML character data: markup escaped, characters XML 1.0 cannot
/// carry dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An indented writer of well-formed elements.
struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn with_capacity(n: usize) -> Self {
        Writer {
            out: String::with_capacity(n),
            depth: 1,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn empty(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}/>");
    }

    fn leaf(&mut self, tag: &str, text: &str) {
        let text = escape(text.trim());
        self.raw_leaf(tag, "", &text);
    }

    /// `escaped` is already escaped; `attrs` starts with a space.
    fn raw_leaf(&mut self, tag: &str, attrs: &str, escaped: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}{attrs}>{escaped}</{tag}>");
    }

    fn opt_leaf(&mut self, tag: &str, text: &Option<String>) {
        if let Some(t) = nonblank(text) {
            self.leaf(tag, t);
        }
    }

    fn date(&mut self, tag: &str, ns: &str, d: Date) {
        self.open(tag);
        self.raw_leaf(
            &format!("{ns}:DateTimeString"),
            " format=\"102\"",
            &date102(d),
        );
        self.close(tag);
    }
}

#[cfg(test)]
mod tests;

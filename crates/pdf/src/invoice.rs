//! The invoice (facture) and the credit note (avoir) as a PDF, with every
//! mention French law asks of a B2B invoice for services
//! (ACCOUNTING.md §4): C. com. L441-9 and R123-237, CGI 242 nonies A, and
//! the e-invoicing reform's additions (buyer SIREN, delivery address,
//! nature of the operation, option for VAT on debits).
//!
//! [`InvoicePdf`] is plain data: amounts, quantities, rates and dates
//! arrive already formatted (`12 000,00 €`, `19,5`, `20 %`, `28/11/2026`).
//! This crate does not depend on `domain` and must not: the store computes
//! the figures with `domain::invoice::totals` and formats them with
//! `domain::locale`, so rounding and formatting live in one place, and
//! this module only lays them out. It checks no arithmetic: what it is
//! given is what the invoice says.
//!
//! The legal texts are public constants so that the store and the tests
//! can reuse them: [`NATURE_SERVICES`], [`NO_DISCOUNT_MENTION`],
//! [`LATE_PENALTY_MENTION`], [`INDEMNITY_MENTION`], [`ON_RECEIPTS_MENTION`],
//! [`ON_DEBITS_MENTION`], [`REVERSE_CHARGE_MENTION`],
//! [`REVERSE_CHARGE_DETAIL`], [`FRANCHISE_MENTION`].

use time::OffsetDateTime;

use crate::{Align, Document};

/// Nature of the operations (reform: goods, services or both). Régisseur
/// only invoices services.
pub const NATURE_SERVICES: &str = "Prestations de services";
/// Discount terms for early payment (L441-9), when none is granted.
pub const NO_DISCOUNT_MENTION: &str = "Pas d'escompte pour paiement anticipé";
/// Late-payment penalties (L441-9, L441-10): the rate must be the one
/// agreed in the contract or the terms of sale, at least three times the
/// legal interest rate; when nothing was agreed the law's default is the
/// ECB refinancing rate plus 10 points, and this text must then say so.
pub const LATE_PENALTY_MENTION: &str = "Pénalités de retard : trois fois le taux d'intérêt légal, \
     exigibles dès le lendemain de la date d'échéance sans qu'un rappel soit nécessaire";
/// The fixed indemnity for recovery costs owed by a late business payer
/// (L441-10, D441-5). Always printed: the amount is set by decree.
pub const INDEMNITY_MENTION: &str = "Indemnité forfaitaire pour frais de recouvrement : 40 €";
/// VAT due on receipts, the legal default for services (CGI 269-2-c): no
/// mention is required, but it tells the client why the VAT is due only
/// once paid.
pub const ON_RECEIPTS_MENTION: &str = "TVA acquittée sur les encaissements";
/// The option for VAT on debits (CGI 269-2-c; required since the reform).
/// The same text as `domain::terms::VatRegime::OnDebits.invoice_mention()`.
pub const ON_DEBITS_MENTION: &str = "Option pour le paiement de la taxe d'après les débits";
/// Reverse charge (CGI 242 nonies A, 13°). The same text as
/// `domain::terms::VatRegime::ReverseChargeEu.invoice_mention()`.
pub const REVERSE_CHARGE_MENTION: &str = "Autoliquidation";
/// Printed with [`REVERSE_CHARGE_MENTION`]: who owes the VAT, and why.
pub const REVERSE_CHARGE_DETAIL: &str =
    "TVA due par le preneur, art. 196 de la directive 2006/112/CE";
/// The usual exemption text, for [`VatRegime::Exempt`] under the
/// franchise en base (small businesses).
pub const FRANCHISE_MENTION: &str = "TVA non applicable, art. 293 B du CGI";

/// An invoice or a credit note, ready to print.
///
/// Optional mentions are `Option`s: `None` prints nothing, so an empty
/// label never appears. Multi-line texts (addresses) separate their lines
/// with `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoicePdf {
    pub kind: InvoiceKind,
    /// The number in its series: `FA-2026-000123`, `AV-2026-000001`.
    pub number: String,
    /// Date of issue (`28/11/2026`).
    pub issue_date: String,
    /// When the services were performed (L441-9 "date de la vente ou de la
    /// prestation de service").
    pub period: ServicePeriod,
    /// Due date (`28/12/2026`): for a credit note, when it is refunded or
    /// set off.
    pub due_date: String,
    /// Payment terms as agreed (`30 jours fin de mois`). For a credit note,
    /// how it is settled (`Remboursement par virement`, `À déduire de la
    /// facture FA-2026-000130`).
    pub payment_terms: String,
    pub seller: Seller,
    pub buyer: Buyer,
    /// The buyer's purchase order number, when they gave one (L441-9).
    pub purchase_order: Option<String>,
    /// The buyer's reference (the service or person the invoice is
    /// addressed to), when finance gave one.
    pub buyer_reference: Option<String>,
    /// The contract the invoice is made under.
    pub contract_reference: Option<String>,
    pub lines: Vec<InvoicePdfLine>,
    /// One row per VAT rate, in the order to print.
    pub vat_breakdown: Vec<VatBreakdownRow>,
    pub totals: InvoiceTotals,
    pub vat_regime: VatRegime,
    pub legal: LegalTexts,
    /// Written to the PDF's information dictionary: the same value (e.g.
    /// the issuing time) gives the same bytes every time.
    pub created_at: OffsetDateTime,
}

/// Invoice or credit note. A credit note cites the invoice it credits
/// (number and date of issue). Credit note amounts are printed as given:
/// positive, as EN 16931 has them for a credit note (type 381).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvoiceKind {
    Invoice,
    CreditNote {
        /// `FA-2026-000123`.
        invoice_number: String,
        /// `28/11/2026`.
        invoice_date: String,
    },
}

/// Performance dates, both included (`01/11/2026`, `30/11/2026`); the same
/// date twice prints a single date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServicePeriod {
    pub from: String,
    pub to: String,
}

/// The seller: the firm issuing the invoice (R123-237, CGI 242 nonies A).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seller {
    pub name: String,
    /// `SAS`, `SARL`, `SASU`…
    pub legal_form: String,
    /// Formatted with its currency: `10 000,00 €`.
    pub share_capital: String,
    /// The registered office, lines separated by `\n`.
    pub head_office: String,
    /// `123 456 789`.
    pub siren: String,
    /// The city of the registry: printed as `RCS <city>`.
    pub rcs_city: String,
    /// Intra-EU VAT number: `FR32123456789`.
    pub vat_number: String,
    /// Where the buyer pays (printed on invoices, not on credit notes).
    pub iban: String,
    pub bic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The buyer (L441-9; SIREN and VAT number: CGI 242 nonies A and the
/// reform).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buyer {
    pub name: String,
    /// Lines separated by `\n`.
    pub address: String,
    /// When invoices go to another address than `address`.
    pub billing_address: Option<String>,
    /// Where the services are delivered, when it differs from `address`
    /// (a reform addition).
    pub delivery_address: Option<String>,
    /// Required of French buyers by the reform; foreign buyers have none.
    pub siren: Option<String>,
    /// Required for intra-EU business buyers, and for the reverse charge.
    pub vat_number: Option<String>,
}

/// One invoice line, every figure formatted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoicePdfLine {
    /// A precise description of the service (L441-9): mission, consultant,
    /// month.
    pub description: String,
    /// Days, half days allowed: `19,5`.
    pub quantity: String,
    /// `jour` (or `jours`, `heure`…).
    pub unit: String,
    /// Price of one unit before VAT: `600,00 €`.
    pub unit_price: String,
    /// `20 %`.
    pub vat_rate: String,
    /// Quantity × unit price, before VAT: `11 700,00 €`.
    pub net: String,
}

/// One VAT rate of the breakdown: the base before VAT at that rate, the
/// rate and the VAT (CGI 242 nonies A).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VatBreakdownRow {
    pub rate: String,
    pub taxable: String,
    pub vat: String,
}

/// Document totals: before VAT (HT), VAT (TVA), all taxes included (TTC).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoiceTotals {
    pub net: String,
    pub vat: String,
    pub gross: String,
}

/// When VAT becomes due, which decides the VAT mention (the store maps
/// `domain::terms::VatRegime` onto it).
///
/// Under [`ReverseChargeEu`](Self::ReverseChargeEu) and
/// [`Exempt`](Self::Exempt) no VAT is invoiced: no VAT amount is printed
/// (neither the breakdown's nor [`InvoiceTotals::vat`] and
/// [`InvoiceTotals::gross`]), the breakdown shows the bases and the
/// amount to pay is the total before VAT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum VatRegime {
    /// Prints [`ON_RECEIPTS_MENTION`].
    #[default]
    OnReceipts,
    /// Prints [`ON_DEBITS_MENTION`].
    OnDebits,
    /// Prints [`REVERSE_CHARGE_MENTION`] and [`REVERSE_CHARGE_DETAIL`]; the
    /// buyer's VAT number must then be given.
    ReverseChargeEu,
    /// Prints the exemption's ground, e.g. [`FRANCHISE_MENTION`].
    Exempt { mention: String },
}

impl VatRegime {
    /// Whether VAT is invoiced (and amounts of VAT printed).
    pub fn charges_vat(&self) -> bool {
        matches!(self, VatRegime::OnReceipts | VatRegime::OnDebits)
    }

    /// The texts the invoice prints for this regime, in order.
    pub fn mentions(&self) -> Vec<&str> {
        match self {
            VatRegime::OnReceipts => vec![ON_RECEIPTS_MENTION],
            VatRegime::OnDebits => vec![ON_DEBITS_MENTION],
            VatRegime::ReverseChargeEu => vec![REVERSE_CHARGE_MENTION, REVERSE_CHARGE_DETAIL],
            VatRegime::Exempt { mention } => vec![mention.as_str()],
        }
    }

    /// What the VAT column says instead of an amount when no VAT is
    /// invoiced.
    fn no_vat_label(&self) -> &str {
        match self {
            VatRegime::ReverseChargeEu => REVERSE_CHARGE_MENTION,
            _ => "Non applicable",
        }
    }
}

/// The payment terms' legal texts ([`Default`]: no discount, three times
/// the legal interest rate), and any other text to print with them
/// (reference to the terms of sale, reservation of title…). The 40 €
/// indemnity is not among them: it is always printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalTexts {
    /// Discount for early payment, or its absence (L441-9).
    pub discount: String,
    /// The late-payment penalty rate as agreed (L441-9, L441-10).
    pub late_penalties: String,
    pub extra: Vec<String>,
}

impl Default for LegalTexts {
    fn default() -> Self {
        LegalTexts {
            discount: NO_DISCOUNT_MENTION.to_owned(),
            late_penalties: LATE_PENALTY_MENTION.to_owned(),
            extra: Vec::new(),
        }
    }
}

const LINE_HEADERS: [&str; 6] = [
    "Désignation",
    "Quantité",
    "Unité",
    "Prix unitaire HT",
    "TVA",
    "Montant HT",
];
const LINE_WIDTHS: [f32; 6] = [5.2, 1.3, 1.0, 1.9, 0.9, 1.9];
const LINE_ALIGNS: [Align; 6] = [
    Align::Left,
    Align::Right,
    Align::Left,
    Align::Right,
    Align::Right,
    Align::Right,
];

/// The invoice or credit note as a [`Document`], one A4 page or more:
///
/// - the seller (name, legal form and capital, head office, SIREN and RCS,
///   VAT number, contacts) on the left and the buyer (name, address,
///   billing and delivery addresses when they differ, SIREN, VAT number)
///   on the right;
/// - "Facture N° …" or "Avoir N° …" (with "Avoir sur la facture … du …"),
///   then the key facts: date of issue, nature, performance period, due
///   date, purchase order, contract;
/// - the lines (their header repeated on every page), the VAT breakdown,
///   the totals and the VAT regime's mention;
/// - the payment block (due date, terms, IBAN and BIC; for a credit note
///   its settlement);
/// - the legal mentions in small print (discount, penalties, 40 €
///   indemnity, the seller's legal identity, extra texts), and a footer
///   with the number and "page N / M" on every page.
///
/// Pure: the same `InvoicePdf` always gives the same bytes.
pub fn invoice(inv: &InvoicePdf) -> Document {
    let title = match inv.kind {
        InvoiceKind::Invoice => format!("Facture N° {}", inv.number),
        InvoiceKind::CreditNote { .. } => format!("Avoir N° {}", inv.number),
    };
    let mut doc = Document::new(&format!("{title} — {}", inv.seller.name));
    doc.created_at(inv.created_at);
    doc.footer(&format!(
        "{title} — {} — SIREN {} — RCS {}",
        inv.seller.name, inv.seller.siren, inv.seller.rcs_city
    ));

    parties(&mut doc, inv);
    doc.spacer(8.0).heading(&title);
    if let InvoiceKind::CreditNote {
        invoice_number,
        invoice_date,
    } = &inv.kind
    {
        doc.paragraph(&format!(
            "Avoir sur la facture {invoice_number} du {invoice_date}"
        ));
    }
    facts(&mut doc, inv);
    lines(&mut doc, inv);
    vat(&mut doc, inv);
    payment(&mut doc, inv);
    legal(&mut doc, inv);
    doc
}

/// The seller's identity as printed under its name at the top of a
/// document (legal form and capital, head office, SIREN and RCS, VAT
/// number, contacts), one entry a line.
pub(crate) fn seller_lines(s: &Seller) -> Vec<String> {
    let mut seller = vec![
        format!("{} au capital de {}", s.legal_form, s.share_capital),
        s.head_office.clone(),
        format!("SIREN {} — RCS {}", s.siren, s.rcs_city),
        format!("TVA intracommunautaire : {}", s.vat_number),
    ];
    seller.extend(s.email.clone());
    seller.extend(s.phone.as_ref().map(|p| format!("Tél. : {p}")));
    seller
}

fn parties(doc: &mut Document, inv: &InvoicePdf) {
    let s = &inv.seller;
    let seller = seller_lines(s);

    let b = &inv.buyer;
    let mut buyer = vec![b.address.clone()];
    if let Some(siren) = &b.siren {
        buyer.push(format!("SIREN {siren}"));
    }
    if let Some(vat) = &b.vat_number {
        buyer.push(format!("TVA intracommunautaire : {vat}"));
    }
    if let Some(billing) = &b.billing_address {
        buyer.push(format!("Adresse de facturation :\n{billing}"));
    }
    if let Some(delivery) = &b.delivery_address {
        buyer.push(format!("Adresse de livraison :\n{delivery}"));
    }
    doc.columns(&[
        (&s.name, &seller.join("\n")),
        (&format!("Client : {}", b.name), &buyer.join("\n")),
    ]);
}

fn facts(doc: &mut Document, inv: &InvoicePdf) {
    let period = if inv.period.from == inv.period.to {
        inv.period.from.clone()
    } else {
        format!("du {} au {}", inv.period.from, inv.period.to)
    };
    let mut facts: Vec<(&str, &str)> = vec![
        ("Date d'émission", &inv.issue_date),
        ("Nature", NATURE_SERVICES),
        ("Période de prestation", &period),
        ("Date d'échéance", &inv.due_date),
    ];
    if let Some(po) = &inv.purchase_order {
        facts.push(("Bon de commande", po));
    }
    if let Some(r) = &inv.buyer_reference {
        facts.push(("Référence acheteur", r));
    }
    if let Some(contract) = &inv.contract_reference {
        facts.push(("Contrat", contract));
    }
    doc.key_values(&facts);
}

fn lines(doc: &mut Document, inv: &InvoicePdf) {
    let rows: Vec<Vec<String>> = inv
        .lines
        .iter()
        .map(|l| {
            vec![
                l.description.clone(),
                l.quantity.clone(),
                l.unit.clone(),
                l.unit_price.clone(),
                l.vat_rate.clone(),
                l.net.clone(),
            ]
        })
        .collect();
    doc.spacer(4.0)
        .table_aligned(&LINE_HEADERS, &rows, &LINE_WIDTHS, &LINE_ALIGNS);
}

fn vat(doc: &mut Document, inv: &InvoicePdf) {
    let right = [Align::Right; 3];
    let t = &inv.totals;
    if inv.vat_regime.charges_vat() {
        let rows: Vec<Vec<String>> = inv
            .vat_breakdown
            .iter()
            .map(|r| vec![r.rate.clone(), r.taxable.clone(), r.vat.clone()])
            .collect();
        doc.table_aligned(
            &["Taux de TVA", "Base HT", "Montant TVA"],
            &rows,
            &[1.0; 3],
            &right,
        )
        .table_aligned(
            &["Total HT", "Total TVA", "Total TTC"],
            &[vec![t.net.clone(), t.vat.clone(), t.gross.clone()]],
            &[1.0; 3],
            &right,
        );
    } else {
        let no_vat = inv.vat_regime.no_vat_label();
        let rows: Vec<Vec<String>> = inv
            .vat_breakdown
            .iter()
            .map(|r| vec![r.rate.clone(), r.taxable.clone(), no_vat.to_owned()])
            .collect();
        doc.table_aligned(&["Taux de TVA", "Base HT", "TVA"], &rows, &[1.0; 3], &right)
            .table_aligned(
                &["Total HT", "TVA", "Net à payer"],
                &[vec![t.net.clone(), no_vat.to_owned(), t.net.clone()]],
                &[1.0; 3],
                &right,
            );
    }
    doc.paragraph(&inv.vat_regime.mentions().join("\n"));
}

fn payment(doc: &mut Document, inv: &InvoicePdf) {
    let s = &inv.seller;
    match &inv.kind {
        InvoiceKind::Invoice => {
            let mut rows: Vec<(&str, &str)> = vec![
                ("Échéance", &inv.due_date),
                ("Conditions de paiement", &inv.payment_terms),
                ("Mode de paiement", "Virement bancaire"),
                ("IBAN", &s.iban),
            ];
            if let Some(bic) = &s.bic {
                rows.push(("BIC", bic));
            }
            rows.push(("Référence à rappeler", &inv.number));
            doc.subheading("Règlement").key_values(&rows);
        }
        InvoiceKind::CreditNote { .. } => {
            doc.subheading("Remboursement").key_values(&[
                ("Échéance", &inv.due_date),
                ("Modalités", &inv.payment_terms),
            ]);
        }
    }
}

fn legal(doc: &mut Document, inv: &InvoicePdf) {
    let s = &inv.seller;
    let head_office = s
        .head_office
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let mut texts = vec![
        inv.legal.discount.clone(),
        inv.legal.late_penalties.clone(),
        INDEMNITY_MENTION.to_owned(),
    ];
    texts.extend(inv.legal.extra.iter().cloned());
    texts.push(format!(
        "{}, {} au capital de {}, siège social : {}, SIREN {}, RCS {}, \
         TVA intracommunautaire : {}",
        s.name, s.legal_form, s.share_capital, head_office, s.siren, s.rcs_city, s.vat_number
    ));
    doc.subheading("Conditions et mentions légales")
        .note(&texts.join("\n"));
}

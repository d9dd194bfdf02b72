use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::invoice::totals;

fn line(id: &str, halves: u32, price: i64, rate: VatRate) -> Line {
    let l = InvoiceLine {
        description: String::new(),
        quantity: DayQuantity::from_half_days(halves),
        unit_price: Money::from_cents(price),
        vat_rate: rate,
    };
    Line {
        id: id.into(),
        name: format!("Prestation {id}"),
        quantity: l.quantity,
        unit_price: l.unit_price,
        net: l.net(),
        vat_rate: rate,
        period: Some((date!(2026 - 11 - 02), date!(2026 - 11 - 30))),
    }
}

fn totals_of(lines: &[Line]) -> Totals {
    totals(
        &lines
            .iter()
            .map(|l| InvoiceLine {
                description: l.name.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                vat_rate: l.vat_rate,
            })
            .collect::<Vec<_>>(),
    )
}

/// A complete invoice: 19,5 days at 600 € and 2 days at 450,50 €.
pub(crate) fn sample() -> CiiInvoice {
    let lines = vec![
        line("1", 39, 60_000, VatRate::STANDARD),
        line("2", 4, 45_050, VatRate::STANDARD),
    ];
    CiiInvoice {
        number: "FA-2026-000001".into(),
        type_code: TypeCode::Invoice,
        issue_date: date!(2026 - 12 - 01),
        notes: vec![
            Note {
                subject: Some(NoteSubject::Pmd),
                text: "Pénalités de retard : trois fois le taux d'intérêt légal".into(),
            },
            Note {
                subject: Some(NoteSubject::Pmt),
                text: "Indemnité forfaitaire pour frais de recouvrement : 40 €".into(),
            },
            Note {
                subject: Some(NoteSubject::Aab),
                text: "Pas d'escompte pour paiement anticipé".into(),
            },
        ],
        buyer_reference: None,
        purchase_order: Some("PO-<42>".into()),
        contract_reference: Some("CT-2026-7".into()),
        preceding_invoice: None,
        seller: Party {
            name: "Stafforia & Co".into(),
            siren: Some("732829320".into()),
            vat_number: Some("FR44732829320".into()),
            address: Address {
                line1: Some("12 rue de la Paix".into()),
                line2: None,
                postcode: Some("75002".into()),
                city: Some("Paris".into()),
                country: "FR".into(),
            },
            legal_info: Some("SAS au capital de 100 000,00 € — RCS Nanterre".into()),
        },
        buyer: Party {
            name: "Clientis".into(),
            siren: Some("552100554".into()),
            vat_number: None,
            address: Address {
                line1: Some("1 esplanade de la Défense".into()),
                line2: None,
                postcode: Some("92400".into()),
                city: Some("Courbevoie".into()),
                country: "FR".into(),
            },
            legal_info: None,
        },
        period: Some((date!(2026 - 11 - 02), date!(2026 - 11 - 30))),
        iban: Some("FR76 3000 6000 0112 3456 7890 189".into()),
        bic: Some("AGRIFRPP".into()),
        payment_terms: Some("30 jours".into()),
        due_date: Some(date!(2026 - 12 - 31)),
        vat_regime: VatRegime::OnReceipts,
        exemption_reason: None,
        totals: totals_of(&lines),
        lines,
    }
}

#[test]
fn a_complete_invoice_has_no_gap_and_writes_every_business_term() {
    let inv = sample();
    assert_eq!(missing_en16931(&inv), []);
    let xml = to_xml(&inv).unwrap();
    for needle in [
        "<ram:ID>S1</ram:ID>",
        "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
        "<ram:TypeCode>380</ram:TypeCode>",
        "<udt:DateTimeString format=\"102\">20261201</udt:DateTimeString>",
        "<ram:SubjectCode>PMD</ram:SubjectCode>",
        "<ram:BilledQuantity unitCode=\"DAY\">19.5</ram:BilledQuantity>",
        "<ram:LineTotalAmount>11700.00</ram:LineTotalAmount>",
        "<ram:ChargeAmount>450.50</ram:ChargeAmount>",
        "<ram:ID schemeID=\"0002\">732829320</ram:ID>",
        "<ram:URIID schemeID=\"0225\">552100554</ram:URIID>",
        "<ram:ID schemeID=\"VA\">FR44732829320</ram:ID>",
        "<ram:IBANID>FR7630006000011234567890189</ram:IBANID>",
        "<ram:IssuerAssignedID>PO-&lt;42&gt;</ram:IssuerAssignedID>",
        "<ram:Name>Stafforia &amp; Co</ram:Name>",
        "<ram:DueDateTypeCode>72</ram:DueDateTypeCode>",
        "<ram:RateApplicablePercent>20.00</ram:RateApplicablePercent>",
        "<ram:TaxTotalAmount currencyID=\"EUR\">2520.20</ram:TaxTotalAmount>",
        "<ram:GrandTotalAmount>15121.20</ram:GrandTotalAmount>",
    ] {
        assert!(xml.contains(needle), "{needle} missing from\n{xml}");
    }
    // One breakdown row for the one rate.
    assert_eq!(xml.matches("<ram:BasisAmount>").count(), 1);
}

#[test]
fn a_credit_note_cites_its_invoice_and_needs_it() {
    let mut inv = sample();
    inv.type_code = TypeCode::CreditNote;
    assert_eq!(missing_en16931(&inv), [Gap::PrecedingInvoice]);
    inv.preceding_invoice = Some(("FA-2026-000001".into(), Some(date!(2026 - 12 - 01))));
    inv.iban = None;
    let xml = to_xml(&inv).unwrap();
    assert!(xml.contains("<ram:TypeCode>381</ram:TypeCode>"));
    assert!(xml.contains(
        "<ram:InvoiceReferencedDocument>\n        <ram:IssuerAssignedID>FA-2026-000001</ram:IssuerAssignedID>\n        <ram:FormattedIssueDateTime>\n          <qdt:DateTimeString format=\"102\">20261201</qdt:DateTimeString>"
    ), "{xml}");
}

#[test]
fn reverse_charge_is_category_ae_with_its_reason_and_the_buyers_vat_scheme() {
    let mut inv = sample();
    inv.vat_regime = VatRegime::ReverseChargeEu;
    inv.buyer.siren = None;
    inv.buyer.address.country = "BE".into();
    inv.lines = vec![line("1", 40, 60_000, VatRate::ZERO)];
    inv.totals = totals_of(&inv.lines);
    assert_eq!(missing_en16931(&inv), [Gap::BuyerVat]);
    inv.buyer.vat_number = Some("BE0403170701".into());
    let xml = to_xml(&inv).unwrap();
    assert!(xml.contains("<ram:CategoryCode>AE</ram:CategoryCode>"));
    assert!(xml.contains("<ram:ExemptionReason>Autoliquidation</ram:ExemptionReason>"));
    assert!(xml.contains("<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>"));
    assert!(xml.contains("<ram:URIID schemeID=\"9925\">BE0403170701</ram:URIID>"));
    assert!(!xml.contains("DueDateTypeCode"));
    // A 20 % line under the reverse charge is a contradiction.
    inv.lines = vec![line("1", 40, 60_000, VatRate::STANDARD)];
    inv.totals = totals_of(&inv.lines);
    assert!(matches!(to_xml(&inv), Err(CiiError::LineRate { .. })));
    // A buyer in a country without a known VAT scheme cannot be addressed.
    inv.buyer.address.country = "US".into();
    inv.buyer.vat_number = Some("US123".into());
    assert_eq!(missing_en16931(&inv), [Gap::BuyerElectronicAddress]);
}

#[test]
fn several_rates_get_one_breakdown_row_each() {
    let mut inv = sample();
    inv.lines = vec![
        line("1", 40, 60_000, VatRate::STANDARD),
        line("2", 3, 33_333, VatRate::INTERMEDIATE),
    ];
    inv.totals = totals_of(&inv.lines);
    let xml = to_xml(&inv).unwrap();
    assert_eq!(xml.matches("<ram:BasisAmount>").count(), 2);
    assert!(xml.contains("<ram:RateApplicablePercent>10.00</ram:RateApplicablePercent>"));
    assert!(
        xml.contains("<ram:BasisAmount>500.00</ram:BasisAmount>"),
        "{xml}"
    );
}

#[test]
fn what_is_missing_is_listed_once_in_a_stable_order() {
    let mut inv = sample();
    inv.seller = Party {
        name: "—".into(),
        ..Party::default()
    };
    inv.buyer.address = Address {
        country: "FR".into(),
        ..Address::default()
    };
    inv.buyer.siren = Some("12".into());
    inv.iban = Some("  ".into());
    inv.vat_regime = VatRegime::Exempt;
    inv.lines.clear();
    let gaps = missing_en16931(&inv);
    assert_eq!(
        gaps,
        [
            Gap::SellerName,
            Gap::SellerSiren,
            Gap::SellerVat,
            Gap::SellerAddress,
            Gap::SellerCountry,
            Gap::SellerIban,
            Gap::BuyerAddress,
            Gap::BuyerSiren,
            Gap::ExemptionReason,
            Gap::Lines,
        ]
    );
    assert!(gaps.iter().take(6).all(|g| g.is_seller()));
    assert_eq!(Gap::BuyerSiren.key(), "mention-buyer-siren");
    assert!(matches!(to_xml(&inv), Err(CiiError::Missing(g)) if g == gaps));
}

#[test]
fn totals_that_do_not_add_up_are_refused() {
    let mut inv = sample();
    inv.totals.net += Money::from_cents(1);
    assert!(matches!(to_xml(&inv), Err(CiiError::Totals(_))));
    // The VAT of a rate may be a cent off its base × rate (what a last
    // credit note takes), not two.
    let mut inv = sample();
    inv.totals.breakdown[0].vat += Money::from_cents(1);
    inv.totals.vat += Money::from_cents(1);
    inv.totals.gross += Money::from_cents(1);
    assert!(to_xml(&inv).is_ok());
    inv.totals.breakdown[0].vat += Money::from_cents(1);
    inv.totals.vat += Money::from_cents(1);
    inv.totals.gross += Money::from_cents(1);
    assert!(matches!(to_xml(&inv), Err(CiiError::Totals(_))));
}

#[test]
fn text_is_escaped_and_control_characters_dropped() {
    assert_eq!(escape("a<b>&\"c'\u{7}\n"), "a&lt;b&gt;&amp;&quot;c&apos;\n");
}

/// The XML of [`sample`] as checked in: what outsiders consume does not
/// change unnoticed. `REGISSEUR_UPDATE_SNAPSHOTS=1` rewrites it.
#[test]
fn the_sample_matches_its_snapshot() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/facturx-sample.xml"
    );
    let xml = to_xml(&sample()).unwrap();
    if std::env::var_os("REGISSEUR_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &xml).unwrap();
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (REGISSEUR_UPDATE_SNAPSHOTS=1 writes it)"));
    assert_eq!(xml, expected, "the XML differs from {path}");
}

proptest! {
    /// Line net = quantity × price is enforced: the exact product passes,
    /// any other cent is refused with the line named.
    #[test]
    fn line_net_must_be_quantity_times_price(
        halves in 1u32..400,
        price in 1i64..500_000,
        off in prop_oneof![Just(0i64), -1_000i64..=-1, 1i64..1_000],
    ) {
        let mut inv = sample();
        let mut l = line("7", halves, price, VatRate::STANDARD);
        inv.lines = vec![l.clone()];
        inv.totals = totals_of(&inv.lines);
        prop_assert!(to_xml(&inv).is_ok());
        l.net += Money::from_cents(off);
        inv.lines = vec![l.clone()];
        let r = to_xml(&inv);
        if off == 0 {
            prop_assert!(r.is_ok());
        } else {
            let is_line_net = matches!(r, Err(CiiError::LineNet { ref line, .. }) if line == "7");
            prop_assert!(is_line_net, "{:?}", r);
        }
    }
}

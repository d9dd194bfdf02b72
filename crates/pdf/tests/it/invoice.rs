//! Invoices and credit notes: every mandatory French mention is in the text
//! `pdftotext` extracts, the file passes `qpdf --check`, long invoices
//! repeat the lines' header on every page, the bytes are deterministic.

use pdf::invoice::{
    Buyer, FRANCHISE_MENTION, INDEMNITY_MENTION, InvoiceKind, InvoicePdfLine, InvoiceTotals,
    LATE_PENALTY_MENTION, LegalTexts, NATURE_SERVICES, NO_DISCOUNT_MENTION, ON_DEBITS_MENTION,
    ON_RECEIPTS_MENTION, REVERSE_CHARGE_DETAIL, REVERSE_CHARGE_MENTION, Seller, ServicePeriod,
    VatBreakdownRow, VatRegime,
};
use pdf::{InvoicePdf, invoice};

use crate::{CREATED, check, declared_pages, normalize, pages_layout};

/// An amount as `domain::money::Money::format(Locale::Fr)` writes it: a
/// narrow no-break space between thousands, a no-break space before €.
pub(crate) fn eur(units: &str, cents: &str) -> String {
    format!("{},{cents}\u{a0}€", units.replace(' ', "\u{202f}"))
}

pub(crate) fn seller() -> Seller {
    Seller {
        name: "Régisseur Conseil".into(),
        legal_form: "SAS".into(),
        share_capital: eur("50 000", "00"),
        head_office: "12 rue de la Paix\n75002 Paris".into(),
        siren: "123 456 789".into(),
        rcs_city: "Paris".into(),
        vat_number: "FR32123456789".into(),
        iban: "FR76 3000 6000 0112 3456 7890 189".into(),
        bic: Some("AGRIFRPPXXX".into()),
        email: Some("facturation@regisseur.example".into()),
        phone: Some("01 23 45 67 89".into()),
    }
}

fn line(description: &str, quantity: &str, price: &str, rate: &str, net: &str) -> InvoicePdfLine {
    InvoicePdfLine {
        description: description.into(),
        quantity: quantity.into(),
        unit: "jour".into(),
        unit_price: price.into(),
        vat_rate: rate.into(),
        net: net.into(),
    }
}

/// 19,5 days × 600 € at 20 % and 2 days × 25 € at 10 %:
/// 11 750,00 € HT, 2 345,00 € VAT, 14 095,00 € TTC.
pub(crate) fn sample_invoice() -> InvoicePdf {
    InvoicePdf {
        kind: InvoiceKind::Invoice,
        number: "FA-2026-000123".into(),
        issue_date: "30/11/2026".into(),
        period: ServicePeriod {
            from: "02/11/2026".into(),
            to: "30/11/2026".into(),
        },
        due_date: "30/12/2026".into(),
        payment_terms: "30 jours à compter de la date de facture".into(),
        seller: seller(),
        buyer: Buyer {
            name: "Banque Exemple SA".into(),
            address: "1 place de l'Opéra\n75009 Paris".into(),
            billing_address: Some(
                "Service comptabilité fournisseurs\nTSA 12345\n92099 La Défense Cedex".into(),
            ),
            delivery_address: None,
            siren: Some("552 120 222".into()),
            vat_number: Some("FR27552120222".into()),
        },
        purchase_order: Some("PO-2026-4471".into()),
        buyer_reference: None,
        contract_reference: Some("CT-2026-014".into()),
        lines: vec![
            line(
                "Mission « Refonte SI » — Jeanne Martin, consultante senior — novembre 2026",
                "19,5",
                &eur("600", "00"),
                "20 %",
                &eur("11 700", "00"),
            ),
            line(
                "Repas sur site refacturés — novembre 2026",
                "2",
                &eur("25", "00"),
                "10 %",
                &eur("50", "00"),
            ),
        ],
        vat_breakdown: vec![
            VatBreakdownRow {
                rate: "20 %".into(),
                taxable: eur("11 700", "00"),
                vat: eur("2 340", "00"),
            },
            VatBreakdownRow {
                rate: "10 %".into(),
                taxable: eur("50", "00"),
                vat: eur("5", "00"),
            },
        ],
        totals: InvoiceTotals {
            net: eur("11 750", "00"),
            vat: eur("2 345", "00"),
            gross: eur("14 095", "00"),
        },
        vat_regime: VatRegime::OnReceipts,
        legal: LegalTexts::default(),
        created_at: CREATED,
    }
}

/// The credit note of the whole sample invoice.
pub(crate) fn sample_credit_note() -> InvoicePdf {
    InvoicePdf {
        kind: InvoiceKind::CreditNote {
            invoice_number: "FA-2026-000123".into(),
            invoice_date: "30/11/2026".into(),
        },
        number: "AV-2026-000001".into(),
        issue_date: "04/12/2026".into(),
        due_date: "04/12/2026".into(),
        payment_terms: "Remboursement par virement à réception".into(),
        ..sample_invoice()
    }
}

/// 20 days at 650 € for a German client, VAT reverse-charged.
fn sample_reverse_charge() -> InvoicePdf {
    InvoicePdf {
        number: "FA-2026-000124".into(),
        buyer: Buyer {
            name: "Beispiel Software GmbH".into(),
            address: "Friedrichstraße 10\n10117 Berlin\nAllemagne".into(),
            billing_address: None,
            delivery_address: None,
            siren: None,
            vat_number: Some("DE123456789".into()),
        },
        purchase_order: None,
        buyer_reference: None,
        contract_reference: None,
        lines: vec![line(
            "Mission « Data platform » — Paul Durand — novembre 2026",
            "20",
            &eur("650", "00"),
            "0 %",
            &eur("13 000", "00"),
        )],
        vat_breakdown: vec![VatBreakdownRow {
            rate: "0 %".into(),
            taxable: eur("13 000", "00"),
            vat: eur("0", "00"),
        }],
        totals: InvoiceTotals {
            net: eur("13 000", "00"),
            // Never printed under the reverse charge: a wrong figure here
            // must not reach the PDF.
            vat: eur("2 600", "00"),
            gross: eur("15 600", "00"),
        },
        vat_regime: VatRegime::ReverseChargeEu,
        ..sample_invoice()
    }
}

/// Renders, checks with qpdf, and returns the normalized text of all pages
/// and their `-layout` lines (normalized); `None` without pdftotext.
fn render(inv: &InvoicePdf) -> Option<(Vec<u8>, String, Vec<String>)> {
    let bytes = invoice(inv).to_bytes();
    let pages = check(&bytes)?;
    let text = normalize(&pages.join("\n"));
    let layout = pages_layout(&bytes)?
        .iter()
        .flat_map(|p| p.lines().map(normalize).collect::<Vec<_>>())
        .filter(|l| !l.is_empty())
        .collect();
    Some((bytes, text, layout))
}

fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(&normalize(e)), "{e:?} not in {text:?}");
    }
}

/// A line of the `-layout` text holding all of `parts`, in this order.
fn assert_line(layout: &[String], parts: &[&str]) {
    let parts: Vec<String> = parts.iter().map(|p| normalize(p)).collect();
    let found = layout.iter().any(|l| {
        let mut rest = l.as_str();
        parts.iter().all(|p| match rest.find(p.as_str()) {
            Some(at) => {
                rest = &rest[at + p.len()..];
                true
            }
            None => false,
        })
    });
    assert!(found, "no line with {parts:?} in {layout:#?}");
}

#[test]
fn an_invoice_carries_every_mandatory_mention() {
    let inv = sample_invoice();
    assert_eq!(invoice(&inv).page_count(), 1);
    let Some((_, text, layout)) = render(&inv) else {
        return;
    };
    assert_contains(
        &text,
        &[
            // Number and date of issue (CGI 242 nonies A).
            "Facture N° FA-2026-000123",
            "Date d'émission",
            "30/11/2026",
            // Seller: name, legal form, capital, head office, SIREN, RCS,
            // VAT number (R123-237, CGI 242 nonies A).
            "Régisseur Conseil",
            "SAS au capital de 50 000,00 €",
            "12 rue de la Paix",
            "75002 Paris",
            "SIREN 123 456 789 — RCS Paris",
            "TVA intracommunautaire : FR32123456789",
            "Régisseur Conseil, SAS au capital de 50 000,00 €, siège social : 12 rue de la Paix, \
             75002 Paris, SIREN 123 456 789, RCS Paris, TVA intracommunautaire : FR32123456789",
            // Buyer: name, address, billing address, SIREN, VAT number.
            "Client : Banque Exemple SA",
            "1 place de l'Opéra",
            "75009 Paris",
            "Adresse de facturation : Service comptabilité fournisseurs TSA 12345 \
             92099 La Défense Cedex",
            "SIREN 552 120 222",
            "TVA intracommunautaire : FR27552120222",
            // Nature, purchase order, contract.
            NATURE_SERVICES,
            "PO-2026-4471",
            "CT-2026-014",
            // Lines: precise description, quantity, unit, unit price HT,
            // rate, net HT.
            "Mission « Refonte SI » — Jeanne Martin, consultante senior — novembre 2026",
            "Repas sur site refacturés — novembre 2026",
            "19,5",
            "jour",
            "600,00 €",
            "11 700,00 €",
            "25,00 €",
            "50,00 €",
            // VAT breakdown: base per rate, rate, VAT; totals.
            "2 340,00 €",
            "5,00 €",
            "11 750,00 €",
            "2 345,00 €",
            "14 095,00 €",
            ON_RECEIPTS_MENTION,
            // Payment: due date, terms, IBAN, BIC.
            "30 jours à compter de la date de facture",
            "FR76 3000 6000 0112 3456 7890 189",
            "AGRIFRPPXXX",
            // L441-9 / D441-5.
            NO_DISCOUNT_MENTION,
            LATE_PENALTY_MENTION,
            INDEMNITY_MENTION,
            "40 €",
            "RCS",
            "page 1 / 1",
        ],
    );
    assert!(!text.contains("Adresse de livraison"), "{text}");
    assert!(!text.contains("Avoir"), "{text}");

    // Labels sit on the line of their values.
    for (label, value) in [
        ("Date d'émission", "30/11/2026"),
        ("Date d'échéance", "30/12/2026"),
        ("Période de prestation", "du 02/11/2026 au 30/11/2026"),
        ("Nature", NATURE_SERVICES),
        ("Bon de commande", "PO-2026-4471"),
        ("Contrat", "CT-2026-014"),
        ("Échéance", "30/12/2026"),
        ("IBAN", "FR76 3000 6000 0112 3456 7890 189"),
        ("Référence à rappeler", "FA-2026-000123"),
    ] {
        assert_line(&layout, &[label, value]);
    }
    // The lines table, row by row: quantity, unit, price, rate, net.
    assert_line(
        &layout,
        &[
            "Désignation",
            "Quantité",
            "Unité",
            "Prix unitaire HT",
            "TVA",
            "Montant HT",
        ],
    );
    assert_line(
        &layout,
        &["Mission", "19,5", "jour", "600,00 €", "20 %", "11 700,00 €"],
    );
    assert_line(
        &layout,
        &["Repas sur site", "2", "jour", "25,00 €", "10 %", "50,00 €"],
    );
    // The VAT breakdown: rate, base, VAT; then the totals.
    assert_line(&layout, &["Taux de TVA", "Base HT", "Montant TVA"]);
    assert_line(&layout, &["20 %", "11 700,00 €", "2 340,00 €"]);
    assert_line(&layout, &["10 %", "50,00 €", "5,00 €"]);
    assert_line(&layout, &["Total HT", "Total TVA", "Total TTC"]);
    assert_line(&layout, &["11 750,00 €", "2 345,00 €", "14 095,00 €"]);
}

#[test]
fn a_credit_note_cites_the_invoice_it_credits() {
    let Some((_, text, layout)) = render(&sample_credit_note()) else {
        return;
    };
    assert_contains(
        &text,
        &[
            "Avoir N° AV-2026-000001",
            "Avoir sur la facture FA-2026-000123 du 30/11/2026",
            "Remboursement par virement à réception",
            "SIREN 123 456 789 — RCS Paris",
            "SIREN 552 120 222",
            "14 095,00 €",
            INDEMNITY_MENTION,
        ],
    );
    assert_line(&layout, &["Date d'émission", "04/12/2026"]);
    assert_line(
        &layout,
        &["Modalités", "Remboursement par virement à réception"],
    );
    assert!(!text.contains("Facture N°"), "{text}");
    // The seller's bank details are for the buyer to pay: not on a credit
    // note.
    assert!(!text.contains("FR76 3000"), "{text}");
}

#[test]
fn a_reverse_charge_invoice_says_autoliquidation_and_shows_no_vat_amount() {
    let inv = sample_reverse_charge();
    let Some((_, text, layout)) = render(&inv) else {
        return;
    };
    assert_contains(
        &text,
        &[
            "Facture N° FA-2026-000124",
            "Client : Beispiel Software GmbH",
            "Friedrichstraße 10",
            "TVA intracommunautaire : DE123456789",
            REVERSE_CHARGE_MENTION,
            REVERSE_CHARGE_DETAIL,
            "13 000,00 €",
            INDEMNITY_MENTION,
        ],
    );
    assert_line(&layout, &["Total HT", "TVA", "Net à payer"]);
    assert_line(
        &layout,
        &["13 000,00 €", REVERSE_CHARGE_MENTION, "13 000,00 €"],
    );
    for absent in [
        "2 600,00 €",
        "15 600,00 €",
        "Total TVA",
        "Total TTC",
        "Montant TVA",
        ON_RECEIPTS_MENTION,
        "Bon de commande",
        "Contrat",
        "Adresse de facturation",
    ] {
        assert!(!text.contains(&normalize(absent)), "{absent:?} in {text}");
    }
    // A foreign buyer has no SIREN: only the seller's is printed.
    assert_eq!(text.matches("SIREN").count(), 3, "{text}");
}

#[test]
fn each_vat_regime_prints_its_mention() {
    for (regime, expected, absent) in [
        (VatRegime::OnDebits, ON_DEBITS_MENTION, ON_RECEIPTS_MENTION),
        (
            VatRegime::Exempt {
                mention: FRANCHISE_MENTION.into(),
            },
            FRANCHISE_MENTION,
            "Total TTC",
        ),
    ] {
        let inv = InvoicePdf {
            vat_regime: regime,
            ..sample_invoice()
        };
        let Some((_, text, _)) = render(&inv) else {
            return;
        };
        assert!(text.contains(expected), "{expected:?} not in {text}");
        assert!(!text.contains(absent), "{absent:?} in {text}");
    }
}

#[test]
fn agreed_terms_and_extra_texts_replace_the_defaults() {
    let inv = InvoicePdf {
        legal: LegalTexts {
            discount: "Escompte de 1 % pour paiement sous 8 jours".into(),
            late_penalties: "Pénalités de retard : taux BCE + 10 points".into(),
            extra: vec!["Conditions générales de vente : www.regisseur.example/cgv".into()],
        },
        purchase_order: None,
        buyer_reference: None,
        ..sample_invoice()
    };
    let Some((_, text, _)) = render(&inv) else {
        return;
    };
    assert_contains(
        &text,
        &[
            "Escompte de 1 % pour paiement sous 8 jours",
            "Pénalités de retard : taux BCE + 10 points",
            "Conditions générales de vente : www.regisseur.example/cgv",
            INDEMNITY_MENTION,
        ],
    );
    assert!(!text.contains(NO_DISCOUNT_MENTION), "{text}");
    assert!(!text.contains("trois fois"), "{text}");
    assert!(!text.contains("Bon de commande"), "{text}");
}

#[test]
fn sixty_lines_span_pages_and_repeat_the_header() {
    let lines: Vec<InvoicePdfLine> = (1..=60)
        .map(|i| {
            line(
                &format!("Ligne {i:02} — mission de régie, consultant n° {i}, novembre 2026"),
                "1",
                &eur("600", "00"),
                "20 %",
                &eur("600", "00"),
            )
        })
        .collect();
    let inv = InvoicePdf {
        lines,
        vat_breakdown: vec![VatBreakdownRow {
            rate: "20 %".into(),
            taxable: eur("36 000", "00"),
            vat: eur("7 200", "00"),
        }],
        totals: InvoiceTotals {
            net: eur("36 000", "00"),
            vat: eur("7 200", "00"),
            gross: eur("43 200", "00"),
        },
        ..sample_invoice()
    };
    let doc = invoice(&inv);
    let total = doc.page_count();
    assert!(total >= 2, "{total} pages");
    let bytes = doc.to_bytes();
    assert_eq!(declared_pages(&bytes), total);
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), total);
    let layout = pages_layout(&bytes).unwrap();
    let mut seen = Vec::new();
    let mut pages_with_rows = 0;
    for (i, (page, layout)) in pages.iter().zip(&layout).enumerate() {
        let text = normalize(page);
        assert!(
            text.contains(
                "Facture N° FA-2026-000123 — Régisseur Conseil — SIREN 123 456 789 — RCS Paris"
            ) && text.contains(&format!("page {} / {total}", i + 1)),
            "page {}: footer missing in {text}",
            i + 1
        );
        let lines: Vec<String> = layout.lines().map(normalize).collect();
        let rows: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("Ligne "))
            .map(|l| l[..2].to_owned())
            .collect();
        if !rows.is_empty() {
            pages_with_rows += 1;
            // The header, above the page's first row.
            let header = lines
                .iter()
                .position(|l| l == "Désignation Quantité Unité Prix unitaire HT TVA Montant HT")
                .unwrap_or_else(|| panic!("page {}: no header in {lines:#?}", i + 1));
            let first = lines.iter().position(|l| l.starts_with("Ligne ")).unwrap();
            assert!(header < first, "page {}: header below the rows", i + 1);
        }
        seen.extend(rows);
    }
    assert!(pages_with_rows >= 2, "{pages_with_rows} pages with rows");
    let expected: Vec<String> = (1..=60).map(|i| format!("{i:02}")).collect();
    assert_eq!(seen, expected, "every line once, in order");
    let all = normalize(&pages.join("\n"));
    assert_contains(&all, &["36 000,00 €", "43 200,00 €", INDEMNITY_MENTION]);
}

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    let a = invoice(&sample_invoice()).to_bytes();
    assert_eq!(a, invoice(&sample_invoice()).to_bytes());
    let later = InvoicePdf {
        created_at: CREATED + time::Duration::seconds(1),
        ..sample_invoice()
    };
    assert_ne!(a, invoice(&later).to_bytes());
    assert_eq!(
        invoice(&sample_invoice()).title(),
        "Facture N° FA-2026-000123 — Régisseur Conseil"
    );
}

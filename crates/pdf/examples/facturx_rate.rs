//! Renders N Factur-X invoices (PDF/A-3b with the XML attached; default
//! 2000) and prints invoices per second and their average size.
//!
//!     cargo run --release -p pdf --example facturx_rate [-- N [OUT.pdf]]
//!
//! With OUT.pdf, the first invoice is also written there.

use std::time::Instant;

use pdf::invoice::{
    Buyer, InvoiceKind, InvoicePdfLine, InvoiceTotals, LegalTexts, Seller, ServicePeriod,
    VatBreakdownRow, VatRegime,
};
use pdf::{FacturX, InvoicePdf, facturx_invoice, sha256_hex};

const XML: &[u8] = include_bytes!("../tests/data/factur-x.xml");

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = match args.next() {
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: facturx_rate [N [OUT.pdf]]");
            std::process::exit(2)
        }),
        None => 2000,
    };
    let out = args.next();
    let fx = FacturX {
        xml: XML,
        conformance_level: "EN 16931",
        document_type: "INVOICE",
    };

    let start = Instant::now();
    let mut bytes_total = 0usize;
    let mut last = String::new();
    for i in 0..n {
        let bytes = facturx_invoice(&sample(i), &fx);
        bytes_total += bytes.len();
        if i == 0
            && let Some(path) = &out
        {
            std::fs::write(path, &bytes).expect("write the sample");
        }
        if i + 1 == n {
            last = sha256_hex(&bytes);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{n} Factur-X invoices in {elapsed:.3} s: {:.0} invoices/s, average {:.1} KiB (last sha256 {last})",
        n as f64 / elapsed,
        bytes_total as f64 / n.max(1) as f64 / 1024.0,
    );
}

fn eur(amount: &str) -> String {
    format!("{amount}\u{a0}€")
}

/// A typical monthly invoice: two lines, two VAT rates.
fn sample(i: usize) -> InvoicePdf {
    let consultants = [
        "Jeanne Martin",
        "Noël Lefèvre",
        "Zoé Château",
        "Hélène Dufour",
    ];
    InvoicePdf {
        kind: InvoiceKind::Invoice,
        number: format!("FA-2026-{:06}", i + 1),
        issue_date: "30/11/2026".into(),
        period: ServicePeriod {
            from: "02/11/2026".into(),
            to: "30/11/2026".into(),
        },
        due_date: "30/12/2026".into(),
        payment_terms: "30 jours à compter de la date de facture".into(),
        seller: Seller {
            name: "Régisseur Conseil".into(),
            legal_form: "SAS".into(),
            share_capital: eur("50\u{202f}000,00"),
            head_office: "12 rue de la Paix\n75002 Paris".into(),
            siren: "123 456 789".into(),
            rcs_city: "Paris".into(),
            vat_number: "FR32123456789".into(),
            iban: "FR76 3000 6000 0112 3456 7890 189".into(),
            bic: Some("AGRIFRPPXXX".into()),
            email: Some("facturation@regisseur.example".into()),
            phone: Some("01 23 45 67 89".into()),
        },
        buyer: Buyer {
            name: "Banque Exemple SA".into(),
            address: "1 place de l'Opéra\n75009 Paris".into(),
            billing_address: None,
            delivery_address: None,
            siren: Some("552 120 222".into()),
            vat_number: Some("FR27552120222".into()),
        },
        purchase_order: Some(format!("PO-2026-{}", 4000 + i % 1000)),
        buyer_reference: None,
        contract_reference: Some("CT-2026-014".into()),
        lines: vec![
            InvoicePdfLine {
                description: format!(
                    "Mission « Refonte SI » — {}, consultante senior — novembre 2026",
                    consultants[i % consultants.len()]
                ),
                quantity: "19,5".into(),
                unit: "jour".into(),
                unit_price: eur("600,00"),
                vat_rate: "20 %".into(),
                net: eur("11\u{202f}700,00"),
            },
            InvoicePdfLine {
                description: "Repas sur site refacturés — novembre 2026".into(),
                quantity: "2".into(),
                unit: "jour".into(),
                unit_price: eur("25,00"),
                vat_rate: "10 %".into(),
                net: eur("50,00"),
            },
        ],
        vat_breakdown: vec![
            VatBreakdownRow {
                rate: "20 %".into(),
                taxable: eur("11\u{202f}700,00"),
                vat: eur("2\u{202f}340,00"),
            },
            VatBreakdownRow {
                rate: "10 %".into(),
                taxable: eur("50,00"),
                vat: eur("5,00"),
            },
        ],
        totals: InvoiceTotals {
            net: eur("11\u{202f}750,00"),
            vat: eur("2\u{202f}345,00"),
            gross: eur("14\u{202f}095,00"),
        },
        vat_regime: VatRegime::OnReceipts,
        legal: LegalTexts::default(),
        created_at: time::macros::datetime!(2026-11-30 18:00 +01:00),
    }
}

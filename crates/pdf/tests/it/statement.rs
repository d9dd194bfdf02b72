//! The customer statement: the open invoices with their figures, the
//! totals by age, the credit, the payments and the firm's IBAN are in the
//! text `pdftotext` extracts; the file passes `qpdf --check`; a long list
//! spans pages with its header repeated; the bytes are deterministic.

use pdf::statement::{StatementItem, StatementPayment};
use pdf::{StatementPdf, statement};

use crate::invoice::{eur, seller};
use crate::{CREATED, check, normalize, pages_layout};

fn item(
    number: &str,
    due: &str,
    amount: &str,
    paid: &str,
    open: &str,
    late: &str,
) -> StatementItem {
    StatementItem {
        number: number.into(),
        issue_date: "30/09/2026".into(),
        due_date: due.into(),
        amount: amount.into(),
        paid: paid.into(),
        outstanding: open.into(),
        days_late: late.into(),
    }
}

/// Clientis: FA-2026-000101 (14 400,00 €) half paid and 40 days late,
/// FA-2026-000130 not due; 500,00 € of credit.
fn sample() -> StatementPdf {
    StatementPdf {
        seller: seller(),
        client_name: "Clientis SA".into(),
        client_address: "8 avenue des Ternes\n75017 Paris".into(),
        as_of: "10/12/2026".into(),
        items: vec![
            item(
                "FA-2026-000101",
                "31/10/2026",
                &eur("14 400", "00"),
                &eur("7 200", "00"),
                &eur("7 200", "00"),
                "40",
            ),
            item(
                "FA-2026-000130",
                "31/12/2026",
                &eur("12 000", "00"),
                &eur("0", "00"),
                &eur("12 000", "00"),
                "",
            ),
        ],
        buckets: vec![
            ("Non échu".into(), eur("12 000", "00")),
            ("0 à 30 jours".into(), eur("0", "00")),
            ("31 à 60 jours".into(), eur("7 200", "00")),
            ("61 à 90 jours".into(), eur("0", "00")),
            ("Plus de 90 jours".into(), eur("0", "00")),
        ],
        total_open: eur("19 200", "00"),
        credit: Some(eur("500", "00")),
        balance: eur("18 700", "00"),
        payments: vec![StatementPayment {
            date: "15/11/2026".into(),
            method: "Virement".into(),
            reference: "VIR CLIENTIS FA-2026-000101".into(),
            amount: eur("7 700", "00"),
        }],
        payments_since: "11/09/2026".into(),
        created_at: CREATED,
    }
}

#[test]
fn a_statement_prints_the_open_items_ages_credit_and_iban() {
    let st = sample();
    let bytes = statement(&st).to_bytes();
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(pages) = check(&bytes) else {
        return;
    };
    assert_eq!(pages.len(), 1);
    let text = normalize(&pages.join("\n"));
    for e in [
        "Relevé de compte au 10/12/2026",
        "Régisseur Conseil",
        "Client : Clientis SA",
        "SIREN 123 456 789",
        "FA-2026-000101",
        "FA-2026-000130",
        "Jours de retard",
        "Plus de 90 jours",
        "Solde à régler",
        "VIR CLIENTIS FA-2026-000101",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPPXXX",
    ] {
        assert!(text.contains(&normalize(e)), "{e:?} not in {text:?}");
    }
    let layout: Vec<String> = pages_layout(&bytes)
        .unwrap()
        .iter()
        .flat_map(|p| p.lines().map(normalize).collect::<Vec<_>>())
        .collect();
    let line_with = |parts: &[&str]| {
        layout
            .iter()
            .any(|l| parts.iter().all(|p| l.contains(&normalize(p))))
    };
    assert!(
        line_with(&[
            "FA-2026-000101",
            "31/10/2026",
            &eur("14 400", "00"),
            &eur("7 200", "00"),
            "40"
        ]),
        "{layout:#?}"
    );
    assert!(
        line_with(&["Solde à régler", &eur("18 700", "00")]),
        "{layout:#?}"
    );
    assert!(
        line_with(&["Avoir en votre faveur", &eur("500", "00")]),
        "{layout:#?}"
    );
    assert_eq!(statement(&st).to_bytes(), bytes, "deterministic");
}

#[test]
fn a_long_statement_spans_pages_and_an_empty_one_says_so() {
    let mut st = sample();
    st.items = (1..=80)
        .map(|n| {
            item(
                &format!("FA-2026-{n:06}"),
                "31/10/2026",
                &eur("1 200", "00"),
                &eur("0", "00"),
                &eur("1 200", "00"),
                "40",
            )
        })
        .collect();
    let bytes = statement(&st).to_bytes();
    if let Some(pages) = check(&bytes) {
        assert!(pages.len() >= 2);
        assert!(
            pages.iter().all(|p| p.contains("Reste dû")),
            "header on every page"
        );
        assert!(normalize(&pages.join("\n")).contains("FA-2026-000080"));
    }
    st.items.clear();
    st.payments.clear();
    st.credit = None;
    let bytes = statement(&st).to_bytes();
    if let Some(pages) = check(&bytes) {
        let text = normalize(&pages.join("\n"));
        assert!(text.contains("Aucune facture ouverte à cette date."));
        assert!(text.contains("Aucun règlement reçu sur cette période."));
        assert!(!text.contains("Avoir en votre faveur"));
    }
}

//! Documents built with the builder: validity, French text, wrapping and
//! page breaks, footers, tables, determinism.

use pdf::{CONTENT_WIDTH, Document, Font};

use crate::{CREATED, check, declared_pages, normalize, pages_layout};

const FRENCH: &str = "Société générale : é è ê à ç ô û ù î ï œ Œ É À Ç « guillemets » \
                      1 234,56 € l’apostrophe – demi-cadratin — cadratin … “anglais” ‘simple’ \
                      Noël naïf cœur (parenthèses) \\ barre oblique inverse";

#[test]
fn french_text_is_extracted_exactly() {
    let mut doc = Document::new("Société « Test » — 100 €");
    doc.created_at(CREATED)
        .heading("Ordre de mission — été 2025")
        .subheading("Conditions financières")
        .paragraph(FRENCH)
        .key_values(&[("Taux journalier", "650,00 €"), ("Lieu", "Île-de-France")])
        .bullet("Première puce, à l’œil")
        .paragraph("Hors cp1252 : 日本 ✓")
        .footer("Régisseur — confidentiel");
    let bytes = doc.to_bytes();
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), 1);
    let text = normalize(&pages[0]);
    for expected in [
        "Ordre de mission — été 2025",
        "Conditions financières",
        FRENCH,
        "Taux journalier",
        "650,00 €",
        "Lieu",
        "Île-de-France",
        "• Première puce, à l’œil",
        "Hors cp1252 : ?? ?",
        "Régisseur — confidentiel",
        "page 1 / 1",
    ] {
        assert!(
            text.contains(&normalize(expected)),
            "{expected:?} not in {text:?}"
        );
    }
    // Side by side, the labels are on the lines of their values.
    let layout = pages_layout(&bytes).unwrap();
    let lines: Vec<String> = layout[0].lines().map(normalize).collect();
    assert!(
        lines.iter().any(|l| l == "Taux journalier 650,00 €"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "Lieu Île-de-France"), "{lines:?}");
}

#[test]
fn an_empty_document_is_a_valid_one_page_pdf() {
    let mut doc = Document::new("");
    doc.created_at(CREATED);
    let bytes = doc.to_bytes();
    assert_eq!(declared_pages(&bytes), 1);
    if let Some(pages) = check(&bytes) {
        assert_eq!(pages.len(), 1);
        assert!(pages[0].trim().is_empty());
    }
}

/// Deterministic filler: French words, some long, no line of its own.
fn long_text(words: usize) -> String {
    const WORDS: [&str; 12] = [
        "régie",
        "facturation",
        "consultant",
        "mission",
        "échéance",
        "reconduction",
        "analytique",
        "prestataire",
        "intercontrat",
        "renouvellement",
        "sûreté",
        "Œuvre",
    ];
    (0..words)
        .map(|i| format!("{}{}", WORDS[i % WORDS.len()], i))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn long_text_wraps_onto_pages_with_a_correct_footer_on_each() {
    let body = long_text(3000);
    let mut doc = Document::new("Long");
    doc.created_at(CREATED)
        .heading("Texte long")
        .paragraph(&body)
        .footer("Pied de page — Régisseur");
    let bytes = doc.to_bytes();
    let total = doc.page_count();
    assert!(total >= 4, "{total} pages");
    assert_eq!(declared_pages(&bytes), total);
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), total);

    let mut body_lines = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let mut lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        let footer = format!("page {} / {total}", i + 1);
        assert!(
            lines.contains(&footer.as_str()) && lines.contains(&"Pied de page — Régisseur"),
            "page {}: {lines:?}",
            i + 1
        );
        lines.retain(|l| *l != footer && *l != "Pied de page — Régisseur");
        if i == 0 {
            assert_eq!(lines.remove(0), "Texte long");
        }
        // Every page but the last is full: 52 lines of 14 pt in 741.89 pt
        // (53 on the first page would not fit under the heading).
        if i + 1 < total {
            assert!(lines.len() >= 50, "page {}: {} lines", i + 1, lines.len());
        }
        body_lines.extend(lines);
    }
    // Nothing lost, nothing reordered, no word cut.
    assert_eq!(normalize(&body_lines.join(" ")), body);
    // Every line fits in the column.
    for line in &body_lines {
        assert!(
            Font::Helvetica.text_width(line, 11.0) <= CONTENT_WIDTH,
            "{line}"
        );
    }
}

#[test]
fn explicit_page_breaks_and_newlines() {
    let mut doc = Document::new("Sauts");
    doc.created_at(CREATED)
        .paragraph("première ligne\ndeuxième ligne\n\nquatrième ligne")
        .page_break()
        .spacer(100.0)
        .paragraph("page deux")
        .footer("f");
    let bytes = doc.to_bytes();
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), 2);
    // With -layout, the blank line is kept.
    let layout = pages_layout(&bytes).unwrap();
    let first: Vec<&str> = layout[0].lines().map(str::trim).collect();
    assert_eq!(
        &first[..4],
        ["première ligne", "deuxième ligne", "", "quatrième ligne"]
    );
    assert!(pages[1].contains("page deux") && pages[1].contains("page 2 / 2"));
}

#[test]
fn the_table_header_repeats_on_every_page() {
    let rows: Vec<Vec<String>> = (1..=150)
        .map(|i| {
            vec![
                format!("L{i:03}"),
                format!("Prestation de régie n° {i}, consultant senior — période d’été"),
                format!("{},00 €", 600 + i),
            ]
        })
        .collect();
    let mut doc = Document::new("Tableau");
    doc.created_at(CREATED)
        .heading("Relevé")
        .table(
            &["Réf.", "Désignation", "Montant TTC"],
            &rows,
            &[1.0, 4.0, 1.5],
        )
        .paragraph("Fin du relevé.")
        .footer("Relevé");
    let bytes = doc.to_bytes();
    let total = doc.page_count();
    assert!(total >= 3, "{total} pages");
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), total);
    let mut seen = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for header in ["Réf.", "Désignation", "Montant TTC"] {
            assert!(
                page.lines().any(|l| l.trim() == header),
                "page {}: no header {header:?}",
                i + 1
            );
        }
        assert!(page.contains(&format!("page {} / {total}", i + 1)));
        seen.extend(
            page.lines()
                .filter(|l| l.starts_with('L') && l.len() == 4)
                .map(str::to_owned),
        );
    }
    let expected: Vec<String> = (1..=150).map(|i| format!("L{i:03}")).collect();
    assert_eq!(seen, expected, "every row once, in order");
    let all = normalize(&pages.join("\n"));
    assert!(all.contains("Prestation de régie n° 150, consultant senior — période d’été"));
    assert!(all.contains("750,00 €"));
    assert!(all.contains("Fin du relevé."));
}

#[test]
fn identical_input_gives_identical_bytes() {
    let build = |at| {
        let mut doc = Document::new("Déterminisme");
        doc.created_at(at)
            .heading("Titre")
            .paragraph(&long_text(500))
            .table(&["a", "b"], &[vec!["1".into(), "2".into()]], &[1.0, 1.0])
            .footer("pied");
        doc.to_bytes()
    };
    let a = build(CREATED);
    assert_eq!(a, build(CREATED));
    let later = build(CREATED + time::Duration::seconds(1));
    assert_ne!(a, later);
    // Only the creation date and the file identifier differ.
    assert_eq!(a.len(), later.len());
    let differing = a.iter().zip(&later).filter(|(x, y)| x != y).count();
    assert!(differing <= 1 + 2 * 32, "{differing} bytes differ");
    crate::qpdf_check(&a);
}

#[test]
fn the_width_of_societe_is_the_afm_sum() {
    // S 667 + o 556 + c 500 + i 222 + é 556 + t 278 + é 556 = 3335/1000 em.
    assert!((Font::Helvetica.text_width("Société", 10.0) - 33.35).abs() < 1e-4);
    // Bold: S 667 + o 611 + c 556 + i 278 + é 556 + t 333 + é 556 = 3557.
    assert!((Font::HelveticaBold.text_width("Société", 10.0) - 35.57).abs() < 1e-4);
}

#[test]
fn a_long_footer_is_shortened() {
    let mut doc = Document::new("Pied");
    doc.created_at(CREATED)
        .paragraph("x")
        .footer(&"très long pied de page ".repeat(20));
    let bytes = doc.to_bytes();
    let Some(pages) = check(&bytes) else { return };
    assert!(pages[0].contains('…'), "{:?}", pages[0]);
    assert!(pages[0].contains("page 1 / 1"));
}

#[test]
fn a_document_read_back_from_its_spec_writes_the_same_bytes() {
    let mut doc = pdf::Document::new("Avenant n° 2");
    doc.created_at(time::macros::datetime!(2026-11-29 10:15:00 UTC))
        .heading("Avenant n° 2 — prolongation")
        .paragraph("Nouvelle date de fin : 31/03/2027.\nTJM : 650,00 €")
        .key_values(&[("Mission", "Refonte SI « Clientis »")])
        .table(&["A", "B"], &[vec!["1".into(), "2".into()]], &[1.0, 1.0])
        .footer("Régisseur");
    let again = pdf::Document::from_spec(&doc.to_spec()).unwrap();
    assert_eq!(again.to_bytes(), doc.to_bytes());
    assert!(pdf::Document::from_spec("{not json").is_err());
}

//! Factur-X invoices as PDF/A-3b, checked with tools this crate did not
//! write: `qpdf --check`, `pdftotext`, `pdffonts`, `pdfdetach` (poppler)
//! and pypdf through `tests/check_pdfa.py`. veraPDF, the reference
//! validator, cannot be installed here (see the `pdf::pdfa` module).
//!
//! The Python check runs with the interpreter named by `REGISSEUR_PYTHON`
//! (it needs pypdf; CI provides a venv). Unset, or without pypdf, the check
//! is skipped with a message — unless `REGISSEUR_REQUIRE_PDF_TOOLS` is set.

use std::path::Path;
use std::process::Command;

use pdf::{FacturX, InvoicePdf, facturx_invoice, invoice};

use crate::invoice::{sample_credit_note, sample_invoice};
use crate::{TempPdf, check, normalize, pages_text, run, tools_required};

const XML: &[u8] = include_bytes!("../data/factur-x.xml");

fn fx() -> FacturX<'static> {
    FacturX {
        xml: XML,
        conformance_level: "EN 16931",
        document_type: "INVOICE",
    }
}

fn xml_path() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/factur-x.xml"
    ))
}

#[test]
fn a_facturx_invoice_passes_qpdf_and_keeps_its_french_text() {
    let inv = sample_invoice();
    let bytes = facturx_invoice(&inv, &fx());
    assert!(bytes.starts_with(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"));
    let Some(pages) = check(&bytes) else { return };
    let text = normalize(&pages.join("\n"));
    for expected in [
        "Facture N° FA-2026-000123",
        "Régisseur Conseil",
        "Mission « Refonte SI »",
        "11 700,00 €",
        "Date d'émission",
        "Pénalités de retard",
    ] {
        assert!(
            text.contains(&normalize(expected)),
            "{expected:?} not in {text:?}"
        );
    }
    // The same text as the Helvetica version: the metric-compatible fonts
    // move nothing that pdftotext would notice.
    let plain = pages_text(&invoice(&inv).to_bytes()).expect("pdftotext ran above");
    assert_eq!(pages, plain);
}

#[test]
fn a_facturx_invoice_is_deterministic() {
    let a = facturx_invoice(&sample_invoice(), &fx());
    assert_eq!(a, facturx_invoice(&sample_invoice(), &fx()));
    let other = FacturX {
        xml: b"<other/>",
        ..fx()
    };
    assert_ne!(a, facturx_invoice(&sample_invoice(), &other));
}

#[test]
fn every_font_is_embedded() {
    let bytes = facturx_invoice(&sample_invoice(), &fx());
    let pdf = TempPdf::new(&bytes);
    let Some(output) = run("pdffonts", &[], &pdf, &[]) else {
        return;
    };
    assert!(output.status.success(), "pdffonts failed");
    let listing = String::from_utf8_lossy(&output.stdout);
    // name type encoding emb sub uni object-number generation
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "{listing}");
    for font in &fonts {
        let n = font.len();
        assert!(n >= 7, "{listing}");
        assert_eq!(font[n - 5], "yes", "not embedded:\n{listing}");
        assert_eq!(font[1], "TrueType", "{listing}");
        assert_eq!(font[2], "WinAnsi", "{listing}");
    }
    assert!(listing.contains("+RegisseurSans "), "{listing}");
    assert!(listing.contains("+RegisseurSans-Bold "), "{listing}");

    // The plain PDF, for contrast, embeds nothing.
    let plain = TempPdf::new(&invoice(&sample_invoice()).to_bytes());
    let output = run("pdffonts", &[], &plain, &[]).expect("pdffonts ran above");
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(
        listing.lines().skip(2).all(|l| l.contains(" no ")),
        "{listing}"
    );
}

#[test]
fn the_xml_comes_back_byte_for_byte() {
    let bytes = facturx_invoice(&sample_credit_note(), &fx());
    let pdf = TempPdf::new(&bytes);
    let Some(output) = run("pdfdetach", &["-list"], &pdf, &[]) else {
        return;
    };
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "pdfdetach -list failed");
    assert!(listing.starts_with("1 embedded files"), "{listing}");
    assert!(listing.contains("1: factur-x.xml"), "{listing}");

    let out = pdf.path().with_extension("xml");
    let saved = run(
        "pdfdetach",
        &["-save", "1", "-o", out.to_str().expect("a UTF-8 temp path")],
        &pdf,
        &[],
    )
    .expect("pdfdetach ran above");
    assert!(
        saved.status.success(),
        "pdfdetach -save failed: {}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let back = std::fs::read(&out).expect("pdfdetach wrote the file");
    let _ = std::fs::remove_file(&out);
    assert!(back == XML, "the extracted XML differs");
}

/// Runs `tests/check_pdfa.py` on `bytes`; `None` when skipped.
fn pypdf_check(bytes: &[u8]) -> Option<(bool, String)> {
    let python = match std::env::var("REGISSEUR_PYTHON") {
        Ok(p) if !p.is_empty() => p,
        _ if tools_required() => {
            panic!(
                "REGISSEUR_PYTHON must name a python with pypdf when REGISSEUR_REQUIRE_PDF_TOOLS is set"
            )
        }
        _ => {
            eprintln!("skipped: REGISSEUR_PYTHON is not set (a python with pypdf)");
            return None;
        }
    };
    let pdf = TempPdf::new(bytes);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/check_pdfa.py");
    let output = Command::new(&python)
        .arg(script)
        .arg(pdf.path())
        .arg(xml_path())
        .args(["INVOICE", "EN 16931"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.code() == Some(3) {
        assert!(!tools_required(), "{python}: {report}");
        eprintln!("skipped: {python}: {report}");
        return None;
    }
    Some((output.status.success(), report))
}

#[test]
fn pypdf_finds_the_pdfa_structure() {
    for inv in [sample_invoice(), sample_credit_note()] {
        let bytes = facturx_invoice(&inv, &fx());
        let Some((ok, report)) = pypdf_check(&bytes) else {
            return;
        };
        assert!(ok, "check_pdfa.py:\n{report}");
    }
}

/// The script really checks: the plain (non-PDF/A) invoice fails it.
#[test]
fn pypdf_rejects_a_plain_pdf() {
    let plain: InvoicePdf = sample_invoice();
    let Some((ok, report)) = pypdf_check(&invoice(&plain).to_bytes()) else {
        return;
    };
    assert!(!ok, "{report}");
    for expected in ["no /Metadata", "0 output intents", "no font descriptor"] {
        assert!(report.contains(expected), "{expected:?} not in:\n{report}");
    }
}

/// The typographic characters of French text extract from the embedded
/// fonts (WinAnsi names through the (3,1) cmap, no ToUnicode needed).
#[test]
fn french_typography_extracts_from_the_embedded_fonts() {
    let line = "L’œuvre « déjà vue » – 1 234,56 € — Noël à Ÿvoir · ± µ";
    let mut doc = pdf::Document::new("Typographie");
    doc.created_at(crate::CREATED).heading(line).paragraph(line);
    let bytes = doc.to_pdfa3_bytes(&pdf::PdfA3Options::default());
    let Some(pages) = check(&bytes) else { return };
    let text = pages.join("\n");
    assert_eq!(text.matches(line).count(), 2, "{text:?}");
    let Some((_, report)) = pypdf_check(&bytes) else {
        return;
    };
    // No attachment and no fx: properties here, but the fonts are fine.
    assert!(
        !report.contains("/FontFile2") && !report.contains("width of"),
        "{report}"
    );
}

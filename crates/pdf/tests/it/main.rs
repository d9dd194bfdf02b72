//! Integration tests of the pdf crate: one binary (see the workspace
//! convention), one module per subject.
//!
//! Every generated PDF goes through `qpdf --check` and `pdftotext`
//! (Debian's qpdf and poppler-utils); Factur-X PDF/A files also through
//! `pdffonts`, `pdfdetach` and, with the python named by `REGISSEUR_PYTHON`,
//! pypdf (`tests/check_pdfa.py`). When a tool is missing the check is
//! skipped with a message, unless `REGISSEUR_REQUIRE_PDF_TOOLS` is set (CI
//! sets it), in which case the test fails.

mod documents;
mod esign;
mod facturx;
mod invoice;
mod statement;
mod template;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use time::OffsetDateTime;
use time::macros::datetime;

pub const CREATED: OffsetDateTime = datetime!(2025-09-01 09:30:00 +02:00);

/// Whether a missing tool fails the tests instead of skipping the check.
fn tools_required() -> bool {
    std::env::var_os("REGISSEUR_REQUIRE_PDF_TOOLS").is_some_and(|v| !v.is_empty())
}

/// A PDF written to the temporary directory, removed when dropped.
struct TempPdf(PathBuf);

impl TempPdf {
    fn new(bytes: &[u8]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "regisseur-pdf-it-{}-{}.pdf",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).expect("write the PDF");
        TempPdf(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPdf {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `tool args… file`; `None` when the tool is not installed and not
/// required.
fn run(tool: &str, args: &[&str], pdf: &TempPdf, extra: &[&str]) -> Option<Output> {
    match Command::new(tool)
        .args(args)
        .arg(pdf.path())
        .args(extra)
        .output()
    {
        Ok(output) => Some(output),
        Err(e) if e.kind() == ErrorKind::NotFound && !tools_required() => {
            eprintln!("skipped: {tool} is not installed (apt-get install qpdf poppler-utils)");
            None
        }
        Err(e) => panic!(
            "cannot run {tool} ({e}); REGISSEUR_REQUIRE_PDF_TOOLS is set: install qpdf and poppler-utils"
        ),
    }
}

/// `qpdf --check` exits 0 and finds no syntax or stream error.
pub fn qpdf_check(bytes: &[u8]) {
    let pdf = TempPdf::new(bytes);
    let Some(output) = run("qpdf", &["--check"], &pdf, &[]) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "qpdf --check failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "qpdf --check:\n{stdout}\n{stderr}"
    );
    assert!(stderr.trim().is_empty(), "qpdf --check warned:\n{stderr}");
}

/// The text of each page, as `pdftotext -enc UTF-8` extracts it (in
/// reading order: the columns of key/value lists come one after the other).
pub fn pages_text(bytes: &[u8]) -> Option<Vec<String>> {
    pdftotext(bytes, &["-enc", "UTF-8"])
}

/// The text of each page with `pdftotext -layout`: lines as drawn, columns
/// side by side, blank lines kept.
pub fn pages_layout(bytes: &[u8]) -> Option<Vec<String>> {
    pdftotext(bytes, &["-enc", "UTF-8", "-layout"])
}

fn pdftotext(bytes: &[u8], args: &[&str]) -> Option<Vec<String>> {
    let pdf = TempPdf::new(bytes);
    let output = run("pdftotext", args, &pdf, &["-"])?;
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    // pdftotext ends every page with a form feed.
    assert_eq!(pages.pop().as_deref(), Some(""));
    Some(pages)
}

/// Both checks: `qpdf --check`, then the pages' text (`None` when
/// pdftotext is missing and not required).
pub fn check(bytes: &[u8]) -> Option<Vec<String>> {
    qpdf_check(bytes);
    pages_text(bytes)
}

/// Whitespace runs (line breaks of wrapping, no-break spaces) as one space.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page count declared by the page tree.
pub fn declared_pages(bytes: &[u8]) -> usize {
    let at = bytes
        .windows(7)
        .position(|w| w == b"/Count ")
        .expect("a page tree")
        + 7;
    bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0, |n, b| n * 10 + usize::from(b - b'0'))
}

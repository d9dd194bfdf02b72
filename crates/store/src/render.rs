//! The documents a write of this crate needs inside its own transaction,
//! made by the layer above (`app::Render`): this crate reads what they are
//! made from, hands it over, and stores or sends the bytes it gets back. It
//! renders nothing itself — no PDF, XML or layout code lives here.
//!
//! Those writes are the ones where the document and the rows must commit
//! together: a dunning notice queues its e-mail with the invoice attached,
//! a deposit sends the Factur-X it records, a signed activity report
//! stores the PDF its client is asked to validate, and the last signature
//! of a request stores the signed copy with its signature page.

use domain::ids::{CompanyId, CraId, MissionId, UserId};
use time::{Date, OffsetDateTime};

use crate::Result;
use crate::invoicing::print::{IssuedDocument, Printable};

/// A PDF made for storing: its title, its layout (so that a signed copy can
/// be rebuilt from it) and its bytes.
#[derive(Debug, Clone)]
pub struct Generated {
    pub title: String,
    pub spec: String,
    pub pdf: Vec<u8>,
}

/// An invoice's Factur-X: the PDF with its XML attached, and the XML alone.
#[derive(Debug, Clone)]
pub struct FacturXFile {
    /// `FA-2026-000001.pdf`, `AV-2026-000001.pdf`.
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub xml: Vec<u8>,
}

/// One mission's days of an activity report, as its client validates them.
#[derive(Debug, Clone)]
pub struct ActivityReport {
    pub cra_id: CraId,
    pub month: domain::calendar::YearMonth,
    pub consultant_id: UserId,
    pub consultant_name: String,
    pub mission_id: MissionId,
    pub mission_title: String,
    pub client_id: CompanyId,
    pub client_name: String,
    /// Half-days worked per day.
    pub days: Vec<(Date, u32)>,
    pub comment: Option<String>,
    pub created_at: OffsetDateTime,
}

/// One signer as the signature page lists him.
#[derive(Debug, Clone)]
pub struct Signature {
    pub name: String,
    pub email: String,
    pub signed_at: Option<OffsetDateTime>,
    pub ip: Option<String>,
}

/// Makes the documents described in the module docs.
pub trait Render: Send + Sync {
    /// The Factur-X of an issued invoice or credit note.
    fn facturx(&self, doc: &IssuedDocument) -> Result<FacturXFile>;
    /// The printed PDF alone, with the name to download it under.
    fn invoice_pdf(&self, doc: &Printable) -> Result<(String, Vec<u8>)>;
    /// The PDF a client validates: one mission's days of a report.
    fn activity_report(&self, report: &ActivityReport) -> Generated;
    /// The signed copy of a document laid out as `spec`: the same pages and
    /// a signature page listing `signers`. Refused when `spec` does not
    /// read back.
    fn signed_copy(&self, spec: &str, signers: &[Signature]) -> Result<Vec<u8>>;
}

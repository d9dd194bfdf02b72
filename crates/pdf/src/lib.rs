//! Régisseur's PDF writer: small, fast and dependency-free (SHA-256 and
//! dates aside) PDF 1.7 for business documents — mission orders, signature
//! pages and certificates.
//!
//! - [`Document`]: A4 portrait, 50 pt margins, headings, paragraphs,
//!   key/value lists, tables whose header repeats on every page, automatic
//!   page breaks and a footer with "page N / M". Laid out and written by
//!   [`Document::to_bytes`]; the same input (with the same
//!   [`Document::created_at`]) always gives the same bytes.
//! - Text is drawn in the standard Type 1 fonts Helvetica and
//!   Helvetica-Bold (not embedded; PDF/A output embeds Regisseur Sans, renamed Liberation Sans subsets)
//!   with WinAnsiEncoding (cp1252): French text, « », €, ’,
//!   – and — print as such, characters outside cp1252 print as "?" (see
//!   [`winansi_byte`]). Lines are wrapped with the fonts' AFM widths.
//! - Content streams are not compressed (no zlib dependency): a page of
//!   text is a few kilobytes.
//! - [`MissionOrderTemplate`] and [`DEFAULT_MISSION_ORDER`]: the ordre de
//!   mission an administrator can edit, with validated `{{placeholders}}`.
//! - [`signature_page`] and [`certificate`] for the electronic signature;
//!   [`sha256_hex`] to fingerprint documents.
//! - [`invoice()`]: the invoice or credit note from an [`InvoicePdf`]
//!   (plain, preformatted data) with every mandatory French mention; its
//!   parts and legal texts are in the [`invoice`](mod@invoice) module.
//! - [`statement()`]: the customer statement (relevé de compte) from a
//!   [`StatementPdf`]: open invoices, totals by age, payments, IBAN.
//! - [`Document::to_pdfa3_bytes`] writes PDF/A-3b instead: Regisseur Sans (Liberation Sans)
//!   (metric-compatible with Helvetica) embedded, XMP metadata, an sRGB
//!   output intent and associated files; [`facturx_invoice`] is the
//!   Factur-X invoice with its XML attached. See the [`pdfa`] module, which
//!   also says what is validated and how.

mod document;
mod esign;
mod fonts;
mod icc;
pub mod invoice;
pub mod pdfa;
pub mod statement;
mod template;
mod ttf;
mod writer;

pub use document::{
    Align, CONTENT_WIDTH, Document, LABEL_WIDTH, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TextPart,
};
pub use esign::{CertificateEvent, SignatureLine, certificate, signature_page};
pub use fonts::{Font, encode_winansi, winansi_byte};
pub use invoice::{InvoicePdf, invoice};
pub use pdfa::{AfRelationship, Attachment, FacturX, PdfA3Options, facturx_invoice};
pub use statement::{StatementPdf, statement};
pub use template::{DEFAULT_MISSION_ORDER, MissionOrderTemplate, PLACEHOLDERS, TemplateError};
pub use writer::sha256_hex;

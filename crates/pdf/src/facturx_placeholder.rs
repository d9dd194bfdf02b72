//! PLACEHOLDER — replaced when the `pdfa` branch (the PDF/A-3 Factur-X
//! container) is merged: delete this file and its two lines in `lib.rs`.
//!
//! It has the API the store calls, [`facturx_invoice`], but returns the
//! plain PDF of the invoice: no PDF/A-3, no attached `factur-x.xml`, no XMP.
//! [`FACTURX_IS_PLACEHOLDER`] tells the tests that compare the attached
//! XML with the one produced to skip that comparison until then.

use crate::InvoicePdf;

/// `true` while this placeholder stands in for the real container.
pub const FACTURX_IS_PLACEHOLDER: bool = true;

/// What the PDF/A-3 container embeds and declares.
#[derive(Clone, Copy, Debug)]
pub struct FacturX<'a> {
    /// The CII XML, attached as `factur-x.xml`.
    pub xml: &'a [u8],
    /// `fx:ConformanceLevel`: `EN 16931`.
    pub conformance_level: &'a str,
    /// `fx:DocumentType`: `INVOICE`.
    pub document_type: &'a str,
}

/// PLACEHOLDER: the plain PDF of `inv`; `fx` is ignored.
pub fn facturx_invoice(inv: &InvoicePdf, fx: &FacturX<'_>) -> Vec<u8> {
    let _ = fx;
    crate::invoice(inv).to_bytes()
}

//! The use cases that assemble documents, above `store` and below the
//! edges (`web`, the `regisseur` binary). `store` reads rows into domain
//! types and writes what it is given; this crate lays out what it read
//! (invoice and credit-note PDFs, the Factur-X, contracts, mission orders
//! and amendments, statements of account, activity reports, signed
//! copies) and hands the bytes back to a `store` write. Plain reads and
//! writes do not pass through here: the edges call `store` for them.
//!
//! A write that must hold its document in the same transaction (a dunning
//! notice and its attachment, a deposit and its Factur-X, a signature and
//! its signed copy) takes a [`Render`] — the `store::render::Render` this
//! crate implements — so there is still one transaction per command.

pub mod cras;
pub mod documents;
pub mod esign;
pub mod invoicing;
pub mod paperwork;
pub mod receivables;

use store::Result;
use store::invoicing::print::{IssuedDocument, Printable};
use store::render::{ActivityReport, FacturXFile, Generated, Signature};

/// The documents `store`'s writes ask for (see the crate docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct Render;

impl store::render::Render for Render {
    fn facturx(&self, doc: &IssuedDocument) -> Result<FacturXFile> {
        invoicing::facturx::of_issued(doc)
    }

    fn invoice_pdf(&self, doc: &Printable) -> Result<(String, Vec<u8>)> {
        let p = invoicing::print::of_printable(doc)?;
        Ok((p.file_name, pdf::invoice(&p.pdf).to_bytes()))
    }

    fn activity_report(&self, report: &ActivityReport) -> Generated {
        cras::activity_report(report)
    }

    fn signed_copy(&self, spec: &str, signers: &[Signature]) -> Result<Vec<u8>> {
        esign::signed_copy(spec, signers)
    }
}

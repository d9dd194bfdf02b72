//! PLACEHOLDER until the Factur-X branch lands (it replaces this file): the
//! document an e-invoicing deposit sends. Here the plain printable PDF and
//! no XML.

use crate::{Result, Tx};

/// The Factur-X file of an issued invoice or credit note.
pub struct FacturXFile {
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub xml: Vec<u8>,
}

pub async fn document(tx: &mut Tx, id: &str) -> Result<FacturXFile> {
    let p = super::print::printable(tx, id).await?;
    Ok(FacturXFile {
        file_name: p.file_name,
        pdf: pdf::invoice(&p.pdf).to_bytes(),
        xml: Vec::new(),
    })
}

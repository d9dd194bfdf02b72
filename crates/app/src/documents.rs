//! Storing a document Régisseur laid out.

use store::documents::{DocumentInfo, Links, NewDocument, create};
use store::{Actor, Result, Tx};

/// Stores a document Régisseur wrote, with its layout so that the signed
/// copy can be rebuilt from it.
pub async fn create_generated(
    tx: &mut Tx,
    actor: &Actor,
    links: Links,
    pdf: &pdf::Document,
) -> Result<DocumentInfo> {
    let bytes = pdf.to_bytes();
    let spec = pdf.to_spec();
    create(
        tx,
        actor,
        &NewDocument {
            links,
            title: pdf.title(),
            spec: Some(&spec),
            pdf: &bytes,
        },
    )
    .await
}

//! The signed copy of a document: its pages and a signature page.

use store::render::Signature;

/// The document laid out as `spec` with a signature page listing
/// `signers`; refused when `spec` does not read back.
pub fn signed_copy(spec: &str, signers: &[Signature]) -> store::Result<Vec<u8>> {
    let lines: Vec<pdf::SignatureLine> = signers
        .iter()
        .map(|s| pdf::SignatureLine {
            name: s.name.clone(),
            email: s.email.clone(),
            signed_at: s
                .signed_at
                .map(store::esign::format_utc)
                .unwrap_or_default(),
            ip: s.ip.clone().unwrap_or_default(),
            consent: domain::esign::CONSENT_FR.to_owned(),
        })
        .collect();
    let mut d = pdf::Document::from_spec(spec)
        .map_err(|e| store::corrupt("document spec", &e.to_string()))?;
    pdf::signature_page(&mut d, &lines);
    Ok(d.to_bytes())
}

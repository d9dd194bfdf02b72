//! Pages for the electronic signature: the signature page appended to a
//! signed document, and the separate certificate with the audit trail.
//!
//! The structures are plain strings, formatted by the caller (dates in the
//! signer's time zone, IP addresses, consent wording): this crate only lays
//! them out.

use crate::{Document, sha256_hex};

/// One signer, as listed on the signature page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignatureLine {
    pub name: String,
    pub email: String,
    /// When the signer signed, already formatted (e.g. "12/03/2025 14:05:09 UTC").
    pub signed_at: String,
    pub ip: String,
    /// The consent text the signer accepted, as shown to them.
    pub consent: String,
}

/// One event of the audit trail, as listed on the certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateEvent {
    /// When it happened, already formatted.
    pub at: String,
    /// What happened ("Document envoyé", "Document consulté", "Signature"…).
    pub event: String,
    /// Who did it (name and/or e-mail).
    pub actor: String,
    pub ip: String,
    pub user_agent: String,
    /// The event's hash in the audit trail (hexadecimal).
    pub hash: String,
}

/// Appends a "Page de signature" on a new page of `doc`: for each signer
/// their name, e-mail, signing time, IP address, consent text and the
/// document's SHA-256, and returns that SHA-256.
///
/// The SHA-256 is that of `doc.to_bytes()` *before* the page is appended,
/// i.e. of the document the signers were shown: it only matches a stored
/// copy of that document when it is rebuilt identically, with the same
/// [`Document::created_at`]. The signed PDF (with this page) has of course
/// another hash, to be recorded separately.
pub fn signature_page(doc: &mut Document, signers: &[SignatureLine]) -> String {
    let hash = sha256_hex(&doc.to_bytes());
    let title = doc.title().to_owned();
    doc.page_break()
        .heading("Page de signature")
        .paragraph(&format!(
            "Document : {title}\nSignataires : {}",
            signers.len()
        ))
        .note(
            "L’empreinte SHA-256 ci-dessous est celle du document présenté aux signataires, \
             avant l’ajout de cette page.",
        );
    for (i, signer) in signers.iter().enumerate() {
        doc.subheading(&format!("Signataire {} : {}", i + 1, signer.name))
            .key_values(&[
                ("Nom", &signer.name),
                ("E-mail", &signer.email),
                ("Signé le", &signer.signed_at),
                ("Adresse IP", &signer.ip),
                ("Consentement", &signer.consent),
            ])
            .key_values_small(&[("SHA-256 du document", &hash)]);
    }
    hash
}

/// A certificate of signature for the document `title` whose SHA-256 is
/// `document_sha256`: the document's identification and the audit trail as
/// a table (time, event, actor, IP address, user agent, event hash).
pub fn certificate(title: &str, document_sha256: &str, events: &[CertificateEvent]) -> Document {
    let mut doc = Document::new(&format!("Certificat de signature — {title}"));
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.clone(),
                e.event.clone(),
                e.actor.clone(),
                e.ip.clone(),
                e.user_agent.clone(),
                e.hash.clone(),
            ]
        })
        .collect();
    doc.footer(&format!("Certificat de signature — {title}"))
        .heading("Certificat de signature électronique")
        .key_values(&[
            ("Document", title),
            ("Événements", &events.len().to_string()),
        ])
        .key_values_small(&[("SHA-256 du document", document_sha256)])
        .paragraph(
            "Ce certificat reprend le journal d’audit de la signature électronique du document \
             identifié ci-dessus par son empreinte SHA-256. Chaque événement est accompagné de \
             son empreinte dans le journal.",
        )
        .subheading("Journal d’audit")
        .table(
            &[
                "Date et heure",
                "Événement",
                "Acteur",
                "Adresse IP",
                "Navigateur",
                "Empreinte",
            ],
            &rows,
            &[1.1, 1.1, 1.2, 1.1, 1.5, 1.6],
        );
    doc
}

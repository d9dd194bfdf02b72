//! The e-mails of a signature request, subject and plain text, in French
//! (the documents signed are French legal documents): the invitation and
//! its one-time code, the news that everyone signed, and what the sender
//! is told.

use time::Date;

use super::DocumentKind;
use crate::Locale;
use crate::locale::format_date;

/// The link e-mailed to a signer, first or as a reminder.
pub struct Invitation<'a> {
    pub signer_name: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    /// The last day the link works.
    pub until: Date,
    pub document_sha256: &'a str,
    pub reminder: bool,
}

/// The e-mail carrying a signer's personal link.
pub fn invitation(i: &Invitation) -> (String, String) {
    let until = format_date(i.until, Locale::Fr);
    let link = i.link;
    let reminder = if i.reminder { "Rappel : " } else { "" };
    let body = format!(
        "Bonjour {name},\n\n{firm_line}« {title} » vous attend pour signature électronique.\n\n\
         Ouvrez ce lien personnel pour lire le document et le signer (valable jusqu’au {until}, une seule fois) :\n{link}\n\n\
         Un code à usage unique vous est envoyé dans un second e-mail : il vous sera demandé pour signer.\n\n\
         Empreinte SHA-256 du document : {sha}\n\
         Ne transférez pas ce message : le lien vous est personnel.\n\n— Régisseur",
        name = i.signer_name,
        firm_line = if reminder.is_empty() {
            ""
        } else {
            "Nous vous rappelons que le document "
        },
        title = i.title,
        sha = i.document_sha256,
    );
    (format!("{reminder}Document à signer : {}", i.title), body)
}

/// The e-mail carrying a signer's one-time code, sent apart from the link.
pub fn code(signer_name: &str, title: &str, code: &str) -> (String, String) {
    (
        format!("Votre code de signature : {title}"),
        format!(
            "Bonjour {},\n\nVotre code de signature pour « {} » : {code}\n\n\
             Il n’est valable qu’avec le lien reçu dans l’autre e-mail. Ne le communiquez à personne.\n\n— Régisseur",
            signer_name, title
        ),
    )
}

/// The e-mail telling a signer that everyone signed, with the hashes of
/// the document presented and of the signed copy (if one was made). An
/// activity report signed by the client is not final yet (the firm's
/// manager validates it next): the e-mail says so rather than "signed by
/// all", which the consultant would read as done.
pub fn signed(
    kind: DocumentKind,
    signer_name: &str,
    title: &str,
    document_sha256: &str,
    signed_sha256: Option<&str>,
) -> (String, String) {
    let (subject, what) = match kind {
        DocumentKind::ActivityReport => (
            format!("CRA validé par le client : {title}"),
            format!(
                "« {title} » est validé par le client. Le cabinet le valide à son tour avant de le facturer."
            ),
        ),
        _ => (
            format!("Document signé : {title}"),
            format!("« {title} » est signé par toutes les parties."),
        ),
    };
    (
        subject,
        format!(
            "Bonjour {},\n\n{what}\n\
             Empreinte SHA-256 du document présenté : {}\n{}\n— Régisseur",
            signer_name,
            document_sha256,
            signed_sha256
                .map(|h| format!("Empreinte SHA-256 de la copie signée : {h}\n"))
                .unwrap_or_default()
        ),
    )
}

/// What the sender is told when everyone signed: subject and text.
pub fn signed_by_all(kind: DocumentKind, title: &str) -> (String, String) {
    match kind {
        DocumentKind::ActivityReport => (
            format!("CRA validé par le client : {title}"),
            format!(
                "« {title} » est validé par le client ; il attend maintenant la validation du manager, la copie signée et le certificat sont sur la page du document."
            ),
        ),
        _ => (
            format!("Document signé par tous : {title}"),
            format!(
                "« {} » est signé par toutes les parties ; la copie signée et le certificat sont sur la page du document.",
                title
            ),
        ),
    }
}

/// What the sender is told when a signer declined: subject and text.
pub fn declined(
    signer_name: &str,
    signer_email: &str,
    title: &str,
    reason: &str,
) -> (String, String) {
    (
        format!("Signature refusée : {title}"),
        format!(
            "{} <{}> a refusé de signer « {} ».\nMotif : {}\n\n                 La demande de signature est close ; le détail est sur la page du document.",
            signer_name, signer_email, title, reason
        ),
    )
}

/// The e-mail to the sender: `text` greeted and signed.
pub fn to_sender(name: &str, text: &str) -> String {
    format!("Bonjour {name},\n\n{text}\n\n— Régisseur")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_validated_by_the_client_is_not_called_signed_by_all() {
        let (subject, body) = signed(
            DocumentKind::ActivityReport,
            "Camille",
            "CRA 11/2026",
            "ab",
            None,
        );
        assert_eq!(subject, "CRA validé par le client : CRA 11/2026");
        assert!(
            body.contains("Le cabinet le valide à son tour")
                && !body.contains("toutes les parties")
        );
        let (subject, text) = signed_by_all(DocumentKind::ActivityReport, "CRA 11/2026");
        assert!(!subject.contains("par tous") && text.contains("validation du manager"));
        let (subject, body) = signed(
            DocumentKind::MissionOrder,
            "Camille",
            "Ordre de mission",
            "ab",
            Some("cd"),
        );
        assert_eq!(subject, "Document signé : Ordre de mission");
        assert!(body.contains("toutes les parties") && body.contains("copie signée : cd"));
        assert!(
            signed_by_all(DocumentKind::ClientContract, "Contrat")
                .0
                .starts_with("Document signé par tous")
        );
    }
}

//! Signature page and certificate.

use pdf::{CertificateEvent, Document, SignatureLine, certificate, sha256_hex, signature_page};

use crate::{CREATED, check, normalize};

fn signers() -> Vec<SignatureLine> {
    vec![
        SignatureLine {
            name: "Amélie Lefèvre".into(),
            email: "amelie.lefevre@example.fr".into(),
            signed_at: "02/09/2025 10:15:42 (Europe/Paris)".into(),
            ip: "203.0.113.7".into(),
            consent: "J’ai lu l’ordre de mission et j’accepte de le signer électroniquement."
                .into(),
        },
        SignatureLine {
            name: "Claire Dubœuf".into(),
            email: "claire.duboeuf@example.fr".into(),
            signed_at: "02/09/2025 11:02:03 (Europe/Paris)".into(),
            ip: "2001:db8::42".into(),
            consent: "Je signe au nom de la Société « Régie Conseil SAS ».".into(),
        },
    ]
}

#[test]
fn the_signature_page_lists_each_signer_and_the_document_hash() {
    let mut doc = Document::new("Ordre de mission — Amélie Lefèvre");
    doc.created_at(CREATED)
        .heading("Ordre de mission")
        .paragraph("Contenu du document.")
        .footer("Ordre de mission");
    let before = doc.to_bytes();
    let pages_before = doc.page_count();
    let hash = signature_page(&mut doc, &signers());
    assert_eq!(hash, sha256_hex(&before));
    assert_eq!(doc.page_count(), pages_before + 1);
    let bytes = doc.to_bytes();
    let Some(pages) = check(&bytes) else { return };
    let last = pages.last().unwrap();
    let text = normalize(last);
    assert!(text.starts_with("Page de signature"), "{text}");
    for signer in signers() {
        for field in [
            &signer.name,
            &signer.email,
            &signer.signed_at,
            &signer.ip,
            &signer.consent,
        ] {
            assert!(
                text.contains(&normalize(field)),
                "{field:?} not in {text:?}"
            );
        }
    }
    // The hash is printed whole (on one line) once per signer.
    assert_eq!(
        last.lines().filter(|l| l.contains(&hash)).count(),
        2,
        "{last}"
    );
    assert!(last.contains("page 2 / 2"));
    // The first page is unchanged but for its footer's page count.
    assert!(pages[0].contains("Contenu du document.") && pages[0].contains("page 1 / 2"));
}

fn events(n: usize) -> Vec<CertificateEvent> {
    let kinds = [
        "Document envoyé",
        "Document consulté",
        "Code vérifié",
        "Signature",
    ];
    (0..n)
        .map(|i| CertificateEvent {
            at: format!("02/09/2025 10:{:02}:{:02} UTC", i / 60 % 60, i % 60),
            event: kinds[i % kinds.len()].to_owned(),
            actor: format!("Signataire {} <signataire{}@example.fr>", i % 3, i % 3),
            ip: format!("198.51.100.{}", i % 250),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                         Chrome/128.0.0.0 Safari/537.36"
                .to_owned(),
            hash: sha256_hex(format!("event {i}").as_bytes()),
        })
        .collect()
}

#[test]
fn the_certificate_lists_the_audit_trail() {
    let document_hash = sha256_hex(b"document");
    let events = events(40);
    let mut doc = certificate("Ordre de mission — Amélie Lefèvre", &document_hash, &events);
    doc.created_at(CREATED);
    let bytes = doc.to_bytes();
    let total = doc.page_count();
    assert!(total >= 2, "{total} pages: the trail should span pages");
    let Some(pages) = check(&bytes) else { return };
    assert_eq!(pages.len(), total);
    let first = normalize(&pages[0]);
    assert!(
        first.starts_with("Certificat de signature électronique"),
        "{first}"
    );
    assert!(
        pages[0].lines().any(|l| l.contains(&document_hash)),
        "hash on one line"
    );
    for (i, page) in pages.iter().enumerate() {
        for header in [
            "Date et heure",
            "Événement",
            "Acteur",
            "Adresse IP",
            "Navigateur",
            "Empreinte",
        ] {
            assert!(
                page.lines().any(|l| l.trim() == header),
                "page {}: {header}",
                i + 1
            );
        }
        assert!(page.contains(&format!("page {} / {total}", i + 1)));
    }
    // Cells wrap: compare without whitespace.
    let squeezed: String = pages.concat().split_whitespace().collect();
    for e in &events {
        for field in [&e.at, &e.event, &e.actor, &e.ip, &e.hash] {
            let field: String = field.split_whitespace().collect();
            assert!(squeezed.contains(&field), "{field:?} missing");
        }
    }
}

#[test]
fn esign_documents_are_deterministic() {
    let build = || {
        let mut doc = Document::new("Contrat");
        doc.created_at(CREATED).paragraph("Texte.");
        signature_page(&mut doc, &signers());
        doc.to_bytes()
    };
    assert_eq!(build(), build());
    let cert = || {
        let mut doc = certificate("Contrat", &sha256_hex(b"x"), &events(3));
        doc.created_at(CREATED);
        doc.to_bytes()
    };
    assert_eq!(cert(), cert());
}

//! What the client pays is the firm's and the client's business: nothing a
//! consultant receives states his mission's selling rate (in any written
//! form), the client's payment terms or purchase order — not his mission
//! pages, his reports, the mission order he signs (page and PDF), nor the
//! API. A recruiter sees no rate, no report and no invoice either.

use std::path::Path;
use std::process::Command;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use domain::role::Role;
use tower::ServiceExt;

use crate::harness::{TestApp, on_each_backend};

/// Camille's demo mission: 600 € a day, 45 days end of month, its order
/// number; every way a page, a JSON document or a PDF may write them.
const SECRETS: &[&str] = &[
    "600,00",
    "600.00",
    "600 €",
    "600\u{a0}€",
    "45 jours",
    "CLT-PO-2026-0412",
    "TJM",
    "taux journalier",
];

/// The secrets found in `body`, also as bare numbers (cents in JSON).
fn leaks(body: &str) -> Vec<String> {
    let mut found: Vec<String> = SECRETS
        .iter()
        .filter(|s| body.contains(**s))
        .map(|s| (*s).to_owned())
        .collect();
    found.extend(
        body.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| matches!(*w, "60000" | "600"))
            .map(str::to_owned),
    );
    found
}

fn assert_clean(what: &str, body: &str) {
    let found = leaks(body);
    assert!(found.is_empty(), "{what} shows {found:?}:\n{body}");
}

/// Sends Camille's mission order for signature and returns her link.
async fn camille_signing_link(t: &TestApp) -> String {
    let admin = t.browser(Some(Role::Admin)).await;
    let r = t
        .post_form(
            &format!("/missions/{}/mission-order", t.camille_mission),
            &admin,
            &[
                ("signer_name_1", "Camille Martin"),
                ("signer_email_1", "camille.martin@stafforia.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut tx = t.db.read().await.unwrap();
    let (token, _) = store::esign::mailed_credentials(&mut tx, "camille.martin@stafforia.example")
        .await
        .unwrap()
        .expect("the signing e-mails");
    tx.commit().await.unwrap();
    format!("/sign/{token}")
}

/// The text of a PDF, when poppler's pdftotext is installed.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    if !Path::new("/usr/bin/pdftotext").exists() {
        return None;
    }
    let dir = std::env::temp_dir().join(format!(
        "regisseur-confidentiality-{}-{}",
        std::process::id(),
        domain::ids::DocumentId::new()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("order.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.status.success());
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn a_consultant_never_receives_the_selling_rate_nor_the_clients_terms() {
    on_each_backend(|t| async move {
        // What the firm sees, so the grep below is not vacuous.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&bm))
            .await;
        assert!(page.body.contains("600,00\u{a0}€") && page.body.contains("45 jours"));

        let camille = t.browser(Some(Role::Consultant)).await;
        let pages = [
            "/".to_owned(),
            "/missions".to_owned(),
            format!("/missions/{}", t.camille_mission),
            "/cras".to_owned(),
            format!("/cras/{}", t.camille_cra),
            "/documents".to_owned(),
            format!("/documents/{}", t.camille_order),
            "/leave".to_owned(),
            "/account".to_owned(),
        ];
        for path in &pages {
            let r = t.get(path, Some(&camille)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_clean(path, &r.body);
        }
        let mission = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&camille))
            .await;
        assert!(mission.body.contains("Data Engineer") && mission.body.contains("Clientis"));

        // The mission order he signs: the page shows its text, which states
        // what concerns him, and neither the page nor the PDF the rate.
        let link = camille_signing_link(&t).await;
        let sign = t.get(&link, None).await;
        assert_eq!(sign.status, StatusCode::OK);
        assert!(
            sign.body.contains("class=\"card doc-text\""),
            "the text in HTML"
        );
        assert!(sign.body.contains("Data Engineer") && sign.body.contains("Bruno Marchand"));
        assert_clean("the signing page", &sign.body);
        let pdf = t
            .app
            .clone()
            .oneshot(
                Request::get(format!("{link}/document.pdf"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(pdf.into_body(), usize::MAX)
            .await
            .unwrap();
        if let Some(text) = pdf_text(&bytes) {
            assert!(text.contains("Ordre de mission"), "{text}");
            assert_clean("the mission order PDF", &text);
        }

        // The API operations a consultant reaches.
        let token = t.token(Role::Consultant).await;
        for path in [
            "/api/v1/me".to_owned(),
            "/api/v1/cras".to_owned(),
            format!("/api/v1/cras/{}", t.camille_cra),
        ] {
            let r = t.api(Method::GET, &path, Some(&token), None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_clean(&path, &r.body);
        }
    })
    .await;
}

#[tokio::test]
async fn a_recruiter_sees_no_rate_no_report_and_no_invoice() {
    on_each_backend(|t| async move {
        let rachid = t.browser(Some(Role::Recruiter)).await;
        for path in [
            "/missions".to_owned(),
            format!("/missions/{}", t.camille_mission),
        ] {
            let r = t.get(&path, Some(&rachid)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_clean(&path, &r.body);
        }
        for path in [
            "/cras".to_owned(),
            format!("/cras/{}", t.camille_cra),
            "/cras/late".to_owned(),
            "/invoices".to_owned(),
            "/documents".to_owned(),
        ] {
            let r = t.get(&path, Some(&rachid)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        let token = t.token(Role::Recruiter).await;
        let r = t.api(Method::GET, "/api/v1/cras", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

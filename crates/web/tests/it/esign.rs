//! The electronic signature through the real router: sending a mission
//! order, the signer's public pages, single use, the certificate, tamper
//! detection, who sees which document, and the template editor.

use axum::http::StatusCode;
use domain::role::Role;

use crate::harness::{TestApp, on_each_backend};

/// The newest link (as a path) and code e-mailed to `email`.
async fn mailbox(t: &TestApp, email: &str) -> (String, String) {
    let mut tx = t.db.read().await.unwrap();
    let (token, code) = store::esign::mailed_credentials(&mut tx, email)
        .await
        .unwrap()
        .expect("the two e-mails");
    tx.commit().await.unwrap();
    (format!("/sign/{token}"), code)
}

async fn lucas(t: &TestApp) -> (domain::ids::UserId, String) {
    let mut tx = t.db.read().await.unwrap();
    let u = store::users::find_by_email(&mut tx, "lucas.petit@stafforia.example")
        .await
        .unwrap()
        .expect("Lucas in the demo");
    tx.commit().await.unwrap();
    (u.id, u.email)
}

#[tokio::test]
async fn a_mission_order_is_sent_signed_once_and_certified() {
    on_each_backend(|t| async move {
        let admin = t.browser(Some(Role::Admin)).await;
        let (lucas_id, lucas_email) = lucas(&t).await;
        let new = format!("/missions/{}/mission-order/new", t.lucas_mission);
        let form = t.get(&new, Some(&admin)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains(&lucas_email),
            "the consultant is proposed"
        );
        let preview = t
            .get(
                &format!("/missions/{}/mission-order/preview.pdf", t.lucas_mission),
                Some(&admin),
            )
            .await;
        assert_eq!(preview.content_type(), "application/pdf");

        // A signer without e-mail: a clear message, nothing written.
        let documents = t.count("documents").await;
        let send = format!("/missions/{}/mission-order", t.lucas_mission);
        let r = t
            .post_form(
                &send,
                &admin,
                &[("signer_name_1", "Lucas Petit"), ("signer_email_1", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Un signataire doit avoir une adresse e-mail")
        );
        assert_eq!(t.count("documents").await, documents);

        let r = t
            .post_form(
                &send,
                &admin,
                &[
                    ("signer_name_1", "Lucas Petit"),
                    ("signer_email_1", &lucas_email),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let doc_path = r.location().to_owned();
        assert!(doc_path.starts_with("/documents/"));
        assert_eq!(t.count("documents").await, documents + 1);

        // The signer's pages are public: the link and the code are the keys.
        let (link, code) = mailbox(&t, &lucas_email).await;
        let page = t.get(&link, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ordre de mission"));
        let pdf = t.get(&format!("{link}/document.pdf"), None).await;
        assert_eq!(pdf.content_type(), "application/pdf");
        assert_eq!(pdf.headers["x-frame-options"], "SAMEORIGIN");

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={wrong}&typed_name=Lucas+Petit&consent=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Code incorrect. Essais restants : 4."),
            "{}",
            r.body
        );
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={code}&typed_name=Lucas+Petit"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Cochez la case"));
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={code}&typed_name=lucas+petit&consent=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("signé par toutes les parties"));
        // The sender is told.
        let mut tx = t.db.read().await.unwrap();
        let told = store::outbox::recent(&mut tx, 50)
            .await
            .unwrap()
            .into_iter()
            .any(|m| {
                m.to_address == "admin@stafforia.example"
                    && m.subject.starts_with("Document signé par tous")
            });
        tx.commit().await.unwrap();
        assert!(told, "the sender gets an e-mail");
        // Single use.
        let again = t.get(&link, None).await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(again.body.contains("déjà servi"));
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={code}&typed_name=Lucas+Petit&consent=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::GONE);
        let unknown = t.get(&format!("/sign/{}", "ab".repeat(32)), None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // Staff see the trail, the certificate and the signed copy.
        let show = t.get(&doc_path, Some(&admin)).await;
        assert!(show.body.contains("Chaîne d’empreintes vérifiée"));
        assert!(show.body.contains("Code erroné") && show.body.contains("Signature complète"));
        for suffix in ["/certificate.pdf", "/signed.pdf", "/pdf"] {
            let r = t.get(&format!("{doc_path}{suffix}"), Some(&admin)).await;
            assert_eq!(r.status, StatusCode::OK, "{suffix}");
            assert_eq!(r.content_type(), "application/pdf");
        }

        // Lucas sees his document; Camille (another consultant) and the
        // client's contact do not: a mission order is internal.
        let lucas_browser = t.browser_of(Some(lucas_id)).await;
        assert_eq!(
            t.get(&doc_path, Some(&lucas_browser)).await.status,
            StatusCode::OK
        );
        let camille = t.browser_of(Some(t.camille)).await;
        assert_eq!(
            t.get(&doc_path, Some(&camille)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&format!("{doc_path}/pdf"), Some(&camille))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let list = t.get("/documents", Some(&camille)).await;
        assert!(!list.body.contains(&doc_path));
        let client = t.browser(Some(Role::ClientContact)).await;
        assert_eq!(
            t.get(&doc_path, Some(&client)).await.status,
            StatusCode::NOT_FOUND
        );
        let camille_order = format!("/documents/{}", t.camille_order);
        assert_eq!(
            t.get(&camille_order, Some(&client)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&camille_order, Some(&camille)).await.status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn the_client_contact_signs_the_key_account_contract_from_his_portal() {
    on_each_backend(|t| async move {
        let sophie = t.browser(Some(Role::ClientContact)).await;
        let home = t.get("/", Some(&sophie)).await;
        assert!(
            home.body.contains("Documents à signer"),
            "the demo contract waits for her"
        );
        let doc = format!("/documents/{}", t.clientis_contract_doc);
        assert_eq!(t.get(&doc, Some(&sophie)).await.status, StatusCode::OK);
        // She asks for a fresh link: the old one stops working.
        let (old_link, _) = mailbox(&t, "sophie.bernard@clientis.example").await;
        let r = t.post_form(&format!("{doc}/remind"), &sophie, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.get(&old_link, None).await.status, StatusCode::NOT_FOUND);
        let (link, code) = mailbox(&t, "sophie.bernard@clientis.example").await;
        assert_ne!(link, old_link);
        let released = format!(
            "jobs WHERE kind = '{}'",
            store::invoicing::lock::RELEASE_JOB
        );
        let events = t.count(&released).await;
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={code}&typed_name=Sophie+Bernard&consent=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            t.count(&released).await,
            events + 1,
            "the release of the contract's invoices is queued"
        );
        let finance = t.browser(Some(Role::Finance)).await;
        let mission = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&finance))
            .await;
        assert!(
            !mission
                .body
                .contains("Facturation bloquée : le contrat client")
        );
        // Horizon's contact cannot open Clientis' contract.
        let mut tx = t.db.begin().await.unwrap();
        let horizon_user = store::users::create(
            &mut tx,
            &store::Actor::system("test"),
            &domain::user::UserInput {
                email: "claire@horizon.example".into(),
                display_name: "Claire Petit".into(),
                role: "client_contact".into(),
                company_id: t.horizon.to_string(),
                password: "correct horse battery staple".into(),
                ..Default::default()
            }
            .validate(true)
            .unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let claire = t.browser_of(Some(horizon_user.id)).await;
        assert_eq!(
            t.get(&doc, Some(&claire)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.post_form(&format!("{doc}/remind"), &claire, &[])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn an_altered_document_is_flagged_and_cannot_be_signed() {
    on_each_backend(|t| async move {
        let (link, code) = mailbox(&t, "sophie.bernard@clientis.example").await;
        let id = t.clientis_contract_doc.to_string();
        store::on_pool!(&t.db, |c| sqlx::query(
            "UPDATE documents SET pdf = $2 WHERE id = $1"
        )
        .bind(&id)
        .bind(b"%PDF-1.7 altered".to_vec())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let admin = t.browser(Some(Role::Admin)).await;
        let show = t.get(&format!("/documents/{id}"), Some(&admin)).await;
        assert!(show.body.contains("MODIFIÉ depuis l’envoi"));
        let r = t
            .post_raw(
                &link,
                None,
                &format!("action=sign&code={code}&typed_name=Sophie+Bernard&consent=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("Document modifié"));
        let show = t.get(&format!("/documents/{id}"), Some(&admin)).await;
        assert!(show.body.contains("Altération du document détectée"));
    })
    .await;
}

#[tokio::test]
async fn the_admin_edits_the_mission_order_template() {
    on_each_backend(|t| async move {
        let admin = t.browser(Some(Role::Admin)).await;
        let page = t.get("/settings/mission-order", Some(&admin)).await;
        assert!(page.body.contains("Ordre de mission"));
        let r = t
            .post_form(
                "/settings/mission-order",
                &admin,
                &[("body", "# Ordre\r\nBonjour {{consultant}}"), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("consultant") && r.body.contains("line 2"));
        let r = t
            .post_form(
                "/settings/mission-order",
                &admin,
                &[
                    ("body", "# Ordre de mission maison\r\nMission {{mission_title}} pour {{consultant_name}}."),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = t.get("/settings/mission-order", Some(&admin)).await;
        assert!(page.body.contains("Ordre de mission maison"));
        let preview = t.get("/settings/mission-order/preview.pdf", Some(&admin)).await;
        assert_eq!(preview.content_type(), "application/pdf");
        // The next mission order uses it.
        let order = t
            .get(&format!("/missions/{}/mission-order/preview.pdf", t.lucas_mission), Some(&admin))
            .await;
        assert!(order.body.contains("Ordre de mission maison"));
        let r = t
            .post_form("/settings/mission-order", &admin, &[("action", "reset")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = t.get("/settings/mission-order", Some(&admin)).await;
        assert!(page.body.contains("Entre les soussignés"));
    })
    .await;
}

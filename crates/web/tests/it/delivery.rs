//! Invoices e-mailed from their page and the API (a confirmation first;
//! no billing address: said, nothing written), the client's setting, and
//! the invitation of a new user who chooses his own password.

use axum::http::{Method, StatusCode, header};
use domain::calendar::YearMonth;
use domain::role::Role;
use store::on_tx;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// An issued invoice of last month; with `billing`, the mission names the
/// client's contact as its invoicing contact. Returns (invoice id, number).
async fn issued(t: &EmptyApp, billing: bool) -> (String, String) {
    let client = t.w.client().create().await;
    let contact = client.contact.id.to_string();
    let m =
        t.w.mission(&client)
            .with(|m| {
                if billing {
                    m.invoicing_contact_id = contact.clone();
                }
            })
            .create()
            .await;
    let inv =
        t.w.issued_invoice(&m, YearMonth::of(store::today()).prev())
            .await;
    (inv.id.to_string(), inv.number.unwrap())
}

#[tokio::test]
async fn an_invoice_is_sent_again_from_its_page_after_a_confirmation() {
    on_each_backend(|t| async move {
        let (id, number) = issued(&t, true).await;
        let b = t.browser(Some(Role::Finance)).await;
        let page = t.get(&format!("/invoices/{id}"), Some(&b)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("id=\"invoice-email-send\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("pas encore été envoyée"));
        let confirm = t.get(&format!("/invoices/{id}/email"), Some(&b)).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(
            confirm
                .body
                .contains(&format!("La facture {number} sera envoyée à marc.")),
            "{}",
            confirm.body
        );
        assert!(
            confirm.body.contains("bruno-marchand") || confirm.body.contains("business-manager")
        );
        let emails = t.count("outbox_emails").await;
        let r = t.post_form(&format!("/invoices/{id}/email"), &b, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("/invoices/{id}"));
        assert_eq!(t.count("outbox_emails").await, emails + 1);
        let page = t.get(&format!("/invoices/{id}"), Some(&b)).await;
        assert!(page.body.contains("à la main"), "{}", page.body);
        assert!(page.body.contains("Renvoyer par e-mail"));

        // The API: once more, 202.
        let token = t.token(Role::Finance).await;
        let r = t
            .api(
                Method::POST,
                &format!("/api/v1/invoices/{id}/email"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        assert!(r.json()["to"].as_str().unwrap().starts_with("marc."));
        assert_eq!(r.json()["language"], "fr");
        assert_eq!(t.count("invoice_emails").await, 2);
    })
    .await;
}

#[tokio::test]
async fn no_billing_address_is_said_and_nothing_is_written() {
    on_each_backend(|t| async move {
        let (id, _) = issued(&t, false).await;
        let b = t.browser(Some(Role::Finance)).await;
        let confirm = t.get(&format!("/invoices/{id}/email"), Some(&b)).await;
        assert!(
            confirm
                .body
                .contains("n'a pas d'adresse e-mail de facturation")
                || confirm
                    .body
                    .contains("n&#39;a pas d&#39;adresse e-mail de facturation"),
            "{}",
            confirm.body
        );
        assert!(!confirm.body.contains("invoice-email-form"));
        // Its token first: creating one is audited.
        let token = t.token(Role::Finance).await;
        let before = (
            t.count("outbox_emails").await,
            t.count("invoice_emails").await,
            t.count("audit_log").await,
        );
        let r = t.post_form(&format!("/invoices/{id}/email"), &b, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("Rien n&#39;a été envoyé") || r.body.contains("Rien n'a été envoyé")
        );
        let r = t
            .api(
                Method::POST,
                &format!("/api/v1/invoices/{id}/email"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "invoice-email-no-address");
        let after = (
            t.count("outbox_emails").await,
            t.count("invoice_emails").await,
            t.count("audit_log").await,
        );
        assert_eq!(before, after, "nothing written");
    })
    .await;
}

#[tokio::test]
async fn the_client_setting_turns_the_sending_at_issue_on() {
    on_each_backend(|t| async move {
        let client = t.w.client().create().await;
        let b = t.browser(Some(Role::Finance)).await;
        let page = t.get(&format!("/companies/{}", client.id), Some(&b)).await;
        assert!(
            page.body.contains("id=\"send-invoices-by-email\""),
            "{}",
            page.body
        );
        assert!(!page.body.contains("id=\"send-invoices-by-email\" checked"));
        let r = t
            .post_form(
                &format!("/companies/{}/invoice-delivery", client.id),
                &b,
                &[("send_invoices_by_email", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut tx = t.db.read().await.unwrap();
        assert!(
            store::invoice_emails::client_wants_email(&mut tx, client.id)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    })
    .await;
}

/// The token in the last invitation e-mailed to `email`.
async fn mailed_token(t: &EmptyApp, email: &str) -> String {
    let mut tx = t.db.read().await.unwrap();
    let mails = store::outbox::recent(&mut tx, 50).await.unwrap();
    tx.commit().await.unwrap();
    let mail = mails
        .iter()
        .find(|m| m.to_address == email)
        .expect("an invitation e-mail");
    let link = "http://127.0.0.1:8080/invitation/";
    let at = mail
        .body_text
        .find(link)
        .expect("a link to the public address")
        + link.len();
    mail.body_text[at..at + 64].to_owned()
}

#[tokio::test]
async fn an_invited_consultant_chooses_his_password_and_is_signed_in() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let form = t.get("/users/new", Some(&bm)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            !form.body.contains("type=\"password\""),
            "nobody types someone else's password"
        );
        assert!(
            !form.body.contains("value=\"admin\""),
            "a BM invites consultants only"
        );
        let fields = |role: &'static str| {
            vec![
                ("email", "lea.petit@stafforia.example"),
                ("display_name", "Léa Petit"),
                ("role", role),
                ("active", "on"),
            ]
        };
        let users = t.count("users").await;
        let r = t.post_form("/users", &bm, &fields("admin")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("ne pouvez pas inviter"), "{}", r.body);
        assert_eq!(t.count("users").await, users, "nothing written");
        let r = t.post_form("/users", &bm, &fields("consultant")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let token = mailed_token(&t, "lea.petit@stafforia.example").await;

        let path = format!("/invitation/{token}");
        let page = t.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Léa Petit"), "{}", page.body);
        let short = "new_password=court&confirm_password=court";
        let r = t.post_raw(&path, None, short).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let good = "new_password=une+phrase+assez+longue&confirm_password=une+phrase+assez+longue";
        let r = t.post_raw(&path, None, good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/");
        let cookie = r
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let home = t.get_with("/", None, &[("cookie", cookie.as_str())]).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Léa Petit"), "signed in");

        // Used: said, nothing written.
        let sessions = t.count("sessions").await;
        let r = t.post_raw(&path, None, good).await;
        assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
        assert!(r.body.contains("déjà servi"), "{}", r.body);
        assert_eq!(t.count("sessions").await, sessions);

        // Expired after 72 hours.
        let admin = t.browser(Some(Role::Admin)).await;
        let lea = {
            let mut tx = t.db.read().await.unwrap();
            let u = store::users::find_by_email(&mut tx, "lea.petit@stafforia.example")
                .await
                .unwrap()
                .unwrap();
            tx.commit().await.unwrap();
            u.id
        };
        let r = t
            .post_form(&format!("/users/{lea}/invite"), &admin, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let token = mailed_token(&t, "lea.petit@stafforia.example").await;
        let mut tx = t.db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE user_invitations SET expires_at = $1 WHERE used_at IS NULL"
        )
        .bind(store::now() - time::Duration::minutes(1))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        tx.commit().await.unwrap();
        let r = t.get(&format!("/invitation/{token}"), None).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("a expiré"), "{}", r.body);
        let r = t
            .post_raw(&format!("/invitation/{token}"), None, good)
            .await;
        assert_eq!(r.status, StatusCode::GONE);
    })
    .await;
}

#[tokio::test]
async fn the_api_invites_within_the_inviter_s_rights() {
    on_each_backend(|t| async move {
        let token = t.token(Role::BusinessManager).await;
        let body = |role: &str| {
            format!(
                r#"{{"email": "nouveau@stafforia.example", "display_name": "Nouveau", "role": "{role}"}}"#
            )
        };
        let r = t
            .api(Method::POST, "/api/v1/users", Some(&token), Some(&body("finance")))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "invitation-role-forbidden");
        assert_eq!(r.json()["errors"][0]["field"], "role");
        let r = t
            .api(Method::POST, "/api/v1/users", Some(&token), Some(&body("consultant")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["user"]["role"], "consultant");
        // A password is not accepted: nobody sets someone else's.
        let with_password = r#"{"email": "autre@stafforia.example", "display_name": "Autre", "role": "consultant", "password": "une phrase assez longue"}"#;
        let r = t
            .api(Method::POST, "/api/v1/users", Some(&token), Some(with_password))
            .await;
        assert!(r.status.is_client_error(), "{}", r.body);
    })
    .await;
}

//! Pages: sign-in, sessions, CSRF, forms, language.

use axum::http::StatusCode;
use domain::role::Role;

use fixtures::build::PASSWORD;

use crate::harness::{Browser, EmptyApp, on_each_backend_empty as on_each_backend};

fn set_cookie(r: &crate::harness::Resp) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("regisseur_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn csrf_of(html: &str) -> String {
    let start = html.find(r#"name="_csrf" value=""#).expect("a CSRF field")
        + r#"name="_csrf" value=""#.len();
    html[start..start + 64].to_string()
}

/// Opens the login page like a browser: gets the form's token cookie, and
/// no session (nothing is written for an anonymous visitor).
async fn login_page(t: &EmptyApp) -> Browser {
    let sessions = t.count("sessions").await;
    let r = t.get("/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("regisseur_form="), "{cookie}");
    assert!(cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");
    assert!(set_cookie(&r).is_none(), "no session cookie before sign-in");
    assert_eq!(t.count("sessions").await, sessions, "no session row");
    Browser {
        cookie: cookie.split(';').next().unwrap().to_string(),
        csrf: csrf_of(&r.body),
    }
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    on_each_backend(|t| async move {
        t.w.user(Role::BusinessManager)
            .name("Bruno Marchand")
            .email("bm@stafforia.example")
            .create()
            .await;
        let anon = login_page(&t).await;
        let r = t
            .post_form(
                "/login",
                &anon,
                &[
                    ("email", "BM@stafforia.example"),
                    ("password", PASSWORD),
                    ("next", "/companies"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/companies");
        let cookie = set_cookie(&r).expect("a new session cookie");
        assert_ne!(cookie, anon.cookie, "the session id changes at sign-in");
        // The form token alone signs nobody in: it leads to the login page.
        let old = t.get("/", Some(&anon)).await;
        assert_eq!(old.status, StatusCode::SEE_OTHER);
        let home = t
            .get(
                "/",
                Some(&Browser {
                    cookie: cookie.clone(),
                    csrf: String::new(),
                }),
            )
            .await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Bruno Marchand"));
        let b = Browser {
            cookie: cookie.clone(),
            csrf: csrf_of(&home.body),
        };
        let r = t.post_form("/logout", &b, &[]).await;
        assert_eq!(r.location(), "/login");
        assert_eq!(t.get("/", Some(&b)).await.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_are_generic_and_throttled() {
    on_each_backend(|t| async move {
        t.w.user(Role::Finance)
            .email("finance@stafforia.example")
            .create()
            .await;
        let anon = login_page(&t).await;
        let unknown = t
            .post_form(
                "/login",
                &anon,
                &[
                    ("email", "nobody@stafforia.example"),
                    ("password", "whatever-123"),
                ],
            )
            .await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert!(unknown.body.contains("Identifiants incorrects."));
        for _ in 0..5 {
            let r = t
                .post_form(
                    "/login",
                    &anon,
                    &[
                        ("email", "finance@stafforia.example"),
                        ("password", "mauvais mot de passe"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert!(
                r.body.contains("Identifiants incorrects."),
                "same message for a known account"
            );
        }
        // Now even the right password is refused for a while.
        let r = t
            .post_form(
                "/login",
                &anon,
                &[
                    ("email", "finance@stafforia.example"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Trop de tentatives"));
        assert!(set_cookie(&r).is_none());
    })
    .await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Admin)).await;
        let before = t.count("companies").await;
        let r = t
            .post_raw("/companies", Some(&b), "name=Sans+jeton&siren=732829320")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Session expirée"));
        let forged = Browser {
            csrf: "0".repeat(64),
            ..b.clone()
        };
        let r = t
            .post_form("/companies", &forged, &[("name", "Faux jeton")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("companies").await, before);
    })
    .await;
}

#[tokio::test]
async fn a_bad_siren_is_explained_beside_the_field_and_nothing_is_written() {
    on_each_backend(|t| async move {
        t.w.client().siren("542051180").create().await;
        let b = t.browser(Some(Role::BusinessManager)).await;
        let before = t.count("companies").await;
        let r = t
            .post_form(
                "/companies",
                &b,
                &[("name", "Société Test"), ("siren", "123456789")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(r#"id="field-siren-error""#));
        assert!(
            r.body
                .contains("Le SIREN est invalide : la clé de contrôle (Luhn) est fausse."),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"value="123456789""#),
            "the typed value is kept"
        );
        assert!(r.body.contains(r#"value="Société Test""#));
        let r = t
            .post_form(
                "/companies",
                &b,
                &[("name", "Doublon"), ("siren", "542051180")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Une société avec ce SIREN existe déjà."));
        assert_eq!(t.count("companies").await, before);
        let audit = t.count("audit_log").await;
        let r = t
            .post_form(
                "/companies",
                &b,
                &[("name", "Société Test"), ("siren", "732829320")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/companies/"));
        assert_eq!(t.count("companies").await, before + 1);
        assert_eq!(
            t.count("audit_log").await,
            audit + 1,
            "the change is audited in its transaction"
        );
        let page = t.get(r.location(), Some(&b)).await;
        assert!(
            page.body.contains("La société a été créée."),
            "flash shown once"
        );
        assert!(
            !t.get(r.location(), Some(&b))
                .await
                .body
                .contains("La société a été créée.")
        );
    })
    .await;
}

#[tokio::test]
async fn pages_speak_english_on_request() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Direction)).await;
        let r = t
            .get_with(
                "/companies",
                Some(&b),
                &[("accept-language", "en-US,en;q=0.9")],
            )
            .await;
        assert!(r.body.contains(r#"<html lang="en">"#));
        assert!(r.body.contains(">Companies</a>"));
        let r = t.get("/companies", Some(&b)).await;
        assert!(r.body.contains(r#"<html lang="fr">"#), "French by default");
        // The switch is remembered on the account.
        let r = t
            .post_form("/locale", &b, &[("locale", "en"), ("back", "/contacts")])
            .await;
        assert_eq!(r.location(), "/contacts");
        let r = t
            .get_with("/", Some(&b), &[("accept-language", "fr")])
            .await;
        assert!(r.body.contains(r#"<html lang="en">"#));
    })
    .await;
}

#[tokio::test]
async fn unknown_pages_are_a_french_404() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Admin)).await;
        let r = t.get("/nowhere", Some(&b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("Page introuvable"));
        let r = t.get("/companies/not-an-id", Some(&b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t
            .get("/companies/00000000-0000-0000-0000-000000000000", Some(&b))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn scoping_applies_to_pages() {
    on_each_backend(|t| async move {
        let clientis =
            t.w.client()
                .contact("Marc", "Lefèvre", "domain_manager")
                .create()
                .await;
        t.w.contact(&clientis, "Sophie", "Bernard", "buyer").await;
        let horizon =
            t.w.client()
                .contact("Julien", "Moreau", "operational")
                .create()
                .await
                .id;
        t.w.user(Role::ClientContact).of(&clientis).create().await;
        let b = t.browser(Some(Role::ClientContact)).await;
        // The directory is the firm's; he reads his company's contacts on
        // his company's page.
        let r = t.get("/contacts", Some(&b)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .get(&format!("/companies/{}", clientis.id), Some(&b))
            .await;
        assert!(r.body.contains("Bernard") && r.body.contains("Lefèvre"));
        assert!(!r.body.contains("Moreau"), "another client's contact");
        let r = t.get(&format!("/companies/{horizon}"), Some(&b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let home = t.get("/", Some(&b)).await;
        assert!(
            !home.body.contains("Fournisseurs"),
            "no counts of what he cannot see"
        );
    })
    .await;
}

#[tokio::test]
async fn password_change_signs_out_other_sessions() {
    on_each_backend(|t| async move {
        let here = t.browser(Some(Role::Recruiter)).await;
        let elsewhere = t.browser(Some(Role::Recruiter)).await;
        let r = t
            .post_form(
                "/account/password",
                &here,
                &[
                    ("current_password", "wrong"),
                    ("new_password", "short"),
                    ("confirm_password", "other"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Le mot de passe actuel est incorrect."));
        assert!(r.body.contains("au moins 12 caractères"));
        let new = "une nouvelle phrase secrète";
        let r = t
            .post_form(
                "/account/password",
                &here,
                &[
                    ("current_password", PASSWORD),
                    ("new_password", new),
                    ("confirm_password", new),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.get("/", Some(&here)).await.status, StatusCode::OK);
        assert_eq!(
            t.get("/", Some(&elsewhere)).await.status,
            StatusCode::SEE_OTHER
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_lock_himself_out() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Admin)).await;
        let me = t.user_id(Role::Admin).await;
        let r = t
            .post_form(
                &format!("/users/{me}"),
                &b,
                &[
                    ("email", "admin@stafforia.example"),
                    ("display_name", "Alice"),
                    ("role", "finance"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("retirer votre propre rôle"));
    })
    .await;
}

#[tokio::test]
async fn health_and_readiness() {
    on_each_backend(|t| async move {
        assert_eq!(t.get("/healthz", None).await.status, StatusCode::OK);
        let r = t.get("/readyz", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["migrations"], "current");
    })
    .await;
}

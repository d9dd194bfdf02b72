//! Regressions of the attacker's probe (redirects, scoping of shared
//! reports, throttles, sessions): each test failed before its fix.

use axum::http::StatusCode;
use domain::role::Role;

use crate::harness::on_each_backend;

/// `next` and `back` only ever lead to a path of this site; what a browser
/// would read as another origin, and what no header can carry, go home.
#[tokio::test]
async fn redirects_after_sign_in_and_language_stay_on_the_site() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        for (next, expected) in [
            ("/%09/evil.example", "/"),
            ("/%0A", "/"),
            ("/%0D%0ALocation:%20https://evil.example", "/"),
            ("/%5Cevil.example", "/"),
            ("//evil.example", "/"),
            // Our own links to the sign-in page carry the path encoded.
            ("/companies%3Fq%3D%25C3%25A9", "/companies?q=%C3%A9"),
        ] {
            let r = t.get(&format!("/login?next={next}"), Some(&bm)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "next={next}: {}", r.body);
            assert_eq!(r.location(), expected, "next={next}");
        }
        for back in [
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "https://evil.example",
        ] {
            let r = t
                .post_form("/locale", &bm, &[("locale", "en"), ("back", back)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "back={back:?}: {}", r.body);
            assert_eq!(r.location(), "/", "back={back:?}");
        }
    })
    .await;
}

/// Lucas, at Banque Horizon until his mission ends, then at Clientis the
/// next day: one report, two clients. Horizon has validated its days in
/// the portal, a file is attached for each client and one kept internal.
struct SharedMonth {
    cra: domain::ids::CraId,
    clientis_contact: crate::harness::Browser,
    horizon_contact: crate::harness::Browser,
    lucas: crate::harness::Browser,
    /// What only Horizon and the firm may see.
    horizon_secrets: Vec<String>,
    /// What only Clientis and the firm may see.
    clientis_secrets: Vec<String>,
    horizon_file: String,
    internal_file: String,
}

const CLIENTIS_TITLE: &str = "Architecte data — lac de données";

async fn shared_month(t: &crate::harness::TestApp) -> SharedMonth {
    use domain::cra::{Cell, fill_month};
    use domain::mission::MissionInput;
    use store::{Actor, Scope};
    use time::Duration;

    let mut tx = t.db.begin().await.unwrap();
    let actor = Actor::system("test");
    let lucas = store::users::find_by_email(&mut tx, "lucas.petit@stafforia.example")
        .await
        .unwrap()
        .unwrap();
    let horizon = store::missions::get(&mut tx, Scope::All, t.lucas_mission)
        .await
        .unwrap();
    let start = horizon.data.end_date + Duration::days(1);
    let input = MissionInput {
        title: CLIENTIS_TITLE.into(),
        client_id: t.clientis.to_string(),
        consultant_id: lucas.id.to_string(),
        business_manager_id: horizon.data.business_manager_id.to_string(),
        start_date: start.to_string(),
        end_date: (start + Duration::days(90)).to_string(),
        tjm: "640".into(),
        ..Default::default()
    };
    let clientis = store::missions::create(
        &mut tx,
        &actor,
        &input.validate().unwrap(),
        &[t.clientis_contact],
    )
    .await
    .unwrap();
    let month = domain::calendar::YearMonth::of(horizon.data.end_date);
    let lucas_actor = Actor {
        user_id: Some(lucas.id),
        label: lucas.display_name.clone(),
        ip: None,
    };
    let id = store::cras::open(&mut tx, &lucas_actor, lucas.id, month)
        .await
        .unwrap();
    let sheet = store::cras::get(&mut tx, Scope::Own(lucas.id), id)
        .await
        .unwrap();
    let mut cells: Vec<Cell> = Vec::new();
    for m in &sheet.missions {
        cells = fill_month(
            month,
            sheet.pattern,
            &m.window(),
            &cells,
            &sheet.leave_slots(),
        );
    }
    let entry = store::cras::Entry {
        cells,
        comment: Some("Passage de relais Horizon → Clientis le 21".into()),
        extras: Vec::new(),
    };
    store::cras::save(&mut tx, &lucas_actor, Scope::Own(lucas.id), id, &entry)
        .await
        .unwrap();
    for (name, mission) in [
        ("feuille-horizon.pdf", Some(t.lucas_mission)),
        ("feuille-clientis.pdf", Some(clientis.id)),
        ("note-interne.pdf", None),
    ] {
        let file = store::cras::NewAttachment {
            filename: name,
            content_type: "application/pdf",
            bytes: b"%PDF-1.4 test",
            mission,
        };
        store::cras::add_attachment(&mut tx, &lucas_actor, Scope::Own(lucas.id), id, &file)
            .await
            .unwrap();
    }
    store::cras::sign(
        &mut tx,
        &lucas_actor,
        Scope::Own(lucas.id),
        id,
        &store::esign::Origin::system(),
        "http://test",
        &app::Render,
    )
    .await
    .unwrap();
    let horizon_user = store::users::create(
        &mut tx,
        &actor,
        &domain::user::UserInput {
            email: "claire.moreau@banque-horizon.example".into(),
            display_name: "Claire Moreau".into(),
            role: "client_contact".into(),
            company_id: t.horizon.to_string(),
            password: "un mot de passe solide".into(),
            ..Default::default()
        }
        .validate(true)
        .unwrap(),
    )
    .await
    .unwrap();
    let horizon_actor = Actor {
        user_id: Some(horizon_user.id),
        label: horizon_user.display_name.clone(),
        ip: None,
    };
    store::cras::client_validate(
        &mut tx,
        Scope::Company(t.horizon),
        id,
        store::cras::Via::Portal {
            mission: t.lucas_mission,
            actor: &horizon_actor,
        },
        "Claire Moreau <claire.moreau@banque-horizon.example>",
    )
    .await
    .unwrap();
    let sheet = store::cras::get(&mut tx, Scope::All, id).await.unwrap();
    let file = |name: &str| {
        sheet
            .attachments
            .iter()
            .find(|a| a.filename == name)
            .unwrap()
            .id
            .clone()
    };
    let (horizon_file, internal_file) = (file("feuille-horizon.pdf"), file("note-interne.pdf"));
    let sophie = store::users::find_by_email(&mut tx, "sophie.bernard@clientis.example")
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    SharedMonth {
        cra: id,
        clientis_contact: t.browser_of(Some(sophie.id)).await,
        horizon_contact: t.browser_of(Some(horizon_user.id)).await,
        lucas: t.browser_of(Some(lucas.id)).await,
        horizon_secrets: vec![
            horizon.data.title.clone(),
            "Banque Horizon".into(),
            "claire.moreau@banque-horizon.example".into(),
            "Claire Moreau".into(),
            "feuille-horizon.pdf".into(),
            "note-interne.pdf".into(),
            "Passage de relais".into(),
        ],
        clientis_secrets: vec![
            CLIENTIS_TITLE.into(),
            "Clientis".into(),
            "feuille-clientis.pdf".into(),
            "note-interne.pdf".into(),
            "Passage de relais".into(),
        ],
        horizon_file,
        internal_file,
    }
}

fn assert_hides(what: &str, body: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!body.contains(s.as_str()), "{what} shows {s:?}:\n{body}");
    }
}

/// Every page and API answer about a report shared by two clients goes
/// through the same scope as its days: neither client learns anything of
/// the other (mission, validator, files, the consultant's comment).
#[tokio::test]
async fn a_report_shared_by_two_clients_shows_each_only_his_part() {
    on_each_backend(|t| async move {
        let s = shared_month(&t).await;
        let id = s.cra;
        let clientis_token = {
            let mut tx = t.db.begin().await.unwrap();
            let sophie = store::users::find_by_email(&mut tx, "sophie.bernard@clientis.example")
                .await
                .unwrap()
                .unwrap();
            let (_, secret) = store::api_tokens::create(
                &mut tx,
                &store::Actor::system("test"),
                sophie.id,
                "test",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            secret
        };
        for (who, browser, secrets, own) in [
            (
                "Clientis",
                &s.clientis_contact,
                &s.horizon_secrets,
                CLIENTIS_TITLE,
            ),
            (
                "Horizon",
                &s.horizon_contact,
                &s.clientis_secrets,
                "Banque Horizon",
            ),
        ] {
            let page = t.get(&format!("/cras/{id}"), Some(browser)).await;
            assert_eq!(page.status, StatusCode::OK, "{who}: {}", page.body);
            assert!(
                page.body.contains(own),
                "{who} sees his own mission:\n{}",
                page.body
            );
            assert_hides(&format!("{who}'s page"), &page.body, secrets);
            let list = t.get("/cras", Some(browser)).await;
            assert_eq!(list.status, StatusCode::OK);
            assert_hides(&format!("{who}'s list"), &list.body, secrets);
            let home = t.get("/", Some(browser)).await;
            assert_hides(&format!("{who}'s home"), &home.body, secrets);
            let internal = t
                .get(
                    &format!("/cras/{id}/attachments/{}", s.internal_file),
                    Some(browser),
                )
                .await;
            assert_eq!(
                internal.status,
                StatusCode::NOT_FOUND,
                "{who} opens the internal file"
            );
        }
        let other = t
            .get(
                &format!("/cras/{id}/attachments/{}", s.horizon_file),
                Some(&s.clientis_contact),
            )
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let own = t
            .get(
                &format!("/cras/{id}/attachments/{}", s.horizon_file),
                Some(&s.horizon_contact),
            )
            .await;
        assert_eq!(own.status, StatusCode::OK);
        // Every page of the route table about reports, walked as each
        // client on the shared report: nothing of the other client.
        for (method, path, _) in crate::routes::POLICY {
            let reports = path.starts_with("/cras") || path.starts_with("/api/v1/cras");
            if *method != "GET" || !reports || path.contains("{attachment}") {
                continue;
            }
            let path = path.replace("{id}", &id.to_string());
            for (who, browser, token, secrets) in [
                (
                    "Clientis",
                    &s.clientis_contact,
                    Some(&clientis_token),
                    &s.horizon_secrets,
                ),
                ("Horizon", &s.horizon_contact, None, &s.clientis_secrets),
            ] {
                let r = match (path.starts_with("/api"), token) {
                    (true, Some(tok)) => {
                        t.api(axum::http::Method::GET, &path, Some(tok), None).await
                    }
                    (true, None) => continue,
                    (false, _) => t.get(&path, Some(browser)).await,
                };
                assert!(r.status.as_u16() < 500, "{path} as {who}: {}", r.status);
                assert_hides(&format!("{path} as {who}"), &r.body, secrets);
            }
        }
        // Clientis's half days only, in the list and the API.
        let api = t
            .api(
                axum::http::Method::GET,
                &format!("/api/v1/cras/{id}"),
                Some(&clientis_token),
                None,
            )
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        assert_hides("Clientis's API answer", &api.body, &s.horizon_secrets);
        let api = t
            .api(
                axum::http::Method::GET,
                "/api/v1/cras",
                Some(&clientis_token),
                None,
            )
            .await;
        assert_hides("Clientis's API list", &api.body, &s.horizon_secrets);
        // The consultant and the firm see it all.
        let page = t.get(&format!("/cras/{id}"), Some(&s.lucas)).await;
        for secret in s.horizon_secrets.iter().chain(&s.clientis_secrets) {
            if secret != "Claire Moreau" {
                assert!(page.body.contains(secret.as_str()), "Lucas sees {secret:?}");
            }
        }
    })
    .await;
}

/// A client sends the report back from his portal: it returns to the
/// consultant with the reason, and the client lands on his home page.
#[tokio::test]
async fn a_client_sends_a_shared_report_back_from_the_portal() {
    on_each_backend(|t| async move {
        let s = shared_month(&t).await;
        let id = s.cra;
        // Horizon validated its days: its say is over.
        let r = t
            .post_form(
                &format!("/cras/{id}/client-reject"),
                &s.horizon_contact,
                &[("reason", "Finalement non")],
            )
            .await;
        assert_eq!(r.location(), format!("/cras/{id}"));
        let page = t
            .get(&format!("/cras/{id}"), Some(&s.horizon_contact))
            .await;
        assert!(page.body.contains("cra-status"), "still there for Horizon");
        let r = t
            .post_form(
                &format!("/cras/{id}/client-reject"),
                &s.clientis_contact,
                &[("reason", "Le 22 était férié chez nous")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/");
        let mut tx = t.db.read().await.unwrap();
        let sheet = store::cras::get(&mut tx, store::Scope::All, id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sheet.cra.status, domain::cra::CraStatus::Draft);
        assert_eq!(
            sheet.cra.rejection_reason.as_deref(),
            Some("Le 22 était férié chez nous")
        );
        let page = t.get(&format!("/cras/{id}"), Some(&s.lucas)).await;
        assert!(page.body.contains("Le 22 était férié chez nous"));
        // Horizon never learns why Clientis refused.
        let mut tx = t.db.read().await.unwrap();
        let horizon_view = store::cras::get(&mut tx, store::Scope::Company(t.horizon), id).await;
        tx.commit().await.unwrap();
        assert!(
            matches!(horizon_view, Err(store::Error::NotFound)),
            "a draft is the firm's"
        );
    })
    .await;
}

/// A consultant with a running mission and reports cannot be turned into a
/// client contact (or anything else) until they are dealt with: the page
/// says why beside the role, the API names the field, nothing changes.
#[tokio::test]
async fn a_consultant_with_live_missions_keeps_his_role() {
    on_each_backend(|t| async move {
        let admin = t.browser(Some(Role::Admin)).await;
        let camille = t.camille;
        let clientis = t.clientis.to_string();
        let r = t
            .post_form(
                &format!("/users/{camille}"),
                &admin,
                &[
                    ("email", "camille.martin@stafforia.example"),
                    ("display_name", "Camille Martin"),
                    ("role", "client_contact"),
                    ("company_id", clientis.as_str()),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("mission(s) en cours ou à venir"),
            "{}",
            r.body
        );
        let token = t.token(Role::Admin).await;
        let body = serde_json::json!({
            "email": "camille.martin@stafforia.example",
            "display_name": "Camille Martin",
            "role": "business_manager",
        });
        let r = t
            .api(
                axum::http::Method::PUT,
                &format!("/api/v1/users/{camille}"),
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "role");
        assert_eq!(r.json()["errors"][0]["code"], "user-role-live-missions");
        let mut tx = t.db.read().await.unwrap();
        let user = store::users::get(&mut tx, camille).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(user.role, Role::Consultant, "nothing changed");
    })
    .await;
}

/// The login page writes nothing, however often it is opened; the form's
/// token cookie alone signs the visitor in with his password.
#[tokio::test]
async fn opening_the_login_page_writes_no_session() {
    on_each_backend(|t| async move {
        let before = t.count("sessions").await;
        for _ in 0..20 {
            let r = t.get("/login", None).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        assert_eq!(t.count("sessions").await, before);
        let visitor = t.browser(None).await;
        let r = t
            .post_form(
                "/login",
                &visitor,
                &[
                    ("email", "bm@stafforia.example"),
                    ("password", "regisseur-demo"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("sessions").await, before + 1);
        let cookies: Vec<&str> = r
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("regisseur_form=;") && c.contains("Max-Age=0")),
            "{cookies:?}"
        );
        // A forged form without the cookie's token is refused.
        let forged = crate::harness::Browser {
            cookie: visitor.cookie.clone(),
            csrf: "0".repeat(64),
        };
        let r = t
            .post_form(
                "/login",
                &forged,
                &[
                    ("email", "bm@stafforia.example"),
                    ("password", "regisseur-demo"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    })
    .await;
}

/// Changing one's password says what happens to the API tokens and, when
/// asked, revokes them with it.
#[tokio::test]
async fn a_password_change_revokes_the_api_tokens_when_asked() {
    on_each_backend(|t| async move {
        let me = t.browser(Some(Role::Finance)).await;
        let page = t.get("/account", Some(&me)).await;
        assert!(
            page.body
                .contains("restent valides : changer le mot de passe ne les touche pas"),
            "{}",
            page.body
        );
        let kept = t.token(Role::Finance).await;
        let new = "une nouvelle phrase secrète";
        let r = t
            .post_form(
                "/account/password",
                &me,
                &[
                    ("current_password", "regisseur-demo"),
                    ("new_password", new),
                    ("confirm_password", new),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let api = t
            .api(axum::http::Method::GET, "/api/v1/me", Some(&kept), None)
            .await;
        assert_eq!(
            api.status,
            StatusCode::OK,
            "unticked: the token stays valid"
        );
        let newer = "encore une autre phrase secrète";
        let r = t
            .post_form(
                "/account/password",
                &me,
                &[
                    ("current_password", new),
                    ("new_password", newer),
                    ("confirm_password", newer),
                    ("revoke_tokens", "true"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let api = t
            .api(axum::http::Method::GET, "/api/v1/me", Some(&kept), None)
            .await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED, "ticked: revoked");
    })
    .await;
}

/// Served over https, every answer tells browsers to stay on https.
#[tokio::test]
async fn https_deployments_send_hsts() {
    on_each_backend(|t| async move {
        let plain = t.get("/login", None).await;
        assert!(plain.headers.get("strict-transport-security").is_none());
        let config = web::WebConfig {
            public_url: "https://regisseur.example".into(),
            ..web::WebConfig::default()
        };
        let app = web::app(web::AppState::new(t.db.clone(), config));
        let r = tower::ServiceExt::oneshot(
            app,
            axum::http::Request::get("/login")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(
            r.headers().get("strict-transport-security").unwrap(),
            "max-age=31536000"
        );
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
        assert!(
            cookie.starts_with("__Host-regisseur_form=") && cookie.contains("Secure"),
            "{cookie}"
        );
    })
    .await;
}

/// A search term with a NUL (which PostgreSQL refuses in a text
/// parameter) answers like any other term, never a 500 (found by
/// schemathesis on PostgreSQL).
#[tokio::test]
async fn a_search_with_control_characters_is_answered() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        for path in [
            "/api/v1/companies?q=%00S",
            "/api/v1/contacts?q=a%00%1B",
            "/api/v1/users?q=%00",
        ] {
            let r = t
                .api(axum::http::Method::GET, path, Some(&token), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        let admin = t.browser(Some(Role::Admin)).await;
        let r = t.get("/companies?q=%00", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
    })
    .await;
}

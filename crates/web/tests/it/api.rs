//! The JSON API: problem documents, scoping, OpenAPI.

use axum::http::{Method, StatusCode};
use domain::role::Role;

use fixtures::build::Client;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// The demo's five companies: three clients (Clientis Group with three
/// contacts), a prospect and a supplier; returns Clientis and Banque
/// Horizon.
async fn five_companies(t: &EmptyApp) -> (Client, Client) {
    let clientis =
        t.w.client()
            .name("Clientis Group")
            .siren("542051180")
            .contact("Sophie", "Bernard", "buyer")
            .create()
            .await;
    t.w.contact(&clientis, "Marc", "Lefèvre", "domain_manager")
        .await;
    t.w.contact(&clientis, "Nadia", "Haddad", "accounts_payable")
        .await;
    let horizon = t.w.client().name("Banque Horizon").create().await;
    t.w.client().name("Mutuelle Atlantique").create().await;
    t.w.client()
        .name("Proxima Énergie")
        .kind("prospect")
        .create()
        .await;
    t.w.client()
        .name("DataFreelance Portage")
        .kind("supplier")
        .create()
        .await;
    (clientis, horizon)
}

const NEW_COMPANY: &str = r#"{"name": "Nouvelle Cliente", "siren": "732829320", "kind": "client", "city": "Paris", "postcode": "75001"}"#;

#[tokio::test]
async fn create_read_update_a_company() {
    on_each_backend(|t| async move {
        let token = t.token(Role::BusinessManager).await;
        let r = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&token),
                Some(NEW_COMPANY),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.location(), format!("/api/v1/companies/{id}"));
        let got = t
            .api(
                Method::GET,
                &format!("/api/v1/companies/{id}"),
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(got["siren"], "732829320");
        assert_eq!(got["country"], "FR");
        let body = r#"{"name": "Nouvelle Cliente SA", "siren": "732829320", "kind": "prospect"}"#;
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/companies/{id}"),
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["kind"], "prospect");
        assert_eq!(
            r.json()["city"],
            serde_json::Value::Null,
            "PUT replaces every field"
        );
        assert_eq!(r.json()["send_invoices_by_email"], false);

        // How the client receives its invoices: a setting of its own,
        // kept when the record is replaced.
        let delivery = format!("/api/v1/companies/{id}/invoice-delivery");
        let r = t
            .api(
                Method::PUT,
                &delivery,
                Some(&token),
                Some(r#"{"send_invoices_by_email": true}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["send_invoices_by_email"], true);
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/companies/{id}"),
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(r.json()["send_invoices_by_email"], true);
        let r = t
            .api(
                Method::PUT,
                &delivery,
                Some(&token),
                Some(r#"{"send_invoices_by_email": "yes"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.content_type(), "application/problem+json");
        assert_eq!(r.json()["errors"][0]["field"], "send_invoices_by_email");
        let r = t
            .api(
                Method::PUT,
                "/api/v1/companies/00000000-0000-0000-0000-000000000000/invoice-delivery",
                Some(&token),
                Some(r#"{"send_invoices_by_email": true}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn invalid_identifiers_are_problems_naming_the_field() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        let before = t.count("companies").await;
        let cases = [
            (
                "siren",
                r#"{"name": "X", "siren": "732829321"}"#,
                "id-checksum",
            ),
            (
                "siren",
                r#"{"name": "X", "siren": "7328293"}"#,
                "id-wrong-length",
            ),
            (
                "siret",
                r#"{"name": "X", "siret": "73282932000075"}"#,
                "id-checksum",
            ),
            (
                "vat_number",
                r#"{"name": "X", "siren": "732829320", "vat_number": "FR00732829320"}"#,
                "id-wrong-key",
            ),
            (
                "iban",
                r#"{"name": "X", "iban": "FR7630006000011234567890188"}"#,
                "id-checksum",
            ),
            (
                "email",
                r#"{"name": "X", "email": "not-an-email"}"#,
                "id-invalid-email",
            ),
            ("name", r#"{"name": ""}"#, "field-required"),
        ];
        for (field, body, code) in cases {
            let r = t
                .api(Method::POST, "/api/v1/companies", Some(&token), Some(body))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.body
            );
            assert_eq!(r.content_type(), "application/problem+json");
            let p = r.json();
            assert_eq!(p["status"], 422);
            let e = p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == field)
                .unwrap_or_else(|| panic!("{body}: {p}"));
            assert_eq!(e["code"], code, "{body}");
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
        assert_eq!(t.count("companies").await, before, "nothing written");
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_siren_is_refused_and_nothing_is_written() {
    on_each_backend(|t| async move {
        five_companies(&t).await;
        let token = t.token(Role::Admin).await;
        let companies = t.count("companies").await;
        let audit = t.count("audit_log").await;
        let body = r#"{"name": "Clientis bis", "siren": "542051180"}"#;
        let r = t
            .api(Method::POST, "/api/v1/companies", Some(&token), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "siren");
        assert_eq!(r.json()["errors"][0]["code"], "siren-taken");
        assert_eq!(t.count("companies").await, companies);
        assert_eq!(t.count("audit_log").await, audit);
    })
    .await;
}

#[tokio::test]
async fn malformed_oversized_and_mistyped_bodies() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        let r = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&token),
                Some("{not json"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.content_type(), "application/problem+json");
        let r = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&token),
                Some(r#"{"name": 12}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&token),
                Some(r#"{"name": "X", "surprise": 1}"#),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "unknown fields are refused"
        );
        let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
        let r = t
            .api(Method::POST, "/api/v1/companies", Some(&token), Some(&big))
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.content_type(), "application/problem+json");
        let r = t
            .send(
                axum::http::Request::post("/api/v1/companies")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "text/plain")
                    .body(axum::body::Body::from("hello"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = t
            .api(
                Method::GET,
                "/api/v1/companies?page=abc",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "page");
        let r = t
            .api(
                Method::GET,
                "/api/v1/companies/not-a-uuid",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.content_type(), "application/problem+json");
        let r = t
            .api(Method::GET, "/api/v1/nothing-here", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.content_type(), "application/problem+json");
    })
    .await;
}

#[tokio::test]
async fn authentication_is_required_and_tokens_can_be_revoked() {
    on_each_backend(|t| async move {
        let r = t.api(Method::GET, "/api/v1/companies", None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers.get("www-authenticate").is_some());
        let r = t
            .api(Method::GET, "/api/v1/companies", Some("rgt_forged"), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        t.w.user(Role::Finance)
            .email("finance@stafforia.example")
            .create()
            .await;
        let token = t.token(Role::Finance).await;
        let me = t
            .api(Method::GET, "/api/v1/me", Some(&token), None)
            .await
            .json();
        assert_eq!(me["role"], "finance");
        let mut tx = t.db.begin().await.unwrap();
        let user = store::users::find_by_email(&mut tx, "finance@stafforia.example")
            .await
            .unwrap()
            .unwrap();
        let tokens = store::api_tokens::list_for_user(&mut tx, user.id)
            .await
            .unwrap();
        store::api_tokens::revoke(
            &mut tx,
            &store::Actor::system("test"),
            user.id,
            tokens[0].id,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let r = t.api(Method::GET, "/api/v1/me", Some(&token), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_client_contact_sees_only_his_company() {
    on_each_backend(|t| async move {
        let (clientis, horizon) = five_companies(&t).await;
        t.w.user(Role::ClientContact).of(&clientis).create().await;
        let token = t.token(Role::ClientContact).await;
        let list = t
            .api(Method::GET, "/api/v1/companies", Some(&token), None)
            .await
            .json();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["name"], "Clientis Group");
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/companies/{}", horizon.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "another client's company does not exist for him"
        );
        let contacts = t
            .api(
                Method::GET,
                "/api/v1/contacts?per_page=200",
                Some(&token),
                None,
            )
            .await
            .json();
        let items = contacts["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert!(items.iter().all(|c| c["company_name"] == "Clientis Group"));
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/contacts/{}", horizon.contact.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Filtering on another company returns nothing rather than leaking it.
        let other = t
            .api(
                Method::GET,
                &format!("/api/v1/contacts?company_id={}", horizon.id),
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(other["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn lists_page_and_filter() {
    on_each_backend(|t| async move {
        five_companies(&t).await;
        let token = t.token(Role::Direction).await;
        let p = t
            .api(
                Method::GET,
                "/api/v1/companies?per_page=2&page=2",
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(p["total"], 5);
        assert_eq!(p["page"], 2);
        assert_eq!(p["items"].as_array().unwrap().len(), 2);
        let p = t
            .api(
                Method::GET,
                "/api/v1/companies?kind=supplier",
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(p["total"], 1);
        let p = t
            .api(
                Method::GET,
                "/api/v1/companies?q=energie",
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(p["items"][0]["name"], "Proxima Énergie", "accents ignored");
        let r = t
            .api(
                Method::GET,
                "/api/v1/companies?kind=alien",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "kind");
    })
    .await;
}

#[tokio::test]
async fn problem_messages_follow_accept_language() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        let req = |lang: &str| {
            axum::http::Request::post("/api/v1/companies")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("accept-language", lang.to_string())
                .body(axum::body::Body::from(
                    r#"{"name": "X", "siren": "732829321"}"#,
                ))
                .unwrap()
        };
        let fr = t.send(req("fr-FR,fr;q=0.9")).await.json();
        assert!(
            fr["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("clé de contrôle"),
            "{fr}"
        );
        let en = t.send(req("en-GB,en;q=0.9")).await.json();
        assert!(
            en["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("check digit"),
            "{en}"
        );
    })
    .await;
}

#[tokio::test]
async fn users_api_for_admins() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().name("Clientis Group").create().await.id;
        let token = t.token(Role::Admin).await;
        let body = format!(
            r#"{{"email": "nouveau@clientis.example", "display_name": "Nouveau Contact", "role": "client_contact", "company_id": "{}"}}"#,
            clientis
        );
        let r = t.api(Method::POST, "/api/v1/users", Some(&token), Some(&body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(!r.body.contains("password"), "no password or hash in responses");
        assert!(r.json()["expires_at"].is_string(), "{}", r.body);
        let r = t.api(Method::POST, "/api/v1/users", Some(&token), Some(&body)).await;
        assert_eq!(r.json()["errors"][0]["code"], "email-taken");
        let bad = r#"{"email": "x@y.example", "display_name": "X", "role": "client_contact"}"#;
        let r = t.api(Method::POST, "/api/v1/users", Some(&token), Some(bad)).await;
        assert_eq!(r.json()["errors"][0]["field"], "company_id");
    })
    .await;
}

#[test]
fn openapi_document_lists_every_api_route() {
    let doc = web::router::openapi();
    let json = serde_json::to_value(&doc).unwrap();
    assert!(
        json["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        json["openapi"]
    );
    for spec in web::router::routes()
        .specs
        .iter()
        .filter(|s| s.path.starts_with("/api/v1"))
    {
        let method = spec.method.as_str().to_lowercase();
        assert!(
            json["paths"][&spec.path][&method].is_object(),
            "{} {} undocumented",
            spec.method,
            spec.path
        );
    }
    for schema in [
        "CompanyDto",
        "CompanyBody",
        "ProblemDoc",
        "UserDto",
        "ContactDto",
    ] {
        assert!(
            json["components"]["schemas"][schema].is_object(),
            "{schema}"
        );
    }
}

//! The API answers what its OpenAPI document says: every refusal is a
//! problem document with `errors`, paging out of range is refused naming the
//! parameter, and every operation documents the refusals it can give.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use domain::role::Role;
use serde_json::Value;

use domain::calendar::YearMonth;

use crate::harness::{EmptyApp, Resp, on_each_backend_empty as on_each_backend};

fn assert_problem(r: &Resp, status: StatusCode, what: &str) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    assert_eq!(r.content_type(), "application/problem+json", "{what}");
    let p = r.json();
    assert_eq!(p["status"], status.as_u16(), "{what}");
    assert!(
        p["errors"].is_array(),
        "{what}: `errors` always present: {p}"
    );
    p
}

async fn with_lang(t: &EmptyApp, path: &str, token: &str, lang: &str) -> Resp {
    t.send(
        Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .header("accept-language", lang)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn every_refusal_is_a_problem_document_with_errors() {
    on_each_backend(|t| async move {
        // The consultant's report of this month.
        let c = t.w.client().create().await;
        let m = t.w.mission(&c).create().await;
        let cra = t.w.opened_month(&m, YearMonth::of(store::today())).await;
        let admin = t.token(Role::Admin).await;
        let consultant = t.token(Role::Consultant).await;
        let before = t.count("companies").await;
        let post =
            |body: &'static str| t.api(Method::POST, "/api/v1/companies", Some(&admin), Some(body));

        let r = t.api(Method::GET, "/api/v1/companies", None, None).await;
        let p = assert_problem(&r, StatusCode::UNAUTHORIZED, "no token");
        assert_eq!(p["errors"], serde_json::json!([]));
        let r = t
            .api(Method::GET, "/api/v1/companies", Some(&consultant), None)
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "a consultant lists companies");
        let r = t
            .api(Method::GET, "/api/v1/companies/nope", Some(&admin), None)
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "unknown id");
        let r = t
            .api(Method::GET, "/api/v1/nothing", Some(&admin), None)
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "unknown path");
        let r = t
            .api(Method::DELETE, "/api/v1/companies", Some(&admin), None)
            .await;
        assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "DELETE on a list");
        let r = post("{not json").await;
        assert_problem(&r, StatusCode::BAD_REQUEST, "malformed JSON");
        let r = t
            .send(
                Request::post("/api/v1/companies")
                    .header("authorization", format!("Bearer {admin}"))
                    .header("content-type", "text/plain")
                    .body(Body::from("hello"))
                    .unwrap(),
            )
            .await;
        assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "text/plain");
        let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
        let r = t
            .api(Method::POST, "/api/v1/companies", Some(&admin), Some(&big))
            .await;
        assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "2 MiB body");

        // A body of the wrong shape names the member at fault.
        for (body, field, code) in [
            (r#"{"name": 12}"#, "name", "json-field-invalid"),
            (r#"{"kind": "client"}"#, "name", "json-field-missing"),
            (
                r#"{"name": "X", "surprise": 1}"#,
                "surprise",
                "json-field-unknown",
            ),
        ] {
            let p = assert_problem(&post(body).await, StatusCode::BAD_REQUEST, body);
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            assert_eq!(p["errors"][0]["code"], code, "{body}: {p}");
        }
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/cras/{cra}"),
                Some(&consultant),
                Some(r#"{"entries": [{"date": "2026-01-02", "activity": "bench", "days": 1}]}"#),
            )
            .await;
        let p = assert_problem(&r, StatusCode::BAD_REQUEST, "a number for a string");
        assert_eq!(p["errors"][0]["field"], "entries[0].days", "{p}");

        // A repeated query parameter is named too.
        let r = t
            .api(
                Method::GET,
                "/api/v1/companies?kind=client&kind=supplier",
                Some(&admin),
                None,
            )
            .await;
        let p = assert_problem(&r, StatusCode::BAD_REQUEST, "repeated parameter");
        assert_eq!(p["errors"][0]["field"], "kind", "{p}");

        let p = assert_problem(
            &post(r#"{"name": "X", "siren": "732829321"}"#).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad SIREN",
        );
        assert_eq!(p["errors"][0]["field"], "siren");
        assert_eq!(t.count("companies").await, before, "nothing written");
    })
    .await;
}

#[tokio::test]
async fn paging_out_of_range_is_refused_naming_the_parameter() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        for list in ["/api/v1/companies", "/api/v1/contacts", "/api/v1/users"] {
            for (query, field) in [
                ("per_page=2147483648", "per_page"),
                ("per_page=201", "per_page"),
                ("per_page=0", "per_page"),
                ("per_page=-1", "per_page"),
                ("page=0", "page"),
                ("page=abc", "page"),
                ("page=1000001", "page"),
            ] {
                let r = t
                    .api(Method::GET, &format!("{list}?{query}"), Some(&token), None)
                    .await;
                let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, query);
                assert_eq!(p["errors"][0]["field"], field, "{list}?{query}: {p}");
            }
            let r = t
                .api(
                    Method::GET,
                    &format!("{list}?per_page=200&page=1"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{list}: the maximum is allowed");
            assert_eq!(r.json()["per_page"], 200);
        }
        // French by default, English when asked.
        let fr = with_lang(&t, "/api/v1/companies?per_page=2147483648", &token, "")
            .await
            .json();
        let msg = fr["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains("taille de page") && msg.contains("200"),
            "{msg}"
        );
        let en = with_lang(&t, "/api/v1/companies?per_page=2147483648", &token, "en")
            .await
            .json();
        let msg = en["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains("page size") && msg.contains("200"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn a_client_filter_that_is_no_company_id_is_refused() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().create().await.id;
        let token = t.token(Role::Finance).await;
        for list in ["/api/v1/payments", "/api/v1/open-items"] {
            let r = t
                .api(
                    Method::GET,
                    &format!("{list}?client_id=zzz"),
                    Some(&token),
                    None,
                )
                .await;
            let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, list);
            assert_eq!(p["errors"][0]["field"], "client_id", "{p}");
            let r = t
                .api(
                    Method::GET,
                    &format!("{list}?client_id={clientis}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{list}: {}", r.body);
        }
    })
    .await;
}

fn documented(op: &Value) -> Vec<u16> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|k| k.parse().ok())
        .collect()
}

/// Walks the generated document: an operation added later without its
/// refusals fails here.
#[test]
fn every_operation_documents_its_refusals() {
    let doc = serde_json::to_value(web::router::openapi()).unwrap();
    let specs = web::router::routes().specs;
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            seen += 1;
            let name = format!("{} {path}", method.to_uppercase());
            let spec = specs
                .iter()
                .find(|s| s.path == *path && s.method.as_str().eq_ignore_ascii_case(method))
                .unwrap_or_else(|| panic!("{name}: not in the route table"));
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let has = |place: &str| params.iter().any(|p| p["in"] == place);
            let body = op["requestBody"].is_object();
            let mut expected = vec![401, 503];
            if matches!(spec.need, web::authz::Need::Perm(_)) || method != "get" {
                expected.push(403);
            }
            if has("path") {
                expected.push(404);
            }
            if body {
                expected.extend([400, 413, 415, 422]);
            }
            if has("query") {
                expected.extend([400, 422]);
            }
            let statuses = documented(op);
            for s in &expected {
                assert!(statuses.contains(s), "{name} does not document {s}");
            }
            assert!(
                statuses.iter().any(|s| (200..300).contains(s)),
                "{name}: no success documented"
            );
            for s in statuses.iter().filter(|s| **s >= 400) {
                let r = &op["responses"][s.to_string()];
                assert_eq!(
                    r["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/ProblemDoc",
                    "{name} {s}"
                );
                assert!(
                    !r["description"].as_str().unwrap_or("").is_empty(),
                    "{name} {s}"
                );
            }
            assert!(
                !statuses.contains(&500),
                "{name}: a 500 is a bug, not a promise"
            );
        }
    }
    assert!(seen >= 21, "only {seen} operations");
    let problem = &doc["components"]["schemas"]["ProblemDoc"];
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"errors"), "{problem}");
}

#[test]
fn paging_parameters_carry_their_bounds() {
    let doc = serde_json::to_value(web::router::openapi()).unwrap();
    for list in ["/api/v1/companies", "/api/v1/contacts", "/api/v1/users"] {
        let params = doc["paths"][list]["get"]["parameters"].as_array().unwrap();
        let schema = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{list}: no {name}"))["schema"]
                .clone()
        };
        assert_eq!(schema("per_page")["minimum"], 1, "{list}");
        assert_eq!(
            schema("per_page")["maximum"],
            domain::paging::MAX_PER_PAGE,
            "{list}"
        );
        assert_eq!(schema("page")["minimum"], 1, "{list}");
        assert_eq!(
            schema("page")["maximum"],
            domain::paging::MAX_PAGE,
            "{list}"
        );
    }
}

//! Opportunities through the API and the pages: 201 with its Location,
//! refusals naming their field with nothing written, winning twice
//! answering the same mission, outsiders refused, the pages' forms.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use serde_json::json;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

fn body(client: &str, extra: serde_json::Value) -> String {
    let mut b = json!({
        "title": "Mission — Data Eng",
        "client_id": client,
        "tjm_min": "600",
        "start_date": "2027-01-04",
        "days": "60",
        "skills": [{"name": "Spark", "level": 3}]
    });
    if let (Some(o), Some(e)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    b.to_string()
}

fn fields(r: &crate::harness::Resp) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn post(t: &EmptyApp, token: &str, path: &str, b: &str) -> crate::harness::Resp {
    t.api(Method::POST, path, Some(token), Some(b)).await
}

#[tokio::test]
async fn the_api_creates_refuses_by_field_and_wins_once() {
    on_each_backend(|t| async move {
        let token = t.token(Role::BusinessManager).await;
        let client = t.w.client().name("Clientis").create().await;
        let other = t.w.client().name("Autre").create().await;
        let cid = client.id.to_string();
        let r = post(
            &t,
            &token,
            "/api/v1/opportunities",
            &body(
                &cid,
                json!({"contact_ids": [client.contact.id.to_string()]}),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.location(), format!("/api/v1/opportunities/{id}"));
        assert_eq!(r.json()["expected_revenue"], "36000.00");
        assert_eq!(r.json()["weighted_revenue"], "3600.00");
        assert_eq!(r.json()["stage"], "qualification");
        assert_eq!(r.json()["skills"][0]["level"], 3);
        let child = post(
            &t,
            &token,
            "/api/v1/opportunities",
            &body(
                &cid,
                json!({"title": "DataViz", "parent_id": id, "source": "follow_up_meeting"}),
            ),
        )
        .await;
        assert_eq!(child.status, StatusCode::CREATED, "{}", child.body);
        let child_id = child.json()["id"].as_str().unwrap().to_owned();
        let before = t.count("opportunities").await;
        let events = t.count("opportunity_events").await;
        // Every refusal names its field; nothing is written.
        for (extra, field) in [
            (json!({"tjm_min": "0"}), "tjm_min"),
            (json!({"tjm_min": "700", "tjm_max": "500"}), "tjm_max"),
            (json!({"end_date": "2027-01-01"}), "end_date"),
            (
                json!({"contact_ids": [other.contact.id.to_string()]}),
                "contact_ids[0]",
            ),
        ] {
            let r = post(
                &t,
                &token,
                "/api/v1/opportunities",
                &body(&cid, extra.clone()),
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{extra}: {}",
                r.body
            );
            assert_eq!(r.content_type(), "application/problem+json");
            assert!(
                fields(&r).contains(&field.to_owned()),
                "{extra}: {}",
                r.body
            );
        }
        let path = format!("/api/v1/opportunities/{id}");
        for (patch, field) in [
            (json!({"parent_id": child_id}), "parent_id"),
            (json!({"probability": "150"}), "probability"),
        ] {
            let r = t
                .api(Method::PATCH, &path, Some(&token), Some(&patch.to_string()))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{patch}: {}",
                r.body
            );
            assert_eq!(fields(&r), [field], "{patch}");
        }
        assert_eq!(t.count("opportunities").await, before);
        assert_eq!(t.count("opportunity_events").await, events);
        // A probability of his own, then a move and a loss without reason.
        let r = t
            .api(
                Method::PATCH,
                &path,
                Some(&token),
                Some(r#"{"probability": "50"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["weighted_revenue"], "18000.00");
        let stage = format!("{path}/stage");
        let r = post(&t, &token, &stage, r#"{"stage": "perdue"}"#).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r), ["loss_reason"]);
        let r = post(&t, &token, &stage, r#"{"stage": "proposition"}"#).await;
        assert_eq!(r.json()["probability"], "60", "{}", r.body);
        // Won twice: one mission.
        let camille = t.w.consultant("Camille Martin").await;
        let win = format!("{path}/win");
        let r = post(&t, &token, &win, "{}").await;
        assert_eq!(fields(&r), ["consultant_id"], "{}", r.body);
        let missions = t.count("missions").await;
        let r = post(
            &t,
            &token,
            &win,
            &json!({"consultant_id": camille.id.to_string()}).to_string(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mission = r.json()["mission_id"].as_str().unwrap().to_owned();
        assert_eq!(r.json()["created"], true);
        let again = post(&t, &token, &win, "{}").await;
        assert_eq!(again.json()["mission_id"], mission.as_str());
        assert_eq!(again.json()["created"], false);
        assert_eq!(t.count("missions").await, missions + 1);
        let got = t.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(got.json()["mission_id"], mission.as_str());
        assert_eq!(got.json()["outcome"], "won");
        let list = t
            .api(
                Method::GET,
                &format!("/api/v1/opportunities?client_id={cid}&sort=title&per_page=200"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(list.json()["total"], 2, "{}", list.body);
        assert_eq!(list.json()["items"][0]["title"], "DataViz");
        let bad = t
            .api(
                Method::GET,
                "/api/v1/opportunities?per_page=500&stage=Nope",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn consultants_and_client_contacts_are_refused() {
    on_each_backend(|t| async move {
        let client = t.w.client().create().await;
        for role in [Role::Consultant, Role::ClientContact] {
            let token = t.token(role).await;
            let r = t
                .api(Method::GET, "/api/v1/opportunities", Some(&token), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
            let r = post(
                &t,
                &token,
                "/api/v1/opportunities",
                &body(&client.id.to_string(), json!({})),
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
            let b = t.browser(Some(role)).await;
            assert_eq!(
                t.get("/opportunities", Some(&b)).await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                t.get("/opportunities/kanban", Some(&b)).await.status,
                StatusCode::FORBIDDEN
            );
        }
        assert_eq!(t.count("opportunities").await, 0);
    })
    .await;
}

#[tokio::test]
async fn the_pages_create_move_and_win() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let camille = t.w.consultant("Camille Martin").await;
        let admin = t.browser(Some(Role::Admin)).await;
        let admin_id = t.user_id(Role::Admin).await.to_string();
        let cid = client.id.to_string();
        let form = |title: &'static str, tjm: &'static str| {
            vec![
                ("_csrf", admin.csrf.clone()),
                ("title", title.to_owned()),
                ("kind", "regie_mission".to_owned()),
                ("client_id", cid.clone()),
                ("tjm_min", tjm.to_owned()),
                ("start_date", "04/01/2027".to_owned()),
                ("days", "60".to_owned()),
                ("positions", "1".to_owned()),
                ("business_manager_id", admin_id.clone()),
                ("source", "call".to_owned()),
                ("skill_name", "Spark".to_owned()),
                ("skill_level", "4".to_owned()),
            ]
        };
        let send = async |f: Vec<(&'static str, String)>| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form("/opportunities", &admin, &pairs).await
        };
        // The client's contacts are offered once the client is chosen.
        let new = t
            .get(&format!("/opportunities/new?client_id={cid}"), Some(&admin))
            .await;
        assert!(
            new.body.contains(&client.contact.id.to_string()),
            "{}",
            new.body
        );
        let r = send(form("Mission — Data Eng", "0")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-tjm_min-error"), "{}", r.body);
        assert_eq!(t.count("opportunities").await, 0);
        let r = send(form("Mission — Data Eng", "600")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let detail = r.location().to_owned();
        let page = t.get(&detail, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        let euros = |n: i64| domain::money::Money::from_euros(n).format(domain::Locale::Fr);
        assert!(page.body.contains(&euros(36_000)), "{}", page.body);
        assert!(page.body.contains("Spark"));
        let kanban = t.get("/opportunities/kanban", Some(&admin)).await;
        assert_eq!(kanban.status, StatusCode::OK);
        assert!(kanban.body.contains("Mission — Data Eng"));
        assert!(kanban.body.contains(&euros(3_600)), "weighted at 10 %");
        let list = t
            .get("/opportunities?sort=expected&order=desc", Some(&admin))
            .await;
        assert!(list.body.contains("Mission — Data Eng"));
        // The account filter is a picker that suggests as one types, not
        // a select of every account; a link by id shows the account's name.
        for page in ["/opportunities", "/opportunities/kanban"] {
            let p = t
                .get(&format!("{page}?client_id={cid}"), Some(&admin))
                .await;
            assert!(!p.body.contains(r#"name="client_id""#), "{page}");
            assert!(
                p.body
                    .contains(r#"hx-get="/companies/options?kind=client,prospect""#),
                "{page}"
            );
            assert!(p.body.contains(r#"value="Clientis""#), "{page}");
            assert!(p.body.contains("Mission — Data Eng"), "{page}");
        }
        for (typed, found) in [
            ("clientis", true),
            ("Z%C3%A8bre", false),
            (cid.as_str(), true),
        ] {
            let p = t
                .get(&format!("/opportunities?client={typed}"), Some(&admin))
                .await;
            assert_eq!(p.body.contains("Mission — Data Eng"), found, "{typed}");
        }
        let id = detail.trim_start_matches("/opportunities/").to_owned();
        let r = t
            .post_form(
                &format!("/opportunities/{id}/stage"),
                &admin,
                &[
                    ("_csrf", admin.csrf.as_str()),
                    ("stage", "besoin_exprime"),
                    ("back", "kanban"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/opportunities/kanban");
        // A child's form offers the client's opportunities as its parent.
        let child = t
            .get(
                &format!("/opportunities/new?client_id={cid}&parent_id={id}"),
                Some(&admin),
            )
            .await;
        assert!(
            child
                .body
                .contains(&format!(r#"<option value="{id}" selected>"#)),
            "{}",
            child.body
        );
        let edit = t
            .get(&format!("/opportunities/{id}/edit"), Some(&admin))
            .await;
        assert_eq!(edit.status, StatusCode::OK);
        let r = t
            .post_form(
                &format!("/opportunities/{id}/win"),
                &admin,
                &[
                    ("_csrf", admin.csrf.as_str()),
                    ("consultant_id", camille.id.to_string().as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/missions/"), "{}", r.location());
        let mission = t.get(r.location(), Some(&admin)).await;
        assert!(mission.body.contains("mission-opportunity-origin"));
        let company = t.get(&format!("/companies/{cid}"), Some(&admin)).await;
        assert!(
            company
                .body
                .contains(&format!("/opportunities?client_id={cid}"))
        );
    })
    .await;
}

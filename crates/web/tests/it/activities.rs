//! Activities through the pages and the API: logged and planned (201 with
//! its Location), refusals naming their field with nothing written (422;
//! 400 for a wrong JSON type), "ma journée" with today's and the overdue,
//! done in one click, shown on the opportunity's and the company's pages;
//! consultants and client contacts refused.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use serde_json::json;
use time::Duration;

use crate::harness::on_each_backend_empty as on_each_backend;

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

#[tokio::test]
async fn the_api_logs_plans_lists_and_completes() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let other = t.w.client().name("Autre").create().await;
        let mission = t.w.mission(&client).create().await;
        let token = t.token(Role::BusinessManager).await;
        let today = store::today();
        let post = async |body: serde_json::Value| {
            t.api(
                Method::POST,
                "/api/v1/activities",
                Some(&token),
                Some(&body.to_string()),
            )
            .await
        };
        let r = post(json!({
            "kind": "call",
            "title": "Point avec la DSI",
            "due_date": today.to_string(),
            "contact_id": client.contact.id.to_string(),
            "done": true
        }))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let call = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.location(), format!("/api/v1/activities/{call}"));
        assert_eq!(r.json()["company_id"], client.id.to_string());
        assert_eq!(r.json()["done"], true);
        let r = post(json!({
            "title": "Relancer l'acheteur",
            "due_date": (today - Duration::days(2)).to_string(),
            "mission_id": mission.id.to_string()
        }))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let late = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.json()["kind"], "task");

        let before = t.count("tasks").await;
        for (body, field) in [
            (
                json!({"title": " ", "due_date": today.to_string()}),
                "title",
            ),
            (json!({"title": "x", "due_date": "31/02/2026"}), "due_date"),
            (
                json!({"title": "x", "due_date": today.to_string(), "kind": "renewal"}),
                "kind",
            ),
            (
                json!({"title": "x", "due_date": today.to_string(),
                       "company_id": client.id.to_string(),
                       "contact_id": other.contact.id.to_string()}),
                "contact_id",
            ),
        ] {
            let r = post(body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.body
            );
            assert_eq!(r.content_type(), "application/problem+json");
            assert_eq!(fields(&r), [field], "{body}");
        }
        let r = t
            .api(
                Method::POST,
                "/api/v1/activities",
                Some(&token),
                Some(r#"{"title": 3, "due_date": "2026-12-07"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(t.count("tasks").await, before, "nothing written");

        // Filters and paging.
        let list = async |q: &str| {
            t.api(
                Method::GET,
                &format!("/api/v1/activities{q}"),
                Some(&token),
                None,
            )
            .await
        };
        let r = list("?status=open").await;
        assert_eq!(r.json()["total"], 1, "{}", r.body);
        assert_eq!(r.json()["items"][0]["id"], late.as_str());
        let r = list(&format!("?company_id={}&kind=call", client.id)).await;
        assert_eq!(r.json()["total"], 1, "{}", r.body);
        let r = list("?status=later&due_from=hier").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r), ["status", "due_from"]);
        let r = list("?per_page=500").await;
        assert_eq!(fields(&r), ["per_page"]);

        // Changed, then done, then opened again.
        let at = format!("/api/v1/activities/{late}");
        let r = t
            .api(
                Method::PATCH,
                &at,
                Some(&token),
                Some(r#"{"kind": "email", "notes": "Bon de commande 2027"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["kind"], "email");
        assert_eq!(r.json()["mission_id"], mission.id.to_string());
        let r = t
            .api(Method::PATCH, &at, Some(&token), Some(r#"{"title": ""}"#))
            .await;
        assert_eq!(fields(&r), ["title"]);
        let r = t
            .api(Method::POST, &format!("{at}/done"), Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["done"], true);
        let r = t
            .api(Method::PATCH, &at, Some(&token), Some(r#"{"done": false}"#))
            .await;
        assert_eq!(r.json()["done"], false, "{}", r.body);
        let r = t.api(Method::GET, &at, Some(&token), None).await;
        assert_eq!(r.json()["notes"], "Bon de commande 2027");

        // Consultants and client contacts have no access.
        for role in [Role::Consultant, Role::ClientContact] {
            let other = t.token(role).await;
            let r = t.api(Method::GET, &at, Some(&other), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        }
    })
    .await;
}

#[tokio::test]
async fn my_day_the_form_and_the_timelines() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let mission = t.w.mission(&client).create().await;
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let bm_id = t.user_id(Role::BusinessManager).await;
        let today = store::today();
        let fr = |d: time::Date| domain::locale::format_date(d, domain::Locale::Fr);

        // The form, prefilled from the mission: its client is the account.
        let r = t
            .get(
                &format!("/activities/new?mission={}", mission.id),
                Some(&bm),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body
                .contains(&format!(r#"<option value="{}" selected>"#, client.id))
        );
        // Bad input is shown beside its field, nothing written.
        let before = t.count("tasks").await;
        let r = t
            .post_form(
                "/activities",
                &bm,
                &[
                    ("kind", "task"),
                    ("title", ""),
                    ("due_date", "32/13/2026"),
                    ("assignee_id", &bm_id.to_string()),
                    ("company_id", &client.id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(r#"id="field-title-error""#));
        assert!(r.body.contains(r#"id="field-due_date-error""#));
        assert_eq!(t.count("tasks").await, before);
        let yesterday = fr(today - Duration::days(1));
        let today_fr = fr(today);
        for (title, due) in [
            ("Relancer l'acheteur", yesterday.as_str()),
            ("Envoyer la proposition", today_fr.as_str()),
        ] {
            let r = t
                .post_form(
                    "/activities",
                    &bm,
                    &[
                        ("kind", "task"),
                        ("title", title),
                        ("due_date", due),
                        ("assignee_id", &bm_id.to_string()),
                        ("company_id", &client.id.to_string()),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(r.location(), format!("/companies/{}", client.id));
        }

        // Ma journée: the overdue, then today's.
        let r = t.get("/my-day", Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let late = r
            .body
            .find("Relancer l&#39;acheteur")
            .or(r.body.find("Relancer l'acheteur"));
        let due = r.body.find("Envoyer la proposition");
        assert!(late.is_some() && due.is_some() && late < due, "{}", r.body);
        assert!(r.body.contains(r#"id="overdue""#));
        // Done in one click, back to the day.
        let mut tx = t.db.read().await.unwrap();
        let day = store::activities::my_day(&mut tx, bm_id, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let id = day[0].id;
        let r = t
            .post_form(
                &format!("/activities/{id}/done"),
                &bm,
                &[("back", "/my-day")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/my-day");
        let r = t.get("/my-day", Some(&bm)).await;
        assert!(!r.body.contains(r#"id="overdue""#), "{}", r.body);
        // A forged back link stays on this site.
        let r = t
            .post_form(
                &format!("/activities/{id}/reopen"),
                &bm,
                &[("back", "//evil.example")],
            )
            .await;
        assert_eq!(r.location(), "/my-day");

        // The company's page and the list show them; the home page links
        // to the day.
        let r = t.get(&format!("/companies/{}", client.id), Some(&bm)).await;
        assert!(r.body.contains(r#"id="activity-timeline""#), "{}", r.body);
        assert!(r.body.contains("Envoyer la proposition"));
        let r = t.get("/activities?status=open", Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Envoyer la proposition"));
        let r = t.get("/activities?due_from=hier", Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(r#"id="field-due_from-error""#));
        let r = t.get("/", Some(&bm)).await;
        assert!(r.body.contains(r#"id="home-my-day""#));

        // The edit form, and a consultant refused.
        let r = t.get(&format!("/activities/{id}/edit"), Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let consultant = t.browser(Some(Role::Consultant)).await;
        for path in ["/my-day", "/activities", "/activities/new"] {
            let r = t.get(path, Some(&consultant)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
    })
    .await;
}

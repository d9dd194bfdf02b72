//! Follow-up meetings through the API: planned (201 with its Location),
//! refusals naming their field with nothing written, held twice planning
//! one next meeting, the child opportunity created from the note (201 with
//! the opportunity's Location, linked both ways), outsiders refused.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use serde_json::json;

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
async fn plan_hold_and_create_the_child() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let other = t.w.client().name("Autre").create().await;
        let mission = t.w.mission(&client).create().await;
        // The mission's business manager.
        let token = t.token(Role::BusinessManager).await;
        let body = |extra: serde_json::Value| {
            let mut b = json!({
                "mission_id": mission.id.to_string(),
                "planned_at": "2026-12-07T10:00",
                "contact_ids": [client.contact.id.to_string()],
                "recurrence": {"every": "monthly"}
            });
            if let (Some(o), Some(e)) = (b.as_object_mut(), extra.as_object()) {
                for (k, v) in e {
                    o.insert(k.clone(), v.clone());
                }
            }
            b.to_string()
        };
        let r = t
            .api(
                Method::POST,
                "/api/v1/meetings",
                Some(&token),
                Some(&body(json!({}))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.location(), format!("/api/v1/meetings/{id}"));
        assert_eq!(
            r.json()["planned_at"],
            "2026-12-07T09:00:00Z",
            "stored in UTC"
        );
        assert_eq!(r.json()["planned_at_paris"], "2026-12-07T10:00");
        assert_eq!(r.json()["company_id"], client.id.to_string());
        let before = (t.count("meetings").await, t.count("meeting_series").await);
        for (extra, field) in [
            (
                json!({"recurrence": {"every": "monthly", "until": "2026-11-01"}}),
                "recurrence.until",
            ),
            (
                json!({"contact_ids": [other.contact.id.to_string()]}),
                "contact_ids[0]",
            ),
            (json!({"planned_at": "demain"}), "planned_at"),
        ] {
            let r = t
                .api(
                    Method::POST,
                    "/api/v1/meetings",
                    Some(&token),
                    Some(&body(extra.clone())),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{extra}: {}",
                r.body
            );
            assert_eq!(r.content_type(), "application/problem+json");
            assert_eq!(fields(&r), [field], "{extra}");
        }
        assert_eq!(
            (t.count("meetings").await, t.count("meeting_series").await),
            before,
            "nothing written"
        );
        // A wrong JSON type is a 400.
        let r = t
            .api(
                Method::POST,
                "/api/v1/meetings",
                Some(&token),
                Some(r#"{"planned_at": 3}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        let hold = format!("/api/v1/meetings/{id}/hold");
        let child = format!("/api/v1/meetings/{id}/child-opportunity");
        // Not held yet: no child.
        let r = t.api(Method::POST, &child, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(fields(&r), ["status"]);
        let r = t
            .api(Method::POST, &hold, Some(&token), Some(r#"{"note": "  "}"#))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(fields(&r), ["note"]);
        assert_eq!(t.count("meetings").await, before.0);
        let note =
            r#"{"note": "Besoin DataViz pour le reporting", "decisions": "Proposer un profil"}"#;
        let r = t.api(Method::POST, &hold, Some(&token), Some(note)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let next = r.json()["next_meeting_id"].as_str().unwrap().to_owned();
        assert_eq!(r.json()["meeting"]["status"], "held");
        let r = t.api(Method::POST, &hold, Some(&token), Some(note)).await;
        assert_eq!(
            r.json()["next_meeting_id"],
            next.as_str(),
            "held twice, one next"
        );
        assert_eq!(t.count("meetings").await, before.0 + 1);

        let r = t.api(Method::POST, &child, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let o = r.json()["id"].as_str().unwrap().to_owned();
        assert!(
            r.headers.get("location").is_none(),
            "not a resource under the meeting's path: the id in the body"
        );
        let read = t
            .api(
                Method::GET,
                &format!("/api/v1/opportunities/{o}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(r.json()["source"], "follow_up_meeting");
        assert_eq!(r.json()["meeting_id"], id.as_str());
        assert_eq!(r.json()["need"], "Besoin DataViz pour le reporting");
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/meetings/{id}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["children"][0]["id"], o.as_str());
        assert_eq!(r.json()["next_id"], next.as_str());
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/meetings?mission_id={}&status=planned", mission.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{}", r.body);
        let r = t
            .api(
                Method::GET,
                "/api/v1/meetings?status=later",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(fields(&r), ["status"]);
        // Cancel the next one.
        let r = t
            .api(
                Method::PATCH,
                &format!("/api/v1/meetings/{next}"),
                Some(&token),
                Some(r#"{"status": "cancelled"}"#),
            )
            .await;
        assert_eq!(r.json()["status"], "cancelled", "{}", r.body);

        // A consultant has no access; another business manager sees nothing.
        let consultant = t.token(Role::Consultant).await;
        let r = t
            .api(
                Method::POST,
                "/api/v1/meetings",
                Some(&consultant),
                Some(&body(json!({}))),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/meetings/{id}"),
                Some(&consultant),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// The meetings' pages: planned from the mission's page link, refused
/// beside the field with nothing written, held (which plans the next),
/// the child opportunity made once and linked both ways, a follow-up task.
#[tokio::test]
async fn the_pages_plan_hold_and_follow_up() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let other = t.w.client().name("Autre").create().await;
        let mission =
            t.w.mission(&client)
                .title("Data Eng Clientis")
                .create()
                .await;
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let bm_id = t.user_id(Role::BusinessManager).await.to_string();
        let mid = mission.id.to_string();
        let contact = client.contact.id.to_string();
        let new = t
            .get(&format!("/meetings/new?mission={mid}"), Some(&bm))
            .await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(
            new.body.contains(&contact),
            "the account's contacts offered"
        );
        assert!(
            new.body
                .contains(&format!(r#"<option value="{mid}" selected>"#)),
            "{}",
            new.body
        );
        let form = |extra: &[(&'static str, String)]| {
            let mut f: Vec<(&'static str, String)> = vec![
                ("kind", "client".into()),
                ("mission_id", mid.clone()),
                ("planned_at", "2026-12-07T10:00".into()),
                ("mode", "on_site".into()),
                ("organiser_id", bm_id.clone()),
                ("contact_ids", contact.clone()),
                ("recurrence", "monthly".into()),
            ];
            for (k, v) in extra {
                f.retain(|(key, _)| key != k);
                f.push((k, v.clone()));
            }
            f
        };
        let send = async |path: &str, f: Vec<(&'static str, String)>| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form(path, &bm, &pairs).await
        };
        for (extra, id) in [
            (
                vec![("contact_ids", other.contact.id.to_string())],
                "field-contact_ids-error",
            ),
            (
                vec![("until", "01/11/2026".to_owned())],
                "field-until-error",
            ),
            (
                vec![("planned_at", "demain".to_owned())],
                "field-planned_at-error",
            ),
            (
                vec![("recurrence", "yearly".to_owned())],
                "field-recurrence-error",
            ),
        ] {
            let r = send("/meetings", form(&extra)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra:?}");
            assert!(r.body.contains(id), "{extra:?}: {}", r.body);
        }
        assert_eq!(
            (t.count("meetings").await, t.count("meeting_series").await),
            (0, 0),
            "nothing written"
        );
        let r = send("/meetings", form(&[])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_owned();
        let id = page.trim_start_matches("/meetings/").to_owned();
        let direction = t.browser(Some(Role::Direction)).await;
        for b in [&bm, &direction] {
            let list = t.get("/meetings", Some(b)).await;
            assert_eq!(list.status, StatusCode::OK);
            assert!(list.body.contains(&page), "{}", list.body);
            assert!(list.body.contains("07/12/2026 10:00"), "Paris time");
        }
        let list = t
            .get(&format!("/meetings?company_id={}", other.id), Some(&bm))
            .await;
        assert!(!list.body.contains(&page), "filtered on another account");
        let m = t.get(&format!("/missions/{mid}"), Some(&bm)).await;
        assert!(m.body.contains(r#"id="meetings-block-next""#), "{}", m.body);
        let c = t.get(&format!("/companies/{}", client.id), Some(&bm)).await;
        assert!(c.body.contains(&page), "the account's block links it");
        assert_eq!(
            t.get(&format!("{page}/edit"), Some(&bm)).await.status,
            StatusCode::OK
        );
        let r = send(
            &page,
            form(&[("contact_ids", other.contact.id.to_string())]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-contact_ids-error"));

        // Held without a note: refused beside it.
        let hold = format!("{page}/hold");
        let r = send(&hold, vec![("note", "  ".into())]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-note-error"), "{}", r.body);
        assert_eq!(t.count("meetings").await, 1);
        let held = vec![
            ("note", "Besoin DataViz pour le reporting".to_owned()),
            ("decisions", "Proposer deux profils".to_owned()),
            ("present_contact", contact.clone()),
        ];
        let r = send(&hold, held.clone()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), page);
        let shown = t.get(&page, Some(&bm)).await;
        assert!(
            shown.body.contains(r#"id="meeting-next""#),
            "{}",
            shown.body
        );
        assert!(
            shown.body.contains("07/01/2027 10:00"),
            "next month, same time"
        );
        assert!(shown.body.contains("Besoin DataViz"));
        let r = send(&hold, held).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.count("meetings").await, 2, "held twice, one next");

        // The child opportunity: one click, once.
        let child = format!("{page}/child-opportunity");
        let r = send(&child, vec![("seen", "0".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let opportunity = r.location().to_owned();
        assert!(opportunity.starts_with("/opportunities/"), "{opportunity}");
        let again = send(&child, vec![("seen", "0".into())]).await;
        assert_eq!(again.location(), opportunity, "a second click opens it");
        assert_eq!(t.count("opportunities").await, 1);
        let o = t.get(&opportunity, Some(&bm)).await;
        assert!(o.body.contains(r#"id="opportunity-meeting""#), "{}", o.body);
        assert!(o.body.contains(&page));
        assert!(o.body.contains("Besoin DataViz pour le reporting"));
        let shown = t.get(&page, Some(&bm)).await;
        assert!(shown.body.contains(&opportunity), "the meeting lists it");

        // A follow-up task: refused beside the field, then made.
        let task = format!("{page}/tasks");
        let r = send(
            &task,
            vec![
                ("task_title", "".into()),
                ("task_due_date", "14/12/2026".into()),
                ("task_assignee_id", bm_id.clone()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-task_title-error"), "{}", r.body);
        assert_eq!(t.count("tasks").await, 0);
        let r = send(
            &task,
            vec![
                ("task_title", "Envoyer deux CV".into()),
                ("task_due_date", "14/12/2026".into()),
                ("task_assignee_id", bm_id.clone()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            t.count(&format!(
                "tasks WHERE kind = 'task' AND meeting_id = '{id}' \
                 AND mission_id = '{mid}' AND assignee_id = '{bm_id}'"
            ))
            .await,
            1
        );
        let shown = t.get(&page, Some(&bm)).await;
        assert!(shown.body.contains("Envoyer deux CV"));
        let home = t.get("/", Some(&bm)).await;
        assert!(home.body.contains("Envoyer deux CV"), "in the BM's tasks");

        // The next one is cancelled from its page.
        let next = t
            .get(
                &format!("/meetings?status=planned&mission_id={mid}"),
                Some(&bm),
            )
            .await;
        let table = next.body.find(r#"id="meetings""#).unwrap();
        let at = table + next.body[table..].find("/meetings/").unwrap();
        let href: String = next.body[at..].chars().take_while(|c| *c != '"').collect();
        let r = send(&format!("{href}/cancel"), vec![]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.count("meetings WHERE status = 'cancelled'").await,
            1,
            "{href}"
        );

        // The agenda: the planned first (soonest first), then the others,
        // latest first; a one-off planned before the held one still leads.
        let r = send(
            "/meetings",
            form(&[
                ("planned_at", "2026-12-01T09:00".to_owned()),
                ("recurrence", String::new()),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let agenda = t
            .get(&format!("/meetings?mission_id={mid}"), Some(&bm))
            .await;
        let at = |s: &str| agenda.body.find(s).unwrap_or_else(|| panic!("{s}"));
        assert!(
            at("01/12/2026 09:00") < at("07/01/2027 10:00"),
            "{}",
            agenda.body
        );
        assert!(at("07/01/2027 10:00") < at("07/12/2026 10:00"));
    })
    .await;
}

#[tokio::test]
async fn the_pages_refuse_outsiders() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let mission = t.w.mission(&client).create().await;
        for role in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            let b = t.browser(Some(role)).await;
            for path in [
                "/meetings".to_owned(),
                format!("/meetings/new?mission={}", mission.id),
            ] {
                assert_eq!(
                    t.get(&path, Some(&b)).await.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {path}"
                );
            }
            let r = t
                .post_form(
                    "/meetings",
                    &b,
                    &[
                        ("mission_id", mission.id.to_string().as_str()),
                        ("planned_at", "2026-12-07T10:00"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
            let m = t.get(&format!("/missions/{}", mission.id), Some(&b)).await;
            assert!(!m.body.contains("meetings-block"), "{role:?}");
        }
        assert_eq!(t.count("meetings").await, 0);
    })
    .await;
}

/// The demo's 10:17 follow-up of Camille's mission, held, and next
/// month's planned, as direction sees them.
#[tokio::test]
async fn the_demo_meetings_show() {
    crate::harness::on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Direction)).await;
        let list = t.get("/meetings", Some(&b)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("status-held"), "{}", list.body);
        assert!(list.body.contains("status-planned"));
        let m = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&b))
            .await;
        assert!(m.body.contains(r#"id="meetings-block-next""#), "{}", m.body);
        let at = m.body.find(r#"id="meetings-block-last""#).unwrap();
        let start = m.body[..at].rfind("/meetings/").unwrap();
        let href: String = m.body[start..].chars().take_while(|c| *c != '"').collect();
        let held = t.get(&href, Some(&b)).await;
        assert!(held.body.contains("DataViz"), "{}", held.body);
        assert!(held.body.contains(r#"id="meeting-children""#));
        assert!(held.body.contains(r#"id="meeting-next""#));
    })
    .await;
}

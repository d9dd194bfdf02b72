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
        assert_eq!(r.location(), format!("/api/v1/opportunities/{o}"));
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

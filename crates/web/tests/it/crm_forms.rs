//! The CRM's forms as a browser sends them: a new opportunity's blank
//! skill rows (whose level select always sends a value) are no skills,
//! its origin defaults to a call; a mission's page lists its activities
//! for the commercial staff, not for its consultant.

use axum::http::StatusCode;
use domain::role::Role;

use crate::harness::{EmptyApp, TestApp, on_each_backend, on_each_backend_empty};

#[tokio::test]
async fn a_new_opportunity_with_its_blank_skill_rows_is_saved() {
    on_each_backend_empty(|t: EmptyApp| async move {
        let client = t.w.client().name("Clientis").create().await;
        let b = t.browser(Some(Role::BusinessManager)).await;
        let new = t.get("/opportunities/new", Some(&b)).await;
        assert!(
            new.body.contains("<option value=\"call\" selected>"),
            "a call by default"
        );
        let me = t.user_id(Role::BusinessManager).await.to_string();
        let cid = client.id.to_string();
        let r = t
            .post_form(
                "/opportunities",
                &b,
                &[
                    ("title", "Tech Lead"),
                    ("kind", "regie_mission"),
                    ("client_id", &cid),
                    ("tjm_min", "750"),
                    ("tjm_max", "800"),
                    ("start_date", "04/01/2027"),
                    ("days", "40"),
                    ("positions", "2"),
                    ("business_manager_id", &me),
                    ("source", "call"),
                    ("skill_name", ""),
                    ("skill_level", "2"),
                    ("skill_name", ""),
                    ("skill_level", "2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("opportunities").await, 1);
        assert_eq!(t.count("opportunity_skills").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_missions_page_lists_its_activities() {
    on_each_backend(|t: TestApp| async move {
        let path = format!("/missions/{}", t.camille_mission);
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let r = t.get(&path, Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"mission-activities\""), "{}", r.body);
        assert!(r.body.contains("responsable de domaine"), "the demo's call");
        // The new activity prefilled with the mission and its client.
        let link = r
            .body
            .split("id=\"mission-activity-new\" href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        assert_eq!(
            link,
            format!(
                "/activities/new?mission={}&company={}",
                t.camille_mission, t.clientis
            )
        );
        let consultant = t.browser(Some(Role::Consultant)).await;
        let r = t.get(&path, Some(&consultant)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("mission-activities"));
    })
    .await;
}

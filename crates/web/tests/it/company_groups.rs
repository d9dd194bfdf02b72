//! Account groups through the API and the company page: a parent that
//! would make a cycle is a 422 naming `parent_id`, nothing written; the
//! page shows the group's tree and the form its parent picker.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use serde_json::json;

use crate::harness::on_each_backend_empty as on_each_backend;

#[tokio::test]
async fn a_cycle_is_refused_naming_the_field_and_the_page_shows_the_tree() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        let create = async |b: serde_json::Value| {
            let r = t
                .api(
                    Method::POST,
                    "/api/v1/companies",
                    Some(&token),
                    Some(&b.to_string()),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["id"].as_str().unwrap().to_owned()
        };
        let group = create(json!({"name": "Clientis Group", "entity_kind": "group"})).await;
        let site =
            create(json!({"name": "Site de Lyon", "parent_id": group, "entity_kind": "site"}))
                .await;
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/companies/{group}"),
                Some(&token),
                Some(&json!({"name": "Clientis Group", "parent_id": site}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "parent_id");
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/companies/{group}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            r.json()["parent_id"],
            serde_json::Value::Null,
            "nothing written"
        );
        assert_eq!(r.json()["entity_kind"], "group");
        let r = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&token),
                Some(&json!({"name": "X", "entity_kind": "holding"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "entity_kind");

        let admin = t.browser(Some(Role::Admin)).await;
        let page = t.get(&format!("/companies/{site}"), Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("company-group"), "{}", page.body);
        assert!(
            page.body.contains(&format!("/companies/{group}")),
            "{}",
            page.body
        );
        // The form: the parent picker, and a cycle refused beside the field.
        let form = t
            .get(&format!("/companies/{group}/edit"), Some(&admin))
            .await;
        assert!(form.body.contains("field-parent_id"), "{}", form.body);
        let r = t
            .post_form(
                &format!("/companies/{group}"),
                &admin,
                &[
                    ("_csrf", admin.csrf.as_str()),
                    ("name", "Clientis Group"),
                    ("kind", "client"),
                    ("parent_id", site.as_str()),
                    ("entity_kind", "group"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field-parent_id-error"), "{}", r.body);
    })
    .await;
}

//! Saved views of the opportunity list through the API and the page: the
//! query checked by the list's parser (422 naming the field, nothing
//! written), sharing kept to direction and the admin, personal views
//! unseen by others, the default opened on a bare `/opportunities`.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use serde_json::json;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

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

async fn post(t: &EmptyApp, token: &str, b: serde_json::Value) -> crate::harness::Resp {
    t.api(
        Method::POST,
        "/api/v1/opportunity-views",
        Some(token),
        Some(&b.to_string()),
    )
    .await
}

#[tokio::test]
async fn the_api_saves_checks_shares_and_keeps_views_personal() {
    on_each_backend(|t| async move {
        let bm = t.token(Role::BusinessManager).await;
        let dir = t.token(Role::Direction).await;
        let fin = t.token(Role::Finance).await;

        // Saved in the list's order, the page dropped.
        let r = post(
            &t,
            &bm,
            json!({"name": " Mes besoins ", "query": "?sort=expected&page=3&stage=positionnement&kind=", "is_default": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.location(), format!("/api/v1/opportunity-views/{id}"));
        assert_eq!(r.json()["name"], "Mes besoins");
        assert_eq!(r.json()["query"], "stage=positionnement&sort=expected");
        assert_eq!(
            r.json()["href"],
            "/opportunities?stage=positionnement&sort=expected"
        );
        assert_eq!(r.json()["mine"], true);
        assert_eq!(r.json()["is_default"], true);

        // Refusals name their field and write nothing.
        let before = t.count("opportunity_views").await;
        for (body, field) in [
            (json!({"name": "  ", "query": ""}), "name"),
            (json!({"name": "é".repeat(81), "query": ""}), "name"),
            (json!({"name": "Mes besoins", "query": ""}), "name"),
            (json!({"name": "X", "query": "evil=1"}), "query"),
            (json!({"name": "X", "query": "stage=a&stage=b"}), "query"),
            (json!({"name": "X", "query": "stage=NOT A STAGE"}), "stage"),
            (json!({"name": "X", "query": "start_from=31/02/2027"}), "start_from"),
            (json!({"name": "X", "query": "sort=price"}), "sort"),
        ] {
            let r = post(&t, &bm, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
            assert_eq!(fields(&r), [field], "{body}");
        }
        let r = post(&t, &bm, json!({"name": 3, "query": ""})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = post(&t, &bm, json!({"name": "X", "query": "", "owner": "me"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // A business manager does not share with the firm; direction does.
        let r = post(&t, &bm, json!({"name": "Pour tous", "query": "", "shared": true})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(t.count("opportunity_views").await, before);
        let r = post(
            &t,
            &dir,
            json!({"name": "Pipeline", "query": "sort=weighted&order=desc", "shared": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let shared = r.json()["id"].as_str().unwrap().to_owned();

        // Each sees his own then the shared; another's personal view never.
        let list = |token: String| {
            let t = &t;
            async move {
                let r = t
                    .api(Method::GET, "/api/v1/opportunity-views", Some(&token), None)
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.json()["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| (v["name"].as_str().unwrap().to_owned(), v["mine"].as_bool().unwrap()))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            list(bm.clone()).await,
            [("Mes besoins".to_owned(), true), ("Pipeline".to_owned(), false)]
        );
        assert_eq!(list(fin.clone()).await, [("Pipeline".to_owned(), false)]);
        let r = t
            .api(Method::GET, &format!("/api/v1/opportunity-views/{id}"), Some(&fin), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Only the owner changes or deletes.
        let path = format!("/api/v1/opportunity-views/{shared}");
        let r = t
            .api(Method::PATCH, &path, Some(&bm), Some(&json!({"name": "À moi"}).to_string()))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = t.api(Method::DELETE, &path, Some(&bm), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let mine = format!("/api/v1/opportunity-views/{id}");
        let r = t
            .api(
                Method::PATCH,
                &mine,
                Some(&bm),
                Some(&json!({"name": "Positionnement", "query": "stage=pas une étape"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(fields(&r), ["stage"]);
        let r = t
            .api(
                Method::PATCH,
                &mine,
                Some(&bm),
                Some(&json!({"name": "Positionnement", "is_default": false}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["name"], "Positionnement");
        assert_eq!(r.json()["query"], "stage=positionnement&sort=expected");
        assert_eq!(r.json()["is_default"], false);
        let r = t.api(Method::DELETE, &mine, Some(&bm), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = t.api(Method::GET, &mine, Some(&bm), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_list_saves_marks_and_opens_the_default_view() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::BusinessManager)).await;
        // No view yet: the bare list is the list.
        let r = t.get("/opportunities", Some(&b)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"opportunity-view-save\""));
        assert!(
            !r.body.contains("id=\"view-shared\""),
            "no sharing for a manager"
        );

        // A name left empty: the message beside the field, the list kept.
        let r = t
            .post_form(
                "/opportunities/views",
                &b,
                &[("name", " "), ("query", "stage=positionnement")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("id=\"view-name-error\""), "{}", r.body);
        assert_eq!(t.count("opportunity_views").await, 0);

        let r = t
            .post_form(
                "/opportunities/views",
                &b,
                &[
                    ("name", "À positionner"),
                    ("query", "stage=positionnement&sort=start_date&order=asc"),
                    ("is_default", "true"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let href = "/opportunities?stage=positionnement&sort=start_date&order=asc";
        assert_eq!(r.location(), href);
        // The same name again: refused beside the field.
        let r = t
            .post_form(
                "/opportunities/views",
                &b,
                &[("name", "À positionner"), ("query", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"view-name-error\""));

        // The bare list opens the default; "all" still shows everything.
        let r = t.get("/opportunities", Some(&b)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), href);
        let r = t.get(href, Some(&b)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("aria-current=\"page\">À positionner"),
            "{}",
            r.body
        );
        let r = t.get("/opportunities?all=1", Some(&b)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains("id=\"opportunity-view-all\" aria-current=\"page\"")
        );

        // Renamed, then deleted.
        let mut tx = t.db.read().await.unwrap();
        let me = t.user_id(Role::BusinessManager).await;
        let id = store::opportunities::views::visible(&mut tx, me)
            .await
            .unwrap()[0]
            .id;
        tx.commit().await.unwrap();
        let r = t
            .post_form(&format!("/opportunities/views/{id}"), &b, &[("name", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(&format!("id=\"view-{id}-name-error\"")));
        let r = t
            .post_form(
                &format!("/opportunities/views/{id}"),
                &b,
                &[("name", "Positionnement")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = t.get(href, Some(&b)).await;
        assert!(r.body.contains("aria-current=\"page\">Positionnement"));
        // Sharing is refused to a manager.
        let r = t
            .post_form(
                &format!("/opportunities/views/{id}"),
                &b,
                &[("shared", "true")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .post_form(&format!("/opportunities/views/{id}/delete"), &b, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.count("opportunity_views").await, 0);
        let r = t.get("/opportunities", Some(&b)).await;
        assert_eq!(r.status, StatusCode::OK);
    })
    .await;
}

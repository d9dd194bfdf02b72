//! A mission's portfolio on its page and over the API, on both backends:
//! direction sets a 70/30 share (the mission page then says who owns it
//! today), a share that does not make 100 % is refused beside the form or
//! naming the field, nothing written; a business manager reads it but may
//! not change it; a consultant never sees it.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use time::Duration;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

async fn shared_mission(t: &EmptyApp) -> (domain::ids::MissionId, String, String) {
    let client = t.w.client().name("Banque Horizon").create().await;
    let start = store::today() - Duration::days(30);
    let m = t.w.mission(&client).from(start).create().await;
    let hunter = t.w.managers().await.0.id.to_string();
    let farmer =
        t.w.user(Role::BusinessManager)
            .name("Farid Farmer")
            .create()
            .await
            .id
            .to_string();
    (m.id, hunter, farmer)
}

#[tokio::test]
async fn direction_shares_a_mission_and_the_page_says_who_owns_it() {
    on_each_backend(|t| async move {
        let (id, hunter, farmer) = shared_mission(&t).await;
        let from = (store::today() - Duration::days(30)).to_string();
        let path = format!("/missions/{id}/portfolio");
        let direction = t.browser(Some(Role::Direction)).await;
        let page = t.get(&path, Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(r#"id="portfolio-form""#));

        // 70 + 20: refused above the rows, what was typed kept.
        let audit = t.count("audit_log").await;
        let typed = |share: &'static str| {
            vec![
                ("bm_id", hunter.clone()),
                ("from", from.clone()),
                ("to", String::new()),
                ("share", "70".to_owned()),
                ("bm_id", farmer.clone()),
                ("from", from.clone()),
                ("to", String::new()),
                ("share", share.to_owned()),
                // A blank row, ignored.
                ("bm_id", String::new()),
                ("from", String::new()),
                ("to", String::new()),
                ("share", String::new()),
            ]
        };
        let fields = typed("20");
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = t.post_form(&path, &direction, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(r#"id="portfolio-error""#), "{}", r.body);
        assert!(r.body.contains("90"), "{}", r.body);
        assert!(r.body.contains(r#"value="20""#));
        assert_eq!(t.count("audit_log").await, audit, "nothing written");

        let fields = typed("30");
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = t.post_form(&path, &direction, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&path, Some(&direction)).await;
        assert!(
            page.body.contains("Farid Farmer (30\u{202f}%)"),
            "{}",
            page.body
        );
        let mission = t.get(&format!("/missions/{id}"), Some(&direction)).await;
        assert!(
            mission
                .body
                .contains("(70\u{202f}%), Farid Farmer (30\u{202f}%)"),
            "{}",
            mission.body
        );
        assert!(mission.body.contains(r#"id="mission-portfolio-link""#));

        // A business manager reads it, without the form; he may not post.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let page = t.get(&path, Some(&bm)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains(r#"id="portfolio-form""#));
        assert_eq!(
            t.post_form(&path, &bm, &form).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_api_reads_and_replaces_a_portfolio_naming_the_field_at_fault() {
    on_each_backend(|t| async move {
        let (id, hunter, farmer) = shared_mission(&t).await;
        let from = (store::today() - Duration::days(30)).to_string();
        let path = format!("/api/v1/missions/{id}/portfolio");
        let token = t.token(Role::Direction).await;
        let r = t.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["periods"].as_array().unwrap().len(), 1);
        assert_eq!(r.json()["current_business_manager_id"], hunter.as_str());

        let body = |share: &str| {
            format!(
                r#"{{"periods": [{{"business_manager_id": "{hunter}", "from": "{from}", "share": "40"}},
                    {{"business_manager_id": "{farmer}", "from": "{from}", "share": "{share}"}}]}}"#
            )
        };
        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("0"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "periods[1].share");
        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("50"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "periods");
        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("60"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["periods"].as_array().unwrap().len(), 2);
        // The larger share owns it: the mission's business manager follows.
        assert_eq!(r.json()["current_business_manager_id"], farmer.as_str());
        let mut tx = t.db.read().await.unwrap();
        let m = store::missions::get(&mut tx, store::Scope::All, id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(m.data.business_manager_id.to_string(), farmer);

        // A business manager reads; a consultant does not even see it exists.
        let bm = t.token(Role::BusinessManager).await;
        assert_eq!(t.api(Method::GET, &path, Some(&bm), None).await.status, StatusCode::OK);
        assert_eq!(
            t.api(Method::PUT, &path, Some(&bm), Some(&body("60"))).await.status,
            StatusCode::FORBIDDEN
        );
        let consultant = t.token(Role::Consultant).await;
        assert_eq!(
            t.api(Method::GET, &path, Some(&consultant), None).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn an_accounts_portfolio_on_its_page_and_over_the_api() {
    on_each_backend(|t| async move {
        let (_, hunter, farmer) = shared_mission(&t).await;
        let client = t.w.client().name("Clientis").create().await;
        let from = store::today().to_string();
        let path = format!("/api/v1/companies/{}/portfolio", client.id);
        let token = t.token(Role::Direction).await;
        let r = t.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["periods"].as_array().unwrap().is_empty());

        let body = |first: &str, second: &str| {
            format!(
                r#"{{"periods": [{{"business_manager_id": "{hunter}", "from": "{from}", "share": "{first}"}},
                    {{"business_manager_id": "{farmer}", "from": "{from}", "share": "{second}"}}]}}"#
            )
        };
        let audit = t.count("audit_log").await;
        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("70", "abc"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "periods[1].share");
        // The total in the reader's language: "33,33 %" in French.
        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("33.33", "33.33"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "periods");
        assert!(r.body.contains("66,66\u{202f}%"), "{}", r.body);
        assert_eq!(t.count("company_portfolio").await, 0, "nothing written");
        assert_eq!(t.count("audit_log").await, audit, "nothing written");

        let r = t.api(Method::PUT, &path, Some(&token), Some(&body("30", "70"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["company_id"], client.id.to_string());
        assert_eq!(r.json()["current_business_manager_id"], farmer.as_str());

        // The company page says who owns the account today; the portfolio
        // page lists the periods; a business manager may not change them.
        let direction = t.browser(Some(Role::Direction)).await;
        let page = t.get(&format!("/companies/{}", client.id), Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(r#"id="company-owners""#), "{}", page.body);
        assert!(page.body.contains("Farid Farmer (70\u{202f}%)"), "{}", page.body);
        let page_path = format!("/companies/{}/portfolio", client.id);
        let page = t.get(&page_path, Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(r#"id="portfolio-form""#));
        assert!(page.body.contains(&format!(r#"action="{page_path}""#)));
        let bm = t.token(Role::BusinessManager).await;
        assert_eq!(
            t.api(Method::PUT, &path, Some(&bm), Some(&body("30", "70"))).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

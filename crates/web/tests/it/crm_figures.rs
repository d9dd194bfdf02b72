//! The pipeline in covered days, the foisonnement and the account map on
//! the demo: DataViz (2 × 40 days at 30 %) covers 24 days on the page, in
//! the CSV and through the API alike; the figures of the pages equal the
//! API's; bad periods are refused by field; outsiders get 403 and a
//! business manager sees only his accounts' maps (404 otherwise).

use axum::http::{Method, StatusCode};
use domain::role::Role;
use store::Scope;

use crate::harness::on_each_backend;

/// The API's decimal days as the French page writes them.
fn fr(days: &str) -> String {
    days.replace('.', ",")
}

#[tokio::test]
async fn the_pipeline_counts_dataviz_for_24_covered_days() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let page = t.get("/opportunities/pipeline", Some(&bm)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("id=\"pipeline-definition\""));
        assert!(
            page.body
                .contains("2 postes × 40 jours à 30 % = 24 jours couverts")
        );
        assert!(page.body.contains("<svg"), "the monthly chart");
        assert!(page.body.contains("DataViz"));

        let token = t.token(Role::BusinessManager).await;
        let r = t
            .api(
                Method::GET,
                "/api/v1/opportunities/pipeline",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let dataviz = j["opportunities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["title"] == "DataViz")
            .expect("DataViz counted");
        assert_eq!(dataviz["covered_days"], "24");
        assert_eq!(dataviz["positions"], 2);
        assert_eq!(dataviz["probability"], "30");
        let clientis = j["by_account"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == t.clientis.to_string())
            .expect("Clientis");
        assert_eq!(
            clientis["covered_days"], "24",
            "Data Eng is won: DataViz alone"
        );
        // The page's figures are the API's.
        let total = fr(j["total"]["covered_days"].as_str().unwrap());
        assert!(
            page.body
                .contains(&format!("id=\"pipeline-covered\">{total}<")),
            "{total} in {}",
            page.body
        );
        assert!(page.body.contains(&format!(
            "id=\"pipeline-free\">{}<",
            j["total"]["free_days"]
        )));

        let csv = t.get("/opportunities/pipeline/export", Some(&bm)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        let line = csv
            .body
            .lines()
            .find(|l| l.starts_with("DataViz;"))
            .expect("DataViz in the CSV");
        assert!(line.ends_with(";24"), "{line}");

        // The direction sees at least the same.
        let direction = t.token(Role::Direction).await;
        let all = t
            .api(
                Method::GET,
                "/api/v1/opportunities/pipeline",
                Some(&direction),
                None,
            )
            .await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(
            all.json()["opportunities"].as_array().unwrap().len()
                >= j["opportunities"].as_array().unwrap().len()
        );

        for role in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            let b = t.browser(Some(role)).await;
            for p in [
                "/opportunities/pipeline",
                "/opportunities/pipeline/export",
                "/opportunities/foisonnement",
                "/opportunities/foisonnement/export",
            ] {
                assert_eq!(
                    t.get(p, Some(&b)).await.status,
                    StatusCode::FORBIDDEN,
                    "{role} {p}"
                );
            }
            let map = format!("/companies/{}/account-map", t.clientis);
            assert_eq!(
                t.get(&map, Some(&b)).await.status,
                StatusCode::FORBIDDEN,
                "{role}"
            );
            let token = t.token(role).await;
            for p in [
                "/api/v1/opportunities/pipeline",
                "/api/v1/opportunities/foisonnement",
            ] {
                let r = t.api(Method::GET, p, Some(&token), None).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {p}");
            }
        }

        // The forecast margin shows the weighted opportunities of its window.
        let finance = t.browser(Some(Role::Finance)).await;
        let forecast = t.get("/margins/forecast", Some(&finance)).await;
        assert!(
            forecast.body.contains("id=\"forecast-pipeline-revenue\""),
            "{}",
            forecast.body
        );
        let token = t.token(Role::Finance).await;
        let f = t
            .api(Method::GET, "/api/v1/margins/forecast", Some(&token), None)
            .await;
        let p = &f.json()["pipeline"];
        assert!(p["count"].as_u64().unwrap() >= 1, "{p}");
        // DataViz has no consultant: its weighted revenue is without cost.
        let without: f64 = p["weighted_revenue_without_cost"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(without >= 13_200.0, "{p}");
    })
    .await;
}

#[tokio::test]
async fn foisonnement_and_the_account_map() {
    on_each_backend(|t| async move {
        let direction = t.browser(Some(Role::Direction)).await;
        let page = t.get("/opportunities/foisonnement", Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("id=\"foisonnement-definition\""));
        assert!(page.body.contains("gagnées ÷ clôturées"));
        let token = t.token(Role::Direction).await;
        let r = t
            .api(
                Method::GET,
                "/api/v1/opportunities/foisonnement",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        // DataViz, born in the 10:17 meeting, still open.
        assert_eq!(j["total"]["born"], 1, "{j}");
        assert!(j["total"]["conversion"].is_null());
        assert_eq!(j["by_account"][0]["id"], t.clientis.to_string());
        assert!(
            page.body
                .contains(&format!("id=\"foisonnement-born\">{}<", j["total"]["born"]))
        );
        let csv = t
            .get("/opportunities/foisonnement/export", Some(&direction))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("Clientis Group"));

        // Bad periods: by field through the API, beside the field on the page.
        for (q, field) in [
            ("from=demain", "from"),
            ("from=31/12/2026&to=01/01/2026", "to"),
        ] {
            let r = t
                .api(
                    Method::GET,
                    &format!("/api/v1/opportunities/foisonnement?{q}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{q}: {}",
                r.body
            );
            assert_eq!(r.json()["errors"][0]["field"], field, "{q}");
            let p = t
                .get(
                    &format!("/opportunities/foisonnement?{q}"),
                    Some(&direction),
                )
                .await;
            assert_eq!(p.status, StatusCode::OK);
            assert!(p.body.contains(&format!("id=\"{field}-error\"")), "{q}");
        }

        // The map of Clientis: Data Eng won into Camille's mission, its
        // child DataViz born in the meeting.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let company = t
            .get(&format!("/companies/{}", t.clientis), Some(&bm))
            .await;
        assert!(
            company
                .body
                .contains(&format!("/companies/{}/account-map", t.clientis))
        );
        let map = t
            .get(&format!("/companies/{}/account-map", t.clientis), Some(&bm))
            .await;
        assert_eq!(map.status, StatusCode::OK, "{}", map.body);
        let data_eng = map.body.find("Mission — Data Eng").expect("the root");
        let dataviz = map.body.find("DataViz").expect("the child");
        assert!(data_eng < dataviz, "the child under its parent");
        assert!(map.body.contains("data-depth=\"1\""));
        assert!(
            map.body
                .contains(&format!("/missions/{}", t.camille_mission))
        );
        assert!(map.body.contains("Camille Martin"));
        assert!(
            map.body.contains("href=\"/meetings/"),
            "born in the meeting"
        );
        assert!(map.body.contains("<dd>24</dd>"), "DataViz's covered days");
        assert!(map.body.contains("id=\"account-map-born\">1<"));

        // A company outside the business manager's portfolio: 404.
        let mut tx = t.db.read().await.unwrap();
        let bm_id = t.user_id(Role::BusinessManager).await;
        let companies = store::companies::options(&mut tx, Scope::All, None)
            .await
            .unwrap();
        let mut outside = None;
        for (id, _) in companies {
            if store::companies::get(&mut tx, Scope::Portfolio(bm_id), id)
                .await
                .is_err()
            {
                outside = Some(id);
            }
        }
        tx.commit().await.unwrap();
        let outside = outside.expect("a company outside his portfolio");
        let path = format!("/companies/{outside}/account-map");
        assert_eq!(t.get(&path, Some(&bm)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&path, Some(&direction)).await.status, StatusCode::OK);
    })
    .await;
}

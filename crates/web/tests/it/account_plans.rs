//! The account plan of the demo's key account, Clientis Group, on its page
//! and over the API, on both backends: the demo's domains, decision makers
//! and target shown; a domain added; a negative target refused beside its
//! field (page) or naming it (API, 422), a wrong JSON type 400, nothing
//! written; a strength outside 1–4, a contact of another company, an
//! unknown status, a year outside 2000–2100 each named; a non-key account
//! takes no plan; a consultant gets none.

use axum::http::{Method, StatusCode};
use domain::paging::PageRequest;
use domain::role::Role;
use store::Scope;

use crate::harness::{Resp, on_each_backend};

fn field(r: &Resp) -> String {
    r.json()["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_page_shows_the_plan_adds_a_domain_and_refuses_a_negative_target() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let path = format!("/companies/{}/account-plan", t.clientis);
        let page = t.get(&path, Some(&bm)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for text in [
            "Data",
            "Cloud",
            "Sophie Bernard",
            "Marc Lefèvre",
            "Décideur",
            r#"id="account-plan-figures""#,
            "250\u{202f}000,00\u{a0}€",
        ] {
            assert!(page.body.contains(text), "{text}: {}", page.body);
        }
        let company = t
            .get(&format!("/companies/{}", t.clientis), Some(&bm))
            .await;
        assert!(company.body.contains(r#"id="company-account-plan""#));
        let map = t
            .get(&format!("/companies/{}/account-map", t.clientis), Some(&bm))
            .await;
        assert!(map.body.contains(r#"id="account-map-plan""#));

        let audit = t.count("audit_log").await;
        let year = store::today().year().to_string();
        let r = t
            .post_form(
                &format!("{path}/targets"),
                &bm,
                &[("year", &year), ("revenue", "-5"), ("consultants", "2")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains(r#"id="target-revenue-error""#),
            "{}",
            r.body
        );
        assert!(r.body.contains(r#"value="-5""#));
        assert_eq!(t.count("audit_log").await, audit, "nothing written");

        let r = t
            .post_form(
                &format!("{path}/domains"),
                &bm,
                &[
                    ("name", "Finance IT"),
                    ("status", "target"),
                    ("stakes", "ERP"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&path, Some(&bm)).await;
        assert!(page.body.contains("Finance IT"));

        // Neither a consultant nor a client contact opens it.
        for role in [Role::Consultant, Role::ClientContact] {
            let b = t.browser(Some(role)).await;
            assert_eq!(t.get(&path, Some(&b)).await.status, StatusCode::FORBIDDEN);
        }
    })
    .await;
}

#[tokio::test]
async fn the_api_reads_and_writes_the_plan_naming_each_refused_field() {
    on_each_backend(|t| async move {
        let token = t.token(Role::BusinessManager).await;
        let base = format!("/api/v1/companies/{}/account-plan", t.clientis);
        let year = store::today().year();
        let r = t.api(Method::GET, &base, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let plan = r.json();
        assert_eq!(plan["key_account"], true);
        assert_eq!(plan["year"], year);
        let domains: Vec<&str> = plan["domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(domains, ["Data", "Cloud"]);
        assert_eq!(plan["domains"][0]["lead_contact_name"], "Marc Lefèvre");
        let sophie = plan["decision_makers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "Sophie Bernard")
            .expect("the buyer")
            .clone();
        assert_eq!(sophie["influence"], "decision_maker");
        assert_eq!(plan["targets"][0]["revenue"], "250000.00");
        assert!(!plan["owners"].as_array().unwrap().is_empty());
        let r = t
            .api(
                Method::GET,
                &format!("{base}?year=1999"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "year".into())
        );

        let audit = t.count("audit_log").await;
        let put = |path: String, body: &'static str| {
            let token = token.clone();
            let t = &t;
            async move { t.api(Method::PUT, &path, Some(&token), Some(body)).await }
        };
        let target = format!("{base}/targets/{year}");
        for (body, name) in [
            (r#"{"revenue": "-1"}"#, "revenue"),
            (r#"{"consultants": -2}"#, "consultants"),
            (r#"{"opportunities": -3}"#, "opportunities"),
        ] {
            let r = put(target.clone(), body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.body
            );
            assert_eq!(field(&r), name, "{body}");
        }
        let r = put(format!("{base}/targets/2101"), r#"{"revenue": "1"}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "year".into())
        );
        let r = put(target.clone(), r#"{"consultants": "3"}"#).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        let contact = sophie["contact_id"].as_str().unwrap().to_owned();
        let part = format!("{base}/stakeholders/{contact}");
        let r = put(part.clone(), r#"{"influence": "sponsor", "strength": 5}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "strength".into())
        );
        let r = put(part.clone(), r#"{"influence": "king", "strength": 2}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "influence".into())
        );
        let r = put(part.clone(), r#"{"influence": "sponsor", "strength": "2"}"#).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // A contact of Banque Horizon is not of Clientis's group.
        let horizon_contact = {
            let mut tx = t.db.read().await.unwrap();
            let f = store::contacts::ContactFilter {
                q: None,
                company_id: Some(t.horizon),
            };
            let list = store::contacts::list(&mut tx, Scope::All, &f, PageRequest::default())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            list.items[0].id
        };
        let r = put(
            format!("{base}/stakeholders/{horizon_contact}"),
            r#"{"influence": "blocker", "strength": 1}"#,
        )
        .await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "contact_id".into())
        );

        let post = |body: &'static str| {
            let token = token.clone();
            let path = format!("{base}/domains");
            let t = &t;
            async move { t.api(Method::POST, &path, Some(&token), Some(body)).await }
        };
        let r = post(r#"{"name": "Sécurité", "status": "sleeping"}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "status".into())
        );
        let r = post(r#"{"name": "Data"}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "name".into())
        );
        let r = post(r#"{"name": 12}"#).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(t.count("audit_log").await, audit, "nothing written");

        // Then each write once.
        let r = post(r#"{"name": "Sécurité", "status": "target"}"#).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let location = r.location().to_owned();
        let r = t.api(Method::GET, &location, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "target");
        let r = put(location, r#"{"name": "Cybersécurité", "status": "active"}"#).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["name"], "Cybersécurité");
        let r = put(part, r#"{"influence": "sponsor", "strength": 2}"#).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = put(
            target,
            r#"{"revenue": "300000", "consultants": 4, "opportunities": 8}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let plan = t.api(Method::GET, &base, Some(&token), None).await.json();
        assert_eq!(plan["targets"][0]["revenue"], "300000.00");
        assert_eq!(plan["domains"].as_array().unwrap().len(), 3);

        // Banque Horizon is not a key account: its plan reads empty and
        // takes nothing.
        let horizon = format!("/api/v1/companies/{}/account-plan", t.horizon);
        let r = t.api(Method::GET, &horizon, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["key_account"], false);
        let r = put(format!("{horizon}/targets/{year}"), r#"{"revenue": "1"}"#).await;
        assert_eq!(
            (r.status, field(&r)),
            (StatusCode::UNPROCESSABLE_ENTITY, "key_account".into())
        );

        let consultant = t.token(Role::Consultant).await;
        let r = t.api(Method::GET, &base, Some(&consultant), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

//! Positionings through the API and the opportunity's page: 201 with its
//! Location, refusals naming their field with nothing written, the margin
//! at the grade's standard CJM for a business manager when salaries are
//! hidden (his own CJM for finance), the answer recorded, outsiders
//! refused (a consultant, a client contact: 403; another business
//! manager: 404), and the page's forms showing refusals beside the field.

use axum::http::{Method, StatusCode};
use domain::ids::UserId;
use domain::money::Money;
use domain::people::cost::SalaryVersionInput;
use domain::people::employee::{EmployeeInput, Grade};
use domain::role::Role;
use serde_json::json;
use store::Actor;

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

/// An opportunity of the business manager's, through the API: its id.
async fn opportunity(t: &EmptyApp, token: &str, client: &str) -> String {
    let b = json!({
        "title": "Mission — Data Eng",
        "client_id": client,
        "tjm_min": "600",
        "start_date": "2027-01-04",
        "days": "60"
    });
    let r = t
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(token),
            Some(&b.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Camille's pay (CJM 331,05 €) and her grade's standard CJM (350 €),
/// salaries hidden from the managers.
async fn costs(t: &EmptyApp, who: UserId) {
    let actor = Actor::system("test");
    let mut tx = t.db.begin().await.unwrap();
    let agency = store::agencies::create(
        &mut tx,
        &actor,
        &store::agencies::AgencyData {
            name: "Paris".into(),
            city: None,
        },
    )
    .await
    .unwrap();
    let data = EmployeeInput {
        matricule: "00042".into(),
        legal_entity: "Régisseur Conseil SAS".into(),
        agency_id: agency.id.to_string(),
        contract_kind: "cdi".into(),
        user_id: who.to_string(),
        hire_date: "2024-09-01".into(),
        job_title: "Consultante data".into(),
        grade: "Confirmé".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let e = store::employees::create(&mut tx, &actor, &data)
        .await
        .unwrap();
    let salary = SalaryVersionInput {
        effective_from: "2024-09-01".into(),
        annual_gross: "48000".into(),
        charges_kind: "rate".into(),
        employer_charges: "45".into(),
        mutual_insurance: "720".into(),
        meal_vouchers: "1308".into(),
        transport: "540".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store::costs::add(&mut tx, &actor, e.id, &salary)
        .await
        .unwrap();
    store::costs::set_standard_cjm(
        &mut tx,
        &actor,
        &Grade::parse("Confirmé").unwrap(),
        Some(Money::from_euros(350)),
    )
    .await
    .unwrap();
    let mut policy = store::margins::policy(&mut tx).await.unwrap();
    policy.salaries_hidden = true;
    store::margins::set_policy(&mut tx, &actor, policy)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_api_positions_costs_by_reader_and_records_the_answer() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let camille = t.w.consultant("Camille Martin").await;
        costs(&t, camille.id).await;
        let bm = t.token(Role::BusinessManager).await;
        let o = opportunity(&t, &bm, &client.id.to_string()).await;
        let path = format!("/api/v1/opportunities/{o}/positionings");
        let post = async |b: serde_json::Value| {
            t.api(Method::POST, &path, Some(&bm), Some(&b.to_string()))
                .await
        };
        // Refusals name their field and write nothing.
        for (b, field) in [
            (
                json!({"consultant_id": camille.id.to_string(), "proposed_tjm": "0"}),
                "proposed_tjm",
            ),
            (json!({"proposed_tjm": "600"}), "consultant_id"),
            (
                json!({"consultant_id": "personne", "proposed_tjm": "600"}),
                "consultant_id",
            ),
        ] {
            let r = post(b.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
            assert_eq!(fields(&r), [field], "{b}");
        }
        let r = post(json!({"consultant_id": camille.id.to_string(), "proposed_tjm": 600})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "a number is no amount string");
        assert_eq!(t.count("opportunity_positionings").await, 0);

        let r = post(json!({"consultant_id": camille.id.to_string(), "proposed_tjm": "600", "note": "Profil Spark"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(r.location(), format!("{path}/{id}"));
        // The business manager: the grade's standard cost, never hers.
        assert_eq!(r.json()["cost_basis"], "grade_standard");
        assert_eq!(r.json()["daily_cost"], "350.00");
        assert_eq!(r.json()["margin_per_day"], "250.00");
        assert_eq!(r.json()["margin_total"], "15000.00");
        assert_eq!(r.json()["answer"], "pending");
        assert!(!r.body.contains("331.05"), "{}", r.body);
        let again = post(json!({"consultant_id": camille.id.to_string(), "proposed_tjm": "650"})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&again), ["consultant_id"]);

        // Finance sees her own cost.
        let finance = t.token(Role::Finance).await;
        let r = t.api(Method::GET, &path, Some(&finance), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()[0]["daily_cost"], "331.05");
        assert_eq!(r.json()[0]["margin_per_day"], "268.95");

        // The answer.
        let answer = format!("{path}/{id}");
        let patch = async |b: serde_json::Value| {
            t.api(Method::PATCH, &answer, Some(&bm), Some(&b.to_string()))
                .await
        };
        let r = patch(json!({"answer": "accepted", "answered_on": "2020-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r), ["answered_on"]);
        let r = patch(json!({"answer": "peut-être"})).await;
        assert_eq!(fields(&r), ["answer"]);
        let today = store::today().to_string();
        let r = patch(json!({"answer": "accepted", "answered_on": today})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["answer"], "accepted");
        assert_eq!(r.json()["answered_on"], today);

        // Outsiders: a consultant and a client contact are refused, another
        // business manager finds nothing.
        for role in [Role::Consultant, Role::ClientContact] {
            let token = t.token(role).await;
            let r = t.api(Method::GET, &path, Some(&token), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
            let r = t
                .api(Method::PATCH, &answer, Some(&token), Some(r#"{"answer":"refused","answered_on":"2030-01-01"}"#))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        }
        let olivia = t.w.user(Role::BusinessManager).name("Olivia").create().await;
        let b = t.browser_of(Some(olivia.id)).await;
        let r = t.get(&format!("/opportunities/{o}"), Some(&b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t
            .post_form(
                &format!("/opportunities/{o}/positionings"),
                &b,
                &[
                    ("_csrf", b.csrf.as_str()),
                    ("consultant_id", &camille.id.to_string()),
                    ("proposed_tjm", "500"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(t.count("opportunity_positionings").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_page_positions_and_answers_with_refusals_beside_the_field() {
    on_each_backend(|t| async move {
        let client = t.w.client().name("Clientis").create().await;
        let camille = t.w.consultant("Camille Martin").await;
        let busy = t.w.consultant("Albert Occupé").await;
        t.w.mission(&client)
            .consultant(&busy)
            .from(store::today())
            .to(store::today() + time::Duration::days(400))
            .create()
            .await;
        let admin = t.browser(Some(Role::Admin)).await;
        let token = t.token(Role::Admin).await;
        let o = opportunity(&t, &token, &client.id.to_string()).await;
        let detail = format!("/opportunities/{o}");
        let page = t.get(&detail, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        // Camille, on the bench, is suggested; Albert, busy long after the
        // start, comes among the others, though first by name.
        let picker = &page.body[page.body.find("position-form").unwrap()..];
        let suggested = picker.find("Camille Martin").unwrap();
        let others = picker.find("Albert Occupé").unwrap();
        assert!(suggested < others, "{picker}");

        let form = |tjm: &'static str| {
            vec![
                ("_csrf", admin.csrf.clone()),
                ("consultant_id", camille.id.to_string()),
                ("proposed_tjm", tjm.to_owned()),
                ("note", "Très bon profil".to_owned()),
            ]
        };
        let send = async |f: Vec<(&'static str, String)>| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form(&format!("{detail}/positionings"), &admin, &pairs)
                .await
        };
        let r = send(form("-3")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-proposed_tjm-error"), "{}", r.body);
        assert!(r.body.contains("Très bon profil"), "what was typed stays");
        assert_eq!(t.count("opportunity_positionings").await, 0);
        let r = send(form("600")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&detail, Some(&admin)).await;
        assert!(page.body.contains("positioning-list"), "{}", page.body);
        // No cost recorded for her: the margin is unknown, not 600 €.
        assert!(page.body.contains("coût inconnu"), "{}", page.body);
        assert!(page.body.contains("En attente"));

        let id = {
            let mut tx = t.db.read().await.unwrap();
            let l = store::opportunities::positionings::list(
                &mut tx,
                store::Scope::All,
                o.parse().unwrap(),
                domain::people::cjm::CostBasis::Personal,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            l[0].id.to_string()
        };
        let answer = format!("{detail}/positionings/{id}/answer");
        let r = t
            .post_form(
                &answer,
                &admin,
                &[
                    ("_csrf", admin.csrf.as_str()),
                    ("answer", "refused"),
                    ("answered_on", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!("answered-on-{id}-error")),
            "{}",
            r.body
        );
        let today = store::today().to_string();
        let r = t
            .post_form(
                &answer,
                &admin,
                &[
                    ("_csrf", admin.csrf.as_str()),
                    ("answer", "refused"),
                    ("answered_on", today.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&detail, Some(&admin)).await;
        assert!(page.body.contains("answer-refused"), "{}", page.body);

        // A consultant is refused the commands.
        let c = t.browser(Some(Role::Consultant)).await;
        let r = t
            .post_form(
                &answer,
                &c,
                &[("_csrf", c.csrf.as_str()), ("answer", "accepted")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

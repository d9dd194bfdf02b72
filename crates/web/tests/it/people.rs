//! People and costs: employee records and pay versions through the pages
//! and the API, the worked CJM of PAYROLL.md §4 (48 000 € gross, 45 %
//! charges, 720 € mutual insurance, 1 308 € meal vouchers, 540 € transport:
//! 72 168 € ÷ 218 = 331,05 €), pay hidden from business managers, refusals
//! naming the field with nothing written, and the audit line of every
//! pay-history read.

use axum::http::{Method, StatusCode};
use domain::role::Role;

use crate::harness::{TestApp, on_each_backend};

const CJM_FR: &str = "331,05\u{a0}€";

async fn pay_reads(t: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'pay_history'";
    store::on_pool!(&t.db, |c| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(c)
        .await)
    .unwrap()
}

/// Creates an agency and a consultant's record through the pages as finance;
/// returns the record's address.
async fn record_by_pages(t: &TestApp) -> String {
    let direction = t.browser(Some(Role::Direction)).await;
    let r = t
        .post_form(
            "/agencies",
            &direction,
            &[("name", "Marseille"), ("city", "Marseille")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut tx = t.db.read().await.unwrap();
    let agency = store::agencies::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Marseille")
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let agency = agency.to_string();
    let finance = t.browser(Some(Role::Finance)).await;
    let r = t
        .post_form(
            "/employees",
            &finance,
            &[
                ("matricule", "00077"),
                ("legal_entity", "Régisseur Conseil SAS"),
                ("agency_id", &agency),
                ("contract_kind", "cdi"),
                ("hire_date", "01/09/2024"),
                ("job_title", "Consultante data"),
                ("grade", "Confirmé"),
                ("work_region", "standard"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.location().to_string();
    assert!(at.starts_with("/employees/"), "{at}");
    at
}

const SALARY: &[(&str, &str)] = &[
    ("effective_from", "01/01/2026"),
    ("annual_gross", "48000"),
    ("charges_kind", "rate"),
    ("employer_charges", "45"),
    ("mutual_insurance", "720"),
    ("meal_vouchers", "1308"),
    ("transport", "540"),
];

#[tokio::test]
async fn a_record_and_its_salary_through_the_pages_show_the_worked_cjm() {
    on_each_backend(|t| async move {
        let at = record_by_pages(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t
            .post_form(&format!("{at}/cost-versions"), &finance, SALARY)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let reads = pay_reads(&t).await;
        let r = t.get(&at, Some(&finance)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(CJM_FR), "{}", r.body);
        assert!(r.body.contains("48\u{202f}000,00\u{a0}€"), "{}", r.body);
        assert!(r.body.contains("21\u{202f}600,00\u{a0}€"), "{}", r.body);
        // The read of the pay history is in the audit log.
        assert_eq!(pay_reads(&t).await, reads + 1);

        // The same date twice: refused beside the field, nothing written.
        let versions = t.count("cost_versions").await;
        let r = t
            .post_form(&format!("{at}/cost-versions"), &finance, SALARY)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-effective_from-error"), "{}", r.body);
        assert!(
            r.body
                .contains("Une autre version commence déjà le 01/01/2026")
        );
        // A negative amount.
        let mut bad = SALARY.to_vec();
        bad[0] = ("effective_from", "01/02/2026");
        bad[1] = ("annual_gross", "-48000");
        let r = t
            .post_form(&format!("{at}/cost-versions"), &finance, &bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-annual_gross-error"), "{}", r.body);
        assert_eq!(t.count("cost_versions").await, versions);

        // A business manager reads the record, never the pay.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let r = t.get(&at, Some(&bm)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("00077"));
        for figure in [
            "331,05",
            "331.05",
            "48\u{202f}000",
            "48000",
            "21\u{202f}600",
        ] {
            assert!(!r.body.contains(figure), "{figure} shown to a BM");
        }
        let r = t
            .post_form(&format!("{at}/cost-versions"), &bm, SALARY)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Consultants see no record at all.
        let consultant = t.browser(Some(Role::Consultant)).await;
        assert_eq!(
            t.get(&at, Some(&consultant)).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn bad_records_are_refused_beside_the_field() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let employees = t.count("employees").await;
        let r = t
            .post_form(
                "/employees",
                &finance,
                &[
                    ("matricule", "00077"),
                    ("legal_entity", "Régisseur Conseil SAS"),
                    ("contract_kind", "cdi"),
                    ("hire_date", "01/09/2024"),
                    ("exit_date", "31/08/2024"),
                    ("job_title", "Consultante"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-exit_date-error"), "{}", r.body);
        assert!(r.body.contains("La date de sortie précède la date d"));
        assert!(r.body.contains("field-agency_id-error"));
        assert_eq!(t.count("employees").await, employees);
        // A divisor of zero in the settings.
        let r = t
            .post_form(
                "/settings/cjm",
                &finance,
                &[("divisor", "0"), ("method", "plain")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-divisor-error"), "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn the_api_records_a_salary_and_hides_pay_from_business_managers() {
    on_each_backend(|t| async move {
        let finance = t.token(Role::Finance).await;
        let admin = t.token(Role::Admin).await;
        let r = t
            .api(
                Method::POST,
                "/api/v1/agencies",
                Some(&admin),
                Some(r#"{"name":"Nantes","city":"Nantes"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let agency = r.json()["id"].as_str().unwrap().to_string();
        // Renaming to another agency's name is refused on the name.
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/agencies/{agency}"),
                Some(&admin),
                Some(r#"{"name":"Paris"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "name");
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/agencies/{agency}"),
                Some(&admin),
                Some(r#"{"name":"Nantes Atlantique","city":"Nantes"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["name"], "Nantes Atlantique");
        let employees = t.count("employees").await;
        let body = |exit: &str| {
            format!(
                r#"{{"matricule":"00077","legal_entity":"Régisseur Conseil SAS","agency_id":"{agency}",
                   "contract_kind":"cdi","hire_date":"2024-09-01",{exit}
                   "job_title":"Consultante data","grade":"Confirmé"}}"#
            )
        };
        let r = t
            .api(
                Method::POST,
                "/api/v1/employees",
                Some(&finance),
                Some(&body(r#""exit_date":"2024-08-31","#)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "exit_date");
        assert_eq!(t.count("employees").await, employees);
        let r = t
            .api(
                Method::POST,
                "/api/v1/employees",
                Some(&finance),
                Some(&body("")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let versions_path = format!("/api/v1/employees/{id}/cost-versions");
        let salary = r#"{"effective_from":"2026-01-01","annual_gross":"48000","employer_charges":"45",
                         "mutual_insurance":"720","meal_vouchers":"1308","transport":"540"}"#;
        let r = t
            .api(Method::POST, &versions_path, Some(&finance), Some(salary))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["cjm"], "331.05");
        assert_eq!(r.json()["employer_charges"], "21600.00");
        // Refusals name the field and write nothing.
        let versions = t.count("cost_versions").await;
        let r = t
            .api(Method::POST, &versions_path, Some(&finance), Some(salary))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "effective_from");
        assert_eq!(r.json()["errors"][0]["code"], "cost-version-same-date");
        let negative = r#"{"effective_from":"2026-02-01","annual_gross":"-1","employer_charges":"45"}"#;
        let r = t
            .api(Method::POST, &versions_path, Some(&finance), Some(negative))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "annual_gross");
        assert_eq!(t.count("cost_versions").await, versions);

        // Reading the history is audited.
        let reads = pay_reads(&t).await;
        let r = t
            .api(Method::GET, &versions_path, Some(&finance), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["versions"][0]["cjm"], "331.05");
        assert_eq!(pay_reads(&t).await, reads + 1);

        // A business manager: the record, no pay anywhere.
        let bm = t.token(Role::BusinessManager).await;
        let r = t
            .api(Method::GET, &format!("/api/v1/employees/{id}"), Some(&bm), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["matricule"], "00077");
        let r = t
            .api(Method::GET, "/api/v1/employees", Some(&bm), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for figure in ["331.05", "331,05", "48000", "21600"] {
            assert!(!r.body.contains(figure), "{figure} in {}", r.body);
        }
        let r = t.api(Method::GET, &versions_path, Some(&bm), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(pay_reads(&t).await, reads + 1);
        let consultant = t.token(Role::Consultant).await;
        let r = t
            .api(Method::GET, "/api/v1/employees", Some(&consultant), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_demo_shows_camilles_and_lucass_daily_costs_to_direction_only() {
    on_each_backend(|t| async move {
        let mut tx = t.db.read().await.unwrap();
        let camille = store::employees::of_user(&mut tx, t.camille)
            .await
            .unwrap()
            .expect("Camille's record");
        let lucas = store::employees::list(&mut tx, &Default::default(), Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.data.matricule.as_str() == "F-0007")
            .expect("Lucas's record");
        tx.commit().await.unwrap();
        let direction = t.browser(Some(Role::Direction)).await;
        let r = t
            .get(&format!("/employees/{}", camille.id), Some(&direction))
            .await;
        assert!(r.body.contains(CJM_FR), "{}", r.body);
        // Her working days, read from her user (not kept twice).
        assert!(
            r.body
                .contains(r#"<dd id="employee-weekdays">lun., mar., mer., jeu., ven.</dd>"#),
            "{}",
            r.body
        );
        let r = t
            .get(&format!("/employees/{}", lucas.id), Some(&direction))
            .await;
        assert!(r.body.contains("480,00\u{a0}€"), "{}", r.body);
        assert!(r.body.contains("DataFreelance Portage"));
        // The records as CSV: every one, named, with no pay in it.
        let csv = t.get("/employees.csv", Some(&direction)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(csv.body.contains("Camille Martin") && csv.body.contains("F-0007"));
        assert!(csv.body.contains("DataFreelance Portage"), "{}", csv.body);
        let lyon = t.get("/employees.csv?q=F-0007", Some(&direction)).await;
        assert!(!lyon.body.contains("Camille Martin"), "the filter applies");
        let dm = t.browser(Some(Role::DeliveryManager)).await;
        for path in [
            "/employees".to_string(),
            "/employees.csv".to_string(),
            format!("/employees/{}", camille.id),
            format!("/employees/{}", lucas.id),
        ] {
            let r = t.get(&path, Some(&dm)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            for figure in ["331,05", "480,00", "48\u{202f}000"] {
                assert!(!r.body.contains(figure), "{figure} on {path}");
            }
        }
    })
    .await;
}

/// Finance locks the margins of a month that is over; a month still
/// running or earlier than the lock is refused beside the field (422,
/// nothing written), on the page and over the API; a business manager
/// may not lock.
#[tokio::test]
async fn finance_locks_finished_months_only_forward() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let this_month = domain::calendar::YearMonth::of(store::today());
        let last = this_month.prev();
        let page = t.get("/settings/cjm", Some(&finance)).await;
        assert!(
            page.body.contains("Aucun mois verrouillé."),
            "{}",
            page.body
        );

        let audit = t.count("audit_log").await;
        let r = t
            .post_form(
                "/settings/cjm/lock",
                &finance,
                &[("month", &this_month.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains(r#"id="margin-lock-month-error""#),
            "{}",
            r.body
        );
        assert!(r.body.contains("n’est pas terminé"), "{}", r.body);
        assert_eq!(t.count("audit_log").await, audit, "nothing written");

        let r = t
            .post_form(
                "/settings/cjm/lock",
                &finance,
                &[("month", &last.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get("/settings/cjm", Some(&finance)).await;
        assert!(
            page.body.contains("Marges verrouillées jusqu’à"),
            "{}",
            page.body
        );

        let token = t.token(Role::Finance).await;
        let r = t
            .api(Method::GET, "/api/v1/margin-lock", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["locked_through"], last.to_string());
        let earlier = format!(r#"{{"month": "{}"}}"#, last.prev());
        let r = t
            .api(
                Method::PUT,
                "/api/v1/margin-lock",
                Some(&token),
                Some(&earlier),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "month");
        let r = t
            .api(
                Method::PUT,
                "/api/v1/margin-lock",
                Some(&token),
                Some(r#"{"month": "novembre"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let bm = t.token(Role::BusinessManager).await;
        let again = format!(r#"{{"month": "{last}"}}"#);
        assert_eq!(
            t.api(Method::PUT, "/api/v1/margin-lock", Some(&bm), Some(&again))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

/// A raise that concerns locked months: dated inside them, refused with a
/// message saying how to enter it; entered from the first open day with
/// its real date as the retroactive date, accepted and shown as such; a
/// retroactive date before the previous version refused beside its field
/// (page and API, 422 naming it, nothing written).
#[tokio::test]
async fn a_back_dated_raise_goes_through_the_retroactive_date() {
    on_each_backend(|t| async move {
        let at = record_by_pages(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t
            .post_form(&format!("{at}/cost-versions"), &finance, SALARY)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let this_month = domain::calendar::YearMonth::of(store::today());
        let last = this_month.prev();
        let r = t
            .post_form(
                "/settings/cjm/lock",
                &finance,
                &[("month", &last.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&at, Some(&finance)).await;
        assert!(page.body.contains("Rappel depuis le"), "{}", page.body);
        assert!(page.body.contains(r#"name="retroactive_from""#));

        let first_open = this_month.first_day().to_string();
        let real = last.first_day().to_string();
        let versions = t.count("cost_versions").await;
        let raise = |from: &str, retro: &str| -> Vec<(&'static str, String)> {
            let mut v: Vec<(&'static str, String)> =
                SALARY.iter().map(|(k, v)| (*k, v.to_string())).collect();
            v[0].1 = from.to_string();
            v[1].1 = "52800".into();
            v.push(("retroactive_from", retro.to_string()));
            v
        };
        let post = async |form: Vec<(&'static str, String)>| {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.post_form(&format!("{at}/cost-versions"), &finance, &form)
                .await
        };
        // Dated inside the locked month: the message says how.
        let r = post(raise(&real, "")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-effective_from-error"), "{}", r.body);
        assert!(r.body.contains("Rappel depuis le »"), "{}", r.body);
        // A retroactive date on the previous version's date.
        let r = post(raise(&first_open, "2026-01-01")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field-retroactive_from-error"), "{}", r.body);
        assert!(r.body.contains("doit suivre la version précédente"), "{}", r.body);
        assert_eq!(t.count("cost_versions").await, versions);

        // From the first open day, back to its real date: the API takes
        // and returns it, the page shows it.
        let id = at.trim_start_matches("/employees/");
        let path = format!("/api/v1/employees/{id}/cost-versions");
        let token = t.token(Role::Finance).await;
        let body = |from: &str, retro: &str| {
            format!(
                r#"{{"effective_from":"{from}","retroactive_from":"{retro}","annual_gross":"56000","employer_charges":"45"}}"#
            )
        };
        let r = t
            .api(Method::POST, &path, Some(&token), Some(&body(&first_open, &real)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["retroactive_from"], real);
        assert_eq!(r.json()["effective_from"], first_open);
        let page = t.get(&at, Some(&finance)).await;
        assert!(page.body.contains("rappel depuis le"), "{}", page.body);
        let r = t.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["versions"][0]["retroactive_from"], serde_json::Value::Null);
        assert_eq!(r.json()["versions"][1]["retroactive_from"], real);
        let versions = t.count("cost_versions").await;
        for (b, field, code) in [
            (
                body(&first_open, &real),
                "effective_from",
                "cost-version-same-date",
            ),
            (
                body(&this_month.next().first_day().to_string(), &real),
                "effective_from",
                "cost-version-retroactive-first-open-day",
            ),
            (
                body(&first_open, &first_open),
                "retroactive_from",
                "cost-version-retroactive-not-before",
            ),
        ] {
            let r = t.api(Method::POST, &path, Some(&token), Some(&b)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
            assert_eq!(r.json()["errors"][0]["code"], code, "{}", r.body);
        }
        assert_eq!(t.count("cost_versions").await, versions);
    })
    .await;
}

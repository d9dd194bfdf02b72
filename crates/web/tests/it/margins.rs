//! The margin pages and API on both backends: Camille's month at Clientis
//! shown from its FAE accrual while the contract is unsigned; what a
//! business manager receives holds no salary, CJM of a person nor pay
//! figure (the grade's standard CJM instead); consultants and clients see
//! no margin at all.

use axum::http::{Method, StatusCode};
use domain::calendar::{Region, YearMonth};
use domain::locale::Locale;
use domain::margin::{MarginFigures, days_cost};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::role::Role;
use store::Actor;
use store::invoicing::close::{Close, run};

use crate::harness::{TestApp, on_each_backend, on_each_backend_before_billing};

/// Camille's pay and CJM as any page or document could write them.
const PAY: &[&str] = &[
    "331,05",
    "331.05",
    "33105",
    "48 000",
    "48\u{202f}000",
    "48000",
    "72 168",
    "72\u{202f}168",
    "72168",
];

fn assert_no_pay(what: &str, body: &str) {
    let found: Vec<&&str> = PAY.iter().filter(|s| body.contains(**s)).collect();
    assert!(found.is_empty(), "{what} shows {found:?}:\n{body}");
}

/// The two month-end closes that accrue Camille's months (Clientis has not
/// signed): the demo's billing stops there.
async fn accrue(t: &TestApp) -> YearMonth {
    let current = YearMonth::of(store::today());
    let (first, second) = (current.prev().prev(), current.prev());
    for (period, issue_date) in [(first, second.first_day()), (second, current.first_day())] {
        run(
            &t.db,
            &Actor::system("test"),
            Close { period, issue_date },
            &mut |_, _| {},
        )
        .await
        .unwrap();
    }
    second
}

/// Camille's figures for `month`: n days at 600 € against n × 331,05 €.
fn camille(month: YearMonth) -> MarginFigures {
    let n = month.working_days(Region::Standard).len() as u32;
    MarginFigures::for_days(
        Money::from_euros(600),
        Money::from_cents(33_105),
        DayQuantity::from_days(n),
    )
}

#[tokio::test]
async fn finance_sees_camilles_margin_from_the_accrual_while_the_contract_is_unsigned() {
    on_each_backend_before_billing(|t| async move {
        let month = accrue(&t).await;
        let f = camille(month);
        let fr = |m: Money| m.format(Locale::Fr);
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t
            .get(
                &format!("/margins?by=mission&month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for figure in [fr(f.revenue), fr(f.cost), fr(f.margin())] {
            assert!(
                page.body.contains(&figure),
                "{figure} missing:\n{}",
                page.body
            );
        }
        let rate = f.rate().unwrap().format(Locale::Fr);
        assert!(page.body.contains(&rate), "{rate}");
        if f.revenue == Money::from_euros(12_000) {
            assert!(page.body.contains("5\u{202f}379,00\u{a0}€"));
            assert!(page.body.contains("44,83\u{202f}%"));
        }
        assert!(page.body.contains("<svg"), "the trend chart");
        // The drill-down: n days × 331,05 €, the accrual's entry, and the
        // same figures.
        let detail = t
            .get(
                &format!(
                    "/margins/detail?by=mission&month={month}&id={}",
                    t.camille_mission
                ),
                Some(&finance),
            )
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.body.contains("331,05\u{a0}€"), "{}", detail.body);
        assert!(detail.body.contains(&fr(f.margin())));
        assert!(detail.body.contains("id=\"margin-ledger\""));
        // The mission's page shows its margin block.
        let mission = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&finance))
            .await;
        assert!(mission.body.contains("id=\"mission-margin\""));
        // The CSV of the table.
        let csv = t
            .get(
                &format!("/margins/export?by=mission&month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(csv.body.contains(&crate_amount(f.margin())), "{}", csv.body);
        // The drill-down's CSV: its lines add up to the row.
        assert!(detail.body.contains("id=\"margin-detail-csv\""));
        let lines = t
            .get(
                &format!(
                    "/margins/detail/export?by=mission&month={month}&id={}",
                    t.camille_mission
                ),
                Some(&finance),
            )
            .await;
        assert_eq!(lines.status, StatusCode::OK);
        let rows: Vec<Vec<&str>> = lines
            .body
            .trim_end()
            .split("\r\n")
            .skip(1)
            .map(|r| r.split(';').collect())
            .collect();
        let sum = |col: usize| -> i64 {
            rows.iter()
                .map(|r| r[col].replace(',', "").parse::<i64>().unwrap())
                .sum()
        };
        assert_eq!(sum(4), f.revenue.cents(), "{}", lines.body);
        assert_eq!(sum(5), f.cost.cents(), "{}", lines.body);
        // And the API, amounts as decimal strings.
        let token = t.token(Role::Finance).await;
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/margins?by=mission&from={month}&to={month}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let row = j["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == t.camille_mission.to_string())
            .expect("Camille's mission")
            .clone();
        assert_eq!(row["revenue"], f.revenue.to_decimal().to_string());
        assert_eq!(row["cost"], f.cost.to_decimal().to_string());
        assert_eq!(row["margin"], f.margin().to_decimal().to_string());
        let r = t
            .api(
                Method::GET,
                &format!(
                    "/api/v1/missions/{}/margin?from={month}&to={month}",
                    t.camille_mission
                ),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.json()["total"]["margin"],
            f.margin().to_decimal().to_string()
        );
    })
    .await;
}

fn crate_amount(m: Money) -> String {
    let c = m.cents();
    format!("{},{:02}", c / 100, c % 100)
}

#[tokio::test]
async fn a_business_manager_sees_margins_at_the_grades_standard_and_no_pay() {
    on_each_backend(|t| async move {
        let month = YearMonth::of(store::today()).prev();
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let token = t.token(Role::BusinessManager).await;
        let visit = async |label: &str| {
            let mut pages = Vec::new();
            for by in ["mission", "account", "bm", "agency"] {
                for span in ["1", "12"] {
                    pages.push(format!("/margins?by={by}&month={month}&span={span}"));
                    pages.push(format!("/margins/export?by={by}&month={month}&span={span}"));
                }
            }
            pages.push(format!(
                "/margins/detail?by=mission&month={month}&span=12&id={}",
                t.camille_mission
            ));
            pages.push(format!(
                "/margins/detail?by=mission&month={month}&span=12&id={}",
                t.lucas_mission
            ));
            pages.push(format!(
                "/margins/detail?by=mission&month={month}&span=12&id=bench"
            ));
            pages.push(format!("/missions/{}", t.camille_mission));
            pages.push("/employees".to_owned());
            let mut bodies = Vec::new();
            for p in &pages {
                let r = t.get(p, Some(&bm)).await;
                assert_eq!(r.status, StatusCode::OK, "{label} {p}");
                assert_no_pay(&format!("{label} {p}"), &r.body);
                bodies.push(r.body);
            }
            for p in [
                format!(
                    "/api/v1/margins?by=mission&from={}&to={month}",
                    month.prev()
                ),
                format!("/api/v1/margins?by=bm&to={month}"),
                format!("/api/v1/missions/{}/margin", t.camille_mission),
            ] {
                let r = t.api(Method::GET, &p, Some(&token), None).await;
                assert_eq!(r.status, StatusCode::OK, "{label} {p}: {}", r.body);
                assert_no_pay(&format!("{label} {p}"), &r.body);
                bodies.push(r.body);
            }
            bodies.join("\n")
        };
        // No standard for Camille's grade yet: her cost is unknown to him.
        let all = visit("no standard").await;
        assert!(all.contains("coût inconnu"));
        // The consultant view is not his.
        let r = t
            .get(&format!("/margins?by=consultant&month={month}"), Some(&bm))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .api(
                Method::GET,
                "/api/v1/margins?by=consultant",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Finance sets the standard of "Confirmé" at 400 €: he sees n × 400 €.
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t
            .post_form(
                "/settings/cjm/grades",
                &finance,
                &[("grade", "Confirmé"), ("cjm", "400")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n = month.working_days(Region::Standard).len() as u32;
        let cost = days_cost(Money::from_euros(400), DayQuantity::from_days(n));
        let all = visit("standard").await;
        assert!(all.contains(&cost.format(Locale::Fr)), "{cost}");
        // Finance, on the same page, sees her own CJM: the search above
        // is not vacuous.
        let r = t
            .get(
                &format!(
                    "/margins/detail?by=mission&month={month}&span=12&id={}",
                    t.camille_mission
                ),
                Some(&finance),
            )
            .await;
        assert!(r.body.contains("331,05"));
        // Salaries shown to managers when the firm says so.
        let r = t
            .post_form(
                "/settings/cjm/margin-policy",
                &finance,
                &[("bench_allocation", "agency")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = t
            .get(
                &format!(
                    "/margins/detail?by=mission&month={month}&span=12&id={}",
                    t.camille_mission
                ),
                Some(&bm),
            )
            .await;
        assert!(r.body.contains("331,05"));
    })
    .await;
}

#[tokio::test]
async fn consultants_and_clients_see_no_margin_and_bad_queries_are_refused() {
    on_each_backend(|t| async move {
        for role in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            let b = t.browser(Some(role)).await;
            for p in ["/margins", "/margins/export", "/margins/detail"] {
                let r = t.get(p, Some(&b)).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {p}");
            }
            let token = t.token(role).await;
            let r = t
                .api(Method::GET, "/api/v1/margins", Some(&token), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
            let r = t
                .api(
                    Method::GET,
                    &format!("/api/v1/missions/{}/margin", t.camille_mission),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
            let page = t
                .get(&format!("/missions/{}", t.camille_mission), Some(&b))
                .await;
            assert!(!page.body.contains("mission-margin"), "{role}");
        }
        let token = t.token(Role::Finance).await;
        for (q, field) in [
            ("by=everything", "by"),
            ("to=2026-13", "to"),
            ("from=2026-05&to=2026-01", "from"),
            ("from=2020-01&to=2026-01", "from"),
            ("per_page=500", "per_page"),
            ("page=0", "page"),
        ] {
            let r = t
                .api(
                    Method::GET,
                    &format!("/api/v1/margins?{q}"),
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
        }
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/missions/{}/margin", domain::ids::MissionId::new()),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t
            .api(
                Method::PUT,
                "/api/v1/margin-policy",
                Some(&token),
                Some(r#"{"bench_allocation":"moon","salaries_hidden":true}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "bench_allocation");
        let r = t
            .api(
                Method::PUT,
                "/api/v1/margin-policy",
                Some(&token),
                Some(r#"{"bench_allocation":"agency","salaries_hidden":"no"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = t
            .api(
                Method::PUT,
                "/api/v1/margin-policy",
                Some(&token),
                Some(r#"{"bench_allocation":"agency_missions","salaries_hidden":false}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["bench_allocation"], "agency_missions");
    })
    .await;
}

/// The 90-day forecast: finance sees Camille's days to come at her own
/// cost, a business manager the same missions of his portfolio at the
/// grade's standard (none is set for her grade: unknown, never her pay),
/// the CSV and the API say the same, consultants and clients see nothing.
#[tokio::test]
async fn the_forecast_shows_days_to_come_as_each_reader_may_see_them() {
    on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t.get("/margins/forecast", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"forecast-table\""), "{}", page.body);
        assert!(page.body.contains("Data Engineer"));
        assert!(page.body.contains("<svg"), "the monthly chart");
        // Lucas's mission ends in 45 days without a decision.
        assert!(page.body.contains("badge late"));
        let list = t.get("/margins", Some(&finance)).await;
        assert!(list.body.contains("href=\"/margins/forecast\""));

        let token = t.token(Role::Finance).await;
        let r = t
            .api(Method::GET, "/api/v1/margins/forecast", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["cost_basis"], "personal");
        let missions = j["missions"].as_array().unwrap();
        let camille = missions
            .iter()
            .find(|m| m["mission_id"] == t.camille_mission.to_string())
            .expect("Camille's mission");
        let half_days = (cents(camille["days"].as_str().unwrap()) / 50) as i64;
        assert!(half_days > 0);
        let cost = cents(camille["cost"].as_str().unwrap());
        // Within a cent per month of days × 331,05 €.
        let exact = half_days * 33_105 / 2;
        assert!((cost - exact).abs() <= 4, "{cost} vs {exact}");
        assert_eq!(j["renewals_at_risk"], 1);
        // Months add up to the whole.
        let sum: i64 = j["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| cents(m["revenue"].as_str().unwrap()))
            .sum();
        assert_eq!(sum, cents(j["revenue"].as_str().unwrap()));

        let csv = t.get("/margins/forecast/export", Some(&finance)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(csv.body.contains("Data Engineer"));

        // The business manager: his portfolio, no pay anywhere.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let page = t.get("/margins/forecast", Some(&bm)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"margin-standard-note\""));
        assert_no_pay("the BM's forecast page", &page.body);
        let csv = t.get("/margins/forecast/export", Some(&bm)).await;
        assert_no_pay("the BM's forecast CSV", &csv.body);
        let token = t.token(Role::BusinessManager).await;
        let r = t
            .api(Method::GET, "/api/v1/margins/forecast", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_no_pay("the BM's forecast JSON", &r.body);
        assert_eq!(r.json()["cost_basis"], "grade_standard");
        if let Some(c) = r.json()["missions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["mission_id"] == t.camille_mission.to_string())
        {
            assert!(c["cost"].is_null(), "no standard for her grade: {c}");
        }

        for role in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            let b = t.browser(Some(role)).await;
            for p in ["/margins/forecast", "/margins/forecast/export"] {
                assert_eq!(
                    t.get(p, Some(&b)).await.status,
                    StatusCode::FORBIDDEN,
                    "{role} {p}"
                );
            }
            let token = t.token(role).await;
            let r = t
                .api(Method::GET, "/api/v1/margins/forecast", Some(&token), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        }
    })
    .await;
}

/// A decimal string of the API ("12000.00", "39", "1.5") in hundredths.
fn cents(s: &str) -> i64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

/// Camille's raise back-dated into the two locked months: the locked
/// months show as before; the current month shows the adjustment on its
/// table row, in its drill-down (a line of its own naming the version and
/// the locked period), in the CSV, on the mission's page and in the API.
#[tokio::test]
async fn a_back_dated_raise_shows_as_an_adjustment_in_the_first_open_month() {
    use domain::people::cost::SalaryVersionInput;
    on_each_backend_before_billing(|t| async move {
        let second = accrue(&t).await;
        let current = second.next();
        let finance = t.browser(Some(Role::Finance)).await;
        let locked_detail = format!(
            "/margins/detail?by=mission&month={second}&id={}",
            t.camille_mission
        );
        let before = t.get(&locked_detail, Some(&finance)).await.body;

        let sql = "SELECT e.id FROM employees e JOIN users u ON u.id = e.user_id
                   WHERE u.email = 'camille.martin@stafforia.example'";
        let employee: String =
            store::on_pool!(&t.db, |c| sqlx::query_scalar(sql).fetch_one(c).await).unwrap();
        let retro = second.prev().first_day().replace_day(15).unwrap();
        let raise = SalaryVersionInput {
            effective_from: current.first_day().to_string(),
            retroactive_from: retro.to_string(),
            annual_gross: "52800".into(),
            employer_charges: "45".into(),
            mutual_insurance: "720".into(),
            meal_vouchers: "1308".into(),
            transport: "540".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let actor = Actor::system("test");
        let mut tx = t.db.begin().await.unwrap();
        store::costs::lock_margins(&mut tx, &actor, second)
            .await
            .unwrap();
        store::costs::add(&mut tx, &actor, employee.parse().unwrap(), &raise)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The locked month, as it was.
        let after = t.get(&locked_detail, Some(&finance)).await.body;
        assert_eq!(before, after);
        assert!(!after.contains("Régularisation"));

        let page = t
            .get(
                &format!("/margins?by=mission&month={current}"),
                Some(&finance),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("dont régularisation"), "{}", page.body);
        let detail = t
            .get(
                &format!(
                    "/margins/detail?by=mission&month={current}&id={}",
                    t.camille_mission
                ),
                Some(&finance),
            )
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        let fr = |d: time::Date| domain::locale::format_date(d, Locale::Fr);
        let line = format!(
            "Régularisation des mois verrouillés du {} au {}",
            fr(retro),
            fr(second.last_day())
        );
        assert!(detail.body.contains(&line), "{line}:\n{}", detail.body);
        assert!(
            detail.body.contains("362,97\u{a0}€ − 331,05\u{a0}€"),
            "{}",
            detail.body
        );
        assert!(
            detail
                .body
                .contains(&format!("version du {}", fr(current.first_day()))),
            "{}",
            detail.body
        );
        assert!(detail.body.contains(r#"class="margin-adjustment""#));
        assert!(
            detail
                .body
                .contains("porte une régularisation de mois verrouillés")
        );
        let mission = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&finance))
            .await;
        assert!(
            mission.body.contains("dont régularisation"),
            "{}",
            mission.body
        );
        let csv = t
            .get(
                &format!("/margins/export?by=mission&month={current}"),
                Some(&finance),
            )
            .await;
        assert!(csv.body.contains("Dont régularisations"), "{}", csv.body);

        let token = t.token(Role::Finance).await;
        let r = t
            .api(
                Method::GET,
                &format!(
                    "/api/v1/missions/{}/margin?from={second}&to={current}",
                    t.camille_mission
                ),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let months = r.json()["months"].as_array().unwrap().clone();
        assert_eq!(months[0]["adjustment"], serde_json::Value::Null);
        let adjustment = months[1]["adjustment"]
            .as_str()
            .expect("an adjustment")
            .to_string();
        assert!(
            csv.body.contains(&adjustment.replace('.', ",")),
            "{adjustment} in {}",
            csv.body
        );
        assert_eq!(r.json()["total"]["adjustment"], adjustment);

        // A business manager, at the grade's standard: no line at all.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let r = t
            .get(&format!("/margins?by=mission&month={current}"), Some(&bm))
            .await;
        assert!(!r.body.contains("régularisation"), "{}", r.body);
    })
    .await;
}

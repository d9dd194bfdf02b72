//! The late-reports and to-invoice pages and the CSV export: shown to the
//! roles that may see them, refused to a consultant.

use axum::http::StatusCode;
use domain::calendar::YearMonth;
use domain::role::Role;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// Three reports of last month validated by their clients, then by the
/// manager; Camille's two last months validated; Lucas's last month
/// opened and left there.
async fn validated_reports(t: &EmptyApp) {
    let now = YearMonth::of(store::today());
    let clientis = t.w.client().name("Clientis Group").create().await;
    let camille = t.w.mission(&clientis).title("Data Engineer").create().await;
    for month in [now.prev().prev(), now.prev()] {
        t.w.validated_month(&camille, month).await;
    }
    let horizon = t.w.client().name("Banque Horizon").create().await;
    let lucas = t.w.consultant("Lucas Petit").await;
    let java = t.w.mission(&horizon).consultant(&lucas).create().await;
    t.w.opened_month(&java, now.prev()).await;
    let month = YearMonth::of(store::today()).prev();
    let mut tx = t.db.begin().await.unwrap();
    let f = fixtures::bench_data::client_validated_cras(&mut tx, 3, month)
        .await
        .unwrap();
    let v = store::cras::validate(&mut tx, &store::Actor::system("test"), &f.reports)
        .await
        .unwrap();
    assert_eq!(v.done.len(), 3);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn late_and_billable_pages_for_finance_and_direction_only() {
    on_each_backend(|t| async move {
        validated_reports(&t).await;
        for role in [Role::Finance, Role::Direction] {
            let b = t.browser(Some(role)).await;
            let home = t.get("/", Some(&b)).await;
            assert!(home.body.contains(r#"href="/cras/late""#), "{role}");
            assert!(home.body.contains(r#"href="/cras/billable""#), "{role}");

            let late = t.get("/cras/late", Some(&b)).await;
            assert_eq!(late.status, StatusCode::OK, "{role}: {}", late.body);
            assert!(late.body.contains(
                "Un CRA est à l’heure quand le manager l’a validé au plus tard le 5e jour ouvré du mois suivant (calendrier métropolitain"
            ));
            assert!(late.body.contains("<svg") && late.body.contains("on-time-rates"));
            // Lucas left last month unsigned: he is late; Camille's
            // months are validated, in time.
            assert!(late.body.contains("Lucas Petit"), "{}", late.body);

            let bill = t.get("/cras/billable", Some(&b)).await;
            assert_eq!(bill.status, StatusCode::OK, "{role}: {}", bill.body);
            assert!(bill.body.contains("<h1>À facturer</h1>"));
            for i in 0..3 {
                assert!(bill.body.contains(&format!("Mission bench {i:05}")));
            }
            assert!(bill.body.contains("450,99"), "the odd-cent rate");
            // And the two months Camille had validated.
            assert!(bill.body.contains("Data Engineer"));
            assert!(bill.body.contains("/cras/billable.csv?from="));

            let csv = t.get("/cras/billable.csv", Some(&b)).await;
            assert_eq!(csv.status, StatusCode::OK);
            assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
            assert!(csv.body.starts_with('\u{feff}'), "a UTF-8 BOM");
            let rows: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
            assert_eq!(rows.len(), 1 + 3 + 2, "{}", csv.body);
            assert!(rows[0].starts_with("\u{feff}Mois;Mois (AAAA-MM);Client;Mission;"));
            assert!(rows[1].contains(";450,99;"), "{}", rows[1]);
            assert_eq!(rows[1].split(';').count(), 11);
        }
    })
    .await;
}

#[tokio::test]
async fn a_consultant_sees_neither_page() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Consultant)).await;
        for path in ["/cras/late", "/cras/billable", "/cras/billable.csv"] {
            assert_eq!(
                t.get(path, Some(&b)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let home = t.get("/", Some(&b)).await;
        assert!(!home.body.contains("/cras/late") && !home.body.contains("/cras/billable"));
    })
    .await;
}

/// A business manager's late reports and days to invoice are his
/// portfolio's: Béa's consultant, late on her mission, is not on Bruno's
/// page, nor her days on his list; each sees his own.
#[tokio::test]
async fn a_business_manager_sees_his_portfolios_reports_and_days_only() {
    on_each_backend(|t| async move {
        let now = YearMonth::of(store::today());
        let bruno = t.w.managers().await.0.id;
        let bea =
            t.w.user(Role::BusinessManager)
                .name("Béatrice Aubry")
                .create()
                .await
                .id;
        let clientis = t.w.client().name("Clientis Group").create().await;
        let camille = t.w.mission(&clientis).title("Data Engineer").create().await;
        t.w.validated_month(&camille, now.prev()).await;
        let horizon = t.w.client().name("Banque Horizon").create().await;
        let lucas = t.w.consultant("Lucas Petit").await;
        let java =
            t.w.mission(&horizon)
                .title("Développeur Java")
                .consultant(&lucas)
                .with(|i| i.business_manager_id = bea.to_string())
                .create()
                .await;
        t.w.validated_month(&java, now.prev().prev()).await;
        t.w.opened_month(&java, now.prev()).await;

        let b = t.browser_of(Some(bruno)).await;
        let late = t.get("/cras/late", Some(&b)).await;
        assert_eq!(late.status, StatusCode::OK);
        assert!(!late.body.contains("Lucas Petit"), "{}", late.body);
        let bill = t
            .get(
                &format!(
                    "/cras/billable?from={}&to={}",
                    now.prev().prev(),
                    now.prev()
                ),
                Some(&b),
            )
            .await;
        assert!(bill.body.contains("Data Engineer"), "{}", bill.body);
        assert!(!bill.body.contains("Développeur Java"), "{}", bill.body);
        let csv = t
            .get(
                &format!(
                    "/cras/billable.csv?from={}&to={}",
                    now.prev().prev(),
                    now.prev()
                ),
                Some(&b),
            )
            .await;
        assert!(csv.body.contains("Data Engineer") && !csv.body.contains("Développeur Java"));

        let b = t.browser_of(Some(bea)).await;
        let late = t.get("/cras/late", Some(&b)).await;
        assert!(late.body.contains("Lucas Petit"), "{}", late.body);
        let bill = t
            .get(
                &format!(
                    "/cras/billable?from={}&to={}",
                    now.prev().prev(),
                    now.prev()
                ),
                Some(&b),
            )
            .await;
        assert!(bill.body.contains("Développeur Java") && !bill.body.contains("Data Engineer"));
    })
    .await;
}

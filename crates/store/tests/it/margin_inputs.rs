//! What margins are computed from, on both backends: the revenue booked
//! per mission from the ledger's 706 lines (an issued invoice, an accrual
//! held for a key account's signature), and the days the validated reports
//! record per consultant, month and mission.

use domain::calendar::YearMonth;
use domain::mission::DayQuantity;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::margin_inputs::{Work, days_worked, revenue_by_analytic};

#[tokio::test]
async fn revenue_per_mission_from_the_ledger_and_days_from_validated_reports() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let month = YearMonth::of(today).prev();
        let client = w.client().name("Acme").create().await;
        let camille = w.consultant("Camille Martin").await;
        let m = w
            .mission(&client)
            .consultant(&camille)
            .from(month.prev().first_day())
            .create()
            .await;
        let invoice = w.issued_invoice(&m, month).await;
        // A key account's mission: its month is closed as accrued revenue.
        let key = w.client().name("Clientis Group").create().await;
        let lucas = w.consultant("Lucas Petit").await;
        let held = w
            .mission(&key)
            .consultant(&lucas)
            .from(month.prev().first_day())
            .locked()
            .create()
            .await;
        w.validated_month(&held, month).await;
        w.close(month, today).await;
        let waiting = w.invoice_of(&held, month).await.expect("held draft");

        let mut tx = db.read().await.unwrap();
        let revenue = revenue_by_analytic(&mut tx, month.first_day(), today)
            .await
            .unwrap();
        assert_eq!(
            revenue.get(&Some(m.analytic_code.clone())),
            Some(&invoice.net)
        );
        assert_eq!(
            revenue.get(&Some(held.analytic_code.clone())),
            Some(&waiting.net),
            "the accrual (FAE)"
        );
        assert!(
            !revenue.contains_key(&None),
            "every revenue line carries its code"
        );
        // Nothing before the month.
        let before =
            revenue_by_analytic(&mut tx, month.prev().first_day(), month.prev().last_day())
                .await
                .unwrap();
        assert!(before.is_empty(), "{before:?}");

        let days = days_worked(&mut tx, month, month).await.unwrap();
        tx.commit().await.unwrap();
        let worked = |who: domain::ids::UserId, mission| {
            days.get(&(who, month, Work::Mission(mission))).copied()
        };
        let expected = DayQuantity::from_days(
            month.working_days(domain::calendar::Region::Standard).len() as u32,
        );
        assert_eq!(worked(camille.id, m.id), Some(expected));
        assert_eq!(worked(lucas.id, held.id), Some(expected));
        assert_eq!(days.len(), 2, "{days:?}");
    })
    .await;
}

//! The live margin on both backends, on the demo: Camille's month at
//! Clientis from its FAE accrual while the framework contract is unsigned
//! (12 000 − 20 × 331,05 = 5 379,00 €, 44,83 %, in a month of 20 working
//! days), the revenue entries behind it adding up to it, the grade's
//! standard instead of her pay, and the scope.

use domain::calendar::{Region, YearMonth};
use domain::ids::MissionId;
use domain::margin::days_cost;
use domain::margin::live::Source;
use domain::margin::views::{self, Dimension, RowKey};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::people::cjm::CostBasis;
use fixtures::demo::Stage;
use fixtures::testing::on_each_backend;
use store::invoicing::close::{Close, run};
use store::{Actor, Db, Scope};

/// The demo before billing, then the two month-end closes that accrue
/// Camille's months (Clientis has not signed).
async fn accrued_demo(db: &Db) -> (YearMonth, YearMonth) {
    fixtures::demo::seed_stage(db, Stage::BeforeBilling)
        .await
        .unwrap();
    let current = YearMonth::of(store::today());
    let (first, second) = (current.prev().prev(), current.prev());
    for (period, issue_date) in [(first, second.first_day()), (second, current.first_day())] {
        run(
            db,
            &Actor::system("test"),
            Close { period, issue_date },
            &mut |_, _| {},
        )
        .await
        .unwrap();
    }
    (first, second)
}

fn camille_mission(m: &store::margins::Margins) -> MissionId {
    *m.names
        .missions
        .iter()
        .find(|(_, n)| n.title.starts_with("Data Engineer"))
        .expect("Camille's mission")
        .0
}

#[tokio::test]
async fn camilles_month_shows_from_its_accrual_and_its_entries_add_up() {
    on_each_backend(|db| async move {
        let (first, month) = accrued_demo(&db).await;
        let today = store::today();
        let mut tx = db.read().await.unwrap();
        let m = store::margins::compute(&mut tx, Scope::All, first, month, CostBasis::Personal, today)
            .await
            .unwrap();
        let id = camille_mission(&m);
        let n = month.working_days(Region::Standard).len() as u32;
        let days = DayQuantity::from_days(n);
        let row = views::by(&m.facts, Dimension::Mission, month, month)[&RowKey::Mission(id)];
        assert_eq!(row.revenue, Money::from_euros(600 * i64::from(n)));
        assert_eq!(row.cost(), Some(days_cost(Money::from_cents(33_105), days)));
        if n == 20 {
            assert_eq!(row.margin(), Some(Money::from_euros(5_379)));
            assert_eq!(row.rate().unwrap().basis_points(), 4483);
        }
        // The work line: n days at 331,05 €.
        assert!(m.facts.iter().any(|f| f.mission == Some(id)
            && f.month == month
            && matches!(f.source, Source::Work { days: d, cjm: Some(c), .. } if d == days && c == Money::from_cents(33_105))));
        // The ledger's entries behind the revenue add up to it.
        let lines = store::margins::revenue_lines(&mut tx, Scope::All, id, month, month)
            .await
            .unwrap();
        assert!(!lines.is_empty());
        assert_eq!(lines.iter().map(|l| l.amount).sum::<Money>(), row.revenue);
        // Every view agrees on the grand total.
        let grand = |d| views::total(&views::by(&m.facts, d, first, month));
        for d in Dimension::ALL {
            assert_eq!(grand(d).revenue, grand(Dimension::Mission).revenue, "{d:?}");
            assert_eq!(grand(d).known_cost, grand(Dimension::Mission).known_cost, "{d:?}");
        }
        // Lucas has no validated report for the first month: bench, at
        // his buy rate, carried by his mission's owners (70/30).
        let lucas_bench: Vec<_> = m
            .facts
            .iter()
            .filter(|f| f.month == first && matches!(f.source, Source::Bench { .. }))
            .filter(|f| m.names.users.get(&f.consultant.unwrap()).is_some_and(|n| n == "Lucas Petit"))
            .collect();
        assert_eq!(lucas_bench.len(), 1);
        let n1 = first.working_days(Region::Standard).len() as i64;
        assert_eq!(lucas_bench[0].cost, Some(Money::from_euros(480 * n1)));
        assert_eq!(lucas_bench[0].owners.len(), 2);

        // At the grade's standard: none set for "Confirmé", so unknown.
        let hidden = store::margins::compute(&mut tx, Scope::All, month, month, CostBasis::GradeStandard, today)
            .await
            .unwrap();
        let row = views::by(&hidden.facts, Dimension::Mission, month, month)[&RowKey::Mission(id)];
        assert_eq!(row.cost(), None);
        assert_eq!(row.revenue, Money::from_euros(600 * i64::from(n)));

        // Another client's scope sees nothing of Clientis.
        let horizon = m
            .names
            .companies
            .iter()
            .find(|(_, n)| n.as_str() == "Banque Horizon")
            .map(|(id, _)| *id)
            .unwrap();
        let scoped = store::margins::compute(&mut tx, Scope::Company(horizon), month, month, CostBasis::Personal, today)
            .await
            .unwrap();
        assert!(!scoped.names.missions.contains_key(&id));
        assert!(!scoped.facts.iter().any(|f| f.mission == Some(id)));
        assert!(store::margins::revenue_lines(&mut tx, Scope::Company(horizon), id, month, month)
            .await
            .unwrap()
            .is_empty());
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_margin_policy_is_stored_and_audited() {
    use domain::margin::bench::BenchAllocation;
    use store::margins::{MarginPolicy, policy, set_policy};
    on_each_backend(|db| async move {
        let mut tx = db.begin().await.unwrap();
        assert_eq!(policy(&mut tx).await.unwrap(), MarginPolicy::default());
        let p = MarginPolicy {
            bench: BenchAllocation::SpreadOverAgencyMissions,
            salaries_hidden: false,
        };
        set_policy(&mut tx, &Actor::system("test"), p)
            .await
            .unwrap();
        assert_eq!(policy(&mut tx).await.unwrap(), p);
        tx.commit().await.unwrap();
    })
    .await;
}

/// The 90-day forecast on the demo: Camille's days to come at 331,05 €
/// under her own cost, unknown at the grade's standard (none is set for
/// her grade), Lucas at his buy rate either way (a freelancer has no
/// salary to hide), and a client's scope sees only its own missions.
#[tokio::test]
async fn the_forecast_costs_days_as_the_reader_may_see_them() {
    use domain::margin::forecast::window;
    on_each_backend(|db| async move {
        accrued_demo(&db).await;
        let today = store::today();
        let mut tx = db.read().await.unwrap();
        let (all, names) =
            store::margin_forecast::forecast(&mut tx, Scope::All, CostBasis::Personal, today)
                .await
                .unwrap();
        let (from, to) = window(today);
        assert_eq!((all.from, all.to), (from, to));
        let by_title = |f: &domain::margin::forecast::Forecast, prefix: &str| {
            f.missions
                .iter()
                .find(|m| names.missions[&m.mission].title.starts_with(prefix))
                .cloned()
        };
        let camille = by_title(&all, "Data Engineer").expect("Camille's mission runs");
        assert!(camille.days > DayQuantity::ZERO);
        let at_cjm: Money = camille.months.values().map(|m| m.1.unwrap()).sum();
        assert_eq!(camille.cost, Some(at_cjm));
        // Each month's cost is its days at 331,05 € in one rounding, so the
        // whole is within a cent per month of days × 331,05 €.
        let whole = days_cost(Money::from_cents(33_105), camille.days);
        let gap = (camille.cost.unwrap() - whole).cents().abs();
        assert!(gap <= camille.months.len() as i64, "{gap}");
        assert_eq!(
            camille.margin(),
            Some(camille.revenue - camille.cost.unwrap())
        );
        assert_eq!(
            all.margin_known,
            all.missions
                .iter()
                .filter_map(|m| m.margin())
                .sum::<Money>()
        );

        let (hidden, names_hidden) =
            store::margin_forecast::forecast(&mut tx, Scope::All, CostBasis::GradeStandard, today)
                .await
                .unwrap();
        let camille_hidden = hidden
            .missions
            .iter()
            .find(|m| m.mission == camille.mission)
            .unwrap();
        assert_eq!(camille_hidden.cost, None, "no standard CJM for her grade");
        assert_eq!(camille_hidden.revenue, camille.revenue);
        assert!(hidden.revenue_without_cost >= camille.revenue);
        // Lucas's mission ends in 45 days with no decision: at risk.
        let lucas = hidden
            .missions
            .iter()
            .find(|m| {
                names_hidden
                    .users
                    .get(&m.consultant)
                    .is_some_and(|n| n == "Lucas Petit")
            })
            .expect("Lucas's mission runs");
        assert!(lucas.renewal_at_risk);
        assert_eq!(
            lucas.cost,
            Some(Money::from_cents(
                48_000 * i64::from(lucas.days.half_days()) / 2
            )),
            "480 € a day whatever the basis"
        );

        // Banque Horizon's contact sees none of Clientis's missions.
        let horizon = names
            .companies
            .iter()
            .find(|(_, n)| n.as_str() == "Banque Horizon")
            .map(|(id, _)| *id)
            .expect("Horizon runs a mission");
        let (scoped, _) = store::margin_forecast::forecast(
            &mut tx,
            Scope::Company(horizon),
            CostBasis::Personal,
            today,
        )
        .await
        .unwrap();
        assert!(scoped.missions.iter().all(|m| m.mission != camille.mission));
        assert_eq!(scoped.missions.len(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}

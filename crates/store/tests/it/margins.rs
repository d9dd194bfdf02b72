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

/// Each month's figures, every view and row.
fn month_rows(
    m: &store::margins::Margins,
    month: YearMonth,
) -> Vec<Vec<(RowKey, Money, Option<Money>)>> {
    Dimension::ALL
        .iter()
        .map(|d| {
            views::by(&m.facts, *d, month, month)
                .into_iter()
                .map(|(k, t)| (k, t.revenue, t.cost()))
                .collect()
        })
        .collect()
}

/// Locking the demo's two accrued months, then giving Camille a raise
/// back-dated to the 15th of the first: both locked months keep their
/// figures to the cent, and the current month carries the adjustment of
/// her locked days, attributed to her mission. The refusals write
/// nothing.
#[tokio::test]
async fn a_back_dated_raise_leaves_locked_months_and_lands_as_an_adjustment() {
    use domain::margin::retroactive_adjustment;
    use domain::people::cost::SalaryVersionInput;
    use store::Error;
    on_each_backend(|db| async move {
        let (first, second) = accrued_demo(&db).await;
        let current = second.next();
        let today = store::today();
        let actor = Actor::system("test");
        let compute = async |basis| {
            let mut tx = db.read().await.unwrap();
            let m = store::margins::compute(&mut tx, Scope::All, first, current, basis, today)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            m
        };
        let before = compute(CostBasis::Personal).await;
        let id = camille_mission(&before);

        let mut tx = db.begin().await.unwrap();
        store::costs::lock_margins(&mut tx, &actor, second).await.unwrap();
        let camille = before
            .names
            .users
            .iter()
            .find(|(_, n)| n.as_str() == "Camille Martin")
            .map(|(u, _)| *u)
            .unwrap();
        let employee = store::employees::of_user(&mut tx, camille)
            .await
            .unwrap()
            .unwrap()
            .id;
        let retro = first.first_day().replace_day(15).unwrap();
        let raise = |from: time::Date, retro: time::Date| SalaryVersionInput {
            effective_from: from.to_string(),
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
        tx.commit().await.unwrap();

        // Refused beside its field, nothing written: not the first open
        // day, a retroactive date before her previous version.
        let versions = crate::support::count(&db, "cost_versions").await;
        for (v, field, key) in [
            (
                raise(current.first_day().replace_day(2).unwrap(), retro),
                "effective_from",
                "cost-version-retroactive-first-open-day",
            ),
            (
                raise(current.first_day(), time::macros::date!(2024 - 08 - 01)),
                "retroactive_from",
                "cost-version-retroactive-before-previous",
            ),
        ] {
            let mut tx = db.begin().await.unwrap();
            match store::costs::add(&mut tx, &actor, employee, &v).await {
                Err(Error::Invalid(e)) => assert_eq!(e.for_field(field).unwrap().key, key),
                other => panic!("{other:?}"),
            }
            tx.rollback().await.unwrap();
        }
        assert_eq!(crate::support::count(&db, "cost_versions").await, versions);

        let mut tx = db.begin().await.unwrap();
        let stored = store::costs::add(&mut tx, &actor, employee, &raise(current.first_day(), retro))
            .await
            .unwrap();
        assert_eq!(stored.version.retroactive_from, Some(retro));
        let history = store::costs::history(&mut tx, &actor, employee).await.unwrap();
        assert_eq!(history.last().unwrap().version.retroactive_from, Some(retro));
        tx.commit().await.unwrap();

        let after = compute(CostBasis::Personal).await;
        for month in [first, second] {
            assert_eq!(month_rows(&before, month), month_rows(&after, month), "{month}");
        }
        // Her locked days from the 15th, at 362,97 € instead of 331,05 €,
        // each month rounded as it was.
        let old = Money::from_cents(33_105);
        let new = Money::from_cents(36_297);
        let work_days = |m: &store::margins::Margins, month| -> u32 {
            m.facts
                .iter()
                .filter(|f| f.month == month && f.mission == Some(id))
                .filter_map(|f| match f.source {
                    Source::Work { days, .. } => Some(days.half_days()),
                    _ => None,
                })
                .sum()
        };
        // Her half days on the mission from the 15th, as her validated
        // report of the first month records them.
        let sql = "SELECT COUNT(*) FROM cra_slots s JOIN cras r ON r.id = s.cra_id
                   WHERE r.consultant_id = $1 AND r.status = 'validated' AND s.mission_id = $2
                     AND s.day >= $3 AND s.day <= $4";
        let locked_first: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(sql)
            .bind(camille.to_string())
            .bind(id.to_string())
            .bind(retro)
            .bind(first.last_day())
            .fetch_one(c)
            .await)
        .unwrap();
        assert!(locked_first > 0);
        let locked_first = u32::try_from(locked_first).unwrap();
        let expected = retroactive_adjustment(old, new, DayQuantity::from_half_days(locked_first))
            + retroactive_adjustment(old, new, DayQuantity::from_half_days(work_days(&before, second)));
        let adjustments: Vec<_> = after.facts.iter().filter(|f| f.source.is_adjustment()).collect();
        assert_eq!(adjustments.len(), 1, "{adjustments:?}");
        let a = adjustments[0];
        assert_eq!((a.month, a.mission, a.consultant), (current, Some(id), Some(camille)));
        assert_eq!(a.cost, Some(expected));
        assert!(matches!(
            a.source,
            Source::Adjustment { bench: None, old_cjm: Some(o), new_cjm: Some(n), version_from, retroactive_from, .. }
                if o == old && n == new && version_from == current.first_day() && retroactive_from == retro
        ));
        // The current month says so; its own days are at the new CJM.
        let row = views::by(&after.facts, Dimension::Mission, current, current)[&RowKey::Mission(id)];
        assert_eq!(row.adjustment(), Some(expected));
        let row_before = views::by(&before.facts, Dimension::Mission, current, current)
            .get(&RowKey::Mission(id))
            .copied()
            .unwrap_or_default();
        assert!(row.known_cost >= row_before.known_cost + expected);
        // Viewed from the current month alone, it is there all the same.
        let mut tx = db.read().await.unwrap();
        let alone = store::margins::compute(&mut tx, Scope::All, current, current, CostBasis::Personal, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            alone.facts.iter().filter(|f| f.source.is_adjustment()).map(|f| f.cost).collect::<Vec<_>>(),
            vec![Some(expected)]
        );
        // At the grade's standard, a salary raise changes nothing seen.
        let hidden = compute(CostBasis::GradeStandard).await;
        assert!(!hidden.facts.iter().any(|f| f.source.is_adjustment()));
    })
    .await;
}

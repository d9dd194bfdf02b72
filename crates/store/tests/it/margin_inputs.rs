//! What margins are computed from, on both backends: the revenue booked
//! per mission from the ledger's 706 lines (an issued invoice, an accrual
//! held for a key account's signature), and the days the validated reports
//! record per consultant, month and mission.

use domain::calendar::YearMonth;
use domain::mission::DayQuantity;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::margin_inputs::{Work, days_worked, revenue_by_analytic, revenue_by_analytic_month};
use store::on_tx;

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
        // The monthly totals the ledger's trigger keeps say the same.
        let monthly = revenue_by_analytic_month(&mut tx, month.prev(), YearMonth::of(today))
            .await
            .unwrap();
        let by_code = |code: &str| -> domain::money::Money {
            monthly
                .iter()
                .filter(|((c, _), _)| c == code)
                .map(|(_, v)| *v)
                .sum()
        };
        assert_eq!(by_code(&m.analytic_code), invoice.net);
        assert_eq!(by_code(&held.analytic_code), waiting.net);

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

/// The totals kept by triggers (`cra_day_totals`, `analytic_months`) equal
/// a recount of the rows they summarise after reports are saved, saved
/// again with other activities, validated, invoiced and closed.
#[tokio::test]
async fn the_kept_totals_equal_a_recount() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let month = YearMonth::of(today).prev();
        let client = w.client().name("Acme").create().await;
        let camille = w.consultant("Camille Martin").await;
        // Half the month on the mission: the rest is bench.
        let m = w
            .mission(&client)
            .consultant(&camille)
            .from(month.first_day() + time::Duration::days(14))
            .create()
            .await;
        w.filled_month(&m, month).await;
        // Saved again, a training day replacing a mission day.
        let day = *month
            .working_days(domain::calendar::Region::Standard)
            .last()
            .unwrap();
        w.filled_month_with(
            &m,
            month,
            &[domain::cra::Cell {
                activity: domain::cra::Activity::Training,
                day,
                half_days: 2,
            }],
        )
        .await;
        // Another consultant's month, validated, invoiced and issued.
        let lucas = w.consultant("Lucas Petit").await;
        let other = w
            .mission(&client)
            .consultant(&lucas)
            .from(month.first_day())
            .create()
            .await;
        w.issued_invoice(&other, month).await;

        let mut tx = db.read().await.unwrap();
        let kept: Vec<(String, String, String, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT cra_id, activity, mission_key, CAST(half_days AS BIGINT) FROM cra_day_totals
             ORDER BY 1, 2, 3"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        let recount: Vec<(String, String, String, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT cra_id, activity, COALESCE(mission_id, ''), CAST(COUNT(*) AS BIGINT) FROM cra_slots
             GROUP BY cra_id, activity, COALESCE(mission_id, '') ORDER BY 1, 2, 3"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(kept, recount);
        assert!(
            kept.iter().any(|k| k.1 == "training" && k.3 == 2),
            "{kept:?}"
        );
        assert!(kept.iter().any(|k| k.1 == "bench"), "{kept:?}");
        let kept: Vec<(String, String, String, i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT analytic_code, account, month, debit_cents, credit_cents FROM analytic_months
             ORDER BY 1, 2, 3"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        let lines: Vec<(String, String, time::Date, i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT l.analytic_code, l.account, e.entry_date, l.debit_cents, l.credit_cents
             FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
             WHERE l.analytic_code IS NOT NULL"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        tx.commit().await.unwrap();
        let mut recount = std::collections::BTreeMap::<(String, String, String), (i64, i64)>::new();
        for (code, account, date, debit, credit) in lines {
            let t = recount
                .entry((code, account, YearMonth::of(date).to_string()))
                .or_default();
            t.0 += debit;
            t.1 += credit;
        }
        let recount: Vec<_> = recount
            .into_iter()
            .map(|((a, b, c), (d, e))| (a, b, c, d, e))
            .collect();
        assert!(!recount.is_empty());
        assert_eq!(kept, recount);
    })
    .await;
}

/// The forecast's inputs: running missions with their rates, their
/// consultant's working time less approved leave, and whether the renewal
/// of their current end is decided.
#[tokio::test]
async fn the_forecast_reads_running_missions_leave_and_renewal_decisions() {
    use domain::cra::{Half, WorkPattern};
    use domain::margin::forecast::{forecast, window};
    use domain::renewal::RenewalEvent;
    use store::Scope;
    use time::Duration;
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let start = YearMonth::of(today).prev().first_day();
        let client = w.client().name("Acme").create().await;
        let camille = w.consultant("Camille Martin").await;
        let lucas = w.consultant("Lucas Petit").await;
        let lea = w.consultant("Léa Durand").await;
        let ending = w
            .mission(&client)
            .consultant(&camille)
            .from(start)
            .to(today + Duration::days(30))
            .create()
            .await;
        let long = w
            .mission(&client)
            .consultant(&lucas)
            .from(start)
            .to(today + Duration::days(200))
            .create()
            .await;
        let declined = w
            .mission(&client)
            .consultant(&lea)
            .from(start)
            .to(today + Duration::days(20))
            .create()
            .await;
        // Lucas takes the first two working days of the window off.
        let (from, to) = window(today);
        let pattern = WorkPattern::default();
        let off: Vec<_> = std::iter::successors(Some(from), |d| d.next_day())
            .filter(|d| pattern.works_on(*d))
            .take(2)
            .collect();
        let mut tx = db.begin().await.unwrap();
        let asked = store::leave::request(
            &mut tx,
            &w.person(lucas.id).await,
            lucas.id,
            &store::leave::NewLeave {
                leave_type: "sans_solde".into(),
                period: domain::leave::LeavePeriod {
                    start: off[0],
                    start_half: Half::Am,
                    end: off[1],
                    end_half: Half::Pm,
                },
                comment: None,
            },
        )
        .await
        .unwrap();
        store::leave::decide(
            &mut tx,
            w.actor(),
            Scope::All,
            asked.id,
            &store::leave::Decision::Approve,
        )
        .await
        .unwrap();
        store::renewals::apply_event(
            &mut tx,
            w.actor(),
            Scope::All,
            declined.id,
            RenewalEvent::Decline,
            Some("Le client internalise"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.read().await.unwrap();
        let running = store::margin_forecast::running(&mut tx, Scope::All, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let of = |id| running.iter().find(|r| r.mission == id).expect("running");
        assert_eq!(running.len(), 3);
        assert!(!of(ending.id).renewal_decided);
        assert!(of(declined.id).renewal_decided);
        let lucas_days = &of(long.id).working_days;
        assert_eq!(
            lucas_days
                .iter()
                .filter(|(_, q)| *q == DayQuantity::ZERO)
                .map(|(d, _)| *d)
                .collect::<Vec<_>>(),
            off
        );
        assert!(lucas_days.iter().all(|(d, _)| *d >= from && *d <= to));

        let f = forecast(today, &running, &|_, _| None, None);
        let at_risk: Vec<_> = f
            .missions
            .iter()
            .filter(|m| m.renewal_at_risk)
            .map(|m| m.mission)
            .collect();
        assert_eq!(at_risk, [ending.id]);
        let long_forecast = f.missions.iter().find(|m| m.mission == long.id).unwrap();
        let worked = lucas_days.iter().map(|(_, q)| q.half_days()).sum::<u32>();
        assert_eq!(long_forecast.days, DayQuantity::from_half_days(worked));
        assert_eq!(
            long_forecast.revenue,
            long.data.tjm.for_days(long_forecast.days),
            "one rate, no amendment: days × TJM"
        );
    })
    .await;
}

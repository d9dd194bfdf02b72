//! The margin benchmark's history on both backends: it is written in bulk
//! around the aggregates' triggers (dropped and recreated on SQLite), so
//! the totals the margin pages read must still be exactly what the
//! triggers would have kept, and the triggers must be back afterwards.

use std::collections::BTreeMap;

use fixtures::testing::on_each_backend;
use store::{Db, on_tx};
use time::Date;

type Totals = BTreeMap<(String, String, String), (i64, i64)>;
type Months = BTreeMap<(String, String, String), (i64, i64)>;

/// (kept by the triggers, recomputed from the slots and the lines).
async fn aggregates(db: &Db) -> ((Totals, Totals), (Months, Months)) {
    let mut tx = db.read().await.unwrap();
    let kept: Vec<(String, String, String, i64, i64)> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT cra_id, activity, mission_key, CAST(half_days AS BIGINT), mask FROM cra_day_totals"
    )
    .fetch_all(c)
    .await
    })
    .unwrap();
    let slots: Vec<(String, String, String, Date, String)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT cra_id, activity, COALESCE(mission_id, ''), day, half FROM cra_slots"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let months: Vec<(String, String, String, i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT analytic_code, account, month, debit_cents, credit_cents FROM analytic_months"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let lines: Vec<(String, String, Date, i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT l.analytic_code, l.account, e.entry_date, l.debit_cents, l.credit_cents
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE l.analytic_code IS NOT NULL"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    let kept: Totals = kept
        .into_iter()
        .map(|(a, b, c, n, mask)| ((a, b, c), (n, mask)))
        .collect();
    // Counted and masked here, half day by half day, with the domain's
    // bit of each: the triggers' arithmetic is not trusted twice.
    let mut counted = Totals::new();
    for (cra, activity, mission, day, half) in slots {
        let half = domain::cra::Half::parse(&half).unwrap();
        let e = counted.entry((cra, activity, mission)).or_default();
        e.0 += 1;
        e.1 |= domain::invoice::billed::HalfDayMask::single(day, half).bits();
    }
    let mut recomputed = Months::new();
    for (code, account, date, debit, credit) in lines {
        let month = format!("{:04}-{:02}", date.year(), u8::from(date.month()));
        let e = recomputed.entry((code, account, month)).or_default();
        e.0 += debit;
        e.1 += credit;
    }
    (
        (kept, counted),
        (
            months
                .into_iter()
                .map(|(a, b, m, d, c)| ((a, b, m), (d, c)))
                .collect(),
            recomputed,
        ),
    )
}

async fn assert_exact(db: &Db, when: &str) {
    let ((kept, slots), (months, lines)) = aggregates(db).await;
    assert_eq!(kept, slots, "cra_day_totals {when}");
    assert_eq!(months, lines, "analytic_months {when}");
}

#[tokio::test]
async fn the_bulk_history_leaves_the_aggregates_as_the_triggers_keep_them() {
    on_each_backend(|db| async move {
        let today = store::today();
        let mut stages = Vec::new();
        let f = fixtures::margin_data::margin_history(&db, 12, 1, today, |s| {
            stages.push(s.to_owned())
        })
        .await
        .unwrap();
        assert_eq!(
            stages,
            ["people", "missions", "reports", "days", "ledger"],
            "one step of progress per stage"
        );
        assert_eq!(f.reports, 12 * 12);
        assert!(f.slots > 12 * 12 * 2 * 18, "{} half days", f.slots);
        assert!(f.sales_entries >= 12 * 11);
        let mut tx = db.read().await.unwrap();
        let bench: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM cra_slots WHERE activity = 'bench'"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        tx.commit().await.unwrap();
        assert!(bench > 0, "a week of bench for some");
        assert_exact(&db, "after the bulk load").await;

        // A second history on top: the grouped upserts add to what is
        // there, as the triggers would.
        fixtures::margin_data::margin_history(&db, 3, 1, today, |_| {})
            .await
            .unwrap();
        assert_exact(&db, "after a second load").await;

        // The triggers are back: a report's form rewriting a half day
        // (delete, insert) moves the totals.
        let mut tx = db.begin().await.unwrap();
        let (cra, day): (String, Date) = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT cra_id, day FROM cra_slots WHERE activity = 'mission' ORDER BY cra_id, day LIMIT 1"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM cra_slots WHERE cra_id = $1 AND day = $2 AND half = 'am'"
        )
        .bind(&cra)
        .bind(day)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO cra_slots (cra_id, day, half, activity) VALUES ($1, $2, 'am', 'bench')"
        )
        .bind(&cra)
        .bind(day)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        tx.commit().await.unwrap();
        assert_exact(&db, "after a slot rewritten").await;
        let mut tx = db.read().await.unwrap();
        let bench_of_cra: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT CAST(half_days AS BIGINT) FROM cra_day_totals WHERE cra_id = $1 AND activity = 'bench'"
        )
        .bind(&cra)
        .fetch_optional(c)
        .await)
        .unwrap()
        .unwrap_or(0);
        tx.commit().await.unwrap();
        assert!(bench_of_cra >= 1, "the insert trigger counted the new half day");
    })
    .await;
}

/// Facts in a comparable order: owners by manager, facts by their text.
fn normalized(mut facts: Vec<domain::margin::live::Fact>) -> Vec<String> {
    let mut out: Vec<String> = facts
        .iter_mut()
        .map(|f| {
            f.owners.sort_by_key(|o| o.bm);
            format!("{f:?}")
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_missions_own_margin_is_the_firms_cut_to_it() {
    use domain::calendar::YearMonth;
    use domain::margin::views::{Dimension, RowKey, by};
    use domain::people::cjm::CostBasis;
    use store::Scope;
    on_each_backend(|db| async move {
        let today = store::today();
        let f = fixtures::margin_data::margin_history(&db, 15, 1, today, |_| {})
            .await
            .unwrap();
        let to = YearMonth::of(today);
        let mut from = to;
        for _ in 0..11 {
            from = from.prev();
        }
        let mut tx = db.read().await.unwrap();
        for (scope, basis) in [
            (Scope::All, CostBasis::Personal),
            (Scope::All, CostBasis::GradeStandard),
            (Scope::Portfolio(f.managers[0]), CostBasis::GradeStandard),
        ] {
            let firm = store::margins::compute(&mut tx, scope, from, to, basis, today)
                .await
                .unwrap();
            let naive = store::margins::compute_from_rows(&mut tx, scope, from, to, basis, today)
                .await
                .unwrap();
            let (n, t) = (normalized(naive.facts), normalized(firm.facts.clone()));
            assert!(
                n == t,
                "the rows and the totals agree: {} and {} facts",
                n.len(),
                t.len()
            );
            let missions: Vec<_> = firm.names.missions.keys().copied().collect();
            assert!(!missions.is_empty());
            for id in missions {
                let own =
                    store::margins::compute_mission(&mut tx, scope, id, from, to, basis, today)
                        .await
                        .unwrap();
                let cut: Vec<_> = firm
                    .facts
                    .iter()
                    .filter(|f| f.mission == Some(id))
                    .cloned()
                    .collect();
                assert_eq!(
                    by(&own.facts, Dimension::Mission, from, to).get(&RowKey::Mission(id)),
                    by(&firm.facts, Dimension::Mission, from, to).get(&RowKey::Mission(id)),
                    "{id}"
                );
                let (own_facts, cut) = (normalized(own.facts), normalized(cut));
                assert!(own_facts == cut, "{id}: {own_facts:?} {cut:?}");
                assert!(own.names.missions.contains_key(&id));
            }
        }
        // Another manager's mission is not his.
        let firm =
            store::margins::compute(&mut tx, Scope::All, from, to, CostBasis::Personal, today)
                .await
                .unwrap();
        let mine = store::margins::compute(
            &mut tx,
            Scope::Portfolio(f.managers[0]),
            from,
            to,
            CostBasis::GradeStandard,
            today,
        )
        .await
        .unwrap();
        let other = firm
            .names
            .missions
            .keys()
            .find(|m| !mine.names.missions.contains_key(m))
            .copied()
            .unwrap();
        let hidden = store::margins::compute_mission(
            &mut tx,
            Scope::Portfolio(f.managers[0]),
            other,
            from,
            to,
            CostBasis::GradeStandard,
            today,
        )
        .await
        .unwrap();
        assert!(hidden.facts.is_empty() && hidden.names.missions.is_empty());
        tx.commit().await.unwrap();
    })
    .await;
}

//! The close benchmark's pieces on both backends: the fixture closes
//! without an error, a snapshot is the database as it was, and the rows the
//! close wrote can be written again into it, one by one or in batches.

use domain::calendar::YearMonth;
use fixtures::bench_data::{CLOSE_TABLES, Written};
use fixtures::testing::{TestDb, postgres_skipped};
use store::invoicing::close::{Close, run};
use store::{Actor, Db};

async fn counts(db: &Db) -> Vec<(&'static str, i64)> {
    let mut tx = db.read().await.unwrap();
    let c = fixtures::bench_data::row_counts(&mut tx, &CLOSE_TABLES)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c
}

async fn floor_round_trip(t: TestDb) {
    let mut db = t.db.clone();
    let today = store::today();
    let c = Close {
        period: YearMonth::of(today).prev(),
        issue_date: today,
    };
    let mut tx = db.begin().await.unwrap();
    let fixture = fixtures::bench_data::validated_cras_for_close(&mut tx, 3, c.period)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let one = fixtures::bench_data::snapshot(&mut db, &t.url, 2)
        .await
        .unwrap();
    let batched = fixtures::bench_data::snapshot(&mut db, &t.url, 2)
        .await
        .unwrap();
    let before = counts(&db).await;
    assert_eq!(
        counts(&one.db).await,
        before,
        "the snapshot is the database as it was"
    );

    let since = store::now();
    let summary = run(&db, &Actor::system("test"), c, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!((summary.units, summary.issued), (3, 3));
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let after = counts(&db).await;
    let mut tx = db.read().await.unwrap();
    let written = Written::read(&mut tx, since).await.unwrap();
    let numbers = fixtures::bench_data::issued_numbers(&mut tx, &fixture.missions)
        .await
        .unwrap();
    let sequence = fixtures::bench_data::issued_sequence(&mut tx, "FA", today.year())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let diff: Vec<(&str, i64)> = before
        .iter()
        .zip(&after)
        .map(|((t, b), (_, a))| (*t, a - b))
        .collect();
    assert_eq!(
        written.counts(),
        diff,
        "what is read back is what the close wrote"
    );
    assert_eq!(numbers.len(), 3);
    assert_eq!(sequence, vec![1, 2, 3]);

    for (copy, batch) in [(one, false), (batched, true)] {
        let mut tx = copy.db.begin().await.unwrap();
        let n = written.insert(&mut tx, batch).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n as i64, diff.iter().map(|(_, d)| d).sum::<i64>());
        assert_eq!(counts(&copy.db).await, after, "batched: {batch}");
        copy.drop_db().await.unwrap();
    }
    db.close().await;
    t.drop_db().await;
}

#[tokio::test]
async fn the_close_floor_writes_the_same_rows_again() {
    floor_round_trip(TestDb::sqlite().await).await;
    if postgres_skipped() {
        eprintln!("warning: PostgreSQL part of this test SKIPPED (REGISSEUR_SKIP_POSTGRES=1)");
        return;
    }
    floor_round_trip(TestDb::postgres().await).await;
}

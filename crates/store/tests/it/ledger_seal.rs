//! The ledger's hash chain on both backends: every posting is sealed;
//! tampering with SQL (a line's amount, an entry's label, an entry removed)
//! is found at the entry concerned; entries from before the chain are
//! sealed after migrating.

use domain::ledger::{Journal, Line, NewEntry};
use domain::money::Money;
use domain::seal::BreakReason;
use fixtures::testing::on_each_backend;
use store::{Db, ledger};
use time::Date;
use time::macros::date;

use crate::support::actor;

fn entry(journal: Journal, d: Date, n: u32) -> NewEntry {
    NewEntry {
        journal,
        date: d,
        label: format!("Écriture {n}"),
        piece_ref: Some(format!("P-{n}")),
        lines: vec![
            Line::debit("411", Money::from_euros(1_200 + i64::from(n)), "Client"),
            Line::credit("706", Money::from_euros(1_000), "Prestations").analytic("MIS-1"),
            Line::credit("44574", Money::from_euros(200 + i64::from(n)), "TVA"),
        ],
    }
}

/// Posts VE 1–4 and BQ 1–2 in 2026, and VE 1 in 2027; returns the ids of
/// the VE 2026 entries.
async fn books(db: &Db) -> Vec<String> {
    let mut tx = db.begin().await.unwrap();
    let mut ve = Vec::new();
    for n in 1..=4 {
        let p = ledger::post(
            &mut tx,
            &actor(),
            &entry(Journal::Ve, date!(2026 - 03 - 01), n),
            None,
        )
        .await
        .unwrap();
        ve.push(p.id.to_string());
    }
    for n in 1..=2 {
        ledger::post(
            &mut tx,
            &actor(),
            &entry(Journal::Bq, date!(2026 - 03 - 02), n),
            None,
        )
        .await
        .unwrap();
    }
    // Bank entries are sealed when validated.
    store::brouillard::validate(&mut tx, &actor(), Journal::Bq, date!(2026 - 03 - 31))
        .await
        .unwrap();
    ledger::post(
        &mut tx,
        &actor(),
        &entry(Journal::Ve, date!(2027 - 01 - 04), 9),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ve
}

async fn verify(db: &Db) -> ledger::Verification {
    let mut tx = db.read().await.unwrap();
    let v = ledger::verify(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    v
}

async fn exec(db: &Db, sql: &str, id: &str) {
    let sql = sql.to_owned();
    store::on_pool!(db, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
}

/// (journal, year, number, reason) of each broken chain.
fn broken(v: &ledger::Verification) -> Vec<(String, i32, i64, BreakReason)> {
    v.journals
        .iter()
        .filter_map(|j| {
            j.first_broken
                .as_ref()
                .map(|b| (j.journal.clone(), j.year, b.number, b.reason))
        })
        .collect()
}

#[tokio::test]
async fn postings_are_sealed_and_a_line_changed_with_sql_breaks_the_chain_there() {
    on_each_backend(|db| async move {
        let ve = books(&db).await;
        // A reversal is sealed like any posting.
        let mut tx = db.begin().await.unwrap();
        ledger::reverse(&mut tx, &actor(), ve[0].parse::<domain::ids::LedgerEntryId>().unwrap(), date!(2026 - 03 - 05), "Annulation")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let v = verify(&db).await;
        assert!(v.is_intact(), "{v:?}");
        assert_eq!(v.journals.len(), 3, "VE 2026, BQ 2026, VE 2027");
        assert_eq!(v.entries(), 8);
        exec(
            &db,
            "UPDATE ledger_lines SET debit_cents = debit_cents + 100 WHERE entry_id = $1 AND position = 1",
            &ve[2],
        )
        .await;
        let v = verify(&db).await;
        assert_eq!(
            broken(&v),
            vec![("VE".into(), 2026, 3, BreakReason::Content)]
        );
        let ve26 = v.journals.iter().find(|j| j.journal == "VE" && j.year == 2026).unwrap();
        assert_eq!(ve26.entries, 2, "the two before it are intact");
    })
    .await;
}

#[tokio::test]
async fn a_deleted_entry_and_an_edited_label_are_found() {
    on_each_backend(|db| async move {
        let ve = books(&db).await;
        exec(
            &db,
            "UPDATE ledger_entries SET label = 'Autre libellé' WHERE id = $1",
            &ve[3],
        )
        .await;
        assert_eq!(
            broken(&verify(&db).await),
            vec![("VE".into(), 2026, 4, BreakReason::Content)]
        );
        exec(&db, "DELETE FROM ledger_lines WHERE entry_id = $1", &ve[1]).await;
        exec(&db, "DELETE FROM ledger_entries WHERE id = $1", &ve[1]).await;
        assert_eq!(
            broken(&verify(&db).await),
            vec![("VE".into(), 2026, 2, BreakReason::Gap)]
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_entry_removed_or_a_hash_edited_are_found() {
    on_each_backend(|db| async move {
        let ve = books(&db).await;
        exec(&db, "DELETE FROM ledger_lines WHERE entry_id = $1", &ve[3]).await;
        exec(&db, "DELETE FROM ledger_entries WHERE id = $1", &ve[3]).await;
        assert_eq!(
            broken(&verify(&db).await),
            vec![("VE".into(), 2026, 4, BreakReason::Truncated)]
        );
        let fake = "a".repeat(64);
        let sql = format!("UPDATE ledger_entries SET hash = '{fake}' WHERE id = $1");
        exec(&db, &sql, &ve[0]).await;
        assert_eq!(
            broken(&verify(&db).await),
            vec![("VE".into(), 2026, 1, BreakReason::Content)]
        );
    })
    .await;
}

#[tokio::test]
async fn entries_from_before_the_seal_are_sealed_once_after_migrating() {
    on_each_backend(|db| async move {
        books(&db).await;
        let sealed = verify(&db).await;
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE ledger_entries SET hash = NULL, previous_hash = NULL"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        assert_eq!(broken(&verify(&db).await).len(), 3);
        assert_eq!(broken(&verify(&db).await)[0].3, BreakReason::Unsealed);
        // What start-up does after migrating.
        db.migrate().await.unwrap();
        let v = verify(&db).await;
        assert!(v.is_intact(), "{v:?}");
        // The same seals as when posted: the serialisation is the same.
        let last = |v: &ledger::Verification| {
            v.journals
                .iter()
                .map(|j| j.last_hash.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(last(&v), last(&sealed));
        assert_eq!(store::ledger::seal_pending(&db).await.unwrap(), 0);
        // And postings chain on.
        let mut tx = db.begin().await.unwrap();
        ledger::post(
            &mut tx,
            &actor(),
            &entry(Journal::Ve, date!(2026 - 03 - 09), 5),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(verify(&db).await.is_intact());
    })
    .await;
}

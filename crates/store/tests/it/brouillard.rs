//! The bank journal's brouillard on both backends: bank entries recorded in
//! any date order, numbered in date order when validated (by hand or by a
//! month's close), sealed then, listed in the FEC only then; a date before
//! the validated ones refused with nothing written; validation racing
//! back-dated postings never breaks the date order of the numbers.

use std::sync::Arc;

use domain::calendar::YearMonth;
use domain::ledger::{FiscalYear, Journal, Line, NewEntry};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::{Db, Error, brouillard, ledger, ledger_close};
use time::Date;
use time::macros::date;
use tokio::sync::Barrier;

use crate::support::{actor, count};

fn receipt(d: Date, label: &str) -> NewEntry {
    NewEntry {
        journal: Journal::Bq,
        date: d,
        label: label.to_owned(),
        piece_ref: None,
        lines: vec![
            Line::debit("512", Money::from_euros(1_200), label),
            Line::credit("411", Money::from_euros(1_200), label),
        ],
    }
}

async fn post(db: &Db, e: &NewEntry) -> store::Result<ledger::Posted> {
    let mut tx = db.begin().await?;
    let p = ledger::post(&mut tx, &actor(), e, None).await;
    if p.is_ok() {
        tx.commit().await?;
    }
    p
}

async fn validate(db: &Db, through: Date) -> store::Result<brouillard::Validation> {
    let mut tx = db.begin().await?;
    let v = brouillard::validate(&mut tx, &actor(), Journal::Bq, through).await;
    if v.is_ok() {
        tx.commit().await?;
    }
    v
}

/// (label, number) of the journal's entries, in the journal's order.
async fn journal(db: &Db) -> Vec<(String, String, bool)> {
    let mut tx = db.read().await.unwrap();
    let j = ledger::journal(
        &mut tx,
        Journal::Bq,
        date!(2026 - 01 - 01),
        date!(2026 - 12 - 31),
        1_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    j.into_iter()
        .map(|e| (e.label, e.number, e.provisional))
        .collect()
}

async fn fec_numbers(db: &Db) -> Vec<(String, Date, Date)> {
    let mut tx = db.read().await.unwrap();
    let mut cursor = store::fec::Cursor::new(FiscalYear::of(date!(2026 - 01 - 01)));
    let mut out = Vec::new();
    loop {
        let page = cursor.next_page(&mut tx).await.unwrap();
        if page.is_empty() {
            break;
        }
        out.extend(
            page.into_iter()
                .filter(|l| l.compte_num == "512")
                .map(|l| (l.ecriture_num, l.ecriture_date, l.valid_date)),
        );
    }
    tx.commit().await.unwrap();
    out
}

async fn chains_intact(db: &Db) -> bool {
    let mut tx = db.read().await.unwrap();
    let v = ledger::verify(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    v.is_intact()
}

fn key(e: Error) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        Error::Invalid(v) => (v.0[0].key, crate::support::in_french(&v.0[0].args)),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_statement_imported_after_a_later_cheque_is_numbered_before_it() {
    on_each_backend(|db| async move {
        // Recorded in this order: the cheque of the 20th, then the
        // statement of the 19th (two lines), then a transfer of the 25th.
        let cheque = post(&db, &receipt(date!(2026 - 11 - 20), "cheque"))
            .await
            .unwrap();
        assert!(cheque.provisional);
        assert_eq!(cheque.number, "BQ-2026-B000001");
        post(&db, &receipt(date!(2026 - 11 - 19), "vir-a"))
            .await
            .unwrap();
        post(&db, &receipt(date!(2026 - 11 - 19), "vir-b"))
            .await
            .unwrap();
        post(&db, &receipt(date!(2026 - 11 - 25), "vir-c"))
            .await
            .unwrap();
        // Counted at once where money is followed, not yet in the FEC.
        let mut tx = db.read().await.unwrap();
        let tb = ledger::trial_balance(&mut tx, date!(2026 - 11 - 01), date!(2026 - 11 - 30))
            .await
            .unwrap();
        let w = brouillard::waiting(&mut tx, Journal::Bq).await.unwrap();
        tx.commit().await.unwrap();
        let bank = tb.iter().find(|b| b.account.as_str() == "512").unwrap();
        assert_eq!(bank.totals.debit, Money::from_euros(4 * 1_200));
        assert_eq!(
            (w.count, w.first, w.last),
            (4, Some(date!(2026 - 11 - 19)), Some(date!(2026 - 11 - 25)))
        );
        assert!(fec_numbers(&db).await.is_empty());
        assert!(chains_intact(&db).await);

        let v = validate(&db, date!(2026 - 11 - 22)).await.unwrap();
        assert_eq!(v.count, 3);
        assert_eq!(v.first.as_deref(), Some("BQ-2026-000001"));
        assert_eq!(v.last.as_deref(), Some("BQ-2026-000003"));
        let j = journal(&db).await;
        let shown: Vec<(&str, &str, bool)> = j
            .iter()
            .map(|(l, n, p)| (l.as_str(), n.as_str(), *p))
            .collect();
        assert_eq!(
            shown,
            [
                ("vir-a", "BQ-2026-000001", false),
                ("vir-b", "BQ-2026-000002", false),
                ("cheque", "BQ-2026-000003", false),
                ("vir-c", "BQ-2026-B000004", true),
            ]
        );
        assert!(chains_intact(&db).await);

        // The journal no longer takes a date before the 20th; the 20th
        // itself is still fine.
        let before = count(&db, "ledger_entries").await;
        let (k, args) = key(post(&db, &receipt(date!(2026 - 11 - 19), "late"))
            .await
            .unwrap_err());
        assert_eq!(k, "ledger-date-before-validated");
        assert_eq!(
            args,
            vec![
                ("journal", "BQ".to_owned()),
                ("date", "20/11/2026".to_owned())
            ]
        );
        assert_eq!(count(&db, "ledger_entries").await, before);
        post(&db, &receipt(date!(2026 - 11 - 20), "same-day"))
            .await
            .unwrap();

        let v = validate(&db, date!(2026 - 11 - 30)).await.unwrap();
        assert_eq!(v.count, 2);
        let fec = fec_numbers(&db).await;
        let nums: Vec<&str> = fec.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            nums,
            [
                "BQ-2026-000001",
                "BQ-2026-000002",
                "BQ-2026-000003",
                "BQ-2026-000004",
                "BQ-2026-000005"
            ]
        );
        assert!(fec.windows(2).all(|w| w[0].1 <= w[1].1));
        // ValidDate: the day of validation, never before the entry.
        assert!(fec.iter().all(|(_, d, v)| v >= d));
        assert!(chains_intact(&db).await);
        // Nothing left: a second validation numbers nothing.
        assert_eq!(validate(&db, date!(2026 - 11 - 30)).await.unwrap().count, 0);
    })
    .await;
}

#[tokio::test]
async fn closing_a_month_validates_its_bank_entries_only() {
    on_each_backend(|db| async move {
        post(&db, &receipt(date!(2026 - 11 - 02), "november"))
            .await
            .unwrap();
        post(&db, &receipt(date!(2026 - 10 - 31), "october"))
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        ledger_close::close_period(&mut tx, &actor(), YearMonth::of(date!(2026 - 10 - 01)))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let j = journal(&db).await;
        assert_eq!(
            j,
            [
                ("october".to_owned(), "BQ-2026-000001".to_owned(), false),
                ("november".to_owned(), "BQ-2026-B000001".to_owned(), true),
            ]
        );
        assert!(chains_intact(&db).await);
    })
    .await;
}

#[tokio::test]
async fn validation_refuses_the_future_and_writes_nothing() {
    on_each_backend(|db| async move {
        post(&db, &receipt(date!(2026 - 11 - 02), "a"))
            .await
            .unwrap();
        let tomorrow = store::today().next_day().unwrap();
        let (k, _) = key(validate(&db, tomorrow).await.unwrap_err());
        assert_eq!(k, "ledger-validate-future");
        assert!(journal(&db).await[0].2, "still provisional");
    })
    .await;
}

#[tokio::test]
async fn a_provisional_entry_is_reversed_in_the_brouillard_too() {
    on_each_backend(|db| async move {
        let p = post(&db, &receipt(date!(2026 - 11 - 10), "wrong client"))
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = ledger::reverse(&mut tx, &actor(), p.id, date!(2026 - 11 - 12), "Annulation")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(r.provisional);
        validate(&db, date!(2026 - 11 - 30)).await.unwrap();
        let j = journal(&db).await;
        assert_eq!(j[0].1, "BQ-2026-000001");
        assert_eq!(j[1].1, "BQ-2026-000002");
        assert!(chains_intact(&db).await);
    })
    .await;
}

/// Postings dated all over November race validations through the 10th and
/// the 20th: every posting either lands (and is then numbered in date
/// order) or is refused as before the validated dates; none slips in
/// behind a validation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn validation_racing_back_dated_postings_keeps_numbers_in_date_order() {
    const N: usize = 24;
    on_each_backend(|db| async move {
        let start = Arc::new(Barrier::new(N + 2));
        let mut tasks = Vec::new();
        for i in 0..N {
            let db = db.clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let day = 1 + (i * 7 % 28) as u8;
                let d = Date::from_calendar_date(2026, time::Month::November, day).unwrap();
                match post(&db, &receipt(d, &format!("r{i}"))).await {
                    Ok(_) => true,
                    Err(e) => {
                        assert_eq!(key(e).0, "ledger-date-before-validated");
                        false
                    }
                }
            }));
        }
        for through in [date!(2026 - 11 - 10), date!(2026 - 11 - 20)] {
            let db = db.clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                validate(&db, through).await.unwrap();
                true
            }));
        }
        let mut landed = 0;
        for t in tasks {
            landed += usize::from(t.await.unwrap());
        }
        validate(&db, date!(2026 - 11 - 30)).await.unwrap();
        let fec = fec_numbers(&db).await;
        assert_eq!(fec.len(), landed - 2);
        assert!(
            fec.windows(2).all(|w| w[0].1 <= w[1].1),
            "numbers follow dates: {fec:?}"
        );
        assert!(chains_intact(&db).await);
    })
    .await;
}

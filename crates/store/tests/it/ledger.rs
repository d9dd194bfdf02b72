//! The general ledger on both backends: gap-free numbers per journal and
//! year (also when a posting rolls back, also under concurrent posters),
//! refusals that write nothing, closed periods, reversals.

use std::sync::Arc;

use domain::calendar::YearMonth;
use domain::ledger::{Journal, Line, NewEntry};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::{Db, Error, ledger, ledger_close};
use time::Date;
use time::macros::date;
use tokio::sync::Barrier;

use crate::support::{actor, count};

fn invoice(d: Date, n: u32) -> NewEntry {
    NewEntry {
        journal: Journal::Ve,
        date: d,
        label: format!("Facture {n}"),
        piece_ref: Some(format!("FA-2026-{n:06}")),
        lines: vec![
            Line::debit("411", Money::from_euros(14_400), "Clientis"),
            Line::credit("706", Money::from_euros(12_000), "Prestations").analytic("MIS-0001"),
            Line::credit("44574", Money::from_euros(2_400), "TVA sur encaissements"),
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

fn keys(e: Error) -> Vec<&'static str> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| f.key).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn numbers_are_gap_free_per_journal_and_year_even_after_a_rollback() {
    on_each_backend(|db| async move {
        let a = post(&db, &invoice(date!(2026 - 11 - 30), 1)).await.unwrap();
        assert_eq!(a.number, "VE-2026-000001");
        // A posting rolled back gives its number back.
        let mut tx = db.begin().await.unwrap();
        let p = ledger::post(&mut tx, &actor(), &invoice(date!(2026 - 11 - 30), 2), None)
            .await
            .unwrap();
        assert_eq!(p.number, "VE-2026-000002");
        drop(tx);
        let b = post(&db, &invoice(date!(2026 - 12 - 01), 2)).await.unwrap();
        assert_eq!(b.number, "VE-2026-000002");
        // Another journal and another year count on their own.
        let mut od = invoice(date!(2026 - 12 - 01), 3);
        od.journal = Journal::Od;
        assert_eq!(post(&db, &od).await.unwrap().number, "OD-2026-000001");
        let c = post(&db, &invoice(date!(2027 - 01 - 04), 3)).await.unwrap();
        assert_eq!(c.number, "VE-2027-000001");
        // The books balance.
        let mut tx = db.read().await.unwrap();
        let tb = ledger::trial_balance(&mut tx, date!(2026 - 01 - 01), date!(2027 - 12 - 31))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (d, c) = tb.iter().fold((0, 0), |(d, c), b| {
            (d + b.totals.debit.cents(), c + b.totals.credit.cents())
        });
        assert_eq!(d, c);
        assert_eq!(
            tb.iter()
                .find(|b| b.account.as_str() == "411")
                .unwrap()
                .totals
                .debit,
            Money::from_euros(4 * 14_400)
        );
        let stored = {
            let mut tx = db.read().await.unwrap();
            let s = ledger::get(&mut tx, a.id).await.unwrap();
            tx.commit().await.unwrap();
            s
        };
        assert_eq!(stored.lines, a.lines);
        assert_eq!(stored.lines[1].analytic.as_deref(), Some("MIS-0001"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posters_never_share_or_skip_a_number() {
    const N: usize = 12;
    on_each_backend(|db| async move {
        let start = Arc::new(Barrier::new(N));
        let mut tasks = Vec::new();
        for i in 0..N {
            let db = db.clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                post(&db, &invoice(date!(2026 - 11 - 30), i as u32)).await
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().unwrap().number);
        }
        numbers.sort();
        let expected: Vec<String> = (1..=N).map(|n| format!("VE-2026-{n:06}")).collect();
        assert_eq!(numbers, expected);
    })
    .await;
}

#[tokio::test]
async fn refusals_write_nothing() {
    on_each_backend(|db| async move {
        let mut unbalanced = invoice(date!(2026 - 11 - 30), 1);
        unbalanced.lines[2].credit = Money::from_euros(2_399);
        assert_eq!(
            keys(post(&db, &unbalanced).await.unwrap_err()),
            ["ledger-unbalanced"]
        );
        let mut unknown = invoice(date!(2026 - 11 - 30), 1);
        unknown.lines[1].account = domain::ledger::AccountNumber::parse("7069").unwrap();
        let e = post(&db, &unknown).await.unwrap_err();
        match &e {
            Error::Invalid(v) => assert_eq!(v.0[0].args, domain::args![("accounts", "7069")]),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "ledger_entries").await, 0);
        assert_eq!(count(&db, "ledger_lines").await, 0);
        assert_eq!(count(&db, "ledger_sequences").await, 0);
        // Numbers follow dates within a journal.
        post(&db, &invoice(date!(2026 - 11 - 30), 1)).await.unwrap();
        let e = post(&db, &invoice(date!(2026 - 11 - 29), 2))
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["ledger-date-before-last"]);
        assert_eq!(count(&db, "ledger_entries").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_closed_period_takes_no_posting_and_closes_once() {
    on_each_backend(|db| async move {
        let nov = YearMonth::of(date!(2026 - 11 - 01));
        let mut tx = db.begin().await.unwrap();
        ledger_close::close_period(&mut tx, &actor(), nov)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let e = post(&db, &invoice(date!(2026 - 11 - 30), 1))
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["ledger-period-closed"]);
        let mut tx = db.begin().await.unwrap();
        let e = ledger_close::close_period(&mut tx, &actor(), nov)
            .await
            .unwrap_err();
        drop(tx);
        assert_eq!(keys(e), ["ledger-period-already-closed"]);
        assert_eq!(count(&db, "ledger_entries").await, 0);
        assert_eq!(
            post(&db, &invoice(date!(2026 - 12 - 01), 1))
                .await
                .unwrap()
                .number,
            "VE-2026-000001"
        );
    })
    .await;
}

#[tokio::test]
async fn an_entry_is_reversed_once_and_the_books_net_to_zero() {
    on_each_backend(|db| async move {
        let mut fae = invoice(date!(2026 - 11 - 30), 1);
        fae.journal = Journal::Od;
        fae.lines[0].account = domain::ledger::AccountNumber::parse("4181").unwrap();
        fae.lines[2].account = domain::ledger::AccountNumber::parse("44587").unwrap();
        let a = post(&db, &fae).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = ledger::reverse(
            &mut tx,
            &actor(),
            a.id,
            date!(2026 - 12 - 01),
            "Extourne FAE",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r.number, "OD-2026-000002");
        assert_eq!(r.reverses_id, Some(a.id));
        let mut tx = db.begin().await.unwrap();
        let e = ledger::reverse(&mut tx, &actor(), a.id, date!(2026 - 12 - 02), "Encore")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["ledger-already-reversed"]);
        let e = ledger::reverse(&mut tx, &actor(), r.id, date!(2026 - 12 - 02), "Et retour")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["ledger-reversal-not-reversible"]);
        let tb = ledger::trial_balance(&mut tx, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
            .await
            .unwrap();
        drop(tx);
        assert!(tb.iter().all(|b| b.totals.balance().is_zero()), "{tb:?}");
        assert_eq!(tb.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn firms_add_accounts_once() {
    on_each_backend(|db| async move {
        let mut tx = db.begin().await.unwrap();
        ledger::add_account(&mut tx, &actor(), "706100", "Prestations régie")
            .await
            .unwrap();
        let e = ledger::add_account(&mut tx, &actor(), "706100", "Encore")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { field: "number" }), "{e:?}");
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = ledger::add_account(&mut tx, &actor(), "9001", "")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["ledger-account-number-invalid", "field-required"]);
    })
    .await;
}

//! The ledger's reports on both backends: the general ledger's openings and
//! running balances (income statement accounts restarting with the fiscal
//! year), the customer ledger adding up to 411, and the fiscal years.

use domain::calendar::YearMonth;
use domain::ids::CompanyId;
use domain::ledger::{Journal, Line, NewEntry, PeriodStatus};
use domain::ledger_reports::{AccountLedger, AccountPrefix, DateRange, LedgerQuery};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::{Db, Error, ledger, ledger_close, ledger_reports};
use time::Date;
use time::macros::date;

use crate::support::{actor, create_company};

fn eur(n: i64) -> Money {
    Money::from_euros(n)
}

/// ACCOUNTING.md §2 A: an invoice with VAT on receipts, `ht` before tax.
fn invoice(d: Date, piece: &str, customer: CompanyId, ht: i64) -> NewEntry {
    NewEntry {
        journal: Journal::Ve,
        date: d,
        label: format!("Facture {piece}"),
        piece_ref: Some(piece.into()),
        lines: vec![
            Line::debit("411", eur(ht * 6 / 5), "Client").for_customer(customer),
            Line::credit("706", eur(ht), "Prestations"),
            Line::credit("44574", eur(ht / 5), "TVA"),
        ],
    }
}

/// §2 C: a payment received.
fn payment(d: Date, customer: CompanyId, ttc: i64) -> NewEntry {
    NewEntry {
        journal: Journal::Bq,
        date: d,
        label: "Virement reçu".into(),
        piece_ref: None,
        lines: vec![
            Line::debit("512", eur(ttc), "Banque"),
            Line::credit("411", eur(ttc), "Client").for_customer(customer),
        ],
    }
}

async fn post_all(db: &Db, entries: &[NewEntry]) {
    let mut tx = db.begin().await.unwrap();
    for e in entries {
        ledger::post(&mut tx, &actor(), e, None).await.unwrap();
    }
    // The bank entries validated, as at a month's end: they have numbers.
    store::brouillard::validate(&mut tx, &actor(), Journal::Bq, store::today())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

struct Books {
    clientis: CompanyId,
    horizon: CompanyId,
}

/// Last year: an unpaid Clientis invoice, and a customer settled in full.
/// This year: Clientis invoiced in October and paid in November, Horizon
/// invoiced and half paid in November, 100 € on 411 without a customer.
async fn books(db: &Db) -> Books {
    let clientis = create_company(db, "Clientis", "client").await.id;
    let horizon = create_company(db, "Horizon", "client").await.id;
    let settled = create_company(db, "Ancien client", "client").await.id;
    post_all(
        db,
        &[
            invoice(date!(2025 - 06 - 10), "FA-2025-000001", settled, 500),
            payment(date!(2025 - 07 - 10), settled, 600),
            invoice(date!(2025 - 12 - 10), "FA-2025-000002", clientis, 1_000),
            invoice(date!(2026 - 10 - 15), "FA-2026-000001", clientis, 12_000),
            invoice(date!(2026 - 11 - 05), "FA-2026-000002", horizon, 6_000),
            payment(date!(2026 - 11 - 20), clientis, 14_400),
            payment(date!(2026 - 11 - 20), horizon, 3_600),
            NewEntry {
                journal: Journal::Od,
                date: date!(2026 - 11 - 26),
                label: "Frais sans client".into(),
                piece_ref: None,
                lines: vec![
                    Line::debit("411", eur(100), "À rattacher"),
                    Line::credit("512", eur(100), "Banque"),
                ],
            },
            // After the range: never in November's reports.
            invoice(date!(2026 - 12 - 01), "FA-2026-000003", horizon, 1_000),
        ],
    )
    .await;
    Books { clientis, horizon }
}

fn november() -> DateRange {
    DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap()
}

async fn gl(db: &Db, q: &LedgerQuery, max: i64) -> store::Result<Vec<AccountLedger>> {
    let mut tx = db.read().await.unwrap();
    let r = ledger_reports::general_ledger(&mut tx, q, max).await;
    tx.commit().await.unwrap();
    r
}

fn cents(m: &[Money]) -> Vec<i64> {
    m.iter().map(|m| m.cents() / 100).collect()
}

#[tokio::test]
async fn the_general_ledger_runs_from_the_opening_balance() {
    on_each_backend(|db| async move {
        books(&db).await;
        let all = LedgerQuery {
            range: november(),
            accounts: None,
            third_party: None,
        };
        let report = gl(&db, &all, 1_000).await.unwrap();
        let accounts: Vec<&str> = report.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(accounts, ["411", "44574", "512", "706"]);

        let clients = &report[0];
        assert_eq!(clients.label, "Clients");
        // 1,200 unpaid from last year + 14,400 invoiced in October.
        assert_eq!(clients.opening, eur(15_600));
        let running: Vec<Money> = clients.lines.iter().map(|r| r.balance).collect();
        assert_eq!(cents(&running), [22_800, 8_400, 4_800, 4_900]);
        let numbers: Vec<&str> = clients
            .lines
            .iter()
            .map(|r| r.line.number.as_str())
            .collect();
        assert_eq!(
            numbers,
            [
                "VE-2026-000002",
                "BQ-2026-000001",
                "BQ-2026-000002",
                "OD-2026-000001"
            ]
        );
        let first = &clients.lines[0].line;
        assert_eq!(first.piece_ref.as_deref(), Some("FA-2026-000002"));
        assert_eq!(first.entry_label, "Facture FA-2026-000002");
        assert_eq!(first.third_party_name.as_deref(), Some("Horizon"));
        assert_eq!(clients.lines[3].line.third_party, None);
        assert_eq!((clients.debit, clients.credit), (eur(7_300), eur(18_000)));
        assert_eq!(clients.closing, eur(4_900));

        // VAT carries over from last year; services restart on 1 January.
        assert_eq!(
            (report[1].opening, report[1].closing),
            (eur(-2_700), eur(-3_900))
        );
        assert_eq!(
            (report[3].opening, report[3].closing),
            (eur(-12_000), eur(-18_000))
        );
        // Two payments the same day: in entry number order, after last
        // year's 600 received.
        assert_eq!(report[2].opening, eur(600));
        let bank: Vec<Money> = report[2].lines.iter().map(|r| r.balance).collect();
        assert_eq!(cents(&bank), [15_000, 18_600, 18_500]);
        // Opening + debits − credits = closing, and the range balances.
        for a in &report {
            assert_eq!(a.opening + a.debit - a.credit, a.closing, "{}", a.account);
        }
        let (d, c) = domain::ledger_reports::totals(&report);
        assert_eq!(d, c);

        // An account prefix keeps its accounts only.
        let third = LedgerQuery {
            accounts: Some(AccountPrefix::parse("4").unwrap()),
            ..all.clone()
        };
        let accounts: Vec<String> = gl(&db, &third, 1_000)
            .await
            .unwrap()
            .iter()
            .map(|a| a.account.to_string())
            .collect();
        assert_eq!(accounts, ["411", "44574"]);

        // More lines than allowed: refused in words, never cut short.
        match gl(&db, &all, 5).await {
            Err(Error::Invalid(v)) => {
                assert_eq!(v.0[0].key, "ledger-report-too-long");
                assert_eq!(v.0[0].args, domain::args![("max", 5usize)]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(gl(&db, &all, 9).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn the_customer_ledger_splits_411_by_customer() {
    on_each_backend(|db| async move {
        let b = books(&db).await;
        let mut tx = db.read().await.unwrap();
        let summary = ledger_reports::customer_balances(&mut tx, november())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // The settled customer has nothing to show; no customer comes last.
        let rows: Vec<(Option<&str>, Vec<i64>)> = summary
            .iter()
            .map(|s| {
                (
                    s.name.as_deref(),
                    cents(&[s.opening, s.debit, s.credit, s.closing()]),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("Clientis"), vec![15_600, 0, 14_400, 1_200]),
                (Some("Horizon"), vec![0, 7_200, 3_600, 3_600]),
                (None, vec![0, 100, 0, 100]),
            ]
        );
        assert_eq!(summary[0].company, Some(b.clientis));
        // The customers add up to 411 in the general ledger.
        let all = LedgerQuery {
            range: november(),
            accounts: Some(AccountPrefix::customers()),
            third_party: None,
        };
        let total: Money = summary.iter().map(|s| s.closing()).sum();
        assert_eq!(gl(&db, &all, 100).await.unwrap()[0].closing, total);

        // One customer's statement, with its running balance.
        let horizon = gl(&db, &LedgerQuery::customer(november(), b.horizon), 100)
            .await
            .unwrap();
        assert_eq!(horizon.len(), 1);
        let running: Vec<Money> = horizon[0].lines.iter().map(|r| r.balance).collect();
        assert_eq!(
            (horizon[0].opening, cents(&running)),
            (Money::ZERO, vec![7_200, 3_600])
        );
        let clientis = gl(&db, &LedgerQuery::customer(november(), b.clientis), 100)
            .await
            .unwrap();
        assert_eq!(
            (
                clientis[0].opening,
                clientis[0].closing,
                clientis[0].lines.len()
            ),
            (eur(15_600), eur(1_200), 1)
        );
        // A customer with nothing on 411: an empty statement.
        let other = create_company(&db, "Sans écriture", "client").await.id;
        assert!(
            gl(&db, &LedgerQuery::customer(november(), other), 100)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn fiscal_years_list_their_months_and_status() {
    on_each_backend(|db| async move {
        books(&db).await;
        let mut tx = db.begin().await.unwrap();
        for m in ["2026-09", "2026-10"] {
            ledger_close::close_period(&mut tx, &actor(), YearMonth::parse(m).unwrap())
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.read().await.unwrap();
        let years = ledger_reports::fiscal_years(&mut tx, date!(2026 - 11 - 28))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let names: Vec<i32> = years.iter().map(|y| y.year.year()).collect();
        assert_eq!(names, [2026, 2025]);
        let closed: Vec<String> = years[0]
            .months
            .iter()
            .filter(|(_, s)| *s == PeriodStatus::Closed)
            .map(|(m, _)| m.to_string())
            .collect();
        assert_eq!(closed, ["2026-09", "2026-10"]);
        assert_eq!(years[0].months.len(), 12);
        assert_eq!(years[1].status(), PeriodStatus::Open);
    })
    .await;
}

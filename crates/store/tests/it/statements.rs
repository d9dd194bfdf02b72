//! Bank statements: CAMT.053 and CSV imports all or nothing, duplicates
//! refused (same file, same statement, one same movement), the unmatched
//! queue with its suggestions, accept (a payment recorded, the line
//! matched, once even when two accept together) and ignore.

use domain::Money;
use domain::bank_statement::CsvMapping;
use domain::matching::MatchReason;
use store::statements::{self, Allocation, Format};
use store::{Db, Error};
use time::macros::date;

use crate::invoicing::OCTOBER;
use crate::payments::{bank, billed};
use crate::support::{actor, count};

const CAMT: &[u8] = include_bytes!("../../../domain/fixtures/statements/camt053.xml");
const CSV_FR: &[u8] = include_bytes!("../../../domain/fixtures/statements/statement-fr.csv");

async fn import(
    db: &Db,
    bank: &str,
    name: &str,
    bytes: &[u8],
    f: &Format,
) -> Result<statements::Imported, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = statements::import(&mut tx, &actor(), bank, name, bytes, f).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

/// The key and arguments of a refusal.
fn refusal(e: &Error) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        Error::Invalid(v) => (v.0[0].key, v.0[0].args.clone()),
        other => panic!("not a validation error: {other:?}"),
    }
}

fn arg(args: &[(&'static str, String)], k: &str) -> String {
    args.iter()
        .find(|(n, _)| *n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn camt_with(from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(CAMT).unwrap();
    assert!(text.contains(from));
    text.replacen(from, to, 1).into_bytes()
}

#[tokio::test]
async fn camt053_imports_once_and_duplicates_are_refused() {
    store::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let done = import(&db, &b, "releve-novembre.xml", CAMT, &Format::Camt053)
            .await
            .unwrap();
        assert_eq!((done.lines, done.credits), (4, 3));

        let mut tx = db.read().await.unwrap();
        let list = statements::list(&mut tx, 10).await.unwrap();
        assert_eq!(list.len(), 1);
        let s = &list[0];
        assert_eq!(s.statement_ref.as_deref(), Some("STMT-2026-11-30-0042"));
        assert_eq!(
            (s.period_from, s.period_to),
            (Some(date!(2026 - 11 - 01)), Some(date!(2026 - 11 - 30)))
        );
        assert_eq!(
            (s.opening_balance_cents, s.closing_balance_cents),
            (Some(2_500_000), Some(4_068_560))
        );
        assert_eq!(
            (s.line_count, s.unmatched, s.matched, s.ignored),
            (4, 4, 0, 0)
        );
        let lines = statements::lines(&mut tx, &s.id).await.unwrap();
        assert_eq!(
            lines.iter().map(|l| l.amount_cents).collect::<Vec<_>>(),
            [720_000, 600_000, 250_000, -1_440]
        );
        assert_eq!(lines[0].booking_date, date!(2026 - 11 - 12));
        assert!(lines[0].label.contains("FA-2026-000001"));
        assert_eq!(lines[1].bank_reference.as_deref(), Some("2026112000031-1"));
        tx.commit().await.unwrap();

        // The same file again.
        let e = import(&db, &b, "copie.xml", CAMT, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-file-already-imported");
        assert_eq!(arg(&args, "name"), "releve-novembre.xml");

        // The same statement in another file (another message id).
        let again = camt_with("BNPAFRPP-20261130-0001", "BNPAFRPP-20261130-0002");
        let e = import(&db, &b, "bis.xml", &again, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-already-imported");
        assert_eq!(arg(&args, "number"), "STMT-2026-11-30-0042");

        // Another statement holding one movement already imported.
        let overlap = String::from_utf8(camt_with("STMT-2026-11-30-0042", "STMT-2026-12-31-0043"))
            .unwrap()
            .replace("2026113000002", "2026123100009")
            .replace("2026112000031", "2026122000077")
            .into_bytes();
        let e = import(&db, &b, "decembre.xml", &overlap, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-line-already-imported");
        assert_eq!(arg(&args, "date"), "12/11/2026");
        assert_eq!(
            arg(&args, "total"),
            Money::from_cents(720_000).format(domain::Locale::Fr)
        );

        assert_eq!(count(&db, "bank_statements").await, 1);
        assert_eq!(count(&db, "bank_lines").await, 4);
    })
    .await;
}

#[tokio::test]
async fn malformed_files_name_the_line_and_nothing_is_written() {
    store::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let bad = camt_with(
            "<Amt Ccy=\"EUR\">8500.00</Amt>",
            "<Amt Ccy=\"EUR\">8500,00</Amt>",
        );
        let e = import(&db, &b, "bad.xml", &bad, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-amount");
        assert_eq!(arg(&args, "name"), "Document/BkToCstmrStmt/Stmt/Ntry/Amt");
        assert_eq!(arg(&args, "found"), "8500,00");
        let expected_line = 1 + std::str::from_utf8(CAMT).unwrap()
            [..std::str::from_utf8(CAMT).unwrap().find("8500.00").unwrap()]
            .matches('\n')
            .count();
        assert_eq!(arg(&args, "line"), expected_line.to_string());

        let csv = b"Date;Libell\xe9;D\xe9bit;Cr\xe9dit\n12/11/2026;A;;10,00\n31/11/2026;B;;5,00\n";
        let e = import(
            &db,
            &b,
            "bad.csv",
            csv,
            &Format::Csv(Box::new(CsvMapping::french_bank())),
        )
        .await
        .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-date");
        assert_eq!(
            (arg(&args, "line"), arg(&args, "name")),
            ("3".into(), "Date".into())
        );

        let other = camt_with("FR7630004000031234567890143", "FR1420041010050500013M02606");
        let e = import(&db, &b, "autre.xml", &other, &Format::Camt053)
            .await
            .unwrap_err();
        assert_eq!(refusal(&e).0, "statement-iban-mismatch");

        let e = import(&db, "no-such-bank", "x.xml", CAMT, &Format::Camt053)
            .await
            .unwrap_err();
        assert_eq!(refusal(&e).0, "statement-bank-account-unknown");

        assert_eq!(count(&db, "bank_statements").await, 0);
        assert_eq!(count(&db, "bank_lines").await, 0);
        let mut tx = db.read().await.unwrap();
        assert_eq!(statements::csv_mapping(&mut tx, &b).await.unwrap(), None);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn csv_import_saves_the_mapping_and_fees_can_be_ignored() {
    store::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let mapping = CsvMapping::french_bank();
        let done = import(
            &db,
            &b,
            "releve.csv",
            CSV_FR,
            &Format::Csv(Box::new(mapping.clone())),
        )
        .await
        .unwrap();
        assert_eq!((done.lines, done.credits), (5, 2));

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            statements::csv_mapping(&mut tx, &b).await.unwrap(),
            Some(mapping)
        );
        let lines = statements::lines(&mut tx, &done.statement_id)
            .await
            .unwrap();
        assert_eq!(lines[3].label, "COMMISSIONS ET FRAIS ÉCHELLE");
        let fee = lines[3].id.clone();
        statements::ignore(&mut tx, &actor(), &fee).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        let e = statements::ignore(&mut tx, &actor(), &fee)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { field: "line" }), "{e:?}");
        assert!(matches!(
            statements::ignore(&mut tx, &actor(), "nope")
                .await
                .unwrap_err(),
            Error::NotFound
        ));
        assert_eq!(
            statements::line(&mut tx, &fee).await.unwrap().status,
            "ignored"
        );
        statements::unignore(&mut tx, &actor(), &fee).await.unwrap();
        assert_eq!(
            statements::line(&mut tx, &fee).await.unwrap().status,
            "unmatched"
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_accepted_suggestion_becomes_a_payment_once() {
    store::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let (client, ids) = billed(&db, &[(OCTOBER(), date!(2026 - 11 - 02))]).await;
        let mut tx = db.read().await.unwrap();
        let items = statements::open_items(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let inv = items.iter().find(|i| i.invoice_id == ids[0]).unwrap().clone();
        let half = inv.outstanding.cents() / 2;
        let csv = format!(
            "Date;Libellé;Débit;Crédit\n12/11/2026;VIR SEPA RECU /DE CLIENTIS /MOTIF {} ACOMPTE;;{},{:02}\n13/11/2026;VIR SEPA RECU INCONNU;;99,00\n",
            inv.number,
            half / 100,
            half % 100
        );
        import(&db, &b, "acompte.csv", csv.as_bytes(), &Format::Csv(Box::new(CsvMapping::french_bank())))
            .await
            .unwrap();

        let mut tx = db.read().await.unwrap();
        let queue = statements::queue(&mut tx, 100, 3).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(queue.len(), 2);
        let first = &queue[0];
        assert_eq!(first.line.amount_cents, half);
        let best = &first.proposals[0];
        assert_eq!(best.client_id, client.to_string());
        assert_eq!(best.allocations.len(), 1);
        assert_eq!(best.allocations[0].0.invoice_id, inv.invoice_id);
        assert_eq!(best.allocations[0].1, Money::from_cents(half));
        assert!(best.reasons.contains(&MatchReason::NumberInLabel));
        assert!(queue[1].proposals.is_empty(), "nobody pays 99 €");

        // Two accepts at once: one records the payment, the other is told.
        let line_id = first.line.id.clone();
        let allocations = vec![Allocation {
            invoice_id: inv.invoice_id.clone(),
            amount: Money::from_cents(half),
        }];
        let run = |db: Db, line: String, a: Vec<Allocation>| async move {
            let mut tx = db.begin().await.unwrap();
            let r = statements::accept(&mut tx, &actor(), &line, &a, false).await;
            match &r {
                Ok(_) => tx.commit().await.unwrap(),
                Err(_) => tx.rollback().await.unwrap(),
            }
            r
        };
        let (x, y) = tokio::join!(
            tokio::spawn(run(db.clone(), line_id.clone(), allocations.clone())),
            tokio::spawn(run(db.clone(), line_id.clone(), allocations.clone()))
        );
        let results = [x.unwrap(), y.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(matches!(loser, Error::Conflict { field: "line" }), "{loser:?}");
        let recorded = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(count(&db, "payments").await, 1);

        let mut tx = db.read().await.unwrap();
        let line = statements::line(&mut tx, &line_id).await.unwrap();
        assert_eq!(line.status, "matched");
        assert_eq!(line.payment_id.as_deref(), Some(recorded.id.as_str()));
        assert!(line.handled_at.is_some());
        let (payment, allocs) = store::payments::get(&mut tx, &recorded.id).await.unwrap();
        assert_eq!(payment.received_on, date!(2026 - 11 - 12));
        assert_eq!(payment.amount, Money::from_cents(half));
        assert_eq!(payment.method, domain::payment::PaymentMethod::Transfer);
        assert_eq!(allocs.len(), 1);
        let left = statements::open_items(&mut tx).await.unwrap();
        let still = left.iter().find(|i| i.invoice_id == inv.invoice_id).unwrap();
        assert_eq!(still.outstanding.cents(), inv.outstanding.cents() - half);
        let queue = statements::queue(&mut tx, 100, 3).await.unwrap();
        assert_eq!(queue.len(), 1, "the line left the queue");
        tx.commit().await.unwrap();

        // A debit or a line already matched cannot be accepted.
        let mut tx = db.begin().await.unwrap();
        let e = statements::accept(&mut tx, &actor(), &line_id, &allocations, false).await.unwrap_err();
        assert!(matches!(e, Error::Conflict { field: "line" }), "{e:?}");
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = statements::accept(&mut tx, &actor(), &queue[0].line.id, &[], false).await.unwrap_err();
        assert_eq!(refusal(&e).0, "matching-no-invoice");
        drop(tx);
        assert_eq!(count(&db, "payments").await, 1);
    })
    .await;
}

/// Issue 17 §3: an account given by `Othr/Id` is checked against the bank
/// account's identifiers, never taken silently into another account.
#[tokio::test]
async fn an_account_given_by_another_id_is_never_taken_silently() {
    store::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let other = camt_with(
            "<IBAN>FR7630004000031234567890143</IBAN>",
            "<Othr><Id>99999 00001 00000000001 17</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr>",
        );
        let e = import(&db, &b, "autre.xml", &other, &Format::Camt053)
            .await
            .unwrap_err();
        assert_eq!(refusal(&e).0, "statement-account-unknown");
        assert_eq!(count(&db, "bank_lines").await, 0);
    })
    .await;
}

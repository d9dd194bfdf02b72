//! Bank statements: CAMT.053 and CSV imports all or nothing, duplicates
//! refused (same file, same statement, one same movement), the unmatched
//! queue with its suggestions, accept (a payment recorded, the line
//! matched, once even when two accept together) and ignore.

use domain::Money;
use domain::bank_statement::CsvMapping;
use domain::matching::{BankLineStatus, MatchReason};
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
    let r = statements::import(
        &mut tx,
        &actor(),
        bank.parse().unwrap_or_default(),
        name,
        bytes,
        f,
    )
    .await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

/// The key and arguments of a refusal.
fn refusal(e: &Error) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        Error::Invalid(v) => (v.0[0].key, crate::support::in_french(&v.0[0].args)),
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
    fixtures::testing::on_each_backend(|db| async move {
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
        let lines = statements::lines(&mut tx, s.id).await.unwrap();
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
    fixtures::testing::on_each_backend(|db| async move {
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
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-account-unknown");
        assert_eq!(
            (
                arg(&args, "position"),
                arg(&args, "line"),
                arg(&args, "found")
            ),
            ("1".into(), "8".into(), "FR1420041010050500013M02606".into())
        );

        let e = import(&db, "no-such-bank", "x.xml", CAMT, &Format::Camt053)
            .await
            .unwrap_err();
        assert_eq!(refusal(&e).0, "statement-bank-account-unknown");

        assert_eq!(count(&db, "bank_statements").await, 0);
        assert_eq!(count(&db, "bank_lines").await, 0);
        let mut tx = db.read().await.unwrap();
        assert_eq!(
            statements::csv_mapping(&mut tx, b.parse::<domain::ids::BankAccountId>().unwrap())
                .await
                .unwrap(),
            None
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn csv_import_saves_the_mapping_and_fees_can_be_ignored() {
    fixtures::testing::on_each_backend(|db| async move {
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
            statements::csv_mapping(&mut tx, b.parse::<domain::ids::BankAccountId>().unwrap())
                .await
                .unwrap(),
            Some(mapping)
        );
        let lines = statements::lines(&mut tx, done.statement_id).await.unwrap();
        assert_eq!(lines[3].label, "COMMISSIONS ET FRAIS ÉCHELLE");
        let fee = lines[3].id;
        statements::ignore(&mut tx, &actor(), fee).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        let e = statements::ignore(&mut tx, &actor(), fee)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { field: "line" }), "{e:?}");
        assert!(matches!(
            statements::ignore(&mut tx, &actor(), domain::ids::BankLineId::new())
                .await
                .unwrap_err(),
            Error::NotFound
        ));
        assert_eq!(
            statements::line(&mut tx, fee).await.unwrap().status,
            BankLineStatus::Ignored
        );
        statements::unignore(&mut tx, &actor(), fee).await.unwrap();
        assert_eq!(
            statements::line(&mut tx, fee).await.unwrap().status,
            BankLineStatus::Unmatched
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_accepted_suggestion_becomes_a_payment_once() {
    fixtures::testing::on_each_backend(|db| async move {
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
        assert_eq!(best.client_id, client.to_string().parse::<domain::ids::CompanyId>().unwrap());
        assert_eq!(best.allocations.len(), 1);
        assert_eq!(best.allocations[0].0.invoice_id, inv.invoice_id);
        assert_eq!(best.allocations[0].1, Money::from_cents(half));
        assert!(best.reasons.contains(&MatchReason::NumberInLabel));
        assert!(queue[1].proposals.is_empty(), "nobody pays 99 €");

        // Two accepts at once: one records the payment, the other is told.
        let line_id = first.line.id;
        let allocations = vec![Allocation {
            invoice_id: inv.invoice_id.clone().parse::<domain::ids::InvoiceId>().unwrap(),
            amount: Money::from_cents(half),
        }];
        let run = |db: Db, line: String, a: Vec<Allocation>| async move {
            let mut tx = db.begin().await.unwrap();
            let r = statements::accept(&mut tx, &actor(), line.parse::<domain::ids::BankLineId>().unwrap(), &a, false).await;
            match &r {
                Ok(_) => tx.commit().await.unwrap(),
                Err(_) => tx.rollback().await.unwrap(),
            }
            r
        };
        let (x, y) = tokio::join!(
            tokio::spawn(run(db.clone(), line_id.clone().to_string(), allocations.clone())),
            tokio::spawn(run(db.clone(), line_id.clone().to_string(), allocations.clone()))
        );
        let results = [x.unwrap(), y.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(matches!(loser, Error::Conflict { field: "line" }), "{loser:?}");
        let recorded = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(count(&db, "payments").await, 1);

        let mut tx = db.read().await.unwrap();
        let line = statements::line(&mut tx, line_id).await.unwrap();
        assert_eq!(line.status, BankLineStatus::Matched);
        assert_eq!(line.payment_id, Some(recorded.id));
        assert!(line.handled_at.is_some());
        let (payment, allocs) = store::payments::get(&mut tx, recorded.id).await.unwrap();
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
        let e = statements::accept(&mut tx, &actor(), line_id, &allocations, false).await.unwrap_err();
        assert!(matches!(e, Error::Conflict { field: "line" }), "{e:?}");
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = statements::accept(&mut tx, &actor(), queue[0].line.id, &[], false).await.unwrap_err();
        assert_eq!(refusal(&e).0, "matching-no-invoice");
        drop(tx);
        assert_eq!(count(&db, "payments").await, 1);
    })
    .await;
}

// ---------------------------------------------------------------------------
// Issue 17 §3: files as banks send them.

const MULTI: &[u8] = include_bytes!("../../../domain/fixtures/statements/camt053-multi.xml");
const LATIN1: &[u8] =
    include_bytes!("../../../domain/fixtures/statements/camt053-latin1-othr-batch.xml");
const CSV_15: &[u8] =
    include_bytes!("../../../domain/fixtures/statements/statement-multiline-iso8859-15.csv");

async fn second_bank(db: &Db, iban: &str, other_id: &str) -> String {
    let mut tx = db.begin().await.unwrap();
    let b = store::bank_accounts::create(
        &mut tx,
        &actor(),
        &store::bank_accounts::BankAccountInput {
            label: "Crédit Agricole — compte épargne".into(),
            iban: iban.into(),
            bic: String::new(),
            ledger_account: "5122".into(),
            other_id: other_id.into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    b.id.to_string()
}

#[tokio::test]
async fn each_statement_of_a_known_account_is_imported_the_others_reported() {
    fixtures::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let done = import(&db, &b, "releves-decembre.xml", MULTI, &Format::Camt053)
            .await
            .unwrap();
        assert_eq!(
            done.statements
                .iter()
                .map(|s| (
                    s.position,
                    s.bank_account_id.to_string(),
                    s.lines,
                    s.not_booked
                ))
                .collect::<Vec<_>>(),
            [(1, b.to_string(), 2, 0), (2, b.to_string(), 1, 1)]
        );
        assert_eq!((done.lines, done.credits, done.not_booked), (3, 2, 1));
        assert_eq!(done.skipped.len(), 1);
        let skip = &done.skipped[0];
        assert_eq!((skip.position, skip.key), (3, "statement-account-unknown"));
        assert_eq!(
            arg(&crate::support::in_french(&skip.args), "found"),
            "FR1420041010050500013M02606"
        );
        let text = std::str::from_utf8(MULTI).unwrap();
        let line = 1 + text[..text.find("<Stmt>\n      <Id>2026120200002").unwrap()]
            .matches('\n')
            .count();
        assert_eq!(
            arg(&crate::support::in_french(&skip.args), "line"),
            line.to_string()
        );
        assert_eq!(count(&db, "bank_statements").await, 2);
        assert_eq!(
            count(&db, "bank_lines").await,
            3,
            "the pending card payment waits"
        );

        let mut tx = db.read().await.unwrap();
        let list = statements::list(&mut tx, 10).await.unwrap();
        let day2 = list
            .iter()
            .find(|s| s.statement_ref.as_deref() == Some("2026120200001"))
            .unwrap();
        assert_eq!((day2.line_count, day2.not_booked), (1, 1));
        tx.commit().await.unwrap();

        // The other account now known: the same statements sent again (a
        // new message) bring only its statement; the two already imported
        // are reported, not refused.
        let savings = second_bank(&db, "FR14 2004 1010 0505 0001 3M02 606", "").await;
        let again = String::from_utf8(MULTI.to_vec())
            .unwrap()
            .replace("CMCIFRPP-20261203-000117", "CMCIFRPP-20261203-000118");
        let done = import(
            &db,
            &b,
            "releves-bis.xml",
            again.as_bytes(),
            &Format::Camt053,
        )
        .await
        .unwrap();
        assert_eq!(done.statements.len(), 1);
        assert_eq!(
            (
                done.statements[0].position,
                done.statements[0].bank_account_id.to_string()
            ),
            (3, savings.to_string())
        );
        assert_eq!(
            done.skipped
                .iter()
                .map(|s| (s.position, s.key))
                .collect::<Vec<_>>(),
            [
                (1, "statement-already-imported"),
                (2, "statement-already-imported")
            ]
        );

        // Everything there already: refused, saying which statement.
        let third = again.replace("000118", "000119");
        let e = import(
            &db,
            &b,
            "releves-ter.xml",
            third.as_bytes(),
            &Format::Camt053,
        )
        .await
        .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-already-imported");
        assert_eq!(arg(&args, "number"), "2026120100001");
        assert_eq!(count(&db, "bank_statements").await, 3);
    })
    .await;
}

#[tokio::test]
async fn a_movement_twice_in_one_file_is_refused_as_such() {
    fixtures::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        // The second day's statement repeats the first day's transfer.
        let text = std::str::from_utf8(MULTI).unwrap();
        let twice = text.replacen(
            "<AcctSvcrRef>C2L0201A0001</AcctSvcrRef>",
            "<AcctSvcrRef>C2L0101A0001</AcctSvcrRef>",
            1,
        );
        let twice = twice
            .replacen(
                "<Amt Ccy=\"EUR\">1200.00</Amt>",
                "<Amt Ccy=\"EUR\">3600.00</Amt>",
                1,
            )
            .replacen(
                "<BookgDt><Dt>2026-12-02</Dt></BookgDt>",
                "<BookgDt><Dt>2026-12-01</Dt></BookgDt>",
                1,
            );
        let e = import(&db, &b, "double.xml", twice.as_bytes(), &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-line-twice-in-file");
        let line_of = |needle: &str| 1 + twice[..twice.find(needle).unwrap()].matches('\n').count();
        let second = twice.find("<Id>2026120200001").unwrap();
        let entry2 = 1 + twice[..second + twice[second..].find("<Ntry>").unwrap()]
            .matches('\n')
            .count();
        assert_eq!(arg(&args, "line"), entry2.to_string());
        assert!(line_of("<Amt Ccy=\"EUR\">3600.00</Amt>") < entry2);
        assert_eq!(count(&db, "bank_statements").await, 0);
        assert_eq!(count(&db, "bank_lines").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_latin1_statement_by_domestic_number_with_a_batch_sharing_its_reference() {
    fixtures::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let done = import(&db, &b, "lcl.xml", LATIN1, &Format::Camt053)
            .await
            .unwrap();
        assert_eq!((done.lines, done.credits, done.not_booked), (3, 3, 1));
        assert!(done.skipped.is_empty());
        let mut tx = db.read().await.unwrap();
        let lines = statements::lines(&mut tx, done.statement_id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            lines
                .iter()
                .map(|l| l.counterparty.clone().unwrap_or_default())
                .collect::<Vec<_>>(),
            [
                "Hôtel Bellevue",
                "Société d'Études Générales",
                "Crèmerie Müller"
            ]
        );
        assert!(
            lines
                .iter()
                .all(|l| l.bank_reference.as_deref() == Some("0312R0000456"))
        );

        // The same batch in another statement: now it was imported, and
        // only now is it said so.
        let again: Vec<u8> = String::from_utf8(
            LATIN1
                .iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into_bytes(),
        )
        .unwrap()
        .replace("RLV-30004-20261203", "RLV-30004-20261203-BIS")
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
        let e = import(&db, &b, "lcl-bis.xml", &again, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-line-already-imported");
        assert_eq!(arg(&args, "name"), "Réglement FA-2026-000021");
        assert_eq!(count(&db, "bank_lines").await, 3);
    })
    .await;
}

/// Issue 17 §3: an account given by `Othr/Id` is checked against the bank
/// account's identifiers, never taken silently into another account.
#[tokio::test]
async fn an_account_given_by_another_id_is_never_taken_silently() {
    fixtures::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let other = camt_with(
            "<IBAN>FR7630004000031234567890143</IBAN>",
            "<Othr><Id>99999 00001 00000000001 17</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr>",
        );
        let e = import(&db, &b, "autre.xml", &other, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-account-unknown");
        assert_eq!(arg(&args, "found"), "99999 00001 00000000001 17");
        assert_eq!(count(&db, "bank_lines").await, 0);

        // Recorded as the other identifier of a bank account: it goes there,
        // whichever account was chosen on the form.
        let savings = second_bank(
            &db,
            "FR1420041010050500013M02606",
            "9999900001-0000000000117",
        )
        .await;
        let done = import(&db, &b, "autre.xml", &other, &Format::Camt053)
            .await
            .unwrap();
        assert_eq!(
            done.statements[0].bank_account_id,
            savings.parse::<domain::ids::BankAccountId>().unwrap()
        );

        // Two accounts answering to one number: refused, naming them.
        let clash = camt_with(
            "<IBAN>FR7630004000031234567890143</IBAN>",
            "<Othr><Id>30004000031234567890143</Id></Othr>",
        )
        .into_iter()
        .chain(b"<!-- another file -->".iter().copied())
        .collect::<Vec<u8>>();
        let mut tx = db.begin().await.unwrap();
        store::bank_accounts::update(
            &mut tx,
            &actor(),
            savings.parse::<domain::ids::BankAccountId>().unwrap(),
            &store::bank_accounts::BankAccountInput {
                label: "Épargne".into(),
                iban: String::new(),
                bic: String::new(),
                ledger_account: "5122".into(),
                other_id: "30004 00003 12345678901 43".into(),
            },
            true,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let other_bank = second_bank(&db, "DE89370400440532013000", "").await;
        let e = import(&db, &other_bank, "clash.xml", &clash, &Format::Camt053)
            .await
            .unwrap_err();
        let (key, args) = refusal(&e);
        assert_eq!(key, "statement-account-ambiguous");
        assert!(arg(&args, "name").contains("Épargne"), "{args:?}");
    })
    .await;
}

#[tokio::test]
async fn csv_labels_on_several_lines_in_iso_8859_15() {
    fixtures::testing::on_each_backend(|db| async move {
        let b = bank(&db).await;
        let mapping = CsvMapping {
            date: domain::bank_statement::Column::Name("Date opération".into()),
            debit: Some(domain::bank_statement::Column::Name("Débit euros".into())),
            credit: Some(domain::bank_statement::Column::Name("Crédit euros".into())),
            encoding: domain::bank_statement::TextEncoding::Iso8859_15,
            ..CsvMapping::french_bank()
        };
        let done = import(
            &db,
            &b,
            "releve.csv",
            CSV_15,
            &Format::Csv(Box::new(mapping.clone())),
        )
        .await
        .unwrap();
        assert_eq!((done.lines, done.credits), (4, 1));
        let mut tx = db.read().await.unwrap();
        let lines = statements::lines(&mut tx, done.statement_id).await.unwrap();
        assert_eq!(
            lines[0].label,
            "VIR SEPA RECU /DE ATELIERS DU NORD\n/MOTIF FA-2026-000014 ACOMPTE\n/REF 77812"
        );
        assert_eq!(lines[2].label, "COTISATION OFFRE PRO 12,00 € TTC");
        assert_eq!(
            statements::csv_mapping(&mut tx, b.parse::<domain::ids::BankAccountId>().unwrap())
                .await
                .unwrap(),
            Some(mapping)
        );
        tx.commit().await.unwrap();
    })
    .await;
}

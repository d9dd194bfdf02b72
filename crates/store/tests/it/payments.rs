//! Payments: bank accounts, allocation to invoices, the bank entry with the
//! VAT made due on receipt, the client's credit, and the refusals.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use domain::calendar::YearMonth;
use domain::ids::CompanyId;
use domain::money::Money;
use domain::payment::PaymentMethod;
use store::bank_accounts::{self, BankAccountInput};
use store::invoicing::credit::{CreditSelection, credit};
use store::payments::{self, NewAllocation, NewPayment};
use store::{Db, Error};
use time::macros::date;
use time::{Date, Month};

use crate::cra_reports::ym;
use crate::invoicing::{OCTOBER, balance, invoices, run_close, staffed, validated, world};
use crate::support::{actor, count};

pub(crate) async fn bank(db: &Db) -> String {
    let mut tx = db.begin().await.unwrap();
    let b = bank_accounts::create(
        &mut tx,
        &actor(),
        &BankAccountInput {
            label: "BNP Paribas — compte courant".into(),
            iban: "FR76 3000 4000 0312 3456 7890 143".into(),
            bic: "BNPAFRPPXXX".into(),
            ledger_account: String::new(),
            other_id: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    b.id.to_string()
}

/// A client with one issued invoice per month given (days of the whole
/// month at 600 € HT, 20 % VAT on receipts). Returns the client and the
/// invoices' ids in month order.
pub(crate) async fn billed(db: &Db, months: &[(YearMonth, Date)]) -> (CompanyId, Vec<String>) {
    let w = world(db).await;
    let (who, _) = staffed(db, &w, "camille", "Camille Martin").await;
    let mut ids = Vec::new();
    for (month, issue) in months {
        validated(db, who, *month, &[]).await;
        run_close(db, *month, *issue).await.unwrap();
        let list = invoices(db).await;
        let new = list
            .iter()
            .find(|i| i.period == month.to_string() && i.number.is_some())
            .expect("issued");
        ids.push(new.id.to_string());
    }
    (w.client, ids)
}

async fn gross(db: &Db, invoice: &str) -> i64 {
    store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT gross_cents FROM invoices WHERE id = $1"
    )
    .bind(invoice)
    .fetch_one(c)
    .await)
    .unwrap()
}

pub(crate) fn payment(
    client: CompanyId,
    bank: &str,
    on: Date,
    cents: i64,
    allocations: &[(&str, i64)],
) -> NewPayment {
    NewPayment {
        client_id: client,
        bank_account_id: bank.parse().unwrap_or_default(),
        received_on: on,
        amount: Money::from_cents(cents),
        method: PaymentMethod::Transfer,
        reference: Some("VIR SEPA CLIENTIS".into()),
        allocations: allocations
            .iter()
            .map(|(id, c)| NewAllocation {
                invoice_id: id.parse().unwrap_or_default(),
                amount: Money::from_cents(*c),
            })
            .collect(),
        keep_excess: false,
    }
}

pub(crate) async fn pay(db: &Db, p: &NewPayment) -> Result<payments::Recorded, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = payments::record(&mut tx, &actor(), p).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

fn keys(e: &Error) -> Vec<&'static str> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| f.key).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

async fn outstanding(db: &Db, client: CompanyId) -> Vec<(String, i64)> {
    let mut tx = db.read().await.unwrap();
    let items = payments::open_items(
        &mut tx,
        Some(
            client
                .to_string()
                .parse::<domain::ids::CompanyId>()
                .unwrap(),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    items
        .into_iter()
        .map(|i| (i.invoice_id.to_string(), i.outstanding.cents()))
        .collect()
}

#[tokio::test]
async fn bank_accounts_check_their_iban_and_post_to_512() {
    fixtures::testing::on_each_backend(|db| async move {
        let id = bank(&db).await;
        let mut tx = db.begin().await.unwrap();
        let b = bank_accounts::get(&mut tx, id.parse::<domain::ids::BankAccountId>().unwrap())
            .await
            .unwrap();
        assert_eq!(b.iban, "FR7630004000031234567890143");
        assert_eq!(b.iban_formatted(), "FR76 3000 4000 0312 3456 7890 143");
        assert_eq!(b.ledger_account, "512");
        let e = bank_accounts::create(
            &mut tx,
            &actor(),
            &BankAccountInput {
                label: " ".into(),
                iban: "FR7630004000031234567890144".into(),
                bic: "BNP".into(),
                ledger_account: "411".into(),
                other_id: String::new(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            keys(&e),
            [
                "field-required",
                "id-checksum",
                "bank-bic-invalid",
                "bank-ledger-account-invalid"
            ]
        );
        tx.commit().await.unwrap();
        // PostgreSQL aborts a transaction after a refused write: one each.
        let mut tx = db.begin().await.unwrap();
        let twice = bank_accounts::create(
            &mut tx,
            &actor(),
            &BankAccountInput {
                label: "Encore".into(),
                iban: "FR7630004000031234567890143".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(twice, Error::Conflict { field: "iban" }),
            "{twice:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        // A second bank on its own sub-account, created in the chart.
        let second = bank_accounts::create(
            &mut tx,
            &actor(),
            &BankAccountInput {
                label: "Crédit Agricole".into(),
                iban: "FR1420041010050500013M02606".into(),
                bic: String::new(),
                ledger_account: "5122".into(),
                other_id: String::new(),
            },
        )
        .await
        .unwrap();
        assert_eq!(second.ledger_account, "5122");
        tx.commit().await.unwrap();
        let known: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_accounts WHERE number = '5122'"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(known, 1);
    })
    .await;
}

#[tokio::test]
async fn two_partial_payments_settle_the_invoice_and_move_all_its_vat() {
    fixtures::testing::on_each_backend(|db| async move {
        let (client, ids) = billed(&db, &[(OCTOBER(), date!(2026 - 11 - 02))]).await;
        let inv = &ids[0];
        let total = gross(&db, inv).await;
        let vat_total = -balance(&db, "44574").await;
        assert!(vat_total > 0);
        let bank = bank(&db).await;
        let first = total / 2 + 1;
        let r = pay(
            &db,
            &payment(client, &bank, date!(2026 - 11 - 20), first, &[(inv, first)]),
        )
        .await
        .unwrap();
        assert_eq!(r.unallocated, Money::ZERO);
        assert_eq!(
            outstanding(&db, client).await,
            [(inv.clone(), total - first)]
        );
        assert_eq!(balance(&db, "512").await, first);
        assert_eq!(balance(&db, "411").await, total - first);
        // The VAT of the part collected is due: 44574 → 44571, pro rata.
        let moved = balance(&db, "44571").await;
        assert_eq!(-moved, vat_total * first / total);
        let entry: (String, String) = store::on_pool!(&db, |c| sqlx::query_as(
            "SELECT journal, label FROM ledger_entries WHERE id = $1"
        )
        .bind(r.entry_id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(entry.0, "BQ");
        assert!(entry.1.starts_with("Règlement "), "{}", entry.1);

        pay(
            &db,
            &payment(
                client,
                &bank,
                date!(2026 - 11 - 28),
                total - first,
                &[(inv, total - first)],
            ),
        )
        .await
        .unwrap();
        assert!(outstanding(&db, client).await.is_empty(), "settled");
        assert_eq!(balance(&db, "411").await, 0);
        assert_eq!(balance(&db, "44574").await, 0, "all its VAT is due now");
        assert_eq!(balance(&db, "44571").await, -vat_total);
        let paid: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT paid_cents FROM invoices WHERE id = $1"
        )
        .bind(inv)
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(paid, total);
        // The invoice's 411 line and the two payments' are lettered together, complete.
        let lettered: (String, bool) = store::on_pool!(&db, |c| sqlx::query_as(
            "SELECT code, complete FROM letterings WHERE undone_at IS NULL"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(lettered, ("AA".to_owned(), true));
        // The e-reporting of November: the two receipts, base + VAT = paid.
        let mut tx = db.read().await.unwrap();
        let rep = store::einvoicing::ereporting::month(&mut tx, ym(2026, Month::November))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rep.lines.len(), 2);
        assert_eq!(rep.received.cents(), total);
        assert_eq!(rep.vat.cents(), vat_total);
        // Nothing more can be paid on it.
        let e = pay(
            &db,
            &payment(client, &bank, date!(2026 - 11 - 29), 100, &[(inv, 100)]),
        )
        .await
        .unwrap_err();
        assert_eq!(
            keys(&e),
            [
                "payment-above-open-items",
                "payment-allocation-above-outstanding"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn an_overpayment_is_kept_as_credit_and_settles_the_next_invoice() {
    fixtures::testing::on_each_backend(|db| async move {
        let (client, ids) = billed(
            &db,
            &[
                (OCTOBER(), date!(2026 - 11 - 02)),
                (ym(2026, Month::November), date!(2026 - 12 - 01)),
            ],
        )
        .await;
        let (oct, nov) = (&ids[0], &ids[1]);
        let (g_oct, g_nov) = (gross(&db, oct).await, gross(&db, nov).await);
        let bank = bank(&db).await;
        // More than both invoices: refused unless the excess is kept.
        let mut p = payment(
            client,
            &bank,
            date!(2026 - 12 - 01),
            g_oct + g_nov + 500_00,
            &[(oct, g_oct)],
        );
        let before = count(&db, "ledger_entries").await;
        let e = pay(&db, &p).await.unwrap_err();
        assert_eq!(keys(&e), ["payment-above-open-items"]);
        assert_eq!(
            count(&db, "ledger_entries").await,
            before,
            "nothing written"
        );
        assert_eq!(count(&db, "payments").await, 0);
        p.keep_excess = true;
        let r = pay(&db, &p).await.unwrap();
        assert_eq!(r.unallocated.cents(), g_nov + 500_00);
        assert_eq!(balance(&db, "411").await, -500_00, "the client is owed 500");
        let mut tx = db.begin().await.unwrap();
        payments::allocate_credit(
            &mut tx,
            &actor(),
            r.id,
            nov.parse().unwrap(),
            Money::from_cents(g_nov),
            date!(2026 - 12 - 02),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(outstanding(&db, client).await.is_empty());
        assert_eq!(balance(&db, "44574").await, 0);
        let mut tx = db.begin().await.unwrap();
        let (after, allocations) = payments::get(&mut tx, r.id).await.unwrap();
        assert_eq!(after.unallocated.cents(), 500_00);
        assert_eq!(allocations.len(), 2);
        // The credit left cannot pay more than it holds.
        let e = payments::allocate_credit(
            &mut tx,
            &actor(),
            r.id,
            nov.parse().unwrap(),
            Money::from_cents(600_00),
            date!(2026 - 12 - 02),
        )
        .await
        .unwrap_err();
        assert_eq!(
            keys(&e),
            [
                "payment-credit-above-available",
                "payment-allocation-above-outstanding"
            ]
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn bad_payments_are_refused_with_nothing_written() {
    fixtures::testing::on_each_backend(|db| async move {
        let (client, ids) = billed(&db, &[(OCTOBER(), date!(2026 - 11 - 02))]).await;
        let inv = &ids[0];
        let total = gross(&db, inv).await;
        let bank = bank(&db).await;
        let other = crate::support::create_company(&db, "Autre client", "client").await;
        let before = (
            count(&db, "ledger_entries").await,
            count(&db, "audit_log").await,
        );

        // An invoice of another client, an unknown bank, a date to come.
        let mut p = payment(
            other.id,
            &bank,
            date!(2026 - 11 - 20),
            100_00,
            &[(inv, 100_00)],
        );
        p.keep_excess = true;
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            ["payment-invoice-other-client"]
        );
        let mut p = payment(client, "nope", date!(2099 - 01 - 01), 100_00, &[]);
        p.keep_excess = true;
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            ["payment-bank-unknown", "payment-date-future"]
        );
        // More than the invoice holds.
        let p = payment(
            client,
            &bank,
            date!(2026 - 11 - 20),
            total,
            &[(inv, total + 1)],
        );
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            [
                "payment-allocation-above-outstanding",
                "payment-over-allocated"
            ]
        );
        // A cancelled invoice: credited in full.
        let mut tx = db.begin().await.unwrap();
        let note = credit(
            &mut tx,
            &actor(),
            inv.parse::<domain::ids::InvoiceId>().unwrap(),
            &CreditSelection::All,
            date!(2026 - 11 - 05),
            "Erreur de mission",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let after_credit = (
            count(&db, "ledger_entries").await,
            count(&db, "audit_log").await,
        );
        let p = payment(
            client,
            &bank,
            date!(2026 - 11 - 20),
            100_00,
            &[(inv, 100_00)],
        );
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            ["payment-invoice-cancelled"]
        );
        // The credit note itself is not something a client pays.
        let p = payment(
            client,
            &bank,
            date!(2026 - 11 - 20),
            100_00,
            &[(&note.id.to_string(), 100_00)],
        );
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            ["payment-invoice-is-credit-note"]
        );
        // No open item left: any payment is above them.
        let p = payment(client, &bank, date!(2026 - 11 - 20), 100_00, &[]);
        assert_eq!(
            keys(&pay(&db, &p).await.unwrap_err()),
            ["payment-above-open-items"]
        );
        assert!(before.0 < after_credit.0);
        assert_eq!(
            (
                count(&db, "ledger_entries").await,
                count(&db, "audit_log").await
            ),
            after_credit,
            "nothing written by the refusals"
        );
        assert_eq!(count(&db, "payments").await, 0);
        assert_eq!(count(&db, "payment_allocations").await, 0);
    })
    .await;
}

/// ACCOUNTING.md E and E': a credit note takes its VAT back from 44574
/// while the invoice is unpaid, and from 44571 for the part its payments
/// already made due.
#[tokio::test]
async fn a_credit_note_after_payment_takes_back_vat_already_due() {
    fixtures::testing::on_each_backend(|db| async move {
        let (client, ids) = billed(&db, &[(OCTOBER(), date!(2026 - 11 - 02))]).await;
        let inv = &ids[0];
        let total = gross(&db, inv).await;
        let vat_total = -balance(&db, "44574").await;
        let bank = bank(&db).await;
        let paid = pay(
            &db,
            &payment(client, &bank, date!(2026 - 11 - 20), total, &[(inv, total)]),
        )
        .await
        .unwrap();
        assert_eq!(balance(&db, "44574").await, 0);
        assert_eq!(balance(&db, "44571").await, -vat_total);
        let mut tx = db.begin().await.unwrap();
        let note = credit(
            &mut tx,
            &actor(),
            inv.parse::<domain::ids::InvoiceId>().unwrap(),
            &CreditSelection::All,
            date!(2026 - 11 - 25),
            "Prestation contestée",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(note.vat.cents(), vat_total);
        assert_eq!(balance(&db, "44574").await, 0, "nothing was waiting");
        assert_eq!(balance(&db, "44571").await, 0, "the VAT due is taken back");
        // The client is now owed the invoice's amount (to refund).
        assert_eq!(balance(&db, "411").await, -total);
        // Cancelling the payment now would take the VAT back twice:
        // refused, naming the credit note, nothing written.
        let entries = count(&db, "ledger_entries").await;
        let mut tx = db.begin().await.unwrap();
        let e = payments::reverse(&mut tx, &actor(), paid.id, store::today(), "Erreur")
            .await
            .unwrap_err();
        drop(tx);
        assert_eq!(keys(&e), ["payment-reversal-credited"]);
        match &e {
            Error::Invalid(v) => assert_eq!(v.0[0].args[0], ("number", note.number.clone().into())),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "ledger_entries").await, entries);
        assert_eq!(balance(&db, "44571").await, 0);
    })
    .await;
}

/// A payment recorded on the wrong invoice is cancelled: its entry is
/// reversed, the invoice is open again with its VAT back in 44574, the
/// lettering is undone (the payment's lines lettered with the reversal's
/// instead), the receipts' e-reporting keeps the receipt in its month and
/// takes it back in the month of the cancellation; a second cancellation
/// and a cancellation dated before the receipt are refused.
#[tokio::test]
async fn a_cancelled_payment_reopens_its_invoice_and_is_taken_back_where_it_was_reported() {
    fixtures::testing::on_each_backend(|db| async move {
        let (client, ids) = billed(&db, &[(OCTOBER(), date!(2026 - 11 - 02))]).await;
        let inv = &ids[0];
        let total = gross(&db, inv).await;
        let vat_total = -balance(&db, "44574").await;
        let bank = bank(&db).await;
        let r = pay(
            &db,
            &payment(client, &bank, date!(2026 - 11 - 20), total, &[(inv, total)]),
        )
        .await
        .unwrap();
        assert!(outstanding(&db, client).await.is_empty());
        let today = store::today();

        let mut tx = db.begin().await.unwrap();
        let e = payments::reverse(&mut tx, &actor(), r.id, date!(2026 - 11 - 19), " ")
            .await
            .unwrap_err();
        assert_eq!(
            keys(&e),
            ["field-required", "payment-reversal-before-receipt"]
        );
        drop(tx);
        let entries = count(&db, "ledger_entries").await;
        let mut tx = db.begin().await.unwrap();
        let reversal = payments::reverse(&mut tx, &actor(), r.id, today, "Mauvais client")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "ledger_entries").await, entries + 1);
        assert_eq!(reversal.reverses_id, Some(r.entry_id));
        assert_eq!(outstanding(&db, client).await, [(inv.clone(), total)]);
        assert_eq!(balance(&db, "512").await, 0);
        assert_eq!(balance(&db, "411").await, total);
        assert_eq!(balance(&db, "44571").await, 0);
        assert_eq!(-balance(&db, "44574").await, vat_total);
        // The first lettering is undone; the payment's and the reversal's
        // 411 lines are lettered together, complete; the invoice is open.
        let letterings: Vec<(bool, Option<String>)> = store::on_pool!(&db, |c| sqlx::query_as(
            "SELECT complete, undo_reason FROM letterings ORDER BY created_at, code"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(letterings.len(), 2, "{letterings:?}");
        assert!(
            letterings[0]
                .1
                .as_deref()
                .unwrap()
                .contains("Mauvais client")
        );
        assert_eq!(letterings[1], (true, None));
        let (p, allocations) = {
            let mut tx = db.read().await.unwrap();
            let got = payments::get(&mut tx, r.id).await.unwrap();
            tx.commit().await.unwrap();
            got
        };
        assert_eq!(p.reversed_on, Some(today));
        assert_eq!(p.reversal_reason.as_deref(), Some("Mauvais client"));
        assert_eq!(allocations.len(), 1);
        // The receipt stays declared in November; the cancellation's month
        // takes it back, share for share.
        let mut tx = db.read().await.unwrap();
        let november = store::einvoicing::ereporting::month(&mut tx, ym(2026, Month::November))
            .await
            .unwrap();
        let now = store::einvoicing::ereporting::month(&mut tx, YearMonth::of(today))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            (november.received.cents(), november.vat.cents()),
            (total, vat_total)
        );
        assert_eq!(
            (now.received.cents(), now.vat.cents()),
            (-total, -vat_total)
        );
        assert!(
            now.lines
                .iter()
                .all(|l| l.kind == store::einvoicing::ereporting::LineKind::CancelledReceipt)
        );
        // Once is enough.
        let mut tx = db.begin().await.unwrap();
        let e = payments::reverse(&mut tx, &actor(), r.id, today, "Encore")
            .await
            .unwrap_err();
        assert_eq!(keys(&e), ["payment-already-reversed"]);
        drop(tx);
        // The invoice can be paid again, by the right payment.
        pay(&db, &payment(client, &bank, today, total, &[(inv, total)]))
            .await
            .unwrap();
        assert!(outstanding(&db, client).await.is_empty());
    })
    .await;
}

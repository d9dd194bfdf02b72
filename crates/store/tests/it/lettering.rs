//! Lettering of the customer account on both backends: by hand (new,
//! extended, refused, undone with its trail), an invoice with its two
//! partial payments and a credit note, the customer ledger with codes, and
//! the FEC of a year with lettered lines passing the checker.

use domain::fec::check::{self, Options};
use domain::ids::CompanyId;
use domain::ledger::{FiscalYear, Journal, Line, NewEntry};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::lettering::{self, LineRef, Show};
use store::{Db, Error, Tx, ledger};
use time::Date;
use time::macros::date;

use crate::support::{actor, count, create_company};

fn eur(n: i64) -> Money {
    Money::from_euros(n)
}

async fn post(tx: &mut Tx, journal: Journal, date: Date, label: &str, lines: Vec<Line>) -> String {
    let e = NewEntry {
        journal,
        date,
        label: label.into(),
        piece_ref: None,
        lines,
    };
    ledger::post(tx, &actor(), &e, None)
        .await
        .unwrap()
        .id
        .to_string()
}

/// A sales entry (line 1 on 411) and its issued invoice (or credit note
/// crediting `credits`); returns the invoice's id and its entry's.
async fn invoice(
    tx: &mut Tx,
    client: CompanyId,
    number: &str,
    date: Date,
    gross: i64,
    credits: Option<&str>,
) -> (String, String) {
    let net = gross * 10 / 12;
    let lines = if credits.is_none() {
        vec![
            Line::debit("411", eur(gross), "Client").for_customer(client),
            Line::credit("706", eur(net), "Prestations"),
            Line::credit("44574", eur(gross - net), "TVA"),
        ]
    } else {
        vec![
            Line::credit("411", eur(gross), "Client").for_customer(client),
            Line::debit("706", eur(net), "Prestations"),
            Line::debit("44574", eur(gross - net), "TVA"),
        ]
    };
    let entry = post(tx, Journal::Ve, date, &format!("Facture {number}"), lines).await;
    let id = uuid::Uuid::new_v4().to_string();
    store::on_tx!(tx, |c| sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, period, series, number, issue_date, net_cents, vat_cents,
           gross_cents, credits_id, ledger_entry_id, created_at, due_date)
         VALUES ($1, $2, 'issued', $3, '2026-10', 'FA', $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(&id)
    .bind(if credits.is_some() { "credit_note" } else { "invoice" })
    .bind(client.to_string())
    .bind(number)
    .bind(date)
    .bind(net * 100)
    .bind((gross - net) * 100)
    .bind(gross * 100)
    .bind(credits)
    .bind(&entry)
    .bind(store::now())
    .bind(date)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    (id, entry)
}

async fn bank_account(tx: &mut Tx) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    store::on_tx!(tx, |c| sqlx::query(
        "INSERT INTO bank_accounts (id, label, iban, ledger_account, created_at)
         VALUES ($1, 'Banque', 'FR7630006000011234567890189', '512', $2)"
    )
    .bind(&id)
    .bind(store::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    id
}

/// A payment of `amount` allocated to `invoice`: its bank entry (the 411
/// line second) and its rows. Returns the entry.
async fn pay(
    tx: &mut Tx,
    bank: &str,
    client: CompanyId,
    invoice: &str,
    date: Date,
    amount: i64,
) -> String {
    let entry = post(
        tx,
        Journal::Bq,
        date,
        "Virement reçu",
        vec![
            Line::debit("512", eur(amount), "Banque"),
            Line::credit("411", eur(amount), "Client").for_customer(client),
        ],
    )
    .await;
    let payment = uuid::Uuid::new_v4().to_string();
    store::on_tx!(tx, |c| sqlx::query(
        "INSERT INTO payments (id, client_id, bank_account_id, received_on, amount_cents, method, unallocated_cents,
           ledger_entry_id, created_at)
         VALUES ($1, $2, $3, $4, $5, 'transfer', 0, $6, $7)"
    )
    .bind(&payment)
    .bind(client.to_string())
    .bind(bank)
    .bind(date)
    .bind(amount * 100)
    .bind(&entry)
    .bind(store::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    store::on_tx!(tx, |c| sqlx::query(
        "INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_cents, allocated_on, ledger_entry_id,
           ledger_position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 2, $7)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&payment)
    .bind(invoice)
    .bind(amount * 100)
    .bind(date)
    .bind(&entry)
    .bind(store::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    entry
}

fn keys(v: &[(&str, i32)]) -> Vec<LineRef> {
    v.iter().map(|(e, p)| LineRef::new(e, *p)).collect()
}

fn refusal(r: store::Result<impl std::fmt::Debug>) -> &'static str {
    match r {
        Err(Error::Invalid(v)) => v.0[0].key,
        other => panic!("not refused: {other:?}"),
    }
}

/// The year's FEC, the bank journal validated first (the FEC lists
/// validated entries only).
async fn fec(db: &Db, year: FiscalYear) -> Vec<u8> {
    let mut tx = db.begin().await.unwrap();
    store::brouillard::validate(
        &mut tx,
        &actor(),
        domain::ledger::Journal::Bq,
        store::today(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.read().await.unwrap();
    let mut out = Vec::new();
    store::fec::write(&mut tx, year, &mut out, &mut |_| {})
        .await
        .unwrap();
    tx.commit().await.unwrap();
    out
}

/// The FEC lines with a lettering: (EcritureNum, CompteNum, Debit, Credit,
/// EcritureLet, DateLet).
fn lettered(bytes: &[u8]) -> Vec<[String; 6]> {
    domain::fec::latin9::decode(bytes)
        .split("\r\n")
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .filter(|f| f.len() == 18 && !f[13].is_empty())
        .map(|f| {
            [
                f[2].clone(),
                f[4].clone(),
                f[11].clone(),
                f[12].clone(),
                f[13].clone(),
                f[14].clone(),
            ]
        })
        .collect()
}

#[tokio::test]
async fn an_invoice_paid_twice_is_lettered_partly_then_fully_and_the_fec_says_so() {
    on_each_backend(|db| async move {
        let clientis = create_company(&db, "Clientis Group", "client").await.id;
        let horizon = create_company(&db, "Banque Horizon", "client").await.id;
        let mut tx = db.begin().await.unwrap();
        let bank = bank_account(&mut tx).await;
        let (fa1, ve1) = invoice(
            &mut tx,
            clientis,
            "FA-1",
            date!(2026 - 10 - 31),
            14_400,
            None,
        )
        .await;
        let (fa2, ve2) =
            invoice(&mut tx, horizon, "FA-2", date!(2026 - 11 - 02), 1_200, None).await;
        // Nothing against it yet: nothing to letter.
        assert_eq!(
            lettering::letter_invoice(
                &mut tx,
                &actor(),
                fa1.parse::<domain::ids::InvoiceId>().unwrap(),
                date!(2026 - 11 - 01)
            )
            .await
            .unwrap(),
            None
        );
        let bq1 = pay(&mut tx, &bank, clientis, &fa1, date!(2026 - 11 - 15), 7_200).await;
        let first = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fa1.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2026 - 11 - 15),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            (first.code.as_str(), first.complete, first.shown()),
            ("AA", false, "aa".into())
        );
        tx.commit().await.unwrap();

        // A credit note of 720 and a payment of 480 settle Horizon's 1 200.
        let mut tx = db.begin().await.unwrap();
        let (_, av) = invoice(
            &mut tx,
            horizon,
            "AV-1",
            date!(2026 - 11 - 20),
            720,
            Some(&fa2),
        )
        .await;
        let bq2 = pay(&mut tx, &bank, horizon, &fa2, date!(2026 - 11 - 25), 480).await;
        let h = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fa2.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2026 - 11 - 25),
        )
        .await
        .unwrap()
        .unwrap();
        // Codes are per third party: Horizon starts at AA too.
        assert_eq!((h.code.as_str(), h.complete), ("AA", true));
        let bq3 = pay(&mut tx, &bank, clientis, &fa1, date!(2026 - 12 - 01), 7_200).await;
        let second = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fa1.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2026 - 12 - 01),
        )
        .await
        .unwrap()
        .unwrap();
        // The partial lettering is extended: same row, same code, complete.
        assert_eq!(
            (second.id.to_string(), second.code.as_str(), second.complete),
            (first.id.to_string(), "AA", true)
        );
        // Again: nothing new, nothing written.
        let again = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fa1.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2026 - 12 - 02),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(again, second);
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "letterings").await, 2);
        assert_eq!(count(&db, "lettering_lines").await, 6);

        // The customer ledger shows the codes; nothing of Clientis is open.
        let mut tx = db.read().await.unwrap();
        let range =
            domain::ledger_reports::DateRange::fiscal_year(FiscalYear::of(date!(2026 - 01 - 01)));
        let l = lettering::customer_ledger(&mut tx, clientis, range, Show::All, 100)
            .await
            .unwrap();
        let codes: Vec<(String, Option<String>)> = l.accounts[0]
            .items
            .iter()
            .map(|i| (i.key.entry_id.clone(), i.mark.as_ref().map(|m| m.shown())))
            .collect();
        assert_eq!(
            codes,
            [
                (ve1.clone(), Some("AA".into())),
                (bq1.clone(), Some("AA".into())),
                (bq3.clone(), Some("AA".into()))
            ]
        );
        assert_eq!(l.open_balance, Money::ZERO);
        let open = lettering::customer_ledger(&mut tx, clientis, range, Show::Open, 100)
            .await
            .unwrap();
        assert!(open.accounts[0].items.is_empty());
        assert_eq!(open.accounts[0].closing, Money::ZERO);
        tx.commit().await.unwrap();

        // The FEC carries both complete letterings, and the checker (which
        // sums each code per account) finds it clean.
        let bytes = fec(&db, FiscalYear::of(date!(2026 - 01 - 01))).await;
        let report = check::check(&bytes[..], &Options::default()).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        let lines = lettered(&bytes);
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert!(
            lines.iter().all(|l| l[1] == "411" && l[4] == "AA"),
            "{lines:?}"
        );
        let dates: Vec<&str> = lines.iter().map(|l| l[5].as_str()).collect();
        assert_eq!(
            dates.iter().filter(|d| **d == "20261201").count(),
            3,
            "{dates:?}"
        );
        assert_eq!(
            dates.iter().filter(|d| **d == "20261125").count(),
            3,
            "{dates:?}"
        );
        let _ = (bq2, av, ve2);

        // Undone, the lines leave the FEC's lettering too.
        let mut tx = db.begin().await.unwrap();
        lettering::unletter(&mut tx, &actor(), second.id, "Erreur d'affectation")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let bytes = fec(&db, FiscalYear::of(date!(2026 - 01 - 01))).await;
        assert_eq!(lettered(&bytes).len(), 3);
        assert!(
            check::check(&bytes[..], &Options::default())
                .unwrap()
                .is_clean()
        );
    })
    .await;
}

#[tokio::test]
async fn a_lettering_across_two_years_or_partial_stays_out_of_the_fec() {
    on_each_backend(|db| async move {
        let c = create_company(&db, "Clientis Group", "client").await.id;
        let mut tx = db.begin().await.unwrap();
        let bank = bank_account(&mut tx).await;
        let (fa, _) = invoice(&mut tx, c, "FA-1", date!(2026 - 12 - 15), 1_200, None).await;
        let (fb, _) = invoice(&mut tx, c, "FA-2", date!(2026 - 12 - 16), 600, None).await;
        pay(&mut tx, &bank, c, &fb, date!(2026 - 12 - 20), 100).await;
        pay(&mut tx, &bank, c, &fa, date!(2027 - 01 - 10), 1_200).await;
        let a = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fa.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2027 - 01 - 10),
        )
        .await
        .unwrap()
        .unwrap();
        let b = lettering::letter_invoice(
            &mut tx,
            &actor(),
            fb.parse::<domain::ids::InvoiceId>().unwrap(),
            date!(2027 - 01 - 10),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(a.complete && !b.complete);
        assert_eq!((a.code.as_str(), b.code.as_str()), ("AA", "AB"));
        tx.commit().await.unwrap();
        for year in [2026, 2027] {
            let bytes = fec(
                &db,
                FiscalYear::of(Date::from_ordinal_date(year, 1).unwrap()),
            )
            .await;
            assert!(lettered(&bytes).is_empty(), "{year}");
            assert!(
                check::check(&bytes[..], &Options::default())
                    .unwrap()
                    .is_clean(),
                "{year}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn lettering_by_hand_extends_refuses_and_unletters_with_a_trail() {
    on_each_backend(|db| async move {
        let c = create_company(&db, "Clientis Group", "client").await.id;
        let other = create_company(&db, "Banque Horizon", "client").await.id;
        let mut tx = db.begin().await.unwrap();
        let d = date!(2026 - 11 - 02);
        let inv = post(
            &mut tx,
            Journal::Ve,
            d,
            "Facture",
            vec![
                Line::debit("411", eur(1_000), "C").for_customer(c),
                Line::credit("706", eur(1_000), "P"),
            ],
        )
        .await;
        let mut pays = Vec::new();
        for (amount, who) in [(400, c), (600, c), (1_000, other)] {
            pays.push(
                post(
                    &mut tx,
                    Journal::Bq,
                    d,
                    "Virement",
                    vec![
                        Line::debit("512", eur(amount), "B"),
                        Line::credit("411", eur(amount), "C").for_customer(who),
                    ],
                )
                .await,
            );
        }
        tx.commit().await.unwrap();
        let (p1, p2, p3) = (pays[0].as_str(), pays[1].as_str(), pays[2].as_str());
        let letter = async |lines: &[(&str, i32)]| {
            let mut tx = db.begin().await.unwrap();
            let r = lettering::letter(&mut tx, &actor(), c, "411", &keys(lines), d).await;
            if r.is_ok() {
                tx.commit().await.unwrap();
            }
            r
        };

        // Refused, nothing written.
        for (lines, key) in [
            (vec![], "lettering-none-selected"),
            (
                vec![(inv.as_str(), 1), ("nope", 1)],
                "lettering-line-unknown",
            ),
            (
                vec![(inv.as_str(), 1), (inv.as_str(), 2)],
                "lettering-line-other-account",
            ),
            (
                vec![(inv.as_str(), 1), (p3, 2)],
                "lettering-line-other-account",
            ),
            (vec![(p1, 2), (p2, 2)], "lettering-one-side"),
        ] {
            assert_eq!(refusal(letter(&lines).await), key, "{lines:?}");
        }
        assert_eq!(count(&db, "letterings").await, 0);

        let aa = letter(&[(inv.as_str(), 1), (p1, 2)]).await.unwrap();
        assert_eq!((aa.shown().as_str(), aa.complete), ("aa", false));
        assert_eq!(
            refusal(letter(&[(inv.as_str(), 1), (p1, 2)]).await),
            "lettering-nothing-new"
        );
        // The second payment joins it; AA is complete.
        let full = letter(&[(inv.as_str(), 1), (p2, 2)]).await.unwrap();
        assert_eq!(
            (full.id.to_string(), full.shown().as_str()),
            (aa.id.to_string(), "AA")
        );
        assert_eq!(
            refusal(letter(&[(inv.as_str(), 1), (p3, 2)]).await),
            "lettering-line-other-account"
        );

        // Un-lettering needs a reason, then opens the three lines again.
        let unletter = async |id: &str, reason: &str| {
            let mut tx = db.begin().await.unwrap();
            let r = lettering::unletter(&mut tx, &actor(), id.parse().unwrap_or_default(), reason)
                .await;
            if r.is_ok() {
                tx.commit().await.unwrap();
            }
            r
        };
        assert_eq!(
            refusal(unletter(&aa.id.to_string(), "  ").await),
            "field-required"
        );
        assert!(matches!(unletter("nope", "x").await, Err(Error::NotFound)));
        let info = unletter(&aa.id.to_string(), "Paiement affecté par erreur")
            .await
            .unwrap();
        assert!(info.undone && info.third_party == c);
        assert_eq!(
            refusal(unletter(&aa.id.to_string(), "encore").await),
            "lettering-already-undone"
        );
        let mut tx = db.read().await.unwrap();
        let range = domain::ledger_reports::DateRange::fiscal_year(FiscalYear::of(d));
        let open = lettering::customer_ledger(&mut tx, c, range, Show::Open, 100)
            .await
            .unwrap();
        assert_eq!(open.accounts[0].items.len(), 3);
        assert_eq!(open.open_balance, Money::ZERO);
        let lettered = lettering::customer_ledger(&mut tx, c, range, Show::Lettered, 100)
            .await
            .unwrap();
        assert!(lettered.accounts[0].items.is_empty());
        let undone = lettering::undone(&mut tx, c, 10).await.unwrap();
        assert_eq!(undone.len(), 1);
        assert_eq!(
            (
                undone[0].code.as_str(),
                undone[0].reason.as_str(),
                undone[0].amount
            ),
            ("AA", "Paiement affecté par erreur", eur(1_000))
        );
        let trail: Vec<String> = store::audit::for_entity(&mut tx, "lettering", &aa.id.to_string())
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(trail, ["unletter", "extend_lettering", "letter"]);
        tx.commit().await.unwrap();

        // Lettered again: a new code, AA is never reused.
        let ab = letter(&[(inv.as_str(), 1), (p1, 2), (p2, 2)])
            .await
            .unwrap();
        assert_eq!(ab.shown(), "AB");
        // A complete lettering is un-lettered before being changed.
        assert_eq!(
            refusal(letter(&[(inv.as_str(), 1), (p1, 2)]).await),
            "lettering-already-complete"
        );
    })
    .await;
}

#[tokio::test]
async fn a_reversed_entry_is_lettered_only_with_its_reversal() {
    on_each_backend(|db| async move {
        let c = create_company(&db, "Clientis Group", "client").await.id;
        let d = date!(2026 - 11 - 02);
        let mut tx = db.begin().await.unwrap();
        let inv = post(
            &mut tx,
            Journal::Ve,
            d,
            "Facture annulée",
            vec![
                Line::debit("411", eur(500), "C").for_customer(c),
                Line::credit("706", eur(500), "P"),
            ],
        )
        .await;
        let pay = post(
            &mut tx,
            Journal::Bq,
            d,
            "Virement",
            vec![
                Line::debit("512", eur(500), "B"),
                Line::credit("411", eur(500), "C").for_customer(c),
            ],
        )
        .await;
        let rev = ledger::reverse(
            &mut tx,
            &actor(),
            inv.parse::<domain::ids::LedgerEntryId>().unwrap(),
            d,
            "Extourne",
        )
        .await
        .unwrap()
        .id;
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = lettering::letter(
            &mut tx,
            &actor(),
            c,
            "411",
            &keys(&[(&inv, 1), (&pay, 2)]),
            d,
        )
        .await;
        assert_eq!(refusal(r), "lettering-line-reversed");
        let r = lettering::letter(
            &mut tx,
            &actor(),
            c,
            "411",
            &keys(&[(&rev.to_string(), 1), (&pay, 2)]),
            d,
        )
        .await;
        assert_eq!(refusal(r), "lettering-line-reversed");
        let ok = lettering::letter(
            &mut tx,
            &actor(),
            c,
            "411",
            &keys(&[(&inv, 1), (&rev.to_string(), 1)]),
            d,
        )
        .await
        .unwrap();
        assert_eq!(ok.shown(), "AA");
        tx.commit().await.unwrap();
    })
    .await;
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

/// With the payments as recorded (`payments::record`, `allocate_credit`):
/// October's invoice paid in two parts, November's from a credit kept from
/// an overpayment; the credit lettered with its use.
#[tokio::test]
async fn recorded_payments_letter_with_their_invoices_and_credits() {
    use crate::payments::{bank, billed, pay, payment};
    use time::Month;
    on_each_backend(|db| async move {
        let (client, ids) = billed(
            &db,
            &[
                (crate::invoicing::OCTOBER(), date!(2026 - 11 - 02)),
                (
                    crate::cra_reports::ym(2026, Month::November),
                    date!(2026 - 12 - 01),
                ),
            ],
        )
        .await;
        let (oct, nov) = (&ids[0], &ids[1]);
        let (g_oct, g_nov) = (gross(&db, oct).await, gross(&db, nov).await);
        let bank = bank(&db).await;
        let letter_invoice = async |invoice: &str, on: Date| {
            let mut tx = db.begin().await.unwrap();
            let l = lettering::letter_invoice(
                &mut tx,
                &actor(),
                invoice.parse::<domain::ids::InvoiceId>().unwrap(),
                on,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            l.map(|l| l.shown())
        };
        let half = g_oct / 2;
        for (on, cents, shown) in [
            (date!(2026 - 11 - 20), half, "aa"),
            (date!(2026 - 11 - 28), g_oct - half, "AA"),
        ] {
            pay(&db, &payment(client, &bank, on, cents, &[(oct, cents)]))
                .await
                .unwrap();
            assert_eq!(letter_invoice(oct, on).await.as_deref(), Some(shown));
        }
        // 500 € more than November's invoice, kept as credit, then used.
        let mut p = payment(client, &bank, date!(2026 - 12 - 01), g_nov + 50_000, &[]);
        p.keep_excess = true;
        let r = pay(&db, &p).await.unwrap();
        assert_eq!(letter_invoice(nov, date!(2026 - 12 - 01)).await, None);
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            lettering::letter_credit(&mut tx, &actor(), r.id, date!(2026 - 12 - 01))
                .await
                .unwrap(),
            None,
            "no use yet"
        );
        store::payments::allocate_credit(
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
        assert_eq!(
            letter_invoice(nov, date!(2026 - 12 - 02)).await.as_deref(),
            Some("AB")
        );
        let mut tx = db.begin().await.unwrap();
        let credit = lettering::letter_credit(&mut tx, &actor(), r.id, date!(2026 - 12 - 02))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        // 500 € of credit left: partial.
        assert_eq!(credit.shown(), "ac");
        let mut tx = db.read().await.unwrap();
        let range =
            domain::ledger_reports::DateRange::fiscal_year(FiscalYear::of(date!(2026 - 01 - 01)));
        let l = lettering::customer_ledger(&mut tx, client, range, Show::Open, 100)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let open: Vec<(Money, Option<String>)> = l
            .accounts
            .iter()
            .flat_map(|a| &a.items)
            .map(|i| (i.credit - i.debit, i.mark.as_ref().map(|m| m.shown())))
            .collect();
        assert_eq!(
            open,
            [
                (Money::from_cents(g_nov + 50_000), Some("ac".into())),
                (Money::from_cents(-g_nov), Some("ac".into()))
            ]
        );
        assert_eq!(l.open_balance, Money::from_cents(-50_000));
        let bytes = fec(&db, FiscalYear::of(date!(2026 - 01 - 01))).await;
        let report = check::check(&bytes[..], &Options::default()).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        let codes: Vec<String> = lettered(&bytes).into_iter().map(|l| l[4].clone()).collect();
        assert_eq!(codes.iter().filter(|c| *c == "AA").count(), 3, "{codes:?}");
        assert_eq!(codes.iter().filter(|c| *c == "AB").count(), 2, "{codes:?}");
        assert_eq!(codes.len(), 5, "the partial credit stays blank: {codes:?}");
    })
    .await;
}

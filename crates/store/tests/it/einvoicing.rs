//! E-invoicing on both backends: issuing queues exactly one deposit, the
//! deposit drops the PDF and its manifest line into a folder, once even
//! when two runs race, the platform's messages move the lifecycle (or are
//! set aside, nothing written), and the e-reporting export splits receipts
//! per VAT rate to the cent and takes back, negative, the VAT already
//! received that a credit note returns.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use std::path::{Path, PathBuf};

use domain::calendar::YearMonth;
use domain::einvoice::{LifecycleStatus, Source};
use domain::ids::{CompanyId, UserId};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::einvoicing::deposit::{self, Outcome};
use store::einvoicing::lifecycle::{self, NewStatus};
use store::einvoicing::{FileDrop, ereporting};
use store::invoicing::credit::CreditSelection;
use store::invoicing::issue::{Buyer, Frozen};
use store::{Db, Error};
use time::Month;
use time::macros::{date, datetime};

use crate::cra_reports::ym;
use crate::invoicing::{OCTOBER, run_close, staffed, validated, world};
use crate::support::{actor, count, create_company};

fn temp_drop() -> FileDrop {
    let dir =
        std::env::temp_dir().join(format!("regisseur-einv-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    FileDrop::new(dir)
}

fn sha256_file(p: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn manifest(d: &FileDrop) -> Vec<Vec<String>> {
    std::fs::read_to_string(d.outbox().join("manifest.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// An issued invoice written directly, with lines at the given (rate in
/// basis points, net cents), under `regime`: what the lifecycle and the
/// e-reporting read, without a month of activity behind it.
async fn synthetic(db: &Db, number: &str, lines: &[(u32, i64)], regime: &str) -> String {
    let client = create_company(db, &format!("Client {number}"), "client").await;
    let id = uuid::Uuid::new_v4().to_string();
    let net: i64 = lines.iter().map(|l| l.1).sum();
    let vat: i64 = lines
        .iter()
        .map(|(bp, n)| {
            domain::terms::VatRate::from_basis_points(*bp)
                .unwrap()
                .vat_on(Money::from_cents(*n))
                .cents()
        })
        .sum();
    let frozen = Frozen {
        // Complete, as issuing would have frozen it: the deposit builds the
        // Factur-X from it, which refuses a seller without VAT number,
        // head office or IBAN.
        seller: store::firm::Firm {
            // The builders' firm, without the BIC and e-mail these tests never had.
            bic: None,
            email: None,
            ..fixtures::build::firm()
        },
        buyer: Buyer {
            name: format!("Client {number}"),
            legal_form: None,
            siren: Some("552100554".into()),
            vat_number: None,
            address_line1: Some("1 rue".into()),
            address_line2: None,
            postcode: Some("75001".into()),
            city: Some("Paris".into()),
            country: "FR".into(),
        },
        billing_address: None,
        po_number: None,
        contract_reference: None,
        payment_days: 30,
        payment_end_of_month: false,
        vat_regime: regime.into(),
        buyer_reference: None,
        note: None,
    };
    let frozen = serde_json::to_string(&frozen).unwrap();
    let mut tx = db.begin().await.unwrap();
    store::on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, period, series, number, issue_date, net_cents, vat_cents,
           gross_cents, created_at, issued_at, frozen, due_date)
         VALUES ($1, 'invoice', 'issued', $2, '2026-10', 'FA', $3, $4, $5, $6, $7, $8, $8, $9, $10)"
    )
    .bind(&id)
    .bind(client.id.to_string())
    .bind(number)
    .bind(date!(2026 - 11 - 02))
    .bind(net)
    .bind(vat)
    .bind(net + vat)
    .bind(store::now())
    .bind(&frozen)
    .bind(date!(2026 - 12 - 02))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    for (i, (bp, n)) in lines.iter().enumerate() {
        store::on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO invoice_lines (id, invoice_id, position, description, half_days, unit_price_cents,
               vat_rate_bp, net_cents)
             VALUES ($1, $2, $3, 'Prestation', 2, $4, $5, $4)"
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&id)
        .bind(i as i32 + 1)
        .bind(*n)
        .bind(*bp as i32)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    deposit::queue(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn history(db: &Db, id: &str) -> Vec<LifecycleStatus> {
    let mut tx = db.read().await.unwrap();
    let h = lifecycle::history(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    h.into_iter().map(|e| e.status).collect()
}

async fn record(db: &Db, id: &str, s: NewStatus) -> Result<(), Error> {
    let mut tx = db.begin().await.unwrap();
    let r = lifecycle::record(
        &mut tx,
        &actor(),
        id.parse::<domain::ids::InvoiceId>().unwrap(),
        &s,
    )
    .await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r.map(|_| ())
}

fn user_status(status: LifecycleStatus) -> NewStatus {
    NewStatus {
        status,
        occurred_at: store::now(),
        source: Source::User,
        reason: None,
        amount: None,
        paid_on: None,
        message_id: None,
    }
}

fn receipt(cents: i64, on: time::Date) -> NewStatus {
    NewStatus {
        amount: Some(Money::from_cents(cents)),
        paid_on: Some(on),
        ..user_status(LifecycleStatus::Received)
    }
}

async fn deposit_jobs(db: &Db) -> i64 {
    store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1"
    )
    .bind(deposit::DEPOSIT_JOB)
    .fetch_one(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn issuing_queues_one_deposit_and_the_deposit_drops_the_pdf_and_its_manifest_line() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, _) = staffed(&db, &w, "camille", "Camille Martin").await;
        validated(&db, who, OCTOBER(), &[]).await;
        assert_eq!(deposit_jobs(&db).await, 0, "a draft is not deposited");
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        assert_eq!(s.issued, 1);
        assert_eq!(
            deposit_jobs(&db).await,
            1,
            "issuing queues exactly one deposit"
        );
        assert_eq!(count(&db, "einvoice_deposits").await, 1);
        let mut tx = db.read().await.unwrap();
        let id = store::invoicing::read::list(&mut tx, &Default::default(), 10)
            .await
            .unwrap()[0]
            .clone();
        tx.commit().await.unwrap();

        let drop = temp_drop();
        assert_eq!(
            deposit::run(&db, &drop, id.id, &app::Render).await.unwrap(),
            Outcome::Deposited
        );
        let pdf = drop.outbox().join("FA-2026-000001.pdf");
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
        let m = manifest(&drop);
        assert_eq!(m.len(), 1);
        let line = &m[0];
        assert_eq!(line[0], "FA-2026-000001");
        assert_eq!(line[1], "380");
        assert_eq!(line[2], "2026-11-02");
        assert_eq!(line[5], id.net.cents().to_string());
        assert_eq!(line[6], id.vat.cents().to_string());
        assert_eq!(line[7], id.gross.cents().to_string());
        assert_eq!(
            line[8],
            sha256_file(&pdf),
            "the manifest carries the file's hash"
        );
        assert_eq!(
            history(&db, &id.id.to_string()).await,
            [LifecycleStatus::Deposited]
        );
        let mut tx = db.read().await.unwrap();
        let d = deposit::of(&mut tx, id.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d[0].status, domain::einvoice::DepositStatus::Deposited);
        assert_eq!(d[0].sha256.as_deref(), Some(line[8].as_str()));
        // Again: nothing more.
        assert_eq!(
            deposit::run(&db, &drop, id.id, &app::Render).await.unwrap(),
            Outcome::AlreadyDone
        );
        assert_eq!(manifest(&drop).len(), 1);
        assert_eq!(history(&db, &id.id.to_string()).await.len(), 1);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

#[tokio::test]
async fn two_deposits_at_once_deposit_once() {
    on_each_backend(|db| async move {
        let id = synthetic(&db, "FA-2026-000101", &[(2000, 1_000_00)], "on_receipts").await;
        let drop = temp_drop();
        let (a, b) = tokio::join!(
            deposit::run(
                &db,
                &drop,
                id.parse::<domain::ids::InvoiceId>().unwrap(),
                &app::Render
            ),
            deposit::run(
                &db,
                &drop,
                id.parse::<domain::ids::InvoiceId>().unwrap(),
                &app::Render
            )
        );
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|o| *o == Outcome::AlreadyDone);
        assert_eq!(outcomes, [Outcome::Deposited, Outcome::AlreadyDone]);
        assert_eq!(manifest(&drop).len(), 1);
        assert_eq!(history(&db, &id).await, [LifecycleStatus::Deposited]);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

fn inbox(d: &FileDrop, name: &str, json: &str) -> PathBuf {
    std::fs::create_dir_all(d.inbox()).unwrap();
    let p = d.inbox().join(name);
    std::fs::write(&p, json).unwrap();
    p
}

#[tokio::test]
async fn platform_messages_move_the_lifecycle_or_are_set_aside() {
    on_each_backend(|db| async move {
        let id = synthetic(&db, "FA-2026-000201", &[(2000, 1_000_00)], "on_receipts").await;
        let drop = temp_drop();
        deposit::run(&db, &drop, id.parse::<domain::ids::InvoiceId>().unwrap(), &app::Render).await.unwrap();
        inbox(
            &drop,
            "a.json",
            r#"{"number": "FA-2026-000201", "status": 205, "at": "2026-11-20T10:00:00Z", "message_id": "pa-1"}"#,
        );
        let p = deposit::poll(&db, &drop).await.unwrap();
        assert_eq!((p.applied, p.rejected), (1, 0));
        assert_eq!(history(&db, &id).await, [LifecycleStatus::Deposited, LifecycleStatus::Approved]);
        assert!(drop.inbox().join("done/a.json").exists());
        assert!(!drop.inbox().join("a.json").exists());
        let mut tx = db.read().await.unwrap();
        let h = lifecycle::history(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap()).await.unwrap();
        let approved = lifecycle::by_status(&mut tx, LifecycleStatus::Approved).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(h[1].source, Source::Platform);
        assert_eq!(h[1].occurred_at, datetime!(2026-11-20 10:00 UTC));
        assert_eq!(approved, [(id.parse::<domain::ids::InvoiceId>().unwrap(), "FA-2026-000201".to_string())]);

        // Illegal (209 Complétée after 205), unknown invoice, unreadable,
        // and the same message again: nothing written, nothing crashes.
        let audit_before = count(&db, "audit_log").await;
        inbox(&drop, "b.json", r#"{"number": "FA-2026-000201", "status": 209, "at": "2026-11-21T10:00:00Z"}"#);
        inbox(&drop, "c.json", r#"{"number": "FA-2099-999999", "status": 205, "at": "2026-11-21T10:00:00Z"}"#);
        inbox(&drop, "d.json", "{ not json");
        inbox(
            &drop,
            "e.json",
            r#"{"number": "FA-2026-000201", "status": 205, "at": "2026-11-20T10:00:00Z", "message_id": "pa-1"}"#,
        );
        let p = deposit::poll(&db, &drop).await.unwrap();
        assert_eq!((p.applied, p.rejected), (1, 2), "the repeated message counts as applied");
        for f in ["b.json", "c.json", "d.json"] {
            assert!(drop.inbox().join("rejected").join(f).exists(), "{f}");
            let reason = std::fs::read_to_string(drop.inbox().join("rejected").join(format!("{f}.reason.txt"))).unwrap();
            assert!(!reason.is_empty());
        }
        assert!(drop.inbox().join("done/e.json").exists());
        assert_eq!(history(&db, &id).await.len(), 2);
        assert_eq!(count(&db, "audit_log").await, audit_before);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

#[tokio::test]
async fn statuses_follow_the_graph_and_receipts_settle_the_invoice() {
    on_each_backend(|db| async move {
        let id = synthetic(&db, "FA-2026-000301", &[(2000, 1_000_00)], "on_receipts").await;
        // Not deposited yet: only 200 may come first.
        let e = record(&db, &id, user_status(LifecycleStatus::Approved))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-illegal-move"),
            "{e:?}"
        );
        record(&db, &id, user_status(LifecycleStatus::Deposited))
            .await
            .unwrap();
        // A refusal needs its reason.
        let e = record(&db, &id, user_status(LifecycleStatus::Refused))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-reason-required"));
        record(&db, &id, receipt(400_00, date!(2026 - 11 - 10)))
            .await
            .unwrap();
        let e = record(&db, &id, receipt(800_01, date!(2026 - 11 - 11)))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-amount-too-high"));
        record(&db, &id, receipt(800_00, date!(2026 - 11 - 12)))
            .await
            .unwrap();
        let mut tx = db.read().await.unwrap();
        let st = lifecycle::state(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(st.settled());
        assert_eq!(st.received, Money::from_cents(1_200_00));
        let e = record(&db, &id, receipt(1, date!(2026 - 11 - 12)))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-settled"));
        assert_eq!(history(&db, &id).await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn ereporting_splits_receipts_per_rate_to_the_cent() {
    on_each_backend(|db| async move {
        // 333,33 at 10 % (VAT 33,33) and 1 000,01 at 20 % (VAT 200,00):
        // TTC 1 566,67.
        let id = synthetic(
            &db,
            "FA-2026-000401",
            &[(1000, 333_33), (2000, 1_000_01)],
            "on_receipts",
        )
        .await;
        let debits = synthetic(&db, "FA-2026-000402", &[(2000, 1_000_00)], "on_debits").await;
        for i in [&id, &debits] {
            record(&db, i, user_status(LifecycleStatus::Deposited))
                .await
                .unwrap();
        }
        // Receipts are payments allocated to the invoices (in date order:
        // the bank journal's numbers follow its dates).
        let bank = crate::payments::bank(&db).await;
        for (invoice, cents, on) in [
            (&id, 500_00, date!(2026 - 11 - 10)),
            (&debits, 1_200_00, date!(2026 - 11 - 15)),
            (&id, 100_00, date!(2026 - 11 - 30)),
            (&id, 966_67, date!(2026 - 12 - 01)),
        ] {
            let client: String = store::on_pool!(&db, |c| sqlx::query_scalar(
                "SELECT client_id FROM invoices WHERE id = $1"
            )
            .bind(invoice)
            .fetch_one(c)
            .await)
            .unwrap();
            let client = domain::ids::CompanyId::parse(&client).unwrap();
            crate::payments::pay(
                &db,
                &crate::payments::payment(client, &bank, on, cents, &[(invoice, cents)]),
            )
            .await
            .unwrap();
        }
        assert_eq!(
            history(&db, &id).await.last(),
            Some(&LifecycleStatus::Received),
            "a payment records 212 Encaissée"
        );
        let nov = ym(2026, Month::November);
        let mut tx = db.read().await.unwrap();
        let r = ereporting::month(&mut tx, nov).await.unwrap();
        let dec = ereporting::month(&mut tx, YearMonth::new(2026, Month::December))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            r.lines.len(),
            2,
            "the debits-option invoice is not reported"
        );
        assert!(r.lines.iter().all(|l| l.number == "FA-2026-000401"));
        assert_eq!(r.received, Money::from_cents(600_00));
        assert_eq!(r.base + r.vat, r.received);
        // 500,00 of 1 566,67: 10 % base 106,38 + VAT 10,64, 20 % base 319,15 + VAT 63,83
        // (largest remainders).
        let first = &r.lines[0].shares;
        let cents: Vec<(i64, i64)> = first
            .iter()
            .map(|s| (s.base.cents(), s.vat.cents()))
            .collect();
        assert_eq!(cents.iter().map(|(b, v)| b + v).sum::<i64>(), 500_00);
        assert_eq!(cents, [(10_638, 1_064), (31_915, 6_383)]);
        assert_eq!(r.totals.len(), 2);
        assert_eq!(r.totals[0].rate_bp, 1000);
        // Settled in December: the three receipts add up to the breakdown.
        let all: Vec<_> = r.lines.iter().chain(&dec.lines).collect();
        let base10: i64 = all.iter().map(|l| l.shares[0].base.cents()).sum();
        let vat10: i64 = all.iter().map(|l| l.shares[0].vat.cents()).sum();
        let base20: i64 = all.iter().map(|l| l.shares[1].base.cents()).sum();
        let vat20: i64 = all.iter().map(|l| l.shares[1].vat.cents()).sum();
        assert_eq!(
            (base10, vat10, base20, vat20),
            (333_33, 33_33, 1_000_01, 200_00)
        );
    })
    .await;
}

/// October worked in full (22 days at 600 € HT) by each consultant
/// `(login, name, VAT rate in basis points, regime)`, on his own mission for
/// the client, validated and issued on 2 November. `together`: the missions
/// are billed on one invoice (one contract, grouped). Returns the client, the
/// consultants, and the invoices (in the order of the staff, or the one).
async fn october(
    db: &Db,
    staff: &[(&str, &str, u32, &str)],
    together: bool,
) -> (CompanyId, Vec<UserId>, Vec<String>) {
    let w = world(db).await;
    let k = if together {
        let k = crate::invoicing::contract(db, w.client, "CADRE-1").await;
        store::on_pool!(db, |c| sqlx::query(
            "UPDATE client_contracts SET invoice_grouping = 'per_contract' WHERE id = $1"
        )
        .bind(k.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        Some(k)
    } else {
        None
    };
    let mut who = Vec::new();
    for (login, name, bp, regime) in staff {
        let (u, m) = staffed(db, &w, login, name).await;
        store::on_pool!(db, |c| sqlx::query(
            "UPDATE missions SET vat_rate_bp = $2, vat_regime = $3 WHERE id = $1"
        )
        .bind(m.to_string())
        .bind(*bp as i32)
        .bind(*regime)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        if let Some(k) = k {
            crate::invoicing::attach(db, m, k).await;
        }
        who.push(u);
    }
    for u in &who {
        validated(db, *u, OCTOBER(), &[]).await;
    }
    run_close(db, OCTOBER(), date!(2026 - 11 - 02))
        .await
        .unwrap();
    let list = crate::invoicing::invoices(db).await;
    let ids = if together {
        assert_eq!(list.len(), 1, "{list:?}");
        vec![list[0].id.to_string()]
    } else {
        staff
            .iter()
            .map(|(_, name, _, _)| {
                list.iter()
                    .find(|i| i.title == format!("Mission de {name}") && i.number.is_some())
                    .expect("issued")
                    .id
                    .to_string()
            })
            .collect()
    };
    (w.client, who, ids)
}

/// A credit note on `invoice` dated `on`: the first `halves` half days of
/// each consultant given, or everything the invoice still bills.
async fn credit_note(
    db: &Db,
    invoice: &str,
    pick: &[(UserId, usize)],
    on: time::Date,
) -> store::invoicing::issue::Issued {
    let mut tx = db.begin().await.unwrap();
    let selection = if pick.is_empty() {
        CreditSelection::All
    } else {
        let live = store::invoicing::credit::live_days(
            &mut tx,
            invoice.parse::<domain::ids::InvoiceId>().unwrap(),
        )
        .await
        .unwrap();
        CreditSelection::Days(
            pick.iter()
                .flat_map(|(who, n)| {
                    live.iter()
                        .filter(move |(d, _)| d.consultant_id == *who)
                        .take(*n)
                        .map(|(d, _)| *d)
                })
                .collect(),
        )
    };
    let note = store::invoicing::credit::credit(
        &mut tx,
        &actor(),
        invoice.parse::<domain::ids::InvoiceId>().unwrap(),
        &selection,
        on,
        "Geste",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    note
}

/// Pays the invoices on `on` (one payment per invoice).
async fn pay(db: &Db, client: CompanyId, bank: &str, on: time::Date, what: &[(&str, i64)]) {
    for (invoice, cents) in what {
        crate::payments::pay(
            db,
            &crate::payments::payment(client, bank, on, *cents, &[(invoice, *cents)]),
        )
        .await
        .unwrap();
    }
}

/// The 44571 debit of a document's sales entry, in cents.
async fn vat_due_taken_back(db: &Db, document: &str) -> i64 {
    store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.debit_cents), 0) AS BIGINT) FROM invoices n
           JOIN ledger_lines l ON l.entry_id = n.ledger_entry_id AND l.account = '44571'
         WHERE n.id = $1"
    )
    .bind(document)
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn report(db: &Db, month: YearMonth) -> ereporting::Report {
    let mut tx = db.read().await.unwrap();
    let r = ereporting::month(&mut tx, month).await.unwrap();
    tx.commit().await.unwrap();
    r
}

/// (rate, base, VAT) of each share, in cents.
fn shares(l: &ereporting::ReceiptLine) -> Vec<(u32, i64, i64)> {
    l.shares
        .iter()
        .map(|s| (s.rate_bp, s.base.cents(), s.vat.cents()))
        .collect()
}

/// The totals agree with the lines, rate by rate, and add up.
fn assert_totals_net(r: &ereporting::Report) {
    for t in &r.totals {
        let of_rate = r
            .lines
            .iter()
            .flat_map(|l| &l.shares)
            .filter(|s| s.rate_bp == t.rate_bp);
        assert_eq!(t.base, of_rate.clone().map(|s| s.base).sum::<Money>());
        assert_eq!(t.vat, of_rate.map(|s| s.vat).sum::<Money>());
        assert_eq!(t.received, t.base + t.vat);
    }
    let received: Money = r.lines.iter().map(|l| l.received).sum();
    assert_eq!(r.received, received);
    assert_eq!(r.base + r.vat, r.received);
    for l in &r.lines {
        assert_eq!(
            l.received,
            l.shares.iter().map(|s| s.base + s.vat).sum::<Money>()
        );
    }
}

/// Invoices under VAT on receipts paid in November, credited in December:
/// November's report does not move; December's has, for each credit note
/// that took back VAT already due (its 44571 debit), a negative line with
/// that VAT per rate, and its totals net them with December's receipts. A
/// credit note on an unpaid invoice (all from 44574) and one on an invoice
/// "on debits" give no line.
#[tokio::test]
async fn ereporting_takes_back_in_its_month_the_vat_a_credit_note_returns_after_payment() {
    on_each_backend(|db| async move {
        let (client, who, ids) = october(
            &db,
            &[
                ("camille", "Camille Martin", 2000, "on_receipts"),
                ("lucas", "Lucas Petit", 2000, "on_receipts"),
                ("ines", "Inès Roux", 2000, "on_receipts"),
                ("nadia", "Nadia Blanc", 2000, "on_debits"),
            ],
            false,
        )
        .await;
        let [partly, fully, unpaid, debits] = [&ids[0], &ids[1], &ids[2], &ids[3]];
        // 22 days × 600 € = 13 200,00 HT, VAT 2 640,00, TTC 15 840,00 each.
        let bank = crate::payments::bank(&db).await;
        pay(
            &db,
            client,
            &bank,
            date!(2026 - 11 - 20),
            &[(partly, 15_840_00), (fully, 15_840_00), (debits, 15_840_00)],
        )
        .await;
        let nov = ym(2026, Month::November);
        let dec = ym(2026, Month::December);
        let november = report(&db, nov).await;
        assert_eq!(
            november.lines.len(),
            2,
            "the debits invoice is not reported"
        );
        assert!(
            november
                .lines
                .iter()
                .all(|l| l.kind == ereporting::LineKind::Receipt)
        );
        assert_eq!(november.vat, Money::from_cents(5_280_00));

        // 2 days of the first, all of the second, 2 days of the unpaid one,
        // all of the one on debits.
        let a = credit_note(&db, partly, &[(who[0], 4)], date!(2026 - 12 - 02)).await;
        let b = credit_note(&db, fully, &[], date!(2026 - 12 - 03)).await;
        let c = credit_note(&db, unpaid, &[(who[2], 4)], date!(2026 - 12 - 04)).await;
        let d = credit_note(&db, debits, &[], date!(2026 - 12 - 04)).await;
        assert_eq!(vat_due_taken_back(&db, &a.id.to_string()).await, 240_00);
        assert_eq!(vat_due_taken_back(&db, &b.id.to_string()).await, 2_640_00);
        assert_eq!(
            vat_due_taken_back(&db, &c.id.to_string()).await,
            0,
            "all from 44574"
        );
        assert_eq!(
            vat_due_taken_back(&db, &d.id.to_string()).await,
            2_640_00,
            "on debits: all from 44571, but never reported as a receipt"
        );
        // A receipt in December on the unpaid one: 1 200,00 = 1 000,00 + 200,00.
        pay(
            &db,
            client,
            &bank,
            date!(2026 - 12 - 05),
            &[(unpaid, 1_200_00)],
        )
        .await;

        assert_eq!(report(&db, nov).await, november, "November does not move");
        let r = report(&db, dec).await;
        let unpaid_number = crate::invoicing::detail(&db, unpaid)
            .await
            .summary
            .number
            .unwrap();
        let kinds: Vec<_> = r
            .lines
            .iter()
            .map(|l| (l.kind, l.number.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ereporting::LineKind::CreditNote, a.number.as_str()),
                (ereporting::LineKind::CreditNote, b.number.as_str()),
                (ereporting::LineKind::Receipt, unpaid_number.as_str()),
            ]
        );
        let (la, lb, lc) = (&r.lines[0], &r.lines[1], &r.lines[2]);
        assert_eq!(
            (la.invoice_id.to_string(), la.paid_on, la.client.as_str()),
            (
                a.id.to_string(),
                date!(2026 - 12 - 02),
                november.lines[0].client.as_str()
            )
        );
        assert_eq!(shares(la), [(2000, -1_200_00, -240_00)]);
        assert_eq!(la.received, Money::from_cents(-1_440_00));
        assert_eq!(shares(lb), [(2000, -13_200_00, -2_640_00)]);
        assert_eq!(lb.received, Money::from_cents(-15_840_00));
        assert_eq!(shares(lc), [(2000, 1_000_00, 200_00)]);
        assert_totals_net(&r);
        assert_eq!(r.totals.len(), 1);
        assert_eq!(
            (
                r.totals[0].base.cents(),
                r.totals[0].vat.cents(),
                r.received.cents()
            ),
            (
                1_000_00 - 1_200_00 - 13_200_00,
                200_00 - 240_00 - 2_640_00,
                1_200_00 - 1_440_00 - 15_840_00
            )
        );
        // What November declared of the fully credited invoice is taken
        // back exactly.
        let declared = november
            .lines
            .iter()
            .find(|l| l.invoice_id.to_string() == *fully)
            .unwrap();
        assert_eq!(
            lb.shares.iter().map(|s| -s.vat).sum::<Money>(),
            declared.shares.iter().map(|s| s.vat).sum::<Money>()
        );
    })
    .await;
}

/// One invoice at 10 % and 20 %, partly paid in November, credited in
/// December in two notes: the first takes back, from 44571, only the VAT
/// beyond what was still waiting in 44574, split per rate in proportion to
/// its own breakdown (largest remainders for the VAT, the base in the same
/// proportion rounded half up); the second, after nothing is left waiting,
/// takes its whole breakdown back. Together they take back exactly the VAT
/// November declared.
#[tokio::test]
// 2_248_32 is 2 248,32 €, not a mistyped `i32` suffix.
#[allow(clippy::mistyped_literal_suffixes)]
async fn ereporting_splits_a_multi_rate_credit_note_per_rate_to_the_cent() {
    on_each_backend(|db| async move {
        let (client, who, ids) = october(
            &db,
            &[
                ("camille", "Camille Martin", 1000, "on_receipts"),
                ("lucas", "Lucas Petit", 2000, "on_receipts"),
            ],
            true,
        )
        .await;
        let inv = &ids[0];
        // 13 200,00 at 10 % (VAT 1 320,00) and 13 200,00 at 20 % (VAT
        // 2 640,00): TTC 30 360,00.
        let d = crate::invoicing::detail(&db, inv).await;
        assert_eq!(d.summary.gross, Money::from_cents(30_360_00));
        let bank = crate::payments::bank(&db).await;
        // 10 000,00 received: VAT 434,78 + 869,56 = 1 304,34 due.
        pay(
            &db,
            client,
            &bank,
            date!(2026 - 11 - 20),
            &[(inv, 10_000_00)],
        )
        .await;
        let nov = ym(2026, Month::November);
        let november = report(&db, nov).await;
        assert_eq!(
            shares(&november.lines[0]),
            [(1000, 4_347_83, 434_78), (2000, 4_347_83, 869_56)]
        );
        // 15 days at 10 % (9 000,00, VAT 900,00) and 22 at 20 % (13 200,00,
        // VAT 2 640,00): VAT 3 540,00, of which 2 655,66 was still waiting
        // (44574) and 884,34 was due (44571).
        let first = credit_note(
            &db,
            inv,
            &[(who[0], 30), (who[1], 44)],
            date!(2026 - 12 - 02),
        )
        .await;
        assert_eq!(first.vat, Money::from_cents(3_540_00));
        assert_eq!(vat_due_taken_back(&db, &first.id.to_string()).await, 884_34);
        // The last 7 days at 10 % (4 200,00, VAT 420,00): nothing waits any
        // more, all from 44571.
        let last = credit_note(&db, inv, &[], date!(2026 - 12 - 03)).await;
        assert_eq!(vat_due_taken_back(&db, &last.id.to_string()).await, 420_00);

        assert_eq!(report(&db, nov).await, november, "November does not move");
        let r = report(&db, ym(2026, Month::December)).await;
        assert_eq!(r.lines.len(), 2);
        assert!(
            r.lines
                .iter()
                .all(|l| l.kind == ereporting::LineKind::CreditNote)
        );
        // VAT 884,34 over 900,00 and 2 640,00: 224,83 + 659,51 (the cent
        // left to the larger remainder); base 22 200,00 × 884,34 / 3 540,00
        // = 5 545,8618… → 5 545,86 over 9 000,00 and 13 200,00: 2 248,32 +
        // 3 297,54.
        assert_eq!(
            shares(&r.lines[0]),
            [(1000, -2_248_32, -224_83), (2000, -3_297_54, -659_51)]
        );
        assert_eq!(r.lines[0].received, Money::from_cents(-6_430_20));
        assert_eq!(shares(&r.lines[1]), [(1000, -4_200_00, -420_00)]);
        assert_totals_net(&r);
        assert_eq!(
            r.totals
                .iter()
                .map(|t| (t.rate_bp, t.base.cents(), t.vat.cents()))
                .collect::<Vec<_>>(),
            [(1000, -6_448_32, -644_83), (2000, -3_297_54, -659_51)]
        );
        assert_eq!(-r.vat, november.vat, "all the VAT declared is taken back");
        // Per rate it is not: November declared 434,78 at 10 % and 869,56
        // at 20 %, December takes back 644,83 and 659,51, because the
        // notes follow their own rates and the first took the VAT waiting
        // in 44574 first, for the invoice as a whole (see
        // `domain::einvoice::split_credit_note`).
        assert_eq!(november.totals[0].vat, Money::from_cents(434_78));
    })
    .await;
}

/// A platform that is down: every deposit fails.
struct Down;

impl store::einvoicing::Platform for Down {
    fn channel(&self) -> &str {
        "file_drop"
    }
    fn deposit(
        &self,
        _doc: &store::einvoicing::platform::Outbound,
    ) -> store::einvoicing::platform::PlatformResult<store::einvoicing::platform::Deposit> {
        Err(store::einvoicing::platform::PlatformError::Refused(
            "plateforme indisponible".into(),
        ))
    }
    fn poll(
        &self,
    ) -> store::einvoicing::platform::PlatformResult<Vec<store::einvoicing::platform::StatusMessage>>
    {
        Ok(Vec::new())
    }
    fn acknowledge(
        &self,
        _msg: &store::einvoicing::platform::StatusMessage,
        _outcome: Result<(), String>,
    ) -> store::einvoicing::platform::PlatformResult<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_deposit_is_recorded_and_can_be_deposited_again() {
    on_each_backend(|db| async move {
        let id = synthetic(&db, "FA-2026-000501", &[(2000, 50_000)], "on_receipts").await;
        // Not failed: nothing to deposit again.
        let mut tx = db.begin().await.unwrap();
        let e = deposit::redeposit(
            &mut tx,
            &actor(),
            id.parse::<domain::ids::InvoiceId>().unwrap(),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-not-failed"));
        drop(tx);
        assert!(
            deposit::run(
                &db,
                &Down,
                id.parse::<domain::ids::InvoiceId>().unwrap(),
                &app::Render
            )
            .await
            .is_err()
        );
        let mut tx = db.read().await.unwrap();
        let d = deposit::of(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d[0].status, domain::einvoice::DepositStatus::Failed);
        assert_eq!(d[0].attempts, 1);
        assert!(
            d[0].error
                .as_deref()
                .unwrap()
                .contains("plateforme indisponible")
        );
        assert!(history(&db, &id).await.is_empty(), "not deposited");
        let mut tx = db.begin().await.unwrap();
        deposit::redeposit(
            &mut tx,
            &actor(),
            id.parse::<domain::ids::InvoiceId>().unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(deposit_jobs(&db).await, 2, "a new job is queued");
        let drop = temp_drop();
        assert_eq!(
            deposit::run(
                &db,
                &drop,
                id.parse::<domain::ids::InvoiceId>().unwrap(),
                &app::Render
            )
            .await
            .unwrap(),
            Outcome::Deposited
        );
        assert_eq!(history(&db, &id).await, [LifecycleStatus::Deposited]);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

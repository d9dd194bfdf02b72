//! E-invoicing on both backends: issuing queues exactly one deposit, the
//! deposit drops the PDF and its manifest line into a folder, once even
//! when two runs race, the platform's messages move the lifecycle (or are
//! set aside, nothing written), and the e-reporting export splits receipts
//! per VAT rate to the cent.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use std::path::{Path, PathBuf};

use domain::calendar::YearMonth;
use domain::einvoice::{LifecycleStatus, Source};
use domain::money::Money;
use store::einvoicing::deposit::{self, Outcome};
use store::einvoicing::lifecycle::{self, NewStatus};
use store::einvoicing::{FileDrop, ereporting};
use store::invoicing::issue::{Buyer, Frozen};
use store::testing::on_each_backend;
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
            name: "Stafforia".into(),
            legal_form: Some("SAS".into()),
            siren: Some("732829320".into()),
            vat_number: Some("FR44732829320".into()),
            rcs_city: Some("Nanterre".into()),
            share_capital_cents: Some(10_000_000),
            address_line1: Some("12 rue de la Paix".into()),
            postcode: Some("75002".into()),
            city: Some("Paris".into()),
            country: "FR".into(),
            iban: Some("FR7630006000011234567890189".into()),
            ..Default::default()
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
    deposit::queue(&mut tx, &id).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn history(db: &Db, id: &str) -> Vec<LifecycleStatus> {
    let mut tx = db.read().await.unwrap();
    let h = lifecycle::history(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    h.into_iter().map(|e| e.status).collect()
}

async fn record(db: &Db, id: &str, s: NewStatus) -> Result<(), Error> {
    let mut tx = db.begin().await.unwrap();
    let r = lifecycle::record(&mut tx, &actor(), id, &s).await;
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
            deposit::run(&db, &drop, &id.id).await.unwrap(),
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
        assert_eq!(history(&db, &id.id).await, [LifecycleStatus::Deposited]);
        let mut tx = db.read().await.unwrap();
        let d = deposit::of(&mut tx, &id.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d[0].status, "deposited");
        assert_eq!(d[0].sha256.as_deref(), Some(line[8].as_str()));
        // Again: nothing more.
        assert_eq!(
            deposit::run(&db, &drop, &id.id).await.unwrap(),
            Outcome::AlreadyDone
        );
        assert_eq!(manifest(&drop).len(), 1);
        assert_eq!(history(&db, &id.id).await.len(), 1);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

#[tokio::test]
async fn two_deposits_at_once_deposit_once() {
    on_each_backend(|db| async move {
        let id = synthetic(&db, "FA-2026-000101", &[(2000, 1_000_00)], "on_receipts").await;
        let drop = temp_drop();
        let (a, b) = tokio::join!(deposit::run(&db, &drop, &id), deposit::run(&db, &drop, &id));
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
        deposit::run(&db, &drop, &id).await.unwrap();
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
        let h = lifecycle::history(&mut tx, &id).await.unwrap();
        let approved = lifecycle::by_status(&mut tx, LifecycleStatus::Approved).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(h[1].source, Source::Platform);
        assert_eq!(h[1].occurred_at, datetime!(2026-11-20 10:00 UTC));
        assert_eq!(approved, [(id.clone(), "FA-2026-000201".to_string())]);

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
        let st = lifecycle::state(&mut tx, &id).await.unwrap();
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
        let e = deposit::redeposit(&mut tx, &actor(), &id)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "einvoice-not-failed"));
        drop(tx);
        assert!(deposit::run(&db, &Down, &id).await.is_err());
        let mut tx = db.read().await.unwrap();
        let d = deposit::of(&mut tx, &id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d[0].status, "failed");
        assert_eq!(d[0].attempts, 1);
        assert!(
            d[0].error
                .as_deref()
                .unwrap()
                .contains("plateforme indisponible")
        );
        assert!(history(&db, &id).await.is_empty(), "not deposited");
        let mut tx = db.begin().await.unwrap();
        deposit::redeposit(&mut tx, &actor(), &id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(deposit_jobs(&db).await, 2, "a new job is queued");
        let drop = temp_drop();
        assert_eq!(
            deposit::run(&db, &drop, &id).await.unwrap(),
            Outcome::Deposited
        );
        assert_eq!(history(&db, &id).await, [LifecycleStatus::Deposited]);
        std::fs::remove_dir_all(drop.root()).ok();
    })
    .await;
}

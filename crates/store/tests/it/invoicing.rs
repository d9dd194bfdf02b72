//! Invoicing on made-up data, on both backends: validation drafts the
//! month, the close issues it with its sales entry, credit notes give days
//! back, a corrected report bills the difference only, the key-account lock
//! accrues then releases on signature with linked reversals, two closes at
//! once number without gaps, and random sequences never bill a day twice
//! nor lose one.

use std::collections::BTreeSet;

use domain::calendar::YearMonth;
use domain::cra::{Activity, Cell, Half};
use domain::identifiers::Siren;
use domain::ids::{CompanyId, ContractId, CraId, MissionId, UserId};
use domain::invoice::billed::HalfDayMask;
use domain::money::Money;
use domain::validation::Arg;
use fixtures::testing::on_each_backend;
use store::invoicing::close::{self, Close, Summary};
use store::invoicing::credit::BilledDay;
use store::invoicing::{CreditSelection, read};
use store::{Db, Error, Scope};
use time::macros::date;
use time::{Date, Month};

use crate::cra_reports::{client_validates, consultant, filled, mission, people, sign, ym};
use crate::support::actor;

pub(crate) const OCTOBER: fn() -> YearMonth = || ym(2026, Month::October);

pub(crate) struct World {
    pub(crate) client: CompanyId,
    pub(crate) bm: crate::cra_reports::People,
}

/// The firm's identity, and a client with SIREN and address: what issuing
/// requires.
pub(crate) async fn world(db: &Db) -> World {
    let p = people(db).await;
    let mut tx = db.begin().await.unwrap();
    store::firm::save(
        &mut tx,
        &store::firm::Firm {
            // The builders' firm, without the BIC and e-mail these tests never had.
            bic: None,
            email: None,
            ..fixtures::build::firm()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    complete_client(db, p.clientis).await;
    World {
        client: p.clientis,
        bm: p,
    }
}

pub(crate) async fn complete_client(db: &Db, id: CompanyId) {
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE companies SET siren = $2, address_line1 = '1 esplanade de la Défense', postcode = '92400',
           city = 'Courbevoie' WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(Siren::with_check_digit(55210055).to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

pub(crate) async fn staffed(db: &Db, w: &World, login: &str, name: &str) -> (UserId, MissionId) {
    let who = consultant(db, login, name).await;
    let m = mission(
        db,
        &w.bm,
        &format!("Mission de {name}"),
        w.client,
        who,
        date!(2026 - 09 - 01),
        date!(2027 - 03 - 31),
        "600",
    )
    .await;
    (who, m)
}

/// Signed, validated by the client and by the manager (which drafts).
pub(crate) async fn validated(db: &Db, who: UserId, month: YearMonth, extra: &[Cell]) -> CraId {
    let id = filled(db, who, month, extra).await;
    through_validation(db, id).await;
    id
}

async fn through_validation(db: &Db, id: CraId) {
    sign(db, id).await;
    client_validates(db, id).await;
    let mut tx = db.begin().await.unwrap();
    let v = store::cras::validate(&mut tx, &actor(), &[id])
        .await
        .unwrap();
    assert_eq!(v.done, [id]);
    tx.commit().await.unwrap();
}

pub(crate) async fn run_close(db: &Db, period: YearMonth, date: Date) -> Result<Summary, Error> {
    close::run(
        db,
        &actor(),
        Close {
            period,
            issue_date: date,
        },
        &mut |_, _| {},
    )
    .await
}

/// Debit − credit of an account, in cents.
pub(crate) async fn balance(db: &Db, account: &str) -> i64 {
    store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(debit_cents - credit_cents), 0) AS BIGINT) FROM ledger_lines WHERE account = $1"
    )
    .bind(account)
    .fetch_one(c)
    .await)
    .unwrap()
}

pub(crate) async fn invoices(db: &Db) -> Vec<read::Summary> {
    let mut tx = db.read().await.unwrap();
    let l = read::list(&mut tx, &read::Filter::default(), 1000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    l
}

pub(crate) async fn detail(db: &Db, id: &str) -> read::Detail {
    let mut tx = db.read().await.unwrap();
    let d = read::get(&mut tx, id.parse::<domain::ids::InvoiceId>().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    d
}

fn working_halves(month: YearMonth) -> i64 {
    month.working_days(domain::calendar::Region::Standard).len() as i64 * 2
}

#[tokio::test]
async fn validation_drafts_the_month_and_the_close_issues_it_once() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (_, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        validated(&db, {
            let mut tx = db.read().await.unwrap();
            let who = store::missions::get(&mut tx, Scope::All, m).await.unwrap().data.consultant_id;
            tx.commit().await.unwrap();
            who
        }, OCTOBER(), &[])
        .await;
        let halves = working_halves(OCTOBER());
        let list = invoices(&db).await;
        assert_eq!(list.len(), 1, "validation drafts one invoice");
        let draft = &list[0];
        assert_eq!(draft.status, domain::invoice::InvoiceStatus::Draft);
        assert_eq!(draft.net, Money::from_cents(halves * 30_000));
        let d = detail(&db, &draft.id.to_string()).await;
        assert_eq!(d.lines.len(), 1);
        assert_eq!(
            d.lines[0].description,
            format!("Prestation de Camille Martin — octobre 2026 — {} j × 600,00\u{a0}€", halves / 2)
        );
        assert_eq!(d.lines[0].days.len() as i64, halves, "each half day is linked");

        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02)).await.unwrap();
        assert_eq!((s.units, s.drafted, s.issued, s.accrued), (1, 0, 1, 0), "{s:?}");
        assert_eq!(s.issued_net, Money::from_cents(halves * 30_000));
        assert_eq!(s.issued_vat, Money::from_cents(halves * 6_000));
        assert_eq!(s.issued_gross, Money::from_cents(halves * 36_000));
        assert!(s.errors.is_empty());
        let d = detail(&db, &draft.id.to_string()).await;
        assert_eq!(d.summary.number.as_deref(), Some("FA-2026-000001"));
        assert_eq!(d.summary.due_date, Some(date!(2026 - 12 - 02)), "30 days net by default");
        let frozen = d.frozen.expect("parties frozen at issue");
        assert_eq!(frozen.buyer.city.as_deref(), Some("Courbevoie"));
        assert_eq!(d.entries.len(), 1);
        assert_eq!(balance(&db, "411").await, halves * 36_000);
        assert_eq!(balance(&db, "706").await, -halves * 30_000);
        assert_eq!(balance(&db, "44574").await, -halves * 6_000);
        // Revenue carries the mission's analytic code.
        let coded: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_lines l JOIN missions m ON m.analytic_code = l.analytic_code
             WHERE l.account = '706'"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(coded, 1);

        // Again: nothing to do, nothing written.
        let again = run_close(&db, OCTOBER(), date!(2026 - 11 - 02)).await.unwrap();
        assert_eq!((again.drafted, again.issued, again.accrued), (0, 0, 0));
        assert_eq!(invoices(&db).await.len(), 1);

        // Issuing it again is refused.
        let mut tx = db.begin().await.unwrap();
        let e = store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-already-issued"), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn a_contract_billing_its_missions_together_gets_one_invoice() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (a, ma) = staffed(&db, &w, "camille", "Camille Martin").await;
        let (b, mb) = staffed(&db, &w, "lucas", "Lucas Petit").await;
        let k = contract(&db, w.client, "CADRE-1").await;
        for m in [ma, mb] {
            attach(&db, m, k).await;
        }
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE client_contracts SET invoice_grouping = 'per_contract' WHERE id = $1"
        )
        .bind(k.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        validated(&db, a, OCTOBER(), &[]).await;
        validated(&db, b, OCTOBER(), &[]).await;
        let list = invoices(&db).await;
        assert_eq!(list.len(), 1, "{list:?}");
        let d = detail(&db, &list[0].id.to_string()).await;
        assert_eq!(d.lines.len(), 2);
        assert!(
            d.lines[0].description.contains("Camille")
                != d.lines[1].description.contains("Camille")
        );
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        assert_eq!(s.issued, 1);
        // Two analytic codes: two revenue lines in the sales entry.
        let revenue: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_lines WHERE account = '706'"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(revenue, 2);
    })
    .await;
}

pub(crate) async fn contract(db: &Db, client: CompanyId, reference: &str) -> ContractId {
    let data = domain::contract::ContractInput {
        client_id: client.to_string(),
        kind: "framework".into(),
        reference: reference.into(),
        title: "Contrat cadre".into(),
        valid_from: "2026-01-01".into(),
        payment_days: "45".into(),
        payment_end_of_month: true,
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let k = store::contracts::create(&mut tx, &actor(), &data)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    k.id
}

pub(crate) async fn attach(db: &Db, m: MissionId, k: ContractId) {
    let mut tx = db.begin().await.unwrap();
    store::contracts::attach(&mut tx, &actor(), Scope::All, m, k)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn lock(db: &Db, m: MissionId) {
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE missions SET invoicing_locked = TRUE WHERE id = $1"
    )
    .bind(m.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

async fn sign_contract(db: &Db, k: ContractId) {
    let mut tx = db.begin().await.unwrap();
    for e in [
        domain::contract::ContractEvent::Send,
        domain::contract::ContractEvent::Sign,
    ] {
        store::contracts::apply(&mut tx, &actor(), Scope::All, k, e, Some("Sophie Bernard"))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn locked_months_accrue_until_the_signature_issues_them_and_reverses_each_accrual() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        let k = contract(&db, w.client, "CLT-CADRE-2026").await;
        attach(&db, m, k).await;
        lock(&db, m).await;
        let (oct, nov) = (OCTOBER(), OCTOBER().next());
        validated(&db, who, oct, &[]).await;
        let s = run_close(&db, oct, date!(2026 - 11 - 02)).await.unwrap();
        assert_eq!((s.issued, s.waiting, s.accrued), (0, 1, 1), "{s:?}");
        let oct_gross = working_halves(oct) * 36_000;
        assert_eq!(s.accrued_gross, Money::from_cents(oct_gross));
        validated(&db, who, nov, &[]).await;
        let s = run_close(&db, nov, date!(2026 - 12 - 01)).await.unwrap();
        // October's accrual stands; November's is booked.
        assert_eq!((s.issued, s.waiting, s.accrued), (0, 2, 1), "{s:?}");
        let nov_gross = working_halves(nov) * 36_000;
        assert_eq!(balance(&db, "4181").await, oct_gross + nov_gross);
        assert_eq!(balance(&db, "44587").await, -(oct_gross + nov_gross) / 6);
        assert_eq!(balance(&db, "411").await, 0);
        // Issuing by hand is refused while the lock holds.
        let waiting = {
            let mut tx = db.read().await.unwrap();
            let w = read::waiting(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            w
        };
        assert_eq!(waiting.len(), 2);
        assert!(waiting.iter().all(|i| i.accrued == Some(i.gross)));
        let mut tx = db.begin().await.unwrap();
        let e = store::invoicing::issue(&mut tx, &actor(), waiting[0].id, date!(2026 - 12 - 02))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-waiting-signature"));
        drop(tx);

        // The signature queues the release; the job issues both, oldest first.
        sign_contract(&db, k).await;
        let queued: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE kind = $1"
        )
        .bind(store::invoicing::lock::RELEASE_JOB)
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(queued, 1);
        let released =
            store::invoicing::lock::release_contract(&db, &actor(), k, date!(2026 - 12 - 02))
                .await
                .unwrap();
        let numbers: Vec<String> = released
            .iter()
            .map(|r| r.issued.as_ref().expect("issued").number.clone())
            .collect();
        assert_eq!(numbers, ["FA-2026-000001", "FA-2026-000002"]);
        assert_eq!(balance(&db, "4181").await, 0);
        assert_eq!(balance(&db, "44587").await, 0);
        assert_eq!(balance(&db, "411").await, oct_gross + nov_gross);
        assert_eq!(balance(&db, "706").await, -(oct_gross + nov_gross) * 5 / 6);
        // Each reversal points at its accrual and the accrual at its invoice.
        let links: Vec<(String, Option<String>, Option<String>)> =
            store::on_pool!(&db, |c| sqlx::query_as(
                "SELECT a.invoice_id, a.released_by_invoice_id, r.reverses_id = a.entry_id AS ok
             FROM accruals a JOIN ledger_entries r ON r.id = a.reversal_entry_id"
            )
            .fetch_all(c)
            .await)
            .map(|rows: Vec<(String, Option<String>, bool)>| {
                rows.into_iter()
                    .map(|(i, by, ok)| (i, by, ok.then(|| "linked".to_owned())))
                    .collect()
            })
            .unwrap();
        assert_eq!(links.len(), 2);
        for (invoice, by, ok) in links {
            assert_eq!(by.as_deref(), Some(invoice.as_str()));
            assert_eq!(ok.as_deref(), Some("linked"));
        }
        // A second release finds nothing to do.
        let again =
            store::invoicing::lock::release_contract(&db, &actor(), k, date!(2026 - 12 - 02))
                .await
                .unwrap();
        assert!(again.is_empty());
    })
    .await;
}

/// The lock as read from the database is `domain`'s decision over the
/// facts stored, for every combination of them.
#[tokio::test]
async fn the_stored_lock_is_the_domain_decision_for_every_combination() {
    use domain::contract::{ContractStatus, KeyAccountFacts};
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        let k = contract(&db, w.client, "CLT-CADRE-2026").await;
        validated(&db, who, OCTOBER(), &[]).await;
        let invoice = invoices(&db).await[0].id;
        let statuses = std::iter::once(None).chain(ContractStatus::ALL.map(Some));
        for invoicing_locked in [false, true] {
            for contract in statuses.clone() {
                store::on_pool!(&db, |c| sqlx::query(
                    "UPDATE missions SET invoicing_locked = $2, client_contract_id = $3 WHERE id = $1"
                )
                .bind(m.to_string())
                .bind(invoicing_locked)
                .bind(contract.map(|_| k.to_string()))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .unwrap();
                if let Some(s) = contract {
                    store::on_pool!(&db, |c| sqlx::query(
                        "UPDATE client_contracts SET status = $2 WHERE id = $1"
                    )
                    .bind(k.to_string())
                    .bind(s.as_str())
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))
                    .unwrap();
                }
                let mut tx = db.read().await.unwrap();
                let stored = store::invoicing::lock::still_locked(&mut tx, invoice)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                let facts = KeyAccountFacts {
                    invoicing_locked,
                    contract,
                };
                assert_eq!(stored, facts.lock_holds(), "{facts:?}");
            }
        }
    })
    .await;
}

/// The half days billed and not credited, as the lines' masks say; the
/// guard rows must hold exactly their union, per consultant and month.
pub(crate) async fn live_billed(db: &Db) -> BTreeSet<(Date, String)> {
    let rows: Vec<(String, String, i64, i64)> = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT consultant_id, month, mask, credited FROM billed_masks"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let guard: Vec<(String, String, i64)> = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT consultant_id, month, mask FROM billed_guard WHERE mask <> 0"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let mut union: std::collections::BTreeMap<(String, String), HalfDayMask> = Default::default();
    let mut out = BTreeSet::new();
    for (who, month, mask, credited) in rows {
        let live = HalfDayMask::from_bits(mask)
            .unwrap()
            .minus(HalfDayMask::from_bits(credited).unwrap());
        let seen = union.entry((who, month.clone())).or_default();
        assert!(!seen.overlaps(live), "a half day live on two lines");
        *seen = *seen | live;
        for (d, h) in live.slots(YearMonth::parse(&month).unwrap()) {
            out.insert((d, h.as_str().to_owned()));
        }
    }
    union.retain(|_, m| !m.is_empty());
    let guard: std::collections::BTreeMap<(String, String), HalfDayMask> = guard
        .into_iter()
        .map(|(who, month, m)| ((who, month), HalfDayMask::from_bits(m).unwrap()))
        .collect();
    assert_eq!(
        guard, union,
        "the guard is the union of what lines still bill"
    );
    out
}

/// How many half days issued invoices still bill.
async fn issued_live(db: &Db) -> i64 {
    let rows: Vec<(i64, i64)> = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT b.mask, b.credited FROM billed_masks b JOIN invoice_lines l ON l.id = b.line_id
           JOIN invoices i ON i.id = l.invoice_id
         WHERE i.status = 'issued'"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter()
        .map(|(m, c)| {
            i64::from(
                HalfDayMask::from_bits(m)
                    .unwrap()
                    .minus(HalfDayMask::from_bits(c).unwrap())
                    .count(),
            )
        })
        .sum()
}

pub(crate) async fn validated_slots(db: &Db) -> BTreeSet<(Date, String)> {
    let rows: Vec<(Date, String)> = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT s.day, s.half FROM cra_slots s JOIN cras r ON r.id = s.cra_id
         WHERE r.status = 'validated' AND s.activity = 'mission'"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter().collect()
}

pub(crate) fn pick(days: &[(Date, Half)], n: usize) -> Vec<(Date, Half)> {
    days.iter().take(n).copied().collect()
}

#[tokio::test]
async fn credit_notes_give_back_exactly_the_days_chosen() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, _) = staffed(&db, &w, "camille", "Camille Martin").await;
        validated(&db, who, OCTOBER(), &[]).await;
        run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        let invoice = invoices(&db).await.remove(0);
        let d = detail(&db, &invoice.id.to_string()).await;
        let days: Vec<(Date, Half)> = d.lines[0].days.iter().map(|(d, h, _)| (*d, *h)).collect();
        let chosen: Vec<BilledDay> = pick(&days, 3)
            .into_iter()
            .map(|(day, half)| BilledDay {
                consultant_id: who,
                day,
                half,
            })
            .collect();
        let credit = |sel: CreditSelection, on: Date| {
            let db = db.clone();
            let id = invoice.id;
            async move {
                let mut tx = db.begin().await.unwrap();
                let r = store::invoicing::credit(&mut tx, &actor(), id, &sel, on, "Erreur").await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                }
                r
            }
        };
        let av = credit(CreditSelection::Days(chosen.clone()), date!(2026 - 11 - 05))
            .await
            .unwrap();
        assert_eq!(av.number, "AV-2026-000001");
        // 1,5 day at 600 € = 900 € HT, 180 € VAT, 1 080 € TTC.
        let cn = detail(&db, &av.id.to_string()).await;
        assert_eq!(cn.summary.gross, Money::from_euros(1_080));
        assert_eq!(cn.credited.as_ref().map(|c| c.id), Some(invoice.id));
        assert_eq!(balance(&db, "411").await, invoice.gross.cents() - 108_000);
        // Those days are billable again, and only those.
        let live = live_billed(&db).await;
        assert_eq!(live.len() as i64, working_halves(OCTOBER()) - 3);
        // Crediting them again is more than the invoice still bills.
        let e = credit(
            CreditSelection::Days(chosen[..1].to_vec()),
            date!(2026 - 11 - 05),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "credit-days-not-on-invoice"),
            "{e:?}"
        );
        let e = credit(CreditSelection::Days(Vec::new()), date!(2026 - 11 - 05))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(ref v) if v.0[0].key == "credit-nothing-selected"));
        // The next close bills them once more, on a new invoice.
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 06))
            .await
            .unwrap();
        assert_eq!((s.drafted, s.issued), (1, 1), "{s:?}");
        assert_eq!(s.issued_gross, Money::from_euros(1_080));
        assert_eq!(live_billed(&db).await, validated_slots(&db).await);
        // A credit note dated before the series' last one is refused.
        let e = credit(CreditSelection::All, date!(2026 - 11 - 04))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-date-before-last"),
            "{e:?}"
        );
        // Crediting everything left nets the first invoice to zero.
        let all = credit(CreditSelection::All, date!(2026 - 11 - 06))
            .await
            .unwrap();
        assert_eq!(all.number, "AV-2026-000002");
        let credited: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(SUM(gross_cents) AS BIGINT) FROM invoices WHERE credits_id = $1"
        )
        .bind(invoice.id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(credited, invoice.gross.cents());
    })
    .await;
}

#[tokio::test]
async fn a_corrected_report_bills_the_difference_only() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        let working = OCTOBER().working_days(domain::calendar::Region::Standard);
        let (first, last2) = (working[0], &working[working.len() - 2..]);
        // October without its last two days (bench).
        let bench: Vec<Cell> = last2
            .iter()
            .map(|d| Cell {
                activity: Activity::Bench,
                day: *d,
                half_days: 2,
            })
            .collect();
        let id = validated(&db, who, OCTOBER(), &bench).await;
        run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        let before = live_billed(&db).await;
        // Corrected: the 1st was not worked, the last two were.
        let mut tx = db.begin().await.unwrap();
        let v2 = store::cras::reopen(&mut tx, &actor(), id, "Jours corrigés")
            .await
            .unwrap();
        let sheet = store::cras::get(&mut tx, Scope::All, v2).await.unwrap();
        let mut cells: Vec<Cell> = working
            .iter()
            .filter(|d| **d != first)
            .map(|d| Cell {
                activity: Activity::Mission(m),
                day: *d,
                half_days: 2,
            })
            .collect();
        cells.push(Cell {
            activity: Activity::Bench,
            day: first,
            half_days: 2,
        });
        let _ = sheet;
        store::cras::save(
            &mut tx,
            &actor(),
            Scope::All,
            v2,
            &store::cras::Entry {
                cells,
                comment: None,
                extras: Vec::new(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        through_validation(&db, v2).await;
        // The 1st was credited at once; the two new days wait in a draft.
        let list = invoices(&db).await;
        let credit_notes: Vec<_> = list
            .iter()
            .filter(|i| i.kind == domain::invoice::InvoiceKind::CreditNote)
            .collect();
        assert_eq!(credit_notes.len(), 1);
        assert_eq!(credit_notes[0].net, Money::from_euros(600));
        let drafts: Vec<_> = list
            .iter()
            .filter(|i| i.status == domain::invoice::InvoiceStatus::Draft)
            .collect();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].net, Money::from_euros(1_200));
        assert_eq!(live_billed(&db).await, validated_slots(&db).await);
        assert_ne!(before, live_billed(&db).await);
    })
    .await;
}

/// A small deterministic generator: the sequences are random but
/// reproducible from the seed printed on failure.
pub(crate) struct Lcg(pub(crate) u64);
impl Lcg {
    pub(crate) fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test]
async fn random_sequences_never_bill_a_day_twice_nor_lose_one() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        let working = OCTOBER().working_days(domain::calendar::Region::Standard);
        let mut cra = validated(&db, who, OCTOBER(), &[]).await;
        let mut rng = Lcg(0x5eed_2026);
        // A corrected report is credited on the day it is validated (today),
        // so the sequence's documents are dated from today on.
        let date = store::today();
        let mut seen = [0; 3];
        for step in 0..18 {
            let op = rng.next(3);
            seen[op] += 1;
            match op {
                // Close: everything validated ends up billed.
                0 => {
                    run_close(&db, OCTOBER(), date).await.unwrap();
                    assert_eq!(
                        live_billed(&db).await,
                        validated_slots(&db).await,
                        "step {step}"
                    );
                }
                // Credit some days of an issued invoice.
                1 => {
                    let issued: Vec<_> = invoices(&db)
                        .await
                        .into_iter()
                        .filter(|i| {
                            i.kind == domain::invoice::InvoiceKind::Invoice
                                && i.status == domain::invoice::InvoiceStatus::Issued
                        })
                        .collect();
                    if issued.is_empty() {
                        continue;
                    }
                    let inv = &issued[rng.next(issued.len())];
                    let mut tx = db.begin().await.unwrap();
                    let live = store::invoicing::credit::live_days(&mut tx, inv.id)
                        .await
                        .unwrap();
                    if live.is_empty() {
                        continue;
                    }
                    let n = 1 + rng.next(live.len());
                    let chosen: Vec<BilledDay> = live.iter().take(n).map(|(d, _)| *d).collect();
                    store::invoicing::credit(
                        &mut tx,
                        &actor(),
                        inv.id,
                        &CreditSelection::Days(chosen),
                        date,
                        "Aléa",
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                    assert!(
                        live_billed(&db)
                            .await
                            .is_subset(&validated_slots(&db).await)
                    );
                }
                // Reopen and validate another set of days.
                _ => {
                    let mut tx = db.begin().await.unwrap();
                    let v2 = store::cras::reopen(&mut tx, &actor(), cra, "Correction")
                        .await
                        .unwrap();
                    let cells: Vec<Cell> = working
                        .iter()
                        .map(|d| Cell {
                            activity: if rng.next(3) == 0 {
                                Activity::Bench
                            } else {
                                Activity::Mission(m)
                            },
                            day: *d,
                            half_days: 2,
                        })
                        .collect();
                    store::cras::save(
                        &mut tx,
                        &actor(),
                        Scope::All,
                        v2,
                        &store::cras::Entry {
                            cells,
                            comment: None,
                            extras: Vec::new(),
                        },
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                    through_validation(&db, v2).await;
                    cra = v2;
                    assert_eq!(
                        live_billed(&db).await,
                        validated_slots(&db).await,
                        "step {step}"
                    );
                }
            }
            // Money follows the days: the revenue booked is what the issued
            // invoices still bill, at 300 € the half day.
            let issued_live = issued_live(&db).await;
            assert_eq!(
                balance(&db, "706").await,
                -issued_live * 30_000,
                "step {step} op {op}"
            );
            assert_eq!(
                balance(&db, "411").await,
                issued_live * 36_000,
                "step {step} op {op}"
            );
        }
        assert!(
            seen.iter().all(|n| *n >= 3),
            "every move was tried: {seen:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn two_closes_at_once_issue_each_invoice_once_without_gaps() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let n = 8;
        for i in 0..n {
            let (who, _) = staffed(&db, &w, &format!("c{i}"), &format!("Consultant {i}")).await;
            validated(&db, who, OCTOBER(), &[]).await;
        }
        let (a, b) = tokio::join!(
            run_close(&db, OCTOBER(), date!(2026 - 11 - 02)),
            run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.errors.is_empty() && b.errors.is_empty(), "{a:?} {b:?}");
        assert_eq!(a.issued + b.issued, n);
        let mut numbers: Vec<String> = invoices(&db)
            .await
            .into_iter()
            .filter_map(|i| i.number)
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=n).map(|k| format!("FA-2026-{k:06}")).collect();
        assert_eq!(numbers, expected);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_what_is_missing_and_nothing_written() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, _) = staffed(&db, &w, "camille", "Camille Martin").await;
        // A client without SIREN: the close drafts but reports the refusal.
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE companies SET siren = NULL WHERE id = $1"
        )
        .bind(w.client.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        validated(&db, who, OCTOBER(), &[]).await;
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        assert_eq!(s.issued, 0);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].key, "invoice-client-incomplete");
        assert!(s.errors[0].unit.contains("Clientis"));
        assert_eq!(s.errors[0].args[0].1, Arg::keys(&["mention-buyer-siren"]));
        let list = invoices(&db).await;
        assert_eq!(list[0].status, domain::invoice::InvoiceStatus::Draft);
        // Stored with the label's key, shown in the reader's language.
        assert!(
            list[0]
                .issue_error
                .as_deref()
                .unwrap_or_default()
                .contains("missing=mention-buyer-siren")
        );
        assert_eq!(balance(&db, "411").await, 0);

        // A closed period: the close is refused before anything is written.
        complete_client(&db, w.client).await;
        let mut tx = db.begin().await.unwrap();
        store::ledger_close::close_period(&mut tx, &actor(), OCTOBER())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let runs_before = crate::support::count(&db, "close_runs").await;
        let e = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "close-period-closed"),
            "{e:?}"
        );
        assert_eq!(crate::support::count(&db, "close_runs").await, runs_before);
        // Issuing into a closed period is refused too (once the draft took
        // the completed client's details).
        let mut tx = db.begin().await.unwrap();
        store::invoicing::issue::refresh_terms(&mut tx, &actor(), list[0].id)
            .await
            .unwrap();
        let e = store::invoicing::issue(&mut tx, &actor(), list[0].id, date!(2026 - 10 - 31))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "ledger-period-closed"),
            "{e:?}"
        );
    })
    .await;
}

/// The OD journal is numbered by date: a close that both reverses
/// accruals (on the issue date) and books new ones (at the period's end)
/// must book first, whatever order the contracts come in.
#[tokio::test]
async fn a_close_accrues_and_releases_in_one_run_whatever_the_order() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (a, ma) = staffed(&db, &w, "camille", "Camille Martin").await;
        let (b, mb) = staffed(&db, &w, "lucas", "Lucas Petit").await;
        let (ka, kb) = (
            contract(&db, w.client, "CADRE-A").await,
            contract(&db, w.client, "CADRE-B").await,
        );
        attach(&db, ma, ka).await;
        attach(&db, mb, kb).await;
        lock(&db, ma).await;
        lock(&db, mb).await;
        let (oct, nov) = (OCTOBER(), OCTOBER().next());
        validated(&db, a, oct, &[]).await;
        validated(&db, b, oct, &[]).await;
        let s = run_close(&db, oct, date!(2026 - 11 - 02)).await.unwrap();
        assert_eq!((s.accrued, s.waiting), (2, 2), "{s:?}");
        // A's contract is signed; the release job has not run yet.
        sign_contract(&db, ka).await;
        validated(&db, a, nov, &[]).await;
        validated(&db, b, nov, &[]).await;
        let s = run_close(&db, nov, date!(2026 - 12 - 01)).await.unwrap();
        assert!(s.errors.is_empty(), "{s:?}");
        // B's November is accrued at its end (A's was drafted after the
        // signature: it goes out now); A's two months are issued, October's
        // accrual reversed on the issue date.
        assert_eq!((s.accrued, s.issued, s.waiting), (1, 2, 2), "{s:?}");
        let live: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM accruals WHERE reversal_entry_id IS NULL"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(live, 2, "B's two months still accrued");
        let b_gross = (working_halves(oct) + working_halves(nov)) * 36_000;
        assert_eq!(balance(&db, "4181").await, b_gross);
    })
    .await;
}

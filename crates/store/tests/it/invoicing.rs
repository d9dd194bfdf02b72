//! Draft invoices from validated reports, on the demo: one line per rate
//! period with the EN 16931 totals, the key-account lock, nothing billed
//! twice (and the database itself refusing a day billed twice).

use domain::calendar::YearMonth;
use domain::cra::Activity;
use domain::money::Money;
use store::testing::on_each_backend;
use store::{Actor, Db, Error, Scope};

async fn camille_last_month(db: &Db) -> (domain::ids::UserId, domain::ids::CraId) {
    let mut tx = db.read().await.unwrap();
    let camille = store::users::find_by_email(&mut tx, "camille.martin@stafforia.example")
        .await
        .unwrap()
        .unwrap();
    let id = store::cras::find(
        &mut tx,
        camille.id,
        YearMonth::of(store::now().date()).prev(),
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    (camille.id, id)
}

#[tokio::test]
async fn a_validated_month_is_drafted_once_and_waits_for_the_contract() {
    on_each_backend(|db| async move {
        store::demo::seed(&db).await.unwrap();
        let (camille, cra) = camille_last_month(&db).await;
        let mut tx = db.begin().await.unwrap();
        let sheet = store::cras::get(&mut tx, Scope::All, cra).await.unwrap();
        let halves = sheet
            .slots
            .iter()
            .filter(|s| matches!(s.activity, Activity::Mission(_)))
            .count() as i64;
        let drafts = store::invoicing::draft_for_report(&mut tx, &Actor::system("test"), cra)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(drafts.len(), 1);
        let d = &drafts[0];
        // Clientis has not signed its contract and the mission is locked.
        assert!(d.waiting_signature);
        assert_eq!(d.lines.len(), 1);
        let days = halves / 2;
        assert!(
            d.lines[0].description.starts_with("Prestation de Camille Martin — ")
                && d.lines[0].description.ends_with(&format!("{days} j × 600,00\u{a0}€")),
            "{}",
            d.lines[0].description
        );
        assert_eq!(d.totals.net, Money::from_cents(halves * 30_000));
        assert_eq!(d.totals.vat, Money::from_cents(halves * 6_000));
        assert_eq!(d.totals.gross, Money::from_cents(halves * 36_000));

        // Again: nothing left to bill.
        let mut tx = db.begin().await.unwrap();
        let again = store::invoicing::draft_for_report(&mut tx, &Actor::system("test"), cra)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(again.is_empty());

        // The database itself refuses a day billed twice.
        let (day, half): (time::Date, String) = store::on_pool!(&db, |c| sqlx::query_as(
            "SELECT day, half FROM billed_days LIMIT 1"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        let line: String = store::on_pool!(&db, |c| sqlx::query_scalar("SELECT id FROM invoice_lines LIMIT 1")
            .fetch_one(c)
            .await)
        .unwrap();
        let other = uuid_of_another_line(&db, &line).await;
        let twice = store::on_pool!(&db, |c| sqlx::query(
            "INSERT INTO billed_days (consultant_id, day, half, cra_id, line_id) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(camille.to_string())
        .bind(day)
        .bind(&half)
        .bind(cra.to_string())
        .bind(&other)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
        assert!(twice.is_err(), "a day billed twice must be refused by the database");
    })
    .await;
}

/// A second line to hang the duplicate on (the primary key is per line, so
/// only the partial unique index can refuse it).
async fn uuid_of_another_line(db: &Db, line: &str) -> String {
    let id = "00000000-0000-0000-0000-0000000000aa".to_owned();
    store::on_pool!(db, |c| sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
           unit_price_cents, vat_rate_bp, net_cents)
         SELECT $1, invoice_id, position + 100, mission_id, analytic_code, description, half_days, unit_price_cents,
           vat_rate_bp, net_cents FROM invoice_lines WHERE id = $2"
    )
    .bind(&id)
    .bind(line)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    id
}

#[tokio::test]
async fn only_validated_reports_are_invoiced() {
    on_each_backend(|db| async move {
        store::demo::seed(&db).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let camille = store::users::find_by_email(&mut tx, "camille.martin@stafforia.example")
            .await
            .unwrap()
            .unwrap();
        let current = store::cras::find(&mut tx, camille.id, YearMonth::of(store::now().date()))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = store::invoicing::draft_for_report(&mut tx, &Actor::system("test"), current)
            .await
            .unwrap_err();
        drop(tx);
        assert!(
            matches!(&e, Error::Invalid(v) if v.0[0].key == "invoice-report-not-validated"),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn issuing_numbers_the_invoice_with_its_sales_entry() {
    on_each_backend(|db| async move {
        store::demo::seed(&db).await.unwrap();
        let (_, cra) = camille_last_month(&db).await;
        let actor = Actor::system("test");
        let mut tx = db.begin().await.unwrap();
        let d = store::invoicing::draft_for_report(&mut tx, &actor, cra)
            .await
            .unwrap()
            .remove(0);
        tx.commit().await.unwrap();
        let today = store::now().date();
        let issue = async |db: &Db| {
            let mut tx = db.begin().await.unwrap();
            let r = store::invoicing::issue(&mut tx, &actor, &d.id, today).await;
            if r.is_ok() {
                tx.commit().await.unwrap();
            }
            r
        };
        let keys = |e: Error| match e {
            Error::Invalid(v) => {
                v.0.iter()
                    .map(|f| (f.key, f.args.clone()))
                    .collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        // Locked until Clientis signs its contract.
        assert_eq!(
            keys(issue(&db).await.unwrap_err())[0].0,
            "invoice-waiting-signature"
        );
        // Unlocked (the contract-signed path is #6's next step), but the
        // client's SIREN is missing: refused, saying what is missing.
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE invoices SET status = 'draft' WHERE id = $1"
        )
        .bind(&d.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let siren: Option<String> = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT siren FROM companies WHERE id = $1"
        )
        .bind(d.client_id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE companies SET siren = NULL WHERE id = $1"
        )
        .bind(d.client_id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let e = keys(issue(&db).await.unwrap_err());
        assert_eq!(e[0].0, "invoice-client-incomplete");
        assert_eq!(e[0].1, vec![("missing", "SIREN".to_owned())]);
        assert_eq!(crate::support::count(&db, "ledger_entries").await, 0);
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE companies SET siren = $2 WHERE id = $1"
        )
        .bind(d.client_id.to_string())
        .bind(&siren)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();

        let issued = issue(&db).await.unwrap();
        let year = today.year();
        assert_eq!(issued.number, format!("FA-{year}-000001"));
        assert_eq!(issued.entry_number, format!("VE-{year}-000001"));
        let mut tx = db.read().await.unwrap();
        let tb = store::ledger::trial_balance(&mut tx, today, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let of = |a: &str| tb.iter().find(|b| b.account.as_str() == a).unwrap().totals;
        assert_eq!(of("411").debit, d.totals.gross);
        assert_eq!(of("706").credit, d.totals.net);
        assert_eq!(of("44574").credit, d.totals.vat);
        // Issued once.
        assert_eq!(
            keys(issue(&db).await.unwrap_err())[0].0,
            "invoice-already-issued"
        );
    })
    .await;
}

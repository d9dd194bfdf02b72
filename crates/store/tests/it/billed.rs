//! The half days lines bill, stored as one mask per line, consultant and
//! month, on both backends: days credited back are billed again exactly,
//! two drafts of the same days at once bill them once (on PostgreSQL the
//! second is refused by the guard row and writes nothing; SQLite queues
//! it behind the first, which leaves it nothing to draft), and the
//! migration folds one-row-per-half-day rows into the same masks.

use std::time::Duration;

use domain::cra::Half;
use domain::invoice::billed::HalfDayMask;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use fixtures::testing::on_each_backend;
use store::invoicing::credit::BilledDay;
use store::invoicing::{CreditSelection, Group};
use store::{Backend, Db, Error};
use time::Date;
use time::macros::date;

use crate::invoicing::{
    OCTOBER, World, detail, invoices, live_billed, run_close, staffed, validated, world,
};
use crate::support::actor;

/// Camille's October validated and invoiced, then two of its days (four
/// half days) credited back. Returns the mission and the days credited.
async fn two_days_credited(db: &Db, w: &World) -> (domain::ids::MissionId, Vec<(Date, Half)>) {
    let (who, m) = staffed(db, w, "camille", "Camille Martin").await;
    validated(db, who, OCTOBER(), &[]).await;
    run_close(db, OCTOBER(), date!(2026 - 11 - 02))
        .await
        .unwrap();
    let invoice = invoices(db).await.remove(0);
    let d = detail(db, &invoice.id.to_string()).await;
    let days: Vec<(Date, Half)> = d.lines[0]
        .days
        .iter()
        .skip(4)
        .take(4)
        .map(|(d, h, _)| (*d, *h))
        .collect();
    let chosen: Vec<BilledDay> = days
        .iter()
        .map(|(day, half)| BilledDay {
            consultant_id: who,
            day: *day,
            half: *half,
        })
        .collect();
    let mut tx = db.begin().await.unwrap();
    store::invoicing::credit(
        &mut tx,
        &actor(),
        invoice.id,
        &CreditSelection::Days(chosen),
        date!(2026 - 11 - 05),
        "Deux jours non travaillés",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (m, days)
}

#[tokio::test]
async fn credited_days_are_billed_again_exactly_those() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (_, days) = two_days_credited(&db, &w).await;
        let billed = live_billed(&db).await;
        for (d, h) in &days {
            assert!(
                !billed.contains(&(*d, h.as_str().to_owned())),
                "{d} {h:?} given back"
            );
        }
        // The credit note's line lists the days it gave back; the invoice's
        // line shows them credited.
        let list = invoices(&db).await;
        let note = list
            .iter()
            .find(|i| i.kind == InvoiceKind::CreditNote)
            .unwrap();
        let note = detail(&db, &note.id.to_string()).await;
        let given: Vec<(Date, Half)> = note.lines[0]
            .days
            .iter()
            .map(|(d, h, _)| (*d, *h))
            .collect();
        assert_eq!(given, days);
        assert!(note.lines[0].days.iter().all(|(.., credited)| *credited));
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 06))
            .await
            .unwrap();
        assert_eq!((s.drafted, s.issued), (1, 1), "{s:?}");
        let list = invoices(&db).await;
        let again = list
            .iter()
            .filter(|i| i.kind == InvoiceKind::Invoice)
            .max_by_key(|i| i.number.clone())
            .unwrap();
        let again = detail(&db, &again.id.to_string()).await;
        let rebilled: Vec<(Date, Half)> = again.lines[0]
            .days
            .iter()
            .map(|(d, h, _)| (*d, *h))
            .collect();
        assert_eq!(rebilled, days, "exactly the days credited, once more");
        assert_eq!(again.lines[0].half_days, 4);
        assert_eq!(live_billed(&db).await.len(), billed.len() + 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_drafts_of_one_half_day_at_once_bill_it_once() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (m, days) = two_days_credited(&db, &w).await;
        let group = Group::Mission(m);
        let mut first = db.begin().await.unwrap();
        let drafted = store::invoicing::draft::draft_group(&mut first, &actor(), group, OCTOBER())
            .await
            .unwrap()
            .expect("the credited days are drafted");
        assert_eq!(drafted.lines[0].quantity.half_days(), 4);
        // The second reads the days as not billed (the first has not
        // committed) and drafts them too.
        let other = db.clone();
        let second = tokio::spawn(async move {
            let mut tx = other.begin().await?;
            match store::invoicing::draft::draft_group(&mut tx, &actor(), group, OCTOBER()).await {
                Ok(d) => {
                    tx.commit().await?;
                    Ok(d.map(|d| d.id))
                }
                Err(e) => {
                    tx.rollback().await?;
                    Err(e)
                }
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!second.is_finished(), "the second waits for the first");
        first.commit().await.unwrap();
        let second = second.await.unwrap();
        match db.backend() {
            Backend::Postgres => assert!(
                matches!(second, Err(Error::Conflict { field: "day" })),
                "{second:?}"
            ),
            Backend::Sqlite => assert!(matches!(second, Ok(None)), "{second:?}"),
        }
        // Nothing of the second was written: one draft, the days once.
        let drafts: Vec<_> = invoices(&db)
            .await
            .into_iter()
            .filter(|i| i.status == InvoiceStatus::Draft)
            .collect();
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].id, drafted.id);
        let d = detail(&db, &drafted.id.to_string()).await;
        let on_draft: Vec<(Date, Half)> =
            d.lines[0].days.iter().map(|(d, h, _)| (*d, *h)).collect();
        assert_eq!(on_draft, days);
        assert_eq!(
            live_billed(&db).await,
            crate::invoicing::validated_slots(&db).await
        );
    })
    .await;
}

type MaskRow = (String, String, String, String, i64, i64);
type CreditRow = (String, String, String, String, i64);

/// The three tables as stored, in a fixed order (guard rows with bits).
async fn stored(db: &Db) -> (Vec<MaskRow>, Vec<CreditRow>, Vec<(String, String, i64)>) {
    let masks = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT line_id, consultant_id, month, cra_id, mask, credited FROM billed_masks
         ORDER BY line_id, consultant_id, month"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let credits = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT credit_line_id, line_id, consultant_id, month, mask FROM billed_credits
         ORDER BY credit_line_id, line_id, consultant_id, month"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let guard = store::on_pool!(db, |c| sqlx::query_as(
        "SELECT consultant_id, month, mask FROM billed_guard WHERE mask <> 0 ORDER BY consultant_id, month"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    (masks, credits, guard)
}

async fn exec(db: &Db, sql: &str) {
    let sql = sql.to_owned();
    store::on_pool!(db, |c| sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
}

#[tokio::test]
async fn the_migration_folds_one_row_per_half_day_into_the_same_masks() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        two_days_credited(&db, &w).await;
        // A second credit note on the same line, and a draft of November.
        let list = invoices(&db).await;
        let invoice = list
            .iter()
            .find(|i| i.kind == InvoiceKind::Invoice)
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let live = store::invoicing::credit::live_days(&mut tx, invoice.id)
            .await
            .unwrap();
        let one: Vec<BilledDay> = live.iter().rev().take(1).map(|(d, _)| *d).collect();
        store::invoicing::credit(
            &mut tx,
            &actor(),
            invoice.id,
            &CreditSelection::Days(one),
            date!(2026 - 11 - 05),
            "Une demi-journée",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (who, _) = staffed(&db, &w, "alix", "Alix Durand").await;
        validated(&db, who, domain::calendar::YearMonth::of(date!(2026 - 11 - 01)), &[]).await;
        let before = stored(&db).await;
        let live_before = live_billed(&db).await;
        assert!(before.1.len() == 2 && before.0.len() == 2, "{before:?}");

        // The same days as rows of the former table, one per half day.
        let (masks, credits, _) = &before;
        let mut rows = Vec::new();
        for (line, consultant, month, cra, mask, _) in masks {
            let month = domain::calendar::YearMonth::parse(month).unwrap();
            for (day, half) in HalfDayMask::from_bits(*mask).unwrap().slots(month) {
                let credit = credits
                    .iter()
                    .find(|k| {
                        &k.1 == line && HalfDayMask::from_bits(k.4).unwrap().contains(day, half)
                    })
                    .map(|k| format!("'{}'", k.0))
                    .unwrap_or_else(|| "NULL".to_owned());
                rows.push(format!(
                    "('{consultant}', '{day}', '{}', '{cra}', '{line}', {credit})",
                    half.as_str()
                ));
            }
        }
        let day_type = match db.backend() {
            Backend::Sqlite => "TEXT",
            Backend::Postgres => "DATE",
        };
        exec(
            &db,
            "DROP TABLE billed_credits; DROP TABLE billed_masks; DROP TABLE billed_guard;",
        )
        .await;
        exec(
            &db,
            &format!(
                "CREATE TABLE billed_days (
                   consultant_id TEXT NOT NULL REFERENCES users (id),
                   day {day_type} NOT NULL,
                   half TEXT NOT NULL CHECK (half IN ('am', 'pm')),
                   cra_id TEXT NOT NULL REFERENCES cras (id),
                   line_id TEXT NOT NULL REFERENCES invoice_lines (id),
                   credit_line_id TEXT REFERENCES invoice_lines (id),
                   PRIMARY KEY (line_id, day, half));
                 INSERT INTO billed_days (consultant_id, day, half, cra_id, line_id, credit_line_id) VALUES {};",
                rows.join(", ")
            ),
        )
        .await;
        let migration = match db.backend() {
            Backend::Sqlite => include_str!("../../migrations/sqlite/20261209000100_billed_masks.sql"),
            Backend::Postgres => {
                include_str!("../../migrations/postgres/20261209000100_billed_masks.sql")
            }
        };
        exec(&db, migration).await;
        let after = stored(&db).await;
        assert_eq!(after, before);
        // The guard is the union of what the lines still bill (checked by
        // `live_billed`), for both consultants.
        assert_eq!(after.2.len(), 2);
        assert_eq!(live_billed(&db).await, live_before);
    })
    .await;
}

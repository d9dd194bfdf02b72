//! Dunning on both backends: the level due is sent once, pauses hold it
//! back, the formal notice claims the penalties and the indemnity, and two
//! runs at once record and mail each notice once.
//!
//! Fixture: one issued invoice, made late by setting its due date directly
//! (a test fixture: issuing computes it from the terms).

use domain::Money;
use domain::calendar::YearMonth;
use domain::dunning::{LevelInput, penalty};
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::dunning::{self, EmailState, PauseTarget, SettingsInput};
use store::{Db, Error, on_tx};
use time::{Date, Duration};

use crate::support::{actor, count};

fn today() -> Date {
    store::today()
}

/// One invoice issued for last month, made `late` days late; returns it
/// (id, client id, outstanding). The client is reached at its own address.
async fn late_invoice(db: &Db, late: i64) -> (String, String, Money) {
    let w = World::new(db).await;
    let client = w.client().email("compta@client.example").create().await;
    let m = w.mission(&client).create().await;
    let invoice = w.issued_invoice(&m, YearMonth::of(today()).prev()).await;
    let mut tx = db.begin().await.unwrap();
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE invoices SET due_date = $2 WHERE id = $1"
    )
    .bind(invoice.id.to_string())
    .bind(today() - Duration::days(late))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .unwrap());
    tx.commit().await.unwrap();
    (invoice.id.to_string(), client.id.to_string(), invoice.gross)
}

async fn notices(db: &Db, invoice: &str) -> Vec<dunning::Notice> {
    let mut tx = db.read().await.unwrap();
    let n =
        dunning::notices_of_invoice(&mut tx, invoice.parse::<domain::ids::InvoiceId>().unwrap())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    n
}

#[tokio::test]
async fn the_formal_notice_claims_penalties_and_the_indemnity_once() {
    on_each_backend(|db| async move {
        let (invoice, _, gross) = late_invoice(&db, 40).await;
        let emails_before = count(&db, "outbox_emails").await;
        let s = dunning::run(&db, today(), &app::Render).await.unwrap();
        assert_eq!(
            (s.late, s.sent, s.paused, s.no_address),
            (1, 1, 0, 0),
            "{s:?}"
        );
        let n = notices(&db, &invoice).await;
        assert_eq!(n.len(), 1, "only the highest level reached goes");
        let n = &n[0];
        assert_eq!(
            (n.level_rank, n.level_name.as_str()),
            (3, "Mise en demeure")
        );
        assert_eq!(n.days_late, 40);
        assert_eq!(n.outstanding, gross);
        assert_eq!(n.penalty, penalty(gross, 276, 40));
        assert!(n.penalty.cents() > 0);
        assert_eq!(n.indemnity, Money::from_euros(40));
        assert_eq!(n.email, EmailState::Queued);
        assert_eq!(n.email_to, "compta@client.example");
        assert_eq!(count(&db, "outbox_emails").await, emails_before + 1);
        // The e-mail says it, and carries the invoice's PDF.
        let mut tx = db.read().await.unwrap();
        let email = store::outbox::recent(&mut tx, 1).await.unwrap().remove(0);
        let files = store::outbox::attachments(&mut tx, email.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(email.to_address, "compta@client.example");
        assert!(email.subject.starts_with("Mise en demeure"));
        assert!(email.subject.contains(&n.invoice_number));
        for amount in [
            gross,
            n.penalty,
            n.indemnity,
            gross + n.penalty + n.indemnity,
        ] {
            let text = amount.format(domain::Locale::Fr);
            assert!(
                email.body_text.contains(&text),
                "{text} in\n{}",
                email.body_text
            );
        }
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].content_type, "application/pdf");
        assert_eq!(files[0].file_name, format!("{}.pdf", n.invoice_number));
        assert!(files[0].bytes.starts_with(b"%PDF"));
        // Run again the same day, or the next: nothing more.
        let again = dunning::run(&db, today(), &app::Render).await.unwrap();
        assert_eq!(again.sent, 0);
        let later = dunning::run(&db, today() + Duration::days(1), &app::Render)
            .await
            .unwrap();
        assert_eq!(later.sent, 0);
        assert_eq!(notices(&db, &n.invoice_id.to_string()).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn levels_follow_the_days_and_never_go_back() {
    on_each_backend(|db| async move {
        let (invoice, _, _) = late_invoice(&db, 1).await;
        // On the due date itself nothing is late.
        assert_eq!(
            dunning::run(&db, today() - Duration::days(1), &app::Render)
                .await
                .unwrap()
                .sent,
            0
        );
        assert_eq!(
            dunning::run(&db, today(), &app::Render).await.unwrap().sent,
            1
        );
        assert_eq!(
            dunning::run(&db, today() + Duration::days(5), &app::Render)
                .await
                .unwrap()
                .sent,
            0
        );
        assert_eq!(
            dunning::run(&db, today() + Duration::days(14), &app::Render)
                .await
                .unwrap()
                .sent,
            1
        );
        let ranks: Vec<(u32, i64, Money)> = notices(&db, &invoice)
            .await
            .iter()
            .map(|n| (n.level_rank, n.days_late, n.indemnity))
            .collect();
        assert_eq!(
            ranks,
            vec![(1, 1, Money::ZERO), (2, 15, Money::ZERO)],
            "reminder at D+1, firm at D+15, no penalties claimed yet"
        );
    })
    .await;
}

#[tokio::test]
async fn what_is_paid_or_credited_is_not_claimed() {
    on_each_backend(|db| async move {
        let (invoice, _, gross) = late_invoice(&db, 20).await;
        let mut tx = db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE invoices SET paid_cents = $2 WHERE id = $1"
        )
        .bind(invoice.as_str())
        .bind(gross.cents() - 10_000)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        tx.commit().await.unwrap();
        dunning::run(&db, today(), &app::Render).await.unwrap();
        let n = notices(&db, &invoice).await;
        assert_eq!(n[0].outstanding, Money::from_euros(100));
        // Paid in full: no further notice.
        let mut tx = db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE invoices SET paid_cents = gross_cents WHERE id = $1"
        )
        .bind(invoice.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        tx.commit().await.unwrap();
        let s = dunning::run(&db, today() + Duration::days(30), &app::Render)
            .await
            .unwrap();
        assert_eq!((s.late, s.sent), (0, 0));
    })
    .await;
}

#[tokio::test]
async fn pauses_hold_the_notices_back_until_lifted() {
    on_each_backend(|db| async move {
        let (invoice, client, _) = late_invoice(&db, 3).await;
        let a = actor();
        let mut tx = db.begin().await.unwrap();
        // Refused: no reason, a date gone, an unknown client; nothing written.
        let e = dunning::pause(
            &mut tx,
            &a,
            &PauseTarget::Client(client.clone().parse::<domain::ids::CompanyId>().unwrap()),
            " ",
            None,
            today(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(v) if v.for_field("reason").is_some()),
            "{e:?}"
        );
        let e = dunning::pause(
            &mut tx,
            &a,
            &PauseTarget::Invoice(invoice.clone().parse::<domain::ids::InvoiceId>().unwrap()),
            "Litige",
            Some(today() - Duration::days(1)),
            today(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(v) if v.for_field("until").is_some()),
            "{e:?}"
        );
        let e = dunning::pause(
            &mut tx,
            &a,
            &PauseTarget::Client(domain::ids::CompanyId::new()),
            "x",
            None,
            today(),
        )
        .await
        .unwrap_err();
        assert!(matches!(&e, Error::Invalid(v) if v.for_field("company_id").is_some()));
        let id = dunning::pause(
            &mut tx,
            &a,
            &PauseTarget::Client(client.clone().parse::<domain::ids::CompanyId>().unwrap()),
            "Litige en cours",
            None,
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "dunning_pauses").await, 1);
        let s = dunning::run(&db, today(), &app::Render).await.unwrap();
        assert_eq!((s.late, s.paused, s.sent), (1, 1, 0));
        let mut tx = db.read().await.unwrap();
        let of_invoice = dunning::pauses_of_invoice(
            &mut tx,
            invoice.parse::<domain::ids::InvoiceId>().unwrap(),
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(of_invoice.len(), 1, "the client's pause stops its invoice");
        assert_eq!(of_invoice[0].reason, "Litige en cours");
        // Lifted (once): the notice goes.
        let mut tx = db.begin().await.unwrap();
        dunning::lift(&mut tx, &a, id).await.unwrap();
        assert!(matches!(
            dunning::lift(&mut tx, &a, id).await,
            Err(Error::NotFound)
        ));
        tx.commit().await.unwrap();
        assert_eq!(
            dunning::run(&db, today(), &app::Render).await.unwrap().sent,
            1
        );
        // An invoice pause until a date: held back until then, included.
        let mut tx = db.begin().await.unwrap();
        dunning::pause(
            &mut tx,
            &a,
            &PauseTarget::Invoice(invoice.clone().parse::<domain::ids::InvoiceId>().unwrap()),
            "Promesse de paiement",
            Some(today() + Duration::days(14)),
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let s = dunning::run(&db, today() + Duration::days(14), &app::Render)
            .await
            .unwrap();
        assert_eq!((s.paused, s.sent), (1, 0));
        let s = dunning::run(&db, today() + Duration::days(15), &app::Render)
            .await
            .unwrap();
        assert_eq!((s.paused, s.sent), (0, 1));
        // The trail: who paused and lifted.
        let mut tx = db.read().await.unwrap();
        let trail = store::audit::for_entity(&mut tx, "dunning_pause", &id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(trail.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_client_without_address_gets_its_notice_recorded_unsent() {
    on_each_backend(|db| async move {
        let (invoice, client, _) = late_invoice(&db, 2).await;
        let mut tx = db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE companies SET email = NULL WHERE id = $1"
        )
        .bind(client.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        let contact: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT email FROM contacts WHERE company_id = $1 AND email IS NOT NULL
             ORDER BY CASE role WHEN 'accounts_payable' THEN 0 WHEN 'buyer' THEN 1 ELSE 2 END,
                      last_name, first_name, id LIMIT 1"
        )
        .bind(client.as_str())
        .fetch_optional(c)
        .await
        .unwrap());
        tx.commit().await.unwrap();
        if let Some(contact) = contact {
            // The company has none: a contact's address is used.
            dunning::run(&db, today(), &app::Render).await.unwrap();
            assert_eq!(notices(&db, &invoice).await[0].email_to, contact);
        }
        let mut tx = db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE contacts SET email = NULL WHERE company_id = $1"
        )
        .bind(client.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        tx.commit().await.unwrap();
        let emails = count(&db, "outbox_emails").await;
        let s = dunning::run(&db, today() + Duration::days(20), &app::Render)
            .await
            .unwrap();
        assert_eq!((s.sent, s.no_address), (0, 1));
        let last = notices(&db, &invoice).await.pop().unwrap();
        assert_eq!(last.email, EmailState::NoAddress);
        assert_eq!(last.email_to, "");
        assert_eq!(count(&db, "outbox_emails").await, emails);
    })
    .await;
}

#[tokio::test]
async fn two_runs_at_once_send_each_notice_once() {
    on_each_backend(|db| async move {
        let (invoice, _, _) = late_invoice(&db, 16).await;
        let mut tx = db.begin().await.unwrap();
        dunning::save_settings(
            &mut tx,
            &actor(),
            &SettingsInput {
                enabled: true,
                legal_rate: "2,76".into(),
                copy_to: "compta@stafforia.example".into(),
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let emails = count(&db, "outbox_emails").await;
        let files = count(&db, "outbox_attachments").await;
        let (a, b, c) = tokio::join!(
            dunning::run(&db, today(), &app::Render),
            dunning::run(&db, today(), &app::Render),
            dunning::run(&db, today(), &app::Render)
        );
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        assert_eq!(a.sent + b.sent + c.sent, 1, "{a:?} {b:?} {c:?}");
        assert_eq!(notices(&db, &invoice).await.len(), 1);
        // The client's e-mail and the firm's copy, once each, each with
        // the invoice.
        assert_eq!(count(&db, "outbox_emails").await, emails + 2);
        assert_eq!(count(&db, "outbox_attachments").await, files + 2);
    })
    .await;
}

#[tokio::test]
async fn settings_and_levels_are_checked_before_anything_is_written() {
    on_each_backend(|db| async move {
        let bad = SettingsInput {
            enabled: true,
            legal_rate: "2,765".into(),
            copy_to: "pas une adresse".into(),
        }
        .validate()
        .unwrap_err();
        assert!(bad.for_field("legal_rate").is_some());
        assert!(bad.for_field("copy_to").is_some());
        let a = actor();
        let mut tx = db.begin().await.unwrap();
        let row = |days: &str, name: &str, tone: &str| LevelInput {
            days_after_due: days.into(),
            name: name.into(),
            tone: tone.into(),
            include_penalties: tone == "formal_notice",
            active: true,
        };
        let e = dunning::save_level_inputs(
            &mut tx,
            &a,
            &[row("10", "Rappel", "reminder"), row("5", "Relance", "firm")],
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)));
        assert_eq!(dunning::levels(&mut tx).await.unwrap().as_slice().len(), 3);
        dunning::save_level_inputs(
            &mut tx,
            &a,
            &[
                row("7", "Rappel", "reminder"),
                row("45", "Mise en demeure", "formal_notice"),
            ],
        )
        .await
        .unwrap();
        let saved = dunning::levels(&mut tx).await.unwrap();
        assert_eq!(
            saved
                .as_slice()
                .iter()
                .map(|l| (l.rank, l.days_after_due, l.include_penalties))
                .collect::<Vec<_>>(),
            vec![(1, 7, false), (2, 45, true)]
        );
        let s = SettingsInput {
            enabled: false,
            legal_rate: "3,5 %".into(),
            copy_to: String::new(),
        }
        .validate()
        .unwrap();
        dunning::save_settings(&mut tx, &a, &s).await.unwrap();
        assert_eq!(dunning::settings(&mut tx).await.unwrap(), s);
        assert_eq!(s.legal_rate_bp, 350);
        tx.commit().await.unwrap();
        // Disabled: a run sends nothing.
        let (_invoice, _, _) = late_invoice(&db, 50).await;
        let mut tx = db.begin().await.unwrap();
        dunning::save_settings(&mut tx, &a, &s).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            dunning::run(&db, today(), &app::Render).await.unwrap(),
            dunning::Summary::default()
        );
    })
    .await;
}

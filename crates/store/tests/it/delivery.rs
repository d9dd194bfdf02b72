//! Invoices e-mailed to the client and invitations, on both backends: the
//! automatic sending is queued at issue only for a client who asked for
//! it and sends once however often it runs; sending by hand without a
//! billing address writes nothing; an invitation's link sets the password
//! once, and an expired or used link writes nothing.

use domain::calendar::YearMonth;
use domain::invoice::delivery::Reason;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::invoice_emails::{self, Outcome};
use store::{Db, Error, on_tx};

use crate::support::{actor, count, user_data};

async fn jobs_of(db: &Db, kind: &str) -> i64 {
    let mut tx = db.read().await.unwrap();
    let n: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1"
    )
    .bind(kind)
    .fetch_one(c)
    .await
    .unwrap());
    tx.commit().await.unwrap();
    n
}

fn refusal(e: Error) -> String {
    match e {
        Error::Invalid(v) => v.0[0].key.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invoice_goes_once_to_the_billing_contact_of_a_client_who_asked() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let client = w.client().name("Clientis Group").create().await;
        let mut tx = db.begin().await.unwrap();
        invoice_emails::set_client_wants_email(&mut tx, &actor(), client.id, true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let contact = client.contact.id.to_string();
        let m = w
            .mission(&client)
            .with(|m| m.invoicing_contact_id = contact.clone())
            .create()
            .await;
        let month = YearMonth::of(store::today()).prev();
        let invoice = w.issued_invoice(&m, month).await;
        assert_eq!(
            jobs_of(&db, invoice_emails::SEND_JOB).await,
            1,
            "queued at issue"
        );
        let emails = count(&db, "outbox_emails").await;
        // The job run twice (a retry, or a second instance after the first
        // committed): one e-mail.
        for expected in ["queued", "already"] {
            let mut tx = db.begin().await.unwrap();
            let outcome =
                invoice_emails::send(&mut tx, &actor(), invoice.id, Reason::Issue, &app::Render)
                    .await
                    .unwrap();
            tx.commit().await.unwrap();
            match (expected, outcome) {
                ("queued", Outcome::Queued(r)) => {
                    assert_eq!(r.to, client.contact.data.email.as_ref().unwrap().as_str());
                    assert_eq!(r.cc.as_deref(), Some(w.managers().await.0.email.as_str()));
                    assert_eq!(r.locale, domain::Locale::Fr);
                }
                ("already", Outcome::AlreadySent) => {}
                (e, o) => panic!("expected {e}, got {o:?}"),
            }
        }
        assert_eq!(count(&db, "outbox_emails").await, emails + 1);
        let mut tx = db.read().await.unwrap();
        let sent = store::outbox::recent(&mut tx, 1).await.unwrap().remove(0);
        let files = store::outbox::attachments(&mut tx, sent.id).await.unwrap();
        let history = invoice_emails::of_invoice(&mut tx, invoice.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let number = invoice.number.clone().unwrap();
        assert!(sent.subject.contains(&number), "{}", sent.subject);
        assert!(
            sent.body_text.contains("Bonjour Marc"),
            "{}",
            sent.body_text
        );
        assert_eq!(
            sent.cc_address.as_deref(),
            Some(w.managers().await.0.email.as_str())
        );
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].file_name, format!("{number}.pdf"));
        assert!(files[0].bytes.starts_with(b"%PDF"));
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].reason, Reason::Issue);
        assert_eq!(history[0].email, store::outbox::EmailState::Queued);

        // By hand: once more each time, recorded with who sent it.
        let mut tx = db.begin().await.unwrap();
        invoice_emails::send(&mut tx, &actor(), invoice.id, Reason::Resend, &app::Render)
            .await
            .unwrap();
        let history = invoice_emails::of_invoice(&mut tx, invoice.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].reason, Reason::Resend);
    })
    .await;
}

#[tokio::test]
async fn no_sending_unless_asked_and_none_without_a_billing_address() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        // No company e-mail and no invoicing contact on the mission.
        let client = w.client().create().await;
        let m = w.mission(&client).create().await;
        let invoice = w
            .issued_invoice(&m, YearMonth::of(store::today()).prev())
            .await;
        assert_eq!(
            jobs_of(&db, invoice_emails::SEND_JOB).await,
            0,
            "off for a client who did not ask"
        );
        let (emails, rows, audit) = (
            count(&db, "outbox_emails").await,
            count(&db, "invoice_emails").await,
            count(&db, "audit_log").await,
        );
        let mut tx = db.begin().await.unwrap();
        let e = invoice_emails::send(&mut tx, &actor(), invoice.id, Reason::Resend, &app::Render)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(refusal(e), "invoice-email-no-address");
        assert_eq!(count(&db, "outbox_emails").await, emails);
        assert_eq!(count(&db, "invoice_emails").await, rows);
        assert_eq!(count(&db, "audit_log").await, audit);
        // The automatic sending records why nothing went.
        let mut tx = db.begin().await.unwrap();
        let outcome =
            invoice_emails::send(&mut tx, &actor(), invoice.id, Reason::Issue, &app::Render)
                .await
                .unwrap();
        let history = invoice_emails::of_invoice(&mut tx, invoice.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(outcome, Outcome::NoAddress);
        assert_eq!(history[0].email, store::outbox::EmailState::NoAddress);
        assert_eq!(count(&db, "outbox_emails").await, emails);
        // A draft cannot be sent.
        let draft = w
            .draft_invoice(
                &w.mission(&client).create().await,
                YearMonth::of(store::today()).prev(),
            )
            .await;
        let mut tx = db.begin().await.unwrap();
        let e = invoice_emails::send(&mut tx, &actor(), draft.id, Reason::Resend, &app::Render)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(refusal(e), "invoice-email-not-issued");
    })
    .await;
}

/// The token of the last invitation e-mailed to `email`, read from its link.
async fn mailed_token(db: &Db, email: &str) -> String {
    let mut tx = db.read().await.unwrap();
    let mails = store::outbox::recent(&mut tx, 50).await.unwrap();
    tx.commit().await.unwrap();
    let mail = mails
        .iter()
        .find(|m| m.to_address == email)
        .expect("an invitation e-mail");
    let at = mail.body_text.find("/invitation/").expect("a link") + "/invitation/".len();
    mail.body_text[at..at + 64].to_owned()
}

#[tokio::test]
async fn an_invitation_sets_the_password_once_and_expires() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let bm = w.user(Role::BusinessManager).create().await;
        let mut tx = db.begin().await.unwrap();
        let admin_data = user_data("chef@stafforia.example", "Chef", Role::Admin, None);
        let e =
            store::invitations::invite(&mut tx, &actor(), &bm, &admin_data, "https://r.example")
                .await
                .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(refusal(e), "invitation-role-forbidden");

        let mut data = user_data(
            "lea.petit@stafforia.example",
            "Léa Petit",
            Role::Consultant,
            None,
        );
        data.password = None;
        let mut tx = db.begin().await.unwrap();
        let sent = store::invitations::invite(&mut tx, &actor(), &bm, &data, "https://r.example/")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(sent.expires_at - store::now() > time::Duration::hours(71));
        let token = mailed_token(&db, "lea.petit@stafforia.example").await;
        let mut tx = db.read().await.unwrap();
        let mail = store::outbox::recent(&mut tx, 1).await.unwrap().remove(0);
        let hash = store::users::password_hash(&mut tx, sent.user.id)
            .await
            .unwrap();
        let stored: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_invitations WHERE token_hash = $1"
        )
        .bind(token.as_str())
        .fetch_one(c)
        .await
        .unwrap());
        tx.commit().await.unwrap();
        assert!(
            mail.body_text
                .contains(&format!("https://r.example/invitation/{token}"))
        );
        assert_eq!(stored, 0, "only the token's hash is stored");
        assert!(
            !store::credentials::verify_password(&hash, ""),
            "no password works yet"
        );

        let chosen = domain::user::Password::parse("correct horse battery").unwrap();
        let mut tx = db.begin().await.unwrap();
        let user = store::invitations::accept(&mut tx, &token, &chosen)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(user.id, sent.user.id);
        let mut tx = db.read().await.unwrap();
        let hash = store::users::password_hash(&mut tx, user.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store::credentials::verify_password(
            &hash,
            "correct horse battery"
        ));

        // Used: refused, nothing written.
        let other = domain::user::Password::parse("another long passphrase").unwrap();
        let audit = count(&db, "audit_log").await;
        let mut tx = db.begin().await.unwrap();
        let e = store::invitations::accept(&mut tx, &token, &other)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(refusal(e), "invitation-used");
        assert_eq!(count(&db, "audit_log").await, audit);

        // A new link; once its 72 hours are over it is refused.
        let mut tx = db.begin().await.unwrap();
        store::invitations::send(&mut tx, &actor(), &bm, user.id, "https://r.example")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let token = mailed_token(&db, "lea.petit@stafforia.example").await;
        let mut tx = db.begin().await.unwrap();
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE user_invitations SET expires_at = $1 WHERE used_at IS NULL"
        )
        .bind(store::now() - time::Duration::minutes(1))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = store::invitations::accept(&mut tx, &token, &other)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(refusal(e), "invitation-expired");
        let mut tx = db.read().await.unwrap();
        let hash = store::users::password_hash(&mut tx, user.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            store::credentials::verify_password(&hash, "correct horse battery"),
            "the password is unchanged"
        );
    })
    .await;
}

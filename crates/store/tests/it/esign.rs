//! The electronic signature on both backends: ordered signers, single-use
//! expiring links with a separate code, tamper detection, the hash chain,
//! reminders and expiry, and the contract_signed event at completion.

use domain::contract::{ContractInput, ContractStatus};
use domain::esign::{
    DocumentKind, LinkRefusal, RequestStatus, SignerData, SignerStatus, verify_chain,
};
use domain::identifiers::Email;
use fixtures::testing::on_each_backend;
use store::esign::{Decision, Origin, Outcome};
use store::{Db, Scope, Tx};
use time::Duration;

use domain::role::Role;

use crate::support::{actor, count, create_company, create_user};

const BASE: &str = "https://regisseur.example";

fn origin(who: &str) -> Origin {
    Origin {
        actor: who.into(),
        ip: "192.0.2.7".into(),
        user_agent: "it-tests".into(),
    }
}

fn signer(name: &str, email: &str) -> SignerData {
    SignerData {
        name: name.into(),
        email: Email::parse(email).unwrap(),
    }
}

/// A client contract and its generated PDF document.
async fn contract_document(
    tx: &mut Tx,
    client: domain::ids::CompanyId,
) -> store::documents::DocumentInfo {
    let data = ContractInput {
        client_id: client.to_string(),
        kind: "framework".into(),
        reference: "CC-2026-01".into(),
        title: "Contrat-cadre d’assistance technique".into(),
        valid_from: "2026-01-01".into(),
        payment_days: "30".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let k = store::contracts::create(tx, &actor(), &data).await.unwrap();
    let pdf = app::paperwork::client_contract(tx, &k, store::now())
        .await
        .unwrap();
    let links = store::documents::Links {
        kind: DocumentKind::ClientContract,
        mission_id: None,
        contract_id: Some(k.id),
        amendment_id: None,
        client_id: Some(client),
        consultant_id: None,
        cra_id: None,
    };
    app::documents::create_generated(tx, &actor(), links, &pdf)
        .await
        .unwrap()
}

/// The link and code last e-mailed to `email`.
async fn mailed(tx: &mut Tx, email: &str) -> (String, String) {
    store::esign::mailed_credentials(tx, email)
        .await
        .unwrap()
        .expect("the two e-mails")
}

fn sign(name: &str) -> Decision {
    Decision::Sign {
        typed_name: name.into(),
        consent: true,
    }
}

async fn decide(db: &Db, token: &str, code: &str, d: &Decision) -> Outcome {
    let mut tx = db.begin().await.unwrap();
    let out = store::esign::decide(
        &mut tx,
        token,
        &origin("signer"),
        BASE,
        code,
        d,
        &app::Render,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    out
}

#[tokio::test]
async fn two_signers_sign_in_order_and_the_contract_becomes_signed() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Clientis Group", "client").await;
        let mut tx = db.begin().await.unwrap();
        let doc = contract_document(&mut tx, client.id).await;
        let request = store::esign::send(
            &mut tx,
            &actor(),
            &origin("finance"),
            BASE,
            doc.id,
            &[
                signer("Sophie Bernard", "sophie@clientis.example"),
                signer("Paul Durand", "paul@stafforia.example"),
            ],
        )
        .await
        .unwrap();
        assert_eq!(request.signers[0].status, SignerStatus::Invited);
        assert_eq!(request.signers[1].status, SignerStatus::Waiting);
        let (token, code) = mailed(&mut tx, "sophie@clientis.example").await;
        tx.commit().await.unwrap();

        // A wrong code counts; a wrong typed name writes nothing.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert!(matches!(
            decide(&db, &token, wrong, &sign("Sophie Bernard")).await,
            Outcome::WrongCode { remaining: 4 }
        ));
        let mut tx = db.begin().await.unwrap();
        let refused = store::esign::decide(
            &mut tx,
            &token,
            &origin("signer"),
            BASE,
            &code,
            &sign("Sophie Martin"),
            &app::Render,
        )
        .await;
        assert!(matches!(refused, Err(store::Error::Invalid(_))));
        drop(tx);

        let out = decide(&db, &token, &code, &sign("sophie bernard")).await;
        let Outcome::Done { request, completed } = out else {
            panic!("not signed: {out:?}")
        };
        assert!(!completed);
        assert_eq!(request.signers[1].status, SignerStatus::Invited);
        // The link is single use.
        assert!(matches!(
            decide(&db, &token, &code, &sign("Sophie Bernard")).await,
            Outcome::Refused(LinkRefusal::Used)
        ));

        let mut tx = db.begin().await.unwrap();
        let (token2, code2) = mailed(&mut tx, "paul@stafforia.example").await;
        drop(tx);
        let out = decide(&db, &token2, &code2, &sign("Paul Durand")).await;
        assert!(
            matches!(
                out,
                Outcome::Done {
                    completed: true,
                    ..
                }
            ),
            "{out:?}"
        );

        let mut tx = db.begin().await.unwrap();
        let k = store::contracts::get(&mut tx, Scope::All, doc.contract_id.unwrap())
            .await
            .unwrap();
        assert_eq!(k.status, ContractStatus::Signed);
        assert_eq!(k.signed_by.as_deref(), Some("Sophie Bernard, Paul Durand"));
        // The release of its invoices is queued, once.
        let released: i64 = store::on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND dedupe_key = $2"
        )
        .bind(store::invoicing::lock::RELEASE_JOB)
        .bind(format!("release:{}", k.id))
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(released, 1);
        let signed = store::documents::bytes(&mut tx, &doc, true).await.unwrap();
        assert!(signed.starts_with(b"%PDF-1.7"));
        assert!(signed.len() > doc.size_bytes as usize);
        let info = store::documents::get(&mut tx, Scope::All, doc.id)
            .await
            .unwrap();
        assert_eq!(info.request_status, Some(RequestStatus::Completed));
        assert_eq!(
            info.signed_sha256.as_deref(),
            Some(domain::esign::sha256_hex(&signed).as_str())
        );
        let trail = store::esign::trail(&mut tx, request.id).await.unwrap();
        let kinds: Vec<&str> = trail.iter().map(|e| e.facts.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "sent",
                "invited",
                "code_failed",
                "signed",
                "invited",
                "signed",
                "completed"
            ]
        );
        assert_eq!(verify_chain(&trail), Ok(()));
        assert!(trail.iter().all(|e| e.facts.document_sha256 == doc.sha256));
        drop(tx);

        // Editing one stored event breaks the chain from there.
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE signature_events SET ip = '10.6.6.6' WHERE seq = 4"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let trail = store::esign::trail(&mut tx, request.id).await.unwrap();
        assert_eq!(verify_chain(&trail).unwrap_err().seq, 4);
    })
    .await;
}

#[tokio::test]
async fn a_document_altered_after_sending_cannot_be_signed() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Banque Horizon", "client").await;
        let mut tx = db.begin().await.unwrap();
        let doc = contract_document(&mut tx, client.id).await;
        store::esign::send(
            &mut tx,
            &actor(),
            &origin("finance"),
            BASE,
            doc.id,
            &[signer("Sophie Bernard", "sophie@horizon.example")],
        )
        .await
        .unwrap();
        let (token, code) = mailed(&mut tx, "sophie@horizon.example").await;
        tx.commit().await.unwrap();
        // Someone with database access swaps the PDF.
        let id = doc.id.to_string();
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE documents SET pdf = $2 WHERE id = $1"
        )
        .bind(&id)
        .bind(b"%PDF-1.7 forged".to_vec())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        assert!(matches!(
            decide(&db, &token, &code, &sign("Sophie Bernard")).await,
            Outcome::Tampered
        ));
        let mut tx = db.begin().await.unwrap();
        let request = store::esign::latest_for(&mut tx, doc.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(request.status, RequestStatus::Pending);
        assert_eq!(request.signers[0].status, SignerStatus::Invited);
        let trail = store::esign::trail(&mut tx, request.id).await.unwrap();
        let last = trail.last().unwrap();
        assert_eq!(last.facts.kind, "tamper_detected");
        assert_ne!(last.facts.document_sha256, doc.sha256);
        let k = store::contracts::get(&mut tx, Scope::All, doc.contract_id.unwrap())
            .await
            .unwrap();
        assert_ne!(k.status, ContractStatus::Signed);
    })
    .await;
}

#[tokio::test]
async fn links_expire_reminders_replace_them_and_requests_expire() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Mutuelle Atlantique", "client").await;
        let mut tx = db.begin().await.unwrap();
        let doc = contract_document(&mut tx, client.id).await;
        let request = store::esign::send(
            &mut tx,
            &actor(),
            &origin("finance"),
            BASE,
            doc.id,
            &[signer("Jean Morel", "jean@atlantique.example")],
        )
        .await
        .unwrap();
        let (token, code) = mailed(&mut tx, "jean@atlantique.example").await;
        // A second request for the same document is refused while one is pending.
        let again = store::esign::send(
            &mut tx,
            &actor(),
            &origin("finance"),
            BASE,
            doc.id,
            &[signer("Jean Morel", "jean@atlantique.example")],
        )
        .await;
        assert!(matches!(again, Err(store::Error::Invalid(_))));
        tx.commit().await.unwrap();
        let mails_before = count(&db, "outbox_emails").await;

        // Nothing is due the same day.
        let mut tx = db.begin().await.unwrap();
        let now = store::now();
        assert_eq!(
            store::esign::run_reminders(&mut tx, BASE, now)
                .await
                .unwrap(),
            (0, 0)
        );
        // Four days later: a reminder with a fresh link and code.
        assert_eq!(
            store::esign::run_reminders(&mut tx, BASE, now + Duration::days(4))
                .await
                .unwrap(),
            (0, 1)
        );
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "outbox_emails").await, mails_before + 2);
        assert!(matches!(
            decide(&db, &token, &code, &sign("Jean Morel")).await,
            Outcome::Refused(LinkRefusal::Unknown)
        ));
        let mut tx = db.begin().await.unwrap();
        let (token2, _) = mailed(&mut tx, "jean@atlantique.example").await;
        assert_ne!(token2, token);
        // The new link expires after its week.
        let link = store::esign::open(&mut tx, &token2).await.unwrap();
        assert_eq!(link.refusal, None);
        assert_eq!(link.signer.reminders_sent, 1);
        drop(tx);
        let id = link.signer.id.to_string();
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE signature_signers SET link_expires_at = $2 WHERE id = $1"
        )
        .bind(&id)
        .bind(store::now() - Duration::minutes(1))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let link = store::esign::open(&mut tx, &token2).await.unwrap();
        assert_eq!(link.refusal, Some(LinkRefusal::Expired));
        // After thirty days the request itself expires.
        assert_eq!(
            store::esign::run_reminders(&mut tx, BASE, now + Duration::days(31))
                .await
                .unwrap()
                .0,
            1
        );
        let r = store::esign::get(&mut tx, request.id).await.unwrap();
        assert_eq!(r.status, RequestStatus::Expired);
        let trail = store::esign::trail(&mut tx, request.id).await.unwrap();
        assert_eq!(trail.last().unwrap().facts.kind, "expired");
        assert_eq!(verify_chain(&trail), Ok(()));
    })
    .await;
}

#[tokio::test]
async fn declining_closes_the_request_with_the_reason() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Clientis Group", "client").await;
        let fanny = create_user(
            &db,
            "fanny@stafforia.example",
            "Fanny Comptable",
            Role::Finance,
            None,
        )
        .await;
        let sender = store::Actor {
            user_id: Some(fanny.id),
            label: fanny.display_name.clone(),
            ip: None,
        };
        let mut tx = db.begin().await.unwrap();
        let doc = contract_document(&mut tx, client.id).await;
        store::esign::send(
            &mut tx,
            &sender,
            &origin("finance"),
            BASE,
            doc.id,
            &[signer("Sophie Bernard", "sophie@clientis.example")],
        )
        .await
        .unwrap();
        let (token, code) = mailed(&mut tx, "sophie@clientis.example").await;
        tx.commit().await.unwrap();
        let blank = Decision::Decline { reason: " ".into() };
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            store::esign::decide(
                &mut tx,
                &token,
                &origin("s"),
                BASE,
                &code,
                &blank,
                &app::Render
            )
            .await,
            Err(store::Error::Invalid(_))
        ));
        drop(tx);
        let no = Decision::Decline {
            reason: "Le TJM ne correspond pas au bon de commande".into(),
        };
        let Outcome::Done { request, completed } = decide(&db, &token, &code, &no).await else {
            panic!("not declined")
        };
        assert!(!completed);
        assert_eq!(request.status, RequestStatus::Declined);
        assert_eq!(
            request.decline_reason.as_deref(),
            Some("Le TJM ne correspond pas au bon de commande")
        );
        // The sender learns it by e-mail, with the reason.
        let mut tx = db.read().await.unwrap();
        let told = store::outbox::recent(&mut tx, 20).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            told.iter()
                .any(|m| m.to_address == "fanny@stafforia.example"
                    && m.subject.starts_with("Signature refusée")
                    && m.body_text.contains("Le TJM ne correspond pas"))
        );
        let other = create_company(&db, "Autre", "client").await;
        let mut tx = db.begin().await.unwrap();
        let k = store::contracts::get(&mut tx, Scope::All, doc.contract_id.unwrap())
            .await
            .unwrap();
        assert_eq!(k.status, ContractStatus::Draft);
        // Clients see their company's documents, nobody else's.
        assert!(
            store::documents::get(&mut tx, Scope::Company(client.id), doc.id)
                .await
                .is_ok()
        );
        assert!(matches!(
            store::documents::get(&mut tx, Scope::Company(other.id), doc.id).await,
            Err(store::Error::NotFound)
        ));
    })
    .await;
}

/// Twelve wrong codes at once through one link, split across two
/// instances: exactly five are compared, the others find the link locked,
/// and the right code is then refused too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_codes_on_two_instances_lock_the_link_after_five() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Clientis Group", "client").await;
        let mut tx = db.begin().await.unwrap();
        let doc = contract_document(&mut tx, client.id).await;
        store::esign::send(
            &mut tx,
            &actor(),
            &origin("finance"),
            BASE,
            doc.id,
            &[signer("Sophie Bernard", "sophie@clientis.example")],
        )
        .await
        .unwrap();
        let (token, code) = mailed(&mut tx, "sophie@clientis.example").await;
        tx.commit().await.unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let other = db.another_instance(8).await.unwrap();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(12));
        let mut tasks = Vec::new();
        for i in 0..12 {
            let db = if i % 2 == 0 {
                db.clone()
            } else {
                other.clone()
            };
            let (start, token) = (start.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                decide(&db, &token, wrong, &sign("Sophie Bernard")).await
            }));
        }
        let (mut compared, mut locked) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Outcome::WrongCode { .. } => compared += 1,
                Outcome::Refused(domain::esign::LinkRefusal::Locked) => locked += 1,
                o => panic!("unexpected {o:?}"),
            }
        }
        other.close().await;
        assert_eq!((compared, locked), (5, 7));
        assert!(matches!(
            decide(&db, &token, &code, &sign("Sophie Bernard")).await,
            Outcome::Refused(domain::esign::LinkRefusal::Locked)
        ));
    })
    .await;
}

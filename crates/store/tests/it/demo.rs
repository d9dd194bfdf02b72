//! The demo data: seeding is a repeatable refresh, and its identifiers are valid.

use std::collections::HashSet;

use domain::identifiers::{Iban, Siren, VatNumber};
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::demo::{self, DEMO_PASSWORD};
use fixtures::testing::on_each_backend;
use store::companies::{self, CompanyFilter};
use store::credentials::verify_password;
use store::users::{self, UserFilter};
use store::{Db, Scope};

use crate::support::{count, create_company, create_session, create_user};

async fn assert_exactly_the_demo(db: &Db) {
    assert_eq!(count(db, "firm").await, 1);
    assert_eq!(count(db, "companies").await, 5);
    assert_eq!(count(db, "contacts").await, 8);
    assert_eq!(count(db, "users").await, 9);
    assert_eq!(count(db, "missions").await, 2);
    // Lucas's mission ends in 45 days: the D-60 alert, its task and e-mail.
    assert_eq!(count(db, "renewal_alerts").await, 1);
    assert_eq!(count(db, "tasks").await, 1);
    // Plus the signing link and code for Sophie (Clientis contract) and for
    // Camille (mission order), and Camille's "document signé".
    // Camille's three reports: link and code to Marc Lefèvre each, and for
    // the two he validated his confirmation and Camille's notice; her day of
    // leave: the request to both managers and the approval to her.
    // Then Sophie signs the framework contract (her "document signé") and
    // next year's purchase order goes to her (link and code).
    // Lucas's late month: link and code to Julien Moreau, his confirmation
    // and Lucas's notice; Banque Horizon's two reminders.
    assert_eq!(
        count(db, "outbox_emails").await,
        6 + 3 * 2 + 2 * 2 + 2 + 1 + 1 + 2 + 4 + 2
    );
    assert_eq!(
        count(db, "outbox_attachments").await,
        2,
        "each reminder carries its invoice"
    );
    assert_eq!(count(db, "documents").await, 2 + 3 + 1 + 1);
    assert_eq!(count(db, "signature_requests").await, 2 + 3 + 1 + 1);
    assert_eq!(count(db, "cras").await, 5);
    assert_eq!(count(db, "leave_requests").await, 1);
    assert_eq!(count(db, "sessions").await, 0);
    assert_eq!(count(db, "api_tokens").await, 0);
    assert_eq!(count(db, "login_attempts").await, 0);
    // One entry per company, contact, user and mission created, six for
    // the two contracts (created, sent or signed, attached), two per
    // document sent for signature (created, sent).
    // Plus the reports' three documents (created, sent), the leave
    // (requested, approved) and eight yearly allowances. Then invoicing:
    // two drafts at validation, two accruals posted by the closes, the
    // contract signed, per invoice its release, issue, sales entry and
    // accrual reversal, and the purchase order (created, sent, its document
    // created and sent).
    // Lucas's late month: its document (created, sent), draft, issue and
    // sales entry. Collections: the bank account, the statement imported,
    // two lines accepted as two payments with their bank entries, and the
    // invoice lettered (partly, then extended to complete).
    assert_eq!(
        count(db, "audit_log").await,
        5 + 8 + 9 + 2 + 6 + 4 + 3 * 2 + 2 + 8 + 2 + 2 + 1 + 2 * 4 + 4 + 5 + 10
    );
    assert_eq!(count(db, "client_contracts").await, 3);
    assert_eq!(
        count(db, "cra_events WHERE kind = 'validated'").await,
        2 + 1,
        "Camille's two validated reports, Lucas's late month"
    );
    assert_eq!(
        count(db, "jobs WHERE kind = 'release_signed_contract'").await,
        1 + 1,
        "Horizon's signed purchase order, Clientis's signed contract: each queues its invoices' release"
    );
    // Camille's two months: accrued at each close, issued at the signature;
    // Lucas's month at Banque Horizon, issued 70 days ago by its own close.
    assert_eq!(count(db, "invoices").await, 3);
    assert_eq!(count(db, "accruals").await, 2);
    assert_eq!(count(db, "close_runs").await, 3);
    // Clientis's two transfers, from the statement of four lines.
    assert_eq!(count(db, "bank_accounts").await, 1);
    assert_eq!(count(db, "bank_statements").await, 1);
    assert_eq!(count(db, "bank_lines").await, 4);
    assert_eq!(count(db, "payments").await, 2);
    assert_eq!(count(db, "payment_allocations").await, 2);
    assert_eq!(count(db, "letterings").await, 1);
    assert_eq!(count(db, "dunning_notices").await, 2);
    let mut tx = db.read().await.unwrap();
    let docs = store::documents::list(&mut tx, Scope::All, store::documents::About::Everything, 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let status_of = |kind| {
        docs.iter()
            .find(|d| d.kind == kind)
            .and_then(|d| d.request_status)
    };
    use domain::esign::{DocumentKind, RequestStatus};
    assert_eq!(
        status_of(DocumentKind::MissionOrder),
        Some(RequestStatus::Completed),
        "Camille's mission order is signed"
    );
    assert_eq!(
        status_of(DocumentKind::ClientContract),
        Some(RequestStatus::Pending),
        "the Clientis contract waits for Sophie"
    );

    let mut tx = db.read().await.unwrap();
    let all = users::list(
        &mut tx,
        &UserFilter::default(),
        PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    let roles: HashSet<Role> = all.items.iter().map(|u| u.role).collect();
    assert_eq!(roles.len(), Role::ALL.len(), "one user per role");
    let clients: Vec<_> = all
        .items
        .iter()
        .filter(|u| u.role == Role::ClientContact)
        .collect();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].company_name.as_deref(), Some("Clientis Group"));
    for u in &all.items {
        assert_eq!(
            u.company_id.is_some(),
            u.role == Role::ClientContact,
            "{}",
            u.email
        );
        assert!(u.active);
    }
    let clientis = companies::list(
        &mut tx,
        Scope::All,
        &CompanyFilter {
            q: Some("Clientis".into()),
            kind: None,
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(clientis.total, 1);
    assert_eq!(clients[0].company_id, Some(clientis.items[0].id));
    assert!(clientis.items[0].data.key_account);
    assert_eq!(
        store::contacts::count(&mut tx, Scope::Company(clientis.items[0].id))
            .await
            .unwrap(),
        3
    );
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn seeding_twice_leaves_exactly_the_demo() {
    on_each_backend(|db| async move {
        let first = demo::seed(&db).await.expect("first seed");
        assert_exactly_the_demo(&db).await;

        // Things added meanwhile are swept away by the refresh.
        create_company(&db, "Entre Deux", "prospect").await;
        let extra = create_user(&db, "extra@stafforia.example", "Extra", Role::Finance, None).await;
        create_session(&db, Some(&extra)).await;
        create_session(&db, None).await;
        let mut tx = db.begin().await.unwrap();
        store::api_tokens::create(&mut tx, &crate::support::actor(), extra.id, "t")
            .await
            .unwrap();
        store::throttle::record(&mut tx, "x@y.example", "192.0.2.1", false)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let second = demo::seed(&db).await.expect("second seed (refresh)");
        assert_exactly_the_demo(&db).await;

        for s in [&first, &second] {
            assert_eq!(s.companies, 5);
            assert_eq!(s.contacts, 8);
            assert_eq!(s.logins.len(), 9);
            assert_eq!(s.password, DEMO_PASSWORD);
        }
        // Every printed login works with the printed password.
        let mut tx = db.read().await.unwrap();
        for login in &second.logins {
            let (u, hash) = users::credentials_for(&mut tx, &login.email)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{} missing", login.email));
            assert_eq!(u.role, login.role);
            assert_eq!(u.display_name, login.name);
            assert!(verify_password(&hash, DEMO_PASSWORD), "{}", login.email);
        }
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn every_demo_identifier_passes_domain_validation() {
    // The firm's identity is saved without going through a form: check it here.
    let firm = demo::stafforia();
    let siren = Siren::parse(firm.siren.as_deref().unwrap()).expect("firm SIREN");
    let vat = VatNumber::parse(firm.vat_number.as_deref().unwrap()).expect("firm VAT");
    assert_eq!(vat.siren(), Some(siren.clone()));
    assert_eq!(vat, VatNumber::for_siren(&siren));
    Iban::parse(firm.iban.as_deref().unwrap()).expect("firm IBAN");

    on_each_backend(|db| async move {
        demo::seed(&db).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let list = companies::list(
            &mut tx,
            Scope::All,
            &CompanyFilter::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
        assert_eq!(list.items.len(), 5);
        let mut sirens = HashSet::new();
        for c in &list.items {
            let siren = c
                .data
                .siren
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no SIREN", c.data.name));
            let vat = c
                .data
                .vat_number
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no VAT", c.data.name));
            // Re-parse the stored text: it is valid and consistent.
            assert_eq!(Siren::parse(siren.as_str()).as_ref(), Ok(siren));
            assert_eq!(VatNumber::parse(vat.as_str()).as_ref(), Ok(vat));
            assert_eq!(vat.siren().as_ref(), Some(siren), "{}", c.data.name);
            assert_eq!(*vat, VatNumber::for_siren(siren), "{}", c.data.name);
            assert!(sirens.insert(siren.clone()));
            // The demo validates its input: the whole record survives validation again.
            assert_eq!(c.data.to_input().validate().as_ref(), Ok(&c.data));
        }
        let stored = store::firm::get(&mut tx)
            .await
            .unwrap()
            .expect("firm saved");
        assert_eq!(stored, demo::stafforia());
        tx.commit().await.unwrap();
    })
    .await;
}

/// The refresh empties every table the migrations create: a table left out
/// keeps rows pointing at demo users or companies, and the next refresh
/// fails on its foreign key (as the FEC exports once did on PostgreSQL).
#[tokio::test]
async fn refresh_knows_every_table() {
    on_each_backend(|db| async move {
        let tables: Vec<String> = match db.backend() {
            store::db::Backend::Sqlite => store::on_pool!(&db, |c| sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
            )
            .fetch_all(c)
            .await)
            .unwrap(),
            store::db::Backend::Postgres => store::on_pool!(&db, |c| sqlx::query_scalar(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%'"
            )
            .fetch_all(c)
            .await)
            .unwrap(),
        };
        let missing: Vec<&String> = tables
            .iter()
            .filter(|t| !demo::TABLES.contains(&t.as_str()))
            .collect();
        // Reference data the migrations seed and the refresh must keep.
        let kept = [
            "ledger_accounts",
            "leave_types",
            "dunning_levels",
            "dunning_settings",
        ];
        let missing: Vec<&&String> = missing
            .iter()
            .filter(|t| !kept.contains(&t.as_str()))
            .collect();
        assert!(missing.is_empty(), "tables the demo refresh leaves: {missing:?}");
    })
    .await;
}

//! The demo data: seeding is a repeatable refresh, and the demo tells its
//! story (valid identifiers, reports through all three parties, the
//! key-account chain, a payment). The one place that loads the demo: every
//! other test builds what it needs (`fixtures::build`).

use std::collections::HashSet;

use domain::calendar::YearMonth;
use domain::cra::CraStatus;
use domain::identifiers::{Iban, Siren, VatNumber};
use domain::ids::CraId;
use domain::money::Money;
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::demo::{self, DEMO_PASSWORD};
use fixtures::testing::on_each_backend;
use store::companies::{self, CompanyFilter};
use store::cras;
use store::credentials::verify_password;
use store::invoicing::read;
use store::users::{self, UserFilter};
use store::{Db, Scope};

use time::Month;

use crate::cra_reports::ym;
use crate::invoicing::{balance, invoices};
use crate::support::{count, create_company, create_session, create_user};

async fn assert_exactly_the_demo(db: &Db) {
    assert_eq!(count(db, "firm").await, 1);
    // Five companies and Clientis Group's Lyon site.
    assert_eq!(count(db, "companies").await, 6);
    assert_eq!(
        count(
            db,
            "companies WHERE parent_id IS NOT NULL AND entity_kind = 'site'"
        )
        .await,
        1
    );
    assert_eq!(count(db, "companies WHERE entity_kind = 'group'").await, 1);
    assert_eq!(count(db, "contacts").await, 8);
    // Clientis's account plan: Data and Cloud, its buyer and its domain
    // manager, this year's targets.
    assert_eq!(count(db, "account_domains").await, 2);
    assert_eq!(count(db, "account_stakeholders").await, 2);
    assert_eq!(count(db, "account_targets").await, 1);
    assert_eq!(count(db, "users").await, 9);
    // Camille's, Lucas's and the one Lucas finished before his bench week.
    assert_eq!(count(db, "missions").await, 3);
    assert_eq!(count(db, "agencies").await, 2);
    assert_eq!(count(db, "employees").await, 2);
    assert_eq!(count(db, "cost_versions").await, 2);
    // Lucas's mission ends in 45 days: the D-60 alert, its task and e-mail.
    assert_eq!(count(db, "renewal_alerts").await, 1);
    // With it, the business manager's activities: a call logged, a task
    // due today, an e-mail to send three days late.
    assert_eq!(count(db, "tasks").await, 1 + 3);
    assert_eq!(count(db, "tasks WHERE kind = 'renewal'").await, 1);
    assert_eq!(count(db, "tasks WHERE done_at IS NOT NULL").await, 1);
    // Plus the signing link and code for Sophie (Clientis contract) and for
    // Camille (mission order), and Camille's "document signé".
    // Camille's three reports: link and code to Marc Lefèvre each, and for
    // the two he validated his confirmation and Camille's notice; her day of
    // leave: the request to both managers and the approval to her.
    // Then Sophie signs the framework contract (her "document signé") and
    // next year's purchase order goes to her (link and code).
    // Lucas's late month: link and code to Julien Moreau, his confirmation
    // and Lucas's notice; Banque Horizon's two reminders. Clientis's two
    // invoices, e-mailed at their release.
    assert_eq!(
        count(db, "outbox_emails").await,
        6 + 3 * 2 + 2 * 2 + 2 + 1 + 1 + 2 + 4 + 2 + 2
    );
    assert_eq!(
        count(db, "outbox_attachments").await,
        2 + 2,
        "each reminder and each invoice e-mailed carries its invoice"
    );
    assert_eq!(count(db, "invoice_emails WHERE reason = 'issue'").await, 2);
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
    // invoice lettered (partly, then extended to complete). Clientis's
    // e-mailed invoices: the setting turned on, one sending per invoice.
    // People: two agencies, two employee records, two cost versions.
    // Banque Horizon's mission shared 70/30, Lucas's previous mission, and
    // the two accounts' portfolios.
    assert_eq!(
        count(db, "audit_log").await,
        5 + 8
            + 9
            + 6
            + 2
            + 6
            + 4
            + 3 * 2
            + 2
            + 8
            + 2
            + 2
            + 1
            + 2 * 4
            + 4
            + 5
            + 10
            + 1
            + 2
            + 1
            + 1
            + 2
            // The pipeline: five opportunities, one won, two moved, DataViz
            // put at 30 %.
            + 9
            // The 10:17 follow-up meeting: planned and held.
            + 2
            // The business manager's three activities.
            + 3
            // Clientis's account plan: two domains, two parts, a target.
            + 5
            // Camille positioned and accepted, Lucas positioned.
            + 3
            // Clientis Group made a group, its Lyon site created.
            + 2
    );
    // The monthly follow-up of Camille's mission: held at 10:17 (the
    // DataViz need its child), next month's planned.
    assert_eq!(count(db, "meetings").await, 2);
    assert_eq!(count(db, "meeting_series").await, 1);
    assert_eq!(count(db, "meetings WHERE status = 'held'").await, 1);
    assert_eq!(
        count(
            db,
            "meetings WHERE status = 'planned' AND previous_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            db,
            "opportunities WHERE meeting_id IS NOT NULL AND title = 'DataViz'"
        )
        .await,
        1
    );
    assert_eq!(count(db, "opportunities").await, 5);
    // The business manager's saved view of the list, his own.
    assert_eq!(
        count(
            db,
            "opportunity_views WHERE NOT shared AND name = 'Mes besoins à positionner'"
        )
        .await,
        1
    );
    assert_eq!(
        count(db, "opportunities WHERE mission_id IS NOT NULL").await,
        1
    );
    assert_eq!(
        count(db, "opportunities WHERE renews_mission_id IS NOT NULL").await,
        1
    );
    assert_eq!(
        count(db, "opportunities WHERE loss_reason = 'competitor'").await,
        1
    );
    assert_eq!(count(db, "opportunity_events").await, 9);
    assert_eq!(
        count(
            db,
            "opportunities WHERE title = 'DataViz' AND probability_bp = 3000"
        )
        .await,
        1,
        "DataViz at 30 %: 2 × 40 days cover 24 days"
    );
    // Camille accepted on Data Eng, Lucas waiting on DataViz.
    assert_eq!(
        count(db, "opportunity_positionings WHERE answer = 'accepted'").await,
        1
    );
    assert_eq!(
        count(db, "opportunity_positionings WHERE answer = 'pending'").await,
        1
    );
    // Each mission's portfolio: Camille's and Lucas's previous one their
    // manager alone, Lucas's current one two shares.
    assert_eq!(count(db, "mission_portfolio").await, 1 + 1 + 2);
    // Clientis the business manager's alone, Banque Horizon 70/30.
    assert_eq!(count(db, "company_portfolio").await, 1 + 2);
    assert_eq!(
        count(db, "mission_portfolio WHERE share_bp = 7000").await,
        1,
        "the business manager's 70 % of Banque Horizon"
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
            kinds: Vec::new(),
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(clientis.total, 1);
    assert_eq!(clients[0].company_id, Some(clientis.items[0].id));
    assert!(clientis.items[0].data.key_account);
    assert!(clientis.items[0].send_invoices_by_email);
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

/// The demo's own story, on one seeding: valid identifiers, Camille's
/// reports through all three parties, the key-account chain, the payment.
#[tokio::test]
async fn the_demo_tells_its_story() {
    // The firm's identity is saved without going through a form: check it here.
    let firm = demo::stafforia();
    let siren = Siren::parse(firm.siren.as_deref().unwrap()).expect("firm SIREN");
    let vat = VatNumber::parse(firm.vat_number.as_deref().unwrap()).expect("firm VAT");
    assert_eq!(vat.siren(), Some(siren.clone()));
    assert_eq!(vat, VatNumber::for_siren(&siren));
    Iban::parse(firm.iban.as_deref().unwrap()).expect("firm IBAN");

    on_each_backend(|db| async move {
        demo::seed(&db).await.unwrap();
        identifiers_are_valid(&db).await;
        the_reports_went_through_all_three(&db).await;
        two_months_accrued_then_issued_at_the_signature(&db).await;
    })
    .await;
}

async fn identifiers_are_valid(db: &Db) {
    let mut tx = db.read().await.unwrap();
    let list = companies::list(
        &mut tx,
        Scope::All,
        &CompanyFilter::default(),
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(list.items.len(), 6);
    let mut sirens = HashSet::new();
    // A site is an establishment of its group's company: no SIREN of its own.
    for c in list
        .items
        .iter()
        .filter(|c| c.data.entity_kind != Some(domain::company::group::EntityKind::Site))
    {
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
}

async fn user(db: &Db, email: &str) -> users::User {
    let mut tx = db.read().await.unwrap();
    let u = users::find_by_email(&mut tx, email).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    u
}

async fn cra_of(db: &Db, u: &users::User, month: YearMonth) -> CraId {
    let mut tx = db.read().await.unwrap();
    let id = cras::find(&mut tx, u.id, month).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

async fn status(db: &Db, id: CraId) -> CraStatus {
    let mut tx = db.read().await.unwrap();
    let s = cras::get(&mut tx, Scope::All, id).await.unwrap();
    tx.commit().await.unwrap();
    s.cra.status
}

async fn the_reports_went_through_all_three(db: &Db) {
    let camille = user(db, "camille.martin@stafforia.example").await;
    let now = YearMonth::of(store::today());
    assert_eq!(
        status(db, cra_of(db, &camille, now.prev().prev()).await).await,
        CraStatus::Validated
    );
    assert_eq!(
        status(db, cra_of(db, &camille, now.prev()).await).await,
        CraStatus::Validated
    );
    assert_eq!(
        status(db, cra_of(db, &camille, now).await).await,
        CraStatus::Signed
    );
    let lucas = user(db, "lucas.petit@stafforia.example").await;
    assert_eq!(
        status(db, cra_of(db, &lucas, now.prev()).await).await,
        CraStatus::Draft
    );
    let events: i64 = store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM cra_events WHERE kind = 'validated'"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(events, 3, "Camille's two months and Lucas's late one");
    // The approved day of leave is in the first month, not typed.
    let mut tx = db.begin().await.unwrap();
    let s = cras::get(
        &mut tx,
        Scope::All,
        cra_of(db, &camille, now.prev().prev()).await,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.slots.iter().filter(|x| x.activity.is_leave()).count(), 2);
    // Camille's months were validated on time; Lucas is the late one.
    let mut tx = db.read().await.unwrap();
    let rates = store::cra_reports::on_time_rates(
        &mut tx,
        &[now.prev().prev(), now.prev()],
        store::today(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for r in rates {
        assert_eq!((r.expected, r.on_time), (2, 1), "{r:?}");
    }
}

async fn two_months_accrued_then_issued_at_the_signature(db: &Db) {
    let today = store::today();
    let current = YearMonth::of(today);
    let (first, second) = (current.prev().prev(), current.prev());
    let mut list = invoices(db).await;
    list.sort_by(|a, b| (a.issue_date, &a.number).cmp(&(b.issue_date, &b.number)));
    // Banque Horizon's late invoice comes first: Lucas's month, issued
    // 70 days ago at 30 days net.
    let late = list.remove(0);
    let issued = today - time::Duration::days(70);
    assert_eq!(late.client_name, "Banque Horizon");
    assert_eq!(late.period, YearMonth::of(issued).prev().to_string());
    assert_eq!(late.due_date, Some(today - time::Duration::days(40)));
    // Less his first week, on the bench between his two missions.
    let lucas_days = YearMonth::of(issued)
        .prev()
        .working_days(domain::calendar::Region::Standard)
        .len() as i64
        - 5;
    assert_eq!(late.net, Money::from_euros(550 * lucas_days));
    let shown: Vec<(Option<&str>, &str, Money, Money, Money)> = list
        .iter()
        .map(|i| {
            (
                i.number.as_deref(),
                i.period.as_str(),
                i.net,
                i.vat,
                i.gross,
            )
        })
        .collect();
    let year = today.year();
    // Numbers are per year: the late invoice took the first one when
    // it was issued this year.
    let taken = i64::from(issued.year() == year);
    let days = |m: YearMonth| m.working_days(domain::calendar::Region::Standard).len() as i64;
    // The first month less her day of paid leave; the second in full
    // (November 2026: 20 days × 600 € = 12 000,00 € HT, 2 400,00 € VAT,
    // 14 400,00 € TTC).
    let amounts = |d: i64| {
        (
            Money::from_euros(600 * d),
            Money::from_euros(120 * d),
            Money::from_euros(720 * d),
        )
    };
    let (n1, v1, g1) = amounts(days(first) - 1);
    let (n2, v2, g2) = amounts(days(second));
    let (p1, p2) = (first.to_string(), second.to_string());
    let (f1, f2) = (
        format!("FA-{year}-{:06}", 1 + taken),
        format!("FA-{year}-{:06}", 2 + taken),
    );
    assert_eq!(
        shown,
        [
            (Some(f1.as_str()), p1.as_str(), n1, v1, g1),
            (Some(f2.as_str()), p2.as_str(), n2, v2, g2),
        ]
    );
    if second == ym(2026, Month::November) {
        assert_eq!(
            (n2, v2, g2),
            (
                Money::from_euros(12_000),
                Money::from_euros(2_400),
                Money::from_euros(14_400)
            )
        );
    }
    // Both accruals were booked at their month-end and reversed at the
    // signature, linked to their invoices: FAE and its VAT are back to zero.
    assert_eq!(balance(db, "4181").await, 0);
    assert_eq!(balance(db, "44587").await, 0);
    // Clientis paid the second month (the demo's statement); the first
    // and Banque Horizon's stay owed.
    assert_eq!(balance(db, "411").await, (g1 + late.gross).cents());
    assert_eq!(balance(db, "512").await, g2.cents());
    let linked: i64 = store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM accruals a JOIN ledger_entries r ON r.id = a.reversal_entry_id
         WHERE a.released_by_invoice_id = a.invoice_id AND r.reverses_id = a.entry_id"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(linked, 2);
    let mut tx = db.read().await.unwrap();
    assert!(read::waiting(&mut tx).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_demo_can_stop_before_the_key_account_chain() {
    on_each_backend(|db| async move {
        demo::seed_stage(&db, demo::Stage::BeforeBilling)
            .await
            .unwrap();
        let mut tx = db.read().await.unwrap();
        let waiting = read::waiting(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(waiting.len(), 2);
        assert!(waiting.iter().all(|i| i.accrued.is_none()));
        assert_eq!(crate::support::count(&db, "ledger_entries").await, 0);
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
            "cjm_settings",
            "opportunity_stages",
        ];
        let missing: Vec<&&String> = missing
            .iter()
            .filter(|t| !kept.contains(&t.as_str()))
            .collect();
        assert!(missing.is_empty(), "tables the demo refresh leaves: {missing:?}");
    })
    .await;
}

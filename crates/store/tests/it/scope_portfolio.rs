//! The business managers' scope on both backends: a manager sees the
//! missions he holds or held a share of (a 70/30 mission by both, a
//! mission handed over by its past owner too), their accounts, contacts,
//! contracts, reports, invoices and renewals, and nothing of another
//! manager's; consultants and client contacts see what they saw before.

use std::collections::BTreeSet;

use domain::calendar::YearMonth;
use domain::company::CompanyInput;
use domain::ids::{CompanyId, CraId, MissionId};
use domain::paging::PageRequest;
use domain::people::portfolio::PortfolioPeriodInput;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::users::User;
use store::{Db, Error, Scope};
use time::{Date, Duration, Month};

use crate::support::actor;

fn share(bm: &User, from: Date, to: Option<Date>, share: &str) -> PortfolioPeriodInput {
    PortfolioPeriodInput {
        bm_id: bm.id.to_string(),
        from: from.to_string(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        share: share.into(),
    }
}

async fn set_portfolio(db: &Db, m: MissionId, periods: &[PortfolioPeriodInput]) {
    let periods = store::portfolio::validate(periods).unwrap();
    let mut tx = db.begin().await.unwrap();
    store::portfolio::replace(&mut tx, &actor(), m, &periods, store::today())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn missions(db: &Db, scope: Scope) -> BTreeSet<MissionId> {
    let mut tx = db.read().await.unwrap();
    let page = store::missions::list(
        &mut tx,
        scope,
        &Default::default(),
        PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    page.items.into_iter().map(|m| m.id).collect()
}

async fn companies(db: &Db, scope: Scope) -> BTreeSet<CompanyId> {
    let mut tx = db.read().await.unwrap();
    let page = store::companies::list(
        &mut tx,
        scope,
        &Default::default(),
        PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    page.items.into_iter().map(|c| c.id).collect()
}

async fn contact_companies(db: &Db, scope: Scope) -> BTreeSet<CompanyId> {
    let mut tx = db.read().await.unwrap();
    let page = store::contacts::list(
        &mut tx,
        scope,
        &Default::default(),
        PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    page.items.into_iter().map(|c| c.data.company_id).collect()
}

async fn reports(db: &Db, scope: Scope) -> BTreeSet<CraId> {
    let mut tx = db.read().await.unwrap();
    let list = store::cras::list(&mut tx, scope, &Default::default(), 500)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    list.into_iter().map(|s| s.cra.id).collect()
}

fn set<T: Ord + Copy>(items: &[T]) -> BTreeSet<T> {
    items.iter().copied().collect()
}

#[tokio::test]
async fn a_business_manager_sees_his_portfolio_and_nothing_else() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let year = today.year();
        let jan = |y: i32| Date::from_calendar_date(y, Month::January, 1).unwrap();
        let (bruno, _) = w.managers().await.clone();
        let olivia = w
            .user(Role::BusinessManager)
            .name("Olivia Autre")
            .create()
            .await;
        let farid = w
            .user(Role::BusinessManager)
            .name("Farid Farmer")
            .create()
            .await;
        let clientis = w.client().name("Clientis").create().await;
        let horizon = w.client().name("Banque Horizon").create().await;
        let acme = w.client().name("Acme").create().await;
        let camille = w.consultant("Camille Martin").await;

        // Camille works for Clientis (Bruno's) last year, then for Acme
        // (Olivia's) from January.
        let mine = w
            .mission(&clientis)
            .consultant(&camille)
            .from(jan(year - 1))
            .to(jan(year) - Duration::days(1))
            .create()
            .await;
        let theirs = w
            .mission(&acme)
            .consultant(&camille)
            .from(jan(year))
            .with(|i| i.business_manager_id = olivia.id.to_string())
            .create()
            .await;
        // Horizon's mission is shared 70/30 between Bruno and Farid.
        let shared = w.mission(&horizon).create().await;
        let start = shared.data.start_date;
        set_portfolio(
            &db,
            shared.id,
            &[
                share(&bruno, start, None, "70"),
                share(&farid, start, None, "30"),
            ],
        )
        .await;
        // Farid ran an Acme mission until last month, Olivia since.
        let handed = w
            .mission(&acme)
            .with(|i| i.business_manager_id = farid.id.to_string())
            .create()
            .await;
        let hand_over = today - Duration::days(30);
        set_portfolio(
            &db,
            handed.id,
            &[
                share(
                    &farid,
                    handed.data.start_date,
                    Some(hand_over - Duration::days(1)),
                    "",
                ),
                share(&olivia, hand_over, None, ""),
            ],
        )
        .await;

        let bruno_s = Scope::Portfolio(bruno.id);
        let olivia_s = Scope::Portfolio(olivia.id);
        let farid_s = Scope::Portfolio(farid.id);

        // Missions: his own, the shared one by both, a past owner's still.
        assert_eq!(missions(&db, bruno_s).await, set(&[mine.id, shared.id]));
        assert_eq!(
            missions(&db, farid_s).await,
            set(&[shared.id, handed.id]),
            "a 70/30 mission by both; a mission handed over by its past owner"
        );
        assert_eq!(missions(&db, olivia_s).await, set(&[theirs.id, handed.id]));
        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            store::missions::get(&mut tx, bruno_s, theirs.id).await,
            Err(Error::NotFound)
        ));
        store::missions::get(&mut tx, bruno_s, mine.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A consultant working for two clients still sees both missions,
        // and a client contact only his company's.
        assert_eq!(
            missions(&db, Scope::Own(camille.id)).await,
            set(&[mine.id, theirs.id])
        );
        assert_eq!(
            missions(&db, Scope::Company(clientis.id)).await,
            set(&[mine.id])
        );
        assert_eq!(missions(&db, Scope::All).await.len(), 4);

        // Accounts: the clients of his missions, and their contacts.
        assert_eq!(
            companies(&db, bruno_s).await,
            set(&[clientis.id, horizon.id])
        );
        assert_eq!(companies(&db, farid_s).await, set(&[horizon.id, acme.id]));
        assert_eq!(
            contact_companies(&db, bruno_s).await,
            set(&[clientis.id, horizon.id])
        );
        assert_eq!(
            companies(&db, Scope::Company(clientis.id)).await,
            set(&[clientis.id])
        );
        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            store::companies::get(&mut tx, bruno_s, acme.id).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            store::contacts::get(&mut tx, bruno_s, acme.contact.id).await,
            Err(Error::NotFound)
        ));
        tx.commit().await.unwrap();

        // Contracts: his accounts'.
        let clientis_k = w.contract(&clientis).covering(&mine).create().await;
        let acme_k = w.contract(&acme).covering(&theirs).create().await;
        let mut tx = db.read().await.unwrap();
        store::contracts::get(&mut tx, bruno_s, clientis_k.id)
            .await
            .unwrap();
        assert!(matches!(
            store::contracts::get(&mut tx, bruno_s, acme_k.id).await,
            Err(Error::NotFound)
        ));
        assert!(
            store::contracts::for_client(&mut tx, bruno_s, acme.id)
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();

        // Reports: those with days on his missions.
        let march = YearMonth::new(year - 1, Month::March);
        let this_month = YearMonth::of(today);
        let mine_cra = w.filled_month(&mine, march).await;
        let theirs_cra = w.filled_month(&theirs, this_month).await;
        let bruno_reports = reports(&db, bruno_s).await;
        assert!(bruno_reports.contains(&mine_cra), "{bruno_reports:?}");
        assert!(!bruno_reports.contains(&theirs_cra), "{bruno_reports:?}");
        assert!(reports(&db, olivia_s).await.contains(&theirs_cra));
        assert_eq!(
            reports(&db, Scope::Own(camille.id)).await,
            set(&[mine_cra, theirs_cra])
        );

        // Invoices: his missions'.
        let mine_inv = w.issued_invoice(&mine, march).await;
        let mut tx = db.read().await.unwrap();
        use store::invoicing::read;
        read::visible(&mut tx, bruno_s, mine_inv.id).await.unwrap();
        assert!(matches!(
            read::visible(&mut tx, olivia_s, mine_inv.id).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            read::issued_one(&mut tx, olivia_s, mine_inv.id).await,
            Err(Error::NotFound)
        ));
        let issued: Vec<_> = read::issued_in_scope(&mut tx, bruno_s, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(issued, vec![mine_inv.id]);
        assert!(
            read::issued_in_scope(&mut tx, olivia_s, 100)
                .await
                .unwrap()
                .is_empty()
        );
        // The invoice list narrowed to his scope: the same clause.
        let listed = read::list(&mut tx, &read::Filter::default().scoped(olivia_s), 100)
            .await
            .unwrap();
        assert!(listed.is_empty(), "{listed:?}");
        let listed = read::list(&mut tx, &read::Filter::default().scoped(bruno_s), 100)
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![mine_inv.id]
        );

        // Renewals: his missions ending soon.
        let upcoming: BTreeSet<MissionId> = store::renewals::upcoming(&mut tx, bruno_s, today, 800)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.mission_id)
            .collect();
        assert_eq!(upcoming, set(&[shared.id]));
        tx.commit().await.unwrap();

        // A company he creates is his account: he still sees it.
        let data = CompanyInput {
            name: "Nouvelle Banque".into(),
            kind: "prospect".into(),
            country: "FR".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let created = store::companies::create_in_scope(&mut tx, &actor(), olivia_s, &data)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(companies(&db, olivia_s).await.contains(&created.id));
        assert!(!companies(&db, bruno_s).await.contains(&created.id));
        let mut tx = db.read().await.unwrap();
        let owners = store::portfolio::of_company(&mut tx, created.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(owners.len(), 1);
        assert_eq!(owners[0].period.bm_id, olivia.id);
    })
    .await;
}

#[tokio::test]
async fn an_account_portfolio_widens_the_scope_to_its_company() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let (bruno, _) = w.managers().await.clone();
        let olivia = w
            .user(Role::BusinessManager)
            .name("Olivia Autre")
            .create()
            .await;
        let acme = w.client().name("Acme").create().await;
        let m = w.mission(&acme).create().await;
        let olivia_s = Scope::Portfolio(olivia.id);
        assert!(!companies(&db, olivia_s).await.contains(&acme.id));

        // Acme's account shared 70/30: Olivia sees the company and its
        // contacts, not Bruno's mission there.
        let periods = store::portfolio::validate(&[
            share(&olivia, today, None, "70"),
            share(&bruno, today, None, "30"),
        ])
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let lines = store::portfolio::replace(&mut tx, &actor(), acme.id, &periods, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(companies(&db, olivia_s).await, set(&[acme.id]));
        assert_eq!(contact_companies(&db, olivia_s).await, set(&[acme.id]));
        assert!(missions(&db, olivia_s).await.is_empty());
        assert_eq!(
            missions(&db, Scope::Portfolio(bruno.id)).await,
            set(&[m.id])
        );

        // Shares not making 100 %: refused, named, nothing written.
        let bad = store::portfolio::validate(&[
            share(&olivia, today, None, "70"),
            share(&bruno, today, None, "20"),
        ])
        .unwrap_err();
        assert_eq!(
            (bad.0[0].field, bad.0[0].key),
            ("periods", "portfolio-shares-not-hundred")
        );
        let mut tx = db.read().await.unwrap();
        assert_eq!(
            store::portfolio::of_company(&mut tx, acme.id)
                .await
                .unwrap()
                .len(),
            2
        );
        tx.commit().await.unwrap();
    })
    .await;
}

//! Activity reports: the mandatory order, the client's validation by link
//! or portal, locking and reopening, refusals that write nothing, and who
//! sees what.

use domain::calendar::YearMonth;
use domain::cra::{Activity, Cell, CraStatus};
use domain::ids::CraId;
use domain::role::Role;
use fixtures::build::{Client, World};
use fixtures::testing::on_each_backend;
use store::cras::{self, Entry, Via};
use store::missions::Mission;
use store::users::User;
use store::{Actor, Db, Error, Scope};

use crate::support::count;

/// Camille at Clientis, whose reports Marc Lefèvre approves by the e-mailed
/// link and Sophie Bernard (a Clientis user) in the portal; Lucas at Banque
/// Horizon.
struct Story {
    w: World,
    clientis: Client,
    camille: User,
    camille_at_clientis: Mission,
    lucas: User,
    lucas_at_horizon: Mission,
    sophie: User,
    manager: User,
}

async fn story(db: &Db) -> Story {
    let w = World::new(db).await;
    let clientis = w
        .client()
        .name("Clientis Group")
        .contact("Marc", "Lefèvre", "domain_manager")
        .create()
        .await;
    let horizon = w.client().name("Banque Horizon").create().await;
    let camille = w.consultant("Camille Martin").await;
    let camille_at_clientis = w
        .mission(&clientis)
        .consultant(&camille)
        .validated_by(&clientis.contact)
        .create()
        .await;
    let lucas = w.consultant("Lucas Petit").await;
    let lucas_at_horizon = w.mission(&horizon).consultant(&lucas).create().await;
    let sophie = w
        .user(Role::ClientContact)
        .name("Sophie Bernard")
        .of(&clientis)
        .create()
        .await;
    let manager = w.managers().await.1.clone();
    Story {
        w,
        clientis,
        camille,
        camille_at_clientis,
        lucas,
        lucas_at_horizon,
        sophie,
        manager,
    }
}

fn as_user(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        label: u.display_name.clone(),
        ip: None,
    }
}

fn current() -> YearMonth {
    YearMonth::of(store::today())
}

async fn cra_of(db: &Db, u: &User, month: YearMonth) -> CraId {
    let mut tx = db.read().await.unwrap();
    let id = cras::find(&mut tx, u.id, month).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

fn keys(e: Error) -> Vec<&'static str> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| f.key).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn status(db: &Db, id: CraId) -> CraStatus {
    let mut tx = db.read().await.unwrap();
    let s = cras::get(&mut tx, Scope::All, id).await.unwrap();
    tx.commit().await.unwrap();
    s.cra.status
}

#[tokio::test]
async fn order_is_mandatory_and_a_locked_report_reopens_as_a_new_version() {
    on_each_backend(|db| async move {
        let s = story(&db).await;
        let (camille, manager, sophie) = (s.camille.clone(), s.manager.clone(), s.sophie.clone());
        let id = s.w.signed_month(&s.camille_at_clientis, current()).await;
        let slots_before = count(&db, "cra_slots").await;

        // The manager cannot validate before the client.
        let mut tx = db.begin().await.unwrap();
        let v = cras::validate(&mut tx, &as_user(&manager), &[id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(v.done.is_empty());
        assert_eq!(v.skipped, vec![id]);
        assert_eq!(status(&db, id).await, CraStatus::Signed);

        // The consultant cannot edit what he signed.
        let mut tx = db.begin().await.unwrap();
        let entry = Entry {
            cells: Vec::new(),
            comment: None,
            extras: Vec::new(),
        };
        let e = cras::save(
            &mut tx,
            &as_user(&camille),
            Scope::Own(camille.id),
            id,
            &entry,
        )
        .await
        .unwrap_err();
        drop(tx);
        assert_eq!(keys(e), ["cra-awaiting-client"]);
        assert_eq!(count(&db, "cra_slots").await, slots_before);

        // The client validates in the portal; the e-mailed link is withdrawn.
        let company = sophie.company_id.unwrap();
        let mut tx = db.begin().await.unwrap();
        let sheet = cras::get(&mut tx, Scope::Company(company), id)
            .await
            .unwrap();
        let mission = sheet.approvals[0].mission_id;
        let doc = sheet.approvals[0].document_id.clone().unwrap();
        cras::client_validate(
            &mut tx,
            Scope::Company(company),
            id,
            Via::Portal {
                mission,
                actor: &as_user(&sophie),
            },
            "Sophie Bernard",
        )
        .await
        .unwrap();
        let request =
            store::esign::latest_for(&mut tx, domain::ids::DocumentId::parse(&doc).unwrap())
                .await
                .unwrap()
                .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(request.status, domain::esign::RequestStatus::Cancelled);
        assert_eq!(status(&db, id).await, CraStatus::ClientValidated);

        // Validated by the manager: locked.
        let mut tx = db.begin().await.unwrap();
        let v = cras::validate(&mut tx, &as_user(&manager), &[id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(v.done, vec![id]);
        let mut tx = db.begin().await.unwrap();
        let e = cras::save(
            &mut tx,
            &as_user(&camille),
            Scope::Own(camille.id),
            id,
            &entry,
        )
        .await
        .unwrap_err();
        drop(tx);
        assert_eq!(keys(e), ["cra-locked"]);

        // Reopened: the validated version stays, a new draft carries its days.
        let mut tx = db.begin().await.unwrap();
        let e = cras::reopen(&mut tx, &as_user(&manager), id, "  ")
            .await
            .unwrap_err();
        assert_eq!(keys(e), ["cra-reason-required"]);
        let new_id = cras::reopen(&mut tx, &as_user(&manager), id, "Un jour de trop le 3")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(status(&db, id).await, CraStatus::Superseded);
        let mut tx = db.begin().await.unwrap();
        let old = cras::get(&mut tx, Scope::All, id).await.unwrap();
        let new = cras::get(&mut tx, Scope::All, new_id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(new.cra.status, CraStatus::Draft);
        assert_eq!(new.cra.version, 2);
        assert_eq!(old.slots, new.slots);
        assert_eq!(cra_of(&db, &camille, current()).await, new_id);
    })
    .await;
}

#[tokio::test]
async fn a_client_declining_the_link_sends_it_back_with_the_reason() {
    on_each_backend(|db| async move {
        let st = story(&db).await;
        let id = st.w.signed_month(&st.camille_at_clientis, current()).await;
        let marc = st.clientis.contact.data.email.clone().unwrap();
        let mut tx = db.begin().await.unwrap();
        let (token, code) = store::esign::mailed_credentials(&mut tx, marc.as_str())
            .await
            .unwrap()
            .unwrap();
        let origin = store::esign::Origin::system();
        let out = store::esign::decide(
            &mut tx,
            &token,
            &origin,
            "http://x",
            &code,
            &store::esign::Decision::Decline { reason: "Le 11 était férié".into() },
            &app::Render,
        )
        .await
        .unwrap();
        assert!(matches!(out, store::esign::Outcome::Done { completed: false, .. }), "{out:?}");
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let s = cras::get(&mut tx, Scope::All, id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.cra.status, CraStatus::Draft);
        assert_eq!(s.cra.rejection_reason.as_deref(), Some("Le 11 était férié"));
        assert!(s.approvals.is_empty());
        let told: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox_emails WHERE to_address = $1 AND subject LIKE 'CRA % à reprendre'"
        )
        .bind(&st.camille.email)
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(told, 1);
    })
    .await;
}

#[tokio::test]
async fn bad_grids_are_refused_and_nothing_is_written() {
    on_each_backend(|db| async move {
        let s = story(&db).await;
        let lucas = s.lucas.clone();
        let month = current().prev();
        let id = s.w.opened_month(&s.lucas_at_horizon, month).await;
        let mut tx = db.begin().await.unwrap();
        let sheet = cras::get(&mut tx, Scope::Own(lucas.id), id).await.unwrap();
        tx.commit().await.unwrap();
        let before = sheet.slots.clone();
        let m = sheet.missions[0].id;
        let day = sheet.pattern.working_days(month)[0];
        let cell = |activity: Activity, day, half_days| Cell {
            activity,
            day,
            half_days,
        };
        let tries: Vec<(Vec<Cell>, &str)> = vec![
            (
                vec![
                    cell(Activity::Mission(m), day, 2),
                    cell(Activity::Training, day, 1),
                ],
                "cra-day-over-one",
            ),
            (
                vec![cell(Activity::Mission(m), month.next().first_day(), 2)],
                "cra-day-outside-month",
            ),
            (
                vec![cell(
                    Activity::Mission(domain::ids::MissionId::new()),
                    day,
                    2,
                )],
                "cra-mission-unknown",
            ),
        ];
        for (cells, key) in tries {
            let mut tx = db.begin().await.unwrap();
            let entry = Entry {
                cells,
                comment: None,
                extras: Vec::new(),
            };
            let e = cras::save(&mut tx, &as_user(&lucas), Scope::Own(lucas.id), id, &entry)
                .await
                .unwrap_err();
            drop(tx);
            assert_eq!(keys(e), [key]);
        }
        // Signing with empty working days is refused too.
        let mut tx = db.begin().await.unwrap();
        let e = cras::sign(
            &mut tx,
            &as_user(&lucas),
            Scope::Own(lucas.id),
            id,
            &store::esign::Origin::system(),
            "http://x",
            &app::Render,
        )
        .await
        .unwrap_err();
        drop(tx);
        assert_eq!(keys(e), ["cra-unfilled-days"]);
        let mut tx = db.begin().await.unwrap();
        let after = cras::get(&mut tx, Scope::All, id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.slots, before);
        assert_eq!(after.cra.status, CraStatus::Draft);
    })
    .await;
}

#[tokio::test]
async fn each_sees_only_his_own() {
    on_each_backend(|db| async move {
        let s = story(&db).await;
        let (camille, lucas, sophie) = (s.camille.clone(), s.lucas.clone(), s.sophie.clone());
        let id = s.w.signed_month(&s.camille_at_clientis, current()).await;
        let lucas_id =
            s.w.opened_month(&s.lucas_at_horizon, current().prev())
                .await;
        s.w.validated_month(&s.lucas_at_horizon, current().prev().prev().prev())
            .await;
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            cras::get(&mut tx, Scope::Own(lucas.id), id).await,
            Err(Error::NotFound)
        ));
        assert!(cras::get(&mut tx, Scope::Own(camille.id), id).await.is_ok());
        // Sophie's company validates Camille's mission, not Lucas's.
        let clientis = Scope::Company(sophie.company_id.unwrap());
        assert!(cras::get(&mut tx, clientis, id).await.is_ok());
        assert!(matches!(
            cras::get(&mut tx, clientis, lucas_id).await,
            Err(Error::NotFound)
        ));
        let list = cras::list(&mut tx, clientis, &cras::Filter::default(), 100)
            .await
            .unwrap();
        assert!(list.iter().all(|s| s.cra.consultant_id == camille.id));
        let mine = cras::list(&mut tx, Scope::Own(lucas.id), &cras::Filter::default(), 100)
            .await
            .unwrap();
        assert_eq!(
            mine.len(),
            2,
            "last month's, and his validated month at Banque Horizon"
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn leave_cannot_rewrite_a_signed_month() {
    on_each_backend(|db| async move {
        let s = story(&db).await;
        let camille = s.camille.clone();
        let month = current().prev();
        s.w.validated_month(&s.camille_at_clientis, month).await;
        let mut tx = db.begin().await.unwrap();
        store::leave::set_allowance(
            &mut tx,
            &as_user(&s.manager),
            camille.id,
            "rtt",
            month.year,
            domain::mission::DayQuantity::from_days(9),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let day = domain::cra::WorkPattern::default().working_days(month)[5];
        let mut tx = db.begin().await.unwrap();
        let e = store::leave::request(
            &mut tx,
            &as_user(&camille),
            camille.id,
            &store::leave::NewLeave {
                leave_type: "rtt".into(),
                period: domain::leave::LeavePeriod {
                    start: day,
                    start_half: domain::cra::Half::Am,
                    end: day,
                    end_half: domain::cra::Half::Pm,
                },
                comment: None,
            },
        )
        .await
        .unwrap_err();
        drop(tx);
        assert_eq!(keys(e), ["leave-overlaps-signed-cra"]);
    })
    .await;
}

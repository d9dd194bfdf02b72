//! Activities on both backends: the scope (a business manager sees those
//! assigned to him and his accounts'; consultants and client contacts
//! none), "ma journée" (today's and overdue open ones, the renewal tasks
//! with them), the filters and timelines, completing, bad input writing
//! nothing, and the morning e-mail queued once per user and day.

use std::collections::BTreeSet;

use domain::crm::activity::{ActivityInput, ActivityKind};
use domain::ids::{ActivityId, UserId};
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::activities::{Activity, ActivityFilter, Status, Subject};
use store::{Db, Error, Scope};
use time::{Date, Duration};

use crate::support::{actor, count};

fn input(title: &str, due: Date, assignee: UserId) -> ActivityInput {
    ActivityInput {
        kind: "task".into(),
        title: title.into(),
        due_date: due.to_string(),
        assignee_id: assignee.to_string(),
        ..Default::default()
    }
}

async fn create(db: &Db, scope: Scope, i: &ActivityInput) -> Result<Activity, Error> {
    let d = i.validate().map_err(Error::Invalid)?;
    let mut tx = db.begin().await.unwrap();
    let r = store::activities::create(&mut tx, &actor(), scope, &d).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn seen(db: &Db, scope: Scope, f: &ActivityFilter) -> BTreeSet<ActivityId> {
    let mut tx = db.read().await.unwrap();
    let p = store::activities::list(&mut tx, scope, f, PageRequest::new(None, Some(50)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    p.items.into_iter().map(|a| a.id).collect()
}

async fn my_day(db: &Db, user: UserId, today: Date) -> Vec<ActivityId> {
    let mut tx = db.read().await.unwrap();
    let day = store::activities::my_day(&mut tx, user, today)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    day.into_iter().map(|a| a.id).collect()
}

fn fields(e: Error) -> Vec<&'static str> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| f.field).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn scope_my_day_filters_timelines_and_bad_input() {
    on_each_backend(|db| async move {
        let today = store::today();
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let his = w.client().name("Clientis").create().await;
        let mission = w.mission(&his).create().await;
        let other = w.client().create().await;

        // A call logged on his account (done), the contact naming it.
        let mut call = input("Point avec la DSI", today, bruno.id);
        call.kind = "call".into();
        call.contact_id = his.contact.id.to_string();
        call.done = true;
        let call = create(&db, Scope::Portfolio(bruno.id), &call)
            .await
            .unwrap();
        assert_eq!(call.company_id, Some(his.id), "the contact's account");
        assert!(call.is_done());
        let mut due = input("Envoyer la proposition", today, bruno.id);
        due.mission_id = mission.id.to_string();
        let due = create(&db, Scope::All, &due).await.unwrap();
        assert_eq!(due.company_id, Some(his.id), "the mission's client");
        let mut late = input("Relancer l'acheteur", today - Duration::days(3), bruno.id);
        late.company_id = other.id.to_string();
        let late = create(&db, Scope::All, &late).await.unwrap();
        let later = create(
            &db,
            Scope::All,
            &input("Préparer le comité", today + Duration::days(5), bruno.id),
        )
        .await
        .unwrap();
        let mut hers = input("Appeler le client", today, olivia.id);
        hers.company_id = other.id.to_string();
        let hers = create(&db, Scope::All, &hers).await.unwrap();

        let all = ActivityFilter::default();
        assert_eq!(
            seen(&db, Scope::All, &all).await,
            [call.id, due.id, late.id, later.id, hers.id].into()
        );
        assert_eq!(
            seen(&db, Scope::Portfolio(bruno.id), &all).await,
            [call.id, due.id, late.id, later.id].into(),
            "his accounts' and those assigned to him"
        );
        assert_eq!(
            seen(&db, Scope::Portfolio(olivia.id), &all).await,
            [hers.id].into()
        );
        let camille = w.consultant("Camille Martin").await;
        assert!(seen(&db, Scope::Own(camille.id), &all).await.is_empty());
        assert!(seen(&db, Scope::Company(his.id), &all).await.is_empty());

        // Ma journée: the overdue first, then today's; neither the done
        // call nor next week's.
        assert_eq!(my_day(&db, bruno.id, today).await, [late.id, due.id]);
        assert_eq!(my_day(&db, olivia.id, today).await, [hers.id]);

        // Filters.
        let f = ActivityFilter {
            kind: Some(ActivityKind::Call),
            ..Default::default()
        };
        assert_eq!(seen(&db, Scope::All, &f).await, [call.id].into());
        let f = ActivityFilter {
            status: Some(Status::Open),
            assignee_id: Some(bruno.id),
            due_to: Some(today),
            ..Default::default()
        };
        assert_eq!(seen(&db, Scope::All, &f).await, [due.id, late.id].into());
        let f = ActivityFilter {
            company_id: Some(his.id),
            due_from: Some(today),
            ..Default::default()
        };
        assert_eq!(seen(&db, Scope::All, &f).await, [call.id, due.id].into());
        let f = ActivityFilter {
            mission_id: Some(mission.id),
            ..Default::default()
        };
        assert_eq!(seen(&db, Scope::All, &f).await, [due.id].into());

        // Timelines: the account's; Olivia sees none of it.
        let mut tx = db.read().await.unwrap();
        let t = store::activities::timeline(&mut tx, Scope::All, Subject::Company(his.id), 10)
            .await
            .unwrap();
        let none = store::activities::timeline(
            &mut tx,
            Scope::Portfolio(olivia.id),
            Subject::Company(his.id),
            10,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            t.iter().map(|a| a.id).collect::<BTreeSet<_>>(),
            [call.id, due.id].into()
        );
        assert!(none.is_empty());

        // Done in one click, twice changes nothing, then open again.
        let mut tx = db.begin().await.unwrap();
        let a = store::activities::set_done(&mut tx, &actor(), Scope::All, due.id, true)
            .await
            .unwrap();
        let again = store::activities::set_done(&mut tx, &actor(), Scope::All, due.id, true)
            .await
            .unwrap();
        assert_eq!(a.done_at, again.done_at);
        // Olivia cannot complete Bruno's.
        assert!(matches!(
            store::activities::set_done(
                &mut tx,
                &actor(),
                Scope::Portfolio(olivia.id),
                late.id,
                true
            )
            .await,
            Err(Error::NotFound)
        ));
        tx.commit().await.unwrap();
        assert_eq!(my_day(&db, bruno.id, today).await, [late.id]);
        let mut tx = db.begin().await.unwrap();
        store::activities::set_done(&mut tx, &actor(), Scope::All, due.id, false)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(my_day(&db, bruno.id, today).await, [late.id, due.id]);

        // Bad input writes nothing.
        let before = count(&db, "tasks").await;
        let mut bad = input("x", today, bruno.id);
        bad.company_id = his.id.to_string();
        bad.contact_id = other.contact.id.to_string();
        assert_eq!(
            fields(create(&db, Scope::All, &bad).await.unwrap_err()),
            ["contact_id"]
        );
        let bad = input("x", today, camille.id);
        assert_eq!(
            fields(create(&db, Scope::All, &bad).await.unwrap_err()),
            ["assignee_id"]
        );
        let mut bad = input("x", today, bruno.id);
        bad.opportunity_id = ActivityId::new().to_string();
        assert_eq!(
            fields(create(&db, Scope::All, &bad).await.unwrap_err()),
            ["opportunity_id"]
        );
        // Olivia cannot plan on Bruno's account for Bruno.
        let mut bad = input("x", today, bruno.id);
        bad.company_id = his.id.to_string();
        assert_eq!(
            fields(
                create(&db, Scope::Portfolio(olivia.id), &bad)
                    .await
                    .unwrap_err()
            ),
            ["company_id"]
        );
        assert_eq!(count(&db, "tasks").await, before, "nothing written");

        // Updating moves it and keeps the links consistent.
        let mut moved = input("Relancer l'acheteur", today, bruno.id);
        moved.company_id = other.id.to_string();
        moved.kind = "email".into();
        let d = moved.validate().unwrap();
        let mut tx = db.begin().await.unwrap();
        let a = store::activities::update(&mut tx, &actor(), Scope::All, late.id, &d)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((a.kind, a.due_date), (ActivityKind::Email, today));
    })
    .await;
}

#[tokio::test]
async fn renewal_tasks_join_my_day_and_the_morning_email_goes_once() {
    on_each_backend(|db| async move {
        let today = store::today();
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let client = w.client().create().await;
        // Ends in 20 days: the D-30 alert's task is due today.
        let mission = w
            .mission(&client)
            .to(today + Duration::days(20))
            .create()
            .await;
        let mut tx = db.begin().await.unwrap();
        let report = store::renewals::scan(&mut tx, today).await.unwrap();
        tx.commit().await.unwrap();
        assert!(report.alerts_created >= 1);
        let mut tx = db.read().await.unwrap();
        let day = store::activities::my_day(&mut tx, bruno.id, today)
            .await
            .unwrap();
        let open = store::renewals::open_tasks(&mut tx, bruno.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let renewal = day
            .iter()
            .find(|a| a.kind == ActivityKind::Renewal)
            .expect("the renewal task is in his day");
        assert_eq!(renewal.mission_id, Some(mission.id));
        assert_eq!(renewal.company_id, Some(client.id), "the mission's client");
        // The home page lists every open task, the D-30 one due later too.
        assert_eq!(
            open.iter().filter(|t| t.due_date <= today).count(),
            day.len(),
            "the home page's list agrees"
        );
        assert!(open.len() > day.len());
        // A renewal task is the scan's: only its completion changes.
        let d = input("x", today, bruno.id).validate().unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = store::activities::update(&mut tx, &actor(), Scope::All, renewal.id, &d)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(fields(e), ["kind"]);

        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        create(
            &db,
            Scope::All,
            &input("Relancer", today - Duration::days(1), olivia.id),
        )
        .await
        .unwrap();
        create(
            &db,
            Scope::All,
            &input("Plus tard", today + Duration::days(1), olivia.id),
        )
        .await
        .unwrap();
        let emails = count(&db, "outbox_emails").await;
        let mut tx = db.begin().await.unwrap();
        let sent = store::activities::run_morning_digest(&mut tx, "https://app.example/", today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sent, 2, "Bruno and Olivia, one each");
        let mut tx = db.begin().await.unwrap();
        let again = store::activities::run_morning_digest(&mut tx, "https://app.example/", today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again, 0, "once per user and day");
        assert_eq!(count(&db, "outbox_emails").await, emails + 2);
        let mut tx = db.read().await.unwrap();
        let recent = store::outbox::recent(&mut tx, 10).await.unwrap();
        tx.commit().await.unwrap();
        let hers = recent
            .iter()
            .find(|e| e.to_address == olivia.email)
            .expect("Olivia's e-mail");
        assert!(
            hers.subject.contains("0 à faire, 1 en retard"),
            "{}",
            hers.subject
        );
        assert!(hers.body_text.contains("https://app.example/my-day"));
        assert!(!hers.body_text.contains("Plus tard"));
    })
    .await;
}

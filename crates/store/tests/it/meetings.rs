//! Follow-up meetings on both backends: holding a meeting of a series
//! plans the next one exactly once, the child opportunity created from a
//! held meeting is prefilled (parent, source, meeting) and linked both
//! ways, the scope (a business manager sees his missions' and accounts'),
//! and bad input writes nothing.

use std::collections::BTreeSet;

use domain::calendar::Region;
use domain::crm::meeting::{MeetingInput, hold_input};
use domain::crm::{OpportunityInput, Source};
use domain::ids::{MeetingId, UserId};
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::meetings::{Meeting, MeetingFilter};
use store::opportunities::WinWith;
use store::{Db, Error, Scope};

use crate::support::{actor, count};

fn input(mission: &str, organiser: UserId) -> MeetingInput {
    MeetingInput {
        kind: "client".into(),
        mission_id: mission.into(),
        planned_at: "2026-12-07T10:00".into(),
        organiser_id: organiser.to_string(),
        recurrence: "monthly".into(),
        ..Default::default()
    }
}

async fn create(db: &Db, scope: Scope, i: &MeetingInput) -> Result<Meeting, Error> {
    let (d, s) = i.validate().map_err(Error::Invalid)?;
    let mut tx = db.begin().await.unwrap();
    let r = store::meetings::create(&mut tx, &actor(), scope, &d, s.as_ref()).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn hold(db: &Db, scope: Scope, id: MeetingId, note: &str) -> Option<MeetingId> {
    let held = hold_input(note, "Relancer en janvier").unwrap();
    let mut tx = db.begin().await.unwrap();
    let (m, next) = store::meetings::hold(&mut tx, &actor(), scope, id, &held)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(m.note.as_deref(), Some(note));
    next
}

fn fields(e: Error) -> Vec<&'static str> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| f.field).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn holding_plans_the_next_once_and_the_child_is_linked_both_ways() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let clientis = w.client().name("Clientis").create().await;
        let camille = w.consultant("Camille Martin").await;
        // The mission won from an opportunity: the child's parent.
        let o = {
            let i = OpportunityInput {
                title: "Data Eng".into(),
                client_id: clientis.id.to_string(),
                tjm_min: "600".into(),
                start_date: "2027-01-04".into(),
                days: "60".into(),
                business_manager_id: bruno.id.to_string(),
                ..Default::default()
            };
            let d = i.validate(Region::Standard).unwrap();
            let mut tx = db.begin().await.unwrap();
            let o = store::opportunities::create(&mut tx, &actor(), Scope::All, &d, &[])
                .await
                .unwrap();
            tx.commit().await.unwrap();
            o
        };
        let mut tx = db.begin().await.unwrap();
        let (mission, _) = store::opportunities::win(
            &mut tx,
            &actor(),
            Scope::All,
            o.id,
            Some(WinWith::NewMission {
                consultant_id: camille.id,
            }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut i = input(&mission.to_string(), bruno.id);
        i.contact_ids = vec![clientis.contact.id.to_string()];
        let m = create(&db, Scope::Portfolio(bruno.id), &i).await.unwrap();
        assert_eq!(m.company_id, clientis.id, "the mission's client");
        assert_eq!(count(&db, "meetings").await, 1);

        let next = hold(&db, Scope::Portfolio(bruno.id), m.id, "Besoin DataViz")
            .await
            .expect("the series' next meeting");
        let again = hold(&db, Scope::All, m.id, "Besoin DataViz").await;
        assert_eq!(again, Some(next), "holding twice plans nothing more");
        assert_eq!(count(&db, "meetings").await, 2);
        let mut tx = db.read().await.unwrap();
        let d = store::meetings::detail(&mut tx, Scope::All, next)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(d.meeting.previous_id, Some(m.id));
        assert_eq!(d.contacts.len(), 1, "the same people");
        assert!(d.meeting.planned_at > m.planned_at);

        // The child opportunity.
        let mut tx = db.begin().await.unwrap();
        let child = store::meetings::child_opportunity(
            &mut tx,
            &actor(),
            Scope::Portfolio(bruno.id),
            m.id,
            "DataViz",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(child.data.parent_id, Some(o.id));
        assert_eq!(child.data.source, Source::FollowUpMeeting);
        assert_eq!(child.meeting_id, Some(m.id));
        assert_eq!(child.data.client_id, clientis.id);
        assert_eq!(child.data.business_manager_id, bruno.id);
        assert_eq!(child.data.need.as_deref(), Some("Besoin DataViz"));
        let mut tx = db.read().await.unwrap();
        let d = store::meetings::detail(&mut tx, Scope::All, m.id)
            .await
            .unwrap();
        let parent = store::opportunities::detail(&mut tx, Scope::All, o.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            d.children.iter().map(|c| c.id).collect::<Vec<_>>(),
            [child.id]
        );
        assert_eq!(d.next_id, Some(next));
        assert!(parent.children.iter().any(|c| c.id == child.id));

        // A planned meeting has no child yet.
        let mut tx = db.begin().await.unwrap();
        let e = store::meetings::child_opportunity(&mut tx, &actor(), Scope::All, next, "X")
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(fields(e), ["status"]);
    })
    .await;
}

#[tokio::test]
async fn the_scope_and_bad_input() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let his = w.client().create().await;
        let mission = w.mission(&his).create().await;
        let other = w.client().create().await;
        let on_his = create(&db, Scope::All, &input(&mission.id.to_string(), bruno.id))
            .await
            .unwrap();
        let mut account = input("", olivia.id);
        account.company_id = other.id.to_string();
        account.recurrence.clear();
        let on_other = create(&db, Scope::All, &account).await.unwrap();
        let seen = async |scope: Scope| -> BTreeSet<MeetingId> {
            let mut tx = db.read().await.unwrap();
            let p = store::meetings::list(
                &mut tx,
                scope,
                &MeetingFilter::default(),
                PageRequest::new(None, Some(50)),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            p.items.into_iter().map(|m| m.id).collect()
        };
        assert_eq!(seen(Scope::All).await, [on_his.id, on_other.id].into());
        assert_eq!(seen(Scope::Portfolio(bruno.id)).await, [on_his.id].into());
        assert!(seen(Scope::Portfolio(olivia.id)).await.is_empty());
        let camille = w.consultant("Camille Martin").await;
        assert!(seen(Scope::Own(camille.id)).await.is_empty());
        assert!(seen(Scope::Company(his.id)).await.is_empty());
        // Mes prochains RDV: those he organises.
        let mut tx = db.read().await.unwrap();
        let mine = store::meetings::upcoming_for(&mut tx, Scope::All, bruno.id, 10)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(mine.iter().map(|m| m.id).collect::<Vec<_>>(), [on_his.id]);

        let before = (
            count(&db, "meetings").await,
            count(&db, "meeting_series").await,
        );
        // A contact of another company.
        let mut bad = input(&mission.id.to_string(), bruno.id);
        bad.contact_ids = vec![other.contact.id.to_string()];
        assert_eq!(
            fields(create(&db, Scope::All, &bad).await.unwrap_err()),
            ["contact_ids[0]"]
        );
        // The series ends before it starts.
        let mut bad = input(&mission.id.to_string(), bruno.id);
        bad.until = "2026-11-01".into();
        assert_eq!(
            fields(create(&db, Scope::All, &bad).await.unwrap_err()),
            ["recurrence.until"]
        );
        // Outside his portfolio.
        assert_eq!(
            fields(
                create(&db, Scope::Portfolio(bruno.id), &account)
                    .await
                    .unwrap_err()
            ),
            ["company_id"]
        );
        assert_eq!(
            (
                count(&db, "meetings").await,
                count(&db, "meeting_series").await
            ),
            before,
            "nothing written"
        );
        // Olivia cannot hold Bruno's meeting; a cancelled one is not held.
        let mut tx = db.begin().await.unwrap();
        let held = hold_input("note", "").unwrap();
        assert!(matches!(
            store::meetings::hold(
                &mut tx,
                &actor(),
                Scope::Portfolio(olivia.id),
                on_his.id,
                &held
            )
            .await,
            Err(Error::NotFound)
        ));
        store::meetings::cancel(&mut tx, &actor(), Scope::All, on_other.id)
            .await
            .unwrap();
        let e = store::meetings::hold(&mut tx, &actor(), Scope::All, on_other.id, &held)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(fields(e), ["status"]);
    })
    .await;
}

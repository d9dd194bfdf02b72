//! The pipeline in covered days, the foisonnement and the account map on
//! both backends: the worked figure (DataViz, 2 × 40 days at 30 % = 24
//! covered days), the consultants becoming free, the tree of an account
//! with its won mission and meeting-born children, and the scope in
//! every read (a business manager his portfolio's, the direction all,
//! consultants and client contacts nothing).

use domain::calendar::Region;
use domain::crm::meeting::{MeetingInput, hold_input};
use domain::crm::{OpportunityInput, StageCode};
use domain::ids::{CompanyId, OpportunityId, UserId};
use domain::money::Money;
use domain::percent::Percentage;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::opportunities::WinWith;
use store::{Db, Error, Scope};
use time::Duration;

use crate::support::actor;

fn need(client: CompanyId, bm: UserId, title: &str, start_in: i64, days: &str) -> OpportunityInput {
    OpportunityInput {
        title: title.into(),
        client_id: client.to_string(),
        tjm_min: "550".into(),
        tjm_max: "600".into(),
        start_date: (store::today() + Duration::days(start_in)).to_string(),
        days: days.into(),
        business_manager_id: bm.to_string(),
        ..Default::default()
    }
}

async fn create(db: &Db, i: OpportunityInput, probability: Option<u32>) -> OpportunityId {
    let d = i.validate(Region::Standard).unwrap();
    let mut tx = db.begin().await.unwrap();
    let o = store::opportunities::create(&mut tx, &actor(), Scope::All, &d, &[])
        .await
        .unwrap();
    if let Some(p) = probability {
        store::opportunities::update(
            &mut tx,
            &actor(),
            Scope::All,
            o.id,
            &d,
            &[],
            Some(Some(Percentage::from_percent(p))),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    o.id
}

#[tokio::test]
async fn covered_days_and_consultants_becoming_free_in_scope() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let clientis = w.client().name("Clientis").create().await;
        let other = w.client().name("Autre").create().await;
        let camille = w.consultant("Camille Martin").await;
        let today = store::today();
        // Camille's mission ends in 40 days, nothing renews it.
        let mission = w
            .mission(&clientis)
            .consultant(&camille)
            .from(today - Duration::days(100))
            .to(today + Duration::days(40))
            .create()
            .await;
        let mut dataviz = need(clientis.id, bruno.id, "DataViz", 30, "40");
        dataviz.positions = "2".into();
        dataviz.source = "follow_up_meeting".into();
        let dataviz = create(&db, dataviz, Some(30)).await;
        // Olivia's need at another account: 10 days at the first stage's
        // 10 % = 1 covered day.
        create(&db, need(other.id, olivia.id, "Audit", 10, "10"), None).await;
        // Beyond the horizon: not counted.
        create(&db, need(clientis.id, bruno.id, "Later", 120, "10"), None).await;

        let read = async |scope: Scope| {
            let mut tx = db.read().await.unwrap();
            let r = store::opportunities::pipeline::pipeline(&mut tx, scope, today)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            r
        };
        let (all, names) = read(Scope::All).await;
        assert_eq!(all.total.covered, 2_400 + 100);
        assert_eq!(
            all.by_account[&clientis.id].covered, 2_400,
            "24 covered days"
        );
        assert_eq!(
            all.by_account[&clientis.id].weighted,
            Money::from_euros(2 * 40 * 550 * 30 / 100)
        );
        assert_eq!(all.lines.len(), 2);
        assert_eq!(names.opportunities[&dataviz], "DataViz");
        let freed: Vec<_> = all.freed.iter().map(|(f, _)| f.consultant).collect();
        assert_eq!(freed, [camille.id]);
        assert_eq!(
            all.freed[0].0.free_from,
            today + Duration::days(41),
            "free the day after"
        );
        assert_eq!(all.freed[0].0.account, Some(clientis.id));
        assert!(all.total.free_days > 0);
        let _ = mission;

        let (his, _) = read(Scope::Portfolio(bruno.id)).await;
        assert_eq!(his.total.covered, 2_400);
        assert_eq!(his.freed.len(), 1, "his mission's consultant");
        let (hers, _) = read(Scope::Portfolio(olivia.id)).await;
        assert_eq!(hers.total.covered, 100);
        assert!(hers.freed.is_empty());
        for nobody in [Scope::Own(camille.id), Scope::Company(clientis.id)] {
            let (v, _) = read(nobody).await;
            assert_eq!(v.total.count, 0, "{nobody:?}");
            assert!(v.freed.is_empty(), "{nobody:?}");
        }

        // The forecast margin's part: DataViz starts in the window, its
        // cost unknown: revenue only.
        let mut tx = db.read().await.unwrap();
        let lines =
            store::opportunities::pipeline::forecast_lines(&mut tx, Scope::All, today, &|_, _| {
                Some(Money::from_euros(300))
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let p = domain::crm::pipeline::for_forecast(today, &lines);
        assert_eq!(p.count, 2);
        assert_eq!(p.weighted_revenue, p.weighted_revenue_without_cost);
        assert_eq!(p.weighted_margin_known, Money::ZERO);
    })
    .await;
}

#[tokio::test]
async fn the_account_map_and_its_foisonnement_in_scope() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let clientis = w.client().name("Clientis").create().await;
        let camille = w.consultant("Camille Martin").await;
        let today = store::today();
        let data_eng = create(&db, need(clientis.id, bruno.id, "Data Eng", 5, "60"), None).await;
        let mut tx = db.begin().await.unwrap();
        let (mission, _) = store::opportunities::win(
            &mut tx,
            &actor(),
            Scope::All,
            data_eng,
            Some(WinWith::NewMission {
                consultant_id: camille.id,
            }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The follow-up meeting held; its child, and a second child said
        // born in a meeting, lost.
        let i = MeetingInput {
            kind: "client".into(),
            mission_id: mission.to_string(),
            planned_at: format!("{today}T10:00"),
            organiser_id: bruno.id.to_string(),
            ..Default::default()
        };
        let (d, s) = i.validate().unwrap();
        let mut tx = db.begin().await.unwrap();
        let m = store::meetings::create(&mut tx, &actor(), Scope::All, &d, s.as_ref())
            .await
            .unwrap();
        store::meetings::hold(
            &mut tx,
            &actor(),
            Scope::All,
            m.id,
            &hold_input("Besoin DataViz", "Proposer deux profils").unwrap(),
        )
        .await
        .unwrap();
        let child =
            store::meetings::child_opportunity(&mut tx, &actor(), Scope::All, m.id, "DataViz")
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let mut lost = need(clientis.id, bruno.id, "Recette", 20, "10");
        lost.parent_id = child.id.to_string();
        lost.source = "follow_up_meeting".into();
        let lost = create(&db, lost, None).await;
        let mut tx = db.begin().await.unwrap();
        store::opportunities::move_stage(
            &mut tx,
            &actor(),
            Scope::All,
            lost,
            &StageCode::parse("perdue").unwrap(),
            Some(domain::crm::LossReason::Competitor),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.read().await.unwrap();
        let map = store::opportunities::account_map::account_map(
            &mut tx,
            Scope::Portfolio(bruno.id),
            &[clientis.id],
        )
        .await
        .unwrap();
        let tree: Vec<(OpportunityId, usize)> = map
            .nodes
            .iter()
            .map(|n| (n.opportunity.id, n.depth))
            .collect();
        assert_eq!(tree, [(data_eng, 0), (child.id, 1), (lost, 2)]);
        let won = map.nodes[0].mission.as_ref().expect("won into the mission");
        assert_eq!((won.id, won.consultant_id), (mission, camille.id));
        assert_eq!(map.nodes[1].meeting.map(|x| x.0), Some(m.id));
        assert!(map.other_missions.is_empty());
        let born = map.born();
        assert_eq!(born.len(), 2);

        let period = (today - Duration::days(1), today);
        let (all, _) =
            store::opportunities::account_map::born(&mut tx, Scope::All, None, period.0, period.1)
                .await
                .unwrap();
        let (his, _) = store::opportunities::account_map::born(
            &mut tx,
            Scope::Portfolio(bruno.id),
            Some(&[clientis.id]),
            period.0,
            period.1,
        )
        .await
        .unwrap();
        let (hers, _) = store::opportunities::account_map::born(
            &mut tx,
            Scope::Portfolio(olivia.id),
            None,
            period.0,
            period.1,
        )
        .await
        .unwrap();
        let (before, _) = store::opportunities::account_map::born(
            &mut tx,
            Scope::All,
            None,
            today - Duration::days(30),
            today - Duration::days(1),
        )
        .await
        .unwrap();
        for nobody in [
            Scope::Portfolio(olivia.id),
            Scope::Own(camille.id),
            Scope::Company(clientis.id),
        ] {
            let e = store::opportunities::account_map::account_map(&mut tx, nobody, &[clientis.id])
                .await
                .unwrap_err();
            assert!(matches!(e, Error::NotFound), "{nobody:?}");
            let (b, _) =
                store::opportunities::account_map::born(&mut tx, nobody, None, period.0, period.1)
                    .await
                    .unwrap();
            assert!(b.is_empty(), "{nobody:?}");
        }
        tx.commit().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(his, all);
        assert!(hers.is_empty());
        assert!(before.is_empty(), "born today, not before");
        let f = domain::crm::foisonnement::tally(
            &all,
            domain::crm::foisonnement::Period {
                from: period.0,
                to: period.1,
            },
        );
        assert_eq!((f.total.born, f.total.won, f.total.lost), (2, 0, 1));
        assert_eq!(f.total.conversion(), Some(Percentage::ZERO));
    })
    .await;
}

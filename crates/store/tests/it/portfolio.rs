//! A mission's portfolio on both backends: a new mission belongs to its
//! manager alone from its start; shares are set over dated periods and
//! refused when they do not make 100 % (nothing written); the owner shown
//! everywhere follows the largest share; a manager changed on the mission
//! form takes over from today with the history kept.

use domain::people::portfolio::{PortfolioPeriod, PortfolioPeriodInput};
use domain::percent::Percentage;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::{Error, Scope};
use time::Duration;

use crate::support::{actor, count};

fn input(
    bm: &store::users::User,
    from: time::Date,
    to: Option<time::Date>,
    share: &str,
) -> PortfolioPeriodInput {
    PortfolioPeriodInput {
        bm_id: bm.id.to_string(),
        from: from.to_string(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        share: share.into(),
    }
}

#[tokio::test]
async fn shares_hand_overs_and_the_owner_shown() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let today = store::today();
        let client = w.client().name("Banque Horizon").create().await;
        let start = today - Duration::days(60);
        let m = w.mission(&client).from(start).create().await;
        let hunter = w.managers().await.0.clone();
        let farmer = w
            .user(Role::BusinessManager)
            .name("Farid Farmer")
            .create()
            .await;

        let mut tx = db.begin().await.unwrap();
        let lines = store::portfolio::of_mission(&mut tx, m.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(lines.len(), 1, "a new mission: its manager alone");
        assert_eq!(lines[0].period.bm_id, hunter.id);
        assert_eq!(lines[0].period.from, start);
        assert_eq!(lines[0].period.share, Percentage::HUNDRED);

        // 70/30 from the start.
        let shared = [
            input(&hunter, start, None, "70"),
            input(&farmer, start, None, "30"),
        ];
        let periods = store::portfolio::validate(&shared).unwrap();
        let mut tx = db.begin().await.unwrap();
        let lines = store::portfolio::replace(&mut tx, &actor(), m.id, &periods, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(lines.len(), 2);

        // Shares that do not make 100 %: refused on the whole, nothing written.
        let bad = [
            input(&hunter, start, None, "70"),
            input(&farmer, start, None, "20"),
        ];
        let e = store::portfolio::validate(&bad).unwrap_err();
        assert_eq!(e.0[0].field, "periods");
        assert_eq!(e.0[0].key, "portfolio-shares-not-hundred");
        // A field of one row, named by its row.
        let typo = [input(
            &hunter,
            start,
            Some(start - Duration::days(1)),
            "100",
        )];
        let e = store::portfolio::validate(&typo).unwrap_err();
        assert_eq!(
            (e.0[0].field, e.0[0].key),
            ("periods[0].to", "portfolio-end-before-start")
        );
        // A consultant cannot own a mission.
        let c = w.consultant("Camille Martin").await;
        let not_bm = store::portfolio::validate(&[input(&c, start, None, "100")]).unwrap();
        let audit = count(&db, "audit_log").await;
        let mut tx = db.begin().await.unwrap();
        let e = store::portfolio::replace(&mut tx, &actor(), m.id, &not_bm, today)
            .await
            .unwrap_err();
        drop(tx);
        match e {
            Error::Invalid(v) => assert_eq!(v.0[0].field, "periods[0].bm_id"),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "mission_portfolio").await, 2);
        assert_eq!(count(&db, "audit_log").await, audit, "nothing written");

        // The mission form names the farmer: he takes it over from today,
        // the shared months stay as they were.
        let mut tx = db.begin().await.unwrap();
        let mission = store::missions::get(&mut tx, Scope::All, m.id)
            .await
            .unwrap();
        assert_eq!(
            mission.data.business_manager_id, hunter.id,
            "the larger share"
        );
        let mut data = mission.data.clone();
        data.business_manager_id = farmer.id;
        store::missions::update(
            &mut tx,
            &actor(),
            Scope::All,
            m.id,
            &data,
            &mission.validators,
        )
        .await
        .unwrap();
        let lines = store::portfolio::of_mission(&mut tx, m.id).await.unwrap();
        let after: Vec<PortfolioPeriod> = lines.iter().map(|l| l.period).collect();
        assert_eq!(
            after,
            vec![
                PortfolioPeriod {
                    bm_id: hunter.id,
                    from: start,
                    to: today.previous_day(),
                    share: Percentage::from_percent(70)
                },
                PortfolioPeriod {
                    bm_id: farmer.id,
                    from: start,
                    to: today.previous_day(),
                    share: Percentage::from_percent(30)
                },
                PortfolioPeriod {
                    bm_id: farmer.id,
                    from: today,
                    to: None,
                    share: Percentage::HUNDRED
                },
            ]
        );
        let mission = store::missions::get(&mut tx, Scope::All, m.id)
            .await
            .unwrap();
        assert_eq!(mission.data.business_manager_id, farmer.id);
        // Saved again unchanged: nothing moves.
        store::missions::update(
            &mut tx,
            &actor(),
            Scope::All,
            m.id,
            &mission.data,
            &mission.validators,
        )
        .await
        .unwrap();
        assert_eq!(
            store::portfolio::of_mission(&mut tx, m.id)
                .await
                .unwrap()
                .len(),
            3
        );
        tx.commit().await.unwrap();
    })
    .await;
}

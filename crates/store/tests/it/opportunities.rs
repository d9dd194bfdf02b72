//! Opportunities on both backends: the scope (a business manager sees his
//! own and his accounts', direction all, outsiders none), winning twice
//! makes one mission, a parent cycle or a contact of another company is
//! refused with nothing written, stages move through the domain's rule
//! and the figures follow, a mission's renewal opportunity is made once.

use std::collections::BTreeSet;

use domain::calendar::Region;
use domain::crm::{LossReason, OpportunityInput, Skill, SkillLevel, StageCode};
use domain::ids::{CompanyId, OpportunityId, UserId};
use domain::money::Money;
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::build::{Client, World};
use fixtures::testing::on_each_backend;
use store::opportunities::{Opportunity, OpportunityFilter, Sort, WinWith};
use store::{Db, Error, Scope};

use crate::support::{actor, count};

fn input(client: CompanyId, bm: UserId) -> OpportunityInput {
    OpportunityInput {
        title: "Mission — Data Eng".into(),
        client_id: client.to_string(),
        tjm_min: "600".into(),
        start_date: "2027-01-04".into(),
        days: "60".into(),
        business_manager_id: bm.to_string(),
        ..Default::default()
    }
}

async fn create(db: &Db, scope: Scope, i: &OpportunityInput) -> Result<Opportunity, Error> {
    let data = i.validate(Region::Standard).expect("valid input");
    let skills = [Skill {
        name: "Spark".into(),
        level: SkillLevel::new(3).unwrap(),
    }];
    let mut tx = db.begin().await.unwrap();
    let r = store::opportunities::create(&mut tx, &actor(), scope, &data, &skills).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn seen(db: &Db, scope: Scope) -> BTreeSet<OpportunityId> {
    let mut tx = db.read().await.unwrap();
    let page = store::opportunities::list(
        &mut tx,
        scope,
        &OpportunityFilter::default(),
        Sort::StartDate,
        false,
        PageRequest::new(None, Some(200)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    page.items.into_iter().map(|o| o.id).collect()
}

fn field(e: Error) -> Vec<(&'static str, &'static str)> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn client_with_mission(w: &World) -> Client {
    let c = w.client().create().await;
    w.mission(&c).create().await;
    c
}

#[tokio::test]
async fn a_business_manager_sees_his_own_and_his_accounts() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        // Bruno's account (his mission's client), and an account of nobody.
        let his = client_with_mission(&w).await;
        let other = w.client().create().await;
        let on_his_account = create(&db, Scope::All, &input(his.id, olivia.id))
            .await
            .unwrap();
        let hers = create(&db, Scope::All, &input(other.id, olivia.id))
            .await
            .unwrap();
        let his_own = create(&db, Scope::All, &input(other.id, bruno.id))
            .await
            .unwrap();
        let all = [on_his_account.id, hers.id, his_own.id];
        assert_eq!(seen(&db, Scope::All).await, all.into_iter().collect());
        assert_eq!(
            seen(&db, Scope::Portfolio(bruno.id)).await,
            [on_his_account.id, his_own.id].into_iter().collect()
        );
        assert_eq!(
            seen(&db, Scope::Portfolio(olivia.id)).await,
            [on_his_account.id, hers.id].into_iter().collect()
        );
        let consultant = w.consultant("Camille Martin").await;
        assert!(seen(&db, Scope::Own(consultant.id)).await.is_empty());
        assert!(seen(&db, Scope::Company(his.id)).await.is_empty());
        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            store::opportunities::get(&mut tx, Scope::Portfolio(bruno.id), hers.id).await,
            Err(Error::NotFound)
        ));
        // The kanban counts what the scope shows.
        let columns = store::opportunities::kanban(
            &mut tx,
            Scope::Portfolio(bruno.id),
            &OpportunityFilter::default(),
            10,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let first = &columns[0];
        assert_eq!(first.stage.code.as_str(), "qualification");
        assert_eq!(first.count, 2);
        assert_eq!(first.expected, Money::from_euros(2 * 36_000));
        assert_eq!(first.weighted, Money::from_euros(2 * 3_600));
        assert_eq!(first.cards.len(), 2);
        // He may not create one he would not see.
        let e = create(&db, Scope::Portfolio(bruno.id), &input(other.id, olivia.id))
            .await
            .unwrap_err();
        assert_eq!(
            field(e),
            [("business_manager_id", "opportunity-outside-portfolio")]
        );
        assert_eq!(count(&db, "opportunities").await, 3);
    })
    .await;
}

#[tokio::test]
async fn winning_twice_makes_one_mission() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let clientis = w.client().name("Clientis").create().await;
        let camille = w.consultant("Camille Martin").await;
        let mut i = input(clientis.id, bruno.id);
        i.tjm_max = "650".into();
        i.contact_ids = vec![clientis.contact.id.to_string()];
        let o = create(&db, Scope::All, &i).await.unwrap();
        assert_eq!(o.expected, Money::from_euros(36_000), "600 € × 60 days");
        let missions_before = count(&db, "missions").await;
        let win = async |with| {
            let mut tx = db.begin().await.unwrap();
            let r = store::opportunities::win(
                &mut tx,
                &actor(),
                Scope::Portfolio(bruno.id),
                o.id,
                with,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            r
        };
        let (m, made) = win(Some(WinWith::NewMission {
            consultant_id: camille.id,
        }))
        .await;
        assert!(made);
        let (again, made_again) = win(None).await;
        assert_eq!((again, made_again), (m, false));
        assert_eq!(count(&db, "missions").await, missions_before + 1);
        let mut tx = db.read().await.unwrap();
        let mission = store::missions::get(&mut tx, Scope::All, m).await.unwrap();
        assert_eq!(mission.data.client_id, clientis.id);
        assert_eq!(
            mission.data.tjm.amount(),
            Money::from_euros(650),
            "the top of the range"
        );
        assert_eq!(mission.data.business_manager_id, bruno.id);
        assert_eq!(mission.validators, vec![clientis.contact.id]);
        assert!(!mission.analytic_code.is_empty());
        let won = store::opportunities::detail(&mut tx, Scope::All, o.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(won.opportunity.mission_id, Some(m));
        assert_eq!(won.opportunity.standing.stage.as_str(), "gagnee");
        assert_eq!(won.opportunity.weighted, Money::from_euros(36_000));
        assert_eq!(won.mission.map(|x| x.0), Some(m));
        let kinds: Vec<&str> = won.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["won", "created"]);
        assert_eq!(won.skills.len(), 1);
        assert_eq!(won.contacts.len(), 1);
        // A won opportunity moves no more.
        let mut tx = db.begin().await.unwrap();
        let e = store::opportunities::move_stage(
            &mut tx,
            &actor(),
            Scope::All,
            o.id,
            &StageCode::parse("qualification").unwrap(),
            None,
            None,
        )
        .await
        .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(field(e), [("stage", "opportunity-closed")]);
    })
    .await;
}

#[tokio::test]
async fn a_parent_cycle_or_a_stranger_contact_writes_nothing() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let c = w.client().create().await;
        let stranger = w.client().create().await;
        let a = create(&db, Scope::All, &input(c.id, bruno.id))
            .await
            .unwrap();
        let mut child = input(c.id, bruno.id);
        child.parent_id = a.id.to_string();
        let b = create(&db, Scope::All, &child).await.unwrap();
        child.parent_id = b.id.to_string();
        let grandchild = create(&db, Scope::All, &child).await.unwrap();
        let events = count(&db, "opportunity_events").await;
        let audit = count(&db, "audit_log").await;
        // a under its own grandchild: a cycle.
        let mut i = input(c.id, bruno.id);
        i.parent_id = grandchild.id.to_string();
        let data = i.validate(Region::Standard).unwrap();
        let mut tx = db.begin().await.unwrap();
        let e = store::opportunities::update(&mut tx, &actor(), Scope::All, a.id, &data, &[], None)
            .await
            .unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(field(e), [("parent_id", "opportunity-parent-cycle")]);
        // A contact of another company.
        let mut i = input(c.id, bruno.id);
        i.contact_ids = vec![stranger.contact.id.to_string()];
        let e = create(&db, Scope::All, &i).await.unwrap_err();
        assert_eq!(
            field(e),
            [("contact_ids[0]", "opportunity-contact-not-at-client")]
        );
        assert_eq!(count(&db, "opportunities").await, 3);
        assert_eq!(count(&db, "opportunity_events").await, events);
        assert_eq!(count(&db, "audit_log").await, audit);
        let mut tx = db.read().await.unwrap();
        let a_now = store::opportunities::get(&mut tx, Scope::All, a.id)
            .await
            .unwrap();
        let d = store::opportunities::detail(&mut tx, Scope::All, a.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a_now.data.parent_id, None);
        assert_eq!(d.children.iter().map(|r| r.id).collect::<Vec<_>>(), [b.id]);
    })
    .await;
}

#[tokio::test]
async fn stages_move_by_the_rule_and_the_figures_follow() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let c = w.client().name("Société Générale Étoile").create().await;
        let o = create(&db, Scope::All, &input(c.id, bruno.id))
            .await
            .unwrap();
        assert_eq!(o.weighted, Money::from_euros(3_600), "10 % of 36 000 €");
        let go = async |stage: &str, reason: Option<LossReason>| {
            let mut tx = db.begin().await.unwrap();
            let r = store::opportunities::move_stage(
                &mut tx,
                &actor(),
                Scope::All,
                o.id,
                &StageCode::parse(stage).unwrap(),
                reason,
                Some("Trop cher"),
            )
            .await;
            match r {
                Ok(x) => {
                    tx.commit().await.unwrap();
                    Ok(x)
                }
                Err(e) => {
                    tx.rollback().await.unwrap();
                    Err(e)
                }
            }
        };
        let moved = go("proposition", None).await.unwrap();
        assert_eq!(moved.weighted, Money::from_euros(21_600), "60 %");
        assert_eq!(
            field(go("perdue", None).await.unwrap_err()),
            [("loss_reason", "opportunity-loss-reason-invalid")]
        );
        assert_eq!(
            field(go("gagnee", None).await.unwrap_err()),
            [("stage", "opportunity-win-through-win")]
        );
        let lost = go("perdue", Some(LossReason::Price)).await.unwrap();
        assert_eq!(lost.weighted, Money::ZERO);
        assert_eq!(lost.standing.loss_reason, Some(LossReason::Price));
        assert_eq!(lost.loss_note.as_deref(), Some("Trop cher"));
        let reopened = go("besoin_exprime", None).await.unwrap();
        assert_eq!(reopened.standing.loss_reason, None);
        assert_eq!(reopened.weighted, Money::from_euros(9_000), "25 %");
        // The business manager's own probability.
        let mut tx = db.begin().await.unwrap();
        let set = store::opportunities::update(
            &mut tx,
            &actor(),
            Scope::All,
            o.id,
            &reopened.data,
            &[],
            Some(Some(domain::percent::Percentage::from_percent(50))),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(set.weighted, Money::from_euros(18_000));
        let mut tx = db.read().await.unwrap();
        let d = store::opportunities::detail(&mut tx, Scope::All, o.id)
            .await
            .unwrap();
        // Filters: by stage and by words of the title.
        let f = OpportunityFilter {
            stage: Some(StageCode::parse("besoin_exprime").unwrap()),
            q: Some("data eng".into()),
            ..Default::default()
        };
        let page = store::opportunities::list(
            &mut tx,
            Scope::All,
            &f,
            Sort::Weighted,
            true,
            PageRequest::new(None, None),
        )
        .await
        .unwrap();
        // By words of the client's name, typed: accents and case ignored.
        let mut by_name = Vec::new();
        for typed in ["generale etoile", "Zèbre"] {
            let f = OpportunityFilter {
                client_name: Some(typed.into()),
                ..Default::default()
            };
            let n = store::opportunities::list(
                &mut tx,
                Scope::All,
                &f,
                Sort::Title,
                false,
                PageRequest::new(None, None),
            )
            .await
            .unwrap()
            .total;
            by_name.push(n);
        }
        tx.commit().await.unwrap();
        assert_eq!(by_name, [1, 0]);
        let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "probability_set",
                "reopened",
                "lost",
                "stage_moved",
                "created"
            ]
        );
        assert_eq!(page.total, 1);
    })
    .await;
}

#[tokio::test]
async fn a_missions_renewal_opportunity_is_made_once() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let c = w.client().create().await;
        let m = w.mission(&c).tjm(48_000).create().await;
        let renew = async || {
            let mut tx = db.begin().await.unwrap();
            let r = store::opportunities::renewal_for_mission(
                &mut tx,
                &actor(),
                Scope::Portfolio(bruno.id),
                m.id,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            r
        };
        let (id, made) = renew().await;
        assert!(made);
        assert_eq!(renew().await, (id, false));
        let mut tx = db.read().await.unwrap();
        let o = store::opportunities::get(&mut tx, Scope::All, id)
            .await
            .unwrap();
        let of = store::opportunities::of_mission(&mut tx, Scope::All, m.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(o.data.start_date, m.data.end_date.next_day().unwrap());
        assert_eq!(o.data.renews_mission_id, Some(m.id));
        assert_eq!(o.data.source, domain::crm::Source::Renewal);
        assert_eq!(
            o.data.tjm_min.map(|t| t.amount()),
            Some(Money::from_euros(480))
        );
        assert_eq!(o.data.business_manager_id, bruno.id);
        assert_eq!(of.renewal.map(|r| r.id), Some(id));
        assert_eq!(count(&db, "opportunities").await, 1);
    })
    .await;
}

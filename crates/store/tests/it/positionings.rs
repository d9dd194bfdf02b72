//! Positionings on both backends: the expected margin on the reader's
//! basis (his own CJM, the grade's standard CJM, or unknown), one
//! positioning per consultant, the answer dated not before the
//! positioning, the scope (a business manager sees those of his
//! opportunities and accounts only; a consultant and a client contact
//! none), the picker's availability, and refusals that write nothing.

use domain::calendar::Region;
use domain::crm::OpportunityInput;
use domain::crm::positioning::{
    Answer, AnswerInput, Availability, NewPositioning, PositioningInput,
};
use domain::ids::{OpportunityId, UserId};
use domain::money::Money;
use domain::people::cjm::CostBasis;
use domain::people::cost::SalaryVersionInput;
use domain::people::employee::{EmployeeInput, Grade};
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::opportunities::positionings::{self, Positioning};
use store::{Db, Error, Scope};

use crate::support::{actor, count};

fn new(consultant: UserId, tjm: &str) -> NewPositioning {
    PositioningInput {
        consultant_id: consultant.to_string(),
        proposed_tjm: tjm.into(),
        note: "Profil data confirmé".into(),
    }
    .validate()
    .unwrap()
}

async fn position(
    db: &Db,
    scope: Scope,
    o: OpportunityId,
    p: &NewPositioning,
    basis: CostBasis,
) -> Result<Positioning, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = positionings::create(&mut tx, &actor(), scope, o, p, basis).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn list(
    db: &Db,
    scope: Scope,
    o: OpportunityId,
    basis: CostBasis,
) -> Result<Vec<Positioning>, Error> {
    let mut tx = db.read().await.unwrap();
    let r = positionings::list(&mut tx, scope, o, basis).await;
    tx.commit().await.unwrap();
    r
}

fn refused(r: Result<Positioning, Error>) -> (&'static str, &'static str) {
    match r {
        Err(Error::Invalid(v)) => (v.0[0].field, v.0[0].key),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Camille, a salaried "Confirmé" at 48 000 € a year (CJM 331,05 €), the
/// grade's standard CJM being 350 €.
async fn salaried(db: &Db, who: UserId) {
    let mut tx = db.begin().await.unwrap();
    let agency = store::agencies::create(
        &mut tx,
        &actor(),
        &store::agencies::AgencyData {
            name: "Paris".into(),
            city: None,
        },
    )
    .await
    .unwrap();
    let data = EmployeeInput {
        matricule: "00042".into(),
        legal_entity: "Régisseur Conseil SAS".into(),
        agency_id: agency.id.to_string(),
        contract_kind: "cdi".into(),
        user_id: who.to_string(),
        hire_date: "2024-09-01".into(),
        job_title: "Consultante data".into(),
        grade: "Confirmé".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let e = store::employees::create(&mut tx, &actor(), &data)
        .await
        .unwrap();
    let salary = SalaryVersionInput {
        effective_from: "2024-09-01".into(),
        annual_gross: "48000".into(),
        charges_kind: "rate".into(),
        employer_charges: "45".into(),
        mutual_insurance: "720".into(),
        meal_vouchers: "1308".into(),
        transport: "540".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store::costs::add(&mut tx, &actor(), e.id, &salary)
        .await
        .unwrap();
    store::costs::set_standard_cjm(
        &mut tx,
        &actor(),
        &Grade::parse("Confirmé").unwrap(),
        Some(Money::from_euros(350)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn margins_on_the_readers_basis_answers_and_the_scope() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let clientis = w.client().name("Clientis").create().await;
        let camille = w.consultant("Camille Martin").await;
        let lucas = w.consultant("Lucas Petit").await;
        salaried(&db, camille.id).await;
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
            o.id
        };
        let his = Scope::Portfolio(bruno.id);
        let p = position(&db, his, o, &new(camille.id, "600"), CostBasis::Personal)
            .await
            .unwrap();
        assert_eq!(p.answer, Answer::Pending);
        assert_eq!(p.answered_on, None);
        assert_eq!(p.daily_cost, Some(Money::from_cents(33_105)));
        let m = p.margin.unwrap();
        assert_eq!(m.per_day, Money::from_cents(26_895));
        assert_eq!(m.total, Money::from_cents(26_895 * 60));
        assert_eq!(p.consultant_name.as_deref(), Some("Camille Martin"));

        // Lucas has no cost: his margin is unknown, not 700 € a day.
        let l = position(&db, his, o, &new(lucas.id, "700"), CostBasis::Personal)
            .await
            .unwrap();
        assert_eq!((l.daily_cost, l.margin), (None, None));

        // A reader from whom salaries are hidden: the grade's standard CJM.
        let seen = list(&db, his, o, CostBasis::GradeStandard).await.unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].daily_cost, Some(Money::from_euros(350)));
        assert_eq!(seen[0].margin.unwrap().per_day, Money::from_euros(250));
        assert_eq!(seen[0].margin.unwrap().total, Money::from_euros(15_000));

        // Refusals write nothing: twice the same consultant, a manager who
        // is no consultant.
        assert_eq!(
            refused(position(&db, his, o, &new(camille.id, "650"), CostBasis::Personal).await),
            ("consultant_id", "positioning-duplicate")
        );
        assert_eq!(
            refused(position(&db, his, o, &new(bruno.id, "650"), CostBasis::Personal).await),
            ("consultant_id", "positioning-consultant-unknown")
        );
        assert_eq!(count(&db, "opportunity_positionings").await, 2);

        // Outside the scope: another business manager, the consultant
        // himself, the client's contact see nothing and write nothing.
        let other = w.consultant("Zoé").await;
        for scope in [
            Scope::Portfolio(olivia.id),
            Scope::Own(camille.id),
            Scope::Company(clientis.id),
        ] {
            assert!(matches!(
                list(&db, scope, o, CostBasis::Personal).await,
                Err(Error::NotFound)
            ));
            assert!(matches!(
                position(&db, scope, o, &new(other.id, "500"), CostBasis::Personal).await,
                Err(Error::NotFound)
            ));
        }
        assert_eq!(count(&db, "opportunity_positionings").await, 2);

        // The answer: dated, not before the positioning.
        let answer = async |scope: Scope, a: &str, on: &str| {
            let input = AnswerInput {
                answer: a.into(),
                answered_on: on.into(),
            };
            let mut tx = db.begin().await.unwrap();
            let r = positionings::answer(
                &mut tx,
                &actor(),
                scope,
                o,
                p.id,
                CostBasis::Personal,
                |d| input.validate(d),
            )
            .await;
            if r.is_ok() {
                tx.commit().await.unwrap();
            } else {
                tx.rollback().await.unwrap();
            }
            r
        };
        let before = (p.positioned_on - time::Duration::days(1)).to_string();
        assert_eq!(
            refused(answer(his, "accepted", &before).await),
            ("answered_on", "positioning-answer-before")
        );
        assert_eq!(
            refused(answer(his, "accepted", "").await),
            ("answered_on", "positioning-answer-date-required")
        );
        assert!(matches!(
            answer(
                Scope::Portfolio(olivia.id),
                "refused",
                &p.positioned_on.to_string()
            )
            .await,
            Err(Error::NotFound)
        ));
        let still = list(&db, his, o, CostBasis::Personal).await.unwrap();
        assert_eq!(still[0].answer, Answer::Pending);
        let done = answer(his, "accepted", &p.positioned_on.to_string())
            .await
            .unwrap();
        assert_eq!(done.answer, Answer::Accepted);
        assert_eq!(done.answered_on, Some(p.positioned_on));
        let back = answer(his, "pending", "").await.unwrap();
        assert_eq!((back.answer, back.answered_on), (Answer::Pending, None));
    })
    .await;
}

#[tokio::test]
async fn the_picker_knows_who_is_on_the_bench_and_until_when_others_are_busy() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let client = w.client().create().await;
        let free = w.consultant("Anne Libre").await;
        let busy = w.consultant("Paul Occupé").await;
        let today = store::today();
        let end = today + time::Duration::days(45);
        w.mission(&client)
            .consultant(&busy)
            .from(today - time::Duration::days(30))
            .to(end)
            .create()
            .await;
        let mut tx = db.read().await.unwrap();
        let people = positionings::availability(&mut tx, today).await.unwrap();
        tx.commit().await.unwrap();
        let of = |u: UserId| people.iter().find(|p| p.0 == u).map(|p| p.2);
        assert_eq!(of(free.id), Some(Availability::Bench));
        assert_eq!(of(busy.id), Some(Availability::BusyUntil(end)));
        let (w_, _) = w.managers().await;
        assert_eq!(of(w_.id), None, "only consultants");
    })
    .await;
}

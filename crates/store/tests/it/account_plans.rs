//! The account plan of a key account on both backends: domains led by a
//! contact of the group (another company's refused on `lead_contact_id`),
//! a name once per plan, the decision makers read from the contacts'
//! roles with their opportunities, a part and a target set then changed
//! (one row each), the actual figures over the account and its site
//! (revenue invoiced, consultants placed, opportunities created), today's
//! owners from the account's portfolio; and the scope: a business manager
//! outside the portfolio, a consultant and a client contact get nothing,
//! a non-key account takes no plan.

use domain::calendar::Region;
use domain::crm::OpportunityInput;
use domain::crm::account_plan::{DomainInput, Influence, StakeholderInput, TargetInput};
use domain::ids::CompanyId;
use domain::money::Money;
use domain::people::portfolio::PortfolioPeriodInput;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::account_plans::{self, Plan, write};
use store::{Db, Error, Scope};
use time::Month;

use crate::cra_reports::ym;
use crate::support::{actor, count};

fn refused<T: std::fmt::Debug>(r: Result<T, Error>) -> (&'static str, &'static str) {
    match r {
        Err(Error::Invalid(v)) => (v.0[0].field, v.0[0].key),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn plan(db: &Db, scope: Scope, id: CompanyId) -> Result<Plan, Error> {
    let mut tx = db.read().await.unwrap();
    let p = account_plans::plan(&mut tx, scope, id, store::today().year()).await;
    tx.commit().await.unwrap();
    p
}

fn domain(name: &str, lead: &str, status: &str) -> DomainInput {
    DomainInput {
        name: name.into(),
        lead_contact_id: lead.into(),
        stakes: String::new(),
        status: status.into(),
    }
}

fn target(revenue: &str, consultants: &str, opportunities: &str) -> TargetInput {
    TargetInput {
        year: store::today().year().to_string(),
        revenue: revenue.into(),
        consultants: consultants.into(),
        opportunities: opportunities.into(),
    }
}

#[tokio::test]
async fn a_key_accounts_plan_its_figures_and_its_scope() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let head = w
            .client()
            .name("Clientis Group")
            .key_account()
            .contact("Sophie", "Bernard", "buyer")
            .create()
            .await;
        let marc = w.contact(&head, "Marc", "Lefèvre", "domain_manager").await;
        let nadia = w
            .contact(&head, "Nadia", "Haddad", "accounts_payable")
            .await;
        let head_id = head.id.to_string();
        let site = w
            .client()
            .name("Clientis Lyon")
            .with(|i| {
                i.parent_id = head_id.clone();
                i.entity_kind = "site".into();
            })
            .contact("Paul", "Girard", "domain_manager")
            .create()
            .await;
        let other = w
            .client()
            .name("Autre Client")
            .contact("Olga", "Autre", "buyer")
            .create()
            .await;
        let camille = w.consultant("Camille Martin").await;
        let m = w.mission(&site).consultant(&camille).create().await;
        let (bm, _) = w.managers().await.clone();
        // The account's own portfolio: the business manager alone.
        {
            let periods = store::portfolio::validate(&[PortfolioPeriodInput {
                bm_id: bm.id.to_string(),
                from: format!("{}-01-01", store::today().year() - 1),
                ..Default::default()
            }])
            .unwrap();
            let mut tx = db.begin().await.unwrap();
            store::portfolio::replace(&mut tx, &actor(), head.id, &periods, store::today())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // January's invoice of the site's mission, issued this year.
        let invoice = w
            .issued_invoice(&m, ym(store::today().year(), Month::January))
            .await;
        // A need at the group's head with its buyer, one elsewhere.
        for (client, contact) in [(head.id, head.contact.id), (other.id, other.contact.id)] {
            let d = OpportunityInput {
                title: "Besoin Data".into(),
                client_id: client.to_string(),
                tjm_min: "600".into(),
                start_date: store::today().to_string(),
                days: "40".into(),
                business_manager_id: bm.id.to_string(),
                contact_ids: vec![contact.to_string()],
                ..Default::default()
            }
            .validate(Region::Standard)
            .unwrap();
            let mut tx = db.begin().await.unwrap();
            store::opportunities::create(&mut tx, &actor(), Scope::All, &d, &[])
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }

        // The decision makers come from the roles, across the group.
        let p = plan(&db, Scope::All, head.id).await.unwrap();
        assert!(p.key_account);
        let names: Vec<&str> = p.decision_makers.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Sophie Bernard", "Marc Lefèvre", "Paul Girard"]);
        assert_eq!(p.decision_makers[0].opportunities.len(), 1);
        assert_eq!(p.decision_makers[0].influence, None);
        assert_eq!(p.owners.len(), 1);
        assert_eq!(p.owners[0].id, bm.id);
        // The figures count the head and its site.
        assert_eq!(p.actual.revenue, invoice.net);
        assert!(invoice.net > Money::ZERO);
        assert_eq!(p.actual.consultants, 1);
        assert_eq!(p.actual.opportunities, 1);

        // Domains: led by a contact of the group; a name once.
        let mut tx = db.begin().await.unwrap();
        let data = domain("Data", &marc.id.to_string(), "active");
        write::create_domain(&mut tx, &actor(), Scope::All, head.id, &data)
            .await
            .unwrap();
        let cloud = domain("Cloud", &site.contact.id.to_string(), "target");
        let cloud = write::create_domain(&mut tx, &actor(), Scope::All, head.id, &cloud)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let again = domain("data", "", "dormant");
        assert_eq!(
            refused(write::create_domain(&mut tx, &actor(), Scope::All, head.id, &again).await),
            ("name", "account-domain-name-taken")
        );
        let outside = domain("Finance IT", &other.contact.id.to_string(), "target");
        assert_eq!(
            refused(write::create_domain(&mut tx, &actor(), Scope::All, head.id, &outside).await),
            ("lead_contact_id", "account-plan-contact-outside-group")
        );
        tx.rollback().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let dormant = domain("Cloud", "", "dormant");
        let changed =
            write::update_domain(&mut tx, &actor(), Scope::All, head.id, cloud.id, &dormant)
                .await
                .unwrap();
        assert_eq!(changed.data.lead_contact_id, None);
        // A part for the accounts payable makes her listed; set twice.
        for strength in ["2", "3"] {
            let s = StakeholderInput {
                contact_id: nadia.id.to_string(),
                influence: "influencer".into(),
                strength: strength.into(),
            };
            write::set_stakeholder(&mut tx, &actor(), Scope::All, head.id, &s)
                .await
                .unwrap();
        }
        let s = StakeholderInput {
            contact_id: other.contact.id.to_string(),
            influence: "blocker".into(),
            strength: "1".into(),
        };
        assert_eq!(
            refused(write::set_stakeholder(&mut tx, &actor(), Scope::All, head.id, &s).await),
            ("contact_id", "account-plan-contact-outside-group")
        );
        for t in [target("100000", "2", "4"), target("120000", "3", "5")] {
            write::set_target(&mut tx, &actor(), Scope::All, head.id, &t)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "account_stakeholders").await, 1);
        assert_eq!(count(&db, "account_targets").await, 1);
        let p = plan(&db, Scope::All, head.id).await.unwrap();
        let names: Vec<(&str, &str)> = p
            .domains
            .iter()
            .map(|d| (d.data.name.as_str(), d.data.status.as_str()))
            .collect();
        assert_eq!(names, [("Data", "active"), ("Cloud", "dormant")]);
        assert_eq!(p.domains[0].lead_name.as_deref(), Some("Marc Lefèvre"));
        let nadia_row = p
            .decision_makers
            .iter()
            .find(|d| d.contact_id == nadia.id)
            .expect("given a part, she is listed");
        assert_eq!(nadia_row.influence, Some(Influence::Influencer));
        assert_eq!(nadia_row.strength, Some(3));
        assert_eq!(
            p.target().map(|t| t.revenue),
            Some(Money::from_cents(12_000_000))
        );

        // The owner sees the plan; another manager, a consultant and a
        // client contact do not, and may not write it.
        assert!(plan(&db, Scope::Portfolio(bm.id), head.id).await.is_ok());
        let zoe = w
            .user(Role::BusinessManager)
            .name("Zoé Autre")
            .create()
            .await;
        for scope in [
            Scope::Portfolio(zoe.id),
            Scope::Own(camille.id),
            Scope::Company(head.id),
        ] {
            assert!(
                matches!(plan(&db, scope, head.id).await, Err(Error::NotFound)),
                "{scope:?}"
            );
            // Out of reach is not found, even for what would be refused.
            let mut tx = db.begin().await.unwrap();
            let r =
                write::set_target(&mut tx, &actor(), scope, head.id, &target("-1", "", "")).await;
            assert!(matches!(r, Err(Error::NotFound)), "{scope:?}");
            tx.rollback().await.unwrap();
        }

        // A client that is not a key account takes no plan.
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            refused(
                write::set_target(
                    &mut tx,
                    &actor(),
                    Scope::All,
                    other.id,
                    &target("1", "", "")
                )
                .await
            ),
            ("key_account", "account-plan-not-key-account")
        );
        tx.rollback().await.unwrap();
        assert!(!plan(&db, Scope::All, other.id).await.unwrap().key_account);
    })
    .await;
}

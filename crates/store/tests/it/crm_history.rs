//! The CRM benchmark's history on both backends: written in bulk, it must
//! read back through the application's own queries exactly as typed
//! opportunities do (every row decodes, figures as the domain decides
//! them, children under an earlier need of their own account), or the
//! benchmark would measure pages over data they could never show.

use domain::calendar::Region;
use domain::crm::OpportunityInput;
use domain::money::Money;
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::opportunities::{OpportunityFilter, Sort};
use store::{Scope, on_tx};

use crate::support::count;

#[tokio::test]
async fn the_generated_pipeline_reads_back_as_typed_needs_do() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let (bruno, _) = w.managers().await.clone();
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        for name in ["Clientis", "Banque Horizon", "Assurances Nova"] {
            w.client().name(name).create().await;
        }
        let today = time::macros::date!(2026 - 12 - 07);
        let f = fixtures::crm_data::crm_history(&db, 60, today, |_| {})
            .await
            .unwrap();
        assert_eq!(f.opportunities, 60);
        assert_eq!(count(&db, "opportunities").await, 60);
        assert_eq!(count(&db, "opportunity_skills").await, 120);
        assert_eq!(count(&db, "opportunity_events").await as usize, f.events);
        assert!(f.children > 0 && f.open > 0);
        // Bruno and Olivia, and eight more for a team of ten.
        assert_eq!(
            count(&db, "users WHERE role = 'business_manager'").await,
            10
        );

        let mut tx = db.read().await.unwrap();
        let all = store::opportunities::list(
            &mut tx,
            Scope::All,
            &OpportunityFilter::default(),
            Sort::StartDate,
            false,
            PageRequest::new(None, Some(200)),
        )
        .await
        .unwrap();
        assert_eq!(all.total, 60);
        assert_eq!(all.items.len(), 60, "every generated row decodes");
        let stages = store::opportunities::stages(&mut tx).await.unwrap();
        for o in &all.items {
            // The stored figures are what the form would have computed.
            let typed = OpportunityInput {
                title: o.data.title.clone(),
                client_id: o.data.client_id.to_string(),
                tjm_min: (o.data.tjm_min.unwrap().amount().cents() / 100).to_string(),
                start_date: o.data.start_date.to_string(),
                days: o.data.days.as_decimal().to_string(),
                positions: o.data.positions.to_string(),
                business_manager_id: o.data.business_manager_id.to_string(),
                ..Default::default()
            }
            .validate(Region::Standard)
            .unwrap();
            assert_eq!(o.expected, typed.expected_revenue(), "{}", o.data.title);
            assert_eq!(o.probability, o.standing.probability(&stages).unwrap());
            assert_eq!(
                o.weighted,
                typed.weighted_revenue(o.probability),
                "{}",
                o.data.title
            );
            if let Some(parent) = o.data.parent_id {
                let parent = all.items.iter().find(|p| p.id == parent).unwrap();
                assert_eq!(parent.data.client_id, o.data.client_id);
            }
        }
        // The kanban adds what the list shows.
        let columns =
            store::opportunities::kanban(&mut tx, Scope::All, &OpportunityFilter::default(), 5)
                .await
                .unwrap();
        let expected: Money = columns.iter().map(|c| c.expected).sum();
        assert_eq!(
            expected,
            all.items.iter().map(|o| o.expected).sum::<Money>()
        );
        // A business manager sees his own and his accounts' only.
        let his = store::opportunities::list(
            &mut tx,
            Scope::Portfolio(olivia.id),
            &OpportunityFilter::default(),
            Sort::StartDate,
            false,
            PageRequest::new(None, Some(200)),
        )
        .await
        .unwrap();
        let mine: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM opportunities WHERE business_manager_id = $1"
        )
        .bind(olivia.id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        assert!(
            mine > 0 && mine < 60,
            "{mine} of 60 are Olivia's, the rest {bruno:?}'s"
        );
        assert!(his.total as i64 >= mine && his.total < 60);
        tx.commit().await.unwrap();

        // Activities about those needs, each on its need's account, read
        // back by "ma journée" and the timelines.
        fixtures::crm_data::activities(&db, 200, today, |_| {})
            .await
            .unwrap();
        assert_eq!(count(&db, "tasks").await, 200);
        assert_eq!(
            count(
                &db,
                "tasks t JOIN opportunities o ON o.id = t.opportunity_id \
                 WHERE t.company_id = o.client_id AND t.assignee_id = o.business_manager_id"
            )
            .await,
            200
        );
        let open_overdue = count(
            &db,
            "tasks WHERE done_at IS NULL AND due_date < '2026-12-07'",
        )
        .await;
        assert!(open_overdue > 0, "some are left overdue");
        let mut tx = db.read().await.unwrap();
        let late: String = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT assignee_id FROM tasks WHERE done_at IS NULL AND due_date < $1 LIMIT 1"
        )
        .bind(today)
        .fetch_one(c)
        .await)
        .unwrap();
        let late = domain::ids::UserId::parse(&late).unwrap();
        let day = store::activities::my_day(&mut tx, late, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(day.iter().any(|a| a.due_date < today), "his overdue ones");
    })
    .await;
}

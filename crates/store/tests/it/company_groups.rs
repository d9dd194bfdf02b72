//! Account groups on both backends: a parent that would make a cycle is
//! refused on `parent_id` and nothing is written; the group's tree from
//! any of its companies; the opportunities and missions of the whole
//! group; a business manager sees only his accounts in it and may not
//! hang a company under another's account.

use domain::company::CompanyInput;
use domain::company::group::EntityKind;
use domain::ids::CompanyId;
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::{Db, Error, Scope};

use crate::support::actor;

async fn company(
    db: &Db,
    scope: Scope,
    name: &str,
    parent: Option<CompanyId>,
    kind: &str,
) -> Result<CompanyId, Error> {
    let d = CompanyInput {
        name: name.into(),
        kind: "client".into(),
        parent_id: parent.map(|p| p.to_string()).unwrap_or_default(),
        entity_kind: kind.into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let r = store::companies::create_in_scope(&mut tx, &actor(), scope, &d).await;
    match r {
        Ok(c) => {
            tx.commit().await.unwrap();
            Ok(c.id)
        }
        Err(e) => {
            tx.rollback().await.unwrap();
            Err(e)
        }
    }
}

async fn reparent(db: &Db, scope: Scope, id: CompanyId, parent: CompanyId) -> Result<(), Error> {
    let mut tx = db.begin().await.unwrap();
    let mut c = store::companies::get(&mut tx, scope, id).await?;
    c.data.parent_id = Some(parent);
    let r = store::companies::update(&mut tx, &actor(), scope, id, &c.data).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r.map(|_| ())
}

fn field(r: Result<impl std::fmt::Debug, Error>) -> (&'static str, &'static str) {
    match r {
        Err(Error::Invalid(v)) => (v.0[0].field, v.0[0].key),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn no_cycle_the_tree_and_the_groups_business() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let all = Scope::All;
        let group = company(&db, all, "Clientis Group", None, "group")
            .await
            .unwrap();
        let entity = company(&db, all, "Clientis France", Some(group), "billing_entity")
            .await
            .unwrap();
        let site = company(&db, all, "Clientis Lyon", Some(entity), "site")
            .await
            .unwrap();
        // The group under its own site, or under itself: refused on the field.
        assert_eq!(
            field(reparent(&db, all, group, site).await),
            ("parent_id", "company-parent-cycle")
        );
        assert_eq!(
            field(reparent(&db, all, group, group).await),
            ("parent_id", "company-parent-cycle")
        );
        let mut tx = db.read().await.unwrap();
        let g = store::companies::get(&mut tx, all, group).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(g.data.parent_id, None, "nothing written");
        assert_eq!(g.data.entity_kind, Some(EntityKind::Group));

        let mut tx = db.read().await.unwrap();
        let tree = store::companies::group::members(&mut tx, all, site)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let shape: Vec<(CompanyId, usize)> = tree.iter().map(|m| (m.id, m.depth)).collect();
        assert_eq!(shape, [(group, 0), (entity, 1), (site, 2)]);

        // Nothing sold yet: the group's business is empty.
        let mut tx = db.read().await.unwrap();
        let ids: Vec<CompanyId> = tree.iter().map(|m| m.id).collect();
        let missions = store::companies::group::missions(&mut tx, all, &ids)
            .await
            .unwrap();
        let opportunities = store::companies::group::opportunities(&mut tx, all, &ids)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(missions.is_empty() && opportunities.is_empty());

        // A business manager: his account only, and he may not hang a
        // company under an account that is not his.
        let bruno = w.user(Role::BusinessManager).name("Bruno").create().await;
        let his = Scope::Portfolio(bruno.id);
        let own = company(&db, his, "Clientis Marseille", None, "site")
            .await
            .unwrap();
        assert_eq!(
            field(reparent(&db, his, own, group).await),
            ("parent_id", "id-unknown-record")
        );
        assert_eq!(
            field(company(&db, his, "Clientis Nice", Some(group), "site").await),
            ("parent_id", "id-unknown-record")
        );
        reparent(&db, all, own, group).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let seen = store::companies::group::members(&mut tx, his, own)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            seen.iter().map(|m| m.id).collect::<Vec<_>>(),
            [own],
            "the others are not his"
        );
    })
    .await;
}

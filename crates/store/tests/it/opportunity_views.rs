//! Saved views of the opportunity list on both backends: a user never sees
//! another's personal view, a shared one is seen by every user; only the
//! owner renames or deletes; names unique per user; one default at most.

use domain::crm::saved_view::ViewName;
use domain::ids::{OpportunityViewId, UserId};
use domain::role::Role;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::opportunities::views::{NewView, View, ViewChange};
use store::{Db, Error};

fn new(name: &str, query: &str, shared: bool, is_default: bool) -> NewView {
    NewView {
        name: ViewName::parse(name).unwrap(),
        query: query.into(),
        shared,
        is_default,
    }
}

async fn create(db: &Db, user: UserId, v: &NewView) -> Result<View, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = store::opportunities::views::create(&mut tx, user, v).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn update(
    db: &Db,
    user: UserId,
    id: OpportunityViewId,
    c: &ViewChange,
) -> Result<View, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = store::opportunities::views::update(&mut tx, user, id, c).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn names(db: &Db, user: UserId) -> Vec<String> {
    let mut tx = db.read().await.unwrap();
    let v = store::opportunities::views::visible(&mut tx, user)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v.into_iter().map(|v| v.name).collect()
}

async fn default_of(db: &Db, user: UserId) -> Option<String> {
    let mut tx = db.read().await.unwrap();
    let v = store::opportunities::views::default_of(&mut tx, user)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v.map(|v| v.name)
}

fn refused_on(e: Error) -> Vec<(&'static str, &'static str)> {
    match e {
        Error::Invalid(v) => v.0.iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn personal_views_stay_personal_and_shared_ones_reach_everyone() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let bruno = w.user(Role::BusinessManager).name("Bruno").create().await;
        let olivia = w.user(Role::BusinessManager).name("Olivia").create().await;
        let dir = w.user(Role::Direction).name("Diane").create().await;
        let finance = w.user(Role::Finance).name("Fanny").create().await;

        let mine = create(
            &db,
            bruno.id,
            &new("Mes besoins", "stage=positionnement", false, true),
        )
        .await
        .unwrap();
        create(
            &db,
            olivia.id,
            &new("Les miens", "kind=fixed_price", false, false),
        )
        .await
        .unwrap();
        let firm = create(
            &db,
            dir.id,
            &new(
                "Pipeline du trimestre",
                "sort=expected&order=desc",
                true,
                false,
            ),
        )
        .await
        .unwrap();
        assert!(firm.shared);

        // Own first, then shared; another's personal view never.
        assert_eq!(
            names(&db, bruno.id).await,
            ["Mes besoins", "Pipeline du trimestre"]
        );
        assert_eq!(
            names(&db, olivia.id).await,
            ["Les miens", "Pipeline du trimestre"]
        );
        assert_eq!(names(&db, finance.id).await, ["Pipeline du trimestre"]);
        assert_eq!(names(&db, dir.id).await, ["Pipeline du trimestre"]);
        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            store::opportunities::views::get(&mut tx, olivia.id, mine.id).await,
            Err(Error::NotFound)
        ));
        assert_eq!(
            store::opportunities::views::get(&mut tx, olivia.id, firm.id)
                .await
                .unwrap()
                .name,
            "Pipeline du trimestre"
        );
        tx.commit().await.unwrap();

        // Only the owner changes or deletes: another's shared view is read only.
        let rename = ViewChange {
            name: Some(ViewName::parse("Piraté").unwrap()),
            ..Default::default()
        };
        assert!(matches!(
            update(&db, bruno.id, firm.id, &rename).await,
            Err(Error::NotFound)
        ));
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            store::opportunities::views::delete(&mut tx, bruno.id, firm.id).await,
            Err(Error::NotFound)
        ));
        tx.rollback().await.unwrap();

        // A name is unique per user, not across users.
        let e = create(&db, bruno.id, &new("Mes besoins", "", false, false))
            .await
            .unwrap_err();
        assert_eq!(refused_on(e), [("name", "opportunity-view-name-taken")]);
        create(&db, olivia.id, &new("Mes besoins", "", false, false))
            .await
            .unwrap();
        let second = create(&db, bruno.id, &new("Tout", "", false, false))
            .await
            .unwrap();
        let e = update(
            &db,
            bruno.id,
            second.id,
            &ViewChange {
                name: Some(ViewName::parse("Mes besoins").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(refused_on(e), [("name", "opportunity-view-name-taken")]);
        assert_eq!(
            names(&db, bruno.id).await,
            ["Mes besoins", "Tout", "Pipeline du trimestre"]
        );

        // One default at most: choosing another drops the first.
        assert_eq!(
            default_of(&db, bruno.id).await.as_deref(),
            Some("Mes besoins")
        );
        let changed = update(
            &db,
            bruno.id,
            second.id,
            &ViewChange {
                name: Some(ViewName::parse("Toutes les miennes").unwrap()),
                is_default: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(changed.query, "", "the query kept");
        assert_eq!(
            default_of(&db, bruno.id).await.as_deref(),
            Some("Toutes les miennes")
        );
        assert_eq!(default_of(&db, olivia.id).await, None);

        // The owner deletes his own.
        let mut tx = db.begin().await.unwrap();
        store::opportunities::views::delete(&mut tx, bruno.id, mine.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            names(&db, bruno.id).await,
            ["Toutes les miennes", "Pipeline du trimestre"]
        );
    })
    .await;
}

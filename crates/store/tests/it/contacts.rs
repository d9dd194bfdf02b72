//! Contacts: creation within the caller's scope, lists, scoping and counts.

use domain::contact::{ContactData, ContactInput, ContactRole};
use domain::ids::{CompanyId, ContactId, UserId};
use domain::paging::PageRequest;
use fixtures::testing::on_each_backend;
use store::contacts::{self, Contact, ContactFilter};
use store::{Db, Error, Scope};

use crate::support::{actor, count, create_company};

fn contact(company: CompanyId, first: &str, last: &str, email: &str, role: &str) -> ContactData {
    ContactInput {
        company_id: company.to_string(),
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        phone: "+33 1 40 00 00 00".into(),
        job_title: "Achats".into(),
        role: role.into(),
        notes: String::new(),
    }
    .validate()
    .expect("valid contact")
}

async fn create(db: &Db, scope: Scope, d: &ContactData) -> Result<Contact, Error> {
    let mut tx = db.begin().await.unwrap();
    let r = contacts::create(&mut tx, &actor(), scope, d).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

async fn list(db: &Db, scope: Scope, q: Option<&str>, company: Option<CompanyId>) -> Vec<String> {
    let mut tx = db.read().await.unwrap();
    let filter = ContactFilter {
        q: q.map(str::to_string),
        company_id: company,
    };
    let page = contacts::list(&mut tx, scope, &filter, PageRequest::new(None, Some(200)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(page.total as usize, page.items.len());
    page.items.iter().map(Contact::full_name).collect()
}

async fn get(db: &Db, scope: Scope, id: ContactId) -> Result<Contact, Error> {
    let mut tx = db.read().await.unwrap();
    let r = contacts::get(&mut tx, scope, id).await;
    tx.rollback().await.unwrap();
    r
}

fn assert_invalid_company(r: Result<Contact, Error>) {
    match r {
        Err(Error::Invalid(e)) => {
            let f = e.for_field("company_id").expect("error on company_id");
            assert_eq!(f.key, "company-unknown");
        }
        other => panic!("expected Invalid(company_id), got {other:?}"),
    }
}

#[tokio::test]
async fn create_get_and_update_a_contact() {
    on_each_backend(|db| async move {
        let a = create_company(&db, "Clientis Group", "client").await;
        let b = create_company(&db, "Banque Horizon", "client").await;
        let d = contact(
            a.id,
            "Sophie",
            "Bernard",
            "sophie.bernard@clientis.example",
            "buyer",
        );
        let c = create(&db, Scope::All, &d).await.unwrap();
        assert_eq!(c.data, d);
        assert_eq!(c.company_name, "Clientis Group");
        assert_eq!(c.full_name(), "Sophie Bernard");
        assert_eq!(c.data.role, ContactRole::Buyer);
        assert_eq!(get(&db, Scope::All, c.id).await.unwrap(), c);
        assert_eq!(count(&db, "contacts").await, 1);

        let mut moved = d.clone();
        moved.company_id = b.id;
        moved.role = ContactRole::Operational;
        moved.job_title = None;
        let mut tx = db.begin().await.unwrap();
        let u = contacts::update(&mut tx, &actor(), Scope::All, c.id, &moved)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(u.data, moved);
        assert_eq!(u.company_name, "Banque Horizon");
        assert_eq!(u.created_at, c.created_at);
        assert_eq!(get(&db, Scope::All, c.id).await.unwrap(), u);

        let mut tx = db.read().await.unwrap();
        let audit = store::audit::for_entity(&mut tx, "contact", &c.id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut actions: Vec<_> = audit.iter().map(|e| e.action.as_str()).collect();
        actions.sort();
        assert_eq!(actions, ["create", "update"]);
    })
    .await;
}

#[tokio::test]
async fn a_company_outside_the_scope_is_refused_on_company_id() {
    on_each_backend(|db| async move {
        let a = create_company(&db, "Clientis Group", "client").await;
        let b = create_company(&db, "Banque Horizon", "client").await;
        let mine = Scope::Company(a.id);

        // Creating for another company than one's own.
        let r = create(
            &db,
            mine,
            &contact(b.id, "Julien", "Moreau", "", "operational"),
        )
        .await;
        assert_invalid_company(r);
        // A company that does not exist, even for staff.
        let r = create(
            &db,
            Scope::All,
            &contact(CompanyId::new(), "Nadia", "Haddad", "", ""),
        )
        .await;
        assert_invalid_company(r);
        // A consultant's scope holds no company yet.
        let r = create(
            &db,
            Scope::Own(UserId::new()),
            &contact(a.id, "Paul", "Lambert", "", ""),
        )
        .await;
        assert_invalid_company(r);
        assert_eq!(count(&db, "contacts").await, 0);
        assert_eq!(count(&db, "audit_log").await, 2, "only the two companies");

        // Within the scope it works.
        let d = contact(a.id, "Sophie", "Bernard", "", "buyer");
        let c = create(&db, mine, &d).await.unwrap();

        // Moving one's contact to another company is refused, and nothing changes.
        let mut moved = d.clone();
        moved.company_id = b.id;
        moved.first_name = "Changed".into();
        let mut tx = db.begin().await.unwrap();
        let r = contacts::update(&mut tx, &actor(), mine, c.id, &moved).await;
        assert_invalid_company(r);
        let _ = tx.commit().await;
        assert_eq!(get(&db, Scope::All, c.id).await.unwrap(), c);
        assert_eq!(count(&db, "contacts").await, 1);
    })
    .await;
}

#[tokio::test]
async fn lists_filter_by_company_and_search_within_the_scope() {
    on_each_backend(|db| async move {
        let a = create_company(&db, "Clientis Group", "client").await;
        let b = create_company(&db, "Banque Horizon", "client").await;
        let mut ids = Vec::new();
        for d in [
            contact(
                a.id,
                "Sophie",
                "Bernard",
                "sophie.bernard@clientis.example",
                "buyer",
            ),
            contact(
                a.id,
                "Marc",
                "Lefèvre",
                "marc.lefevre@clientis.example",
                "domain_manager",
            ),
            contact(
                b.id,
                "Julien",
                "Moreau",
                "julien.moreau@horizon.example",
                "operational",
            ),
            contact(b.id, "Claire", "Petit", "", "buyer"),
            contact(b.id, "Élodie", "Bernard", "", "other"),
        ] {
            ids.push(create(&db, Scope::All, &d).await.unwrap().id);
        }

        // Ordered by last name, then first name (where "É" sorts against "S"
        // depends on the collation, so the two Bernards are compared as a set).
        let all = list(&db, Scope::All, None, None).await;
        assert_eq!(all[2..], ["Marc Lefèvre", "Julien Moreau", "Claire Petit"]);
        let mut first_two = all[..2].to_vec();
        first_two.sort();
        assert_eq!(first_two, ["Sophie Bernard", "Élodie Bernard"]);
        assert_eq!(
            list(&db, Scope::All, None, Some(a.id)).await,
            ["Sophie Bernard", "Marc Lefèvre"]
        );
        assert_eq!(
            list(&db, Scope::All, Some("lefevre"), None).await,
            ["Marc Lefèvre"]
        );
        assert_eq!(
            list(&db, Scope::All, Some("ELODIE"), None).await,
            ["Élodie Bernard"]
        );
        assert_eq!(
            list(&db, Scope::All, Some("@clientis"), None).await,
            ["Sophie Bernard", "Marc Lefèvre"],
            "e-mail is searchable"
        );
        let mut bernards = list(&db, Scope::All, Some("bernard"), None).await;
        bernards.sort();
        assert_eq!(bernards, ["Sophie Bernard", "Élodie Bernard"]);
        assert_eq!(
            list(&db, Scope::All, Some("bernard"), Some(b.id)).await,
            ["Élodie Bernard"]
        );
        assert!(list(&db, Scope::All, Some("%"), None).await.is_empty());

        // A client contact of A sees A's people only, whatever he asks for.
        let mine = Scope::Company(a.id);
        assert_eq!(
            list(&db, mine, None, None).await,
            ["Sophie Bernard", "Marc Lefèvre"]
        );
        assert_eq!(
            list(&db, mine, Some("bernard"), None).await,
            ["Sophie Bernard"]
        );
        assert!(list(&db, mine, None, Some(b.id)).await.is_empty());
        assert!(get(&db, mine, ids[0]).await.is_ok());
        assert!(matches!(get(&db, mine, ids[2]).await, Err(Error::NotFound)));
        // A consultant sees none yet.
        let own = Scope::Own(UserId::new());
        assert!(list(&db, own, None, None).await.is_empty());
        assert!(matches!(get(&db, own, ids[0]).await, Err(Error::NotFound)));

        let mut tx = db.read().await.unwrap();
        assert_eq!(contacts::count(&mut tx, Scope::All).await.unwrap(), 5);
        assert_eq!(contacts::count(&mut tx, mine).await.unwrap(), 2);
        assert_eq!(
            contacts::count(&mut tx, Scope::Company(b.id))
                .await
                .unwrap(),
            3
        );
        assert_eq!(contacts::count(&mut tx, own).await.unwrap(), 0);
        let page = contacts::list(
            &mut tx,
            Scope::All,
            &ContactFilter::default(),
            PageRequest::new(Some(2), Some(2)),
        )
        .await
        .unwrap();
        assert_eq!(page.total, 5);
        assert_eq!(page.items.len(), 2);
        tx.commit().await.unwrap();
    })
    .await;
}

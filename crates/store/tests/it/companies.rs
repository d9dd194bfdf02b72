//! Companies: round trips, uniqueness, search, paging, scoping and audit.

use std::collections::HashSet;

use domain::company::{CompanyInput, CompanyKind};
use domain::identifiers::{Email, Iban, Siren, Siret, VatNumber};
use domain::ids::{CompanyId, UserId};
use domain::paging::PageRequest;
use fixtures::testing::on_each_backend;
use store::companies::{self, Company, CompanyFilter};
use store::{Db, Error, Scope};

use crate::support::{actor, company_data, count, create_company, create_company_with};

fn full_input() -> CompanyInput {
    let siren = Siren::parse("542051180").unwrap();
    CompanyInput {
        name: "Clientis Group".into(),
        kind: "supplier".into(),
        legal_form: "SA".into(),
        siren: "542 051 180".into(),
        siret: Siret::with_check_digit(&siren, 12).to_string(),
        vat_number: VatNumber::for_siren(&siren).to_string(),
        address_line1: "1 esplanade de la Défense".into(),
        address_line2: "Tour Nord, 12e étage".into(),
        postcode: "92400".into(),
        city: "Courbevoie".into(),
        country: "fr".into(),
        email: "Compta@Clientis.EXAMPLE".into(),
        phone: "+33 1 40 00 00 00".into(),
        iban: "FR76 3000 4000 0312 3456 7890 143".into(),
        key_account: true,
        notes: "Compte clé.\nRelance le 5 du mois.".into(),
        parent_id: String::new(),
        entity_kind: String::new(),
    }
}

async fn list(db: &Db, scope: Scope, q: Option<&str>, kind: Option<CompanyKind>) -> Vec<Company> {
    let mut tx = db.read().await.unwrap();
    let filter = CompanyFilter {
        q: q.map(str::to_string),
        kinds: kind.into_iter().collect(),
    };
    let page = companies::list(&mut tx, scope, &filter, PageRequest::new(None, Some(200)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(page.total as usize, page.items.len(), "total of {q:?}");
    page.items
}

async fn names(db: &Db, q: &str) -> Vec<String> {
    list(db, Scope::All, Some(q), None)
        .await
        .into_iter()
        .map(|c| c.data.name)
        .collect()
}

async fn get(db: &Db, scope: Scope, id: CompanyId) -> Result<Company, Error> {
    let mut tx = db.read().await.unwrap();
    let r = companies::get(&mut tx, scope, id).await;
    tx.rollback().await.unwrap();
    r
}

#[tokio::test]
async fn create_get_update_round_trip_every_field() {
    on_each_backend(|db| async move {
        let data = full_input().validate().unwrap();
        let created = create_company_with(&db, &data).await;
        assert_eq!(created.data, data);

        let read = get(&db, Scope::All, created.id).await.unwrap();
        assert_eq!(read, created, "what is read back is what was written");
        // Identifiers come back parsed and normalised.
        let siren = Siren::parse("542051180").unwrap();
        assert_eq!(read.data.siren.as_ref(), Some(&siren));
        assert_eq!(
            read.data.siret.as_ref().map(Siret::siren).as_ref(),
            Some(&siren)
        );
        assert_eq!(read.data.siret.as_ref().unwrap().nic().len(), 5);
        assert_eq!(read.data.vat_number.as_ref().unwrap().siren(), Some(siren));
        assert_eq!(
            read.data.email,
            Some(Email::parse("Compta@clientis.example").unwrap())
        );
        assert_eq!(
            read.data.iban,
            Some(Iban::parse("FR7630004000031234567890143").unwrap())
        );
        assert_eq!(read.data.kind, CompanyKind::Supplier);
        assert_eq!(read.data.country, "FR");
        assert!(read.data.key_account);
        assert_eq!(
            read.data.notes.as_deref(),
            Some("Compte clé.\nRelance le 5 du mois.")
        );
        assert_eq!(read.created_at, read.updated_at);

        // Update: change everything, clear the optional fields.
        let new_siren = Siren::with_check_digit(40483304);
        let changed = CompanyInput {
            name: "Clientis Holding".into(),
            kind: "prospect".into(),
            siren: new_siren.to_string(),
            vat_number: VatNumber::for_siren(&new_siren).to_string(),
            postcode: "75009".into(),
            city: "Paris".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let updated = companies::update(&mut tx, &actor(), Scope::All, created.id, &changed)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(updated.data, changed);
        assert_eq!(updated.created_at, created.created_at);
        assert!(updated.updated_at >= created.updated_at);
        let read = get(&db, Scope::All, created.id).await.unwrap();
        assert_eq!(read, updated);
        assert_eq!(read.data.siret, None);
        assert_eq!(read.data.iban, None);
        assert_eq!(read.data.email, None);
        assert!(!read.data.key_account);
        assert_eq!(count(&db, "companies").await, 1);
    })
    .await;
}

#[tokio::test]
async fn update_is_audited_with_before_and_after() {
    on_each_backend(|db| async move {
        let c = create_company_with(&db, &company_data("Avant SA", "client", Some(54205118))).await;
        let after = company_data("Après SA", "prospect", Some(40483304));
        let mut tx = db.begin().await.unwrap();
        companies::update(&mut tx, &actor(), Scope::All, c.id, &after)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.read().await.unwrap();
        let entries = store::audit::for_entity(&mut tx, "company", &c.id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(entries.len(), 2, "{entries:?}");
        let create = entries.iter().find(|e| e.action == "create").unwrap();
        assert!(create.before_json.is_none());
        let created: serde_json::Value =
            serde_json::from_str(create.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(created["name"], "Avant SA");

        let update = entries.iter().find(|e| e.action == "update").unwrap();
        assert_eq!(update.actor_label, "tests");
        let before: serde_json::Value =
            serde_json::from_str(update.before_json.as_deref().expect("before")).unwrap();
        let after_json: serde_json::Value =
            serde_json::from_str(update.after_json.as_deref().expect("after")).unwrap();
        assert_eq!(before["name"], "Avant SA");
        assert_eq!(before["kind"], "client");
        assert_eq!(before["siren"], Siren::with_check_digit(54205118).as_str());
        assert_eq!(after_json["name"], "Après SA");
        assert_eq!(after_json["kind"], "prospect");
        assert_eq!(
            after_json["siren"],
            Siren::with_check_digit(40483304).as_str()
        );
        assert_eq!(before["id"], c.id.to_string());
        assert_eq!(after_json["id"], c.id.to_string());
    })
    .await;
}

#[tokio::test]
async fn duplicate_siren_is_a_conflict_and_writes_nothing() {
    on_each_backend(|db| async move {
        let first =
            create_company_with(&db, &company_data("Premier", "client", Some(54205118))).await;
        let other =
            create_company_with(&db, &company_data("Autre", "client", Some(40483304))).await;
        let companies_before = count(&db, "companies").await;
        let audit_before = count(&db, "audit_log").await;
        assert_eq!(audit_before, 2);

        // Same SIREN, typed differently.
        let mut dup = company_data("Doublon", "prospect", None);
        dup.siren = Some(Siren::parse("542 051 180").unwrap());
        let mut tx = db.begin().await.unwrap();
        let r = companies::create(&mut tx, &actor(), &dup).await;
        assert!(
            matches!(r, Err(Error::Conflict { field: "siren" })),
            "{r:?}"
        );
        // Even committing what is left of the transaction writes nothing.
        let _ = tx.commit().await;

        // A SIRET alone implies the SIREN, which is then refused too.
        let siret = CompanyInput {
            name: "Doublon par SIRET".into(),
            siret: Siret::with_check_digit(first.data.siren.as_ref().unwrap(), 77).to_string(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let r = companies::create(&mut tx, &actor(), &siret).await;
        assert!(
            matches!(r, Err(Error::Conflict { field: "siren" })),
            "{r:?}"
        );
        tx.rollback().await.unwrap();

        // Updating another company onto the SIREN is refused as well.
        let mut tx = db.begin().await.unwrap();
        let r = companies::update(&mut tx, &actor(), Scope::All, other.id, &dup).await;
        assert!(
            matches!(r, Err(Error::Conflict { field: "siren" })),
            "{r:?}"
        );
        let _ = tx.commit().await;

        assert_eq!(count(&db, "companies").await, companies_before);
        assert_eq!(count(&db, "audit_log").await, audit_before);
        assert!(names(&db, "doublon").await.is_empty());
        assert_eq!(get(&db, Scope::All, other.id).await.unwrap(), other);
    })
    .await;
}

#[tokio::test]
async fn search_ignores_accents_and_case_and_treats_wildcards_literally() {
    on_each_backend(|db| async move {
        let mut sg = company_data("Société Générale", "client", None);
        sg.city = Some("Paris".into());
        sg.postcode = Some("75009".into());
        create_company_with(&db, &sg).await;
        for name in [
            "Banque Populaire",
            "100% Digital",
            "1000 Digital",
            "A_B Conseil",
            "AxB Conseil",
            "Éditions Çà et Là",
        ] {
            create_company(&db, name, "client").await;
        }
        let sg = vec!["Société Générale".to_string()];
        assert_eq!(names(&db, "societe").await, sg);
        assert_eq!(names(&db, "SOCIÉTÉ").await, sg);
        assert_eq!(names(&db, "  générale ").await, sg);
        assert_eq!(names(&db, "GENERALE").await, sg);
        assert_eq!(names(&db, "paris").await, sg, "city is searchable");
        assert_eq!(names(&db, "75009").await, sg, "postcode is searchable");
        assert_eq!(names(&db, "ca et la").await, vec!["Éditions Çà et Là"]);

        assert_eq!(names(&db, "100%").await, vec!["100% Digital"]);
        assert_eq!(names(&db, "%").await, vec!["100% Digital"]);
        // Sorted here: the order of "%" and "0" depends on the collation.
        let mut hundred = names(&db, "100").await;
        hundred.sort();
        assert_eq!(hundred, vec!["100% Digital", "1000 Digital"]);
        assert_eq!(names(&db, "a_b").await, vec!["A_B Conseil"]);
        assert_eq!(names(&db, "_").await, vec!["A_B Conseil"]);
        assert_eq!(names(&db, "\\").await, Vec::<String>::new());
        assert!(names(&db, "zzz").await.is_empty());

        assert_eq!(names(&db, "").await.len(), 7, "a blank term is no filter");
        assert_eq!(names(&db, "   ").await.len(), 7);
        assert_eq!(list(&db, Scope::All, None, None).await.len(), 7);
    })
    .await;
}

#[tokio::test]
async fn kind_filter_and_counts_by_kind() {
    on_each_backend(|db| async move {
        for (name, kind) in [
            ("Client Un", "client"),
            ("Client Deux", "client"),
            ("Client Trois", "client"),
            ("Prospect Un", "prospect"),
            ("Prospect Deux", "prospect"),
            ("Fournisseur", "supplier"),
        ] {
            create_company(&db, name, kind).await;
        }
        let prospects = list(&db, Scope::All, None, Some(CompanyKind::Prospect)).await;
        assert_eq!(prospects.len(), 2);
        assert!(
            prospects
                .iter()
                .all(|c| c.data.kind == CompanyKind::Prospect)
        );
        let suppliers = list(&db, Scope::All, None, Some(CompanyKind::Supplier)).await;
        assert_eq!(suppliers.len(), 1);
        assert_eq!(suppliers[0].data.name, "Fournisseur");
        let both = list(&db, Scope::All, Some("un"), Some(CompanyKind::Client)).await;
        assert_eq!(both.len(), 1);
        assert_eq!(both[0].data.name, "Client Un");

        let mut tx = db.read().await.unwrap();
        let counts = companies::counts_by_kind(&mut tx, Scope::All)
            .await
            .unwrap();
        assert_eq!(
            counts,
            vec![
                (CompanyKind::Client, 3),
                (CompanyKind::Prospect, 2),
                (CompanyKind::Supplier, 1)
            ]
        );
        let options = companies::options(&mut tx, Scope::All, Some(CompanyKind::Client))
            .await
            .unwrap();
        let option_names: Vec<_> = options.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(option_names, ["Client Deux", "Client Trois", "Client Un"]);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn paging_is_stable_and_covers_every_item_once() {
    on_each_backend(|db| async move {
        let mut created = HashSet::new();
        // Equal names make the tie-breaker matter.
        for name in [
            "Echo", "Alpha", "Delta", "Alpha", "Charlie", "Alpha", "Bravo",
        ] {
            created.insert(create_company(&db, name, "client").await.id);
        }
        let mut tx = db.read().await.unwrap();
        let filter = CompanyFilter::default();
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        for page in 1..=4 {
            let p = companies::list(
                &mut tx,
                Scope::All,
                &filter,
                PageRequest::new(Some(page), Some(3)),
            )
            .await
            .unwrap();
            assert_eq!(p.total, 7);
            assert_eq!(p.page, page);
            assert_eq!(p.per_page, 3);
            assert_eq!(p.pages(), 3);
            sizes.push(p.items.len());
            seen.extend(p.items);
        }
        assert_eq!(sizes, [3, 3, 1, 0]);
        let ids: Vec<CompanyId> = seen.iter().map(|c| c.id).collect();
        let unique: HashSet<CompanyId> = ids.iter().copied().collect();
        assert_eq!(unique.len(), 7, "no company on two pages");
        assert_eq!(unique, created, "every company on some page");
        let names: Vec<&str> = seen.iter().map(|c| c.data.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Alpha", "Alpha", "Alpha", "Bravo", "Charlie", "Delta", "Echo"
            ]
        );
        // The same query in one page gives the same order.
        let all = companies::list(
            &mut tx,
            Scope::All,
            &filter,
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .unwrap();
        assert_eq!(all.items.iter().map(|c| c.id).collect::<Vec<_>>(), ids);
        // Page 0 is clamped to page 1.
        let first = companies::list(
            &mut tx,
            Scope::All,
            &filter,
            PageRequest::new(Some(0), Some(3)),
        )
        .await
        .unwrap();
        assert_eq!(
            first.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            ids[..3]
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn scope_limits_lists_gets_and_counts() {
    on_each_backend(|db| async move {
        let a = create_company(&db, "Alpha Client", "client").await;
        let b = create_company(&db, "Bravo Prospect", "prospect").await;
        let c = create_company(&db, "Charlie Fournisseur", "supplier").await;

        // A client contact sees his company only.
        let mine = Scope::Company(a.id);
        let items = list(&db, mine, None, None).await;
        assert_eq!(items.iter().map(|c| c.id).collect::<Vec<_>>(), [a.id]);
        assert!(list(&db, mine, Some("bravo"), None).await.is_empty());
        assert!(
            list(&db, mine, None, Some(CompanyKind::Prospect))
                .await
                .is_empty()
        );
        assert_eq!(get(&db, mine, a.id).await.unwrap(), a);
        assert!(matches!(get(&db, mine, b.id).await, Err(Error::NotFound)));
        assert!(matches!(get(&db, mine, c.id).await, Err(Error::NotFound)));
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            companies::counts_by_kind(&mut tx, mine).await.unwrap(),
            vec![
                (CompanyKind::Client, 1),
                (CompanyKind::Prospect, 0),
                (CompanyKind::Supplier, 0)
            ]
        );
        let options = companies::options(&mut tx, mine, None).await.unwrap();
        assert_eq!(options, vec![(a.id, "Alpha Client".to_string())]);
        // Nor may he change another company.
        let r = companies::update(&mut tx, &actor(), mine, b.id, &b.data).await;
        assert!(matches!(r, Err(Error::NotFound)), "{r:?}");
        tx.rollback().await.unwrap();

        // A consultant sees none yet.
        let own = Scope::Own(UserId::new());
        assert!(list(&db, own, None, None).await.is_empty());
        assert!(matches!(get(&db, own, a.id).await, Err(Error::NotFound)));
        let mut tx = db.read().await.unwrap();
        assert!(
            companies::counts_by_kind(&mut tx, own)
                .await
                .unwrap()
                .iter()
                .all(|(_, n)| *n == 0)
        );
        assert!(
            companies::options(&mut tx, own, None)
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();

        // A company that does not exist scopes to nothing; staff see everything.
        assert!(
            list(&db, Scope::Company(CompanyId::new()), None, None)
                .await
                .is_empty()
        );
        assert_eq!(list(&db, Scope::All, None, None).await.len(), 3);
        assert!(matches!(
            get(&db, Scope::All, CompanyId::new()).await,
            Err(Error::NotFound)
        ));
    })
    .await;
}

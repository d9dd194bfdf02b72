//! Users: password storage, e-mail uniqueness, the client-contact rule,
//! sessions ended by account changes, lists and login look-up.

use domain::ids::CompanyId;
use domain::paging::PageRequest;
use domain::role::Role;
use domain::user::{Password, UserInput};
use fixtures::testing::on_each_backend;
use store::credentials::verify_password;
use store::users::{self, User, UserFilter};
use store::{Db, Error};

use crate::support::{
    PASSWORD, actor, count, create_company, create_session, create_user, session_hashes, user_data,
};

async fn password_hash(db: &Db, user: &User) -> String {
    let mut tx = db.read().await.unwrap();
    let h = users::password_hash(&mut tx, user.id).await.unwrap();
    tx.commit().await.unwrap();
    h
}

async fn update(db: &Db, user: &User, input: UserInput) -> Result<User, Error> {
    let data = input.validate(false).expect("valid edit");
    let mut tx = db.begin().await.unwrap();
    let r = users::update(&mut tx, &actor(), user.id, &data).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    r
}

fn edit_of(u: &User) -> UserInput {
    UserInput {
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().into(),
        company_id: u.company_id.map(|c| c.to_string()).unwrap_or_default(),
        locale: u.locale.map(|l| l.as_str().to_string()).unwrap_or_default(),
        password: String::new(),
        active: Some(u.active),
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    on_each_backend(|db| async move {
        let u = create_user(&db, "camille.martin@stafforia.example", "Camille Martin", Role::Consultant, None).await;
        assert_eq!(u.role, Role::Consultant);
        assert_eq!(u.display_name, "Camille Martin");
        assert!(u.active);
        assert_eq!(u.company_id, None);
        assert_eq!(u.last_login_at, None);

        let hash = password_hash(&db, &u).await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(PASSWORD));
        assert!(verify_password(&hash, PASSWORD));
        assert!(!verify_password(&hash, "correct horse battery stapler"));

        // The clear text appears nowhere: not in the users table, not in the audit log.
        let rows: Vec<(String, String, String, String, String)> = store::on_pool!(&db, |c| {
            sqlx::query_as("SELECT id, email, display_name, password_hash, search_key FROM users")
                .fetch_all(c)
                .await
        })
        .unwrap();
        assert_eq!(rows.len(), 1);
        let (_, _, _, stored, _) = &rows[0];
        assert_eq!(stored, &hash);
        for (a, b, c, d, e) in &rows {
            for v in [a, b, c, d, e] {
                assert!(!v.contains(PASSWORD), "clear password stored: {v}");
            }
        }
        let leaks: i64 = store::on_pool!(&db, |c| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%argon2%' OR after_json LIKE $1",
            )
            .bind(format!("%{PASSWORD}%"))
            .fetch_one(c)
            .await
        })
        .unwrap();
        assert_eq!(leaks, 0, "neither the password nor its hash is audited");
        assert_eq!(count(&db, "audit_log").await, 1);

        // Two users with the same password get different hashes (salted).
        let v = create_user(&db, "other@stafforia.example", "Other", Role::Finance, None).await;
        assert_ne!(password_hash(&db, &v).await, hash);

        // Creation without a password is refused.
        let mut data = user_data("nopass@stafforia.example", "No Pass", Role::Admin, None);
        data.password = None;
        let mut tx = db.begin().await.unwrap();
        let r = users::create(&mut tx, &actor(), &data).await;
        tx.rollback().await.unwrap();
        match r {
            Err(Error::Invalid(e)) => assert!(e.for_field("password").is_some()),
            other => panic!("expected Invalid(password), got {other:?}"),
        }
        assert_eq!(count(&db, "users").await, 2);
    })
    .await;
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_whatever_the_case() {
    on_each_backend(|db| async move {
        // `Email::parse` lowercases the domain and keeps the local part; logins
        // lower-case the whole address, so the account must be found (and be
        // unique) case-insensitively.
        let first = create_user(
            &db,
            "Camille.Martin@Stafforia.EXAMPLE",
            "Camille Martin",
            Role::Consultant,
            None,
        )
        .await;
        assert_eq!(
            first.email, "camille.martin@stafforia.example",
            "stored lower-cased"
        );
        let other = create_user(
            &db,
            "finance@stafforia.example",
            "Fanny",
            Role::Finance,
            None,
        )
        .await;
        let audit_before = count(&db, "audit_log").await;
        for dup in [
            "Camille.Martin@stafforia.example",
            "camille.martin@stafforia.example",
            "CAMILLE.MARTIN@STAFFORIA.EXAMPLE",
        ] {
            let mut tx = db.begin().await.unwrap();
            let r = users::create(
                &mut tx,
                &actor(),
                &user_data(dup, "Imposter", Role::Admin, None),
            )
            .await;
            let _ = tx.commit().await;
            assert!(
                matches!(r, Err(Error::Conflict { field: "email" })),
                "{dup}: {r:?}"
            );
        }
        assert_eq!(count(&db, "users").await, 2);
        assert_eq!(count(&db, "audit_log").await, audit_before);

        // Changing another account to the address is refused too.
        let mut edit = edit_of(&other);
        edit.email = "camille.MARTIN@stafforia.example".into();
        let r = update(&db, &other, edit).await;
        assert!(
            matches!(r, Err(Error::Conflict { field: "email" })),
            "{r:?}"
        );

        // Login look-up finds the account however the address is typed.
        let mut tx = db.read().await.unwrap();
        for typed in [
            "camille.martin@stafforia.example",
            " Camille.Martin@Stafforia.Example ",
            "CAMILLE.MARTIN@STAFFORIA.EXAMPLE",
        ] {
            let (u, hash) = users::credentials_for(&mut tx, typed)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{typed:?} not found"));
            assert_eq!(u.id, first.id);
            assert!(verify_password(&hash, PASSWORD));
        }
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_database_binds_client_contacts_to_exactly_one_company() {
    on_each_backend(|db| async move {
        let company = create_company(&db, "Clientis Group", "client").await;
        let insert = |email: &'static str, role: &'static str, company: Option<CompanyId>| {
            let db = db.clone();
            async move {
                let sql = "INSERT INTO users (id, email, display_name, role, company_id, password_hash, active,
                             search_key, created_at, updated_at)
                           VALUES ($1, $2, 'X', $3, $4, 'not-a-hash', TRUE, 'x', $5, $5)";
                let id = uuid::Uuid::new_v4().to_string();
                let company = company.map(|c| c.to_string());
                let at = store::now();
                store::on_pool!(&db, |c| sqlx::query(sql)
                    .bind(&id)
                    .bind(email)
                    .bind(role)
                    .bind(&company)
                    .bind(at)
                    .execute(c)
                    .await
                    .map(|_| ()))
            }
        };
        let check_violation = |r: Result<(), sqlx::Error>| match r {
            Err(sqlx::Error::Database(e)) => {
                assert!(e.is_check_violation(), "not a CHECK violation: {e}")
            }
            other => panic!("expected a CHECK violation, got {other:?}"),
        };
        check_violation(insert("cc@clientis.example", "client_contact", None).await);
        check_violation(insert("staff@stafforia.example", "consultant", Some(company.id)).await);
        check_violation(insert("admin@stafforia.example", "admin", Some(company.id)).await);
        assert_eq!(count(&db, "users").await, 0);
        // The same statement with consistent values goes through.
        insert("cc@clientis.example", "client_contact", Some(company.id))
            .await
            .unwrap();
        insert("staff@stafforia.example", "consultant", None).await.unwrap();
        assert_eq!(count(&db, "users").await, 2);

        // Through the store, a client contact carries his company's name.
        let u = create_user(&db, "sophie@clientis.example", "Sophie", Role::ClientContact, Some(company.id)).await;
        assert_eq!(u.company_id, Some(company.id));
        assert_eq!(u.company_name.as_deref(), Some("Clientis Group"));
    })
    .await;
}

#[tokio::test]
async fn role_change_or_deactivation_ends_the_sessions() {
    on_each_backend(|db| async move {
        let u = create_user(
            &db,
            "bm@stafforia.example",
            "Bruno Marchand",
            Role::BusinessManager,
            None,
        )
        .await;
        let other = create_user(
            &db,
            "delivery@stafforia.example",
            "Delphine",
            Role::DeliveryManager,
            None,
        )
        .await;
        let (other_token, _) = create_session(&db, Some(&other)).await;
        create_session(&db, Some(&u)).await;
        let (token, _) = create_session(&db, Some(&u)).await;

        // A profile edit keeps the sessions.
        let mut edit = edit_of(&u);
        edit.display_name = "Bruno M.".into();
        edit.locale = "en".into();
        let edited = update(&db, &u, edit.clone()).await.unwrap();
        assert_eq!(edited.display_name, "Bruno M.");
        assert_eq!(edited.locale, Some(domain::Locale::parse("en").unwrap()));
        assert_eq!(session_hashes(&db, &u).await.len(), 2);
        let mut tx = db.read().await.unwrap();
        let s = store::sessions::load(&mut tx, &token)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.user.unwrap().display_name, "Bruno M.");

        // A new role ends them.
        edit.role = "recruiter".into();
        let changed = update(&db, &u, edit.clone()).await.unwrap();
        assert_eq!(changed.role, Role::Recruiter);
        assert!(session_hashes(&db, &u).await.is_empty());

        // So does deactivation.
        create_session(&db, Some(&u)).await;
        create_session(&db, Some(&u)).await;
        edit.active = Some(false);
        let off = update(&db, &u, edit.clone()).await.unwrap();
        assert!(!off.active);
        assert!(session_hashes(&db, &u).await.is_empty());
        let mut tx = db.read().await.unwrap();
        assert_eq!(
            users::count(&mut tx).await.unwrap(),
            1,
            "only active users count"
        );
        tx.commit().await.unwrap();

        // And a new password set by an administrator.
        edit.active = Some(true);
        update(&db, &u, edit.clone()).await.unwrap();
        create_session(&db, Some(&u)).await;
        edit.password = "a brand new passphrase".into();
        update(&db, &u, edit).await.unwrap();
        assert!(session_hashes(&db, &u).await.is_empty());
        assert!(verify_password(
            &password_hash(&db, &u).await,
            "a brand new passphrase"
        ));

        // Nobody else was signed out.
        let mut tx = db.read().await.unwrap();
        assert!(
            store::sessions::load(&mut tx, &other_token)
                .await
                .unwrap()
                .is_some()
        );
        tx.commit().await.unwrap();

        // The audit shows the role change.
        let mut tx = db.read().await.unwrap();
        let entries = store::audit::for_entity(&mut tx, "user", &u.id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(entries.iter().any(|e| {
            e.action == "update"
                && e.before_json
                    .as_deref()
                    .is_some_and(|b| b.contains("\"business_manager\""))
                && e.after_json
                    .as_deref()
                    .is_some_and(|a| a.contains("\"recruiter\""))
        }));
    })
    .await;
}

#[tokio::test]
async fn change_password_keeps_only_the_given_session() {
    on_each_backend(|db| async move {
        let u = create_user(
            &db,
            "finance@stafforia.example",
            "Fanny",
            Role::Finance,
            None,
        )
        .await;
        let other = create_user(&db, "admin@stafforia.example", "Alice", Role::Admin, None).await;
        let (t1, _) = create_session(&db, Some(&u)).await;
        let (t2, keep) = create_session(&db, Some(&u)).await;
        let (t3, _) = create_session(&db, Some(&u)).await;
        let (t_other, _) = create_session(&db, Some(&other)).await;
        let (t_anon, _) = create_session(&db, None).await;

        let new = Password::parse("another long passphrase").unwrap();
        let mut tx = db.begin().await.unwrap();
        users::change_password(&mut tx, &actor(), u.id, &new, Some(&keep))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(session_hashes(&db, &u).await, vec![keep.clone()]);
        let mut tx = db.read().await.unwrap();
        for (t, alive) in [
            (&t1, false),
            (&t2, true),
            (&t3, false),
            (&t_other, true),
            (&t_anon, true),
        ] {
            assert_eq!(
                store::sessions::load(&mut tx, t).await.unwrap().is_some(),
                alive
            );
        }
        tx.commit().await.unwrap();
        let hash = password_hash(&db, &u).await;
        assert!(verify_password(&hash, "another long passphrase"));
        assert!(!verify_password(&hash, PASSWORD));
        assert!(hash.starts_with("$argon2id$"));

        // Without a session to keep, every session ends.
        let mut tx = db.begin().await.unwrap();
        users::change_password(&mut tx, &actor(), u.id, &new, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(session_hashes(&db, &u).await.is_empty());
        assert_eq!(session_hashes(&db, &other).await.len(), 1);

        let mut tx = db.read().await.unwrap();
        let entries = store::audit::for_entity(&mut tx, "user", &u.id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "change_password")
                .count(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn list_filters_by_role_company_and_search() {
    on_each_backend(|db| async move {
        let clientis = create_company(&db, "Clientis Group", "client").await;
        create_user(
            &db,
            "admin@stafforia.example",
            "Alice Administratrice",
            Role::Admin,
            None,
        )
        .await;
        create_user(
            &db,
            "camille.martin@stafforia.example",
            "Camille Martin",
            Role::Consultant,
            None,
        )
        .await;
        create_user(
            &db,
            "helene.dupont@stafforia.example",
            "Hélène Dupont",
            Role::Consultant,
            None,
        )
        .await;
        create_user(
            &db,
            "sophie.bernard@clientis.example",
            "Sophie Bernard",
            Role::ClientContact,
            Some(clientis.id),
        )
        .await;

        let run = |filter: UserFilter, page: PageRequest| {
            let db = db.clone();
            async move {
                let mut tx = db.read().await.unwrap();
                let p = users::list(&mut tx, &filter, page).await.unwrap();
                tx.commit().await.unwrap();
                p
            }
        };
        let names = |filter: UserFilter| async move {
            let p = run(filter, PageRequest::new(None, Some(200))).await;
            assert_eq!(p.total as usize, p.items.len());
            p.items
                .into_iter()
                .map(|u| u.display_name)
                .collect::<Vec<_>>()
        };

        assert_eq!(names(UserFilter::default()).await.len(), 4);
        assert_eq!(
            names(UserFilter {
                role: Some(Role::Consultant),
                ..Default::default()
            })
            .await,
            ["Camille Martin", "Hélène Dupont"]
        );
        assert!(
            names(UserFilter {
                role: Some(Role::Finance),
                ..Default::default()
            })
            .await
            .is_empty()
        );
        assert_eq!(
            names(UserFilter {
                q: Some("helene".into()),
                ..Default::default()
            })
            .await,
            ["Hélène Dupont"]
        );
        assert_eq!(
            names(UserFilter {
                q: Some("@clientis".into()),
                ..Default::default()
            })
            .await,
            ["Sophie Bernard"],
            "e-mail is searchable"
        );
        assert_eq!(
            names(UserFilter {
                q: Some("martin".into()),
                role: Some(Role::Consultant),
                ..Default::default()
            })
            .await,
            ["Camille Martin"]
        );
        assert!(
            names(UserFilter {
                q: Some("martin".into()),
                role: Some(Role::Admin),
                ..Default::default()
            })
            .await
            .is_empty()
        );
        assert!(
            names(UserFilter {
                q: Some("%".into()),
                ..Default::default()
            })
            .await
            .is_empty()
        );
        assert!(
            names(UserFilter {
                q: Some("_".into()),
                ..Default::default()
            })
            .await
            .is_empty()
        );

        let p = run(
            UserFilter {
                company_id: Some(clientis.id),
                ..Default::default()
            },
            PageRequest::new(None, Some(200)),
        )
        .await;
        assert_eq!(p.total, 1);
        assert_eq!(p.items[0].display_name, "Sophie Bernard");
        assert_eq!(p.items[0].company_name.as_deref(), Some("Clientis Group"));

        let p = run(UserFilter::default(), PageRequest::new(Some(2), Some(3))).await;
        assert_eq!(p.total, 4);
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].display_name, "Sophie Bernard");
    })
    .await;
}

#[tokio::test]
async fn credentials_for_returns_the_user_and_hash_for_login() {
    on_each_backend(|db| async move {
        let u = create_user(
            &db,
            "direction@stafforia.example",
            "Denis",
            Role::Direction,
            None,
        )
        .await;
        let mut tx = db.begin().await.unwrap();
        assert!(
            users::credentials_for(&mut tx, "nobody@stafforia.example")
                .await
                .unwrap()
                .is_none()
        );
        assert!(users::credentials_for(&mut tx, "").await.unwrap().is_none());
        let (found, hash) = users::credentials_for(&mut tx, "direction@stafforia.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, u);
        assert!(verify_password(&hash, PASSWORD));
        assert_eq!(
            users::find_by_email(&mut tx, "DIRECTION@stafforia.example")
                .await
                .unwrap()
                .map(|u| u.id),
            Some(u.id)
        );
        users::record_login(&mut tx, u.id).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.read().await.unwrap();
        let after = users::get(&mut tx, u.id).await.unwrap();
        tx.commit().await.unwrap();
        let at = after.last_login_at.expect("login recorded");
        assert!(at >= u.created_at);
        assert!(at <= store::now());

        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            users::get(&mut tx, domain::ids::UserId::new()).await,
            Err(Error::NotFound)
        ));
        tx.commit().await.unwrap();
    })
    .await;
}

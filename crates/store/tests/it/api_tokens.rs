//! Personal API tokens: shown once, stored hashed, revocable.

use domain::ids::ApiTokenId;
use domain::role::Role;
use fixtures::testing::on_each_backend;
use store::api_tokens::{self, PREFIX};
use store::users::User;
use store::{Db, Error};

use crate::support::{actor, count, create_user, sha256_hex};

async fn authenticate(db: &Db, secret: &str) -> Option<User> {
    let mut tx = db.begin().await.unwrap();
    let u = api_tokens::authenticate(&mut tx, secret).await.unwrap();
    tx.commit().await.unwrap();
    u
}

async fn create(db: &Db, user: &User, name: &str) -> (api_tokens::ApiToken, String) {
    let mut tx = db.begin().await.unwrap();
    let t = api_tokens::create(&mut tx, &actor(), user.id, name)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    t
}

async fn list(db: &Db, user: &User) -> Vec<api_tokens::ApiToken> {
    let mut tx = db.read().await.unwrap();
    let l = api_tokens::list_for_user(&mut tx, user.id).await.unwrap();
    tx.commit().await.unwrap();
    l
}

async fn revoke(db: &Db, user: &User, id: ApiTokenId) -> Result<(), Error> {
    let mut tx = db.begin().await.unwrap();
    let r = api_tokens::revoke(&mut tx, &actor(), user.id, id).await;
    tx.commit().await.unwrap();
    r
}

#[tokio::test]
async fn a_token_authenticates_and_only_its_hash_is_stored() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "finance@stafforia.example",
            "Fanny",
            Role::Finance,
            None,
        )
        .await;
        let (token, secret) = create(&db, &user, "comptabilité").await;
        assert!(secret.starts_with("rgt_"), "{secret}");
        assert_eq!(PREFIX, "rgt_");
        assert_eq!(secret.len(), 4 + 64);
        assert_eq!(token.prefix, secret[..10]);
        assert_eq!(token.name, "comptabilité");
        assert!(token.last_used_at.is_none() && token.revoked_at.is_none());

        let (stored_hash, stored_prefix): (String, String) =
            store::on_pool!(&db, |c| sqlx::query_as(
                "SELECT token_hash, prefix FROM api_tokens WHERE id = $1"
            )
            .bind(token.id.to_string())
            .fetch_one(c)
            .await)
            .unwrap();
        assert_eq!(stored_hash, sha256_hex(&secret));
        assert_eq!(stored_prefix, token.prefix);
        let hits: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR prefix = $1 OR name = $1"
        )
        .bind(&secret)
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(hits, 0);
        let audited: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE $1 OR after_json LIKE $2"
        )
        .bind(format!("%{secret}%"))
        .bind(format!("%{stored_hash}%"))
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(audited, 0, "the audit log holds neither secret nor hash");

        assert_eq!(list(&db, &user).await, vec![token.clone()]);
        let who = authenticate(&db, &secret).await.expect("valid token");
        assert_eq!(who.id, user.id);
        assert_eq!(who.role, Role::Finance);
        assert_eq!(
            authenticate(&db, &format!(" {secret}\n"))
                .await
                .map(|u| u.id),
            Some(user.id)
        );

        let used = list(&db, &user).await.remove(0);
        let last = used.last_used_at.expect("last use recorded");
        assert!(last >= token.created_at);

        // Wrong secrets, the hash itself or the prefix do not authenticate.
        let mut wrong = secret.clone();
        wrong.pop();
        wrong.push(if secret.ends_with('0') { '1' } else { '0' });
        assert!(authenticate(&db, &wrong).await.is_none());
        assert!(authenticate(&db, &stored_hash).await.is_none());
        assert!(authenticate(&db, &token.prefix).await.is_none());
        assert!(authenticate(&db, "").await.is_none());
    })
    .await;
}

#[tokio::test]
async fn revoked_tokens_and_deactivated_users_do_not_authenticate() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "finance@stafforia.example",
            "Fanny",
            Role::Finance,
            None,
        )
        .await;
        let other = create_user(&db, "admin@stafforia.example", "Alice", Role::Admin, None).await;
        let (t1, s1) = create(&db, &user, "one").await;
        let (_t2, s2) = create(&db, &user, "two").await;
        let (t_other, s_other) = create(&db, &other, "theirs").await;
        assert_eq!(list(&db, &user).await.len(), 2);
        assert_eq!(list(&db, &other).await, vec![t_other.clone()]);

        // Someone else's token cannot be revoked, and keeps working.
        let audit_before = count(&db, "audit_log").await;
        assert!(matches!(
            revoke(&db, &user, t_other.id).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            revoke(&db, &user, ApiTokenId::new()).await,
            Err(Error::NotFound)
        ));
        assert_eq!(count(&db, "audit_log").await, audit_before);
        assert_eq!(
            authenticate(&db, &s_other).await.map(|u| u.id),
            Some(other.id)
        );

        revoke(&db, &user, t1.id).await.unwrap();
        assert!(authenticate(&db, &s1).await.is_none());
        assert_eq!(authenticate(&db, &s2).await.map(|u| u.id), Some(user.id));
        let listed = list(&db, &user).await;
        let revoked = listed.iter().find(|t| t.id == t1.id).unwrap();
        assert!(revoked.revoked_at.is_some());
        // Revoking twice is NotFound: there is nothing left to revoke.
        assert!(matches!(
            revoke(&db, &user, t1.id).await,
            Err(Error::NotFound)
        ));
        assert_eq!(count(&db, "audit_log").await, audit_before + 1);

        // A deactivated account's tokens stop working.
        let mut tx = db.begin().await.unwrap();
        let data = domain::user::UserInput {
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().into(),
            active: Some(false),
            ..Default::default()
        }
        .validate(false)
        .unwrap();
        store::users::update(&mut tx, &actor(), user.id, &data)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(authenticate(&db, &s2).await.is_none());
        assert_eq!(
            authenticate(&db, &s_other).await.map(|u| u.id),
            Some(other.id)
        );
    })
    .await;
}

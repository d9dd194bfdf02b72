//! Sessions: hashed tokens, expiry, deactivated accounts, flash messages and sign-outs.

use domain::role::Role;
use fixtures::testing::on_each_backend;
use store::sessions;
use store::{Db, now};
use time::{Duration, OffsetDateTime};

use crate::support::{count, create_session, create_user, session_hashes, sha256_hex};

async fn load(db: &Db, token: &str) -> Option<sessions::Session> {
    let mut tx = db.read().await.unwrap();
    let s = sessions::load(&mut tx, token).await.unwrap();
    tx.commit().await.unwrap();
    s
}

async fn expires_at(db: &Db, id_hash: &str) -> OffsetDateTime {
    store::on_pool!(db, |c| sqlx::query_scalar(
        "SELECT expires_at FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn set_expires_at(db: &Db, id_hash: &str, at: OffsetDateTime) {
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE sessions SET expires_at = $2 WHERE id_hash = $1"
    )
    .bind(id_hash)
    .bind(at)
    .execute(c)
    .await
    .map(|r| assert_eq!(r.rows_affected(), 1)))
    .unwrap();
}

#[tokio::test]
async fn sessions_load_by_token_and_only_the_hash_is_stored() {
    on_each_backend(|db| async move {
        let user = create_user(&db, "bm@stafforia.example", "Bruno", Role::BusinessManager, None).await;
        let before = now();
        let mut tx = db.begin().await.unwrap();
        let anon = sessions::create(&mut tx, None, Some("192.0.2.7"), Some("Firefox")).await.unwrap();
        let signed = sessions::create(&mut tx, Some(user.id), None, None).await.unwrap();
        tx.commit().await.unwrap();

        for s in [&anon, &signed] {
            assert_eq!(s.token.len(), 64);
            assert_eq!(s.session.id_hash, sha256_hex(&s.token));
            assert_ne!(s.session.csrf_token, s.token);
            assert!(s.session.flash.is_none());
        }
        assert_ne!(anon.token, signed.token);
        assert!(anon.session.user.is_none());
        assert_eq!(signed.session.user.as_ref().map(|u| u.id), Some(user.id));

        // The cookie value is nowhere in the table.
        for token in [&anon.token, &signed.token] {
            let hits: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM sessions WHERE id_hash = $1 OR csrf_token = $1
                   OR COALESCE(flash, '') = $1 OR COALESCE(ip, '') = $1 OR COALESCE(user_agent, '') = $1
                   OR COALESCE(user_id, '') = $1"
            )
            .bind(token)
            .fetch_one(c)
            .await)
            .unwrap();
            assert_eq!(hits, 0);
        }
        assert_eq!(count(&db, "sessions").await, 2);

        let a = load(&db, &anon.token).await.expect("anonymous session");
        assert!(a.user.is_none());
        assert_eq!(a.id_hash, anon.session.id_hash);
        assert_eq!(a.csrf_token, anon.session.csrf_token);
        assert_eq!(a.last_seen_at, anon.session.last_seen_at);
        let s = load(&db, &signed.token).await.expect("signed-in session");
        assert_eq!(s.user.as_ref().unwrap().id, user.id);
        assert_eq!(s.user.unwrap().email, "bm@stafforia.example");

        // Neither a made-up token nor the stored hash opens a session.
        assert!(load(&db, "0".repeat(64).as_str()).await.is_none());
        assert!(load(&db, "").await.is_none());
        assert!(load(&db, &signed.session.id_hash).await.is_none());

        // Lifetimes: two hours for the login form, twelve for a signed-in user.
        let anon_exp = expires_at(&db, &anon.session.id_hash).await;
        let user_exp = expires_at(&db, &signed.session.id_hash).await;
        assert!(anon_exp >= before + sessions::ANONYMOUS_TIMEOUT);
        assert!(anon_exp <= now() + sessions::ANONYMOUS_TIMEOUT);
        assert!(user_exp >= before + sessions::IDLE_TIMEOUT);
        assert!(user_exp <= now() + sessions::IDLE_TIMEOUT);
    })
    .await;
}

#[tokio::test]
async fn expired_sessions_do_not_load_and_are_purged() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "bm@stafforia.example",
            "Bruno",
            Role::BusinessManager,
            None,
        )
        .await;
        let (old_token, old_hash) = create_session(&db, Some(&user)).await;
        let (live_token, live_hash) = create_session(&db, Some(&user)).await;
        let (anon_token, anon_hash) = create_session(&db, None).await;

        set_expires_at(&db, &old_hash, now() - Duration::minutes(1)).await;
        set_expires_at(&db, &anon_hash, now() - Duration::seconds(1)).await;
        assert!(load(&db, &old_token).await.is_none());
        assert!(load(&db, &anon_token).await.is_none());
        assert!(load(&db, &live_token).await.is_some());

        let mut tx = db.begin().await.unwrap();
        assert_eq!(sessions::purge_expired(&mut tx).await.unwrap(), 2);
        tx.commit().await.unwrap();
        assert_eq!(session_hashes(&db, &user).await, vec![live_hash.clone()]);
        assert_eq!(count(&db, "sessions").await, 1);

        // Once purged, nothing more goes.
        let mut tx = db.begin().await.unwrap();
        assert_eq!(sessions::purge_expired(&mut tx).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert!(load(&db, &live_token).await.is_some());
    })
    .await;
}

#[tokio::test]
async fn touch_slides_the_expiry_at_most_once_a_minute() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "bm@stafforia.example",
            "Bruno",
            Role::BusinessManager,
            None,
        )
        .await;
        let (token, hash) = create_session(&db, Some(&user)).await;
        let soon = now() + Duration::minutes(5);
        set_expires_at(&db, &hash, soon).await;

        // Seen just now: no write.
        let s = load(&db, &token).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        sessions::touch(&mut tx, &s).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(expires_at(&db, &hash).await, soon);

        // Seen two minutes ago: the expiry moves a full idle timeout ahead.
        let mut stale = s.clone();
        stale.last_seen_at = now() - Duration::minutes(2);
        let before = now();
        let mut tx = db.begin().await.unwrap();
        sessions::touch(&mut tx, &stale).await.unwrap();
        tx.commit().await.unwrap();
        assert!(expires_at(&db, &hash).await >= before + sessions::IDLE_TIMEOUT);
        let reloaded = load(&db, &token).await.unwrap();
        assert!(reloaded.last_seen_at >= before);
    })
    .await;
}

#[tokio::test]
async fn a_deactivated_users_session_loads_as_none() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "bm@stafforia.example",
            "Bruno",
            Role::BusinessManager,
            None,
        )
        .await;
        let other = create_user(&db, "fin@stafforia.example", "Fanny", Role::Finance, None).await;
        let (token, _) = create_session(&db, Some(&user)).await;
        let (other_token, _) = create_session(&db, Some(&other)).await;
        assert!(load(&db, &token).await.is_some());

        // Deactivated behind the store's back: the session row stays but is worthless.
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE users SET active = FALSE WHERE id = $1"
        )
        .bind(user.id.to_string())
        .execute(c)
        .await
        .map(|_| ()))
        .unwrap();
        assert_eq!(session_hashes(&db, &user).await.len(), 1);
        assert!(load(&db, &token).await.is_none());
        assert!(load(&db, &other_token).await.is_some());
    })
    .await;
}

#[tokio::test]
async fn flash_is_set_then_taken() {
    on_each_backend(|db| async move {
        let (token, hash) = create_session(&db, None).await;
        let (other_token, _) = create_session(&db, None).await;

        let mut tx = db.begin().await.unwrap();
        sessions::set_flash(&mut tx, &hash, Some("company-saved"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            load(&db, &token).await.unwrap().flash.as_deref(),
            Some("company-saved")
        );
        assert_eq!(load(&db, &other_token).await.unwrap().flash, None);

        // Taking it: read, then clear, in one transaction.
        let mut tx = db.begin().await.unwrap();
        let s = sessions::load(&mut tx, &token).await.unwrap().unwrap();
        assert_eq!(s.flash.as_deref(), Some("company-saved"));
        sessions::set_flash(&mut tx, &s.id_hash, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(load(&db, &token).await.unwrap().flash, None);
    })
    .await;
}

#[tokio::test]
async fn delete_for_user_spares_the_excepted_session_and_other_users() {
    on_each_backend(|db| async move {
        let user = create_user(
            &db,
            "bm@stafforia.example",
            "Bruno",
            Role::BusinessManager,
            None,
        )
        .await;
        let other = create_user(&db, "fin@stafforia.example", "Fanny", Role::Finance, None).await;
        let (_, h1) = create_session(&db, Some(&user)).await;
        let (t2, h2) = create_session(&db, Some(&user)).await;
        let (_, h3) = create_session(&db, Some(&user)).await;
        let (_, ho) = create_session(&db, Some(&other)).await;
        let (ta, _) = create_session(&db, None).await;
        let mut mine = vec![h1.clone(), h2.clone(), h3.clone()];
        mine.sort();
        assert_eq!(session_hashes(&db, &user).await, mine);

        let mut tx = db.begin().await.unwrap();
        sessions::delete_for_user(&mut tx, user.id, Some(&h2))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(session_hashes(&db, &user).await, vec![h2.clone()]);
        assert_eq!(session_hashes(&db, &other).await, vec![ho.clone()]);
        assert!(load(&db, &t2).await.is_some());
        assert!(
            load(&db, &ta).await.is_some(),
            "anonymous sessions are not touched"
        );

        // Excepting another user's session does not protect it, nor spare one's own.
        let mut tx = db.begin().await.unwrap();
        sessions::delete_for_user(&mut tx, user.id, Some(&ho))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(session_hashes(&db, &user).await.is_empty());
        assert_eq!(session_hashes(&db, &other).await, vec![ho.clone()]);

        let mut tx = db.begin().await.unwrap();
        sessions::delete_for_user(&mut tx, other.id, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(session_hashes(&db, &other).await.is_empty());
        assert_eq!(
            count(&db, "sessions").await,
            1,
            "only the anonymous one is left"
        );

        // Signing out deletes exactly one session.
        let (_, h) = create_session(&db, Some(&user)).await;
        let mut tx = db.begin().await.unwrap();
        sessions::delete(&mut tx, &h).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "sessions").await, 1);
    })
    .await;
}

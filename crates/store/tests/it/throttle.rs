//! Login throttling per account and per address, within a sliding window.

use fixtures::testing::on_each_backend;
use store::throttle::{self, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP, WINDOW};
use store::{Db, now};
use time::Duration;

use crate::support::count;

async fn record(db: &Db, email: &str, ip: &str, ok: bool) {
    let mut tx = db.begin().await.unwrap();
    throttle::record(&mut tx, email, ip, ok).await.unwrap();
    tx.commit().await.unwrap();
}

async fn blocked(db: &Db, email: &str, ip: &str) -> bool {
    let mut tx = db.read().await.unwrap();
    let b = throttle::is_blocked(&mut tx, email, ip).await.unwrap();
    tx.commit().await.unwrap();
    b
}

#[tokio::test]
async fn five_failures_block_an_account_and_a_success_clears_them() {
    on_each_backend(|db| async move {
        assert_eq!(MAX_FAILURES_PER_EMAIL, 5);
        let email = "camille.martin@stafforia.example";
        for i in 1..MAX_FAILURES_PER_EMAIL {
            // Spread over addresses: the account limit counts them all.
            record(&db, email, &format!("192.0.2.{i}"), false).await;
            assert!(
                !blocked(&db, email, "198.51.100.1").await,
                "blocked after {i}"
            );
        }
        // Typed another way, it is the same account.
        record(
            &db,
            " Camille.Martin@Stafforia.EXAMPLE ",
            "192.0.2.99",
            false,
        )
        .await;
        assert!(blocked(&db, email, "198.51.100.1").await);
        assert!(blocked(&db, "CAMILLE.MARTIN@stafforia.example", "198.51.100.2").await);
        assert!(!blocked(&db, "someone.else@stafforia.example", "198.51.100.1").await);

        // A success clears the account's failures (and records nothing).
        record(&db, email, "192.0.2.1", true).await;
        assert!(!blocked(&db, email, "198.51.100.1").await);
        assert_eq!(count(&db, "login_attempts").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_success_does_not_clear_the_address() {
    on_each_backend(|db| async move {
        let ip = "203.0.113.9";
        for i in 0..MAX_FAILURES_PER_IP {
            record(&db, &format!("guess{i}@stafforia.example"), ip, false).await;
        }
        record(&db, "guess0@stafforia.example", ip, true).await;
        // One account's slate is clean, but the address tried 29 others.
        assert_eq!(count(&db, "login_attempts").await, MAX_FAILURES_PER_IP - 1);
        assert!(!blocked(&db, "fresh@stafforia.example", ip).await);
        record(&db, "guess0@stafforia.example", ip, false).await;
        assert!(blocked(&db, "fresh@stafforia.example", ip).await);
    })
    .await;
}

#[tokio::test]
async fn thirty_failures_from_one_address_block_it() {
    on_each_backend(|db| async move {
        assert_eq!(MAX_FAILURES_PER_IP, 30);
        let ip = "203.0.113.7";
        for i in 0..MAX_FAILURES_PER_IP - 1 {
            record(&db, &format!("user{i}@stafforia.example"), ip, false).await;
        }
        assert!(
            !blocked(&db, "fresh@stafforia.example", ip).await,
            "29 is not enough"
        );
        assert!(
            !blocked(&db, "user0@stafforia.example", ip).await,
            "one failure per account"
        );
        record(&db, "user29@stafforia.example", ip, false).await;
        assert!(blocked(&db, "fresh@stafforia.example", ip).await);
        // The same accounts from another address are fine.
        assert!(!blocked(&db, "user0@stafforia.example", "203.0.113.8").await);
    })
    .await;
}

#[tokio::test]
async fn failures_older_than_the_window_do_not_count() {
    on_each_backend(|db| async move {
        let email = "bm@stafforia.example";
        let ip = "203.0.113.5";
        for _ in 0..MAX_FAILURES_PER_IP {
            record(&db, email, ip, false).await;
        }
        assert!(blocked(&db, email, ip).await);

        // Backdate every attempt to just outside the window.
        let old = now() - WINDOW - Duration::minutes(1);
        store::on_pool!(&db, |c| sqlx::query("UPDATE login_attempts SET at = $1")
            .bind(old)
            .execute(c)
            .await
            .map(|_| ()))
        .unwrap();
        assert!(!blocked(&db, email, ip).await);
        assert!(!blocked(&db, "other@stafforia.example", ip).await);

        // Recent failures still count on top of old ones.
        for _ in 0..MAX_FAILURES_PER_EMAIL - 1 {
            record(&db, email, "203.0.113.6", false).await;
        }
        assert!(!blocked(&db, email, "203.0.113.6").await);
        record(&db, email, "203.0.113.6", false).await;
        assert!(blocked(&db, email, "203.0.113.6").await);

        // Purging removes the old ones only.
        let mut tx = db.begin().await.unwrap();
        let purged = throttle::purge_old(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(purged, MAX_FAILURES_PER_IP as u64);
        assert_eq!(count(&db, "login_attempts").await, MAX_FAILURES_PER_EMAIL);
    })
    .await;
}

/// Sixteen wrong passwords at once for one account, split across two
/// instances (two pools on one database): exactly the limit is let through
/// to the password check, whatever the timing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_on_two_instances_get_exactly_the_limit() {
    on_each_backend(|db| async move {
        let other = db.another_instance(8).await.unwrap();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(16));
        let mut tasks = Vec::new();
        for i in 0..16 {
            let db = if i % 2 == 0 {
                db.clone()
            } else {
                other.clone()
            };
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let mut tx = db.begin().await.unwrap();
                let allowed = throttle::reserve(
                    &mut tx,
                    "finance@stafforia.example",
                    &format!("192.0.2.{i}"),
                )
                .await
                .unwrap();
                // The password check happens outside; the reservation is
                // what must be atomic.
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
                allowed
            }));
        }
        let mut checked = 0;
        for t in tasks {
            checked += i64::from(t.await.unwrap());
        }
        other.close().await;
        assert_eq!(checked, MAX_FAILURES_PER_EMAIL);
        assert!(blocked(&db, "finance@stafforia.example", "198.51.100.7").await);
    })
    .await;
}

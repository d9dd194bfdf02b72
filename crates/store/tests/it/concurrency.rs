//! Concurrent writers on one pool all succeed: on SQLite, `BEGIN IMMEDIATE`
//! plus the busy timeout queue them instead of failing with SQLITE_BUSY.

use std::sync::Arc;

use fixtures::testing::on_each_backend;
use store::companies;
use tokio::sync::Barrier;

use crate::support::{actor, company_data, count};

const WRITERS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writers_all_commit() {
    on_each_backend(|db| async move {
        let start = Arc::new(Barrier::new(WRITERS));
        let mut tasks = Vec::new();
        for i in 0..WRITERS {
            let db = db.clone();
            let start = start.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let data = company_data(
                    &format!("Concurrente {i:02}"),
                    "client",
                    Some(10_000_000 + i as u32),
                );
                let mut tx = db.begin().await?;
                // Read, then write, in the same transaction: the pattern that
                // fails on SQLite when a read lock must be upgraded.
                let _before = companies::counts_by_kind(&mut tx, store::Scope::All).await?;
                let c = companies::create(&mut tx, &actor(), &data).await?;
                tokio::task::yield_now().await;
                tx.commit().await?;
                Ok::<_, store::Error>(c.id)
            }));
        }
        let mut ids = std::collections::HashSet::new();
        for t in tasks {
            let id = t.await.expect("task").expect("every writer commits");
            ids.insert(id);
        }
        assert_eq!(ids.len(), WRITERS);
        assert_eq!(count(&db, "companies").await, WRITERS as i64);
        assert_eq!(count(&db, "audit_log").await, WRITERS as i64);
        let sirens: i64 = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT siren) FROM companies"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(sirens, WRITERS as i64);
    })
    .await;
}

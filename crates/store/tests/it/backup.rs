//! Online SQLite copies.

use fixtures::testing::on_each_backend;
use store::{Db, Error};

use crate::support::{count, create_company};

#[tokio::test]
async fn sqlite_copy_is_a_usable_database_and_postgres_is_refused() {
    on_each_backend(|db| async move {
        for name in ["Alpha", "Bravo", "Charlie"] {
            create_company(&db, name, "client").await;
        }
        let dir = std::env::temp_dir().join("regisseur-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!("backup-{}.db", uuid::Uuid::new_v4().simple()));
        let r = store::backup::sqlite_copy(&db, &out).await;
        match &db {
            Db::Sqlite(_) => {
                r.expect("backup");
                assert!(out.exists());
                // Writes after the copy do not reach it.
                create_company(&db, "Delta", "client").await;
                let copy = Db::connect(&format!("sqlite://{}", out.display()), 1)
                    .await
                    .expect("open the copy");
                assert!(copy.migrations_current().await.unwrap());
                assert_eq!(count(&copy, "companies").await, 3);
                assert_eq!(count(&copy, "audit_log").await, 3);
                let mut tx = copy.read().await.unwrap();
                let names: Vec<String> =
                    store::companies::options(&mut tx, store::Scope::All, None)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|(_, n)| n)
                        .collect();
                tx.commit().await.unwrap();
                assert_eq!(names, ["Alpha", "Bravo", "Charlie"]);
                copy.close().await;
                assert_eq!(count(&db, "companies").await, 4);
                // A second copy onto an existing file is refused rather than clobbering it.
                assert!(store::backup::sqlite_copy(&db, &out).await.is_err());
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", out.display()));
                }
            }
            Db::Postgres(_) => {
                assert!(matches!(r, Err(Error::Config(_))), "{r:?}");
                assert!(!out.exists());
            }
        }
    })
    .await;
}

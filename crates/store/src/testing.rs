//! Fresh databases for tests, on both backends. Every persistence test runs
//! its body once on a new SQLite file and once on a new PostgreSQL database
//! copied from a migrated template, and drops them afterwards.
//!
//! PostgreSQL is required: set `REGISSEUR_SKIP_POSTGRES=1` to skip it
//! explicitly (the run then says so); CI never sets it.

use std::future::Future;
use std::path::PathBuf;

use sqlx::{Connection, Executor, PgConnection};

use crate::db::{Db, postgres_migrations_fingerprint};

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn postgres_admin_url() -> String {
    std::env::var("REGISSEUR_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string())
}

pub fn postgres_skipped() -> bool {
    std::env::var("REGISSEUR_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join("regisseur-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("t-{}.db", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Db::connect(&url, 5).await.expect("sqlite test database");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            url,
            cleanup: Cleanup::Sqlite(path),
        }
    }

    pub async fn postgres() -> TestDb {
        let template = ensure_template().await;
        let name = format!("regisseur_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection().await;
        let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
        let mut tries = 0;
        // Two copies of one template at the same instant can collide; retry.
        while let Err(e) = admin.execute(sqlx::AssertSqlSafe(create.clone())).await {
            tries += 1;
            assert!(tries < 20, "cannot create test database: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(100 * tries)).await;
        }
        admin.close().await.ok();
        let url = replace_db_name(&postgres_admin_url(), &name);
        let db = Db::connect(&url, 5).await.expect("postgres test database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::Postgres { name },
        }
    }

    pub async fn drop_db(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { name } => {
                let mut admin = admin_connection().await;
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await;
                admin.close().await.ok();
            }
        }
    }
}

async fn admin_connection() -> PgConnection {
    let url = postgres_admin_url();
    PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is required for the test suite and is not reachable at {} ({e}). \
             Start it, point REGISSEUR_TEST_POSTGRES_URL at one, or set REGISSEUR_SKIP_POSTGRES=1 to skip explicitly.",
            crate::db::redact_url(&url)
        )
    })
}

pub(crate) fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..cut], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

static TEMPLATE_READY: tokio::sync::Mutex<Option<String>> = tokio::sync::Mutex::const_new(None);

/// A database migrated once per schema version and reused as the template of
/// every test database (copying is much faster than migrating).
async fn ensure_template() -> String {
    let mut ready = TEMPLATE_READY.lock().await;
    if let Some(name) = ready.as_ref() {
        return name.clone();
    }
    let name = format!("regisseur_tpl_{}", postgres_migrations_fingerprint());
    let mut admin = admin_connection().await;
    // Several test binaries may start at once: one builds, the others wait.
    admin
        .execute("SELECT pg_advisory_lock(72817261)")
        .await
        .expect("advisory lock");
    let state: Option<bool> =
        sqlx::query_scalar("SELECT datistemplate FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&mut admin)
            .await
            .expect("read pg_database");
    if state != Some(true) {
        if state.is_some() {
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE {name} WITH (FORCE)"
                )))
                .await
                .expect("drop stale template");
        }
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create template");
        let db = Db::connect(&replace_db_name(&postgres_admin_url(), &name), 2)
            .await
            .expect("connect template");
        db.migrate().await.expect("migrate template");
        db.close().await;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {name} IS_TEMPLATE true"
            )))
            .await
            .expect("mark template");
    }
    admin
        .execute("SELECT pg_advisory_unlock(72817261)")
        .await
        .expect("advisory unlock");
    admin.close().await.ok();
    *ready = Some(name.clone());
    name
}

/// Runs `body` on a fresh SQLite database, then on a fresh PostgreSQL one.
/// A panic in the body still drops the database, then fails the test.
pub async fn on_each_backend<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on(TestDb::sqlite().await, &body).await;
    if postgres_skipped() {
        eprintln!("warning: PostgreSQL part of this test SKIPPED (REGISSEUR_SKIP_POSTGRES=1)");
        return;
    }
    run_on(TestDb::postgres().await, &body).await;
}

async fn run_on<F, Fut>(test_db: TestDb, body: &F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let backend = test_db.db.backend();
    let outcome = tokio::spawn(body(test_db.db.clone())).await;
    test_db.drop_db().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            eprintln!("test body failed on {}", backend.name());
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test body on {} was cancelled", backend.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_db_name("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_db_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}

//! The two backends behind one type. SQLite is the embedded default; PostgreSQL
//! is chosen by a `postgres://` URL. Repository functions take a `Tx` so every
//! command runs in exactly one explicit transaction.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::Error;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// SQL: the bit of a half day within its month's mask
/// (`domain::invoice::billed`: `(day of month − 1) × 2`, plus one for the
/// afternoon), from the `day` and `half` columns of the table aliased `$t`.
/// A date cast to text reads `YYYY-MM-DD` on both backends.
#[macro_export]
macro_rules! slot_bit {
    ($t:literal) => {
        concat!(
            "((CAST(substr(CAST(",
            $t,
            ".day AS TEXT), 9, 2) AS INTEGER) - 1) * 2 + CASE WHEN ",
            $t,
            ".half = 'pm' THEN 1 ELSE 0 END)"
        )
    };
}

/// Runs the same body against whichever backend the transaction or pool is.
/// The body is compiled once per backend, so one SQL text serves both when it
/// sticks to the common dialect (`$n` placeholders, `RETURNING`, `ON CONFLICT`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(p) => {
                let $c = p;
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}

pub const DEFAULT_SQLITE_URL: &str = "sqlite://regisseur.db?mode=rwc";

/// Rows SQLite's worker thread may buffer ahead of the reading task (see
/// `Db::connect`): a few hundred kilobytes at most per running query.
const ROW_BUFFER: usize = 1024;

impl Db {
    /// Connects without migrating. `max_connections` bounds the pool.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No JIT: our statements are short, and the aged balance's
            // estimated cost (correlated subqueries) crosses the default
            // threshold, so each run compiled it for 30 to 200 ms to save
            // a few.
            let opts = PgConnectOptions::from_str(url)?
                .application_name("regisseur")
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL lets readers proceed while one writer works; a busy
                // timeout makes concurrent writers wait instead of failing.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // sqlx hands each row from SQLite's worker thread to the
                // task through a channel; at its default of 50 the two
                // threads wake each other row by row on a list of
                // thousands (the pipeline's 4 000 open needs). A deeper
                // buffer lets the worker run ahead and the task drain it.
                .row_buffer_size(ROW_BUFFER);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(Error::Config(format!(
                "DATABASE_URL must start with sqlite: or postgres:// (got {})",
                redact_url(url)
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The embedded migrations of the backend; the data steps that follow
    /// them are run by [`Db::migrate`] (`upgrade.rs`).
    pub(crate) async fn run_migrations(&self) -> Result<(), Error> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// True when every embedded migration has been applied (readiness).
    pub async fn migrations_current(&self) -> Result<bool, Error> {
        let migrator = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let expected: Vec<i64> = migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| m.version)
            .collect();
        let sql = "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version";
        let applied: Result<Vec<i64>, sqlx::Error> =
            on_pool!(self, |c| sqlx::query_scalar(sql).fetch_all(c).await);
        match applied {
            Ok(applied) => Ok(expected.iter().all(|v| applied.contains(v))),
            Err(sqlx::Error::Database(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn ping(&self) -> Result<(), Error> {
        let _: i32 = on_pool!(self, |c| sqlx::query_scalar("SELECT 1").fetch_one(c).await)?;
        Ok(())
    }

    /// Begins a write transaction. On SQLite the writer lock is taken up front
    /// (`BEGIN IMMEDIATE`) so two writers queue on the busy timeout rather than
    /// one failing when it upgrades a read lock.
    pub async fn begin(&self) -> Result<Tx, Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A read-only unit of work: a consistent snapshot without the writer lock.
    pub async fn read(&self) -> Result<Tx, Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        on_pool!(self, |c| c.close().await)
    }

    /// A second pool on the same database with the same options: what a
    /// second instance of the server would hold (tests of several
    /// instances racing).
    pub async fn another_instance(&self, max_connections: u32) -> Result<Db, Error> {
        Ok(match self {
            Db::Sqlite(p) => Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .connect_with((*p.connect_options()).clone())
                    .await?,
            ),
            Db::Postgres(p) => Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(max_connections)
                    .connect_with((*p.connect_options()).clone())
                    .await?,
            ),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Holds `key` of `class` until this transaction ends, so that a
    /// count-then-write on that key (a throttle) is not raced by another
    /// instance. PostgreSQL: a transaction-level advisory lock (the classes
    /// keep keys of different kinds from ever sharing a lock, so taking
    /// them in class order cannot deadlock). SQLite: nothing to do, a
    /// write transaction (`BEGIN IMMEDIATE`) already holds the only writer
    /// lock.
    pub async fn lock_key(&mut self, class: LockClass, key: &str) -> Result<(), Error> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind(class as i32)
                .bind(key)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }
}

/// The kinds of keys [`Tx::lock_key`] serialises on, in the order a
/// transaction taking several must take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockClass {
    LoginEmail = 1,
    LoginAddress = 2,
}

/// Hides the password of a connection URL for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Names of the migration files of each backend, for the test that keeps them in step.
/// (version, description) of each migration.
pub type MigrationList = Vec<(i64, String)>;

pub fn migration_versions() -> (MigrationList, MigrationList) {
    let list = |m: &sqlx::migrate::Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    (list(&SQLITE_MIGRATIONS), list(&POSTGRES_MIGRATIONS))
}

/// Changes whenever a PostgreSQL migration is added or edited; names the
/// test template so a stale schema is never reused.
pub fn postgres_migrations_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for m in POSTGRES_MIGRATIONS.iter() {
        h.update(m.version.to_le_bytes());
        h.update(&*m.checksum);
    }
    hex::encode(h.finalize())[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/r"),
            "postgres://app:***@db:5432/r"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/r"),
            "postgres://postgres@127.0.0.1/r"
        );
        assert_eq!(redact_url("sqlite://regisseur.db"), "sqlite://regisseur.db");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let (sqlite, postgres) = migration_versions();
        assert_eq!(sqlite, postgres);
        assert!(!sqlite.is_empty());
    }
}

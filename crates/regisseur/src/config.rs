//! Configuration from the environment and flags (flags win). Every setting
//! has a safe default for the embedded demo; a bad value stops start-up with
//! the name of the variable.

use anyhow::Context;
use clap::Args;
use store::Db;

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Database: `sqlite://FILE?mode=rwc` (default, embedded) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = store::db::DEFAULT_SQLITE_URL, global = true, hide_env_values = true)]
    pub database_url: String,
    /// Largest number of database connections of this instance.
    #[arg(
        long,
        env = "REGISSEUR_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
    /// Logs as JSON lines (for log collectors) instead of text.
    #[arg(long, env = "REGISSEUR_LOG_JSON", value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub log_json: bool,
}

pub fn init_tracing(c: &Common) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if c.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Connects and brings the schema up to date.
pub async fn connect(c: &Common) -> anyhow::Result<Db> {
    let db = Db::connect(&c.database_url, c.db_max_connections)
        .await
        .with_context(|| {
            format!(
                "DATABASE_URL: cannot connect to {}",
                store::db::redact_url(&c.database_url)
            )
        })?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

//! `backup`: an online, consistent copy of a SQLite database (VACUUM INTO,
//! safe while the server runs); for PostgreSQL, the pg_dump command to use.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use store::Db;

use crate::config::Common;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Destination file (SQLite only); must not exist.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub async fn run(common: &Common, args: BackupArgs) -> anyhow::Result<()> {
    let db = Db::connect(&common.database_url, 2).await?;
    match db.backend() {
        store::Backend::Postgres => {
            println!("PostgreSQL is backed up with its own tool, for example:");
            println!(
                "  pg_dump --format=custom --file=regisseur-$(date +%Y%m%d).dump '{}'",
                store::db::redact_url(&common.database_url)
            );
            Ok(())
        }
        store::Backend::Sqlite => {
            let out = args.output.unwrap_or_else(|| {
                let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
                PathBuf::from(format!("regisseur-backup-{stamp}.db"))
            });
            if out.exists() {
                bail!("{} already exists", out.display());
            }
            store::backup::sqlite_copy(&db, &out)
                .await
                .with_context(|| format!("writing {}", out.display()))?;
            println!("backup written to {}", out.display());
            Ok(())
        }
    }
}

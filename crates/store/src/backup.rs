//! Online copy of a SQLite database.

use std::path::Path;

use crate::{Db, Error, Result};

/// `VACUUM INTO` writes a consistent, compacted copy while readers and
/// writers carry on (it reads inside one transaction).
pub async fn sqlite_copy(db: &Db, out: &Path) -> Result<()> {
    let Db::Sqlite(pool) = db else {
        return Err(Error::Config("backup copies SQLite databases only".into()));
    };
    let path = out
        .to_str()
        .ok_or_else(|| Error::Config("backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

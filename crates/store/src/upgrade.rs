//! Bringing a database up to date: the embedded migrations of its backend
//! (`db`), then the data steps that complete them. It sits above `db` and
//! above the modules whose rows a step completes, so `db` stays the lowest
//! layer.

use crate::{Db, Error, ledger_seal};

impl Db {
    pub async fn migrate(&self) -> Result<(), Error> {
        self.run_migrations().await?;
        // Entries posted before the ledger was sealed get their seal now,
        // so an upgraded database verifies (a no-op afterwards).
        ledger_seal::seal_pending(self).await?;
        Ok(())
    }
}

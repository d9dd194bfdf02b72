//! Exports produced by the job queue (the FEC of a fiscal year): the row
//! holds the progress, the file is stored in chunks of about 1 MiB, so any
//! instance shows the progress and streams the download; nothing that
//! matters lives in one process.

use domain::export::{ExportKind, ExportStatus};
use domain::ids::ExportId;
use domain::ledger::FiscalYear;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Actor, Db, Result, Tx, audit, now, on_tx};

/// The job that writes a FEC export (payload: `{"export_id": …}`).
pub const FEC_JOB: &str = "fec_export";

/// Bytes per stored chunk.
pub const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Export {
    #[sqlx(try_from = "String")]
    pub id: ExportId,
    #[sqlx(try_from = "String")]
    pub kind: ExportKind,
    pub year: i32,
    #[sqlx(try_from = "String")]
    pub status: ExportStatus,
    pub lines_done: i64,
    pub lines_total: i64,
    pub size_bytes: i64,
    pub file_name: Option<String>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl Export {
    /// Progress in percent (0–100).
    pub fn percent(&self) -> i64 {
        if self.status == ExportStatus::Done {
            100
        } else if self.lines_total <= 0 {
            0
        } else {
            (self.lines_done * 100 / self.lines_total).clamp(0, 99)
        }
    }

    pub fn is_finished(&self) -> bool {
        self.status.is_finished()
    }
}

const COLUMNS: &str = "id, kind, year, status, lines_done, lines_total, size_bytes, file_name, error, created_at, finished_at";

/// Queues the FEC export of `year`; the worker writes it.
pub async fn request_fec(tx: &mut Tx, actor: &Actor, year: FiscalYear) -> Result<ExportId> {
    let id = ExportId::new();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO exports (id, kind, year, status, requested_by, created_at) VALUES ($1, 'fec', $2, 'queued', $3, $4)"
    )
    .bind(id.to_string())
    .bind(year.year())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::jobs::enqueue(
        tx,
        FEC_JOB,
        &serde_json::json!({ "export_id": id }),
        now(),
        None,
    )
    .await?;
    audit::record(
        tx,
        actor,
        "request_fec",
        "export",
        &id.to_string(),
        None::<&()>,
        Some(&year.year()),
    )
    .await?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: ExportId) -> Result<Option<Export>> {
    let sql = format!("SELECT {COLUMNS} FROM exports WHERE id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?)
}

/// The latest exports of a kind, newest first.
pub async fn recent(tx: &mut Tx, kind: ExportKind, limit: i64) -> Result<Vec<Export>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM exports WHERE kind = $1 ORDER BY created_at DESC, id LIMIT $2"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(kind.as_str())
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Chunk `seq` (0-based) of a finished export's file.
pub async fn chunk(tx: &mut Tx, id: ExportId, seq: i32) -> Result<Option<Vec<u8>>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT bytes FROM export_chunks WHERE export_id = $1 AND seq = $2"
    )
    .bind(id.to_string())
    .bind(seq)
    .fetch_optional(c)
    .await)?)
}

async fn store_chunk(
    db: &Db,
    id: ExportId,
    seq: i32,
    bytes: &[u8],
    lines: u64,
    size: u64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO export_chunks (export_id, seq, bytes) VALUES ($1, $2, $3)"
    )
    .bind(id.to_string())
    .bind(seq)
    .bind(bytes)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE exports SET lines_done = $2, size_bytes = $3 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(lines as i64)
    .bind(size as i64)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Writes a queued FEC export: reads the year in one snapshot, stores the
/// file a chunk at a time with the progress. Run again (after a crash, by
/// the queue's retry), it starts over.
pub async fn run_fec(db: &Db, id: ExportId) -> Result<()> {
    let mut read = db.read().await?;
    let Some(export) = get(&mut read, id).await? else {
        return Err(crate::Error::NotFound);
    };
    let year = FiscalYear::of(
        time::Date::from_calendar_date(export.year, time::Month::June, 30)
            .map_err(|_| crate::corrupt("export year", &export.year.to_string()))?,
    );
    let total = crate::fec::count_lines(&mut read, year).await?;
    let name = crate::fec::file_name(&mut read, year).await?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM export_chunks WHERE export_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE exports SET status = 'running', lines_done = 0, lines_total = $2, size_bytes = 0, file_name = $3,
           error = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(total)
    .bind(&name)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    let outcome = async {
        let mut buf = Vec::with_capacity(CHUNK + (64 << 10));
        domain::fec::write_header(&mut buf);
        let mut cursor = crate::fec::Cursor::new(year);
        let (mut lines, mut size, mut seq) = (0u64, 0u64, 0i32);
        loop {
            let page = cursor.next_page(&mut read).await?;
            if page.is_empty() {
                break;
            }
            for l in &page {
                l.write(&mut buf);
                lines += 1;
                if buf.len() >= CHUNK {
                    size += buf.len() as u64;
                    store_chunk(db, id, seq, &buf, lines, size).await?;
                    seq += 1;
                    buf.clear();
                }
            }
        }
        if !buf.is_empty() {
            size += buf.len() as u64;
            store_chunk(db, id, seq, &buf, lines, size).await?;
        }
        Ok::<_, crate::Error>((lines, size))
    }
    .await;
    read.commit().await?;
    let mut tx = db.begin().await?;
    match &outcome {
        Ok((lines, size)) => on_tx!(&mut tx, |c| {
            sqlx::query(
            "UPDATE exports SET status = 'done', lines_done = $2, lines_total = $2, size_bytes = $3, finished_at = $4
             WHERE id = $1"
        )
        .bind(id.to_string())
        .bind(*lines as i64)
        .bind(*size as i64)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?,
        Err(e) => on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE exports SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1"
        )
        .bind(id.to_string())
        .bind(e.to_string())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?,
    };
    tx.commit().await?;
    outcome.map(|_| ())
}

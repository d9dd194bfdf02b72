//! The job queue, in the database so several instances share it safely.
//! A job is claimed with a lease: the claiming instance owns it until the
//! lease expires; if that instance dies, another takes the job over after the
//! lease. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite has one
//! writer at a time (`BEGIN IMMEDIATE`), which serializes claims by itself.

use domain::ids::JobId;
use domain::jobs::JobState;
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{Db, Error, Result, Tx, corrupt, now, on_tx};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    pub run_at: OffsetDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_by: Option<String>,
    pub lease_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    payload: String,
    state: String,
    run_at: OffsetDateTime,
    attempts: i32,
    max_attempts: i32,
    locked_by: Option<String>,
    lease_until: Option<OffsetDateTime>,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
}

impl TryFrom<Row> for Job {
    type Error = Error;
    fn try_from(r: Row) -> Result<Job> {
        Ok(Job {
            id: JobId::parse(&r.id).ok_or_else(|| corrupt("job id", &r.id))?,
            kind: r.kind,
            payload: r.payload,
            state: JobState::parse(&r.state).ok_or_else(|| corrupt("job state", &r.state))?,
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            locked_by: r.locked_by,
            lease_until: r.lease_until,
            last_error: r.last_error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }
}

const COLUMNS: &str = "id, kind, payload, state, run_at, attempts, max_attempts, locked_by, lease_until, last_error, created_at, finished_at";

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: OffsetDateTime,
    /// With a key, a second enqueue of the same key is a no-op: that is how a
    /// scheduled slot runs once.
    pub dedupe_key: Option<String>,
}

/// Queues a job. With a `dedupe_key`, a second enqueue of the same key is a
/// no-op (returns None): that is how a scheduled slot runs once.
pub async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    payload: &serde_json::Value,
    run_at: OffsetDateTime,
    dedupe_key: Option<&str>,
) -> Result<Option<JobId>> {
    let job = NewJob {
        kind: kind.to_string(),
        payload: payload.clone(),
        run_at,
        dedupe_key: dedupe_key.map(str::to_string),
    };
    Ok(enqueue_many(tx, std::slice::from_ref(&job)).await?.pop())
}

/// Queues several jobs with multi-row statements (of at most `MAX_BINDS`
/// parameters each), each job exactly as `enqueue` would. Returns
/// the ids of the jobs queued, in order: a job whose `dedupe_key` is taken is
/// skipped.
pub async fn enqueue_many(tx: &mut Tx, jobs: &[NewJob]) -> Result<Vec<JobId>> {
    const ROW: &str = "(?, ?, ?, 'queued', ?, 0, ?, ?, ?)";
    let mut queued = Vec::new();
    for chunk in jobs.chunks(crate::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, dedupe_key, created_at)
             VALUES {} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            crate::values_list(ROW, chunk.len())
        );
        let ids: Vec<JobId> = chunk.iter().map(|_| JobId::new()).collect();
        let inserted: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for (id, j) in ids.iter().zip(chunk) {
                q = q
                    .bind(id.to_string())
                    .bind(j.kind.as_str())
                    .bind(j.payload.to_string())
                    .bind(j.run_at)
                    .bind(domain::jobs::MAX_ATTEMPTS as i32)
                    .bind(j.dedupe_key.as_deref())
                    .bind(now());
            }
            q.fetch_all(c).await
        })?;
        let inserted: std::collections::HashSet<String> = inserted.into_iter().collect();
        queued.extend(
            ids.into_iter()
                .filter(|id| inserted.contains(&id.to_string())),
        );
    }
    Ok(queued)
}

const CLAIM_PG: &str = "UPDATE jobs SET state = 'running', locked_by = $1, lease_until = $2, attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs
                 WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3))
                   AND (CAST($4 AS TEXT) IS NULL OR kind <> $4)
                 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, state, run_at, attempts, max_attempts, locked_by, lease_until, last_error, created_at, finished_at";

const CLAIM_SQLITE: &str = "UPDATE jobs SET state = 'running', locked_by = $1, lease_until = $2, attempts = attempts + 1
     WHERE id = (SELECT id FROM jobs
                 WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3))
                   AND (CAST($4 AS TEXT) IS NULL OR kind <> $4)
                 ORDER BY run_at LIMIT 1)
     RETURNING id, kind, payload, state, run_at, attempts, max_attempts, locked_by, lease_until, last_error, created_at, finished_at";

/// Takes the next due job (or one whose lease expired) for `worker`,
/// leaving jobs of kind `skip` in the queue (work this instance cannot do
/// now, such as e-mails without a mail server: they wait, untouched, for
/// an instance that can, rather than burning their attempts).
pub async fn claim(
    db: &Db,
    worker: &str,
    lease: Duration,
    skip: Option<&str>,
) -> Result<Option<Job>> {
    let at = now();
    let mut tx = db.begin().await?;
    let row: Option<Row> = match &mut tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(CLAIM_SQLITE)
                .bind(worker)
                .bind(at + lease)
                .bind(at)
                .bind(skip)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as(CLAIM_PG)
                .bind(worker)
                .bind(at + lease)
                .bind(at)
                .bind(skip)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    tx.commit().await?;
    row.map(Job::try_from).transpose()
}

/// Marks a job done; only its current holder may (a job taken over after an
/// expired lease cannot be completed by the instance that lost it).
pub async fn complete(tx: &mut Tx, id: JobId, worker: &str) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $3, lease_until = NULL, last_error = NULL
         WHERE id = $1 AND locked_by = $2 AND state = 'running'"
    )
    .bind(id.to_string())
    .bind(worker)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Records a failure: retried later with back-off, or failed for good after
/// the last attempt.
pub async fn fail(db: &Db, job: &Job, worker: &str, error: &str) -> Result<()> {
    let at = now();
    let final_failure = job.attempts >= job.max_attempts;
    let (state, run_at, finished) = if final_failure {
        (JobState::Failed, job.run_at, Some(at))
    } else {
        (
            JobState::Queued,
            at + domain::jobs::retry_delay(job.attempts as u32),
            None,
        )
    };
    let error: String = error.chars().take(2000).collect();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE jobs SET state = $3, run_at = $4, finished_at = $5, last_error = $6, lease_until = NULL, locked_by = NULL
         WHERE id = $1 AND locked_by = $2"
    )
    .bind(job.id.to_string())
    .bind(worker)
    .bind(state.as_str())
    .bind(run_at)
    .bind(finished)
    .bind(&error)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// Puts a failed job back in the queue (from the jobs page).
pub async fn retry(tx: &mut Tx, id: JobId) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, finished_at = NULL WHERE id = $1 AND state = 'failed'"
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

pub async fn list(tx: &mut Tx, state: Option<JobState>, page: PageRequest) -> Result<Paged<Job>> {
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE (CAST($1 AS TEXT) IS NULL OR state = $1)"
    )
    .bind(state.map(JobState::as_str))
    .fetch_one(c)
    .await)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE (CAST($1 AS TEXT) IS NULL OR state = $1) ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(state.map(JobState::as_str))
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(c)
        .await)?;
    Ok(Paged {
        items: rows.into_iter().map(Job::try_from).collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

/// One job, if it exists.
pub async fn get(tx: &mut Tx, id: JobId) -> Result<Option<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.map(Job::try_from).transpose()
}

pub async fn counts(tx: &mut Tx) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state"
    )
    .fetch_all(c)
    .await)?)
}

/// Declares a recurring job; an existing schedule keeps its next run.
pub async fn ensure_schedule(
    tx: &mut Tx,
    name: &str,
    job_kind: &str,
    every: Duration,
    first_run: OffsetDateTime,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO schedules (name, job_kind, every_seconds, next_run_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET job_kind = excluded.job_kind, every_seconds = excluded.every_seconds"
    )
    .bind(name)
    .bind(job_kind)
    .bind(every.whole_seconds())
    .bind(first_run)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    name: String,
    job_kind: String,
    every_seconds: i64,
    next_run_at: OffsetDateTime,
}

/// Enqueues every schedule slot that is due. Moving `next_run_at` is a
/// compare-and-set on the value read, so when two instances tick at once only
/// one moves it, and the slot's dedupe key makes the enqueue idempotent too.
pub async fn tick_schedules(db: &Db) -> Result<usize> {
    let at = now();
    let mut tx = db.begin().await?;
    let due: Vec<ScheduleRow> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT name, job_kind, CAST(every_seconds AS BIGINT) AS every_seconds, next_run_at FROM schedules WHERE next_run_at <= $1"
    )
    .bind(at)
    .fetch_all(c)
    .await
    })?;
    let mut enqueued = 0;
    for s in due {
        let mut next = s.next_run_at;
        while next <= at {
            next += Duration::seconds(s.every_seconds);
        }
        let moved = on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE schedules SET next_run_at = $3 WHERE name = $1 AND next_run_at = $2"
        )
        .bind(&s.name)
        .bind(s.next_run_at)
        .bind(next)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if moved == 1 {
            let key = format!("{}@{}", s.name, s.next_run_at.unix_timestamp());
            if enqueue(&mut tx, &s.job_kind, &serde_json::json!({}), at, Some(&key))
                .await?
                .is_some()
            {
                enqueued += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(enqueued)
}

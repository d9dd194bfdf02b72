//! The month-end close: for every contract (or mission billed alone) with
//! validated days in the period or open invoices up to it — drafts the days
//! not billed yet, issues what is unlocked (unless the contract says to
//! keep drafts for review), accrues what is locked. One transaction per
//! contract: a failure is reported with its reason and the others go on.
//! Running it again finds everything done and writes nothing new; two
//! instances running it at once queue on each contract's row.

use std::collections::BTreeSet;

use domain::calendar::YearMonth;
use domain::contract::InvoiceGrouping;
use domain::ids::{ContractId, InvoiceId, MissionId};
use domain::invoice::InvoiceStatus;
use domain::ledger::PeriodStatus;
use domain::money::Money;
use domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use time::Date;

use super::accrual::Accrued;
pub use super::shared::describe;
use super::shared::{Group, GroupColumn, refuse_with};
use crate::{Actor, Db, Error, Result, Tx, corrupt, now, on_tx};

/// Why one contract could not be closed, in the words of the message
/// catalogue (key and arguments), for the page and the command to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitError {
    /// The client and what was billed ("Clientis — CLT-CADRE-2026").
    pub unit: String,
    pub key: String,
    /// Stored with the run: values keep their type, so the page shows
    /// them in its reader's language.
    pub args: Vec<(String, domain::validation::Arg)>,
}

/// What a close run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub period: String,
    /// Contracts and missions looked at.
    pub units: usize,
    /// Invoices that received new lines.
    pub drafted: usize,
    pub issued: usize,
    pub issued_net: Money,
    pub issued_vat: Money,
    pub issued_gross: Money,
    /// Accruals booked (or re-booked for a new amount).
    pub accrued: usize,
    pub accrued_gross: Money,
    /// Invoices left waiting for a signature, and drafts kept for review.
    pub waiting: usize,
    pub drafts_kept: usize,
    pub errors: Vec<UnitError>,
}

impl Summary {
    fn add(&mut self, o: UnitOutcome) {
        self.drafted += o.drafted;
        self.issued += o.issued.len();
        for (net, vat, gross) in o.issued {
            self.issued_net += net;
            self.issued_vat += vat;
            self.issued_gross += gross;
        }
        self.accrued += o.accrued.len();
        self.accrued_gross += o.accrued.iter().copied().sum::<Money>();
        self.waiting += o.waiting;
        self.drafts_kept += o.drafts_kept;
    }
}

/// A close to run: the period, and the date the invoices it issues bear.
#[derive(Debug, Clone, Copy)]
pub struct Close {
    pub period: YearMonth,
    pub issue_date: Date,
}

/// Tables a close fills as it goes.
const GROWING: &str =
    "invoices, invoice_lines, billed_masks, billed_guard, accruals, ledger_entries, ledger_lines";

/// PostgreSQL keeps a statement's plan for the connection's life, planned
/// with the statistics of the moment: on a first close those say the
/// invoicing tables are empty, and the plans scan them (a quadratic close).
/// Refreshing the statistics between transactions each time the run has
/// doubled (after 1 000, 2 000, 4 000… contracts) re-plans them as the
/// tables grow, the statistics never more than one doubling behind;
/// autovacuum would, late or never (it may be off). Every thousand
/// contracts cost ten `ANALYZE` of a quarter second each on a 10 000
/// close. SQLite keeps no statistics unless asked.
async fn refresh_statistics(db: &Db, done: usize) -> Result<()> {
    if done >= 1000
        && done.is_multiple_of(1000)
        && (done / 1000).is_power_of_two()
        && let Db::Postgres(pool) = db
    {
        sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {GROWING}")))
            .execute(pool)
            .await?;
    }
    Ok(())
}

fn unit_error(unit: &str, e: &Error) -> UnitError {
    let first: Option<&FieldError> = match e {
        Error::Invalid(v) => v.0.first(),
        _ => None,
    };
    match first {
        Some(f) => UnitError {
            unit: unit.to_owned(),
            key: f.key.to_owned(),
            args: f
                .args
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        },
        None => UnitError {
            unit: unit.to_owned(),
            key: "close-unit-failed".to_owned(),
            args: vec![("reason".to_owned(), e.to_string().into())],
        },
    }
}

/// Refuses a close that cannot write: the period or the issue date's
/// period is closed in the ledger.
async fn check_open(tx: &mut Tx, c: &Close) -> Result<()> {
    for month in [c.period, domain::ledger::period_of(c.issue_date)] {
        if crate::ledger::period_status(tx, month).await? == PeriodStatus::Closed {
            return Err(refuse_with(
                "period",
                "close-period-closed",
                domain::args![("month", month)],
            ));
        }
    }
    if c.issue_date < c.period.last_day() {
        return Err(refuse_with(
            "date",
            "close-date-before-period-end",
            domain::args![("month", c.period)],
        ));
    }
    Ok(())
}

/// A contract or mission to close, with the label errors name it by.
#[derive(Debug, Clone)]
pub struct Unit {
    pub group: Group,
    pub label: String,
    pub issue_at_close: bool,
}

/// Everything the close of `period` has to look at: the groups of the
/// missions with validated days in the month, and of the open invoices up
/// to it. The missions worked are read from the reports' totals per
/// mission (one row a report and mission, kept by triggers), not from
/// their half days (forty times as many rows).
pub async fn units(tx: &mut Tx, period: YearMonth) -> Result<Vec<Unit>> {
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
    );
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.id, co.name, m.client_contract_id, k.invoice_grouping, k.reference, k.issue_at_close
         FROM missions m JOIN companies co ON co.id = m.client_id
           LEFT JOIN client_contracts k ON k.id = m.client_contract_id
         WHERE m.id IN (SELECT t.mission_key FROM cras r JOIN cra_day_totals t ON t.cra_id = r.id
                          WHERE r.status = 'validated' AND r.month = $1 AND t.activity = 'mission'
                            AND t.half_days > 0
                        UNION SELECT i.mission_id FROM invoices i WHERE i.kind = 'invoice'
                          AND i.status IN ('draft', 'waiting_signature') AND i.period <= $1
                          AND i.mission_id IS NOT NULL
                        UNION SELECT m2.id FROM missions m2 JOIN invoices i ON i.contract_id = m2.client_contract_id
                          WHERE i.kind = 'invoice' AND i.status IN ('draft', 'waiting_signature') AND i.period <= $1)
         ORDER BY co.name, m.id"
    )
    .bind(period.to_string())
    .fetch_all(c)
    .await
    })?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (mission, client, contract, grouping, reference, issue_at_close) in rows {
        let group = Group::of(
            MissionId::parse(&mission).ok_or_else(|| corrupt("mission id", &mission))?,
            contract
                .as_deref()
                .map(|k| ContractId::parse(k).ok_or_else(|| corrupt("contract id", k)))
                .transpose()?,
            grouping.as_deref().and_then(InvoiceGrouping::parse),
        );
        if !seen.insert(group) {
            continue;
        }
        let label = match reference {
            Some(r) => format!("{client} — {r}"),
            None => client,
        };
        out.push(Unit {
            group,
            label,
            issue_at_close: issue_at_close.unwrap_or(true),
        });
    }
    Ok(out)
}

/// Takes the row locks of the groups (PostgreSQL), contracts then missions,
/// each in id order: a second instance closing the same contracts waits
/// here, then finds the work done, and two instances never take them
/// crosswise. SQLite serialises writers at `BEGIN IMMEDIATE` already.
async fn lock_units(tx: &mut Tx, units: &[&Unit]) -> Result<()> {
    if let Tx::Postgres(c) = tx {
        for (table, keys) in [
            (
                "client_contracts",
                keys(units, |g| matches!(g, Group::Contract(_))),
            ),
            ("missions", keys(units, |g| matches!(g, Group::Mission(_)))),
        ] {
            for chunk in keys.chunks(crate::MAX_BINDS) {
                let sql = format!(
                    "SELECT id FROM {table} WHERE id IN ({}) ORDER BY id FOR UPDATE",
                    crate::values_list("?", chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for k in chunk {
                    q = q.bind(k.as_str());
                }
                q.fetch_all(&mut **c).await?;
            }
        }
    }
    Ok(())
}

fn keys(units: &[&Unit], which: impl Fn(Group) -> bool) -> Vec<String> {
    let mut keys: Vec<String> = units
        .iter()
        .filter(|u| which(u.group))
        .map(|u| u.group.key())
        .collect();
    keys.sort_unstable();
    keys
}

/// What closing one unit did.
#[derive(Debug, Default)]
struct UnitOutcome {
    drafted: usize,
    issued: Vec<(Money, Money, Money)>,
    accrued: Vec<Money>,
    waiting: usize,
    drafts_kept: usize,
}

/// The open invoices of the units up to the period, each with the index of
/// its unit, in unit order and oldest first within a unit.
async fn open_invoices(
    tx: &mut Tx,
    units: &[&Unit],
    c: &Close,
) -> Result<Vec<(usize, InvoiceId, InvoiceStatus)>> {
    let index: std::collections::HashMap<Group, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.group, i))
        .collect();
    let mut out = Vec::new();
    for chunk in units.chunks(crate::MAX_BINDS - 1) {
        let sql = format!(
            "SELECT mission_id, contract_id, id, status, period FROM invoices
             WHERE kind = 'invoice' AND status IN ('draft', 'waiting_signature') AND period <= $1
               AND (mission_id IN ({list}) OR contract_id IN ({list}))",
            list = crate::values_list_from("?", chunk.len(), 2)
        );
        type Row = (Option<String>, Option<String>, String, String, String);
        let rows: Vec<Row> = on_tx!(tx, |conn| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(c.period.to_string());
            for u in chunk {
                q = q.bind(u.group.key());
            }
            q.fetch_all(conn).await
        })?;
        for (mission, contract, id, status, period) in rows {
            let group = match (mission, contract) {
                (Some(m), _) => Group::Mission(crate::id(&m)?),
                (None, Some(k)) => Group::Contract(crate::id(&k)?),
                (None, None) => continue,
            };
            let Some(&unit) = index.get(&group) else {
                continue;
            };
            out.push((unit, period, id, status));
        }
    }
    out.sort();
    out.into_iter()
        .map(|(unit, _, id, status)| {
            let status = InvoiceStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            Ok((unit, crate::id(&id)?, status))
        })
        .collect()
}

/// First pass over a batch of units: drafts the period's validated days of
/// every unit at once, and books at the period's last day the accruals of
/// what this close will not issue — invoices waiting for a signature, and
/// drafts the contract keeps for review. Accruals go first, for every unit,
/// because the OD journal is numbered by date: the reversals the second
/// pass posts on the issue date would otherwise come before accruals dated
/// earlier. A unit whose drafting is refused writes nothing and is
/// reported; the others go on.
async fn accrue_units(
    tx: &mut Tx,
    actor: &Actor,
    units: &[&Unit],
    c: &Close,
) -> Result<Vec<std::result::Result<UnitOutcome, Error>>> {
    lock_units(tx, units).await?;
    let groups: Vec<Group> = units.iter().map(|u| u.group).collect();
    let drafted = super::draft::draft_many(tx, actor, &groups, c.period).await?;
    let mut out: Vec<std::result::Result<UnitOutcome, Error>> = drafted
        .into_iter()
        .map(|(_, d)| {
            d.map(|d| UnitOutcome {
                drafted: usize::from(d.is_some()),
                ..UnitOutcome::default()
            })
        })
        .collect();
    let ok: Vec<&Unit> = units
        .iter()
        .zip(&out)
        .filter(|(_, o)| o.is_ok())
        .map(|(u, _)| *u)
        .collect();
    let positions: Vec<usize> = (0..units.len()).filter(|&i| out[i].is_ok()).collect();
    for (unit, id, status) in open_invoices(tx, &ok, c).await? {
        let stays = status == InvoiceStatus::WaitingSignature || !ok[unit].issue_at_close;
        if stays
            && let Accrued::Booked(amount) = super::accrual::accrue(tx, actor, id, c.period).await?
            && let Ok(o) = &mut out[positions[unit]]
        {
            o.accrued.push(amount);
        }
    }
    Ok(out)
}

/// Second pass over a batch of units: releases the waiting invoices whose
/// contract got signed, and issues the drafts at once (unless the contract
/// keeps them for review, or `issue` is false because a first attempt was
/// refused). A unit with a draft refused at issue (a missing mention)
/// issues none of its drafts: they stay for someone to complete, with the
/// refusal recorded on them, and the unit is reported. Every transaction
/// takes the numbering rows in the same order (FA, VE, OD), so two
/// instances never deadlock.
async fn issue_units(
    tx: &mut Tx,
    actor: &Actor,
    units: &[&Unit],
    c: &Close,
    issue: bool,
) -> Result<(Vec<UnitOutcome>, Vec<UnitError>)> {
    lock_units(tx, units).await?;
    let mut out: Vec<UnitOutcome> = units.iter().map(|_| UnitOutcome::default()).collect();
    let mut to_issue: Vec<(usize, InvoiceId)> = Vec::new();
    for (unit, id, mut status) in open_invoices(tx, units, c).await? {
        if status == InvoiceStatus::WaitingSignature
            && !super::accrual::still_locked(tx, id).await?
        {
            super::lock::release(tx, actor, id).await?;
            status = InvoiceStatus::Draft;
        }
        match status {
            InvoiceStatus::WaitingSignature => out[unit].waiting += 1,
            InvoiceStatus::Draft if issue && units[unit].issue_at_close => {
                to_issue.push((unit, id))
            }
            InvoiceStatus::Draft => out[unit].drafts_kept += 1,
            InvoiceStatus::Issued => {}
        }
    }
    let ids: Vec<InvoiceId> = to_issue.iter().map(|(_, id)| *id).collect();
    let prepared = super::issue::prepare(tx, &ids, c.issue_date).await?;
    let mut refused: Vec<Option<Error>> = units.iter().map(|_| None).collect();
    let mut ready = Vec::new();
    for ((unit, _), (_, r)) in to_issue.iter().zip(prepared) {
        match r {
            Ok(r) => ready.push((*unit, r)),
            Err(e) => {
                refused[*unit].get_or_insert(e);
            }
        }
    }
    let mut errors = Vec::new();
    for (i, e) in refused.iter().enumerate() {
        if let Some(e) = e {
            tracing::warn!(unit = %units[i].label, error = %describe(e), "close: unit not issued");
            for (unit, id) in &to_issue {
                if *unit == i {
                    super::lock::note_issue_error(tx, *id, e).await?;
                }
            }
            out[i].drafts_kept += to_issue.iter().filter(|(u, _)| *u == i).count();
            errors.push(unit_error(&units[i].label, e));
        }
    }
    let (owners, ready): (Vec<usize>, Vec<_>) = ready
        .into_iter()
        .filter(|(unit, _)| refused[*unit].is_none())
        .unzip();
    let issued = super::issue::write_issued(tx, actor, ready, c.issue_date).await?;
    for (unit, i) in owners.into_iter().zip(issued) {
        out[unit].issued.push((i.net, i.vat, i.gross));
    }
    Ok((out, errors))
}

/// Units closed in one transaction: the close's statements are few and
/// large, and the writer is held for one chunk only.
const CHUNK: usize = 1000;

/// The job that runs a close requested from the page (payload
/// `{"run_id": …, "user_id": …, "label": …}`).
pub const CLOSE_JOB: &str = "month_end_close";

/// Queues the close of a period, for the worker to run ([`run_requested`])
/// while the page shows its progress. Refused, with nothing written, when
/// the period or the issue date falls in a closed ledger period, and while
/// a close of the same period is queued or running. Returns the run's id.
pub async fn request(tx: &mut Tx, actor: &Actor, c: Close) -> Result<String> {
    check_open(tx, &c).await?;
    let busy: Option<String> = on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT r.id FROM close_runs r JOIN jobs j ON j.id = r.job_id
         WHERE r.period = $1 AND j.state IN ('queued', 'running') LIMIT 1"
    )
    .bind(c.period.to_string())
    .fetch_optional(conn)
    .await)?;
    if busy.is_some() {
        return Err(refuse_with(
            "period",
            "close-already-running",
            domain::args![("month", c.period)],
        ));
    }
    let run_id = start(tx, actor, &c).await?;
    let job = crate::jobs::enqueue(
        tx,
        CLOSE_JOB,
        &serde_json::json!({
            "run_id": run_id,
            "user_id": actor.user_id,
            "label": actor.label,
        }),
        now(),
        Some(&format!("{CLOSE_JOB}:{run_id}")),
    )
    .await?
    .ok_or_else(|| corrupt("close job", &run_id))?;
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE close_runs SET job_id = $2 WHERE id = $1"
    )
    .bind(&run_id)
    .bind(job.to_string())
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(run_id)
}

/// Records a run about to start; its id.
async fn start(tx: &mut Tx, actor: &Actor, c: &Close) -> Result<String> {
    let run_id = uuid::Uuid::new_v4().to_string();
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO close_runs (id, period, issue_date, started_at, started_by) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&run_id)
    .bind(c.period.to_string())
    .bind(c.issue_date)
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(run_id)
}

/// Runs the close of a period now (the command line, the demo), calling
/// `progress(done, total)` after each batch, and records the run with its
/// summary. Refused, with nothing written, when the period or the issue
/// date falls in a closed ledger period.
pub async fn run(
    db: &Db,
    actor: &Actor,
    c: Close,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary> {
    let mut tx = db.begin().await?;
    check_open(&mut tx, &c).await?;
    let run_id = start(&mut tx, actor, &c).await?;
    tx.commit().await?;
    execute(db, actor, &run_id, c, progress).await
}

/// Runs a close the page requested ([`request`]): what the worker does
/// with a [`CLOSE_JOB`]. Running it again (a worker killed midway) closes
/// what is left and records the summary of what this run did. A close
/// whose period was closed in the ledger meanwhile is recorded as refused.
pub async fn run_requested(
    db: &Db,
    run_id: &str,
    actor: &Actor,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary> {
    let mut tx = db.begin().await?;
    let row: Option<(String, Option<Date>)> = on_tx!(&mut tx, |conn| sqlx::query_as(
        "SELECT period, issue_date FROM close_runs WHERE id = $1"
    )
    .bind(run_id)
    .fetch_optional(conn)
    .await)?;
    let (period, issue_date) = row.ok_or(Error::NotFound)?;
    let c = Close {
        period: YearMonth::parse(&period).ok_or_else(|| corrupt("period", &period))?,
        issue_date: issue_date.ok_or_else(|| corrupt("close issue date", run_id))?,
    };
    if let Err(e @ Error::Invalid(_)) = check_open(&mut tx, &c).await {
        let refusal = unit_error(&c.period.to_string(), &e);
        on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE close_runs SET finished_at = $2, refusal = $3 WHERE id = $1"
        )
        .bind(run_id)
        .bind(now())
        .bind(serde_json::to_string(&refusal).map_err(|e| Error::Corrupt(e.to_string()))?)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
        tx.commit().await?;
        return Err(e);
    }
    tx.commit().await?;
    execute(db, actor, run_id, c, progress).await
}

/// Runs the close a [`CLOSE_JOB`] asks for, as the user who asked (the
/// payload names him). A refusal is recorded on the run and returned.
pub async fn run_job(
    db: &Db,
    job: &crate::jobs::Job,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary> {
    let payload: serde_json::Value =
        serde_json::from_str(&job.payload).map_err(|e| corrupt("close job", &e.to_string()))?;
    let run_id = payload["run_id"]
        .as_str()
        .ok_or_else(|| corrupt("close job", &job.payload))?;
    let actor = Actor {
        user_id: payload["user_id"]
            .as_str()
            .and_then(domain::ids::UserId::parse),
        label: payload["label"].as_str().unwrap_or("clôture").to_owned(),
        ip: None,
    };
    run_requested(db, run_id, &actor, progress).await
}

/// The close itself, over every unit of the period, recording its progress
/// on the run after each batch. Units are closed in batches of [`CHUNK`],
/// each pass in one transaction per batch; a batch that fails as a whole
/// is closed again unit by unit, so one unit's failure is reported and the
/// others go on.
async fn execute(
    db: &Db,
    actor: &Actor,
    run_id: &str,
    c: Close,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary> {
    let units = {
        let mut tx = db.read().await?;
        let units = units(&mut tx, c.period).await?;
        tx.commit().await?;
        units
    };
    let mut summary = Summary {
        period: c.period.to_string(),
        units: units.len(),
        ..Summary::default()
    };
    let total = units.len() * 2;
    let mut report = async |done: usize| -> Result<()> {
        progress(done, total);
        in_tx(db, async |tx| {
            on_tx!(tx, |conn| sqlx::query(
                "UPDATE close_runs SET units_done = $2, units_total = $3 WHERE id = $1"
            )
            .bind(run_id)
            .bind(done as i64)
            .bind(total as i64)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
            .map_err(Error::from)
        })
        .await?;
        Ok(())
    };
    report(0).await?;
    let all: Vec<&Unit> = units.iter().collect();
    let mut failed: std::collections::HashSet<Group> = std::collections::HashSet::new();
    let mut done = 0;
    for chunk in all.chunks(CHUNK) {
        refresh_statistics(db, done).await?;
        let outcomes = match in_tx(db, async |tx| accrue_units(tx, actor, chunk, &c).await).await {
            Ok(o) => o,
            Err(_) if chunk.len() > 1 => {
                let mut one_by_one = Vec::new();
                for unit in chunk {
                    let o = in_tx(db, async |tx| accrue_units(tx, actor, &[*unit], &c).await).await;
                    one_by_one.push(o.and_then(|mut o| o.pop().ok_or(Error::NotFound)?));
                }
                one_by_one
            }
            Err(e) => vec![Err(e)],
        };
        for (unit, o) in chunk.iter().zip(outcomes) {
            match o {
                Ok(o) => summary.add(o),
                Err(e) => {
                    tracing::warn!(unit = %unit.label, error = %describe(&e), "close: unit failed");
                    summary.errors.push(unit_error(&unit.label, &e));
                    failed.insert(unit.group);
                }
            }
        }
        done += chunk.len();
        report(done).await?;
    }
    let left: Vec<&Unit> = all
        .into_iter()
        .filter(|u| !failed.contains(&u.group))
        .collect();
    done = units.len();
    for chunk in left.chunks(CHUNK) {
        refresh_statistics(db, done - units.len()).await?;
        match in_tx(db, async |tx| issue_units(tx, actor, chunk, &c, true).await).await {
            Ok((o, refused)) => {
                o.into_iter().for_each(|o| summary.add(o));
                summary.errors.extend(refused);
            }
            Err(_) if chunk.len() > 1 => {
                for unit in chunk {
                    issue_one(db, actor, unit, &c, &mut summary).await?;
                }
            }
            Err(_) => issue_one(db, actor, chunk[0], &c, &mut summary).await?,
        }
        done += chunk.len();
        report(done).await?;
    }
    report(total).await?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| sqlx::query(
        "UPDATE close_runs SET finished_at = $2, summary = $3 WHERE id = $1"
    )
    .bind(run_id)
    .bind(now())
    .bind(serde_json::to_string(&summary).map_err(|e| Error::Corrupt(e.to_string()))?)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(summary)
}

/// Runs `f` in a transaction of its own, committed when it succeeds.
async fn in_tx<T>(db: &Db, f: impl AsyncFnOnce(&mut Tx) -> Result<T>) -> Result<T> {
    let mut tx = db.begin().await?;
    match f(&mut tx).await {
        Ok(v) => {
            tx.commit().await?;
            Ok(v)
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

/// The second pass over one unit, in its own transaction. When issuing is
/// refused as a whole (a date before the series' last document), the unit
/// is released without issuing, so its drafts are there for someone to
/// issue, and the refusal is recorded on them and reported.
async fn issue_one(
    db: &Db,
    actor: &Actor,
    unit: &Unit,
    c: &Close,
    summary: &mut Summary,
) -> Result<()> {
    match in_tx(db, async |tx| {
        issue_units(tx, actor, &[unit], c, true).await
    })
    .await
    {
        Ok((o, refused)) => {
            o.into_iter().for_each(|o| summary.add(o));
            summary.errors.extend(refused);
        }
        Err(e @ Error::Invalid(_)) => {
            let o = in_tx(db, async |tx| {
                let (o, _) = issue_units(tx, actor, &[unit], c, false).await?;
                for (_, id, status) in open_invoices(tx, &[unit], c).await? {
                    if status == InvoiceStatus::Draft {
                        super::lock::note_issue_error(tx, id, &e).await?;
                    }
                }
                Ok(o)
            })
            .await?;
            o.into_iter().for_each(|o| summary.add(o));
            summary.errors.push(unit_error(&unit.label, &e));
        }
        Err(e) => {
            tracing::warn!(unit = %unit.label, error = %describe(&e), "close: unit failed");
            summary.errors.push(unit_error(&unit.label, &e));
        }
    }
    Ok(())
}

/// A run of the close as the page shows it: when it was asked for, how
/// far it got, and what it did (or why it was refused) once finished.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: String,
    pub period: String,
    pub at: time::OffsetDateTime,
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub summary: Option<Summary>,
    pub refusal: Option<UnitError>,
    /// Its job is queued or running.
    pending: bool,
}

impl Run {
    /// Queued or running: its job has not ended.
    pub fn in_progress(&self) -> bool {
        !self.finished && self.pending
    }
}

/// The latest runs of a period, newest first.
pub async fn runs(tx: &mut Tx, period: YearMonth) -> Result<Vec<Run>> {
    read_runs(
        tx,
        "r.period = $1 ORDER BY r.started_at DESC LIMIT 20",
        &period.to_string(),
    )
    .await
}

/// One run, if it exists.
pub async fn run_by_id(tx: &mut Tx, id: &str) -> Result<Option<Run>> {
    Ok(read_runs(tx, "r.id = $1", id).await?.pop())
}

async fn read_runs(tx: &mut Tx, filter: &str, key: &str) -> Result<Vec<Run>> {
    type Row = (
        String,
        String,
        time::OffsetDateTime,
        i64,
        i64,
        Option<time::OffsetDateTime>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let sql = format!(
        "SELECT r.id, r.period, r.started_at, CAST(r.units_done AS BIGINT), CAST(r.units_total AS BIGINT),
           r.finished_at, r.summary, r.refusal, j.state
         FROM close_runs r LEFT JOIN jobs j ON j.id = r.job_id
         WHERE {filter}"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(key)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(
            |(id, period, at, done, total, finished, summary, refusal, job)| {
                fn json<T: serde::de::DeserializeOwned>(s: Option<String>) -> Result<Option<T>> {
                    s.map(|s| {
                        serde_json::from_str(&s).map_err(|e| corrupt("close run", &e.to_string()))
                    })
                    .transpose()
                }
                Ok(Run {
                    id,
                    period,
                    at,
                    done: done.max(0) as usize,
                    total: total.max(0) as usize,
                    finished: finished.is_some(),
                    pending: matches!(job.as_deref(), Some("queued" | "running")),
                    summary: json(summary)?,
                    refusal: json(refusal)?,
                })
            },
        )
        .collect()
}

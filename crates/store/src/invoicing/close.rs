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
    "invoices, invoice_lines, billed_days, accruals, ledger_entries, ledger_lines";

/// PostgreSQL keeps a statement's plan for the connection's life, planned
/// with the statistics of the moment: on a first close those say the
/// invoicing tables are empty, and the plans scan them (a quadratic close).
/// Refreshing the statistics every thousand contracts, between
/// transactions, re-plans them as the tables grow; autovacuum would, late
/// or never (it may be off). SQLite keeps no statistics unless asked.
async fn refresh_statistics(db: &Db, done: usize) -> Result<()> {
    if done > 0
        && done.is_multiple_of(1000)
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
/// to it.
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
         WHERE m.id IN (SELECT s.mission_id FROM cra_slots s JOIN cras r ON r.id = s.cra_id
                          WHERE r.status = 'validated' AND r.month = $1 AND s.activity = 'mission'
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

/// Takes the group's row lock (PostgreSQL): a second instance closing the
/// same contract waits here, then finds the work done. SQLite serialises
/// writers at `BEGIN IMMEDIATE` already.
async fn lock_unit(tx: &mut Tx, group: Group) -> Result<()> {
    if let Tx::Postgres(c) = tx {
        let sql = match group {
            Group::Mission(_) => "SELECT id FROM missions WHERE id = $1 FOR UPDATE",
            Group::Contract(_) => "SELECT id FROM client_contracts WHERE id = $1 FOR UPDATE",
        };
        sqlx::query(sql)
            .bind(group.key())
            .fetch_optional(&mut **c)
            .await?;
    }
    Ok(())
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

/// The group's open invoices up to the period, oldest first.
async fn open_invoices(
    tx: &mut Tx,
    unit: &Unit,
    c: &Close,
) -> Result<Vec<(InvoiceId, InvoiceStatus)>> {
    let sql = format!(
        "SELECT id, status FROM invoices WHERE {} = $1 AND kind = 'invoice' AND status IN ('draft', 'waiting_signature')
           AND period <= $2 ORDER BY period, id",
        unit.group.column()
    );
    let rows: Vec<(String, String)> =
        on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(unit.group.key())
            .bind(c.period.to_string())
            .fetch_all(conn)
            .await)?;
    rows.into_iter()
        .map(|(id, s)| {
            let status = InvoiceStatus::parse(&s).ok_or_else(|| corrupt("status", &s))?;
            Ok((crate::id(&id)?, status))
        })
        .collect()
}

/// First pass over a unit: drafts the period's validated days, and books
/// at the period's last day the accruals of what this close will not
/// issue — invoices waiting for a signature, and drafts the contract keeps
/// for review. Accruals go first, for every unit, because the OD journal
/// is numbered by date: the reversals the second pass posts on the issue
/// date would otherwise come before accruals dated earlier.
async fn accrue_unit(tx: &mut Tx, actor: &Actor, unit: &Unit, c: &Close) -> Result<UnitOutcome> {
    lock_unit(tx, unit.group).await?;
    let mut out = UnitOutcome::default();
    if super::draft::draft_group(tx, actor, unit.group, c.period)
        .await?
        .is_some()
    {
        out.drafted += 1;
    }
    for (id, status) in open_invoices(tx, unit, c).await? {
        let stays = status == InvoiceStatus::WaitingSignature || !unit.issue_at_close;
        if stays
            && let Accrued::Booked(amount) = super::accrual::accrue(tx, actor, id, c.period).await?
        {
            out.accrued.push(amount);
        }
    }
    Ok(out)
}

/// Second pass over a unit: releases the waiting invoices whose contract
/// got signed, and issues the drafts (unless the contract keeps them for
/// review, or `issue` is false because a first attempt was refused).
/// Every transaction takes the numbering rows in the same order (FA, VE,
/// OD), so two instances never deadlock.
async fn issue_unit(
    tx: &mut Tx,
    actor: &Actor,
    unit: &Unit,
    c: &Close,
    issue: bool,
) -> Result<UnitOutcome> {
    lock_unit(tx, unit.group).await?;
    let mut out = UnitOutcome::default();
    for (id, mut status) in open_invoices(tx, unit, c).await? {
        if status == InvoiceStatus::WaitingSignature
            && !super::accrual::still_locked(tx, id).await?
        {
            super::lock::release(tx, actor, id).await?;
            status = InvoiceStatus::Draft;
        }
        match status {
            InvoiceStatus::WaitingSignature => out.waiting += 1,
            InvoiceStatus::Draft if issue && unit.issue_at_close => {
                let issued = super::issue(tx, actor, id, c.issue_date).await?;
                out.issued.push((issued.net, issued.vat, issued.gross));
            }
            InvoiceStatus::Draft => out.drafts_kept += 1,
            InvoiceStatus::Issued => {}
        }
    }
    Ok(out)
}

/// Runs the close of a period over every unit, calling `progress(done,
/// total)` after each, and records the run with its summary. Refused, with
/// nothing written, when the period or the issue date falls in a closed
/// ledger period.
pub async fn run(
    db: &Db,
    actor: &Actor,
    c: Close,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary> {
    let mut tx = db.begin().await?;
    check_open(&mut tx, &c).await?;
    let units = units(&mut tx, c.period).await?;
    let run_id = uuid::Uuid::new_v4().to_string();
    on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO close_runs (id, period, started_at, started_by) VALUES ($1, $2, $3, $4)"
    )
    .bind(&run_id)
    .bind(c.period.to_string())
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;

    let mut summary = Summary {
        period: c.period.to_string(),
        units: units.len(),
        ..Summary::default()
    };
    let total = units.len() * 2;
    let mut failed = vec![false; units.len()];
    for (i, unit) in units.iter().enumerate() {
        refresh_statistics(db, i).await?;
        let mut tx = db.begin().await?;
        match accrue_unit(&mut tx, actor, unit, &c).await {
            Ok(o) => {
                tx.commit().await?;
                summary.add(o);
            }
            Err(e) => {
                tx.rollback().await.ok();
                tracing::warn!(unit = %unit.label, error = %describe(&e), "close: unit failed");
                summary.errors.push(unit_error(&unit.label, &e));
                failed[i] = true;
            }
        }
        progress(i + 1, total);
    }
    for (i, unit) in units.iter().enumerate() {
        refresh_statistics(db, i).await?;
        if !failed[i] {
            match issue_one(db, actor, unit, &c).await {
                Ok((o, refused)) => {
                    summary.add(o);
                    summary.errors.extend(refused);
                }
                Err(e) => {
                    tracing::warn!(unit = %unit.label, error = %describe(&e), "close: unit failed");
                    summary.errors.push(unit_error(&unit.label, &e));
                }
            }
        }
        progress(units.len() + i + 1, total);
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| sqlx::query(
        "UPDATE close_runs SET finished_at = $2, summary = $3 WHERE id = $1"
    )
    .bind(&run_id)
    .bind(now())
    .bind(serde_json::to_string(&summary).map_err(|e| Error::Corrupt(e.to_string()))?)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(summary)
}

/// The second pass over one unit, in its own transaction. When issuing is
/// refused (a missing mention), the unit is released without issuing, so
/// its drafts are there for someone to complete, and the refusal is
/// recorded on them and reported.
async fn issue_one(
    db: &Db,
    actor: &Actor,
    unit: &Unit,
    c: &Close,
) -> Result<(UnitOutcome, Option<UnitError>)> {
    let mut tx = db.begin().await?;
    match issue_unit(&mut tx, actor, unit, c, true).await {
        Ok(o) => {
            tx.commit().await?;
            Ok((o, None))
        }
        Err(e @ Error::Invalid(_)) => {
            tx.rollback().await?;
            let mut tx = db.begin().await?;
            let o = issue_unit(&mut tx, actor, unit, c, false).await?;
            for (id, status) in open_invoices(&mut tx, unit, c).await? {
                if status == InvoiceStatus::Draft {
                    super::lock::note_issue_error(&mut tx, id, &e).await?;
                }
            }
            tx.commit().await?;
            Ok((o, Some(unit_error(&unit.label, &e))))
        }
        Err(e) => {
            tx.rollback().await.ok();
            Err(e)
        }
    }
}

/// The latest runs of a period, newest first.
pub async fn runs(
    tx: &mut Tx,
    period: YearMonth,
) -> Result<Vec<(time::OffsetDateTime, Option<Summary>)>> {
    let rows: Vec<(time::OffsetDateTime, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT started_at, summary FROM close_runs WHERE period = $1 ORDER BY started_at DESC LIMIT 20"
    )
    .bind(period.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(at, s)| {
            let s = s
                .map(|s| {
                    serde_json::from_str(&s).map_err(|e| corrupt("close summary", &e.to_string()))
                })
                .transpose()?;
            Ok((at, s))
        })
        .collect()
}

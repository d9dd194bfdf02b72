//! Validated days become draft invoice lines: one line per mission and rate
//! period ("Prestation de Camille Martin — novembre 2026 — 20 j × 600,00 €"),
//! on the open invoice of the group and month (created if none). What goes
//! on which line, at which rate and in which words, and whether the invoice
//! waits for a signature, is `domain::invoice::drafting`'s: here the
//! missions, their rates and the month's validated half days are read, and
//! the lines it returns are written. Each line records its half days in
//! `billed_days`, whose unique index refuses a day billed twice as a second
//! guard.

use std::collections::{BTreeSet, HashMap};

use domain::calendar::YearMonth;
use domain::contract::{ContractStatus, InvoiceGrouping, KeyAccountFacts};
use domain::cra::{CraStatus, Half};
use domain::ids::{CompanyId, ContractId, CraId, InvoiceId, MissionId, UserId};
use domain::invoice::drafting::{
    self, BilledDay, DraftLine, DraftMission, InvoiceGroup, WorkedHalf,
};
use domain::invoice::{self, InvoiceLine, InvoiceStatus};
use domain::terms::VatRate;
use domain::validation::ErrorKey;
use serde::Serialize;
use time::Date;

use super::lines::refresh_totals;
use super::shared::{Group, GroupColumn, refuse};
use crate::{Actor, Error, Result, Tx, audit, corrupt, map_unique, now, on_tx};

/// A draft as drafting left it.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub id: InvoiceId,
    pub client_id: CompanyId,
    pub group: String,
    /// Waiting for the client contract's signature (key-account lock).
    pub waiting_signature: bool,
    /// Lines added by this drafting.
    pub lines: Vec<InvoiceLine>,
    /// The whole invoice's totals after it.
    pub totals: invoice::Totals,
}

/// What drafting needs to know of a mission.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct MissionTerms {
    pub id: String,
    pub client_id: String,
    pub consultant_id: String,
    pub consultant_name: String,
    pub analytic_code: String,
    pub start_date: Date,
    pub initial_end_date: Date,
    pub base_tjm_cents: i64,
    pub vat_rate_bp: i32,
    pub invoicing_locked: bool,
    pub client_contract_id: Option<String>,
    pub contract_status: Option<String>,
    pub invoice_grouping: Option<String>,
}

impl MissionTerms {
    /// What the key-account lock looks at (`domain::contract`).
    pub fn lock(&self) -> KeyAccountFacts {
        KeyAccountFacts {
            invoicing_locked: self.invoicing_locked,
            contract: self
                .contract_status
                .as_deref()
                .and_then(ContractStatus::parse),
        }
    }

    pub fn group(&self) -> Result<Group> {
        let mission = MissionId::parse(&self.id).ok_or_else(|| corrupt("mission id", &self.id))?;
        let contract = self
            .client_contract_id
            .as_deref()
            .map(|k| ContractId::parse(k).ok_or_else(|| corrupt("contract id", k)))
            .transpose()?;
        let grouping = self
            .invoice_grouping
            .as_deref()
            .and_then(InvoiceGrouping::parse);
        Ok(InvoiceGroup::of(mission, contract, grouping))
    }

    fn for_drafting(&self, schedule: domain::rates::RateSchedule) -> Result<DraftMission> {
        Ok(DraftMission {
            id: MissionId::parse(&self.id).ok_or_else(|| corrupt("mission id", &self.id))?,
            consultant_name: self.consultant_name.clone(),
            vat_rate: VatRate::from_basis_points(self.vat_rate_bp.max(0) as u32)
                .map_err(|_| corrupt("vat rate", &self.vat_rate_bp.to_string()))?,
            schedule,
            lock: self.lock(),
        })
    }
}

macro_rules! mission_terms {
    ($where:literal) => {
        concat!(
            "SELECT m.id, m.client_id, m.consultant_id, u.display_name AS consultant_name, m.analytic_code,
               m.start_date, m.initial_end_date, m.base_tjm_cents, CAST(m.vat_rate_bp AS INTEGER) AS vat_rate_bp,
               m.invoicing_locked, m.client_contract_id, k.status AS contract_status, k.invoice_grouping
             FROM missions m JOIN users u ON u.id = m.consultant_id
               LEFT JOIN client_contracts k ON k.id = m.client_contract_id
             WHERE ",
            $where,
            " ORDER BY m.id"
        )
    };
}

/// The missions one invoice of the group gathers.
pub(crate) async fn group_missions(tx: &mut Tx, group: Group) -> Result<Vec<MissionTerms>> {
    let key = group.key();
    Ok(match group {
        Group::Mission(_) => on_tx!(tx, |c| sqlx::query_as(mission_terms!("m.id = $1"))
            .bind(&key)
            .fetch_all(c)
            .await)?,
        Group::Contract(_) => on_tx!(tx, |c| sqlx::query_as(mission_terms!(
            "m.client_contract_id = $1"
        ))
        .bind(&key)
        .fetch_all(c)
        .await)?,
    })
}

/// The group a mission's invoices belong to.
pub async fn group_of(tx: &mut Tx, mission: MissionId) -> Result<Group> {
    group_missions(tx, Group::Mission(mission))
        .await?
        .first()
        .ok_or(Error::NotFound)?
        .group()
}

/// Drafts the days of a freshly validated report: first reconciles what
/// was billed of the consultant's month with the report (days no longer
/// worked leave their draft, or are credited if invoiced), then drafts what
/// is not billed yet, for each group its missions belong to. Running it
/// again drafts nothing.
pub async fn draft_for_report(tx: &mut Tx, actor: &Actor, cra: CraId) -> Result<Vec<Draft>> {
    type Row = (String, String, String);
    let head: Option<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT status, consultant_id, month FROM cras WHERE id = $1"
    )
    .bind(cra.to_string())
    .fetch_optional(c)
    .await)?;
    let (status, consultant, month) = head.ok_or(Error::NotFound)?;
    if CraStatus::parse(&status) != Some(CraStatus::Validated) {
        return Err(refuse("cra", "invoice-report-not-validated"));
    }
    let consultant = UserId::parse(&consultant).ok_or_else(|| corrupt("user id", &consultant))?;
    let month = YearMonth::parse(&month).ok_or_else(|| corrupt("month", &month))?;
    super::credit::reconcile(tx, actor, consultant, month, crate::today()).await?;
    let missions: Vec<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT DISTINCT mission_id FROM cra_slots WHERE cra_id = $1 AND activity = 'mission' ORDER BY mission_id"
    )
    .bind(cra.to_string())
    .fetch_all(c)
    .await
    })?;
    let mut groups = BTreeSet::new();
    for m in missions {
        let id = MissionId::parse(&m).ok_or_else(|| corrupt("mission id", &m))?;
        groups.insert(group_of(tx, id).await?);
    }
    let mut drafts = Vec::new();
    for g in groups {
        if let Some(d) = draft_group(tx, actor, g, month).await? {
            drafts.push(d);
        }
    }
    Ok(drafts)
}

/// Drafts the group's validated, unbilled days of a month onto its open
/// invoice for that month (created if none). `None` when nothing is left to
/// bill.
pub async fn draft_group(
    tx: &mut Tx,
    actor: &Actor,
    group: Group,
    month: YearMonth,
) -> Result<Option<Draft>> {
    let terms = group_missions(tx, group).await?;
    if terms.is_empty() {
        return Ok(None);
    }
    let (worked, billed) = validated_halves(tx, &terms, month).await?;
    if drafting::unbilled(&worked, &billed).is_empty() {
        // Nothing to bill: the rates need not be read.
        return Ok(None);
    }
    let schedules = schedules(tx, &terms).await?;
    let missions = terms
        .iter()
        .map(|m| m.for_drafting(schedules[m.id.as_str()].clone()))
        .collect::<Result<Vec<_>>>()?;
    let Some(decided) =
        drafting::draft(month, &missions, &worked, &billed).map_err(|e| refuse("cra", e.key()))?
    else {
        return Ok(None);
    };
    let client = &terms[0].client_id;
    let (id, first_position) =
        open_invoice(tx, group, client, month, decided.waiting_signature).await?;
    for (i, l) in decided.lines.iter().enumerate() {
        let m = terms
            .iter()
            .find(|t| t.id == l.mission.to_string())
            .ok_or_else(|| corrupt("mission id", &l.mission.to_string()))?;
        insert_line(tx, id, first_position + i as i32, m, l).await?;
    }
    let totals = refresh_totals(tx, id).await?;
    audit::record(
        tx,
        actor,
        "draft_invoice",
        "invoice",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "period": month.to_string(),
            "lines_added": decided.lines.len(),
            "net_cents": totals.net.cents(),
        })),
    )
    .await?;
    Ok(Some(Draft {
        id,
        client_id: CompanyId::parse(client).ok_or_else(|| corrupt("company id", client))?,
        group: group.key(),
        waiting_signature: decided.waiting_signature,
        lines: decided.lines.into_iter().map(|l| l.line).collect(),
        totals,
    }))
}

/// Writes one drafted line and the half days it bills.
async fn insert_line(
    tx: &mut Tx,
    invoice: InvoiceId,
    position: i32,
    m: &MissionTerms,
    l: &DraftLine,
) -> Result<()> {
    let line_id = uuid::Uuid::new_v4().to_string();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
           unit_price_cents, vat_rate_bp, net_cents, consultant_id, service_from, service_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )
    .bind(&line_id)
    .bind(invoice.to_string())
    .bind(position)
    .bind(&m.id)
    .bind(&m.analytic_code)
    .bind(&l.line.description)
    .bind(l.line.quantity.half_days() as i32)
    .bind(l.line.unit_price.cents())
    .bind(l.line.vat_rate.basis_points() as i32)
    .bind(l.line.net().cents())
    .bind(&m.consultant_id)
    .bind(l.from)
    .bind(l.to)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    record_billed(tx, &line_id, &l.days).await
}

#[derive(Debug, sqlx::FromRow)]
struct Validated {
    cra_id: String,
    consultant_id: String,
    mission_id: String,
    day: Date,
    half: String,
    /// Already on a line (and not credited).
    billed: i32,
}

impl Validated {
    fn worked(&self) -> Result<WorkedHalf> {
        Ok(WorkedHalf {
            consultant: UserId::parse(&self.consultant_id)
                .ok_or_else(|| corrupt("user id", &self.consultant_id))?,
            cra: CraId::parse(&self.cra_id).ok_or_else(|| corrupt("cra id", &self.cra_id))?,
            mission: MissionId::parse(&self.mission_id)
                .ok_or_else(|| corrupt("mission id", &self.mission_id))?,
            day: self.day,
            half: Half::parse(&self.half).ok_or_else(|| corrupt("half", &self.half))?,
        })
    }
}

/// The validated mission half days of the group's month, and those of
/// them already billed. The reports are found through their consultants
/// (the `(consultant, month)` index), not by scanning the month's reports.
async fn validated_halves(
    tx: &mut Tx,
    terms: &[MissionTerms],
    month: YearMonth,
) -> Result<(Vec<WorkedHalf>, BTreeSet<BilledDay>)> {
    let ids: Vec<&str> = terms.iter().map(|m| m.id.as_str()).collect();
    let mut consultants: Vec<&str> = terms.iter().map(|m| m.consultant_id.as_str()).collect();
    consultants.sort_unstable();
    consultants.dedup();
    let mut worked = Vec::new();
    let mut billed = BTreeSet::new();
    for row in validated_slots(tx, &ids, &consultants, month).await? {
        let w = row.worked()?;
        if row.billed != 0 {
            billed.insert(w.billed_day());
        }
        worked.push(w);
    }
    Ok((worked, billed))
}

/// The validated mission half days of the month, each with whether it is
/// billed already.
async fn validated_slots(
    tx: &mut Tx,
    missions: &[&str],
    consultants: &[&str],
    month: YearMonth,
) -> Result<Vec<Validated>> {
    let mut out = Vec::new();
    let per = (crate::MAX_BINDS - 2) / 2;
    for chunk in missions.chunks(per) {
        for people in consultants.chunks(per) {
            let sql = format!(
                "SELECT s.cra_id, r.consultant_id, s.mission_id, s.day, s.half,
                   CAST(CASE WHEN EXISTS (SELECT 1 FROM billed_days b WHERE b.consultant_id = r.consultant_id
                     AND b.day = s.day AND b.half = s.half AND b.credit_line_id IS NULL) THEN 1 ELSE 0 END
                     AS INTEGER) AS billed
                 FROM cras r JOIN cra_slots s ON s.cra_id = r.id
                 WHERE r.consultant_id IN ({}) AND r.month = $1 AND r.status = $2
                   AND s.activity = 'mission' AND s.mission_id IN ({})
                 ORDER BY s.mission_id, s.day, s.half",
                (0..people.len())
                    .map(|i| format!("${}", i + 3))
                    .collect::<Vec<_>>()
                    .join(", "),
                (0..chunk.len())
                    .map(|i| format!("${}", i + 3 + people.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let rows: Vec<Validated> = on_tx!(tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(month.to_string())
                    .bind(CraStatus::Validated.as_str());
                for p in people {
                    q = q.bind(*p);
                }
                for m in chunk {
                    q = q.bind(*m);
                }
                q.fetch_all(c).await
            })?;
            out.extend(rows);
        }
    }
    Ok(out)
}

/// Each mission's rates: its base TJM and amendments.
async fn schedules<'a>(
    tx: &mut Tx,
    missions: &'a [MissionTerms],
) -> Result<HashMap<&'a str, domain::rates::RateSchedule>> {
    let mut rows: Vec<crate::missions::AmendmentTuple> = Vec::new();
    for chunk in missions.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT mission_id, CAST(number AS INTEGER), effective_from, new_tjm_cents, new_end FROM amendments
             WHERE mission_id IN ({}) ORDER BY mission_id, number",
            crate::values_list("?", chunk.len())
        );
        let chunk_rows: Vec<crate::missions::AmendmentTuple> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for m in chunk {
                q = q.bind(&m.id);
            }
            q.fetch_all(c).await
        })?;
        rows.extend(chunk_rows);
    }
    crate::missions::schedules(
        missions.iter().map(|m| {
            (
                m.id.as_str(),
                m.start_date,
                m.initial_end_date,
                m.base_tjm_cents,
            )
        }),
        rows,
    )
}

/// The group's open invoice for the month, created if none, and the
/// position its next line takes. Its status follows the lock now.
async fn open_invoice(
    tx: &mut Tx,
    group: Group,
    client: &str,
    month: YearMonth,
    waiting: bool,
) -> Result<(InvoiceId, i32)> {
    let found = find_open(tx, group, month).await?;
    let status = if waiting {
        InvoiceStatus::WaitingSignature
    } else {
        InvoiceStatus::Draft
    };
    if let Some((id, last)) = found {
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE invoices SET status = $2,
               waiting_since = CASE WHEN $2 = 'waiting_signature' THEN COALESCE(waiting_since, $3) ELSE NULL END
             WHERE id = $1"
        )
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        return Ok((id, last + 1));
    }
    let id = InvoiceId::new();
    let (mission, contract) = match group {
        Group::Mission(m) => (Some(m.to_string()), None),
        Group::Contract(k) => (None, Some(k.to_string())),
    };
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, mission_id, contract_id, period, series, net_cents,
           vat_cents, gross_cents, created_at, waiting_since)
         VALUES ($1, 'invoice', $2, $3, $4, $5, $6, $7, 0, 0, 0, $8, $9)"
    )
    .bind(id.to_string())
    .bind(status.as_str())
    .bind(client)
    .bind(mission)
    .bind(contract)
    .bind(month.to_string())
    .bind(invoice::InvoiceKind::Invoice.series())
    .bind(at)
    .bind(waiting.then_some(at))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    super::frozen::freeze_draft(tx, id).await?;
    Ok((id, 1))
}

/// The group's open invoice for the month and its last position, if any.
async fn find_open(
    tx: &mut Tx,
    group: Group,
    month: YearMonth,
) -> Result<Option<(InvoiceId, i32)>> {
    // The id through the group's index first, then its last position: a
    // join grouped and ordered by invoice id let SQLite walk every invoice.
    let sql = format!(
        "SELECT id FROM invoices
         WHERE {} = $1 AND period = $2 AND kind = 'invoice' AND status IN ('draft', 'waiting_signature')
         ORDER BY id LIMIT 1",
        group.column()
    );
    let open: Option<String> =
        on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(group.key())
            .bind(month.to_string())
            .fetch_optional(c)
            .await)?;
    Ok(match open {
        Some(id) => {
            let last: i32 = on_tx!(tx, |c| {
                sqlx::query_scalar(
                "SELECT CAST(COALESCE(MAX(position), 0) AS INTEGER) FROM invoice_lines WHERE invoice_id = $1"
            )
            .bind(&id)
            .fetch_one(c)
            .await
            })?;
            Some((crate::id::<InvoiceId>(&id)?, last))
        }
        None => None,
    })
}

/// Records the half days a line bills. A day already billed (and not
/// credited) makes the database refuse the whole statement.
async fn record_billed(tx: &mut Tx, line_id: &str, days: &[WorkedHalf]) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?)";
    for chunk in days.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO billed_days (consultant_id, day, half, cra_id, line_id) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for d in chunk {
                q = q
                    .bind(d.consultant.to_string())
                    .bind(d.day)
                    .bind(d.half.as_str())
                    .bind(d.cra.to_string())
                    .bind(line_id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(|e| map_unique(e, &[("billed_days", "day")]))?;
    }
    Ok(())
}

/// What is billed so far for a consultant's day, if anything.
pub async fn billed_line(
    tx: &mut Tx,
    consultant: UserId,
    day: Date,
    half: Half,
) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT line_id FROM billed_days WHERE consultant_id = $1 AND day = $2 AND half = $3
           AND credit_line_id IS NULL"
    )
    .bind(consultant.to_string())
    .bind(day)
    .bind(half.as_str())
    .fetch_optional(c)
    .await)?)
}

//! Validated days become draft invoice lines: one line per mission and rate
//! period ("Prestation de Camille Martin — novembre 2026 — 20 j × 600,00 €"),
//! on the open invoice of the group and month (created if none). What goes
//! on which line, at which rate and in which words, and whether the invoice
//! waits for a signature, is `domain::invoice::drafting`'s: here the
//! missions, their rates and the month's validated half days are read, and
//! the lines it returns are written. Each line records its half days as
//! one mask per consultant and month (`super::billed`), claimed first in
//! the consultant's guard row, which refuses a day billed twice as a second
//! guard.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::calendar::YearMonth;
use domain::contract::{ContractStatus, InvoiceGrouping, KeyAccountFacts};
use domain::cra::CraStatus;
use domain::ids::{CompanyId, ContractId, CraId, InvoiceId, MissionId, UserId};
use domain::invoice::billed::HalfDayMask;
use domain::invoice::drafting::{
    self, BilledDay, DraftInvoice, DraftLine, DraftMission, InvoiceGroup, WorkedHalf,
};
use domain::invoice::{self, InvoiceLine, InvoiceStatus};
use domain::terms::VatRate;
use domain::validation::ErrorKey;
use serde::Serialize;
use time::Date;

use super::billed::LineMask;
use super::lines::refresh_totals;
use super::shared::{Group, GroupColumn, refuse};
use crate::{Actor, Error, Result, Tx, audit, corrupt, now, on_tx};

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
    Ok(groups_missions(tx, &[group])
        .await?
        .remove(&group)
        .unwrap_or_default())
}

/// The missions each group's invoice gathers (a mission billed alone; a
/// contract's missions), in two statements per few hundred groups.
pub(crate) async fn groups_missions(
    tx: &mut Tx,
    groups: &[Group],
) -> Result<HashMap<Group, Vec<MissionTerms>>> {
    let missions: Vec<String> = groups
        .iter()
        .filter(|g| matches!(g, Group::Mission(_)))
        .map(|g| g.key())
        .collect();
    let contracts: Vec<String> = groups
        .iter()
        .filter(|g| matches!(g, Group::Contract(_)))
        .map(|g| g.key())
        .collect();
    let mut out: HashMap<Group, Vec<MissionTerms>> = HashMap::new();
    for (keys, column) in [(&missions, "m.id"), (&contracts, "m.client_contract_id")] {
        for chunk in keys.chunks(crate::MAX_BINDS) {
            let sql = format!(
                mission_terms!("{} IN ({})"),
                column,
                crate::values_list("?", chunk.len())
            );
            let rows: Vec<MissionTerms> = on_tx!(tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for k in chunk {
                    q = q.bind(k.as_str());
                }
                q.fetch_all(c).await
            })?;
            for m in rows {
                let group = if column == "m.id" {
                    Group::Mission(
                        MissionId::parse(&m.id).ok_or_else(|| corrupt("mission id", &m.id))?,
                    )
                } else {
                    let k = m.client_contract_id.as_deref().unwrap_or_default();
                    Group::Contract(ContractId::parse(k).ok_or_else(|| corrupt("contract id", k))?)
                };
                out.entry(group).or_default().push(m);
            }
        }
    }
    Ok(out)
}

/// The group a mission's invoices belong to.
pub async fn group_of(tx: &mut Tx, mission: MissionId) -> Result<Group> {
    group_missions(tx, Group::Mission(mission))
        .await?
        .first()
        .ok_or(Error::NotFound)?
        .group()
}

/// Drafts the days of a freshly validated report (see [`draft_for_reports`]).
pub async fn draft_for_report(tx: &mut Tx, actor: &Actor, cra: CraId) -> Result<Vec<Draft>> {
    draft_for_reports(tx, actor, &[cra]).await
}

/// Drafts the days of freshly validated reports: first reconciles what
/// was billed of each consultant's month with his report (days no longer
/// worked leave their draft, or are credited if invoiced), then drafts what
/// is not billed yet, for each group their missions belong to, all groups
/// of a month at once. Running it again drafts nothing. Refused when a
/// report is not validated.
pub async fn draft_for_reports(tx: &mut Tx, actor: &Actor, cras: &[CraId]) -> Result<Vec<Draft>> {
    // Each report's consultant, month and status, and the groups of the
    // missions it worked on. The slots are read for the chunk's reports
    // only (their list twice, the same parameters): a `DISTINCT` over
    // `cra_slots` joined afterwards would be built over every report ever
    // entered, for each chunk (quadratic in bulk on both backends), and
    // PostgreSQL does not carry `r.id IN (…)` over to `s.cra_id`.
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let mut rows: Vec<Row> = Vec::new();
    for chunk in cras.chunks(crate::MAX_BINDS) {
        let ids = crate::values_list("?", chunk.len());
        let sql = format!(
            "SELECT r.id, r.status, r.consultant_id, r.month, m.id, m.client_contract_id, k.invoice_grouping
             FROM cras r
               LEFT JOIN (SELECT DISTINCT cra_id, mission_id FROM cra_slots
                          WHERE cra_id IN ({ids}) AND activity = 'mission') s
                 ON s.cra_id = r.id
               LEFT JOIN missions m ON m.id = s.mission_id
               LEFT JOIN client_contracts k ON k.id = m.client_contract_id
             WHERE r.id IN ({ids}) ORDER BY r.id, m.id"
        );
        let chunk_rows: Vec<Row> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        rows.extend(chunk_rows);
    }
    let mut months: BTreeMap<YearMonth, (BTreeSet<UserId>, BTreeSet<Group>)> = BTreeMap::new();
    let mut found = BTreeSet::new();
    for (cra, status, consultant, month, mission, contract, grouping) in rows {
        found.insert(cra);
        if CraStatus::parse(&status) != Some(CraStatus::Validated) {
            return Err(refuse("cra", "invoice-report-not-validated"));
        }
        let consultant =
            UserId::parse(&consultant).ok_or_else(|| corrupt("user id", &consultant))?;
        let month = YearMonth::parse(&month).ok_or_else(|| corrupt("month", &month))?;
        let entry = months.entry(month).or_default();
        entry.0.insert(consultant);
        if let Some(m) = mission {
            let m = MissionId::parse(&m).ok_or_else(|| corrupt("mission id", &m))?;
            let contract = contract
                .as_deref()
                .map(|k| ContractId::parse(k).ok_or_else(|| corrupt("contract id", k)))
                .transpose()?;
            let grouping = grouping.as_deref().and_then(InvoiceGrouping::parse);
            entry.1.insert(InvoiceGroup::of(m, contract, grouping));
        }
    }
    if found.len() < cras.iter().collect::<BTreeSet<_>>().len() {
        return Err(Error::NotFound);
    }
    let mut drafts = Vec::new();
    for (month, (consultants, groups)) in months {
        let consultants: Vec<UserId> = consultants.into_iter().collect();
        super::credit::reconcile_many(tx, actor, &consultants, month, crate::today()).await?;
        let groups: Vec<Group> = groups.into_iter().collect();
        drafts.extend(
            draft_many(tx, actor, &groups, month)
                .await?
                .into_iter()
                .filter_map(|(_, d)| d.transpose())
                .collect::<Result<Vec<_>>>()?,
        );
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
    draft_many(tx, actor, &[group], month)
        .await?
        .pop()
        .map_or(Ok(None), |(_, d)| d)
}

/// [`draft_group`] for many groups of one month, read and written in a few
/// statements for all of them: the missions, their validated days (with
/// whether each is billed), their rates and the groups' open invoices,
/// then every group's lines decided by `domain::invoice::drafting`, then
/// the new invoices, lines, billed days and audit lines in multi-row
/// statements. For each group, in order: its draft, `None` when nothing
/// was left to bill, or why it was refused (a validated day outside its
/// mission's rates); a refused group writes nothing, the others go on.
pub async fn draft_many(
    tx: &mut Tx,
    actor: &Actor,
    groups: &[Group],
    month: YearMonth,
) -> Result<Vec<(Group, Result<Option<Draft>>)>> {
    let mut terms = groups_missions(tx, groups).await?;
    let all: Vec<MissionTerms> = terms.values().flatten().cloned().collect();
    let (worked, billed) = validated_halves(tx, &all, month).await?;
    let mut worked_by: HashMap<MissionId, Vec<WorkedHalf>> = HashMap::new();
    for w in worked {
        worked_by.entry(w.mission).or_default().push(w);
    }
    // The groups with something left to bill, and their rates.
    let mut todo: Vec<(Group, Vec<MissionTerms>, Vec<WorkedHalf>)> = Vec::new();
    let mut out: Vec<(Group, Result<Option<Draft>>)> = Vec::new();
    for g in groups {
        let missions = terms.remove(g).unwrap_or_default();
        let worked: Vec<WorkedHalf> = missions
            .iter()
            .filter_map(|m| MissionId::parse(&m.id))
            .flat_map(|m| worked_by.get(&m).cloned().unwrap_or_default())
            .collect();
        if missions.is_empty() || drafting::unbilled(&worked, &billed).is_empty() {
            out.push((*g, Ok(None)));
        } else {
            todo.push((*g, missions, worked));
        }
    }
    let with_rates: Vec<MissionTerms> = todo.iter().flat_map(|(_, m, _)| m.clone()).collect();
    let schedules = schedules(tx, &with_rates).await?;
    let mut decided: Vec<(Group, Vec<MissionTerms>, DraftInvoice)> = Vec::new();
    for (g, missions, worked) in todo {
        let drafting: Result<Vec<DraftMission>> = missions
            .iter()
            .map(|m| m.for_drafting(schedules[m.id.as_str()].clone()))
            .collect();
        match drafting.and_then(|d| {
            drafting::draft(month, &d, &worked, &billed).map_err(|e| refuse("cra", e.key()))
        }) {
            Ok(Some(d)) => decided.push((g, missions, d)),
            Ok(None) => out.push((g, Ok(None))),
            Err(e) => out.push((g, Err(e))),
        }
    }
    let written = write_drafts(tx, actor, month, decided).await?;
    out.extend(written.into_iter().map(|(g, d)| (g, Ok(Some(d)))));
    // In the order asked.
    let order: HashMap<Group, usize> = groups.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    out.sort_by_key(|(g, _)| order[g]);
    Ok(out)
}

/// Writes what drafting decided for each group: its open invoice for the
/// month (created, with its terms frozen, when none), the lines and the
/// half days they bill, the totals, and one audit line each.
async fn write_drafts(
    tx: &mut Tx,
    actor: &Actor,
    month: YearMonth,
    decided: Vec<(Group, Vec<MissionTerms>, DraftInvoice)>,
) -> Result<Vec<(Group, Draft)>> {
    if decided.is_empty() {
        return Ok(Vec::new());
    }
    let groups: Vec<Group> = decided.iter().map(|(g, ..)| *g).collect();
    let mut open = find_open_many(tx, &groups, month).await?;
    let at = now();
    // New invoices: their heads, as drafting creates them, to freeze.
    let mut new_heads = Vec::new();
    let mut placed: Vec<(InvoiceId, i32, bool)> = Vec::with_capacity(decided.len());
    for (g, missions, d) in &decided {
        let status = if d.waiting_signature {
            InvoiceStatus::WaitingSignature
        } else {
            InvoiceStatus::Draft
        };
        match open.remove(g) {
            Some((id, last)) => {
                set_open_status(tx, id, status, at).await?;
                placed.push((id, last + 1, false));
            }
            None => {
                let id = InvoiceId::new();
                let (mission, contract) = match g {
                    Group::Mission(m) => (Some(m.to_string()), None),
                    Group::Contract(k) => (None, Some(k.to_string())),
                };
                let totals =
                    invoice::totals(&d.lines.iter().map(|l| l.line.clone()).collect::<Vec<_>>());
                new_heads.push(super::frozen::Head {
                    id,
                    status,
                    kind: invoice::InvoiceKind::Invoice,
                    client_id: missions[0].client_id.clone(),
                    period: month.to_string(),
                    mission_id: mission,
                    contract_id: contract,
                    net_cents: totals.net.cents(),
                    vat_cents: totals.vat.cents(),
                    gross_cents: totals.gross.cents(),
                    number: None,
                    frozen: None,
                    draft_edits: None,
                });
                placed.push((id, 1, true));
            }
        }
    }
    insert_invoices(tx, &new_heads, at).await?;
    let mut lines: Vec<(InvoiceId, i32, &MissionTerms, &DraftLine)> = Vec::new();
    for ((_, missions, d), (id, first, _)) in decided.iter().zip(&placed) {
        for (i, l) in d.lines.iter().enumerate() {
            let m = missions
                .iter()
                .find(|t| t.id == l.mission.to_string())
                .ok_or_else(|| corrupt("mission id", &l.mission.to_string()))?;
            lines.push((*id, first + i as i32, m, l));
        }
    }
    insert_lines(tx, &lines).await?;
    let mut out = Vec::with_capacity(decided.len());
    let mut audit = Vec::with_capacity(decided.len());
    for ((g, missions, d), (id, _, new)) in decided.into_iter().zip(placed) {
        // A new invoice holds only these lines; an open one had others.
        let totals = if new {
            invoice::totals(&d.lines.iter().map(|l| l.line.clone()).collect::<Vec<_>>())
        } else {
            refresh_totals(tx, id).await?
        };
        audit.push(audit::Row {
            action: "draft_invoice",
            entity: "invoice",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({
                    "period": month.to_string(),
                    "lines_added": d.lines.len(),
                    "net_cents": totals.net.cents(),
                })
                .to_string(),
            ),
        });
        let client = &missions[0].client_id;
        out.push((
            g,
            Draft {
                id,
                client_id: CompanyId::parse(client).ok_or_else(|| corrupt("company id", client))?,
                group: g.key(),
                waiting_signature: d.waiting_signature,
                lines: d.lines.into_iter().map(|l| l.line).collect(),
                totals,
            },
        ));
    }
    audit::record_many(tx, actor, &audit).await?;
    Ok(out)
}

/// An open invoice takes the status the lock gives it now.
async fn set_open_status(
    tx: &mut Tx,
    id: InvoiceId,
    status: InvoiceStatus,
    at: time::OffsetDateTime,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE invoices SET status = $2,
           waiting_since = CASE WHEN $2 = 'waiting_signature' THEN COALESCE(waiting_since, $3) ELSE NULL END
         WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(status.as_str())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Creates the new drafts with their totals and the terms they freeze
/// (what they will state when issued, unless their user refreshes them:
/// see `Frozen::changes`).
async fn insert_invoices(
    tx: &mut Tx,
    heads: &[super::frozen::Head],
    at: time::OffsetDateTime,
) -> Result<()> {
    if heads.is_empty() {
        return Ok(());
    }
    let refs: Vec<&super::frozen::Head> = heads.iter().collect();
    let frozen = super::frozen::live_many(tx, &refs)
        .await?
        .into_iter()
        .map(|l| serde_json::to_string(&l.frozen).map_err(|e| Error::Corrupt(e.to_string())))
        .collect::<Result<Vec<_>>>()?;
    const ROW: &str = "(?, 'invoice', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let rows: Vec<(&super::frozen::Head, &String)> = heads.iter().zip(&frozen).collect();
    for chunk in rows.chunks(crate::rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO invoices (id, kind, status, client_id, mission_id, contract_id, period, series, net_cents,
               vat_cents, gross_cents, created_at, waiting_since, frozen) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (h, frozen) in chunk {
                let waiting = h.status == InvoiceStatus::WaitingSignature;
                q = q
                    .bind(h.id.to_string())
                    .bind(h.status.as_str())
                    .bind(&h.client_id)
                    .bind(h.mission_id.as_deref())
                    .bind(h.contract_id.as_deref())
                    .bind(&h.period)
                    .bind(invoice::InvoiceKind::Invoice.series())
                    .bind(h.net_cents)
                    .bind(h.vat_cents)
                    .bind(h.gross_cents)
                    .bind(at)
                    .bind(waiting.then_some(at))
                    .bind(frozen.as_str());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Writes drafted lines and the half days they bill, in multi-row
/// statements. A day already billed (and not credited) makes the database
/// refuse the statement.
async fn insert_lines(
    tx: &mut Tx,
    lines: &[(InvoiceId, i32, &MissionTerms, &DraftLine)],
) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let ids: Vec<String> = lines
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    type Placed<'a> = (
        &'a String,
        &'a (InvoiceId, i32, &'a MissionTerms, &'a DraftLine),
    );
    let rows: Vec<Placed> = ids.iter().zip(lines).collect();
    for chunk in rows.chunks(crate::rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
               unit_price_cents, vat_rate_bp, net_cents, consultant_id, service_from, service_to) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (line_id, (invoice, position, m, l)) in chunk {
                q = q
                    .bind(line_id.as_str())
                    .bind(invoice.to_string())
                    .bind(*position)
                    .bind(&m.id)
                    .bind(&m.analytic_code)
                    .bind(&l.line.description)
                    .bind(l.line.quantity.half_days() as i32)
                    .bind(l.line.unit_price.cents())
                    .bind(l.line.vat_rate.basis_points() as i32)
                    .bind(l.line.net().cents())
                    .bind(&m.consultant_id)
                    .bind(l.from)
                    .bind(l.to);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let days: Vec<(&String, &WorkedHalf)> = rows
        .iter()
        .flat_map(|(line_id, (.., l))| l.days.iter().map(move |d| (*line_id, d)))
        .collect();
    record_billed(tx, &days).await
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
    for (w, is_billed) in validated_slots(tx, &ids, &consultants, month).await? {
        if is_billed {
            billed.insert(w.billed_day());
        }
        worked.push(w);
    }
    Ok((worked, billed))
}

type MaskRow = (String, String, String, i64, i64);

/// The validated reports of `people` for `month`: each report's mission
/// masks with the consultant's guard mask. On PostgreSQL the people are one
/// array parameter: with a list of parameters, the plan kept for the
/// prepared statement (planned for any month) read the month's reports
/// through `cras_month` and compared each with every name of the list
/// (70 ms a few hundred people at 10 000 reports); with the array it goes
/// through `cras_consultant_month`. On SQLite that index is pinned.
async fn month_masks(tx: &mut Tx, people: &[&str], month: YearMonth) -> Result<Vec<MaskRow>> {
    let select = format!(
        "SELECT t.cra_id, r.consultant_id, t.mission_key, t.mask,
               CAST(COALESCE(g.mask, 0) AS BIGINT) AS billed
             FROM cras r {} JOIN cra_day_totals t ON t.cra_id = r.id AND t.activity = 'mission'
               LEFT JOIN billed_guard g ON g.consultant_id = r.consultant_id AND g.month = r.month
             WHERE r.month = $1 AND r.status = $2 AND t.half_days > 0 AND r.consultant_id ",
        crate::pinned(tx, "cras_consultant_month")
    );
    let status = CraStatus::Validated.as_str();
    let rows = match tx {
        Tx::Postgres(c) => {
            let sql = format!("{select} = ANY($3)");
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(month.to_string())
                .bind(status)
                .bind(people)
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Sqlite(c) => {
            let sql = format!(
                "{select} IN ({})",
                crate::values_list_from("?", people.len(), 3)
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(month.to_string())
                .bind(status);
            for p in people {
                q = q.bind(*p);
            }
            q.fetch_all(&mut **c).await?
        }
    };
    Ok(rows)
}

/// The validated mission half days of the month, each with whether it is
/// billed already, of the missions given, in mission and date order. The
/// reports are read through their consultants (`cras_consultant_month`;
/// SQLite's planner otherwise reads the whole month through `cras_month`
/// for each few hundred consultants: 10 000 people made that 81 reads of
/// 10 000 reports), a few hundred consultants per statement, and the
/// missions kept in memory: a second list of missions in the statement
/// multiplied the statements.
///
/// One row comes back per report and mission: the half days as the mask
/// its totals keep (`cra_day_totals.mask`, by trigger), with the
/// consultant's guard mask of the month (the half days billed) — forty
/// times fewer rows than the slots, which crossed one by one from the
/// driver's thread to ours.
async fn validated_slots(
    tx: &mut Tx,
    missions: &[&str],
    consultants: &[&str],
    month: YearMonth,
) -> Result<Vec<(WorkedHalf, bool)>> {
    let wanted: std::collections::HashSet<&str> = missions.iter().copied().collect();
    let mut out = Vec::new();
    for people in consultants.chunks(crate::MAX_BINDS - 2) {
        let rows = month_masks(tx, people, month).await?;
        for (cra_id, consultant_id, mission_id, worked, billed) in rows {
            if !wanted.contains(mission_id.as_str()) {
                continue;
            }
            let worked = super::billed::mask(worked)?;
            let billed = super::billed::mask(billed)?;
            let consultant = crate::id::<UserId>(&consultant_id)?;
            let cra = crate::id::<CraId>(&cra_id)?;
            let mission = crate::id::<MissionId>(&mission_id)?;
            for (day, half) in worked.slots(month) {
                out.push((
                    WorkedHalf {
                        consultant,
                        cra,
                        mission,
                        day,
                        half,
                    },
                    billed.contains(day, half),
                ));
            }
        }
    }
    // In mission order across the statements, as drafting reads them.
    out.sort_by_key(|(w, _)| (w.mission, w.day, w.half));
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

/// Each group's open invoice for the month and its last position, for
/// the groups that have one.
async fn find_open_many(
    tx: &mut Tx,
    groups: &[Group],
    month: YearMonth,
) -> Result<HashMap<Group, (InvoiceId, i32)>> {
    let mut out = HashMap::new();
    for chunk in groups.chunks(crate::MAX_BINDS - 1) {
        let sql = format!(
            "SELECT i.mission_id, i.contract_id, i.id,
               CAST(COALESCE((SELECT MAX(l.position) FROM invoice_lines l WHERE l.invoice_id = i.id), 0) AS INTEGER)
             FROM invoices i
             WHERE i.period = $1 AND i.kind = 'invoice' AND i.status IN ('draft', 'waiting_signature')
               AND (i.mission_id IN ({list}) OR i.contract_id IN ({list}))
             ORDER BY i.id",
            list = crate::values_list_from("?", chunk.len(), 2)
        );
        let rows: Vec<(Option<String>, Option<String>, String, i32)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(month.to_string());
            for g in chunk {
                q = q.bind(g.key());
            }
            q.fetch_all(c).await
        })?;
        for (mission, contract, id, last) in rows {
            let group = match (mission, contract) {
                (Some(m), _) => Group::Mission(crate::id(&m)?),
                (None, Some(k)) => Group::Contract(crate::id(&k)?),
                (None, None) => continue,
            };
            // The first by id, as drafting always found it.
            out.entry(group)
                .or_insert((crate::id::<InvoiceId>(&id)?, last));
        }
    }
    // Only the groups asked: a mission billed alone and a contract's
    // invoice never share an id.
    out.retain(|g, _| groups.contains(g));
    Ok(out)
}

/// Records the half days lines bill, one mask per line, consultant and
/// month. A day already billed (and not credited) is refused as a whole.
async fn record_billed(tx: &mut Tx, days: &[(&String, &WorkedHalf)]) -> Result<()> {
    let rows: Vec<LineMask> = HalfDayMask::group(
        days.iter()
            .map(|(line, d)| ((line.as_str(), d.consultant, d.cra), d.day, d.half)),
    )
    .into_iter()
    .map(|(((line, consultant, cra), month), mask)| LineMask {
        line_id: line.to_owned(),
        consultant,
        month,
        cra,
        mask,
    })
    .collect();
    super::billed::record(tx, &rows).await
}

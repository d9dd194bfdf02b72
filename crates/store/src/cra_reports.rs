//! What the activity reports add up to: the validated days waiting to be
//! billed, the reports still late, the on-time rate, and the reminders that
//! chase them.
//!
//! Every function here runs a fixed number of statements whatever the number
//! of consultants (multi-row statements are cut at `MAX_BINDS` parameters,
//! like everywhere else): the rows are read in bulk and joined in memory.
//!
//! Who must file a report for a month: every active user with the
//! consultant role who has a mission overlapping that month (up to its
//! interruption, if any).

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::calendar::{Region, YearMonth};
use domain::cra::{self, CraStatus, ReminderKind};
use domain::cra_reports::{self as rules, Stuck, mail};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use domain::mission::{DayQuantity, Tjm};
use domain::money::Money;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::outbox::{self, NewEmail};
use crate::{Result, Tx, corrupt, on_tx};

/// The daily job sending the consultants' reminders and the managers'
/// escalation.
pub const REMINDER_JOB: &str = "cra_reminders";

// ---------------------------------------------------------------------------
// Billable days
// ---------------------------------------------------------------------------

/// Days of one validated report on one mission billed at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillableLine {
    pub cra_id: CraId,
    pub month: YearMonth,
    pub mission_id: MissionId,
    pub mission_title: String,
    pub client_id: CompanyId,
    pub client_name: String,
    pub consultant_id: UserId,
    pub consultant_name: String,
    pub analytic_code: String,
    /// The rate period inside the month (both bounds included).
    pub from: Date,
    pub to: Date,
    pub days: DayQuantity,
    /// `None`: days outside the mission's schedule, not priced.
    pub tjm: Option<Tjm>,
    /// `days × tjm`, rounded once per line, half up (see
    /// `domain::cra_reports::split_by_rate`).
    pub amount: Money,
}

/// The mission slots of manager-validated reports of the months asked for
/// (`$1`, `$2`: first and last month).
macro_rules! validated_mission_slots {
    () => {
        "FROM cras r JOIN cra_slots s ON s.cra_id = r.id
         WHERE r.status = 'validated' AND r.month >= $1 AND r.month <= $2 AND s.activity = 'mission'"
    };
}

/// The mission `$col` has such slots. Driven by the (mission, day) index
/// (`$3`, `$4`: first and last day of the months) rather than by a second
/// scan of every slot of the months.
macro_rules! has_validated_slots {
    ($col:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM cra_slots s JOIN cras r ON r.id = s.cra_id
               WHERE s.mission_id = ",
            $col,
            " AND s.day >= $3 AND s.day <= $4 AND s.activity = 'mission'
                 AND r.status = 'validated' AND r.month >= $1 AND r.month <= $2)"
        )
    };
}

#[derive(sqlx::FromRow)]
struct BillableMission {
    id: String,
    title: String,
    client_id: String,
    client_name: String,
    consultant_id: String,
    consultant_name: String,
    analytic_code: String,
    start_date: Date,
    initial_end_date: Date,
    base_tjm_cents: i64,
}

/// Which validated days a billable list keeps, by what invoices them
/// (the lines' masks of `billed_masks`, a day given back by a credit note
/// counting as not billed: it may be invoiced again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Every validated day, billed or not.
    Any,
    /// What is still to invoice: on no issued invoice and on none held for
    /// a signature. Validating a report drafts its days at once, so a day
    /// on a draft is still to invoice until the draft is issued.
    ToInvoice,
    /// On an invoice held for its client contract's signature (the
    /// key-account rule).
    WaitingSignature,
}

impl Billing {
    /// The condition on a slot `s` of report `r`.
    fn condition(self) -> &'static str {
        match self {
            Billing::Any => "",
            Billing::ToInvoice => {
                concat!(
                    " AND NOT EXISTS (SELECT 1 FROM billed_masks b JOIN invoice_lines l ON l.id = b.line_id
                       JOIN invoices i ON i.id = l.invoice_id
                       WHERE b.consultant_id = r.consultant_id AND b.month = r.month
                         AND (((b.mask & ~b.credited) >> ",
                    crate::slot_bit!("s"),
                    ") & 1) = 1 AND i.status <> 'draft')"
                )
            }
            Billing::WaitingSignature => {
                concat!(
                    " AND EXISTS (SELECT 1 FROM billed_masks b JOIN invoice_lines l ON l.id = b.line_id
                       JOIN invoices i ON i.id = l.invoice_id
                       WHERE b.consultant_id = r.consultant_id AND b.month = r.month
                         AND (((b.mask & ~b.credited) >> ",
                    crate::slot_bit!("s"),
                    ") & 1) = 1 AND i.status = 'waiting_signature')"
                )
            }
        }
    }
}

/// Billable half days of the manager-validated reports of `from..=to`, per
/// report, mission and rate period (amendments included), ordered by
/// client, mission, month and period.
///
/// Three statements read the half days per report and mission (count, first
/// and last day), the missions and their amendments. Most reports bill
/// every day at one rate: their line follows from the count. The others (a
/// rate change between their first and last day, or days outside the
/// mission's schedule) are read again day by day, in a fourth statement
/// (one per `MAX_BINDS` such reports), and cut at each rate change.
/// `billing` keeps the days still to invoice, or those held for a
/// signature ([`Billing`]).
pub async fn billable(
    tx: &mut Tx,
    from: YearMonth,
    to: YearMonth,
    billing: Billing,
) -> Result<Vec<BillableLine>> {
    let (lo, hi) = (from.to_string(), to.to_string());
    type PairRow = (String, String, String, i64, Date, Date);
    let sql = format!(
        "SELECT r.id, r.month, s.mission_id, CAST(COUNT(*) AS BIGINT), MIN(s.day), MAX(s.day) {}{}
         GROUP BY r.id, r.month, s.mission_id",
        validated_mission_slots!(),
        billing.condition()
    );
    let pairs: Vec<PairRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?;
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let missions: Vec<BillableMission> = on_tx!(tx, |c| {
        sqlx::query_as(concat!(
        "SELECT m.id, m.title, m.client_id, c.name AS client_name, m.consultant_id,
           u.display_name AS consultant_name, m.analytic_code, m.start_date, m.initial_end_date,
           m.base_tjm_cents
         FROM missions m JOIN companies c ON c.id = m.client_id JOIN users u ON u.id = m.consultant_id
         WHERE ",
        has_validated_slots!("m.id")
    ))
    .bind(&lo)
    .bind(&hi)
    .bind(from.first_day())
    .bind(to.last_day())
    .fetch_all(c)
    .await
    })?;
    let amendments: Vec<crate::missions::AmendmentTuple> = on_tx!(tx, |c| {
        sqlx::query_as(concat!(
        "SELECT a.mission_id, CAST(a.number AS INTEGER), a.effective_from, a.new_tjm_cents, a.new_end
         FROM amendments a WHERE ",
        has_validated_slots!("a.mission_id"),
        " ORDER BY a.mission_id, a.number"
    ))
    .bind(&lo)
    .bind(&hi)
    .bind(from.first_day())
    .bind(to.last_day())
    .fetch_all(c)
    .await
    })?;

    let rates = crate::missions::schedules(
        missions.iter().map(|m| {
            (
                m.id.as_str(),
                m.start_date,
                m.initial_end_date,
                m.base_tjm_cents,
            )
        }),
        amendments,
    )?;
    let by_id: HashMap<&str, &BillableMission> =
        missions.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut schedules = HashMap::new();
    for (id, s) in rates {
        schedules.insert(id, (by_id[id], s));
    }

    // Half days per calendar day, per report and mission.
    let mut grouped: BTreeMap<(String, String), (String, BTreeMap<Date, u32>)> = BTreeMap::new();
    // The reports read day by day, and their (report, mission) pairs to cut.
    let mut by_day: Vec<String> = Vec::new();
    let mut cut: HashSet<(String, String)> = HashSet::new();
    for (cra, month, mission, halves, first, last) in pairs {
        let (_, schedule) = schedules
            .get(mission.as_str())
            .ok_or_else(|| corrupt("mission of a slot", &mission))?;
        let one_rate = match schedule.periods(first, last).as_slice() {
            [p] => p.from == first && p.to == last,
            _ => false,
        };
        if one_rate {
            // Every day from the first to the last is billed at one rate:
            // cutting day by day would give this one line.
            let halves = u32::try_from(halves).map_err(|_| corrupt("half days", &mission))?;
            grouped.insert((cra, mission), (month, BTreeMap::from([(first, halves)])));
        } else {
            by_day.push(cra.clone());
            cut.insert((cra.clone(), mission.clone()));
            grouped.insert((cra, mission), (month, BTreeMap::new()));
        }
    }
    by_day.sort();
    by_day.dedup();
    for chunk in by_day.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT s.cra_id, s.mission_id, s.day, CAST(COUNT(*) AS BIGINT)
             FROM cra_slots s JOIN cras r ON r.id = s.cra_id
             WHERE s.activity = 'mission' AND s.cra_id IN ({}){} GROUP BY s.cra_id, s.mission_id, s.day",
            crate::values_list("?", chunk.len()),
            billing.condition()
        );
        let days: Vec<(String, String, Date, i64)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            q.fetch_all(c).await
        })?;
        for (cra, mission, day, halves) in days {
            // A report's other missions, billed at one rate, are counted
            // already.
            let key = (cra, mission);
            if cut.contains(&key)
                && let Some((_, map)) = grouped.get_mut(&key)
            {
                map.insert(day, u32::try_from(halves).unwrap_or(0));
            }
        }
    }
    let mut lines = Vec::new();
    for ((cra, mission), (month, halves)) in grouped {
        let (m, schedule) = schedules
            .get(mission.as_str())
            .ok_or_else(|| corrupt("mission of a slot", &mission))?;
        let ym = YearMonth::parse(&month).ok_or_else(|| corrupt("cra month", &month))?;
        let cra_id = CraId::parse(&cra).ok_or_else(|| corrupt("cra id", &cra))?;
        for r in rules::split_by_rate(schedule, ym, &halves) {
            lines.push(BillableLine {
                cra_id,
                month: ym,
                mission_id: MissionId::parse(&m.id).ok_or_else(|| corrupt("mission id", &m.id))?,
                mission_title: m.title.clone(),
                client_id: CompanyId::parse(&m.client_id)
                    .ok_or_else(|| corrupt("company id", &m.client_id))?,
                client_name: m.client_name.clone(),
                consultant_id: UserId::parse(&m.consultant_id)
                    .ok_or_else(|| corrupt("user id", &m.consultant_id))?,
                consultant_name: m.consultant_name.clone(),
                analytic_code: m.analytic_code.clone(),
                from: r.from,
                to: r.to,
                days: r.days,
                tjm: r.tjm,
                amount: r.amount,
            });
        }
    }
    lines.sort_by(|a, b| {
        (
            &a.client_name,
            &a.mission_title,
            a.mission_id,
            a.month,
            a.from,
        )
            .cmp(&(
                &b.client_name,
                &b.mission_title,
                b.mission_id,
                b.month,
                b.from,
            ))
    });
    Ok(lines)
}

/// A mission's lines added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissionTotal {
    pub mission_id: MissionId,
    pub mission_title: String,
    pub client_name: String,
    pub consultant_name: String,
    pub analytic_code: String,
    pub days: DayQuantity,
    pub amount: Money,
    /// Some of its days have no rate (see `BillableLine::tjm`).
    pub unpriced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillableTotals {
    /// In the order the lines come.
    pub missions: Vec<MissionTotal>,
    pub days: DayQuantity,
    pub amount: Money,
}

/// Totals per mission and overall: sums of the lines' rounded amounts, as
/// the invoices will add them.
pub fn totals(lines: &[BillableLine]) -> BillableTotals {
    let mut missions: Vec<MissionTotal> = Vec::new();
    let mut halves = 0u32;
    let mut amount = Money::ZERO;
    for l in lines {
        halves += l.days.half_days();
        amount += l.amount;
        let t = match missions.iter().position(|t| t.mission_id == l.mission_id) {
            Some(i) => &mut missions[i],
            None => {
                missions.push(MissionTotal {
                    mission_id: l.mission_id,
                    mission_title: l.mission_title.clone(),
                    client_name: l.client_name.clone(),
                    consultant_name: l.consultant_name.clone(),
                    analytic_code: l.analytic_code.clone(),
                    days: DayQuantity::ZERO,
                    amount: Money::ZERO,
                    unpriced: false,
                });
                missions.last_mut().expect("just pushed")
            }
        };
        t.days = DayQuantity::from_half_days(t.days.half_days() + l.days.half_days());
        t.amount += l.amount;
        t.unpriced |= l.tjm.is_none();
    }
    BillableTotals {
        missions,
        days: DayQuantity::from_half_days(halves),
        amount,
    }
}

// ---------------------------------------------------------------------------
// Who must file, and where each report stands
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Person {
    name: String,
    email: String,
}

/// One mission of an active consultant overlapping the window read.
#[derive(sqlx::FromRow)]
struct FilerMission {
    consultant_id: String,
    consultant_name: String,
    consultant_email: String,
    start_date: Date,
    last_date: Date,
    bm_id: String,
    bm_name: String,
    bm_email: String,
    bm_active: bool,
    dm_id: Option<String>,
    dm_name: Option<String>,
    dm_email: Option<String>,
    dm_active: Option<bool>,
}

/// A consultant who must file a report for a month, with the managers of
/// his missions of that month (active ones only: the others cannot be
/// written to).
#[derive(Debug, Clone)]
struct Filer {
    id: UserId,
    person: Person,
    managers: BTreeMap<String, Person>,
}

struct Report {
    id: CraId,
    status: CraStatus,
    validated_at: Option<OffsetDateTime>,
}

/// Everything the late list, the rates and the reminders read, for the
/// months `from..=to`: three statements.
struct Situation {
    missions: Vec<FilerMission>,
    reports: HashMap<(String, YearMonth), Report>,
    /// Clients still to validate a signed report, by report id.
    pending: HashMap<String, Vec<String>>,
    /// The firm's first month of reports: nobody is expected to have filed
    /// before Régisseur was in use (without any report yet, the last month
    /// read).
    since: YearMonth,
}

async fn situation(tx: &mut Tx, from: YearMonth, to: YearMonth) -> Result<Situation> {
    let missions: Vec<FilerMission> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.consultant_id, u.display_name AS consultant_name, u.email AS consultant_email,
           m.start_date,
           CASE WHEN m.interrupted_on IS NOT NULL AND m.interrupted_on < m.end_date
                THEN m.interrupted_on ELSE m.end_date END AS last_date,
           m.business_manager_id AS bm_id, b.display_name AS bm_name, b.email AS bm_email,
           b.active AS bm_active,
           m.delivery_manager_id AS dm_id, d.display_name AS dm_name, d.email AS dm_email,
           d.active AS dm_active
         FROM missions m JOIN users u ON u.id = m.consultant_id
           JOIN users b ON b.id = m.business_manager_id
           LEFT JOIN users d ON d.id = m.delivery_manager_id
         WHERE u.role = 'consultant' AND u.active = TRUE AND m.start_date <= $2
           AND (CASE WHEN m.interrupted_on IS NOT NULL AND m.interrupted_on < m.end_date
                THEN m.interrupted_on ELSE m.end_date END) >= $1"
    )
    .bind(from.first_day())
    .bind(to.last_day())
    .fetch_all(c)
    .await
    })?;
    type ReportRow = (String, String, String, String, Option<OffsetDateTime>);
    let rows: Vec<ReportRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, consultant_id, month, status, validated_at FROM cras
         WHERE status <> 'superseded' AND month >= $1 AND month <= $2"
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    let mut reports = HashMap::with_capacity(rows.len());
    for (id, consultant, month, status, validated_at) in rows {
        let month = YearMonth::parse(&month).ok_or_else(|| corrupt("cra month", &month))?;
        reports.insert(
            (consultant, month),
            Report {
                id: CraId::parse(&id).ok_or_else(|| corrupt("cra id", &id))?,
                status: CraStatus::parse(&status).ok_or_else(|| corrupt("cra status", &status))?,
                validated_at,
            },
        );
    }
    let waiting: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT a.cra_id, c.name FROM cra_client_approvals a JOIN cras r ON r.id = a.cra_id
           JOIN companies c ON c.id = a.client_id
         WHERE r.status = 'signed' AND a.approved_at IS NULL AND r.month >= $1 AND r.month <= $2
         ORDER BY c.name"
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await)?;
    let mut pending: HashMap<String, Vec<String>> = HashMap::new();
    for (cra, client) in waiting {
        let names = pending.entry(cra).or_default();
        if !names.contains(&client) {
            names.push(client);
        }
    }
    let first: Option<String> = on_tx!(tx, |c| sqlx::query_scalar("SELECT MIN(month) FROM cras")
        .fetch_one(c)
        .await)?;
    let since = match first.as_deref() {
        Some(m) => YearMonth::parse(m).ok_or_else(|| corrupt("cra month", m))?,
        None => to,
    };
    Ok(Situation {
        missions,
        reports,
        pending,
        since,
    })
}

impl Situation {
    /// The consultants who must file for `month`, by id.
    fn filers(&self, month: YearMonth) -> Result<BTreeMap<String, Filer>> {
        let (first, last) = (month.first_day(), month.last_day());
        let mut out: BTreeMap<String, Filer> = BTreeMap::new();
        if month < self.since {
            return Ok(out);
        }
        for m in &self.missions {
            if m.start_date > last || m.last_date < first {
                continue;
            }
            let id = UserId::parse(&m.consultant_id)
                .ok_or_else(|| corrupt("user id", &m.consultant_id))?;
            let f = out.entry(m.consultant_id.clone()).or_insert_with(|| Filer {
                id,
                person: Person {
                    name: m.consultant_name.clone(),
                    email: m.consultant_email.clone(),
                },
                managers: BTreeMap::new(),
            });
            if m.bm_active {
                f.managers.insert(
                    m.bm_id.clone(),
                    Person {
                        name: m.bm_name.clone(),
                        email: m.bm_email.clone(),
                    },
                );
            }
            if let (Some(id), Some(name), Some(email), Some(true)) =
                (&m.dm_id, &m.dm_name, &m.dm_email, m.dm_active)
            {
                f.managers.insert(
                    id.clone(),
                    Person {
                        name: name.clone(),
                        email: email.clone(),
                    },
                );
            }
        }
        Ok(out)
    }

    fn report(&self, consultant: &str, month: YearMonth) -> Option<&Report> {
        self.reports.get(&(consultant.to_owned(), month))
    }

    fn pending_clients(&self, report: Option<&Report>) -> Vec<String> {
        match report {
            Some(r) if r.status == CraStatus::Signed => self
                .pending
                .get(&r.id.to_string())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

fn last_working_day(month: YearMonth) -> Date {
    month
        .working_days(Region::Standard)
        .last()
        .copied()
        .unwrap_or_else(|| month.last_day())
}

fn months_between(from: YearMonth, to: YearMonth) -> Vec<YearMonth> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        out.push(m);
        m = m.next();
    }
    out
}

// ---------------------------------------------------------------------------
// Late reports
// ---------------------------------------------------------------------------

/// A report the manager has not validated in time, or not signed by the
/// consultant although the month's working days are over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateCra {
    pub consultant_id: UserId,
    pub consultant_name: String,
    /// The managers (business and delivery) of his missions that month:
    /// those who chase this report.
    pub managers: Vec<UserId>,
    pub month: YearMonth,
    /// `None`: the consultant has not even opened his report.
    pub cra_id: Option<CraId>,
    pub status: Option<CraStatus>,
    pub stuck: Stuck,
    /// The clients still to validate, when it waits for clients.
    pub pending_clients: Vec<String>,
    pub deadline: Date,
    /// True once the deadline has passed; false for a month whose working
    /// days are over but whose deadline is still ahead (only unsigned
    /// reports are listed then).
    pub overdue: bool,
    /// Calendar days since the deadline (overdue) or since the month's last
    /// working day (not yet overdue).
    pub days_late: i64,
}

/// The late reports as of `today`: for each of the 12 previous months whose
/// deadline (`domain::cra::on_time_deadline`) has passed, every report of a
/// consultant who must file that the manager has not validated (including
/// reports never created); and for the months whose last working day is
/// past but whose deadline is not (the current month after its last working
/// day, the previous one during the first working days), the reports still
/// unsigned (draft or not created). Ordered by who must act, month, name.
pub async fn late(tx: &mut Tx, today: Date) -> Result<Vec<LateCra>> {
    let current = YearMonth::of(today);
    let first = (0..12).fold(current, |m, _| m.prev());
    let s = situation(tx, first, current).await?;
    let mut out = Vec::new();
    for month in months_between(first, current) {
        let deadline = cra::on_time_deadline(month);
        let last_wd = last_working_day(month);
        let overdue = today > deadline;
        if !overdue && today <= last_wd {
            continue;
        }
        for (id, f) in s.filers(month)? {
            let report = s.report(&id, month);
            let status = report.map(|r| r.status);
            let Some(stuck) = Stuck::of(status) else {
                continue;
            };
            if !overdue && stuck != Stuck::Consultant {
                continue;
            }
            out.push(LateCra {
                consultant_id: f.id,
                consultant_name: f.person.name.clone(),
                managers: f
                    .managers
                    .keys()
                    .map(|m| UserId::parse(m).ok_or_else(|| corrupt("user id", m)))
                    .collect::<Result<_>>()?,
                month,
                cra_id: report.map(|r| r.id),
                status,
                stuck,
                pending_clients: s.pending_clients(report),
                deadline,
                overdue,
                days_late: (today - if overdue { deadline } else { last_wd }).whole_days(),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.stuck, a.month, &a.consultant_name).cmp(&(b.stuck, b.month, &b.consultant_name))
    });
    Ok(out)
}

// ---------------------------------------------------------------------------
// On-time rate
// ---------------------------------------------------------------------------

/// One month of the on-time measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthRate {
    pub month: YearMonth,
    pub deadline: Date,
    /// Consultants who must file.
    pub expected: u32,
    /// Validated by the manager on or before the deadline.
    pub on_time: u32,
    /// Validated by the manager after the deadline.
    pub late: u32,
    /// Not validated by the manager (yet), or never created.
    pub not_validated: u32,
    /// `on_time / expected` in thousandths, rounded half up; `None` when
    /// nobody had to file.
    pub per_mille: Option<u32>,
    /// The deadline has passed: the figure is final (reopened reports
    /// aside). Before that it only grows.
    pub closed: bool,
}

/// The on-time rate of each month of `months`, as of `today`. The live
/// version of each report counts (a report reopened and not validated again
/// counts as not validated); the validation date is the UTC date of
/// `validated_at`.
pub async fn on_time_rates(
    tx: &mut Tx,
    months: &[YearMonth],
    today: Date,
) -> Result<Vec<MonthRate>> {
    let (Some(from), Some(to)) = (months.iter().min(), months.iter().max()) else {
        return Ok(Vec::new());
    };
    let s = situation(tx, *from, *to).await?;
    let mut out = Vec::with_capacity(months.len());
    for &month in months {
        let deadline = cra::on_time_deadline(month);
        let filers = s.filers(month)?;
        let (mut on_time, mut late) = (0u32, 0u32);
        for id in filers.keys() {
            if let Some(r) = s.report(id, month)
                && r.status == CraStatus::Validated
            {
                if cra::is_on_time(month, r.validated_at.map(domain::paris::date)) {
                    on_time += 1;
                } else {
                    late += 1;
                }
            }
        }
        let expected = filers.len() as u32;
        out.push(MonthRate {
            month,
            deadline,
            expected,
            on_time,
            late,
            not_validated: expected - on_time - late,
            per_mille: rules::per_mille(on_time, expected),
            closed: today > deadline,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------

/// What one run of the reminders sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReminderCounts {
    /// E-mails to consultants (before month end, then late).
    pub consultants: u64,
    /// Reports escalated to their managers.
    pub escalated: u64,
    /// E-mails to managers (one per manager and month, listing his reports).
    pub managers: u64,
}

/// Sends the reminders due `today` (see `domain::cra::reminders_due`) for
/// the current month and the previous one:
///
/// - to a consultant whose report is missing or still a draft, two working
///   days before month end and on its last working day, then on the 1st and
///   3rd working days after;
/// - to the managers (business and delivery managers of the consultant's
///   missions that month), on the working day before the deadline, one
///   e-mail listing the reports not yet manager-validated and who they wait
///   for (clients are chased by the e-signature reminders, so the e-mail
///   only names them).
///
/// Idempotent, also across instances: each reminder is first recorded in
/// `cra_reminders` (consultant, month, kind, day) with `ON CONFLICT DO
/// NOTHING`, and only the rows this call inserted are sent. The e-mails are
/// queued in the caller's transaction.
pub async fn run_reminders(tx: &mut Tx, base_url: &str, today: Date) -> Result<ReminderCounts> {
    let current = YearMonth::of(today);
    let months: Vec<(YearMonth, Vec<ReminderKind>)> = [current.prev(), current]
        .into_iter()
        .map(|m| (m, cra::reminders_due(m, today)))
        .filter(|(_, kinds)| !kinds.is_empty())
        .collect();
    if months.is_empty() {
        return Ok(ReminderCounts::default());
    }
    let from = months.iter().map(|(m, _)| *m).min().expect("not empty");
    let to = months.iter().map(|(m, _)| *m).max().expect("not empty");
    let s = situation(tx, from, to).await?;

    // Every reminder due, before checking which were already sent.
    struct Due {
        month: YearMonth,
        kind: ReminderKind,
        filer: Filer,
    }
    let mut due: Vec<Due> = Vec::new();
    for (month, kinds) in &months {
        let filers = s.filers(*month)?;
        for kind in kinds {
            for (id, f) in &filers {
                let status = s.report(id, *month).map(|r| r.status);
                let wanted = match kind {
                    ReminderKind::ConsultantBeforeEnd | ReminderKind::ConsultantLate => {
                        Stuck::of(status) == Some(Stuck::Consultant)
                    }
                    ReminderKind::ManagerEscalation => Stuck::of(status).is_some(),
                };
                if wanted {
                    due.push(Due {
                        month: *month,
                        kind: *kind,
                        filer: f.clone(),
                    });
                }
            }
        }
    }
    let keys: Vec<(String, String, &'static str)> = due
        .iter()
        .map(|d| (d.filer.id.to_string(), d.month.to_string(), d.kind.as_str()))
        .collect();
    let claimed = claim(tx, &keys, today).await?;

    let base = base_url.trim_end_matches('/');
    let mut emails: Vec<NewEmail> = Vec::new();
    let mut counts = ReminderCounts::default();
    // (manager id, month) → the manager and his lines.
    let mut escalations: BTreeMap<(String, YearMonth), Escalation> = BTreeMap::new();
    for (d, key) in due.iter().zip(&keys) {
        if !claimed.contains(key) {
            continue;
        }
        let report = s.report(&key.0, d.month);
        let link = match report {
            Some(r) => format!("{base}/cras/{}", r.id),
            None => format!("{base}/cras"),
        };
        match d.kind {
            ReminderKind::ConsultantBeforeEnd | ReminderKind::ConsultantLate => {
                counts.consultants += 1;
                emails.push(consultant_email(
                    d.kind,
                    &d.filer.person,
                    d.month,
                    report.is_some(),
                    &link,
                ));
            }
            ReminderKind::ManagerEscalation => {
                counts.escalated += 1;
                let line = mail::escalation_line(
                    &d.filer.person.name,
                    report.map(|r| r.status),
                    &s.pending_clients(report),
                    &link,
                );
                for (mid, manager) in &d.filer.managers {
                    escalations
                        .entry((mid.clone(), d.month))
                        .or_insert_with(|| (manager.clone(), Vec::new()))
                        .1
                        .push((d.filer.person.name.clone(), line.clone()));
                }
            }
        }
    }
    for ((_, month), (manager, mut lines)) in escalations {
        lines.sort();
        counts.managers += 1;
        emails.push(manager_email(&manager, month, &lines, base));
    }
    outbox::queue_many(tx, &emails).await?;
    Ok(counts)
}

/// A manager's e-mail for one month: (consultant name, line) pairs.
type Escalation = (Person, Vec<(String, String)>);

/// Records the reminders as sent today; returns those this call recorded
/// (the others were sent already, by this or another instance).
async fn claim(
    tx: &mut Tx,
    keys: &[(String, String, &'static str)],
    today: Date,
) -> Result<HashSet<(String, String, &'static str)>> {
    let mut inserted: HashSet<(String, String, String)> = HashSet::new();
    for chunk in keys.chunks(crate::rows_per_statement(4)) {
        let sql = format!(
            "INSERT INTO cra_reminders (consultant_id, month, kind, sent_on) VALUES {}
             ON CONFLICT DO NOTHING RETURNING consultant_id, month, kind",
            crate::values_list("(?, ?, ?, ?)", chunk.len())
        );
        let rows: Vec<(String, String, String)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for (consultant, month, kind) in chunk {
                q = q
                    .bind(consultant.as_str())
                    .bind(month.as_str())
                    .bind(*kind)
                    .bind(today);
            }
            q.fetch_all(c).await
        })?;
        inserted.extend(rows);
    }
    Ok(keys
        .iter()
        .filter(|(c, m, k)| inserted.contains(&(c.clone(), m.clone(), (*k).to_owned())))
        .cloned()
        .collect())
}

fn consultant_email(
    kind: ReminderKind,
    who: &Person,
    month: YearMonth,
    exists: bool,
    link: &str,
) -> NewEmail {
    let (subject, text) = mail::consultant(kind, &who.name, month, exists, link);
    NewEmail {
        to: who.email.clone(),
        subject,
        text,
    }
}

fn manager_email(
    manager: &Person,
    month: YearMonth,
    lines: &[(String, String)],
    base: &str,
) -> NewEmail {
    let (subject, text) = mail::manager(&manager.name, month, lines, base);
    NewEmail {
        to: manager.email.clone(),
        subject,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_between_includes_both_ends() {
        use time::Month;
        let m = months_between(
            YearMonth::new(2026, Month::November),
            YearMonth::new(2027, Month::January),
        );
        assert_eq!(m.len(), 3);
        assert!(months_between(m[2], m[0]).is_empty());
    }
}

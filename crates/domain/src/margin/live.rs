//! The live margin: from what the ledger booked and what the validated
//! reports record, every amount of revenue and cost of a period, each
//! attributed to its month, mission, account, consultant, agency and
//! business managers. The views ([`super::views`]) only add these facts
//! up, so every total is the sum of the facts behind it, to the cent.
//!
//! - **Revenue** is the ledger's (706 lines by analytic code: invoices,
//!   credit notes, accruals and their reversals), never recomputed from
//!   the reports: an unsigned contract's month shows from its FAE.
//! - **Cost of a mission**: its days × the consultant's CJM in force on
//!   each day (one line per cost version in force that month, each
//!   rounded once, [`super::days_cost`]). A freelancer's CJM is his buy
//!   rate plus fee.
//! - **Bench** ("intercontrat"): unbilled days of the reports (bench,
//!   training, internal, pre-sales), plus the working days of a month that
//!   is over with no validated report and no approved leave, within the
//!   employment dates: a consultant without a report is not free. Valued
//!   the same way, and carried as the firm's rule says
//!   ([`super::bench`]). Days are inferred only from the first month the
//!   firm has any report: before it, nothing was recorded here at all.
//! - **Unknown cost**: a person without an employee record, before his
//!   first cost version, or (under the grade's standard CJM) without a
//!   grade that has one. The fact keeps `cost: None`; the views then say
//!   "coût inconnu" rather than show a margin that would be false.
//! - **Business managers**: a mission-month's figures are split between
//!   its owners by their share on each day of the month the portfolio
//!   covers (largest remainder, [`super::apportion()`]), so the parts add
//!   up to the figures exactly; a month no period covers goes to the
//!   nearest owner ([`portfolio::shown_owner`]), and a mission without any
//!   period to nobody.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::Date;

use super::bench::{BenchAllocation, BenchCarrier, allocate_bench};
use super::{apportion, days_cost};
use crate::calendar::YearMonth;
use crate::cra::{Half, WorkPattern};
use crate::ids::{AgencyId, CompanyId, MissionId, UserId};
use crate::leave::LeavePeriod;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::people::cjm::{CjmSettings, CostBasis, StandardCjmTable, margin_cjm_on};
use crate::people::cost::{CostVersion, version_on};
use crate::people::employee::Grade;
use crate::people::portfolio::{self, PortfolioPeriod};
use crate::percent::Percentage;

/// What a half day of a validated report was spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "mission_id", rename_all = "snake_case")]
pub enum Spent {
    Mission(MissionId),
    Bench,
    Training,
    Internal,
    PreSales,
    Leave,
}

impl Spent {
    /// From the stored activity kind and mission.
    pub fn from_parts(kind: &str, mission: Option<MissionId>) -> Option<Spent> {
        Some(match (kind, mission) {
            ("mission", Some(m)) => Spent::Mission(m),
            ("bench", None) => Spent::Bench,
            ("training", None) => Spent::Training,
            ("internal", None) => Spent::Internal,
            ("presales", None) => Spent::PreSales,
            ("leave", None) => Spent::Leave,
            _ => return None,
        })
    }
}

/// Why a consultant was on bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchKind {
    Bench,
    Training,
    Internal,
    PreSales,
    /// A working day of a month that is over, with no validated report.
    NoReport,
}

impl BenchKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            BenchKind::Bench => "bench",
            BenchKind::Training => "training",
            BenchKind::Internal => "internal",
            BenchKind::PreSales => "presales",
            BenchKind::NoReport => "no_report",
        }
    }
}

/// Days of a validated report, summed per consultant, month, activity and
/// the cost version in force on those days (`version_from`: that
/// version's date; `None` before the person's first version or without an
/// employee record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedDays {
    pub consultant: UserId,
    pub month: YearMonth,
    pub spent: Spent,
    pub version_from: Option<Date>,
    pub days: DayQuantity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissionFacts {
    pub client_id: CompanyId,
    pub consultant_id: UserId,
    pub start: Date,
    pub portfolio: Vec<PortfolioPeriod>,
}

/// What the employee record says that margins need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeFacts {
    pub agency_id: AgencyId,
    pub grade: Option<Grade>,
    pub hire: Date,
    pub exit: Option<Date>,
    /// His manager, who carries his bench under the default rule.
    pub manager_id: Option<UserId>,
    /// Oldest first.
    pub versions: Vec<CostVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub pattern: WorkPattern,
    /// Whether he fills monthly reports (a consultant): only then do days
    /// without a report count as bench; staff records carry no bench.
    pub reports: bool,
    pub employee: Option<EmployeeFacts>,
}

/// Everything a margin computation reads, fetched in a few set queries.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub from: YearMonth,
    pub to: YearMonth,
    /// The running month: days without a report count as bench only in
    /// months before it (the report of a running month is not due yet).
    pub current_month: YearMonth,
    /// The first month any report exists for anyone.
    pub first_report_month: Option<YearMonth>,
    pub settings: CjmSettings,
    pub bench_rule: BenchAllocation,
    pub basis: CostBasis,
    pub standard: StandardCjmTable,
    pub missions: BTreeMap<MissionId, MissionFacts>,
    pub people: BTreeMap<UserId, Person>,
    /// Revenue booked per mission and month.
    pub revenue: Vec<(MissionId, YearMonth, Money)>,
    pub reported: Vec<ReportedDays>,
    /// Approved leave.
    pub leave: Vec<(UserId, LeavePeriod)>,
}

/// Where an amount comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// Revenue booked to the mission in the month.
    Revenue,
    /// Days on the mission at the CJM in force (`cjm: None` = unknown).
    Work {
        days: DayQuantity,
        cjm: Option<Money>,
        version_from: Option<Date>,
    },
    /// Bench days at the CJM in force, carried by `carrier` (`None` when
    /// nobody can: no agency and no business manager).
    Bench {
        kind: BenchKind,
        days: DayQuantity,
        cjm: Option<Money>,
        version_from: Option<Date>,
        carrier: Option<BenchCarrier>,
    },
}

/// One business manager's part of a fact (`bm: None`: nobody owns it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OwnerPart {
    pub bm: Option<UserId>,
    pub revenue: Money,
    pub cost: Option<Money>,
}

/// One amount of revenue or cost, and everything it is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub month: YearMonth,
    /// `None`: bench carried by a business manager or an agency.
    pub mission: Option<MissionId>,
    pub client: Option<CompanyId>,
    pub consultant: Option<UserId>,
    pub agency: Option<AgencyId>,
    pub source: Source,
    pub revenue: Money,
    /// `None`: unknown.
    pub cost: Option<Money>,
    /// The business managers' parts, adding up to `revenue` and `cost`.
    pub owners: Vec<OwnerPart>,
}

/// The day's CJM for a person as the viewer may see it.
fn cjm_of(inputs: &Inputs, person: Option<&Person>, version_from: Option<Date>) -> Option<Money> {
    let e = person?.employee.as_ref()?;
    margin_cjm_on(
        inputs.settings,
        &e.versions,
        version_from?,
        inputs.basis,
        e.grade.as_ref(),
        &inputs.standard,
    )
}

/// Each owner's weight in a mission's month: the sum of his shares (basis
/// points) over the days of the month the portfolio covers. A month no
/// period covers goes whole to the nearest owner; no period at all, to
/// nobody.
/// Owners (or nobody) and their weights.
type Weights = Vec<(Option<UserId>, u64)>;

fn owner_weights(mission: Option<&MissionFacts>, month: YearMonth) -> Weights {
    let Some(m) = mission else {
        return vec![(None, 1)];
    };
    let mut w: BTreeMap<UserId, u64> = BTreeMap::new();
    for day in month.days() {
        for (bm, share) in portfolio::owners_on(&m.portfolio, day) {
            *w.entry(bm).or_default() += u64::from(share.basis_points());
        }
    }
    if w.is_empty() {
        return vec![(portfolio::shown_owner(&m.portfolio, month.last_day()), 1)];
    }
    w.into_iter().map(|(bm, w)| (Some(bm), w)).collect()
}

fn split(weights: &[(Option<UserId>, u64)], revenue: Money, cost: Option<Money>) -> Vec<OwnerPart> {
    let ws: Vec<u64> = weights.iter().map(|(_, w)| *w).collect();
    let revs = apportion(revenue, &ws).expect("owner weights are positive");
    let costs: Vec<Option<Money>> = match cost {
        Some(c) => apportion(c, &ws)
            .expect("owner weights are positive")
            .into_iter()
            .map(Some)
            .collect(),
        None => vec![None; ws.len()],
    };
    weights
        .iter()
        .zip(revs)
        .zip(costs)
        .map(|(((bm, _), revenue), cost)| OwnerPart {
            bm: *bm,
            revenue,
            cost,
        })
        .collect()
}

/// The owners a consultant's bench goes to under the default rule: his
/// manager on the employee record, else the owners of his latest mission
/// begun by the month's end (on its last day, else its nearest owner).
fn bench_owners(
    inputs: &Inputs,
    consultant: UserId,
    month: YearMonth,
) -> Vec<(UserId, Percentage)> {
    if let Some(m) = inputs
        .people
        .get(&consultant)
        .and_then(|p| p.employee.as_ref())
        .and_then(|e| e.manager_id)
    {
        return vec![(m, Percentage::HUNDRED)];
    }
    let last = inputs
        .missions
        .values()
        .filter(|m| m.consultant_id == consultant && m.start <= month.last_day())
        .max_by_key(|m| m.start);
    let Some(mission) = last else {
        return Vec::new();
    };
    let owners = portfolio::owners_on(&mission.portfolio, month.last_day());
    if !owners.is_empty() {
        return owners;
    }
    portfolio::shown_owner(&mission.portfolio, month.last_day())
        .map(|bm| vec![(bm, Percentage::HUNDRED)])
        .unwrap_or_default()
}

/// The working days of a month over with no validated report, less
/// approved leave, within the employment dates, in half days, grouped by
/// the cost version in force.
fn days_without_report(
    person: &Person,
    employee: &EmployeeFacts,
    leave: &BTreeSet<(Date, Half)>,
    month: YearMonth,
) -> BTreeMap<Option<Date>, u32> {
    let mut out: BTreeMap<Option<Date>, u32> = BTreeMap::new();
    for day in person.pattern.working_days(month) {
        if day < employee.hire || employee.exit.is_some_and(|x| day > x) {
            continue;
        }
        let halves = Half::BOTH
            .iter()
            .filter(|h| !leave.contains(&(day, **h)))
            .count() as u32;
        if halves > 0 {
            let v = version_on(&employee.versions, day).map(|v| v.effective_from);
            *out.entry(v).or_default() += halves;
        }
    }
    out
}

/// Every fact of the months `inputs.from` to `inputs.to`.
pub fn compute(inputs: &Inputs) -> Vec<Fact> {
    let months: Vec<YearMonth> = {
        let mut v = Vec::new();
        let mut m = inputs.from;
        while m <= inputs.to {
            v.push(m);
            m = m.next();
        }
        v
    };
    let in_range = |m: YearMonth| inputs.from <= m && m <= inputs.to;
    let agency_of = |who: UserId| {
        inputs
            .people
            .get(&who)
            .and_then(|p| p.employee.as_ref())
            .map(|e| e.agency_id)
    };
    let mut weights: BTreeMap<(MissionId, YearMonth), Weights> = BTreeMap::new();
    let mut weights_of = |mission: MissionId, month: YearMonth| {
        weights
            .entry((mission, month))
            .or_insert_with(|| owner_weights(inputs.missions.get(&mission), month))
            .clone()
    };
    let mut facts = Vec::new();

    for &(mission, month, amount) in &inputs.revenue {
        if !in_range(month) {
            continue;
        }
        let m = inputs.missions.get(&mission);
        facts.push(Fact {
            month,
            mission: Some(mission),
            client: m.map(|m| m.client_id),
            consultant: m.map(|m| m.consultant_id),
            agency: m.and_then(|m| agency_of(m.consultant_id)),
            source: Source::Revenue,
            revenue: amount,
            cost: Some(Money::ZERO),
            owners: split(&weights_of(mission, month), amount, Some(Money::ZERO)),
        });
    }

    // Days per (mission, month) of each agency, for the spread rule.
    let mut agency_days: BTreeMap<(Option<AgencyId>, YearMonth), BTreeMap<MissionId, u32>> =
        BTreeMap::new();
    let mut validated: BTreeSet<(UserId, YearMonth)> = BTreeSet::new();
    // Bench days to allocate: (consultant, month, kind, version) → half days.
    let mut bench: BTreeMap<(UserId, YearMonth, BenchKind, Option<Date>), u32> = BTreeMap::new();
    for r in &inputs.reported {
        validated.insert((r.consultant, r.month));
        if !in_range(r.month) {
            continue;
        }
        let kind = match r.spent {
            Spent::Mission(mission) => {
                let person = inputs.people.get(&r.consultant);
                let cjm = cjm_of(inputs, person, r.version_from);
                let cost = cjm.map(|c| days_cost(c, r.days));
                let m = inputs.missions.get(&mission);
                *agency_days
                    .entry((agency_of(r.consultant), r.month))
                    .or_default()
                    .entry(mission)
                    .or_default() += r.days.half_days();
                facts.push(Fact {
                    month: r.month,
                    mission: Some(mission),
                    client: m.map(|m| m.client_id),
                    consultant: Some(r.consultant),
                    agency: agency_of(r.consultant),
                    source: Source::Work {
                        days: r.days,
                        cjm,
                        version_from: r.version_from,
                    },
                    revenue: Money::ZERO,
                    cost,
                    owners: split(&weights_of(mission, r.month), Money::ZERO, cost),
                });
                continue;
            }
            Spent::Leave => continue,
            Spent::Bench => BenchKind::Bench,
            Spent::Training => BenchKind::Training,
            Spent::Internal => BenchKind::Internal,
            Spent::PreSales => BenchKind::PreSales,
        };
        *bench
            .entry((r.consultant, r.month, kind, r.version_from))
            .or_default() += r.days.half_days();
    }

    // Days with no report, in months that are over.
    let mut leave: BTreeMap<UserId, BTreeSet<(Date, Half)>> = BTreeMap::new();
    for (who, period) in &inputs.leave {
        if let Some(p) = inputs.people.get(who) {
            leave
                .entry(*who)
                .or_default()
                .extend(period.halves(p.pattern));
        }
    }
    let empty = BTreeSet::new();
    for (&who, person) in &inputs.people {
        let Some(employee) = person.employee.as_ref().filter(|_| person.reports) else {
            continue;
        };
        for &month in &months {
            let inferred = month < inputs.current_month
                && inputs.first_report_month.is_some_and(|f| month >= f)
                && !validated.contains(&(who, month));
            if !inferred {
                continue;
            }
            let leave = leave.get(&who).unwrap_or(&empty);
            for (v, halves) in days_without_report(person, employee, leave, month) {
                *bench
                    .entry((who, month, BenchKind::NoReport, v))
                    .or_default() += halves;
            }
        }
    }

    for ((who, month, kind, version_from), halves) in bench {
        let days = DayQuantity::from_half_days(halves);
        let person = inputs.people.get(&who);
        let cjm = cjm_of(inputs, person, version_from);
        let cost = cjm.map(|c| days_cost(c, days));
        let agency = agency_of(who);
        let base = |mission: Option<MissionId>, carrier, cost: Option<Money>, owners| Fact {
            month,
            mission,
            client: mission.and_then(|m| inputs.missions.get(&m).map(|m| m.client_id)),
            consultant: Some(who),
            agency,
            source: Source::Bench {
                kind,
                days,
                cjm,
                version_from,
                carrier,
            },
            revenue: Money::ZERO,
            cost,
            owners,
        };
        let owners = bench_owners(inputs, who, month);
        let parts: Vec<(BenchCarrier, Money)> = match (cost, agency) {
            (Some(cost), Some(agency)) => {
                let missions: Vec<(MissionId, DayQuantity)> = agency_days
                    .get(&(Some(agency), month))
                    .map(|m| {
                        m.iter()
                            .map(|(id, h)| (*id, DayQuantity::from_half_days(*h)))
                            .collect()
                    })
                    .unwrap_or_default();
                allocate_bench(inputs.bench_rule, cost, &owners, agency, &missions)
            }
            // Unknown cost or no agency: to the owners when the rule says
            // so and there are some, else as it stands.
            _ => {
                if inputs.bench_rule == BenchAllocation::ToConsultantBm && !owners.is_empty() {
                    let weights: Vec<(Option<UserId>, u64)> = owners
                        .iter()
                        .map(|(bm, s)| (Some(*bm), u64::from(s.basis_points())))
                        .collect();
                    facts.push(base(None, None, cost, split(&weights, Money::ZERO, cost)));
                } else {
                    let carrier = agency.map(BenchCarrier::Agency);
                    facts.push(base(
                        None,
                        carrier,
                        cost,
                        vec![OwnerPart {
                            bm: None,
                            revenue: Money::ZERO,
                            cost,
                        }],
                    ));
                }
                continue;
            }
        };
        // Shared between business managers: one amount, their parts.
        if let Some(&(first, _)) = parts.first()
            && parts
                .iter()
                .all(|(c, _)| matches!(c, BenchCarrier::BusinessManager(_)))
        {
            let owners = parts
                .iter()
                .map(|(c, amount)| OwnerPart {
                    bm: match c {
                        BenchCarrier::BusinessManager(bm) => Some(*bm),
                        _ => None,
                    },
                    revenue: Money::ZERO,
                    cost: Some(*amount),
                })
                .collect();
            facts.push(base(None, Some(first), cost, owners));
            continue;
        }
        for (carrier, amount) in parts {
            let (mission, owners) = match carrier {
                BenchCarrier::BusinessManager(bm) => (
                    None,
                    vec![OwnerPart {
                        bm: Some(bm),
                        revenue: Money::ZERO,
                        cost: Some(amount),
                    }],
                ),
                BenchCarrier::Agency(_) => (
                    None,
                    vec![OwnerPart {
                        bm: None,
                        revenue: Money::ZERO,
                        cost: Some(amount),
                    }],
                ),
                BenchCarrier::Mission(m) => (
                    Some(m),
                    split(&weights_of(m, month), Money::ZERO, Some(amount)),
                ),
            };
            facts.push(base(mission, Some(carrier), Some(amount), owners));
        }
    }
    facts
}

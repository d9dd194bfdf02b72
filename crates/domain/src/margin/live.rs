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
//! - **Adjustments** ("rappel"): a cost version entered with a retroactive
//!   date ([`crate::people::cost::CostVersion::retroactive_from`]) leaves
//!   the locked days it concerns at the version in force then, in their
//!   own months, which thus never change; in the version's own (landing)
//!   month, one adjustment fact per consultant and mission (or bench
//!   carrier) adds the difference: the locked days × (new CJM − old),
//!   each locked month rounded as it was ([`super::retroactive_adjustment`]),
//!   attributed as the days were (mission, account, business managers'
//!   shares of that month, agency, consultant, bench carrier). A fact of
//!   a landing month thus reads days of earlier months: [`reach_back`]
//!   says how far.
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
use super::{apportion, days_cost, retroactive_adjustment};
use crate::calendar::YearMonth;
use crate::cra::{Half, WorkPattern};
use crate::ids::{AgencyId, CompanyId, MissionId, UserId};
use crate::leave::LeavePeriod;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::people::cjm::{CjmSettings, CostBasis, StandardCjmTable, margin_cjm_on};
use crate::people::cost::{CostVersion, retroactive_version_on, version_on};
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
/// employee record), and the later version whose retroactive period
/// covers them (`adjusted_by`: its date; see [`cost_period_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedDays {
    pub consultant: UserId,
    pub month: YearMonth,
    pub spent: Spent,
    pub version_from: Option<Date>,
    pub adjusted_by: Option<Date>,
    pub days: DayQuantity,
}

/// What a day costs by: the date of the version in force (`None` before
/// the first) and of the later version whose retroactive period covers
/// the day, if any. Days are grouped by this pair.
pub type CostPeriod = (Option<Date>, Option<Date>);

/// The [`CostPeriod`] of a day.
pub fn cost_period_on(versions: &[CostVersion], day: Date) -> CostPeriod {
    (
        version_on(versions, day).map(|v| v.effective_from),
        retroactive_version_on(versions, day).map(|v| v.effective_from),
    )
}

/// Whether the cost period of a person's days may change inside `month`
/// (a version or a retroactive period starts after its first day): only
/// then must the month's days be read one by one.
pub fn cost_period_changes_in(versions: &[CostVersion], month: YearMonth) -> bool {
    let inside = |d: Date| d > month.first_day() && d <= month.last_day();
    versions
        .iter()
        .any(|v| inside(v.effective_from) || v.retroactive_from.is_some_and(inside))
}

/// The earliest month whose days the facts of `from`..`to` need: a
/// retroactive version landing in these months adjusts days of earlier
/// (locked) months. `from` when there is none.
pub fn reach_back(people: &BTreeMap<UserId, Person>, from: YearMonth, to: YearMonth) -> YearMonth {
    people
        .values()
        .filter_map(|p| p.employee.as_ref())
        .flat_map(|e| e.versions.iter())
        .filter(|v| (from..=to).contains(&YearMonth::of(v.effective_from)))
        .filter_map(|v| v.retroactive_from.map(YearMonth::of))
        .fold(from, std::cmp::min)
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
    /// A retroactive cost change booked in the version's month: `days` of
    /// locked months, from `retroactive_from` to the day before
    /// `version_from`, counted there at `old_cjm`, now at `new_cjm`
    /// (`None`: unknown). `bench`: the kind of bench those days were,
    /// `None` for days on the mission.
    Adjustment {
        bench: Option<BenchKind>,
        days: DayQuantity,
        old_cjm: Option<Money>,
        new_cjm: Option<Money>,
        version_from: Date,
        retroactive_from: Date,
        carrier: Option<BenchCarrier>,
    },
}

impl Source {
    pub const fn is_adjustment(&self) -> bool {
        matches!(self, Source::Adjustment { .. })
    }
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
) -> BTreeMap<CostPeriod, u32> {
    let mut out: BTreeMap<CostPeriod, u32> = BTreeMap::new();
    for day in person.pattern.working_days(month) {
        if day < employee.hire || employee.exit.is_some_and(|x| day > x) {
            continue;
        }
        let halves = Half::BOTH
            .iter()
            .filter(|h| !leave.contains(&(day, **h)))
            .count() as u32;
        if halves > 0 {
            *out.entry(cost_period_on(&employee.versions, day))
                .or_default() += halves;
        }
    }
    out
}

/// A part of a cost and where it goes: the mission (if a mission carries
/// it), the bench carrier, the amount and the business managers' parts.
struct Piece {
    mission: Option<MissionId>,
    carrier: Option<BenchCarrier>,
    cost: Option<Money>,
    owners: Vec<OwnerPart>,
}

/// The old and new CJM of days a retroactive version adjusts, as the
/// viewer may see them; `None` when they are the same. Under the grade's
/// standard (salaries hidden), a salary change leaves the standard as it
/// was: nothing to adjust, and no line either, since an adjustment of
/// zero would itself tell a business manager that someone's pay changed.
/// A freelancer's buy rate, used as it is under that basis, is adjusted
/// as under the personal one. (The grade is not dated: a change of grade
/// cannot be back-dated, hence never adjusts.)
fn adjustment_cjms(
    inputs: &Inputs,
    person: Option<&Person>,
    old_from: Option<Date>,
    new_from: Date,
) -> Option<(Option<Money>, Option<Money>)> {
    let old = cjm_of(inputs, person, old_from);
    let new = cjm_of(inputs, person, Some(new_from));
    (old != new).then_some((old, new))
}

/// The kind of bench of a day spent off missions; `None` for a mission
/// or leave.
fn bench_kind(spent: Spent) -> Option<BenchKind> {
    match spent {
        Spent::Bench => Some(BenchKind::Bench),
        Spent::Training => Some(BenchKind::Training),
        Spent::Internal => Some(BenchKind::Internal),
        Spent::PreSales => Some(BenchKind::PreSales),
        Spent::Mission(_) | Spent::Leave => None,
    }
}

/// The adjustment of `days` from `old` to `new`: unknown if either is.
fn adjustment_amount(cjms: (Option<Money>, Option<Money>), days: DayQuantity) -> Option<Money> {
    match cjms {
        (Some(old), Some(new)) => Some(retroactive_adjustment(old, new, days)),
        _ => None,
    }
}

fn add_cost(a: Option<Money>, b: Option<Money>) -> Option<Money> {
    Some(a? + b?)
}

/// The adjustments of a landing month being gathered, one per consultant,
/// version, what the days were (mission work or a kind of bench) and where
/// they went.
type AdjustmentKey = (
    UserId,
    Date,
    Option<BenchKind>,
    Option<MissionId>,
    Option<BenchCarrier>,
);

struct Adjustment {
    client: Option<CompanyId>,
    agency: Option<AgencyId>,
    half_days: u32,
    cjms: (Option<Money>, Option<Money>),
    retroactive_from: Date,
    cost: Option<Money>,
    owners: Vec<OwnerPart>,
}

#[allow(clippy::too_many_arguments)]
fn gather(
    adjustments: &mut BTreeMap<AdjustmentKey, Adjustment>,
    inputs: &Inputs,
    who: UserId,
    version: Date,
    bench: Option<BenchKind>,
    days: DayQuantity,
    cjms: (Option<Money>, Option<Money>),
    agency: Option<AgencyId>,
    piece: Piece,
) {
    let retroactive_from = inputs
        .people
        .get(&who)
        .and_then(|p| p.employee.as_ref())
        .and_then(|e| e.versions.iter().find(|v| v.effective_from == version))
        .and_then(|v| v.retroactive_from)
        .unwrap_or(version);
    let a = adjustments
        .entry((who, version, bench, piece.mission, piece.carrier))
        .or_insert_with(|| Adjustment {
            client: piece
                .mission
                .and_then(|m| inputs.missions.get(&m).map(|m| m.client_id)),
            agency,
            half_days: 0,
            cjms,
            retroactive_from,
            cost: Some(Money::ZERO),
            owners: Vec::new(),
        });
    a.half_days += days.half_days();
    a.cost = add_cost(a.cost, piece.cost);
    for part in piece.owners {
        match a.owners.iter_mut().find(|o| o.bm == part.bm) {
            Some(o) => o.cost = add_cost(o.cost, part.cost),
            None => a.owners.push(part),
        }
    }
}

/// Where a consultant's bench cost of a month goes, as the firm's rule
/// says: one piece per carrier (or one shared between business managers).
fn bench_pieces(
    inputs: &Inputs,
    who: UserId,
    month: YearMonth,
    cost: Option<Money>,
    agency: Option<AgencyId>,
    agency_days: &BTreeMap<(Option<AgencyId>, YearMonth), BTreeMap<MissionId, u32>>,
    weights_of: &mut impl FnMut(MissionId, YearMonth) -> Weights,
) -> Vec<Piece> {
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
                return vec![Piece {
                    mission: None,
                    carrier: None,
                    cost,
                    owners: split(&weights, Money::ZERO, cost),
                }];
            }
            return vec![Piece {
                mission: None,
                carrier: agency.map(BenchCarrier::Agency),
                cost,
                owners: vec![OwnerPart {
                    bm: None,
                    revenue: Money::ZERO,
                    cost,
                }],
            }];
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
        return vec![Piece {
            mission: None,
            carrier: Some(first),
            cost,
            owners,
        }];
    }
    parts
        .into_iter()
        .map(|(carrier, amount)| {
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
            Piece {
                mission,
                carrier: Some(carrier),
                cost: Some(amount),
                owners,
            }
        })
        .collect()
}

/// Every fact of the months `inputs.from` to `inputs.to`. The reported
/// days and leave must cover [`reach_back`]`..to`: the months before
/// `from` are computed only for the adjustments they bring.
pub fn compute(inputs: &Inputs) -> Vec<Fact> {
    let reach = reach_back(&inputs.people, inputs.from, inputs.to);
    let months: Vec<YearMonth> = {
        let mut v = Vec::new();
        let mut m = reach;
        while m <= inputs.to {
            v.push(m);
            m = m.next();
        }
        v
    };
    let in_range = |m: YearMonth| inputs.from <= m && m <= inputs.to;
    let in_reach = |m: YearMonth| reach <= m && m <= inputs.to;
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
    let mut adjustments: BTreeMap<AdjustmentKey, Adjustment> = BTreeMap::new();

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
    // Bench days to allocate: (consultant, month, kind, version) → half
    // days; those a later version adjusts, by that version too.
    let mut bench: BTreeMap<(UserId, YearMonth, BenchKind, Option<Date>), u32> = BTreeMap::new();
    type AdjustedKey = (UserId, YearMonth, BenchKind, Option<Date>, Date);
    let mut bench_adjusted: BTreeMap<AdjustedKey, u32> = BTreeMap::new();
    // A month's own figures count its days as they always did, whatever
    // retroactive period splits them: each group rounded once, so that a
    // locked month never changes by a cent when a back-dated version is
    // entered. The split serves only the adjustments.
    let mut merged: Vec<ReportedDays> = Vec::with_capacity(inputs.reported.len());
    {
        let mut index: BTreeMap<(UserId, YearMonth, Spent, Option<Date>), usize> = BTreeMap::new();
        for r in &inputs.reported {
            validated.insert((r.consultant, r.month));
            if !in_reach(r.month) {
                continue;
            }
            if let Some(version) = r.adjusted_by {
                let person = inputs.people.get(&r.consultant);
                match r.spent {
                    Spent::Mission(mission) => {
                        if let Some(cjms) = adjustment_cjms(inputs, person, r.version_from, version)
                        {
                            let amount = adjustment_amount(cjms, r.days);
                            gather(
                                &mut adjustments,
                                inputs,
                                r.consultant,
                                version,
                                None,
                                r.days,
                                cjms,
                                agency_of(r.consultant),
                                Piece {
                                    mission: Some(mission),
                                    carrier: None,
                                    cost: amount,
                                    owners: split(
                                        &weights_of(mission, r.month),
                                        Money::ZERO,
                                        amount,
                                    ),
                                },
                            );
                        }
                    }
                    Spent::Leave => {}
                    other => {
                        let kind = bench_kind(other).expect("not a mission nor leave");
                        *bench_adjusted
                            .entry((r.consultant, r.month, kind, r.version_from, version))
                            .or_default() += r.days.half_days();
                    }
                }
            }
            let key = (r.consultant, r.month, r.spent, r.version_from);
            match index.get(&key) {
                Some(&i) => {
                    merged[i].days =
                        DayQuantity::from_half_days(merged[i].days.half_days() + r.days.half_days())
                }
                None => {
                    index.insert(key, merged.len());
                    merged.push(ReportedDays {
                        adjusted_by: None,
                        ..r.clone()
                    });
                }
            }
        }
    }
    for r in &merged {
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
            other => bench_kind(other).expect("not a mission nor leave"),
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
            for ((v, adjusted_by), halves) in days_without_report(person, employee, leave, month) {
                *bench
                    .entry((who, month, BenchKind::NoReport, v))
                    .or_default() += halves;
                if let Some(version) = adjusted_by {
                    *bench_adjusted
                        .entry((who, month, BenchKind::NoReport, v, version))
                        .or_default() += halves;
                }
            }
        }
    }

    for ((who, month, kind, version_from), halves) in bench {
        let days = DayQuantity::from_half_days(halves);
        let person = inputs.people.get(&who);
        let cjm = cjm_of(inputs, person, version_from);
        let cost = cjm.map(|c| days_cost(c, days));
        let agency = agency_of(who);
        for piece in bench_pieces(
            inputs,
            who,
            month,
            cost,
            agency,
            &agency_days,
            &mut weights_of,
        ) {
            facts.push(Fact {
                month,
                mission: piece.mission,
                client: piece
                    .mission
                    .and_then(|m| inputs.missions.get(&m).map(|m| m.client_id)),
                consultant: Some(who),
                agency,
                source: Source::Bench {
                    kind,
                    days,
                    cjm,
                    version_from,
                    carrier: piece.carrier,
                },
                revenue: Money::ZERO,
                cost: piece.cost,
                owners: piece.owners,
            });
        }
    }
    // The adjustment of bench days goes where their cost went, by the same
    // rule and that month's owners and missions.
    for ((who, month, kind, version_from, version), halves) in bench_adjusted {
        let days = DayQuantity::from_half_days(halves);
        let person = inputs.people.get(&who);
        let agency = agency_of(who);
        if let Some(cjms) = adjustment_cjms(inputs, person, version_from, version) {
            let amount = adjustment_amount(cjms, days);
            for piece in bench_pieces(
                inputs,
                who,
                month,
                amount,
                agency,
                &agency_days,
                &mut weights_of,
            ) {
                gather(
                    &mut adjustments,
                    inputs,
                    who,
                    version,
                    Some(kind),
                    days,
                    cjms,
                    agency,
                    piece,
                );
            }
        }
    }

    for ((who, version, bench, mission, carrier), a) in adjustments {
        let (old_cjm, new_cjm) = a.cjms;
        facts.push(Fact {
            month: YearMonth::of(version),
            mission,
            client: a.client,
            consultant: Some(who),
            agency: a.agency,
            source: Source::Adjustment {
                bench,
                days: DayQuantity::from_half_days(a.half_days),
                old_cjm,
                new_cjm,
                version_from: version,
                retroactive_from: a.retroactive_from,
                carrier,
            },
            revenue: Money::ZERO,
            cost: a.cost,
            owners: a.owners,
        });
    }
    facts.retain(|f| in_range(f.month));
    facts
}

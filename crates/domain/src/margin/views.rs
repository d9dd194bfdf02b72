//! The margin tables: the facts of [`super::live`] added up by mission,
//! account, business manager, agency or consultant, and by month.
//!
//! Each view adds every fact once (the business managers' view adds each
//! fact's parts, which add up to it), so the grand totals of all views
//! agree to the cent. Facts without a mission (bench carried by a business
//! manager or an agency) show on the mission and account views as one
//! "bench" row; facts of nobody's on the business managers' and agencies'
//! views as an "unassigned" row. A total with any unknown cost has an
//! unknown cost and margin. Adjustments of locked months count in the
//! cost of their (landing) month like any cost, and are also counted
//! apart ([`Totals::adjustment`]) so a month that carries one can say so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::live::Fact;
use super::{MarginRate, margin_rate};
use crate::calendar::YearMonth;
use crate::ids::{AgencyId, CompanyId, MissionId, UserId};
use crate::money::Money;

/// What a table is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    #[default]
    Mission,
    Account,
    Bm,
    Agency,
    Consultant,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Mission,
        Dimension::Account,
        Dimension::Bm,
        Dimension::Agency,
        Dimension::Consultant,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Mission => "mission",
            Dimension::Account => "account",
            Dimension::Bm => "bm",
            Dimension::Agency => "agency",
            Dimension::Consultant => "consultant",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A row of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RowKey {
    Mission(MissionId),
    Account(CompanyId),
    Bm(UserId),
    Agency(AgencyId),
    Consultant(UserId),
    /// Bench carried outside any mission (mission and account views).
    Bench,
    /// Nobody's (business managers, agencies, consultants views).
    Unassigned,
}

/// Summed figures. The cost is known only when every fact summed had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub revenue: Money,
    /// The sum of the known costs.
    pub known_cost: Money,
    /// How many amounts of unknown cost were summed.
    pub unknown: u32,
    /// How many of the amounts were adjustments of locked months
    /// ([`super::live::Source::Adjustment`]), and their known cost,
    /// already inside `known_cost`: a month that carries one says so.
    pub adjustments: u32,
    pub adjustment_cost: Money,
}

impl Totals {
    pub fn add(&mut self, revenue: Money, cost: Option<Money>) {
        self.revenue += revenue;
        match cost {
            Some(c) => self.known_cost += c,
            None => self.unknown += 1,
        }
    }

    /// Adds an adjustment's part: counted in the cost as any other.
    pub fn add_adjustment(&mut self, cost: Option<Money>) {
        self.add(Money::ZERO, cost);
        self.adjustments += 1;
        self.adjustment_cost += cost.unwrap_or(Money::ZERO);
    }

    pub fn merge(&mut self, other: &Totals) {
        self.revenue += other.revenue;
        self.known_cost += other.known_cost;
        self.unknown += other.unknown;
        self.adjustments += other.adjustments;
        self.adjustment_cost += other.adjustment_cost;
    }

    /// The adjustments' cost, when there is any adjustment.
    pub fn adjustment(&self) -> Option<Money> {
        (self.adjustments > 0).then_some(self.adjustment_cost)
    }

    pub fn cost(&self) -> Option<Money> {
        (self.unknown == 0).then_some(self.known_cost)
    }

    pub fn margin(&self) -> Option<Money> {
        self.cost().map(|c| super::margin(self.revenue, c))
    }

    pub fn rate(&self) -> Option<MarginRate> {
        self.margin().and_then(|m| margin_rate(m, self.revenue))
    }
}

/// The rows of one dimension over the months `from` to `to`.
pub fn by(
    facts: &[Fact],
    dim: Dimension,
    from: YearMonth,
    to: YearMonth,
) -> BTreeMap<RowKey, Totals> {
    let mut out: BTreeMap<RowKey, Totals> = BTreeMap::new();
    let add = |t: &mut Totals, f: &Fact, revenue: Money, cost: Option<Money>| {
        if f.source.is_adjustment() {
            t.add_adjustment(cost);
        } else {
            t.add(revenue, cost);
        }
    };
    for f in facts.iter().filter(|f| from <= f.month && f.month <= to) {
        if dim == Dimension::Bm {
            for p in &f.owners {
                let key = p.bm.map_or(RowKey::Unassigned, RowKey::Bm);
                add(out.entry(key).or_default(), f, p.revenue, p.cost);
            }
            continue;
        }
        let key = match dim {
            Dimension::Mission => f.mission.map_or(RowKey::Bench, RowKey::Mission),
            Dimension::Account => f.client.map_or(RowKey::Bench, RowKey::Account),
            Dimension::Agency => f.agency.map_or(RowKey::Unassigned, RowKey::Agency),
            Dimension::Consultant => f.consultant.map_or(RowKey::Unassigned, RowKey::Consultant),
            Dimension::Bm => unreachable!("handled above"),
        };
        add(out.entry(key).or_default(), f, f.revenue, f.cost);
    }
    out
}

/// One row's figures (or, with `row: None`, the whole table's) month by
/// month from `from` to `to`, months without facts included.
pub fn monthly(
    facts: &[Fact],
    dim: Dimension,
    row: Option<RowKey>,
    from: YearMonth,
    to: YearMonth,
) -> Vec<(YearMonth, Totals)> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        let rows = by(facts, dim, m, m);
        let t = match row {
            Some(k) => rows.get(&k).copied().unwrap_or_default(),
            None => total(&rows),
        };
        out.push((m, t));
        m = m.next();
    }
    out
}

pub fn total(rows: &BTreeMap<RowKey, Totals>) -> Totals {
    let mut t = Totals::default();
    for r in rows.values() {
        t.merge(r);
    }
    t
}

/// The facts behind one row of a table, for its drill-down.
pub fn facts_of(
    facts: &[Fact],
    dim: Dimension,
    row: RowKey,
    from: YearMonth,
    to: YearMonth,
) -> Vec<Fact> {
    facts
        .iter()
        .filter(|f| from <= f.month && f.month <= to)
        .filter(|f| match (dim, row) {
            (Dimension::Mission, RowKey::Mission(m)) => f.mission == Some(m),
            (Dimension::Mission | Dimension::Account, RowKey::Bench) => f.mission.is_none(),
            (Dimension::Account, RowKey::Account(c)) => f.client == Some(c),
            (Dimension::Agency, RowKey::Agency(a)) => f.agency == Some(a),
            (Dimension::Agency, RowKey::Unassigned) => f.agency.is_none(),
            (Dimension::Consultant, RowKey::Consultant(c)) => f.consultant == Some(c),
            (Dimension::Consultant, RowKey::Unassigned) => f.consultant.is_none(),
            (Dimension::Bm, RowKey::Bm(b)) => f.owners.iter().any(|p| p.bm == Some(b)),
            (Dimension::Bm, RowKey::Unassigned) => f.owners.iter().any(|p| p.bm.is_none()),
            _ => false,
        })
        .cloned()
        .collect()
}

/// A fact's figures as they count in a row: the business manager's part
/// on his view, the whole fact elsewhere.
pub fn part_in(f: &Fact, dim: Dimension, row: RowKey) -> (Money, Option<Money>) {
    match (dim, row) {
        (Dimension::Bm, RowKey::Bm(_) | RowKey::Unassigned) => {
            let bm = match row {
                RowKey::Bm(b) => Some(b),
                _ => None,
            };
            let mut t = Totals::default();
            for p in f.owners.iter().filter(|p| p.bm == bm) {
                t.add(p.revenue, p.cost);
            }
            (t.revenue, t.cost())
        }
        _ => (f.revenue, f.cost),
    }
}

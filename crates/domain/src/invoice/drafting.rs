//! Drafting: which manager-validated half days go onto which invoice, and
//! on which line at which rate.
//!
//! - One invoice gathers a group: the days of one mission, or of every
//!   mission of a client contract that bills them together
//!   ([`InvoiceGroup::of`]).
//! - A day is billed at most once: a half day of a consultant already on a
//!   line (and not credited) is never drafted again, and a half day is put
//!   on one line only ([`draft`]). The database's guard row of each
//!   consultant's month (the union of his billed half days, see
//!   [`super::billed`]) stays as a second guard.
//! - One line per mission and rate period of the month: the days before an
//!   amendment at the old rate, the days from it at the new one; the line
//!   bills exactly its days × its rate, in the words of [`wording`].
//! - The invoice waits for a signature when the key-account lock holds for
//!   one of the group's missions ([`crate::contract::invoice_waits`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::{InvoiceLine, wording};
use crate::calendar::YearMonth;
use crate::contract::{InvoiceGrouping, KeyAccountFacts, invoice_waits};
use crate::cra::Half;
use crate::ids::{ContractId, CraId, MissionId, UserId};
use crate::mission::DayQuantity;
use crate::rates::RateSchedule;
use crate::terms::VatRate;
use crate::validation::ErrorKey;

/// What one invoice gathers: the days of one mission, or of every mission
/// of a client contract that bills them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InvoiceGroup {
    Mission(MissionId),
    Contract(ContractId),
}

impl InvoiceGroup {
    /// The group of a mission's invoices: its contract's when the contract
    /// puts its missions on one invoice, its own otherwise (no contract, or
    /// one invoice per mission).
    pub fn of(
        mission: MissionId,
        contract: Option<ContractId>,
        grouping: Option<InvoiceGrouping>,
    ) -> InvoiceGroup {
        match (contract, grouping) {
            (Some(k), Some(InvoiceGrouping::PerContract)) => InvoiceGroup::Contract(k),
            _ => InvoiceGroup::Mission(mission),
        }
    }
}

/// One billed half day of a consultant: a bit of his month's guard mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BilledDay {
    pub consultant_id: UserId,
    pub day: Date,
    pub half: Half,
}

/// A mission as drafting needs it.
#[derive(Debug, Clone)]
pub struct DraftMission {
    pub id: MissionId,
    pub consultant_name: String,
    pub vat_rate: VatRate,
    /// Its rates from its start to its current end, amendments applied.
    pub schedule: RateSchedule,
    pub lock: KeyAccountFacts,
}

/// One mission half day of a manager-validated report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkedHalf {
    pub consultant: UserId,
    pub cra: CraId,
    pub mission: MissionId,
    pub day: Date,
    pub half: Half,
}

impl WorkedHalf {
    pub fn billed_day(&self) -> BilledDay {
        BilledDay {
            consultant_id: self.consultant,
            day: self.day,
            half: self.half,
        }
    }
}

/// A line to add, with the half days it bills (in date order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub mission: MissionId,
    pub line: InvoiceLine,
    /// First and last day billed.
    pub from: Date,
    pub to: Date,
    pub days: Vec<WorkedHalf>,
}

/// What drafting a group's month adds to its open invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInvoice {
    pub lines: Vec<DraftLine>,
    /// The key-account lock holds: the invoice waits for a signature.
    pub waiting_signature: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    /// A validated day outside every rate period: the mission's dates
    /// moved after validation. Refused rather than lost.
    #[error("a validated day falls outside the mission's rate periods")]
    DaysWithoutRate,
}

impl ErrorKey for DraftError {
    fn key(&self) -> &'static str {
        match self {
            DraftError::DaysWithoutRate => "invoice-days-without-rate",
        }
    }
}

/// The worked half days not billed yet, in (mission, day, half) order,
/// each consultant's half day once.
pub fn unbilled(worked: &[WorkedHalf], billed: &BTreeSet<BilledDay>) -> Vec<WorkedHalf> {
    let mut sorted = worked.to_vec();
    sorted.sort_by_key(|w| (w.mission, w.day, w.half, w.consultant, w.cra));
    let mut taken = BTreeSet::new();
    sorted
        .into_iter()
        .filter(|w| !billed.contains(&w.billed_day()) && taken.insert(w.billed_day()))
        .collect()
}

/// Drafts a group's `month`: the `worked` half days of its `missions` not
/// in `billed` become one line per mission (in the order given) and rate
/// period. `None` when nothing is left to bill. Worked days of a mission
/// not in `missions` are not drafted.
pub fn draft(
    month: YearMonth,
    missions: &[DraftMission],
    worked: &[WorkedHalf],
    billed: &BTreeSet<BilledDay>,
) -> Result<Option<DraftInvoice>, DraftError> {
    let todo = unbilled(worked, billed);
    if todo.is_empty() {
        return Ok(None);
    }
    let mut lines = Vec::new();
    for m in missions {
        let mine: Vec<&WorkedHalf> = todo.iter().filter(|w| w.mission == m.id).collect();
        if mine.is_empty() {
            continue;
        }
        let mut placed = 0;
        for p in m.schedule.periods(month.first_day(), month.last_day()) {
            let days: Vec<WorkedHalf> = mine
                .iter()
                .filter(|w| p.from <= w.day && w.day <= p.to)
                .map(|w| **w)
                .collect();
            let (Some(first), Some(last)) = (days.first(), days.last()) else {
                continue;
            };
            let quantity = DayQuantity::from_half_days(days.len() as u32);
            let unit_price = p.tjm.amount();
            placed += days.len();
            lines.push(DraftLine {
                mission: m.id,
                line: InvoiceLine {
                    description: wording::service_line(
                        &m.consultant_name,
                        month,
                        quantity,
                        unit_price,
                    ),
                    quantity,
                    unit_price,
                    vat_rate: m.vat_rate,
                },
                from: first.day,
                to: last.day,
                days,
            });
        }
        if placed != mine.len() {
            return Err(DraftError::DaysWithoutRate);
        }
    }
    Ok(Some(DraftInvoice {
        lines,
        waiting_signature: invoice_waits(missions.iter().map(|m| m.lock)),
    }))
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::contract::ContractStatus;
    use crate::mission::Tjm;
    use crate::money::Money;
    use crate::rates::Amendment;
    use proptest::prelude::*;
    use time::macros::date;

    fn november() -> YearMonth {
        YearMonth::parse("2026-11").unwrap()
    }

    fn uuid(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    fn mission(n: u128, name: &str, tjm_cents: i64) -> DraftMission {
        DraftMission {
            id: MissionId(uuid(n)),
            consultant_name: name.to_owned(),
            vat_rate: VatRate::from_basis_points(2000).unwrap(),
            schedule: RateSchedule::new(
                date!(2026 - 01 - 01),
                date!(2027 - 12 - 31),
                Tjm::from_cents(tjm_cents).unwrap(),
            ),
            lock: KeyAccountFacts {
                invoicing_locked: false,
                contract: None,
            },
        }
    }

    fn half(m: &DraftMission, consultant: u128, day: Date, half: Half) -> WorkedHalf {
        WorkedHalf {
            consultant: UserId(uuid(consultant)),
            cra: CraId(uuid(consultant + 1000)),
            mission: m.id,
            day,
            half,
        }
    }

    fn whole_days(m: &DraftMission, consultant: u128, days: &[Date]) -> Vec<WorkedHalf> {
        days.iter()
            .flat_map(|d| Half::BOTH.map(|h| half(m, consultant, *d, h)))
            .collect()
    }

    #[test]
    fn a_month_at_one_rate_is_one_line() {
        let m = mission(1, "Camille Martin", 600_00);
        let days: Vec<Date> = (2..=6)
            .map(|d| date!(2026 - 11 - 01).replace_day(d).unwrap())
            .collect();
        let worked = whole_days(&m, 7, &days);
        let d = draft(november(), &[m], &worked, &BTreeSet::new())
            .unwrap()
            .unwrap();
        assert_eq!(d.lines.len(), 1);
        let l = &d.lines[0];
        assert_eq!(
            l.line.description,
            "Prestation de Camille Martin — novembre 2026 — 5 j × 600,00\u{a0}€"
        );
        assert_eq!(l.line.net(), Money::from_cents(3000_00));
        assert_eq!(
            (l.from, l.to),
            (date!(2026 - 11 - 02), date!(2026 - 11 - 06))
        );
        assert_eq!(l.days.len(), 10);
        assert!(!d.waiting_signature);
    }

    #[test]
    fn an_amendment_in_the_month_cuts_the_line_at_its_date() {
        let mut m = mission(1, "Camille Martin", 600_00);
        m.schedule
            .apply(&Amendment {
                effective_from: date!(2026 - 11 - 16),
                new_tjm: Some(Tjm::from_cents(650_00).unwrap()),
                new_end: None,
            })
            .unwrap();
        let worked = whole_days(
            &m,
            7,
            &[
                date!(2026 - 11 - 12),
                date!(2026 - 11 - 13),
                date!(2026 - 11 - 16),
            ],
        );
        let d = draft(november(), &[m], &worked, &BTreeSet::new())
            .unwrap()
            .unwrap();
        let nets: Vec<i64> = d.lines.iter().map(|l| l.line.net().cents()).collect();
        assert_eq!(nets, [1200_00, 650_00]);
        assert_eq!(d.lines[1].from, date!(2026 - 11 - 16));
    }

    #[test]
    fn billed_days_are_not_drafted_again_and_nothing_left_is_none() {
        let m = mission(1, "Camille Martin", 600_00);
        let worked = whole_days(&m, 7, &[date!(2026 - 11 - 02), date!(2026 - 11 - 03)]);
        let billed: BTreeSet<BilledDay> = worked[..2].iter().map(WorkedHalf::billed_day).collect();
        let d = draft(november(), std::slice::from_ref(&m), &worked, &billed)
            .unwrap()
            .unwrap();
        assert_eq!(d.lines[0].days, worked[2..].to_vec());
        let all: BTreeSet<BilledDay> = worked.iter().map(WorkedHalf::billed_day).collect();
        assert_eq!(draft(november(), &[m], &worked, &all), Ok(None));
    }

    #[test]
    fn a_day_outside_the_mission_is_refused() {
        let mut m = mission(1, "Camille Martin", 600_00);
        m.schedule = RateSchedule::new(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 10),
            Tjm::from_cents(600_00).unwrap(),
        );
        let worked = whole_days(&m, 7, &[date!(2026 - 11 - 20)]);
        assert_eq!(
            draft(november(), &[m], &worked, &BTreeSet::new()),
            Err(DraftError::DaysWithoutRate)
        );
        assert_eq!(
            DraftError::DaysWithoutRate.key(),
            "invoice-days-without-rate"
        );
    }

    #[test]
    fn the_lock_of_one_mission_holds_the_whole_invoice() {
        let a = mission(1, "Camille Martin", 600_00);
        let mut b = mission(2, "Lucas Petit", 500_00);
        b.lock = KeyAccountFacts {
            invoicing_locked: true,
            contract: Some(ContractStatus::Sent),
        };
        let worked = whole_days(&a, 7, &[date!(2026 - 11 - 02)]);
        let d = draft(
            november(),
            &[a.clone(), b.clone()],
            &worked,
            &BTreeSet::new(),
        )
        .unwrap()
        .unwrap();
        assert!(d.waiting_signature);
        b.lock.contract = Some(ContractStatus::Signed);
        let d = draft(november(), &[a, b], &worked, &BTreeSet::new())
            .unwrap()
            .unwrap();
        assert!(!d.waiting_signature);
    }

    #[test]
    fn a_contract_billing_its_missions_together_is_their_group() {
        let (m, k) = (MissionId(uuid(1)), ContractId(uuid(2)));
        use InvoiceGrouping::*;
        assert_eq!(InvoiceGroup::of(m, None, None), InvoiceGroup::Mission(m));
        assert_eq!(
            InvoiceGroup::of(m, None, Some(PerContract)),
            InvoiceGroup::Mission(m)
        );
        assert_eq!(InvoiceGroup::of(m, Some(k), None), InvoiceGroup::Mission(m));
        assert_eq!(
            InvoiceGroup::of(m, Some(k), Some(PerMission)),
            InvoiceGroup::Mission(m)
        );
        assert_eq!(
            InvoiceGroup::of(m, Some(k), Some(PerContract)),
            InvoiceGroup::Contract(k)
        );
    }

    /// Two missions (one amended mid-month), two consultants, November's
    /// half days, some billed already; the input in any order.
    fn arb_case()
    -> impl Strategy<Value = (Vec<DraftMission>, Vec<WorkedHalf>, Vec<bool>, Vec<usize>)> {
        (
            1..=30u8,
            400_00..900_00i64,
            proptest::collection::vec((0..2usize, 1..=30u8, any::<bool>(), any::<bool>()), 0..60),
        )
            .prop_flat_map(|(cut, tjm, picks)| {
                let mut a = mission(1, "Camille Martin", tjm);
                a.schedule
                    .apply(&Amendment {
                        effective_from: date!(2026 - 11 - 01).replace_day(cut).unwrap(),
                        new_tjm: Some(Tjm::from_cents(tjm + 33).unwrap()),
                        new_end: None,
                    })
                    .unwrap();
                let b = mission(2, "Lucas Petit", 555_55);
                let missions = vec![a, b];
                let worked: Vec<WorkedHalf> = picks
                    .iter()
                    .map(|(who, day, pm, _)| {
                        let m = &missions[*who];
                        let h = if *pm { Half::Pm } else { Half::Am };
                        half(
                            m,
                            10 + *who as u128,
                            date!(2026 - 11 - 01).replace_day(*day).unwrap(),
                            h,
                        )
                    })
                    .collect();
                let billed: Vec<bool> = picks.iter().map(|p| p.3).collect();
                let n = worked.len();
                (
                    Just(missions),
                    Just(worked),
                    Just(billed),
                    Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                )
            })
    }

    proptest! {
        #[test]
        fn every_unbilled_day_is_billed_once_at_its_rate(
            (missions, worked, flags, order) in arb_case()
        ) {
            let billed: BTreeSet<BilledDay> = worked
                .iter()
                .zip(&flags)
                .filter(|(_, b)| **b)
                .map(|(w, _)| w.billed_day())
                .collect();
            let drafted = draft(november(), &missions, &worked, &billed).unwrap();
            let lines = drafted.as_ref().map(|d| d.lines.clone()).unwrap_or_default();
            let mut seen = BTreeSet::new();
            for l in &lines {
                // Days × rate, exactly.
                prop_assert_eq!(l.line.quantity.half_days() as usize, l.days.len());
                let m = missions.iter().find(|m| m.id == l.mission).unwrap();
                let rate = m.schedule.tjm_on(l.from).unwrap();
                prop_assert_eq!(l.line.net(), rate.for_days(DayQuantity::from_half_days(l.days.len() as u32)));
                for d in &l.days {
                    prop_assert_eq!(d.mission, l.mission);
                    prop_assert!(l.from <= d.day && d.day <= l.to);
                    prop_assert_eq!(m.schedule.tjm_on(d.day).map(|t| t.amount()), Some(l.line.unit_price));
                    // Never a day already billed, never twice.
                    prop_assert!(!billed.contains(&d.billed_day()));
                    prop_assert!(seen.insert(d.billed_day()));
                }
            }
            // Every day not billed before is billed now.
            let expected: BTreeSet<BilledDay> = worked
                .iter()
                .map(WorkedHalf::billed_day)
                .filter(|b| !billed.contains(b))
                .collect();
            prop_assert_eq!(&seen, &expected);
            prop_assert_eq!(drafted.is_none(), expected.is_empty());

            // The same days in another order make the same lines.
            let shuffled: Vec<WorkedHalf> = order.iter().map(|i| worked[*i]).collect();
            prop_assert_eq!(draft(november(), &missions, &shuffled, &billed).unwrap(), drafted.clone());

            // Drafting again once this is billed drafts nothing.
            let after: BTreeSet<BilledDay> = billed.union(&seen).copied().collect();
            prop_assert_eq!(draft(november(), &missions, &worked, &after).unwrap(), None);
        }
    }
}

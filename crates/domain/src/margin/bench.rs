//! Who carries the cost of bench time ("intercontrat"): the days a
//! salaried consultant is paid without a mission.
//!
//! Bench is a cost of the firm, not of any one mission (GLOSSARY.md), so
//! with a plain CJM it goes to a bench centre the firm chooses: the
//! consultant's business manager (who is expected to staff him), his
//! agency, or, for firms that want missions to bear it, the agency's
//! missions in proportion to their days. Whatever the rule, the parts add
//! up to the bench cost to the cent, and a rule that finds no one to carry
//! the cost (no business manager that day, no mission day in the agency)
//! falls back to the agency, so no cost is ever dropped.

use serde::{Deserialize, Serialize};

use super::apportion;
use crate::ids::{AgencyId, MissionId, UserId};
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::percent::Percentage;

/// The firm's rule for bench cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchAllocation {
    /// To the business managers owning the consultant that day, by their
    /// shares: staffing him is their job, and BM variable pay often
    /// deducts it (PAYROLL.md §3).
    #[default]
    ToConsultantBm,
    /// To the consultant's agency, as an overhead of the branch.
    ToAgency,
    /// Over the agency's missions, in proportion to their days in the
    /// period: missions absorb bench, as the bench-loaded CJM does.
    SpreadOverAgencyMissions,
}

impl BenchAllocation {
    pub const ALL: [BenchAllocation; 3] = [
        BenchAllocation::ToConsultantBm,
        BenchAllocation::ToAgency,
        BenchAllocation::SpreadOverAgencyMissions,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            BenchAllocation::ToConsultantBm => "consultant_bm",
            BenchAllocation::ToAgency => "agency",
            BenchAllocation::SpreadOverAgencyMissions => "agency_missions",
        }
    }

    pub fn parse(s: &str) -> Option<BenchAllocation> {
        BenchAllocation::ALL.into_iter().find(|b| b.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("bench-allocation-{}", self.as_str().replace('_', "-"))
    }
}

/// Where a part of the bench cost goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum BenchCarrier {
    BusinessManager(UserId),
    Agency(AgencyId),
    Mission(MissionId),
}

/// `amount` spread over items in proportion to their days, the parts
/// adding up to `amount` exactly (largest remainder, ties to the earlier
/// item). `None` when there is not a single day to spread over.
pub fn spread_by_days<K: Clone>(
    amount: Money,
    items: &[(K, DayQuantity)],
) -> Option<Vec<(K, Money)>> {
    let weights: Vec<u64> = items
        .iter()
        .map(|(_, d)| u64::from(d.half_days()))
        .collect();
    let parts = apportion(amount, &weights)?;
    Some(items.iter().map(|(k, _)| k.clone()).zip(parts).collect())
}

/// Who carries a consultant's bench cost under `rule`.
///
/// `bm_shares` are the owners of the consultant on the day (from the
/// portfolio); `agency_missions` the days of the agency's missions over
/// the period. The parts always add up to `cost`.
pub fn allocate_bench(
    rule: BenchAllocation,
    cost: Money,
    bm_shares: &[(UserId, Percentage)],
    agency: AgencyId,
    agency_missions: &[(MissionId, DayQuantity)],
) -> Vec<(BenchCarrier, Money)> {
    let to_agency = || vec![(BenchCarrier::Agency(agency), cost)];
    match rule {
        BenchAllocation::ToAgency => to_agency(),
        BenchAllocation::ToConsultantBm => match super::split_by_shares(cost, bm_shares) {
            Ok(parts) => parts
                .into_iter()
                .map(|(bm, m)| (BenchCarrier::BusinessManager(bm), m))
                .collect(),
            Err(_) => to_agency(),
        },
        BenchAllocation::SpreadOverAgencyMissions => match spread_by_days(cost, agency_missions) {
            Some(parts) => parts
                .into_iter()
                .map(|(m, a)| (BenchCarrier::Mission(m), a))
                .collect(),
            None => to_agency(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn mission(n: u128) -> MissionId {
        MissionId(Uuid::from_u128(n))
    }

    fn bm(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    const AGENCY: AgencyId = AgencyId(Uuid::from_u128(99));

    #[test]
    fn rules_have_codes_and_labels() {
        for r in BenchAllocation::ALL {
            assert_eq!(BenchAllocation::parse(r.as_str()), Some(r));
        }
        assert_eq!(BenchAllocation::parse("bm"), None);
        assert_eq!(
            BenchAllocation::SpreadOverAgencyMissions.label_key(),
            "bench-allocation-agency-missions"
        );
        assert_eq!(BenchAllocation::default(), BenchAllocation::ToConsultantBm);
    }

    #[test]
    fn three_bench_days_go_where_the_rule_says() {
        // 3 days × 331,05 € = 993,15 €.
        let cost = Money::from_cents(99_315);
        let owners = [
            (bm(1), Percentage::from_percent(70)),
            (bm(2), Percentage::from_percent(30)),
        ];
        let missions = [
            (mission(1), DayQuantity::from_days(20)),
            (mission(2), DayQuantity::from_days(18)),
            (mission(3), DayQuantity::from_days(21)),
        ];
        assert_eq!(
            allocate_bench(BenchAllocation::ToAgency, cost, &owners, AGENCY, &missions),
            vec![(BenchCarrier::Agency(AGENCY), cost)]
        );
        assert_eq!(
            allocate_bench(
                BenchAllocation::ToConsultantBm,
                cost,
                &owners,
                AGENCY,
                &missions
            ),
            vec![
                (
                    BenchCarrier::BusinessManager(bm(1)),
                    Money::from_cents(69_521)
                ),
                (
                    BenchCarrier::BusinessManager(bm(2)),
                    Money::from_cents(29_794)
                ),
            ]
        );
        // 993,15 × 20/59 = 336,661…, × 18/59 = 302,994…, × 21/59 = 353,494…:
        // the cent left over goes to the largest remainder, the second.
        let spread = allocate_bench(
            BenchAllocation::SpreadOverAgencyMissions,
            cost,
            &owners,
            AGENCY,
            &missions,
        );
        assert_eq!(
            spread,
            vec![
                (BenchCarrier::Mission(mission(1)), Money::from_cents(33_666)),
                (BenchCarrier::Mission(mission(2)), Money::from_cents(30_300)),
                (BenchCarrier::Mission(mission(3)), Money::from_cents(35_349)),
            ]
        );
        assert_eq!(spread.iter().map(|p| p.1).sum::<Money>(), cost);
    }

    #[test]
    fn nobody_to_carry_it_means_the_agency() {
        let cost = Money::from_euros(331);
        assert_eq!(
            allocate_bench(BenchAllocation::ToConsultantBm, cost, &[], AGENCY, &[]),
            vec![(BenchCarrier::Agency(AGENCY), cost)]
        );
        assert_eq!(
            allocate_bench(
                BenchAllocation::SpreadOverAgencyMissions,
                cost,
                &[],
                AGENCY,
                &[(mission(1), DayQuantity::ZERO)]
            ),
            vec![(BenchCarrier::Agency(AGENCY), cost)]
        );
    }

    proptest! {
        /// Spread pro rata of days, the parts add up to the amount.
        #[test]
        fn a_pro_rata_spread_sums_exactly(
            amount in -10_000_000_000i64..10_000_000_000,
            days in prop::collection::vec(0u32..100, 1..15)
        ) {
            let items: Vec<(usize, DayQuantity)> = days.iter().copied().map(DayQuantity::from_half_days).enumerate().collect();
            match spread_by_days(Money::from_cents(amount), &items) {
                Some(parts) => {
                    prop_assert_eq!(parts.iter().map(|p| p.1).sum::<Money>(), Money::from_cents(amount));
                    prop_assert_eq!(parts.len(), items.len());
                }
                None => prop_assert!(days.iter().all(|&d| d == 0)),
            }
        }

        /// Whatever the rule and the inputs, nothing is lost.
        #[test]
        fn bench_cost_is_never_dropped(
            amount in 0i64..10_000_000,
            rule in prop::sample::select(BenchAllocation::ALL.to_vec()),
            share in 0u32..=10_000,
            days in prop::collection::vec(0u32..40, 0..5)
        ) {
            let owners = [(bm(1), Percentage::from_basis_points(share)), (bm(2), Percentage::from_basis_points(10_000 - share))];
            let missions: Vec<(MissionId, DayQuantity)> = days.iter().enumerate().map(|(i, &d)| (mission(i as u128), DayQuantity::from_half_days(d))).collect();
            let parts = allocate_bench(rule, Money::from_cents(amount), &owners, AGENCY, &missions);
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<Money>(), Money::from_cents(amount));
        }
    }
}

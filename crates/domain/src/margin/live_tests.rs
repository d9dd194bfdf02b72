//! The live margin and its tables: the worked figures, bench and unknown
//! costs, and the sums that must agree whatever the data.

use std::collections::BTreeMap;

use proptest::prelude::*;
use time::Month;
use time::macros::date;
use uuid::Uuid;

use super::bench::{BenchAllocation, BenchCarrier};
use super::live::*;
use super::views::{Dimension, RowKey, Totals, by, facts_of, monthly, part_in, total};
use crate::calendar::YearMonth;
use crate::cra::{Half, WorkPattern};
use crate::ids::{AgencyId, CompanyId, MissionId, UserId};
use crate::leave::LeavePeriod;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::people::cjm::{CjmSettings, CostBasis, StandardCjmTable};
use crate::people::cost::tests::payroll_example;
use crate::people::cost::{CostTerms, CostVersion, FreelanceTerms, PlatformFee};
use crate::people::employee::Grade;
use crate::people::portfolio::PortfolioPeriod;
use crate::percent::Percentage;

const NOV: YearMonth = YearMonth::new(2026, Month::November);
const OCT: YearMonth = YearMonth::new(2026, Month::October);
const DEC: YearMonth = YearMonth::new(2026, Month::December);

fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}
fn mission(n: u128) -> MissionId {
    MissionId(Uuid::from_u128(1000 + n))
}
fn client(n: u128) -> CompanyId {
    CompanyId(Uuid::from_u128(2000 + n))
}
fn agency(n: u128) -> AgencyId {
    AgencyId(Uuid::from_u128(3000 + n))
}

const CAMILLE: u128 = 1;
const LUCAS: u128 = 2;
const BM: u128 = 10;
const DIRECTOR: u128 = 11;

fn camille() -> Person {
    Person {
        pattern: WorkPattern::default(),
        reports: true,
        employee: Some(EmployeeFacts {
            agency_id: agency(1),
            grade: Some(Grade::parse("Confirmé").unwrap()),
            hire: date!(2024 - 09 - 01),
            exit: None,
            manager_id: None,
            versions: vec![CostVersion {
                effective_from: date!(2024 - 09 - 01),
                retroactive_from: None,
                terms: CostTerms::Salary(payroll_example()),
            }],
        }),
    }
}

fn lucas() -> Person {
    Person {
        pattern: WorkPattern::default(),
        reports: true,
        employee: Some(EmployeeFacts {
            agency_id: agency(2),
            grade: Some(Grade::parse("Senior").unwrap()),
            hire: date!(2025 - 03 - 01),
            exit: None,
            manager_id: None,
            versions: vec![CostVersion {
                effective_from: date!(2025 - 03 - 01),
                retroactive_from: None,
                terms: CostTerms::Freelance(FreelanceTerms {
                    buy_rate: Money::from_euros(480),
                    fee: PlatformFee::None,
                }),
            }],
        }),
    }
}

fn alone(bm: u128, from: time::Date) -> Vec<PortfolioPeriod> {
    vec![PortfolioPeriod {
        bm_id: user(bm),
        from,
        to: None,
        share: Percentage::HUNDRED,
    }]
}

/// Camille at Clientis in November 2026 (20 working days at 600 €, the
/// revenue from the month's FAE), Lucas at Banque Horizon shared 70/30,
/// with a week of bench in November.
fn demo() -> Inputs {
    let mut missions = BTreeMap::new();
    missions.insert(
        mission(1),
        MissionFacts {
            client_id: client(1),
            consultant_id: user(CAMILLE),
            start: date!(2026 - 10 - 01),
            portfolio: alone(BM, date!(2026 - 10 - 01)),
        },
    );
    missions.insert(
        mission(2),
        MissionFacts {
            client_id: client(2),
            consultant_id: user(LUCAS),
            start: date!(2026 - 01 - 15),
            portfolio: vec![
                PortfolioPeriod {
                    bm_id: user(BM),
                    from: date!(2026 - 01 - 15),
                    to: None,
                    share: Percentage::from_percent(70),
                },
                PortfolioPeriod {
                    bm_id: user(DIRECTOR),
                    from: date!(2026 - 01 - 15),
                    to: None,
                    share: Percentage::from_percent(30),
                },
            ],
        },
    );
    let mut people = BTreeMap::new();
    people.insert(user(CAMILLE), camille());
    people.insert(user(LUCAS), lucas());
    Inputs {
        from: NOV,
        to: NOV,
        current_month: DEC,
        first_report_month: Some(OCT),
        settings: CjmSettings::default(),
        bench_rule: BenchAllocation::ToConsultantBm,
        basis: CostBasis::Personal,
        standard: StandardCjmTable::new(),
        missions,
        people,
        revenue: vec![
            (mission(1), NOV, Money::from_euros(12_000)),
            (mission(2), NOV, Money::from_euros(15 * 550)),
        ],
        reported: vec![
            ReportedDays {
                consultant: user(CAMILLE),
                month: NOV,
                spent: Spent::Mission(mission(1)),
                version_from: Some(date!(2024 - 09 - 01)),
                adjusted_by: None,
                days: DayQuantity::from_days(20),
            },
            ReportedDays {
                consultant: user(LUCAS),
                month: NOV,
                spent: Spent::Mission(mission(2)),
                version_from: Some(date!(2025 - 03 - 01)),
                adjusted_by: None,
                days: DayQuantity::from_days(15),
            },
            ReportedDays {
                consultant: user(LUCAS),
                month: NOV,
                spent: Spent::Bench,
                version_from: Some(date!(2025 - 03 - 01)),
                adjusted_by: None,
                days: DayQuantity::from_days(5),
            },
        ],
        leave: Vec::new(),
    }
}

#[test]
fn camilles_month_at_clientis_is_5379_euros_or_44_83_percent() {
    let facts = compute(&demo());
    let rows = by(&facts, Dimension::Mission, NOV, NOV);
    let clientis = rows[&RowKey::Mission(mission(1))];
    assert_eq!(clientis.revenue, Money::from_euros(12_000));
    assert_eq!(clientis.cost(), Some(Money::from_euros(6_621)));
    assert_eq!(clientis.margin(), Some(Money::from_euros(5_379)));
    assert_eq!(clientis.rate().unwrap().basis_points(), 4483);
    // The work line behind it: 20 days × 331,05 €.
    let lines = facts_of(
        &facts,
        Dimension::Mission,
        RowKey::Mission(mission(1)),
        NOV,
        NOV,
    );
    assert!(lines.iter().any(|f| matches!(
        f.source,
        Source::Work { days, cjm: Some(c), .. } if days == DayQuantity::from_days(20) && c == Money::from_cents(33_105)
    )));
}

#[test]
fn lucass_week_of_bench_is_valued_at_his_buy_rate_and_goes_to_his_owners() {
    let facts = compute(&demo());
    let bench: Vec<&Fact> = facts
        .iter()
        .filter(|f| matches!(f.source, Source::Bench { .. }))
        .collect();
    assert_eq!(bench.len(), 1);
    // 5 × 480 € = 2 400 €, to the owners of his mission, 70/30.
    assert_eq!(bench[0].cost, Some(Money::from_euros(2_400)));
    assert_eq!(bench[0].mission, None);
    let parts: Vec<(Option<UserId>, Option<Money>)> =
        bench[0].owners.iter().map(|p| (p.bm, p.cost)).collect();
    assert_eq!(
        parts,
        vec![
            (Some(user(BM)), Some(Money::from_euros(1_680))),
            (Some(user(DIRECTOR)), Some(Money::from_euros(720))),
        ]
    );
    let rows = by(&facts, Dimension::Mission, NOV, NOV);
    assert_eq!(rows[&RowKey::Bench].cost(), Some(Money::from_euros(2_400)));
    // To the agency instead: Lyon's row carries it.
    let mut inputs = demo();
    inputs.bench_rule = BenchAllocation::ToAgency;
    let facts = compute(&inputs);
    let b = facts
        .iter()
        .find(|f| matches!(f.source, Source::Bench { .. }))
        .unwrap();
    assert!(matches!(
        b.source,
        Source::Bench { carrier: Some(BenchCarrier::Agency(a)), .. } if a == agency(2)
    ));
    assert_eq!(
        by(&facts, Dimension::Bm, NOV, NOV)[&RowKey::Unassigned].cost(),
        Some(Money::from_euros(2_400))
    );
    // Spread over the agency's missions: Horizon carries it.
    inputs.bench_rule = BenchAllocation::SpreadOverAgencyMissions;
    let facts = compute(&inputs);
    let rows = by(&facts, Dimension::Mission, NOV, NOV);
    assert!(!rows.contains_key(&RowKey::Bench));
    assert_eq!(
        rows[&RowKey::Mission(mission(2))].cost(),
        Some(Money::from_euros(15 * 480 + 2_400))
    );
}

#[test]
fn a_month_without_a_report_is_bench_less_leave() {
    let mut inputs = demo();
    inputs.from = OCT;
    inputs.reported.retain(|r| r.consultant == user(CAMILLE));
    inputs.leave = vec![(
        user(LUCAS),
        LeavePeriod {
            start: date!(2026 - 10 - 05),
            start_half: Half::Am,
            end: date!(2026 - 10 - 05),
            end_half: Half::Pm,
        },
    )];
    let facts = compute(&inputs);
    let inferred = |m: YearMonth, who: u128| -> DayQuantity {
        facts
            .iter()
            .filter(|f| f.month == m && f.consultant == Some(user(who)))
            .filter_map(|f| match f.source {
                Source::Bench {
                    kind: BenchKind::NoReport,
                    days,
                    ..
                } => Some(days),
                _ => None,
            })
            .fold(DayQuantity::ZERO, |a, d| {
                DayQuantity::from_half_days(a.half_days() + d.half_days())
            })
    };
    // October 2026: 22 working days, one on leave. November: 20.
    assert_eq!(inferred(OCT, LUCAS), DayQuantity::from_days(21));
    assert_eq!(inferred(NOV, LUCAS), DayQuantity::from_days(20));
    // Camille has no report for October either; November is reported.
    assert_eq!(inferred(OCT, CAMILLE), DayQuantity::from_days(22));
    assert_eq!(inferred(NOV, CAMILLE), DayQuantity::ZERO);
    // The running month and months before any report infer nothing.
    inputs.current_month = NOV;
    inputs.first_report_month = Some(NOV);
    let facts = compute(&inputs);
    assert!(!facts.iter().any(|f| matches!(
        f.source,
        Source::Bench {
            kind: BenchKind::NoReport,
            ..
        }
    )));
}

#[test]
fn without_a_record_or_a_grade_the_cost_is_unknown_not_zero() {
    let mut inputs = demo();
    inputs.people.get_mut(&user(CAMILLE)).unwrap().employee = None;
    let facts = compute(&inputs);
    let clientis = by(&facts, Dimension::Mission, NOV, NOV)[&RowKey::Mission(mission(1))];
    assert_eq!(clientis.revenue, Money::from_euros(12_000));
    assert_eq!(clientis.cost(), None);
    assert_eq!(clientis.margin(), None);
    assert_eq!(clientis.rate(), None);
    // The grade's standard instead of her pay: Confirmé at 400 €.
    let mut inputs = demo();
    inputs.basis = CostBasis::GradeStandard;
    let facts = compute(&inputs);
    assert_eq!(
        by(&facts, Dimension::Mission, NOV, NOV)[&RowKey::Mission(mission(1))].cost(),
        None,
        "no standard for her grade: unknown"
    );
    inputs
        .standard
        .set(Grade::parse("Confirmé").unwrap(), Money::from_euros(400))
        .unwrap();
    let facts = compute(&inputs);
    assert_eq!(
        by(&facts, Dimension::Mission, NOV, NOV)[&RowKey::Mission(mission(1))].cost(),
        Some(Money::from_euros(8_000))
    );
    assert!(
        !format!("{facts:?}").contains("33105"),
        "her own CJM stays out"
    );
}

#[test]
fn a_change_of_owner_mid_month_splits_by_days() {
    let mut inputs = demo();
    let m = inputs.missions.get_mut(&mission(1)).unwrap();
    m.portfolio = vec![
        PortfolioPeriod {
            bm_id: user(BM),
            from: date!(2026 - 10 - 01),
            to: Some(date!(2026 - 11 - 20)),
            share: Percentage::HUNDRED,
        },
        PortfolioPeriod {
            bm_id: user(DIRECTOR),
            from: date!(2026 - 11 - 21),
            to: None,
            share: Percentage::HUNDRED,
        },
    ];
    let facts = compute(&inputs);
    let rev = facts
        .iter()
        .find(|f| f.mission == Some(mission(1)) && f.source == Source::Revenue)
        .unwrap();
    // 20 of November's 30 days to the first, 10 to the second.
    assert_eq!(
        rev.owners.iter().map(|p| p.revenue).collect::<Vec<_>>(),
        vec![Money::from_euros(8_000), Money::from_euros(4_000)]
    );
}

fn grand(rows: &BTreeMap<RowKey, Totals>) -> (Money, Money, bool) {
    let t = total(rows);
    (t.revenue, t.known_cost, t.unknown == 0)
}

fn random_inputs() -> impl Strategy<Value = Inputs> {
    let share = 1u32..=9_999;
    let rule = prop::sample::select(BenchAllocation::ALL.to_vec());
    (
        prop::collection::vec((0u128..3, 0u128..3, share, 0i64..5_000_000), 1..6),
        prop::collection::vec((0usize..6, 0u32..45, 0u8..3), 0..15),
        rule,
        any::<bool>(),
    )
        .prop_map(|(missions, work, rule, hidden)| {
            let mut inputs = demo();
            inputs.bench_rule = rule;
            inputs.from = OCT;
            inputs.basis = if hidden {
                CostBasis::GradeStandard
            } else {
                CostBasis::Personal
            };
            inputs
                .standard
                .set(Grade::parse("Senior").unwrap(), Money::from_cents(41_234))
                .unwrap();
            inputs.revenue.clear();
            inputs.reported.clear();
            // A third consultant without any record.
            inputs.people.insert(
                user(3),
                Person {
                    pattern: WorkPattern::default(),
                    reports: true,
                    employee: None,
                },
            );
            let ids: Vec<MissionId> = (0..missions.len() as u128)
                .map(|i| mission(10 + i))
                .collect();
            for (i, (who, bm, share, revenue)) in missions.iter().enumerate() {
                inputs.missions.insert(
                    ids[i],
                    MissionFacts {
                        client_id: client(*bm),
                        consultant_id: user(1 + who),
                        start: date!(2026 - 10 - 10),
                        portfolio: vec![
                            PortfolioPeriod {
                                bm_id: user(BM + bm),
                                from: date!(2026 - 10 - 10),
                                to: None,
                                share: Percentage::from_basis_points(*share),
                            },
                            PortfolioPeriod {
                                bm_id: user(BM + 5),
                                from: date!(2026 - 10 - 10),
                                to: None,
                                share: Percentage::from_basis_points(10_000 - share),
                            },
                        ],
                    },
                );
                inputs.revenue.push((
                    ids[i],
                    if i % 2 == 0 { OCT } else { NOV },
                    Money::from_cents(*revenue),
                ));
            }
            for (m, halves, kind) in work {
                let id = ids[m % ids.len()];
                let who = inputs.missions[&id].consultant_id;
                let spent = match kind {
                    0 => Spent::Mission(id),
                    1 => Spent::Bench,
                    _ => Spent::Training,
                };
                let version_from = inputs
                    .people
                    .get(&who)
                    .and_then(|p| p.employee.as_ref())
                    .map(|e| e.versions[0].effective_from);
                inputs.reported.push(ReportedDays {
                    consultant: who,
                    month: if halves % 2 == 0 { OCT } else { NOV },
                    spent,
                    version_from,
                    adjusted_by: None,
                    days: DayQuantity::from_half_days(halves),
                });
            }
            inputs
        })
}

proptest! {
    /// Margin = revenue − cost for every row of every view, and the views
    /// add up to the same grand total to the cent: missions = accounts =
    /// business managers = agencies = consultants = the months' sum.
    #[test]
    fn every_view_adds_up_to_the_same_total(inputs in random_inputs()) {
        let facts = compute(&inputs);
        let mut totals = Vec::new();
        for dim in Dimension::ALL {
            let rows = by(&facts, dim, inputs.from, inputs.to);
            for t in rows.values() {
                if let Some(m) = t.margin() {
                    prop_assert_eq!(m, t.revenue - t.cost().unwrap());
                }
            }
            totals.push(grand(&rows));
            // Each row is the sum of its drill-down.
            for (key, t) in &rows {
                let mut sum = Totals::default();
                for f in facts_of(&facts, dim, *key, inputs.from, inputs.to) {
                    let (r, c) = part_in(&f, dim, *key);
                    sum.add(r, c);
                }
                prop_assert_eq!(sum.revenue, t.revenue);
                prop_assert_eq!(sum.cost(), t.cost());
            }
        }
        let months = monthly(&facts, Dimension::Mission, None, inputs.from, inputs.to);
        let mut by_month = Totals::default();
        for (_, t) in &months {
            by_month.merge(t);
        }
        totals.push((by_month.revenue, by_month.known_cost, by_month.unknown == 0));
        for t in &totals[1..] {
            prop_assert_eq!(t.0, totals[0].0);
            prop_assert_eq!(t.1, totals[0].1);
            prop_assert_eq!(t.2, totals[0].2);
        }
        // The ledger's revenue, all of it.
        let booked: Money = inputs.revenue.iter().map(|r| r.2).sum();
        prop_assert_eq!(totals[0].0, booked);
    }
}

// ---------------------------------------------------------------------------
// Retroactive versions: locked months unchanged, the adjustment in the
// landing month.
// ---------------------------------------------------------------------------

const JAN27: YearMonth = YearMonth::new(2027, Month::January);
const MAR27: YearMonth = YearMonth::new(2027, Month::March);
const APR27: YearMonth = YearMonth::new(2027, Month::April);

/// A salary version of `gross` cents a year (the rest as the payroll
/// example), so the CJM takes odd and even cents alike.
fn salary_of(from: time::Date, gross: i64) -> CostVersion {
    let mut terms = payroll_example();
    terms.annual_gross = Money::from_cents(gross);
    CostVersion::new(from, CostTerms::Salary(terms))
}

/// What a half day went to, as drawn: two missions, bench, training,
/// leave.
fn spent_of(draw: u8) -> Spent {
    match draw % 5 {
        0 => Spent::Mission(mission(1)),
        1 => Spent::Mission(mission(2)),
        2 => Spent::Bench,
        3 => Spent::Training,
        _ => Spent::Leave,
    }
}

/// Camille's reports of January to March 2027 (a half day each draw, in
/// order of the working days), grouped as the store groups them: by
/// month, activity and cost period of each day. `skip`: a month left
/// without a report.
fn reports_of(
    versions: &[CostVersion],
    draws: &[u8],
    skip: Option<YearMonth>,
) -> Vec<ReportedDays> {
    let mut grouped: BTreeMap<(YearMonth, Spent, CostPeriod), u32> = BTreeMap::new();
    let mut draws = draws.iter().cycle();
    let mut month = JAN27;
    while month <= MAR27 {
        for day in WorkPattern::default().working_days(month) {
            for _ in Half::BOTH {
                let spent = spent_of(*draws.next().expect("cycled"));
                if Some(month) != skip {
                    *grouped
                        .entry((month, spent, cost_period_on(versions, day)))
                        .or_default() += 1;
                }
            }
        }
        month = month.next();
    }
    grouped
        .into_iter()
        .map(
            |((month, spent, (version_from, adjusted_by)), h)| ReportedDays {
                consultant: user(CAMILLE),
                month,
                spent,
                version_from,
                adjusted_by,
                days: DayQuantity::from_half_days(h),
            },
        )
        .collect()
}

/// Camille on two missions of two business managers (the second shared
/// 60/40) from January to April 2027, with `versions`.
fn locked_quarter(
    versions: Vec<CostVersion>,
    draws: &[u8],
    skip: Option<YearMonth>,
    rule: BenchAllocation,
) -> Inputs {
    let mut inputs = demo();
    let mut person = camille();
    person.employee.as_mut().unwrap().versions = versions.clone();
    inputs.people = BTreeMap::from([(user(CAMILLE), person)]);
    inputs.missions = BTreeMap::from([
        (
            mission(1),
            MissionFacts {
                client_id: client(1),
                consultant_id: user(CAMILLE),
                start: date!(2026 - 10 - 01),
                portfolio: alone(BM, date!(2026 - 10 - 01)),
            },
        ),
        (
            mission(2),
            MissionFacts {
                client_id: client(2),
                consultant_id: user(CAMILLE),
                start: date!(2026 - 11 - 01),
                portfolio: vec![
                    PortfolioPeriod {
                        bm_id: user(BM),
                        from: date!(2026 - 11 - 01),
                        to: None,
                        share: Percentage::from_percent(60),
                    },
                    PortfolioPeriod {
                        bm_id: user(DIRECTOR),
                        from: date!(2026 - 11 - 01),
                        to: None,
                        share: Percentage::from_percent(40),
                    },
                ],
            },
        ),
    ]);
    inputs.from = JAN27;
    inputs.to = APR27;
    inputs.current_month = YearMonth::new(2027, Month::May);
    inputs.first_report_month = Some(JAN27);
    inputs.bench_rule = rule;
    inputs.revenue = vec![
        (mission(1), JAN27, Money::from_euros(9_000)),
        (mission(2), APR27, Money::from_euros(7_000)),
    ];
    inputs.reported = reports_of(&versions, draws, skip);
    inputs
}

/// The figures of a month, every view and row (adjustments aside, which a
/// locked month never holds).
fn month_rows(facts: &[Fact], m: YearMonth) -> Vec<BTreeMap<RowKey, (Money, Option<Money>)>> {
    Dimension::ALL
        .iter()
        .map(|d| {
            by(facts, *d, m, m)
                .into_iter()
                .map(|(k, t)| (k, (t.revenue, t.cost())))
                .collect()
        })
        .collect()
}

fn cost_of(facts: &[Fact], from: YearMonth, to: YearMonth) -> Money {
    total(&by(facts, Dimension::Mission, from, to))
        .cost()
        .expect("every cost known")
}

/// A raise decided in April, effective 16 February, January to March
/// locked: entered from 1 April with 16 February as its retroactive date.
#[test]
fn a_back_dated_raise_leaves_the_locked_months_and_lands_in_april() {
    let before = vec![salary_of(date!(2026 - 06 - 01), 4_800_000)];
    let mut raise = salary_of(date!(2027 - 04 - 01), 5_280_000);
    raise.retroactive_from = Some(date!(2027 - 02 - 16));
    let mut after = before.clone();
    after.push(raise);
    // Every day on mission 1.
    let a = compute(&locked_quarter(
        before,
        &[0],
        None,
        BenchAllocation::ToConsultantBm,
    ));
    let b = compute(&locked_quarter(
        after,
        &[0],
        None,
        BenchAllocation::ToConsultantBm,
    ));
    for m in [JAN27, JAN27.next(), MAR27] {
        assert_eq!(month_rows(&a, m), month_rows(&b, m), "{m}");
    }
    let adjustments: Vec<&Fact> = b.iter().filter(|f| f.source.is_adjustment()).collect();
    assert_eq!(adjustments.len(), 1);
    let adj = adjustments[0];
    // 16 February to 31 March: 9 + 22 working days (Easter Monday on
    // 29 March); 331,05 € → 362,97 € (72 168 € + 4 800 € × 1,45 =
    // 79 128 € ÷ 218).
    let locked: i64 = [JAN27.next(), MAR27]
        .iter()
        .map(|m| {
            WorkPattern::default()
                .working_days(*m)
                .into_iter()
                .filter(|d| *d >= date!(2027 - 02 - 16))
                .count() as i64
        })
        .sum();
    assert_eq!(locked, 31);
    let old = Money::from_cents(33_105);
    let new = CjmSettings::default().daily_cost_of(Money::from_euros(72_168 + 6_960));
    assert_eq!(new, Money::from_cents(36_297));
    assert_eq!(
        adj.source,
        Source::Adjustment {
            bench: None,
            days: DayQuantity::from_days(31),
            old_cjm: Some(old),
            new_cjm: Some(new),
            version_from: date!(2027 - 04 - 01),
            retroactive_from: date!(2027 - 02 - 16),
            carrier: None,
        }
    );
    assert_eq!(adj.month, APR27);
    assert_eq!(adj.mission, Some(mission(1)));
    assert_eq!(adj.client, Some(client(1)));
    assert_eq!(
        adj.cost,
        Some(Money::from_cents(locked * (36_297 - 33_105)))
    );
    assert_eq!(adj.owners.len(), 1);
    assert_eq!(adj.owners[0].bm, Some(user(BM)));
    // April says it carries one.
    let april = by(&b, Dimension::Mission, APR27, APR27)[&RowKey::Mission(mission(1))];
    assert_eq!(april.adjustments, 1);
    assert_eq!(april.adjustment(), adj.cost);
    assert!(
        by(&a, Dimension::Mission, APR27, APR27)
            .values()
            .all(|t| t.adjustment().is_none())
    );
    // Viewed from April alone, the adjustment is there all the same.
    let mut april_only = locked_quarter(b_versions(), &[0], None, BenchAllocation::ToConsultantBm);
    april_only.from = APR27;
    let only = compute(&april_only);
    assert!(only.iter().all(|f| f.month == APR27));
    assert_eq!(only.iter().filter(|f| f.source.is_adjustment()).count(), 1);
    assert_eq!(reach_back(&april_only.people, APR27, APR27), JAN27.next());
}

fn b_versions() -> Vec<CostVersion> {
    let mut raise = salary_of(date!(2027 - 04 - 01), 5_280_000);
    raise.retroactive_from = Some(date!(2027 - 02 - 16));
    vec![salary_of(date!(2026 - 06 - 01), 4_800_000), raise]
}

/// Under the grade's standard, a salary change back-dated changes nothing
/// a business manager sees: no adjustment line at all.
#[test]
fn under_the_grade_standard_a_back_dated_raise_shows_nothing() {
    let mut inputs = locked_quarter(b_versions(), &[0, 2], None, BenchAllocation::ToConsultantBm);
    inputs.basis = CostBasis::GradeStandard;
    inputs
        .standard
        .set(Grade::parse("Confirmé").unwrap(), Money::from_euros(350))
        .unwrap();
    let facts = compute(&inputs);
    assert!(!facts.iter().any(|f| f.source.is_adjustment()));
    // The same data on the personal basis has them.
    inputs.basis = CostBasis::Personal;
    assert!(compute(&inputs).iter().any(|f| f.source.is_adjustment()));
}

proptest! {
    /// Locking January to March, then entering a version from 1 April
    /// with a retroactive date R in them (after the previous version):
    ///
    /// - every locked month's figures, every view and row, are those
    ///   before the version was entered, to the cent;
    /// - April's own figures are those of the version known in time;
    /// - the adjustments (all in April) add up to what the locked months
    ///   would have changed by had the version been known in time
    ///   (in force from R), to the cent, except for rounding in R's
    ///   month: a group of days there (one activity, one month) that R
    ///   cuts into two odd numbers of half days, at an old CJM of an odd
    ///   number of cents, was rounded up once in the locked month where
    ///   the version known in time would round each part up: one cent
    ///   less per such group. Hence whole-period total with adjustment
    ///   = total as if known in time − that count, exactly; equal when R
    ///   is the first of a month, the old CJM even, or the days whole.
    #[test]
    fn a_back_dated_version_keeps_locked_months_and_adjusts_to_the_cent(
        old_gross in 3_000_000i64..9_000_000,
        new_gross in 3_000_000i64..9_000_000,
        retro_day in 0i64..89,
        draws in prop::collection::vec(0u8..5, 1..40),
        skip in prop::option::of(prop::sample::select(vec![JAN27, JAN27.next(), MAR27])),
        rule in prop::sample::select(BenchAllocation::ALL.to_vec()),
    ) {
        let retro = date!(2027 - 01 - 01) + time::Duration::days(retro_day);
        // A month without a report is inferred bench, one group for the
        // whole month; keep it off R's month so that the groups R cuts
        // are the reports'.
        let skip = skip.filter(|m| *m != YearMonth::of(retro));
        let previous = salary_of(date!(2026 - 06 - 01), old_gross);
        let mut back_dated = salary_of(date!(2027 - 04 - 01), new_gross);
        back_dated.retroactive_from = Some(retro);
        let in_time = salary_of(retro, new_gross);

        let a = locked_quarter(vec![previous], &draws, skip, rule);
        let b = locked_quarter(vec![previous, back_dated], &draws, skip, rule);
        let c = locked_quarter(vec![previous, in_time], &draws, skip, rule);
        let (fa, fb, fc) = (compute(&a), compute(&b), compute(&c));

        let mut m = JAN27;
        while m <= MAR27 {
            prop_assert_eq!(month_rows(&fa, m), month_rows(&fb, m));
            m = m.next();
        }
        // April: the version's own days as if known in time, plus the
        // adjustments.
        let own: Vec<Fact> = fb.iter().filter(|f| !f.source.is_adjustment()).cloned().collect();
        prop_assert_eq!(month_rows(&own, APR27), month_rows(&fc, APR27));
        prop_assert!(fb.iter().filter(|f| f.source.is_adjustment()).all(|f| f.month == APR27));

        let adjustment: Money = fb
            .iter()
            .filter(|f| f.source.is_adjustment())
            .map(|f| f.cost.expect("known"))
            .sum();
        // The groups R cuts in two odd halves, at an odd old CJM.
        let old_cjm = CjmSettings::default().daily_cost(&previous.terms);
        let mut cut: BTreeMap<(Spent, Option<time::Date>), (u32, u32)> = BTreeMap::new();
        for r in b.reported.iter().filter(|r| r.month == YearMonth::of(retro)) {
            let e = cut.entry((r.spent, r.version_from)).or_default();
            if r.adjusted_by.is_some() {
                e.1 += r.days.half_days();
            } else {
                e.0 += r.days.half_days();
            }
        }
        let odd = |h: u32| h % 2 == 1;
        let lost = if old_cjm.cents() % 2 == 1 {
            cut.iter()
                .filter(|((s, _), (before, after))| *s != Spent::Leave && odd(*before) && odd(*after))
                .count() as i64
        } else {
            0
        };
        let changed_by = cost_of(&fc, JAN27, MAR27) - cost_of(&fa, JAN27, MAR27);
        prop_assert_eq!(adjustment, changed_by - Money::from_cents(lost));
        prop_assert_eq!(
            cost_of(&fb, JAN27, APR27),
            cost_of(&fc, JAN27, APR27) - Money::from_cents(lost)
        );
        if retro.day() == 1 {
            prop_assert_eq!(lost, 0);
        }
        // Every view still adds up to the same total.
        let whole = |d| total(&by(&fb, d, JAN27, APR27)).cost();
        for d in Dimension::ALL {
            prop_assert_eq!(whole(d), whole(Dimension::Mission));
        }
    }
}

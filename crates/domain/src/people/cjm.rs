//! The loaded daily cost, CJM ("coût journalier moyen"): what one day of a
//! person's work costs the firm, the cost side of every margin.
//!
//! For a salaried person (PAYROLL.md §4): the annual loaded cost of the
//! salary version in force ÷ productive days per year. The divisor is a
//! firm setting, 218 by default (the Syntec "forfait jours": 2026 has 252
//! working days − 25 days of paid leave − 9 RTT); dividing by productive
//! days already covers paid leave. Two methods:
//!
//! - **plain**: ÷ 218. Bench days then cost bench days × CJM, carried by a
//!   bench centre ([`crate::margin::bench`]).
//! - **bench-loaded**: ÷ (218 × target activity rate, e.g. 90 %), so the
//!   missions absorb the bench: 72 168 € ÷ 196,2 = 367,83 €.
//!
//! For a freelancer: his buy rate plus any platform fee, per day worked;
//! neither the divisor nor the bench loading applies, since he is not paid
//! for days without a mission.
//!
//! **Rounding.** The CJM is rounded once, half up to the cent, from the
//! exact quotient of integer cents (72 168,00 € ÷ 218 = 331,0458… →
//! 331,05 €): it is the figure people see, and margins multiply that very
//! figure by days, so anyone can recompute them. Employer charges given as
//! a rate are rounded to the cent before (as a payslip rounds them). Hence
//! the CJM is within half a cent of annual cost ÷ divisor, and adding an
//! amount to any component moves it by that amount ÷ divisor within one
//! cent (two roundings of half a cent; a little more for gross pay under a
//! charges rate, whose own rounding adds half a cent ÷ divisor).
//!
//! Where salaries must stay hidden (a business manager's margin view), a
//! standard CJM per grade ([`StandardCjmTable`]) stands in for the
//! person's own (PAYROLL.md §5).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::{Money, Rounding};
use crate::people::cost::{CostTerms, CostVersion, version_on};
use crate::people::employee::Grade;
use crate::percent::Percentage;
use crate::validation::{ErrorKey, ValidationErrors};

/// Productive days per year by default: the Syntec forfait jours.
pub const DEFAULT_DIVISOR: u16 = 218;
/// No year has more days.
pub const DIVISOR_MAX: u16 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CjmSettingsError {
    #[error("the number of days cannot be zero")]
    DivisorZero,
    #[error("the number of days is a whole number from 1 to 366")]
    DivisorInvalid,
    #[error("unknown CJM method")]
    MethodInvalid,
    #[error("the target activity rate is above 0 % and at most 100 %")]
    TargetInvalid,
}

impl ErrorKey for CjmSettingsError {
    fn key(&self) -> &'static str {
        match self {
            CjmSettingsError::DivisorZero => "cjm-divisor-zero",
            CjmSettingsError::DivisorInvalid => "cjm-divisor-invalid",
            CjmSettingsError::MethodInvalid => "cjm-method-invalid",
            CjmSettingsError::TargetInvalid => "cjm-target-rate-invalid",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            CjmSettingsError::DivisorInvalid => crate::args![("max", u32::from(DIVISOR_MAX))],
            _ => Vec::new(),
        }
    }
}

/// How a salaried person's annual cost becomes a daily cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CjmMethod {
    /// Annual cost ÷ divisor.
    #[default]
    Plain,
    /// Annual cost ÷ (divisor × target activity rate): missions bear the
    /// bench the target leaves.
    BenchLoaded { target_activity: Percentage },
}

impl CjmMethod {
    pub const fn as_str(self) -> &'static str {
        match self {
            CjmMethod::Plain => "plain",
            CjmMethod::BenchLoaded { .. } => "bench_loaded",
        }
    }
}

/// The firm's CJM settings, always valid: a divisor of 1 to 366 days and,
/// for the bench-loaded method, a target above 0 and at most 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CjmSettings {
    divisor: u16,
    method: CjmMethod,
}

impl Default for CjmSettings {
    fn default() -> Self {
        CjmSettings {
            divisor: DEFAULT_DIVISOR,
            method: CjmMethod::Plain,
        }
    }
}

impl CjmSettings {
    pub fn new(divisor: u16, method: CjmMethod) -> Result<CjmSettings, CjmSettingsError> {
        if divisor == 0 {
            return Err(CjmSettingsError::DivisorZero);
        }
        if divisor > DIVISOR_MAX {
            return Err(CjmSettingsError::DivisorInvalid);
        }
        if let CjmMethod::BenchLoaded { target_activity } = method
            && (target_activity.is_zero() || target_activity > Percentage::HUNDRED)
        {
            return Err(CjmSettingsError::TargetInvalid);
        }
        Ok(CjmSettings { divisor, method })
    }

    pub const fn divisor(self) -> u16 {
        self.divisor
    }

    pub const fn method(self) -> CjmMethod {
        self.method
    }

    /// The daily cost of a salaried annual cost, rounded half up to the
    /// cent once.
    pub fn daily_cost_of(self, annual_cost: Money) -> Money {
        let annual = i128::from(annual_cost.cents());
        let divisor = i128::from(self.divisor);
        let (numerator, denominator) = match self.method {
            CjmMethod::Plain => (annual, divisor),
            // annual ÷ (divisor × bp / 10 000) = annual × 10 000 ÷ (divisor × bp)
            CjmMethod::BenchLoaded { target_activity } => (
                annual * 10_000,
                divisor * i128::from(target_activity.basis_points()),
            ),
        };
        Money::from_ratio(numerator, denominator, Rounding::HalfUp)
            .expect("a daily cost is smaller than its annual cost")
    }

    /// The daily cost of a version's terms: salaried by this method,
    /// freelance as buy rate + fee.
    pub fn daily_cost(self, terms: &CostTerms) -> Money {
        match terms {
            CostTerms::Salary(s) => self.daily_cost_of(s.annual_cost()),
            CostTerms::Freelance(f) => f.daily_cost(),
        }
    }

    /// The CJM on `date`, from the version in force that day; `None`
    /// before the person's first version.
    pub fn cjm_on(self, versions: &[CostVersion], date: Date) -> Option<Money> {
        version_on(versions, date).map(|v| self.daily_cost(&v.terms))
    }
}

/// The settings form: the divisor, the method ("plain" or
/// "bench_loaded") and the target activity rate (read for bench_loaded).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct CjmSettingsInput {
    /// Blank is [`DEFAULT_DIVISOR`].
    pub divisor: String,
    pub method: String,
    pub target_activity: String,
}

impl CjmSettingsInput {
    pub fn validate(&self) -> Result<CjmSettings, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let divisor = match self.divisor.trim() {
            "" => Some(DEFAULT_DIVISOR),
            s => match s.parse::<u16>() {
                Ok(0) => {
                    e.add("divisor", CjmSettingsError::DivisorZero.key());
                    None
                }
                Ok(d) if d <= DIVISOR_MAX => Some(d),
                _ => {
                    let err = CjmSettingsError::DivisorInvalid;
                    e.add_with("divisor", err.key(), err.args());
                    None
                }
            },
        };
        let method = match self.method.trim() {
            "" | "plain" => Some(CjmMethod::Plain),
            "bench_loaded" => e
                .required("target_activity", &self.target_activity, Percentage::parse)
                .and_then(|target_activity| {
                    let ok = !target_activity.is_zero() && target_activity <= Percentage::HUNDRED;
                    if !ok {
                        e.add("target_activity", CjmSettingsError::TargetInvalid.key());
                    }
                    ok.then_some(CjmMethod::BenchLoaded { target_activity })
                }),
            _ => {
                e.add("method", CjmSettingsError::MethodInvalid.key());
                None
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        CjmSettings::new(divisor.expect("checked"), method.expect("checked"))
            .map_err(|err| ValidationErrors::single("divisor", err.key()))
    }
}

impl CjmSettings {
    /// The form to edit these settings.
    pub fn to_input(self) -> CjmSettingsInput {
        CjmSettingsInput {
            divisor: self.divisor.to_string(),
            method: self.method.as_str().to_string(),
            target_activity: match self.method {
                CjmMethod::Plain => String::new(),
                CjmMethod::BenchLoaded { target_activity } => target_activity.to_input(),
            },
        }
    }
}

/// Standard CJMs by grade, set by finance and reset when pay changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StandardCjmTable(BTreeMap<Grade, Money>);

impl StandardCjmTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a grade's standard CJM; a CJM must be above zero.
    pub fn set(&mut self, grade: Grade, cjm: Money) -> Result<(), StandardCjmError> {
        if cjm <= Money::ZERO {
            return Err(StandardCjmError::NotPositive);
        }
        self.0.insert(grade, cjm);
        Ok(())
    }

    pub fn get(&self, grade: &Grade) -> Option<Money> {
        self.0.get(grade).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Grade, Money)> {
        self.0.iter().map(|(g, m)| (g, *m))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StandardCjmError {
    #[error("a standard CJM must be above zero")]
    NotPositive,
}

impl ErrorKey for StandardCjmError {
    fn key(&self) -> &'static str {
        "cjm-standard-not-positive"
    }
}

/// Which daily cost a margin uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    /// The person's own CJM, from his versions.
    #[default]
    Personal,
    /// The standard CJM of his grade, for salaried people: a view that
    /// must not let salaries be inferred. A freelancer's buy rate is a
    /// supplier's price, not a salary, and is used as it is.
    GradeStandard,
}

impl CostBasis {
    pub const fn as_str(self) -> &'static str {
        match self {
            CostBasis::Personal => "personal",
            CostBasis::GradeStandard => "grade_standard",
        }
    }

    pub fn parse(s: &str) -> Option<CostBasis> {
        [CostBasis::Personal, CostBasis::GradeStandard]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// The CJM a margin uses on `date`. With [`CostBasis::GradeStandard`], a
/// salaried person without a grade, or whose grade has no standard, has
/// no CJM (`None`) rather than his own: falling back would show the very
/// figure the standard is there to hide.
pub fn margin_cjm_on(
    settings: CjmSettings,
    versions: &[CostVersion],
    date: Date,
    basis: CostBasis,
    grade: Option<&Grade>,
    table: &StandardCjmTable,
) -> Option<Money> {
    let version = version_on(versions, date)?;
    match (basis, &version.terms) {
        (CostBasis::GradeStandard, CostTerms::Salary(_)) => table.get(grade?),
        (_, terms) => Some(settings.daily_cost(terms)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::cost::tests::payroll_example;
    use crate::people::cost::{EmployerCharges, FreelanceTerms, PlatformFee, SalaryTerms};
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    fn bench_loaded(percent: u32) -> CjmSettings {
        CjmSettings::new(
            DEFAULT_DIVISOR,
            CjmMethod::BenchLoaded {
                target_activity: Percentage::from_percent(percent),
            },
        )
        .unwrap()
    }

    fn salary(from: Date, terms: SalaryTerms) -> CostVersion {
        CostVersion {
            effective_from: from,
            retroactive_from: None,
            terms: CostTerms::Salary(terms),
        }
    }

    #[test]
    fn the_worked_example_gives_331_05_and_367_83() {
        let annual = payroll_example().annual_cost();
        assert_eq!(annual, Money::from_euros(72_168));
        // 72 168 ÷ 218 = 331,0458… → 331,05 €.
        assert_eq!(
            CjmSettings::default().daily_cost_of(annual),
            Money::from_cents(33_105)
        );
        // 72 168 ÷ (218 × 90 %) = 72 168 ÷ 196,2 = 367,8287… → 367,83 €.
        assert_eq!(
            bench_loaded(90).daily_cost_of(annual),
            Money::from_cents(36_783)
        );
        // A 100 % target is the plain method.
        assert_eq!(
            bench_loaded(100).daily_cost_of(annual),
            Money::from_cents(33_105)
        );
        assert_eq!(
            CjmSettings::default()
                .daily_cost_of(annual)
                .format(crate::Locale::Fr),
            "331,05\u{a0}€"
        );
    }

    #[test]
    fn the_cjm_of_a_date_comes_from_the_version_in_force() {
        let jan = salary(date!(2027 - 01 - 01), payroll_example());
        let raise = salary(
            date!(2027 - 07 - 01),
            SalaryTerms {
                annual_gross: Money::from_euros(52_000),
                ..payroll_example()
            },
        );
        let freelance_before = CostVersion {
            effective_from: date!(2026 - 06 - 01),
            retroactive_from: None,
            terms: CostTerms::Freelance(FreelanceTerms {
                buy_rate: Money::from_euros(560),
                fee: PlatformFee::PerDay(Money::from_euros(20)),
            }),
        };
        let versions = [raise, freelance_before, jan];
        let s = CjmSettings::default();
        assert_eq!(s.cjm_on(&versions, date!(2026 - 05 - 31)), None);
        assert_eq!(
            s.cjm_on(&versions, date!(2026 - 12 - 31)),
            Some(Money::from_euros(580))
        );
        assert_eq!(
            s.cjm_on(&versions, date!(2027 - 03 - 15)),
            Some(Money::from_cents(33_105))
        );
        // 52 000 + 23 400 + 720 + 1 308 + 540 = 77 968 ÷ 218 = 357,6513… → 357,65 €.
        assert_eq!(
            s.cjm_on(&versions, date!(2027 - 07 - 01)),
            Some(Money::from_cents(35_765))
        );
        // The bench loading does not apply to freelancers.
        assert_eq!(
            bench_loaded(90).cjm_on(&versions, date!(2026 - 12 - 31)),
            Some(Money::from_euros(580))
        );
    }

    #[test]
    fn settings_refuse_a_zero_divisor_and_a_bad_target() {
        assert_eq!(
            CjmSettings::new(0, CjmMethod::Plain),
            Err(CjmSettingsError::DivisorZero)
        );
        assert_eq!(
            CjmSettings::new(367, CjmMethod::Plain),
            Err(CjmSettingsError::DivisorInvalid)
        );
        assert_eq!(
            CjmSettings::new(
                218,
                CjmMethod::BenchLoaded {
                    target_activity: Percentage::ZERO
                }
            ),
            Err(CjmSettingsError::TargetInvalid)
        );
        assert_eq!(
            CjmSettings::new(
                218,
                CjmMethod::BenchLoaded {
                    target_activity: Percentage::from_percent(101)
                }
            ),
            Err(CjmSettingsError::TargetInvalid)
        );
        let keys = |i: CjmSettingsInput| -> Vec<(&'static str, &'static str)> {
            i.validate()
                .unwrap_err()
                .0
                .iter()
                .map(|f| (f.field, f.key))
                .collect()
        };
        let form = |divisor: &str, method: &str, target: &str| CjmSettingsInput {
            divisor: divisor.into(),
            method: method.into(),
            target_activity: target.into(),
        };
        assert_eq!(
            keys(form("0", "", "")),
            vec![("divisor", "cjm-divisor-zero")]
        );
        assert_eq!(
            keys(form("-218", "", "")),
            vec![("divisor", "cjm-divisor-invalid")]
        );
        assert_eq!(
            keys(form("400", "", "")),
            vec![("divisor", "cjm-divisor-invalid")]
        );
        assert_eq!(
            keys(form("218", "bench_loaded", "0")),
            vec![("target_activity", "cjm-target-rate-invalid")]
        );
        assert_eq!(
            keys(form("218", "bench_loaded", "110")),
            vec![("target_activity", "cjm-target-rate-invalid")]
        );
        assert_eq!(
            keys(form("218", "bench_loaded", "-90")),
            vec![("target_activity", "percent-negative")]
        );
        assert_eq!(
            keys(form("218", "bench_loaded", "")),
            vec![("target_activity", "field-required")]
        );
        assert_eq!(
            keys(form("218", "smoothed", "")),
            vec![("method", "cjm-method-invalid")]
        );
        assert_eq!(form("", "", "").validate(), Ok(CjmSettings::default()));
        let s = form("218", "bench_loaded", "90 %").validate().unwrap();
        assert_eq!(s, bench_loaded(90));
        assert_eq!(s.to_input().validate(), Ok(s));
        assert_eq!(
            CjmSettings::default().to_input().validate(),
            Ok(CjmSettings::default())
        );
    }

    #[test]
    fn a_standard_per_grade_stands_in_for_salaries_only() {
        let senior = Grade::parse("Senior").unwrap();
        let junior = Grade::parse("Junior").unwrap();
        let mut table = StandardCjmTable::new();
        table.set(senior.clone(), Money::from_euros(350)).unwrap();
        assert_eq!(
            table.set(junior.clone(), Money::ZERO),
            Err(StandardCjmError::NotPositive)
        );
        let versions = [salary(date!(2027 - 01 - 01), payroll_example())];
        let s = CjmSettings::default();
        let on = date!(2027 - 02 - 01);
        let cjm = |basis, grade| margin_cjm_on(s, &versions, on, basis, grade, &table);
        assert_eq!(
            cjm(CostBasis::Personal, Some(&senior)),
            Some(Money::from_cents(33_105))
        );
        assert_eq!(
            cjm(CostBasis::GradeStandard, Some(&senior)),
            Some(Money::from_euros(350))
        );
        assert_eq!(cjm(CostBasis::GradeStandard, Some(&junior)), None);
        assert_eq!(cjm(CostBasis::GradeStandard, None), None);
        assert_eq!(
            margin_cjm_on(
                s,
                &versions,
                date!(2026 - 12 - 31),
                CostBasis::GradeStandard,
                Some(&senior),
                &table
            ),
            None
        );
        let freelancer = [CostVersion {
            effective_from: date!(2027 - 01 - 01),
            retroactive_from: None,
            terms: CostTerms::Freelance(FreelanceTerms {
                buy_rate: Money::from_euros(560),
                fee: PlatformFee::None,
            }),
        }];
        assert_eq!(
            margin_cjm_on(
                s,
                &freelancer,
                on,
                CostBasis::GradeStandard,
                Some(&senior),
                &table
            ),
            Some(Money::from_euros(560))
        );
        assert_eq!(
            CostBasis::parse("grade_standard"),
            Some(CostBasis::GradeStandard)
        );
        assert_eq!(CostBasis::parse("x"), None);
    }

    fn amount() -> impl Strategy<Value = i64> {
        0i64..20_000_000 // up to 200 000 € a year
    }

    fn terms() -> impl Strategy<Value = SalaryTerms> {
        (
            (
                amount(),
                amount(),
                prop::option::of(0u32..=10_000),
                amount(),
            ),
            (amount(), amount(), amount(), amount()),
        )
            .prop_map(
                |((gross, bonuses, rate, charges), (mutual, vouchers, transport, per_head))| {
                    SalaryTerms {
                        annual_gross: Money::from_cents(gross),
                        annual_bonuses: Money::from_cents(bonuses),
                        employer_charges: match rate {
                            Some(bp) => EmployerCharges::Rate(Percentage::from_basis_points(bp)),
                            None => EmployerCharges::Amount(Money::from_cents(charges)),
                        },
                        mutual_insurance: Money::from_cents(mutual),
                        meal_vouchers: Money::from_cents(vouchers),
                        transport: Money::from_cents(transport),
                        per_head_costs: Money::from_cents(per_head),
                    }
                },
            )
    }

    fn settings() -> impl Strategy<Value = CjmSettings> {
        (1u16..=366, prop::option::of(1u32..=10_000)).prop_map(|(d, t)| {
            let method = match t {
                None => CjmMethod::Plain,
                Some(bp) => CjmMethod::BenchLoaded {
                    target_activity: Percentage::from_basis_points(bp),
                },
            };
            CjmSettings::new(d, method).unwrap()
        })
    }

    /// The rounding error of a CJM times the effective divisor `days` (in
    /// 1/10 000 day, the target rate included): cjm × days − annual ×
    /// 10 000, and `days`.
    fn error_times_divisor(s: CjmSettings, cjm: Money, annual: Money) -> (i128, i128) {
        let days = i128::from(s.divisor())
            * match s.method() {
                CjmMethod::Plain => 10_000,
                CjmMethod::BenchLoaded { target_activity } => {
                    i128::from(target_activity.basis_points())
                }
            };
        (
            i128::from(cjm.cents()) * days - i128::from(annual.cents()) * 10_000,
            days,
        )
    }

    /// Adds `delta` cents to component `i` (0 gross, 1 bonuses, 2 charges
    /// amount when not a rate, 3 mutual, 4 vouchers, 5 transport, 6 per head).
    fn bump(t: SalaryTerms, i: usize, delta: i64) -> SalaryTerms {
        let d = Money::from_cents(delta);
        let mut t = t;
        match i {
            0 => t.annual_gross += d,
            1 => t.annual_bonuses += d,
            2 => {
                if let EmployerCharges::Amount(a) = t.employer_charges {
                    t.employer_charges = EmployerCharges::Amount(a + d);
                }
            }
            3 => t.mutual_insurance += d,
            4 => t.meal_vouchers += d,
            5 => t.transport += d,
            _ => t.per_head_costs += d,
        }
        t
    }

    proptest! {
        /// The CJM is the exact quotient rounded once: within half a cent.
        #[test]
        fn the_cjm_is_the_quotient_rounded_once(t in terms(), s in settings()) {
            let annual = t.annual_cost();
            let (err, days) = error_times_divisor(s, s.daily_cost_of(annual), annual);
            prop_assert!(2 * err.abs() <= days, "error {err} over {days}");
        }

        /// Linear in each component: adding Δ to one moves the annual cost
        /// by Δ (by Δ plus the charges on it for gross and bonuses, within
        /// a cent), and the CJM by that ÷ divisor within one cent (a little
        /// more under a charges rate: its rounding, ÷ divisor).
        #[test]
        fn the_cjm_is_linear_in_each_component(t in terms(), s in settings(), i in 0usize..7, delta in 0i64..10_000_000) {
            let bumped = bump(t, i, delta);
            let d_annual = bumped.annual_cost() - t.annual_cost();
            let rate = match t.employer_charges {
                EmployerCharges::Rate(r) => Some(i128::from(r.basis_points())),
                EmployerCharges::Amount(_) => None,
            };
            // The annual cost moves by Δ, and by the charges on Δ for pay.
            let exact_annual_times_10_000 = match (i, rate) {
                (0 | 1, Some(bp)) => i128::from(delta) * (10_000 + bp),
                (2, Some(_)) => 0,
                _ => i128::from(delta) * 10_000,
            };
            let annual_err = i128::from(d_annual.cents()) * 10_000 - exact_annual_times_10_000;
            prop_assert!(annual_err.abs() <= 10_000, "annual moved by {d_annual:?}");

            let d_cjm = s.daily_cost_of(bumped.annual_cost()) - s.daily_cost_of(t.annual_cost());
            let (_, days) = error_times_divisor(s, Money::ZERO, Money::ZERO);
            // d_cjm × days (in 1/10 000 day) against the exact move × 10 000.
            let err = i128::from(d_cjm.cents()) * days - exact_annual_times_10_000;
            let charged_pay = matches!((i, rate), (0 | 1, Some(_)));
            let tolerance = days + if charged_pay { 10_000 } else { 0 };
            prop_assert!(err.abs() <= tolerance, "cjm moved by {d_cjm:?}, error {err}, tolerance {tolerance}");
        }

        /// Within a version the CJM does not change; it changes on the
        /// next version's date only.
        #[test]
        fn the_cjm_is_constant_within_a_version(
            t1 in terms(), t2 in terms(), s in settings(), len in 1i64..400, probe in 0i64..800
        ) {
            let start = date!(2027 - 01 - 01);
            let next = start + Duration::days(len);
            let versions = [salary(start, t1), salary(next, t2)];
            let day = start + Duration::days(probe);
            let expected = if day < next { s.daily_cost_of(t1.annual_cost()) } else { s.daily_cost_of(t2.annual_cost()) };
            prop_assert_eq!(s.cjm_on(&versions, day), Some(expected));
            prop_assert_eq!(s.cjm_on(&versions, start - Duration::days(1)), None);
        }
    }
}

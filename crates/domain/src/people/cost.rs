//! Dated pay and cost versions: what a person costs the firm, from a date
//! on.
//!
//! A salaried employee's cost is a salary version (annual gross, expected
//! bonuses, employer charges, benefits); a freelancer's is a buy-rate
//! version (the supplier's daily rate excluding VAT, plus any platform or
//! portage fee). A version is in force from its date until the day before
//! the next one, so versions of one person cannot overlap by construction;
//! the only conflict is two versions on the same date, which would leave
//! the cost of that day undecided, and is refused. A person hired as a
//! freelancer and later on a CDI simply has buy-rate versions followed by
//! salary versions.
//!
//! Costs of a month whose margins are locked never change (see
//! [`crate::margin::lock`]): a version dated inside a locked month is
//! refused. A change that concerns locked months (a raise decided in May,
//! effective 1 March, March and April locked) is entered from the first
//! day of the first open month with its real date as the **retroactive
//! date** ("rappel depuis le"): the locked months keep the version in
//! force then, and the margin books the difference on the locked days in
//! the version's own month, as an adjustment ([`check_new_version`] says
//! what is accepted, [`retroactive_version_on`] which days it concerns).

use serde::Serialize;
use time::Date;

use crate::calendar::YearMonth;
use crate::locale::{Locale, format_date};
use crate::margin::MarginLock;
use crate::money::{Money, MoneyError};
use crate::people::employee::ContractKind;
use crate::percent::Percentage;
use crate::validation::{ErrorKey, ValidationErrors};

/// Largest annual amount of a salary version (gross, bonuses, a benefit):
/// far above any salary, low enough that the sum of a version's amounts
/// can never overflow. Above it is a typing slip (cents typed as euros).
pub const ANNUAL_AMOUNT_MAX: Money = Money::from_euros(100_000_000);
/// Highest buy rate per day: as [`crate::mission::TJM_MAX`] for sale
/// rates, anything above is almost surely a monthly amount.
pub const BUY_RATE_MAX: Money = Money::from_euros(10_000);
/// Employer charges above the gross itself are a typing slip (French
/// employer charges run at about 25 to 50 % of gross).
pub const CHARGES_RATE_MAX: Percentage = Percentage::HUNDRED;
/// A platform or portage fee is a fraction of the buy rate.
pub const FEE_RATE_MAX: Percentage = Percentage::HUNDRED;

// ---------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------

/// Employer charges ("charges patronales"), as the firm knows them: a
/// planning rate on gross pay, or the actual annual amount from payroll
/// (645/647, PAYROLL.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum EmployerCharges {
    /// On gross pay plus bonuses (bonuses bear charges as pay does).
    Rate(Percentage),
    Amount(Money),
}

/// A salaried person's annual cost, every amount at least zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SalaryTerms {
    /// Annual gross pay (fixed part, paid leave included).
    pub annual_gross: Money,
    /// Bonuses expected over the year.
    pub annual_bonuses: Money,
    pub employer_charges: EmployerCharges,
    /// Employer's share of the mutual insurance ("mutuelle").
    pub mutual_insurance: Money,
    /// Employer's share of meal vouchers (e.g. 218 days × 6 €).
    pub meal_vouchers: Money,
    /// Employer's share of public transport (50 % by law).
    pub transport: Money,
    /// Per-head costs: laptop, phone, car.
    pub per_head_costs: Money,
}

impl SalaryTerms {
    /// The employer charges in euros: the rate of gross plus bonuses,
    /// rounded half up to the cent, as a payslip would.
    pub fn charges_amount(&self) -> Money {
        match self.employer_charges {
            EmployerCharges::Amount(a) => a,
            EmployerCharges::Rate(r) => r
                .of(self.annual_gross + self.annual_bonuses)
                .expect("bounded amounts times a rate ≤ 100 % fit"),
        }
    }

    /// The loaded annual cost: gross + bonuses + charges + benefits +
    /// per-head costs (PAYROLL.md §4, without overheads: a direct-cost
    /// margin).
    pub fn annual_cost(&self) -> Money {
        self.annual_gross
            + self.annual_bonuses
            + self.charges_amount()
            + self.mutual_insurance
            + self.meal_vouchers
            + self.transport
            + self.per_head_costs
    }
}

/// A platform, referencing or portage fee on a freelancer's buy rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PlatformFee {
    #[default]
    None,
    /// A percentage of the buy rate.
    Percent(Percentage),
    /// An amount per day worked.
    PerDay(Money),
}

/// A freelancer's cost: paid per day worked, so no bench and no divisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FreelanceTerms {
    /// The supplier's daily rate, excluding VAT.
    pub buy_rate: Money,
    pub fee: PlatformFee,
}

impl FreelanceTerms {
    /// The fee for one day: a percentage is rounded half up to the cent.
    pub fn fee_per_day(&self) -> Money {
        match self.fee {
            PlatformFee::None => Money::ZERO,
            PlatformFee::PerDay(a) => a,
            PlatformFee::Percent(p) => p
                .of(self.buy_rate)
                .expect("a bounded rate times a fee ≤ 100 % fits"),
        }
    }

    /// Buy rate + fee: the freelancer's CJM (PAYROLL.md §4).
    pub fn daily_cost(&self) -> Money {
        self.buy_rate + self.fee_per_day()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CostTerms {
    Salary(SalaryTerms),
    Freelance(FreelanceTerms),
}

impl CostTerms {
    /// Salary terms for salaried contracts, buy rates for freelance ones.
    pub fn fits(&self, contract: ContractKind) -> bool {
        matches!(self, CostTerms::Salary(_)) == contract.is_salaried()
    }
}

/// Terms in force from `effective_from` until the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CostVersion {
    pub effective_from: Date,
    /// The real start of a change that concerns locked months: the days
    /// from this date to the day before `effective_from` stay at the
    /// previous version in their (locked) months, and their difference is
    /// booked as an adjustment in `effective_from`'s month. `None` for an
    /// ordinary version.
    pub retroactive_from: Option<Date>,
    pub terms: CostTerms,
}

impl CostVersion {
    /// A version without retroactive effect.
    pub const fn new(effective_from: Date, terms: CostTerms) -> CostVersion {
        CostVersion {
            effective_from,
            retroactive_from: None,
            terms,
        }
    }
}

/// The version in force on `date`: the latest one dated on or before it.
/// `None` before the first version. Versions may come in any order.
pub fn version_on(versions: &[CostVersion], date: Date) -> Option<&CostVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= date)
        .max_by_key(|v| v.effective_from)
}

/// The version whose retroactive period covers `date` (from its
/// retroactive date to the day before it takes effect), if any: that day
/// stays at the version in force then ([`version_on`]) in its own month,
/// and this version's difference on it is booked as an adjustment. At most
/// one does: [`check_new_version`] keeps a retroactive date after the
/// previous version's date, so the periods never overlap.
pub fn retroactive_version_on(versions: &[CostVersion], date: Date) -> Option<&CostVersion> {
    versions
        .iter()
        .filter(|v| v.retroactive_from.is_some_and(|r| r <= date) && date < v.effective_from)
        .min_by_key(|v| v.effective_from)
}

// ---------------------------------------------------------------------------
// Checks on a set of versions
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CostVersionError {
    #[error("another version starts on {date}")]
    SameDate { date: Date },
    #[error("margins are locked through {locked_through}")]
    InLockedMonth { locked_through: YearMonth },
    #[error("these terms do not fit the contract")]
    WrongKind,
    /// A retroactive date with nothing locked: the version is simply
    /// entered from its real date.
    #[error("nothing is locked: no retroactive date is needed")]
    RetroactiveNothingLocked,
    /// A back-dated version starts on the first day of the first open
    /// month, so that every day from the retroactive date on is either a
    /// locked day (adjusted) or a day of the version itself.
    #[error("a back-dated version starts on {first_open}")]
    RetroactiveNotFirstOpenDay { first_open: Date },
    /// The retroactive date must be a locked day (an open one simply takes
    /// the version).
    #[error("the retroactive date is not in a locked month")]
    RetroactiveNotLocked { locked_through: YearMonth },
    /// Nothing to adjust: the locked months had no cost for the person.
    #[error("no earlier version to adjust")]
    RetroactiveWithoutPrevious,
    /// The previous version is entirely replaced only by a change of its
    /// own; back pay starts after it.
    #[error("the retroactive date must be after {previous}")]
    RetroactiveBeforePrevious { previous: Date },
}

impl CostVersionError {
    /// The form field the refusal belongs to.
    pub const fn field(&self) -> &'static str {
        match self {
            CostVersionError::WrongKind => "kind",
            CostVersionError::SameDate { .. }
            | CostVersionError::InLockedMonth { .. }
            | CostVersionError::RetroactiveNotFirstOpenDay { .. } => "effective_from",
            CostVersionError::RetroactiveNothingLocked
            | CostVersionError::RetroactiveNotLocked { .. }
            | CostVersionError::RetroactiveWithoutPrevious
            | CostVersionError::RetroactiveBeforePrevious { .. } => "retroactive_from",
        }
    }
}

impl ErrorKey for CostVersionError {
    fn key(&self) -> &'static str {
        match self {
            CostVersionError::SameDate { .. } => "cost-version-same-date",
            CostVersionError::InLockedMonth { .. } => "cost-version-in-locked-month",
            CostVersionError::WrongKind => "cost-version-wrong-kind",
            CostVersionError::RetroactiveNothingLocked => "cost-version-retroactive-nothing-locked",
            CostVersionError::RetroactiveNotFirstOpenDay { .. } => {
                "cost-version-retroactive-first-open-day"
            }
            CostVersionError::RetroactiveNotLocked { .. } => "cost-version-retroactive-not-locked",
            CostVersionError::RetroactiveWithoutPrevious => {
                "cost-version-retroactive-without-previous"
            }
            CostVersionError::RetroactiveBeforePrevious { .. } => {
                "cost-version-retroactive-before-previous"
            }
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            CostVersionError::SameDate { date } => crate::args![("date", *date)],
            // The message says how to enter a back-dated change: from the
            // first open day, with the real date as the retroactive date.
            CostVersionError::InLockedMonth { locked_through }
            | CostVersionError::RetroactiveNotLocked { locked_through } => crate::args![
                ("month", *locked_through),
                ("first_open", locked_through.next().first_day())
            ],
            CostVersionError::RetroactiveNotFirstOpenDay { first_open } => {
                crate::args![("first_open", *first_open)]
            }
            CostVersionError::RetroactiveBeforePrevious { previous } => {
                crate::args![("date", *previous)]
            }
            CostVersionError::WrongKind
            | CostVersionError::RetroactiveNothingLocked
            | CostVersionError::RetroactiveWithoutPrevious => Vec::new(),
        }
    }
}

/// Checks a person's whole set of versions: no two on the same date
/// (versions run until the next one, so that is the only way two could
/// overlap). Reports the earliest clash.
pub fn check_versions(versions: &[CostVersion]) -> Result<(), CostVersionError> {
    let mut dates: Vec<Date> = versions.iter().map(|v| v.effective_from).collect();
    dates.sort();
    match dates.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(CostVersionError::SameDate { date: w[0] }),
        None => Ok(()),
    }
}

/// Checks a version about to be saved against the person's other versions
/// (`others`, without the one being edited), his contract and the margin
/// lock. An edited version whose former date is locked must be refused
/// too: the caller checks [`MarginLock::refuses`] on it.
///
/// A version with a retroactive date must start on the first day of the
/// first open month, its retroactive date must be a locked day after the
/// previous version's date: the locked days it concerns then all sat
/// under that one previous version, and no two retroactive periods
/// overlap.
pub fn check_new_version(
    new: &CostVersion,
    others: &[CostVersion],
    contract: ContractKind,
    lock: MarginLock,
) -> Result<(), CostVersionError> {
    if let Some(locked_through) = lock.locked_through()
        && lock.refuses(new.effective_from)
    {
        return Err(CostVersionError::InLockedMonth { locked_through });
    }
    if others
        .iter()
        .any(|o| o.effective_from == new.effective_from)
    {
        return Err(CostVersionError::SameDate {
            date: new.effective_from,
        });
    }
    if !new.terms.fits(contract) {
        return Err(CostVersionError::WrongKind);
    }
    if let Some(retro) = new.retroactive_from {
        let Some(locked_through) = lock.locked_through() else {
            return Err(CostVersionError::RetroactiveNothingLocked);
        };
        let first_open = locked_through.next().first_day();
        if new.effective_from != first_open {
            return Err(CostVersionError::RetroactiveNotFirstOpenDay { first_open });
        }
        if !lock.refuses(retro) {
            return Err(CostVersionError::RetroactiveNotLocked { locked_through });
        }
        let previous = others
            .iter()
            .filter(|o| o.effective_from < new.effective_from)
            .map(|o| o.effective_from)
            .max()
            .ok_or(CostVersionError::RetroactiveWithoutPrevious)?;
        if retro <= previous {
            return Err(CostVersionError::RetroactiveBeforePrevious { previous });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AmountError {
    Money(MoneyError),
    Negative,
    TooLarge(Money),
}

impl ErrorKey for AmountError {
    fn key(&self) -> &'static str {
        match self {
            AmountError::Money(m) => m.key(),
            AmountError::Negative => "cost-amount-negative",
            AmountError::TooLarge(_) => "cost-amount-too-large",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            AmountError::TooLarge(max) => crate::args![("max", *max)],
            _ => Vec::new(),
        }
    }
}

fn amount_up_to(max: Money) -> impl Fn(&str) -> Result<Money, AmountError> {
    move |s| {
        let m = Money::parse(s).map_err(AmountError::Money)?;
        if m.is_negative() {
            Err(AmountError::Negative)
        } else if m > max {
            Err(AmountError::TooLarge(max))
        } else {
            Ok(m)
        }
    }
}

/// A percentage up to `max`, with `key` when above.
fn rate_up_to(
    e: &mut ValidationErrors,
    field: &'static str,
    raw: &str,
    max: Percentage,
    key: &'static str,
) -> Option<Percentage> {
    let p = e.required(field, raw, Percentage::parse)?;
    if p > max {
        e.add_with(field, key, crate::args![("max", max.to_input())]);
        return None;
    }
    Some(p)
}

/// The retroactive date as typed: blank is none; a date on or after the
/// version's own is no retroactive date at all, and refused. Whether it
/// lies in locked months, after the previous version, is
/// [`check_new_version`]'s. `None` when refused.
fn retroactive(
    e: &mut ValidationErrors,
    effective_from: Option<Date>,
    raw: &str,
) -> Option<Option<Date>> {
    if raw.trim().is_empty() {
        return Some(None);
    }
    let retro = e.optional("retroactive_from", raw, crate::validation::date)?;
    if effective_from.is_some_and(|from| retro >= from) {
        e.add("retroactive_from", "cost-version-retroactive-not-before");
        return None;
    }
    Some(Some(retro))
}

/// A salary version as typed: amounts in euros per year, blank benefits
/// are zero.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct SalaryVersionInput {
    pub effective_from: String,
    /// Blank for an ordinary version; see [`CostVersion::retroactive_from`].
    pub retroactive_from: String,
    pub annual_gross: String,
    pub annual_bonuses: String,
    /// "rate" (blank) or "amount".
    pub charges_kind: String,
    /// A percentage for "rate" ("45", "42,35 %"), euros for "amount".
    pub employer_charges: String,
    pub mutual_insurance: String,
    pub meal_vouchers: String,
    pub transport: String,
    pub per_head_costs: String,
}

impl SalaryVersionInput {
    /// Checks every field and reports every error at once. Whether the
    /// date clashes with another version or a locked month is
    /// [`check_new_version`]'s, which needs the person's other versions.
    pub fn validate(&self) -> Result<CostVersion, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let effective_from = e.required(
            "effective_from",
            &self.effective_from,
            crate::validation::date,
        );
        let retroactive_from = retroactive(&mut e, effective_from, &self.retroactive_from);
        let amount = amount_up_to(ANNUAL_AMOUNT_MAX);
        let annual_gross = e.required("annual_gross", &self.annual_gross, &amount);
        let mut optional = |field: &'static str, raw: &str| -> Option<Money> {
            if raw.trim().is_empty() {
                Some(Money::ZERO)
            } else {
                e.optional(field, raw, &amount)
            }
        };
        let annual_bonuses = optional("annual_bonuses", &self.annual_bonuses);
        let mutual_insurance = optional("mutual_insurance", &self.mutual_insurance);
        let meal_vouchers = optional("meal_vouchers", &self.meal_vouchers);
        let transport = optional("transport", &self.transport);
        let per_head_costs = optional("per_head_costs", &self.per_head_costs);
        let employer_charges = match self.charges_kind.trim() {
            "" | "rate" => rate_up_to(
                &mut e,
                "employer_charges",
                &self.employer_charges,
                CHARGES_RATE_MAX,
                "cost-charges-rate-too-high",
            )
            .map(EmployerCharges::Rate),
            "amount" => e
                .required("employer_charges", &self.employer_charges, &amount)
                .map(EmployerCharges::Amount),
            _ => {
                e.add("charges_kind", "cost-charges-kind-invalid");
                None
            }
        };

        if !e.is_empty() {
            return Err(e);
        }
        Ok(CostVersion {
            effective_from: effective_from.expect("checked"),
            retroactive_from: retroactive_from.expect("checked"),
            terms: CostTerms::Salary(SalaryTerms {
                annual_gross: annual_gross.expect("checked"),
                annual_bonuses: annual_bonuses.expect("checked"),
                employer_charges: employer_charges.expect("checked"),
                mutual_insurance: mutual_insurance.expect("checked"),
                meal_vouchers: meal_vouchers.expect("checked"),
                transport: transport.expect("checked"),
                per_head_costs: per_head_costs.expect("checked"),
            }),
        })
    }
}

/// A freelancer's buy-rate version as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct FreelanceRateInput {
    pub effective_from: String,
    /// Blank for an ordinary version; see [`CostVersion::retroactive_from`].
    pub retroactive_from: String,
    /// Euros per day, excluding VAT.
    pub buy_rate: String,
    /// "none" (blank), "percent" or "per_day".
    pub fee_kind: String,
    /// A percentage of the buy rate, or euros per day.
    pub fee: String,
}

impl FreelanceRateInput {
    /// Checks every field and reports every error at once. A fee left in
    /// the form with the kind "none" is ignored, as for expense fees.
    pub fn validate(&self) -> Result<CostVersion, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let effective_from = e.required(
            "effective_from",
            &self.effective_from,
            crate::validation::date,
        );
        let retroactive_from = retroactive(&mut e, effective_from, &self.retroactive_from);
        let buy_rate = e
            .required("buy_rate", &self.buy_rate, amount_up_to(BUY_RATE_MAX))
            .filter(|r| {
                let positive = !r.is_zero();
                if !positive {
                    e.add("buy_rate", "cost-buy-rate-not-positive");
                }
                positive
            });
        let fee = match self.fee_kind.trim() {
            "" | "none" => Some(PlatformFee::None),
            "percent" => rate_up_to(&mut e, "fee", &self.fee, FEE_RATE_MAX, "cost-fee-too-high")
                .map(PlatformFee::Percent),
            "per_day" => e
                .required("fee", &self.fee, amount_up_to(BUY_RATE_MAX))
                .map(PlatformFee::PerDay),
            _ => {
                e.add("fee_kind", "cost-fee-kind-invalid");
                None
            }
        };

        if !e.is_empty() {
            return Err(e);
        }
        Ok(CostVersion {
            effective_from: effective_from.expect("checked"),
            retroactive_from: retroactive_from.expect("checked"),
            terms: CostTerms::Freelance(FreelanceTerms {
                buy_rate: buy_rate.expect("checked"),
                fee: fee.expect("checked"),
            }),
        })
    }
}

impl CostVersion {
    /// The salary form to edit this version, if it is one.
    pub fn salary_input(&self) -> Option<SalaryVersionInput> {
        let CostTerms::Salary(s) = self.terms else {
            return None;
        };
        let (charges_kind, employer_charges) = match s.employer_charges {
            EmployerCharges::Rate(r) => ("rate", r.to_input()),
            EmployerCharges::Amount(a) => ("amount", a.to_input()),
        };
        Some(SalaryVersionInput {
            effective_from: format_date(self.effective_from, Locale::Fr),
            retroactive_from: self
                .retroactive_from
                .map(|d| format_date(d, Locale::Fr))
                .unwrap_or_default(),
            annual_gross: s.annual_gross.to_input(),
            annual_bonuses: s.annual_bonuses.to_input(),
            charges_kind: charges_kind.to_string(),
            employer_charges,
            mutual_insurance: s.mutual_insurance.to_input(),
            meal_vouchers: s.meal_vouchers.to_input(),
            transport: s.transport.to_input(),
            per_head_costs: s.per_head_costs.to_input(),
        })
    }

    /// The buy-rate form to edit this version, if it is one.
    pub fn freelance_input(&self) -> Option<FreelanceRateInput> {
        let CostTerms::Freelance(f) = self.terms else {
            return None;
        };
        let (fee_kind, fee) = match f.fee {
            PlatformFee::None => ("none", String::new()),
            PlatformFee::Percent(p) => ("percent", p.to_input()),
            PlatformFee::PerDay(a) => ("per_day", a.to_input()),
        };
        Some(FreelanceRateInput {
            effective_from: format_date(self.effective_from, Locale::Fr),
            retroactive_from: self
                .retroactive_from
                .map(|d| format_date(d, Locale::Fr))
                .unwrap_or_default(),
            buy_rate: f.buy_rate.to_input(),
            fee_kind: fee_kind.to_string(),
            fee,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::Month;
    use time::macros::date;

    /// The salaried example of PAYROLL.md §4: 48 000 gross, charges at
    /// 45 % (21 600), mutual 720, vouchers 1 308 (218 × 6), transport 540.
    pub(crate) fn payroll_example() -> SalaryTerms {
        SalaryTerms {
            annual_gross: Money::from_euros(48_000),
            annual_bonuses: Money::ZERO,
            employer_charges: EmployerCharges::Rate(Percentage::from_percent(45)),
            mutual_insurance: Money::from_euros(720),
            meal_vouchers: Money::from_euros(1_308),
            transport: Money::from_euros(540),
            per_head_costs: Money::ZERO,
        }
    }

    fn salary_input() -> SalaryVersionInput {
        SalaryVersionInput {
            effective_from: "01/01/2027".into(),
            retroactive_from: String::new(),
            annual_gross: "48 000".into(),
            annual_bonuses: String::new(),
            charges_kind: String::new(),
            employer_charges: "45 %".into(),
            mutual_insurance: "720".into(),
            meal_vouchers: "1 308,00".into(),
            transport: "540".into(),
            per_head_costs: String::new(),
        }
    }

    fn keys(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field, f.key)).collect()
    }

    fn version(d: Date) -> CostVersion {
        CostVersion {
            effective_from: d,
            retroactive_from: None,
            terms: CostTerms::Salary(payroll_example()),
        }
    }

    #[test]
    fn the_payroll_example_costs_72_168_euros_a_year() {
        let s = payroll_example();
        assert_eq!(s.charges_amount(), Money::from_euros(21_600));
        assert_eq!(s.annual_cost(), Money::from_euros(72_168));
        let actual = SalaryTerms {
            employer_charges: EmployerCharges::Amount(Money::from_cents(2_154_321)),
            ..s
        };
        assert_eq!(actual.charges_amount(), Money::from_cents(2_154_321));
        // Bonuses bear charges: 45 % of 48 000 + 2 000.
        let with_bonus = SalaryTerms {
            annual_bonuses: Money::from_euros(2_000),
            ..s
        };
        assert_eq!(with_bonus.charges_amount(), Money::from_euros(22_500));
        assert_eq!(with_bonus.annual_cost(), Money::from_euros(75_068));
    }

    #[test]
    fn a_salary_form_validates_and_reads_back() {
        let v = salary_input().validate().unwrap();
        assert_eq!(v, version(date!(2027 - 01 - 01)));
        assert_eq!(v.salary_input().unwrap().validate(), Ok(v));
        assert_eq!(v.freelance_input(), None);
        let mut amount = salary_input();
        amount.charges_kind = "amount".into();
        amount.employer_charges = "21 543,21".into();
        let v = amount.validate().unwrap();
        let CostTerms::Salary(s) = v.terms else {
            panic!()
        };
        assert_eq!(
            s.employer_charges,
            EmployerCharges::Amount(Money::from_cents(2_154_321))
        );
        assert_eq!(v.salary_input().unwrap().validate(), Ok(v));
    }

    #[test]
    fn negative_amounts_and_rates_are_refused() {
        let i = SalaryVersionInput {
            annual_gross: "-48 000".into(),
            annual_bonuses: "-1".into(),
            employer_charges: "-45".into(),
            mutual_insurance: "-720".into(),
            meal_vouchers: "abc".into(),
            transport: "-540".into(),
            per_head_costs: "-1,5".into(),
            ..salary_input()
        };
        assert_eq!(
            keys(&i.validate().unwrap_err()),
            vec![
                ("annual_gross", "cost-amount-negative"),
                ("annual_bonuses", "cost-amount-negative"),
                ("mutual_insurance", "cost-amount-negative"),
                ("meal_vouchers", "money-invalid"),
                ("transport", "cost-amount-negative"),
                ("per_head_costs", "cost-amount-negative"),
                ("employer_charges", "percent-negative"),
            ]
        );
        let i = SalaryVersionInput {
            effective_from: String::new(),
            annual_gross: String::new(),
            employer_charges: "145".into(),
            ..salary_input()
        };
        assert_eq!(
            keys(&i.validate().unwrap_err()),
            vec![
                ("effective_from", "field-required"),
                ("annual_gross", "field-required"),
                ("employer_charges", "cost-charges-rate-too-high"),
            ]
        );
        let i = SalaryVersionInput {
            annual_gross: "1 000 000 000".into(),
            charges_kind: "forfait".into(),
            ..salary_input()
        };
        assert_eq!(
            keys(&i.validate().unwrap_err()),
            vec![
                ("annual_gross", "cost-amount-too-large"),
                ("charges_kind", "cost-charges-kind-invalid"),
            ]
        );
    }

    #[test]
    fn a_freelancer_costs_his_buy_rate_plus_the_fee() {
        let terms = |fee| FreelanceTerms {
            buy_rate: Money::from_euros(560),
            fee,
        };
        assert_eq!(
            terms(PlatformFee::None).daily_cost(),
            Money::from_euros(560)
        );
        assert_eq!(
            terms(PlatformFee::Percent(Percentage::from_basis_points(750))).daily_cost(),
            Money::from_euros(602)
        );
        assert_eq!(
            terms(PlatformFee::PerDay(Money::from_euros(15))).daily_cost(),
            Money::from_euros(575)
        );
        // 3 % of 555,55 € = 16,6665 € → 16,67 €.
        let odd = FreelanceTerms {
            buy_rate: Money::from_cents(55_555),
            fee: PlatformFee::Percent(Percentage::from_percent(3)),
        };
        assert_eq!(odd.fee_per_day(), Money::from_cents(1_667));
        assert_eq!(odd.daily_cost(), Money::from_cents(57_222));
    }

    #[test]
    fn a_buy_rate_form_validates_and_refuses_bad_rates() {
        let i = FreelanceRateInput {
            effective_from: "2027-02-01".into(),
            retroactive_from: String::new(),
            buy_rate: "560".into(),
            fee_kind: "percent".into(),
            fee: "7,5".into(),
        };
        let v = i.validate().unwrap();
        assert_eq!(
            v.terms,
            CostTerms::Freelance(FreelanceTerms {
                buy_rate: Money::from_euros(560),
                fee: PlatformFee::Percent(Percentage::from_basis_points(750)),
            })
        );
        assert_eq!(v.freelance_input().unwrap().validate(), Ok(v));
        let none = FreelanceRateInput {
            fee_kind: "none".into(),
            ..i.clone()
        };
        let v = none.validate().unwrap();
        assert_eq!(v.freelance_input().unwrap().validate(), Ok(v));
        let per_day = FreelanceRateInput {
            fee_kind: "per_day".into(),
            fee: "15".into(),
            ..i.clone()
        };
        let v = per_day.validate().unwrap();
        assert_eq!(v.freelance_input().unwrap().validate(), Ok(v));

        let bad = FreelanceRateInput {
            buy_rate: "-560".into(),
            fee: "-2".into(),
            ..i.clone()
        };
        assert_eq!(
            keys(&bad.validate().unwrap_err()),
            vec![
                ("buy_rate", "cost-amount-negative"),
                ("fee", "percent-negative")
            ]
        );
        let bad = FreelanceRateInput {
            buy_rate: "0".into(),
            fee: "120".into(),
            ..i.clone()
        };
        assert_eq!(
            keys(&bad.validate().unwrap_err()),
            vec![
                ("buy_rate", "cost-buy-rate-not-positive"),
                ("fee", "cost-fee-too-high")
            ]
        );
        let bad = FreelanceRateInput {
            buy_rate: "25 000".into(),
            fee_kind: "portage".into(),
            ..i.clone()
        };
        assert_eq!(
            keys(&bad.validate().unwrap_err()),
            vec![
                ("buy_rate", "cost-amount-too-large"),
                ("fee_kind", "cost-fee-kind-invalid")
            ]
        );
        let bad = FreelanceRateInput {
            fee_kind: "per_day".into(),
            fee: "-15".into(),
            ..i
        };
        assert_eq!(
            keys(&bad.validate().unwrap_err()),
            vec![("fee", "cost-amount-negative")]
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_started() {
        let jan = version(date!(2027 - 01 - 01));
        let mut raise = version(date!(2027 - 07 - 01));
        if let CostTerms::Salary(s) = &mut raise.terms {
            s.annual_gross = Money::from_euros(52_000);
        }
        // Any order.
        let versions = [raise, jan];
        assert_eq!(version_on(&versions, date!(2026 - 12 - 31)), None);
        assert_eq!(version_on(&versions, date!(2027 - 01 - 01)), Some(&jan));
        assert_eq!(version_on(&versions, date!(2027 - 06 - 30)), Some(&jan));
        assert_eq!(version_on(&versions, date!(2027 - 07 - 01)), Some(&raise));
        assert_eq!(version_on(&versions, date!(2040 - 01 - 01)), Some(&raise));
    }

    #[test]
    fn two_versions_on_one_date_are_refused() {
        let a = version(date!(2027 - 01 - 01));
        let b = version(date!(2027 - 07 - 01));
        assert_eq!(check_versions(&[a, b]), Ok(()));
        assert_eq!(check_versions(&[]), Ok(()));
        let err = check_versions(&[b, a, b, a]).unwrap_err();
        assert_eq!(
            err,
            CostVersionError::SameDate {
                date: date!(2027 - 01 - 01)
            }
        );
        assert_eq!(err.key(), "cost-version-same-date");
        assert_eq!(
            check_new_version(&b, &[a, b], ContractKind::Cdi, MarginLock::OPEN),
            Err(CostVersionError::SameDate {
                date: date!(2027 - 07 - 01)
            })
        );
        // Editing a version: the others exclude it.
        assert_eq!(
            check_new_version(&b, &[a], ContractKind::Cdi, MarginLock::OPEN),
            Ok(())
        );
    }

    #[test]
    fn a_version_inside_a_locked_month_is_refused() {
        let march = YearMonth::new(2027, Month::March);
        let lock = MarginLock::through(march);
        let err = check_new_version(
            &version(date!(2027 - 03 - 31)),
            &[],
            ContractKind::Cdi,
            lock,
        )
        .unwrap_err();
        assert_eq!(
            err,
            CostVersionError::InLockedMonth {
                locked_through: march
            }
        );
        assert_eq!(err.key(), "cost-version-in-locked-month");
        // The message says how to enter a back-dated change.
        assert_eq!(
            err.args(),
            crate::args![("month", march), ("first_open", date!(2027 - 04 - 01))]
        );
        assert_eq!(
            check_new_version(
                &version(date!(2027 - 04 - 01)),
                &[],
                ContractKind::Cdi,
                lock
            ),
            Ok(())
        );
    }

    #[test]
    fn a_retroactive_date_is_read_from_the_form_and_before_the_version() {
        let back_dated = SalaryVersionInput {
            effective_from: "01/05/2027".into(),
            retroactive_from: "01/03/2027".into(),
            ..salary_input()
        };
        let v = back_dated.validate().unwrap();
        assert_eq!(v.retroactive_from, Some(date!(2027 - 03 - 01)));
        assert_eq!(v.salary_input().unwrap().validate(), Ok(v));
        assert_eq!(salary_input().validate().unwrap().retroactive_from, None);
        for (raw, key) in [
            ("01/05/2027", "cost-version-retroactive-not-before"),
            ("02/05/2027", "cost-version-retroactive-not-before"),
            ("31/02/2027", "date-invalid"),
        ] {
            let bad = SalaryVersionInput {
                retroactive_from: raw.into(),
                ..back_dated.clone()
            };
            assert_eq!(
                keys(&bad.validate().unwrap_err()),
                vec![("retroactive_from", key)],
                "{raw}"
            );
        }
        let rate = FreelanceRateInput {
            effective_from: "01/05/2027".into(),
            retroactive_from: "15/03/2027".into(),
            buy_rate: "600".into(),
            ..FreelanceRateInput::default()
        };
        let v = rate.validate().unwrap();
        assert_eq!(v.retroactive_from, Some(date!(2027 - 03 - 15)));
        assert_eq!(v.freelance_input().unwrap().validate(), Ok(v));
    }

    /// A raise decided in May, effective 15 March, March and April locked:
    /// entered from 1 May with 15 March as its retroactive date.
    #[test]
    fn a_back_dated_change_starts_on_the_first_open_day_and_adjusts_locked_days() {
        let lock = MarginLock::through(YearMonth::new(2027, Month::April));
        let previous = version(date!(2027 - 01 - 01));
        let back_dated = |from: Date, retro: Date| CostVersion {
            retroactive_from: Some(retro),
            ..version(from)
        };
        let check = |v: &CostVersion, others: &[CostVersion], lock| {
            check_new_version(v, others, ContractKind::Cdi, lock)
        };
        let ok = back_dated(date!(2027 - 05 - 01), date!(2027 - 03 - 15));
        assert_eq!(check(&ok, &[previous], lock), Ok(()));
        // Any locked day after the previous version will do.
        assert_eq!(
            check(
                &back_dated(date!(2027 - 05 - 01), date!(2027 - 01 - 02)),
                &[previous],
                lock
            ),
            Ok(())
        );

        // The version itself in a locked month: refused as ever, the
        // message saying how to enter it.
        let err = check(&version(date!(2027 - 03 - 15)), &[previous], lock).unwrap_err();
        assert_eq!(err.field(), "effective_from");
        assert_eq!(
            err.args(),
            crate::args![
                ("month", YearMonth::new(2027, Month::April)),
                ("first_open", date!(2027 - 05 - 01))
            ]
        );

        let cases = [
            // Not the first open day: May's first days would be neither
            // adjusted nor at the new cost.
            (
                back_dated(date!(2027 - 05 - 10), date!(2027 - 03 - 15)),
                lock,
                CostVersionError::RetroactiveNotFirstOpenDay {
                    first_open: date!(2027 - 05 - 01),
                },
            ),
            (
                back_dated(date!(2027 - 06 - 01), date!(2027 - 03 - 15)),
                lock,
                CostVersionError::RetroactiveNotFirstOpenDay {
                    first_open: date!(2027 - 05 - 01),
                },
            ),
            // Nothing locked: the version is entered from its real date.
            (
                back_dated(date!(2027 - 05 - 01), date!(2027 - 03 - 15)),
                MarginLock::OPEN,
                CostVersionError::RetroactiveNothingLocked,
            ),
            // On the previous version's own date, or before it.
            (
                back_dated(date!(2027 - 05 - 01), date!(2027 - 01 - 01)),
                lock,
                CostVersionError::RetroactiveBeforePrevious {
                    previous: date!(2027 - 01 - 01),
                },
            ),
            (
                back_dated(date!(2027 - 05 - 01), date!(2026 - 12 - 01)),
                lock,
                CostVersionError::RetroactiveBeforePrevious {
                    previous: date!(2027 - 01 - 01),
                },
            ),
        ];
        for (v, lock, want) in cases {
            assert_eq!(check(&v, &[previous], lock), Err(want), "{v:?}");
        }
        // No earlier version: the locked months had no cost to adjust.
        let err = check(&ok, &[], lock).unwrap_err();
        assert_eq!(err, CostVersionError::RetroactiveWithoutPrevious);
        assert_eq!(err.field(), "retroactive_from");
        // A later version does not count as the previous one.
        assert_eq!(
            check(&ok, &[version(date!(2027 - 09 - 01))], lock),
            Err(CostVersionError::RetroactiveWithoutPrevious)
        );
        for e in [
            CostVersionError::RetroactiveNothingLocked,
            CostVersionError::RetroactiveWithoutPrevious,
            CostVersionError::RetroactiveBeforePrevious {
                previous: date!(2027 - 01 - 01),
            },
            CostVersionError::RetroactiveNotLocked {
                locked_through: YearMonth::new(2027, Month::April),
            },
        ] {
            assert_eq!(e.field(), "retroactive_from");
            assert!(e.key().starts_with("cost-version-retroactive-"));
        }
        assert_eq!(
            CostVersionError::RetroactiveNotFirstOpenDay {
                first_open: date!(2027 - 05 - 01)
            }
            .field(),
            "effective_from"
        );
    }

    #[test]
    fn a_retroactive_period_covers_the_locked_days_up_to_the_version() {
        let previous = version(date!(2027 - 01 - 01));
        let raise = CostVersion {
            retroactive_from: Some(date!(2027 - 03 - 15)),
            ..version(date!(2027 - 05 - 01))
        };
        let versions = [previous, raise];
        assert_eq!(
            retroactive_version_on(&versions, date!(2027 - 03 - 14)),
            None
        );
        assert_eq!(
            retroactive_version_on(&versions, date!(2027 - 03 - 15)),
            Some(&raise)
        );
        assert_eq!(
            retroactive_version_on(&versions, date!(2027 - 04 - 30)),
            Some(&raise)
        );
        assert_eq!(
            retroactive_version_on(&versions, date!(2027 - 05 - 01)),
            None
        );
        // Those days keep the version in force then.
        assert_eq!(
            version_on(&versions, date!(2027 - 04 - 30)),
            Some(&previous)
        );
    }

    #[test]
    fn terms_must_fit_the_contract() {
        let salary = version(date!(2027 - 01 - 01));
        assert_eq!(
            check_new_version(
                &salary,
                &[],
                ContractKind::FreelancePortage,
                MarginLock::OPEN
            ),
            Err(CostVersionError::WrongKind)
        );
        assert_eq!(
            check_new_version(&salary, &[], ContractKind::Cdd, MarginLock::OPEN),
            Ok(())
        );
        let rate = CostVersion {
            effective_from: date!(2027 - 01 - 01),
            retroactive_from: None,
            terms: CostTerms::Freelance(FreelanceTerms {
                buy_rate: Money::from_euros(560),
                fee: PlatformFee::None,
            }),
        };
        assert!(rate.terms.fits(ContractKind::FreelanceOwnCompany));
        assert!(!rate.terms.fits(ContractKind::Cdi));
    }
}

//! What the ledger's reports show: the general ledger (grand livre) with
//! opening and running balances per account, the customer ledger (411 per
//! customer), and the fiscal years with their monthly periods. The store
//! reads the lines; the arithmetic lives here so it is tested without a
//! database.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::calendar::YearMonth;
use crate::ids::CompanyId;
use crate::ledger::{AccountNumber, FiscalYear, Journal, PeriodStatus};
use crate::money::Money;
use crate::validation::{ErrorKey, ValidationErrors};

/// The start of an account number: "4" (every third-party account), "411"
/// (customers, with any sub-account), "44571" (one account). Digits only,
/// so it can go into a `LIKE` pattern without escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AccountPrefix(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an account prefix is 1 to 8 digits, class 1 to 7")]
pub struct AccountPrefixInvalid;

impl ErrorKey for AccountPrefixInvalid {
    fn key(&self) -> &'static str {
        "ledger-account-prefix-invalid"
    }
}

impl AccountPrefix {
    pub fn parse(s: &str) -> Result<AccountPrefix, AccountPrefixInvalid> {
        let s = s.trim();
        let ok = (1..=8).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
            && (b'1'..=b'7').contains(&s.as_bytes()[0]);
        if ok {
            Ok(AccountPrefix(s.to_owned()))
        } else {
            Err(AccountPrefixInvalid)
        }
    }

    /// Customers' accounts: 411 and its sub-accounts (not 4181, accrued
    /// revenue, which is not yet owed by anyone).
    pub fn customers() -> AccountPrefix {
        AccountPrefix("411".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, account: &AccountNumber) -> bool {
        account.as_str().starts_with(&self.0)
    }

    /// The SQL `LIKE` pattern of the accounts it covers.
    pub fn like_pattern(&self) -> String {
        format!("{}%", self.0)
    }
}

impl std::fmt::Display for AccountPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The dates `from..=to` of a report, `from` never after `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    from: Date,
    to: Date,
}

impl DateRange {
    pub fn new(from: Date, to: Date) -> Option<DateRange> {
        (from <= to).then_some(DateRange { from, to })
    }

    /// The whole fiscal year.
    pub fn fiscal_year(fy: FiscalYear) -> DateRange {
        DateRange {
            from: fy.start(),
            to: fy.end(),
        }
    }

    pub fn from(self) -> Date {
        self.from
    }

    pub fn to(self) -> Date {
        self.to
    }

    /// The range typed in a report's filter (`from` and `to` fields, as
    /// `28/11/2026` or `2026-11-28`). A blank bound is taken from the
    /// other's fiscal year, both blank mean the fiscal year of `today`: the
    /// usual question is "this year", or "the rest of that year".
    pub fn parse(from: &str, to: &str, today: Date) -> Result<DateRange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let f = e.optional("from", from, crate::validation::date);
        let t = e.optional("to", to, crate::validation::date);
        if !e.is_empty() {
            return Err(e);
        }
        let (f, t) = match (f, t) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, FiscalYear::of(f).end()),
            (None, Some(t)) => (FiscalYear::of(t).start(), t),
            (None, None) => (FiscalYear::of(today).start(), FiscalYear::of(today).end()),
        };
        DateRange::new(f, t).ok_or_else(|| ValidationErrors::single("to", "ledger-range-reversed"))
    }
}

/// What a general ledger report covers: a date range, optionally the
/// accounts starting with some digits, optionally one customer's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerQuery {
    pub range: DateRange,
    pub accounts: Option<AccountPrefix>,
    pub third_party: Option<CompanyId>,
}

impl LedgerQuery {
    /// The filter of the general ledger page: dates and an optional account
    /// prefix, every error reported at once.
    pub fn parse(
        from: &str,
        to: &str,
        account: &str,
        today: Date,
    ) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let range = DateRange::parse(from, to, today)
            .map_err(|r| e.0.extend(r.0))
            .ok();
        let accounts = e.optional("account", account, AccountPrefix::parse);
        match range {
            Some(range) if e.is_empty() => Ok(LedgerQuery {
                range,
                accounts,
                third_party: None,
            }),
            _ => Err(e),
        }
    }

    /// One customer's statement: its lines on the customer accounts.
    pub fn customer(range: DateRange, company: CompanyId) -> LedgerQuery {
        LedgerQuery {
            range,
            accounts: Some(AccountPrefix::customers()),
            third_party: Some(company),
        }
    }
}

/// One posted line as the general ledger prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerLine {
    pub date: Date,
    pub journal: Journal,
    /// The entry's number ("VE-2026-000012").
    pub number: String,
    pub piece_ref: Option<String>,
    /// The entry's label ("Facture FA-2026-000012").
    pub entry_label: String,
    /// The line's own label ("Clientis Group", "TVA").
    pub label: String,
    pub debit: Money,
    pub credit: Money,
    pub third_party: Option<CompanyId>,
    pub third_party_name: Option<String>,
}

/// A line with the account's balance after it (debit minus credit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Running {
    pub line: LedgerLine,
    pub balance: Money,
}

/// The balance of an account before a report's range, as the store sums it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub account: AccountNumber,
    pub label: String,
    pub balance: Money,
}

/// One account of the general ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountLedger {
    pub account: AccountNumber,
    pub label: String,
    /// Balance on the range's first day, before its lines.
    pub opening: Money,
    pub lines: Vec<Running>,
    /// Totals of the range's lines.
    pub debit: Money,
    pub credit: Money,
    /// Balance on the range's last day.
    pub closing: Money,
}

/// The general ledger from the openings and the lines of the range (in the
/// order they are printed: by date, then entry number), one section per
/// account in account order. An account with neither an opening balance
/// nor a line in the range is left out.
///
/// Income statement accounts (classes 6 and 7) restart at zero on the first
/// day of each fiscal year: the store sums their opening from the start of
/// the range's first fiscal year, and a range running into the next year
/// sees their balance restart there.
pub fn general_ledger(
    range: DateRange,
    openings: Vec<Opening>,
    lines: Vec<(AccountNumber, String, LedgerLine)>,
) -> Vec<AccountLedger> {
    let mut accounts: BTreeMap<AccountNumber, (String, Money, Vec<LedgerLine>)> = BTreeMap::new();
    for o in openings {
        accounts.insert(o.account, (o.label, o.balance, Vec::new()));
    }
    for (account, label, line) in lines {
        accounts
            .entry(account)
            .or_insert_with(|| (label, Money::ZERO, Vec::new()))
            .2
            .push(line);
    }
    accounts
        .into_iter()
        .filter(|(_, (_, opening, lines))| !opening.is_zero() || !lines.is_empty())
        .map(|(account, (label, opening, lines))| {
            account_ledger(range, account, label, opening, lines)
        })
        .collect()
}

fn account_ledger(
    range: DateRange,
    account: AccountNumber,
    label: String,
    opening: Money,
    lines: Vec<LedgerLine>,
) -> AccountLedger {
    let restarts = account.is_income_statement();
    let mut year = FiscalYear::of(range.from);
    let mut balance = opening;
    let (mut debit, mut credit) = (Money::ZERO, Money::ZERO);
    let lines = lines
        .into_iter()
        .map(|line| {
            if restarts && !year.contains(line.date) {
                year = FiscalYear::of(line.date);
                balance = Money::ZERO;
            }
            balance += line.debit - line.credit;
            debit += line.debit;
            credit += line.credit;
            Running { line, balance }
        })
        .collect();
    if restarts && !year.contains(range.to) {
        balance = Money::ZERO;
    }
    AccountLedger {
        account,
        label,
        opening,
        lines,
        debit,
        credit,
        closing: balance,
    }
}

/// Debit and credit totals of a whole report.
pub fn totals(accounts: &[AccountLedger]) -> (Money, Money) {
    accounts
        .iter()
        .fold((Money::ZERO, Money::ZERO), |(d, c), a| {
            (d + a.debit, c + a.credit)
        })
}

/// One customer's line of the customer ledger summary (balance auxiliaire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerBalance {
    /// `None` for lines posted on 411 without a customer: shown, so the
    /// summary adds up to the 411 of the trial balance.
    pub company: Option<CompanyId>,
    pub name: Option<String>,
    pub opening: Money,
    pub debit: Money,
    pub credit: Money,
}

impl CustomerBalance {
    /// What the customer owes at the end of the range (negative: what the
    /// firm owes it, e.g. a credit note not yet refunded).
    pub fn closing(&self) -> Money {
        self.opening + self.debit - self.credit
    }
}

/// A fiscal year with the status of each of its months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FiscalYearPeriods {
    pub year: FiscalYear,
    pub months: Vec<(YearMonth, PeriodStatus)>,
}

impl FiscalYearPeriods {
    /// A fiscal year is closed once all its months are.
    pub fn status(&self) -> PeriodStatus {
        if self.months.iter().all(|(_, s)| *s == PeriodStatus::Closed) {
            PeriodStatus::Closed
        } else {
            PeriodStatus::Open
        }
    }
}

/// At most this many fiscal years on the periods page: older ones are
/// closed long ago, and a mistyped entry date in year 1 must not list two
/// thousand years.
pub const FISCAL_YEARS_SHOWN: usize = 10;

/// The fiscal years of the periods page, newest first: every year from the
/// first entry or closed month to the last, and always the current year and
/// the one before (in January, December is still to be closed).
pub fn fiscal_years(
    today: Date,
    entries: Option<(Date, Date)>,
    closed: &[YearMonth],
) -> Vec<FiscalYearPeriods> {
    let current = FiscalYear::of(today);
    let years = closed
        .iter()
        .map(|m| FiscalYear::of(m.first_day()))
        .chain(
            entries
                .into_iter()
                .flat_map(|(a, b)| [FiscalYear::of(a), FiscalYear::of(b)]),
        )
        .chain([current, current.prev()]);
    let (first, last) = years.fold((current, current), |(lo, hi), y| (lo.min(y), hi.max(y)));
    std::iter::successors(Some(last), |y| (*y > first).then(|| y.prev()))
        .take(FISCAL_YEARS_SHOWN)
        .map(|year| FiscalYearPeriods {
            year,
            months: year
                .months()
                .map(|m| {
                    let status = if closed.contains(&m) {
                        PeriodStatus::Closed
                    } else {
                        PeriodStatus::Open
                    };
                    (m, status)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn acct(n: &str) -> AccountNumber {
        AccountNumber::parse(n).unwrap()
    }

    fn line(date: Date, debit: i64, credit: i64) -> LedgerLine {
        LedgerLine {
            date,
            journal: Journal::Ve,
            number: "VE-2026-000001".into(),
            piece_ref: None,
            entry_label: "Facture".into(),
            label: "x".into(),
            debit: Money::from_euros(debit),
            credit: Money::from_euros(credit),
            third_party: None,
            third_party_name: None,
        }
    }

    #[test]
    fn account_prefixes_are_digits_of_a_class() {
        for ok in ["4", "411", "44571", "70610000"] {
            assert_eq!(AccountPrefix::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "0", "8", "41a", "411%", "123456789", "4 1"] {
            assert!(AccountPrefix::parse(bad).is_err(), "{bad}");
        }
        let p = AccountPrefix::customers();
        assert!(p.matches(&acct("411")) && p.matches(&acct("41100")));
        assert!(!p.matches(&acct("4181")));
        assert_eq!(p.like_pattern(), "411%");
    }

    #[test]
    fn a_blank_bound_comes_from_the_other_ones_fiscal_year() {
        let today = date!(2026 - 11 - 28);
        let r = |f: &str, t: &str| DateRange::parse(f, t, today).map(|r| (r.from(), r.to()));
        assert_eq!(
            r("", ""),
            Ok((date!(2026 - 01 - 01), date!(2026 - 12 - 31)))
        );
        assert_eq!(
            r("01/06/2025", ""),
            Ok((date!(2025 - 06 - 01), date!(2025 - 12 - 31)))
        );
        assert_eq!(
            r("", "2027-02-28"),
            Ok((date!(2027 - 01 - 01), date!(2027 - 02 - 28)))
        );
        assert_eq!(
            r("15/11/2026", "15/11/2026"),
            Ok((date!(2026 - 11 - 15), date!(2026 - 11 - 15)))
        );
        let keys = |f: &str, t: &str, a: &str| -> Vec<(&str, &str)> {
            LedgerQuery::parse(f, t, a, today)
                .unwrap_err()
                .0
                .iter()
                .map(|e| (e.field, e.key))
                .collect()
        };
        assert_eq!(
            keys("31/02/2026", "x", ""),
            [("from", "date-invalid"), ("to", "date-invalid")]
        );
        assert_eq!(
            keys("02/01/2026", "01/01/2026", "9"),
            [
                ("to", "ledger-range-reversed"),
                ("account", "ledger-account-prefix-invalid")
            ]
        );
        let q = LedgerQuery::parse("", "", " 411 ", today).unwrap();
        assert_eq!(q.accounts, Some(AccountPrefix::customers()));
    }

    #[test]
    fn running_balances_start_from_the_opening() {
        let range = DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap();
        let gl = general_ledger(
            range,
            vec![
                Opening {
                    account: acct("411"),
                    label: "Clients".into(),
                    balance: Money::from_euros(1_000),
                },
                // Settled before the range and untouched since: left out.
                Opening {
                    account: acct("4181"),
                    label: "FAE".into(),
                    balance: Money::ZERO,
                },
                Opening {
                    account: acct("512"),
                    label: "Banque".into(),
                    balance: Money::from_euros(-50),
                },
            ],
            vec![
                (
                    acct("411"),
                    "Clients".into(),
                    line(date!(2026 - 11 - 05), 14_400, 0),
                ),
                (
                    acct("411"),
                    "Clients".into(),
                    line(date!(2026 - 11 - 20), 0, 7_200),
                ),
                (
                    acct("706"),
                    "Prestations".into(),
                    line(date!(2026 - 11 - 05), 0, 12_000),
                ),
            ],
        );
        let accounts: Vec<&str> = gl.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(accounts, ["411", "512", "706"]);
        let c = &gl[0];
        let balances: Vec<i64> = c.lines.iter().map(|r| r.balance.cents() / 100).collect();
        assert_eq!(balances, [15_400, 8_200]);
        assert_eq!(
            (c.debit, c.credit, c.closing),
            (
                Money::from_euros(14_400),
                Money::from_euros(7_200),
                Money::from_euros(8_200)
            )
        );
        assert_eq!(
            (gl[1].opening, gl[1].closing, gl[1].lines.len()),
            (Money::from_euros(-50), Money::from_euros(-50), 0)
        );
        assert_eq!(gl[2].closing, Money::from_euros(-12_000));
        assert_eq!(
            totals(&gl),
            (Money::from_euros(14_400), Money::from_euros(19_200))
        );
    }

    #[test]
    fn income_statement_accounts_restart_with_the_fiscal_year() {
        let range = DateRange::new(date!(2026 - 12 - 01), date!(2027 - 01 - 31)).unwrap();
        let gl = general_ledger(
            range,
            vec![
                Opening {
                    account: acct("706"),
                    label: "Prestations".into(),
                    balance: Money::from_euros(-100),
                },
                Opening {
                    account: acct("411"),
                    label: "Clients".into(),
                    balance: Money::from_euros(100),
                },
            ],
            vec![
                (
                    acct("411"),
                    "Clients".into(),
                    line(date!(2027 - 01 - 04), 10, 0),
                ),
                (
                    acct("706"),
                    "Prestations".into(),
                    line(date!(2026 - 12 - 31), 0, 20),
                ),
                (
                    acct("706"),
                    "Prestations".into(),
                    line(date!(2027 - 01 - 04), 0, 10),
                ),
            ],
        );
        let (clients, services) = (&gl[0], &gl[1]);
        assert_eq!(clients.closing, Money::from_euros(110));
        let balances: Vec<i64> = services
            .lines
            .iter()
            .map(|r| r.balance.cents() / 100)
            .collect();
        assert_eq!(balances, [-120, -10]);
        assert_eq!(services.closing, Money::from_euros(-10));
        // December only in a range ending in January: nothing carried over.
        let gl = general_ledger(
            range,
            Vec::new(),
            vec![(
                acct("706"),
                "Prestations".into(),
                line(date!(2026 - 12 - 31), 0, 20),
            )],
        );
        assert_eq!(gl[0].closing, Money::ZERO);
    }

    #[test]
    fn fiscal_years_cover_entries_closed_months_and_last_year() {
        let today = date!(2026 - 01 - 10);
        let years = |e, c: &[YearMonth]| -> Vec<i32> {
            fiscal_years(today, e, c)
                .iter()
                .map(|f| f.year.year())
                .collect()
        };
        assert_eq!(years(None, &[]), [2026, 2025]);
        assert_eq!(
            years(Some((date!(2023 - 03 - 01), date!(2027 - 01 - 01))), &[]),
            [2027, 2026, 2025, 2024, 2023]
        );
        assert_eq!(
            years(Some((date!(0001 - 01 - 01), today)), &[]).len(),
            FISCAL_YEARS_SHOWN
        );
        let dec = YearMonth::of(date!(2025 - 12 - 01));
        let fy = fiscal_years(today, None, &[dec]);
        assert_eq!(fy[1].months[11], (dec, PeriodStatus::Closed));
        assert_eq!(fy[1].months[10].1, PeriodStatus::Open);
        assert_eq!(fy[1].status(), PeriodStatus::Open);
        let all: Vec<YearMonth> = fy[1].year.months().collect();
        assert_eq!(
            fiscal_years(today, None, &all)[1].status(),
            PeriodStatus::Closed
        );
    }
}

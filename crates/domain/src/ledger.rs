//! Double-entry bookkeeping on the French chart of accounts (PCG): accounts,
//! journals, balanced entries, reversals, and balances. An entry is checked
//! here before anything is written; a posted entry is never edited, it is
//! reversed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::YearMonth;
use crate::ids::CompanyId;
use crate::money::Money;
use crate::validation::{ErrorKey, ValidationErrors};

/// A PCG account number: 3 to 8 digits, its first digit the class (1–7;
/// 8 and 9 are off-balance and analytic, not kept here).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an account number is 3 to 8 digits, class 1 to 7")]
pub struct AccountNumberInvalid;

impl AccountNumber {
    pub fn parse(s: &str) -> Result<AccountNumber, AccountNumberInvalid> {
        let s = s.trim();
        let ok = (3..=8).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
            && (b'1'..=b'7').contains(&s.as_bytes()[0]);
        if ok {
            Ok(AccountNumber(s.to_owned()))
        } else {
            Err(AccountNumberInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn class(&self) -> u8 {
        self.0.as_bytes()[0] - b'0'
    }

    /// Income statement accounts (classes 6 and 7) restart at zero each
    /// fiscal year; balance sheet accounts carry over.
    pub fn is_income_statement(&self) -> bool {
        self.class() >= 6
    }
}

impl crate::validation::ErrorKey for AccountNumberInvalid {
    fn key(&self) -> &'static str {
        "ledger-account-number-invalid"
    }
}

impl TryFrom<String> for AccountNumber {
    type Error = AccountNumberInvalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AccountNumber::parse(&s)
    }
}

impl From<AccountNumber> for String {
    fn from(a: AccountNumber) -> String {
        a.0
    }
}

impl std::fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The accounts every firm starts with (ACCOUNTING.md §1); more can be added.
pub const CHART: &[(&str, &str)] = &[
    ("401", "Fournisseurs"),
    ("411", "Clients"),
    ("4181", "Clients — factures à établir"),
    ("421", "Personnel — rémunérations dues"),
    ("4282", "Dettes provisionnées pour congés à payer"),
    ("4286", "Autres charges à payer (personnel)"),
    ("431", "Sécurité sociale"),
    ("4382", "Charges sociales sur congés à payer"),
    ("4386", "Autres charges à payer (organismes sociaux)"),
    ("437", "Autres organismes sociaux"),
    ("4421", "Prélèvement à la source"),
    ("44566", "TVA déductible sur autres biens et services"),
    ("44571", "TVA collectée"),
    ("44574", "TVA sur prestations en attente d’encaissement"),
    ("44587", "TVA sur factures à établir"),
    ("467", "Autres comptes débiteurs ou créditeurs (débours)"),
    ("471", "Compte d'attente"),
    ("487", "Produits constatés d’avance"),
    ("512", "Banque"),
    ("580", "Virements internes"),
    ("6251", "Voyages et déplacements"),
    ("627", "Services bancaires"),
    ("641", "Rémunérations du personnel"),
    ("645", "Charges de sécurité sociale et de prévoyance"),
    ("665", "Escomptes accordés"),
    ("706", "Prestations de services"),
    (
        "7088",
        "Autres produits des activités annexes (frais refacturés)",
    ),
    ("7097", "Rabais, remises et ristournes accordés"),
    ("768", "Autres produits financiers"),
];

/// The journals of the firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Journal {
    /// Ventes: invoices and credit notes.
    Ve,
    /// Banque: payments received and made.
    Bq,
    /// Opérations diverses: accruals, payroll, reversals.
    Od,
    /// Achats: supplier invoices.
    Ac,
}

impl Journal {
    pub const ALL: [Journal; 4] = [Journal::Ve, Journal::Bq, Journal::Od, Journal::Ac];

    pub fn code(self) -> &'static str {
        match self {
            Journal::Ve => "VE",
            Journal::Bq => "BQ",
            Journal::Od => "OD",
            Journal::Ac => "AC",
        }
    }

    pub fn parse(s: &str) -> Option<Journal> {
        Journal::ALL.into_iter().find(|j| j.code() == s)
    }

    /// Translation key of the journal's name as shown to users.
    pub fn label_key(self) -> &'static str {
        match self {
            Journal::Ve => "journal-ve",
            Journal::Bq => "journal-bq",
            Journal::Od => "journal-od",
            Journal::Ac => "journal-ac",
        }
    }

    /// The journal's name in the FEC (its `JournalLib`), in French like the
    /// rest of the file.
    pub fn label_fr(self) -> &'static str {
        match self {
            Journal::Ve => "Ventes",
            Journal::Bq => "Banque",
            Journal::Od => "Opérations diverses",
            Journal::Ac => "Achats",
        }
    }
}

/// Entries are numbered per journal and fiscal year without gaps:
/// "VE-2026-000123". A provisional entry (see [`crate::brouillard`]) shows
/// its place in the brouillard instead: "BQ-2026-B000007".
pub fn entry_number(journal: Journal, year: i32, seq: i64) -> String {
    match crate::brouillard::Seq::from_stored(seq) {
        crate::brouillard::Seq::Validated(n) => format!("{}-{year}-{n:06}", journal.code()),
        crate::brouillard::Seq::Provisional(p) => format!("{}-{year}-B{p:06}", journal.code()),
    }
}

/// One line of an entry: an amount on one side of one account, with the
/// customer it concerns (411, 4181) and the mission's analytic code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub account: AccountNumber,
    pub debit: Money,
    pub credit: Money,
    pub label: String,
    pub third_party: Option<CompanyId>,
    pub analytic: Option<String>,
}

impl Line {
    pub fn debit(account: &str, amount: Money, label: &str) -> Line {
        Line::new(account, amount, Money::ZERO, label)
    }

    pub fn credit(account: &str, amount: Money, label: &str) -> Line {
        Line::new(account, Money::ZERO, amount, label)
    }

    /// # Panics
    /// On an account number that is not one (a programming error: numbers
    /// typed by people go through [`AccountNumber::parse`]).
    fn new(account: &str, debit: Money, credit: Money, label: &str) -> Line {
        Line {
            account: AccountNumber::parse(account).expect("a PCG account number"),
            debit,
            credit,
            label: label.to_owned(),
            third_party: None,
            analytic: None,
        }
    }

    pub fn for_customer(mut self, c: CompanyId) -> Line {
        self.third_party = Some(c);
        self
    }

    pub fn analytic(mut self, code: &str) -> Line {
        self.analytic = Some(code.to_owned());
        self
    }

    /// Debit minus credit.
    /// The same line on the other side (a reversal's, a credit note's).
    pub fn mirrored(self) -> Line {
        Line {
            debit: self.credit,
            credit: self.debit,
            ..self
        }
    }

    pub fn balance(&self) -> Money {
        self.debit - self.credit
    }
}

/// An entry about to be posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub journal: Journal,
    pub date: Date,
    pub label: String,
    /// The document it comes from (invoice number, bank statement…).
    pub piece_ref: Option<String>,
    pub lines: Vec<Line>,
}

/// At most this many lines: a monthly invoice has a few, a payroll entry a
/// few dozen; more is a mistake upstream.
pub const MAX_LINES: usize = 500;

impl NewEntry {
    /// An entry is posted only if every line carries one positive amount
    /// on one side and the debits equal the credits.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        // The FEC carries these texts; one rule for all of them.
        if let Err(t) = crate::validation::export_text(&self.label) {
            e.add("label", t.key());
        }
        if let Some(Err(t)) = self
            .piece_ref
            .as_deref()
            .map(crate::validation::export_text)
        {
            e.add("piece_ref", t.key());
        }
        for (i, l) in self.lines.iter().enumerate() {
            if crate::validation::export_text(&l.label).is_err() {
                e.add_with(
                    "lines",
                    "ledger-line-label-invalid",
                    crate::args![("line", i + 1)],
                );
            }
        }
        if self.lines.len() < 2 {
            e.add("lines", "ledger-two-lines");
        } else if self.lines.len() > MAX_LINES {
            e.add_with(
                "lines",
                "ledger-too-many-lines",
                crate::args![("max", MAX_LINES)],
            );
        }
        for (i, l) in self.lines.iter().enumerate() {
            let one_side = (l.debit.cents() > 0 && l.credit.is_zero())
                || (l.credit.cents() > 0 && l.debit.is_zero());
            if !one_side {
                e.add_with(
                    "lines",
                    "ledger-line-one-side",
                    crate::args![("line", i + 1)],
                );
            }
        }
        let (debit, credit) = self.totals();
        if debit != credit {
            e.add_with(
                "lines",
                "ledger-unbalanced",
                crate::args![("debit", debit), ("credit", credit)],
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    pub fn totals(&self) -> (Money, Money) {
        self.lines
            .iter()
            .fold((Money::ZERO, Money::ZERO), |(d, c), l| {
                (d + l.debit, c + l.credit)
            })
    }

    /// The entry that cancels this one on `date`: every line on the other
    /// side, nothing else changed.
    pub fn reversal(&self, date: Date, label: &str) -> NewEntry {
        NewEntry {
            journal: self.journal,
            date,
            label: label.to_owned(),
            piece_ref: self.piece_ref.clone(),
            lines: self.lines.iter().map(|l| l.clone().mirrored()).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Open,
    Closed,
}

impl PeriodStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodStatus::Open => "open",
            PeriodStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodStatus> {
        [PeriodStatus::Open, PeriodStatus::Closed]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Monthly periods; the fiscal year is the calendar year (the common case
/// for consulting firms; another year end is a later setting).
pub fn period_of(date: Date) -> YearMonth {
    YearMonth::of(date)
}

/// A fiscal year (exercice), named by the calendar year it ends in. The
/// firm's is the calendar year: every rule that depends on the year end
/// (income statement accounts restarting at zero, the periods page, the
/// FEC's name) asks this type, so another year end is a change here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn of(date: Date) -> FiscalYear {
        FiscalYear(date.year())
    }

    pub fn year(self) -> i32 {
        self.0
    }

    /// # Panics
    /// Outside the years `time` supports (±9999): a `FiscalYear` only comes
    /// from a date, so it cannot happen.
    pub fn start(self) -> Date {
        Date::from_calendar_date(self.0, time::Month::January, 1).expect("a year of a date")
    }

    /// # Panics
    /// As [`FiscalYear::start`].
    pub fn end(self) -> Date {
        Date::from_calendar_date(self.0, time::Month::December, 31).expect("a year of a date")
    }

    pub fn contains(self, date: Date) -> bool {
        FiscalYear::of(date) == self
    }

    /// Its twelve monthly periods, in order.
    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        std::iter::successors(Some(period_of(self.start())), |m| Some(m.next())).take(12)
    }

    pub fn prev(self) -> FiscalYear {
        FiscalYear::of(self.start().previous_day().unwrap_or(self.start()))
    }

    pub fn next(self) -> FiscalYear {
        FiscalYear::of(self.end().next_day().unwrap_or(self.end()))
    }
}

/// The fiscal years an entry may be dated in, seen from `today`: the
/// current one, the one before (its closing entries come in the first
/// months of the next) and the one after (a payment or a reversal dated in
/// early January seen from late December). Within them, closed months are
/// refused by their own rule. Anything older or further is a typing slip
/// (0001-01-01, a two-digit year) or a forged request, which sealed into
/// the books could never be taken out again.
pub fn open_years(today: Date) -> (Date, Date) {
    let current = FiscalYear::of(today);
    (current.prev().start(), current.next().end())
}

/// `date` when it falls in [`open_years`], else the refusal naming them.
pub fn check_open_years(date: Date, today: Date) -> Result<Date, OutsideOpenYears> {
    let (from, to) = open_years(today);
    if (from..=to).contains(&date) {
        Ok(date)
    } else {
        Err(OutsideOpenYears { from, to })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutsideOpenYears {
    pub from: Date,
    pub to: Date,
}

impl ErrorKey for OutsideOpenYears {
    fn key(&self) -> &'static str {
        "ledger-date-outside-open-years"
    }
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        crate::args![("from", self.from), ("to", self.to)]
    }
}

/// Debit and credit totals of one account over some lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AccountTotals {
    pub debit: Money,
    pub credit: Money,
}

impl AccountTotals {
    pub fn balance(&self) -> Money {
        self.debit - self.credit
    }

    /// The balance as a French trial balance prints it, in two columns
    /// (solde débiteur, solde créditeur), one of them zero: never a signed
    /// figure a reader has to interpret.
    pub fn balance_sides(&self) -> (Money, Money) {
        let b = self.balance();
        if b.is_negative() {
            (Money::ZERO, -b)
        } else {
            (b, Money::ZERO)
        }
    }
}

/// The trial balance of some lines: totals per account. Its debits always
/// equal its credits when the lines come from balanced entries.
pub fn trial_balance<'a>(
    lines: impl IntoIterator<Item = &'a Line>,
) -> BTreeMap<AccountNumber, AccountTotals> {
    let mut out: BTreeMap<AccountNumber, AccountTotals> = BTreeMap::new();
    for l in lines {
        let t = out.entry(l.account.clone()).or_default();
        t.debit += l.debit;
        t.credit += l.credit;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn a_balance_prints_on_its_side() {
        let t = |d, c| AccountTotals {
            debit: Money::from_cents(d),
            credit: Money::from_cents(c),
        };
        assert_eq!(
            t(500, 200).balance_sides(),
            (Money::from_cents(300), Money::ZERO)
        );
        assert_eq!(
            t(200, 500).balance_sides(),
            (Money::ZERO, Money::from_cents(300))
        );
        assert_eq!(t(200, 200).balance_sides(), (Money::ZERO, Money::ZERO));
    }

    fn invoice() -> NewEntry {
        // ACCOUNTING.md §2 A: 20 d × 600 € with VAT on receipts.
        NewEntry {
            journal: Journal::Ve,
            date: date!(2026 - 11 - 30),
            label: "Facture FA-2026-000001".into(),
            piece_ref: Some("FA-2026-000001".into()),
            lines: vec![
                Line::debit("411", Money::from_euros(14_400), "Clientis"),
                Line::credit("706", Money::from_euros(12_000), "Prestations"),
                Line::credit("44574", Money::from_euros(2_400), "TVA"),
            ],
        }
    }

    #[test]
    fn account_numbers_are_pcg_digits() {
        assert_eq!(AccountNumber::parse("411").unwrap().class(), 4);
        assert!(AccountNumber::parse("44574").is_ok());
        assert!(AccountNumber::parse("706").unwrap().is_income_statement());
        assert!(!AccountNumber::parse("512").unwrap().is_income_statement());
        for bad in ["41", "123456789", "41a", "", "801", "012"] {
            assert!(AccountNumber::parse(bad).is_err(), "{bad}");
        }
        for (n, _) in CHART {
            assert!(AccountNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn the_book_example_balances_and_its_reversal_cancels_it() {
        let e = invoice();
        assert_eq!(e.validate(), Ok(()));
        let r = e.reversal(date!(2026 - 12 - 01), "Extourne");
        assert_eq!(r.validate(), Ok(()));
        let tb = trial_balance(e.lines.iter().chain(&r.lines));
        assert!(tb.values().all(|t| t.balance().is_zero()));
        assert_eq!(entry_number(Journal::Ve, 2026, 123), "VE-2026-000123");
        assert_eq!(entry_number(Journal::Bq, 2026, -7), "BQ-2026-B000007");
    }

    #[test]
    fn entries_are_dated_in_the_open_years_only() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(
            open_years(today),
            (date!(2025 - 01 - 01), date!(2027 - 12 - 31))
        );
        for ok in [date!(2025 - 01 - 01), today, date!(2027 - 12 - 31)] {
            assert_eq!(check_open_years(ok, today), Ok(ok));
        }
        for bad in [
            date!(0001 - 01 - 01),
            date!(1970 - 01 - 01),
            date!(2024 - 12 - 31),
            date!(2028 - 01 - 01),
            date!(9999 - 12 - 31),
        ] {
            let e = check_open_years(bad, today).unwrap_err();
            assert_eq!(e.key(), "ledger-date-outside-open-years");
            assert_eq!(
                e.args(),
                crate::args![
                    ("from", date!(2025 - 01 - 01)),
                    ("to", date!(2027 - 12 - 31))
                ]
            );
        }
    }

    #[test]
    fn the_fiscal_year_is_the_calendar_year() {
        let fy = FiscalYear::of(date!(2026 - 11 - 28));
        assert_eq!(fy.year(), 2026);
        assert_eq!(fy.start(), date!(2026 - 01 - 01));
        assert_eq!(fy.end(), date!(2026 - 12 - 31));
        assert!(fy.contains(date!(2026 - 12 - 31)) && !fy.contains(date!(2027 - 01 - 01)));
        let months: Vec<String> = fy.months().map(|m| m.to_string()).collect();
        assert_eq!(months.len(), 12);
        assert_eq!(
            (months[0].as_str(), months[11].as_str()),
            ("2026-01", "2026-12")
        );
        assert_eq!(fy.prev().year(), 2025);
    }

    #[test]
    fn unbalanced_or_two_sided_lines_are_refused() {
        let mut e = invoice();
        e.lines[2].credit = Money::from_euros(2_399);
        let keys: Vec<&str> = e.validate().unwrap_err().0.iter().map(|f| f.key).collect();
        assert_eq!(keys, ["ledger-unbalanced"]);
        let mut e = invoice();
        e.lines[0].credit = Money::from_euros(1);
        e.lines[1].credit = Money::from_euros(11_999);
        let keys: Vec<&str> = e.validate().unwrap_err().0.iter().map(|f| f.key).collect();
        assert_eq!(keys, ["ledger-line-one-side"]);
        let mut e = invoice();
        e.lines.truncate(1);
        assert!(e.validate().is_err());
        let mut e = invoice();
        e.lines[1] = Line::credit("706", Money::ZERO, "zéro");
        assert!(e.validate().is_err());
    }

    proptest! {
        /// Any entry built as debits spread over accounts balanced by one
        /// credit validates; the trial balance of any set of such entries
        /// and reversals has equal debits and credits.
        #[test]
        fn balanced_entries_keep_the_books_balanced(
            amounts in proptest::collection::vec(proptest::collection::vec(1i64..10_000_000, 1..6), 1..20),
            reverse in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let accounts = ["411", "512", "6251", "641", "4181"];
            let mut lines = Vec::new();
            for (i, debits) in amounts.iter().enumerate() {
                let mut e = NewEntry {
                    journal: Journal::Od,
                    date: date!(2026 - 11 - 30),
                    label: format!("e{i}"),
                    piece_ref: None,
                    lines: debits.iter().enumerate().map(|(k, c)| Line::debit(accounts[k % accounts.len()], Money::from_cents(*c), "d")).collect(),
                };
                let total: i64 = debits.iter().sum();
                e.lines.push(Line::credit("706", Money::from_cents(total), "c"));
                prop_assert_eq!(e.validate(), Ok(()));
                lines.extend(e.lines.clone());
                if reverse[i] {
                    let r = e.reversal(date!(2026 - 12 - 01), "r");
                    prop_assert_eq!(r.validate(), Ok(()));
                    lines.extend(r.lines);
                }
            }
            let tb = trial_balance(&lines);
            let (d, c) = tb.values().fold((Money::ZERO, Money::ZERO), |(d, c), t| (d + t.debit, c + t.credit));
            prop_assert_eq!(d, c);
            let net: i64 = tb.values().map(|t| t.balance().cents()).sum();
            prop_assert_eq!(net, 0);
        }

        /// Whatever the amounts, an entry whose debits and credits differ
        /// is refused.
        #[test]
        fn unbalanced_is_always_refused(d in 1i64..1_000_000_000, c in 1i64..1_000_000_000) {
            prop_assume!(d != c);
            let e = NewEntry {
                journal: Journal::Od,
                date: date!(2026 - 11 - 30),
                label: "x".into(),
                piece_ref: None,
                lines: vec![Line::debit("411", Money::from_cents(d), "d"), Line::credit("706", Money::from_cents(c), "c")],
            };
            prop_assert!(e.validate().is_err());
        }
    }
}

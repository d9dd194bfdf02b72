//! The mission: a consultant placed at a client at a daily rate (TJM) for
//! a period, and the life cycle of its status.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::allocation::Allocation;
use crate::company::text_multiline;
use crate::ids::{CompanyId, ContactId, UserId};
use crate::locale::{Locale, format_date};
use crate::money::{Money, MoneyError, Rounding};
use crate::terms::{
    ExpensePolicy, PaymentTerms, TermsError, VatRate, VatRegime, parse_unsigned_decimal,
};
use crate::validation::{ErrorKey, ValidationErrors, text};

// ---------------------------------------------------------------------------
// Daily rate and day quantities
// ---------------------------------------------------------------------------

/// Highest accepted daily rate. Not a legal limit: IT day rates stay far
/// below it, so anything above is almost surely a monthly amount or a
/// misplaced separator, which would make every invoice of the mission wrong.
pub const TJM_MAX: Money = Money::from_euros(10_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TjmError {
    #[error("the daily rate must be above zero")]
    NotPositive,
    #[error("the daily rate is at most 10,000 euros")]
    TooLarge,
    #[error("{0}")]
    Money(MoneyError),
}

impl ErrorKey for TjmError {
    fn key(&self) -> &'static str {
        match self {
            TjmError::NotPositive => "tjm-not-positive",
            TjmError::TooLarge => "tjm-too-large",
            TjmError::Money(m) => m.key(),
        }
    }
}

/// A daily rate excluding VAT: strictly positive and at most [`TJM_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Money", into = "Money")]
pub struct Tjm(Money);

impl Tjm {
    pub fn new(amount: Money) -> Result<Tjm, TjmError> {
        if amount <= Money::ZERO {
            return Err(TjmError::NotPositive);
        }
        if amount > TJM_MAX {
            return Err(TjmError::TooLarge);
        }
        Ok(Tjm(amount))
    }

    pub fn from_cents(cents: i64) -> Result<Tjm, TjmError> {
        Tjm::new(Money::from_cents(cents))
    }

    /// Parses a rate as typed ("600", "612,50 €"), see [`Money::parse`].
    pub fn parse(input: &str) -> Result<Tjm, TjmError> {
        Tjm::new(Money::parse(input).map_err(TjmError::Money)?)
    }

    pub const fn amount(self) -> Money {
        self.0
    }

    /// The amount for a number of days, rounded once, half up (a half day
    /// at 600,01 € is 300,01 €).
    pub fn for_days(self, days: DayQuantity) -> Money {
        // At most 10^6 cents × 2^31 days: far inside i64 cents.
        self.0
            .mul_decimal(days.as_decimal(), Rounding::HalfUp)
            .expect("a bounded rate times u32 half days fits in i64 cents")
    }

    /// The rate as a form shows it: "612,50".
    pub fn to_input(self) -> String {
        self.0.to_input()
    }
}

impl TryFrom<Money> for Tjm {
    type Error = TjmError;

    fn try_from(m: Money) -> Result<Self, Self::Error> {
        Tjm::new(m)
    }
}

impl From<Tjm> for Money {
    fn from(t: Tjm) -> Money {
        t.0
    }
}

impl fmt::Display for Tjm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DaysError {
    #[error("not a number of days")]
    Invalid,
    #[error("days are counted in half days")]
    HalfOnly,
}

impl ErrorKey for DaysError {
    fn key(&self) -> &'static str {
        match self {
            DaysError::Invalid => "days-invalid",
            DaysError::HalfOnly => "days-half-only",
        }
    }
}

/// A number of days worked or billed, in half days: the finest unit an
/// activity report (CRA) records, so counting half days as integers keeps
/// sums exact and makes "0,3 day" unrepresentable.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct DayQuantity(u32);

impl DayQuantity {
    pub const ZERO: DayQuantity = DayQuantity(0);

    pub const fn from_half_days(half_days: u32) -> DayQuantity {
        DayQuantity(half_days)
    }

    /// # Panics
    /// Beyond `u32::MAX / 2` days.
    pub const fn from_days(days: u32) -> DayQuantity {
        match days.checked_mul(2) {
            Some(h) => DayQuantity(h),
            None => panic!("DayQuantity::from_days overflow"),
        }
    }

    pub const fn half_days(self) -> u32 {
        self.0
    }

    /// Accepts "20", "19,5", "19.5", "19,50"; any other fraction than a half
    /// is refused with `HalfOnly`, a sign or other text with `Invalid`.
    pub fn parse(input: &str) -> Result<DayQuantity, DaysError> {
        let d = parse_unsigned_decimal(input).ok_or(DaysError::Invalid)?;
        let halves = d.checked_mul(Decimal::TWO).ok_or(DaysError::Invalid)?;
        if !halves.fract().is_zero() {
            return Err(DaysError::HalfOnly);
        }
        u32::try_from(halves.trunc())
            .map(DayQuantity)
            .map_err(|_| DaysError::Invalid)
    }

    /// 19.5, 20 (no trailing zeros).
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(i64::from(self.0) * 5, 1).normalize()
    }

    /// "19,5" in French, "19.5" in English; whole days without decimals.
    pub fn format(self, locale: Locale) -> String {
        let whole = self.0 / 2;
        if self.0.is_multiple_of(2) {
            whole.to_string()
        } else {
            format!("{whole}{}5", locale.decimal_separator())
        }
    }
}

impl fmt::Display for DayQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::Fr))
    }
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

/// Where a mission is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionStatus {
    /// À venir: signed, not started.
    Upcoming,
    /// En cours.
    Active,
    /// Terminée: past its end date.
    Ended,
    /// Prolongée: running past its initial end date after a renewal.
    Extended,
    /// Interrompue: stopped early (or cancelled before starting); never
    /// derived from dates, only decided by someone.
    Interrupted,
}

/// What can happen to a mission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionEvent {
    Start,
    Extend,
    Interrupt,
    Complete,
    Reopen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MissionError {
    #[error("a mission {from:?} cannot {event:?}")]
    IllegalTransition {
        from: MissionStatus,
        event: MissionEvent,
    },
}

impl ErrorKey for MissionError {
    fn key(&self) -> &'static str {
        match self {
            MissionError::IllegalTransition { .. } => "mission-illegal-transition",
        }
    }

    /// Codes, not texts: translate them with the `label_key`s.
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            MissionError::IllegalTransition { from, event } => {
                crate::args![("from", from.as_str()), ("event", event.as_str())]
            }
        }
    }
}

impl MissionStatus {
    pub const ALL: [MissionStatus; 5] = [
        MissionStatus::Upcoming,
        MissionStatus::Active,
        MissionStatus::Ended,
        MissionStatus::Extended,
        MissionStatus::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MissionStatus::Upcoming => "upcoming",
            MissionStatus::Active => "active",
            MissionStatus::Ended => "ended",
            MissionStatus::Extended => "extended",
            MissionStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<MissionStatus> {
        MissionStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("mission-status-{}", self.as_str())
    }

    /// The only place the life cycle is defined. Anything not listed is
    /// refused, so a new event or status has to be thought through here.
    pub fn transition(self, event: MissionEvent) -> Result<MissionStatus, MissionError> {
        use MissionEvent as E;
        use MissionStatus as S;
        match (self, event) {
            (S::Upcoming, E::Start) => Ok(S::Active),
            // Cancelled before it started.
            (S::Upcoming, E::Interrupt) => Ok(S::Interrupted),
            (S::Active | S::Extended, E::Extend) => Ok(S::Extended),
            (S::Active | S::Extended, E::Interrupt) => Ok(S::Interrupted),
            (S::Active | S::Extended, E::Complete) => Ok(S::Ended),
            // A renewal signed after the end date: the consultant usually
            // kept working, and the amendment regularises it.
            (S::Ended, E::Extend) => Ok(S::Extended),
            // Undoes a mistaken interruption; the daily refresh then moves
            // it to Ended if its end date has passed.
            (S::Interrupted, E::Reopen) => Ok(S::Active),
            (from, event) => Err(MissionError::IllegalTransition { from, event }),
        }
    }
}

impl fmt::Display for MissionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl MissionEvent {
    pub const ALL: [MissionEvent; 5] = [
        MissionEvent::Start,
        MissionEvent::Extend,
        MissionEvent::Interrupt,
        MissionEvent::Complete,
        MissionEvent::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MissionEvent::Start => "start",
            MissionEvent::Extend => "extend",
            MissionEvent::Interrupt => "interrupt",
            MissionEvent::Complete => "complete",
            MissionEvent::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<MissionEvent> {
        MissionEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("mission-event-{}", self.as_str())
    }
}

/// The status the calendar implies, for the daily refresh job: upcoming
/// before `start`, active (or extended, if the mission was renewed) from
/// `start` to `end` inclusive, ended after `end`.
///
/// Interrupted is never returned: an interruption is a decision, so the
/// job must leave interrupted missions alone instead of calling this.
pub fn status_by_dates(start: Date, end: Date, today: Date, extended: bool) -> MissionStatus {
    if today < start {
        MissionStatus::Upcoming
    } else if today <= end {
        if extended {
            MissionStatus::Extended
        } else {
            MissionStatus::Active
        }
    } else {
        MissionStatus::Ended
    }
}

/// The status a mission shows: "à venir" until it has started **and** its
/// mission order is signed. The calendar alone moves a mission to "en
/// cours" on its first day; a consultant who has not signed his mission
/// order has not yet accepted it, so the mission is still to come in
/// words, whatever the date. Later statuses stand as they are: a mission
/// extended, ended or interrupted has been dealt with already.
pub fn shown_status(status: MissionStatus, order_signed: bool) -> MissionStatus {
    match status {
        MissionStatus::Active if !order_signed => MissionStatus::Upcoming,
        s => s,
    }
}

// ---------------------------------------------------------------------------
// The mission form
// ---------------------------------------------------------------------------

/// What a user typed: every field is raw text so a refused form can be shown
/// again exactly as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct MissionInput {
    pub title: String,
    pub client_id: String,
    pub consultant_id: String,
    pub business_manager_id: String,
    pub delivery_manager_id: String,
    /// "28/11/2026" or ISO "2026-11-28".
    pub start_date: String,
    pub end_date: String,
    pub tjm: String,
    /// The consultant's share of working time, in percent; blank is full
    /// time.
    pub allocation: String,
    pub po_number: String,
    pub payment_days: String,
    pub payment_end_of_month: bool,
    pub vat_rate: String,
    pub vat_regime: String,
    pub expense_policy: String,
    /// Percentage, only read for `at_cost_plus_fee`.
    pub expense_fee: String,
    pub invoicing_locked: bool,
    /// On-call periods and overtime may be reported in the CRA.
    pub extras_allowed: bool,
    pub invoicing_contact_id: String,
    pub billing_address: String,
    pub notes: String,
}

/// A mission whose every field has been checked. Whether the referenced
/// records exist (and have the right role) is the store's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissionData {
    pub title: String,
    pub client_id: CompanyId,
    pub consultant_id: UserId,
    pub business_manager_id: UserId,
    pub delivery_manager_id: Option<UserId>,
    pub start_date: Date,
    /// Inclusive: the last day worked.
    pub end_date: Date,
    pub tjm: Tjm,
    /// Full time unless the firm shares the consultant between missions.
    pub allocation: Allocation,
    /// The client's purchase order number, a mandatory invoice mention when
    /// the client gave one (C. com. L441-9).
    pub po_number: Option<String>,
    pub payment_terms: PaymentTerms,
    pub vat_rate: VatRate,
    pub vat_regime: VatRegime,
    pub expense_policy: ExpensePolicy,
    /// Invoices wait for the client contract's signature (key accounts
    /// often refuse invoices without their own signed purchase order).
    pub invoicing_locked: bool,
    /// On-call periods and overtime may be reported in the CRA.
    pub extras_allowed: bool,
    pub invoicing_contact_id: Option<ContactId>,
    pub billing_address: Option<String>,
    pub notes: Option<String>,
}

/// A malformed id: for a select box it can only mean a record that no
/// longer exists or a forged form.
struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

impl MissionInput {
    /// Checks every field and reports every error at once.
    ///
    /// Defaults for blank billing fields: 30 days net, 20 % VAT (0 % when
    /// the regime charges no VAT), VAT on receipts, expenses not re-billed.
    /// Blank payment days with "end of month" ticked is an error rather than
    /// a guess, as the two defaults would disagree.
    pub fn validate(&self) -> Result<MissionData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = e.required("title", &self.title, |s| text(s, 200));
        let client_id = e.required("client_id", &self.client_id, |s| {
            CompanyId::parse(s).ok_or(UnknownRecord)
        });
        let consultant_id = e.required("consultant_id", &self.consultant_id, |s| {
            UserId::parse(s).ok_or(UnknownRecord)
        });
        let business_manager_id =
            e.required("business_manager_id", &self.business_manager_id, |s| {
                UserId::parse(s).ok_or(UnknownRecord)
            });
        let delivery_manager_id =
            e.optional("delivery_manager_id", &self.delivery_manager_id, |s| {
                UserId::parse(s).ok_or(UnknownRecord)
            });
        let start_date = e.required("start_date", &self.start_date, |s| {
            crate::validation::date(s)
        });
        let end_date = e.required("end_date", &self.end_date, crate::validation::date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            e.add("end_date", "mission-end-before-start");
        }
        let tjm = e.required("tjm", &self.tjm, Tjm::parse);
        let allocation = match Allocation::parse(&self.allocation) {
            Ok(a) => Some(a),
            Err(err) => {
                e.add("allocation", err.key());
                None
            }
        };
        let po_number = e.optional("po_number", &self.po_number, |s| text(s, 60));

        let payment_terms = if self.payment_days.trim().is_empty() && !self.payment_end_of_month {
            Some(PaymentTerms::default())
        } else {
            e.required("payment_days", &self.payment_days, |s| {
                PaymentTerms::parse(s, self.payment_end_of_month)
            })
        };

        let vat_regime = match self.vat_regime.trim() {
            "" => Some(VatRegime::default()),
            s => {
                let parsed = VatRegime::parse(s);
                if parsed.is_none() {
                    e.add("vat_regime", TermsError::VatRegimeInvalid.key());
                }
                parsed
            }
        };
        let vat_rate = if self.vat_rate.trim().is_empty() {
            Some(match vat_regime {
                Some(r) if !r.charges_vat() => VatRate::ZERO,
                _ => VatRate::default(),
            })
        } else {
            e.optional("vat_rate", &self.vat_rate, VatRate::parse)
        };
        // Reverse-charged or exempt invoices carry no VAT: a rate there
        // would produce an invoice contradicting its own mention.
        if let (Some(rate), Some(regime)) = (vat_rate, vat_regime)
            && !regime.charges_vat()
            && rate != VatRate::ZERO
        {
            e.add("vat_rate", "vat-rate-regime-mismatch");
        }

        let expense_policy = match ExpensePolicy::parse(&self.expense_policy, &self.expense_fee) {
            Ok(p) => Some(p),
            Err(err) => {
                let field = match err {
                    TermsError::ExpensePolicyInvalid => "expense_policy",
                    _ => "expense_fee",
                };
                e.add_with(field, err.key(), err.args());
                None
            }
        };
        let invoicing_contact_id =
            e.optional("invoicing_contact_id", &self.invoicing_contact_id, |s| {
                ContactId::parse(s).ok_or(UnknownRecord)
            });
        let billing_address = e.optional("billing_address", &self.billing_address, |s| {
            text_multiline(s, 500)
        });
        let notes = e.optional("notes", &self.notes, |s| text_multiline(s, 5000));

        if !e.is_empty() {
            return Err(e);
        }
        Ok(MissionData {
            title: title.expect("checked"),
            client_id: client_id.expect("checked"),
            consultant_id: consultant_id.expect("checked"),
            business_manager_id: business_manager_id.expect("checked"),
            delivery_manager_id,
            start_date: start_date.expect("checked"),
            end_date: end_date.expect("checked"),
            tjm: tjm.expect("checked"),
            allocation: allocation.expect("checked"),
            po_number,
            payment_terms: payment_terms.expect("checked"),
            vat_rate: vat_rate.expect("checked"),
            vat_regime: vat_regime.expect("checked"),
            expense_policy: expense_policy.expect("checked"),
            invoicing_locked: self.invoicing_locked,
            extras_allowed: self.extras_allowed,
            invoicing_contact_id,
            billing_address,
            notes,
        })
    }
}

impl MissionData {
    /// The form shown to edit an existing mission.
    pub fn to_input(&self) -> MissionInput {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let id = |o: Option<String>| o.unwrap_or_default();
        MissionInput {
            title: self.title.clone(),
            client_id: self.client_id.to_string(),
            consultant_id: self.consultant_id.to_string(),
            business_manager_id: self.business_manager_id.to_string(),
            delivery_manager_id: id(self.delivery_manager_id.map(|u| u.to_string())),
            start_date: format_date(self.start_date, Locale::Fr),
            end_date: format_date(self.end_date, Locale::Fr),
            tjm: self.tjm.to_input(),
            allocation: self.allocation.percent().to_string(),
            po_number: s(&self.po_number),
            payment_days: self.payment_terms.days().to_string(),
            payment_end_of_month: self.payment_terms.end_of_month(),
            vat_rate: self.vat_rate.to_input(),
            vat_regime: self.vat_regime.as_str().to_string(),
            expense_policy: self.expense_policy.kind_str().to_string(),
            expense_fee: self.expense_policy.fee_input(),
            invoicing_locked: self.invoicing_locked,
            extras_allowed: self.extras_allowed,
            invoicing_contact_id: id(self.invoicing_contact_id.map(|c| c.to_string())),
            billing_address: s(&self.billing_address),
            notes: s(&self.notes),
        }
    }
}

// ---------------------------------------------------------------------------
// Analytic code
// ---------------------------------------------------------------------------

pub const ANALYTIC_CODE_MAX: usize = 40;
const CLIENT_PART_MAX: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnalyticCodeError {
    #[error("empty")]
    Empty,
    #[error("only letters A-Z, digits and '-'")]
    Invalid,
    #[error("at most 40 characters")]
    TooLong,
}

impl ErrorKey for AnalyticCodeError {
    fn key(&self) -> &'static str {
        match self {
            AnalyticCodeError::Empty => "field-required",
            AnalyticCodeError::Invalid => "analytic-code-invalid",
            AnalyticCodeError::TooLong => "field-too-long",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            AnalyticCodeError::TooLong => crate::args![("max", ANALYTIC_CODE_MAX)],
            _ => Vec::new(),
        }
    }
}

/// The mission's analytic account (centre analytique), e.g.
/// "CLIENTIS-BMA-CMA-001": uppercase ASCII letters, digits and '-', at most
/// 40 characters, so it survives every accounting export (FEC, payroll and
/// accounting tools often choke on accents and spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AnalyticCode(String);

impl AnalyticCode {
    /// Trims and uppercases, then checks the alphabet and length.
    pub fn parse(input: &str) -> Result<AnalyticCode, AnalyticCodeError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(AnalyticCodeError::Empty);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(AnalyticCodeError::Invalid);
        }
        if s.len() > ANALYTIC_CODE_MAX {
            return Err(AnalyticCodeError::TooLong);
        }
        Ok(AnalyticCode(s))
    }

    /// Builds `CLIENT-BMI-CSI-NNN`:
    /// - the first word of the client's name, accents removed (É → E,
    ///   Œ → OE) and other non-alphanumerics dropped, cut at 10 characters;
    /// - the initials of the business manager and of the consultant: the
    ///   first letter of each of up to three name parts (parts are split on
    ///   spaces and hyphens), completed to three letters with the next
    ///   letters of the last part, the usual French trigram ("Bruno
    ///   Marchand" → BMA, "Jean-Pierre Dupont" → JPD), so codes keep one
    ///   shape whatever the names;
    /// - the sequence number, zero-padded to three digits (more if needed).
    ///
    /// Names without any usable letter fall back to "X" so a code can always
    /// be built; uniqueness is the caller's job (it retries with the next
    /// sequence number).
    pub fn build(
        client_name: &str,
        bm_name: &str,
        consultant_name: &str,
        seq: u32,
    ) -> AnalyticCode {
        let client: String = client_name
            .split_whitespace()
            .map(fold_to_ascii_upper)
            .find(|w| !w.is_empty())
            .map(|w| w.chars().take(CLIENT_PART_MAX).collect())
            .unwrap_or_else(|| "X".to_string());
        let code = format!(
            "{client}-{}-{}-{seq:03}",
            trigram(bm_name),
            trigram(consultant_name)
        );
        // 10 + 3 + 3 + 10 digits + 3 dashes = 29 characters at most.
        AnalyticCode::parse(&code).expect("built codes use the code alphabet and fit")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn trigram(name: &str) -> String {
    let parts: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(fold_to_ascii_upper)
        .filter(|p| !p.is_empty())
        .take(3)
        .collect();
    let Some(last) = parts.last() else {
        return "X".to_string();
    };
    let mut out: String = parts.iter().filter_map(|p| p.chars().next()).collect();
    out.extend(last.chars().skip(1).take(3 - parts.len()));
    out
}

/// Uppercase ASCII letters and digits only: French (and common European)
/// accented letters lose their accent, ligatures are spelled out, anything
/// else is dropped.
fn fold_to_ascii_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_uppercase) {
        let folded: &str = match c {
            'A'..='Z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "A",
            'Æ' => "AE",
            'Ç' => "C",
            'È' | 'É' | 'Ê' | 'Ë' => "E",
            'Ì' | 'Í' | 'Î' | 'Ï' => "I",
            'Ñ' => "N",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "O",
            'Œ' => "OE",
            'Ù' | 'Ú' | 'Û' | 'Ü' => "U",
            'Ý' | 'Ÿ' => "Y",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

impl fmt::Display for AnalyticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AnalyticCode {
    type Error = AnalyticCodeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        AnalyticCode::parse(&s)
    }
}

impl From<AnalyticCode> for String {
    fn from(c: AnalyticCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, I64Deserializer, StrDeserializer};
    use time::macros::date;

    // ----- Tjm and days -----

    #[test]
    fn tjm_bounds() {
        assert_eq!(Tjm::parse("600").unwrap().amount(), Money::from_euros(600));
        assert_eq!(Tjm::parse("612,50 €").unwrap().amount().cents(), 61_250);
        assert_eq!(Tjm::parse("10 000,00").unwrap().amount(), TJM_MAX);
        assert_eq!(Tjm::from_cents(1).unwrap().amount().cents(), 1);
        assert_eq!(Tjm::parse("0"), Err(TjmError::NotPositive));
        assert_eq!(Tjm::parse("-5"), Err(TjmError::NotPositive));
        assert_eq!(Tjm::parse("10 000,01"), Err(TjmError::TooLarge));
        assert_eq!(Tjm::parse("abc"), Err(TjmError::Money(MoneyError::Invalid)));
        assert_eq!(
            Tjm::parse("12.345").unwrap_err().key(),
            "money-too-many-decimals"
        );
        assert_eq!(Tjm::parse("0").unwrap_err().key(), "tjm-not-positive");
        assert_eq!(Tjm::parse("20000").unwrap_err().key(), "tjm-too-large");
        assert_eq!(Tjm::parse("").unwrap_err().key(), "money-empty");
    }

    #[test]
    fn tjm_serde_checks_bounds() {
        let de: I64Deserializer<DeError> = 60_000i64.into_deserializer();
        assert_eq!(Tjm::deserialize(de).ok(), Tjm::from_cents(60_000).ok());
        let de: I64Deserializer<DeError> = 0i64.into_deserializer();
        assert!(Tjm::deserialize(de).is_err());
    }

    #[test]
    fn tjm_for_days() {
        let t = Tjm::parse("600").unwrap();
        assert_eq!(
            t.for_days(DayQuantity::from_days(20)),
            Money::from_euros(12_000)
        );
        assert_eq!(
            t.for_days(DayQuantity::parse("19,5").unwrap()),
            Money::from_euros(11_700)
        );
        assert_eq!(t.for_days(DayQuantity::ZERO), Money::ZERO);
        // 600.01 / 2 = 300.005 → 300.01 (half up).
        let odd = Tjm::parse("600,01").unwrap();
        assert_eq!(odd.for_days(DayQuantity::from_half_days(1)).cents(), 30_001);
        assert_eq!(odd.to_input(), "600,01");
        assert_eq!(Tjm::parse(&odd.to_input()), Ok(odd));
        let _ = Tjm::new(TJM_MAX)
            .unwrap()
            .for_days(DayQuantity::from_half_days(u32::MAX));
    }

    #[test]
    fn day_quantities() {
        for (s, halves) in [
            ("20", 40),
            ("19,5", 39),
            ("19.5", 39),
            ("19,50", 39),
            ("20,0", 40),
            (" 0,5 ", 1),
            ("0", 0),
        ] {
            assert_eq!(
                DayQuantity::parse(s).map(DayQuantity::half_days),
                Ok(halves),
                "{s:?}"
            );
        }
        assert_eq!(DayQuantity::parse("19,25"), Err(DaysError::HalfOnly));
        assert_eq!(DayQuantity::parse("0,1"), Err(DaysError::HalfOnly));
        for bad in ["", "-1", "+2", "1/2", "deux", "1,5,5", "1_0", ",5", "5,"] {
            assert_eq!(DayQuantity::parse(bad), Err(DaysError::Invalid), "{bad:?}");
        }
        assert_eq!(DayQuantity::parse("99999999999"), Err(DaysError::Invalid));
        assert_eq!(
            DayQuantity::parse("19,25").unwrap_err().key(),
            "days-half-only"
        );
        let d = DayQuantity::from_half_days(39);
        assert_eq!(d.to_string(), "19,5");
        assert_eq!(d.format(Locale::En), "19.5");
        assert_eq!(DayQuantity::from_days(20).to_string(), "20");
        assert_eq!(d.as_decimal(), "19.5".parse::<Decimal>().unwrap());
        assert_eq!(DayQuantity::from_days(20).as_decimal().to_string(), "20");
    }

    // ----- Status -----

    #[test]
    fn statuses_round_trip() {
        for s in MissionStatus::ALL {
            assert_eq!(MissionStatus::parse(s.as_str()), Some(s));
            let de: StrDeserializer<DeError> = s.as_str().into_deserializer();
            assert_eq!(MissionStatus::deserialize(de), Ok(s));
        }
        for ev in MissionEvent::ALL {
            assert_eq!(MissionEvent::parse(ev.as_str()), Some(ev));
        }
        assert_eq!(MissionStatus::parse("Active"), None);
        assert_eq!(
            MissionStatus::Upcoming.label_key(),
            "mission-status-upcoming"
        );
        assert_eq!(MissionEvent::Reopen.label_key(), "mission-event-reopen");
    }

    /// Every status × every event, written out so a change to the life
    /// cycle has to change this table too.
    #[test]
    fn transition_table_is_exhaustive() {
        use MissionEvent as E;
        use MissionStatus as S;
        let table: [(S, [Option<S>; 5]); 5] = [
            //             Start            Extend             Interrupt              Complete        Reopen
            (
                S::Upcoming,
                [Some(S::Active), None, Some(S::Interrupted), None, None],
            ),
            (
                S::Active,
                [
                    None,
                    Some(S::Extended),
                    Some(S::Interrupted),
                    Some(S::Ended),
                    None,
                ],
            ),
            (S::Ended, [None, Some(S::Extended), None, None, None]),
            (
                S::Extended,
                [
                    None,
                    Some(S::Extended),
                    Some(S::Interrupted),
                    Some(S::Ended),
                    None,
                ],
            ),
            (S::Interrupted, [None, None, None, None, Some(S::Active)]),
        ];
        assert_eq!(
            E::ALL,
            [E::Start, E::Extend, E::Interrupt, E::Complete, E::Reopen]
        );
        let mut legal = 0;
        for (from, row) in table {
            for (event, expected) in E::ALL.into_iter().zip(row) {
                let got = from.transition(event);
                match expected {
                    Some(to) => {
                        assert_eq!(got, Ok(to), "{from:?} × {event:?}");
                        legal += 1;
                    }
                    None => {
                        let err = got.unwrap_err();
                        assert_eq!(err, MissionError::IllegalTransition { from, event });
                        assert_eq!(err.key(), "mission-illegal-transition");
                        assert_eq!(
                            err.args(),
                            crate::args![("from", from.as_str()), ("event", event.as_str())]
                        );
                    }
                }
            }
        }
        assert_eq!(legal, 10);
        assert_eq!(
            table.map(|(s, _)| s),
            S::ALL,
            "every status is in the table"
        );
    }

    #[test]
    fn status_from_dates() {
        let (start, end) = (date!(2026 - 03 - 01), date!(2026 - 08 - 31));
        let at = |today, ext| status_by_dates(start, end, today, ext);
        assert_eq!(at(date!(2026 - 02 - 28), false), MissionStatus::Upcoming);
        assert_eq!(at(date!(2026 - 02 - 28), true), MissionStatus::Upcoming);
        assert_eq!(at(start, false), MissionStatus::Active);
        assert_eq!(at(end, false), MissionStatus::Active);
        assert_eq!(at(end, true), MissionStatus::Extended);
        assert_eq!(at(date!(2026 - 09 - 01), false), MissionStatus::Ended);
        assert_eq!(at(date!(2026 - 09 - 01), true), MissionStatus::Ended);
        // One-day mission.
        assert_eq!(
            status_by_dates(start, start, start, false),
            MissionStatus::Active
        );
    }

    // ----- Input -----

    fn valid() -> MissionInput {
        MissionInput {
            title: "Data Engineer — plateforme data".into(),
            client_id: CompanyId::new().to_string(),
            consultant_id: UserId::new().to_string(),
            business_manager_id: UserId::new().to_string(),
            start_date: "01/03/2027".into(),
            end_date: "2027-08-31".into(),
            tjm: "600".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_mission_gets_the_defaults() {
        let m = valid().validate().unwrap();
        assert_eq!(m.start_date, date!(2027 - 03 - 01));
        assert_eq!(m.end_date, date!(2027 - 08 - 31));
        assert_eq!(m.tjm.amount(), Money::from_euros(600));
        assert_eq!(m.payment_terms, PaymentTerms::default());
        assert_eq!(m.vat_rate, VatRate::STANDARD);
        assert_eq!(m.vat_regime, VatRegime::OnReceipts);
        assert_eq!(m.expense_policy, ExpensePolicy::NotRebilled);
        assert_eq!(
            (m.delivery_manager_id, m.invoicing_contact_id),
            (None, None)
        );
        assert_eq!(
            (m.po_number, m.notes, m.billing_address),
            (None, None, None)
        );
    }

    #[test]
    fn a_full_mission_is_accepted() {
        let i = MissionInput {
            delivery_manager_id: UserId::new().to_string(),
            po_number: " CLT-PO-2026-0412 ".into(),
            payment_days: "45".into(),
            payment_end_of_month: true,
            vat_rate: "5,5 %".into(),
            vat_regime: "on_debits".into(),
            expense_policy: "at_cost_plus_fee".into(),
            expense_fee: "7,5".into(),
            invoicing_locked: true,
            invoicing_contact_id: ContactId::new().to_string(),
            billing_address: "Clientis Group\n1 esplanade de la Défense\n92400 Courbevoie".into(),
            notes: "Télétravail 2 j/semaine".into(),
            ..valid()
        };
        let m = i.validate().unwrap();
        assert_eq!(m.po_number.as_deref(), Some("CLT-PO-2026-0412"));
        assert_eq!(m.payment_terms, PaymentTerms::new(45, true).unwrap());
        assert_eq!(m.vat_rate, VatRate::REDUCED);
        assert_eq!(m.vat_regime, VatRegime::OnDebits);
        assert_eq!(
            m.expense_policy,
            ExpensePolicy::AtCostPlusFee { fee_bp: 750 }
        );
        assert!(m.invoicing_locked && m.delivery_manager_id.is_some());
        assert!(m.billing_address.unwrap().contains('\n'));
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let i = MissionInput {
            client_id: "not-a-uuid".into(),
            delivery_manager_id: "nope".into(),
            start_date: "31/02/2027".into(),
            end_date: "soon".into(),
            tjm: "0".into(),
            po_number: "P".repeat(61),
            payment_days: "90".into(),
            vat_rate: "19,6".into(),
            vat_regime: "sometimes".into(),
            expense_policy: "gratis".into(),
            invoicing_contact_id: "x".into(),
            notes: "a\u{7}".into(),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        let expect = [
            ("title", "field-required"),
            ("client_id", "id-unknown-record"),
            ("consultant_id", "field-required"),
            ("business_manager_id", "field-required"),
            ("delivery_manager_id", "id-unknown-record"),
            ("start_date", "date-invalid"),
            ("end_date", "date-invalid"),
            ("tjm", "tjm-not-positive"),
            ("po_number", "field-too-long"),
            ("payment_days", "terms-over-legal-cap"),
            ("vat_rate", "vat-rate-not-allowed"),
            ("vat_regime", "vat-regime-invalid"),
            ("expense_policy", "expense-policy-invalid"),
            ("invoicing_contact_id", "id-unknown-record"),
            ("notes", "field-control-characters"),
        ];
        for (field, key) in expect {
            assert_eq!(e.for_field(field).map(|f| f.key), Some(key), "{field}");
        }
        assert_eq!(e.0.len(), expect.len(), "{e:?}");
        assert_eq!(
            e.for_field("payment_days").unwrap().args,
            crate::args![("max", 60u32)]
        );
    }

    #[test]
    fn dates_out_of_the_business_window_are_refused() {
        let i = MissionInput {
            start_date: "0001-01-01".into(),
            end_date: "31/12/9999".into(),
            ..valid()
        };
        let e = i.validate().unwrap_err();
        assert_eq!(e.for_field("start_date").unwrap().key, "date-out-of-range");
        assert_eq!(e.for_field("end_date").unwrap().key, "date-out-of-range");
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn end_before_start_is_reported_on_the_end() {
        let i = MissionInput {
            end_date: "28/02/2027".into(),
            ..valid()
        };
        let e = i.validate().unwrap_err();
        assert_eq!(
            e.for_field("end_date").unwrap().key,
            "mission-end-before-start"
        );
        assert_eq!(e.0.len(), 1);
        // A one-day mission is fine.
        let i = MissionInput {
            end_date: "01/03/2027".into(),
            ..valid()
        };
        assert!(i.validate().is_ok());
    }

    #[test]
    fn payment_terms_rules() {
        let with = |days: &str, eom| {
            MissionInput {
                payment_days: days.into(),
                payment_end_of_month: eom,
                ..valid()
            }
            .validate()
        };
        assert_eq!(
            with("", false).unwrap().payment_terms,
            PaymentTerms::default()
        );
        assert_eq!(
            with("0", false).unwrap().payment_terms,
            PaymentTerms::new(0, false).unwrap()
        );
        let e = with("", true).unwrap_err();
        assert_eq!(e.for_field("payment_days").unwrap().key, "field-required");
        let e = with("50", true).unwrap_err();
        assert_eq!(
            e.for_field("payment_days").unwrap().args,
            crate::args![("max", 45u32)]
        );
        let e = with("trente", false).unwrap_err();
        assert_eq!(
            e.for_field("payment_days").unwrap().key,
            "terms-days-invalid"
        );
    }

    #[test]
    fn vat_rate_follows_the_regime() {
        let with = |rate: &str, regime: &str| {
            MissionInput {
                vat_rate: rate.into(),
                vat_regime: regime.into(),
                ..valid()
            }
            .validate()
        };
        assert_eq!(
            with("", "reverse_charge_eu").unwrap().vat_rate,
            VatRate::ZERO
        );
        assert_eq!(with("", "exempt").unwrap().vat_rate, VatRate::ZERO);
        assert_eq!(with("", "on_debits").unwrap().vat_rate, VatRate::STANDARD);
        assert_eq!(with("0", "exempt").unwrap().vat_rate, VatRate::ZERO);
        assert_eq!(with("0", "on_receipts").unwrap().vat_rate, VatRate::ZERO);
        let e = with("20", "reverse_charge_eu").unwrap_err();
        assert_eq!(
            e.for_field("vat_rate").unwrap().key,
            "vat-rate-regime-mismatch"
        );
        let e = with("vingt", "").unwrap_err();
        assert_eq!(e.for_field("vat_rate").unwrap().key, "vat-rate-invalid");
    }

    #[test]
    fn expense_errors_name_the_right_field() {
        let with = |kind: &str, fee: &str| {
            MissionInput {
                expense_policy: kind.into(),
                expense_fee: fee.into(),
                ..valid()
            }
            .validate()
        };
        let e = with("at_cost_plus_fee", "").unwrap_err();
        assert_eq!(
            e.for_field("expense_fee").unwrap().key,
            "expense-fee-required"
        );
        let e = with("at_cost_plus_fee", "150").unwrap_err();
        let f = e.for_field("expense_fee").unwrap();
        assert_eq!(
            (f.key, f.args.clone()),
            ("expense-fee-too-high", crate::args![("max", 100u32)])
        );
        assert_eq!(
            with("at_cost", "150").unwrap().expense_policy,
            ExpensePolicy::AtCost
        );
    }

    #[test]
    fn to_input_round_trips() {
        let minimal = valid().validate().unwrap();
        assert_eq!(minimal.to_input().validate().unwrap(), minimal);
        let full = MissionInput {
            delivery_manager_id: UserId::new().to_string(),
            tjm: "612,5".into(),
            po_number: "PO-1".into(),
            payment_days: "45".into(),
            payment_end_of_month: true,
            vat_rate: "2.1".into(),
            expense_policy: "at_cost_plus_fee".into(),
            expense_fee: "12.25".into(),
            invoicing_locked: true,
            invoicing_contact_id: ContactId::new().to_string(),
            billing_address: "1 rue de la Paix\n75002 Paris".into(),
            notes: "Notes".into(),
            ..valid()
        }
        .validate()
        .unwrap();
        let input = full.to_input();
        assert_eq!(input.start_date, "01/03/2027");
        assert_eq!(input.tjm, "612,50");
        assert_eq!(input.vat_rate, "2,1");
        assert_eq!(input.expense_fee, "12,25");
        assert_eq!(input.validate().unwrap(), full);
        let exempt = MissionInput {
            vat_regime: "exempt".into(),
            ..valid()
        }
        .validate()
        .unwrap();
        assert_eq!(exempt.to_input().validate().unwrap(), exempt);
    }

    // ----- Analytic code -----

    #[test]
    fn analytic_codes_are_built_from_names() {
        let c = AnalyticCode::build("Clientis Group", "Bruno Marchand", "Camille Martin", 1);
        assert_eq!(c.as_str(), "CLIENTIS-BMA-CMA-001");
        let c = AnalyticCode::build("Électricité de France", "Jean-Pierre Dupont", "Zoé", 42);
        assert_eq!(c.as_str(), "ELECTRICIT-JPD-ZOE-042");
        let c = AnalyticCode::build(
            "  L'Oréal  ",
            "Anne Marie Louise Durand",
            "Œdipe Ædes",
            1234,
        );
        assert_eq!(c.as_str(), "LOREAL-AML-OAE-1234");
        // Nothing usable in the names.
        let c = AnalyticCode::build("日本", "", "—", 0);
        assert_eq!(c.as_str(), "X-X-X-000");
        // The first word with letters is taken.
        let c = AnalyticCode::build("— Banque Horizon", "Li", "Bo Yi", 7);
        assert_eq!(c.as_str(), "BANQUE-LI-BYI-007");
        let c = AnalyticCode::build("Saint-Gobain", "Ab", "C", u32::MAX);
        assert_eq!(c.as_str(), "SAINTGOBAI-AB-C-4294967295");
    }

    #[test]
    fn analytic_codes_parse() {
        assert_eq!(
            AnalyticCode::parse(" clientis-bma-001 ").unwrap().as_str(),
            "CLIENTIS-BMA-001"
        );
        assert_eq!(AnalyticCode::parse(""), Err(AnalyticCodeError::Empty));
        assert_eq!(
            AnalyticCode::parse("CLIENT IS"),
            Err(AnalyticCodeError::Invalid)
        );
        assert_eq!(AnalyticCode::parse("ÉDF"), Err(AnalyticCodeError::Invalid));
        assert_eq!(
            AnalyticCode::parse(&"A".repeat(41)),
            Err(AnalyticCodeError::TooLong)
        );
        assert!(AnalyticCode::parse(&"A".repeat(40)).is_ok());
        assert_eq!(
            AnalyticCodeError::TooLong.args(),
            crate::args![("max", 40u32)]
        );
        let de: StrDeserializer<DeError> = "abc-1".into_deserializer();
        assert_eq!(AnalyticCode::deserialize(de).unwrap().to_string(), "ABC-1");
        let de: StrDeserializer<DeError> = "a b".into_deserializer();
        assert!(AnalyticCode::deserialize(de).is_err());
    }

    proptest! {
        #[test]
        fn tjm_accepts_exactly_the_bounds(cents in any::<i64>()) {
            let ok = Tjm::from_cents(cents).is_ok();
            prop_assert_eq!(ok, (1..=1_000_000).contains(&cents));
        }

        #[test]
        fn tjm_input_round_trips(cents in 1i64..=1_000_000) {
            let t = Tjm::from_cents(cents).unwrap();
            prop_assert_eq!(Tjm::parse(&t.to_input()), Ok(t));
            prop_assert_eq!(Tjm::parse(&t.to_string()), Ok(t));
        }

        #[test]
        fn days_round_trip(halves in any::<u32>()) {
            let d = DayQuantity::from_half_days(halves);
            prop_assert_eq!(DayQuantity::parse(&d.to_string()), Ok(d));
            prop_assert_eq!(DayQuantity::parse(&d.format(Locale::En)), Ok(d));
            prop_assert_eq!(DayQuantity::parse(&d.as_decimal().to_string()), Ok(d));
        }

        #[test]
        fn amount_for_days_is_rate_times_days(cents in 1i64..=1_000_000, halves in 0u32..2_000) {
            let t = Tjm::from_cents(cents).unwrap();
            let amount = t.for_days(DayQuantity::from_half_days(halves)).cents();
            let twice = cents * i64::from(halves);
            // Exact when even; otherwise the half cent rounds up.
            prop_assert_eq!(amount, (twice + 1) / 2);
        }

        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = Tjm::parse(&s);
            let _ = DayQuantity::parse(&s);
            let _ = AnalyticCode::parse(&s);
        }

        #[test]
        fn built_codes_are_valid(
            client in any::<String>(),
            bm in any::<String>(),
            consultant in any::<String>(),
            seq in any::<u32>(),
        ) {
            let c = AnalyticCode::build(&client, &bm, &consultant, seq);
            prop_assert_eq!(AnalyticCode::parse(c.as_str()), Ok(c.clone()));
            let parts: Vec<&str> = c.as_str().split('-').collect();
            prop_assert_eq!(parts.len(), 4);
            prop_assert!(parts[0].len() <= 10 && parts[1].len() <= 3 && parts[2].len() <= 3);
            prop_assert_eq!(parts[3].parse::<u32>().ok(), Some(seq));
        }

        #[test]
        // Julian days of 2000-01-01 and 2100-12-31, the typed dates' window.
        fn dates_inside_out_are_refused(a in 2_451_545i32..=2_488_434, b in 2_451_545i32..=2_488_434) {
            let (a, b) = (Date::from_julian_day(a).unwrap(), Date::from_julian_day(b).unwrap());
            let i = MissionInput {
                start_date: a.to_string(),
                end_date: format_date(b, Locale::Fr),
                ..valid()
            };
            match i.validate() {
                Ok(m) => prop_assert!(b >= a && m.start_date == a && m.end_date == b),
                Err(e) => {
                    prop_assert!(b < a);
                    prop_assert_eq!(e.for_field("end_date").unwrap().key, "mission-end-before-start");
                }
            }
        }

        #[test]
        fn status_by_dates_is_never_interrupted(
            s in 0i32..1000, len in 0i32..1000, t in -100i32..2200, ext in any::<bool>(),
        ) {
            let base = date!(2026 - 01 - 01);
            let start = base + time::Duration::days(i64::from(s));
            let end = start + time::Duration::days(i64::from(len));
            let today = base + time::Duration::days(i64::from(t));
            let st = status_by_dates(start, end, today, ext);
            prop_assert_ne!(st, MissionStatus::Interrupted);
            prop_assert_eq!(st == MissionStatus::Upcoming, today < start);
            prop_assert_eq!(st == MissionStatus::Ended, today > end);
        }
    }
}

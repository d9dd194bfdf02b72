//! Commercial terms of a mission: payment terms, VAT rate and regime, and
//! how expenses are re-billed to the client.
//!
//! Everything here ends up on invoices, where French law fixes both what is
//! allowed (payment delays, VAT rates) and what must be written (mentions),
//! so invalid terms are refused when the mission is entered rather than
//! discovered when the first invoice is issued.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::locale::{Locale, NARROW_NBSP, NBSP};
use crate::money::{Money, Rounding};
use crate::validation::ErrorKey;

/// Why a term was refused. One enum for the whole module because the
/// mission form reports them all the same way, by key, beside a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TermsError {
    #[error("payment days must be a whole number")]
    DaysInvalid,
    #[error("payment terms over the legal cap of {max} days")]
    OverLegalCap { max: u16 },
    #[error("not a VAT rate")]
    VatRateInvalid,
    #[error("not a French VAT rate")]
    VatRateNotAllowed,
    #[error("unknown VAT regime")]
    VatRegimeInvalid,
    #[error("unknown expense policy")]
    ExpensePolicyInvalid,
    #[error("not a valid percentage")]
    ExpenseFeeInvalid,
    #[error("a fee above 0 % is required")]
    ExpenseFeeRequired,
    #[error("the fee is at most 100 %")]
    ExpenseFeeTooHigh,
    #[error("this expense policy takes no fee")]
    ExpenseFeeUnexpected,
}

impl ErrorKey for TermsError {
    fn key(&self) -> &'static str {
        match self {
            TermsError::DaysInvalid => "terms-days-invalid",
            TermsError::OverLegalCap { .. } => "terms-over-legal-cap",
            TermsError::VatRateInvalid => "vat-rate-invalid",
            TermsError::VatRateNotAllowed => "vat-rate-not-allowed",
            TermsError::VatRegimeInvalid => "vat-regime-invalid",
            TermsError::ExpensePolicyInvalid => "expense-policy-invalid",
            TermsError::ExpenseFeeInvalid => "expense-fee-invalid",
            TermsError::ExpenseFeeRequired => "expense-fee-required",
            TermsError::ExpenseFeeTooHigh => "expense-fee-too-high",
            TermsError::ExpenseFeeUnexpected => "expense-fee-unexpected",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            TermsError::OverLegalCap { max } => crate::args![("max", u32::from(*max))],
            TermsError::ExpenseFeeTooHigh => crate::args![("max", 100u32)],
            _ => Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// Payment terms
// ---------------------------------------------------------------------------

/// Cap of C. com. L441-10 for a delay counted from the invoice date.
pub const MAX_DAYS_NET: u16 = 60;
/// Cap of C. com. L441-10 for a delay counted "fin de mois".
pub const MAX_DAYS_END_OF_MONTH: u16 = 45;

/// When an invoice must be paid: `days` after the invoice date, and, when
/// `end_of_month`, at the end of the month that delay falls in.
///
/// Only terms within the legal cap can exist, so an invoice never carries a
/// due date over the cap, which exposes the firm to administrative fines
/// (C. com. L441-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PaymentTermsRepr")]
pub struct PaymentTerms {
    days: u16,
    end_of_month: bool,
}

#[derive(Deserialize)]
struct PaymentTermsRepr {
    days: u16,
    end_of_month: bool,
}

impl TryFrom<PaymentTermsRepr> for PaymentTerms {
    type Error = TermsError;

    fn try_from(r: PaymentTermsRepr) -> Result<Self, Self::Error> {
        PaymentTerms::new(r.days, r.end_of_month)
    }
}

impl Default for PaymentTerms {
    /// 30 days net: the delay L441-10 applies when the parties agreed on
    /// none, hence the natural default of a new mission.
    fn default() -> Self {
        PaymentTerms {
            days: 30,
            end_of_month: false,
        }
    }
}

impl PaymentTerms {
    /// Checks the legal cap of C. com. L441-10: at most 60 days from the
    /// invoice date, or at most 45 days end of month. 0 days net means
    /// payable on receipt; 0 days end of month, at the end of the invoice's
    /// month.
    ///
    /// The cap checked is the one of the chosen reading, and the error
    /// carries it as `max`: "50 days end of month" is refused with max 45
    /// even though 50 is below 60, because the two caps are separate
    /// regimes, not one cap expressed two ways (45 days end of month can
    /// reach 75 days from the invoice date, which the law allows; 60 days
    /// end of month would be longer still, which it does not).
    pub fn new(days: u16, end_of_month: bool) -> Result<PaymentTerms, TermsError> {
        let max = if end_of_month {
            MAX_DAYS_END_OF_MONTH
        } else {
            MAX_DAYS_NET
        };
        if days > max {
            return Err(TermsError::OverLegalCap { max });
        }
        Ok(PaymentTerms { days, end_of_month })
    }

    /// Parses the number of days typed in the form ("30", " 45 ").
    ///
    /// A sign, a decimal or anything else than digits is `DaysInvalid`; a
    /// number too large for `u16` is still over the cap, and reported so.
    pub fn parse(days: &str, end_of_month: bool) -> Result<PaymentTerms, TermsError> {
        let d = days.trim();
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TermsError::DaysInvalid);
        }
        match d.parse::<u16>() {
            Ok(n) => PaymentTerms::new(n, end_of_month),
            Err(_) => PaymentTerms::new(u16::MAX, end_of_month),
        }
    }

    pub const fn days(&self) -> u16 {
        self.days
    }

    pub const fn end_of_month(&self) -> bool {
        self.end_of_month
    }

    /// Payable as soon as the invoice is received.
    pub const fn is_on_receipt(&self) -> bool {
        self.days == 0 && !self.end_of_month
    }

    /// The due date of an invoice issued on `invoice_date`.
    ///
    /// "N jours fin de mois" gets its usual French reading: add N days to
    /// the invoice date, then go to the end of that month (invoice of
    /// 10 March, 45 days end of month → 24 April → due 30 April). The other
    /// reading found in some contracts, end of the invoice's month first and
    /// then N days (31 March + 45 days → 15 May), is not supported: it gives
    /// a later date, and mixing both readings in one firm would make due
    /// dates unpredictable.
    ///
    /// Saturates at the last representable date instead of panicking, since
    /// only absurd invoice dates (year 9999) can get there.
    pub fn due_date(&self, invoice_date: Date) -> Date {
        let after = invoice_date.saturating_add(Duration::days(i64::from(self.days)));
        if self.end_of_month {
            let last = after.month().length(after.year());
            after
                .replace_day(last)
                .expect("the month's length is a valid day")
        } else {
            after
        }
    }

    /// Translation key of the terms as shown to users; its variable is
    /// given by [`PaymentTerms::label_args`].
    pub fn label_key(&self) -> &'static str {
        match (self.days, self.end_of_month) {
            (0, false) => "terms-on-receipt",
            (0, true) => "terms-end-of-month",
            (_, false) => "terms-days",
            (_, true) => "terms-days-eom",
        }
    }

    pub fn label_args(&self) -> Vec<(&'static str, String)> {
        vec![("days", self.days.to_string())]
    }
}

// ---------------------------------------------------------------------------
// VAT
// ---------------------------------------------------------------------------

/// A French VAT rate, in basis points (2000 = 20 %).
///
/// Basis points keep the rate an exact integer (5.5 % and 2.1 % have no
/// exact binary fraction) and make the set of rates a closed list: a rate
/// outside it is a typing mistake, not a new tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct VatRate(u32);

impl VatRate {
    /// Normal rate (CGI 278), the rate of IT services.
    pub const STANDARD: VatRate = VatRate(2000);
    pub const INTERMEDIATE: VatRate = VatRate(1000);
    pub const REDUCED: VatRate = VatRate(550);
    pub const SUPER_REDUCED: VatRate = VatRate(210);
    /// For reverse-charged and exempt operations, where the invoice shows
    /// no VAT.
    pub const ZERO: VatRate = VatRate(0);

    pub const ALL: [VatRate; 5] = [
        VatRate::STANDARD,
        VatRate::INTERMEDIATE,
        VatRate::REDUCED,
        VatRate::SUPER_REDUCED,
        VatRate::ZERO,
    ];

    pub fn from_basis_points(bp: u32) -> Result<VatRate, TermsError> {
        VatRate::ALL
            .into_iter()
            .find(|r| r.0 == bp)
            .ok_or(TermsError::VatRateNotAllowed)
    }

    /// Accepts a percentage as typed: "20", "20 %", "20%", "5,5", "5.5",
    /// "5,50 %".
    pub fn parse(input: &str) -> Result<VatRate, TermsError> {
        let percent = parse_percent(input).ok_or(TermsError::VatRateInvalid)?;
        let bp = percent_to_basis_points(percent).ok_or(TermsError::VatRateNotAllowed)?;
        VatRate::from_basis_points(bp)
    }

    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// The rate as a fraction: 0.20, 0.055…
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(i64::from(self.0), 4).normalize()
    }

    /// The rate as a percentage: 20, 5.5…
    pub fn percent(self) -> Decimal {
        Decimal::new(i64::from(self.0), 2).normalize()
    }

    /// The VAT due on a tax base, rounded half up to the cent as invoices
    /// require (the rounding is per base, i.e. per rate on an invoice, as
    /// EN 16931 computes it).
    pub fn vat_on(self, base: Money) -> Money {
        // |base × rate| ≤ |base|, so the product always fits in cents.
        base.mul_decimal(self.as_decimal(), Rounding::HalfUp)
            .expect("VAT is never larger than its base")
    }

    /// "5,5 %" in French (narrow no-break space, as CLDR), "5.5%" in English.
    pub fn format(self, locale: Locale) -> String {
        crate::locale::format_percent(self.percent(), locale)
    }

    /// The percentage as a form shows it, without the sign: "5,5".
    pub fn to_input(self) -> String {
        self.percent().to_string().replace('.', ",")
    }
}

impl Default for VatRate {
    fn default() -> Self {
        VatRate::STANDARD
    }
}

impl TryFrom<u32> for VatRate {
    type Error = TermsError;

    fn try_from(bp: u32) -> Result<Self, Self::Error> {
        VatRate::from_basis_points(bp)
    }
}

impl From<VatRate> for u32 {
    fn from(r: VatRate) -> u32 {
        r.0
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Locale::Fr))
    }
}

/// The exemption's ground an exempt invoice cites (franchise en base, CGI
/// 293 B): BT-120 of its Factur-X, and the mention its PDF prints (the pdf
/// crate's own copy of the text is checked equal to this one).
pub const FRANCHISE_MENTION: &str = "TVA non applicable, art. 293 B du CGI";

/// When VAT becomes due, which decides the mention the invoice must carry
/// (CGI 242 nonies A, 269, 283; ACCOUNTING.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRegime {
    /// VAT due when the client pays: the legal default for services
    /// (CGI 269-2-c), so no mention is required.
    #[default]
    OnReceipts,
    /// The firm opted to pay VAT when invoicing: since the e-invoicing
    /// reform the invoice must say "Option pour le paiement de la taxe
    /// d'après les débits".
    OnDebits,
    /// Services to a business client in another EU country, taxed there
    /// (CGI 259-1, directive 2006/112 art. 44 and 196): no VAT on the
    /// invoice, the client's VAT number and the mention "Autoliquidation"
    /// (CGI 242 nonies A).
    ReverseChargeEu,
    /// No VAT charged: the invoice must cite the exemption's ground, e.g.
    /// "TVA non applicable, art. 293 B du CGI" for the franchise en base.
    /// The ground varies, so no fixed mention is attached.
    Exempt,
}

impl VatRegime {
    pub const ALL: [VatRegime; 4] = [
        VatRegime::OnReceipts,
        VatRegime::OnDebits,
        VatRegime::ReverseChargeEu,
        VatRegime::Exempt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VatRegime::OnReceipts => "on_receipts",
            VatRegime::OnDebits => "on_debits",
            VatRegime::ReverseChargeEu => "reverse_charge_eu",
            VatRegime::Exempt => "exempt",
        }
    }

    pub fn parse(s: &str) -> Option<VatRegime> {
        VatRegime::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("vat-regime-{}", self.as_str().replace('_', "-"))
    }

    /// Whether the invoice shows VAT at all; when not, only the zero rate
    /// makes sense.
    pub fn charges_vat(self) -> bool {
        matches!(self, VatRegime::OnReceipts | VatRegime::OnDebits)
    }

    /// The fixed legal text the invoice must carry, in French whatever the
    /// user's language since it is addressed to the tax authority.
    pub fn invoice_mention(self) -> Option<&'static str> {
        match self {
            VatRegime::OnReceipts | VatRegime::Exempt => None,
            VatRegime::OnDebits => Some("Option pour le paiement de la taxe d'après les débits"),
            VatRegime::ReverseChargeEu => Some("Autoliquidation"),
        }
    }
}

// ---------------------------------------------------------------------------
// Expenses
// ---------------------------------------------------------------------------

/// Largest fee: 100 % in basis points. Beyond it a "fee" is a margin that
/// belongs in the rate, not in expense re-billing.
pub const MAX_EXPENSE_FEE_BP: u32 = 10_000;

/// Whether the consultant's expenses are re-billed to the client, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    try_from = "ExpensePolicyRepr"
)]
pub enum ExpensePolicy {
    /// Included in the daily rate; the firm bears them.
    #[default]
    NotRebilled,
    AtCost,
    /// At cost plus a handling fee, in basis points (1000 = 10 %);
    /// 0 < fee ≤ 100 %.
    AtCostPlusFee {
        fee_bp: u32,
    },
}

#[derive(Deserialize)]
struct ExpensePolicyRepr {
    kind: String,
    #[serde(default)]
    fee_bp: u32,
}

impl TryFrom<ExpensePolicyRepr> for ExpensePolicy {
    type Error = TermsError;

    fn try_from(r: ExpensePolicyRepr) -> Result<Self, Self::Error> {
        ExpensePolicy::from_parts(&r.kind, r.fee_bp)
    }
}

impl ExpensePolicy {
    /// The kinds as stored and submitted by forms.
    pub const KINDS: [&'static str; 3] = ["not_rebilled", "at_cost", "at_cost_plus_fee"];

    pub fn kind_str(self) -> &'static str {
        match self {
            ExpensePolicy::NotRebilled => Self::KINDS[0],
            ExpensePolicy::AtCost => Self::KINDS[1],
            ExpensePolicy::AtCostPlusFee { .. } => Self::KINDS[2],
        }
    }

    /// The fee in basis points, 0 for kinds without one.
    pub fn fee_basis_points(self) -> u32 {
        match self {
            ExpensePolicy::AtCostPlusFee { fee_bp } => fee_bp,
            _ => 0,
        }
    }

    /// From storage: the kind and the fee in basis points. Strict (a fee on
    /// a kind without one is refused) since a mismatch there is corruption.
    pub fn from_parts(kind: &str, fee_bp: u32) -> Result<ExpensePolicy, TermsError> {
        match kind {
            "not_rebilled" | "at_cost" if fee_bp != 0 => Err(TermsError::ExpenseFeeUnexpected),
            "not_rebilled" => Ok(ExpensePolicy::NotRebilled),
            "at_cost" => Ok(ExpensePolicy::AtCost),
            "at_cost_plus_fee" => ExpensePolicy::with_fee(fee_bp),
            _ => Err(TermsError::ExpensePolicyInvalid),
        }
    }

    /// From a form: the kind and the fee as a percentage ("10", "7,5 %").
    ///
    /// A fee left in the form while choosing a kind without one is ignored
    /// rather than refused: the field stays on screen when the user changes
    /// the kind, and the kind is the choice that matters. A blank kind is
    /// the default (not re-billed).
    pub fn parse(kind: &str, fee: &str) -> Result<ExpensePolicy, TermsError> {
        match kind.trim() {
            "" | "not_rebilled" => Ok(ExpensePolicy::NotRebilled),
            "at_cost" => Ok(ExpensePolicy::AtCost),
            "at_cost_plus_fee" => {
                if fee.trim().is_empty() {
                    return Err(TermsError::ExpenseFeeRequired);
                }
                let percent = parse_percent(fee).ok_or(TermsError::ExpenseFeeInvalid)?;
                let bp = percent_to_basis_points(percent).ok_or_else(|| {
                    // Too many decimals, or too large for u32: tell which.
                    if percent > Decimal::ONE_HUNDRED {
                        TermsError::ExpenseFeeTooHigh
                    } else {
                        TermsError::ExpenseFeeInvalid
                    }
                })?;
                ExpensePolicy::with_fee(bp)
            }
            _ => Err(TermsError::ExpensePolicyInvalid),
        }
    }

    fn with_fee(fee_bp: u32) -> Result<ExpensePolicy, TermsError> {
        match fee_bp {
            0 => Err(TermsError::ExpenseFeeRequired),
            bp if bp > MAX_EXPENSE_FEE_BP => Err(TermsError::ExpenseFeeTooHigh),
            bp => Ok(ExpensePolicy::AtCostPlusFee { fee_bp: bp }),
        }
    }

    /// What is re-billed for an expense of `cost` (excluding VAT), rounded
    /// half up to the cent.
    ///
    /// # Panics
    /// When the result exceeds `i64` cents (costs beyond 46 million billion
    /// euros), which only a programming error can produce.
    pub fn rebill_amount(self, cost: Money) -> Money {
        match self {
            ExpensePolicy::NotRebilled => Money::ZERO,
            ExpensePolicy::AtCost => cost,
            ExpensePolicy::AtCostPlusFee { fee_bp } => {
                let factor = Decimal::ONE + Decimal::new(i64::from(fee_bp), 4);
                cost.mul_decimal(factor, Rounding::HalfUp)
                    .expect("expense re-billing overflow")
            }
        }
    }

    /// The fee as a form shows it ("7,5"), empty for kinds without one.
    pub fn fee_input(self) -> String {
        match self {
            ExpensePolicy::AtCostPlusFee { fee_bp } => Decimal::new(i64::from(fee_bp), 2)
                .normalize()
                .to_string()
                .replace('.', ","),
            _ => String::new(),
        }
    }

    pub fn label_key(self) -> String {
        format!("expense-policy-{}", self.kind_str().replace('_', "-"))
    }
}

// ---------------------------------------------------------------------------
// Number parsing shared with the mission module
// ---------------------------------------------------------------------------

/// Parses a non-negative decimal typed with a comma or a point ("5,5",
/// "19.5", "20"). Only digits and one separator between digits are accepted:
/// `Decimal::from_str` alone would also take signs and '_' digit groups.
pub(crate) fn parse_unsigned_decimal(input: &str) -> Option<Decimal> {
    let s = input.trim();
    // Longer inputs are beyond any rate, fee or day count we handle, and
    // beyond what `Decimal` can hold exactly.
    if s.is_empty() || s.len() > 24 {
        return None;
    }
    let separators = s.bytes().filter(|b| matches!(b, b',' | b'.')).count();
    let well_formed = separators <= 1
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'.'))
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_digit());
    if !well_formed {
        return None;
    }
    s.replace(',', ".").parse().ok()
}

/// Like [`parse_unsigned_decimal`], with an optional trailing '%' (after
/// any kind of space, as French typography puts one).
pub(crate) fn parse_percent(input: &str) -> Option<Decimal> {
    let s = input.trim();
    let s = s
        .strip_suffix('%')
        .map(|r| r.trim_end_matches([' ', NBSP, NARROW_NBSP]))
        .unwrap_or(s);
    parse_unsigned_decimal(s)
}

/// 5.5 → 550; `None` when the percentage has more than two decimals or does
/// not fit.
pub(crate) fn percent_to_basis_points(percent: Decimal) -> Option<u32> {
    let bp = percent.checked_mul(Decimal::ONE_HUNDRED)?;
    if !bp.fract().is_zero() {
        return None;
    }
    u32::try_from(bp.trunc()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, U32Deserializer};
    use time::macros::date;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn payment_terms_respect_the_legal_cap() {
        assert!(PaymentTerms::new(0, false).unwrap().is_on_receipt());
        assert!(PaymentTerms::new(60, false).is_ok());
        assert_eq!(
            PaymentTerms::new(61, false),
            Err(TermsError::OverLegalCap { max: 60 })
        );
        assert!(PaymentTerms::new(45, true).is_ok());
        // The end-of-month cap applies even below 60.
        let e = PaymentTerms::new(50, true).unwrap_err();
        assert_eq!(e, TermsError::OverLegalCap { max: 45 });
        assert_eq!(e.key(), "terms-over-legal-cap");
        assert_eq!(e.args(), crate::args![("max", 45u32)]);
        assert!(!PaymentTerms::new(0, true).unwrap().is_on_receipt());
    }

    #[test]
    fn payment_terms_parse() {
        assert_eq!(
            PaymentTerms::parse(" 45 ", true),
            PaymentTerms::new(45, true)
        );
        assert_eq!(
            PaymentTerms::parse("90", false),
            Err(TermsError::OverLegalCap { max: 60 })
        );
        assert_eq!(
            PaymentTerms::parse("99999999", false),
            Err(TermsError::OverLegalCap { max: 60 })
        );
        for bad in ["", "-5", "+5", "30,5", "trente", "3 0"] {
            assert_eq!(
                PaymentTerms::parse(bad, false),
                Err(TermsError::DaysInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn default_is_thirty_days_net() {
        let d = PaymentTerms::default();
        assert_eq!((d.days(), d.end_of_month()), (30, false));
        assert_eq!(PaymentTerms::new(30, false), Ok(d));
    }

    #[test]
    fn due_dates() {
        let net = |d| PaymentTerms::new(d, false).unwrap();
        let eom = |d| PaymentTerms::new(d, true).unwrap();
        let inv = date!(2026 - 03 - 10);
        assert_eq!(net(0).due_date(inv), inv);
        assert_eq!(net(30).due_date(inv), date!(2026 - 04 - 09));
        assert_eq!(net(60).due_date(inv), date!(2026 - 05 - 09));
        // 10 March + 45 days = 24 April → end of April.
        assert_eq!(eom(45).due_date(inv), date!(2026 - 04 - 30));
        assert_eq!(eom(0).due_date(inv), date!(2026 - 03 - 31));
        // 31 January + 30 days = 2 March → 31 March; February is skipped.
        assert_eq!(
            eom(30).due_date(date!(2026 - 01 - 31)),
            date!(2026 - 03 - 31)
        );
        // Leap year February.
        assert_eq!(
            eom(0).due_date(date!(2028 - 02 - 01)),
            date!(2028 - 02 - 29)
        );
        assert_eq!(
            eom(45).due_date(date!(2026 - 12 - 20)),
            date!(2027 - 02 - 28)
        );
        // Saturates instead of panicking.
        let _ = net(60).due_date(Date::MAX);
        let _ = eom(45).due_date(Date::MAX);
    }

    #[test]
    fn terms_labels() {
        assert_eq!(
            PaymentTerms::new(0, false).unwrap().label_key(),
            "terms-on-receipt"
        );
        assert_eq!(
            PaymentTerms::new(0, true).unwrap().label_key(),
            "terms-end-of-month"
        );
        let t = PaymentTerms::new(45, true).unwrap();
        assert_eq!(t.label_key(), "terms-days-eom");
        assert_eq!(t.label_args(), vec![("days", "45".to_string())]);
        assert_eq!(PaymentTerms::default().label_key(), "terms-days");
    }

    #[test]
    fn payment_terms_deserialize_through_the_cap() {
        // The serde path goes through this conversion.
        let ok = PaymentTerms::try_from(PaymentTermsRepr {
            days: 45,
            end_of_month: true,
        });
        assert_eq!(ok, PaymentTerms::new(45, true));
        let over = PaymentTerms::try_from(PaymentTermsRepr {
            days: 46,
            end_of_month: true,
        });
        assert_eq!(over, Err(TermsError::OverLegalCap { max: 45 }));
    }

    #[test]
    fn vat_rates() {
        for (s, bp) in [
            ("20", 2000),
            ("20 %", 2000),
            ("20%", 2000),
            ("20\u{202F}%", 2000),
            ("20,00", 2000),
            ("10", 1000),
            ("5,5", 550),
            ("5.5", 550),
            ("5,50 %", 550),
            ("2,1", 210),
            ("0", 0),
        ] {
            assert_eq!(
                VatRate::parse(s).map(VatRate::basis_points),
                Ok(bp),
                "{s:?}"
            );
        }
        assert_eq!(VatRate::parse("19,6"), Err(TermsError::VatRateNotAllowed));
        assert_eq!(VatRate::parse("5,555"), Err(TermsError::VatRateNotAllowed));
        for bad in ["", "%", "vingt", "-20", "20 %%", "1_0", "5,", ",5", "5,5,5"] {
            assert_eq!(
                VatRate::parse(bad),
                Err(TermsError::VatRateInvalid),
                "{bad:?}"
            );
        }
        assert_eq!(VatRate::STANDARD.as_decimal(), dec("0.2"));
        assert_eq!(VatRate::REDUCED.as_decimal(), dec("0.055"));
        assert_eq!(VatRate::ZERO.as_decimal(), Decimal::ZERO);
        assert_eq!(VatRate::default(), VatRate::STANDARD);
        assert_eq!(
            VatRate::from_basis_points(1960),
            Err(TermsError::VatRateNotAllowed)
        );
    }

    #[test]
    fn vat_amounts_round_half_up() {
        assert_eq!(
            VatRate::STANDARD.vat_on(Money::from_euros(12_000)),
            Money::from_euros(2_400)
        );
        // 0.10 × 5.5 % = 0.0055 → 0.01.
        assert_eq!(
            VatRate::REDUCED.vat_on(Money::from_cents(10)),
            Money::from_cents(1)
        );
        // 0.09 × 5.5 % = 0.00495 → 0.00.
        assert_eq!(VatRate::REDUCED.vat_on(Money::from_cents(9)), Money::ZERO);
        // 1.25 × 2.1 % = 0.02625 → 0.03, and the opposite on a credit note.
        assert_eq!(
            VatRate::SUPER_REDUCED.vat_on(Money::from_cents(125)),
            Money::from_cents(3)
        );
        assert_eq!(
            VatRate::SUPER_REDUCED.vat_on(Money::from_cents(-125)),
            Money::from_cents(-3)
        );
        assert_eq!(VatRate::ZERO.vat_on(Money::from_euros(100)), Money::ZERO);
        let _ = VatRate::STANDARD.vat_on(Money::from_cents(i64::MAX));
        let _ = VatRate::STANDARD.vat_on(Money::from_cents(i64::MIN));
    }

    #[test]
    fn vat_rate_display() {
        assert_eq!(VatRate::REDUCED.to_string(), "5,5\u{202F}%");
        assert_eq!(VatRate::STANDARD.format(Locale::Fr), "20\u{202F}%");
        assert_eq!(VatRate::REDUCED.format(Locale::En), "5.5%");
        for r in VatRate::ALL {
            assert_eq!(VatRate::parse(&r.to_string()), Ok(r));
            assert_eq!(VatRate::parse(&r.format(Locale::En)), Ok(r));
            assert_eq!(VatRate::parse(&r.to_input()), Ok(r));
        }
    }

    #[test]
    fn vat_rate_serde_checks_the_rate() {
        let de: U32Deserializer<DeError> = 550u32.into_deserializer();
        assert_eq!(VatRate::deserialize(de), Ok(VatRate::REDUCED));
        let de: U32Deserializer<DeError> = 1960u32.into_deserializer();
        assert!(VatRate::deserialize(de).is_err());
    }

    #[test]
    fn vat_regimes() {
        for r in VatRegime::ALL {
            assert_eq!(VatRegime::parse(r.as_str()), Some(r));
        }
        assert_eq!(VatRegime::parse("debits"), None);
        assert_eq!(VatRegime::default(), VatRegime::OnReceipts);
        assert_eq!(
            VatRegime::ReverseChargeEu.label_key(),
            "vat-regime-reverse-charge-eu"
        );
        assert_eq!(
            VatRegime::ReverseChargeEu.invoice_mention(),
            Some("Autoliquidation")
        );
        assert!(
            VatRegime::OnDebits
                .invoice_mention()
                .unwrap()
                .contains("débits")
        );
        assert_eq!(VatRegime::OnReceipts.invoice_mention(), None);
        assert!(VatRegime::OnDebits.charges_vat() && !VatRegime::Exempt.charges_vat());
    }

    #[test]
    fn expense_policies() {
        assert_eq!(ExpensePolicy::parse("", ""), Ok(ExpensePolicy::NotRebilled));
        assert_eq!(
            ExpensePolicy::parse("at_cost", "12"),
            Ok(ExpensePolicy::AtCost)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "7,5 %"),
            Ok(ExpensePolicy::AtCostPlusFee { fee_bp: 750 })
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "100"),
            Ok(ExpensePolicy::AtCostPlusFee { fee_bp: 10_000 })
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "100,01"),
            Err(TermsError::ExpenseFeeTooHigh)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "99999999999"),
            Err(TermsError::ExpenseFeeTooHigh)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "7,555"),
            Err(TermsError::ExpenseFeeInvalid)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "dix"),
            Err(TermsError::ExpenseFeeInvalid)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", " "),
            Err(TermsError::ExpenseFeeRequired)
        );
        assert_eq!(
            ExpensePolicy::parse("at_cost_plus_fee", "0"),
            Err(TermsError::ExpenseFeeRequired)
        );
        assert_eq!(
            ExpensePolicy::parse("gratis", ""),
            Err(TermsError::ExpensePolicyInvalid)
        );
        assert_eq!(
            ExpensePolicy::from_parts("at_cost", 500),
            Err(TermsError::ExpenseFeeUnexpected)
        );
        assert_eq!(
            ExpensePolicy::from_parts("at_cost_plus_fee", 10_001),
            Err(TermsError::ExpenseFeeTooHigh)
        );
        assert_eq!(
            ExpensePolicy::AtCostPlusFee { fee_bp: 750 }.label_key(),
            "expense-policy-at-cost-plus-fee"
        );
    }

    #[test]
    fn expense_parts_round_trip() {
        for p in [
            ExpensePolicy::NotRebilled,
            ExpensePolicy::AtCost,
            ExpensePolicy::AtCostPlusFee { fee_bp: 1 },
            ExpensePolicy::AtCostPlusFee { fee_bp: 750 },
            ExpensePolicy::AtCostPlusFee { fee_bp: 10_000 },
        ] {
            assert_eq!(
                ExpensePolicy::from_parts(p.kind_str(), p.fee_basis_points()),
                Ok(p)
            );
            assert_eq!(ExpensePolicy::parse(p.kind_str(), &p.fee_input()), Ok(p));
        }
        assert_eq!(
            ExpensePolicy::AtCostPlusFee { fee_bp: 750 }.fee_input(),
            "7,5"
        );
    }

    #[test]
    fn rebilling() {
        let cost = Money::from_cents(12_345);
        assert_eq!(ExpensePolicy::NotRebilled.rebill_amount(cost), Money::ZERO);
        assert_eq!(ExpensePolicy::AtCost.rebill_amount(cost), cost);
        // 123.45 × 1.075 = 132.70875 → 132.71.
        assert_eq!(
            ExpensePolicy::AtCostPlusFee { fee_bp: 750 }.rebill_amount(cost),
            Money::from_cents(13_271)
        );
        // 0.10 × 1.05 = 0.105 → 0.11 (half up).
        assert_eq!(
            ExpensePolicy::AtCostPlusFee { fee_bp: 500 }.rebill_amount(Money::from_cents(10)),
            Money::from_cents(11)
        );
        assert_eq!(
            ExpensePolicy::AtCostPlusFee { fee_bp: 10_000 }.rebill_amount(cost),
            Money::from_cents(24_690)
        );
    }

    #[test]
    fn error_keys() {
        assert_eq!(
            TermsError::ExpenseFeeTooHigh.args(),
            crate::args![("max", 100u32)]
        );
        assert_eq!(TermsError::VatRateNotAllowed.key(), "vat-rate-not-allowed");
        assert!(TermsError::DaysInvalid.args().is_empty());
    }

    proptest! {
        #[test]
        fn only_legal_terms_exist(days in any::<u16>(), eom in any::<bool>()) {
            let cap = if eom { 45 } else { 60 };
            prop_assert_eq!(PaymentTerms::new(days, eom).is_ok(), days <= cap);
        }

        #[test]
        fn due_date_is_within_the_legal_delay(
            julian in 2_400_000i32..2_500_000,
            days in 0u16..=60,
            eom in any::<bool>(),
        ) {
            let inv = Date::from_julian_day(julian).unwrap();
            if let Ok(t) = PaymentTerms::new(days, eom) {
                let due = t.due_date(inv);
                let delay = (due - inv).whole_days();
                prop_assert!(delay >= i64::from(days));
                if eom {
                    // At most the rest of the month after the N days.
                    prop_assert!(delay <= i64::from(days) + 30);
                    prop_assert_eq!(due.next_day().unwrap().day(), 1);
                    prop_assert_eq!(due.month(), (inv + Duration::days(i64::from(days))).month());
                } else {
                    prop_assert_eq!(delay, i64::from(days));
                }
            }
        }

        #[test]
        fn percent_parsers_never_panic(s in any::<String>()) {
            let _ = VatRate::parse(&s);
            let _ = ExpensePolicy::parse("at_cost_plus_fee", &s);
            let _ = PaymentTerms::parse(&s, false);
        }

        #[test]
        fn fee_bounds(bp in 0u32..20_000) {
            let p = ExpensePolicy::from_parts("at_cost_plus_fee", bp);
            prop_assert_eq!(p.is_ok(), (1..=10_000).contains(&bp));
        }

        #[test]
        fn rebilled_is_cost_plus_fee(cents in -1_000_000_000i64..1_000_000_000, bp in 1u32..=10_000) {
            let cost = Money::from_cents(cents);
            let billed = ExpensePolicy::AtCostPlusFee { fee_bp: bp }.rebill_amount(cost);
            let exact = Decimal::from(cents) * (Decimal::ONE + Decimal::new(i64::from(bp), 4));
            prop_assert!((Decimal::from(billed.cents()) - exact).abs() <= dec("0.5"));
            if cents >= 0 {
                prop_assert!(billed >= cost);
            }
        }

        #[test]
        fn vat_is_within_half_a_cent(cents in any::<i64>(), i in 0usize..5) {
            let rate = VatRate::ALL[i];
            let vat = rate.vat_on(Money::from_cents(cents));
            let exact = Decimal::from(cents) * rate.as_decimal();
            prop_assert!((Decimal::from(vat.cents()) - exact).abs() <= dec("0.5"));
        }
    }
}

//! Invoice arithmetic as EN 16931 defines it (the semantic model behind
//! Factur-X): each line's net amount is quantity × unit price rounded to the
//! cent; the VAT breakdown groups lines by rate and rounds the VAT once per
//! rate; the document totals are sums of those rounded figures, so an
//! auditor recomputing them from the printed lines finds the same cents.
//! The words of the lines are [`wording`]'s; which days go on which line
//! is [`drafting`]'s, and which go on a credit note [`credit`]'s; how the
//! half days a line bills are stored, one mask a month, [`billed`]'s. What
//! finance may change on a draft is [`editing`]'s; where a document stands
//! for its payment, [`payment`]'s.

pub mod billed;
pub mod credit;
pub mod delivery;
pub mod drafting;
pub mod editing;
pub mod payment;
pub mod wording;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::mission::DayQuantity;
use crate::money::{Money, Rounding};
use crate::terms::VatRate;

/// One invoice line: days (in half days) at a daily rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: DayQuantity,
    /// Price of one day, before VAT (BT-146).
    pub unit_price: Money,
    pub vat_rate: VatRate,
}

impl InvoiceLine {
    /// BT-131: quantity × unit price, rounded half up to the cent (a half
    /// day at an odd-cent rate is the only case that rounds).
    pub fn net(&self) -> Money {
        self.unit_price
            .mul_decimal(self.quantity.as_decimal(), Rounding::HalfUp)
            .expect("days × a daily rate fits in cents")
    }
}

/// One VAT category of the breakdown (BG-23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VatBreakdown {
    pub rate: VatRate,
    /// BT-116: sum of the net amounts of the lines at this rate.
    pub taxable: Money,
    /// BT-117: taxable × rate, rounded once.
    pub vat: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// BT-106: sum of line net amounts.
    pub net: Money,
    pub breakdown: Vec<VatBreakdown>,
    /// BT-110: sum of the breakdown's VAT.
    pub vat: Money,
    /// BT-112: net + VAT.
    pub gross: Money,
}

pub fn totals(lines: &[InvoiceLine]) -> Totals {
    let mut by_rate: BTreeMap<VatRate, Money> = BTreeMap::new();
    let mut net = Money::ZERO;
    for l in lines {
        let n = l.net();
        net += n;
        *by_rate.entry(l.vat_rate).or_insert(Money::ZERO) += n;
    }
    let breakdown: Vec<VatBreakdown> = by_rate
        .into_iter()
        .map(|(rate, taxable)| VatBreakdown {
            rate,
            taxable,
            vat: rate.vat_on(taxable),
        })
        .collect();
    let vat = breakdown.iter().fold(Money::ZERO, |a, b| a + b.vat);
    Totals {
        net,
        breakdown,
        vat,
        gross: net + vat,
    }
}

impl Totals {
    /// What is left of these totals once `other` is taken away, rate by
    /// rate. A credit note that gives back the last days of an invoice
    /// takes exactly what is left, so the invoice and its credit notes net
    /// to zero to the cent whatever each credit note's own rounding was.
    pub fn minus(&self, other: &Totals) -> Totals {
        let mut by_rate: BTreeMap<VatRate, (Money, Money)> = BTreeMap::new();
        for b in &self.breakdown {
            let e = by_rate.entry(b.rate).or_insert((Money::ZERO, Money::ZERO));
            e.0 += b.taxable;
            e.1 += b.vat;
        }
        for b in &other.breakdown {
            let e = by_rate.entry(b.rate).or_insert((Money::ZERO, Money::ZERO));
            e.0 -= b.taxable;
            e.1 -= b.vat;
        }
        let breakdown: Vec<VatBreakdown> = by_rate
            .into_iter()
            .filter(|(_, (t, v))| *t != Money::ZERO || *v != Money::ZERO)
            .map(|(rate, (taxable, vat))| VatBreakdown { rate, taxable, vat })
            .collect();
        let net = self.net - other.net;
        let vat = self.vat - other.vat;
        Totals {
            net,
            breakdown,
            vat,
            gross: net + vat,
        }
    }

    /// Adds two documents' totals rate by rate (the credit notes of one
    /// invoice, say).
    pub fn plus(&self, other: &Totals) -> Totals {
        let zero = Totals::zero();
        zero.minus(&zero.minus(self).minus(other))
    }

    pub fn zero() -> Totals {
        Totals {
            net: Money::ZERO,
            breakdown: Vec::new(),
            vat: Money::ZERO,
            gross: Money::ZERO,
        }
    }
}

/// An invoice or a credit note (BT-3: 380 or 381).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceKind> {
        [InvoiceKind::Invoice, InvoiceKind::CreditNote]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The numbering series: invoices and credit notes are two continuous
    /// series, which the law allows.
    pub fn series(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "FA",
            InvoiceKind::CreditNote => "AV",
        }
    }
}

/// Where a document stands. Issued is final: an issued invoice is never
/// changed, only credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    /// Key-account lock: the client contract is not signed yet.
    WaitingSignature,
    Issued,
}

crate::code::stored_code!(InvoiceKind, InvoiceStatus);

/// What can happen to a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceEvent {
    /// The contract got signed (or the lock was lifted).
    Release,
    /// The lock applies (again) to a draft.
    Hold,
    Issue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceTransitionError {
    #[error("the invoice waits for the client contract's signature")]
    WaitingSignature,
    #[error("the invoice is issued already")]
    AlreadyIssued,
    #[error("the invoice is not waiting for a signature")]
    NotWaiting,
}

impl InvoiceTransitionError {
    pub fn key(self) -> &'static str {
        match self {
            InvoiceTransitionError::WaitingSignature => "invoice-waiting-signature",
            InvoiceTransitionError::AlreadyIssued => "invoice-already-issued",
            InvoiceTransitionError::NotWaiting => "invoice-not-waiting",
        }
    }
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::WaitingSignature => "waiting_signature",
            InvoiceStatus::Issued => "issued",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Draft,
            InvoiceStatus::WaitingSignature,
            InvoiceStatus::Issued,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("invoice-status-{}", self.as_str().replace('_', "-"))
    }

    pub fn transition(self, event: InvoiceEvent) -> Result<InvoiceStatus, InvoiceTransitionError> {
        use InvoiceEvent as E;
        use InvoiceStatus as S;
        match (self, event) {
            (S::Issued, _) => Err(InvoiceTransitionError::AlreadyIssued),
            (S::WaitingSignature, E::Release) => Ok(S::Draft),
            (S::Draft, E::Release) => Err(InvoiceTransitionError::NotWaiting),
            (S::Draft | S::WaitingSignature, E::Hold) => Ok(S::WaitingSignature),
            (S::WaitingSignature, E::Issue) => Err(InvoiceTransitionError::WaitingSignature),
            (S::Draft, E::Issue) => Ok(S::Issued),
        }
    }
}

/// The printed number: series, year, six-digit sequence (FA-2026-000123).
pub fn number(kind: InvoiceKind, year: i32, seq: i64) -> String {
    format!("{}-{year}-{seq:06}", kind.series())
}

/// The last day an invoice for the services of `period` may be issued
/// (CGI art. 289, I-3): an invoice is due as soon as the service is
/// performed, and services rendered to one client over a month may be
/// gathered in one summary invoice issued at the latest at the end of that
/// month. An invoice held past it (a key account's contract still
/// unsigned) breaks the rule and exposes the firm to the fine of CGI
/// art. 1737: the waiting page shows it so finance can decide.
pub fn legal_issue_deadline(period: crate::calendar::YearMonth) -> time::Date {
    period.last_day()
}

/// Days past [`legal_issue_deadline`] on `today` (none while within it).
pub fn days_past_issue_deadline(
    period: crate::calendar::YearMonth,
    today: time::Date,
) -> Option<i64> {
    let late = (today - legal_issue_deadline(period)).whole_days();
    (late > 0).then_some(late)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_months_invoice_is_due_by_the_end_of_the_month() {
        use crate::calendar::YearMonth;
        use time::macros::date;
        let november = YearMonth::of(date!(2026 - 11 - 15));
        assert_eq!(legal_issue_deadline(november), date!(2026 - 11 - 30));
        assert_eq!(
            days_past_issue_deadline(november, date!(2026 - 11 - 30)),
            None
        );
        assert_eq!(
            days_past_issue_deadline(november, date!(2026 - 12 - 06)),
            Some(6)
        );
        let february = YearMonth::of(date!(2028 - 02 - 01));
        assert_eq!(legal_issue_deadline(february), date!(2028 - 02 - 29));
    }

    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn line(half_days: u32, cents: i64, rate: VatRate) -> InvoiceLine {
        InvoiceLine {
            description: "Prestation".into(),
            quantity: DayQuantity::from_half_days(half_days),
            unit_price: Money::from_cents(cents),
            vat_rate: rate,
        }
    }

    #[test]
    fn the_demo_invoice() {
        // 20 days × 600,00 € = 12 000,00 € HT, 2 400,00 € VAT, 14 400,00 € TTC.
        let t = totals(&[line(40, 60_000, VatRate::STANDARD)]);
        assert_eq!(t.net, Money::from_euros(12_000));
        assert_eq!(t.vat, Money::from_euros(2_400));
        assert_eq!(t.gross, Money::from_euros(14_400));
        assert_eq!(t.breakdown.len(), 1);
    }

    #[test]
    fn rounding_happens_per_line_then_once_per_rate() {
        // Half a day at 600,01 € = 300,005 → 300,01 €.
        assert_eq!(
            line(1, 60_001, VatRate::STANDARD).net(),
            Money::from_cents(30_001)
        );
        // Five lines of 0,12 € at 20 %: VAT rounded per line would be
        // 5 × 0,02 = 0,10 €; EN 16931 rounds once on the 0,60 € base: 0,12 €.
        let lines: Vec<InvoiceLine> = (0..5).map(|_| line(2, 12, VatRate::STANDARD)).collect();
        let t = totals(&lines);
        assert_eq!(t.net, Money::from_cents(60));
        assert_eq!(t.vat, Money::from_cents(12));
        let odd: Vec<InvoiceLine> = (0..5).map(|_| line(1, 25, VatRate::STANDARD)).collect();
        // 0,125 € per line → 0,13 € each; base 0,65 €; VAT 0,13 € once.
        let t = totals(&odd);
        assert_eq!(t.net, Money::from_cents(65));
        assert_eq!(t.vat, Money::from_cents(13));
    }

    #[test]
    fn two_rates_two_categories() {
        let t = totals(&[
            line(2, 10_000, VatRate::STANDARD),
            line(2, 10_000, VatRate::ZERO),
            line(2, 5_000, VatRate::STANDARD),
        ]);
        assert_eq!(t.breakdown.len(), 2);
        assert_eq!(t.breakdown[0].rate, VatRate::ZERO);
        assert_eq!(t.breakdown[1].taxable, Money::from_euros(150));
        assert_eq!(t.vat, Money::from_euros(30));
        assert_eq!(t.gross, Money::from_euros(280));
    }

    fn arb_rate() -> impl Strategy<Value = VatRate> {
        proptest::sample::select(VatRate::ALL.to_vec())
    }

    proptest! {
        /// The totals are sums of what is printed: line nets add up to the
        /// net total and to the breakdown's bases; the VAT is the sum of the
        /// categories'; gross = net + VAT; each category's VAT is within half
        /// a cent of the exact product.
        #[test]
        fn totals_are_the_sum_of_the_lines(
            raw in proptest::collection::vec((1u32..=46, 1i64..=500_000, arb_rate()), 1..30)
        ) {
            let lines: Vec<InvoiceLine> = raw.iter().map(|(h, c, r)| line(*h, *c, *r)).collect();
            let t = totals(&lines);
            let sum: i64 = lines.iter().map(|l| l.net().cents()).sum();
            prop_assert_eq!(t.net.cents(), sum);
            let bases: i64 = t.breakdown.iter().map(|b| b.taxable.cents()).sum();
            prop_assert_eq!(bases, sum);
            let vats: i64 = t.breakdown.iter().map(|b| b.vat.cents()).sum();
            prop_assert_eq!(t.vat.cents(), vats);
            prop_assert_eq!(t.gross.cents(), t.net.cents() + t.vat.cents());
            for b in &t.breakdown {
                let exact = b.taxable.to_decimal() * b.rate.as_decimal();
                let diff = (b.vat.to_decimal() - exact).abs();
                prop_assert!(diff <= Decimal::new(5, 3), "{:?}", b);
            }
            for l in &lines {
                let exact = l.unit_price.to_decimal() * l.quantity.as_decimal();
                prop_assert!((l.net().to_decimal() - exact).abs() <= Decimal::new(5, 3));
            }
        }
    }

    #[test]
    fn invoice_status_moves() {
        use InvoiceEvent as E;
        use InvoiceStatus as S;
        assert_eq!(S::WaitingSignature.transition(E::Release), Ok(S::Draft));
        assert_eq!(S::Draft.transition(E::Issue), Ok(S::Issued));
        assert_eq!(
            S::WaitingSignature.transition(E::Issue),
            Err(InvoiceTransitionError::WaitingSignature)
        );
        assert_eq!(S::Draft.transition(E::Hold), Ok(S::WaitingSignature));
        for e in [E::Release, E::Hold, E::Issue] {
            assert_eq!(
                S::Issued.transition(e),
                Err(InvoiceTransitionError::AlreadyIssued)
            );
        }
        for s in [S::Draft, S::WaitingSignature, S::Issued] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(number(InvoiceKind::Invoice, 2026, 123), "FA-2026-000123");
        assert_eq!(number(InvoiceKind::CreditNote, 2027, 1), "AV-2027-000001");
    }

    proptest! {
        /// Credit notes cut an invoice's days in any way: when the last one
        /// takes what is left (`minus`), invoice − credits is zero to the
        /// cent, rate by rate, and no credit note exceeds what was left.
        #[test]
        fn credits_net_the_invoice_to_zero(
            raw in proptest::collection::vec((1u32..=46, 1i64..=500_000, arb_rate()), 1..12),
            cuts in proptest::collection::vec(0usize..12, 0..5),
        ) {
            let lines: Vec<InvoiceLine> = raw.iter().map(|(h, c, r)| line(*h, *c, *r)).collect();
            let invoice = totals(&lines);
            let mut left = invoice.clone();
            let mut pool = lines.clone();
            for cut in cuts {
                if pool.len() <= 1 { break; }
                let taken: Vec<InvoiceLine> = vec![pool.remove(cut % pool.len())];
                let credit = totals(&taken);
                prop_assert!(credit.net <= left.net);
                left = left.minus(&credit);
            }
            let last = left.clone();
            let rest = left.minus(&last);
            prop_assert_eq!(rest.net, Money::ZERO);
            prop_assert_eq!(rest.vat, Money::ZERO);
            prop_assert!(rest.breakdown.is_empty());
            prop_assert_eq!(invoice.minus(&invoice), Totals::zero());
            prop_assert_eq!(Totals::zero().plus(&invoice), invoice.clone());
        }
    }
}

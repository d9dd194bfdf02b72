//! The life of an issued invoice or credit note under the 2026–2027
//! e-invoicing reform: the statuses a "plateforme agréée" (PA) and the
//! parties exchange (codes 200–213, after AFNOR XP Z12-012), the one
//! transition function that accepts or refuses a move, and the exact-cent
//! splits for e-reporting: of a receipt, and of the VAT a credit note takes
//! back after its invoice was paid.
//!
//! # The graph
//!
//! Three phases, then three ends:
//!
//! - **Transmission** (200 Déposée → 201 Émise par la plateforme → 202 Reçue
//!   par la plateforme → 203 Mise à disposition): forward only, and a step
//!   may be skipped (a PA serving both parties goes from 200 to 203; our
//!   file drop reports nothing between deposit and the buyer's answer).
//!   200 is the first status of every document and is recorded by the
//!   deposit only.
//! - **Processing by the buyer**, from any transmission status:
//!   204 Prise en charge; 205 Approuvée; 206 Approuvée partiellement;
//!   207 En litige, which ends only in 205, 206 or 210; 208 Suspendue
//!   (documents missing), which the seller answers with 209 Complétée (or
//!   the buyer ends with 210); after 209 the buyer decides again (204–208,
//!   210) or pays. 205 and 206 may still be disputed (207) or suspended
//!   (208); 205 may not be refused any more (a dispute first).
//! - **Payment**: 211 Paiement transmis (the buyer says he paid) and
//!   212 Encaissée (the seller received the money; mandatory for services,
//!   whose VAT is due on receipt). Both may carry partial amounts and be
//!   recorded several times; once a receipt is recorded only payment
//!   statuses follow. 212 carries the amount and the day received; the
//!   document is settled when the receipts reach its total (TTC), and that
//!   ends its life. Credit notes take no payment status (a refund is not a
//!   receipt).
//!
//! Ends: **210 Refusée** by the buyer is final (a credit note cancels the
//! invoice); **212 Encaissée** is final once settled; **213 Rejetée** by a
//! platform (the file, not the sale, is at fault: format, missing data) may
//! only be followed by **200** again — a new deposit of the same document
//! once the file is fixed, since an issued invoice never changes; a wrong
//! sale is cancelled by a credit note and invoiced again. 213 can only come
//! while the file is in transit (200–202): once made available (203) the
//! file was accepted.
//!
//! Mandatory statuses (transmitted to the tax administration): 200, 210,
//! 212, 213.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::Money;

/// Where the deposit of a document on one channel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositStatus {
    Queued,
    Deposited,
    /// The last attempt failed; a manual redeposit queues it again.
    Failed,
}

impl DepositStatus {
    pub const ALL: [DepositStatus; 3] = [
        DepositStatus::Queued,
        DepositStatus::Deposited,
        DepositStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepositStatus::Queued => "queued",
            DepositStatus::Deposited => "deposited",
            DepositStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DepositStatus> {
        DepositStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

crate::code::stored_code!(DepositStatus);

/// A lifecycle status, with its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LifecycleStatus {
    Deposited,
    IssuedByPlatform,
    ReceivedByPlatform,
    MadeAvailable,
    TakenOver,
    Approved,
    PartiallyApproved,
    Disputed,
    Suspended,
    Completed,
    Refused,
    PaymentSent,
    Received,
    Rejected,
}

use LifecycleStatus::*;

impl LifecycleStatus {
    pub const ALL: [LifecycleStatus; 14] = [
        Deposited,
        IssuedByPlatform,
        ReceivedByPlatform,
        MadeAvailable,
        TakenOver,
        Approved,
        PartiallyApproved,
        Disputed,
        Suspended,
        Completed,
        Refused,
        PaymentSent,
        Received,
        Rejected,
    ];

    pub fn code(self) -> u16 {
        200 + Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u16
    }

    pub fn from_code(code: i64) -> Option<LifecycleStatus> {
        let i = usize::try_from(code.checked_sub(200)?).ok()?;
        Self::ALL.get(i).copied()
    }

    /// The translation key of its label (`einvoice-status-205`).
    pub fn label_key(self) -> String {
        format!("einvoice-status-{}", self.code())
    }

    /// Transmitted to the tax administration.
    pub fn mandatory(self) -> bool {
        matches!(self, Deposited | Refused | Received | Rejected)
    }

    /// A reason must go with it.
    pub fn needs_reason(self) -> bool {
        matches!(self, Disputed | Refused | Rejected)
    }

    /// Whether a person may record it by hand: 200 comes from the deposit
    /// and 212 from the payments recorded (`store::payments`), so the
    /// status, the e-reporting and the ledger never tell different stories.
    pub fn recordable_by_user(self) -> bool {
        !matches!(self, Deposited | Received)
    }

    fn transmission(self) -> bool {
        matches!(
            self,
            Deposited | IssuedByPlatform | ReceivedByPlatform | MadeAvailable
        )
    }

    fn payment(self) -> bool {
        matches!(self, PaymentSent | Received)
    }

    /// The graph, without amounts: whether `to` may follow `from`.
    fn edge(from: Option<LifecycleStatus>, to: LifecycleStatus) -> bool {
        let Some(from) = from else {
            return to == Deposited;
        };
        match to {
            Deposited => from == Rejected,
            IssuedByPlatform | ReceivedByPlatform | MadeAvailable => {
                from.transmission() && from < to
            }
            Rejected => matches!(from, Deposited | IssuedByPlatform | ReceivedByPlatform),
            TakenOver => from.transmission() || from == Completed,
            Approved | PartiallyApproved => {
                from.transmission()
                    || matches!(from, TakenOver | PartiallyApproved | Disputed | Completed)
            }
            Disputed => {
                from.transmission()
                    || matches!(from, TakenOver | Approved | PartiallyApproved | Completed)
            }
            Suspended => {
                from.transmission()
                    || matches!(from, TakenOver | Approved | PartiallyApproved | Completed)
            }
            Completed => from == Suspended,
            Refused => {
                from.transmission() || matches!(from, TakenOver | Disputed | Suspended | Completed)
            }
            PaymentSent | Received => {
                from.transmission()
                    || from.payment()
                    || matches!(from, TakenOver | Approved | PartiallyApproved | Completed)
            }
        }
    }
}

impl std::fmt::Display for LifecycleStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Who reported a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Platform,
    User,
    System,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Platform => "platform",
            Source::User => "user",
            Source::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        [Source::Platform, Source::User, Source::System]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a document stands: its last status and what was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    pub status: Option<LifecycleStatus>,
    /// Sum of the 212 receipts.
    pub received: Money,
    /// The document's total (TTC).
    pub total: Money,
    pub credit_note: bool,
}

/// A status reported for a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub status: LifecycleStatus,
    pub reason: Option<String>,
    /// For 211 (optional) and 212 (required): the amount paid or received.
    pub amount: Option<Money>,
    /// For 212: the day the money was received.
    pub paid_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("status {to} may not follow {from:?}")]
    Illegal {
        from: Option<LifecycleStatus>,
        to: LifecycleStatus,
    },
    #[error("the document is settled")]
    Settled,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("an amount is required")]
    AmountRequired,
    #[error("the amount must be positive")]
    AmountNotPositive,
    #[error("more than the total would be received")]
    AmountTooHigh,
    #[error("the receipt date is required")]
    DateRequired,
    #[error("no payment status on a credit note")]
    CreditNote,
}

impl LifecycleError {
    pub fn key(self) -> &'static str {
        match self {
            LifecycleError::Illegal { .. } => "einvoice-illegal-move",
            LifecycleError::Settled => "einvoice-settled",
            LifecycleError::ReasonRequired => "einvoice-reason-required",
            LifecycleError::AmountRequired => "einvoice-amount-required",
            LifecycleError::AmountNotPositive => "einvoice-amount-not-positive",
            LifecycleError::AmountTooHigh => "einvoice-amount-too-high",
            LifecycleError::DateRequired => "einvoice-date-required",
            LifecycleError::CreditNote => "einvoice-payment-credit-note",
        }
    }

    /// The form field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            LifecycleError::ReasonRequired => "reason",
            LifecycleError::AmountRequired
            | LifecycleError::AmountNotPositive
            | LifecycleError::AmountTooHigh => "amount",
            LifecycleError::DateRequired => "paid_on",
            _ => "status",
        }
    }
}

impl Lifecycle {
    pub fn new(total: Money, credit_note: bool) -> Lifecycle {
        Lifecycle {
            status: None,
            received: Money::ZERO,
            total,
            credit_note,
        }
    }

    /// Receipts reached the total: nothing follows.
    pub fn settled(&self) -> bool {
        self.status == Some(Received) && self.received >= self.total
    }

    /// What is still to be received.
    pub fn outstanding(&self) -> Money {
        self.total - self.received
    }

    /// The one transition function: the state after `e`, or why not.
    pub fn transition(&self, e: &StatusEvent) -> Result<Lifecycle, LifecycleError> {
        if self.settled() {
            return Err(LifecycleError::Settled);
        }
        if !LifecycleStatus::edge(self.status, e.status) {
            return Err(LifecycleError::Illegal {
                from: self.status,
                to: e.status,
            });
        }
        if e.status.payment() && self.credit_note {
            return Err(LifecycleError::CreditNote);
        }
        if e.status.needs_reason() && e.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(LifecycleError::ReasonRequired);
        }
        let mut next = Lifecycle {
            status: Some(e.status),
            ..*self
        };
        if let Some(a) = e.amount
            && e.status.payment()
            && a <= Money::ZERO
        {
            return Err(LifecycleError::AmountNotPositive);
        }
        if e.status == Received {
            let amount = e.amount.ok_or(LifecycleError::AmountRequired)?;
            if e.paid_on.is_none() {
                return Err(LifecycleError::DateRequired);
            }
            if amount > self.outstanding() {
                return Err(LifecycleError::AmountTooHigh);
            }
            next.received = self.received + amount;
        }
        Ok(next)
    }

    /// The statuses that may be recorded next (amounts aside).
    pub fn allowed(&self) -> Vec<LifecycleStatus> {
        if self.settled() {
            return Vec::new();
        }
        LifecycleStatus::ALL
            .into_iter()
            .filter(|s| LifecycleStatus::edge(self.status, *s))
            .filter(|s| !(self.credit_note && s.payment()))
            .collect()
    }
}

/// Splits `amount` in proportion to `weights` (non-negative, not all
/// zero), to the cent: each share is rounded down, and the cents left go
/// one by one to the largest remainders (the first of equal ones). The
/// shares add up to `amount` exactly.
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| *w as i128).sum();
    if total <= 0 {
        return vec![0; weights.len()];
    }
    let sign: i128 = if amount < 0 { -1 } else { 1 };
    let a = (amount as i128).abs();
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let p = a * (*w as i128);
        shares.push(p / total);
        remainders.push((p % total, i));
    }
    let mut left = a - shares.iter().sum::<i128>();
    remainders.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| (s * sign) as i64).collect()
}

/// One VAT rate of a document's breakdown, as e-reporting splits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateShare {
    /// Basis points (2000 = 20 %).
    pub rate_bp: u32,
    pub base: Money,
    pub vat: Money,
}

/// The part of a receipt of `amount` (after `before` was already received)
/// that falls to each rate of `breakdown` (base and VAT per rate, whose sum
/// is the document's total), pro rata. Computed as the split of everything
/// received so far minus the split of what was received before, so the
/// receipts of a settled document add up to its breakdown to the cent.
pub fn split_receipt(breakdown: &[RateShare], before: Money, amount: Money) -> Vec<RateShare> {
    let weights: Vec<i64> = breakdown
        .iter()
        .flat_map(|r| [r.base.cents(), r.vat.cents()])
        .collect();
    let after = allocate(before.cents() + amount.cents(), &weights);
    let prior = allocate(before.cents(), &weights);
    breakdown
        .iter()
        .enumerate()
        .map(|(i, r)| RateShare {
            rate_bp: r.rate_bp,
            base: Money::from_cents(after[2 * i] - prior[2 * i]),
            vat: Money::from_cents(after[2 * i + 1] - prior[2 * i + 1]),
        })
        .collect()
}

/// The part of a credit note's VAT that had already been declared as
/// received, per rate, as the receipts e-reporting takes it back: negative
/// shares (base and VAT) in the credit note's month.
///
/// A credit note on an invoice under VAT on receipts takes back the VAT
/// still waiting for payment from 44574 and the rest, VAT already due
/// because the invoice was (partly) paid, from 44571 (ACCOUNTING.md E and
/// E'). `taken_back` is that 44571 debit; `breakdown` is the credit note's
/// own VAT breakdown (base and VAT per rate, positive). The credit note is
/// taken to be declared in the proportion `taken_back / its VAT` at every
/// rate.
///
/// Rounding, to the cent:
/// - VAT: `taken_back` is spread over the rates in proportion to the credit
///   note's VAT per rate by [`allocate`] (each share rounded down, the cents
///   left to the largest remainders, the first of equal ones), so the
///   shares' VAT is exactly `taken_back`.
/// - Base: the credit note's whole base × `taken_back` / its whole VAT,
///   rounded half away from zero ([`Money::from_decimal`] with
///   [`Rounding::HalfUp`](crate::money::Rounding::HalfUp)), spread over the
///   rates in proportion to their base the same way. A rate without VAT
///   (0 %) gets its share of the base only.
///
/// When everything is taken back (`taken_back` is the credit note's VAT),
/// the shares are the breakdown exactly, negated.
///
/// The split follows the credit note's rates, not those its invoice's
/// receipts declared: 44571 is one account, and the sales entry takes the
/// VAT still waiting in 44574 first, for the invoice as a whole. So when an
/// invoice at several rates is credited in other proportions than it was
/// paid, each rate's net over the months may drift from zero by what moved
/// between rates; the VAT in total cannot (it is the ledger's). Nothing to take back (a
/// credit note on an unpaid invoice, all from 44574), or a credit note
/// without VAT, gives no share at all.
pub fn split_credit_note(breakdown: &[RateShare], taken_back: Money) -> Vec<RateShare> {
    let vat: i64 = breakdown.iter().map(|r| r.vat.cents()).sum();
    if taken_back <= Money::ZERO || vat <= 0 {
        return Vec::new();
    }
    let base: Money = breakdown.iter().map(|r| r.base).sum();
    let base_taken = Money::from_decimal(
        base.to_decimal() * rust_decimal::Decimal::from(taken_back.cents())
            / rust_decimal::Decimal::from(vat),
        crate::money::Rounding::HalfUp,
    )
    .expect("a part of the credit note's base fits in cents");
    let vats = allocate(
        taken_back.cents(),
        &breakdown.iter().map(|r| r.vat.cents()).collect::<Vec<_>>(),
    );
    let bases = allocate(
        base_taken.cents(),
        &breakdown.iter().map(|r| r.base.cents()).collect::<Vec<_>>(),
    );
    breakdown
        .iter()
        .zip(vats.into_iter().zip(bases))
        .map(|(r, (v, b))| RateShare {
            rate_bp: r.rate_bp,
            base: -Money::from_cents(b),
            vat: -Money::from_cents(v),
        })
        .collect()
}

// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deposit_statuses_round_trip() {
        for s in DepositStatus::ALL {
            assert_eq!(DepositStatus::try_from(s.as_str().to_owned()), Ok(s));
        }
        assert!(DepositStatus::try_from("done".to_owned()).is_err());
    }

    fn ev(status: LifecycleStatus) -> StatusEvent {
        StatusEvent {
            status,
            reason: Some("motif".into()),
            amount: None,
            paid_on: None,
        }
    }

    fn at(status: Option<LifecycleStatus>) -> Lifecycle {
        Lifecycle {
            status,
            ..Lifecycle::new(Money::from_cents(14_400_00), false)
        }
    }

    fn receipt(cents: i64) -> StatusEvent {
        StatusEvent {
            status: Received,
            reason: None,
            amount: Some(Money::from_cents(cents)),
            paid_on: Some(time::macros::date!(2026 - 11 - 15)),
        }
    }

    #[test]
    fn codes_round_trip_and_mandatory_ones() {
        for s in LifecycleStatus::ALL {
            assert_eq!(LifecycleStatus::from_code(s.code() as i64), Some(s));
        }
        assert_eq!(Deposited.code(), 200);
        assert_eq!(Approved.code(), 205);
        assert_eq!(Rejected.code(), 213);
        assert_eq!(LifecycleStatus::from_code(199), None);
        assert_eq!(LifecycleStatus::from_code(214), None);
        let mandatory: Vec<u16> = LifecycleStatus::ALL
            .into_iter()
            .filter(|s| s.mandatory())
            .map(|s| s.code())
            .collect();
        assert_eq!(mandatory, [200, 210, 212, 213]);
    }

    #[test]
    fn the_first_status_is_the_deposit() {
        assert_eq!(at(None).allowed(), [Deposited]);
        assert!(matches!(
            at(None).transition(&ev(Approved)),
            Err(LifecycleError::Illegal { .. })
        ));
    }

    #[test]
    fn transmission_goes_forward_and_may_skip() {
        let l = at(Some(Deposited));
        assert!(l.transition(&ev(MadeAvailable)).is_ok());
        assert!(
            at(Some(MadeAvailable))
                .transition(&ev(IssuedByPlatform))
                .is_err()
        );
        assert!(
            at(Some(ReceivedByPlatform))
                .transition(&ev(Rejected))
                .is_ok()
        );
        assert!(at(Some(MadeAvailable)).transition(&ev(Rejected)).is_err());
    }

    #[test]
    fn ends() {
        for end in [Refused, Rejected] {
            let allowed = at(Some(end)).allowed();
            if end == Rejected {
                assert_eq!(allowed, [Deposited], "only a new deposit after a rejection");
            } else {
                assert!(allowed.is_empty(), "{end:?}");
            }
        }
        let disputed = at(Some(Disputed)).allowed();
        assert_eq!(disputed, [Approved, PartiallyApproved, Refused]);
        assert_eq!(at(Some(Suspended)).allowed(), [Completed, Refused]);
        assert!(!at(Some(Approved)).allowed().contains(&Refused));
    }

    #[test]
    fn reasons_amounts_and_dates() {
        let l = at(Some(MadeAvailable));
        let mut e = ev(Refused);
        e.reason = Some("  ".into());
        assert_eq!(l.transition(&e), Err(LifecycleError::ReasonRequired));
        let mut r = receipt(100);
        r.amount = None;
        assert_eq!(l.transition(&r), Err(LifecycleError::AmountRequired));
        let mut r = receipt(100);
        r.paid_on = None;
        assert_eq!(l.transition(&r), Err(LifecycleError::DateRequired));
        assert_eq!(
            l.transition(&receipt(0)),
            Err(LifecycleError::AmountNotPositive)
        );
        assert_eq!(
            l.transition(&receipt(14_400_01)),
            Err(LifecycleError::AmountTooHigh)
        );
        let credit = Lifecycle {
            credit_note: true,
            ..l
        };
        assert_eq!(
            credit.transition(&receipt(1)),
            Err(LifecycleError::CreditNote)
        );
        assert!(!credit.allowed().contains(&Received));
    }

    #[test]
    fn partial_receipts_settle_at_the_total() {
        let l = at(Some(Deposited));
        let l = l.transition(&receipt(7_200_00)).unwrap();
        assert!(!l.settled());
        assert_eq!(
            l.allowed(),
            [PaymentSent, Received],
            "only payments after a receipt"
        );
        let l = l.transition(&receipt(7_200_00)).unwrap();
        assert!(l.settled());
        assert!(l.allowed().is_empty());
        assert_eq!(l.transition(&receipt(1)), Err(LifecycleError::Settled));
    }

    #[test]
    fn allocation_by_largest_remainder() {
        assert_eq!(allocate(100, &[1, 1, 1]), [34, 33, 33]);
        assert_eq!(allocate(-100, &[1, 1, 1]), [-34, -33, -33]);
        assert_eq!(allocate(10, &[0, 0]), [0, 0]);
        assert_eq!(
            allocate(14_400_00, &[12_000_00, 2_400_00]),
            [12_000_00, 2_400_00]
        );
        // 1 € over 10 % + 20 % rates: 1/3 and 2/3 of the cents.
        assert_eq!(allocate(100, &[1, 2]), [33, 67]);
    }

    #[test]
    fn receipts_add_up_to_the_breakdown() {
        let b = [
            RateShare {
                rate_bp: 1000,
                base: Money::from_cents(333_33),
                vat: Money::from_cents(33_33),
            },
            RateShare {
                rate_bp: 2000,
                base: Money::from_cents(1_000_01),
                vat: Money::from_cents(200_00),
            },
        ];
        let total = 333_33 + 33_33 + 1_000_01 + 200_00;
        let first = split_receipt(&b, Money::ZERO, Money::from_cents(500_00));
        let sum: i64 = first.iter().map(|r| r.base.cents() + r.vat.cents()).sum();
        assert_eq!(sum, 500_00);
        let second = split_receipt(
            &b,
            Money::from_cents(500_00),
            Money::from_cents(total - 500_00),
        );
        for i in 0..2 {
            assert_eq!(first[i].base + second[i].base, b[i].base);
            assert_eq!(first[i].vat + second[i].vat, b[i].vat);
        }
    }

    fn share(rate_bp: u32, base: i64, vat: i64) -> RateShare {
        RateShare {
            rate_bp,
            base: Money::from_cents(base),
            vat: Money::from_cents(vat),
        }
    }

    fn cents(shares: &[RateShare]) -> Vec<(u32, i64, i64)> {
        shares
            .iter()
            .map(|s| (s.rate_bp, s.base.cents(), s.vat.cents()))
            .collect()
    }

    #[test]
    fn a_credit_note_paid_in_full_takes_back_its_whole_breakdown() {
        // ACCOUNTING.md E': 12 000 HT, VAT 2 400, all already due.
        let b = [share(2000, 12_000_00, 2_400_00)];
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(2_400_00))),
            [(2000, -12_000_00, -2_400_00)]
        );
        let b = [share(1000, 333_33, 33_33), share(2000, 1_000_01, 200_00)];
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(233_33))),
            [(1000, -333_33, -33_33), (2000, -1_000_01, -200_00)]
        );
    }

    #[test]
    fn a_credit_note_partly_declared_takes_back_its_share_to_the_cent() {
        // Half of the VAT was due: half of each rate.
        let b = [share(2000, 12_000_00, 2_400_00)];
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(1_200_00))),
            [(2000, -6_000_00, -1_200_00)]
        );
        // 100,00 of VAT 233,33 over 10 % (33,33) and 20 % (200,00):
        // VAT 14,2845… and 85,7155… → 14,28 + 85,72 (the cent left goes
        // to the larger remainder); base 1 333,34 × 100 / 233,33
        // = 571,4396… → 571,44, over 333,33 and 1 000,01: 142,8578… and
        // 428,5821… → 142,86 + 428,58.
        let b = [share(1000, 333_33, 33_33), share(2000, 1_000_01, 200_00)];
        let s = split_credit_note(&b, Money::from_cents(100_00));
        assert_eq!(
            cents(&s),
            [(1000, -142_86, -14_28), (2000, -428_58, -85_72)]
        );
        // A 0 % rate gets its share of base, no VAT.
        let b = [share(0, 500_00, 0), share(2000, 500_00, 100_00)];
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(50_00))),
            [(0, -250_00, 0), (2000, -250_00, -50_00)]
        );
    }

    #[test]
    fn the_base_is_rounded_half_away_from_zero() {
        // Base 3 cents × 5 / 6 = 2,5 cents → 3 (not 2).
        let b = [share(2000, 3, 6)];
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(5))),
            [(2000, -3, -5)]
        );
        // × 1 / 6 = 0,5 → 1.
        assert_eq!(
            cents(&split_credit_note(&b, Money::from_cents(1))),
            [(2000, -1, -1)]
        );
    }

    #[test]
    fn nothing_to_take_back_gives_no_share() {
        let b = [share(2000, 12_000_00, 2_400_00)];
        assert!(split_credit_note(&b, Money::ZERO).is_empty());
        assert!(split_credit_note(&b, Money::from_cents(-1)).is_empty());
        assert!(split_credit_note(&[share(0, 100_00, 0)], Money::from_cents(1)).is_empty());
        assert!(split_credit_note(&[], Money::from_cents(1)).is_empty());
    }

    proptest! {
        /// Whatever the sequence of reported statuses, every accepted move
        /// is an edge of the graph, nothing follows a settled document or a
        /// refusal, and the receipts never exceed the total.
        #[test]
        fn random_sequences_respect_the_graph(
            codes in proptest::collection::vec((200i64..=213, 0i64..20_000_00), 0..30)
        ) {
            let mut l = at(None);
            for (code, cents) in codes {
                let s = LifecycleStatus::from_code(code).unwrap();
                let e = StatusEvent { status: s, reason: Some("r".into()), amount: Some(Money::from_cents(cents)), paid_on: Some(time::macros::date!(2026 - 11 - 01)) };
                let before = l;
                match l.transition(&e) {
                    Ok(next) => {
                        prop_assert!(l.allowed().contains(&s));
                        prop_assert!(!matches!(before.status, Some(Refused)));
                        prop_assert!(!before.settled());
                        prop_assert!(next.received <= next.total);
                        l = next;
                    }
                    Err(_) => prop_assert_eq!(l, before),
                }
            }
        }

        /// The shares of a credit note's VAT taken back: their VAT is the
        /// 44571 amount exactly, every share is negative (or zero), each
        /// base carries its rate's VAT within two cents, and the base taken
        /// back is the credit note's in the same proportion, to the cent.
        #[test]
        fn credit_note_shares_add_up_and_follow_the_rates(
            lines in proptest::collection::vec(
                (prop_oneof![Just(0u32), Just(210u32), Just(550u32), Just(1000u32), Just(2000u32)], 1i64..50_000_000),
                1..5,
            ),
            per_mille in 0i64..=1000,
        ) {
            // The credit note's breakdown: one share per rate, VAT rounded
            // once per rate (as `breakdown` builds it).
            let mut per_rate: std::collections::BTreeMap<u32, i64> = Default::default();
            for (bp, base) in lines {
                *per_rate.entry(bp).or_default() += base;
            }
            let b: Vec<RateShare> = per_rate
                .into_iter()
                .map(|(bp, base)| {
                    let base = Money::from_cents(base);
                    RateShare { rate_bp: bp, base, vat: crate::terms::VatRate::from_basis_points(bp).unwrap().vat_on(base) }
                })
                .collect();
            let vat: i64 = b.iter().map(|r| r.vat.cents()).sum();
            let base: i64 = b.iter().map(|r| r.base.cents()).sum();
            let taken = vat * per_mille / 1000;
            let s = split_credit_note(&b, Money::from_cents(taken));
            if taken == 0 || vat == 0 {
                prop_assert!(s.is_empty());
                return Ok(());
            }
            prop_assert_eq!(s.len(), b.len());
            prop_assert_eq!(-s.iter().map(|r| r.vat.cents()).sum::<i64>(), taken);
            let base_taken = -s.iter().map(|r| r.base.cents()).sum::<i64>();
            let exact = base as f64 * taken as f64 / vat as f64;
            prop_assert!((base_taken as f64 - exact).abs() <= 0.5 + 1e-6, "{} vs {}", base_taken, exact);
            for (r, share) in b.iter().zip(&s) {
                prop_assert_eq!(share.rate_bp, r.rate_bp);
                prop_assert!(share.base <= Money::ZERO && share.vat <= Money::ZERO);
                prop_assert!(-share.base <= r.base && -share.vat <= r.vat);
                // base × rate and VAT agree within two cents.
                let gap = share.base.cents() as i128 * share.rate_bp as i128 - share.vat.cents() as i128 * 10_000;
                prop_assert!(gap.abs() < 20_000, "{:?} of {:?}", share, r);
            }
            if taken == vat {
                let negated: Vec<RateShare> = b.iter().map(|r| RateShare { rate_bp: r.rate_bp, base: -r.base, vat: -r.vat }).collect();
                prop_assert_eq!(s, negated);
            }
        }

        #[test]
        fn allocation_is_exact(amount in -1_000_000i64..1_000_000, weights in proptest::collection::vec(0i64..100_000, 1..6)) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let shares = allocate(amount, &weights);
            prop_assert_eq!(shares.iter().sum::<i64>(), amount);
            let total: i64 = weights.iter().sum();
            for (s, w) in shares.iter().zip(&weights) {
                let exact = amount as f64 * *w as f64 / total as f64;
                prop_assert!((*s as f64 - exact).abs() < 1.0);
            }
        }
    }
}

//! Accrued unbilled revenue (FAE, ACCOUNTING.md §2 B and B'): revenue
//! earned but not invoiced at a period's close (an invoice waiting for its
//! client contract's signature, or a draft kept for review) is booked on
//! the OD journal, dated the period's last day: 4181 (TTC, on the client) /
//! 706 (HT, per analytic code) / 44587 (VAT).
//!
//! The accrual stays until its invoice is issued, and is then reversed on
//! the issue date, so 4181 and 44587 net to zero for it. ACCOUNTING.md also
//! describes the other common practice (reverse every accrual on day 1 of
//! the next period, accrue again at the next close); keeping the accrual
//! until the invoice replaces it gives the same balances at every
//! month-end and one reversal linked to one invoice. An accrual whose
//! invoice changed since (a corrected report) is reversed and booked again
//! for the new amount; one whose draft disappears is reversed.

use time::Date;

use super::{FAE, FAE_VAT, Revenue, revenue_lines};
use crate::calendar::YearMonth;
use crate::ids::CompanyId;
use crate::ledger::{Journal, Line, NewEntry};
use crate::money::Money;

/// The amounts of a waiting invoice, as an accrual books them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaeAmounts {
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

/// What a period's close does with a waiting invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaeStep {
    /// Not accrued yet: book it.
    Book,
    /// Its live accrual already says the same: nothing to post.
    Keep,
    /// Its amounts changed since it was accrued: reverse the live accrual
    /// ([`FaeRelease::Corrected`]) and book it again.
    Rebook,
}

/// The step for an invoice whose live accrual booked `live` (none yet:
/// `None`) and whose amounts are now `now`.
pub fn fae_step(live: Option<FaeAmounts>, now: FaeAmounts) -> FaeStep {
    match live {
        None => FaeStep::Book,
        Some(live) if live == now => FaeStep::Keep,
        Some(_) => FaeStep::Rebook,
    }
}

/// What an accrual is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaeInputs<'a> {
    /// The month the invoice bills (named in the label).
    pub billed: YearMonth,
    /// The period being closed: the accrual is dated its last day.
    pub closing: YearMonth,
    pub client: CompanyId,
    pub gross: Money,
    pub vat: Money,
    /// The invoice's revenue per analytic code.
    pub revenue: &'a [Revenue],
}

/// The accrual (B): 4181 / 706 per analytic code / 44587.
pub fn fae_entry(a: &FaeInputs<'_>) -> NewEntry {
    let label = format!("FAE {} — prestations non facturées", a.billed);
    let mut lines = vec![Line::debit(FAE, a.gross, &label).for_customer(a.client)];
    lines.extend(revenue_lines(a.revenue, &label));
    if a.vat != Money::ZERO {
        lines.push(Line::credit(FAE_VAT, a.vat, "TVA sur factures à établir"));
    }
    NewEntry {
        journal: Journal::Od,
        date: a.closing.last_day(),
        label,
        piece_ref: None,
        lines,
    }
}

/// Why a live accrual is reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaeRelease<'a> {
    /// Its invoice was issued, with this number.
    Invoiced(&'a str),
    /// Its invoice's amounts changed (booked again after).
    Corrected,
    /// Its draft lost all its days (a corrected report) and goes.
    DaysRemoved,
}

impl FaeRelease<'_> {
    pub fn label(self) -> String {
        match self {
            FaeRelease::Invoiced(number) => format!("Extourne FAE — facture {number}"),
            FaeRelease::Corrected => "Extourne FAE — montant corrigé".to_owned(),
            FaeRelease::DaysRemoved => "Extourne FAE — jours retirés".to_owned(),
        }
    }
}

/// The reversal (B') of the accrual `accrual` as it was posted, dated
/// `date`: every line on the other side.
pub fn fae_reversal(accrual: &NewEntry, date: Date, why: FaeRelease<'_>) -> NewEntry {
    accrual.reversal(date, &why.label())
}

//! Which accounts move, and by how much, for every event the firm books:
//! the rules of ACCOUNTING.md §2 as pure functions returning the entry
//! ([`NewEntry`]) to post. The store fetches their inputs (the revenue of
//! a document per analytic code, the VAT still waiting in 44574, the
//! regime, the client…) and writes what they return; nothing here reads or
//! writes anything.
//!
//! | Row | Event | Debit / credit | Decided by |
//! |---|---|---|---|
//! | A | invoice, VAT on receipts | 411 / 706 per analytic code · 44574 | [`sales_entry`] ([`SalesDocument::Invoice`]) |
//! | A' | invoice, VAT on debits | 411 / 706 · 44571 | [`sales_entry`] |
//! | — | invoice without VAT (reverse charge, exempt) | 411 / 706 | [`sales_entry`] |
//! | E | credit note, invoice unpaid | 706 · 44574 / 411 | [`sales_entry`] ([`SalesDocument::CreditNote`]) |
//! | E' | credit note after payment | 706 · 44571 (VAT already due) / 411 | [`sales_entry`], split by [`credit_vat_split`] |
//! | F | partial credit note (days) | 706 · 44574 / 411 | [`sales_entry`] |
//! | B | FAE at a period's close (invoice waiting) | 4181 / 706 · 44587 | [`fae_entry`]; when: [`fae_step`] |
//! | B' | FAE reversal (invoice issued, amount corrected, days removed) | 706 · 44587 / 4181 | [`fae_reversal`] ([`FaeRelease`]) |
//! | C, D | payment received, whole or part, excess kept as credit | 512 / 411 per invoice (+ 411 credit left) | [`PaymentPlan::posting`] |
//! | C', D' | VAT on receipts made due by a payment | 44574 / 44571 | [`PaymentPlan::posting`], [`credit_use_entry`] |
//! | — | client credit used on a later invoice (OD) | 411 / 411 (+ 44574 / 44571) | [`credit_use_entry`] |
//! | — | payment cancelled (contre-passation) | the payment's entry mirrored | [`payment_reversal`] |
//! | K | bank line no invoice explains (fees, interest, suspense) | 627 / 512, 512 / 471 or the account chosen | [`bank_line_entry`] |
//!
//! Not booked by the software today: G/G' and H/H' (expenses, débours),
//! I/I' and J/J' (payroll, BM variable), L (discount for early payment),
//! the VAT of a bank fee (K's 445660 line: bank lines post two lines) and
//! 7097 for rebates (a credit note gives back days on 706).
//!
//! The FAE departs from ACCOUNTING.md's FAE rule (reverse every accrual on
//! day 1 of the next period, accrue again at the next close): an accrual
//! stays until its invoice replaces it, reversed on the issue date and
//! linked to it, which gives the same balances at every month-end.

mod fae;
mod sales;
#[cfg(test)]
mod tests;

pub use fae::{FaeAmounts, FaeInputs, FaeRelease, FaeStep, fae_entry, fae_reversal, fae_step};
pub use sales::{SalesDocument, SalesInputs, credit_vat_split, sales_entry};

pub use crate::bank_posting::{LineToPost, entry as bank_line_entry};
pub use crate::payment::{
    PaymentPlan, Posting as PaymentPosting, credit_use_entry, reversal_entry as payment_reversal,
};

use serde::{Deserialize, Serialize};

use crate::ledger::Line;
#[cfg(doc)]
use crate::ledger::NewEntry;
use crate::money::Money;

/// Services (prestations de services, régie days).
pub const REVENUE: &str = "706";
/// Customers.
pub const CUSTOMERS: &str = "411";
/// VAT invoiced on services, waiting for the client's payment.
pub const VAT_PENDING: &str = "44574";
/// VAT collected and due (declared on the CA3).
pub const VAT_DUE: &str = "44571";
/// Accrued unbilled revenue (factures à établir), TTC.
pub const FAE: &str = "4181";
/// The VAT part of an accrual (never declared).
pub const FAE_VAT: &str = "44587";

/// The revenue (HT) of a document's lines under one analytic code (every
/// revenue line carries its mission's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revenue {
    pub analytic: Option<String>,
    pub net: Money,
}

/// The revenue as 706 credit lines, one per analytic code, in the order
/// given: what the sales entry and the accrual both book.
pub fn revenue_lines(revenue: &[Revenue], label: &str) -> Vec<Line> {
    revenue
        .iter()
        .map(|r| {
            let l = Line::credit(REVENUE, r.net, label);
            match &r.analytic {
                Some(code) => l.analytic(code),
                None => l,
            }
        })
        .collect()
}

/// A line of `amount` on `account`, debit or credit.
fn side(account: &str, amount: Money, label: &str, debit: bool) -> Line {
    if debit {
        Line::debit(account, amount, label)
    } else {
        Line::credit(account, amount, label)
    }
}

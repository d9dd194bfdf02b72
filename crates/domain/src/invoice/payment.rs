//! Where a document stands for the person who follows it up, in one word:
//! still a draft, held for a key account's contract, issued and waiting
//! for its payment, partly paid, paid, or late (its due date passed with
//! something still owed).
//!
//! An invoice is settled by the payments allocated to it and by the credit
//! notes that credit it; what is left is its amount due. It is late from
//! the day after its due date (C. com. L441-10: penalties run from the day
//! after the due date), whatever part of it was paid. A credit note is
//! never "paid": once issued it settles its invoice, and stays issued.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{InvoiceKind, InvoiceStatus};
use crate::money::Money;

/// A document's state in the list and on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Draft,
    /// Key-account rule: held until the client contract is signed.
    WaitingSignature,
    /// Issued, nothing settled yet, not late.
    Issued,
    PartlyPaid,
    Paid,
    /// Past its due date with something still owed.
    Overdue,
}

impl PaymentState {
    pub const ALL: [PaymentState; 6] = [
        PaymentState::Draft,
        PaymentState::WaitingSignature,
        PaymentState::Issued,
        PaymentState::PartlyPaid,
        PaymentState::Paid,
        PaymentState::Overdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Draft => "draft",
            PaymentState::WaitingSignature => "waiting_signature",
            PaymentState::Issued => "issued",
            PaymentState::PartlyPaid => "partly_paid",
            PaymentState::Paid => "paid",
            PaymentState::Overdue => "overdue",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentState> {
        PaymentState::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Translation key of its words ("Partiellement payée").
    pub fn label_key(self) -> String {
        format!("payment-state-{}", self.as_str().replace('_', "-"))
    }

    /// Issued: the document counts in what was invoiced.
    pub fn is_issued(self) -> bool {
        !matches!(self, PaymentState::Draft | PaymentState::WaitingSignature)
    }
}

/// What the state is decided from, as the store reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentFigures {
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    /// The document's total (TTC).
    pub gross: Money,
    /// What its allocated payments (not cancelled) and issued credit notes
    /// settle.
    pub settled: Money,
    pub due_date: Option<Date>,
}

/// The state of a document on `today`.
pub fn payment_state(f: &PaymentFigures, today: Date) -> PaymentState {
    match f.status {
        InvoiceStatus::Draft => return PaymentState::Draft,
        InvoiceStatus::WaitingSignature => return PaymentState::WaitingSignature,
        InvoiceStatus::Issued => {}
    }
    if f.kind == InvoiceKind::CreditNote {
        return PaymentState::Issued;
    }
    if f.settled >= f.gross {
        return PaymentState::Paid;
    }
    match f.due_date {
        Some(due) if due < today => PaymentState::Overdue,
        _ if f.settled > Money::ZERO => PaymentState::PartlyPaid,
        _ => PaymentState::Issued,
    }
}

/// What is still owed on an issued invoice (never below zero); none for a
/// draft, an invoice held for a signature or a credit note, which nobody
/// owes yet or at all.
pub fn amount_due(f: &PaymentFigures) -> Option<Money> {
    (f.status == InvoiceStatus::Issued && f.kind == InvoiceKind::Invoice)
        .then(|| (f.gross - f.settled).max(Money::ZERO))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn issued(gross: i64, settled: i64, due: Option<Date>) -> PaymentFigures {
        PaymentFigures {
            kind: InvoiceKind::Invoice,
            status: InvoiceStatus::Issued,
            gross: Money::from_cents(gross),
            settled: Money::from_cents(settled),
            due_date: due,
        }
    }

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn drafts_and_held_invoices_keep_their_status_whatever_the_figures() {
        let mut f = issued(1000, 1000, Some(date!(2026 - 01 - 01)));
        f.status = InvoiceStatus::Draft;
        assert_eq!(payment_state(&f, TODAY), PaymentState::Draft);
        assert_eq!(amount_due(&f), None);
        f.status = InvoiceStatus::WaitingSignature;
        assert_eq!(payment_state(&f, TODAY), PaymentState::WaitingSignature);
        assert_eq!(amount_due(&f), None);
    }

    #[test]
    fn an_issued_invoice_goes_from_issued_to_partly_paid_to_paid() {
        let due = Some(date!(2026 - 12 - 31));
        assert_eq!(
            payment_state(&issued(1000, 0, due), TODAY),
            PaymentState::Issued
        );
        assert_eq!(
            payment_state(&issued(1000, 400, due), TODAY),
            PaymentState::PartlyPaid
        );
        assert_eq!(
            amount_due(&issued(1000, 400, due)),
            Some(Money::from_cents(600))
        );
        assert_eq!(
            payment_state(&issued(1000, 1000, due), TODAY),
            PaymentState::Paid
        );
        assert_eq!(amount_due(&issued(1000, 1000, due)), Some(Money::ZERO));
    }

    #[test]
    fn late_from_the_day_after_the_due_date_even_partly_paid() {
        assert_eq!(
            payment_state(&issued(1000, 0, Some(TODAY)), TODAY),
            PaymentState::Issued
        );
        let yesterday = Some(date!(2026 - 12 - 06));
        assert_eq!(
            payment_state(&issued(1000, 0, yesterday), TODAY),
            PaymentState::Overdue
        );
        assert_eq!(
            payment_state(&issued(1000, 999, yesterday), TODAY),
            PaymentState::Overdue
        );
        // Paid late is paid.
        assert_eq!(
            payment_state(&issued(1000, 1000, yesterday), TODAY),
            PaymentState::Paid
        );
    }

    #[test]
    fn an_invoice_settled_by_a_credit_note_beyond_its_total_is_paid_with_nothing_due() {
        let f = issued(1000, 1200, None);
        assert_eq!(payment_state(&f, TODAY), PaymentState::Paid);
        assert_eq!(amount_due(&f), Some(Money::ZERO));
    }

    #[test]
    fn a_credit_note_is_issued_and_owes_nothing() {
        let mut f = issued(500, 0, Some(date!(2026 - 01 - 01)));
        f.kind = InvoiceKind::CreditNote;
        assert_eq!(payment_state(&f, TODAY), PaymentState::Issued);
        assert_eq!(amount_due(&f), None);
    }

    #[test]
    fn states_read_back_from_their_codes() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentState::parse("settled"), None);
        assert!(PaymentState::Overdue.is_issued());
        assert!(!PaymentState::WaitingSignature.is_issued());
    }
}

//! Payments received from clients: how one is checked against the invoices
//! it settles, and the bank entry it posts (ACCOUNTING.md §2, C/C'/D/D').
//!
//! A payment goes to the bank account against the customer's account 411,
//! with one 411 line per invoice it settles (so lettering can pair each
//! with its invoice) and one for what is left over, kept as the client's
//! credit. For invoices under VAT on receipts, the VAT of the part collected
//! becomes due: 44574 → 44571, in the same entry.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::CompanyId;
use crate::ledger::{Journal, Line, NewEntry};
use crate::money::Money;
use crate::validation::{ErrorKey, ValidationErrors, text};

/// How the money came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Transfer,
    Cheque,
    Card,
    DirectDebit,
    Cash,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::Transfer,
        PaymentMethod::Cheque,
        PaymentMethod::Card,
        PaymentMethod::DirectDebit,
        PaymentMethod::Cash,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Card => "card",
            PaymentMethod::DirectDebit => "direct_debit",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("payment-method-{}", self.as_str().replace('_', "-"))
    }
}

/// Whether a payment received on `received_on` may be cancelled on `on`
/// (seen from `today`), for `reason`: a reason said in words (it goes
/// into the entry's label and the audit log), a date neither before the
/// receipt nor after today, within the ledger's open years. Every fault at
/// once, on its field.
pub fn check_reversal(
    received_on: Date,
    on: Date,
    today: Date,
    reason: &str,
) -> Result<String, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let reason = e.required("reason", reason, |r| text(r, 500));
    if on < received_on {
        e.add_with(
            "date",
            "payment-reversal-before-receipt",
            crate::args![("date", received_on)],
        );
    } else if on > today {
        e.add("date", "payment-date-future");
    } else if let Err(w) = crate::ledger::check_open_years(on, today) {
        e.add_with("date", w.key(), w.args());
    }
    e.into_result(|| reason.unwrap_or_default())
}

/// The entry cancelling a payment (contre-passation) on `on`: its bank
/// entry `payment` with every line on the other side, labelled with the
/// client and the reason (cut to 200 characters).
pub fn reversal_entry(payment: &NewEntry, on: Date, client_name: &str, reason: &str) -> NewEntry {
    let label = format!("Annulation règlement {client_name} — {reason}");
    payment.reversal(on, &label.chars().take(200).collect::<String>())
}

/// The longest payment reference (a SEPA end-to-end id is 35, a
/// remittance text 140; the FEC's piece reference takes it whole).
pub const REFERENCE_MAX: usize = 140;

/// An invoice as a payment sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub number: String,
    /// What is still owed on it.
    pub outstanding: Money,
    /// The VAT that the part allocated makes due (VAT on receipts), worked
    /// out by the caller from the invoice's breakdown; zero otherwise.
    pub vat_due: Money,
}

/// A payment about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    pub client: CompanyId,
    pub client_name: String,
    pub bank_account: String,
    pub received_on: Date,
    pub amount: Money,
    pub reference: Option<String>,
    /// Each invoice settled and the amount allocated to it.
    pub allocations: Vec<(Settled, Money)>,
    /// What the client's open invoices add up to (all of them, not only the
    /// ones allocated): a payment above it is refused unless the user said
    /// to keep the excess as the client's credit.
    pub open_total: Money,
    pub keep_excess: bool,
}

/// Where each part of a payment went in its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub entry: NewEntry,
    /// Position (1-based) of each allocation's 411 line, in allocation order.
    pub allocation_positions: Vec<i32>,
    /// Position of the 411 line of the credit left, if any.
    pub credit_position: Option<i32>,
    pub unallocated: Money,
    pub vat_due: Money,
}

impl PaymentPlan {
    pub fn allocated(&self) -> Money {
        self.allocations
            .iter()
            .fold(Money::ZERO, |sum, (_, a)| sum + *a)
    }

    /// Every rule a payment must meet, all reported at once.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.amount <= Money::ZERO {
            e.add("amount", "payment-amount-not-positive");
        }
        // The reference becomes the entry's piece reference in the FEC.
        if let Some(Err(t)) = self.reference.as_deref().map(|r| text(r, REFERENCE_MAX)) {
            e.add_with("reference", t.key(), t.args());
        }
        if self.amount > self.open_total && !self.keep_excess {
            e.add_with(
                "amount",
                "payment-above-open-items",
                crate::args![("open", self.open_total)],
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (inv, a) in &self.allocations {
            if seen.contains(&inv.number.as_str()) {
                e.add_with(
                    "allocations",
                    "payment-invoice-twice",
                    crate::args![("number", &inv.number)],
                );
            }
            seen.push(&inv.number);
            if *a <= Money::ZERO {
                e.add_with(
                    "allocations",
                    "payment-allocation-not-positive",
                    crate::args![("number", &inv.number)],
                );
            } else if *a > inv.outstanding {
                e.add_with(
                    "allocations",
                    "payment-allocation-above-outstanding",
                    crate::args![("number", &inv.number), ("outstanding", inv.outstanding)],
                );
            }
        }
        if self.amount > Money::ZERO && self.allocated() > self.amount {
            e.add("allocations", "payment-over-allocated");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// The bank entry (journal BQ): bank debit; one 411 credit per invoice,
    /// one for the credit left; 44574 → 44571 for the VAT made due.
    pub fn posting(&self) -> Result<Posting, ValidationErrors> {
        self.validate()?;
        let reference = self.reference.as_deref().map(str::trim);
        let label = match reference {
            Some(r) => format!("Règlement {} — {r}", self.client_name),
            None => format!("Règlement {}", self.client_name),
        };
        let mut lines = vec![Line::debit(&self.bank_account, self.amount, &label)];
        let mut allocation_positions = Vec::new();
        let mut vat_due = Money::ZERO;
        for (inv, a) in &self.allocations {
            lines.push(
                Line::credit("411", *a, &format!("Règlement {}", inv.number))
                    .for_customer(self.client),
            );
            allocation_positions.push(lines.len() as i32);
            vat_due += inv.vat_due;
        }
        let unallocated = self.amount - self.allocated();
        let credit_position = (unallocated > Money::ZERO).then(|| {
            lines.push(
                Line::credit("411", unallocated, "Avoir client — règlement non affecté")
                    .for_customer(self.client),
            );
            lines.len() as i32
        });
        if vat_due > Money::ZERO {
            lines.push(Line::debit(
                "44574",
                vat_due,
                "TVA exigible sur encaissement",
            ));
            lines.push(Line::credit(
                "44571",
                vat_due,
                "TVA exigible sur encaissement",
            ));
        }
        let entry = NewEntry {
            journal: Journal::Bq,
            date: self.received_on,
            label: label.chars().take(200).collect(),
            piece_ref: reference.map(str::to_owned),
            lines,
        };
        entry.validate()?;
        Ok(Posting {
            entry,
            allocation_positions,
            credit_position,
            unallocated,
            vat_due,
        })
    }
}

/// A client's credit (an earlier excess) used to settle an invoice later:
/// an OD entry that takes the amount off the credit and puts it on the
/// invoice, both on 411, plus the VAT made due. Positions: (credit used,
/// invoice settled).
pub fn credit_use_entry(
    client: CompanyId,
    on: Date,
    invoice: &Settled,
    amount: Money,
    available: Money,
) -> Result<(NewEntry, i32, i32), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if amount <= Money::ZERO {
        e.add("amount", "payment-amount-not-positive");
    } else {
        if amount > available {
            e.add_with(
                "amount",
                "payment-credit-above-available",
                crate::args![("available", available)],
            );
        }
        if amount > invoice.outstanding {
            e.add_with(
                "amount",
                "payment-allocation-above-outstanding",
                crate::args![
                    ("number", &invoice.number),
                    ("outstanding", invoice.outstanding),
                ],
            );
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    let mut lines = vec![
        Line::debit("411", amount, "Avoir client utilisé").for_customer(client),
        Line::credit("411", amount, &format!("Règlement {}", invoice.number)).for_customer(client),
    ];
    if invoice.vat_due > Money::ZERO {
        lines.push(Line::debit(
            "44574",
            invoice.vat_due,
            "TVA exigible sur encaissement",
        ));
        lines.push(Line::credit(
            "44571",
            invoice.vat_due,
            "TVA exigible sur encaissement",
        ));
    }
    let entry = NewEntry {
        journal: Journal::Od,
        date: on,
        label: format!("Imputation d'avoir client sur {}", invoice.number),
        piece_ref: Some(invoice.number.clone()),
        lines,
    };
    entry.validate()?;
    Ok((entry, 1, 2))
}

// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn m(c: i64) -> Money {
        Money::from_cents(c)
    }

    fn inv(number: &str, outstanding: i64, vat: i64) -> Settled {
        Settled {
            number: number.into(),
            outstanding: m(outstanding),
            vat_due: m(vat),
        }
    }

    #[test]
    fn a_cancellation_needs_a_reason_and_a_date_between_receipt_and_today() {
        use time::macros::date;
        let (received, today) = (date!(2026 - 11 - 20), date!(2026 - 12 - 06));
        assert_eq!(
            check_reversal(received, today, today, "  Mauvais client  "),
            Ok("Mauvais client".to_owned())
        );
        let keys = |r: Result<String, ValidationErrors>| {
            r.unwrap_err()
                .0
                .iter()
                .map(|f| (f.field, f.key))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(check_reversal(received, date!(2026 - 11 - 19), today, "")),
            [
                ("reason", "field-required"),
                ("date", "payment-reversal-before-receipt")
            ]
        );
        assert_eq!(
            keys(check_reversal(received, date!(2026 - 12 - 07), today, "x")),
            [("date", "payment-date-future")]
        );
        assert_eq!(
            keys(check_reversal(
                date!(2024 - 01 - 01),
                date!(2024 - 06 - 01),
                today,
                "x"
            )),
            [("date", "ledger-date-outside-open-years")]
        );
        assert_eq!(
            keys(check_reversal(received, today, today, "a\u{0}b")),
            [("reason", "field-control-characters")]
        );
    }

    fn plan(amount: i64, allocations: Vec<(Settled, Money)>, open: i64) -> PaymentPlan {
        PaymentPlan {
            client: CompanyId::new(),
            client_name: "Clientis".into(),
            bank_account: "512".into(),
            received_on: date!(2026 - 11 - 20),
            amount: m(amount),
            reference: Some("VIR CLIENTIS FA-2026-0001".into()),
            allocations,
            open_total: m(open),
            keep_excess: false,
        }
    }

    fn keys(e: &ValidationErrors) -> Vec<&'static str> {
        e.0.iter().map(|f| f.key).collect()
    }

    #[test]
    fn full_payment_posts_c_and_c_prime() {
        // ACCOUNTING.md §2 C and C': 512 14 400 / 411 14 400; 44574 2 400 / 44571 2 400.
        let p = plan(
            14_400_00,
            vec![(inv("FA-2026-0001", 14_400_00, 2_400_00), m(14_400_00))],
            14_400_00,
        );
        let post = p.posting().unwrap();
        let l = &post.entry.lines;
        assert_eq!(post.entry.journal, Journal::Bq);
        assert_eq!((l[0].account.as_str(), l[0].debit), ("512", m(14_400_00)));
        assert_eq!((l[1].account.as_str(), l[1].credit), ("411", m(14_400_00)));
        assert_eq!(l[1].label, "Règlement FA-2026-0001");
        assert_eq!(l[1].third_party, Some(p.client));
        assert_eq!((l[2].account.as_str(), l[2].debit), ("44574", m(2_400_00)));
        assert_eq!((l[3].account.as_str(), l[3].credit), ("44571", m(2_400_00)));
        assert_eq!(post.allocation_positions, vec![2]);
        assert_eq!(post.credit_position, None);
        assert_eq!(post.unallocated, Money::ZERO);
        assert_eq!(
            post.entry.piece_ref.as_deref(),
            Some("VIR CLIENTIS FA-2026-0001")
        );
    }

    #[test]
    fn partial_payment_is_d_and_d_prime() {
        let p = plan(
            7_200_00,
            vec![(inv("FA-2026-0001", 14_400_00, 1_200_00), m(7_200_00))],
            14_400_00,
        );
        let post = p.posting().unwrap();
        assert_eq!(post.vat_due, m(1_200_00));
        assert_eq!(post.entry.totals(), (m(8_400_00), m(8_400_00)));
    }

    #[test]
    fn excess_is_kept_as_credit_only_when_asked() {
        let mut p = plan(
            15_000_00,
            vec![(inv("FA-1", 14_400_00, 2_400_00), m(14_400_00))],
            14_400_00,
        );
        assert_eq!(
            keys(&p.validate().unwrap_err()),
            vec!["payment-above-open-items"]
        );
        p.keep_excess = true;
        let post = p.posting().unwrap();
        assert_eq!(post.unallocated, m(600_00));
        assert_eq!(post.credit_position, Some(3));
        assert_eq!(post.entry.lines[2].credit, m(600_00));
        assert_eq!(post.entry.lines[2].third_party, Some(p.client));
    }

    #[test]
    fn a_payment_below_the_open_items_may_stay_unallocated() {
        // Money in before the user knows what it pays: on 411 as credit.
        let p = plan(1_000_00, vec![], 14_400_00);
        let post = p.posting().unwrap();
        assert_eq!(post.unallocated, m(1_000_00));
        assert_eq!(post.entry.lines.len(), 2);
    }

    #[test]
    fn refusals() {
        let p = plan(
            1_000_00,
            vec![
                (inv("FA-1", 500_00, 0), m(600_00)),
                (inv("FA-1", 500_00, 0), m(100_00)),
                (inv("FA-2", 500_00, 0), m(0)),
                (inv("FA-3", 900_00, 0), m(900_00)),
            ],
            5_000_00,
        );
        assert_eq!(
            keys(&p.validate().unwrap_err()),
            vec![
                "payment-allocation-above-outstanding",
                "payment-invoice-twice",
                "payment-allocation-not-positive",
                "payment-over-allocated",
            ]
        );
        assert_eq!(
            keys(&plan(0, vec![], 0).validate().unwrap_err()),
            vec!["payment-amount-not-positive"]
        );
    }

    #[test]
    fn a_cancelled_invoice_cannot_be_paid() {
        // Fully credited: nothing outstanding, so any allocation is above it.
        let p = plan(100_00, vec![(inv("FA-9", 0, 0), m(100_00))], 100_00);
        assert_eq!(
            keys(&p.validate().unwrap_err()),
            vec!["payment-allocation-above-outstanding"]
        );
    }

    #[test]
    fn credit_used_later() {
        let c = CompanyId::new();
        let (e, used, settled) = credit_use_entry(
            c,
            date!(2026 - 12 - 01),
            &inv("FA-2", 1_200_00, 100_00),
            m(600_00),
            m(600_00),
        )
        .unwrap();
        assert_eq!(e.journal, Journal::Od);
        assert_eq!((used, settled), (1, 2));
        assert_eq!(e.lines[0].debit, m(600_00));
        assert_eq!(e.lines[1].credit, m(600_00));
        assert_eq!(e.totals(), (m(700_00), m(700_00)));
        let refused = credit_use_entry(
            c,
            date!(2026 - 12 - 01),
            &inv("FA-2", 100_00, 0),
            m(600_00),
            m(500_00),
        )
        .unwrap_err();
        assert_eq!(
            keys(&refused),
            vec![
                "payment-credit-above-available",
                "payment-allocation-above-outstanding"
            ]
        );
    }

    #[test]
    fn methods_round_trip() {
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(PaymentMethod::parse("bitcoin"), None);
    }

    proptest! {
        /// Whatever the allocations, an accepted payment's entry balances,
        /// its 411 credits add up to the amount, and the credit left is
        /// the amount minus what was allocated.
        #[test]
        fn accepted_payments_balance(
            parts in proptest::collection::vec((1i64..5_000_000, 0i64..1_000_000, 0i64..100), 0..6),
            extra in 0i64..1_000_000,
        ) {
            let allocations: Vec<(Settled, Money)> = parts
                .iter()
                .enumerate()
                .map(|(i, (amount, slack, vat_pct))| {
                    (
                        inv(&format!("FA-{i}"), amount + slack, amount * vat_pct / 600),
                        m(*amount),
                    )
                })
                .collect();
            let allocated: i64 = parts.iter().map(|p| p.0).sum();
            let amount = allocated + extra;
            prop_assume!(amount > 0);
            let mut p = plan(amount, allocations, allocated + parts.iter().map(|p| p.1).sum::<i64>());
            p.keep_excess = true;
            let post = p.posting().unwrap();
            let (dr, cr) = post.entry.totals();
            prop_assert_eq!(dr, cr);
            let on_411: i64 = post
                .entry
                .lines
                .iter()
                .filter(|l| l.account.as_str() == "411")
                .map(|l| l.credit.cents())
                .sum();
            prop_assert_eq!(on_411, amount);
            prop_assert_eq!(post.unallocated, m(extra));
            for (pos, (_, a)) in post.allocation_positions.iter().zip(&p.allocations) {
                prop_assert_eq!(post.entry.lines[(*pos - 1) as usize].credit, *a);
            }
        }
    }
}

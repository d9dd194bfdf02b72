//! Posting a bank statement line that no invoice explains: bank fees, a
//! card payment, interest, a transfer between the firm's accounts, an
//! unexplained receipt kept in a suspense account. The accountant picks
//! the counterpart account; the line is posted to the bank journal on the
//! day the bank booked it, money out as a debit of that account and a
//! credit of the bank's, money in the other way round.
//!
//! Customers' receipts go through matching instead (they settle invoices
//! and carry the VAT made due): the customers' account is refused here,
//! and so is the bank's own account, which would post an entry to itself.

use time::Date;

use crate::ledger::{AccountNumber, Journal, Line, NewEntry};
use crate::money::Money;
use crate::validation::{ValidationErrors, single_line};

/// The account offered for money going out (services bancaires).
pub const DEFAULT_DEBIT_ACCOUNT: &str = "627";
/// The account offered for money coming in that nothing explains yet
/// (compte d'attente): cleared once its cause is known.
pub const DEFAULT_CREDIT_ACCOUNT: &str = "471";

/// The counterpart offered for a line of `amount` (signed, money in > 0).
pub fn default_account(amount: Money) -> &'static str {
    if amount < Money::ZERO {
        DEFAULT_DEBIT_ACCOUNT
    } else {
        DEFAULT_CREDIT_ACCOUNT
    }
}

/// A statement line to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineToPost<'a> {
    pub booking_date: Date,
    /// Signed: money in is positive.
    pub amount: Money,
    /// The bank's label, as it came in the file.
    pub label: &'a str,
    pub bank_reference: Option<&'a str>,
    /// The bank account's ledger account (512 or a sub-account).
    pub bank_account: &'a str,
}

/// The entry posting `line` against `account`, or why not (on `account`).
pub fn entry(line: &LineToPost<'_>, account: &str) -> Result<NewEntry, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let counterpart = match AccountNumber::parse(account) {
        Err(_) => {
            e.add("account", "bank-posting-account-invalid");
            None
        }
        Ok(a) if a.as_str().starts_with("411") => {
            e.add("account", "bank-posting-customers");
            None
        }
        Ok(a) if a.as_str() == line.bank_account => {
            e.add("account", "bank-posting-same-account");
            None
        }
        Ok(a) => Some(a),
    };
    if line.amount == Money::ZERO {
        e.add("line", "bank-posting-zero");
    }
    let Some(counterpart) = counterpart.filter(|_| e.is_empty()) else {
        return Err(e);
    };
    let text = single_line(line.label);
    let label = if text.is_empty() {
        "Opération bancaire".to_owned()
    } else {
        text.chars().take(200).collect()
    };
    let amount = line.amount.abs();
    let (debit, credit) = if line.amount < Money::ZERO {
        (counterpart.as_str(), line.bank_account)
    } else {
        (line.bank_account, counterpart.as_str())
    };
    let piece_ref = line
        .bank_reference
        .map(single_line)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().take(100).collect());
    let entry = NewEntry {
        journal: Journal::Bq,
        date: line.booking_date,
        label: label.clone(),
        piece_ref,
        lines: vec![
            Line::debit(debit, amount, &label),
            Line::credit(credit, amount, &label),
        ],
    };
    entry.validate()?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn line(cents: i64) -> LineToPost<'static> {
        LineToPost {
            booking_date: date!(2026 - 11 - 30),
            amount: Money::from_cents(cents),
            label: "FRAIS TENUE\nDE COMPTE",
            bank_reference: Some("REF 123"),
            bank_account: "512",
        }
    }

    #[test]
    fn fees_debit_627_and_receipts_credit_the_chosen_account() {
        let fees = entry(&line(-12_00), default_account(Money::from_cents(-12_00))).unwrap();
        assert_eq!(fees.journal, Journal::Bq);
        assert_eq!(fees.label, "FRAIS TENUE DE COMPTE");
        assert_eq!(fees.piece_ref.as_deref(), Some("REF 123"));
        assert_eq!(fees.lines[0].account.as_str(), "627");
        assert_eq!(fees.lines[0].debit, Money::from_cents(12_00));
        assert_eq!(fees.lines[1].account.as_str(), "512");
        assert_eq!(fees.lines[1].credit, Money::from_cents(12_00));
        let interest = entry(&line(3_50), "768").unwrap();
        assert_eq!(interest.lines[0].account.as_str(), "512");
        assert_eq!(interest.lines[0].debit, Money::from_cents(3_50));
        assert_eq!(interest.lines[1].account.as_str(), "768");
        assert_eq!(default_account(Money::from_cents(1)), "471");
    }

    #[test]
    fn customers_the_bank_itself_and_nonsense_are_refused_on_the_account() {
        for (account, key) in [
            ("411", "bank-posting-customers"),
            ("4110001", "bank-posting-customers"),
            ("512", "bank-posting-same-account"),
            ("62x", "bank-posting-account-invalid"),
            ("", "bank-posting-account-invalid"),
        ] {
            let e = entry(&line(-12_00), account).unwrap_err();
            assert_eq!((e.0[0].field, e.0[0].key), ("account", key), "{account}");
        }
        let blank = LineToPost {
            label: "\u{1}\n",
            bank_reference: Some("\t"),
            ..line(-1_00)
        };
        let e = entry(&blank, "627").unwrap();
        assert_eq!(
            (e.label.as_str(), e.piece_ref),
            ("Opération bancaire", None)
        );
    }
}

//! The brouillard: entries recorded provisionally and numbered when
//! validated, the way accountants keep a journal whose documents do not
//! arrive in date order.
//!
//! The FEC wants each journal of a fiscal year numbered without gaps and in
//! date order (LPF A47 A-1). Sales and miscellaneous entries are dated by
//! the software as they happen, so they are numbered when posted. Bank
//! entries are not: yesterday's statement is imported after today's cheque,
//! a transfer is entered when its notice arrives. A bank entry is therefore
//! recorded *provisional* (en brouillard): it counts at once in balances,
//! the customer ledger, lettering and reports, but has no journal number
//! and no seal. Validating the journal up to a date (by finance, or when a
//! month is closed) gives the provisional entries dated up to then their
//! numbers, in date order and then in the order they were recorded, and
//! seals them; from then on they are as irreversible as any other entry,
//! and the journal accepts no new entry dated before the last validated
//! one.
//!
//! In storage, a provisional entry's number is its place in the brouillard
//! negated (-1, -2, …): journal numbers stay unique, and every positive
//! number is a validated one. [`Seq`] is the only reading of that sign.

use time::Date;

use crate::ledger::Journal;
use crate::validation::ErrorKey;

/// Journals whose entries wait in the brouillard until validated.
pub fn numbered_at_validation(journal: Journal) -> bool {
    journal == Journal::Bq
}

/// The series giving a journal's brouillard places (kept beside the
/// journal's own series, per fiscal year).
pub fn places_series(journal: Journal) -> String {
    format!("{}~brouillard", journal.code())
}

/// An entry's number as stored: validated (its number in the journal) or
/// provisional (its place in the brouillard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seq {
    Validated(i64),
    Provisional(i64),
}

impl Seq {
    pub fn from_stored(n: i64) -> Seq {
        if n < 0 {
            Seq::Provisional(-n)
        } else {
            Seq::Validated(n)
        }
    }

    pub fn stored(self) -> i64 {
        match self {
            Seq::Validated(n) => n,
            Seq::Provisional(p) => -p,
        }
    }

    pub fn is_provisional(self) -> bool {
        matches!(self, Seq::Provisional(_))
    }
}

/// A provisional entry waiting for its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: String,
    pub date: Date,
    /// Its place in the brouillard: the order it was recorded in.
    pub place: i64,
}

/// The numbers validation gives: entries of one journal and fiscal year, in
/// date order and, on one date, in the order they were recorded, numbered
/// from `last + 1` on without a gap.
pub fn numbering(mut pending: Vec<Pending>, last: i64) -> Vec<(Pending, i64)> {
    pending.sort_by_key(|p| (p.date, p.place));
    pending.into_iter().zip(last + 1..).collect()
}

/// A date the journal cannot take any more: it is before the last
/// validated entry, and numbers follow dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeforeValidated {
    pub journal: Journal,
    pub validated_through: Date,
}

impl ErrorKey for BeforeValidated {
    fn key(&self) -> &'static str {
        "ledger-date-before-validated"
    }
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        crate::args![
            ("journal", self.journal.code()),
            ("date", self.validated_through),
        ]
    }
}

/// Whether a journal still takes an entry dated `date`, its last validated
/// entry (of the fiscal year) being dated `validated_through`.
pub fn check_date(
    journal: Journal,
    date: Date,
    validated_through: Option<Date>,
) -> Result<(), BeforeValidated> {
    match validated_through {
        Some(v) if date < v => Err(BeforeValidated {
            journal,
            validated_through: v,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn p(id: &str, date: Date, place: i64) -> Pending {
        Pending {
            id: id.into(),
            date,
            place,
        }
    }

    #[test]
    fn only_the_bank_journal_waits() {
        assert!(numbered_at_validation(Journal::Bq));
        for j in [Journal::Ve, Journal::Od, Journal::Ac] {
            assert!(!numbered_at_validation(j));
        }
        assert_eq!(places_series(Journal::Bq), "BQ~brouillard");
    }

    #[test]
    fn the_sign_tells_provisional_from_validated() {
        assert_eq!(Seq::from_stored(-7), Seq::Provisional(7));
        assert_eq!(Seq::from_stored(12), Seq::Validated(12));
        assert_eq!(Seq::Provisional(7).stored(), -7);
        assert!(Seq::Provisional(1).is_provisional());
        assert!(!Seq::Validated(1).is_provisional());
    }

    #[test]
    fn a_statement_imported_late_is_numbered_before_a_later_cheque() {
        // Recorded: today's cheque (place 1), then yesterday's statement
        // (places 2 and 3).
        let got = numbering(
            vec![
                p("cheque", date!(2026 - 11 - 20), 1),
                p("vir-a", date!(2026 - 11 - 19), 2),
                p("vir-b", date!(2026 - 11 - 19), 3),
            ],
            41,
        );
        let ids: Vec<(&str, i64)> = got.iter().map(|(e, n)| (e.id.as_str(), *n)).collect();
        assert_eq!(ids, [("vir-a", 42), ("vir-b", 43), ("cheque", 44)]);
    }

    #[test]
    fn a_date_before_the_validated_ones_is_refused_and_named() {
        let v = date!(2026 - 10 - 31);
        assert_eq!(
            check_date(Journal::Bq, date!(2026 - 10 - 31), Some(v)),
            Ok(())
        );
        assert_eq!(check_date(Journal::Bq, date!(2026 - 10 - 1), None), Ok(()));
        let e = check_date(Journal::Bq, date!(2026 - 10 - 30), Some(v)).unwrap_err();
        assert_eq!(e.key(), "ledger-date-before-validated");
        assert_eq!(
            e.args()[1],
            ("date", time::macros::date!(2026 - 10 - 31).into())
        );
    }

    proptest! {
        /// Whatever order entries were recorded in: numbers run on from the
        /// last one without a gap, dates never go back along them, and one
        /// day's entries keep the order they were recorded in.
        #[test]
        fn numbers_follow_dates(
            days in proptest::collection::vec(0u8..40, 0..60),
            last in 0i64..1_000,
        ) {
            let start = date!(2026 - 11 - 1);
            let pending: Vec<Pending> = days
                .iter()
                .enumerate()
                .map(|(i, d)| p(&format!("e{i}"), start + time::Duration::days(*d as i64), i as i64 + 1))
                .collect();
            let got = numbering(pending.clone(), last);
            prop_assert_eq!(got.len(), pending.len());
            for (i, (_, n)) in got.iter().enumerate() {
                prop_assert_eq!(*n, last + 1 + i as i64);
            }
            for w in got.windows(2) {
                let (a, b) = (&w[0].0, &w[1].0);
                prop_assert!(a.date < b.date || (a.date == b.date && a.place < b.place));
            }
            let mut ids: Vec<&str> = got.iter().map(|(e, _)| e.id.as_str()).collect();
            ids.sort_unstable();
            let mut want: Vec<&str> = pending.iter().map(|e| e.id.as_str()).collect();
            want.sort_unstable();
            prop_assert_eq!(ids, want);
        }
    }
}

//! Inalterability of the posted ledger (LPF A47 A-1, BOI-CF-IOR-60-40-20):
//! every posted entry carries the SHA-256 of its essential fields and of the
//! hash of the entry before it in the same journal and year, so changing,
//! removing or inserting an entry breaks the chain from that point on.
//!
//! # Canonical serialisation (version 1)
//!
//! The hashed bytes are, in this order:
//!
//! 1. the tag `regisseur-ledger-seal-v1`,
//! 2. the previous entry's hash (64 lowercase hex digits; [`GENESIS`], 64
//!    zeros, for number 1 of a journal and year),
//! 3. the entry: journal code, year, number, date (`YYYY-MM-DD`), label,
//!    piece reference,
//! 4. the number of lines, then each line in position order: account, third
//!    party (company id), debit cents, credit cents, label, analytic code.
//!
//! Every item is written as its length in bytes (decimal), `:`, its UTF-8
//! bytes, `;` — so no content can be mistaken for a separator — and an
//! absent optional value (no piece reference, no third party, no analytic
//! code) as `~;`, distinct from an empty text (`0:;`). Integers are written
//! in decimal the same way. The hash is the lowercase hex SHA-256 of those
//! bytes.
//!
//! An unkeyed chain proves that nothing changed *unless someone recomputed
//! every later hash*: it detects edits made with SQL, not a forger rewriting
//! the whole tail. Periodic copies of the last hash of each chain (in the
//! FEC, a backup, a printed report) bound what such a forger could rewrite.

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

/// The `previous_hash` of the first entry of a journal and year.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const TAG: &str = "regisseur-ledger-seal-v1";

/// One line as it is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealLine {
    pub account: String,
    pub third_party: Option<String>,
    pub debit_cents: i64,
    pub credit_cents: i64,
    pub label: String,
    pub analytic: Option<String>,
}

/// The essential fields of a posted entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealEntry {
    pub journal: String,
    pub year: i32,
    pub number: i64,
    pub date: Date,
    pub label: String,
    pub piece_ref: Option<String>,
    /// In position order.
    pub lines: Vec<SealLine>,
}

fn item(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(s.as_bytes());
    out.push(b';');
}

fn optional(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => item(out, s),
        None => out.extend_from_slice(b"~;"),
    }
}

impl SealEntry {
    /// The bytes that are hashed, chained to `previous` (see the module
    /// documentation).
    pub fn canonical_bytes(&self, previous: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + 96 * self.lines.len());
        item(&mut out, TAG);
        item(&mut out, previous);
        item(&mut out, &self.journal);
        item(&mut out, &self.year.to_string());
        item(&mut out, &self.number.to_string());
        item(&mut out, &self.date.to_string());
        item(&mut out, &self.label);
        optional(&mut out, self.piece_ref.as_deref());
        item(&mut out, &self.lines.len().to_string());
        for l in &self.lines {
            item(&mut out, &l.account);
            optional(&mut out, l.third_party.as_deref());
            item(&mut out, &l.debit_cents.to_string());
            item(&mut out, &l.credit_cents.to_string());
            item(&mut out, &l.label);
            optional(&mut out, l.analytic.as_deref());
        }
        out
    }

    /// The entry's seal: lowercase hex SHA-256 of its canonical bytes.
    pub fn hash(&self, previous: &str) -> String {
        hex(&Sha256::digest(self.canonical_bytes(previous)))
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Why a chain is broken at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakReason {
    /// A number is missing: an entry was removed (expected/found: numbers).
    Gap,
    /// The entry has no seal.
    Unsealed,
    /// Its `previous_hash` is not the hash of the entry before it: an entry
    /// was inserted or replaced before it.
    Link,
    /// Its content does not give its hash: a field or a line was changed,
    /// or the hash itself was edited.
    Content,
    /// The journal's sequence counts more entries than there are: the last
    /// ones were removed (expected/found: last numbers).
    Truncated,
    /// An entry lies beyond the journal's sequence: it was added by hand.
    BeyondSequence,
}

impl BreakReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakReason::Gap => "gap",
            BreakReason::Unsealed => "unsealed",
            BreakReason::Link => "link",
            BreakReason::Content => "content",
            BreakReason::Truncated => "truncated",
            BreakReason::BeyondSequence => "beyond_sequence",
        }
    }

    /// The translation key of the reason (`ledger-seal-<reason>`).
    pub fn label_key(self) -> String {
        format!("ledger-seal-{}", self.as_str().replace('_', "-"))
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            BreakReason::Gap => "écriture manquante (numéro sauté)",
            BreakReason::Unsealed => "écriture non scellée",
            BreakReason::Link => "chaînage rompu (écriture insérée ou remplacée avant celle-ci)",
            BreakReason::Content => "contenu modifié (le hachage ne correspond plus)",
            BreakReason::Truncated => "dernières écritures supprimées",
            BreakReason::BeyondSequence => "écriture ajoutée hors séquence",
        }
    }
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The entry number where the chain breaks.
    pub number: i64,
    pub expected: String,
    pub found: String,
    pub reason: BreakReason,
}

/// Walks one journal-year chain, entry by entry in number order, and stops
/// at the first broken link.
#[derive(Debug, Clone)]
pub struct Chain {
    next_number: i64,
    previous: String,
    /// The sequence's last number (what `ledger_sequences` says was taken).
    sequence_last: i64,
}

impl Chain {
    pub fn new(sequence_last: i64) -> Chain {
        Chain {
            next_number: 1,
            previous: GENESIS.to_owned(),
            sequence_last,
        }
    }

    /// The hash of the last entry accepted so far.
    pub fn last_hash(&self) -> &str {
        &self.previous
    }

    /// Checks the next stored entry: its number, its link, its content.
    pub fn feed(
        &mut self,
        entry: &SealEntry,
        stored_hash: Option<&str>,
        stored_previous: Option<&str>,
    ) -> Result<(), Broken> {
        let broken = |expected: &str, found: &str, reason| Broken {
            number: entry.number,
            expected: expected.to_owned(),
            found: found.to_owned(),
            reason,
        };
        if entry.number > self.sequence_last {
            return Err(broken(
                &self.sequence_last.to_string(),
                &entry.number.to_string(),
                BreakReason::BeyondSequence,
            ));
        }
        if entry.number != self.next_number {
            return Err(Broken {
                number: self.next_number,
                expected: self.next_number.to_string(),
                found: entry.number.to_string(),
                reason: BreakReason::Gap,
            });
        }
        let (Some(hash), Some(previous)) = (stored_hash, stored_previous) else {
            return Err(broken("", "", BreakReason::Unsealed));
        };
        if previous != self.previous {
            return Err(broken(&self.previous, previous, BreakReason::Link));
        }
        let computed = entry.hash(&self.previous);
        if computed != hash {
            return Err(broken(&computed, hash, BreakReason::Content));
        }
        self.previous = computed;
        self.next_number += 1;
        Ok(())
    }

    /// After the last entry: every number the sequence gave out was seen.
    pub fn finish(&self) -> Result<(), Broken> {
        let last = self.next_number - 1;
        if last < self.sequence_last {
            return Err(Broken {
                number: last + 1,
                expected: self.sequence_last.to_string(),
                found: last.to_string(),
                reason: BreakReason::Truncated,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn entry(number: i64) -> SealEntry {
        SealEntry {
            journal: "VE".into(),
            year: 2026,
            number,
            date: date!(2026 - 11 - 30),
            label: "Facture FA-2026-000001".into(),
            piece_ref: Some("FA-2026-000001".into()),
            lines: vec![
                SealLine {
                    account: "411".into(),
                    third_party: Some("0b7e5a8e-2f0e-4a53-9d8e-3c1f5f0e9a11".into()),
                    debit_cents: 1_440_000,
                    credit_cents: 0,
                    label: "Clientis".into(),
                    analytic: None,
                },
                SealLine {
                    account: "706".into(),
                    third_party: None,
                    debit_cents: 0,
                    credit_cents: 1_200_000,
                    label: "Prestations".into(),
                    analytic: Some("MIS-0001".into()),
                },
                SealLine {
                    account: "44574".into(),
                    third_party: None,
                    debit_cents: 0,
                    credit_cents: 240_000,
                    label: "TVA".into(),
                    analytic: None,
                },
            ],
        }
    }

    #[test]
    fn the_hash_is_hex_sha256_and_stable() {
        let h = entry(1).hash(GENESIS);
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(h, entry(1).hash(GENESIS));
        // Pinned: a change of the serialisation must be deliberate (a new
        // version tag), or every stored chain would stop verifying.
        let bytes = entry(1).canonical_bytes(GENESIS);
        assert!(bytes.starts_with(b"24:regisseur-ledger-seal-v1;64:0000"));
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .ends_with("5:44574;~;1:0;6:240000;3:TVA;~;")
        );
    }

    #[test]
    fn absent_and_empty_differ_and_fields_cannot_slide() {
        let mut a = entry(1);
        a.piece_ref = None;
        let mut b = entry(1);
        b.piece_ref = Some(String::new());
        assert_ne!(a.hash(GENESIS), b.hash(GENESIS));
        // Moving text from one field to the next changes the hash.
        let mut c = entry(1);
        c.label = "Facture".into();
        c.piece_ref = Some(" FA-2026-000001FA-2026-000001".into());
        assert_ne!(c.hash(GENESIS), entry(1).hash(GENESIS));
    }

    #[test]
    fn every_field_is_sealed() {
        let base = entry(2).hash(GENESIS);
        type Change = Box<dyn Fn(&mut SealEntry)>;
        let changes: Vec<Change> = vec![
            Box::new(|e| e.journal = "OD".into()),
            Box::new(|e| e.year = 2027),
            Box::new(|e| e.number = 3),
            Box::new(|e| e.date = date!(2026 - 12 - 01)),
            Box::new(|e| e.label.push('.')),
            Box::new(|e| e.piece_ref = None),
            Box::new(|e| e.lines[0].account = "4181".into()),
            Box::new(|e| e.lines[0].third_party = None),
            Box::new(|e| e.lines[1].third_party = Some("x".into())),
            Box::new(|e| e.lines[0].debit_cents += 1),
            Box::new(|e| e.lines[1].credit_cents -= 1),
            Box::new(|e| e.lines[2].label = "TVA ".into()),
            Box::new(|e| e.lines[1].analytic = None),
            Box::new(|e| e.lines.swap(1, 2)),
            Box::new(|e| {
                e.lines.pop();
            }),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut e = entry(2);
            change(&mut e);
            assert_ne!(e.hash(GENESIS), base, "change {i} not sealed");
        }
        assert_ne!(entry(2).hash(&"1".repeat(64)), base, "previous hash sealed");
    }

    fn chain(n: i64) -> Vec<(SealEntry, String, String)> {
        let mut previous = GENESIS.to_owned();
        (1..=n)
            .map(|i| {
                let e = entry(i);
                let h = e.hash(&previous);
                let out = (e, h.clone(), previous.clone());
                previous = h;
                out
            })
            .collect()
    }

    fn walk(entries: &[(SealEntry, String, String)], last: i64) -> Result<(), Broken> {
        let mut c = Chain::new(last);
        for (e, h, p) in entries {
            c.feed(e, Some(h), Some(p))?;
        }
        c.finish()
    }

    #[test]
    fn an_intact_chain_verifies_and_each_tampering_is_found_where_it_is() {
        let good = chain(5);
        assert_eq!(walk(&good, 5), Ok(()));
        assert_eq!(walk(&[], 0), Ok(()));
        // A line changed in entry 3.
        let mut t = good.clone();
        t[2].0.lines[0].debit_cents = 1;
        let b = walk(&t, 5).unwrap_err();
        assert_eq!((b.number, b.reason), (3, BreakReason::Content));
        // Entry 2 removed.
        let mut t = good.clone();
        t.remove(1);
        let b = walk(&t, 5).unwrap_err();
        assert_eq!((b.number, b.reason), (2, BreakReason::Gap));
        // The last one removed: the sequence says 5.
        let b = walk(&good[..4], 5).unwrap_err();
        assert_eq!((b.number, b.reason), (5, BreakReason::Truncated));
        // A hash edited.
        let mut t = good.clone();
        t[3].1 = "f".repeat(64);
        let b = walk(&t, 5).unwrap_err();
        assert_eq!((b.number, b.reason), (4, BreakReason::Content));
        // Entry 2 replaced by a well-sealed one: the next link breaks.
        let mut t = good.clone();
        t[1].0.label = "Autre".into();
        t[1].1 = t[1].0.hash(&t[1].2);
        let b = walk(&t, 5).unwrap_err();
        assert_eq!((b.number, b.reason), (3, BreakReason::Link));
        // An entry added after the sequence's last.
        let b = walk(&chain(6), 5).unwrap_err();
        assert_eq!((b.number, b.reason), (6, BreakReason::BeyondSequence));
        // Unsealed.
        let mut c = Chain::new(1);
        assert_eq!(
            c.feed(&entry(1), None, None).unwrap_err().reason,
            BreakReason::Unsealed
        );
    }

    proptest! {
        #[test]
        fn any_change_of_a_label_or_amount_changes_the_hash(
            label in ".{0,40}", other in ".{0,40}", cents in 1i64..1_000_000_000, line in 0usize..3,
        ) {
            let mut a = entry(1);
            a.lines[line].label = label.clone();
            let mut b = a.clone();
            b.lines[line].label = other.clone();
            prop_assert_eq!(a.hash(GENESIS) == b.hash(GENESIS), label == other);
            let mut c = a.clone();
            c.lines[line].debit_cents = cents;
            prop_assert_eq!(c.hash(GENESIS) == a.hash(GENESIS), a.lines[line].debit_cents == cents);
        }
    }
}

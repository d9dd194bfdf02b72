//! Lettering (lettrage) of a third party's account: the lines that settle
//! each other (an invoice, the payments and credit notes against it) share
//! a code, AA, AB, …, ZZ, then AAA, … A code is never reused on an account
//! and third party, even once its lettering is undone. A lettering is
//! complete when its lines sum to zero (shown in capitals, written to the
//! FEC), partial otherwise (shown in lowercase, `aa`). Lettering more lines
//! with a live partial lettering extends it and keeps its code.
//!
//! The rules are here, free of storage: [`plan`] decides what one lettering
//! command does, and [`Book`] replays commands on a set of lines (the
//! property tests, and the reference the store follows).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::ids::CompanyId;
use crate::money::Money;
use crate::validation::ValidationErrors;

/// Letters of a code: 26 of them, `A` to `Z`.
const LETTERS: u64 = 26;

/// A lettering code: two or more capital letters. Codes are ordered by
/// their rank ([`Code::index`]): every two-letter code before every
/// three-letter one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Code(String);

impl Code {
    /// The first code, `AA`.
    pub fn first() -> Code {
        Code::from_index(0)
    }

    /// The code of rank `i`: 0 → `AA`, 25 → `AZ`, 26 → `BA`, 675 → `ZZ`,
    /// 676 → `AAA`.
    pub fn from_index(i: u64) -> Code {
        let (mut len, mut rest, mut span) = (2u32, i, LETTERS * LETTERS);
        while rest >= span {
            rest -= span;
            len += 1;
            span = span.saturating_mul(LETTERS);
        }
        let mut out = vec![b'A'; len as usize];
        for slot in out.iter_mut().rev() {
            *slot = b'A' + (rest % LETTERS) as u8;
            rest /= LETTERS;
        }
        Code(String::from_utf8(out).expect("ASCII letters"))
    }

    /// The rank of the code (the inverse of [`Code::from_index`]).
    pub fn index(&self) -> u64 {
        let len = self.0.len() as u32;
        let shorter: u64 = (2..len).map(|k| LETTERS.pow(k)).sum();
        let within = self
            .0
            .bytes()
            .fold(0u64, |acc, b| acc * LETTERS + u64::from(b - b'A'));
        shorter + within
    }

    /// A code as stored or typed, in either case (`aa` is the partial
    /// lettering `AA`). At most 8 letters: the FEC's field is short, and
    /// 8 letters are 2·10¹¹ letterings.
    pub fn parse(s: &str) -> Option<Code> {
        let s = s.trim();
        ((2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| Code(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code after this one.
    pub fn next(&self) -> Code {
        Code::from_index(self.index() + 1)
    }

    /// How the code is shown: capitals when the lettering is complete,
    /// lowercase when partial.
    pub fn shown(&self, complete: bool) -> String {
        if complete {
            self.0.clone()
        } else {
            self.0.to_ascii_lowercase()
        }
    }

    /// The code a new lettering takes: the one after the highest ever used
    /// on the account and third party (undone letterings included), `AA`
    /// for the first.
    pub fn after_highest<'a>(used: impl IntoIterator<Item = &'a Code>) -> Code {
        used.into_iter()
            .max_by_key(|c| c.index())
            .map(Code::next)
            .unwrap_or_else(Code::first)
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index().cmp(&other.index())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A posting line, named by its entry and position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineKey {
    pub entry_id: String,
    pub position: i32,
}

impl LineKey {
    pub fn new(entry_id: &str, position: i32) -> LineKey {
        LineKey {
            entry_id: entry_id.to_owned(),
            position,
        }
    }

    /// `entry:position`, as a form's checkbox carries it.
    pub fn token(&self) -> String {
        format!("{}:{}", self.entry_id, self.position)
    }

    pub fn parse_token(s: &str) -> Option<LineKey> {
        let (entry, pos) = s.trim().rsplit_once(':')?;
        let position: i32 = pos.parse().ok()?;
        (!entry.is_empty() && position > 0).then(|| LineKey::new(entry, position))
    }
}

/// A line that may be lettered: where it is, and its amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub key: LineKey,
    pub account: String,
    pub third_party: Option<CompanyId>,
    pub debit: Money,
    pub credit: Money,
    /// What the ledger calls it ("VE-2026-000012"), for messages.
    pub label: String,
}

impl Item {
    pub fn balance(&self) -> Money {
        self.debit - self.credit
    }
}

/// Debits minus credits of some lines.
pub fn balance<'a>(items: impl IntoIterator<Item = &'a Item>) -> Money {
    items.into_iter().map(Item::balance).sum()
}

/// A live lettering some selected lines already belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Live {
    pub id: String,
    pub code: Code,
    pub complete: bool,
    pub lines: Vec<Item>,
}

/// What a lettering command does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Plan {
    /// A new lettering with the next code.
    New {
        code: Code,
        lines: Vec<Item>,
        complete: bool,
    },
    /// More lines join a live lettering, which keeps its code.
    Extend {
        id: String,
        code: Code,
        added: Vec<Item>,
        complete: bool,
        was_complete: bool,
    },
}

impl Plan {
    pub fn code(&self) -> &Code {
        match self {
            Plan::New { code, .. } | Plan::Extend { code, .. } => code,
        }
    }

    pub fn complete(&self) -> bool {
        match self {
            Plan::New { complete, .. } | Plan::Extend { complete, .. } => *complete,
        }
    }
}

/// Whether a complete lettering may be extended: a person lettering by
/// hand un-letters first; the lettering of an invoice's own lines (a credit
/// note after its payment) extends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complete {
    Refuse,
    Extend,
}

/// Every argument of a lettering refusal is a code or an account, shown as
/// it is.
fn refuse(key: &'static str, args: Vec<(&'static str, String)>) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    let args = args.into_iter().map(|(k, v)| (k, v.into())).collect();
    e.add_with("lines", key, args);
    e
}

/// Decides what lettering `selected` on `account` and `third_party` does.
///
/// `live` are the live letterings any selected line is already in (with
/// all their lines); `highest` the highest code ever used on the account
/// and third party. Refused: nothing selected, a line twice, a line on
/// another account or third party, lines on one side only, lines of
/// several live letterings, a complete lettering extended by hand, and a
/// selection that adds nothing.
pub fn plan(
    account: &str,
    third_party: CompanyId,
    selected: &[Item],
    live: &[Live],
    highest: Option<&Code>,
    complete_lettering: Complete,
) -> Result<Plan, ValidationErrors> {
    if selected.is_empty() {
        return Err(refuse("lettering-none-selected", vec![]));
    }
    let mut seen = BTreeSet::new();
    for i in selected {
        if !seen.insert(&i.key) {
            return Err(refuse(
                "lettering-line-twice",
                vec![("number", i.label.clone())],
            ));
        }
        if i.account != account || i.third_party != Some(third_party) {
            return Err(refuse(
                "lettering-line-other-account",
                vec![
                    ("number", i.label.clone()),
                    ("accounts", account.to_owned()),
                ],
            ));
        }
    }
    let mut touched: Vec<&Live> = live
        .iter()
        .filter(|l| l.lines.iter().any(|x| seen.contains(&x.key)))
        .collect();
    touched.dedup_by(|a, b| a.id == b.id);
    match touched.as_slice() {
        [] => {
            let lines = selected.to_vec();
            two_sides(&lines)?;
            Ok(Plan::New {
                code: Code::after_highest(highest),
                complete: balance(&lines).is_zero(),
                lines,
            })
        }
        [one] => {
            if one.complete && complete_lettering == Complete::Refuse {
                return Err(refuse(
                    "lettering-already-complete",
                    vec![("number", one.code.to_string())],
                ));
            }
            let have: BTreeSet<&LineKey> = one.lines.iter().map(|x| &x.key).collect();
            let added: Vec<Item> = selected
                .iter()
                .filter(|i| !have.contains(&i.key))
                .cloned()
                .collect();
            if added.is_empty() {
                return Err(refuse(
                    "lettering-nothing-new",
                    vec![("number", one.code.shown(one.complete))],
                ));
            }
            let all: Vec<Item> = one.lines.iter().chain(&added).cloned().collect();
            two_sides(&all)?;
            Ok(Plan::Extend {
                id: one.id.clone(),
                code: one.code.clone(),
                complete: balance(&all).is_zero(),
                was_complete: one.complete,
                added,
            })
        }
        several => Err(refuse(
            "lettering-several-letterings",
            vec![(
                "number",
                several
                    .iter()
                    .map(|l| l.code.shown(l.complete))
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        )),
    }
}

/// A lettering pairs debits with credits: lines on one side only settle
/// nothing.
fn two_sides(lines: &[Item]) -> Result<(), ValidationErrors> {
    let debit = lines.iter().any(|i| i.debit.cents() > 0);
    let credit = lines.iter().any(|i| i.credit.cents() > 0);
    if debit && credit {
        Ok(())
    } else {
        Err(refuse("lettering-one-side", vec![]))
    }
}

/// A lettering as [`Book`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lettering {
    pub id: String,
    pub code: Code,
    pub complete: bool,
    pub lines: Vec<LineKey>,
    pub live: bool,
}

/// One third party's account with its letterings: the model the store
/// follows, replayed in memory.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub account: String,
    pub third_party: Option<CompanyId>,
    pub lines: Vec<Item>,
    pub letterings: Vec<Lettering>,
}

impl Book {
    pub fn new(account: &str, third_party: CompanyId, lines: Vec<Item>) -> Book {
        Book {
            account: account.to_owned(),
            third_party: Some(third_party),
            lines,
            letterings: Vec::new(),
        }
    }

    fn item(&self, k: &LineKey) -> Option<&Item> {
        self.lines.iter().find(|i| &i.key == k)
    }

    /// The live lettering a line is in.
    pub fn lettering_of(&self, k: &LineKey) -> Option<&Lettering> {
        self.letterings
            .iter()
            .find(|l| l.live && l.lines.contains(k))
    }

    /// Letters the lines `keys` (see [`plan`]); returns the lettering's id.
    pub fn letter(&mut self, keys: &[LineKey]) -> Result<String, ValidationErrors> {
        let third_party = self.third_party.expect("a book has a third party");
        let mut selected = Vec::new();
        for k in keys {
            match self.item(k) {
                Some(i) => selected.push(i.clone()),
                None => {
                    return Err(refuse(
                        "lettering-line-unknown",
                        vec![("number", k.token())],
                    ));
                }
            }
        }
        let live: Vec<Live> = self
            .letterings
            .iter()
            .filter(|l| l.live && l.lines.iter().any(|k| keys.contains(k)))
            .map(|l| Live {
                id: l.id.clone(),
                code: l.code.clone(),
                complete: l.complete,
                lines: l
                    .lines
                    .iter()
                    .filter_map(|k| self.item(k))
                    .cloned()
                    .collect(),
            })
            .collect();
        let highest = self.letterings.iter().map(|l| &l.code).max();
        let p = plan(
            &self.account,
            third_party,
            &selected,
            &live,
            highest,
            Complete::Refuse,
        )?;
        Ok(match p {
            Plan::New {
                code,
                lines,
                complete,
            } => {
                let id = format!("L{}", self.letterings.len() + 1);
                self.letterings.push(Lettering {
                    id: id.clone(),
                    code,
                    complete,
                    lines: lines.into_iter().map(|i| i.key).collect(),
                    live: true,
                });
                id
            }
            Plan::Extend {
                id,
                added,
                complete,
                ..
            } => {
                let l = self
                    .letterings
                    .iter_mut()
                    .find(|l| l.id == id)
                    .expect("planned from the book");
                l.lines.extend(added.into_iter().map(|i| i.key));
                l.complete = complete;
                id
            }
        })
    }

    /// Undoes a live lettering: its lines are open again, its code stays
    /// taken.
    pub fn unletter(&mut self, id: &str) -> Result<(), ValidationErrors> {
        match self.letterings.iter_mut().find(|l| l.id == id) {
            Some(l) if l.live => {
                l.live = false;
                Ok(())
            }
            Some(_) => Err(ValidationErrors::single(
                "lettering",
                "lettering-already-undone",
            )),
            None => Err(ValidationErrors::single("lettering", "lettering-unknown")),
        }
    }

    /// Lines not in a complete live lettering (partly lettered ones are
    /// still open), in the book's order.
    pub fn open_lines(&self) -> Vec<&Item> {
        self.lines
            .iter()
            .filter(|i| self.lettering_of(&i.key).is_none_or(|l| !l.complete))
            .collect()
    }

    /// What the open lines add up to: the account's balance, since
    /// complete letterings sum to zero.
    pub fn open_balance(&self) -> Money {
        balance(self.open_lines())
    }

    /// The live code of each lettered line, as shown (lowercase when
    /// partial).
    pub fn marks(&self) -> BTreeMap<LineKey, String> {
        self.letterings
            .iter()
            .filter(|l| l.live)
            .flat_map(|l| {
                l.lines
                    .iter()
                    .map(move |k| (k.clone(), l.code.shown(l.complete)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn client() -> CompanyId {
        CompanyId::parse("11111111-1111-4111-8111-111111111111").unwrap()
    }

    fn item(n: usize, cents: i64) -> Item {
        Item {
            key: LineKey::new(&format!("e{n}"), 1),
            account: "411".into(),
            third_party: Some(client()),
            debit: Money::from_cents(cents.max(0)),
            credit: Money::from_cents((-cents).max(0)),
            label: format!("VE-2026-{n:06}"),
        }
    }

    fn keys(ns: &[usize]) -> Vec<LineKey> {
        ns.iter()
            .map(|n| LineKey::new(&format!("e{n}"), 1))
            .collect()
    }

    fn refused(r: Result<String, ValidationErrors>) -> &'static str {
        r.unwrap_err().0[0].key
    }

    #[test]
    fn codes_run_from_aa_to_zz_then_aaa() {
        let cases = [
            (0, "AA"),
            (1, "AB"),
            (25, "AZ"),
            (26, "BA"),
            (675, "ZZ"),
            (676, "AAA"),
            (677, "AAB"),
            (676 + 17_575, "ZZZ"),
            (676 + 17_576, "AAAA"),
        ];
        for (i, s) in cases {
            let c = Code::from_index(i);
            assert_eq!(c.as_str(), s, "{i}");
            assert_eq!(c.index(), i, "{s}");
            assert_eq!(Code::parse(&s.to_lowercase()), Some(c));
        }
        assert!(Code::parse("ZZ").unwrap() < Code::parse("AAA").unwrap());
        assert_eq!(Code::parse("ZZ").unwrap().next().as_str(), "AAA");
        assert_eq!(Code::first().shown(false), "aa");
        assert_eq!(Code::first().shown(true), "AA");
        for bad in ["", "A", "A1", "ÉA", "ABCDEFGHI", "A A"] {
            assert_eq!(Code::parse(bad), None, "{bad}");
        }
        let used = [Code::parse("AB").unwrap(), Code::parse("AZ").unwrap()];
        assert_eq!(Code::after_highest(&used).as_str(), "BA");
        assert_eq!(Code::after_highest([]).as_str(), "AA");
        let k = LineKey::new("abc-1", 3);
        assert_eq!(LineKey::parse_token(&k.token()), Some(k));
        assert_eq!(LineKey::parse_token("x:0"), None);
        assert_eq!(LineKey::parse_token(":1"), None);
    }

    #[test]
    fn an_invoice_paid_in_two_parts_is_partial_then_complete() {
        // 14 400 invoiced, 7 200 received twice.
        let mut b = Book::new(
            "411",
            client(),
            vec![item(1, 1_440_000), item(2, -720_000), item(3, -720_000)],
        );
        let id = b.letter(&keys(&[1, 2])).unwrap();
        assert_eq!(b.marks().values().collect::<Vec<_>>(), ["aa", "aa"]);
        assert_eq!(b.open_lines().len(), 3);
        // The second payment joins the partial lettering, which keeps AA.
        assert_eq!(
            b.letter(&keys(&[3])).unwrap_err().0[0].key,
            "lettering-one-side"
        );
        assert_eq!(b.letter(&keys(&[1, 3])).unwrap(), id);
        assert_eq!(b.marks().values().collect::<Vec<_>>(), ["AA", "AA", "AA"]);
        assert!(b.open_lines().is_empty() && b.open_balance().is_zero());
        // Complete: un-letter before changing it.
        b.lines.push(item(4, -100));
        assert_eq!(
            refused(b.letter(&keys(&[1, 4]))),
            "lettering-already-complete"
        );
        b.unletter(&id).unwrap();
        assert_eq!(b.open_lines().len(), 4);
        assert_eq!(
            b.unletter(&id).unwrap_err().0[0].key,
            "lettering-already-undone"
        );
        // Codes are never reused.
        b.letter(&keys(&[1, 2, 3])).unwrap();
        assert_eq!(b.marks()[&keys(&[1])[0]], "AB");
    }

    #[test]
    fn nonsense_selections_are_refused() {
        let mut b = Book::new(
            "411",
            client(),
            vec![item(1, 500), item(2, -500), item(3, 200)],
        );
        assert_eq!(refused(b.letter(&[])), "lettering-none-selected");
        assert_eq!(refused(b.letter(&keys(&[1, 1, 2]))), "lettering-line-twice");
        assert_eq!(refused(b.letter(&keys(&[1, 3]))), "lettering-one-side");
        assert_eq!(refused(b.letter(&keys(&[1, 9]))), "lettering-line-unknown");
        let mut other = item(4, -500);
        other.account = "4181".into();
        b.lines.push(other);
        assert_eq!(
            refused(b.letter(&keys(&[1, 4]))),
            "lettering-line-other-account"
        );
        let mut stranger = item(5, -500);
        stranger.third_party = CompanyId::parse("22222222-2222-4222-8222-222222222222");
        b.lines.push(stranger);
        assert_eq!(
            refused(b.letter(&keys(&[1, 5]))),
            "lettering-line-other-account"
        );
        // Two partial letterings are not merged silently.
        b.lines.push(item(6, -100));
        b.lines.push(item(7, -50));
        b.letter(&keys(&[1, 6])).unwrap();
        b.letter(&keys(&[3, 7])).unwrap();
        assert_eq!(
            refused(b.letter(&keys(&[1, 3]))),
            "lettering-several-letterings"
        );
        assert_eq!(refused(b.letter(&keys(&[1, 6]))), "lettering-nothing-new");
    }

    /// A book of lines with amounts `amounts` (positive: debit).
    fn book(amounts: &[i64]) -> Book {
        Book::new(
            "411",
            client(),
            amounts
                .iter()
                .enumerate()
                .map(|(n, a)| item(n, *a))
                .collect(),
        )
    }

    fn open_keys(b: &Book) -> Vec<LineKey> {
        b.open_lines().iter().map(|i| i.key.clone()).collect()
    }

    proptest! {
        /// Whatever is lettered, in whatever order: every complete live
        /// lettering sums to zero, the open balance is the account's
        /// balance, and new letterings take increasing codes, never one
        /// seen before.
        #[test]
        fn complete_letterings_sum_to_zero_and_codes_only_grow(
            amounts in proptest::collection::vec(prop_oneof![1i64..50_000, -50_000i64..-1], 2..16),
            ops in proptest::collection::vec((proptest::collection::vec(0usize..16, 1..5), any::<bool>()), 1..30),
        ) {
            let mut b = book(&amounts);
            let total = balance(&b.lines);
            let mut codes: Vec<Code> = Vec::new();
            for (pick, undo) in ops {
                let ks: Vec<LineKey> = keys(&pick.iter().map(|p| p % amounts.len()).collect::<Vec<_>>());
                let before = b.letterings.len();
                if let Ok(id) = b.letter(&ks) {
                    if b.letterings.len() > before {
                        let code = b.letterings.last().unwrap().code.clone();
                        prop_assert!(codes.iter().all(|c| *c < code), "{code} after {codes:?}");
                        codes.push(code);
                    }
                    if undo {
                        b.unletter(&id).unwrap();
                    }
                }
                for l in b.letterings.iter().filter(|l| l.live && l.complete) {
                    let sum: Money = l.lines.iter().map(|k| b.item(k).unwrap().balance()).sum();
                    prop_assert!(sum.is_zero());
                }
                for l in b.letterings.iter().filter(|l| l.live && !l.complete) {
                    let sum: Money = l.lines.iter().map(|k| b.item(k).unwrap().balance()).sum();
                    prop_assert!(!sum.is_zero());
                }
                // A line is in at most one live lettering.
                let mut lettered: Vec<&LineKey> = b.letterings.iter().filter(|l| l.live).flat_map(|l| &l.lines).collect();
                let n = lettered.len();
                lettered.sort();
                lettered.dedup();
                prop_assert_eq!(lettered.len(), n);
                prop_assert_eq!(b.open_balance(), total);
            }
        }

        /// Lettering open lines then un-lettering the result gives back
        /// exactly the open lines and balance of before.
        #[test]
        fn letter_then_unletter_restores_the_open_state(
            amounts in proptest::collection::vec(prop_oneof![1i64..50_000, -50_000i64..-1], 2..16),
            earlier in proptest::collection::vec(proptest::collection::vec(0usize..16, 2..4), 0..5),
            pick in proptest::collection::vec(0usize..16, 1..6),
        ) {
            let mut b = book(&amounts);
            for e in earlier {
                let _ = b.letter(&keys(&e.iter().map(|p| p % amounts.len()).collect::<Vec<_>>()));
            }
            // The selection: open lines not in any live lettering.
            let free: Vec<LineKey> = b.lines.iter().map(|i| i.key.clone()).filter(|k| b.lettering_of(k).is_none()).collect();
            prop_assume!(!free.is_empty());
            let mut ks: Vec<LineKey> = pick.iter().map(|p| free[p % free.len()].clone()).collect();
            ks.sort();
            ks.dedup();
            let (open, bal, marks) = (open_keys(&b), b.open_balance(), b.marks());
            if let Ok(id) = b.letter(&ks) {
                b.unletter(&id).unwrap();
                prop_assert_eq!(open_keys(&b), open);
                prop_assert_eq!(b.open_balance(), bal);
                prop_assert_eq!(b.marks(), marks);
            } else {
                prop_assert_eq!(open_keys(&b), open);
            }
        }
    }
}

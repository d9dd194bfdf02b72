//! Suggestions for the money received on the bank: which open invoices a
//! statement credit line probably pays, with a confidence and its reasons.
//!
//! The open items are indexed once (by outstanding amount, by normalised
//! invoice number, by client total, by client-name token) so each line
//! costs a few hash lookups: 10,000 lines against 50,000 open items never
//! meet in a 10k × 50k loop.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::Date;

use crate::money::Money;
use crate::validation::fold_accents;

/// An invoice still (partly) unpaid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenItem {
    pub invoice_id: String,
    pub number: String,
    pub client_id: String,
    pub client_name: String,
    pub due_date: Date,
    pub outstanding: Money,
}

/// A credit line of a statement, as the matcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLine {
    pub booking_date: Date,
    pub amount: Money,
    /// Label, remittance information, counterparty: all the text there is.
    pub text: String,
}

/// Where a statement line stands in the matching queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BankLineStatus {
    /// Waiting in the queue.
    Unmatched,
    /// Settled: matched to a payment or posted to an account.
    Matched,
    /// Put aside (bank fees, a transfer between the firm's accounts).
    Ignored,
}

impl BankLineStatus {
    pub const ALL: [BankLineStatus; 3] = [
        BankLineStatus::Unmatched,
        BankLineStatus::Matched,
        BankLineStatus::Ignored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BankLineStatus::Unmatched => "unmatched",
            BankLineStatus::Matched => "matched",
            BankLineStatus::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<BankLineStatus> {
        BankLineStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

crate::code::stored_code!(BankLineStatus);

/// Why a suggestion was made; each adds to the confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    /// The amount equals the invoice's outstanding.
    AmountEqual,
    /// The amount equals the sum of several invoices of one client.
    AmountSum,
    /// The invoice number is in the label.
    NumberInLabel,
    /// The client's name is in the label or the counterparty.
    NameInLabel,
    /// Part of the client's name is.
    NamePartly,
    /// Booked within the window around the due date.
    NearDueDate,
}

impl MatchReason {
    pub fn weight(self) -> u8 {
        match self {
            MatchReason::NumberInLabel => 50,
            MatchReason::AmountEqual => 35,
            MatchReason::AmountSum => 30,
            MatchReason::NameInLabel => 25,
            MatchReason::NamePartly => 10,
            MatchReason::NearDueDate => 10,
        }
    }

    /// Translation key of the reason shown beside the badge.
    pub fn key(self) -> &'static str {
        match self {
            MatchReason::AmountEqual => "matching-reason-amount-equal",
            MatchReason::AmountSum => "matching-reason-amount-sum",
            MatchReason::NumberInLabel => "matching-reason-number",
            MatchReason::NameInLabel => "matching-reason-name",
            MatchReason::NamePartly => "matching-reason-name-partly",
            MatchReason::NearDueDate => "matching-reason-due-date",
        }
    }
}

/// One way to settle the line: the invoices (indices into the open items
/// given to [`Matcher::new`]) and how much goes to each, oldest due first;
/// what is left over stays as the client's credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub client_id: String,
    pub allocations: Vec<(usize, Money)>,
    pub unallocated: Money,
    /// 0–100.
    pub confidence: u8,
    pub reasons: Vec<MatchReason>,
}

/// Days between booking and due date that still count as "near".
pub const DEFAULT_WINDOW_DAYS: i64 = 30;

/// Tokens of a name that say nothing about who it is.
const NAME_STOP_WORDS: &[&str] = &[
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "sci",
    "snc",
    "sca",
    "scop",
    "selarl",
    "ei",
    "eirl",
    "gie",
    "se",
    "gmbh",
    "ltd",
    "llc",
    "inc",
    "plc",
    "bv",
    "nv",
    "ag",
    "spa",
    "srl",
    "ste",
    "societe",
    "soc",
    "cie",
    "compagnie",
    "groupe",
    "group",
    "france",
    "et",
    "de",
    "des",
    "du",
    "la",
    "le",
    "les",
    "l",
    "d",
    "the",
    "and",
    "of",
    "vir",
    "sepa",
    "recu",
    "virement",
];

/// A name token that matches too many clients is useless and costly.
const MAX_CLIENTS_PER_TOKEN: usize = 50;
/// How many of a client's invoices a name alone proposes.
const MAX_ITEMS_PER_NAME: usize = 5;
/// Longest run of label tokens joined to find a number ("FA 2026 000123").
const MAX_NUMBER_TOKENS: usize = 5;

struct Client {
    id: String,
    /// Indices of its items, oldest due first.
    items: Vec<usize>,
    tokens: Vec<String>,
}

pub struct Matcher<'a> {
    items: &'a [OpenItem],
    window_days: i64,
    by_amount: HashMap<i64, Vec<usize>>,
    by_number: HashMap<String, Vec<usize>>,
    clients: Vec<Client>,
    client_index: HashMap<&'a str, usize>,
    by_client_total: HashMap<i64, Vec<usize>>,
    by_name_token: HashMap<String, Vec<usize>>,
}

/// Upper-case letters and digits only: "FA-2026-000123" → "FA2026000123".
pub fn number_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Lower-case ASCII words of a text, accents folded.
fn words(s: &str) -> Vec<String> {
    fold_accents(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words that identify a client: legal forms and fillers dropped.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut out: Vec<String> = words(name)
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && !NAME_STOP_WORDS.contains(&w.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

impl<'a> Matcher<'a> {
    pub fn new(items: &'a [OpenItem]) -> Matcher<'a> {
        Matcher::with_window(items, DEFAULT_WINDOW_DAYS)
    }

    pub fn with_window(items: &'a [OpenItem], window_days: i64) -> Matcher<'a> {
        let mut m = Matcher {
            items,
            window_days,
            by_amount: HashMap::new(),
            by_number: HashMap::new(),
            clients: Vec::new(),
            client_index: HashMap::new(),
            by_client_total: HashMap::new(),
            by_name_token: HashMap::new(),
        };
        for (i, it) in items.iter().enumerate() {
            if it.outstanding.cents() <= 0 {
                continue;
            }
            m.by_amount
                .entry(it.outstanding.cents())
                .or_default()
                .push(i);
            let key = number_key(&it.number);
            if !key.is_empty() {
                m.by_number.entry(key).or_default().push(i);
            }
            let next = m.clients.len();
            let c = *m.client_index.entry(it.client_id.as_str()).or_insert(next);
            if c == next {
                m.clients.push(Client {
                    id: it.client_id.clone(),
                    items: Vec::new(),
                    tokens: name_tokens(&it.client_name),
                });
            }
            m.clients[c].items.push(i);
        }
        for (c, client) in m.clients.iter_mut().enumerate() {
            client
                .items
                .sort_by_key(|&i| (items[i].due_date, items[i].number.clone()));
            if client.items.len() >= 2 {
                let total: i64 = client
                    .items
                    .iter()
                    .map(|&i| items[i].outstanding.cents())
                    .sum();
                m.by_client_total.entry(total).or_default().push(c);
            }
            for t in &client.tokens {
                m.by_name_token.entry(t.clone()).or_default().push(c);
            }
        }
        m
    }

    pub fn items(&self) -> &'a [OpenItem] {
        self.items
    }

    /// Up to `max` suggestions for a credit line, best first. Debits and
    /// zero amounts get none.
    pub fn suggest(&self, line: &CreditLine, max: usize) -> Vec<Suggestion> {
        if line.amount.cents() <= 0 || max == 0 {
            return Vec::new();
        }
        let label_words = words(&line.text);
        let numbers = self.numbers_in(&line.text);
        let names = self.names_in(&label_words);

        // Candidates: single invoices and groups of one client's invoices.
        let mut singles: HashSet<usize> = HashSet::new();
        if let Some(v) = self.by_amount.get(&line.amount.cents()) {
            singles.extend(v.iter().copied().take(200));
        }
        singles.extend(numbers.iter().copied());
        for (&c, _) in names.iter() {
            singles.extend(
                self.clients[c]
                    .items
                    .iter()
                    .copied()
                    .take(MAX_ITEMS_PER_NAME),
            );
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        if let Some(cs) = self.by_client_total.get(&line.amount.cents()) {
            for &c in cs.iter().take(50) {
                groups.push(self.clients[c].items.clone());
            }
        }
        // Several numbers of one client in the label.
        let mut by_client: HashMap<usize, Vec<usize>> = HashMap::new();
        for &i in &numbers {
            by_client
                .entry(self.client_index[self.items[i].client_id.as_str()])
                .or_default()
                .push(i);
        }
        for (_, mut v) in by_client {
            if v.len() >= 2 {
                v.sort_by_key(|&i| (self.items[i].due_date, i));
                v.dedup();
                if !groups.contains(&v) {
                    groups.push(v);
                }
            }
        }

        let mut out: Vec<Suggestion> = Vec::new();
        for &i in &singles {
            out.push(self.score(line, &[i], &numbers, &names));
        }
        for g in &groups {
            out.push(self.score(line, g, &numbers, &names));
        }
        out.sort_by(|a, b| {
            b.confidence
                .cmp(&a.confidence)
                .then_with(|| self.first_due(a).cmp(&self.first_due(b)))
                .then_with(|| a.allocations.cmp(&b.allocations))
        });
        out.dedup_by(|a, b| a.allocations == b.allocations);
        out.truncate(max);
        out
    }

    fn first_due(&self, s: &Suggestion) -> Option<Date> {
        s.allocations.first().map(|&(i, _)| self.items[i].due_date)
    }

    fn score(
        &self,
        line: &CreditLine,
        group: &[usize],
        numbers: &HashSet<usize>,
        names: &HashMap<usize, bool>,
    ) -> Suggestion {
        let first = &self.items[group[0]];
        let client = self.client_index[first.client_id.as_str()];
        let total: i64 = group
            .iter()
            .map(|&i| self.items[i].outstanding.cents())
            .sum();
        let mut reasons = Vec::new();
        if line.amount.cents() == total {
            reasons.push(if group.len() == 1 {
                MatchReason::AmountEqual
            } else {
                MatchReason::AmountSum
            });
        }
        if group.iter().any(|i| numbers.contains(i)) {
            reasons.push(MatchReason::NumberInLabel);
        }
        match names.get(&client) {
            Some(true) => reasons.push(MatchReason::NameInLabel),
            Some(false) => reasons.push(MatchReason::NamePartly),
            None => {}
        }
        if group.iter().any(|&i| {
            (line.booking_date - self.items[i].due_date)
                .whole_days()
                .abs()
                <= self.window_days
        }) {
            reasons.push(MatchReason::NearDueDate);
        }
        let confidence = reasons
            .iter()
            .map(|r| u32::from(r.weight()))
            .sum::<u32>()
            .min(100) as u8;

        let mut left = line.amount.cents();
        let mut allocations = Vec::with_capacity(group.len());
        for &i in group {
            if left == 0 {
                break;
            }
            let part = left.min(self.items[i].outstanding.cents());
            allocations.push((i, Money::from_cents(part)));
            left -= part;
        }
        Suggestion {
            client_id: self.clients[client].id.clone(),
            allocations,
            unallocated: Money::from_cents(left),
            confidence,
            reasons,
        }
    }

    /// Items whose number appears in the text, separators ignored: runs of
    /// up to five consecutive alphanumeric tokens are joined and looked up.
    fn numbers_in(&self, text: &str) -> HashSet<usize> {
        let tokens: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(|t| t.to_ascii_uppercase())
            .collect();
        let mut found = HashSet::new();
        for start in 0..tokens.len() {
            let mut key = String::new();
            for t in tokens.iter().skip(start).take(MAX_NUMBER_TOKENS) {
                key.push_str(t);
                if let Some(v) = self.by_number.get(&key) {
                    found.extend(v.iter().copied());
                }
            }
        }
        found
    }

    /// Clients named in the text: true when all their name's words are
    /// there, false when only some (at least one word of 4+ letters).
    fn names_in(&self, label_words: &[String]) -> HashMap<usize, bool> {
        let present: HashSet<&str> = label_words.iter().map(String::as_str).collect();
        let mut hits: HashMap<usize, usize> = HashMap::new();
        let mut strong: HashSet<usize> = HashSet::new();
        for w in &present {
            let Some(cs) = self.by_name_token.get(*w) else {
                continue;
            };
            if cs.len() > MAX_CLIENTS_PER_TOKEN {
                continue;
            }
            for &c in cs {
                *hits.entry(c).or_default() += 1;
                if w.chars().count() >= 4 {
                    strong.insert(c);
                }
            }
        }
        hits.into_iter()
            .filter_map(|(c, n)| {
                let all = n == self.clients[c].tokens.len();
                (all || strong.contains(&c)).then_some((c, all))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;

/// A synthetic book for the benchmark: `items` open invoices over 2,000
/// clients, and `lines` credit lines paying some of them (by number and
/// name, by amount only, in part, or unknown payers).
pub fn bench_data(items: usize, lines: usize) -> (Vec<OpenItem>, Vec<CreditLine>) {
    let base = Date::from_calendar_date(2026, time::Month::January, 1).expect("valid date");
    let clients = 2_000.min(items.max(1));
    let open: Vec<OpenItem> = (0..items)
        .map(|i| {
            let c = i % clients;
            OpenItem {
                invoice_id: format!("inv-{i}"),
                number: format!("FA-{}-{:06}", 2022 + i % 5, i),
                client_id: format!("client-{c}"),
                client_name: format!("Client {} Conseil SAS", c * 7919 % 100_000),
                due_date: base + time::Duration::days((i % 365) as i64),
                outstanding: Money::from_cents(10_000 + (i as i64 * 7_919) % 2_000_000),
            }
        })
        .collect();
    let credit = (0..lines)
        .map(|k| {
            let it = &open[(k * 4_999) % open.len().max(1)];
            let (amount, text) = match k % 4 {
                0 => (
                    it.outstanding,
                    format!("VIR SEPA {} FACT {}", it.client_name, it.number),
                ),
                1 => (it.outstanding, "VIREMENT RECU".to_string()),
                2 => (
                    Money::from_cents(it.outstanding.cents() / 2 + 1),
                    format!("{} ACOMPTE", it.client_name),
                ),
                _ => (
                    Money::from_cents(1_234 + k as i64),
                    format!("VIR INCONNU {k}"),
                ),
            };
            CreditLine {
                booking_date: it.due_date + time::Duration::days(3),
                amount,
                text,
            }
        })
        .collect();
    (open, credit)
}

//! The rules of one line: required fields, account, dates, amounts,
//! lettering, and what the line tells about its entry and journal.

use time::Date;

use super::period::{Verdict, YearRule};
use super::sequence;
use super::{Columns, Issue, JournalState, Layout, Report, State, column_name, truncate};
use crate::fec::parse_date;

const REQUIRED: [usize; 12] = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15];
/// Cash-basis accounts: the payment's date and means (DateRglt, ModeRglt).
const REQUIRED_CASH: [usize; 2] = [18, 19];

/// Checks one line of the expected field count, fields trimmed.
pub(super) fn check_line(
    f: &[&str],
    line: u64,
    report: &mut Report,
    state: &mut State,
    year: &mut YearRule,
) {
    let layout = report.layout;
    let cash = report.columns != Columns::Standard;
    let required = REQUIRED
        .iter()
        .chain(if cash { &REQUIRED_CASH[..] } else { &[] });
    for &i in required {
        if f[i].is_empty() {
            report.add(
                line,
                Issue::Required {
                    column: column_name(layout, i),
                },
            );
        }
    }
    let account = f[4];
    if !account.is_empty()
        && !account
            .bytes()
            .take(3)
            .filter(u8::is_ascii_digit)
            .count()
            .eq(&3)
    {
        report.add(
            line,
            Issue::Account {
                found: truncate(account),
            },
        );
    }
    let date = |column: usize, report: &mut Report| -> Option<Date> {
        let s = f[column];
        if s.is_empty() {
            return None;
        }
        let d = parse_date(s);
        if d.is_none() {
            report.add(
                line,
                Issue::BadDate {
                    column: column_name(layout, column),
                    found: truncate(s),
                },
            );
        }
        d
    };
    let entry_date = date(3, report);
    date(9, report);
    date(15, report);
    date(14, report);
    if cash {
        date(18, report);
    }
    if let Some(d) = entry_date
        && let Verdict::Outside { period, widest } = year.judge(d, line)
    {
        report.add(
            line,
            Issue::OutsideYear {
                found: d,
                period,
                widest,
            },
        );
    }
    let amounts = amounts(f, line, report);
    let lettre = f[13];
    match (lettre.is_empty(), f[14].is_empty()) {
        (true, false) => report.add(line, Issue::DateLetWithoutLet),
        (false, true) => report.add(line, Issue::LetWithoutDateLet),
        _ => {}
    }
    if let Some((d, c)) = amounts {
        report.debit_cents += d;
        report.credit_cents += c;
        if !lettre.is_empty() {
            let e = state
                .lettering
                .entry((account.to_owned(), lettre.to_owned()))
                .or_insert((line, 0));
            e.1 += d - c;
        }
    }
    let (journal, number) = (f[0], f[2]);
    if journal.is_empty() || number.is_empty() {
        return;
    }
    state.key.clear();
    state.key.push_str(journal);
    state.key.push('\0');
    state.key.push_str(number);
    if !state.journals.contains_key(journal) {
        state
            .journals
            .insert(journal.to_owned(), JournalState::default());
    }
    let Some(js) = state.journals.get_mut(journal) else {
        return;
    };
    if js.current != number {
        if state.entries.contains_key(state.key.as_str()) {
            report.add(
                line,
                Issue::NotContiguous {
                    journal: journal.to_owned(),
                    number: truncate(number),
                },
            );
        } else {
            report.entries += 1;
            if let Some((prefix, n, width)) = sequence::split(number) {
                if let Some((last_prefix, last, last_num)) = &js.last_seq
                    && last_prefix == prefix
                    && n < *last
                {
                    report.add(
                        line,
                        Issue::NumberOrder {
                            journal: journal.to_owned(),
                            previous: last_num.clone(),
                            found: truncate(number),
                        },
                    );
                }
                js.last_seq = Some((prefix.to_owned(), n, number.to_owned()));
                let seqs = &mut state.sequences;
                let by_journal = match seqs
                    .journal
                    .get_mut(&(journal.to_owned(), prefix.to_owned()))
                {
                    Some(s) => s,
                    None => seqs
                        .journal
                        .entry((journal.to_owned(), prefix.to_owned()))
                        .or_insert_with(|| sequence::Seen::new(width)),
                };
                by_journal.insert(n, line);
                if !seqs.file.contains_key(prefix) {
                    seqs.file
                        .insert(prefix.to_owned(), sequence::Seen::new(width));
                }
                if let Some(s) = seqs.file.get_mut(prefix) {
                    s.insert(n, line);
                }
            }
            if let Some(d) = entry_date {
                if let Some(previous) = js.last_date
                    && d < previous
                {
                    report.add(
                        line,
                        Issue::DateOrder {
                            journal: journal.to_owned(),
                            previous,
                            found: d,
                        },
                    );
                }
                js.last_date = Some(js.last_date.map_or(d, |p| p.max(d)));
            }
        }
        js.current.clear();
        js.current.push_str(number);
    }
    let acc = match state.entries.get_mut(state.key.as_str()) {
        Some(a) => a,
        None => state
            .entries
            .entry(state.key.clone())
            .or_insert(super::EntryAcc {
                first_line: line,
                debit: 0,
                credit: 0,
            }),
    };
    if let Some((d, c)) = amounts {
        acc.debit += d;
        acc.credit += c;
    }
}

/// The line's (debit, credit) in cents, when its amounts can be read.
fn amounts(f: &[&str], line: u64, report: &mut Report) -> Option<(i128, i128)> {
    let amount = |i: usize, column: &'static str, report: &mut Report| {
        if f[i].is_empty() {
            return None;
        }
        let v = parse_amount(f[i]);
        if v.is_none() {
            report.add(
                line,
                Issue::BadAmount {
                    column,
                    found: truncate(f[i]),
                },
            );
        }
        v
    };
    match report.layout {
        Layout::DebitCredit => {
            let d = amount(11, "Debit", report);
            let c = amount(12, "Credit", report);
            let (d, c) = (d?, c?);
            if d != 0 && c != 0 {
                report.add(line, Issue::BothSides);
            }
            Some((d, c))
        }
        Layout::MontantSens => {
            let m = amount(11, "Montant", report);
            let debit_side = match f[12] {
                "D" | "d" | "+1" | "1" => Some(true),
                "C" | "c" | "-1" => Some(false),
                "" => None,
                other => {
                    report.add(
                        line,
                        Issue::BadSens {
                            found: truncate(other),
                        },
                    );
                    None
                }
            };
            match (m?, debit_side?) {
                (m, true) => Some((m, 0)),
                (m, false) => Some((0, m)),
            }
        }
    }
}

/// Amount in cents: digits, then optionally a comma and one or two digits;
/// a leading sign is allowed.
pub fn parse_amount(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || int.len() > 30
        || !digits(int)
        || frac.len() > 2
        || !digits(frac)
        || (body.contains(',') && frac.is_empty())
    {
        return None;
    }
    let units: i128 = int.parse().ok()?;
    let cents: i128 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i128>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let v = units.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -v } else { v })
}

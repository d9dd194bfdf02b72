//! What the general ledger and a customer's statement print alike: account
//! sections with running balances, the same as CSV, and the filter fields.

use domain::Locale;
use domain::ids::CompanyId;
use domain::ledger_reports::{AccountLedger, DateRange};
use domain::locale::format_date;
use domain::money::Money;
use domain::validation::ValidationErrors;
use serde::Deserialize;

use crate::i18n;
use crate::view::url_encode;

/// Lines a page shows at most: beyond that a browser struggles and nobody
/// reads it; the reader narrows the filter or exports.
pub const PAGE_MAX_LINES: i64 = 5_000;
/// Lines an export holds at most (about 10 MB of CSV).
pub const EXPORT_MAX_LINES: i64 = 100_000;

/// The filter of a report page, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub account: String,
}

/// The filter fields shown back: what was typed when it was refused, the
/// dates actually used otherwise (in the `28/11/2026` form the fields take
/// in either language).
pub struct FilterView {
    pub from: String,
    pub to: String,
    pub account: String,
}

impl FilterView {
    pub fn typed(q: &FilterQuery) -> FilterView {
        FilterView {
            from: q.from.trim().to_owned(),
            to: q.to.trim().to_owned(),
            account: q.account.trim().to_owned(),
        }
    }

    pub fn used(range: DateRange, account: Option<&str>) -> FilterView {
        FilterView {
            from: format_date(range.from(), Locale::Fr),
            to: format_date(range.to(), Locale::Fr),
            account: account.unwrap_or_default().to_owned(),
        }
    }
}

/// The query string of a range, for links that keep it.
pub fn range_query(range: DateRange) -> String {
    format!(
        "from={}&to={}",
        url_encode(&format_date(range.from(), Locale::Fr)),
        url_encode(&format_date(range.to(), Locale::Fr))
    )
}

pub fn customer_href(id: CompanyId, range: DateRange) -> String {
    format!("/accounting/customers/{id}?{}", range_query(range))
}

/// The messages of a refused filter, for the summary above the report.
pub fn messages(l: Locale, errors: &ValidationErrors) -> Vec<String> {
    errors.0.iter().map(|e| i18n::field_error(l, e)).collect()
}

/// An amount on one side: blank when nothing is there, as ledgers print it.
fn side(m: Money, l: Locale) -> String {
    if m.is_zero() {
        String::new()
    } else {
        m.format(l)
    }
}

pub struct Link {
    pub href: String,
    pub name: String,
}

pub struct LineView {
    pub date: String,
    pub journal: &'static str,
    pub number: String,
    pub piece: String,
    pub label: String,
    /// The line's own label when it says more than the entry's.
    pub detail: String,
    pub customer: Option<Link>,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

pub struct Section {
    pub account: String,
    pub label: String,
    pub opening_label: String,
    pub opening: String,
    pub lines: Vec<LineView>,
    pub total_label: String,
    pub debit: String,
    pub credit: String,
    pub closing: String,
}

pub fn sections(accounts: &[AccountLedger], range: DateRange, l: Locale) -> Vec<Section> {
    let opening_label = i18n::t_args(
        l,
        "ledger-opening-on",
        &[("date", format_date(range.from(), l))],
    );
    accounts
        .iter()
        .map(|a| Section {
            account: a.account.to_string(),
            label: a.label.clone(),
            opening_label: opening_label.clone(),
            opening: a.opening.format(l),
            lines: a
                .lines
                .iter()
                .map(|r| {
                    let x = &r.line;
                    LineView {
                        date: format_date(x.date, l),
                        journal: x.journal.code(),
                        number: x.number.clone(),
                        piece: x.piece_ref.clone().unwrap_or_default(),
                        label: x.entry_label.clone(),
                        detail: if x.label == x.entry_label
                            || x.third_party_name.as_ref() == Some(&x.label)
                        {
                            String::new()
                        } else {
                            x.label.clone()
                        },
                        customer: x.third_party.map(|id| Link {
                            href: customer_href(id, range),
                            name: x.third_party_name.clone().unwrap_or_default(),
                        }),
                        debit: side(x.debit, l),
                        credit: side(x.credit, l),
                        balance: r.balance.format(l),
                    }
                })
                .collect(),
            total_label: i18n::t_args(
                l,
                "ledger-account-total",
                &[("number", a.account.to_string())],
            ),
            debit: a.debit.format(l),
            credit: a.credit.format(l),
            closing: a.closing.format(l),
        })
        .collect()
}

/// The report as CSV rows: a header, then per account its opening balance,
/// its lines with their running balance, and its totals, so the file reads
/// like the page and each amount column adds up.
/// The columns of a ledger export (message keys), in order.
pub const CSV_HEADER: [&str; 12] = [
    "ledger-account",
    "ledger-account-label",
    "ledger-date",
    "ledger-journal",
    "ledger-entry-number",
    "ledger-piece",
    "ledger-label",
    "ledger-line-label",
    "ledger-third-party",
    "ledger-debit",
    "ledger-credit",
    "ledger-balance",
];

pub fn csv_rows(accounts: &[AccountLedger], range: DateRange, l: Locale) -> Vec<Vec<String>> {
    use crate::csv::{amount, text};
    let header = CSV_HEADER.iter().map(|k| text(&i18n::t(l, k))).collect();
    let mut rows = vec![header];
    let (from, to) = (
        format_date(range.from(), Locale::Fr),
        format_date(range.to(), Locale::Fr),
    );
    let blank = String::new;
    for a in accounts {
        let (number, label) = (a.account.to_string(), text(&a.label));
        rows.push(vec![
            number.clone(),
            label.clone(),
            from.clone(),
            blank(),
            blank(),
            blank(),
            text(&i18n::t(l, "ledger-opening-balance")),
            blank(),
            blank(),
            blank(),
            blank(),
            amount(a.opening),
        ]);
        for r in &a.lines {
            let x = &r.line;
            rows.push(vec![
                number.clone(),
                label.clone(),
                format_date(x.date, Locale::Fr),
                x.journal.code().to_owned(),
                x.number.clone(),
                text(x.piece_ref.as_deref().unwrap_or_default()),
                text(&x.entry_label),
                text(&x.label),
                text(x.third_party_name.as_deref().unwrap_or_default()),
                amount(x.debit),
                amount(x.credit),
                amount(r.balance),
            ]);
        }
        rows.push(vec![
            number.clone(),
            label,
            to.clone(),
            blank(),
            blank(),
            blank(),
            text(&i18n::t_args(
                l,
                "ledger-account-total",
                &[("number", number)],
            )),
            blank(),
            blank(),
            amount(a.debit),
            amount(a.credit),
            amount(a.closing),
        ]);
    }
    rows
}

//! The ledger's pages: the trial balance (with its CSV), a journal's entries,
//! the monthly periods finance closes grouped by fiscal year, and the
//! reports in the submodules: the general ledger and the customer ledger.

pub mod customers;
pub mod ereporting;
pub mod fec;
pub mod ledger;
mod report;
pub mod seal;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::ledger::{FiscalYear, Journal, PeriodStatus};
use domain::locale::format_date;
use domain::money::Money;
use domain::paging::KeysetRequest;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use time::Date;

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Query};
use crate::view::{Flash, FlashKind, KeysetPager, Layout, layout, render};
use crate::write::{Done, Refused, flash_back, write};
use crate::{AppState, chart, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub journal: String,
    /// The journal page's place (its keyset cursors).
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
}

/// The dates asked for, or the current fiscal year.
fn range(q: &RangeQuery) -> (Date, Date) {
    let year = FiscalYear::of(store::today());
    let (start, end) = (year.start(), year.end());
    let from = domain::validation::date(&q.from).unwrap_or(start);
    let to = domain::validation::date(&q.to).unwrap_or(end);
    if to < from { (to, from) } else { (from, to) }
}

pub struct BalanceRow {
    pub account: String,
    pub label: String,
    pub debit: String,
    pub credit: String,
    /// Solde débiteur and solde créditeur: one of them is blank.
    pub debit_balance: String,
    pub credit_balance: String,
}

#[derive(Template)]
#[template(path = "accounting/trial_balance.html")]
struct TrialBalancePage {
    layout: Layout,
    rows: Vec<BalanceRow>,
    from: String,
    to: String,
    total_debit: String,
    total_credit: String,
    total_debit_balance: String,
    total_credit_balance: String,
    balanced: bool,
    chart: Option<String>,
    csv: String,
}

pub async fn trial_balance(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (from, to) = range(&q);
    let mut tx = app.db.read().await?;
    let lines = store::ledger::trial_balance(&mut tx, from, to).await?;
    tx.commit().await?;
    let (d, c) = lines.iter().fold((Money::ZERO, Money::ZERO), |(d, c), b| {
        (d + b.totals.debit, c + b.totals.credit)
    });
    let (db, cb) = lines.iter().fold((Money::ZERO, Money::ZERO), |(d, c), b| {
        let (bd, bc) = b.totals.balance_sides();
        (d + bd, c + bc)
    });
    let blank_zero = |m: Money| {
        if m.is_zero() {
            String::new()
        } else {
            m.format(l)
        }
    };
    // Balances by PCG class: what is owed, earned and spent at a glance.
    let mut by_class = [0u64; 8];
    for b in &lines {
        by_class[usize::from(b.account.class())] += b.totals.balance().cents().unsigned_abs();
    }
    let items: Vec<(String, u64)> = (1..=7)
        .filter(|k| by_class[*k] > 0)
        .map(|k| (i18n::t(l, &format!("ledger-class-{k}")), by_class[k] / 100))
        .collect();
    let page = TrialBalancePage {
        layout: layout(&app, &ctx, "ledger-trial-balance").await?,
        rows: lines
            .iter()
            .map(|b| BalanceRow {
                account: b.account.to_string(),
                label: b.label.clone(),
                debit: b.totals.debit.format(l),
                credit: b.totals.credit.format(l),
                debit_balance: blank_zero(b.totals.balance_sides().0),
                credit_balance: blank_zero(b.totals.balance_sides().1),
            })
            .collect(),
        // The fields take 28/11/2026 in either language (an English date
        // such as "1 Jan 2026" would not parse back when submitted).
        from: format_date(from, Locale::Fr),
        to: format_date(to, Locale::Fr),
        total_debit: d.format(l),
        total_credit: c.format(l),
        total_debit_balance: db.format(l),
        total_credit_balance: cb.format(l),
        balanced: d == c,
        chart: (!items.is_empty()).then(|| chart::bars(&i18n::t(l, "ledger-chart-title"), &items)),
        csv: format!(
            "/accounting/trial-balance.csv?from={}&to={}",
            format_date(from, Locale::Fr),
            format_date(to, Locale::Fr)
        ),
    };
    render(&page)
}

pub async fn trial_balance_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (from, to) = range(&q);
    let mut tx = app.db.read().await?;
    let lines = store::ledger::trial_balance(&mut tx, from, to).await?;
    tx.commit().await?;
    let mut rows = vec![
        [
            "ledger-account",
            "ledger-label",
            "ledger-debit",
            "ledger-credit",
            "ledger-debit-balance",
            "ledger-credit-balance",
        ]
        .iter()
        .map(|k| crate::csv::text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    rows.extend(lines.iter().map(|b| {
        vec![
            b.account.to_string(),
            crate::csv::text(&b.label),
            crate::csv::amount(b.totals.debit),
            crate::csv::amount(b.totals.credit),
            crate::csv::amount(b.totals.balance_sides().0),
            crate::csv::amount(b.totals.balance_sides().1),
        ]
    }));
    Ok(crate::csv::response(
        &format!("balance-{from}-{to}.csv"),
        crate::csv::document(&rows),
    ))
}

pub struct EntryView {
    pub number: String,
    pub date: String,
    pub label: String,
    pub piece: String,
    pub reversal: bool,
    pub provisional: bool,
    pub lines: Vec<(String, String, String, String)>,
}

/// The journal's brouillard, with the validation form.
pub struct WaitingView {
    pub count: i64,
    pub summary: String,
    /// The date the form offers: the last entry waiting, today at the latest.
    pub through: String,
    pub can_validate: bool,
}

#[derive(Template)]
#[template(path = "accounting/journal.html")]
struct JournalPage {
    layout: Layout,
    journals: Vec<(&'static str, String, bool)>,
    entries: Vec<EntryView>,
    waiting: Option<WaitingView>,
    journal: &'static str,
    from: String,
    to: String,
    csv: String,
    pager: KeysetPager,
}

pub async fn journal(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (from, to) = range(&q);
    let journal = Journal::parse(q.journal.trim()).unwrap_or(Journal::Ve);
    let req = KeysetRequest::new(
        q.after.as_deref(),
        q.before.as_deref(),
        Some(JOURNAL_PER_PAGE),
        store::ledger::JOURNAL_CURSOR_PARTS,
    );
    let mut tx = app.db.read().await?;
    let entries = store::ledger::journal_page(&mut tx, journal, from, to, &req).await?;
    tx.commit().await?;
    let pager = KeysetPager::new(
        &entries,
        "/accounting/journal",
        &[
            ("journal", journal.code().to_owned()),
            ("from", format_date(from, Locale::Fr)),
            ("to", format_date(to, Locale::Fr)),
        ],
        None,
    );
    let entries = entries.items;
    let waiting = if domain::brouillard::numbered_at_validation(journal) {
        let mut tx = app.db.read().await?;
        let w = store::brouillard::waiting(&mut tx, journal).await?;
        tx.commit().await?;
        let today = store::today();
        Some(WaitingView {
            count: w.count,
            summary: match (w.first, w.last) {
                (Some(first), Some(last)) => i18n::t_args(
                    l,
                    "ledger-brouillard-summary",
                    &[
                        ("count", w.count.to_string()),
                        ("from", format_date(first, l)),
                        ("to", format_date(last, l)),
                    ],
                ),
                _ => i18n::t(l, "ledger-brouillard-empty"),
            },
            through: format_date(w.last.unwrap_or(today).min(today), l),
            can_validate: allows(ctx.user()?.role, Permission::ManageAccounting),
        })
    } else {
        None
    };
    let page = JournalPage {
        waiting,
        journal: journal.code(),
        layout: layout(&app, &ctx, "ledger-journal").await?,
        journals: Journal::ALL
            .iter()
            .map(|j| (j.code(), i18n::t(l, j.label_key()), *j == journal))
            .collect(),
        entries: entries
            .iter()
            .map(|e| EntryView {
                number: e.number.clone(),
                date: format_date(e.date, l),
                label: e.label.clone(),
                piece: e.piece_ref.clone().unwrap_or_default(),
                reversal: e.reverses_id.is_some(),
                provisional: e.provisional,
                lines: e
                    .lines
                    .iter()
                    .map(|x| {
                        let amount = |m: Money| {
                            if m.is_zero() {
                                String::new()
                            } else {
                                m.format(l)
                            }
                        };
                        (
                            x.account.to_string(),
                            x.label.clone(),
                            amount(x.debit),
                            amount(x.credit),
                        )
                    })
                    .collect(),
            })
            .collect(),
        from: format_date(from, Locale::Fr),
        to: format_date(to, Locale::Fr),
        pager,
        csv: format!(
            "/accounting/journal.csv?journal={}&from={}&to={}",
            journal.code(),
            format_date(from, Locale::Fr),
            format_date(to, Locale::Fr)
        ),
    };
    render(&page)
}

/// The journal as a file: one row per posting line, so a spreadsheet can
/// re-add it entry by entry.
pub async fn journal_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (journal, from, to, entries) = journal_entries(&app, &q, JOURNAL_CSV_MAX).await?;
    let mut rows = vec![
        [
            "ledger-journal",
            "ledger-entry-number",
            "ledger-date",
            "ledger-piece",
            "ledger-label",
            "ledger-account",
            "ledger-line-label",
            "ledger-debit",
            "ledger-credit",
        ]
        .iter()
        .map(|k| crate::csv::text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    for e in &entries {
        for x in &e.lines {
            rows.push(vec![
                journal.code().to_owned(),
                e.number.clone(),
                format_date(e.date, Locale::Fr),
                crate::csv::text(e.piece_ref.as_deref().unwrap_or_default()),
                crate::csv::text(&e.label),
                x.account.to_string(),
                crate::csv::text(&x.label),
                crate::csv::amount(x.debit),
                crate::csv::amount(x.credit),
            ]);
        }
    }
    Ok(crate::csv::response(
        &format!("journal-{}-{from}-{to}.csv", journal.code()),
        crate::csv::document(&rows),
    ))
}

/// The journal and range asked for (VE and the default range when absent),
/// and its entries: what the page and its export both show.
async fn journal_entries(
    app: &AppState,
    q: &RangeQuery,
    limit: i64,
) -> AppResult<(Journal, Date, Date, Vec<store::ledger::Posted>)> {
    let (from, to) = range(q);
    let journal = Journal::parse(q.journal.trim()).unwrap_or(Journal::Ve);
    let mut tx = app.db.read().await?;
    let entries = store::ledger::journal(&mut tx, journal, from, to, limit).await?;
    tx.commit().await?;
    Ok((journal, from, to, entries))
}

/// Entries a journal page shows.
const JOURNAL_PER_PAGE: u32 = 100;

/// Entries a journal export holds at most (a year of a large firm's sales).
const JOURNAL_CSV_MAX: i64 = 200_000;

pub struct PeriodRow {
    pub month: String,
    pub label: String,
    pub closed: bool,
    pub closable: bool,
}

pub struct FiscalYearView {
    pub year: i32,
    pub title: String,
    pub dates: String,
    pub closed: bool,
    pub months: Vec<PeriodRow>,
}

#[derive(Template)]
#[template(path = "accounting/periods.html")]
struct PeriodsPage {
    layout: Layout,
    years: Vec<FiscalYearView>,
    can_close: bool,
}

pub async fn periods(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    let current = YearMonth::of(today);
    let can_close = allows(ctx.user()?.role, Permission::ManageAccounting);
    let mut tx = app.db.read().await?;
    let years = store::ledger_reports::fiscal_years(&mut tx, today).await?;
    tx.commit().await?;
    let years = years
        .into_iter()
        .map(|fy| FiscalYearView {
            year: fy.year.year(),
            title: i18n::t_args(
                l,
                "ledger-fiscal-year",
                &[("year", fy.year.year().to_string())],
            ),
            dates: i18n::t_args(
                l,
                "ledger-fiscal-year-dates",
                &[
                    ("from", format_date(fy.year.start(), l)),
                    ("to", format_date(fy.year.end(), l)),
                ],
            ),
            closed: fy.status() == PeriodStatus::Closed,
            months: fy
                .months
                .iter()
                .map(|(m, status)| PeriodRow {
                    month: m.to_string(),
                    label: m.label(l),
                    closed: *status == PeriodStatus::Closed,
                    // A month is closed once it is over.
                    closable: *status == PeriodStatus::Open && *m < current,
                })
                .collect(),
        })
        .collect();
    render(&PeriodsPage {
        layout: layout(&app, &ctx, "ledger-periods").await?,
        years,
        can_close,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub month: String,
}

pub async fn close(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    const BACK: &str = "/accounting/periods";
    let Some(month) = YearMonth::parse(f.month.trim()) else {
        let v = ValidationErrors::single("month", "ledger-month-invalid");
        return flash_back(&app, &ctx, &v, BACK).await;
    };
    if month >= YearMonth::of(store::today()) {
        let v = ValidationErrors::single("month", "ledger-month-not-over");
        return flash_back(&app, &ctx, &v, BACK).await;
    }
    write(&app, &ctx)
        .flash("ledger-period-closed-flash")
        .redirect(BACK, async |tx| {
            store::ledger_close::close_period(tx, &ctx.actor(), month).await
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ValidateForm {
    #[serde(default)]
    pub journal: String,
    #[serde(default)]
    pub through: String,
}

/// Validates a journal's brouillard up to the date given: its entries get
/// their numbers in date order and their seal.
pub async fn validate_journal(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ValidateForm>,
) -> AppResult<Response> {
    let journal = Journal::parse(f.journal.trim()).unwrap_or(Journal::Bq);
    let back = format!("/accounting/journal?journal={}", journal.code());
    let mut errors = ValidationErrors::new();
    let through = errors.optional("through", &f.through, domain::validation::date);
    if through.is_none() && errors.is_empty() {
        errors.add("through", "field-required");
    }
    let Some(through) = through.filter(|_| errors.is_empty()) else {
        return flash_back(&app, &ctx, &errors, &back).await;
    };
    let l = ctx.locale;
    let said = |done: &store::brouillard::Validation| {
        let text = match (&done.first, &done.last) {
            (Some(first), Some(last)) => i18n::t_args(
                l,
                "ledger-validated-flash",
                &[
                    ("count", done.count.to_string()),
                    ("first", first.clone()),
                    ("last", last.clone()),
                ],
            ),
            _ => i18n::t_args(
                l,
                "ledger-validated-none",
                &[("date", format_date(through, l))],
            ),
        };
        Some(Flash::text(FlashKind::Success, text))
    };
    let validate =
        async |tx: &mut Tx| store::brouillard::validate(tx, &ctx.actor(), journal, through).await;
    match write(&app, &ctx).run_then_flash(validate, said).await? {
        Done(_) => Ok(see_other(&back)),
        Refused(v) => flash_back(&app, &ctx, &v, &back).await,
    }
}

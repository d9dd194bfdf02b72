//! Activity reports seen from above: the late ones with the on-time rate,
//! and the validated days waiting to be invoiced (page and CSV export).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::cra::{CraStatus, ON_TIME_WORKING_DAY};
use domain::cra_reports::{Stuck, format_per_mille};
use domain::ids::{CraId, MissionId};
use domain::locale::format_date;
use domain::paging::{PageRequest, Paged};
use serde::Deserialize;
use store::cra_reports::{BillableLine, LateCra, MonthRate};

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{Layout, Pager, layout, render};
use crate::{AppState, chart, i18n};

/// The `n` months before `month`, oldest first.
fn months_before(month: YearMonth, n: usize) -> Vec<YearMonth> {
    let mut out: Vec<YearMonth> = std::iter::successors(Some(month.prev()), |m| Some(m.prev()))
        .take(n)
        .collect();
    out.reverse();
    out
}

// ---------------------------------------------------------------------------
// Late reports
// ---------------------------------------------------------------------------

pub struct RateRow {
    pub month: String,
    pub deadline: String,
    pub expected: u32,
    pub on_time: u32,
    pub late: u32,
    pub not_validated: u32,
    pub rate: String,
    pub closed: bool,
}

pub struct LateRow {
    pub month: String,
    pub consultant: String,
    pub status: String,
    pub clients: String,
    pub delay: String,
    pub cra_id: Option<CraId>,
}

pub struct LateGroup {
    pub key: &'static str,
    pub title: String,
    /// How many reports the group holds in all.
    pub count: usize,
    /// One page of them.
    pub rows: Vec<LateRow>,
    pub pager: Option<Pager>,
}

/// Late reports a group shows at a time.
const LATE_PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct LateQuery {
    /// The group paged through (the others show their first page).
    #[serde(default)]
    pub group: String,
    pub page: Option<u32>,
    /// Only the reports of the missions the signed-in manager manages
    /// (`mine=1`, from his home page).
    #[serde(default)]
    pub mine: String,
}

#[derive(Template)]
#[template(path = "cras/late.html")]
struct LatePage {
    layout: Layout,
    definition: String,
    chart: String,
    rates: Vec<RateRow>,
    groups: Vec<LateGroup>,
    total: usize,
}

fn status_label(l: Locale, status: Option<CraStatus>) -> String {
    let key = match status {
        None => "late-status-missing",
        Some(CraStatus::Draft) => "late-status-draft",
        Some(CraStatus::Signed) => "late-status-signed",
        Some(CraStatus::ClientValidated) => "late-status-client-validated",
        Some(_) => "late-status-validated",
    };
    i18n::t(l, key)
}

fn rate_row(r: &MonthRate, l: Locale) -> RateRow {
    RateRow {
        month: r.month.label(l),
        deadline: format_date(r.deadline, l),
        expected: r.expected,
        on_time: r.on_time,
        late: r.late,
        not_validated: r.not_validated,
        rate: r
            .per_mille
            .map(|p| format_per_mille(p, l))
            .unwrap_or_else(|| "—".into()),
        closed: r.closed,
    }
}

fn late_row(c: &LateCra, l: Locale) -> LateRow {
    let days = c.days_late.to_string();
    LateRow {
        month: c.month.label(l),
        consultant: c.consultant_name.clone(),
        status: status_label(l, c.status),
        clients: c.pending_clients.join(", "),
        delay: if c.overdue {
            i18n::t_args(l, "late-days-overdue", &[("days", days)])
        } else {
            i18n::t_args(
                l,
                "late-days-unsigned",
                &[("days", days), ("when", format_date(c.deadline, l))],
            )
        },
        cra_id: c.cra_id,
    }
}

/// GET /cras/late: the rule, the last 12 months' on-time rate, and the late
/// reports grouped by who must act.
/// GET /cras/late?group=&page=: the on-time rates, then the late reports
/// by who must act, each group a page at a time (the list is derived from
/// twelve months of reports in memory, so paging spares the page's weight,
/// not the reading).
pub async fn late(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LateQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    let months = months_before(YearMonth::of(today), 12);
    let mut tx = app.db.read().await?;
    let rates = store::cra_reports::on_time_rates(&mut tx, &months, today).await?;
    let mine = (q.mine == "1").then_some(ctx.user()?.id);
    // A business manager sees the reports of his portfolio's consultants.
    let consultants: Option<std::collections::BTreeSet<domain::ids::UserId>> =
        store::missions::visible(&mut tx, ctx.scope()?)
            .await?
            .map(|v| v.into_values().collect());
    let late: Vec<LateCra> = store::cra_reports::late(&mut tx, today)
        .await?
        .into_iter()
        .filter(|c| mine.is_none_or(|me| c.managers.contains(&me)))
        .filter(|c| {
            consultants
                .as_ref()
                .is_none_or(|v| v.contains(&c.consultant_id))
        })
        .collect();
    tx.commit().await?;
    let chart = chart::rates(
        &i18n::t(l, "late-chart-title"),
        &rates
            .iter()
            .map(|r| {
                (
                    r.month.label(l),
                    r.per_mille,
                    r.per_mille
                        .map(|p| format_per_mille(p, l))
                        .unwrap_or_else(|| "—".into()),
                )
            })
            .collect::<Vec<_>>(),
    );
    let groups = Stuck::ALL
        .into_iter()
        .map(|s| {
            let all: Vec<&LateCra> = late.iter().filter(|c| c.stuck == s).collect();
            let asked = if q.group == s.as_str() { q.page } else { None };
            let req = PageRequest::new(asked, Some(LATE_PER_PAGE));
            // Past the last page: the last one.
            let pages = (all.len() as u64).div_ceil(u64::from(LATE_PER_PAGE)).max(1) as u32;
            let req = PageRequest::new(Some(req.page.min(pages)), Some(LATE_PER_PAGE));
            let rows: Vec<LateRow> = all
                .iter()
                .skip(req.offset() as usize)
                .take(req.per_page as usize)
                .map(|c| late_row(c, l))
                .collect();
            let paged = Paged {
                items: Vec::<()>::new(),
                page: req.page,
                per_page: req.per_page,
                total: all.len() as u64,
            };
            LateGroup {
                key: s.as_str(),
                title: i18n::t(l, &format!("late-group-{}", s.as_str())),
                count: all.len(),
                rows,
                pager: (pages > 1).then(|| {
                    Pager::new(
                        &paged,
                        "/cras/late",
                        &[("group", s.as_str().to_owned()), ("mine", q.mine.clone())],
                    )
                }),
            }
        })
        .collect();
    render(&LatePage {
        layout: layout(&app, &ctx, "late-title").await?,
        definition: i18n::t_args(
            l,
            "late-definition",
            &[("day", ON_TIME_WORKING_DAY.to_string())],
        ),
        chart,
        rates: rates.iter().rev().map(|r| rate_row(r, l)).collect(),
        groups,
        total: late.len(),
    })
}

// ---------------------------------------------------------------------------
// Billable days
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The longest range one request may ask for.
const MAX_MONTHS: usize = 36;

/// The months asked for: by default the current month and the two before;
/// a bound that does not parse takes its default, reversed bounds are
/// swapped, and the range is cut to its last `MAX_MONTHS` months.
fn range(q: &RangeQuery, current: YearMonth) -> (YearMonth, YearMonth) {
    let default_from = current.prev().prev();
    let from = YearMonth::parse(q.from.trim()).unwrap_or(default_from);
    let to = YearMonth::parse(q.to.trim()).unwrap_or(current);
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    let earliest = (1..MAX_MONTHS).fold(to, |m, _| m.prev());
    (from.max(earliest), to)
}

pub struct BillRow {
    pub month: String,
    pub period: String,
    pub days: String,
    pub tjm: String,
    pub amount: String,
    pub cra_id: CraId,
}

pub struct MissionBlock {
    pub mission_id: MissionId,
    pub title: String,
    pub client: String,
    pub consultant: String,
    pub code: String,
    pub rows: Vec<BillRow>,
    pub days: String,
    pub amount: String,
    pub unpriced: bool,
}

#[derive(Template)]
#[template(path = "cras/billable.html")]
struct BillablePage {
    layout: Layout,
    from: String,
    to: String,
    range_label: String,
    missions: Vec<MissionBlock>,
    days: String,
    amount: String,
    csv_href: String,
    /// Days on invoices held for their client contract's signature (the
    /// key-account rule): shown apart, not to invoice again.
    waiting: Vec<BillRowOf>,
    waiting_days: String,
    waiting_amount: String,
}

/// A line of the days held for a signature, with its mission.
pub struct BillRowOf {
    pub mission: String,
    pub client: String,
    pub row: BillRow,
}

fn bill_row(b: &BillableLine, l: Locale) -> BillRow {
    BillRow {
        month: b.month.label(l),
        period: format!("{} → {}", format_date(b.from, l), format_date(b.to, l)),
        days: b.days.format(l),
        tjm: b
            .tjm
            .map(|t| t.amount().format(l))
            .unwrap_or_else(|| i18n::t(l, "billable-no-rate")),
        amount: match b.tjm {
            Some(_) => b.amount.format(l),
            None => "—".into(),
        },
        cra_id: b.cra_id,
    }
}

/// GET /cras/billable: what is still to invoice — validated days on no
/// issued invoice (nor one held for a signature; a draft's days count, and
/// a day a credit note gave back counts again) × rates, by
/// mission, month and rate period, with totals — and apart the days held
/// on invoices waiting for a client contract's signature.
pub async fn billable(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (from, to) = range(&q, YearMonth::of(store::today()));
    let mut tx = app.db.read().await?;
    let visible = store::missions::visible(&mut tx, ctx.scope()?).await?;
    let lines = in_scope(
        store::cra_reports::billable(&mut tx, from, to, store::cra_reports::Billing::ToInvoice)
            .await?,
        visible.as_ref(),
    );
    let waiting = in_scope(
        store::cra_reports::billable(
            &mut tx,
            from,
            to,
            store::cra_reports::Billing::WaitingSignature,
        )
        .await?,
        visible.as_ref(),
    );
    tx.commit().await?;
    let totals = store::cra_reports::totals(&lines);
    let waiting_totals = store::cra_reports::totals(&waiting);
    let missions = totals
        .missions
        .iter()
        .map(|t| MissionBlock {
            mission_id: t.mission_id,
            title: t.mission_title.clone(),
            client: t.client_name.clone(),
            consultant: t.consultant_name.clone(),
            code: t.analytic_code.clone(),
            rows: lines
                .iter()
                .filter(|b| b.mission_id == t.mission_id)
                .map(|b| bill_row(b, l))
                .collect(),
            days: t.days.format(l),
            amount: t.amount.format(l),
            unpriced: t.unpriced,
        })
        .collect();
    render(&BillablePage {
        layout: layout(&app, &ctx, "billable-title").await?,
        range_label: i18n::t_args(
            l,
            "billable-range",
            &[("from", from.label(l)), ("to", to.label(l))],
        ),
        csv_href: format!("/cras/billable.csv?from={from}&to={to}"),
        from: from.to_string(),
        to: to.to_string(),
        missions,
        days: totals.days.format(l),
        amount: totals.amount.format(l),
        waiting: waiting
            .iter()
            .map(|b| BillRowOf {
                mission: b.mission_title.clone(),
                client: b.client_name.clone(),
                row: bill_row(b, l),
            })
            .collect(),
        waiting_days: waiting_totals.days.format(l),
        waiting_amount: waiting_totals.amount.format(l),
    })
}

/// The billable lines as CSV for French spreadsheets: UTF-8 with a BOM, `;`
/// between cells, decimal commas, dates as 28/11/2026, CRLF line ends.
pub fn billable_csv_text(lines: &[BillableLine], l: Locale) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = [
        "billable-csv-month",
        "billable-csv-month-code",
        "billable-client",
        "billable-mission",
        "billable-code",
        "billable-consultant",
        "billable-csv-from",
        "billable-csv-to",
        "billable-days",
        "billable-tjm",
        "billable-amount",
    ]
    .iter()
    .map(|k| crate::csv::text(&i18n::t(l, k)))
    .collect();
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for b in lines {
        let cells = [
            crate::csv::text(&b.month.label(l)),
            b.month.to_string(),
            crate::csv::text(&b.client_name),
            crate::csv::text(&b.mission_title),
            crate::csv::text(&b.analytic_code),
            crate::csv::text(&b.consultant_name),
            format_date(b.from, Locale::Fr),
            format_date(b.to, Locale::Fr),
            b.days.format(Locale::Fr),
            b.tjm
                .map(|t| crate::csv::amount(t.amount()))
                .unwrap_or_default(),
            b.tjm
                .map(|_| crate::csv::amount(b.amount))
                .unwrap_or_default(),
        ];
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The lines of the missions a narrowed scope may see (`None`: all).
fn in_scope(
    lines: Vec<store::cra_reports::BillableLine>,
    visible: Option<&std::collections::BTreeMap<domain::ids::MissionId, domain::ids::UserId>>,
) -> Vec<store::cra_reports::BillableLine> {
    match visible {
        None => lines,
        Some(v) => lines
            .into_iter()
            .filter(|l| v.contains_key(&l.mission_id))
            .collect(),
    }
}

/// GET /cras/billable.csv: the same lines as the page, for a spreadsheet.
pub async fn billable_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    let (from, to) = range(&q, YearMonth::of(store::today()));
    let mut tx = app.db.read().await?;
    let visible = store::missions::visible(&mut tx, ctx.scope()?).await?;
    let lines = in_scope(
        store::cra_reports::billable(&mut tx, from, to, store::cra_reports::Billing::ToInvoice)
            .await?,
        visible.as_ref(),
    );
    tx.commit().await?;
    let body = billable_csv_text(&lines, ctx.locale);
    Ok(crate::csv::response(
        &format!("a-facturer-{from}-{to}.csv"),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn ym(y: i32, m: Month) -> YearMonth {
        YearMonth::new(y, m)
    }

    #[test]
    fn the_range_defaults_to_the_last_three_months() {
        let now = ym(2026, Month::January);
        let q = RangeQuery::default();
        assert_eq!(range(&q, now), (ym(2025, Month::November), now));
        let q = RangeQuery {
            from: "2026-05".into(),
            to: "2026-02".into(),
        };
        assert_eq!(
            range(&q, now),
            (ym(2026, Month::February), ym(2026, Month::May))
        );
        let q = RangeQuery {
            from: "2000-01".into(),
            to: "nope".into(),
        };
        assert_eq!(range(&q, now), (ym(2023, Month::February), now));
    }

    #[test]
    fn months_before_are_oldest_first() {
        let m = months_before(ym(2026, Month::February), 3);
        assert_eq!(
            m,
            [
                ym(2025, Month::November),
                ym(2025, Month::December),
                ym(2026, Month::January)
            ]
        );
    }
}

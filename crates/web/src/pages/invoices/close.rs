//! The month-end close: a period and the date the invoices it issues bear
//! (by default last month, today), the run (drafts the days not billed,
//! issues what is unlocked, accrues what waits for a signature), then what
//! the latest run did, the history of the period's runs and its totals by
//! status. A refused close (a closed ledger period, an issue date before
//! the period's end) is shown in words, nothing written.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::invoice::InvoiceStatus;
use domain::locale::{format_date, format_datetime};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::invoicing::close::{self, Close, Summary};

use store::invoicing::read;

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, FlashKind, Layout, flash, layout, render, render_status};
use crate::{AppState, i18n};

pub struct SummaryView {
    pub units: usize,
    pub drafted: usize,
    pub issued: usize,
    pub issued_net: String,
    pub issued_vat: String,
    pub issued_gross: String,
    pub accrued: usize,
    pub accrued_gross: String,
    pub waiting: usize,
    pub drafts_kept: usize,
    /// The unit (client — contract) and the reason, in words.
    pub errors: Vec<(String, String)>,
}

impl SummaryView {
    fn new(l: Locale, s: &Summary) -> SummaryView {
        SummaryView {
            units: s.units,
            drafted: s.drafted,
            issued: s.issued,
            issued_net: s.issued_net.format(l),
            issued_vat: s.issued_vat.format(l),
            issued_gross: s.issued_gross.format(l),
            accrued: s.accrued,
            accrued_gross: s.accrued_gross.format(l),
            waiting: s.waiting,
            drafts_kept: s.drafts_kept,
            errors: s
                .errors
                .iter()
                .map(|e| {
                    let args: Vec<(&str, domain::validation::Arg)> = e
                        .args
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    (e.unit.clone(), i18n::t_args(l, &e.key, &args))
                })
                .collect(),
        }
    }
}

pub struct RunRow {
    pub at: String,
    /// `None` while running, or when the run stopped before its end.
    pub summary: Option<SummaryView>,
    /// While queued or running: how far it got, in words (both passes
    /// over the contracts), and the percentage done.
    pub progress: Option<(String, u32)>,
    /// Refused when it started (its period closed meanwhile), in words.
    pub refusal: Option<String>,
}

pub struct TotalRow {
    pub status: String,
    pub count: String,
    pub net: String,
}

#[derive(Template)]
#[template(path = "invoices/close.html")]
struct ClosePage {
    layout: Layout,
    can_run: bool,
    period: String,
    period_label: String,
    issue_date: String,
    errors: FieldErrors,
    messages: Vec<String>,
    latest: Option<RunRow>,
    runs: Vec<RunRow>,
    totals: Vec<TotalRow>,
    /// A run is queued or running: the page refreshes its progress.
    polling: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseQuery {
    #[serde(default)]
    pub period: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub issue_date: String,
}

fn default_period() -> YearMonth {
    YearMonth::of(store::today()).prev()
}

/// What the page shows of `period`, with the form as typed and the
/// refusal if any.
async fn page(
    app: &AppState,
    ctx: &Ctx,
    period: YearMonth,
    form: (String, String),
    errors: Option<ValidationErrors>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let runs = close::runs(&mut tx, period).await?;
    let totals = read::period_totals(&mut tx, period).await?;
    tx.commit().await?;
    let polling = runs.iter().any(close::Run::in_progress);
    let view = |r: &close::Run| RunRow {
        at: format_datetime(r.at, l),
        summary: r.summary.as_ref().map(|s| SummaryView::new(l, s)),
        progress: r.in_progress().then(|| {
            let pct = (r.done * 100).checked_div(r.total).unwrap_or(0).min(100) as u32;
            let text = i18n::t_args(
                l,
                "close-in-progress",
                &[
                    ("done", domain::locale::format_int(r.done as i64, l)),
                    ("total", domain::locale::format_int(r.total as i64, l)),
                ],
            );
            (text, pct)
        }),
        refusal: r.refusal.as_ref().map(|e| {
            let args: Vec<(&str, domain::validation::Arg)> = e
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            i18n::t_args(l, &e.key, &args)
        }),
    };
    let latest = runs.first().map(view);
    let runs: Vec<RunRow> = runs.iter().map(view).collect();
    let refused = errors.is_some();
    let errors = errors.unwrap_or_default();
    let page = ClosePage {
        layout: layout(app, ctx, "close-title").await?,
        can_run: allows(ctx.user()?.role, Permission::ManageInvoices),
        period: form.0,
        period_label: period.label(l),
        issue_date: form.1,
        errors: FieldErrors::new(l, &errors),
        messages: errors.0.iter().map(|e| i18n::field_error(l, e)).collect(),
        latest,
        runs,
        polling,
        totals: totals
            .iter()
            .map(|(status, count, net)| TotalRow {
                status: InvoiceStatus::parse(status)
                    .map(|s| i18n::t(l, &s.label_key()))
                    .unwrap_or_else(|| status.clone()),
                count: domain::locale::format_int(*count, l),
                net: net.format(l),
            })
            .collect(),
    };
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

fn today_input() -> String {
    format_date(store::today(), Locale::Fr)
}

/// GET /close?period=YYYY-MM
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CloseQuery>,
) -> AppResult<Response> {
    match q.period.trim() {
        "" => {
            let p = default_period();
            page(&app, &ctx, p, (p.to_string(), today_input()), None).await
        }
        typed => match YearMonth::parse(typed) {
            Some(p) => page(&app, &ctx, p, (p.to_string(), today_input()), None).await,
            None => {
                let e = ValidationErrors::single("period", "invoice-period-invalid");
                let form = (typed.to_owned(), today_input());
                page(&app, &ctx, default_period(), form, Some(e)).await
            }
        },
    }
}

/// POST /close: queues the close of the period, then shows its progress.
pub async fn run(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    let form = (f.period.trim().to_owned(), f.issue_date.trim().to_owned());
    let mut errors = ValidationErrors::new();
    let period = YearMonth::parse(&form.0);
    if period.is_none() {
        errors.add("period", "invoice-period-invalid");
    }
    let issue_date = errors.required("issue_date", &form.1, domain::validation::date);
    let (Some(period), Some(issue_date)) = (period, issue_date) else {
        return page(
            &app,
            &ctx,
            period.unwrap_or_else(default_period),
            form,
            Some(errors),
        )
        .await;
    };
    // The close runs in the background (a job), in batches; the page shows
    // its progress and then what it did.
    let mut tx = app.db.begin().await?;
    match close::request(&mut tx, &ctx.actor(), Close { period, issue_date }).await {
        Ok(_) => {
            tx.commit().await?;
            flash(&app, &ctx, FlashKind::Success, "close-queued-flash").await?;
            Ok(see_other(&format!("/close?period={period}")))
        }
        Err(store::Error::Invalid(v)) => {
            tx.rollback().await?;
            page(&app, &ctx, period, form, Some(v)).await
        }
        Err(e) => Err(e.into()),
    }
}

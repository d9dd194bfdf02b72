//! The collections dashboard (#8, receivables reporting): the aged balance
//! per client with its chart and CSV, DSO by both methods with the formula
//! and its numbers, the expected cash-in for the next 90 days by week, and
//! each client's statement as a PDF.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::ids::CompanyId;
use domain::locale::format_date;
use domain::money::Money;
use domain::receivables::{AgedBalance, Bucket, Buckets, Forecast};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::receivables::Dso;
use time::Date;

use crate::chart::{self, StackedRow};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Id, Query};
use crate::pages::documents::pdf_response;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::{AppState, i18n};

/// The horizon of the expected cash-in, in days.
pub const FORECAST_DAYS: i64 = 90;
/// The DSO periods offered, in months.
pub const DSO_MONTHS: [u32; 3] = [3, 6, 12];

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// The aged balance's date (default today).
    #[serde(default)]
    pub as_of: String,
    /// The DSO period's last day (default today).
    #[serde(default)]
    pub end: String,
    /// 3, 6 or 12 (default 3).
    #[serde(default)]
    pub months: String,
}

struct Asked {
    as_of: Date,
    end: Date,
    months: u32,
}

fn parse(q: &DashboardQuery, today: Date) -> Result<Asked, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let as_of = e.optional("as_of", &q.as_of, domain::validation::date);
    let end = e.optional("end", &q.end, domain::validation::date);
    let months = match q.months.trim() {
        "" => Some(DSO_MONTHS[0]),
        m => m.parse::<u32>().ok().filter(|m| DSO_MONTHS.contains(m)),
    };
    if months.is_none() {
        e.add("months", "receivables-months-invalid");
    }
    e.into_result(|| Asked {
        as_of: as_of.unwrap_or(today),
        end: end.unwrap_or(today),
        months: months.unwrap_or(DSO_MONTHS[0]),
    })
}

use domain::receivables::format_days as days;

/// A chart segment: cents, negative ones drawn as nothing.
fn bar(m: Money) -> u64 {
    m.cents().max(0) as u64
}

pub struct AgedRow {
    pub name: String,
    pub statement: String,
    pub buckets: Vec<String>,
    pub total: String,
    pub credit: String,
    pub net: String,
}

fn amounts(b: &Buckets, l: Locale) -> Vec<String> {
    b.amounts().iter().map(|m| m.format(l)).collect()
}

fn aged_rows(ab: &AgedBalance, l: Locale) -> Vec<AgedRow> {
    ab.clients
        .iter()
        .map(|c| AgedRow {
            name: c.name.clone(),
            statement: statement_href(c.client, ab.as_of),
            buckets: amounts(&c.buckets, l),
            total: c.total().format(l),
            credit: c.credit.format(l),
            net: c.net().format(l),
        })
        .collect()
}

fn statement_href(client: CompanyId, as_of: Date) -> String {
    format!("/collections/clients/{client}/statement.pdf?as_of={as_of}")
}

fn bucket_titles(l: Locale) -> Vec<String> {
    Bucket::ALL.iter().map(|b| i18n::t(l, b.key())).collect()
}

fn aged_chart(ab: &AgedBalance, l: Locale) -> Option<String> {
    let rows: Vec<StackedRow> = ab
        .clients
        .iter()
        .filter(|c| !c.total().is_zero())
        .map(|c| StackedRow {
            label: c.name.clone(),
            values: c.buckets.amounts().iter().copied().map(bar).collect(),
            total: c.total().format(l),
        })
        .collect();
    (!rows.is_empty()).then(|| {
        chart::stacked(
            &i18n::t(l, "receivables-aged-chart"),
            &bucket_titles(l),
            &rows,
        )
    })
}

pub struct DsoView {
    pub period: String,
    pub simple_formula: String,
    /// "Méthode simple : 65,7 jours".
    pub simple_title: String,
    pub steps: Vec<CountBackRow>,
    pub count_back_formula: String,
    pub count_back_title: String,
    pub exhausted: bool,
}

pub struct CountBackRow {
    pub month: String,
    pub revenue: String,
    pub before: String,
    pub days: String,
}

fn dso_view(d: &Dso, l: Locale) -> DsoView {
    let f = &d.figures;
    let start = f.start().unwrap_or(f.end);
    let s = &d.simple;
    let simple_formula = format!(
        "({} + {}) ÷ {} × {} = {}",
        f.customers.format(l),
        f.accrued.format(l),
        s.revenue.format(l),
        s.days,
        s.value
            .map(|v| days(v, l))
            .unwrap_or_else(|| i18n::t(l, "receivables-dso-undefined")),
    );
    let c = &d.count_back;
    let terms: Vec<String> = c.steps.iter().map(|s| days(s.days, l)).collect();
    let count_back_formula = if terms.is_empty() {
        days(c.value, l)
    } else {
        format!("{} = {}", terms.join(" + "), days(c.value, l))
    };
    DsoView {
        period: i18n::t_args(
            l,
            "receivables-period",
            &[
                ("from", format_date(start, l)),
                ("to", format_date(f.end, l)),
                ("days", f.days().to_string()),
            ],
        ),
        simple_formula,
        simple_title: match s.value {
            Some(v) => i18n::t_args(l, "receivables-dso-simple-value", &[("days", days(v, l))]),
            None => i18n::t(l, "receivables-dso-simple-none"),
        },
        steps: c
            .steps
            .iter()
            .map(|s| CountBackRow {
                month: format!(
                    "{} – {}",
                    format_date(s.month.month.from, l),
                    format_date(s.month.month.to, l)
                ),
                revenue: s.month.revenue.format(l),
                before: s.before.format(l),
                days: if s.partial {
                    i18n::t_args(
                        l,
                        "receivables-count-back-partial",
                        &[
                            ("days", days(s.days, l)),
                            ("total", s.month.month.days().to_string()),
                        ],
                    )
                } else {
                    days(s.days, l)
                },
            })
            .collect(),
        count_back_formula,
        count_back_title: i18n::t_args(
            l,
            "receivables-dso-count-back-value",
            &[("days", days(c.value, l))],
        ),
        exhausted: c.exhausted,
    }
}

pub struct WeekRow {
    pub label: String,
    pub amount: String,
}

fn forecast_rows(f: &Forecast, l: Locale) -> Vec<(WeekRow, u64)> {
    let mut rows = vec![(
        WeekRow {
            label: i18n::t(l, "receivables-overdue"),
            amount: f.overdue.format(l),
        },
        bar(f.overdue),
    )];
    rows.extend(f.weeks.iter().map(|w| {
        (
            WeekRow {
                label: i18n::t_args(
                    l,
                    "receivables-week",
                    &[
                        ("from", format_date(w.from, l)),
                        ("to", format_date(w.to, l)),
                    ],
                ),
                amount: w.amount.format(l),
            },
            bar(w.amount),
        )
    }));
    rows
}

#[derive(Template)]
#[template(path = "collections/receivables.html")]
struct DashboardPage {
    layout: Layout,
    errors: FieldErrors,
    as_of: String,
    end: String,
    months: String,
    month_choices: Vec<String>,
    shown: bool,
    as_of_label: String,
    bucket_titles: Vec<String>,
    aged: Vec<AgedRow>,
    aged_totals: AgedRow,
    aged_chart: Option<String>,
    csv: String,
    dso: Option<DsoView>,
    forecast: Vec<WeekRow>,
    forecast_chart: String,
    forecast_within: String,
    forecast_later: String,
}

/// GET /collections?as_of=&end=&months=
pub async fn dashboard(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    let mut page = DashboardPage {
        layout: layout(&app, &ctx, "collections-title").await?,
        errors: FieldErrors::default(),
        as_of: q.as_of.trim().to_owned(),
        end: q.end.trim().to_owned(),
        months: q.months.trim().to_owned(),
        month_choices: DSO_MONTHS.iter().map(u32::to_string).collect(),
        shown: false,
        as_of_label: String::new(),
        bucket_titles: bucket_titles(l),
        aged: Vec::new(),
        aged_totals: AgedRow {
            name: String::new(),
            statement: String::new(),
            buckets: Vec::new(),
            total: String::new(),
            credit: String::new(),
            net: String::new(),
        },
        aged_chart: None,
        csv: String::new(),
        dso: None,
        forecast: Vec::new(),
        forecast_chart: String::new(),
        forecast_within: String::new(),
        forecast_later: String::new(),
    };
    let asked = match parse(&q, today) {
        Ok(a) => a,
        Err(errors) => {
            page.errors = FieldErrors::new(l, &errors);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let mut tx = app.db.read().await?;
    let (aged, open) = store::receivables::aged_balance_with_open(&mut tx, asked.as_of).await?;
    let dso = store::receivables::dso(&mut tx, asked.end, asked.months).await?;
    // The forecast starts from what is open today: read once when the
    // aged balance is today's too.
    let forecast = if asked.as_of == today {
        domain::receivables::cash_in_forecast(today, FORECAST_DAYS, &open)
    } else {
        store::receivables::cash_in_forecast(&mut tx, today, FORECAST_DAYS).await?
    };
    tx.commit().await?;

    page.as_of = format_date(asked.as_of, l);
    page.end = format_date(asked.end, l);
    page.months = asked.months.to_string();
    page.shown = true;
    page.as_of_label = i18n::t_args(
        l,
        "receivables-aged-on",
        &[("date", format_date(asked.as_of, l))],
    );
    page.aged = aged_rows(&aged, l);
    page.aged_totals = AgedRow {
        name: i18n::t(l, "receivables-totals"),
        statement: String::new(),
        buckets: amounts(&aged.totals, l),
        total: aged.total().format(l),
        credit: aged.credit.format(l),
        net: aged.net().format(l),
    };
    page.aged_chart = aged_chart(&aged, l);
    page.csv = format!("/collections/aged-balance.csv?as_of={}", asked.as_of);
    page.dso = Some(dso_view(&dso, l));
    let rows = forecast_rows(&forecast, l);
    page.forecast_chart = chart::stacked(
        &i18n::t(l, "receivables-forecast-chart"),
        &[i18n::t(l, "receivables-expected")],
        &rows
            .iter()
            .map(|(r, v)| StackedRow {
                label: r.label.clone(),
                values: vec![*v],
                total: r.amount.clone(),
            })
            .collect::<Vec<_>>(),
    );
    page.forecast = rows.into_iter().map(|(r, _)| r).collect();
    page.forecast_within = forecast.within().format(l);
    page.forecast_later = forecast.later.format(l);
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
pub struct AsOfQuery {
    #[serde(default)]
    pub as_of: String,
}

/// The date asked for, today when blank; `None` when unreadable.
fn as_of(q: &AsOfQuery) -> Option<Date> {
    match q.as_of.trim() {
        "" => Some(store::today()),
        s => domain::validation::date(s).ok(),
    }
}

/// GET /collections/aged-balance.csv?as_of=
pub async fn aged_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, text};
    let l = ctx.locale;
    let Some(date) = as_of(&q) else {
        return Ok(crate::pages::see_other(&format!(
            "/collections?as_of={}",
            crate::view::url_encode(&q.as_of)
        )));
    };
    let mut tx = app.db.read().await?;
    let aged = store::receivables::aged_balance(&mut tx, date).await?;
    tx.commit().await?;
    let mut header = vec![text(&i18n::t(l, "receivables-client"))];
    header.extend(bucket_titles(l).iter().map(|t| text(t)));
    header.extend(
        ["receivables-total", "receivables-credit", "receivables-net"]
            .iter()
            .map(|k| text(&i18n::t(l, k))),
    );
    let line = |name: &str, b: &Buckets, credit: Money| {
        let mut r = vec![text(name)];
        r.extend(b.amounts().iter().map(|m| amount(*m)));
        r.push(amount(b.total()));
        r.push(amount(credit));
        r.push(amount(b.total() - credit));
        r
    };
    let mut rows = vec![header];
    rows.extend(
        aged.clients
            .iter()
            .map(|c| line(&c.name, &c.buckets, c.credit)),
    );
    rows.push(line(
        &i18n::t(l, "receivables-totals"),
        &aged.totals,
        aged.credit,
    ));
    Ok(crate::csv::response(
        &format!("balance-agee-{date}.csv"),
        crate::csv::document(&rows),
    ))
}

/// GET /collections/clients/{id}/statement.pdf?as_of=
pub async fn statement_pdf(
    State(app): State<AppState>,
    _ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Response> {
    let Some(date) = as_of(&q) else {
        return Err(crate::error::AppError::BadRequest(
            "receivables-date-invalid",
        ));
    };
    let mut tx = app.db.read().await?;
    let (doc, name) = app::receivables::statement_pdf(&mut tx, id, date, store::now()).await?;
    tx.commit().await?;
    Ok(pdf_response(pdf::statement(&doc).to_bytes(), &name, false))
}

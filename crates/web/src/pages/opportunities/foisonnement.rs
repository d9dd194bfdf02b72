//! Foisonnement (`domain::crm::foisonnement`): over a period, the child
//! opportunities born in follow-up meetings, per account and per business
//! manager: how many, their value, how many won and for how much, and the
//! conversion rate (won ÷ closed), with the definition on the page. The
//! period defaults to the last twelve months; the reader's scope applies.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::crm::foisonnement::{Figures, Foisonnement, Period, tally};
use domain::locale::format_date;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::opportunities::pipeline::Names;
use time::Date;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::view::{Layout, layout, render};
use crate::{AppState, i18n};

/// The period as typed (`dd/mm/yyyy` or ISO); both optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// First day counted (default: a year before `to`, plus a day).
    #[serde(default)]
    pub from: String,
    /// Last day counted (default: today).
    #[serde(default)]
    pub to: String,
}

/// The last twelve months to `today`.
pub fn default_period(today: Date) -> Period {
    let from = today
        .replace_year(today.year() - 1)
        .unwrap_or(today - time::Duration::days(365))
        .next_day()
        .unwrap_or(today);
    Period { from, to: today }
}

impl PeriodQuery {
    /// The period asked, or the errors naming the fields.
    pub fn period(&self, today: Date) -> Result<Period, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let default = default_period(today);
        let to = e
            .optional("to", &self.to, domain::validation::date)
            .unwrap_or(default.to);
        let from = e
            .optional("from", &self.from, domain::validation::date)
            .unwrap_or_else(|| default_period(to).from);
        if from > to {
            e.add("to", "foisonnement-period-order");
        }
        e.into_result(|| Period { from, to })
    }
}

/// The foisonnement of the reader's scope over `period`.
pub async fn load(app: &AppState, ctx: &Ctx, period: Period) -> AppResult<(Foisonnement, Names)> {
    let mut tx = app.db.read().await?;
    let (born, names) = store::opportunities::account_map::born(
        &mut tx,
        ctx.scope()?,
        None,
        period.from,
        period.to,
    )
    .await?;
    tx.commit().await?;
    Ok((tally(&born, period), names))
}

/// A row as shown (and exported).
pub struct Row {
    pub name: String,
    pub born: u32,
    pub born_value: String,
    pub won: u32,
    pub won_value: String,
    pub lost: u32,
    pub open: u32,
    pub conversion: String,
}

pub fn row(name: String, f: &Figures, l: Locale) -> Row {
    Row {
        name,
        born: f.born,
        born_value: f.born_value.format(l),
        won: f.won,
        won_value: f.won_value.format(l),
        lost: f.lost,
        open: f.open(),
        conversion: f.conversion().map_or("—".into(), |p| p.format(l)),
    }
}

/// One group: its id, its name and its figures.
pub type Named = (String, String, Figures);

/// Per account, then per business manager, each by name.
pub fn named(f: &Foisonnement, names: &Names) -> (Vec<Named>, Vec<Named>) {
    let mut accounts: Vec<Named> = f
        .by_account
        .iter()
        .map(|(id, x)| {
            let n = names.companies.get(id).cloned().unwrap_or_default();
            (id.to_string(), n, *x)
        })
        .collect();
    let mut managers: Vec<Named> = f
        .by_business_manager
        .iter()
        .map(|(id, x)| {
            let n = names.users.get(id).cloned().unwrap_or_default();
            (id.to_string(), n, *x)
        })
        .collect();
    accounts.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    managers.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    (accounts, managers)
}

#[derive(Template)]
#[template(path = "opportunities/foisonnement.html")]
struct Page {
    layout: Layout,
    from: String,
    to: String,
    from_error: Option<String>,
    to_error: Option<String>,
    period: String,
    total: Row,
    groups: Vec<(&'static str, String, Vec<Row>)>,
    export: String,
}

/// GET /opportunities/foisonnement
pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    // A period mistyped is said beside its field; the default is shown.
    let (period, errors) = match q.period(today) {
        Ok(p) => (p, ValidationErrors::new()),
        Err(e) => (default_period(today), e),
    };
    let messages = crate::view::FieldErrors::new(l, &errors);
    let message = |field: &str| messages.get(field).map(str::to_owned);
    let (f, names) = load(&app, &ctx, period).await?;
    let (accounts, managers) = named(&f, &names);
    let shown =
        |v: Vec<Named>| -> Vec<Row> { v.into_iter().map(|(_, n, x)| row(n, &x, l)).collect() };
    let (accounts, managers) = (shown(accounts), shown(managers));
    render(&Page {
        layout: layout(&app, &ctx, "foisonnement-title").await?,
        from: if errors.is_empty() {
            format_date(period.from, l)
        } else {
            q.from.clone()
        },
        to: if errors.is_empty() {
            format_date(period.to, l)
        } else {
            q.to.clone()
        },
        from_error: message("from"),
        to_error: message("to"),
        period: format!(
            "{} – {}",
            format_date(period.from, l),
            format_date(period.to, l)
        ),
        total: row(i18n::t(l, "foisonnement-total"), &f.total, l),
        groups: vec![
            (
                "foisonnement-by-account",
                i18n::t(l, "foisonnement-by-account"),
                accounts,
            ),
            (
                "foisonnement-by-bm",
                i18n::t(l, "foisonnement-by-bm"),
                managers,
            ),
        ],
        export: format!(
            "/opportunities/foisonnement/export?from={}&to={}",
            period.from, period.to
        ),
    })
}

/// GET /opportunities/foisonnement/export: per account, then per business
/// manager, as CSV.
pub async fn export(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, document, response, text};
    let l = ctx.locale;
    let period = q.period(store::today()).map_err(AppError::Validation)?;
    let (f, names) = load(&app, &ctx, period).await?;
    let (accounts, managers) = named(&f, &names);
    let mut out = vec![
        [
            "foisonnement-col-group",
            "pipeline-group",
            "foisonnement-born",
            "foisonnement-born-value",
            "foisonnement-won",
            "foisonnement-won-value",
            "foisonnement-lost",
            "foisonnement-open",
            "foisonnement-conversion",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    for (group, rows) in [
        (i18n::t(l, "foisonnement-by-account"), &accounts),
        (i18n::t(l, "foisonnement-by-bm"), &managers),
    ] {
        for (_, name, x) in rows {
            out.push(vec![
                text(&group),
                text(name),
                x.born.to_string(),
                amount(x.born_value),
                x.won.to_string(),
                amount(x.won_value),
                x.lost.to_string(),
                x.open().to_string(),
                x.conversion()
                    .map(|p| p.percent().to_string().replace('.', ","))
                    .unwrap_or_default(),
            ]);
        }
    }
    Ok(response(
        &format!("foisonnement-{}-{}.csv", period.from, period.to),
        document(&out),
    ))
}

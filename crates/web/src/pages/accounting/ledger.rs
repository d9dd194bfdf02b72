//! The general ledger (grand livre): every line of a date range grouped by
//! account, with the opening balance, the running balance and the totals;
//! the same as CSV.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::ledger_reports::{self, LedgerQuery};
use domain::validation::ValidationErrors;

use super::report::{
    self, EXPORT_MAX_LINES, FilterQuery, FilterView, PAGE_MAX_LINES, Section, range_query,
};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};

#[derive(Template)]
#[template(path = "accounting/ledger.html")]
struct LedgerPage {
    layout: Layout,
    filter: FilterView,
    errors: FieldErrors,
    messages: Vec<String>,
    /// Whether a report was read (false when the filter was refused).
    shown: bool,
    sections: Vec<Section>,
    total_debit: String,
    total_credit: String,
    csv: String,
}

/// GET /accounting/ledger?from=&to=&account=
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let refused = async |errors: ValidationErrors| {
        let page = LedgerPage {
            layout: layout(&app, &ctx, "ledger-general-ledger").await?,
            filter: FilterView::typed(&q),
            errors: FieldErrors::new(l, &errors),
            messages: report::messages(l, &errors),
            shown: false,
            sections: Vec::new(),
            total_debit: String::new(),
            total_credit: String::new(),
            csv: String::new(),
        };
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let query = match LedgerQuery::parse(&q.from, &q.to, &q.account, store::today()) {
        Ok(query) => query,
        Err(errors) => return refused(errors).await,
    };
    let mut tx = app.db.read().await?;
    let read = store::ledger_reports::general_ledger(&mut tx, &query, PAGE_MAX_LINES).await;
    tx.commit().await?;
    let accounts = match read {
        Ok(a) => a,
        Err(store::Error::Invalid(errors)) => return refused(errors).await,
        Err(e) => return Err(e.into()),
    };
    let (debit, credit) = ledger_reports::totals(&accounts);
    let account = query.accounts.as_ref().map(|p| p.as_str());
    let mut csv = format!("/accounting/ledger.csv?{}", range_query(query.range));
    if let Some(a) = account {
        csv.push_str(&format!("&account={a}"));
    }
    render(&LedgerPage {
        layout: layout(&app, &ctx, "ledger-general-ledger").await?,
        filter: FilterView::used(query.range, account),
        errors: FieldErrors::default(),
        messages: Vec::new(),
        shown: true,
        sections: report::sections(&accounts, query.range, l),
        total_debit: debit.format(l),
        total_credit: credit.format(l),
        csv,
    })
}

/// GET /accounting/ledger.csv: the page's report for a spreadsheet. A
/// refused filter goes back to the page, which says what is wrong.
pub async fn csv(
    State(app): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    let back = || {
        see_other(&format!(
            "/accounting/ledger?{}",
            raw.as_deref().unwrap_or_default()
        ))
    };
    let Ok(query) = LedgerQuery::parse(&q.from, &q.to, &q.account, store::today()) else {
        return Ok(back());
    };
    let mut tx = app.db.read().await?;
    let read = store::ledger_reports::general_ledger(&mut tx, &query, EXPORT_MAX_LINES).await;
    tx.commit().await?;
    let accounts = match read {
        Ok(a) => a,
        Err(store::Error::Invalid(_)) => return Ok(back()),
        Err(e) => return Err(e.into()),
    };
    let rows = report::csv_rows(&accounts, query.range, ctx.locale);
    let name = match &query.accounts {
        Some(p) => format!(
            "grand-livre-{p}-{}-{}.csv",
            query.range.from(),
            query.range.to()
        ),
        None => format!(
            "grand-livre-{}-{}.csv",
            query.range.from(),
            query.range.to()
        ),
    };
    Ok(crate::csv::response(&name, crate::csv::document(&rows)))
}

//! The customer ledger (balance auxiliaire clients): each customer's 411
//! balance with the period's debits and credits, and one customer's
//! statement with its running balance; both also as CSV.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::ids::CompanyId;
use domain::ledger_reports::{CustomerBalance, DateRange, LedgerQuery};
use domain::money::Money;
use domain::validation::ValidationErrors;

use super::report::{
    self, EXPORT_MAX_LINES, FilterQuery, FilterView, Link, PAGE_MAX_LINES, Section, customer_href,
    range_query,
};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::{AppState, i18n};

fn parse(q: &FilterQuery) -> Result<DateRange, ValidationErrors> {
    DateRange::parse(&q.from, &q.to, store::now().date())
}

pub struct CustomerRow {
    /// `None` for the lines on 411 without a customer.
    pub customer: Option<Link>,
    pub opening: String,
    pub debit: String,
    pub credit: String,
    pub closing: String,
}

#[derive(Template)]
#[template(path = "accounting/customers.html")]
struct CustomersPage {
    layout: Layout,
    filter: FilterView,
    errors: FieldErrors,
    messages: Vec<String>,
    shown: bool,
    opening_label: String,
    closing_label: String,
    rows: Vec<CustomerRow>,
    totals: CustomerRow,
    csv: String,
}

fn totals(balances: &[CustomerBalance]) -> CustomerBalance {
    balances.iter().fold(
        CustomerBalance {
            company: None,
            name: None,
            opening: Money::ZERO,
            debit: Money::ZERO,
            credit: Money::ZERO,
        },
        |t, b| CustomerBalance {
            opening: t.opening + b.opening,
            debit: t.debit + b.debit,
            credit: t.credit + b.credit,
            ..t
        },
    )
}

fn row(b: &CustomerBalance, range: DateRange, l: Locale) -> CustomerRow {
    CustomerRow {
        customer: b.company.map(|id| Link {
            href: customer_href(id, range),
            name: b.name.clone().unwrap_or_default(),
        }),
        opening: b.opening.format(l),
        debit: b.debit.format(l),
        credit: b.credit.format(l),
        closing: b.closing().format(l),
    }
}

fn balance_on(l: Locale, d: time::Date) -> String {
    i18n::t_args(
        l,
        "ledger-balance-on",
        &[("date", domain::locale::format_date(d, l))],
    )
}

fn opening_on(l: Locale, d: time::Date) -> String {
    i18n::t_args(
        l,
        "ledger-opening-on",
        &[("date", domain::locale::format_date(d, l))],
    )
}

/// GET /accounting/customers?from=&to=
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let range = match parse(&q) {
        Ok(r) => r,
        Err(errors) => {
            let empty = || String::new();
            let page = CustomersPage {
                layout: layout(&app, &ctx, "ledger-customers").await?,
                filter: FilterView::typed(&q),
                errors: FieldErrors::new(l, &errors),
                messages: report::messages(l, &errors),
                shown: false,
                opening_label: empty(),
                closing_label: empty(),
                rows: Vec::new(),
                totals: CustomerRow {
                    customer: None,
                    opening: empty(),
                    debit: empty(),
                    credit: empty(),
                    closing: empty(),
                },
                csv: empty(),
            };
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let mut tx = app.db.read().await?;
    let balances = store::ledger_reports::customer_balances(&mut tx, range).await?;
    tx.commit().await?;
    render(&CustomersPage {
        layout: layout(&app, &ctx, "ledger-customers").await?,
        filter: FilterView::used(range, None),
        errors: FieldErrors::default(),
        messages: Vec::new(),
        shown: true,
        opening_label: opening_on(l, range.from()),
        closing_label: balance_on(l, range.to()),
        rows: balances.iter().map(|b| row(b, range, l)).collect(),
        totals: row(&totals(&balances), range, l),
        csv: format!("/accounting/customers.csv?{}", range_query(range)),
    })
}

/// GET /accounting/customers.csv
pub async fn list_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, text};
    let l = ctx.locale;
    let Ok(range) = parse(&q) else {
        return Ok(see_other(&format!(
            "/accounting/customers?{}",
            raw.as_deref().unwrap_or_default()
        )));
    };
    let mut tx = app.db.read().await?;
    let balances = store::ledger_reports::customer_balances(&mut tx, range).await?;
    tx.commit().await?;
    let mut rows = vec![
        [
            "ledger-customer",
            "ledger-opening-balance",
            "ledger-debit",
            "ledger-credit",
            "ledger-closing-balance",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    let no_customer = i18n::t(l, "ledger-no-customer");
    rows.extend(balances.iter().map(|b| {
        vec![
            text(b.name.as_deref().unwrap_or(&no_customer)),
            amount(b.opening),
            amount(b.debit),
            amount(b.credit),
            amount(b.closing()),
        ]
    }));
    Ok(crate::csv::response(
        &format!("comptes-clients-{}-{}.csv", range.from(), range.to()),
        crate::csv::document(&rows),
    ))
}

#[derive(Template)]
#[template(path = "accounting/customer.html")]
struct CustomerPage {
    layout: Layout,
    company_id: CompanyId,
    name: String,
    filter: FilterView,
    errors: FieldErrors,
    messages: Vec<String>,
    shown: bool,
    sections: Vec<Section>,
    /// What the customer owes at the end of the range, all its accounts.
    owed: String,
    owed_label: String,
    csv: String,
}

/// GET /accounting/customers/{id}?from=&to=
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let range = parse(&q);
    let mut tx = app.db.read().await?;
    let company = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    let read = match range {
        Ok(range) => {
            let query = LedgerQuery::customer(range, id);
            store::ledger_reports::general_ledger(&mut tx, &query, PAGE_MAX_LINES)
                .await
                .map(|accounts| (range, accounts))
        }
        Err(errors) => Err(store::Error::Invalid(errors)),
    };
    tx.commit().await?;
    let mut page = CustomerPage {
        layout: layout(&app, &ctx, "ledger-customer-account").await?,
        company_id: id,
        name: company.data.name,
        filter: FilterView::typed(&q),
        errors: FieldErrors::default(),
        messages: Vec::new(),
        shown: false,
        sections: Vec::new(),
        owed: String::new(),
        owed_label: String::new(),
        csv: String::new(),
    };
    match read {
        Ok((range, accounts)) => {
            let owed: Money = accounts.iter().map(|a| a.closing).sum();
            page.filter = FilterView::used(range, None);
            page.shown = true;
            page.sections = report::sections(&accounts, range, l);
            page.owed = owed.format(l);
            page.owed_label = balance_on(l, range.to());
            page.csv = format!(
                "/accounting/customers/{id}/ledger.csv?{}",
                range_query(range)
            );
            render(&page)
        }
        Err(store::Error::Invalid(errors)) => {
            page.errors = FieldErrors::new(l, &errors);
            page.messages = report::messages(l, &errors);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /accounting/customers/{id}/ledger.csv
pub async fn show_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    RawQuery(raw): RawQuery,
    Query(q): Query<FilterQuery>,
) -> AppResult<Response> {
    let back = || {
        see_other(&format!(
            "/accounting/customers/{id}?{}",
            raw.as_deref().unwrap_or_default()
        ))
    };
    let Ok(range) = parse(&q) else {
        return Ok(back());
    };
    let mut tx = app.db.read().await?;
    let company = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    let read = store::ledger_reports::general_ledger(
        &mut tx,
        &LedgerQuery::customer(range, id),
        EXPORT_MAX_LINES,
    )
    .await;
    tx.commit().await?;
    let accounts = match read {
        Ok(a) => a,
        Err(store::Error::Invalid(_)) => return Ok(back()),
        Err(e) => return Err(e.into()),
    };
    let rows = report::csv_rows(&accounts, range, ctx.locale);
    // The name in the file name helps find it among downloads; only the
    // characters every file system and header accept are kept.
    let slug: String = domain::validation::fold_accents(&company.data.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(crate::csv::response(
        &format!("compte-client-{slug}-{}-{}.csv", range.from(), range.to()),
        crate::csv::document(&rows),
    ))
}

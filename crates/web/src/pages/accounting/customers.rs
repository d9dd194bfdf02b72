//! The customer ledger (balance auxiliaire clients): each customer's 411
//! balance with the period's debits and credits, and one customer's
//! statement with its running balance and lettering (codes, open or
//! lettered lines, lettering ticked lines, un-lettering with a reason, the
//! history of undone letterings); both also as CSV.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Locale;
use domain::ids::{CompanyId, LetteringId};
use domain::ledger_reports::{CustomerBalance, DateRange};
use domain::lettering::LineKey;
use domain::locale::{format_date, format_datetime};
use domain::money::Money;
use domain::validation::ValidationErrors;

use serde::Deserialize;
use store::Tx;
use store::lettering::{CustomerLedger, Show};

use super::report::{
    self, EXPORT_MAX_LINES, FilterQuery, FilterView, Link, PAGE_MAX_LINES, customer_href,
    range_query,
};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status, url_encode};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

fn parse(q: &FilterQuery) -> Result<DateRange, ValidationErrors> {
    DateRange::parse(&q.from, &q.to, store::today())
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

/// The filter of a customer's statement: dates and which lines.
#[derive(Debug, Default, Deserialize)]
pub struct CustomerQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub show: String,
}

impl CustomerQuery {
    fn range(&self) -> Result<DateRange, ValidationErrors> {
        DateRange::parse(&self.from, &self.to, store::today())
    }

    /// The page's address with this filter, for redirects and links.
    fn href(&self, id: CompanyId) -> String {
        format!(
            "/accounting/customers/{id}?from={}&to={}&show={}",
            url_encode(self.from.trim()),
            url_encode(self.to.trim()),
            Show::parse(&self.show).as_str()
        )
    }

    /// The filter from a posted form's fields.
    fn from_fields(fields: &[(String, String)]) -> CustomerQuery {
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        CustomerQuery {
            from: get("from"),
            to: get("to"),
            show: get("show"),
        }
    }
}

/// One line of the statement.
pub struct ItemView {
    /// `entry:position`, the checkbox's value.
    pub token: String,
    pub date: String,
    pub journal: &'static str,
    pub number: String,
    pub piece: String,
    pub label: String,
    pub detail: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
    /// The live lettering code as shown (`AA`, or `aa` when partial).
    pub code: String,
    pub complete: bool,
    pub checked: bool,
}

pub struct AccountView {
    pub account: String,
    pub label: String,
    pub opening_label: String,
    pub opening: String,
    pub items: Vec<ItemView>,
    pub total_label: String,
    pub debit: String,
    pub credit: String,
    pub closing: String,
}

/// A live lettering of the lines shown, with its un-lettering form.
pub struct LiveView {
    pub id: String,
    pub code: String,
    pub account: String,
}

/// An undone lettering of the history.
pub struct UndoneView {
    pub code: String,
    pub account: String,
    pub lettered_on: String,
    pub amount: String,
    pub undone_on: String,
    pub by: String,
    pub reason: String,
}

pub struct ShowOption {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "accounting/customer.html")]
struct CustomerPage {
    layout: Layout,
    company_id: CompanyId,
    name: String,
    filter: FilterView,
    show: &'static str,
    shows: Vec<ShowOption>,
    errors: FieldErrors,
    messages: Vec<String>,
    shown: bool,
    sections: Vec<AccountView>,
    /// What the customer owes at the end of the range, all its accounts.
    owed: String,
    owed_label: String,
    /// What its open (not completely lettered) lines add up to.
    open: String,
    open_label: String,
    csv: String,
    can_letter: bool,
    selected_sum: String,
    live: Vec<LiveView>,
    /// The un-lettering refused: its id, so its reason field shows why.
    refused_unletter: String,
    history: Vec<UndoneView>,
}

/// Undone letterings shown at most.
const HISTORY_MAX: i64 = 50;

fn show_options(l: Locale, show: Show) -> Vec<ShowOption> {
    Show::ALL
        .into_iter()
        .map(|s| ShowOption {
            value: s.as_str(),
            label: i18n::t(l, &format!("lettering-show-{}", s.as_str())),
            selected: s == show,
        })
        .collect()
}

/// An entry's label on the customer's own page, without his name: entries
/// are labelled for the journals ("Facture FA-2026-0001 — Clientis"),
/// where the name tells lines apart; here every line is his.
fn without_customer(label: &str, customer: &str) -> String {
    let name = customer.trim();
    if name.is_empty() {
        return label.to_owned();
    }
    [" — ", " - ", " – "]
        .iter()
        .find_map(|dash| label.strip_suffix(&format!("{dash}{name}")))
        .unwrap_or(label)
        .to_owned()
}

fn views(
    ledger: &CustomerLedger,
    range: DateRange,
    l: Locale,
    checked: &[LineKey],
    customer: &str,
) -> Vec<AccountView> {
    let side = |m: Money| {
        if m.is_zero() {
            String::new()
        } else {
            m.format(l)
        }
    };
    ledger
        .accounts
        .iter()
        .map(|a| AccountView {
            account: a.account.clone(),
            label: a.label.clone(),
            opening_label: opening_on(l, range.from()),
            opening: a.opening.format(l),
            items: a
                .items
                .iter()
                .map(|i| ItemView {
                    token: i.key.token(),
                    date: format_date(i.date, l),
                    journal: i.journal.code(),
                    number: i.number.clone(),
                    piece: i.piece_ref.clone().unwrap_or_default(),
                    label: without_customer(&i.entry_label, customer),
                    detail: if i.label == i.entry_label || i.label.trim() == customer.trim() {
                        String::new()
                    } else {
                        i.label.clone()
                    },
                    debit: side(i.debit),
                    credit: side(i.credit),
                    balance: i.balance.format(l),
                    code: i.mark.as_ref().map(|m| m.shown()).unwrap_or_default(),
                    complete: i.mark.as_ref().is_some_and(|m| m.complete),
                    checked: checked.contains(&i.key),
                })
                .collect(),
            total_label: i18n::t_args(l, "ledger-account-total", &[("number", a.account.clone())]),
            debit: a.debit.format(l),
            credit: a.credit.format(l),
            closing: a.closing.format(l),
        })
        .collect()
}

/// The live letterings of the lines shown, in account and code order.
fn live_views(ledger: &CustomerLedger) -> Vec<LiveView> {
    let mut seen = std::collections::BTreeMap::new();
    for a in &ledger.accounts {
        for m in a.items.iter().filter_map(|i| i.mark.as_ref()) {
            seen.entry((a.account.clone(), m.code.clone()))
                .or_insert_with(|| (m.lettering_id.to_string(), m.shown()));
        }
    }
    seen.into_iter()
        .map(|((account, _), (id, code))| LiveView { id, code, account })
        .collect()
}

/// What a lettering form re-renders with when refused.
#[derive(Default)]
struct Refusal {
    errors: ValidationErrors,
    checked: Vec<LineKey>,
    unletter: String,
}

/// The customer's statement: read, then rendered (with a refused form's
/// messages and ticks when there is one).
async fn customer_page(
    app: &AppState,
    ctx: &Ctx,
    id: CompanyId,
    q: &CustomerQuery,
    refusal: Option<Refusal>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let show = Show::parse(&q.show);
    let range = q.range();
    let mut tx = app.db.read().await?;
    let company = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    let read = match range {
        Ok(range) => store::lettering::customer_ledger(&mut tx, id, range, show, PAGE_MAX_LINES)
            .await
            .map(|ledger| (range, ledger)),
        Err(errors) => Err(store::Error::Invalid(errors)),
    };
    let history = store::lettering::undone(&mut tx, id, HISTORY_MAX).await?;
    let refusal = refusal.unwrap_or_default();
    let selected_sum = store::lettering::balance_of(&mut tx, id, &refusal.checked).await?;
    tx.commit().await?;
    let mut page = CustomerPage {
        layout: layout(app, ctx, "ledger-customer-account").await?,
        company_id: id,
        name: company.data.name,
        filter: FilterView::typed(&FilterQuery {
            from: q.from.clone(),
            to: q.to.clone(),
            account: String::new(),
        }),
        show: show.as_str(),
        shows: show_options(l, show),
        errors: FieldErrors::new(l, &refusal.errors),
        messages: report::messages(l, &refusal.errors),
        shown: false,
        sections: Vec::new(),
        owed: String::new(),
        owed_label: String::new(),
        open: String::new(),
        open_label: String::new(),
        csv: String::new(),
        can_letter: allows(ctx.user()?.role, Permission::ManageCollections),
        selected_sum: selected_sum.format(l),
        live: Vec::new(),
        refused_unletter: refusal.unletter.clone(),
        history: history
            .iter()
            .map(|u| UndoneView {
                code: u.code.to_string(),
                account: u.account.clone(),
                lettered_on: format_date(u.lettered_on, l),
                amount: u.amount.format(l),
                undone_on: format_datetime(u.undone_at, l),
                by: u
                    .undone_by
                    .clone()
                    .unwrap_or_else(|| i18n::t(l, "lettering-by-system")),
                reason: u.reason.clone(),
            })
            .collect(),
    };
    let refused = !refusal.errors.is_empty();
    match read {
        Ok((range, ledger)) => {
            let owed: Money = ledger.accounts.iter().map(|a| a.closing).sum();
            page.filter = FilterView::used(range, None);
            page.shown = true;
            page.sections = views(&ledger, range, l, &refusal.checked, &page.name);
            page.live = live_views(&ledger);
            page.owed = owed.format(l);
            page.owed_label = balance_on(l, range.to());
            page.open = ledger.open_balance.format(l);
            page.open_label = i18n::t_args(
                l,
                "lettering-open-balance",
                &[("date", format_date(range.to(), l))],
            );
            page.csv = format!(
                "/accounting/customers/{id}/ledger.csv?{}&show={}",
                range_query(range),
                show.as_str()
            );
            if refused {
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            } else {
                render(&page)
            }
        }
        Err(store::Error::Invalid(errors)) => {
            page.errors = FieldErrors::new(l, &errors);
            page.messages.extend(report::messages(l, &errors));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /accounting/customers/{id}?from=&to=&show=
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(q): Query<CustomerQuery>,
) -> AppResult<Response> {
    customer_page(&app, &ctx, id, &q, None).await
}

/// POST /accounting/customers/{id}/letter: letters the ticked lines
/// (`line` = `entry:position`, repeated) today.
pub async fn letter(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let q = CustomerQuery::from_fields(&fields);
    let mut lines = Vec::new();
    let mut errors = ValidationErrors::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "line") {
        match LineKey::parse_token(v) {
            Some(k) => lines.push(k),
            None if errors.is_empty() => errors.add_with(
                "lines",
                "lettering-line-unknown",
                domain::args![("number", v.clone())],
            ),
            None => {}
        }
    }
    let scope = ctx.scope()?;
    let letter = async |tx: &mut Tx| {
        // Not found (or out of scope) before anything else.
        store::companies::get(tx, scope, id).await?;
        if !errors.is_empty() {
            return Err(store::Error::Invalid(errors));
        }
        store::lettering::letter_lines(tx, &ctx.actor(), id, &lines, store::today()).await
    };
    match write(&app, &ctx)
        .flash("lettering-lettered-flash")
        .run(letter)
        .await?
    {
        Done(_) => Ok(see_other(&q.href(id))),
        Refused(errors) => {
            let refusal = Refusal {
                errors,
                checked: lines,
                unletter: String::new(),
            };
            customer_page(&app, &ctx, id, &q, Some(refusal)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct UnletterForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub show: String,
}

/// POST /accounting/customers/{id}/letterings/{lettering}/unletter
pub async fn unletter(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, lettering)): Path<(String, String)>,
    Form(f): Form<UnletterForm>,
) -> AppResult<Response> {
    let id = CompanyId::parse(&id).ok_or(AppError::NotFound)?;
    let lettering = LetteringId::parse(&lettering).ok_or(AppError::NotFound)?;
    let q = CustomerQuery {
        from: f.from,
        to: f.to,
        show: f.show,
    };
    let scope = ctx.scope()?;
    let unletter = async |tx: &mut Tx| {
        store::companies::get(tx, scope, id).await?;
        // Another customer's lettering is not found here.
        let info = store::lettering::get(tx, lettering).await?;
        if info.third_party != id {
            return Err(store::Error::NotFound);
        }
        store::lettering::unletter(tx, &ctx.actor(), lettering, &f.reason).await
    };
    match write(&app, &ctx)
        .flash("lettering-unlettered-flash")
        .run(unletter)
        .await?
    {
        Done(_) => Ok(see_other(&q.href(id))),
        Refused(errors) => {
            let refusal = Refusal {
                errors,
                checked: Vec::new(),
                unletter: lettering.to_string(),
            };
            customer_page(&app, &ctx, id, &q, Some(refusal)).await
        }
    }
}

/// GET /accounting/customers/{id}/selection?line=…: the balance of the
/// ticked lines, which the page asks for (htmx) as boxes are ticked.
pub async fn selection(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(fields): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let lines: Vec<LineKey> = fields
        .iter()
        .filter(|(k, _)| k == "line")
        .filter_map(|(_, v)| LineKey::parse_token(v))
        .collect();
    let mut tx = app.db.read().await?;
    store::companies::get(&mut tx, ctx.scope()?, id).await?;
    let sum = store::lettering::balance_of(&mut tx, id, &lines).await?;
    tx.commit().await?;
    Ok(axum::response::Html(format!(
        "<output id=\"selected-sum\" class=\"mono\">{}</output>",
        sum.format(ctx.locale)
    ))
    .into_response())
}

/// GET /accounting/customers/{id}/ledger.csv: the statement as on the page,
/// with the lettering code last.
pub async fn show_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    RawQuery(raw): RawQuery,
    Query(q): Query<CustomerQuery>,
) -> AppResult<Response> {
    use crate::csv::{amount, text};
    let l = ctx.locale;
    let back = || {
        see_other(&format!(
            "/accounting/customers/{id}?{}",
            raw.as_deref().unwrap_or_default()
        ))
    };
    let Ok(range) = q.range() else {
        return Ok(back());
    };
    let mut tx = app.db.read().await?;
    let company = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    let read = store::lettering::customer_ledger(
        &mut tx,
        id,
        range,
        Show::parse(&q.show),
        EXPORT_MAX_LINES,
    )
    .await;
    tx.commit().await?;
    let ledger = match read {
        Ok(a) => a,
        Err(store::Error::Invalid(_)) => return Ok(back()),
        Err(e) => return Err(e.into()),
    };
    let mut rows = vec![
        report::CSV_HEADER
            .iter()
            .chain(&["lettering-column"])
            .map(|k| text(&i18n::t(l, k)))
            .collect::<Vec<_>>(),
    ];
    let (from, to) = (
        format_date(range.from(), Locale::Fr),
        format_date(range.to(), Locale::Fr),
    );
    let name = text(&company.data.name);
    let blank = String::new;
    for a in &ledger.accounts {
        let (number, label) = (a.account.clone(), text(&a.label));
        let mut row = vec![number.clone(), label.clone(), from.clone()];
        row.extend(std::iter::repeat_with(blank).take(3));
        row.push(text(&i18n::t(l, "ledger-opening-balance")));
        row.extend(std::iter::repeat_with(blank).take(4));
        row.push(amount(a.opening));
        row.push(blank());
        rows.push(row);
        for i in &a.items {
            rows.push(vec![
                number.clone(),
                label.clone(),
                format_date(i.date, Locale::Fr),
                i.journal.code().to_owned(),
                i.number.clone(),
                text(i.piece_ref.as_deref().unwrap_or_default()),
                text(&i.entry_label),
                text(&i.label),
                name.clone(),
                amount(i.debit),
                amount(i.credit),
                amount(i.balance),
                i.mark.as_ref().map(|m| m.shown()).unwrap_or_default(),
            ]);
        }
        let mut row = vec![number.clone(), label, to.clone()];
        row.extend(std::iter::repeat_with(blank).take(3));
        row.push(text(&i18n::t_args(
            l,
            "ledger-account-total",
            &[("number", number)],
        )));
        row.extend(std::iter::repeat_with(blank).take(2));
        row.extend([
            amount(a.debit),
            amount(a.credit),
            amount(a.closing),
            blank(),
        ]);
        rows.push(row);
    }
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

#[cfg(test)]
mod tests {
    use super::without_customer;

    #[test]
    fn the_customer_is_not_named_on_each_of_his_lines() {
        assert_eq!(
            without_customer("Facture FA-2026-0001 — Clientis", "Clientis"),
            "Facture FA-2026-0001"
        );
        assert_eq!(
            without_customer("Règlement — Clientis Group", "Clientis"),
            "Règlement — Clientis Group"
        );
        assert_eq!(
            without_customer("Avoir AV-2026-0002", "Clientis"),
            "Avoir AV-2026-0002"
        );
    }
}

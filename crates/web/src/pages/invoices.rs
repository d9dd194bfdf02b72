//! Invoicing's pages: the list of invoices and credit notes with its
//! filters, what waits for a client contract's signature (the key-account
//! lock), and in the submodules one document with its actions (issue,
//! release, credit note, PDF) and the month-end close.

pub mod close;
pub mod credit;
pub mod edit;
pub mod email;
pub mod facturx;
pub mod lifecycle;
pub mod show;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::ids::{CompanyId, UserId};
use domain::invoice::payment::PaymentState;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::locale::format_date;
use domain::money::Money;
use domain::paging::{KeysetPage, KeysetRequest};
use domain::validation::{Arg, ValidationErrors};
use serde::Deserialize;
use store::invoicing::read::{self, Summary};

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{FieldErrors, KeysetPager, Layout, layout, render, render_status};
use crate::{AppState, i18n};

/// The badge of a payment state: its words and its colour.
pub fn state_badge(l: Locale, s: PaymentState) -> (String, &'static str) {
    let class = match s {
        PaymentState::Draft => "cra-draft",
        PaymentState::WaitingSignature => "key",
        PaymentState::Issued | PaymentState::PartlyPaid => "",
        PaymentState::Paid => "cra-validated",
        PaymentState::Overdue => "late",
    };
    (i18n::t(l, &s.label_key()), class)
}

/// "novembre 2026" for "2026-11" (as stored when it does not parse).
pub fn period_label(l: Locale, period: &str) -> String {
    YearMonth::parse(period)
        .map(|m| m.label(l))
        .unwrap_or_else(|| period.to_owned())
}

pub fn date_or_dash(l: Locale, d: Option<time::Date>) -> String {
    d.map(|d| format_date(d, l)).unwrap_or_else(|| "—".into())
}

/// One document in a list.
pub struct Row {
    pub href: String,
    /// The number, or "Brouillon" while it has none.
    pub number: String,
    pub credit_note: bool,
    pub client: String,
    pub client_href: String,
    pub title: String,
    pub period: String,
    /// The payment state in words (`domain::invoice::payment`).
    pub status: String,
    pub status_class: &'static str,
    pub net: String,
    pub gross: String,
    /// What is still owed ("—" for what nobody owes).
    pub amount_due: String,
    pub issued: String,
    pub due: String,
    /// The e-invoicing lifecycle status and its badge colour.
    pub lifecycle: Option<(String, &'static str)>,
}

pub fn row(l: Locale, s: &Summary, today: time::Date) -> Row {
    let (status, status_class) = state_badge(l, s.payment_state(today));
    Row {
        href: format!("/invoices/{}", s.id),
        number: s
            .number
            .clone()
            .unwrap_or_else(|| i18n::t(l, "invoice-unnumbered")),
        credit_note: s.kind == InvoiceKind::CreditNote,
        client: s.client_name.clone(),
        client_href: format!("/companies/{}", s.client_id),
        title: s.title.clone(),
        period: period_label(l, &s.period),
        status,
        status_class,
        net: s.net.format(l),
        gross: s.gross.format(l),
        amount_due: s
            .amount_due()
            .map(|m| m.format(l))
            .unwrap_or_else(|| "—".into()),
        issued: date_or_dash(l, s.issue_date),
        due: date_or_dash(l, s.due_date),
        lifecycle: s
            .lifecycle
            .map(|x| (lifecycle::status_label(l, x), lifecycle::status_class(x))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// A stored status (draft, waiting_signature, issued): links from
    /// elsewhere.
    #[serde(default)]
    pub status: String,
    /// A payment state (`domain::invoice::payment::PaymentState`).
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub period: String,
    /// A client's id (a link from elsewhere) or words of his name (typed,
    /// or picked among the suggestions).
    #[serde(default)]
    pub client: String,
    /// A lifecycle status code (200–213).
    #[serde(default)]
    pub lifecycle: String,
    /// Only the documents of the missions the signed-in business manager
    /// manages (`mine=1`: his home page's tiles, or the box he ticks).
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    pub per_page: Option<u32>,
}

impl ListQuery {
    fn mine(&self) -> bool {
        self.mine.trim() == "1"
    }

    /// The filters as they travel from page to page.
    fn filters(&self) -> Vec<(&'static str, String)> {
        vec![
            ("status", self.status.trim().to_owned()),
            ("state", self.state.trim().to_owned()),
            ("period", self.period.trim().to_owned()),
            ("client", self.client.trim().to_owned()),
            ("lifecycle", self.lifecycle.trim().to_owned()),
            (
                "mine",
                if self.mine() {
                    "1".into()
                } else {
                    String::new()
                },
            ),
            (
                "per_page",
                self.per_page
                    .filter(|n| *n != domain::paging::DEFAULT_PER_PAGE)
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
        ]
    }
}

/// The filters asked for (`me`: the signed-in user, whose missions `mine`
/// keeps); a month that does not parse is refused in words.
fn filter(q: &ListQuery, me: UserId) -> Result<read::Filter, ValidationErrors> {
    let period = match q.period.trim() {
        "" => None,
        p => Some(
            YearMonth::parse(p)
                .ok_or_else(|| ValidationErrors::single("period", "invoice-period-invalid"))?,
        ),
    };
    let client = q.client.trim();
    let client_id = CompanyId::parse(client);
    Ok(read::Filter {
        status: InvoiceStatus::parse(q.status.trim()),
        period,
        client: client_id,
        client_name: (client_id.is_none() && !client.is_empty()).then(|| client.to_owned()),
        lifecycle: q
            .lifecycle
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(domain::einvoice::LifecycleStatus::from_code),
        state: PaymentState::parse(q.state.trim()),
        today: Some(store::today()),
        manager: q.mine().then_some(me),
    })
}

#[derive(Template)]
#[template(path = "invoices/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    errors: FieldErrors,
    messages: Vec<String>,
    states: Vec<(&'static str, String, bool)>,
    /// A stored status asked by a link, kept as the filters travel.
    status: String,
    /// What the client field shows: the name typed, or the name of the
    /// client whose id came in the link.
    client: String,
    lifecycles: Vec<(u16, String, bool)>,
    period: String,
    pager: KeysetPager,
    total_net: String,
    total_gross: String,
    total_due: String,
    total_not_issued: String,
    mine: bool,
    /// Whether the "my missions" box is offered (a business manager).
    can_mine: bool,
}

/// GET /invoices?state=&status=&period=&client=&lifecycle=&after=|before=
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    // A business manager's list is his portfolio's, whatever he ticks.
    let scope = ctx.scope()?;
    let parsed = filter(&q, ctx.user()?.id).map(|f| f.scoped(scope));
    let req = KeysetRequest::new(
        q.after.as_deref(),
        q.before.as_deref(),
        q.per_page,
        read::CURSOR_PARTS,
    );
    let mut tx = app.db.read().await?;
    let (docs, totals) = match &parsed {
        Ok(f) => (
            read::page(&mut tx, f, &req).await?,
            Some(read::totals(&mut tx, f).await?),
        ),
        Err(_) => (KeysetPage::assemble(&req, Vec::new(), read::cursor), None),
    };
    let client = match parsed.as_ref().ok().and_then(|f| f.client) {
        Some(id) => match store::companies::get(&mut tx, scope, id).await {
            Ok(c) => c.data.name,
            Err(store::Error::NotFound) => q.client.trim().to_owned(),
            Err(e) => return Err(e.into()),
        },
        None => q.client.trim().to_owned(),
    };
    tx.commit().await?;
    let (errors, messages) = match &parsed {
        Ok(_) => (FieldErrors::default(), Vec::new()),
        Err(v) => (
            FieldErrors::new(l, v),
            v.0.iter().map(|e| i18n::field_error(l, e)).collect(),
        ),
    };
    let today = store::today();
    let sum =
        |f: fn(&read::Totals) -> Money| totals.as_ref().map(f).unwrap_or(Money::ZERO).format(l);
    let page = ListPage {
        layout: layout(&app, &ctx, "invoice-list-title").await?,
        total_net: sum(|t| t.net),
        total_gross: sum(|t| t.gross),
        total_due: sum(|t| t.due),
        total_not_issued: sum(|t| t.not_issued),
        pager: KeysetPager::new(&docs, "/invoices", &q.filters(), totals.map(|t| t.count)),
        rows: docs.items.iter().map(|d| row(l, d, today)).collect(),
        states: PaymentState::ALL
            .into_iter()
            .map(|s| {
                (
                    s.as_str(),
                    i18n::t(l, &s.label_key()),
                    q.state.trim() == s.as_str(),
                )
            })
            .collect(),
        status: InvoiceStatus::parse(q.status.trim())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        client,
        lifecycles: domain::einvoice::LifecycleStatus::ALL
            .into_iter()
            .map(|s| {
                (
                    s.code(),
                    lifecycle::status_label(l, s),
                    q.lifecycle.trim() == s.code().to_string(),
                )
            })
            .collect(),
        period: q.period.trim().to_owned(),
        mine: q.mine(),
        // A business manager's list is already his portfolio's: the box
        // only shows when a link set it (his home's tiles), to undo it.
        can_mine: q.mine(),
        errors,
        messages,
    };
    if parsed.is_err() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

pub struct WaitingRow {
    pub href: String,
    pub client: String,
    pub client_href: String,
    pub title: String,
    pub period: String,
    pub since: String,
    pub days: String,
    pub net: String,
    pub gross: String,
    pub accrued: String,
    /// Past the date by which the law requires it to be issued: that date
    /// and how far past it.
    pub overdue: Option<String>,
}

#[derive(Template)]
#[template(path = "invoices/waiting.html")]
struct WaitingPage {
    layout: Layout,
    rows: Vec<WaitingRow>,
    total_net: String,
    total_gross: String,
    total_accrued: String,
}

/// GET /invoices/waiting: the key-account lock, oldest first.
pub async fn waiting(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let docs = read::waiting_in_scope(&mut tx, ctx.scope()?).await?;
    tx.commit().await?;
    let today = store::today();
    let rows = docs
        .iter()
        .map(|d| {
            let since = d.waiting_since.map(domain::paris::date).unwrap_or(today);
            let elapsed = (today - since).whole_days().max(0);
            WaitingRow {
                href: format!("/invoices/{}", d.id),
                client: d.client_name.clone(),
                client_href: format!("/companies/{}", d.client_id),
                title: d.title.clone(),
                period: period_label(l, &d.period),
                since: format_date(since, l),
                days: if elapsed == 0 {
                    i18n::t(l, "invoice-waiting-today")
                } else {
                    i18n::t_args(l, "invoice-waiting-days", &[("count", Arg::from(elapsed))])
                },
                net: d.net.format(l),
                gross: d.gross.format(l),
                accrued: d.accrued.map(|a| a.format(l)).unwrap_or_else(|| "—".into()),
                overdue: domain::calendar::YearMonth::parse(&d.period).and_then(|p| {
                    domain::invoice::days_past_issue_deadline(p, today).map(|late| {
                        i18n::t_args(
                            l,
                            "invoice-issue-deadline-passed",
                            &[
                                (
                                    "date",
                                    format_date(domain::invoice::legal_issue_deadline(p), l),
                                ),
                                ("count", late.to_string()),
                            ],
                        )
                    })
                }),
            }
        })
        .collect();
    let sum = |f: fn(&Summary) -> Money| docs.iter().map(f).sum::<Money>().format(l);
    render(&WaitingPage {
        layout: layout(&app, &ctx, "invoice-waiting-title").await?,
        rows,
        total_net: sum(|d| d.net),
        total_gross: sum(|d| d.gross),
        total_accrued: sum(|d| d.accrued.unwrap_or(Money::ZERO)),
    })
}

//! Payments received (`/collections/payments`): the list, the entry form
//! (a client, then his open invoices with the amount each receives; left
//! blank, the amount goes to the oldest due first), a payment's page with
//! what it settled and the credit it left, which can be allocated later.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::ids::CompanyId;
use domain::locale::format_date;
use domain::money::Money;
use domain::paging::KeysetRequest;
use domain::payment::PaymentMethod;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::payments::{self, Filter, NewAllocation, NewPayment, OpenItem};
use store::{Tx, bank_accounts};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Id;
use crate::extract::{Form, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, KeysetPager, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, authz, i18n};
use domain::ids::PaymentId;

pub struct PaymentRow {
    pub href: String,
    pub date: String,
    pub client: String,
    pub client_href: String,
    pub bank: String,
    pub method: String,
    pub reference: String,
    pub amount: String,
    pub credit: Option<String>,
    /// Cancelled (its amount shown struck through).
    pub reversed: bool,
}

fn row(l: Locale, p: &payments::Payment) -> PaymentRow {
    PaymentRow {
        href: format!("/collections/payments/{}", p.id),
        date: format_date(p.received_on, l),
        client: p.client_name.clone(),
        client_href: format!("/accounting/customers/{}", p.client_id),
        bank: p.bank_label.clone(),
        method: i18n::t(l, &p.method.label_key()),
        reference: p.reference.clone().unwrap_or_default(),
        amount: p.amount.format(l),
        credit: (p.unallocated > Money::ZERO && p.reversed_on.is_none())
            .then(|| p.unallocated.format(l)),
        reversed: p.reversed_on.is_some(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// A client's id (a link from elsewhere) or words of his name.
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub credit: String,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    pub per_page: Option<u32>,
}

#[derive(Template)]
#[template(path = "collections/payments.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<PaymentRow>,
    /// What the client field shows: the words typed, or the name of the
    /// client whose id came in the link.
    client: String,
    with_credit: bool,
    can_manage: bool,
    total: String,
    pager: KeysetPager,
}

/// The clients that have open invoices or took a payment: (id, name).
async fn clients(tx: &mut store::Tx, open: &[OpenItem]) -> AppResult<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = open
        .iter()
        .map(|i| (i.client_id.to_string(), i.client_name.clone()))
        .collect();
    for p in payments::list(tx, &Filter::default(), 500).await? {
        out.push((p.client_id.to_string(), p.client_name));
    }
    out.sort_by(|a, b| {
        a.1.to_lowercase()
            .cmp(&b.1.to_lowercase())
            .then(a.0.cmp(&b.0))
    });
    out.dedup();
    Ok(out)
}

/// GET /collections/payments?client=&credit=&after=|before=
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let typed = q.client.trim();
    let client_id = CompanyId::parse(typed);
    let f = Filter {
        client: client_id,
        client_name: (client_id.is_none() && !typed.is_empty()).then(|| typed.to_owned()),
        with_credit: q.credit == "1",
        ..Filter::default()
    };
    let req = KeysetRequest::new(
        q.after.as_deref(),
        q.before.as_deref(),
        q.per_page,
        payments::CURSOR_PARTS,
    );
    let mut tx = app.db.read().await?;
    let page = payments::page(&mut tx, &f, &req).await?;
    let totals = payments::totals(&mut tx, &f).await?;
    let client = match client_id {
        Some(id) => match store::companies::get(&mut tx, ctx.scope()?, id).await {
            Ok(c) => c.data.name,
            Err(store::Error::NotFound) => typed.to_owned(),
            Err(e) => return Err(e.into()),
        },
        None => typed.to_owned(),
    };
    tx.commit().await?;
    let filters = [
        ("client", typed.to_owned()),
        (
            "credit",
            if f.with_credit {
                "1".into()
            } else {
                String::new()
            },
        ),
        (
            "per_page",
            q.per_page
                .filter(|n| *n != domain::paging::DEFAULT_PER_PAGE)
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
    ];
    render(&ListPage {
        layout: layout(&app, &ctx, "collections-payments").await?,
        rows: page.items.iter().map(|p| row(l, p)).collect(),
        pager: KeysetPager::new(&page, "/collections/payments", &filters, Some(totals.count)),
        client,
        with_credit: f.with_credit,
        can_manage: authz::allows(ctx.user()?.role, authz::Permission::ManageCollections),
        total: totals.amount.format(l),
    })
}

pub struct InvoiceChoice {
    pub id: String,
    pub number: String,
    pub href: String,
    pub issue_date: String,
    pub due_date: String,
    pub overdue: bool,
    pub gross: String,
    pub outstanding: String,
    pub typed: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub client: String,
    /// The invoice the payment settles (from its page): the form opens on
    /// its client with the amount it still owes, allocated to it.
    #[serde(default)]
    pub invoice: String,
}

#[derive(Template)]
#[template(path = "collections/payment_new.html")]
struct NewPage {
    layout: Layout,
    clients: Vec<(String, String, bool)>,
    client: String,
    banks: Vec<(String, String, bool)>,
    methods: Vec<(String, String, bool)>,
    invoices: Vec<InvoiceChoice>,
    open_total: String,
    typed: HashMap<String, String>,
    errors: FieldErrors,
    messages: Vec<String>,
}

impl NewPage {
    fn field(&self, name: &str) -> &str {
        self.typed.get(name).map(String::as_str).unwrap_or_default()
    }
}

async fn new_page(
    app: &AppState,
    ctx: &Ctx,
    client: &str,
    typed: HashMap<String, String>,
    refused: Option<ValidationErrors>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let open = payments::open_items(&mut tx, None).await?;
    let all_clients = clients(&mut tx, &open).await?;
    let banks = bank_accounts::active(&mut tx).await?;
    tx.commit().await?;
    let today = store::today();
    let mine: Vec<&OpenItem> = open
        .iter()
        .filter(|i| i.client_id.to_string() == client)
        .collect();
    let open_total = mine.iter().fold(Money::ZERO, |s, i| s + i.outstanding);
    let chosen_bank = typed.get("bank_account_id").cloned().unwrap_or_default();
    let chosen_method = typed
        .get("method")
        .cloned()
        .unwrap_or_else(|| PaymentMethod::Transfer.as_str().to_owned());
    let (status, errors, messages) = match &refused {
        Some(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::new(l, e),
            e.0.iter().map(|f| i18n::field_error(l, f)).collect(),
        ),
        None => (StatusCode::OK, FieldErrors::default(), Vec::new()),
    };
    let mut typed = typed;
    typed
        .entry("received_on".into())
        .or_insert_with(|| format_date(today, Locale::Fr));
    let page = NewPage {
        layout: layout(app, ctx, "payment-new-title").await?,
        clients: all_clients
            .into_iter()
            .map(|(id, name)| {
                let selected = id == client;
                (id, name, selected)
            })
            .collect(),
        client: client.to_owned(),
        banks: banks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let selected = if chosen_bank.is_empty() {
                    i == 0
                } else {
                    b.id.to_string() == chosen_bank
                };
                (
                    b.id.to_string(),
                    format!("{} — {}", b.label, b.iban_formatted()),
                    selected,
                )
            })
            .collect(),
        methods: PaymentMethod::ALL
            .iter()
            .map(|m| {
                (
                    m.as_str().to_owned(),
                    i18n::t(l, &m.label_key()),
                    m.as_str() == chosen_method,
                )
            })
            .collect(),
        invoices: mine
            .iter()
            .map(|i| InvoiceChoice {
                typed: typed
                    .get(&format!("alloc.{}", i.invoice_id))
                    .cloned()
                    .unwrap_or_default(),
                id: i.invoice_id.to_string(),
                number: i.number.clone(),
                href: format!("/invoices/{}", i.invoice_id),
                issue_date: format_date(i.issue_date, l),
                due_date: format_date(i.due_date, l),
                overdue: i.due_date < today,
                gross: i.gross.format(l),
                outstanding: i.outstanding.format(l),
            })
            .collect(),
        open_total: open_total.format(l),
        typed,
        errors,
        messages,
    };
    render_status(status, &page)
}

/// GET /collections/payments/new?client=…
pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut typed = HashMap::new();
    let mut client = q.client.trim().to_owned();
    if let Some(invoice) = domain::ids::InvoiceId::parse(q.invoice.trim()) {
        let mut tx = app.db.read().await?;
        let open = payments::open_items(&mut tx, None).await?;
        tx.commit().await?;
        // Only an invoice still owing something prefills the form; a paid
        // one leaves it as the client alone would.
        if let Some(item) = open.iter().find(|i| i.invoice_id == invoice) {
            client = item.client_id.to_string();
            let due = item.outstanding.to_input();
            typed.insert(format!("alloc.{invoice}"), due.clone());
            typed.insert("amount".to_owned(), due);
        }
    }
    new_page(&app, &ctx, &client, typed, None).await
}

/// The form read into a payment; blank allocations spread the amount over
/// the oldest due invoices first.
fn parse(f: &HashMap<String, String>, open: &[OpenItem]) -> Result<NewPayment, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let client = CompanyId::parse(get("client_id").trim());
    if client.is_none() {
        e.add("client_id", "payment-client-required");
    }
    let bank = get("bank_account_id").trim();
    if bank.is_empty() {
        e.add("bank_account_id", "payment-bank-required");
    }
    let received_on = e.required("received_on", get("received_on"), domain::validation::date);
    let amount = e.required("amount", get("amount"), Money::parse);
    let method = PaymentMethod::parse(get("method"));
    if method.is_none() {
        e.add("method", "payment-method-invalid");
    }
    let mut allocations = Vec::new();
    for item in open {
        let raw = get(&format!("alloc.{}", item.invoice_id)).trim();
        if raw.is_empty() {
            continue;
        }
        match Money::parse(raw) {
            Ok(a) if a == Money::ZERO => {}
            Ok(a) => allocations.push(NewAllocation {
                invoice_id: item.invoice_id,
                amount: a,
            }),
            Err(_) => e.add_with(
                "allocations",
                "payment-allocation-invalid",
                domain::args![("number", item.number.clone())],
            ),
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    let amount = amount.expect("checked");
    if allocations.is_empty() {
        let mut left = amount;
        for item in open {
            if left <= Money::ZERO {
                break;
            }
            let a = left.min(item.outstanding);
            allocations.push(NewAllocation {
                invoice_id: item.invoice_id,
                amount: a,
            });
            left -= a;
        }
    }
    let reference = get("reference").trim();
    Ok(NewPayment {
        client_id: client.expect("checked"),
        bank_account_id: crate::extract::id_or_nil(bank),
        received_on: received_on.expect("checked"),
        amount,
        method: method.expect("checked"),
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
        allocations,
        keep_excess: get("keep_excess") == "1",
    })
}

/// POST /collections/payments
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let client = f.get("client_id").cloned().unwrap_or_default();
    // The form is read against the invoices open in the transaction that
    // records the payment.
    let record = async |tx: &mut Tx| {
        // A client that is none of ours has no open invoice.
        let open = match CompanyId::parse(client.trim()) {
            Some(c) => payments::open_items(tx, Some(c)).await?,
            None => Vec::new(),
        };
        let p = parse(&f, &open)?;
        payments::record(tx, &ctx.actor(), &p).await
    };
    match write(&app, &ctx)
        .flash("payment-recorded-flash")
        .run(record)
        .await?
    {
        Done(r) => Ok(see_other(&format!("/collections/payments/{}", r.id))),
        Refused(e) => new_page(&app, &ctx, client.trim(), f, Some(e)).await,
    }
}

pub struct AllocationRow {
    pub number: String,
    pub href: String,
    pub date: String,
    pub amount: String,
    pub vat: String,
}

#[derive(Template)]
#[template(path = "collections/payment_show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    payment: PaymentRow,
    entry_href: String,
    allocations: Vec<AllocationRow>,
    /// (invoice id, "FA-… — reste dû 1 200,00 €")
    open: Vec<(String, String)>,
    can_allocate: bool,
    typed_amount: String,
    typed_invoice: String,
    /// Cancelled: when and why.
    reversed: Option<String>,
    can_reverse: bool,
    reverse: ReverseForm,
    errors: FieldErrors,
    messages: Vec<String>,
}

/// What a refused form on the payment's page had typed.
#[derive(Default)]
struct Typed {
    allocate: AllocateForm,
    reverse: ReverseForm,
}

async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    id: PaymentId,
    refused: Option<(ValidationErrors, Typed)>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let (p, allocations) = match payments::get(&mut tx, id).await {
        Ok(x) => x,
        Err(store::Error::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let open = payments::open_items(&mut tx, Some(p.client_id)).await?;
    tx.commit().await?;
    let (status, errors, messages, typed) = match refused {
        Some((e, t)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::new(l, &e),
            e.0.iter().map(|f| i18n::field_error(l, f)).collect(),
            t,
        ),
        None => (
            StatusCode::OK,
            FieldErrors::default(),
            Vec::new(),
            Typed::default(),
        ),
    };
    let manage = authz::allows(ctx.user()?.role, authz::Permission::ManageCollections);
    let reversed = p.reversed_on.map(|d| {
        i18n::t_args(
            l,
            "payment-reversed-on",
            &[
                ("date", format_date(d, l)),
                ("reason", p.reversal_reason.clone().unwrap_or_default()),
            ],
        )
    });
    let reverse = ReverseForm {
        date: if typed.reverse.date.is_empty() {
            format_date(store::today(), domain::Locale::Fr)
        } else {
            typed.reverse.date.clone()
        },
        reason: typed.reverse.reason.clone(),
    };
    let page = ShowPage {
        layout: layout(app, ctx, "payment-title").await?,
        id: p.id.to_string(),
        entry_href: format!("/accounting/journal?journal=BQ#entry-{}", p.ledger_entry_id),
        allocations: allocations
            .iter()
            .map(|a| AllocationRow {
                number: a.number.clone(),
                href: format!("/invoices/{}", a.invoice_id),
                date: format_date(a.allocated_on, l),
                amount: a.amount.format(l),
                vat: a.vat.format(l),
            })
            .collect(),
        open: open
            .iter()
            .map(|i| {
                (
                    i.invoice_id.to_string(),
                    i18n::t_args(
                        l,
                        "payment-open-choice",
                        &[
                            ("number", i.number.clone()),
                            ("outstanding", i.outstanding.format(l)),
                        ],
                    ),
                )
            })
            .collect(),
        can_allocate: manage
            && p.reversed_on.is_none()
            && p.unallocated > Money::ZERO
            && !open.is_empty(),
        typed_amount: typed.allocate.amount,
        typed_invoice: typed.allocate.invoice_id,
        can_reverse: manage && reversed.is_none(),
        reversed,
        reverse,
        payment: row(l, &p),
        errors,
        messages,
    };
    render_status(status, &page)
}

/// GET /collections/payments/{id}
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<PaymentId>,
) -> AppResult<Response> {
    show_page(&app, &ctx, id, None).await
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AllocateForm {
    #[serde(default)]
    pub invoice_id: String,
    #[serde(default)]
    pub amount: String,
}

/// POST /collections/payments/{id}/allocate: the client's credit to one
/// of his invoices, dated today.
pub async fn allocate(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<PaymentId>,
    Form(f): Form<AllocateForm>,
) -> AppResult<Response> {
    let mut e = ValidationErrors::new();
    let amount = e.required("amount", &f.amount, Money::parse);
    if f.invoice_id.trim().is_empty() {
        e.add("invoice_id", "payment-invoice-required");
    }
    let typed = |f: AllocateForm| Typed {
        allocate: f,
        ..Typed::default()
    };
    let Some(amount) = amount.filter(|_| e.is_empty()) else {
        return show_page(&app, &ctx, id, Some((e, typed(f)))).await;
    };
    let today = store::today();
    let allocate = async |tx: &mut Tx| {
        let invoice = crate::extract::id_or_nil(&f.invoice_id);
        payments::allocate_credit(tx, &ctx.actor(), id, invoice, amount, today).await
    };
    match write(&app, &ctx)
        .flash("payment-allocated-flash")
        .run(allocate)
        .await?
    {
        Done(()) => Ok(see_other(&format!("/collections/payments/{id}"))),
        Refused(v) => show_page(&app, &ctx, id, Some((v, typed(f)))).await,
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReverseForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub reason: String,
}

/// POST /collections/payments/{id}/reverse: cancels a payment recorded on
/// the wrong invoice or client (entry reversed, invoices reopened).
pub async fn reverse(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<PaymentId>,
    Form(f): Form<ReverseForm>,
) -> AppResult<Response> {
    let refused = |e, f: ReverseForm| {
        Some((
            e,
            Typed {
                reverse: f,
                ..Typed::default()
            },
        ))
    };
    let mut e = ValidationErrors::new();
    let Some(on) = e.required("date", &f.date, domain::validation::date) else {
        return show_page(&app, &ctx, id, refused(e, f)).await;
    };
    match write(&app, &ctx)
        .flash("payment-reversed-flash")
        .run(async |tx| payments::reverse(tx, &ctx.actor(), id, on, &f.reason).await)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/collections/payments/{id}"))),
        Refused(v) => show_page(&app, &ctx, id, refused(v, f)).await,
    }
}

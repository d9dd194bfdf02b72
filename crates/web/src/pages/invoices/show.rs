//! One invoice or credit note: its facts, lines and the half days each
//! bills (credited ones struck), totals with the VAT breakdown, credit
//! notes, ledger entries; and what can be done with it — issue a draft,
//! release a waiting one, credit days of an issued one, download its PDF
//! (and, issued, its Factur-X: see `facturx`).
//! A refusal re-renders the page with the reason in the user's language
//! (422), nothing written. The credit note form is in `credit`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::cra::Half;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::locale::format_date;
use domain::mission::DayQuantity;
use domain::terms::VatRate;
use domain::validation::{Arg, ValidationErrors};
use serde::Deserialize;
use store::invoicing::issue::Frozen;
use store::invoicing::read::{self, Detail, Summary};

use super::credit::{CreditGroup, CreditTyped, credit_groups};
use super::edit::{EditPanel, EditTyped, edit_panel};
use super::{date_or_dash, period_label, state_badge};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::extract::Id;
use crate::pages::documents::pdf_response;
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};
use domain::ids::InvoiceId;

pub struct DayChip {
    pub label: String,
    pub credited: bool,
}

pub struct LineRow {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub vat_rate: String,
    pub net: String,
    /// "40 demi-journées (2 créditées)".
    pub days_summary: String,
    pub days: Vec<DayChip>,
}

pub struct DocLink {
    pub href: String,
    pub number: String,
    pub date: String,
    pub gross: String,
}

pub struct EntryRow {
    pub number: String,
    pub date: String,
    pub label: String,
    pub href: Option<String>,
    pub reversal: bool,
}

#[derive(Template)]
#[template(path = "invoices/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    heading: String,
    status: String,
    status_class: &'static str,
    client: String,
    client_href: String,
    facts: Vec<(String, String)>,
    issue_error: Option<String>,
    /// A draft whose frozen terms no longer match its mission, client or
    /// firm: what changed, and the button to bring it up to date.
    changes: Vec<String>,
    lines: Vec<LineRow>,
    breakdown: Vec<(String, String, String)>,
    net: String,
    vat: String,
    gross: String,
    credit_notes: Vec<DocLink>,
    credited: Option<DocLink>,
    entries: Vec<EntryRow>,
    can_issue: bool,
    can_release: bool,
    can_credit: bool,
    pdf_label: String,
    /// Issued: the Factur-X (PDF and XML) can be downloaded.
    facturx: bool,
    has_refusal: bool,
    messages: Vec<String>,
    issue_errors: FieldErrors,
    credit_errors: FieldErrors,
    issue_date: String,
    credit_date: String,
    credit_reason: String,
    credit_all: bool,
    credit_groups: Vec<CreditGroup>,
    /// E-invoicing (lifecycle, deposit), for an issued document.
    einvoice: Option<super::lifecycle::EinvoicePanel>,
    /// Dunning (notices, pause), for an issued invoice.
    dunning: Option<crate::pages::dunning::InvoicePanel>,
    /// The payments received on an issued invoice and what is still due.
    payments: Option<PaymentsPanel>,
    /// What finance may change on a draft before issuing it.
    edit: Option<EditPanel>,
    /// The credit note form is shown open (it was refused).
    credit_open: bool,
    /// The activity reports whose days it bills.
    reports: Vec<ReportLink>,
    /// Its e-mails to the client, and sending it again.
    email: Option<super::email::EmailPanel>,
}

pub struct ReportLink {
    pub href: String,
    pub label: String,
}

pub struct PaymentRow {
    pub date: String,
    pub amount: String,
    pub method: String,
    pub reference: String,
    pub href: Option<String>,
}

pub struct PaymentsPanel {
    pub rows: Vec<PaymentRow>,
    pub paid: String,
    pub outstanding: String,
    pub can_record: bool,
    pub record_href: String,
}

/// What was received on an issued invoice, and what is still owed.
async fn payments_panel(
    tx: &mut store::Tx,
    l: Locale,
    d: &read::Detail,
    role: domain::role::Role,
) -> AppResult<Option<PaymentsPanel>> {
    let s = &d.summary;
    if s.kind != InvoiceKind::Invoice || s.status != InvoiceStatus::Issued {
        return Ok(None);
    }
    let view = allows(role, Permission::ViewCollections);
    let received = store::payments::of_invoice(tx, s.id).await?;
    let open = store::payments::open_items(tx, Some(s.client_id)).await?;
    let outstanding = open
        .iter()
        .find(|i| i.invoice_id == s.id)
        .map(|i| i.outstanding)
        .unwrap_or(domain::money::Money::ZERO);
    let paid = received
        .iter()
        .fold(domain::money::Money::ZERO, |sum, (_, a)| sum + a.amount);
    Ok(Some(PaymentsPanel {
        rows: received
            .iter()
            .map(|(p, a)| PaymentRow {
                date: format_date(a.allocated_on, l),
                amount: a.amount.format(l),
                method: i18n::t(l, &p.method.label_key()),
                reference: p.reference.clone().unwrap_or_default(),
                href: view.then(|| format!("/collections/payments/{}", p.id)),
            })
            .collect(),
        paid: paid.format(l),
        outstanding: outstanding.format(l),
        can_record: allows(role, Permission::ManageCollections)
            && outstanding > domain::money::Money::ZERO,
        record_href: format!(
            "/collections/payments/new?client={}&invoice={}",
            s.client_id, s.id
        ),
    }))
}

/// Which form was refused, with what was typed.
#[derive(Default)]
pub(super) enum Refusal {
    #[default]
    None,
    Issue {
        errors: ValidationErrors,
        date: String,
    },
    Release(ValidationErrors),
    Credit {
        errors: ValidationErrors,
        typed: CreditTyped,
    },
    Lifecycle {
        errors: ValidationErrors,
        typed: super::lifecycle::StatusForm,
    },
    Edit {
        errors: ValidationErrors,
        typed: EditTyped,
    },
}

pub(super) fn half_label(l: Locale, h: Half) -> String {
    i18n::t(l, &format!("cra-half-{}", h.as_str()))
}

/// A message stored as `close::describe` writes it — `key (name=value,
/// …)`, several joined by `; ` — in the user's language; text that is not
/// a message key is shown as it is.
pub fn describe_message(l: Locale, raw: &str) -> String {
    raw.split("; ")
        .map(|part| {
            let (key, args) = match part.split_once(" (") {
                Some((k, rest)) => (k, rest.strip_suffix(')').unwrap_or(rest)),
                None => (part, ""),
            };
            let is_key = |k: &str| {
                !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            };
            if !is_key(key) || !i18n::has(l, key) {
                return part.to_owned();
            }
            // A value may itself hold ", " (the list of what is missing).
            let mut pairs: Vec<(String, String)> = Vec::new();
            for chunk in args.split(", ").filter(|c| !c.is_empty()) {
                match (chunk.split_once('='), pairs.last_mut()) {
                    (Some((k, v)), _) if !k.contains(' ') => pairs.push((k.into(), v.into())),
                    (_, Some(last)) => {
                        last.1.push_str(", ");
                        last.1.push_str(chunk);
                    }
                    (_, None) => {}
                }
            }
            // Values come back typed (a date, an amount, a label's key), to
            // be written in the reader's language; older rows hold text.
            let value = |v: &str| -> Arg {
                let mut items: Vec<Arg> = v
                    .split(", ")
                    .map(|item| {
                        if is_key(item) && i18n::has(l, item) {
                            Arg::Key(item.to_owned().into())
                        } else {
                            Arg::read(item)
                        }
                    })
                    .collect();
                if items.len() == 1 {
                    items.remove(0)
                } else {
                    Arg::List(items)
                }
            };
            let args: Vec<(&str, Arg)> =
                pairs.iter().map(|(k, v)| (k.as_str(), value(v))).collect();
            i18n::t_args(l, key, &args)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn link(l: Locale, s: &Summary) -> DocLink {
    DocLink {
        href: format!("/invoices/{}", s.id),
        number: s
            .number
            .clone()
            .unwrap_or_else(|| i18n::t(l, "invoice-unnumbered")),
        date: date_or_dash(l, s.issue_date),
        gross: s.gross.format(l),
    }
}

fn frozen_facts(l: Locale, f: &Frozen, invoice: bool, facts: &mut Vec<(String, String)>) {
    let t = |k: &str| i18n::t(l, k);
    if invoice {
        let terms = f.terms();
        facts.push((
            t("invoice-payment-terms"),
            i18n::t_args(l, terms.label_key(), &terms.label_args()),
        ));
    }
    facts.push((t("invoice-vat-regime"), t(&f.regime().label_key())));
    if let Some(po) = &f.po_number {
        facts.push((t("invoice-po-number"), po.clone()));
    }
    if let Some(r) = &f.buyer_reference {
        facts.push((t("invoice-buyer-reference"), r.clone()));
    }
    if let Some(n) = &f.note {
        facts.push((t("invoice-note"), n.clone()));
    }
    if let Some(r) = &f.contract_reference {
        facts.push((t("invoice-contract"), r.clone()));
    }
}

/// The facts of `d`; `terms`, what it states (frozen at issue, or a
/// draft's terms with finance's edit).
fn facts(l: Locale, d: &Detail, terms: Option<&Frozen>) -> Vec<(String, String)> {
    let s = &d.summary;
    let t = |k: &str| i18n::t(l, k);
    let mut facts = vec![
        (t("invoice-title-col"), s.title.clone()),
        (t("invoice-period"), period_label(l, &s.period)),
    ];
    if let Some(due) = s.amount_due() {
        facts.push((t("invoice-amount-due"), due.format(l)));
    }
    if let Some(n) = &s.number {
        facts.push((t("invoice-number"), n.clone()));
    }
    if s.issue_date.is_some() {
        facts.push((t("invoice-issue-date"), date_or_dash(l, s.issue_date)));
    }
    if s.kind == InvoiceKind::Invoice && s.due_date.is_some() {
        facts.push((t("invoice-due-date"), date_or_dash(l, s.due_date)));
    }
    if let Some(since) = s.waiting_since {
        facts.push((
            t("invoice-waiting-since"),
            format_date(domain::paris::date(since), l),
        ));
    }
    if let Some(a) = s.accrued {
        facts.push((t("invoice-accrued"), a.format(l)));
    }
    if let Some(f) = terms {
        frozen_facts(l, f, s.kind == InvoiceKind::Invoice, &mut facts);
    }
    facts.push((
        t("invoice-created"),
        format_date(domain::paris::date(s.created_at), l),
    ));
    facts
}

fn lines(l: Locale, d: &Detail) -> Vec<LineRow> {
    let invoice = d.summary.kind == InvoiceKind::Invoice;
    d.lines
        .iter()
        .map(|x| {
            let credited = x.days.iter().filter(|(_, _, c)| *c).count();
            let halves = x.days.len().to_string();
            let days_summary = if invoice && credited > 0 {
                i18n::t_args(
                    l,
                    "invoice-line-halves-credited",
                    &[("count", halves), ("credited", credited.to_string())],
                )
            } else {
                i18n::t_args(l, "invoice-line-halves", &[("count", halves)])
            };
            LineRow {
                description: x.description.clone(),
                quantity: DayQuantity::from_half_days(x.half_days.max(0) as u32).format(l),
                unit_price: x.unit_price.format(l),
                vat_rate: VatRate::from_basis_points(x.vat_rate_bp.max(0) as u32)
                    .map(|r| r.format(l))
                    .unwrap_or_default(),
                net: x.net.format(l),
                days_summary,
                days: x
                    .days
                    .iter()
                    .map(|(day, h, c)| DayChip {
                        label: format!("{} {}", format_date(*day, l), half_label(l, *h)),
                        // On a credit note the days are the ones it gave back.
                        credited: invoice && *c,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn entries(l: Locale, d: &Detail, can_journal: bool) -> Vec<EntryRow> {
    d.entries
        .iter()
        .map(|e| {
            let journal = e.number.split('-').next().unwrap_or_default();
            let day = format_date(e.date, Locale::Fr);
            EntryRow {
                number: e.number.clone(),
                date: format_date(e.date, l),
                label: e.label.clone(),
                href: (can_journal && domain::ledger::Journal::parse(journal).is_some())
                    .then(|| format!("/accounting/journal?journal={journal}&from={day}&to={day}")),
                reversal: e.reverses_id.is_some(),
            }
        })
        .collect()
}

pub(super) async fn page(
    app: &AppState,
    ctx: &Ctx,
    id: InvoiceId,
    refusal: Refusal,
) -> AppResult<Response> {
    let l = ctx.locale;
    let role = ctx.user()?.role;
    let can_manage = allows(role, Permission::ManageInvoices);
    let mut tx = app.db.read().await?;
    read::visible(&mut tx, ctx.scope()?, id).await?;
    let d = read::get(&mut tx, id).await?;
    let totals = store::invoicing::print::document_totals(&mut tx, &d).await?;
    let (refusal, lifecycle_refused) = match refusal {
        Refusal::Lifecycle { errors, typed } => {
            (Refusal::Release(errors.clone()), Some((errors, typed)))
        }
        other => (other, None),
    };
    let einvoice = super::lifecycle::panel(&mut tx, l, id, can_manage, lifecycle_refused).await?;
    let dunning =
        if d.summary.kind == InvoiceKind::Invoice && d.summary.status == InvoiceStatus::Issued {
            crate::pages::dunning::invoice_panel(&mut tx, l, role, id).await?
        } else {
            None
        };
    let payments = payments_panel(&mut tx, l, &d, role).await?;
    let email = super::email::panel(&mut tx, l, role, id, d.summary.status).await?;
    let draft = matches!(
        d.summary.status,
        InvoiceStatus::Draft | InvoiceStatus::WaitingSignature
    ) && d.summary.kind == InvoiceKind::Invoice;
    let (changes, terms) = if draft {
        let changes = store::invoicing::issue::terms_changes(&mut tx, id)
            .await?
            .iter()
            .map(|c| i18n::arg(l, c))
            .collect();
        let terms = store::invoicing::edit::effective_terms(&mut tx, id).await?;
        (changes, Some(terms))
    } else {
        (Vec::new(), d.frozen.clone())
    };
    let reports = store::invoicing::read::cras_of_invoice(&mut tx, id)
        .await?
        .into_iter()
        .map(|r| ReportLink {
            href: format!("/cras/{}", r.id),
            label: format!("{} · {}", period_label(l, &r.month), r.consultant),
        })
        .collect();
    tx.commit().await?;
    let s = &d.summary;
    let today = format_date(store::today(), Locale::Fr);
    let (status, status_class) = state_badge(l, s.payment_state(store::today()));
    let heading = match (s.kind, &s.number) {
        (InvoiceKind::Invoice, Some(n)) => {
            i18n::t_args(l, "invoice-heading", &[("number", n.clone())])
        }
        (InvoiceKind::CreditNote, Some(n)) => {
            i18n::t_args(l, "credit-note-heading", &[("number", n.clone())])
        }
        (_, None) => i18n::t(l, "invoice-heading-draft"),
    };
    let status_now = s.status;
    let invoice = s.kind == InvoiceKind::Invoice;
    let (edit_refused, refusal) = match refusal {
        Refusal::Edit { errors, typed } => {
            (Some((errors.clone(), typed)), Refusal::Release(errors))
        }
        other => (None, other),
    };
    let credit_open = matches!(refusal, Refusal::Credit { .. });
    let (messages, issue_errors, credit_errors, issue_date, typed) = match refusal {
        Refusal::None => (
            Vec::new(),
            FieldErrors::default(),
            FieldErrors::default(),
            today.clone(),
            CreditTyped::default(),
        ),
        Refusal::Issue { errors, date } => (
            messages(l, &errors),
            FieldErrors::new(l, &errors),
            FieldErrors::default(),
            date,
            CreditTyped::default(),
        ),
        Refusal::Release(errors)
        | Refusal::Lifecycle { errors, .. }
        | Refusal::Edit { errors, .. } => (
            messages(l, &errors),
            FieldErrors::default(),
            FieldErrors::default(),
            today.clone(),
            CreditTyped::default(),
        ),
        Refusal::Credit { errors, typed } => (
            messages(l, &errors),
            FieldErrors::default(),
            FieldErrors::new(l, &errors),
            today.clone(),
            typed,
        ),
    };
    let credit_groups = if invoice && status_now == InvoiceStatus::Issued {
        credit_groups(l, &d, &typed)
    } else {
        Vec::new()
    };
    let breakdown = totals
        .breakdown
        .iter()
        .map(|b| (b.rate.format(l), b.taxable.format(l), b.vat.format(l)))
        .collect();
    let mut layout = layout(app, ctx, "invoice-title").await?;
    layout.title = heading.clone();
    let page = ShowPage {
        layout,
        id: s.id.to_string(),
        heading,
        status,
        status_class,
        client: s.client_name.clone(),
        client_href: format!("/companies/{}", s.client_id),
        facts: facts(l, &d, terms.as_ref()),
        issue_error: s.issue_error.as_deref().map(|e| describe_message(l, e)),
        changes: if can_manage { changes } else { Vec::new() },
        lines: lines(l, &d),
        breakdown,
        net: s.net.format(l),
        vat: s.vat.format(l),
        gross: s.gross.format(l),
        credit_notes: d.credit_notes.iter().map(|c| link(l, c)).collect(),
        credited: d.credited.as_ref().map(|c| link(l, c)),
        entries: entries(l, &d, allows(role, Permission::ViewAccounting)),
        can_issue: can_manage && invoice && status_now == InvoiceStatus::Draft,
        can_release: can_manage && status_now == InvoiceStatus::WaitingSignature && !d.locked,
        can_credit: can_manage && !credit_groups.is_empty(),
        pdf_label: i18n::t(
            l,
            if status_now == InvoiceStatus::Issued {
                "invoice-download-pdf"
            } else {
                "invoice-preview-pdf"
            },
        ),
        facturx: status_now == InvoiceStatus::Issued,
        has_refusal: !messages.is_empty(),
        messages,
        issue_errors,
        credit_errors,
        issue_date,
        credit_date: if typed.date.is_empty() {
            today
        } else {
            typed.date.clone()
        },
        credit_reason: typed.reason.clone(),
        credit_all: typed.all,
        credit_groups,
        payments,
        einvoice,
        dunning,
        edit: match (&terms, can_manage && draft) {
            (Some(t), true) => Some(edit_panel(l, &d, t, edit_refused)),
            _ => None,
        },
        credit_open,
        reports,
        email,
    };
    if page.has_refusal {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

fn messages(l: Locale, errors: &ValidationErrors) -> Vec<String> {
    errors.0.iter().map(|e| i18n::field_error(l, e)).collect()
}

/// GET /invoices/{id}
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    page(&app, &ctx, id, Refusal::None).await
}

/// GET /invoices/{id}/pdf: the issued document, or a draft's preview.
pub async fn pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    read::visible(&mut tx, ctx.scope()?, id).await?;
    let printed = app::invoicing::print::printable(&mut tx, id).await?;
    tx.commit().await?;
    Ok(pdf_response(
        pdf::invoice(&printed.pdf).to_bytes(),
        &printed.file_name,
        false,
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    pub date: String,
}

/// POST /invoices/{id}/issue
pub async fn issue(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Form(f): Form<IssueForm>,
) -> AppResult<Response> {
    let refused = |errors| Refusal::Issue {
        errors,
        date: f.date.trim().to_owned(),
    };
    let mut errors = ValidationErrors::new();
    let Some(date) = errors.required("date", &f.date, domain::validation::date) else {
        return page(&app, &ctx, id, refused(errors)).await;
    };
    match write(&app, &ctx)
        .flash("invoice-issued-flash")
        .run(async |tx| store::invoicing::issue(tx, &ctx.actor(), id, date).await)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => page(&app, &ctx, id, refused(v)).await,
    }
}

/// POST /invoices/{id}/refresh-terms: the draft takes the terms and VAT
/// rates its mission, client and firm carry now.
pub async fn refresh_terms(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    match write(&app, &ctx)
        .flash("invoice-terms-refreshed-flash")
        .run(async |tx| store::invoicing::issue::refresh_terms(tx, &ctx.actor(), id).await)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => page(&app, &ctx, id, Refusal::Release(v)).await,
    }
}

/// POST /invoices/{id}/release: a waiting invoice whose contract is now
/// signed becomes a draft.
pub async fn release(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    match write(&app, &ctx)
        .flash("invoice-released-flash")
        .run(async |tx| store::invoicing::lock::release(tx, &ctx.actor(), id).await)
        .await?
    {
        Done(()) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => page(&app, &ctx, id, Refusal::Release(v)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_refusal_is_shown_in_words() {
        let fr = describe_message(
            Locale::Fr,
            "invoice-client-incomplete (missing=SIREN, adresse); invoice-empty",
        );
        assert!(fr.contains(": SIREN, adresse."), "{fr}");
        assert!(fr.contains("rien à facturer"), "{fr}");
        // As written since messages carry values: labels by key, dates
        // and months in no language.
        let stored = "invoice-client-incomplete (missing=mention-buyer-siren, mention-buyer-address); \
                      invoice-date-before-last (date=2026-11-28)";
        let en = describe_message(Locale::En, stored);
        assert!(en.contains(": SIREN, address."), "{en}");
        assert!(en.contains("28 Nov 2026"), "{en}");
        let fr = describe_message(Locale::Fr, stored);
        assert!(fr.contains(": SIREN, adresse."), "{fr}");
        assert!(fr.contains("28/11/2026"), "{fr}");
        let en = describe_message(Locale::En, "invoice-empty");
        assert_eq!(en, "This invoice has nothing to bill.");
        // Not a key: shown as it is.
        assert_eq!(
            describe_message(Locale::Fr, "database is locked"),
            "database is locked"
        );
    }
}

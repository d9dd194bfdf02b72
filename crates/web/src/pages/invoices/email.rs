//! An issued document e-mailed to its client (`store::invoice_emails`):
//! its sendings on the invoice page, the confirmation page that says to
//! whom it will go before it is sent again, and the client's setting
//! "send invoices by e-mail" on the company page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::ids::{CompanyId, InvoiceId};
use domain::invoice::InvoiceStatus;
use domain::locale::format_datetime;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::outbox::EmailState;

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::{Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

pub struct SendingRow {
    pub when: String,
    pub reason: String,
    pub to: String,
    pub cc: String,
    pub by: String,
    pub state: String,
    pub state_class: &'static str,
}

/// The invoice page's panel: what was sent, and the button to send again.
pub struct EmailPanel {
    pub rows: Vec<SendingRow>,
    pub can_send: bool,
}

fn state(l: Locale, s: &EmailState) -> (String, &'static str) {
    match s {
        EmailState::Queued => (i18n::t(l, "invoice-email-queued"), "key"),
        EmailState::Sent => (i18n::t(l, "invoice-email-sent"), "cra-validated"),
        EmailState::Failed(e) => (
            i18n::t_args(l, "invoice-email-failed", &[("error", e.clone())]),
            "cra-rejected",
        ),
        EmailState::NoAddress => (i18n::t(l, "invoice-email-no-address"), "cra-rejected"),
    }
}

/// The panel of an issued document (none for a draft).
pub async fn panel(
    tx: &mut store::Tx,
    l: Locale,
    role: domain::role::Role,
    id: InvoiceId,
    status: InvoiceStatus,
) -> AppResult<Option<EmailPanel>> {
    if status != InvoiceStatus::Issued {
        return Ok(None);
    }
    let sendings = store::invoice_emails::of_invoice(tx, id).await?;
    Ok(Some(EmailPanel {
        rows: sendings
            .iter()
            .map(|s| {
                let (state, state_class) = state(l, &s.email);
                SendingRow {
                    when: format_datetime(s.created_at, l),
                    reason: i18n::t(l, &s.reason.label_key()),
                    to: s.to_address.clone(),
                    cc: s.cc_address.clone().unwrap_or_default(),
                    by: s.by.clone().unwrap_or_default(),
                    state,
                    state_class,
                }
            })
            .collect(),
        can_send: allows(role, Permission::ManageInvoices),
    }))
}

#[derive(Template)]
#[template(path = "invoices/email.html")]
struct ConfirmPage {
    layout: Layout,
    id: String,
    heading: String,
    /// What will happen, in words; none when nothing can be sent.
    what: Option<String>,
    to: String,
    cc: String,
    language: String,
    /// Why it cannot be sent (no billing address, not issued).
    refusals: Vec<String>,
    resend: bool,
}

async fn confirm_page(
    app: &AppState,
    ctx: &Ctx,
    id: InvoiceId,
    refused: Option<&ValidationErrors>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let d = store::invoicing::read::get(&mut tx, id).await?;
    let recipients = store::invoice_emails::recipients(&mut tx, id).await?;
    let sent_before = !store::invoice_emails::of_invoice(&mut tx, id)
        .await?
        .is_empty();
    tx.commit().await?;
    let number = d.summary.number.clone().unwrap_or_default();
    let mut refusals: Vec<String> = refused
        .map(|v| v.0.iter().map(|e| i18n::field_error(l, e)).collect())
        .unwrap_or_default();
    if d.summary.status != InvoiceStatus::Issued && refusals.is_empty() {
        refusals.push(i18n::t(l, "invoice-email-not-issued"));
    }
    if recipients.is_none() && refusals.is_empty() {
        refusals.push(i18n::t(l, "invoice-email-no-address"));
    }
    let (what, to, cc, language) = match &recipients {
        Some(r) if refusals.is_empty() => (
            Some(i18n::t_args(
                l,
                "invoice-email-confirm-what",
                &[("number", number.clone()), ("to", r.to.clone())],
            )),
            r.to.clone(),
            r.cc.clone().unwrap_or_default(),
            i18n::t(l, &format!("invoice-email-language-{}", r.locale.as_str())),
        ),
        _ => (None, String::new(), String::new(), String::new()),
    };
    let heading = i18n::t_args(l, "invoice-email-confirm-title", &[("number", number)]);
    let mut layout = layout(app, ctx, "invoice-email-confirm-title").await?;
    layout.title = heading.clone();
    let page = ConfirmPage {
        layout,
        id: id.to_string(),
        heading,
        what,
        to,
        cc,
        language,
        refusals,
        resend: sent_before,
    };
    if refused.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

/// GET /invoices/{id}/email: to whom it will go, before sending it.
pub async fn confirm(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    confirm_page(&app, &ctx, id, None).await
}

/// POST /invoices/{id}/email: sends it (again); refused, writing nothing,
/// when the client has no billing address.
pub async fn send(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    match write(&app, &ctx)
        .flash("invoice-email-queued-flash")
        .run(async |tx| {
            store::invoice_emails::send(
                tx,
                &ctx.actor(),
                id,
                domain::invoice::delivery::Reason::Resend,
                &app::Render,
            )
            .await
        })
        .await?
    {
        Done(_) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => confirm_page(&app, &ctx, id, Some(&v)).await,
    }
}

/// The company page's setting: a checkbox is absent when unticked.
#[derive(Debug, Default, Deserialize)]
pub struct ClientSettingForm {
    pub send_invoices_by_email: Option<String>,
}

/// POST /companies/{id}/invoice-delivery
pub async fn client_setting(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(f): Form<ClientSettingForm>,
) -> AppResult<Response> {
    let on = f.send_invoices_by_email.is_some();
    // Only a company the user may see: another manager's account is not
    // found.
    let scope = ctx.scope()?;
    write(&app, &ctx)
        .flash(if on {
            "invoice-delivery-on-flash"
        } else {
            "invoice-delivery-off-flash"
        })
        .redirect(&format!("/companies/{id}"), async |tx| {
            store::companies::get(tx, scope, id).await?;
            store::invoice_emails::set_client_wants_email(tx, &ctx.actor(), id, on).await
        })
        .await
}

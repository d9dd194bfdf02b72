//! Dunning (relances), `/collections/dunning`: the settings (legal rate,
//! on/off, copy), the levels, pauses per client or invoice, the notices
//! sent, and a button that runs the notices due now (a job, so two
//! instances never send twice). The invoice page shows the invoice's
//! notices and pauses it (`InvoicePanel`).
//!
//! A refused form re-renders the page with the reason in the user's
//! language (422), nothing written.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::company::CompanyKind;
use domain::dunning::{LevelInput, MAX_LEVELS, Tone, format_rate};
use domain::locale::format_date;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::dunning::{EmailState, Notice, Pause, PauseTarget, SettingsInput};
use store::{Scope, Tx};
use time::Date;

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::extract::Id;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};
use domain::ids::{DunningPauseId, InvoiceId};

const HISTORY_LIMIT: i64 = 200;
const PAGE: &str = "/collections/dunning";

fn today() -> Date {
    store::today()
}

pub struct LevelRow {
    pub index: usize,
    pub days: String,
    pub name: String,
    pub tone: String,
    pub penalties: bool,
    pub active: bool,
}

pub struct PauseRow {
    pub id: String,
    /// "Clientis" or "FA-2026-000001 (Clientis)".
    pub target: String,
    pub href: String,
    pub reason: String,
    pub until: String,
    pub by: String,
    pub since: String,
}

pub struct NoticeRow {
    pub date: String,
    pub invoice: String,
    pub invoice_href: String,
    pub client: String,
    pub level: String,
    pub days: String,
    pub amount: String,
    pub penalty: String,
    pub indemnity: String,
    pub email: String,
    pub email_class: &'static str,
}

/// What the pause form holds.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct PauseForm {
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub invoice_id: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub until: String,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub legal_rate: String,
    #[serde(default)]
    pub copy_to: String,
}

#[derive(Template)]
#[template(path = "collections/dunning.html")]
struct DunningPage {
    layout: Layout,
    can_manage: bool,
    enabled: bool,
    legal_rate: String,
    penalty_rate: String,
    copy_to: String,
    settings_errors: FieldErrors,
    levels: Vec<LevelRow>,
    level_messages: Vec<String>,
    tones: Vec<(&'static str, String)>,
    pauses: Vec<PauseRow>,
    clients: Vec<(String, String)>,
    invoices: Vec<(String, String)>,
    pause: PauseForm,
    pause_errors: FieldErrors,
    notices: Vec<NoticeRow>,
    refused: bool,
}

/// Which form was refused, with what was typed.
#[derive(Default)]
enum Refusal {
    #[default]
    None,
    Settings(ValidationErrors, SettingsForm),
    Levels(ValidationErrors, Vec<LevelInput>),
    Pause(ValidationErrors, PauseForm),
}

fn email_state(l: Locale, n: &Notice) -> (String, &'static str) {
    match &n.email {
        EmailState::Queued => (i18n::t(l, "dunning-email-queued"), "key"),
        EmailState::Sent => (
            i18n::t_args(l, "dunning-email-sent", &[("to", n.email_to.clone())]),
            "cra-validated",
        ),
        EmailState::Failed(e) => (
            i18n::t_args(l, "dunning-email-failed", &[("error", e.clone())]),
            "cra-rejected",
        ),
        EmailState::NoAddress => (i18n::t(l, "dunning-email-no_address"), "cra-rejected"),
    }
}

fn notice_rows(l: Locale, notices: &[Notice]) -> Vec<NoticeRow> {
    notices
        .iter()
        .map(|n| {
            let (email, email_class) = email_state(l, n);
            NoticeRow {
                date: format_date(n.sent_on, l),
                invoice: n.invoice_number.clone(),
                invoice_href: format!("/invoices/{}", n.invoice_id),
                client: n.client_name.clone(),
                level: format!("{} · {}", n.level_rank, n.level_name),
                days: i18n::t_args(
                    l,
                    "dunning-notice-days-late",
                    &[("days", n.days_late.to_string())],
                ),
                amount: n.outstanding.format(l),
                penalty: n.penalty.format(l),
                indemnity: n.indemnity.format(l),
                email,
                email_class,
            }
        })
        .collect()
}

fn pause_rows(l: Locale, pauses: &[Pause]) -> Vec<PauseRow> {
    pauses
        .iter()
        .map(|p| PauseRow {
            id: p.id.to_string(),
            target: match &p.invoice_number {
                Some(n) if p.invoice_id.is_some() => format!("{n} ({})", p.client_name),
                _ => format!(
                    "{} ({})",
                    p.client_name,
                    i18n::t(l, "dunning-pause-whole-client")
                ),
            },
            href: match (&p.invoice_id, &p.company_id) {
                (Some(i), _) => format!("/invoices/{i}"),
                (None, Some(c)) => format!("/companies/{c}"),
                _ => String::new(),
            },
            reason: p.reason.clone(),
            until: p
                .paused_until
                .map(|d| format_date(d, l))
                .unwrap_or_else(|| i18n::t(l, "dunning-pause-until-none")),
            by: p.created_by.clone().unwrap_or_default(),
            since: format_date(domain::paris::date(p.created_at), l),
        })
        .collect()
}

fn level_rows(levels: &[LevelInput]) -> Vec<LevelRow> {
    (0..MAX_LEVELS)
        .map(|i| {
            let l = levels.get(i).cloned().unwrap_or_default();
            LevelRow {
                index: i,
                days: l.days_after_due,
                name: l.name,
                tone: l.tone,
                penalties: l.include_penalties,
                active: l.active || levels.get(i).is_none(),
            }
        })
        .collect()
}

async fn page(app: &AppState, ctx: &Ctx, refusal: Refusal) -> AppResult<Response> {
    let l = ctx.locale;
    let can_manage = allows(ctx.user()?.role, Permission::ManageCollections);
    let mut tx = app.db.read().await?;
    let settings = store::dunning::settings(&mut tx).await?;
    let levels = store::dunning::levels(&mut tx).await?;
    let pauses = store::dunning::pauses(&mut tx, today()).await?;
    let notices = store::dunning::notices(&mut tx, HISTORY_LIMIT).await?;
    let (clients, invoices) = if can_manage {
        (
            store::companies::options(&mut tx, Scope::All, Some(CompanyKind::Client))
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            store::dunning::open_invoices(&mut tx)
                .await?
                .into_iter()
                .map(|i| {
                    (
                        i.id.to_string(),
                        format!(
                            "{} · {} · {}",
                            i.number.unwrap_or_default(),
                            i.client_name,
                            domain::Money::from_cents(i.outstanding_cents).format(l)
                        ),
                    )
                })
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    tx.commit().await?;
    let stored_levels: Vec<LevelInput> = levels
        .as_slice()
        .iter()
        .map(|v| LevelInput {
            days_after_due: v.days_after_due.to_string(),
            name: v.name.clone(),
            tone: v.tone.as_str().to_owned(),
            include_penalties: v.include_penalties,
            active: v.active,
        })
        .collect();
    let mut p = DunningPage {
        layout: layout(app, ctx, "dunning-title").await?,
        can_manage,
        enabled: settings.enabled,
        legal_rate: format_rate(settings.legal_rate_bp, l)
            .trim_end_matches(" %")
            .to_owned(),
        penalty_rate: format!(
            "{} {}",
            i18n::t(l, "dunning-penalty-rate"),
            format_rate(
                settings.legal_rate_bp * domain::dunning::PENALTY_MULTIPLIER as u32,
                l,
            )
        ),
        copy_to: settings.copy_to.unwrap_or_default(),
        settings_errors: FieldErrors::default(),
        levels: level_rows(&stored_levels),
        level_messages: Vec::new(),
        tones: Tone::ALL
            .iter()
            .map(|t| (t.as_str(), i18n::t(l, &t.label_key())))
            .collect(),
        pauses: pause_rows(l, &pauses),
        clients,
        invoices,
        pause: PauseForm::default(),
        pause_errors: FieldErrors::default(),
        notices: notice_rows(l, &notices),
        refused: false,
    };
    match refusal {
        Refusal::None => {}
        Refusal::Settings(e, typed) => {
            p.settings_errors = FieldErrors::new(l, &e);
            p.enabled = typed.enabled.is_some();
            p.legal_rate = typed.legal_rate;
            p.copy_to = typed.copy_to;
            p.refused = true;
        }
        Refusal::Levels(e, typed) => {
            p.level_messages = e.0.iter().map(|f| i18n::field_error(l, f)).collect();
            p.levels = level_rows(&typed);
            p.refused = true;
        }
        Refusal::Pause(e, typed) => {
            p.pause_errors = FieldErrors::new(l, &e);
            p.pause = typed;
            p.refused = true;
        }
    }
    if p.refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
    } else {
        render(&p)
    }
}

/// GET /collections/dunning
pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&app, &ctx, Refusal::None).await
}

/// POST /collections/dunning/settings
pub async fn save_settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let input = SettingsInput {
        enabled: f.enabled.is_some(),
        legal_rate: f.legal_rate.clone(),
        copy_to: f.copy_to.clone(),
    };
    let settings = match input.validate() {
        Ok(s) => s,
        Err(e) => return page(&app, &ctx, Refusal::Settings(e, f)).await,
    };
    write(&app, &ctx)
        .flash("dunning-settings-saved")
        .commit(async |tx| store::dunning::save_settings(tx, &ctx.actor(), &settings).await)
        .await?;
    Ok(see_other(PAGE))
}

/// The level rows of the form: `days_0`, `name_0`, `tone_0`, `penalties_0`,
/// `active_0`, … up to `MAX_LEVELS`.
fn typed_levels(f: &HashMap<String, String>) -> Vec<LevelInput> {
    let get = |k: String| f.get(&k).cloned().unwrap_or_default();
    (0..MAX_LEVELS)
        .map(|i| LevelInput {
            days_after_due: get(format!("days_{i}")),
            name: get(format!("name_{i}")),
            tone: get(format!("tone_{i}")),
            include_penalties: f.contains_key(&format!("penalties_{i}")),
            active: f.contains_key(&format!("active_{i}")),
        })
        .collect()
}

/// POST /collections/dunning/levels
pub async fn save_levels(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let typed = typed_levels(&f);
    match write(&app, &ctx)
        .flash("dunning-levels-saved")
        .run(async |tx| store::dunning::save_level_inputs(tx, &ctx.actor(), &typed).await)
        .await?
    {
        Done(()) => Ok(see_other(PAGE)),
        Refused(e) => page(&app, &ctx, Refusal::Levels(e, typed)).await,
    }
}

/// POST /collections/dunning/pauses: a client or an invoice (one of them).
pub async fn add_pause(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PauseForm>,
) -> AppResult<Response> {
    let mut e = ValidationErrors::new();
    let until = e.optional("until", &f.until, domain::validation::date);
    let target = match (f.company_id.trim(), f.invoice_id.trim()) {
        (c, "") if !c.is_empty() => Some(PauseTarget::Client(crate::extract::id_or_nil(c))),
        ("", i) if !i.is_empty() => Some(PauseTarget::Invoice(crate::extract::id_or_nil(i))),
        _ => {
            e.add("company_id", "dunning-pause-target-required");
            None
        }
    };
    if f.reason.trim().is_empty() {
        e.add("reason", "field-required");
    }
    let Some(target) = target.filter(|_| e.is_empty()) else {
        return page(&app, &ctx, Refusal::Pause(e, f)).await;
    };
    record_pause(&app, &ctx, target, until, f, PAGE).await
}

/// Records a pause checked by its form, then goes to `back`; a refusal
/// shows the dunning page's pause form again with it (422).
async fn record_pause(
    app: &AppState,
    ctx: &Ctx,
    target: PauseTarget,
    until: Option<Date>,
    f: PauseForm,
    back: &str,
) -> AppResult<Response> {
    let pause = async |tx: &mut Tx| {
        store::dunning::pause(tx, &ctx.actor(), &target, &f.reason, until, today()).await
    };
    match write(app, ctx)
        .flash("dunning-pause-added")
        .run(pause)
        .await?
    {
        Done(_) => Ok(see_other(back)),
        Refused(e) => page(app, ctx, Refusal::Pause(e, f)).await,
    }
}

/// POST /collections/dunning/pauses/{id}/lift
pub async fn lift_pause(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DunningPauseId>,
) -> AppResult<Response> {
    write(&app, &ctx)
        .flash("dunning-pause-lifted")
        .commit(async |tx| store::dunning::lift(tx, &ctx.actor(), id).await)
        .await?;
    Ok(see_other(PAGE))
}

/// POST /collections/dunning/run: queues a run now (the worker sends).
pub async fn run_now(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    write(&app, &ctx)
        .flash("dunning-run-queued")
        .commit(async |tx| store::dunning::request_run(tx).await)
        .await?;
    Ok(see_other(PAGE))
}

/// The invoice page's dunning panel.
pub struct InvoicePanel {
    pub invoice_id: String,
    pub notices: Vec<NoticeRow>,
    /// Reasons of the pauses in force (the invoice's and its client's).
    pub paused: Vec<String>,
    /// A pause set on the invoice itself (it can be resumed here).
    pub own_pause: bool,
    pub can_manage: bool,
}

/// The panel of an issued invoice, for those who see collections.
pub async fn invoice_panel(
    tx: &mut store::Tx,
    l: Locale,
    role: domain::Role,
    invoice_id: InvoiceId,
) -> AppResult<Option<InvoicePanel>> {
    if !allows(role, Permission::ViewCollections) {
        return Ok(None);
    }
    let notices = store::dunning::notices_of_invoice(tx, invoice_id).await?;
    let pauses = store::dunning::pauses_of_invoice(tx, invoice_id, today()).await?;
    Ok(Some(InvoicePanel {
        invoice_id: invoice_id.to_string(),
        notices: notice_rows(l, &notices),
        paused: pauses
            .iter()
            .map(|p| i18n::t_args(l, "dunning-invoice-paused", &[("reason", p.reason.clone())]))
            .collect(),
        own_pause: pauses.iter().any(|p| p.invoice_id == Some(invoice_id)),
        can_manage: allows(role, Permission::ManageCollections),
    }))
}

/// POST /invoices/{id}/dunning/pause: refused, the dunning page shows the
/// pause form with the invoice chosen and the reason (422).
pub async fn pause_invoice(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Form(mut f): Form<PauseForm>,
) -> AppResult<Response> {
    f.invoice_id = id.to_string();
    f.company_id.clear();
    let mut e = ValidationErrors::new();
    let until = e.optional("until", &f.until, domain::validation::date);
    if f.reason.trim().is_empty() {
        e.add("reason", "field-required");
    }
    if !e.is_empty() {
        return page(&app, &ctx, Refusal::Pause(e, f)).await;
    }
    let back = format!("/invoices/{id}");
    record_pause(&app, &ctx, PauseTarget::Invoice(id), until, f, &back).await
}

/// POST /invoices/{id}/dunning/resume: lifts the invoice's own pauses.
pub async fn resume_invoice(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    write(&app, &ctx)
        .flash("dunning-invoice-resumed")
        .commit(async |tx| store::dunning::lift_invoice(tx, &ctx.actor(), id).await)
        .await?;
    Ok(see_other(&format!("/invoices/{id}")))
}

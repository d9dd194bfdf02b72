//! The e-invoicing part of an issued document's page: its lifecycle status
//! and history, its deposit, the form to record a status (only the moves
//! the domain allows are offered; a refusal re-renders the page in words,
//! nothing written) and the "redéposer" button of a failed deposit.

use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::einvoice::{DepositStatus, LifecycleStatus, Source};
use domain::locale::format_date;
use domain::money::Money;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::einvoicing::{deposit, lifecycle};

use super::show::{Refusal, page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::extract::Id;
use crate::i18n;
use crate::pages::see_other;
use crate::view::FieldErrors;
use crate::write::{Done, Refused, write};
use domain::ids::InvoiceId;

/// "Approuvée (205)": the status in words, its code secondary.
pub fn status_label(l: Locale, s: LifecycleStatus) -> String {
    format!("{} ({})", i18n::t(l, &s.label_key()), s.code())
}

/// The badge colour of a lifecycle status.
pub fn status_class(s: LifecycleStatus) -> &'static str {
    use LifecycleStatus::*;
    match s {
        Approved | PartiallyApproved | Received | PaymentSent => "cra-validated",
        Disputed | Suspended | Refused | Rejected => "key",
        _ => "cra-draft",
    }
}

pub struct HistoryRow {
    pub date: String,
    pub status: String,
    pub mandatory: bool,
    pub source: String,
    pub actor: String,
    pub detail: String,
}

pub struct DepositRow {
    pub channel: String,
    /// "En file d'attente", "Déposée le …", "Échec : …".
    pub state: String,
    pub failed: bool,
    pub sha256: Option<String>,
}

/// What the form held when it was refused.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
}

pub struct EinvoicePanel {
    pub current: Option<(String, &'static str)>,
    pub received: Option<String>,
    pub history: Vec<HistoryRow>,
    pub deposits: Vec<DepositRow>,
    pub can_record: bool,
    pub can_redeposit: bool,
    /// (code, label, selected)
    pub options: Vec<(u16, String, bool)>,
    pub errors: FieldErrors,
    pub typed: StatusForm,
}

/// The panel of an issued document (`None` for a draft).
pub async fn panel(
    tx: &mut Tx,
    l: Locale,
    id: InvoiceId,
    can_manage: bool,
    refused: Option<(ValidationErrors, StatusForm)>,
) -> AppResult<Option<EinvoicePanel>> {
    let state = match lifecycle::state(tx, id).await {
        Ok(s) => s,
        Err(store::Error::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let history = lifecycle::history(tx, id).await?;
    let deposits = deposit::of(tx, id).await?;
    let (errors, typed) = match refused {
        Some((e, t)) => (FieldErrors::new(l, &e), t),
        None => (
            FieldErrors::default(),
            StatusForm {
                date: format_date(store::today(), Locale::Fr),
                ..Default::default()
            },
        ),
    };
    let options: Vec<(u16, String, bool)> = state
        .allowed()
        .into_iter()
        .filter(|s| s.recordable_by_user())
        .map(|s| {
            let selected = typed.status == s.code().to_string();
            (s.code(), status_label(l, s), selected)
        })
        .collect();
    let history = history
        .into_iter()
        .map(|e| {
            let mut detail = Vec::new();
            if let Some(a) = e.amount {
                detail.push(a.format(l));
            }
            if let Some(d) = e.paid_on {
                detail.push(i18n::t_args(
                    l,
                    "einvoice-received-on",
                    &[("date", format_date(d, l))],
                ));
            }
            if let Some(r) = &e.reason {
                detail.push(r.clone());
            }
            HistoryRow {
                date: format_date(domain::paris::date(e.occurred_at), l),
                status: status_label(l, e.status),
                mandatory: e.status.mandatory(),
                source: i18n::t(l, &format!("einvoice-source-{}", e.source.as_str())),
                actor: e.actor,
                detail: detail.join(" · "),
            }
        })
        .collect();
    let any_failed = deposits.iter().any(|d| d.status == DepositStatus::Failed);
    let deposits = deposits
        .into_iter()
        .map(|d| DepositRow {
            state: match (d.status, d.deposited_at) {
                (DepositStatus::Deposited, Some(at)) => i18n::t_args(
                    l,
                    "einvoice-deposit-done",
                    &[("date", format_date(domain::paris::date(at), l))],
                ),
                (DepositStatus::Failed, _) => i18n::t_args(
                    l,
                    "einvoice-deposit-failed",
                    &[("error", d.error.clone().unwrap_or_default())],
                ),
                _ => i18n::t(l, "einvoice-deposit-queued"),
            },
            failed: d.status == DepositStatus::Failed,
            channel: i18n::code(l, "einvoice-channel", &d.channel),
            sha256: d.sha256,
        })
        .collect();
    let rejected = state.status == Some(LifecycleStatus::Rejected);
    Ok(Some(EinvoicePanel {
        current: state.status.map(|s| (status_label(l, s), status_class(s))),
        received: (!state.credit_note && state.received > Money::ZERO).then(|| {
            i18n::t_args(
                l,
                "einvoice-received-of",
                &[
                    ("received", state.received.format(l)),
                    ("total", state.total.format(l)),
                ],
            )
        }),
        history,
        deposits,
        can_record: can_manage && !options.is_empty(),
        can_redeposit: can_manage && (any_failed || rejected),
        options,
        errors,
        typed,
    }))
}

/// The form read into a status, or why not.
fn parse(f: &StatusForm) -> Result<lifecycle::NewStatus, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let status = f
        .status
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(LifecycleStatus::from_code)
        .filter(|s| s.recordable_by_user());
    if status.is_none() {
        errors.add("status", "einvoice-status-invalid");
    }
    let date = errors.required("date", &f.date, domain::validation::date);
    let amount = match f.amount.trim() {
        "" => None,
        a => match Money::parse(a) {
            Ok(m) => Some(m),
            Err(_) => {
                errors.add("amount", "einvoice-amount-invalid");
                None
            }
        },
    };
    let (Some(status), Some(date)) = (status, date) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let payment = matches!(
        status,
        LifecycleStatus::Received | LifecycleStatus::PaymentSent
    );
    Ok(lifecycle::NewStatus {
        status,
        occurred_at: date.midnight().assume_utc(),
        source: Source::User,
        reason: Some(f.reason.clone()),
        amount: if payment { amount } else { None },
        paid_on: (status == LifecycleStatus::Received).then_some(date),
        message_id: None,
    })
}

/// POST /invoices/{id}/lifecycle
pub async fn record(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let refuse = |errors| Refusal::Lifecycle {
        errors,
        typed: f.clone(),
    };
    let s = match parse(&f) {
        Ok(s) => s,
        Err(e) => return page(&app, &ctx, id, refuse(e)).await,
    };
    match write(&app, &ctx)
        .flash("einvoice-recorded-flash")
        .run(async |tx| lifecycle::record(tx, &ctx.actor(), id, &s).await)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => page(&app, &ctx, id, refuse(v)).await,
    }
}

/// POST /invoices/{id}/redeposit
pub async fn redeposit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    match write(&app, &ctx)
        .flash("einvoice-redeposit-flash")
        .run(async |tx| deposit::redeposit(tx, &ctx.actor(), id).await)
        .await?
    {
        Done(()) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(v) => {
            page(
                &app,
                &ctx,
                id,
                Refusal::Lifecycle {
                    errors: v,
                    typed: StatusForm::default(),
                },
            )
            .await
        }
    }
}

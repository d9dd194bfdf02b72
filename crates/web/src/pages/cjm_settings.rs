//! The CJM settings: the divisor (productive days per year), the method
//! (plain or bench-loaded with a target activity rate), and the standard
//! CJM per grade used where salaries must stay hidden.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::money::Money;
use domain::people::cjm::{CjmSettingsInput, StandardCjmTable};
use domain::people::employee::Grade;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;

use super::see_other;
use crate::AppState;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GradeForm {
    pub grade: String,
    /// Euros per day; blank removes the grade's standard.
    pub cjm: String,
}

#[derive(Template)]
#[template(path = "settings/cjm.html")]
struct Page {
    layout: Layout,
    can_edit: bool,
    form: CjmSettingsInput,
    errors: FieldErrors,
    grades: Vec<(String, String)>,
    grade_form: GradeForm,
    grade_errors: FieldErrors,
    /// The last month whose margins are locked, in words (None: none).
    locked_through: Option<String>,
    lock_form: LockForm,
    lock_errors: FieldErrors,
    /// Who carries bench cost (its code) and the choices (code, label).
    bench: String,
    bench_choices: Vec<(String, String)>,
    salaries_hidden: bool,
    policy_errors: FieldErrors,
}

/// The margin rules' form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    pub bench_allocation: String,
    /// A checkbox: present when ticked.
    pub salaries_hidden: Option<String>,
}

/// The margin lock's form: the last month to lock (`YYYY-MM`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LockForm {
    pub month: String,
}

/// The one form of the page sent back refused, with what was typed.
enum Refusal {
    Settings(CjmSettingsInput, ValidationErrors),
    Grade(GradeForm, ValidationErrors),
    Lock(LockForm, ValidationErrors),
    Policy(ValidationErrors),
}

async fn page(app: &AppState, ctx: &Ctx, refusal: Option<Refusal>) -> AppResult<Response> {
    let none = ValidationErrors::new();
    let refused = refusal.is_some();
    let (mut form, mut grade_form, mut lock_form) =
        (None, GradeForm::default(), LockForm::default());
    let (mut errors, mut grade_errors, mut lock_errors) = (&none, &none, &none);
    let mut policy_errors = &none;
    match &refusal {
        Some(Refusal::Settings(f, e)) => (form, errors) = (Some(f.clone()), e),
        Some(Refusal::Grade(f, e)) => (grade_form, grade_errors) = (f.clone(), e),
        Some(Refusal::Lock(f, e)) => (lock_form, lock_errors) = (f.clone(), e),
        Some(Refusal::Policy(e)) => policy_errors = e,
        None => {}
    }
    let mut tx = app.db.read().await?;
    let (settings, lock) = store::costs::settings(&mut tx).await?;
    let table = store::costs::standard_cjm(&mut tx).await?;
    let policy = store::margins::policy(&mut tx).await?;
    tx.commit().await?;
    let p = Page {
        layout: layout(app, ctx, "cjm-settings-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::ManagePay),
        form: form.unwrap_or_else(|| settings.to_input()),
        errors: FieldErrors::new(ctx.locale, errors),
        grades: table
            .iter()
            .map(|(g, m)| (g.to_string(), m.format(ctx.locale)))
            .collect(),
        grade_form,
        grade_errors: FieldErrors::new(ctx.locale, grade_errors),
        locked_through: lock.locked_through().map(|m| {
            crate::i18n::t_args(
                ctx.locale,
                "margin-lock-status",
                &[("month", domain::validation::Arg::Month(m))],
            )
        }),
        lock_form,
        lock_errors: FieldErrors::new(ctx.locale, lock_errors),
        bench: policy.bench.as_str().into(),
        bench_choices: domain::margin::bench::BenchAllocation::ALL
            .iter()
            .map(|b| {
                (
                    b.as_str().into(),
                    crate::i18n::t(ctx.locale, &b.label_key()),
                )
            })
            .collect(),
        salaries_hidden: policy.salaries_hidden,
        policy_errors: FieldErrors::new(ctx.locale, policy_errors),
    };
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
    } else {
        render(&p)
    }
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&app, &ctx, None).await
}

pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<CjmSettingsInput>,
) -> AppResult<Response> {
    let settings = match input.validate() {
        Ok(s) => s,
        Err(errors) => return page(&app, &ctx, Some(Refusal::Settings(input, errors))).await,
    };
    let save = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::costs::set_settings(tx, &ctx.actor(), settings).await?)
    };
    match write(&app, &ctx)
        .flash("cjm-settings-saved")
        .run(save)
        .await?
    {
        Done(()) => Ok(see_other("/settings/cjm")),
        Refused(errors) => page(&app, &ctx, Some(Refusal::Settings(input, errors))).await,
    }
}

impl GradeForm {
    fn validate(&self) -> Result<(Grade, Option<Money>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let grade = e.required("grade", &self.grade, Grade::parse);
        let cjm = if self.cjm.trim().is_empty() {
            Some(None)
        } else {
            e.optional("cjm", &self.cjm, Money::parse).map(Some)
        };
        if let (Some(g), Some(Some(m))) = (&grade, cjm)
            && let Err(err) = StandardCjmTable::new().set(g.clone(), m)
        {
            use domain::validation::ErrorKey;
            e.add("cjm", err.key());
        }
        e.into_result(|| (grade.expect("checked"), cjm.expect("checked")))
    }
}

pub async fn save_grade(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<GradeForm>,
) -> AppResult<Response> {
    let (grade, cjm) = match input.validate() {
        Ok(v) => v,
        Err(errors) => return page(&app, &ctx, Some(Refusal::Grade(input, errors))).await,
    };
    let save = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::costs::set_standard_cjm(tx, &ctx.actor(), &grade, cjm).await?)
    };
    match write(&app, &ctx)
        .flash("cjm-settings-saved")
        .run(save)
        .await?
    {
        Done(()) => Ok(see_other("/settings/cjm")),
        Refused(errors) => page(&app, &ctx, Some(Refusal::Grade(input, errors))).await,
    }
}

/// POST /settings/cjm/lock: the margins of the months up to this one are
/// final; a later cost change lands in the first open month.
pub async fn lock(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<LockForm>,
) -> AppResult<Response> {
    let Some(month) = domain::calendar::YearMonth::parse(input.month.trim()) else {
        let errors = ValidationErrors::single("month", "margin-lock-month-invalid");
        return page(&app, &ctx, Some(Refusal::Lock(input, errors))).await;
    };
    let save = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::costs::lock_margins(tx, &ctx.actor(), month).await?)
    };
    match write(&app, &ctx)
        .flash("margin-lock-saved")
        .run(save)
        .await?
    {
        Done(()) => Ok(see_other("/settings/cjm")),
        Refused(errors) => page(&app, &ctx, Some(Refusal::Lock(input, errors))).await,
    }
}

/// POST /settings/cjm/margin-policy: who carries bench cost, and whether
/// managers see margins at the grade's standard CJM.
pub async fn save_policy(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<PolicyForm>,
) -> AppResult<Response> {
    let dto = crate::api::margin_policy::MarginPolicyDto {
        bench_allocation: input.bench_allocation.clone(),
        salaries_hidden: input.salaries_hidden.is_some(),
    };
    let policy = match dto.validate() {
        Ok(p) => p,
        Err(errors) => return page(&app, &ctx, Some(Refusal::Policy(errors))).await,
    };
    let save = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::margins::set_policy(tx, &ctx.actor(), policy).await?)
    };
    match write(&app, &ctx)
        .flash("cjm-settings-saved")
        .run(save)
        .await?
    {
        Done(()) => Ok(see_other("/settings/cjm")),
        Refused(errors) => page(&app, &ctx, Some(Refusal::Policy(errors))).await,
    }
}

//! Employee records: the list with its filters, the record, its form, and
//! for finance, direction and admin the pay history with today's CJM and a
//! form to add a version. Opening a record's pay history is audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::calendar::Region;
use domain::company::CompanyKind;
use domain::ids::{AgencyId, CompanyId, EmployeeId, UserId};
use domain::locale::format_date;
use domain::paging::PageRequest;
use domain::people::cost::{
    CostTerms, CostVersion, EmployerCharges, FreelanceRateInput, PlatformFee, SalaryVersionInput,
};
use domain::people::employee::{ContractKind, EmployeeInput};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::employees::{Employee, EmployeeFilter};

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Layout, Pager, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub agency_id: String,
    pub page: Option<u32>,
}

pub struct Row {
    pub id: EmployeeId,
    pub name: String,
    pub matricule: String,
    pub agency: String,
    pub contract: String,
    pub grade: String,
    pub hire_date: String,
}

#[derive(Template)]
#[template(path = "employees/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    agency_id: String,
    agencies: Vec<(AgencyId, String)>,
    rows: Vec<Row>,
    pager: Pager,
    can_edit: bool,
    /// The CSV of every record the filters match.
    csv_href: String,
}

async fn agency_options(tx: &mut Tx) -> AppResult<Vec<(AgencyId, String)>> {
    Ok(store::agencies::list(tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = EmployeeFilter {
        q: Some(q.q.clone()),
        agency_id: AgencyId::parse(q.agency_id.trim()),
    };
    let mut tx = app.db.read().await?;
    let paged = store::employees::list(&mut tx, &filter, PageRequest::new(q.page, None)).await?;
    let agencies = agency_options(&mut tx).await?;
    tx.commit().await?;
    let rows = paged
        .items
        .iter()
        .map(|e| Row {
            id: e.id,
            name: e.name(),
            matricule: e.data.matricule.to_string(),
            agency: e.agency_name.clone(),
            contract: i18n::t(ctx.locale, &e.data.contract.kind().label_key()),
            grade: e
                .data
                .grade
                .as_ref()
                .map(|g| g.to_string())
                .unwrap_or_default(),
            hire_date: format_date(e.data.hire_date, ctx.locale),
        })
        .collect();
    let pager = Pager::new(
        &paged,
        "/employees",
        &[("q", q.q.clone()), ("agency_id", q.agency_id.clone())],
    );
    let csv_href = format!(
        "/employees.csv?{}",
        serde_urlencoded::to_string([("q", q.q.as_str()), ("agency_id", q.agency_id.as_str())])
            .unwrap_or_default()
    );
    render(&ListPage {
        layout: layout(&app, &ctx, "employees-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditEmployees),
        csv_href,
        q: q.q,
        agency_id: q.agency_id,
        agencies,
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "employees/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: EmployeeInput,
    agencies: Vec<(AgencyId, String)>,
    suppliers: Vec<(CompanyId, String)>,
    users: Vec<(UserId, String)>,
    kinds: Vec<(&'static str, String)>,
    regions: Vec<(&'static str, String)>,
    errors: FieldErrors,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<EmployeeId>,
    form: EmployeeInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "employees-edit",
            format!("/employees/{id}"),
            format!("/employees/{id}"),
        ),
        None => (
            "employees-new",
            "/employees".to_string(),
            "/employees".into(),
        ),
    };
    let mut tx = app.db.read().await?;
    let agencies = agency_options(&mut tx).await?;
    let suppliers =
        store::companies::options(&mut tx, ctx.scope()?, Some(CompanyKind::Supplier)).await?;
    let users = store::employees::user_options(&mut tx).await?;
    tx.commit().await?;
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: i18n::t(ctx.locale, title_key),
        action,
        cancel,
        form,
        agencies,
        suppliers,
        users,
        kinds: ContractKind::ALL
            .iter()
            .map(|k| (k.as_str(), i18n::t(ctx.locale, &k.label_key())))
            .collect(),
        regions: Region::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    i18n::code(ctx.locale, "leave-region", r.as_str()),
                )
            })
            .collect(),
        errors: FieldErrors::new(ctx.locale, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn new(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = EmployeeInput {
        contract_kind: "cdi".into(),
        work_region: "standard".into(),
        ..Default::default()
    };
    form_page(&app, &ctx, None, form, &ValidationErrors::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<EmployeeInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, None, input, &errors).await,
    };
    let create = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::employees::create(tx, &ctx.actor(), &data).await?)
    };
    match write(&app, &ctx)
        .flash("employee-created")
        .run(create)
        .await?
    {
        Done(e) => Ok(see_other(&format!("/employees/{}", e.id))),
        Refused(errors) => form_page(&app, &ctx, None, input, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let e = store::employees::get(&mut tx, id).await?;
    tx.commit().await?;
    form_page(
        &app,
        &ctx,
        Some(id),
        e.data.to_input(),
        &ValidationErrors::new(),
    )
    .await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
    Form(input): Form<EmployeeInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, Some(id), input, &errors).await,
    };
    let update = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::employees::update(tx, &ctx.actor(), id, &data).await?)
    };
    match write(&app, &ctx)
        .flash("employee-updated")
        .run(update)
        .await?
    {
        Done(e) => Ok(see_other(&format!("/employees/{}", e.id))),
        Refused(errors) => form_page(&app, &ctx, Some(id), input, &errors).await,
    }
}

/// One version as the history shows it.
pub struct VersionRow {
    pub effective_from: String,
    /// "rappel depuis le 15/03/2027" for a back-dated version.
    pub retroactive: Option<String>,
    /// "Salaire" or "Freelance".
    pub kind: String,
    /// The terms in words: gross, charges, benefits; or buy rate and fee.
    pub terms: String,
    pub daily_cost: String,
}

/// The cost version form: salary fields and freelance fields side by
/// side; the record's contract says which are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub effective_from: String,
    /// "Rappel depuis le": blank for an ordinary version.
    pub retroactive_from: String,
    pub annual_gross: String,
    pub annual_bonuses: String,
    pub charges_kind: String,
    pub employer_charges: String,
    pub mutual_insurance: String,
    pub meal_vouchers: String,
    pub transport: String,
    pub per_head_costs: String,
    pub buy_rate: String,
    pub fee_kind: String,
    pub fee: String,
}

impl VersionForm {
    /// The version typed, for a person on `contract`.
    pub fn validate(&self, contract: ContractKind) -> Result<CostVersion, ValidationErrors> {
        if contract.is_salaried() {
            SalaryVersionInput {
                effective_from: self.effective_from.clone(),
                retroactive_from: self.retroactive_from.clone(),
                annual_gross: self.annual_gross.clone(),
                annual_bonuses: self.annual_bonuses.clone(),
                charges_kind: self.charges_kind.clone(),
                employer_charges: self.employer_charges.clone(),
                mutual_insurance: self.mutual_insurance.clone(),
                meal_vouchers: self.meal_vouchers.clone(),
                transport: self.transport.clone(),
                per_head_costs: self.per_head_costs.clone(),
            }
            .validate()
        } else {
            FreelanceRateInput {
                effective_from: self.effective_from.clone(),
                retroactive_from: self.retroactive_from.clone(),
                buy_rate: self.buy_rate.clone(),
                fee_kind: self.fee_kind.clone(),
                fee: self.fee.clone(),
            }
            .validate()
        }
    }
}

/// A version's terms in words.
pub fn terms_text(terms: &CostTerms, locale: Locale) -> String {
    let t = |k: &str| i18n::t(locale, k);
    match terms {
        CostTerms::Salary(s) => {
            let charges = match s.employer_charges {
                EmployerCharges::Rate(r) => format!(
                    "{} ({})",
                    s.charges_amount().format(locale),
                    r.format(locale)
                ),
                EmployerCharges::Amount(a) => a.format(locale),
            };
            format!(
                "{} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
                t("cost-annual-gross"),
                s.annual_gross.format(locale),
                t("cost-annual-bonuses"),
                s.annual_bonuses.format(locale),
                t("cost-employer-charges"),
                charges,
                t("cost-mutual-insurance"),
                s.mutual_insurance.format(locale),
                t("cost-meal-vouchers"),
                s.meal_vouchers.format(locale),
                t("cost-transport"),
                s.transport.format(locale),
                t("cost-per-head-costs"),
                s.per_head_costs.format(locale),
            )
        }
        CostTerms::Freelance(f) => {
            let fee = match f.fee {
                PlatformFee::None => t("cost-fee-none"),
                PlatformFee::Percent(p) => p.format(locale),
                PlatformFee::PerDay(a) => a.format(locale),
            };
            format!(
                "{} {} · {} {}",
                t("cost-buy-rate"),
                f.buy_rate.format(locale),
                t("cost-fee"),
                fee
            )
        }
    }
}

#[derive(Template)]
#[template(path = "employees/show.html")]
struct ShowPage {
    layout: Layout,
    e: Employee,
    contract: String,
    region: String,
    /// The linked user's working days (kept on the user, where the
    /// reports and leave read them; set on the leave settings page).
    weekdays: Option<String>,
    hire_date: String,
    exit_date: String,
    can_edit: bool,
    /// The pay section, for those who may see pay.
    pay: Option<Pay>,
}

struct Pay {
    versions: Vec<VersionRow>,
    cjm_today: Option<String>,
    salaried: bool,
    form: VersionForm,
    errors: FieldErrors,
}

async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    id: EmployeeId,
    form: VersionForm,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let locale = ctx.locale;
    let sees_pay = allows(ctx.user()?.role, Permission::ViewPay);
    // Reading a pay history writes its audit line: a write transaction.
    let mut tx = if sees_pay {
        app.db.begin().await?
    } else {
        app.db.read().await?
    };
    let e = store::employees::get(&mut tx, id).await?;
    let weekdays = match e.data.user_id {
        Some(u) => Some(crate::pages::leave::settings::weekday_labels(
            locale,
            store::cras::work_pattern(&mut tx, u).await?.weekdays,
        )),
        None => None,
    };
    let pay = if sees_pay {
        let history = store::costs::history(&mut tx, &ctx.actor(), id).await?;
        let (settings, _) = store::costs::settings(&mut tx).await?;
        let cjm = store::costs::cjm_on(&mut tx, id, store::today()).await?;
        Some(Pay {
            versions: history
                .iter()
                .rev()
                .map(|v| VersionRow {
                    effective_from: format_date(v.version.effective_from, locale),
                    retroactive: v.version.retroactive_from.map(|d| {
                        i18n::t_args(
                            locale,
                            "cost-retroactive-since",
                            &[("date", format_date(d, locale))],
                        )
                    }),
                    kind: i18n::t(
                        locale,
                        match v.version.terms {
                            CostTerms::Salary(_) => "cost-kind-salary",
                            CostTerms::Freelance(_) => "cost-kind-freelance",
                        },
                    ),
                    terms: terms_text(&v.version.terms, locale),
                    daily_cost: settings.daily_cost(&v.version.terms).format(locale),
                })
                .collect(),
            cjm_today: cjm.map(|m| m.format(locale)),
            salaried: e.data.contract.is_salaried(),
            form,
            errors: FieldErrors::new(locale, errors),
        })
    } else {
        None
    };
    tx.commit().await?;
    let page = ShowPage {
        layout: layout(app, ctx, "employee-title").await?,
        contract: i18n::t(locale, &e.data.contract.kind().label_key()),
        region: i18n::code(locale, "leave-region", e.data.work_region.as_str()),
        weekdays,
        hire_date: format_date(e.data.hire_date, locale),
        exit_date: e
            .data
            .exit_date
            .map(|d| format_date(d, locale))
            .unwrap_or_default(),
        can_edit: allows(ctx.user()?.role, Permission::EditEmployees),
        e,
        pay,
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
) -> AppResult<Response> {
    let form = VersionForm {
        charges_kind: "rate".into(),
        fee_kind: "none".into(),
        ..Default::default()
    };
    show_page(&app, &ctx, id, form, &ValidationErrors::new()).await
}

pub async fn add_version(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
    Form(input): Form<VersionForm>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let e = store::employees::get(&mut tx, id).await?;
    tx.commit().await?;
    let version = match input.validate(e.data.contract.kind()) {
        Ok(v) => v,
        Err(errors) => return show_page(&app, &ctx, id, input, &errors).await,
    };
    let add = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::costs::add(tx, &ctx.actor(), id, &version).await?)
    };
    match write(&app, &ctx)
        .flash("cost-version-created")
        .run(add)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/employees/{id}"))),
        Refused(errors) => show_page(&app, &ctx, id, input, &errors).await,
    }
}

//! Employee records, and for finance, direction and admin their pay
//! history. Employee responses carry no pay figure; reading a pay history
//! is audited.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::ids::{AgencyId, EmployeeId};
use domain::people::cost::{CostTerms, EmployerCharges, PlatformFee};
use domain::people::employee::EmployeeInput;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::costs::StoredVersion;
use store::employees::{Employee, EmployeeFilter};
use utoipa::{IntoParams, ToSchema};

use super::amount;
use super::companies::ListParamsFlat;
use super::{ListParams, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::pages::employees::VersionForm;
use crate::write::write;

/// Amounts travel as decimal strings with a point (`"48000.00"`).
#[derive(Serialize, ToSchema)]
pub struct EmployeeDto {
    pub id: String,
    /// The person's login, if he has one.
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub matricule: String,
    pub legal_entity: String,
    pub agency_id: String,
    pub agency_name: String,
    /// `cdi`, `cdd`, `freelance_own_company` or `freelance_portage`.
    pub contract_kind: String,
    /// The supplier invoicing a freelancer's days.
    pub supplier_id: Option<String>,
    /// ISO date.
    pub hire_date: String,
    pub exit_date: Option<String>,
    pub job_title: String,
    pub grade: Option<String>,
    pub manager_id: Option<String>,
    /// `standard` or `alsace_moselle`.
    pub work_region: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Employee> for EmployeeDto {
    fn from(e: &Employee) -> Self {
        let d = &e.data;
        EmployeeDto {
            id: e.id.to_string(),
            user_id: d.user_id.map(|u| u.to_string()),
            user_name: e.user_name.clone(),
            matricule: d.matricule.to_string(),
            legal_entity: d.legal_entity.clone(),
            agency_id: d.agency_id.to_string(),
            agency_name: e.agency_name.clone(),
            contract_kind: d.contract.kind().as_str().into(),
            supplier_id: d.contract.supplier_id().map(|c| c.to_string()),
            hire_date: d.hire_date.to_string(),
            exit_date: d.exit_date.map(|x| x.to_string()),
            job_title: d.job_title.clone(),
            grade: d.grade.as_ref().map(|g| g.to_string()),
            manager_id: d.manager_id.map(|u| u.to_string()),
            work_region: d.work_region.as_str().into(),
            created_at: rfc3339(&e.created_at),
            updated_at: rfc3339(&e.updated_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployeeBody {
    /// 1 to 20 letters, digits, `-`, `_`, `.` or `/`; never a social security number.
    #[schema(min_length = 1, max_length = 20)]
    pub matricule: String,
    #[schema(min_length = 1, max_length = 120)]
    pub legal_entity: String,
    #[schema(format = Uuid)]
    pub agency_id: String,
    /// `cdi`, `cdd`, `freelance_own_company` or `freelance_portage`.
    #[schema(pattern = "^(cdi|cdd|freelance_own_company|freelance_portage)$")]
    pub contract_kind: String,
    /// Required for freelance contracts: a company of kind supplier.
    #[schema(format = Uuid)]
    pub supplier_id: Option<String>,
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// `2026-11-28` or `28/11/2026`.
    pub hire_date: String,
    /// The last day under contract, on or after the hire date.
    pub exit_date: Option<String>,
    #[schema(min_length = 1, max_length = 120)]
    pub job_title: String,
    #[schema(max_length = 60)]
    pub grade: Option<String>,
    #[schema(format = Uuid)]
    pub manager_id: Option<String>,
    /// `standard` (default) or `alsace_moselle`.
    pub work_region: Option<String>,
}

impl From<EmployeeBody> for EmployeeInput {
    fn from(b: EmployeeBody) -> Self {
        let s = |o: Option<String>| o.unwrap_or_default();
        EmployeeInput {
            matricule: b.matricule,
            legal_entity: b.legal_entity,
            agency_id: b.agency_id,
            contract_kind: b.contract_kind,
            supplier_id: s(b.supplier_id),
            user_id: s(b.user_id),
            hire_date: b.hire_date,
            exit_date: s(b.exit_date),
            job_title: b.job_title,
            grade: s(b.grade),
            manager_id: s(b.manager_id),
            work_region: s(b.work_region),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EmployeePage {
    pub items: Vec<EmployeeDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployeeFilterParams {
    /// Only the people of this agency.
    #[param(format = Uuid)]
    pub agency_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EmployeeListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    pub agency_id: Option<String>,
}

/// List employee records (no pay figure).
#[utoipa::path(get, path = "/api/v1/employees", tag = "people", summary = "List employees",
    params(ListParams, EmployeeFilterParams),
    responses((status = 200, body = EmployeePage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    Query(q): Query<EmployeeListQuery>,
) -> AppResult<Json<EmployeePage>> {
    let params = q.list.parse()?;
    let agency_id = match q
        .agency_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(a) => Some(AgencyId::parse(a).ok_or(AppError::Validation(
            ValidationErrors::single("agency_id", "id-unknown-record"),
        ))?),
        None => None,
    };
    let filter = EmployeeFilter {
        q: params.q.clone(),
        agency_id,
    };
    let mut tx = app.db.read().await?;
    let paged = store::employees::list(&mut tx, &filter, params.page()).await?;
    tx.commit().await?;
    Ok(Json(EmployeePage {
        items: paged.items.iter().map(EmployeeDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

/// Create an employee record.
#[utoipa::path(post, path = "/api/v1/employees", tag = "people", summary = "Create an employee",
    request_body = EmployeeBody,
    responses((status = 201, body = EmployeeDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<EmployeeBody>,
) -> AppResult<Response> {
    let data = EmployeeInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let e = write(&app, &ctx)
        .commit(async |tx| store::employees::create(tx, &ctx.actor(), &data).await)
        .await?;
    Ok(created(
        format!("/api/v1/employees/{}", e.id),
        EmployeeDto::from(&e),
    ))
}

/// One employee record (no pay figure).
#[utoipa::path(get, path = "/api/v1/employees/{id}", tag = "people", summary = "Get an employee",
    params(("id" = uuid::Uuid, Path, description = "Employee id")),
    responses((status = 200, body = EmployeeDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    Id(id): Id<EmployeeId>,
) -> AppResult<Json<EmployeeDto>> {
    let mut tx = app.db.read().await?;
    let e = store::employees::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(EmployeeDto::from(&e)))
}

/// Replace an employee record.
#[utoipa::path(put, path = "/api/v1/employees/{id}", tag = "people", summary = "Replace an employee",
    params(("id" = uuid::Uuid, Path, description = "Employee id")),
    request_body = EmployeeBody,
    responses((status = 200, body = EmployeeDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
    Body(body): Body<EmployeeBody>,
) -> AppResult<Json<EmployeeDto>> {
    let data = EmployeeInput::from(body)
        .validate()
        .map_err(AppError::Validation)?;
    let e = write(&app, &ctx)
        .commit(async |tx| store::employees::update(tx, &ctx.actor(), id, &data).await)
        .await?;
    Ok(Json(EmployeeDto::from(&e)))
}

#[derive(Serialize, ToSchema)]
pub struct CostVersionDto {
    pub id: String,
    /// ISO date: in force from this day until the next version.
    pub effective_from: String,
    /// ISO date, for a change that concerns months whose margins are
    /// locked: its real start. Those months keep the previous version;
    /// the difference on their days from this date is booked as an
    /// adjustment in `effective_from`'s month. Null for an ordinary
    /// version.
    pub retroactive_from: Option<String>,
    /// `salary` or `freelance`.
    pub kind: String,
    pub annual_gross: Option<String>,
    pub annual_bonuses: Option<String>,
    /// Employer charges in euros (a rate applied to gross + bonuses).
    pub employer_charges: Option<String>,
    /// The planning rate, in percent, when charges are given as a rate.
    pub employer_charges_rate: Option<String>,
    pub mutual_insurance: Option<String>,
    pub meal_vouchers: Option<String>,
    pub transport: Option<String>,
    pub per_head_costs: Option<String>,
    /// A freelancer's daily buy rate, excluding VAT.
    pub buy_rate: Option<String>,
    /// `none`, `percent` or `per_day`.
    pub fee_kind: Option<String>,
    pub fee: Option<String>,
    /// The daily cost of this version under the firm's CJM settings.
    pub cjm: String,
    pub created_at: String,
}

fn version_dto(v: &StoredVersion, settings: domain::people::cjm::CjmSettings) -> CostVersionDto {
    let mut d = CostVersionDto {
        id: v.id.to_string(),
        effective_from: v.version.effective_from.to_string(),
        retroactive_from: v.version.retroactive_from.map(|d| d.to_string()),
        kind: String::new(),
        annual_gross: None,
        annual_bonuses: None,
        employer_charges: None,
        employer_charges_rate: None,
        mutual_insurance: None,
        meal_vouchers: None,
        transport: None,
        per_head_costs: None,
        buy_rate: None,
        fee_kind: None,
        fee: None,
        cjm: amount(settings.daily_cost(&v.version.terms)),
        created_at: rfc3339(&v.created_at),
    };
    match v.version.terms {
        CostTerms::Salary(s) => {
            d.kind = "salary".into();
            d.annual_gross = Some(amount(s.annual_gross));
            d.annual_bonuses = Some(amount(s.annual_bonuses));
            d.employer_charges = Some(amount(s.charges_amount()));
            if let EmployerCharges::Rate(r) = s.employer_charges {
                d.employer_charges_rate = Some(r.percent().to_string());
            }
            d.mutual_insurance = Some(amount(s.mutual_insurance));
            d.meal_vouchers = Some(amount(s.meal_vouchers));
            d.transport = Some(amount(s.transport));
            d.per_head_costs = Some(amount(s.per_head_costs));
        }
        CostTerms::Freelance(f) => {
            d.kind = "freelance".into();
            d.buy_rate = Some(amount(f.buy_rate));
            let (kind, fee) = match f.fee {
                PlatformFee::None => ("none", None),
                PlatformFee::Percent(p) => ("percent", Some(p.percent().to_string())),
                PlatformFee::PerDay(a) => ("per_day", Some(amount(a))),
            };
            d.fee_kind = Some(kind.into());
            d.fee = fee;
        }
    }
    d
}

#[derive(Serialize, ToSchema)]
pub struct CostHistoryDto {
    /// The CJM today, from the version in force; null before the first.
    pub cjm_today: Option<String>,
    /// Oldest first.
    pub versions: Vec<CostVersionDto>,
}

/// A version as sent: salary members for a salaried contract, freelance
/// members for a freelance one; the others are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostVersionBody {
    /// `2026-01-01` or `01/01/2026`; not inside a locked month, not the date of another version.
    /// With `retroactive_from`: the first day of the first open month.
    pub effective_from: String,
    /// "Rappel depuis le": for a change that concerns locked months, its
    /// real start, a locked day after the previous version's date
    /// (otherwise 422 naming `retroactive_from`). Omitted or null for an
    /// ordinary version.
    pub retroactive_from: Option<String>,
    /// Euros per year (salary).
    pub annual_gross: Option<String>,
    pub annual_bonuses: Option<String>,
    /// `rate` (default) or `amount`.
    pub charges_kind: Option<String>,
    /// A percentage for `rate` (`"45"`), euros per year for `amount`.
    pub employer_charges: Option<String>,
    pub mutual_insurance: Option<String>,
    pub meal_vouchers: Option<String>,
    pub transport: Option<String>,
    pub per_head_costs: Option<String>,
    /// Euros per day, excluding VAT (freelance).
    pub buy_rate: Option<String>,
    /// `none` (default), `percent` or `per_day`.
    pub fee_kind: Option<String>,
    pub fee: Option<String>,
}

impl From<CostVersionBody> for VersionForm {
    fn from(b: CostVersionBody) -> Self {
        let s = |o: Option<String>| o.unwrap_or_default();
        VersionForm {
            effective_from: b.effective_from,
            retroactive_from: s(b.retroactive_from),
            annual_gross: s(b.annual_gross),
            annual_bonuses: s(b.annual_bonuses),
            charges_kind: s(b.charges_kind),
            employer_charges: s(b.employer_charges),
            mutual_insurance: s(b.mutual_insurance),
            meal_vouchers: s(b.meal_vouchers),
            transport: s(b.transport),
            per_head_costs: s(b.per_head_costs),
            buy_rate: s(b.buy_rate),
            fee_kind: s(b.fee_kind),
            fee: s(b.fee),
        }
    }
}

/// A person's pay history and today's CJM (finance, direction and admin
/// only). Every read is written to the audit log.
#[utoipa::path(get, path = "/api/v1/employees/{id}/cost-versions", tag = "people",
    summary = "Read a pay history",
    params(("id" = uuid::Uuid, Path, description = "Employee id")),
    responses((status = 200, body = CostHistoryDto)),
    security(("bearer" = [])))]
pub async fn versions(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
) -> AppResult<Json<CostHistoryDto>> {
    let mut tx = app.db.begin().await?;
    let history = store::costs::history(&mut tx, &ctx.actor(), id).await?;
    let (settings, _) = store::costs::settings(&mut tx).await?;
    let cjm = store::costs::cjm_on(&mut tx, id, store::today()).await?;
    tx.commit().await?;
    Ok(Json(CostHistoryDto {
        cjm_today: cjm.map(amount),
        versions: history.iter().map(|v| version_dto(v, settings)).collect(),
    }))
}

/// Add a version to a person's pay history. Refused (422, the field named,
/// nothing written) for a negative amount, a date of another version or
/// inside a locked month, or terms that do not fit the contract. A change
/// that concerns locked months is sent from the first day of the first
/// open month with its real date as `retroactive_from`: refused (422
/// naming `retroactive_from`) when nothing is locked, when that date is
/// not before the version, not in a locked month, or not after the
/// previous version's date (or there is none); naming `effective_from`
/// when the version does not start on the first open day.
#[utoipa::path(post, path = "/api/v1/employees/{id}/cost-versions", tag = "people",
    summary = "Add a cost version",
    params(("id" = uuid::Uuid, Path, description = "Employee id")),
    request_body = CostVersionBody,
    responses((status = 201, body = CostVersionDto),
        (status = 422, description = "Refused values, each named in `errors`, nothing written: an amount, `effective_from` (another version's date, inside a locked month, or not the first open day for a back-dated version), `retroactive_from` (nothing locked, not before the version, not a locked day after the previous version's date, or no previous version), or `kind` (terms that do not fit the contract)", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_version(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<EmployeeId>,
    Body(body): Body<CostVersionBody>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let e = store::employees::get(&mut tx, id).await?;
    let (settings, _) = store::costs::settings(&mut tx).await?;
    tx.commit().await?;
    let version = VersionForm::from(body)
        .validate(e.data.contract.kind())
        .map_err(AppError::Validation)?;
    let v = write(&app, &ctx)
        .commit(async |tx| store::costs::add(tx, &ctx.actor(), id, &version).await)
        .await?;
    Ok(created(
        format!("/api/v1/employees/{id}/cost-versions"),
        version_dto(&v, settings),
    ))
}

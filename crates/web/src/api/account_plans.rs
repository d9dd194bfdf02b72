//! The account plan of a key account over the API: the whole plan with
//! its computed parts (owners, decision makers, actual figures) in one
//! read; its domains created and replaced one by one; a contact's part and
//! relationship strength, and a year's targets, each set by a PUT on its
//! own path (the contact, the year), since each exists once per plan.
//! Refusals name the field: `year` (2000–2100), `revenue`, `consultants`,
//! `opportunities` (never negative), `strength` (1–4), `influence`,
//! `status`, `lead_contact_id` or `contact_id` (a contact outside the
//! account's group), `key_account` (the account is not a key account).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::crm::account_plan::{
    DomainInput, StakeholderInput, TargetData, TargetInput, parse_year, reached,
};
use domain::ids::{AccountDomainId, CompanyId, ContactId};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::account_plans::{DecisionMaker, Domain, Plan};
use utoipa::{IntoParams, ToSchema};

use super::{amount, created};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct OwnerDto {
    pub business_manager_id: String,
    pub business_manager_name: String,
    /// Today's share, a percentage as a decimal string.
    pub share: String,
}

#[derive(Serialize, ToSchema)]
pub struct DomainDto {
    pub id: String,
    pub name: String,
    pub lead_contact_id: Option<String>,
    pub lead_contact_name: Option<String>,
    pub stakes: Option<String>,
    /// `active`, `target` or `dormant`.
    pub status: String,
}

impl From<&Domain> for DomainDto {
    fn from(d: &Domain) -> Self {
        DomainDto {
            id: d.id.to_string(),
            name: d.data.name.clone(),
            lead_contact_id: d.data.lead_contact_id.map(|c| c.to_string()),
            lead_contact_name: d.lead_name.clone(),
            stakes: d.data.stakes.clone(),
            status: d.data.status.as_str().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OnOpportunityDto {
    pub id: String,
    pub title: String,
    pub stage_label: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionMakerDto {
    pub contact_id: String,
    pub name: String,
    pub company_id: String,
    pub company_name: String,
    /// The contact's role: `buyer`, `domain_manager`, …
    pub role: String,
    pub job_title: Option<String>,
    /// `YYYY-MM-DD` (Paris) of the last activity done or meeting held with him.
    pub last_activity: Option<String>,
    pub opportunities: Vec<OnOpportunityDto>,
    /// `decision_maker`, `sponsor`, `influencer`, `user` or `blocker`; null
    /// until set.
    pub influence: Option<String>,
    /// 1 (none yet) to 4 (trusted); null until set.
    pub strength: Option<u8>,
}

impl From<&DecisionMaker> for DecisionMakerDto {
    fn from(d: &DecisionMaker) -> Self {
        DecisionMakerDto {
            contact_id: d.contact_id.to_string(),
            name: d.name.clone(),
            company_id: d.company_id.to_string(),
            company_name: d.company_name.clone(),
            role: d.role.as_str().into(),
            job_title: d.job_title.clone(),
            last_activity: d.last_activity.map(|x| x.to_string()),
            opportunities: d
                .opportunities
                .iter()
                .map(|o| OnOpportunityDto {
                    id: o.id.to_string(),
                    title: o.title.clone(),
                    stage_label: o.stage_label.clone(),
                })
                .collect(),
            influence: d.influence.map(|i| i.as_str().into()),
            strength: d.strength,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TargetDto {
    pub year: i32,
    /// HT, a decimal string (`"250000.00"`).
    pub revenue: String,
    pub consultants: u32,
    pub opportunities: u32,
}

impl From<&TargetData> for TargetDto {
    fn from(t: &TargetData) -> Self {
        TargetDto {
            year: t.year,
            revenue: amount(t.revenue),
            consultants: t.consultants,
            opportunities: t.opportunities,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActualDto {
    /// Invoiced HT in the year, less the credit notes issued in it.
    pub revenue: String,
    /// Consultants on a mission of the account on `headcount_on`.
    pub consultants: u32,
    /// Opportunities created in the year.
    pub opportunities: u32,
    /// Today, or the last day of a past year.
    pub headcount_on: String,
    /// Whole percent of the year's target reached; null without a target.
    pub revenue_reached: Option<u32>,
    pub consultants_reached: Option<u32>,
    pub opportunities_reached: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountPlanDto {
    pub company_id: String,
    pub company_name: String,
    /// A plan is written for key accounts only; a former one's still reads.
    pub key_account: bool,
    /// The year of `actual` (the query's, or the current one).
    pub year: i32,
    /// Today's owners from the account's dated portfolio, largest share first.
    pub owners: Vec<OwnerDto>,
    pub domains: Vec<DomainDto>,
    pub decision_makers: Vec<DecisionMakerDto>,
    /// Every year set, latest first.
    pub targets: Vec<TargetDto>,
    pub actual: ActualDto,
}

impl From<&Plan> for AccountPlanDto {
    fn from(p: &Plan) -> Self {
        let t = p.target();
        let pct = |actual: i64, target: Option<i64>| target.and_then(|x| reached(actual, x));
        AccountPlanDto {
            company_id: p.company_id.to_string(),
            company_name: p.company_name.clone(),
            key_account: p.key_account,
            year: p.year,
            owners: p
                .owners
                .iter()
                .map(|o| OwnerDto {
                    business_manager_id: o.id.to_string(),
                    business_manager_name: o.name.clone(),
                    share: o.share.percent().to_string(),
                })
                .collect(),
            domains: p.domains.iter().map(DomainDto::from).collect(),
            decision_makers: p
                .decision_makers
                .iter()
                .map(DecisionMakerDto::from)
                .collect(),
            targets: p.targets.iter().map(TargetDto::from).collect(),
            actual: ActualDto {
                revenue: amount(p.actual.revenue),
                consultants: p.actual.consultants,
                opportunities: p.actual.opportunities,
                headcount_on: p.actual.headcount_on.to_string(),
                revenue_reached: pct(p.actual.revenue.cents(), t.map(|t| t.revenue.cents())),
                consultants_reached: pct(
                    p.actual.consultants.into(),
                    t.map(|t| t.consultants.into()),
                ),
                opportunities_reached: pct(
                    p.actual.opportunities.into(),
                    t.map(|t| t.opportunities.into()),
                ),
            },
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year whose figures are computed, 2000–2100 (default: this year);
    /// out of range: 422 naming `year`.
    pub year: Option<String>,
}

/// The year asked for, or this one.
pub fn year_of(raw: Option<&str>) -> AppResult<i32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(store::today().year()),
        Some(y) => {
            parse_year(y).map_err(|k| AppError::Validation(ValidationErrors::single("year", k)))
        }
    }
}

/// The account plan, with today's owners, the decision makers and the
/// year's actual figures against its targets.
#[utoipa::path(get, path = "/api/v1/companies/{id}/account-plan", tag = "companies",
    summary = "Get a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id"), YearQuery),
    responses((status = 200, body = AccountPlanDto),
        (status = 404, description = "No such company in the caller's scope (a business manager sees his portfolio's accounts only)", body = super::ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`year` outside 2000–2100", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<AccountPlanDto>> {
    let year = year_of(q.year.as_deref())?;
    let mut tx = app.db.read().await?;
    let plan = store::account_plans::plan(&mut tx, ctx.scope()?, id, year).await?;
    tx.commit().await?;
    Ok(Json(AccountPlanDto::from(&plan)))
}

/// A domain as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    /// Up to 80 characters, unique in the plan.
    pub name: Option<String>,
    /// A contact of the account or of a company of its group.
    pub lead_contact_id: Option<String>,
    /// The stakes in free words, up to 2,000 characters.
    pub stakes: Option<String>,
    /// `active` (default), `target` or `dormant`.
    pub status: Option<String>,
}

impl DomainBody {
    fn input(self) -> DomainInput {
        DomainInput {
            name: self.name.unwrap_or_default(),
            lead_contact_id: self.lead_contact_id.unwrap_or_default(),
            stakes: self.stakes.unwrap_or_default(),
            status: self.status.unwrap_or_default(),
        }
    }
}

/// Adds a domain to the plan. Audited.
#[utoipa::path(post, path = "/api/v1/companies/{id}/account-plan/domains", tag = "companies",
    summary = "Add a domain to a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id")),
    request_body = DomainBody,
    responses((status = 201, body = DomainDto, headers(("Location" = String, description = "The domain"))),
        (status = 422, description = "`name` missing, too long or taken; `status` unknown; `lead_contact_id` not a contact of the account's group; `key_account` when the account is not a key account: nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_domain(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Body(b): Body<DomainBody>,
) -> AppResult<Response> {
    let input = b.input();
    let scope = ctx.scope()?;
    let domain = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::create_domain(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    Ok(created(
        format!("/api/v1/companies/{id}/account-plan/domains/{}", domain.id),
        DomainDto::from(&domain),
    ))
}

fn ids(company: &str, domain: &str) -> AppResult<(CompanyId, AccountDomainId)> {
    Ok((
        CompanyId::parse(company).ok_or(AppError::NotFound)?,
        AccountDomainId::parse(domain).ok_or(AppError::NotFound)?,
    ))
}

/// One domain of the plan.
#[utoipa::path(get, path = "/api/v1/companies/{id}/account-plan/domains/{domain_id}", tag = "companies",
    summary = "Get a domain of a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id"),
           ("domain_id" = uuid::Uuid, Path, description = "Domain id")),
    responses((status = 200, body = DomainDto)),
    security(("bearer" = [])))]
pub async fn show_domain(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, domain)): Path<(String, String)>,
) -> AppResult<Json<DomainDto>> {
    let (id, domain) = ids(&id, &domain)?;
    let mut tx = app.db.read().await?;
    let plan = store::account_plans::plan(&mut tx, ctx.scope()?, id, store::today().year()).await?;
    tx.commit().await?;
    let d = plan
        .domains
        .iter()
        .find(|d| d.id == domain)
        .ok_or(AppError::NotFound)?;
    Ok(Json(DomainDto::from(d)))
}

/// Replaces a domain of the plan (absent members are blank). Audited.
#[utoipa::path(put, path = "/api/v1/companies/{id}/account-plan/domains/{domain_id}", tag = "companies",
    summary = "Replace a domain of a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id"),
           ("domain_id" = uuid::Uuid, Path, description = "Domain id")),
    request_body = DomainBody,
    responses((status = 200, body = DomainDto),
        (status = 422, description = "`name` missing, too long or taken; `status` unknown; `lead_contact_id` not a contact of the account's group; `key_account` when the account is not a key account: nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_domain(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, domain)): Path<(String, String)>,
    Body(b): Body<DomainBody>,
) -> AppResult<Json<DomainDto>> {
    let (id, domain) = ids(&id, &domain)?;
    let input = b.input();
    let scope = ctx.scope()?;
    let domain = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            Ok(store::account_plans::write::update_domain(
                tx,
                &ctx.actor(),
                scope,
                id,
                domain,
                &input,
            )
            .await?)
        })
        .await?;
    Ok(Json(DomainDto::from(&domain)))
}

/// A contact's part in the plan, as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StakeholderBody {
    /// `decision_maker`, `sponsor`, `influencer`, `user` or `blocker`.
    pub influence: Option<String>,
    /// The relationship's strength, 1 (none yet) to 4 (trusted).
    pub strength: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StakeholderDto {
    pub contact_id: String,
    pub influence: String,
    pub strength: u8,
}

/// Sets a contact's part in the buying decision and the strength of the
/// relationship with him. Audited.
#[utoipa::path(put, path = "/api/v1/companies/{id}/account-plan/stakeholders/{contact_id}", tag = "companies",
    summary = "Set a contact's influence in a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id"),
           ("contact_id" = uuid::Uuid, Path, description = "A contact of the account or of its group")),
    request_body = StakeholderBody,
    responses((status = 200, body = StakeholderDto),
        (status = 422, description = "`influence` unknown; `strength` outside 1–4; `contact_id` not a contact of the account's group; `key_account` when the account is not a key account: nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_stakeholder(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, contact)): Path<(String, String)>,
    Body(b): Body<StakeholderBody>,
) -> AppResult<Json<StakeholderDto>> {
    let id = CompanyId::parse(&id).ok_or(AppError::NotFound)?;
    let contact = ContactId::parse(&contact).ok_or(AppError::NotFound)?;
    let input = StakeholderInput {
        contact_id: contact.to_string(),
        influence: b.influence.unwrap_or_default(),
        strength: b.strength.map(|n| n.to_string()).unwrap_or_default(),
    };
    let scope = ctx.scope()?;
    let s = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::set_stakeholder(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    Ok(Json(StakeholderDto {
        contact_id: s.contact_id.to_string(),
        influence: s.influence.as_str().into(),
        strength: s.strength,
    }))
}

/// A year's targets, as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// Revenue HT, a decimal string (`"250000.00"`); absent: 0.
    pub revenue: Option<String>,
    /// Consultants placed; absent: 0.
    pub consultants: Option<i64>,
    /// New opportunities; absent: 0.
    pub opportunities: Option<i64>,
}

/// Sets the targets of a year (2000–2100). Audited.
#[utoipa::path(put, path = "/api/v1/companies/{id}/account-plan/targets/{year}", tag = "companies",
    summary = "Set a year's targets in a key account's plan",
    params(("id" = uuid::Uuid, Path, description = "Company id"),
           ("year" = i32, Path, description = "Calendar year, 2000–2100")),
    request_body = TargetBody,
    responses((status = 200, body = TargetDto),
        (status = 422, description = "`year` outside 2000–2100; `revenue`, `consultants` or `opportunities` negative or not a number; `key_account` when the account is not a key account: nothing written", body = super::ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_target(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, year)): Path<(String, String)>,
    Body(b): Body<TargetBody>,
) -> AppResult<Json<TargetDto>> {
    let id = CompanyId::parse(&id).ok_or(AppError::NotFound)?;
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let input = TargetInput {
        year,
        revenue: b.revenue.unwrap_or_default(),
        consultants: n(b.consultants),
        opportunities: n(b.opportunities),
    };
    let scope = ctx.scope()?;
    let t = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::set_target(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    Ok(Json(TargetDto::from(&t)))
}

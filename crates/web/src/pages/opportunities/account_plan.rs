//! The account plan of a key account ("plan de compte"): today's owners,
//! the domains with who leads each, the decision makers (read from the
//! contacts' roles, with their last activity and opportunities) and the
//! part and relationship strength the plan keeps for each, and a year's
//! targets against the actual figures. Read like the account map (a
//! business manager his portfolio's accounts only, another is 404);
//! written by the commercial staff.
//!
//! An account that is not a key account shows why there is no plan and a
//! link to its form, rather than a 404: the account exists and the reader
//! may see it, and marking it key is the one step to take.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::crm::account_plan::{
    DomainInput, DomainStatus, Influence, STRENGTH_MAX, STRENGTH_MIN, StakeholderInput,
    TargetInput, reached,
};
use domain::ids::{AccountDomainId, CompanyId};
use domain::locale::format_date;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::account_plans::Plan;

use crate::api::account_plans::{YearQuery, year_of};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

/// A domain form, as typed, with the messages beside its fields.
pub struct DomainForm {
    pub action: String,
    pub input: DomainInput,
    pub name_error: Option<String>,
    pub lead_error: Option<String>,
    pub stakes_error: Option<String>,
    pub status_error: Option<String>,
    /// Shown unfolded (it was just refused).
    pub open: bool,
}

pub struct DomainView {
    pub id: String,
    pub name: String,
    pub lead: String,
    pub stakes: String,
    pub status: String,
    pub status_code: String,
    pub form: DomainForm,
}

pub struct StakeholderForm {
    pub contact_id: String,
    pub influence: String,
    pub strength: String,
    pub contact_error: Option<String>,
    pub influence_error: Option<String>,
    pub strength_error: Option<String>,
}

pub struct DecisionMakerView {
    pub href: String,
    pub name: String,
    pub company: String,
    pub role: String,
    pub job_title: String,
    pub last_activity: String,
    /// href, title, stage.
    pub opportunities: Vec<(String, String, String)>,
    pub influence: String,
    pub strength: String,
    pub form: StakeholderForm,
}

pub struct FigureRow {
    pub id: &'static str,
    pub label: String,
    pub target: String,
    pub actual: String,
    pub reached: String,
}

pub struct TargetForm {
    pub input: TargetInput,
    pub year_error: Option<String>,
    pub revenue_error: Option<String>,
    pub consultants_error: Option<String>,
    pub opportunities_error: Option<String>,
}

#[derive(Template)]
#[template(path = "opportunities/account_plan.html")]
struct Page {
    layout: Layout,
    company_id: String,
    company: String,
    key_account: bool,
    can_edit_company: bool,
    can_edit: bool,
    year: i32,
    owners: String,
    domains: Vec<DomainView>,
    new_domain: DomainForm,
    decision_makers: Vec<DecisionMakerView>,
    other_part: StakeholderForm,
    figures: Vec<FigureRow>,
    headcount_on: String,
    target_form: TargetForm,
    /// id, "name (company)".
    contacts: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    influences: Vec<(String, String)>,
    strengths: Vec<String>,
}

/// The form refused, to show again beside its fields.
enum Refusal {
    NewDomain(DomainInput),
    Domain(AccountDomainId, DomainInput),
    Stakeholder(StakeholderInput),
    Target(TargetInput),
}

fn domain_form(action: String, input: DomainInput, fe: Option<&FieldErrors>) -> DomainForm {
    let e = |f: &str| fe.and_then(|x| x.get(f)).map(str::to_owned);
    DomainForm {
        action,
        name_error: e("name"),
        lead_error: e("lead_contact_id"),
        stakes_error: e("stakes"),
        status_error: e("status"),
        open: fe.is_some(),
        input,
    }
}

fn stakeholder_form(input: StakeholderInput, fe: Option<&FieldErrors>) -> StakeholderForm {
    let e = |f: &str| fe.and_then(|x| x.get(f)).map(str::to_owned);
    StakeholderForm {
        contact_error: e("contact_id").or_else(|| e("key_account")),
        influence_error: e("influence"),
        strength_error: e("strength"),
        contact_id: input.contact_id,
        influence: input.influence,
        strength: input.strength,
    }
}

fn figures(plan: &Plan, l: Locale) -> Vec<FigureRow> {
    let t = plan.target();
    let pct = |actual: i64, target: Option<i64>| {
        target
            .and_then(|x| reached(actual, x))
            .map_or_else(|| "—".to_owned(), |p| format!("{p}\u{a0}%"))
    };
    let money = |m: domain::money::Money| m.format(l);
    vec![
        FigureRow {
            id: "revenue",
            label: i18n::t(l, "account-plan-revenue"),
            target: t.map_or_else(|| "—".into(), |t| money(t.revenue)),
            actual: money(plan.actual.revenue),
            reached: pct(plan.actual.revenue.cents(), t.map(|t| t.revenue.cents())),
        },
        FigureRow {
            id: "consultants",
            label: i18n::t(l, "account-plan-consultants"),
            target: t.map_or_else(|| "—".into(), |t| t.consultants.to_string()),
            actual: plan.actual.consultants.to_string(),
            reached: pct(
                plan.actual.consultants.into(),
                t.map(|t| t.consultants.into()),
            ),
        },
        FigureRow {
            id: "opportunities",
            label: i18n::t(l, "account-plan-opportunities"),
            target: t.map_or_else(|| "—".into(), |t| t.opportunities.to_string()),
            actual: plan.actual.opportunities.to_string(),
            reached: pct(
                plan.actual.opportunities.into(),
                t.map(|t| t.opportunities.into()),
            ),
        },
    ]
}

async fn show(
    app: &AppState,
    ctx: &Ctx,
    id: CompanyId,
    year: i32,
    refused: Option<(Refusal, ValidationErrors)>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let role = ctx.user()?.role;
    let mut tx = app.db.read().await?;
    let plan = store::account_plans::plan(&mut tx, ctx.scope()?, id, year).await?;
    tx.commit().await?;
    let t = |k: &str| i18n::t(l, k);
    let fe = refused.as_ref().map(|(_, e)| FieldErrors::new(l, e));
    let base = format!("/companies/{id}/account-plan");
    let (mut new_domain, mut edited, mut part, mut target) = (None, None, None, None);
    match refused.map(|(r, _)| r) {
        Some(Refusal::NewDomain(i)) => new_domain = Some(i),
        Some(Refusal::Domain(d, i)) => edited = Some((d, i)),
        Some(Refusal::Stakeholder(i)) => part = Some(i),
        Some(Refusal::Target(i)) => target = Some(i),
        None => {}
    }
    let domains = plan
        .domains
        .iter()
        .map(|d| {
            let (input, errors) = match &edited {
                Some((eid, i)) if *eid == d.id => (i.clone(), fe.as_ref()),
                _ => (d.data.to_input(), None),
            };
            DomainView {
                id: d.id.to_string(),
                name: d.data.name.clone(),
                lead: d.lead_name.clone().unwrap_or_default(),
                stakes: d.data.stakes.clone().unwrap_or_default(),
                status: t(&d.data.status.label_key()),
                status_code: d.data.status.as_str().into(),
                form: domain_form(format!("{base}/domains/{}", d.id), input, errors),
            }
        })
        .collect();
    let part_for = |contact: &str| part.as_ref().filter(|p| p.contact_id == contact);
    let decision_makers = plan
        .decision_makers
        .iter()
        .map(|d| {
            let cid = d.contact_id.to_string();
            let form = match part_for(&cid) {
                Some(p) => stakeholder_form(p.clone(), fe.as_ref()),
                None => stakeholder_form(
                    StakeholderInput {
                        contact_id: cid.clone(),
                        influence: d.influence.map(|i| i.as_str().into()).unwrap_or_default(),
                        strength: d.strength.map(|s| s.to_string()).unwrap_or_default(),
                    },
                    None,
                ),
            };
            DecisionMakerView {
                href: format!("/contacts/{cid}"),
                name: d.name.clone(),
                company: d.company_name.clone(),
                role: t(&d.role.label_key()),
                job_title: d.job_title.clone().unwrap_or_default(),
                last_activity: d
                    .last_activity
                    .map_or_else(|| "—".into(), |x| format_date(x, l)),
                opportunities: d
                    .opportunities
                    .iter()
                    .map(|o| {
                        (
                            format!("/opportunities/{}", o.id),
                            o.title.clone(),
                            o.stage_label.clone(),
                        )
                    })
                    .collect(),
                influence: d
                    .influence
                    .map_or_else(|| "—".into(), |i| t(&i.label_key())),
                strength: d.strength.map_or_else(|| "—".into(), |s| format!("{s}/4")),
                form,
            }
        })
        .collect();
    // A refused part for a contact not listed yet comes back in the form
    // for other contacts.
    let listed = |c: &str| {
        plan.decision_makers
            .iter()
            .any(|d| d.contact_id.to_string() == c)
    };
    let other_part = match part.as_ref().filter(|p| !listed(&p.contact_id)) {
        Some(p) => stakeholder_form(p.clone(), fe.as_ref()),
        None => stakeholder_form(StakeholderInput::default(), None),
    };
    let target_input = target.clone().unwrap_or_else(|| {
        plan.target().map_or_else(
            || TargetInput {
                year: year.to_string(),
                ..Default::default()
            },
            |x| x.to_input(),
        )
    });
    let te = |f: &str| {
        target
            .as_ref()
            .and(fe.as_ref())
            .and_then(|x| x.get(f))
            .map(str::to_owned)
    };
    let target_form = TargetForm {
        year_error: te("year").or_else(|| te("key_account")),
        revenue_error: te("revenue"),
        consultants_error: te("consultants"),
        opportunities_error: te("opportunities"),
        input: target_input,
    };
    let owners = if plan.owners.is_empty() {
        t("portfolio-nobody-today")
    } else {
        plan.owners
            .iter()
            .map(|o| format!("{} ({})", o.name, o.share.format(l)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let new_domain = domain_form(
        format!("{base}/domains"),
        new_domain.clone().unwrap_or_default(),
        new_domain.as_ref().and(fe.as_ref()),
    );
    let p = Page {
        layout: layout(app, ctx, "account-plan-title").await?,
        company_id: id.to_string(),
        company: plan.company_name.clone(),
        key_account: plan.key_account,
        can_edit_company: allows(role, Permission::EditCompanies),
        can_edit: allows(role, Permission::EditOpportunities),
        year,
        owners,
        domains,
        new_domain,
        decision_makers,
        other_part,
        figures: figures(&plan, l),
        headcount_on: format_date(plan.actual.headcount_on, l),
        target_form,
        contacts: plan
            .contacts
            .iter()
            .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.company_name)))
            .collect(),
        statuses: DomainStatus::ALL
            .iter()
            .map(|s| (s.as_str().into(), t(&s.label_key())))
            .collect(),
        influences: Influence::ALL
            .iter()
            .map(|i| (i.as_str().into(), t(&i.label_key())))
            .collect(),
        strengths: (STRENGTH_MIN..=STRENGTH_MAX)
            .map(|s| s.to_string())
            .collect(),
    };
    if fe.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
    } else {
        render(&p)
    }
}

/// GET /companies/{id}/account-plan
pub async fn page(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(q.year.as_deref()).unwrap_or_else(|_| store::today().year());
    show(&app, &ctx, id, year, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DomainFields {
    pub name: String,
    pub lead_contact_id: String,
    pub stakes: String,
    pub status: String,
}

impl DomainFields {
    fn input(self) -> DomainInput {
        DomainInput {
            name: self.name,
            lead_contact_id: self.lead_contact_id,
            stakes: self.stakes,
            status: self.status,
        }
    }
}

fn back(id: CompanyId) -> String {
    format!("/companies/{id}/account-plan")
}

/// A refused form shown again, or the plan after the change.
async fn after<T>(
    app: &AppState,
    ctx: &Ctx,
    id: CompanyId,
    outcome: crate::write::Outcome<T>,
    refusal: Refusal,
) -> AppResult<Response> {
    match outcome {
        Done(_) => Ok(see_other(&back(id))),
        Refused(e) => show(app, ctx, id, store::today().year(), Some((refusal, e))).await,
    }
}

/// POST /companies/{id}/account-plan/domains
pub async fn create_domain(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(f): Form<DomainFields>,
) -> AppResult<Response> {
    let input = f.input();
    let scope = ctx.scope()?;
    let outcome = write(&app, &ctx)
        .flash("account-plan-saved")
        .run(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::create_domain(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    after(&app, &ctx, id, outcome, Refusal::NewDomain(input)).await
}

/// POST /companies/{id}/account-plan/domains/{domain_id}
pub async fn update_domain(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, domain)): Path<(String, String)>,
    Form(f): Form<DomainFields>,
) -> AppResult<Response> {
    let id = CompanyId::parse(&id).ok_or(AppError::NotFound)?;
    let domain = AccountDomainId::parse(&domain).ok_or(AppError::NotFound)?;
    let input = f.input();
    let scope = ctx.scope()?;
    let outcome = write(&app, &ctx)
        .flash("account-plan-saved")
        .run(async |tx| -> AppResult<_> {
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
    after(&app, &ctx, id, outcome, Refusal::Domain(domain, input)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StakeholderFields {
    pub contact_id: String,
    pub influence: String,
    pub strength: String,
}

/// POST /companies/{id}/account-plan/stakeholders
pub async fn set_stakeholder(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(f): Form<StakeholderFields>,
) -> AppResult<Response> {
    let input = StakeholderInput {
        contact_id: f.contact_id,
        influence: f.influence,
        strength: f.strength,
    };
    let scope = ctx.scope()?;
    let outcome = write(&app, &ctx)
        .flash("account-plan-saved")
        .run(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::set_stakeholder(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    after(&app, &ctx, id, outcome, Refusal::Stakeholder(input)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetFields {
    pub year: String,
    pub revenue: String,
    pub consultants: String,
    pub opportunities: String,
}

/// POST /companies/{id}/account-plan/targets
pub async fn set_target(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(f): Form<TargetFields>,
) -> AppResult<Response> {
    let input = TargetInput {
        year: f.year,
        revenue: f.revenue,
        consultants: f.consultants,
        opportunities: f.opportunities,
    };
    let scope = ctx.scope()?;
    let outcome = write(&app, &ctx)
        .flash("account-plan-saved")
        .run(async |tx| -> AppResult<_> {
            Ok(
                store::account_plans::write::set_target(tx, &ctx.actor(), scope, id, &input)
                    .await?,
            )
        })
        .await?;
    let year = domain::crm::account_plan::parse_year(&input.year).ok();
    match outcome {
        Done(_) => Ok(see_other(&match year {
            Some(y) => format!("{}?year={y}", back(id)),
            None => back(id),
        })),
        Refused(e) => {
            let shown = year.unwrap_or_else(|| store::today().year());
            show(&app, &ctx, id, shown, Some((Refusal::Target(input), e))).await
        }
    }
}

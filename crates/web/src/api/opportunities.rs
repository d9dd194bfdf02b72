//! The CRM's opportunities: list, create, read, edit, move between stages,
//! win (which makes the mission). Amounts are decimal strings (`"600.00"`),
//! dates `YYYY-MM-DD`, probabilities percentages as decimal strings.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::Region;
use domain::crm::{
    LossReason, OpportunityInput, OpportunityKind, SkillInput, Source, StageCode, parse_skills,
};
use domain::ids::{CompanyId, MissionId, OpportunityId, UserId};
use domain::percent::Percentage;
use domain::validation::{ErrorKey, ValidationErrors};
use serde::{Deserialize, Deserializer, Serialize};
use store::opportunities::{Opportunity, OpportunityFilter, Sort, WinWith};
use utoipa::{IntoParams, ToSchema};

use super::companies::ListParamsFlat;
use super::{ListParams, amount, created, date_field, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct SkillDto {
    pub name: String,
    /// 1 notions, 2 practice, 3 autonomous, 4 expert.
    pub level: u8,
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityDto {
    pub id: String,
    pub title: String,
    /// `regie_mission`, `fixed_price` or `recruitment_only`.
    pub kind: String,
    pub client_id: String,
    pub client_name: String,
    pub need: Option<String>,
    /// Daily rate range, decimal strings.
    pub tjm_min: Option<String>,
    pub tjm_max: Option<String>,
    /// A fixed price or a recruitment fee.
    pub amount: Option<String>,
    pub start_date: String,
    pub end_date: Option<String>,
    /// Working days per position, a decimal string (`"60"`, `"2.5"`).
    pub days: String,
    pub positions: u32,
    pub business_manager_id: String,
    pub business_manager_name: String,
    /// `follow_up_meeting`, `call`, `inbound`, `renewal` or `tender`.
    pub source: String,
    pub parent_id: Option<String>,
    pub renews_mission_id: Option<String>,
    /// The stage's code (`qualification`, …, `gagnee`, `perdue` by default).
    pub stage: String,
    pub stage_label: String,
    /// `open`, `won` or `lost`.
    pub outcome: String,
    /// The probability in force, percent.
    pub probability: String,
    /// The business manager's own probability; null: the stage's.
    pub probability_override: Option<String>,
    pub loss_reason: Option<String>,
    pub loss_note: Option<String>,
    /// The mission it became.
    pub mission_id: Option<String>,
    /// The follow-up meeting it was born in.
    pub meeting_id: Option<String>,
    /// TJM (bottom of the range) × days × positions, or the amount.
    pub expected_revenue: String,
    /// Expected × probability.
    pub weighted_revenue: String,
    /// The client's contacts on the need: in a single read only (null in lists).
    pub contact_ids: Option<Vec<String>>,
    /// In a single read only (null in lists).
    pub skills: Option<Vec<SkillDto>>,
    pub created_at: String,
    pub updated_at: String,
}

fn percent(p: Percentage) -> String {
    p.percent().normalize().to_string()
}

impl From<&Opportunity> for OpportunityDto {
    fn from(o: &Opportunity) -> Self {
        let d = &o.data;
        OpportunityDto {
            id: o.id.to_string(),
            title: d.title.clone(),
            kind: d.kind.as_str().into(),
            client_id: d.client_id.to_string(),
            client_name: o.client_name.clone(),
            need: d.need.clone(),
            tjm_min: d.tjm_min.map(|t| amount(t.amount())),
            tjm_max: d.tjm_max.map(|t| amount(t.amount())),
            amount: d.amount.map(amount),
            start_date: d.start_date.to_string(),
            end_date: d.end_date.map(|e| e.to_string()),
            days: d.days.as_decimal().normalize().to_string(),
            positions: d.positions,
            business_manager_id: d.business_manager_id.to_string(),
            business_manager_name: o.business_manager_name.clone(),
            source: d.source.as_str().into(),
            parent_id: d.parent_id.map(|p| p.to_string()),
            renews_mission_id: d.renews_mission_id.map(|m| m.to_string()),
            stage: o.standing.stage.to_string(),
            stage_label: o.stage_label.clone(),
            outcome: o.outcome.as_str().into(),
            probability: percent(o.probability),
            probability_override: o.standing.probability_override.map(percent),
            loss_reason: o.standing.loss_reason.map(|r| r.as_str().into()),
            loss_note: o.loss_note.clone(),
            mission_id: o.mission_id.map(|m| m.to_string()),
            meeting_id: o.meeting_id.map(|m| m.to_string()),
            expected_revenue: amount(o.expected),
            weighted_revenue: amount(o.weighted),
            contact_ids: None,
            skills: None,
            created_at: rfc3339(&o.created_at),
            updated_at: rfc3339(&o.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillBody {
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// 1 to 4 (default 2).
    #[schema(minimum = 1, maximum = 4)]
    pub level: Option<u8>,
}

fn skill_inputs(skills: &[SkillBody]) -> Vec<SkillInput> {
    skills
        .iter()
        .map(|s| SkillInput {
            name: s.name.clone(),
            level: s.level.map(|l| l.to_string()).unwrap_or_default(),
        })
        .collect()
}

/// A new opportunity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityBody {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// `regie_mission` (default), `fixed_price` or `recruitment_only`.
    #[schema(pattern = "^(regie_mission|fixed_price|recruitment_only)$")]
    pub kind: Option<String>,
    #[schema(format = Uuid)]
    pub client_id: String,
    /// Contacts of the client company.
    pub contact_ids: Option<Vec<String>>,
    #[schema(max_length = 10000)]
    pub need: Option<String>,
    /// Bottom of the daily rate range, e.g. `"550.00"` (> 0).
    pub tjm_min: Option<String>,
    /// Top of the range, at least the bottom.
    pub tjm_max: Option<String>,
    /// Fixed price or recruitment fee (> 0).
    pub amount: Option<String>,
    #[schema(format = Date)]
    pub start_date: String,
    /// On or after the start; gives the days when `days` is absent.
    #[schema(format = Date)]
    pub end_date: Option<String>,
    /// Working days per position, in half days (`"60"`, `"2.5"`).
    pub days: Option<String>,
    /// 1 to 500 (default 1).
    #[schema(minimum = 1, maximum = 500)]
    pub positions: Option<u32>,
    /// Default: the caller.
    #[schema(format = Uuid)]
    pub business_manager_id: Option<String>,
    /// `call` (default), `follow_up_meeting`, `inbound`, `renewal` or `tender`.
    #[schema(pattern = "^(follow_up_meeting|call|inbound|renewal|tender)$")]
    pub source: Option<String>,
    /// The parent opportunity (not a descendant of this one).
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    /// The mission a renewal renews.
    #[schema(format = Uuid)]
    pub renews_mission_id: Option<String>,
    pub skills: Option<Vec<SkillBody>>,
}

/// Changes to an opportunity: a member absent is kept, an empty string
/// clears an optional text, a list given replaces the list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(pattern = "^(regie_mission|fixed_price|recruitment_only)$")]
    pub kind: Option<String>,
    #[schema(format = Uuid)]
    pub client_id: Option<String>,
    pub contact_ids: Option<Vec<String>>,
    pub need: Option<String>,
    pub tjm_min: Option<String>,
    pub tjm_max: Option<String>,
    pub amount: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub days: Option<String>,
    #[schema(minimum = 1, maximum = 500)]
    pub positions: Option<u32>,
    #[schema(format = Uuid)]
    pub business_manager_id: Option<String>,
    #[schema(pattern = "^(follow_up_meeting|call|inbound|renewal|tender)$")]
    pub source: Option<String>,
    pub parent_id: Option<String>,
    pub renews_mission_id: Option<String>,
    pub skills: Option<Vec<SkillBody>>,
    /// The business manager's own probability, 0 to 100; `null` back to
    /// the stage's.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub probability: Option<Option<String>>,
}

/// A member present (even `null`) is `Some`, absent `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Dates of a body are `YYYY-MM-DD`; anything else is refused by the
/// domain's date rule naming the field.
fn body_input(b: OpportunityBody, caller: UserId) -> OpportunityInput {
    let s = |o: Option<String>| o.unwrap_or_default();
    OpportunityInput {
        title: b.title,
        kind: s(b.kind),
        client_id: b.client_id,
        contact_ids: b.contact_ids.unwrap_or_default(),
        need: s(b.need),
        tjm_min: s(b.tjm_min),
        tjm_max: s(b.tjm_max),
        amount: s(b.amount),
        start_date: b.start_date,
        days: s(b.days),
        end_date: s(b.end_date),
        positions: b.positions.map(|p| p.to_string()).unwrap_or_default(),
        business_manager_id: b.business_manager_id.unwrap_or_else(|| caller.to_string()),
        source: s(b.source),
        parent_id: s(b.parent_id),
        renews_mission_id: s(b.renews_mission_id),
    }
}

/// Every refusal of the input and of the skills at once.
fn checked(
    input: &OpportunityInput,
    skills: &[SkillInput],
) -> AppResult<(domain::crm::OpportunityData, Vec<domain::crm::Skill>)> {
    let data = input.validate(Region::Standard);
    let skills = parse_skills(skills);
    match (data, skills) {
        (Ok(d), Ok(s)) => Ok((d, s)),
        (d, s) => {
            let mut e = ValidationErrors::new();
            e.0.extend(d.err().map(|v| v.0).unwrap_or_default());
            e.0.extend(s.err().map(|v| v.0).unwrap_or_default());
            Err(AppError::Validation(e))
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityPage {
    pub items: Vec<OpportunityDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunityFilterParams {
    /// A stage's code.
    pub stage: Option<String>,
    #[param(pattern = "^(regie_mission|fixed_price|recruitment_only)$")]
    pub kind: Option<String>,
    #[param(format = Uuid)]
    pub business_manager_id: Option<String>,
    /// The client company (the account).
    #[param(format = Uuid)]
    pub client_id: Option<String>,
    /// Words of the client's name (or SIREN, city), accents and case
    /// ignored.
    pub client: Option<String>,
    #[param(pattern = "^(follow_up_meeting|call|inbound|renewal|tender)$")]
    pub source: Option<String>,
    /// Starting on or after, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub start_from: Option<String>,
    /// Starting on or before, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub start_to: Option<String>,
    /// `start_date` (default), `expected`, `weighted`, `updated` or `title`.
    #[param(pattern = "^(start_date|expected|weighted|updated|title)$")]
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(pattern = "^(asc|desc)$")]
    pub order: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OpportunityListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    #[serde(flatten)]
    pub filter: OpportunityFilterParams,
}

/// A filter as sent, read into the store's, each refusal naming its
/// parameter.
pub fn filter_of(
    p: &OpportunityFilterParams,
    q: Option<String>,
) -> AppResult<(OpportunityFilter, Sort, bool)> {
    let mut e = ValidationErrors::new();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut parse = |field: &'static str, key: &'static str, v: &Option<String>| {
        given(v).and_then(|s| {
            let r = match field {
                "stage" => StageCode::parse(&s).is_ok(),
                "kind" => OpportunityKind::parse(&s).is_some(),
                "business_manager_id" => UserId::parse(&s).is_some(),
                "client_id" => CompanyId::parse(&s).is_some(),
                "source" => Source::parse(&s).is_some(),
                "sort" => Sort::parse(&s).is_some(),
                _ => matches!(s.as_str(), "asc" | "desc"),
            };
            if r {
                Some(s)
            } else {
                e.add(field, key);
                None
            }
        })
    };
    let stage = parse("stage", "stage-code-invalid", &p.stage);
    let kind = parse("kind", "opportunity-kind-invalid", &p.kind);
    let bm = parse(
        "business_manager_id",
        "id-unknown-record",
        &p.business_manager_id,
    );
    let client = parse("client_id", "company-unknown", &p.client_id);
    let source = parse("source", "opportunity-source-invalid", &p.source);
    let sort = parse("sort", "list-sort-invalid", &p.sort);
    let order = parse("order", "list-sort-invalid", &p.order);
    let mut date = |field: &'static str, v: &Option<String>| {
        given(v).and_then(|s| match date_field(field, &s) {
            Ok(d) => Some(d),
            Err(AppError::Validation(v)) => {
                e.0.extend(v.0);
                None
            }
            Err(_) => None,
        })
    };
    let start_from = date("start_from", &p.start_from);
    let start_to = date("start_to", &p.start_to);
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let filter = OpportunityFilter {
        q,
        stage: stage.and_then(|s| StageCode::parse(&s).ok()),
        kind: kind.and_then(|s| OpportunityKind::parse(&s)),
        business_manager_id: bm.and_then(|s| UserId::parse(&s)),
        client_id: client.and_then(|s| CompanyId::parse(&s)),
        client_name: given(&p.client),
        source: source.and_then(|s| Source::parse(&s)),
        start_from,
        start_to,
    };
    Ok((
        filter,
        sort.and_then(|s| Sort::parse(&s)).unwrap_or_default(),
        order.as_deref() == Some("desc"),
    ))
}

/// List the opportunities the caller may see (a business manager: his own
/// and his accounts'), filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", summary = "List opportunities",
    params(ListParams, OpportunityFilterParams),
    responses((status = 200, body = OpportunityPage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OpportunityListQuery>,
) -> AppResult<Json<OpportunityPage>> {
    let params = q.list.parse()?;
    let (filter, sort, descending) = filter_of(&q.filter, params.q.clone())?;
    let mut tx = app.db.read().await?;
    let paged = store::opportunities::list(
        &mut tx,
        ctx.scope()?,
        &filter,
        sort,
        descending,
        params.page(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(OpportunityPage {
        items: paged.items.iter().map(OpportunityDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

async fn full(tx: &mut store::Tx, o: &Opportunity) -> AppResult<OpportunityDto> {
    let mut dto = OpportunityDto::from(o);
    dto.contact_ids = Some(o.data.contact_ids.iter().map(|c| c.to_string()).collect());
    dto.skills = Some(
        store::opportunities::skills_of(tx, o.id)
            .await?
            .into_iter()
            .map(|s| SkillDto {
                name: s.name,
                level: s.level.get(),
            })
            .collect(),
    );
    Ok(dto)
}

/// Create an opportunity, at the first stage of the firm's list.
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunities", summary = "Create an opportunity",
    request_body = OpportunityBody,
    responses((status = 201, body = OpportunityDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<OpportunityBody>,
) -> AppResult<Response> {
    let skills = skill_inputs(body.skills.as_deref().unwrap_or_default());
    let input = body_input(body, ctx.user()?.id);
    let (data, skills) = checked(&input, &skills)?;
    let scope = ctx.scope()?;
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let o = store::opportunities::create(tx, &ctx.actor(), scope, &data, &skills).await?;
            full(tx, &o).await
        })
        .await?;
    Ok(created(format!("/api/v1/opportunities/{}", dto.id), dto))
}

/// One opportunity, with its contacts and skills.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", summary = "Get an opportunity",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    responses((status = 200, body = OpportunityDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
) -> AppResult<Json<OpportunityDto>> {
    let mut tx = app.db.read().await?;
    let o = store::opportunities::get(&mut tx, ctx.scope()?, id).await?;
    let dto = full(&mut tx, &o).await?;
    tx.commit().await?;
    Ok(Json(dto))
}

/// Change an opportunity: members absent are kept.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities", summary = "Change an opportunity",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    request_body = OpportunityPatch,
    responses((status = 200, body = OpportunityDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Body(p): Body<OpportunityPatch>,
) -> AppResult<Json<OpportunityDto>> {
    let scope = ctx.scope()?;
    let probability = match &p.probability {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(
            domain::crm::opportunity::parse_probability(raw).map_err(AppError::Validation)?,
        )),
    };
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let before = store::opportunities::get(tx, scope, id).await?;
            let mut input = before.data.to_input(Region::Standard);
            let skills = match &p.skills {
                Some(s) => skill_inputs(s),
                None => store::opportunities::skills_of(tx, id)
                    .await?
                    .into_iter()
                    .map(|s| SkillInput {
                        name: s.name,
                        level: s.level.get().to_string(),
                    })
                    .collect(),
            };
            let set = |field: &mut String, v: &Option<String>| {
                if let Some(v) = v {
                    field.clone_from(v);
                }
            };
            set(&mut input.title, &p.title);
            set(&mut input.kind, &p.kind);
            set(&mut input.client_id, &p.client_id);
            set(&mut input.need, &p.need);
            set(&mut input.tjm_min, &p.tjm_min);
            set(&mut input.tjm_max, &p.tjm_max);
            set(&mut input.amount, &p.amount);
            set(&mut input.start_date, &p.start_date);
            set(&mut input.end_date, &p.end_date);
            set(&mut input.days, &p.days);
            set(&mut input.business_manager_id, &p.business_manager_id);
            set(&mut input.source, &p.source);
            set(&mut input.parent_id, &p.parent_id);
            set(&mut input.renews_mission_id, &p.renews_mission_id);
            if let Some(n) = p.positions {
                input.positions = n.to_string();
            }
            if let Some(c) = &p.contact_ids {
                input.contact_ids.clone_from(c);
            }
            // A new end date without new days: the days follow the end.
            if p.end_date.is_some() && p.days.is_none() {
                input.days.clear();
            }
            let (data, skills) = checked(&input, &skills)?;
            let o = store::opportunities::update(
                tx,
                &ctx.actor(),
                scope,
                id,
                &data,
                &skills,
                probability,
            )
            .await?;
            full(tx, &o).await
        })
        .await?;
    Ok(Json(dto))
}

/// A move to another stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// The stage's code: an open stage (a lost opportunity is reopened
    /// there), or the lost stage with `loss_reason`. The won stage is
    /// reached by `POST …/win`.
    pub stage: String,
    /// `price`, `competitor`, `no_profile`, `client_cancelled`,
    /// `internalised` or `other`: required to lose.
    #[schema(pattern = "^(price|competitor|no_profile|client_cancelled|internalised|other)$")]
    pub loss_reason: Option<String>,
    #[schema(max_length = 2000)]
    pub loss_note: Option<String>,
}

/// Move an opportunity to another stage, or lose it with its reason.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/stage", tag = "opportunities",
    summary = "Move an opportunity to a stage",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    request_body = StageBody,
    responses((status = 200, body = OpportunityDto)),
    security(("bearer" = [])))]
pub async fn stage(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Body(b): Body<StageBody>,
) -> AppResult<Json<OpportunityDto>> {
    let (target, reason, note) = stage_request(&b.stage, b.loss_reason.as_deref(), b.loss_note)?;
    let scope = ctx.scope()?;
    let dto = write(&app, &ctx)
        .commit(async |tx| -> AppResult<_> {
            let o = store::opportunities::move_stage(
                tx,
                &ctx.actor(),
                scope,
                id,
                &target,
                reason,
                note.as_deref(),
            )
            .await?;
            full(tx, &o).await
        })
        .await?;
    Ok(Json(dto))
}

/// A stage request read: the stage, the reason (refused when given and
/// unknown) and the note (at most 2 000 characters).
pub fn stage_request(
    stage: &str,
    reason: Option<&str>,
    note: Option<String>,
) -> AppResult<(StageCode, Option<LossReason>, Option<String>)> {
    let mut e = ValidationErrors::new();
    let target = StageCode::parse(stage)
        .map_err(|err| e.add("stage", err.key()))
        .ok();
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => LossReason::parse(r)
            .map_err(|err| e.add("loss_reason", err.key()))
            .ok(),
        None => None,
    };
    let note = match note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
        Some(n) => domain::company::text_multiline(&n, 2_000)
            .map_err(|err| e.add_with("loss_note", err.key(), err.args()))
            .ok(),
        None => None,
    };
    match target {
        Some(t) if e.is_empty() => Ok((t, reason, note)),
        _ => Err(AppError::Validation(e)),
    }
}

/// What a won opportunity becomes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WinBody {
    /// The consultant of the new mission (required unless `mission_id`, or
    /// already won).
    #[schema(format = Uuid)]
    pub consultant_id: Option<String>,
    /// An existing mission of the same client to link instead of creating one.
    #[schema(format = Uuid)]
    pub mission_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WinDto {
    pub mission_id: String,
    /// False when the opportunity was already won (the same mission) or
    /// linked to an existing mission.
    pub created: bool,
}

/// Win an opportunity: its mission is created from it (client, contacts as
/// the reports' validators, the top of the TJM range, dates, business
/// manager, analytic code) and linked. Winning again returns the same
/// mission.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/win", tag = "opportunities",
    summary = "Win an opportunity (creates its mission)",
    params(("id" = uuid::Uuid, Path, description = "Opportunity id")),
    request_body = WinBody,
    responses((status = 200, body = WinDto)),
    security(("bearer" = [])))]
pub async fn win(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Body(b): Body<WinBody>,
) -> AppResult<Json<WinDto>> {
    let with = win_with(b.consultant_id.as_deref(), b.mission_id.as_deref())?;
    let scope = ctx.scope()?;
    let (mission, created) = write(&app, &ctx)
        .commit(async |tx| store::opportunities::win(tx, &ctx.actor(), scope, id, with).await)
        .await?;
    Ok(Json(WinDto {
        mission_id: mission.to_string(),
        created,
    }))
}

/// The consultant or the existing mission of a win request.
pub fn win_with(consultant: Option<&str>, mission: Option<&str>) -> AppResult<Option<WinWith>> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|s| !s.is_empty())
    }
    match (given(consultant), given(mission)) {
        (Some(_), Some(_)) => Err(AppError::Validation(ValidationErrors::single(
            "mission_id",
            "opportunity-win-one-of",
        ))),
        (Some(c), None) => UserId::parse(c)
            .map(|consultant_id| Some(WinWith::NewMission { consultant_id }))
            .ok_or(AppError::Validation(ValidationErrors::single(
                "consultant_id",
                "id-unknown-record",
            ))),
        (None, Some(m)) => MissionId::parse(m)
            .map(|m| Some(WinWith::Existing(m)))
            .ok_or(AppError::Validation(ValidationErrors::single(
                "mission_id",
                "id-unknown-record",
            ))),
        (None, None) => Ok(None),
    }
}

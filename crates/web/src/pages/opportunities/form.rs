//! The opportunity form: new and edit, errors beside their fields. The
//! contacts offered are the chosen client's (`?client_id=` on a new one).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::calendar::Region;
use domain::crm::{OpportunityInput, SkillInput, parse_skills};
use domain::ids::{CompanyId, OpportunityId};
use domain::paging::PageRequest;
use domain::percent::Percentage;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;

use super::{Options, options};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Query};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};

/// Blank skill rows the form offers below those listed.
const BLANK_SKILLS: usize = 3;

#[derive(Template)]
#[template(path = "opportunities/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: OpportunityInput,
    /// Rows (name, level, index) with their error fields.
    skills: Vec<(String, String, usize)>,
    /// The business manager's own probability (edit only).
    probability: Option<String>,
    contacts: Vec<(String, String)>,
    /// The client's other opportunities, a parent may be chosen among.
    parents: Vec<(String, String)>,
    o: Options,
    /// The clients and prospects a need may be for.
    companies: Vec<(String, String)>,
    levels: Vec<(u8, String)>,
    errors: FieldErrors,
}

impl FormPage {
    fn checked(&self, contact: &str) -> bool {
        self.form.contact_ids.iter().any(|c| c == contact)
    }

    /// The parent typed is among those offered (else it is shown as typed,
    /// so a refused one stays beside its error).
    fn parent_listed(&self) -> bool {
        self.parents
            .iter()
            .any(|(id, _)| *id == self.form.parent_id)
    }

    fn skill_error(&self, i: &usize, part: &str) -> Option<&str> {
        self.errors.get(&format!("skills[{i}].{part}"))
    }

    fn contact_error(&self) -> Option<String> {
        (0..domain::crm::skill::MAX_CONTACTS)
            .map(domain::crm::skill::contact_field)
            .chain(["contact_ids"])
            .find_map(|f| self.errors.get(f).map(str::to_owned))
    }
}

/// What the form sends: the opportunity, its skills, the probability.
struct Sent {
    input: OpportunityInput,
    skills: Vec<SkillInput>,
    probability: Option<String>,
}

fn read_form(body: &[u8]) -> AppResult<Sent> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
    let mut f = OpportunityInput::default();
    let mut skills: Vec<SkillInput> = Vec::new();
    let mut probability = None;
    for (k, v) in pairs {
        match k.as_str() {
            "title" => f.title = v,
            "kind" => f.kind = v,
            "client_id" => f.client_id = v,
            "contact_ids" => f.contact_ids.push(v),
            "need" => f.need = v,
            "tjm_min" => f.tjm_min = v,
            "tjm_max" => f.tjm_max = v,
            "amount" => f.amount = v,
            "start_date" => f.start_date = v,
            "days" => f.days = v,
            "end_date" => f.end_date = v,
            "positions" => f.positions = v,
            "business_manager_id" => f.business_manager_id = v,
            "source" => f.source = v,
            "parent_id" => f.parent_id = v,
            "renews_mission_id" => f.renews_mission_id = v,
            "probability" => probability = Some(v),
            // Each row sends its name, then its level.
            "skill_name" => skills.push(SkillInput {
                name: v,
                level: String::new(),
            }),
            "skill_level" => {
                if let Some(last) = skills.last_mut() {
                    last.level = v;
                }
            }
            _ => {}
        }
    }
    // A row's level select always sends a value: a row without a name is
    // one of the blank rows offered, not a skill missing its name.
    skills.retain(|s| !s.name.trim().is_empty());
    Ok(Sent {
        input: f,
        skills,
        probability,
    })
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<OpportunityId>,
    sent: Sent,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "opportunities-edit",
            format!("/opportunities/{id}"),
            format!("/opportunities/{id}"),
        ),
        None => (
            "opportunities-new",
            "/opportunities".to_string(),
            "/opportunities".to_string(),
        ),
    };
    let mut tx = app.db.read().await?;
    let stages = store::opportunities::stages(&mut tx).await?;
    let o = options(&mut tx, ctx, &stages, &super::ListQuery::default()).await?;
    let companies = super::accounts(&mut tx, ctx).await?;
    let contacts = match CompanyId::parse(sent.input.client_id.trim()) {
        Some(company_id) => {
            let filter = store::contacts::ContactFilter {
                company_id: Some(company_id),
                ..Default::default()
            };
            store::contacts::list(
                &mut tx,
                ctx.scope()?,
                &filter,
                PageRequest::new(Some(1), Some(200)),
            )
            .await?
            .items
        }
        None => Vec::new(),
    };
    let parents = match CompanyId::parse(sent.input.client_id.trim()) {
        Some(client_id) => {
            let filter = store::opportunities::OpportunityFilter {
                client_id: Some(client_id),
                ..Default::default()
            };
            store::opportunities::list(
                &mut tx,
                ctx.scope()?,
                &filter,
                store::opportunities::Sort::Title,
                false,
                PageRequest::new(Some(1), Some(200)),
            )
            .await?
            .items
            .into_iter()
            .filter(|o| Some(o.id) != existing)
            .map(|o| (o.id.to_string(), o.data.title))
            .collect()
        }
        None => Vec::new(),
    };
    tx.commit().await?;
    let l = ctx.locale;
    let mut skills: Vec<(String, String, usize)> = sent
        .skills
        .iter()
        .filter(|s| !s.name.trim().is_empty() || !s.level.trim().is_empty())
        .map(|s| (s.name.clone(), s.level.clone()))
        .chain(std::iter::repeat_n(
            (String::new(), String::new()),
            BLANK_SKILLS,
        ))
        .enumerate()
        .map(|(i, (n, lv))| (n, lv, i))
        .collect();
    skills.truncate(domain::crm::skill::MAX_SKILLS);
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: crate::i18n::t(l, title_key),
        action,
        cancel,
        form: sent.input,
        skills,
        probability: existing.map(|_| sent.probability.unwrap_or_default()),
        contacts: contacts
            .iter()
            .map(|c| (c.id.to_string(), c.full_name()))
            .collect(),
        parents,
        o,
        companies,
        levels: domain::crm::SkillLevel::ALL
            .iter()
            .map(|lv| (lv.get(), crate::i18n::t(l, &lv.label_key())))
            .collect(),
        errors: FieldErrors::new(l, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub parent_id: String,
}

pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let input = OpportunityInput {
        client_id: q.client_id,
        parent_id: q.parent_id,
        business_manager_id: ctx.user()?.id.to_string(),
        positions: "1".into(),
        // The API's default: without it the select showed its first
        // option, and every need typed here counted as born in a meeting.
        source: domain::crm::Source::Call.as_str().into(),
        ..Default::default()
    };
    let sent = Sent {
        input,
        skills: Vec::new(),
        probability: None,
    };
    form_page(&app, &ctx, None, sent, &ValidationErrors::new()).await
}

/// The input and skills checked together, every refusal at once.
fn checked(
    sent: &Sent,
) -> Result<(domain::crm::OpportunityData, Vec<domain::crm::Skill>), ValidationErrors> {
    let data = sent.input.validate(Region::Standard);
    let skills = parse_skills(&sent.skills);
    match (data, skills) {
        (Ok(d), Ok(s)) => Ok((d, s)),
        (d, s) => {
            let mut e = ValidationErrors::new();
            e.0.extend(d.err().map(|v| v.0).unwrap_or_default());
            e.0.extend(s.err().map(|v| v.0).unwrap_or_default());
            Err(e)
        }
    }
}

pub async fn create(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let sent = read_form(&body)?;
    let (data, skills) = match checked(&sent) {
        Ok(x) => x,
        Err(errors) => return form_page(&app, &ctx, None, sent, &errors).await,
    };
    let scope = ctx.scope()?;
    let create = async |tx: &mut Tx| {
        store::opportunities::create(tx, &ctx.actor(), scope, &data, &skills).await
    };
    match write(&app, &ctx)
        .flash("opportunity-created")
        .run(create)
        .await?
    {
        Done(o) => Ok(see_other(&format!("/opportunities/{}", o.id))),
        Refused(errors) => form_page(&app, &ctx, None, sent, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let o = store::opportunities::get(&mut tx, ctx.scope()?, id).await?;
    let skills = store::opportunities::skills_of(&mut tx, id).await?;
    tx.commit().await?;
    let sent = Sent {
        input: o.data.to_input(Region::Standard),
        skills: skills
            .into_iter()
            .map(|s| SkillInput {
                name: s.name,
                level: s.level.get().to_string(),
            })
            .collect(),
        probability: Some(
            o.standing
                .probability_override
                .map(Percentage::to_input)
                .unwrap_or_default(),
        ),
    };
    form_page(&app, &ctx, Some(id), sent, &ValidationErrors::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    body: Bytes,
) -> AppResult<Response> {
    let sent = read_form(&body)?;
    // Blank: the stage's probability.
    let probability = match sent.probability.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(raw) => match domain::crm::opportunity::parse_probability(raw) {
            Ok(p) => Some(Some(p)),
            Err(errors) => return form_page(&app, &ctx, Some(id), sent, &errors).await,
        },
    };
    let (data, skills) = match checked(&sent) {
        Ok(x) => x,
        Err(errors) => return form_page(&app, &ctx, Some(id), sent, &errors).await,
    };
    let scope = ctx.scope()?;
    let update = async |tx: &mut Tx| {
        store::opportunities::update(tx, &ctx.actor(), scope, id, &data, &skills, probability).await
    };
    match write(&app, &ctx)
        .flash("opportunity-updated")
        .run(update)
        .await?
    {
        Done(o) => Ok(see_other(&format!("/opportunities/{}", o.id))),
        Refused(errors) => form_page(&app, &ctx, Some(id), sent, &errors).await,
    }
}

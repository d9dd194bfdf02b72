//! Opportunities: a client's need moving through the firm's stages
//! (`domain::crm`), read here for the list, the kanban and the detail page,
//! always through the scope (a business manager sees those he manages and
//! those of his accounts; consultants and client contacts none). The list
//! and the kanban filter, add and page in SQL: the expected and weighted
//! revenues are written with the opportunity (`write.rs`), so a page never
//! loads more than it shows.

pub mod positionings;
pub mod views;
mod win;
mod write;

pub use win::{WinWith, renewal_for_mission, win};
pub use write::{create, move_stage, update};

use domain::crm::{
    LossReason, OpportunityData, OpportunityKind, Outcome, Skill, SkillLevel, Source, Stage,
    StageCode, StageSet, Standing,
};
use domain::ids::{CompanyId, ContactId, MeetingId, MissionId, OpportunityId, UserId};
use domain::mission::{DayQuantity, Tjm};
use domain::money::Money;
use domain::paging::{PageRequest, Paged};
use domain::percent::Percentage;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::filter::{self, Conditions};
use crate::scope::ScopedSql;
use crate::{Error, Result, Scope, Tx, corrupt, on_tx, search};

/// One opportunity as the list, the kanban and the detail show it. On the
/// list and the kanban `data.contact_ids` is empty (the detail reads them).
#[derive(Debug, Clone, Serialize)]
pub struct Opportunity {
    pub id: OpportunityId,
    pub data: OpportunityData,
    pub standing: Standing,
    pub stage_label: String,
    pub outcome: Outcome,
    /// In force: the override, else the stage's.
    pub probability: Percentage,
    pub expected: Money,
    pub weighted: Money,
    pub loss_note: Option<String>,
    pub mission_id: Option<MissionId>,
    /// The follow-up meeting it was born in.
    pub meeting_id: Option<MeetingId>,
    pub client_name: String,
    pub business_manager_name: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    client_id: String,
    title: String,
    need: Option<String>,
    tjm_min_cents: Option<i64>,
    tjm_max_cents: Option<i64>,
    amount_cents: Option<i64>,
    start_date: Date,
    end_date: Option<Date>,
    half_days: i32,
    positions: i32,
    business_manager_id: String,
    source: String,
    parent_id: Option<String>,
    stage: String,
    probability_bp: Option<i32>,
    loss_reason: Option<String>,
    loss_note: Option<String>,
    mission_id: Option<String>,
    renews_mission_id: Option<String>,
    meeting_id: Option<String>,
    expected_cents: i64,
    weighted_cents: i64,
    client_name: String,
    business_manager_name: String,
    stage_label: String,
    stage_outcome: String,
    stage_probability_bp: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

fn tjm(cents: Option<i64>) -> Result<Option<Tjm>> {
    cents
        .map(|c| Tjm::from_cents(c).map_err(|_| corrupt("opportunity tjm", &c.to_string())))
        .transpose()
}

fn percent(bp: i32) -> Result<Percentage> {
    u32::try_from(bp)
        .map(Percentage::from_basis_points)
        .map_err(|_| corrupt("probability", &bp.to_string()))
}

impl Row {
    fn into_opportunity(self) -> Result<Opportunity> {
        let stage = StageCode::parse(&self.stage).map_err(|_| corrupt("stage", &self.stage))?;
        let outcome = Outcome::parse(&self.stage_outcome)
            .ok_or_else(|| corrupt("stage outcome", &self.stage_outcome))?;
        let override_ = self.probability_bp.map(percent).transpose()?;
        let probability = match outcome {
            Outcome::Open => {
                domain::crm::stage::open_probability(override_, percent(self.stage_probability_bp)?)
            }
            Outcome::Won => Percentage::HUNDRED,
            Outcome::Lost => Percentage::ZERO,
        };
        let data = OpportunityData {
            title: self.title,
            kind: OpportunityKind::parse(&self.kind)
                .ok_or_else(|| corrupt("opportunity kind", &self.kind))?,
            client_id: crate::id(&self.client_id)?,
            contact_ids: Vec::new(),
            need: self.need,
            tjm_min: tjm(self.tjm_min_cents)?,
            tjm_max: tjm(self.tjm_max_cents)?,
            amount: self.amount_cents.map(Money::from_cents),
            start_date: self.start_date,
            end_date: self.end_date,
            days: DayQuantity::from_half_days(
                u32::try_from(self.half_days)
                    .map_err(|_| corrupt("half days", &self.half_days.to_string()))?,
            ),
            positions: u32::try_from(self.positions)
                .map_err(|_| corrupt("positions", &self.positions.to_string()))?,
            business_manager_id: crate::id(&self.business_manager_id)?,
            source: Source::parse(&self.source).ok_or_else(|| corrupt("source", &self.source))?,
            parent_id: self.parent_id.as_deref().map(crate::id).transpose()?,
            renews_mission_id: self
                .renews_mission_id
                .as_deref()
                .map(crate::id)
                .transpose()?,
        };
        Ok(Opportunity {
            id: crate::id(&self.id)?,
            standing: Standing {
                stage,
                probability_override: override_,
                loss_reason: self
                    .loss_reason
                    .as_deref()
                    .map(|r| LossReason::parse(r).map_err(|_| corrupt("loss reason", r)))
                    .transpose()?,
            },
            data,
            stage_label: self.stage_label,
            outcome,
            probability,
            expected: Money::from_cents(self.expected_cents),
            weighted: Money::from_cents(self.weighted_cents),
            loss_note: self.loss_note,
            mission_id: self.mission_id.as_deref().map(crate::id).transpose()?,
            meeting_id: self.meeting_id.as_deref().map(crate::id).transpose()?,
            client_name: self.client_name,
            business_manager_name: self.business_manager_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns of [`Row`], from `o` and its joins.
macro_rules! opportunity_columns {
    () => {
        "SELECT o.id, o.kind, o.client_id, o.title, o.need, o.tjm_min_cents, o.tjm_max_cents, o.amount_cents, \
         o.start_date, o.end_date, o.half_days, o.positions, o.business_manager_id, o.source, o.parent_id, \
         o.stage, o.probability_bp, o.loss_reason, o.loss_note, o.mission_id, o.renews_mission_id, o.meeting_id, \
         o.expected_cents, o.weighted_cents, c.name AS client_name, b.display_name AS business_manager_name, \
         s.label AS stage_label, s.outcome AS stage_outcome, s.probability_bp AS stage_probability_bp, \
         o.created_at, o.updated_at \
         FROM opportunities o JOIN companies c ON c.id = o.client_id \
         JOIN users b ON b.id = o.business_manager_id JOIN opportunity_stages s ON s.code = o.stage "
    };
}

// After the columns' macro, which they use.
pub mod account_map;
pub mod pipeline;

/// The firm's stages in their order, checked.
pub async fn stages(tx: &mut Tx) -> Result<StageSet> {
    let rows: Vec<(String, String, i32, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, label, probability_bp, outcome FROM opportunity_stages ORDER BY position"
    )
    .fetch_all(c)
    .await)?;
    let stages = rows
        .into_iter()
        .map(|(code, label, bp, outcome)| {
            Ok(Stage {
                code: StageCode::parse(&code).map_err(|_| corrupt("stage", &code))?,
                label,
                outcome: Outcome::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
                probability: percent(bp)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    StageSet::new(stages).map_err(|e| Error::Corrupt(format!("opportunity stages: {e}")))
}

pub async fn get(tx: &mut Tx, scope: Scope, id: OpportunityId) -> Result<Opportunity> {
    const SQL: &str = concat!(
        opportunity_columns!(),
        "WHERE o.id = $4 AND ",
        crate::scope_clause!(opportunities)
    );
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let mut o = row.ok_or(Error::NotFound)?.into_opportunity()?;
    let contacts: Vec<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT contact_id FROM opportunity_contacts WHERE opportunity_id = $1 ORDER BY contact_id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    o.data.contact_ids = contacts
        .iter()
        .map(|c| crate::id(c))
        .collect::<Result<_>>()?;
    Ok(o)
}

#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    /// Words of the title or the need.
    pub q: Option<String>,
    pub stage: Option<StageCode>,
    pub kind: Option<OpportunityKind>,
    pub business_manager_id: Option<UserId>,
    pub client_id: Option<CompanyId>,
    /// Words of the client's name (accents and case ignored): a name typed
    /// in the picker rather than chosen among its suggestions.
    pub client_name: Option<String>,
    pub source: Option<Source>,
    /// Starting on or after / on or before.
    pub start_from: Option<Date>,
    pub start_to: Option<Date>,
}

/// The orders the list offers, each served by an index or cheap at a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    StartDate,
    Expected,
    Weighted,
    Updated,
    Title,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::StartDate,
        Sort::Expected,
        Sort::Weighted,
        Sort::Updated,
        Sort::Title,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::StartDate => "start_date",
            Sort::Expected => "expected",
            Sort::Weighted => "weighted",
            Sort::Updated => "updated",
            Sort::Title => "title",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// The ORDER BY of the list: one of a fixed set of texts, the id last
    /// so pages never overlap.
    fn order_by(self, descending: bool) -> &'static str {
        match (self, descending) {
            (Sort::StartDate, false) => " ORDER BY o.start_date, o.id",
            (Sort::StartDate, true) => " ORDER BY o.start_date DESC, o.id DESC",
            (Sort::Expected, false) => " ORDER BY o.expected_cents, o.id",
            (Sort::Expected, true) => " ORDER BY o.expected_cents DESC, o.id DESC",
            (Sort::Weighted, false) => " ORDER BY o.weighted_cents, o.id",
            (Sort::Weighted, true) => " ORDER BY o.weighted_cents DESC, o.id DESC",
            (Sort::Updated, false) => " ORDER BY o.updated_at, o.id",
            (Sort::Updated, true) => " ORDER BY o.updated_at DESC, o.id DESC",
            (Sort::Title, false) => " ORDER BY o.title, o.id",
            (Sort::Title, true) => " ORDER BY o.title DESC, o.id DESC",
        }
    }
}

/// The list's statement up to its filters.
const SELECT_WHERE: ScopedSql =
    crate::scoped_sql!(concat!(opportunity_columns!(), "WHERE "), opportunities);

impl OpportunityFilter {
    /// The filters present, as conditions on `o`.
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::new();
        c.like("o.search_key", search::like_pattern(self.q.as_deref()))
            .eq(
                "o.stage",
                self.stage.as_ref().map(|s| s.as_str().to_owned()),
            )
            .eq("o.kind", self.kind.map(|k| k.as_str()))
            .eq(
                "o.business_manager_id",
                self.business_manager_id.map(|u| u.to_string()),
            )
            .eq("o.client_id", self.client_id.map(|x| x.to_string()))
            .like_within(
                "o.client_id",
                "SELECT n.id FROM companies n WHERE n.search_key",
                search::like_pattern(self.client_name.as_deref()),
            )
            .eq("o.source", self.source.map(|x| x.as_str()))
            .cmp("o.start_date", ">=", self.start_from)
            .cmp("o.start_date", "<=", self.start_to);
        c
    }
}

pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    f: &OpportunityFilter,
    sort: Sort,
    descending: bool,
    page: PageRequest,
) -> Result<Paged<Opportunity>> {
    let c = f.conditions();
    let total = filter::count(
        tx,
        scope,
        crate::scoped_sql!("opportunities o WHERE ", opportunities),
        &c,
        None,
    )
    .await?;
    Ok(Paged {
        items: rows(tx, scope, &c, sort, descending, page).await?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// One page of the list, without its count.
async fn rows(
    tx: &mut Tx,
    scope: Scope,
    c: &Conditions,
    sort: Sort,
    descending: bool,
    page: PageRequest,
) -> Result<Vec<Opportunity>> {
    // The order is one of `Sort`'s fixed texts, never the request's.
    let rows: Vec<Row> = filter::rows(
        tx,
        scope,
        SELECT_WHERE,
        c,
        sort.order_by(descending),
        Some(page),
    )
    .await?;
    rows.into_iter().map(Row::into_opportunity).collect()
}

/// One column of the kanban: its stage, how many opportunities are at it
/// and what they are worth, and the first cards.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub stage: Stage,
    pub count: u64,
    pub expected: Money,
    pub weighted: Money,
    pub cards: Vec<Opportunity>,
}

/// The kanban: a column per stage of the firm's list. Open stages show
/// the needs starting first; won and lost ones the latest closed.
pub async fn kanban(
    tx: &mut Tx,
    scope: Scope,
    f: &OpportunityFilter,
    cards: u32,
) -> Result<Vec<Column>> {
    let stages = stages(tx).await?;
    let totals: Vec<(String, i64, i64, i64)> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT o.stage, COUNT(*), CAST(COALESCE(SUM(o.expected_cents), 0) AS BIGINT), \
             CAST(COALESCE(SUM(o.weighted_cents), 0) AS BIGINT) FROM opportunities o WHERE ",
            opportunities
        ),
        &f.conditions(),
        "GROUP BY o.stage",
        None,
    )
    .await?;
    let mut out = Vec::new();
    for stage in stages.stages() {
        let (count, expected, weighted) = totals
            .iter()
            .find(|t| t.0 == stage.code.as_str())
            .map(|t| (t.1, t.2, t.3))
            .unwrap_or_default();
        let column = OpportunityFilter {
            stage: Some(stage.code.clone()),
            ..f.clone()
        };
        let (sort, descending) = match stage.outcome {
            Outcome::Open => (Sort::StartDate, false),
            _ => (Sort::Updated, true),
        };
        // A column without any (or filtered on another stage) reads no card.
        let items = if count == 0 {
            Vec::new()
        } else {
            rows(
                tx,
                scope,
                &column.conditions(),
                sort,
                descending,
                PageRequest::new(Some(1), Some(cards)),
            )
            .await?
        };
        out.push(Column {
            stage: stage.clone(),
            count: count as u64,
            expected: Money::from_cents(expected),
            weighted: Money::from_cents(weighted),
            cards: items,
        });
    }
    Ok(out)
}

/// A contact of the opportunity, as the detail lists them.
#[derive(Debug, Clone, Serialize)]
pub struct ContactLine {
    pub id: ContactId,
    pub name: String,
    pub job_title: Option<String>,
}

/// A parent or child, as the detail links it.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub id: OpportunityId,
    pub title: String,
    pub stage_label: String,
}

/// What happened to the opportunity.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub kind: String,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub loss_reason: Option<LossReason>,
    pub mission_id: Option<MissionId>,
    pub user_name: Option<String>,
    pub at: OffsetDateTime,
}

/// Everything the detail page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub opportunity: Opportunity,
    pub contacts: Vec<ContactLine>,
    pub skills: Vec<Skill>,
    pub parent: Option<Related>,
    pub children: Vec<Related>,
    /// The mission it became, and the one it renews: (id, title).
    pub mission: Option<(MissionId, String)>,
    pub renews: Option<(MissionId, String)>,
    pub events: Vec<Event>,
}

pub async fn skills_of(tx: &mut Tx, id: OpportunityId) -> Result<Vec<Skill>> {
    let rows: Vec<(String, i32)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT name, level FROM opportunity_skills WHERE opportunity_id = $1 ORDER BY level DESC, name"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(name, level)| {
            Ok(Skill {
                level: SkillLevel::new(i64::from(level))
                    .ok_or_else(|| corrupt("skill level", &level.to_string()))?,
                name,
            })
        })
        .collect()
}

async fn mission_title(tx: &mut Tx, id: Option<MissionId>) -> Result<Option<(MissionId, String)>> {
    let Some(id) = id else { return Ok(None) };
    let title: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT title FROM missions WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(title.map(|t| (id, t)))
}

/// The opportunities of `scope` whose parent is `id`.
async fn children(tx: &mut Tx, scope: Scope, id: OpportunityId) -> Result<Vec<Related>> {
    const SQL: &str = concat!(
        "SELECT o.id, o.title, s.label FROM opportunities o JOIN opportunity_stages s ON s.code = o.stage \
         WHERE o.parent_id = $4 AND ",
        crate::scope_clause!(opportunities),
        " ORDER BY o.start_date, o.id"
    );
    let rows: Vec<(String, String, String)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, title, stage_label)| {
            Ok(Related {
                id: crate::id(&id)?,
                title,
                stage_label,
            })
        })
        .collect()
}

pub async fn detail(tx: &mut Tx, scope: Scope, id: OpportunityId) -> Result<Detail> {
    let opportunity = get(tx, scope, id).await?;
    let contacts: Vec<(String, String, String, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT p.id, p.first_name, p.last_name, p.job_title FROM opportunity_contacts oc
         JOIN contacts p ON p.id = oc.contact_id WHERE oc.opportunity_id = $1
         ORDER BY p.last_name, p.first_name, p.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    let contacts = contacts
        .into_iter()
        .map(|(cid, first, last, job_title)| {
            Ok(ContactLine {
                id: crate::id(&cid)?,
                name: format!("{first} {last}"),
                job_title,
            })
        })
        .collect::<Result<_>>()?;
    let skills = skills_of(tx, id).await?;
    // A parent outside the scope is not shown.
    let parent = match opportunity.data.parent_id {
        Some(p) => match get(tx, scope, p).await {
            Ok(p) => Some(Related {
                id: p.id,
                title: p.data.title,
                stage_label: p.stage_label,
            }),
            Err(Error::NotFound) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let children = children(tx, scope, id).await?;
    let mission = mission_title(tx, opportunity.mission_id).await?;
    let renews = mission_title(tx, opportunity.data.renews_mission_id).await?;
    let events = events(tx, id).await?;
    Ok(Detail {
        opportunity,
        contacts,
        skills,
        parent,
        children,
        mission,
        renews,
        events,
    })
}

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    from_stage: Option<String>,
    to_stage: Option<String>,
    loss_reason: Option<String>,
    mission_id: Option<String>,
    user_name: Option<String>,
    happened_at: OffsetDateTime,
}

async fn events(tx: &mut Tx, id: OpportunityId) -> Result<Vec<Event>> {
    let rows: Vec<EventRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT e.kind, f.label AS from_stage, t.label AS to_stage, e.loss_reason, e.mission_id,
                u.display_name AS user_name, e.happened_at
         FROM opportunity_events e LEFT JOIN users u ON u.id = e.user_id
         LEFT JOIN opportunity_stages f ON f.code = e.from_stage
         LEFT JOIN opportunity_stages t ON t.code = e.to_stage
         WHERE e.opportunity_id = $1 ORDER BY e.happened_at DESC, e.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(Event {
                kind: r.kind,
                from_stage: r.from_stage,
                to_stage: r.to_stage,
                loss_reason: r
                    .loss_reason
                    .as_deref()
                    .map(|s| LossReason::parse(s).map_err(|_| corrupt("loss reason", s)))
                    .transpose()?,
                mission_id: r.mission_id.as_deref().map(crate::id).transpose()?,
                user_name: r.user_name,
                at: r.happened_at,
            })
        })
        .collect()
}

/// The opportunities of `scope` tied to a mission: the one it came from
/// and the one renewing it, for the mission's page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OfMission {
    pub origin: Option<Related>,
    pub renewal: Option<Related>,
}

pub async fn of_mission(tx: &mut Tx, scope: Scope, mission: MissionId) -> Result<OfMission> {
    const SQL: &str = concat!(
        "SELECT o.id, o.title, s.label, o.mission_id FROM opportunities o \
         JOIN opportunity_stages s ON s.code = o.stage \
         WHERE (o.mission_id = $4 OR o.renews_mission_id = $4) AND ",
        crate::scope_clause!(opportunities)
    );
    let rows: Vec<(String, String, String, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(mission.to_string())
        .fetch_all(c)
        .await)?;
    let mut out = OfMission::default();
    let m = mission.to_string();
    for (id, title, stage_label, won_as) in rows {
        let r = Related {
            id: crate::id(&id)?,
            title,
            stage_label,
        };
        if won_as.as_deref() == Some(m.as_str()) {
            out.origin = Some(r);
        } else {
            out.renewal = Some(r);
        }
    }
    Ok(out)
}

/// The renewal opportunities of `scope`, by the mission each renews (the
/// renewals page shows the button or the link).
pub async fn renewals(
    tx: &mut Tx,
    scope: Scope,
) -> Result<std::collections::BTreeMap<MissionId, OpportunityId>> {
    const SQL: &str = concat!(
        "SELECT o.renews_mission_id, o.id FROM opportunities o WHERE o.renews_mission_id IS NOT NULL AND ",
        crate::scope_clause!(opportunities)
    );
    let rows: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .fetch_all(c)
        .await)?;
    rows.iter()
        .map(|(m, o)| Ok((crate::id(m)?, crate::id(o)?)))
        .collect()
}

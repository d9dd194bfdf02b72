//! Positionings (`domain::crm::positioning`): the consultants proposed on
//! an opportunity, their rate and the client's answer. Reached through the
//! opportunity (`get(tx, scope, id)` first), so they follow its scope: a
//! business manager sees those of his opportunities and accounts, a
//! consultant or a client contact none. Each one's expected margin is
//! costed on the reader's basis (`CostBasis`): a reader from whom salaries
//! are hidden gets the grade's standard CJM, never the person's own.

use std::collections::BTreeMap;

use domain::crm::positioning::{
    Answer, Availability, ExpectedMargin, NewPositioning, expected_margin,
};
use domain::ids::{OpportunityId, PositioningId, UserId};
use domain::mission::Tjm;
use domain::money::Money;
use domain::people::cjm::{CostBasis, margin_cjm_on};
use domain::role::Role;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::get;
use crate::margins::Names;
use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, map_unique, now, on_tx};

/// One positioning as the detail page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct Positioning {
    pub id: PositioningId,
    pub opportunity_id: OpportunityId,
    /// The firm's consultant proposed (a later candidate has none).
    pub consultant_id: Option<UserId>,
    pub consultant_name: Option<String>,
    /// A recruitment candidate, once recruitment exists.
    pub candidate_id: Option<String>,
    pub proposed_tjm: Tjm,
    pub answer: Answer,
    pub answered_on: Option<Date>,
    pub note: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    /// The day the consultant was positioned, in Paris.
    pub positioned_on: Date,
    /// His daily cost on the need's start, on the reader's basis; `None`
    /// when nobody knows it.
    pub daily_cost: Option<Money>,
    /// `None` exactly when the cost is unknown.
    pub margin: Option<ExpectedMargin>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    opportunity_id: String,
    consultant_id: Option<String>,
    consultant_name: Option<String>,
    candidate_id: Option<String>,
    proposed_tjm_cents: i64,
    answer: String,
    answered_on: Option<Date>,
    note: Option<String>,
    created_by_name: Option<String>,
    created_at: OffsetDateTime,
}

const COLUMNS: &str = "SELECT p.id, p.opportunity_id, p.consultant_id, u.display_name AS consultant_name, \
     p.candidate_id, p.proposed_tjm_cents, p.answer, p.answered_on, p.note, \
     b.display_name AS created_by_name, p.created_at \
     FROM opportunity_positionings p LEFT JOIN users u ON u.id = p.consultant_id \
     LEFT JOIN users b ON b.id = p.created_by ";

/// The positionings of an opportunity the reader may see, in the order
/// they were made, each costed on `basis` at the need's start.
pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    opportunity: OpportunityId,
    basis: CostBasis,
) -> Result<Vec<Positioning>> {
    let o = get(tx, scope, opportunity).await?;
    let sql = format!("{COLUMNS}WHERE p.opportunity_id = $1 ORDER BY p.created_at, p.id");
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(opportunity.to_string())
        .fetch_all(c)
        .await)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(costed(tx, r, o.data.start_date, o.data.days, basis).await?);
    }
    Ok(out)
}

/// One positioning of an opportunity the reader may see.
pub async fn one(
    tx: &mut Tx,
    scope: Scope,
    opportunity: OpportunityId,
    id: PositioningId,
    basis: CostBasis,
) -> Result<Positioning> {
    list(tx, scope, opportunity, basis)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound)
}

async fn costed(
    tx: &mut Tx,
    r: Row,
    start: Date,
    days: domain::mission::DayQuantity,
    basis: CostBasis,
) -> Result<Positioning> {
    let consultant_id: Option<UserId> = r.consultant_id.as_deref().map(crate::id).transpose()?;
    let proposed_tjm = Tjm::from_cents(r.proposed_tjm_cents)
        .map_err(|_| corrupt("proposed tjm", &r.proposed_tjm_cents.to_string()))?;
    let daily_cost = match consultant_id {
        Some(u) => cost_on(tx, u, start, basis).await?,
        None => None,
    };
    Ok(Positioning {
        id: crate::id(&r.id)?,
        opportunity_id: crate::id(&r.opportunity_id)?,
        consultant_id,
        consultant_name: r.consultant_name,
        candidate_id: r.candidate_id,
        proposed_tjm,
        answer: Answer::parse(&r.answer).ok_or_else(|| corrupt("answer", &r.answer))?,
        answered_on: r.answered_on,
        note: r.note,
        created_by_name: r.created_by_name,
        positioned_on: domain::paris::date(r.created_at),
        created_at: r.created_at,
        daily_cost,
        margin: expected_margin(proposed_tjm, daily_cost, days),
    })
}

/// The person's daily cost on `day` as `basis` lets the reader see it.
async fn cost_on(tx: &mut Tx, who: UserId, day: Date, basis: CostBasis) -> Result<Option<Money>> {
    let people = crate::margins::people(tx, &mut Names::default(), Some(who)).await?;
    let Some(e) = people.get(&who).and_then(|p| p.employee.as_ref()) else {
        return Ok(None);
    };
    let (settings, _) = crate::costs::settings(tx).await?;
    let standard = crate::costs::standard_cjm(tx).await?;
    Ok(margin_cjm_on(
        settings,
        &e.versions,
        day,
        basis,
        e.grade.as_ref(),
        &standard,
    ))
}

/// Positions a consultant on an opportunity the actor may see: an active
/// consultant, once per opportunity.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    opportunity: OpportunityId,
    p: &NewPositioning,
    basis: CostBasis,
) -> Result<Positioning> {
    get(tx, scope, opportunity).await?;
    if crate::users::active_in_roles(tx, p.consultant_id, &[Role::Consultant])
        .await?
        .is_none()
    {
        return Err(Error::Invalid(ValidationErrors::single(
            "consultant_id",
            "positioning-consultant-unknown",
        )));
    }
    let already: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM opportunity_positionings WHERE opportunity_id = $1 AND consultant_id = $2"
    )
    .bind(opportunity.to_string())
    .bind(p.consultant_id.to_string())
    .fetch_one(c)
    .await
    })?;
    if already > 0 {
        return Err(Error::Invalid(ValidationErrors::single(
            "consultant_id",
            "positioning-duplicate",
        )));
    }
    let id = PositioningId::new();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO opportunity_positionings (id, opportunity_id, consultant_id, proposed_tjm_cents, answer,
           note, created_by, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)"
    )
    .bind(id.to_string())
    .bind(opportunity.to_string())
    .bind(p.consultant_id.to_string())
    .bind(p.proposed_tjm.amount().cents())
    .bind(p.note.as_deref())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, &[("opportunity_positionings", "consultant_id")]))?;
    audit::record(
        tx,
        actor,
        "create",
        "opportunity_positioning",
        &id.to_string(),
        None::<&()>,
        Some(p),
    )
    .await?;
    one(tx, scope, opportunity, id, basis).await
}

/// Records the client's answer: `check` decides it from the day the
/// consultant was positioned (`domain::crm::positioning::AnswerInput`).
pub async fn answer(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    opportunity: OpportunityId,
    id: PositioningId,
    basis: CostBasis,
    check: impl FnOnce(Date) -> Result<(Answer, Option<Date>), ValidationErrors>,
) -> Result<Positioning> {
    let before = one(tx, scope, opportunity, id, basis).await?;
    let (answer, on) = check(before.positioned_on)?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunity_positionings SET answer = $1, answered_on = $2 WHERE id = $3"
    )
    .bind(answer.as_str())
    .bind(on)
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    #[derive(Serialize)]
    struct Answered {
        answer: Answer,
        answered_on: Option<Date>,
    }
    audit::record(
        tx,
        actor,
        "update",
        "opportunity_positioning",
        &id.to_string(),
        Some(&Answered {
            answer: before.answer,
            answered_on: before.answered_on,
        }),
        Some(&Answered {
            answer,
            answered_on: on,
        }),
    )
    .await?;
    one(tx, scope, opportunity, id, basis).await
}

/// The active consultants for the picker, each with when he is free as
/// of `today`: on the bench, or busy until his last running or upcoming
/// mission ends. The opportunity's start splits them
/// (`domain::crm::positioning::suggest`).
pub async fn availability(tx: &mut Tx, today: Date) -> Result<Vec<(UserId, String, Availability)>> {
    let people: Vec<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role = 'consultant' AND active ORDER BY display_name, id"
    )
    .fetch_all(c)
    .await
    })?;
    let ends: Vec<(String, Date)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT m.consultant_id, m.end_date FROM missions m
         WHERE m.status IN ('upcoming', 'active', 'extended') AND m.end_date >= $1"
    )
    .bind(today)
    .fetch_all(c)
    .await)?;
    let mut last: BTreeMap<String, Date> = BTreeMap::new();
    for (who, end) in ends {
        let e = last.entry(who).or_insert(end);
        *e = (*e).max(end);
    }
    people
        .into_iter()
        .map(|(id, name)| {
            let a = match last.get(&id) {
                Some(end) => Availability::BusyUntil(*end),
                None => Availability::Bench,
            };
            Ok((crate::id(&id)?, name, a))
        })
        .collect()
}

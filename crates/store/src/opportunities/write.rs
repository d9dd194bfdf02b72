//! Writing opportunities: create, edit, move between stages. Each command
//! checks what the domain cannot (the records named exist, the contacts
//! are the client's, the parent is no descendant), lets the domain decide
//! the stage (`domain::crm::transition`) and the figures, writes them with
//! an event of the timeline, all in the caller's one transaction.

use std::collections::BTreeMap;

use domain::company::CompanyKind;
use domain::crm::lineage::check_parent;
use domain::crm::skill::{MAX_CONTACTS, contact_field};
use domain::crm::{
    LossReason, OpportunityData, Skill, StageCode, StageEvent, StageSet, Standing, event_to,
    transition,
};
use domain::ids::{MissionId, OpportunityId};
use domain::money::Money;
use domain::percent::Percentage;
use domain::validation::{ErrorKey, ValidationErrors};

use super::{Opportunity, get, stages};
use crate::{Actor, Error, Result, Scope, Tx, audit, now, on_tx, search};

/// The expected and weighted revenue the list and the kanban add up.
fn figures(stages: &StageSet, d: &OpportunityData, s: &Standing) -> Result<(Money, Money)> {
    let p = s
        .probability(stages)
        .map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok((d.expected_revenue(), d.weighted_revenue(p)))
}

/// The references of `d` that only the database can check; every refusal
/// at once, by field. `id` is the opportunity being edited.
async fn check_references(
    tx: &mut Tx,
    scope: Scope,
    id: Option<OpportunityId>,
    d: &OpportunityData,
) -> Result<String> {
    let mut e = ValidationErrors::new();
    let client: Option<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT name, kind FROM companies WHERE id = $1"
    )
    .bind(d.client_id.to_string())
    .fetch_optional(c)
    .await)?;
    let client_name = match client {
        Some((name, kind)) => {
            // A site or an entity of a client is a company of its own; a
            // prospect's need is how it becomes a client; a supplier has none.
            if CompanyKind::parse(&kind) == Some(CompanyKind::Supplier) {
                e.add("client_id", "opportunity-client-kind");
            }
            name
        }
        None => {
            e.add("client_id", "company-unknown");
            String::new()
        }
    };
    if crate::users::active_in_roles(tx, d.business_manager_id, crate::users::MANAGER_ROLES)
        .await?
        .is_none()
    {
        e.add("business_manager_id", "mission-bm-role");
    }
    if d.contact_ids.len() > MAX_CONTACTS {
        e.add_with(
            "contact_ids",
            "opportunity-contacts-too-many",
            domain::args![("max", MAX_CONTACTS as i64)],
        );
    } else {
        for (i, contact) in d.contact_ids.iter().enumerate() {
            let company: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT company_id FROM contacts WHERE id = $1"
            )
            .bind(contact.to_string())
            .fetch_optional(c)
            .await)?;
            if company.as_deref() != Some(&d.client_id.to_string()) {
                e.add(contact_field(i), "opportunity-contact-not-at-client");
            }
        }
    }
    if let Some(parent) = d.parent_id {
        match get(tx, scope, parent).await {
            Ok(_) => {
                if let Some(child) = id {
                    let links = ancestors(tx, parent).await?;
                    if let Err(err) = check_parent(child, parent, &links) {
                        e.add("parent_id", err.key());
                    }
                }
            }
            Err(Error::NotFound) => e.add("parent_id", "id-unknown-record"),
            Err(err) => return Err(err),
        }
    }
    if let Some(m) = d.renews_mission_id {
        let found: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM missions WHERE id = $1"
        )
        .bind(m.to_string())
        .fetch_one(c)
        .await)?;
        if found == 0 {
            e.add("renews_mission_id", "id-unknown-record");
        }
    }
    if e.is_empty() {
        Ok(client_name)
    } else {
        Err(Error::Invalid(e))
    }
}

/// The parent links from `from` up to its root: all that deciding whether
/// an opportunity may take `from` as parent needs (UNION stops on links
/// already corrupt into a loop).
async fn ancestors(
    tx: &mut Tx,
    from: OpportunityId,
) -> Result<BTreeMap<OpportunityId, OpportunityId>> {
    let rows: Vec<(String, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
        "WITH RECURSIVE up (id, parent_id) AS (
             SELECT id, parent_id FROM opportunities WHERE id = $1
             UNION SELECT o.id, o.parent_id FROM opportunities o JOIN up ON o.id = up.parent_id)
         SELECT id, parent_id FROM up"
    )
    .bind(from.to_string())
    .fetch_all(c)
    .await)?;
    let mut links = BTreeMap::new();
    for (id, parent) in rows {
        if let Some(p) = parent {
            links.insert(crate::id(&id)?, crate::id(&p)?);
        }
    }
    Ok(links)
}

async fn write_lists(
    tx: &mut Tx,
    id: OpportunityId,
    d: &OpportunityData,
    skills: &[Skill],
) -> Result<()> {
    for sql in [
        "DELETE FROM opportunity_contacts WHERE opportunity_id = $1",
        "DELETE FROM opportunity_skills WHERE opportunity_id = $1",
    ] {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(id.to_string())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    for contact in &d.contact_ids {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO opportunity_contacts (opportunity_id, contact_id) VALUES ($1, $2)"
        )
        .bind(id.to_string())
        .bind(contact.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    for s in skills {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO opportunity_skills (opportunity_id, name, level) VALUES ($1, $2, $3)"
        )
        .bind(id.to_string())
        .bind(&s.name)
        .bind(i32::from(s.level.get()))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// One line of the timeline.
pub(super) struct NewEvent<'a> {
    pub kind: &'a str,
    pub from: Option<&'a StageCode>,
    pub to: Option<&'a StageCode>,
    pub loss_reason: Option<LossReason>,
    pub mission: Option<MissionId>,
}

pub(super) async fn event(
    tx: &mut Tx,
    actor: &Actor,
    id: OpportunityId,
    e: NewEvent<'_>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO opportunity_events (id, opportunity_id, kind, from_stage, to_stage, loss_reason, mission_id, user_id, happened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(id.to_string())
    .bind(e.kind)
    .bind(e.from.map(|s| s.as_str().to_owned()))
    .bind(e.to.map(|s| s.as_str().to_owned()))
    .bind(e.loss_reason.map(|r| r.as_str()))
    .bind(e.mission.map(|m| m.to_string()))
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Creates an opportunity at the first open stage. A business manager
/// creates only what his scope then shows him (his own, or his accounts').
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    d: &OpportunityData,
    skills: &[Skill],
) -> Result<Opportunity> {
    let client = check_references(tx, scope, None, d).await?;
    let stages = stages(tx).await?;
    let standing = Standing::start(&stages);
    let (expected, weighted) = figures(&stages, d, &standing)?;
    let id = OpportunityId::new();
    let at = now();
    let key = search::key(&[Some(&d.title), d.need.as_deref(), Some(&client)]);
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO opportunities (id, kind, client_id, title, need, tjm_min_cents, tjm_max_cents, amount_cents,
           start_date, end_date, half_days, positions, business_manager_id, source, parent_id, stage,
           probability_bp, loss_reason, loss_note, mission_id, renews_mission_id, expected_cents, weighted_cents,
           search_key, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, NULL, NULL, NULL,
           $17, $18, $19, $20, $21, $22, $22)"
    )
    .bind(id.to_string())
    .bind(d.kind.as_str())
    .bind(d.client_id.to_string())
    .bind(&d.title)
    .bind(&d.need)
    .bind(d.tjm_min.map(|t| t.amount().cents()))
    .bind(d.tjm_max.map(|t| t.amount().cents()))
    .bind(d.amount.map(Money::cents))
    .bind(d.start_date)
    .bind(d.end_date)
    .bind(d.days.half_days() as i32)
    .bind(d.positions as i32)
    .bind(d.business_manager_id.to_string())
    .bind(d.source.as_str())
    .bind(d.parent_id.map(|p| p.to_string()))
    .bind(standing.stage.as_str())
    .bind(d.renews_mission_id.map(|m| m.to_string()))
    .bind(expected.cents())
    .bind(weighted.cents())
    .bind(&key)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| crate::map_unique(e, &[("renews", "renews_mission_id")]))?;
    write_lists(tx, id, d, skills).await?;
    event(
        tx,
        actor,
        id,
        NewEvent {
            kind: "created",
            from: None,
            to: Some(&standing.stage),
            loss_reason: None,
            mission: None,
        },
    )
    .await?;
    let created = read_back(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "opportunity",
        &id.to_string(),
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Replaces the opportunity's facts, its contacts and its skills; the
/// stage is kept and the figures follow. `probability`: `Some(None)` back
/// to the stage's, `Some(Some(p))` the business manager's own, `None` kept.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: OpportunityId,
    d: &OpportunityData,
    skills: &[Skill],
    probability: Option<Option<Percentage>>,
) -> Result<Opportunity> {
    let before = get(tx, scope, id).await?;
    let client = check_references(tx, scope, Some(id), d).await?;
    let stages = stages(tx).await?;
    let standing = match probability {
        Some(p) if p != before.standing.probability_override => {
            transition(&stages, &before.standing, &StageEvent::SetProbability(p))
                .map_err(|e| Error::Invalid(ValidationErrors::single("probability", e.key())))?
        }
        _ => before.standing.clone(),
    };
    let (expected, weighted) = figures(&stages, d, &standing)?;
    let key = search::key(&[Some(&d.title), d.need.as_deref(), Some(&client)]);
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunities SET kind = $2, client_id = $3, title = $4, need = $5, tjm_min_cents = $6,
           tjm_max_cents = $7, amount_cents = $8, start_date = $9, end_date = $10, half_days = $11,
           positions = $12, business_manager_id = $13, source = $14, parent_id = $15, renews_mission_id = $16,
           probability_bp = $17, expected_cents = $18, weighted_cents = $19, search_key = $20, updated_at = $21
         WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(d.kind.as_str())
    .bind(d.client_id.to_string())
    .bind(&d.title)
    .bind(&d.need)
    .bind(d.tjm_min.map(|t| t.amount().cents()))
    .bind(d.tjm_max.map(|t| t.amount().cents()))
    .bind(d.amount.map(Money::cents))
    .bind(d.start_date)
    .bind(d.end_date)
    .bind(d.days.half_days() as i32)
    .bind(d.positions as i32)
    .bind(d.business_manager_id.to_string())
    .bind(d.source.as_str())
    .bind(d.parent_id.map(|p| p.to_string()))
    .bind(d.renews_mission_id.map(|m| m.to_string()))
    .bind(standing.probability_override.map(|p| p.basis_points() as i32))
    .bind(expected.cents())
    .bind(weighted.cents())
    .bind(&key)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| crate::map_unique(e, &[("renews", "renews_mission_id")]))?;
    write_lists(tx, id, d, skills).await?;
    let kind = if standing != before.standing {
        "probability_set"
    } else {
        "edited"
    };
    event(
        tx,
        actor,
        id,
        NewEvent {
            kind,
            from: None,
            to: None,
            loss_reason: None,
            mission: None,
        },
    )
    .await?;
    let after = read_back(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "opportunity",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Moves the opportunity to the stage `target`: another open stage, or
/// the lost one with its reason (and a note). Winning goes through `win`.
pub async fn move_stage(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: OpportunityId,
    target: &StageCode,
    reason: Option<LossReason>,
    note: Option<&str>,
) -> Result<Opportunity> {
    let before = get(tx, scope, id).await?;
    let stages = stages(tx).await?;
    let refused = |e: domain::crm::StageError| {
        let field = match e {
            domain::crm::StageError::LossReasonInvalid => "loss_reason",
            _ => "stage",
        };
        Error::Invalid(ValidationErrors::single(field, e.key()))
    };
    let ev = event_to(&stages, &before.standing, target, reason).map_err(refused)?;
    let after = transition(&stages, &before.standing, &ev).map_err(refused)?;
    let (_, weighted) = figures(&stages, &before.data, &after)?;
    let note = match ev {
        StageEvent::Lose(_) => note.map(str::trim).filter(|n| !n.is_empty()),
        _ => None,
    };
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE opportunities SET stage = $2, probability_bp = $3, loss_reason = $4, loss_note = $5,
           weighted_cents = $6, updated_at = $7 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(after.stage.as_str())
    .bind(after.probability_override.map(|p| p.basis_points() as i32))
    .bind(after.loss_reason.map(|r| r.as_str()))
    .bind(note)
    .bind(weighted.cents())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let kind = match ev {
        StageEvent::Lose(_) => "lost",
        StageEvent::Reopen(_) => "reopened",
        _ => "stage_moved",
    };
    event(
        tx,
        actor,
        id,
        NewEvent {
            kind,
            from: Some(&before.standing.stage),
            to: Some(&after.stage),
            loss_reason: after.loss_reason,
            mission: None,
        },
    )
    .await?;
    let moved = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "stage",
        "opportunity",
        &id.to_string(),
        Some(&before.standing),
        Some(&moved.standing),
    )
    .await?;
    Ok(moved)
}

/// The opportunity as the writer sees it once written: one he can no longer
/// see (a business manager who gave it to another's portfolio) is refused
/// on the field that moved it, and the transaction writes nothing.
async fn read_back(tx: &mut Tx, scope: Scope, id: OpportunityId) -> Result<Opportunity> {
    match get(tx, scope, id).await {
        Err(Error::NotFound) => Err(Error::Invalid(ValidationErrors::single(
            "business_manager_id",
            "opportunity-outside-portfolio",
        ))),
        other => other,
    }
}

//! Winning an opportunity makes its mission; a mission nearing its end
//! makes its renewal opportunity. Both are idempotent: winning twice gives
//! one mission, asking twice for a mission's renewal one opportunity.

use domain::calendar::Region;
use domain::crm::{RenewalOf, StageEvent, transition};
use domain::ids::{MissionId, OpportunityId, UserId};
use domain::validation::{ErrorKey, ValidationErrors};

use super::write::{NewEvent, event};
use super::{get, stages};
use crate::{Actor, Error, Result, Scope, Tx, audit, now, on_tx};

/// What the won opportunity becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinWith {
    /// A new mission filled in from the opportunity, staffed with this
    /// consultant.
    NewMission { consultant_id: UserId },
    /// A mission that already exists (created by hand before the
    /// opportunity was recorded as won), of the same client.
    Existing(MissionId),
}

/// Wins the opportunity: claims it (a guarded update, so a second win,
/// even racing from another instance, finds it taken), creates the mission
/// through the missions' own command (its checks, analytic code and
/// portfolio) or links the existing one, and records the event. Returns
/// the mission, and whether this call made it; an opportunity already won
/// returns its mission (`with` is then not needed).
pub async fn win(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: OpportunityId,
    with: Option<WinWith>,
) -> Result<(MissionId, bool)> {
    let before = get(tx, scope, id).await?;
    if let Some(m) = before.mission_id {
        return Ok((m, false));
    }
    let Some(with) = with else {
        return Err(Error::Invalid(ValidationErrors::single(
            "consultant_id",
            "field-required",
        )));
    };
    // The claim: on PostgreSQL the row stays locked until the end of this
    // transaction, so a concurrent win waits, then finds the mission set.
    let claimed = on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunities SET updated_at = $2 WHERE id = $1 AND mission_id IS NULL"
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if claimed == 0 {
        let won: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT mission_id FROM opportunities WHERE id = $1"
        )
        .bind(id.to_string())
        .fetch_one(c)
        .await)?;
        return match won {
            Some(m) => Ok((crate::id(&m)?, false)),
            None => Err(Error::NotFound),
        };
    }
    let stages = stages(tx).await?;
    let after = transition(&stages, &before.standing, &StageEvent::Win)
        .map_err(|e| Error::Invalid(ValidationErrors::single("stage", e.key())))?;
    let (mission, created) = match with {
        WinWith::NewMission { consultant_id } => {
            let input = before
                .data
                .mission_input(consultant_id, Region::Standard)
                .ok_or_else(|| {
                    Error::Invalid(ValidationErrors::single(
                        "tjm_min",
                        "opportunity-win-needs-tjm",
                    ))
                })?;
            let data = input.validate()?;
            crate::missions::check_allocation(tx, &data, None).await?;
            let m = crate::missions::create(tx, actor, &data, &before.data.contact_ids).await?;
            (m.id, true)
        }
        WinWith::Existing(m) => {
            let mission = crate::missions::get(tx, Scope::All, m)
                .await
                .map_err(|e| match e {
                    Error::NotFound => {
                        Error::Invalid(ValidationErrors::single("mission_id", "id-unknown-record"))
                    }
                    e => e,
                })?;
            if mission.data.client_id != before.data.client_id {
                return Err(Error::Invalid(ValidationErrors::single(
                    "mission_id",
                    "opportunity-mission-other-client",
                )));
            }
            (m, false)
        }
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunities SET stage = $2, probability_bp = NULL, loss_reason = NULL, loss_note = NULL,
           mission_id = $3, weighted_cents = expected_cents, updated_at = $4 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(after.stage.as_str())
    .bind(mission.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| crate::map_unique(e, &[("mission", "mission_id")]))?;
    event(
        tx,
        actor,
        id,
        NewEvent {
            kind: "won",
            from: Some(&before.standing.stage),
            to: Some(&after.stage),
            loss_reason: None,
            mission: Some(mission),
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        "win",
        "opportunity",
        &id.to_string(),
        Some(&before.standing),
        Some(&mission),
    )
    .await?;
    Ok((mission, created))
}

/// The renewal opportunity of a mission the scope shows: the one already
/// made, else a new one at the same client, rate and business manager,
/// starting the day after the mission's end. Returns it and whether this
/// call made it.
pub async fn renewal_for_mission(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    mission: MissionId,
) -> Result<(OpportunityId, bool)> {
    let m = crate::missions::get(tx, scope, mission).await?;
    let existing: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM opportunities WHERE renews_mission_id = $1"
    )
    .bind(mission.to_string())
    .fetch_optional(c)
    .await)?;
    if let Some(id) = existing {
        return Ok((crate::id(&id)?, false));
    }
    let input = RenewalOf {
        mission_id: mission,
        title: &m.data.title,
        client_id: m.data.client_id,
        business_manager_id: m.data.business_manager_id,
        tjm: current_tjm(tx, mission).await?.unwrap_or(m.data.tjm),
        start: m.data.start_date,
        end: m.data.end_date,
    }
    .input();
    let data = input.validate(Region::Standard)?;
    let o = super::create(tx, actor, scope, &data, &[]).await?;
    Ok((o.id, true))
}

/// The rate in force at the mission's end (its last amendment's), which a
/// renewal starts from.
async fn current_tjm(tx: &mut Tx, mission: MissionId) -> Result<Option<domain::mission::Tjm>> {
    let (_, schedule, _) = crate::missions::schedule(tx, Scope::All, mission).await?;
    Ok(schedule.tjm_on(schedule.end()))
}

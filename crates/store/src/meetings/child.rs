//! "Créer une opportunité fille": a need heard in a held meeting becomes an
//! opportunity of the meeting's account, through the one creation path of
//! opportunities, then linked back to the meeting.

use domain::calendar::Region;
use domain::crm::meeting::{ChildOf, MeetingStatus, child_input};
use domain::ids::{MeetingId, OpportunityId, UserId};
use domain::validation::ValidationErrors;

use super::get;
use crate::opportunities::Opportunity;
use crate::{Actor, Error, Result, Scope, Tx, on_tx};

/// Creates the child opportunity of the held meeting `id`: its account,
/// its contacts, the note's start as the need, source follow-up meeting,
/// parent the opportunity the meeting's mission was won from (if any),
/// business manager the mission's (else the account's, else the
/// meeting's organiser). `title` is the caller's, in the reader's language.
pub async fn child_opportunity(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MeetingId,
    title: &str,
) -> Result<Opportunity> {
    let m = get(tx, scope, id).await?;
    let (Some(note), Some(held_at)) = (m.note.as_deref(), m.held_at) else {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "meeting-not-held",
        )));
    };
    if m.status != MeetingStatus::Held {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "meeting-not-held",
        )));
    }
    let (parent, mission_bm): (Option<String>, Option<String>) = match m.mission_id {
        Some(mission) => {
            let parent: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT id FROM opportunities WHERE mission_id = $1"
            )
            .bind(mission.to_string())
            .fetch_optional(c)
            .await)?;
            let bm: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT business_manager_id FROM missions WHERE id = $1"
            )
            .bind(mission.to_string())
            .fetch_optional(c)
            .await)?;
            (parent, bm)
        }
        None => (None, None),
    };
    let account_bm: Option<String> = if mission_bm.is_none() {
        on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT business_manager_id FROM company_portfolio WHERE company_id = $1 AND valid_to IS NULL
             ORDER BY share_bp DESC, valid_from DESC, business_manager_id LIMIT 1"
        )
        .bind(m.company_id.to_string())
        .fetch_optional(c)
        .await
        })?
    } else {
        None
    };
    let bm: UserId = match mission_bm.or(account_bm) {
        Some(b) => crate::id(&b)?,
        None => m.organiser_id,
    };
    let contacts: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT contact_id FROM meeting_contacts WHERE meeting_id = $1 ORDER BY contact_id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    let contacts = contacts
        .iter()
        .map(|c| crate::id(c))
        .collect::<Result<Vec<_>>>()?;
    // The account's rate today: the meeting's mission's, else its latest
    // mission's; an account without any has no rate to start from.
    let tjm: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT base_tjm_cents FROM missions WHERE id = $1 OR ($1 IS NULL AND client_id = $2)
         ORDER BY start_date DESC, id LIMIT 1"
    )
    .bind(m.mission_id.map(|x| x.to_string()))
    .bind(m.company_id.to_string())
    .fetch_optional(c)
    .await)?;
    let Some(tjm) = tjm else {
        return Err(Error::Invalid(ValidationErrors::single(
            "company_id",
            "meeting-child-no-rate",
        )));
    };
    let parent: Option<OpportunityId> = parent.as_deref().map(crate::id).transpose()?;
    let input = child_input(&ChildOf {
        title,
        client_id: m.company_id,
        contact_ids: &contacts,
        note,
        held_on: domain::paris::date(held_at),
        business_manager_id: bm,
        parent_id: parent,
        tjm: domain::money::Money::from_cents(tjm),
    });
    let data = input.validate(Region::Standard).map_err(Error::Invalid)?;
    let created = crate::opportunities::create(tx, actor, scope, &data, &[]).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunities SET meeting_id = $2 WHERE id = $1"
    )
    .bind(created.id.to_string())
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::opportunities::get(tx, scope, created.id).await
}

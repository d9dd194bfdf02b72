//! A mission's activities on its page: those still to do (the overdue
//! marked), then the latest done, each done in one click, and a link to log
//! a new one about the mission and its client. Read through the list's own
//! query and scope (`store::activities::list` filtered on the mission).

use domain::ids::{CompanyId, MissionId};
use domain::paging::PageRequest;
use store::activities::{ActivityFilter, Status};

use super::{Row, row};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;

/// Open activities shown; more is a rare backlog, on the filtered list.
const OPEN: u32 = 50;
/// Done ones shown: the latest.
const DONE: u32 = 5;

pub struct MissionActivities {
    pub open: Vec<Row>,
    pub done: Vec<Row>,
    /// Fewer shown than there are: a link to the list.
    pub more: bool,
    pub can_log: bool,
    /// The new activity form, prefilled with the mission and its client.
    pub new_href: String,
    pub list_href: String,
    /// Where mark-done comes back to.
    pub back: String,
}

/// The block, for those who see the CRM (`None` for the others).
pub async fn block(
    tx: &mut store::Tx,
    ctx: &Ctx,
    mission: MissionId,
    client: CompanyId,
) -> AppResult<Option<MissionActivities>> {
    let role = ctx.user()?.role;
    if !allows(role, Permission::ViewOpportunities) {
        return Ok(None);
    }
    let scope = ctx.scope()?;
    let filter = |status| ActivityFilter {
        mission_id: Some(mission),
        status: Some(status),
        ..Default::default()
    };
    let open = store::activities::list(
        tx,
        scope,
        &filter(Status::Open),
        PageRequest::new(Some(1), Some(OPEN)),
    )
    .await?;
    let done = store::activities::list(
        tx,
        scope,
        &filter(Status::Done),
        PageRequest::new(Some(1), Some(DONE)),
    )
    .await?;
    let today = store::today();
    let l = ctx.locale;
    // The list reads the latest due first; what is to do reads the oldest
    // (the overdue) first.
    let mut open_rows: Vec<Row> = open.items.iter().map(|a| row(a, l, today)).collect();
    open_rows.reverse();
    Ok(Some(MissionActivities {
        more: open.total > open.items.len() as u64 || done.total > done.items.len() as u64,
        open: open_rows,
        done: done.items.iter().map(|a| row(a, l, today)).collect(),
        can_log: allows(role, Permission::LogActivities),
        new_href: format!("/activities/new?mission={mission}&company={client}"),
        list_href: format!("/activities?mission_id={mission}"),
        back: format!("/missions/{mission}#activities"),
    }))
}

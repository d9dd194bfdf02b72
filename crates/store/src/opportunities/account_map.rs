//! The map of an account (JOURNEY.md step 11) and its foisonnement: the
//! tree of the client's opportunities, each under the one it was born
//! from, with the mission each won one became and the follow-up meeting
//! it was born in; and the child opportunities born in follow-up meetings
//! over a period (`domain::crm::foisonnement`).
//!
//! Both take a list of accounts, so that a group of companies is mapped
//! by passing its members; every query carries the reader's scope (a
//! business manager maps his portfolio's accounts only).

use std::collections::BTreeMap;

use domain::crm::foisonnement::Born;
use domain::crm::lineage::descendants;
use domain::crm::{Outcome, Source};
use domain::ids::{CompanyId, MeetingId, MissionId, OpportunityId, UserId};
use domain::mission::Tjm;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::pipeline::Names;
use super::{Opportunity, Row};
use crate::filter::{self, Conditions};
use crate::{Error, Result, Scope, Tx, corrupt};

/// A mission of the account, as the map shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MapMission {
    pub id: MissionId,
    pub title: String,
    pub consultant_id: UserId,
    pub consultant_name: String,
    pub tjm: Tjm,
    pub start_date: Date,
    pub end_date: Date,
    pub status: String,
}

/// One opportunity of the tree, at its depth (0: a root).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub opportunity: Opportunity,
    pub depth: usize,
    pub mission: Option<MapMission>,
    /// The follow-up meeting it was born in, and when it was held (or
    /// planned).
    pub meeting: Option<(MeetingId, OffsetDateTime)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountMap {
    pub companies: Vec<(CompanyId, String)>,
    /// Depth first, roots by start date.
    pub nodes: Vec<Node>,
    /// Missions of the accounts that no opportunity of the scope became.
    pub other_missions: Vec<MapMission>,
}

impl AccountMap {
    /// The opportunities of the map born in a follow-up meeting, as the
    /// foisonnement counts them.
    pub fn born(&self) -> Vec<Born> {
        self.nodes
            .iter()
            .map(|n| &n.opportunity)
            .filter(|o| born_in_meeting(o))
            .map(|o| Born {
                account: o.data.client_id,
                business_manager: o.data.business_manager_id,
                on: domain::paris::date(o.created_at),
                expected: o.expected,
                outcome: o.outcome,
            })
            .collect()
    }
}

/// Born in a follow-up meeting: recorded from its note, or said so.
pub fn born_in_meeting(o: &Opportunity) -> bool {
    o.meeting_id.is_some() || o.data.source == Source::FollowUpMeeting
}

#[derive(sqlx::FromRow)]
struct MissionRow {
    id: String,
    title: String,
    consultant_id: String,
    consultant_name: String,
    base_tjm_cents: i64,
    start_date: Date,
    end_date: Date,
    status: String,
}

/// The map of `companies` as `scope` sees them: `NotFound` when one of
/// them is not the reader's.
pub async fn account_map(tx: &mut Tx, scope: Scope, companies: &[CompanyId]) -> Result<AccountMap> {
    // Opportunities are the firm's commercial staff's: a consultant or a
    // client contact maps no account, even his own company.
    if matches!(scope, Scope::Own(_) | Scope::Company(_)) {
        return Err(Error::NotFound);
    }
    let mut names = Vec::with_capacity(companies.len());
    for id in companies {
        let c = crate::companies::get(tx, scope, *id).await?;
        names.push((c.id, c.data.name));
    }
    if companies.is_empty() || companies.len() > crate::MAX_BINDS - 3 {
        return Err(Error::NotFound);
    }
    let mut accounts = Conditions::new();
    accounts.within("o.client_id", companies.iter().map(ToString::to_string));
    let rows: Vec<Row> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(concat!(opportunity_columns!(), "WHERE "), opportunities),
        &accounts,
        "ORDER BY o.start_date, o.id",
        None,
    )
    .await?;
    let opportunities = rows
        .into_iter()
        .map(Row::into_opportunity)
        .collect::<Result<Vec<_>>>()?;

    let mut accounts = Conditions::new();
    accounts.within("m.client_id", companies.iter().map(ToString::to_string));
    let rows: Vec<MissionRow> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT m.id, m.title, m.consultant_id, u.display_name AS consultant_name, m.base_tjm_cents, \
             m.start_date, m.end_date, m.status FROM missions m JOIN users u ON u.id = m.consultant_id \
             WHERE CAST($1 AS TEXT) IS NULL AND CAST($2 AS TEXT) IS NULL AND ", missions),
        &accounts,
        "ORDER BY m.start_date, m.id",
        None,
    )
    .await?;
    let mut missions: BTreeMap<MissionId, MapMission> = BTreeMap::new();
    let mut mission_order = Vec::new();
    for r in rows {
        let id: MissionId = crate::id(&r.id)?;
        mission_order.push(id);
        missions.insert(
            id,
            MapMission {
                id,
                title: r.title,
                consultant_id: crate::id(&r.consultant_id)?,
                consultant_name: r.consultant_name,
                tjm: Tjm::from_cents(r.base_tjm_cents)
                    .map_err(|_| corrupt("mission tjm", &r.base_tjm_cents.to_string()))?,
                start_date: r.start_date,
                end_date: r.end_date,
                status: r.status,
            },
        );
    }

    let mut accounts = Conditions::new();
    accounts.within("mt.company_id", companies.iter().map(ToString::to_string));
    let rows: Vec<(String, OffsetDateTime)> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT mt.id, COALESCE(mt.held_at, mt.planned_at) FROM meetings mt WHERE ",
            meetings
        ),
        &accounts,
        "",
        None,
    )
    .await?;
    let meetings = rows
        .iter()
        .map(|(id, at)| Ok((crate::id(id)?, *at)))
        .collect::<Result<BTreeMap<MeetingId, OffsetDateTime>>>()?;

    Ok(tree(
        names,
        opportunities,
        missions,
        &mission_order,
        &meetings,
    ))
}

/// Lays the opportunities out as a forest: roots (no parent, or a parent
/// the reader does not see) by start date, each followed by its
/// descendants.
fn tree(
    companies: Vec<(CompanyId, String)>,
    opportunities: Vec<Opportunity>,
    mut missions: BTreeMap<MissionId, MapMission>,
    mission_order: &[MissionId],
    meetings: &BTreeMap<MeetingId, OffsetDateTime>,
) -> AccountMap {
    let ids: std::collections::BTreeSet<OpportunityId> =
        opportunities.iter().map(|o| o.id).collect();
    let parent_of: BTreeMap<OpportunityId, OpportunityId> = opportunities
        .iter()
        .filter_map(|o| {
            o.data
                .parent_id
                .filter(|p| ids.contains(p))
                .map(|p| (o.id, p))
        })
        .collect();
    let mut by_id: BTreeMap<OpportunityId, Opportunity> =
        opportunities.iter().map(|o| (o.id, o.clone())).collect();
    let mut order = Vec::new();
    for o in opportunities
        .iter()
        .filter(|o| !parent_of.contains_key(&o.id))
    {
        order.push((o.id, 0));
        order.extend(descendants(o.id, &parent_of));
    }
    let mut nodes = Vec::with_capacity(order.len());
    for (id, depth) in order {
        let Some(o) = by_id.remove(&id) else { continue };
        let mission = o.mission_id.and_then(|m| missions.remove(&m));
        let meeting = o
            .meeting_id
            .map(|m| (m, meetings.get(&m).copied().unwrap_or(o.created_at)));
        nodes.push(Node {
            opportunity: o,
            depth,
            mission,
            meeting,
        });
    }
    let other_missions = mission_order
        .iter()
        .filter_map(|id| missions.remove(id))
        .collect();
    AccountMap {
        companies,
        nodes,
        other_missions,
    }
}

/// The opportunities of `scope` born in a follow-up meeting and created
/// from `from` to `to` (Paris days, both included), of `accounts` when
/// given; with the accounts' and managers' names.
pub async fn born(
    tx: &mut Tx,
    scope: Scope,
    accounts: Option<&[CompanyId]>,
    from: Date,
    to: Date,
) -> Result<(Vec<Born>, Names)> {
    // Stored in UTC: the bounds are compared in UTC too.
    let midnight =
        |d: Date| domain::paris::at(d, time::Time::MIDNIGHT).to_offset(time::UtcOffset::UTC);
    let mut c = Conditions::new();
    c.cmp("o.created_at", ">=", Some(midnight(from))).cmp(
        "o.created_at",
        "<",
        Some(midnight(to.next_day().unwrap_or(to))),
    );
    if let Some(accounts) = accounts.filter(|a| !a.is_empty()) {
        c.within("o.client_id", accounts.iter().map(ToString::to_string));
    }
    type BornRow = (String, String, String, String, OffsetDateTime, i64, String);
    let rows: Vec<BornRow> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT o.client_id, c.name, o.business_manager_id, b.display_name, o.created_at, \
             o.expected_cents, s.outcome FROM opportunities o JOIN companies c ON c.id = o.client_id \
             JOIN users b ON b.id = o.business_manager_id JOIN opportunity_stages s ON s.code = o.stage \
             WHERE (o.meeting_id IS NOT NULL OR o.source = 'follow_up_meeting') AND ", opportunities),
        &c,
        "ORDER BY o.created_at, o.id",
        None,
    )
    .await?;
    let mut names = Names::default();
    let born = rows
        .into_iter()
        .map(
            |(client, client_name, bm, bm_name, at, expected, outcome)| {
                let account: CompanyId = crate::id(&client)?;
                let business_manager: UserId = crate::id(&bm)?;
                names.companies.insert(account, client_name);
                names.users.insert(business_manager, bm_name);
                Ok(Born {
                    account,
                    business_manager,
                    on: domain::paris::date(at),
                    expected: domain::money::Money::from_cents(expected),
                    outcome: Outcome::parse(&outcome)
                        .ok_or_else(|| corrupt("outcome", &outcome))?,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    Ok((born, names))
}

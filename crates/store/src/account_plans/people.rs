//! The decision makers of an account plan: not typed but read from the
//! contacts of the account's group (those whose role is buyer or domain
//! manager, and any other the plan gives a part), each with the last
//! activity logged or meeting held with him, the opportunities he is on,
//! and the part and relationship strength the plan keeps for him.

use domain::contact::ContactRole;
use domain::crm::account_plan::{Influence, StakeholderData, decides};
use domain::ids::{CompanyId, ContactId, OpportunityId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::account::Account;
use crate::{Result, Scope, Tx, corrupt, on_tx, scope_clause};

/// An opportunity a decision maker is on.
#[derive(Debug, Clone, Serialize)]
pub struct OnOpportunity {
    pub id: OpportunityId,
    pub title: String,
    pub stage_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionMaker {
    pub contact_id: ContactId,
    pub name: String,
    pub company_id: CompanyId,
    pub company_name: String,
    pub role: ContactRole,
    pub job_title: Option<String>,
    /// The Paris day of the last activity done or meeting held with him.
    pub last_activity: Option<Date>,
    pub opportunities: Vec<OnOpportunity>,
    /// What the plan says of him; `None` until someone says it.
    pub influence: Option<Influence>,
    pub strength: Option<u8>,
}

/// The part each contact plays, as the plan of account `id` keeps it.
pub(crate) async fn stakeholders(tx: &mut Tx, id: CompanyId) -> Result<Vec<StakeholderData>> {
    let rows: Vec<(String, String, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT contact_id, influence, strength FROM account_stakeholders WHERE company_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(contact, influence, strength)| {
            Ok(StakeholderData {
                contact_id: crate::id(&contact)?,
                influence: Influence::parse(&influence)
                    .ok_or_else(|| corrupt("influence", &influence))?,
                strength: u8::try_from(strength)
                    .map_err(|_| corrupt("strength", &strength.to_string()))?,
            })
        })
        .collect()
}

type ContactRow = (String, String, String, Option<String>, String);

/// The contacts of `company` the reader sees, by name.
async fn contacts_of(
    tx: &mut Tx,
    scope: Scope,
    company: CompanyId,
) -> Result<Vec<(ContactId, String, Option<String>, ContactRole)>> {
    const SQL: &str = concat!(
        "SELECT p.id, p.first_name, p.last_name, p.job_title, p.role FROM contacts p \
         WHERE p.company_id = $4 AND ",
        scope_clause!(contacts),
        " ORDER BY p.last_name, p.first_name, p.id"
    );
    let rows: Vec<ContactRow> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(company.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, first, last, title, role)| {
            Ok((
                crate::id(&id)?,
                format!("{first} {last}"),
                title,
                ContactRole::parse(&role).ok_or_else(|| corrupt("contact role", &role))?,
            ))
        })
        .collect()
}

/// The last day something was done with `contact`: an activity marked
/// done, a meeting he attended held; each read through the reader's scope.
async fn last_activity(tx: &mut Tx, scope: Scope, contact: ContactId) -> Result<Option<Date>> {
    const TASKS: &str = concat!(
        "SELECT t.done_at FROM tasks t WHERE t.contact_id = $4 AND t.done_at IS NOT NULL AND ",
        scope_clause!(activities)
    );
    const MEETINGS: &str = concat!(
        "SELECT mt.held_at FROM meetings mt JOIN meeting_contacts mc ON mc.meeting_id = mt.id \
         WHERE mc.contact_id = $4 AND mt.held_at IS NOT NULL AND ",
        scope_clause!(meetings)
    );
    let mut last: Option<OffsetDateTime> = None;
    for sql in [TASKS, MEETINGS] {
        let at: Vec<OffsetDateTime> = on_tx!(tx, |c| sqlx::query_scalar(sql)
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio())
            .bind(contact.to_string())
            .fetch_all(c)
            .await)?;
        last = last.into_iter().chain(at).max();
    }
    Ok(last.map(domain::paris::date))
}

/// The opportunities `contact` is on that the reader sees, latest start
/// first.
async fn opportunities(
    tx: &mut Tx,
    scope: Scope,
    contact: ContactId,
) -> Result<Vec<OnOpportunity>> {
    const SQL: &str = concat!(
        "SELECT o.id, o.title, s.label FROM opportunities o \
         JOIN opportunity_contacts oc ON oc.opportunity_id = o.id \
         JOIN opportunity_stages s ON s.code = o.stage WHERE oc.contact_id = $4 AND ",
        scope_clause!(opportunities),
        " ORDER BY o.start_date DESC, o.id"
    );
    let rows: Vec<(String, String, String)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(contact.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, title, stage_label)| {
            Ok(OnOpportunity {
                id: crate::id(&id)?,
                title,
                stage_label,
            })
        })
        .collect()
}

/// A contact of the account's group the reader sees: who may lead a
/// domain or be given a part.
#[derive(Debug, Clone, Serialize)]
pub struct GroupContact {
    pub id: ContactId,
    pub name: String,
    pub company_id: CompanyId,
    pub company_name: String,
    pub role: ContactRole,
    pub job_title: Option<String>,
}

/// The contacts of the group of `a`, by company (the group's order), then
/// by name.
pub(crate) async fn group_contacts(
    tx: &mut Tx,
    scope: Scope,
    a: &Account,
) -> Result<Vec<GroupContact>> {
    let mut out = Vec::new();
    for m in &a.members {
        for (id, name, job_title, role) in contacts_of(tx, scope, m.id).await? {
            out.push(GroupContact {
                id,
                name,
                company_id: m.id,
                company_name: m.name.clone(),
                role,
                job_title,
            });
        }
    }
    Ok(out)
}

/// The decision makers of the plan of `a` among `contacts`: the buyers
/// and domain managers, and whoever the plan gives a part.
pub(crate) async fn decision_makers(
    tx: &mut Tx,
    scope: Scope,
    a: &Account,
    contacts: &[GroupContact],
) -> Result<Vec<DecisionMaker>> {
    let kept = stakeholders(tx, a.id).await?;
    let mut out = Vec::new();
    for c in contacts {
        let said = kept.iter().find(|s| s.contact_id == c.id);
        if !decides(c.role) && said.is_none() {
            continue;
        }
        out.push(DecisionMaker {
            contact_id: c.id,
            name: c.name.clone(),
            company_id: c.company_id,
            company_name: c.company_name.clone(),
            role: c.role,
            job_title: c.job_title.clone(),
            last_activity: last_activity(tx, scope, c.id).await?,
            opportunities: opportunities(tx, scope, c.id).await?,
            influence: said.map(|s| s.influence),
            strength: said.map(|s| s.strength),
        });
    }
    Ok(out)
}

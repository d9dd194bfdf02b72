//! Account groups (`domain::company::group`): a company's parent, checked
//! before it is written (the parent exists and is in the writer's scope,
//! and is neither the company nor one of its entities), and the group's
//! tree with the opportunities and missions of all its companies, each
//! read through the reader's scope.

use std::collections::BTreeMap;
use std::str::FromStr;

use domain::company::CompanyData;
use domain::company::group::{EntityKind, check_parent, root, tree};
use domain::ids::{CompanyId, MissionId, OpportunityId, ParseIdError};
use domain::validation::{ErrorKey, ValidationErrors};
use time::Date;

use crate::filter::{self, Conditions};
use crate::scope::ScopedSql;
use crate::{Error, Result, Scope, Tx, corrupt, on_tx, scope_clause};

/// Whether the reader may see company `id`: the companies' own scope,
/// read here rather than through `companies::get` (the parent module
/// calls into this one; a call back would tie the two files in a cycle).
async fn visible(tx: &mut Tx, scope: Scope, id: CompanyId) -> Result<bool> {
    const SQL: &str = concat!(
        "SELECT COUNT(*) FROM companies WHERE id = $4 AND ",
        scope_clause!(companies)
    );
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_one(c)
        .await)?;
    Ok(n > 0)
}

/// The parent `d` names, if any, may be taken by company `id`.
pub(crate) async fn check(tx: &mut Tx, scope: Scope, id: CompanyId, d: &CompanyData) -> Result<()> {
    let Some(parent) = d.parent_id else {
        return Ok(());
    };
    if !visible(tx, scope, parent).await? {
        return Err(Error::Invalid(ValidationErrors::single(
            "parent_id",
            "id-unknown-record",
        )));
    }
    let links = links(tx).await?;
    check_parent(id, parent, &links)
        .map_err(|e| Error::Invalid(ValidationErrors::single("parent_id", e.key())))
}

/// Every parent link of the firm's companies (a few per group: the whole
/// map is small and makes the walks simple).
async fn links(tx: &mut Tx) -> Result<BTreeMap<CompanyId, CompanyId>> {
    let rows: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, parent_id FROM companies WHERE parent_id IS NOT NULL"
    )
    .fetch_all(c)
    .await)?;
    rows.iter()
        .map(|(c, p)| Ok((crate::id(c)?, crate::id(p)?)))
        .collect()
}

/// One company of a group as its tree shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: CompanyId,
    pub name: String,
    pub entity_kind: Option<EntityKind>,
    /// 0 for the group's top.
    pub depth: usize,
}

/// A company's group: its tree from the top, the companies the reader
/// may see only, in depth-first order by name.
pub async fn members(tx: &mut Tx, scope: Scope, id: CompanyId) -> Result<Vec<Member>> {
    if !visible(tx, scope, id).await? {
        return Err(Error::NotFound);
    }
    let links = links(tx).await?;
    let top = root(id, &links);
    let rows: Vec<(String, String, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, entity_kind FROM companies WHERE id = $1 OR parent_id IS NOT NULL"
    )
    .bind(top.to_string())
    .fetch_all(c)
    .await)?;
    let mut names = BTreeMap::new();
    for (cid, name, kind) in rows {
        let kind = kind
            .map(|k| EntityKind::parse(&k).ok_or_else(|| corrupt("entity kind", &k)))
            .transpose()?;
        names.insert(crate::id::<CompanyId>(&cid)?, (name, kind));
    }
    let mut out = Vec::new();
    for (member, depth) in tree(top, &links, |c| {
        names.get(c).map(|n| n.0.to_lowercase()).unwrap_or_default()
    }) {
        // A company outside the reader's scope is left out of the tree.
        if member != id && !visible(tx, scope, member).await? {
            continue;
        }
        let (name, entity_kind) = names.get(&member).cloned().unwrap_or_default();
        out.push(Member {
            id: member,
            name,
            entity_kind,
            depth,
        });
    }
    Ok(out)
}

/// An opportunity or a mission of the group, as its company page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupItem<T> {
    pub id: T,
    pub title: String,
    pub company: String,
    /// The stage's label, or the mission's status code.
    pub state: String,
    pub start: Date,
}

/// The opportunities of the companies `ids` that the reader may see,
/// latest start first.
pub async fn opportunities(
    tx: &mut Tx,
    scope: Scope,
    ids: &[CompanyId],
) -> Result<Vec<GroupItem<OpportunityId>>> {
    items(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT o.id, o.title, c.name, s.label, o.start_date FROM opportunities o \
             JOIN companies c ON c.id = o.client_id JOIN opportunity_stages s ON s.code = o.stage WHERE ", opportunities),
        "o.client_id",
        ids,
    )
    .await
}

/// The missions of the companies `ids` that the reader may see, latest
/// start first.
pub async fn missions(
    tx: &mut Tx,
    scope: Scope,
    ids: &[CompanyId],
) -> Result<Vec<GroupItem<MissionId>>> {
    items(
        tx,
        scope,
        crate::scoped_sql!(
            "SELECT m.id, m.title, c.name, m.status, m.start_date FROM missions m \
             JOIN companies c ON c.id = m.client_id WHERE ",
            missions
        ),
        "m.client_id",
        ids,
    )
    .await
}

/// The rows of `select_where` (id, title, company, state, start) whose
/// `column` is one of `ids`, latest start first (sorted here, so that both
/// backends order titles alike).
async fn items<I: FromStr<Err = ParseIdError>>(
    tx: &mut Tx,
    scope: Scope,
    select_where: ScopedSql,
    column: &'static str,
    ids: &[CompanyId],
) -> Result<Vec<GroupItem<I>>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::MAX_BINDS - 3) {
        let mut c = Conditions::new();
        c.within(column, chunk.iter().map(ToString::to_string));
        let rows: Vec<(String, String, String, String, Date)> =
            filter::rows(tx, scope, select_where, &c, "", None).await?;
        for (id, title, company, state, start) in rows {
            out.push(GroupItem {
                id: crate::id(&id)?,
                title,
                company,
                state,
                start,
            });
        }
    }
    out.sort_by(|a, b| b.start.cmp(&a.start).then(a.title.cmp(&b.title)));
    Ok(out)
}

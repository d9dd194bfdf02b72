//! Writing an account plan: its domains, the part its contacts play, its
//! yearly targets. Each command reads the account through the writer's
//! scope first (`NotFound` outside it, whatever was typed), then has the
//! domain check what was typed, refuses a plan for an account that is not
//! a key account (`key_account`) and a contact outside the account's group
//! (or outside the writer's scope), naming the field; then writes and
//! audits. The page and the API call these and nothing else.

use domain::crm::account_plan::{
    DomainData, DomainInput, StakeholderData, StakeholderInput, TargetData, TargetInput,
};
use domain::ids::{AccountDomainId, CompanyId, ContactId};
use domain::validation::ValidationErrors;

use super::account::{Account, account};
use super::read::{Domain, domains};
use crate::{Actor, Error, Result, Scope, Tx, audit, map_unique, now, on_tx, scope_clause};

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

/// The account `company` as the writer sees it, and what the domain made
/// of `input`: the account first, so that one out of reach is not found
/// whatever was typed; then the typed values; then that it is a key
/// account.
async fn key_account<T>(
    tx: &mut Tx,
    scope: Scope,
    company: CompanyId,
    input: impl FnOnce() -> std::result::Result<T, ValidationErrors>,
) -> Result<(Account, T)> {
    let a = account(tx, scope, company).await?;
    let data = input().map_err(Error::Invalid)?;
    if !a.key_account {
        return Err(refuse("key_account", "account-plan-not-key-account"));
    }
    Ok((a, data))
}

/// Refuses, on `field`, a contact the writer does not see or who works
/// for a company outside the account's group.
async fn check_contact(
    tx: &mut Tx,
    scope: Scope,
    a: &Account,
    contact: ContactId,
    field: &'static str,
) -> Result<()> {
    const SQL: &str = concat!(
        "SELECT p.company_id FROM contacts p WHERE p.id = $4 AND ",
        scope_clause!(contacts)
    );
    let company: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(contact.to_string())
        .fetch_optional(c)
        .await)?;
    let Some(company) = company else {
        return Err(refuse(field, "id-unknown-record"));
    };
    let company: CompanyId = crate::id(&company)?;
    if !a.group().contains(&company) {
        return Err(refuse(field, "account-plan-contact-outside-group"));
    }
    Ok(())
}

/// Another domain of the plan already has this name.
async fn name_taken(
    tx: &mut Tx,
    company: CompanyId,
    name: &str,
    other_than: Option<AccountDomainId>,
) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM account_domains \
         WHERE company_id = $1 AND LOWER(name) = LOWER($2) AND id <> $3"
    )
    .bind(company.to_string())
    .bind(name)
    .bind(other_than.map(|d| d.to_string()).unwrap_or_default())
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

const UNIQUE: &[(&str, &str)] = &[("account_domains", "name")];

async fn checked_domain(
    tx: &mut Tx,
    scope: Scope,
    company: CompanyId,
    input: &DomainInput,
    other_than: Option<AccountDomainId>,
) -> Result<DomainData> {
    let (a, d) = key_account(tx, scope, company, || input.validate()).await?;
    if let Some(lead) = d.lead_contact_id {
        check_contact(tx, scope, &a, lead, "lead_contact_id").await?;
    }
    if name_taken(tx, company, &d.name, other_than).await? {
        return Err(refuse("name", "account-domain-name-taken"));
    }
    Ok(d)
}

async fn read_back(tx: &mut Tx, company: CompanyId, id: AccountDomainId) -> Result<Domain> {
    domains(tx, company)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(Error::NotFound)
}

/// Adds a domain to the plan of `company`.
pub async fn create_domain(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    company: CompanyId,
    input: &DomainInput,
) -> Result<Domain> {
    let d = checked_domain(tx, scope, company, input, None).await?;
    let id = AccountDomainId::new();
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO account_domains (id, company_id, name, lead_contact_id, stakes, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    )
    .bind(id.to_string())
    .bind(company.to_string())
    .bind(&d.name)
    .bind(d.lead_contact_id.map(|c| c.to_string()))
    .bind(&d.stakes)
    .bind(d.status.as_str())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let created = read_back(tx, company, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "account_domain",
        &id.to_string(),
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Changes a domain of the plan of `company` (`NotFound` when the plan has
/// no such domain).
pub async fn update_domain(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    company: CompanyId,
    id: AccountDomainId,
    input: &DomainInput,
) -> Result<Domain> {
    // The account and the domain first: a domain of an account out of
    // scope, or of another plan, is not found whatever was typed.
    account(tx, scope, company).await?;
    let before = read_back(tx, company, id).await?;
    let d = checked_domain(tx, scope, company, input, Some(id)).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE account_domains SET name = $3, lead_contact_id = $4, stakes = $5, status = $6, updated_at = $7 \
         WHERE id = $1 AND company_id = $2"
    )
    .bind(id.to_string())
    .bind(company.to_string())
    .bind(&d.name)
    .bind(d.lead_contact_id.map(|c| c.to_string()))
    .bind(&d.stakes)
    .bind(d.status.as_str())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let after = read_back(tx, company, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "account_domain",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Sets the part a contact of the group plays in the plan of `company`,
/// and the strength of the relationship with him.
pub async fn set_stakeholder(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    company: CompanyId,
    input: &StakeholderInput,
) -> Result<StakeholderData> {
    let (a, s) = key_account(tx, scope, company, || input.validate()).await?;
    check_contact(tx, scope, &a, s.contact_id, "contact_id").await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO account_stakeholders (company_id, contact_id, influence, strength, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, contact_id) DO UPDATE \
         SET influence = excluded.influence, strength = excluded.strength, updated_at = excluded.updated_at"
    )
    .bind(company.to_string())
    .bind(s.contact_id.to_string())
    .bind(s.influence.as_str())
    .bind(i32::from(s.strength))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "update",
        "account_stakeholder",
        &format!("{company}/{}", s.contact_id),
        None::<&()>,
        Some(&s),
    )
    .await?;
    Ok(s)
}

/// Sets the targets of one year in the plan of `company`.
pub async fn set_target(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    company: CompanyId,
    input: &TargetInput,
) -> Result<TargetData> {
    let (_, t) = key_account(tx, scope, company, || input.validate()).await?;
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO account_targets (company_id, year, revenue_cents, consultants, opportunities, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (company_id, year) DO UPDATE \
         SET revenue_cents = excluded.revenue_cents, consultants = excluded.consultants, \
             opportunities = excluded.opportunities, updated_at = excluded.updated_at"
    )
    .bind(company.to_string())
    .bind(t.year)
    .bind(t.revenue.cents())
    .bind(count(t.consultants))
    .bind(count(t.opportunities))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "update",
        "account_target",
        &format!("{company}/{}", t.year),
        None::<&()>,
        Some(&t),
    )
    .await?;
    Ok(t)
}

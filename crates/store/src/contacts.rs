//! People at companies.

use domain::contact::{ContactData, ContactRole};
use domain::identifiers::Email;
use domain::ids::{CompanyId, ContactId};
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx, search};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: ContactId,
    #[serde(flatten)]
    pub data: ContactData,
    pub company_name: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Contact {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.data.first_name, self.data.last_name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub q: Option<String>,
    pub company_id: Option<CompanyId>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    company_id: String,
    company_name: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    job_title: Option<String>,
    role: String,
    notes: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<Row> for Contact {
    type Error = Error;
    fn try_from(r: Row) -> Result<Contact> {
        Ok(Contact {
            id: ContactId::parse(&r.id).ok_or_else(|| corrupt("contact id", &r.id))?,
            data: ContactData {
                company_id: CompanyId::parse(&r.company_id)
                    .ok_or_else(|| corrupt("company id", &r.company_id))?,
                email: r
                    .email
                    .map(|e| Email::parse(&e).map_err(|_| corrupt("email", &e)))
                    .transpose()?,
                role: ContactRole::parse(&r.role)
                    .ok_or_else(|| corrupt("contact role", &r.role))?,
                first_name: r.first_name,
                last_name: r.last_name,
                phone: r.phone,
                job_title: r.job_title,
                notes: r.notes,
            },
            company_name: r.company_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn search_key(d: &ContactData) -> String {
    search::key(&[
        Some(&d.first_name),
        Some(&d.last_name),
        d.email.as_ref().map(|e| e.as_str()),
        d.job_title.as_deref(),
    ])
}

/// Every contact query carries the scope clause: a client contact sees his
/// company's people; consultants see none yet (missions will add theirs).
macro_rules! select_contacts {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT p.id, p.company_id, c.name AS company_name, p.first_name, p.last_name, p.email, p.phone, \
             p.job_title, p.role, p.notes, p.created_at, p.updated_at \
             FROM contacts p JOIN companies c ON c.id = p.company_id WHERE ",
            $where,
            " AND ",
            crate::scope_clause!(contacts),
            $tail
        )
    };
}

async fn company_in_scope(tx: &mut Tx, scope: Scope, id: CompanyId) -> Result<()> {
    match crate::companies::get(tx, scope, id).await {
        Ok(_) => Ok(()),
        Err(Error::NotFound) => Err(Error::Invalid(
            domain::validation::ValidationErrors::single("company_id", "company-unknown"),
        )),
        Err(e) => Err(e),
    }
}

/// Binds `$1` = id, `$2`…`$10` = the contact's fields, `$11` = the time:
/// the parameter order shared by the insert and the update.
macro_rules! bind_contact {
    ($q:expr, $id:expr, $d:expr, $at:expr) => {
        $q.bind($id.to_string())
            .bind($d.company_id.to_string())
            .bind(&$d.first_name)
            .bind(&$d.last_name)
            .bind($d.email.as_ref().map(|e| e.as_str()))
            .bind(&$d.phone)
            .bind(&$d.job_title)
            .bind($d.role.as_str())
            .bind(&$d.notes)
            .bind(search_key($d))
            .bind($at)
    };
}

pub async fn create(tx: &mut Tx, actor: &Actor, scope: Scope, d: &ContactData) -> Result<Contact> {
    company_in_scope(tx, scope, d.company_id).await?;
    let id = ContactId::new();
    let at = now();
    let sql = "INSERT INTO contacts (id, company_id, first_name, last_name, email, phone, job_title, role, notes,
                 search_key, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
    on_tx!(tx, |c| bind_contact!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let contact = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "contact",
        &id.to_string(),
        None::<&()>,
        Some(&contact),
    )
    .await?;
    Ok(contact)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: ContactId,
    d: &ContactData,
) -> Result<Contact> {
    let before = get(tx, scope, id).await?;
    company_in_scope(tx, scope, d.company_id).await?;
    let sql = "UPDATE contacts SET company_id = $2, first_name = $3, last_name = $4, email = $5, phone = $6,
                 job_title = $7, role = $8, notes = $9, search_key = $10, updated_at = $11 WHERE id = $1";
    let at = now();
    on_tx!(tx, |c| bind_contact!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "contact",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn get(tx: &mut Tx, scope: Scope, id: ContactId) -> Result<Contact> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_contacts!("p.id = $4", ""))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    filter: &ContactFilter,
    page: PageRequest,
) -> Result<Paged<Contact>> {
    let pattern = search::like_pattern(filter.q.as_deref());
    let company = filter.company_id.map(|c| c.to_string());
    let count_sql = concat!(
        "SELECT COUNT(*) FROM contacts p WHERE (CAST($4 AS TEXT) IS NULL OR p.search_key LIKE $4 ESCAPE '\\') \
         AND (CAST($5 AS TEXT) IS NULL OR p.company_id = $5)",
        " AND ",
        crate::scope_clause!(contacts)
    );
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(count_sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(&pattern)
        .bind(&company)
        .fetch_one(c)
        .await)?;
    let sql = select_contacts!(
        "(CAST($4 AS TEXT) IS NULL OR p.search_key LIKE $4 ESCAPE '\\') AND (CAST($5 AS TEXT) IS NULL OR p.company_id = $5)",
        "ORDER BY p.last_name, p.first_name, p.id LIMIT $6 OFFSET $7"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(&pattern)
        .bind(&company)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(c)
        .await)?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(Contact::try_from)
            .collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

pub async fn count(tx: &mut Tx, scope: Scope) -> Result<i64> {
    let sql = concat!(
        "SELECT COUNT(*) FROM contacts p WHERE ",
        crate::scope_clause!(contacts)
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .fetch_one(c)
        .await)?)
}

//! Employee records: one per person who carries cost (consultants and
//! staff, salaried or freelance). A consultant without a record is still a
//! valid user; his cost is simply unknown. Pay lives apart, in
//! [`crate::costs`], behind its own permission.

use domain::calendar::Region;
use domain::company::CompanyKind;
use domain::ids::{AgencyId, CompanyId, EmployeeId, UserId};
use domain::paging::{PageRequest, Paged};
use domain::people::employee::{Contract, ContractKind, EmployeeData, Grade, Matricule};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, map_unique, now, on_tx, search};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Employee {
    pub id: EmployeeId,
    #[serde(flatten)]
    pub data: EmployeeData,
    pub agency_name: String,
    /// The linked user's name, when the person has a login.
    pub user_name: Option<String>,
    pub manager_name: Option<String>,
    pub supplier_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Employee {
    /// How lists name the person: his user's name, else his matricule.
    pub fn name(&self) -> String {
        self.user_name
            .clone()
            .unwrap_or_else(|| self.data.matricule.to_string())
    }
}

#[derive(Debug, Clone, Default)]
pub struct EmployeeFilter {
    pub q: Option<String>,
    pub agency_id: Option<AgencyId>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: Option<String>,
    matricule: String,
    legal_entity: String,
    agency_id: String,
    contract_kind: String,
    supplier_id: Option<String>,
    hire_date: Date,
    exit_date: Option<Date>,
    job_title: String,
    grade: Option<String>,
    manager_id: Option<String>,
    work_region: String,
    agency_name: String,
    user_name: Option<String>,
    manager_name: Option<String>,
    supplier_name: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<Row> for Employee {
    type Error = Error;
    fn try_from(r: Row) -> Result<Employee> {
        let uid = |s: Option<String>| -> Result<Option<UserId>> {
            s.map(|s| UserId::parse(&s).ok_or_else(|| corrupt("user id", &s)))
                .transpose()
        };
        let kind = ContractKind::parse(&r.contract_kind)
            .ok_or_else(|| corrupt("contract kind", &r.contract_kind))?;
        let supplier = r
            .supplier_id
            .as_deref()
            .map(|s| CompanyId::parse(s).ok_or_else(|| corrupt("company id", s)))
            .transpose()?;
        let contract = match (kind, supplier) {
            (ContractKind::Cdi, _) => Contract::Cdi,
            (ContractKind::Cdd, _) => Contract::Cdd,
            (ContractKind::FreelanceOwnCompany, Some(supplier_id)) => {
                Contract::FreelanceOwnCompany { supplier_id }
            }
            (ContractKind::FreelancePortage, Some(supplier_id)) => {
                Contract::FreelancePortage { supplier_id }
            }
            (_, None) => return Err(corrupt("freelance without supplier", &r.id)),
        };
        Ok(Employee {
            id: EmployeeId::parse(&r.id).ok_or_else(|| corrupt("employee id", &r.id))?,
            data: EmployeeData {
                matricule: Matricule::parse(&r.matricule)
                    .map_err(|_| corrupt("matricule", &r.matricule))?,
                legal_entity: r.legal_entity,
                agency_id: AgencyId::parse(&r.agency_id)
                    .ok_or_else(|| corrupt("agency id", &r.agency_id))?,
                contract,
                user_id: uid(r.user_id)?,
                hire_date: r.hire_date,
                exit_date: r.exit_date,
                job_title: r.job_title,
                grade: r
                    .grade
                    .map(|g| Grade::parse(&g).map_err(|_| corrupt("grade", &g)))
                    .transpose()?,
                manager_id: uid(r.manager_id)?,
                work_region: Region::parse(&r.work_region)
                    .ok_or_else(|| corrupt("region", &r.work_region))?,
            },
            agency_name: r.agency_name,
            user_name: r.user_name,
            manager_name: r.manager_name,
            supplier_name: r.supplier_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! select_employees {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT e.id, e.user_id, e.matricule, e.legal_entity, e.agency_id, e.contract_kind, e.supplier_id, \
             e.hire_date, e.exit_date, e.job_title, e.grade, e.manager_id, e.work_region, a.name AS agency_name, \
             u.display_name AS user_name, m.display_name AS manager_name, s.name AS supplier_name, \
             e.created_at, e.updated_at \
             FROM employees e JOIN agencies a ON a.id = e.agency_id \
             LEFT JOIN users u ON u.id = e.user_id LEFT JOIN users m ON m.id = e.manager_id \
             LEFT JOIN companies s ON s.id = e.supplier_id WHERE ",
            $where,
            " ",
            $tail
        )
    };
}

fn search_key(d: &EmployeeData) -> String {
    search::key(&[
        Some(d.matricule.as_str()),
        Some(&d.job_title),
        d.grade.as_ref().map(|g| g.as_str()),
        Some(&d.legal_entity),
    ])
}

/// The records an employee names must exist: the agency, the users, and
/// for a freelancer a company of kind supplier. Every problem at once,
/// beside its field.
async fn check_references(tx: &mut Tx, d: &EmployeeData) -> Result<()> {
    let mut e = ValidationErrors::new();
    match crate::agencies::get(tx, d.agency_id).await {
        Err(Error::NotFound) => e.add("agency_id", "id-unknown-record"),
        Err(other) => return Err(other),
        Ok(_) => {}
    }
    for (field, user) in [("user_id", d.user_id), ("manager_id", d.manager_id)] {
        if let Some(u) = user {
            match crate::users::get(tx, u).await {
                Err(Error::NotFound) => e.add(field, "id-unknown-record"),
                Err(other) => return Err(other),
                Ok(_) => {}
            }
        }
    }
    if let Some(s) = d.contract.supplier_id() {
        match crate::companies::get(tx, Scope::All, s).await {
            Err(Error::NotFound) => e.add("supplier_id", "id-unknown-record"),
            Err(other) => return Err(other),
            Ok(c) if c.data.kind != CompanyKind::Supplier => {
                e.add("supplier_id", "employee-supplier-not-supplier")
            }
            Ok(_) => {}
        }
    }
    e.into_result(|| ()).map_err(Error::Invalid)
}

const UNIQUE: &[(&str, &str)] = &[
    ("employees_matricule_key", "matricule"),
    ("employees.matricule", "matricule"),
    ("employees_user_key", "user_id"),
    ("employees.user_id", "user_id"),
];

/// Binds `$1` = id, `$2`…`$13` = the record's fields, `$14` = the time.
macro_rules! bind_employee {
    ($q:expr, $id:expr, $d:expr, $at:expr) => {
        $q.bind($id.to_string())
            .bind($d.user_id.map(|u| u.to_string()))
            .bind($d.matricule.as_str())
            .bind(&$d.legal_entity)
            .bind($d.agency_id.to_string())
            .bind($d.contract.kind().as_str())
            .bind($d.contract.supplier_id().map(|c| c.to_string()))
            .bind($d.hire_date)
            .bind($d.exit_date)
            .bind(&$d.job_title)
            .bind($d.grade.as_ref().map(|g| g.as_str().to_owned()))
            .bind($d.manager_id.map(|u| u.to_string()))
            .bind($d.work_region.as_str())
            .bind(search_key($d))
            .bind($at)
    };
}

pub async fn create(tx: &mut Tx, actor: &Actor, d: &EmployeeData) -> Result<Employee> {
    check_references(tx, d).await?;
    let id = EmployeeId::new();
    let at = now();
    let sql = "INSERT INTO employees (id, user_id, matricule, legal_entity, agency_id, contract_kind, supplier_id,
                 hire_date, exit_date, job_title, grade, manager_id, work_region, search_key, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)";
    on_tx!(tx, |c| bind_employee!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let employee = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "employee",
        &id.to_string(),
        None::<&()>,
        Some(&employee),
    )
    .await?;
    Ok(employee)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    id: EmployeeId,
    d: &EmployeeData,
) -> Result<Employee> {
    let before = get(tx, id).await?;
    check_references(tx, d).await?;
    let sql = "UPDATE employees SET user_id = $2, matricule = $3, legal_entity = $4, agency_id = $5,
                 contract_kind = $6, supplier_id = $7, hire_date = $8, exit_date = $9, job_title = $10, grade = $11,
                 manager_id = $12, work_region = $13, search_key = $14, updated_at = $15 WHERE id = $1";
    let at = now();
    on_tx!(tx, |c| bind_employee!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "employee",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub async fn get(tx: &mut Tx, id: EmployeeId) -> Result<Employee> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_employees!("e.id = $1", ""))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// The record of a user, if he has one.
pub async fn of_user(tx: &mut Tx, user: UserId) -> Result<Option<Employee>> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_employees!(
        "e.user_id = $1",
        ""
    ))
    .bind(user.to_string())
    .fetch_optional(c)
    .await)?;
    row.map(Employee::try_from).transpose()
}

pub async fn list(
    tx: &mut Tx,
    filter: &EmployeeFilter,
    page: PageRequest,
) -> Result<Paged<Employee>> {
    let pattern = search::like_pattern(filter.q.as_deref());
    let agency = filter.agency_id.map(|a| a.to_string());
    let count_sql = "SELECT COUNT(*) FROM employees e LEFT JOIN users u ON u.id = e.user_id
        WHERE (CAST($1 AS TEXT) IS NULL OR e.search_key LIKE $1 ESCAPE '\\' OR u.search_key LIKE $1 ESCAPE '\\')
          AND (CAST($2 AS TEXT) IS NULL OR e.agency_id = $2)";
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(count_sql)
        .bind(&pattern)
        .bind(&agency)
        .fetch_one(c)
        .await)?;
    let sql = select_employees!(
        "(CAST($1 AS TEXT) IS NULL OR e.search_key LIKE $1 ESCAPE '\\' OR u.search_key LIKE $1 ESCAPE '\\') \
         AND (CAST($2 AS TEXT) IS NULL OR e.agency_id = $2)",
        "ORDER BY COALESCE(u.display_name, e.matricule), e.id LIMIT $3 OFFSET $4"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(&pattern)
        .bind(&agency)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(c)
        .await)?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(Employee::try_from)
            .collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

/// Active internal users, to choose a person's login or manager.
pub async fn user_options(tx: &mut Tx) -> Result<Vec<(UserId, String)>> {
    let sql = "SELECT id, display_name FROM users WHERE active AND role <> 'client_contact'
               ORDER BY display_name, id";
    let rows: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    rows.into_iter()
        .map(|(id, name)| Ok((crate::id(&id)?, name)))
        .collect()
}

//! What people cost: dated cost versions (salary or freelance buy rate),
//! the firm's CJM settings and the standard CJM per grade.
//!
//! Pay is confidential (PAYROLL.md §5): only finance, direction and admin
//! reach these functions, and every read of a person's pay history writes
//! a line to the audit log, in the reading transaction.

use domain::calendar::YearMonth;
use domain::ids::{CostVersionId, EmployeeId};
use domain::margin::MarginLock;
use domain::money::Money;
use domain::people::cjm::{CjmMethod, CjmSettings, StandardCjmTable};
use domain::people::cost::{
    CostTerms, CostVersion, CostVersionError, EmployerCharges, FreelanceTerms, PlatformFee,
    SalaryTerms, check_new_version,
};
use domain::people::employee::Grade;
use domain::percent::Percentage;
use domain::validation::{ErrorKey, ValidationErrors};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Tx, audit, corrupt, map_unique, now, on_tx};

/// A stored cost version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredVersion {
    pub id: CostVersionId,
    pub employee_id: EmployeeId,
    #[serde(flatten)]
    pub version: CostVersion,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    employee_id: String,
    effective_from: Date,
    retroactive_from: Option<Date>,
    kind: String,
    annual_gross_cents: Option<i64>,
    annual_bonuses_cents: Option<i64>,
    charges_rate_bp: Option<i64>,
    charges_cents: Option<i64>,
    mutual_insurance_cents: Option<i64>,
    meal_vouchers_cents: Option<i64>,
    transport_cents: Option<i64>,
    per_head_costs_cents: Option<i64>,
    buy_rate_cents: Option<i64>,
    fee_rate_bp: Option<i64>,
    fee_cents: Option<i64>,
    created_at: OffsetDateTime,
}

fn bp(v: i64) -> Result<Percentage> {
    u32::try_from(v)
        .map(Percentage::from_basis_points)
        .map_err(|_| corrupt("basis points", &v.to_string()))
}

impl TryFrom<Row> for StoredVersion {
    type Error = Error;
    fn try_from(r: Row) -> Result<StoredVersion> {
        let m = |v: Option<i64>| Money::from_cents(v.unwrap_or(0));
        let terms = match r.kind.as_str() {
            "salary" => CostTerms::Salary(SalaryTerms {
                annual_gross: m(r.annual_gross_cents),
                annual_bonuses: m(r.annual_bonuses_cents),
                employer_charges: match (r.charges_rate_bp, r.charges_cents) {
                    (Some(rate), _) => EmployerCharges::Rate(bp(rate)?),
                    (None, Some(a)) => EmployerCharges::Amount(Money::from_cents(a)),
                    (None, None) => return Err(corrupt("salary without charges", &r.id)),
                },
                mutual_insurance: m(r.mutual_insurance_cents),
                meal_vouchers: m(r.meal_vouchers_cents),
                transport: m(r.transport_cents),
                per_head_costs: m(r.per_head_costs_cents),
            }),
            "freelance" => CostTerms::Freelance(FreelanceTerms {
                buy_rate: m(r.buy_rate_cents),
                fee: match (r.fee_rate_bp, r.fee_cents) {
                    (Some(rate), _) => PlatformFee::Percent(bp(rate)?),
                    (None, Some(a)) => PlatformFee::PerDay(Money::from_cents(a)),
                    (None, None) => PlatformFee::None,
                },
            }),
            other => return Err(corrupt("cost version kind", other)),
        };
        Ok(StoredVersion {
            id: crate::id(&r.id)?,
            employee_id: crate::id(&r.employee_id)?,
            version: CostVersion {
                effective_from: r.effective_from,
                retroactive_from: r.retroactive_from,
                terms,
            },
            created_at: r.created_at,
        })
    }
}

/// The columns every read of cost versions selects, in `Row`'s order: one
/// list, so a column added to the table is read everywhere.
macro_rules! select_versions {
    () => {
        "SELECT id, employee_id, effective_from, retroactive_from, kind, annual_gross_cents,
                annual_bonuses_cents, charges_rate_bp, charges_cents, mutual_insurance_cents,
                meal_vouchers_cents, transport_cents, per_head_costs_cents, buy_rate_cents, fee_rate_bp,
                fee_cents, created_at"
    };
}

/// A person's versions, oldest first, without an audit line: for the
/// computations of this module only.
async fn versions_of(tx: &mut Tx, employee: EmployeeId) -> Result<Vec<StoredVersion>> {
    const SQL: &str = concat!(
        select_versions!(),
        " FROM cost_versions WHERE employee_id = $1 ORDER BY effective_from, id"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(employee.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(StoredVersion::try_from).collect()
}

/// Every person's versions, oldest first, without an audit line: for the
/// margins, which multiply them but never show them.
pub(crate) async fn all_versions(
    tx: &mut Tx,
) -> Result<std::collections::BTreeMap<EmployeeId, Vec<CostVersion>>> {
    const SQL: &str = concat!(
        select_versions!(),
        " FROM cost_versions ORDER BY employee_id, effective_from"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(SQL).fetch_all(c).await)?;
    by_employee(rows)
}

/// [`all_versions`] of one person's employee records only (a mission's
/// margin needs its consultant's).
pub(crate) async fn versions_of_user(
    tx: &mut Tx,
    user: &str,
) -> Result<std::collections::BTreeMap<EmployeeId, Vec<CostVersion>>> {
    const SQL: &str = concat!(
        select_versions!(),
        " FROM cost_versions WHERE employee_id IN (SELECT id FROM employees WHERE user_id = $1)
          ORDER BY employee_id, effective_from"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(SQL).bind(user).fetch_all(c).await)?;
    by_employee(rows)
}

fn by_employee(rows: Vec<Row>) -> Result<std::collections::BTreeMap<EmployeeId, Vec<CostVersion>>> {
    let mut out: std::collections::BTreeMap<EmployeeId, Vec<CostVersion>> = Default::default();
    for r in rows {
        let v = StoredVersion::try_from(r)?;
        out.entry(v.employee_id).or_default().push(v.version);
    }
    Ok(out)
}

/// A person's pay history, oldest first. The read is written to the audit
/// log (who read whose pay, when), so `tx` must be a write transaction.
pub async fn history(
    tx: &mut Tx,
    actor: &Actor,
    employee: EmployeeId,
) -> Result<Vec<StoredVersion>> {
    crate::employees::get(tx, employee).await?;
    let versions = versions_of(tx, employee).await?;
    audit::record(
        tx,
        actor,
        "read",
        "pay_history",
        &employee.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    Ok(versions)
}

/// A refusal of [`check_new_version`], beside its field.
fn refusal(e: CostVersionError) -> ValidationErrors {
    let mut v = ValidationErrors::new();
    v.add_with(e.field(), e.key(), e.args());
    v
}

/// Adds a version to a person's history, refused (nothing written) when
/// another starts the same day, when its month's margins are locked, when
/// its kind does not fit the contract, or when its retroactive date is
/// not a locked day after the previous version (or the version does not
/// start on the first open day): see [`check_new_version`].
pub async fn add(
    tx: &mut Tx,
    actor: &Actor,
    employee: EmployeeId,
    version: &CostVersion,
) -> Result<StoredVersion> {
    let person = crate::employees::get(tx, employee).await?;
    let others: Vec<CostVersion> = versions_of(tx, employee)
        .await?
        .into_iter()
        .map(|v| v.version)
        .collect();
    let (_, lock) = settings(tx).await?;
    check_new_version(version, &others, person.data.contract.kind(), lock)
        .map_err(|e| Error::Invalid(refusal(e)))?;
    let id = CostVersionId::new();
    let (kind, s, f) = match version.terms {
        CostTerms::Salary(s) => ("salary", Some(s), None),
        CostTerms::Freelance(f) => ("freelance", None, Some(f)),
    };
    let cents = |m: Money| Some(m.cents());
    let (charges_rate, charges_amount) = match s.map(|s| s.employer_charges) {
        Some(EmployerCharges::Rate(r)) => (Some(i64::from(r.basis_points())), None),
        Some(EmployerCharges::Amount(a)) => (None, cents(a)),
        None => (None, None),
    };
    let (fee_rate, fee_amount) = match f.map(|f| f.fee) {
        Some(PlatformFee::Percent(r)) => (Some(i64::from(r.basis_points())), None),
        Some(PlatformFee::PerDay(a)) => (None, cents(a)),
        _ => (None, None),
    };
    let sql = "INSERT INTO cost_versions (id, employee_id, effective_from, kind, annual_gross_cents,
                 annual_bonuses_cents, charges_rate_bp, charges_cents, mutual_insurance_cents, meal_vouchers_cents,
                 transport_cents, per_head_costs_cents, buy_rate_cents, fee_rate_bp, fee_cents, created_by, created_at,
                 retroactive_from)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.to_string())
        .bind(employee.to_string())
        .bind(version.effective_from)
        .bind(kind)
        .bind(s.map(|s| s.annual_gross.cents()))
        .bind(s.map(|s| s.annual_bonuses.cents()))
        .bind(charges_rate)
        .bind(charges_amount)
        .bind(s.map(|s| s.mutual_insurance.cents()))
        .bind(s.map(|s| s.meal_vouchers.cents()))
        .bind(s.map(|s| s.transport.cents()))
        .bind(s.map(|s| s.per_head_costs.cents()))
        .bind(f.map(|f| f.buy_rate.cents()))
        .bind(fee_rate)
        .bind(fee_amount)
        .bind(actor.user_id.map(|u| u.to_string()))
        .bind(now())
        .bind(version.retroactive_from)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| {
        map_unique(
            e,
            &[
                ("cost_versions_date_key", "effective_from"),
                ("cost_versions.employee_id", "effective_from"),
            ],
        )
    })?;
    let stored = versions_of(tx, employee)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(Error::NotFound)?;
    audit::record(
        tx,
        actor,
        "create",
        "cost_version",
        &id.to_string(),
        None::<&()>,
        Some(&stored),
    )
    .await?;
    Ok(stored)
}

/// The person's CJM on `date`, from the version in force and the firm's
/// settings; `None` before his first version (or without any: his cost
/// is unknown).
pub async fn cjm_on(tx: &mut Tx, employee: EmployeeId, date: Date) -> Result<Option<Money>> {
    let versions: Vec<CostVersion> = versions_of(tx, employee)
        .await?
        .into_iter()
        .map(|v| v.version)
        .collect();
    let (settings, _) = settings(tx).await?;
    Ok(settings.cjm_on(&versions, date))
}

/// The firm's CJM settings and how far margins are locked.
pub async fn settings(tx: &mut Tx) -> Result<(CjmSettings, MarginLock)> {
    let sql = "SELECT divisor, method, target_activity_bp, margins_locked_through FROM cjm_settings WHERE id = 1";
    let row: Option<(i64, String, Option<i64>, Option<String>)> =
        on_tx!(tx, |c| sqlx::query_as(sql).fetch_optional(c).await)?;
    let Some((divisor, method, target, locked)) = row else {
        return Ok((CjmSettings::default(), MarginLock::OPEN));
    };
    let method = match (method.as_str(), target) {
        ("plain", _) => CjmMethod::Plain,
        ("bench_loaded", Some(t)) => CjmMethod::BenchLoaded {
            target_activity: bp(t)?,
        },
        (other, _) => return Err(corrupt("cjm method", other)),
    };
    let divisor = u16::try_from(divisor).map_err(|_| corrupt("divisor", &divisor.to_string()))?;
    let settings =
        CjmSettings::new(divisor, method).map_err(|e| corrupt("cjm settings", e.key()))?;
    let lock = match locked {
        Some(m) => {
            MarginLock::through(YearMonth::parse(&m).ok_or_else(|| corrupt("locked month", &m))?)
        }
        None => MarginLock::OPEN,
    };
    Ok((settings, lock))
}

pub async fn set_settings(tx: &mut Tx, actor: &Actor, s: CjmSettings) -> Result<()> {
    let (before, _) = settings(tx).await?;
    let target = match s.method() {
        CjmMethod::Plain => None,
        CjmMethod::BenchLoaded { target_activity } => {
            Some(i64::from(target_activity.basis_points()))
        }
    };
    let sql =
        "UPDATE cjm_settings SET divisor = $1, method = $2, target_activity_bp = $3 WHERE id = 1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(i64::from(s.divisor()))
        .bind(s.method().as_str())
        .bind(target)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "update",
        "cjm_settings",
        "1",
        Some(&before),
        Some(&s),
    )
    .await
}

/// Locks margins through `month`: no cost version may then be dated in or
/// before it. Locks only move forward.
pub async fn lock_margins(tx: &mut Tx, actor: &Actor, month: YearMonth) -> Result<()> {
    // A month still running has days to come: its margin is not final.
    if month >= YearMonth::of(crate::today()) {
        return Err(Error::Invalid(ValidationErrors::single(
            "month",
            "margin-lock-month-not-over",
        )));
    }
    let (_, before) = settings(tx).await?;
    let after = before.advance(month).map_err(|e| {
        let mut v = ValidationErrors::new();
        v.add_with("month", e.key(), e.args());
        Error::Invalid(v)
    })?;
    let sql = "UPDATE cjm_settings SET margins_locked_through = $1 WHERE id = 1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(month.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "update",
        "margin_lock",
        "1",
        Some(&before),
        Some(&after),
    )
    .await
}

/// The standard CJM of each grade.
pub async fn standard_cjm(tx: &mut Tx) -> Result<StandardCjmTable> {
    let sql = "SELECT grade, cjm_cents FROM grade_standard_cjm ORDER BY grade";
    let rows: Vec<(String, i64)> = on_tx!(tx, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    let mut table = StandardCjmTable::new();
    for (g, cents) in rows {
        let grade = Grade::parse(&g).map_err(|_| corrupt("grade", &g))?;
        table
            .set(grade, Money::from_cents(cents))
            .map_err(|_| corrupt("standard cjm", &cents.to_string()))?;
    }
    Ok(table)
}

/// Sets a grade's standard CJM (`None` removes it).
pub async fn set_standard_cjm(
    tx: &mut Tx,
    actor: &Actor,
    grade: &Grade,
    cjm: Option<Money>,
) -> Result<()> {
    if let Some(m) = cjm {
        StandardCjmTable::new()
            .set(grade.clone(), m)
            .map_err(|e| Error::Invalid(ValidationErrors::single("cjm", e.key())))?;
    }
    let before = standard_cjm(tx).await?.get(grade);
    match cjm {
        Some(m) => {
            let sql = "INSERT INTO grade_standard_cjm (grade, cjm_cents) VALUES ($1, $2)
                       ON CONFLICT (grade) DO UPDATE SET cjm_cents = excluded.cjm_cents";
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(grade.as_str())
                .bind(m.cents())
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        None => {
            let sql = "DELETE FROM grade_standard_cjm WHERE grade = $1";
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(grade.as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
    }
    audit::record(
        tx,
        actor,
        "update",
        "standard_cjm",
        grade.as_str(),
        before.as_ref(),
        cjm.as_ref(),
    )
    .await
}

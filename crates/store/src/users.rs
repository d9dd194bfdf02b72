//! Accounts of people who log in.

use domain::Locale;
use domain::ids::{CompanyId, UserId};
use domain::paging::{PageRequest, Paged};
use domain::role::{Holdings, Role};
use domain::user::UserData;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    Actor, Error, Result, Tx, audit, corrupt, credentials, map_unique, now, on_tx, search,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    pub locale: Option<Locale>,
    pub active: bool,
    pub last_login_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: String,
    email: String,
    display_name: String,
    role: String,
    company_id: Option<String>,
    company_name: Option<String>,
    locale: Option<String>,
    active: bool,
    last_login_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<Row> for User {
    type Error = Error;
    fn try_from(r: Row) -> Result<User> {
        Ok(User {
            id: UserId::parse(&r.id).ok_or_else(|| corrupt("user id", &r.id))?,
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            company_id: r
                .company_id
                .map(|c| CompanyId::parse(&c).ok_or_else(|| corrupt("company id", &c)))
                .transpose()?,
            locale: r.locale.as_deref().and_then(Locale::parse),
            email: r.email,
            display_name: r.display_name,
            company_name: r.company_name,
            active: r.active,
            last_login_at: r.last_login_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Columns of `User`, for queries that join users with their sessions or tokens.
#[macro_export]
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.display_name, u.role, u.company_id, c.name AS company_name, u.locale, u.active, \
         u.last_login_at, u.created_at, u.updated_at"
    };
}

macro_rules! select_users {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u LEFT JOIN companies c ON c.id = u.company_id WHERE ",
            $where,
            " ",
            $tail
        )
    };
}

pub(crate) fn from_row(r: Row) -> Result<User> {
    r.try_into()
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub company_id: Option<CompanyId>,
}

const UNIQUE: &[(&str, &str)] = &[("email", "email")];

fn search_key(d: &UserData) -> String {
    search::key(&[Some(&d.display_name), Some(d.email.as_str())])
}

/// The address as stored: entirely lower case. `Email` keeps the local part's
/// case, but sign-in looks accounts up lower-cased (`find_by_email`), so a
/// mixed-case address could never sign in, and the unique key would let
/// `A@x.example` and `a@x.example` be two accounts.
fn stored_email(d: &UserData) -> String {
    d.email.as_str().to_lowercase()
}

/// Creates an account with the password in `d` (the command line's first
/// administrator, fixtures); staff invite people instead (`invitations`).
pub async fn create(tx: &mut Tx, actor: &Actor, d: &UserData) -> Result<User> {
    let password = d.password.as_ref().ok_or_else(|| {
        Error::Invalid(domain::validation::ValidationErrors::single(
            "password",
            "field-required",
        ))
    })?;
    create_with_hash(tx, actor, d, &credentials::hash_password(password)).await
}

/// Creates an account whose password hash is `password_hash` (the
/// password in `d` is not read).
pub async fn create_with_hash(
    tx: &mut Tx,
    actor: &Actor,
    d: &UserData,
    password_hash: &str,
) -> Result<User> {
    let id = UserId::new();
    let at = now();
    let sql = "INSERT INTO users (id, email, display_name, role, company_id, locale, password_hash, active, search_key,
                 created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.to_string())
        .bind(stored_email(d))
        .bind(&d.display_name)
        .bind(d.role.as_str())
        .bind(d.company_id.map(|c| c.to_string()))
        .bind(d.locale.map(|l| l.as_str()))
        .bind(password_hash)
        .bind(d.active)
        .bind(search_key(d))
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let user = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "user",
        &id.to_string(),
        None::<&()>,
        Some(&user),
    )
    .await?;
    Ok(user)
}

/// Updates profile, role and status; a non-empty password in `d` replaces the
/// current one and signs the user out everywhere else.
pub async fn update(tx: &mut Tx, actor: &Actor, id: UserId, d: &UserData) -> Result<User> {
    let before = get(tx, id).await?;
    if d.role != before.role {
        before
            .role
            .change_to(d.role, &holdings(tx, id).await?)
            .map_err(Error::Invalid)?;
    }
    let sql = "UPDATE users SET email = $2, display_name = $3, role = $4, company_id = $5, locale = $6, active = $7,
                 search_key = $8, updated_at = $9 WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.to_string())
        .bind(stored_email(d))
        .bind(&d.display_name)
        .bind(d.role.as_str())
        .bind(d.company_id.map(|c| c.to_string()))
        .bind(d.locale.map(|l| l.as_str()))
        .bind(d.active)
        .bind(search_key(d))
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    if let Some(pw) = &d.password {
        set_password_hash(tx, id, &credentials::hash_password(pw)).await?;
        crate::sessions::delete_for_user(tx, id, None).await?;
    }
    if !d.active || d.role != before.role {
        // A deactivated account or a changed role must not keep old sessions.
        crate::sessions::delete_for_user(tx, id, None).await?;
    }
    let after = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "user",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// What the user holds that his role matters to (see `Role::change_to`).
async fn holdings(tx: &mut Tx, id: UserId) -> Result<Holdings> {
    const LIVE: &str = "status IN ('upcoming', 'active', 'extended')";
    let sql = format!(
        "SELECT
           (SELECT COUNT(*) FROM missions WHERE consultant_id = $1 AND {LIVE}),
           (SELECT COUNT(*) FROM cras WHERE consultant_id = $1 AND status IN ('draft', 'signed', 'client_validated')),
           (SELECT COUNT(*) FROM missions WHERE business_manager_id = $1 AND {LIVE}),
           (SELECT COUNT(*) FROM missions WHERE delivery_manager_id = $1 AND {LIVE}),
           (SELECT COUNT(*) FROM cras WHERE consultant_id = $1) + (SELECT COUNT(*) FROM leave_requests WHERE user_id = $1)"
    );
    let (live, open, bm, dm, records): (i64, i64, i64, i64, i64) =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.to_string())
            .fetch_one(c)
            .await)?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(Holdings {
        live_missions: n(live),
        open_reports: n(open),
        managed_as_bm: n(bm),
        managed_as_dm: n(dm),
        employee_records: n(records),
    })
}

pub async fn get(tx: &mut Tx, id: UserId) -> Result<User> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_users!("u.id = $1", ""))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

pub async fn find_by_email(tx: &mut Tx, email: &str) -> Result<Option<User>> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_users!("u.email = $1", ""))
        .bind(email.trim().to_lowercase())
        .fetch_optional(c)
        .await)?;
    row.map(User::try_from).transpose()
}

/// The user and his password hash, for login only.
pub async fn credentials_for(tx: &mut Tx, email: &str) -> Result<Option<(User, String)>> {
    let Some(user) = find_by_email(tx, email).await? else {
        return Ok(None);
    };
    let hash: String = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(user.id.to_string())
    .fetch_one(c)
    .await)?;
    Ok(Some((user, hash)))
}

pub async fn password_hash(tx: &mut Tx, id: UserId) -> Result<String> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?)
}

async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(hash)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes a password; every other session of the user ends.
pub async fn change_password(
    tx: &mut Tx,
    actor: &Actor,
    id: UserId,
    new: &domain::user::Password,
    keep_session: Option<&str>,
) -> Result<()> {
    set_password_hash(tx, id, &credentials::hash_password(new)).await?;
    crate::sessions::delete_for_user(tx, id, keep_session).await?;
    audit::record(
        tx,
        actor,
        "change_password",
        "user",
        &id.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

pub async fn record_login(tx: &mut Tx, id: UserId) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET last_login_at = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_locale(tx: &mut Tx, id: UserId, locale: Locale) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET locale = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(locale.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn list(tx: &mut Tx, filter: &UserFilter, page: PageRequest) -> Result<Paged<User>> {
    let pattern = search::like_pattern(filter.q.as_deref());
    let role = filter.role.map(|r| r.as_str());
    let company = filter.company_id.map(|c| c.to_string());
    let count_sql = "SELECT COUNT(*) FROM users u WHERE (CAST($1 AS TEXT) IS NULL OR u.search_key LIKE $1 ESCAPE '\\') \
                AND (CAST($2 AS TEXT) IS NULL OR u.role = $2) AND (CAST($3 AS TEXT) IS NULL OR u.company_id = $3)";
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(count_sql)
        .bind(&pattern)
        .bind(role)
        .bind(&company)
        .fetch_one(c)
        .await)?;
    let sql = select_users!(
        "(CAST($1 AS TEXT) IS NULL OR u.search_key LIKE $1 ESCAPE '\\') \
         AND (CAST($2 AS TEXT) IS NULL OR u.role = $2) AND (CAST($3 AS TEXT) IS NULL OR u.company_id = $3)",
        "ORDER BY u.display_name, u.id LIMIT $4 OFFSET $5"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(&pattern)
        .bind(role)
        .bind(&company)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(c)
        .await)?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE active = TRUE"
    )
    .fetch_one(c)
    .await)?)
}

/// Who may manage a mission (and own a share of its portfolio).
pub const MANAGER_ROLES: &[Role] = &[Role::BusinessManager, Role::Direction, Role::Admin];

/// The user's name when he is active and has one of `roles`; `None` when
/// he is unknown, inactive or has another role.
pub(crate) async fn active_in_roles(
    tx: &mut Tx,
    id: UserId,
    roles: &[Role],
) -> Result<Option<String>> {
    let u: Option<(String, String, bool)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT display_name, role, active FROM users WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(u.and_then(|(name, role, active)| {
        (active && Role::parse(&role).is_some_and(|r| roles.contains(&r))).then_some(name)
    }))
}

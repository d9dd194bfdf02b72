//! The firm's agencies (branch offices, business units): a firm has one or
//! more, every employee belongs to one, and bench cost may be carried by
//! one. Names are unique.

use domain::ids::AgencyId;
use domain::validation::{ValidationErrors, text};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Actor, Error, Result, Tx, audit, map_unique, now, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Agency {
    #[sqlx(try_from = "String")]
    pub id: AgencyId,
    pub name: String,
    pub city: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An agency as typed in its form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgencyInput {
    pub name: String,
    pub city: String,
}

/// An agency whose fields have been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyData {
    pub name: String,
    pub city: Option<String>,
}

impl AgencyInput {
    pub fn validate(&self) -> Result<AgencyData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.required("name", &self.name, |s| text(s, 120));
        let city = e.optional("city", &self.city, |s| text(s, 120));
        e.into_result(|| AgencyData {
            name: name.expect("checked"),
            city,
        })
    }
}

impl AgencyData {
    pub fn to_input(&self) -> AgencyInput {
        AgencyInput {
            name: self.name.clone(),
            city: self.city.clone().unwrap_or_default(),
        }
    }
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Agency>> {
    let sql = "SELECT id, name, city, created_at, updated_at FROM agencies ORDER BY name, id";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).fetch_all(c).await)?)
}

pub async fn get(tx: &mut Tx, id: AgencyId) -> Result<Agency> {
    let sql = "SELECT id, name, city, created_at, updated_at FROM agencies WHERE id = $1";
    let row: Option<Agency> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)
}

const UNIQUE: &[(&str, &str)] = &[("agencies_name_key", "name"), ("agencies.name", "name")];

pub async fn create(tx: &mut Tx, actor: &Actor, d: &AgencyData) -> Result<Agency> {
    let id = AgencyId::new();
    let at = now();
    let sql =
        "INSERT INTO agencies (id, name, city, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.to_string())
        .bind(&d.name)
        .bind(&d.city)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let agency = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "agency",
        &id.to_string(),
        None::<&()>,
        Some(&agency),
    )
    .await?;
    Ok(agency)
}

pub async fn update(tx: &mut Tx, actor: &Actor, id: AgencyId, d: &AgencyData) -> Result<Agency> {
    let before = get(tx, id).await?;
    let sql = "UPDATE agencies SET name = $2, city = $3, updated_at = $4 WHERE id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(id.to_string())
        .bind(&d.name)
        .bind(&d.city)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "agency",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

//! Saved views of the opportunity list (`domain::crm::saved_view`): each
//! user sees his own views and those shared with the firm, never another's
//! personal ones; only the owner changes or deletes a view. A view holds a
//! query string, not records: opening it runs the list through the
//! reader's own scope, so sharing a view shares no opportunity.

use domain::crm::saved_view::ViewName;
use domain::ids::{OpportunityViewId, UserId};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Error, Result, Tx, map_unique, now, on_tx};

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub id: OpportunityViewId,
    pub owner_id: UserId,
    pub owner_name: String,
    pub name: String,
    /// The list's query string, its parameters in one order.
    pub query: String,
    pub shared: bool,
    /// Its owner's default view.
    pub is_default: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: String,
    owner_name: String,
    name: String,
    query: String,
    shared: bool,
    is_default: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl Row {
    fn into_view(self) -> Result<View> {
        Ok(View {
            id: crate::id(&self.id)?,
            owner_id: crate::id(&self.user_id)?,
            owner_name: self.owner_name,
            name: self.name,
            query: self.query,
            shared: self.shared,
            is_default: self.is_default,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! view_columns {
    () => {
        "SELECT v.id, v.user_id, u.display_name AS owner_name, v.name, v.query, v.shared, \
         v.is_default, v.created_at, v.updated_at \
         FROM opportunity_views v JOIN users u ON u.id = v.user_id "
    };
}

/// A new view, checked: the query is the list's, already read by its
/// parser.
#[derive(Debug, Clone)]
pub struct NewView {
    pub name: ViewName,
    pub query: String,
    pub shared: bool,
    pub is_default: bool,
}

/// Changes to a view: `None` keeps.
#[derive(Debug, Clone, Default)]
pub struct ViewChange {
    pub name: Option<ViewName>,
    pub query: Option<String>,
    pub shared: Option<bool>,
    pub is_default: Option<bool>,
}

/// `user`'s views then those others share, each group by name.
pub async fn visible(tx: &mut Tx, user: UserId) -> Result<Vec<View>> {
    const SQL: &str = concat!(
        view_columns!(),
        "WHERE v.user_id = $1 OR v.shared \
         ORDER BY CASE WHEN v.user_id = $1 THEN 0 ELSE 1 END, v.name, v.id"
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user.to_string())
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Row::into_view).collect()
}

/// A view `user` may open: his own or a shared one.
pub async fn get(tx: &mut Tx, user: UserId, id: OpportunityViewId) -> Result<View> {
    const SQL: &str = concat!(
        view_columns!(),
        "WHERE v.id = $2 AND (v.user_id = $1 OR v.shared)"
    );
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user.to_string())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.into_view()
}

/// `user`'s default view, if he chose one.
pub async fn default_of(tx: &mut Tx, user: UserId) -> Result<Option<View>> {
    const SQL: &str = concat!(view_columns!(), "WHERE v.user_id = $1 AND v.is_default");
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user.to_string())
        .fetch_optional(c)
        .await)?;
    row.map(Row::into_view).transpose()
}

/// Refuses a name another of `user`'s views already has, beside the field.
async fn name_free(
    tx: &mut Tx,
    user: UserId,
    name: &ViewName,
    except: Option<OpportunityViewId>,
) -> Result<()> {
    let taken: Option<i32> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT 1 FROM opportunity_views WHERE user_id = $1 AND name = $2 \
         AND (CAST($3 AS TEXT) IS NULL OR id <> $3)"
    )
    .bind(user.to_string())
    .bind(name.as_str())
    .bind(except.map(|e| e.to_string()))
    .fetch_optional(c)
    .await)?;
    match taken {
        Some(_) => Err(Error::Invalid(ValidationErrors::single(
            "name",
            "opportunity-view-name-taken",
        ))),
        None => Ok(()),
    }
}

/// A user has one default at most: choosing one drops the other.
async fn clear_default(tx: &mut Tx, user: UserId, keep: OpportunityViewId) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE opportunity_views SET is_default = FALSE WHERE user_id = $1 AND id <> $2 AND is_default"
    )
    .bind(user.to_string())
    .bind(keep.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

const UNIQUE: &[(&str, &str)] = &[
    ("opportunity_views_name", "name"),
    ("opportunity_views.name", "name"),
];

pub async fn create(tx: &mut Tx, user: UserId, v: &NewView) -> Result<View> {
    name_free(tx, user, &v.name, None).await?;
    let id = OpportunityViewId::new();
    if v.is_default {
        clear_default(tx, user, id).await?;
    }
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO opportunity_views (id, user_id, name, query, shared, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(v.name.as_str())
    .bind(v.query.as_str())
    .bind(v.shared)
    .bind(v.is_default)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    get(tx, user, id).await
}

/// The owner's own view, else not found (a shared view of another's is
/// read, not changed).
async fn own(tx: &mut Tx, user: UserId, id: OpportunityViewId) -> Result<View> {
    let v = get(tx, user, id).await?;
    if v.owner_id == user {
        Ok(v)
    } else {
        Err(Error::NotFound)
    }
}

pub async fn update(
    tx: &mut Tx,
    user: UserId,
    id: OpportunityViewId,
    change: &ViewChange,
) -> Result<View> {
    let before = own(tx, user, id).await?;
    if let Some(n) = &change.name {
        name_free(tx, user, n, Some(id)).await?;
    }
    if change.is_default == Some(true) {
        clear_default(tx, user, id).await?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE opportunity_views SET name = $2, query = $3, shared = $4, is_default = $5, updated_at = $6 \
         WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(
        change
            .name
            .as_ref()
            .map_or(before.name.as_str(), ViewName::as_str),
    )
    .bind(change.query.as_deref().unwrap_or(before.query.as_str()))
    .bind(change.shared.unwrap_or(before.shared))
    .bind(change.is_default.unwrap_or(before.is_default))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    get(tx, user, id).await
}

pub async fn delete(tx: &mut Tx, user: UserId, id: OpportunityViewId) -> Result<()> {
    own(tx, user, id).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM opportunity_views WHERE id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

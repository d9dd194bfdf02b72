//! Saved views of the opportunity list: the caller's own and those shared
//! with the firm. A view's `query` is the list's query string (its filters
//! and sort, `stage=positionnement&sort=start_date`), read by the list's
//! own filter parser before it is kept; the page number is dropped. Only
//! the owner changes or deletes a view; sharing one with the firm needs
//! direction's or the admin's rights.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::crm::saved_view::{self, ViewName};
use domain::ids::OpportunityViewId;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use store::opportunities::views::{NewView, View, ViewChange};
use utoipa::ToSchema;

use super::opportunities::{OpportunityFilterParams, filter_of};
use super::{created, rfc3339};
use crate::AppState;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct OpportunityViewDto {
    pub id: String,
    pub name: String,
    /// The list's query string, its parameters in one order.
    pub query: String,
    /// The list with the view's filters.
    pub href: String,
    /// Shared with the whole firm.
    pub shared: bool,
    /// Its owner's default view (`/opportunities` opens it).
    pub is_default: bool,
    /// The caller's own view (else one shared by someone else).
    pub mine: bool,
    pub owner_name: String,
    pub created_at: String,
    pub updated_at: String,
}

pub fn dto(v: &View, caller: domain::ids::UserId) -> OpportunityViewDto {
    OpportunityViewDto {
        id: v.id.to_string(),
        name: v.name.clone(),
        query: v.query.clone(),
        href: href(&v.query),
        shared: v.shared,
        is_default: v.is_default,
        mine: v.owner_id == caller,
        owner_name: v.owner_name.clone(),
        created_at: rfc3339(&v.created_at),
        updated_at: rfc3339(&v.updated_at),
    }
}

/// The list's address for a view's query.
pub fn href(query: &str) -> String {
    if query.is_empty() {
        "/opportunities?all=1".into()
    } else {
        format!("/opportunities?{query}")
    }
}

/// A query string as a view keeps it: the list's parameters only, each
/// once, in one order, every value accepted by the list's filter parser
/// (a refusal names the parameter, or `query` for an unknown one).
pub fn checked_query(raw: &str) -> Result<String, ValidationErrors> {
    let raw = raw.trim().trim_start_matches('?');
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
        .map_err(|_| ValidationErrors::single("query", "opportunity-view-query-invalid"))?;
    let kept = saved_view::parameters(&pairs)?;
    let value = |name: &str| {
        kept.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let params = OpportunityFilterParams {
        stage: value("stage"),
        kind: value("kind"),
        business_manager_id: value("business_manager_id"),
        client_id: value("client_id"),
        client: value("client"),
        source: value("source"),
        start_from: value("start_from"),
        start_to: value("start_to"),
        sort: value("sort"),
        order: value("order"),
    };
    match filter_of(&params, value("q")) {
        Ok(_) => {}
        Err(AppError::Validation(e)) => return Err(e),
        Err(_) => {
            return Err(ValidationErrors::single(
                "query",
                "opportunity-view-query-invalid",
            ));
        }
    }
    Ok(serde_urlencoded::to_string(&kept).unwrap_or_default())
}

/// Sharing with the firm is direction's and the admin's.
pub fn may_share(ctx: &Ctx, shared: Option<bool>) -> AppResult<()> {
    if shared == Some(true) && !allows(ctx.user()?.role, Permission::ShareOpportunityViews) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityViewList {
    /// The caller's views first, then those shared by others, by name.
    pub items: Vec<OpportunityViewDto>,
}

/// A new saved view.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityViewBody {
    /// Unique among the caller's views.
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// The list's query string (may be empty: every opportunity).
    #[schema(max_length = 2000)]
    pub query: String,
    /// Share with the firm (direction and admin only). Default false.
    pub shared: Option<bool>,
    /// Open it by default on `/opportunities`. Default false.
    pub is_default: Option<bool>,
}

/// Changes to a view: members absent are kept.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityViewPatch {
    #[schema(min_length = 1, max_length = 80)]
    pub name: Option<String>,
    #[schema(max_length = 2000)]
    pub query: Option<String>,
    pub shared: Option<bool>,
    pub is_default: Option<bool>,
}

/// Every refusal of a name and a query at once.
fn check(name: Option<&str>, query: Option<&str>) -> AppResult<(Option<ViewName>, Option<String>)> {
    let mut e = ValidationErrors::new();
    let name = name.and_then(|n| ViewName::parse(n).map_err(|v| e.0.extend(v.0)).ok());
    let query = query.and_then(|q| checked_query(q).map_err(|v| e.0.extend(v.0)).ok());
    if e.is_empty() {
        Ok((name, query))
    } else {
        Err(AppError::Validation(e))
    }
}

/// The caller's saved views and those shared with the firm.
#[utoipa::path(get, path = "/api/v1/opportunity-views", tag = "opportunities", summary = "List saved views of the opportunity list",
    responses((status = 200, body = OpportunityViewList)),
    security(("bearer" = [])))]
pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<OpportunityViewList>> {
    let user = ctx.user()?.id;
    let mut tx = app.db.read().await?;
    let views = store::opportunities::views::visible(&mut tx, user).await?;
    tx.commit().await?;
    Ok(Json(OpportunityViewList {
        items: views.iter().map(|v| dto(v, user)).collect(),
    }))
}

/// Save a view of the opportunity list.
#[utoipa::path(post, path = "/api/v1/opportunity-views", tag = "opportunities", summary = "Save a view of the opportunity list",
    request_body = OpportunityViewBody,
    responses((status = 201, body = OpportunityViewDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(b): Body<OpportunityViewBody>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    may_share(&ctx, b.shared)?;
    let (name, query) = check(Some(&b.name), Some(&b.query))?;
    // Both were given, so both are there once checked.
    let (Some(name), Some(query)) = (name, query) else {
        return Err(AppError::Validation(ValidationErrors::single(
            "name",
            "field-required",
        )));
    };
    let v = NewView {
        name,
        query,
        shared: b.shared.unwrap_or(false),
        is_default: b.is_default.unwrap_or(false),
    };
    let view = write(&app, &ctx)
        .commit(async |tx| store::opportunities::views::create(tx, user, &v).await)
        .await?;
    Ok(created(
        format!("/api/v1/opportunity-views/{}", view.id),
        dto(&view, user),
    ))
}

/// One view: the caller's, or one shared with the firm.
#[utoipa::path(get, path = "/api/v1/opportunity-views/{id}", tag = "opportunities", summary = "Get a saved view",
    params(("id" = uuid::Uuid, Path, description = "Saved view id")),
    responses((status = 200, body = OpportunityViewDto)),
    security(("bearer" = [])))]
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityViewId>,
) -> AppResult<Json<OpportunityViewDto>> {
    let user = ctx.user()?.id;
    let mut tx = app.db.read().await?;
    let v = store::opportunities::views::get(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(Json(dto(&v, user)))
}

/// Rename a view, change its query, share it, make it the default. Only
/// its owner may.
#[utoipa::path(patch, path = "/api/v1/opportunity-views/{id}", tag = "opportunities", summary = "Change a saved view",
    params(("id" = uuid::Uuid, Path, description = "Saved view id")),
    request_body = OpportunityViewPatch,
    responses((status = 200, body = OpportunityViewDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityViewId>,
    Body(p): Body<OpportunityViewPatch>,
) -> AppResult<Json<OpportunityViewDto>> {
    let user = ctx.user()?.id;
    may_share(&ctx, p.shared)?;
    let (name, query) = check(p.name.as_deref(), p.query.as_deref())?;
    let change = ViewChange {
        name,
        query,
        shared: p.shared,
        is_default: p.is_default,
    };
    let view = write(&app, &ctx)
        .commit(async |tx| store::opportunities::views::update(tx, user, id, &change).await)
        .await?;
    Ok(Json(dto(&view, user)))
}

/// Delete one of the caller's views.
#[utoipa::path(delete, path = "/api/v1/opportunity-views/{id}", tag = "opportunities", summary = "Delete a saved view",
    params(("id" = uuid::Uuid, Path, description = "Saved view id")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = [])))]
pub async fn delete(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityViewId>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    write(&app, &ctx)
        .commit(async |tx| store::opportunities::views::delete(tx, user, id).await)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

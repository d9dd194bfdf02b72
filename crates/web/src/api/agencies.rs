use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::ids::AgencyId;
use serde::{Deserialize, Serialize};
use store::agencies::{Agency, AgencyInput};
use utoipa::ToSchema;

use super::{created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct AgencyDto {
    pub id: String,
    pub name: String,
    pub city: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Agency> for AgencyDto {
    fn from(a: &Agency) -> Self {
        AgencyDto {
            id: a.id.to_string(),
            name: a.name.clone(),
            city: a.city.clone(),
            created_at: rfc3339(&a.created_at),
            updated_at: rfc3339(&a.updated_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyBody {
    /// Unique among the firm's agencies.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[schema(max_length = 120)]
    pub city: Option<String>,
}

/// The firm's agencies, by name.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "people", summary = "List agencies",
    responses((status = 200, body = Vec<AgencyDto>)),
    security(("bearer" = [])))]
pub async fn list(State(app): State<AppState>) -> AppResult<Json<Vec<AgencyDto>>> {
    let mut tx = app.db.read().await?;
    let agencies = store::agencies::list(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(agencies.iter().map(AgencyDto::from).collect()))
}

/// Create an agency.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "people", summary = "Create an agency",
    request_body = AgencyBody,
    responses((status = 201, body = AgencyDto)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<AgencyBody>,
) -> AppResult<Response> {
    let data = AgencyInput {
        name: body.name,
        city: body.city.unwrap_or_default(),
    }
    .validate()
    .map_err(AppError::Validation)?;
    let a = write(&app, &ctx)
        .commit(async |tx| store::agencies::create(tx, &ctx.actor(), &data).await)
        .await?;
    Ok(created(
        format!("/api/v1/agencies/{}", a.id),
        AgencyDto::from(&a),
    ))
}

/// Replace an agency (its name stays unique).
#[utoipa::path(put, path = "/api/v1/agencies/{id}", tag = "people", summary = "Replace an agency",
    params(("id" = uuid::Uuid, Path, description = "Agency id")),
    request_body = AgencyBody,
    responses((status = 200, body = AgencyDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<AgencyId>,
    Body(body): Body<AgencyBody>,
) -> AppResult<Json<AgencyDto>> {
    let data = AgencyInput {
        name: body.name,
        city: body.city.unwrap_or_default(),
    }
    .validate()
    .map_err(AppError::Validation)?;
    let a = write(&app, &ctx)
        .commit(async |tx| store::agencies::update(tx, &ctx.actor(), id, &data).await)
        .await?;
    Ok(Json(AgencyDto::from(&a)))
}

use axum::Json;

use super::users::UserDto;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// The authenticated user.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", summary = "The authenticated user",
    responses((status = 200, body = UserDto)),
    security(("bearer" = [])))]
pub async fn show(ctx: Ctx) -> AppResult<Json<UserDto>> {
    Ok(Json(UserDto::from(ctx.user()?)))
}

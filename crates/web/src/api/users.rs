use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::ids::{CompanyId, UserId};
use domain::role::Role;
use domain::user::UserInput;
use serde::{Deserialize, Serialize};
use store::users::{User, UserFilter};
use utoipa::{IntoParams, ToSchema};

use super::companies::ListParamsFlat;
use super::{ListParams, created, rfc3339};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Json as Body, Query};
use crate::write::write;

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `admin`, `direction`, `business_manager`, `delivery_manager`, `recruiter`, `finance`, `consultant`, `client_contact`.
    pub role: String,
    /// Set for client contacts only.
    pub company_id: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id.to_string(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().into(),
            company_id: u.company_id.map(|c| c.to_string()),
            locale: u.locale.map(|l| l.as_str().to_string()),
            active: u.active,
            last_login_at: u.last_login_at.as_ref().map(rfc3339),
            created_at: rfc3339(&u.created_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[schema(format = Email)]
    pub email: String,
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[schema(
        pattern = "^(admin|direction|business_manager|delivery_manager|recruiter|finance|consultant|client_contact)$"
    )]
    pub role: String,
    /// Required for a client contact (his client company), refused otherwise.
    #[schema(format = Uuid)]
    pub company_id: Option<String>,
    /// `fr` or `en`; absent: negotiated from the browser (and French for
    /// the invitation e-mail).
    #[schema(pattern = "^(fr|en)$")]
    pub locale: Option<String>,
    /// There is no password here: nobody sets someone else's. A new user
    /// chooses his through the link e-mailed to him.
    pub active: Option<bool>,
}

impl From<UserBody> for UserInput {
    fn from(b: UserBody) -> Self {
        UserInput {
            email: b.email,
            display_name: b.display_name,
            role: b.role,
            company_id: b.company_id.unwrap_or_default(),
            locale: b.locale.unwrap_or_default(),
            password: String::new(),
            active: b.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilterParams {
    #[param(
        pattern = "^(admin|direction|business_manager|delivery_manager|recruiter|finance|consultant|client_contact)$"
    )]
    pub role: Option<String>,
    #[param(format = Uuid)]
    pub company_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserListQuery {
    #[serde(flatten)]
    pub list: ListParamsFlat,
    pub role: Option<String>,
    pub company_id: Option<String>,
}

/// List users (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", summary = "List users",
    params(ListParams, UserFilterParams),
    responses((status = 200, body = UserPage)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    Query(q): Query<UserListQuery>,
) -> AppResult<Json<UserPage>> {
    let params = q.list.parse()?;
    let role = match q.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(Role::parse(r).ok_or(AppError::Validation(
            domain::validation::ValidationErrors::single("role", "role-invalid"),
        ))?),
        None => None,
    };
    let company_id = match q
        .company_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(CompanyId::parse(c).ok_or(AppError::Validation(
            domain::validation::ValidationErrors::single("company_id", "company-unknown"),
        ))?),
        None => None,
    };
    let mut tx = app.db.read().await?;
    let paged = store::users::list(
        &mut tx,
        &UserFilter {
            q: params.q.clone(),
            role,
            company_id,
        },
        params.page(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(UserPage {
        items: paged.items.iter().map(UserDto::from).collect(),
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
    }))
}

/// A user invited: his account, and until when his link works.
#[derive(Serialize, ToSchema)]
pub struct InvitationDto {
    pub user: UserDto,
    /// RFC 3339; the link works once, until then (72 hours).
    pub expires_at: String,
}

/// Invite a user: the account is created and its owner receives by e-mail
/// a link, valid 72 hours and usable once, to choose his own password. An
/// administrator invites anyone, a business manager a consultant.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", summary = "Invite a user",
    request_body = UserBody,
    responses((status = 201, body = InvitationDto),
        (status = 422, description = "Refused fields: an e-mail already used (`email-taken`), a role this user may not invite (`invitation-role-forbidden`), a client contact without his company", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Body(body): Body<UserBody>,
) -> AppResult<Response> {
    let data = UserInput::from(body)
        .validate(false)
        .map_err(AppError::Validation)?;
    let inviter = ctx.user()?.clone();
    let sent = write(&app, &ctx)
        .commit(async |tx| {
            store::invitations::invite(tx, &ctx.actor(), &inviter, &data, &app.config.public_url)
                .await
        })
        .await?;
    Ok(created(
        format!("/api/v1/users/{}", sent.user.id),
        InvitationDto {
            user: UserDto::from(&sent.user),
            expires_at: rfc3339(&sent.expires_at),
        },
    ))
}

/// Send a user a new link to choose his password (administrators only);
/// his earlier links stop working.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users",
    summary = "Send a user a new password link",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 201, body = InvitationDto),
        (status = 422, description = "An inactive account (`invitation-inactive`)", body = super::ProblemDoc,
            content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn invite_again(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<UserId>,
) -> AppResult<Response> {
    let inviter = ctx.user()?.clone();
    let sent = write(&app, &ctx)
        .commit(async |tx| {
            store::invitations::send(tx, &ctx.actor(), &inviter, id, &app.config.public_url).await
        })
        .await?;
    Ok(created(
        format!("/api/v1/users/{id}"),
        InvitationDto {
            user: UserDto::from(&sent.user),
            expires_at: rfc3339(&sent.expires_at),
        },
    ))
}

/// One user (administrators only).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", summary = "Get a user",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 200, body = UserDto)),
    security(("bearer" = [])))]
pub async fn show(State(app): State<AppState>, Id(id): Id<UserId>) -> AppResult<Json<UserDto>> {
    let mut tx = app.db.read().await?;
    let u = store::users::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(UserDto::from(&u)))
}

/// Replace a user (administrators only).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", summary = "Replace a user",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    request_body = UserBody,
    responses((status = 200, body = UserDto)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<UserId>,
    Body(body): Body<UserBody>,
) -> AppResult<Json<UserDto>> {
    let data = UserInput::from(body)
        .validate(false)
        .map_err(AppError::Validation)?;
    if ctx.user()?.id == id && (data.role != Role::Admin || !data.active) {
        return Err(AppError::Validation(
            domain::validation::ValidationErrors::single("role", "user-cannot-demote-self"),
        ));
    }
    let u = write(&app, &ctx)
        .commit(async |tx| store::users::update(tx, &ctx.actor(), id, &data).await)
        .await?;
    Ok(Json(UserDto::from(&u)))
}

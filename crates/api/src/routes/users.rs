//! Team members of the current tenant.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use contract::users::{CreateUserRequest, CreatedUser, LoginEvent, UpdateUserRequest, User};
use contract::Page;
use domain::account::{check_display_name, check_password, normalize_email, FieldErrors};
use domain::permissions::{ensure_can_grant, ensure_can_manage_member, RoleRuleViolation};
use domain::team::MemberStatus;
use domain::{RoleId, UserId};
use serde::Deserialize;
use store::{MemberFilter, NewAccount};
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::{password, Authenticated};
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Part of a name or email.
    pub q: Option<String>,
    pub role_id: Option<Uuid>,
    /// `active` or `deactivated`.
    pub status: Option<String>,
}

/// Members of the workspace.
#[utoipa::path(tag = "users", params(UserFilter, PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<User>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    filter: web::Query<UserFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let page = page.request()?;
    let status = match filter.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            MemberStatus::parse(s)
                .ok_or_else(|| ApiError::field("status", "Use active or deactivated."))?,
        ),
    };
    let filter = MemberFilter {
        q: filter.q.clone(),
        role_id: filter.role_id.map(RoleId),
        status,
    };
    Ok(web::Json(members_page(&state, &auth, &filter, page).await?))
}

pub async fn members_page(
    state: &AppState,
    auth: &Authenticated,
    filter: &MemberFilter,
    page: store::PageRequest,
) -> Result<Page<User>, ApiError> {
    let (members, total) = state
        .store
        .list_members(auth.tenant(), filter, page)
        .await?;
    Ok(Page {
        next_cursor: next_cursor(&members, page.limit, |m| m.user.id.0),
        items: members.iter().map(super::user_dto).collect(),
        total: Some(total),
    })
}

/// Adds a person to the workspace with a role. Without a password, the
/// answer carries an invitation link (also emailed when SMTP is set up).
#[utoipa::path(tag = "users", request_body = CreateUserRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = CreatedUser), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    let name = check_display_name(&body.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let email = normalize_email(&body.email);
    if email.is_none() {
        errors.add("email", "Enter a valid email address.");
    }
    let password = body.password.filter(|p| !p.is_empty());
    if let Some(p) = &password {
        if let Err(m) = check_password(p) {
            errors.add("password", m);
        }
    }
    let role = match state.store.role(auth.tenant(), RoleId(body.role_id)).await {
        Ok(role) => Some(role),
        Err(store::StoreError::NotFound) => {
            errors.add("role_id", "Choose one of this workspace's roles.");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    ensure_can_grant(&auth.actor(), role.facts())?;
    let password_hash = match password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let has_password = password_hash.is_some();
    let account = NewAccount {
        email: email.clone(),
        name: name.clone(),
        password_hash,
    };
    let (member, existing) = state
        .store
        .add_member(auth.tenant(), &account, role.id)
        .await?;
    let invite_url = if existing || has_password {
        None
    } else {
        let tenant = state.store.tenant(auth.tenant()).await?;
        Some(
            super::auth::invite(&state, member.user.id, &email, &name, &tenant.settings.name)
                .await?,
        )
    };
    Ok(HttpResponse::Created().json(CreatedUser {
        user: super::user_dto(&member),
        existing_user: existing,
        invite_url,
    }))
}

/// One member.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = User), Unauthenticated, Forbidden, NotFound,
))]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<User>, ApiError> {
    let member = state.store.member(auth.tenant(), UserId(*id)).await?;
    Ok(web::Json(super::user_dto(&member)))
}

/// Renames a member or gives them another role. Only owners change owners;
/// nobody grants more than they hold; the last owner keeps the role.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), request_body = UpdateUserRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = User), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<UpdateUserRequest>,
) -> Result<web::Json<User>, ApiError> {
    let body = body.into_inner();
    let user_id = UserId(*id);
    let target = state.store.member(auth.tenant(), user_id).await?;
    let name = match body.name.as_deref() {
        Some(name) => Some(check_display_name(name).map_err(|m| ApiError::field("name", m))?),
        None => None,
    };
    if let Some(role_id) = body.role_id.map(RoleId).filter(|r| *r != target.role.id) {
        if user_id == auth.user_id() {
            return Err(RoleRuleViolation::SelfChange.into());
        }
        let role = match state.store.role(auth.tenant(), role_id).await {
            Ok(role) => role,
            Err(store::StoreError::NotFound) => {
                return Err(ApiError::field(
                    "role_id",
                    "Choose one of this workspace's roles.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        ensure_can_manage_member(&auth.actor(), target.role.facts())?;
        ensure_can_grant(&auth.actor(), role.facts())?;
        state
            .store
            .set_member_role(auth.tenant(), user_id, role.id)
            .await?;
        state
            .live
            .sessions_changed(user_id, Some(auth.tenant()))
            .await;
    }
    if let Some(name) = name.filter(|n| *n != target.user.name) {
        ensure_can_manage_member(&auth.actor(), target.role.facts())?;
        state.store.rename_user(user_id, &name).await?;
    }
    let member = state.store.member(auth.tenant(), user_id).await?;
    Ok(web::Json(super::user_dto(&member)))
}

async fn set_status(
    state: &AppState,
    auth: &Authenticated,
    user_id: UserId,
    status: MemberStatus,
) -> Result<User, ApiError> {
    if user_id == auth.user_id() {
        return Err(RoleRuleViolation::SelfChange.into());
    }
    let target = state.store.member(auth.tenant(), user_id).await?;
    ensure_can_manage_member(&auth.actor(), target.role.facts())?;
    state
        .store
        .set_member_status(auth.tenant(), user_id, status)
        .await?;
    state
        .live
        .sessions_changed(user_id, Some(auth.tenant()))
        .await;
    Ok(super::user_dto(
        &state.store.member(auth.tenant(), user_id).await?,
    ))
}

/// Stops a member from signing in to this workspace; their sessions end at once.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = User), Unauthenticated, Forbidden, NotFound, Conflict, Invalid,
))]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<User>, ApiError> {
    Ok(web::Json(
        set_status(&state, &auth, UserId(*id), MemberStatus::Deactivated).await?,
    ))
}

/// Lets a deactivated member sign in again.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = User), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[post("/users/{id}/reactivate")]
pub async fn reactivate_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<User>, ApiError> {
    Ok(web::Json(
        set_status(&state, &auth, UserId(*id), MemberStatus::Active).await?,
    ))
}

/// Removes a member from this workspace. Their account and other workspaces stay.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Removed"), Unauthenticated, Forbidden, NotFound, Conflict, Invalid,
))]
#[delete("/users/{id}")]
pub async fn remove_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user_id = UserId(*id);
    if user_id == auth.user_id() {
        return Err(RoleRuleViolation::SelfChange.into());
    }
    let target = state.store.member(auth.tenant(), user_id).await?;
    ensure_can_manage_member(&auth.actor(), target.role.facts())?;
    state.store.remove_member(auth.tenant(), user_id).await?;
    state
        .live
        .sessions_changed(user_id, Some(auth.tenant()))
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// A member's sign-in attempts, newest first.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path), PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<LoginEvent>), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[get("/users/{id}/login-history")]
pub async fn user_login_history(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<LoginEvent>>, ApiError> {
    let page = page.request()?;
    let (events, total) = state
        .store
        .login_history(auth.tenant(), UserId(*id), page)
        .await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&events, page.limit, |(id, _)| *id),
        items: events
            .into_iter()
            .map(|(_, e)| LoginEvent {
                at: e.at,
                ip: e.ip,
                user_agent: e.user_agent,
                success: e.success,
            })
            .collect(),
        total: Some(total),
    }))
}

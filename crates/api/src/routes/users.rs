//! Team members of the current tenant.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use app::members;
use contract::users::{CreateUserRequest, CreatedUser, LoginEvent, UpdateUserRequest, User};
use contract::Page;
use domain::account::{check_display_name, check_email, FieldErrors};
use domain::permissions::{
    ensure_can_grant, ensure_can_manage_member, Action, Module, RoleRuleViolation,
};
use domain::team::MemberStatus;
use domain::{RoleId, UserId};
use serde::Deserialize;
use store::MemberFilter;
use utoipa::IntoParams;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The team member routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Users, Action::View), list_users)
        .add(perm(Module::Users, Action::Create), create_user)
        .add(perm(Module::Users, Action::View), get_user)
        .add(perm(Module::Users, Action::Edit), update_user)
        .add(perm(Module::Users, Action::Delete), remove_user)
        .add(perm(Module::Users, Action::Edit), deactivate_user)
        .add(perm(Module::Users, Action::Edit), reactivate_user)
        .add(perm(Module::Users, Action::Create), resend_invitation)
        .add(perm(Module::Users, Action::View), user_login_history);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Part of a name or email.
    pub q: Option<String>,
    pub role_id: Option<Uuid>,
    /// `invited`, `active` or `deactivated`.
    pub status: Option<String>,
}

/// Members of the tenant.
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
                .ok_or_else(|| ApiError::field("status", "Use invited, active or deactivated."))?,
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

/// Invites a person into the tenant with a role. They join when they
/// accept the emailed link: a new account chooses its password there, an
/// existing one signs in with its own. The answer is the same either way;
/// it carries the link only when this instance cannot send email.
#[utoipa::path(tag = "users", request_body = CreateUserRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Invited", body = CreatedUser), Unauthenticated, Forbidden, Invalid, Conflict,
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
    let email = check_email(&body.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let role = match state.store.role(auth.tenant(), RoleId(body.role_id)).await {
        Ok(role) => Some(role),
        Err(store::StoreError::NotFound) => {
            errors.add("role_id", "Choose one of this tenant's roles.");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        return Err(errors.into());
    };
    ensure_can_grant(&auth.actor(), role.facts())?;
    let member = state
        .store
        .invite_member(auth.tenant(), &email, &name, role.id)
        .await?;
    let tenant = state.store.tenant(auth.tenant()).await?;
    let invite_url =
        app::sign_in::invite(&state, auth.tenant(), &member, &tenant.settings.name).await?;
    Ok(HttpResponse::Created().json(CreatedUser {
        user: super::user_dto(&member),
        invite_url,
    }))
}

/// Sends an invited member a new invitation link (the old ones keep
/// working until used or expired).
#[utoipa::path(tag = "users", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Sent", body = CreatedUser), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[post("/users/{id}/invitation")]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<CreatedUser>, ApiError> {
    let member = state.store.member(auth.tenant(), UserId(*id)).await?;
    ensure_can_manage_member(&auth.actor(), member.role.facts())?;
    if member.status != MemberStatus::Invited {
        return Err(ApiError::conflict(
            "not_invited",
            "This person has already joined the tenant.",
        ));
    }
    let tenant = state.store.tenant(auth.tenant()).await?;
    let invite_url =
        app::sign_in::invite(&state, auth.tenant(), &member, &tenant.settings.name).await?;
    Ok(web::Json(CreatedUser {
        user: super::user_dto(&member),
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

/// Renames a member as this tenant shows them, or gives them another
/// role. The person's own account name (their choice, seen in their other
/// tenants) never changes here. Only owners change owners; nobody changes
/// a member whose role holds more than they do, nor grants more than they
/// hold; the last owner keeps the role.
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
    let edit = members::MemberEdit {
        name: body.name,
        role: body.role_id.map(RoleId),
    };
    let member = members::update(&state, auth.tenant(), &changer(&auth), UserId(*id), edit).await?;
    Ok(web::Json(super::user_dto(&member)))
}

async fn set_status(
    state: &AppState,
    auth: &Authenticated,
    user_id: UserId,
    status: MemberStatus,
) -> Result<User, ApiError> {
    let member = members::set_status(state, auth.tenant(), &changer(auth), user_id, status).await?;
    Ok(super::user_dto(&member))
}

/// The signed-in member as the one making a change.
fn changer(auth: &Authenticated) -> members::Changer<'_> {
    members::Changer {
        user: auth.user_id(),
        actor: auth.actor(),
    }
}

/// Stops a member from signing in to this tenant; their sessions end at once.
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

/// Removes a member from this tenant (or withdraws their invitation).
/// Their account and other tenants stay.
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

/// A member's sign-ins into this tenant, newest first. Sign-ins into
/// their other tenants, and attempts on the account, are not shown.
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

//! Roles of the current tenant and the permission matrix.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use contract::roles::{CreateRoleRequest, Role, UpdateRoleRequest};
use contract::users::User;
use contract::Page;
use domain::permissions::{ensure_can_define_role, Action, Module, PermissionSet};
use domain::team::check_role_text;
use domain::RoleId;
use store::MemberFilter;
use uuid::Uuid;

use super::docs::{Conflict, Forbidden, Invalid, NotFound, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::PageParams;
use crate::registry::{perm, Routes};
use crate::state::AppState;

/// The role routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Roles, Action::View), list_roles)
        .add(perm(Module::Roles, Action::Create), create_role)
        .add(perm(Module::Roles, Action::View), get_role)
        .add(perm(Module::Roles, Action::Edit), update_role)
        .add(perm(Module::Roles, Action::Delete), delete_role)
        .add(perm(Module::Roles, Action::View), role_users);
}

fn parse_permissions(names: &[String]) -> Result<PermissionSet, ApiError> {
    PermissionSet::parse(names.iter().map(String::as_str))
        .map(PermissionSet::with_implied_view)
        .map_err(|e| ApiError::field("permissions", &e.to_string()))
}

fn name_taken(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::Conflict("already_exists") => {
            ApiError::conflict("role_name_taken", "Another role already has this name.")
        }
        other => other.into(),
    }
}

/// Roles of the tenant, built-in first, with how many members hold each.
#[utoipa::path(tag = "roles", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<Role>), Unauthenticated, Forbidden,
))]
#[get("/roles")]
pub async fn list_roles(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Page<Role>>, ApiError> {
    let roles = state.store.list_roles(auth.tenant()).await?;
    Ok(web::Json(Page {
        total: Some(roles.len() as u64),
        items: roles.iter().map(|(r, n)| super::role_dto(r, *n)).collect(),
        next_cursor: None,
    }))
}

/// Creates a custom role. Writing to a module implies viewing it.
#[utoipa::path(tag = "roles", request_body = CreateRoleRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = Role), Unauthenticated, Forbidden, Invalid, Conflict,
))]
#[post("/roles")]
pub async fn create_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, description) = check_role_text(&body.name, &body.description)?;
    let permissions = parse_permissions(&body.permissions)?;
    ensure_can_define_role(&auth.actor(), None, &permissions)?;
    let role = state
        .store
        .create_role(auth.tenant(), &name, &description, &permissions)
        .await
        .map_err(name_taken)?;
    Ok(HttpResponse::Created().json(super::role_dto(&role, 0)))
}

/// One role.
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Role), Unauthenticated, Forbidden, NotFound,
))]
#[get("/roles/{id}")]
pub async fn get_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<web::Json<Role>, ApiError> {
    let role = state.store.role(auth.tenant(), RoleId(*id)).await?;
    let count = state.store.role_user_count(auth.tenant(), role.id).await?;
    Ok(web::Json(super::role_dto(&role, count)))
}

/// Changes a custom role; members holding it get the new permissions at once.
/// Built-in roles answer 409.
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path)), request_body = UpdateRoleRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Role), Unauthenticated, Forbidden, NotFound, Invalid, Conflict,
))]
#[patch("/roles/{id}")]
pub async fn update_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: Body<UpdateRoleRequest>,
) -> Result<web::Json<Role>, ApiError> {
    let current = state.store.role(auth.tenant(), RoleId(*id)).await?;
    let body = body.into_inner();
    let permissions = match &body.permissions {
        Some(names) => parse_permissions(names)?,
        None => current.permissions.clone(),
    };
    ensure_can_define_role(&auth.actor(), Some(current.facts()), &permissions)?;
    let (name, description) = check_role_text(
        body.name.as_deref().unwrap_or(&current.name),
        body.description.as_deref().unwrap_or(&current.description),
    )?;
    let role = state
        .store
        .update_role(auth.tenant(), current.id, &name, &description, &permissions)
        .await
        .map_err(name_taken)?;
    let count = state.store.role_user_count(auth.tenant(), role.id).await?;
    Ok(web::Json(super::role_dto(&role, count)))
}

/// Deletes a custom role nobody holds (409 otherwise).
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path)), security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound, Conflict,
))]
#[delete("/roles/{id}")]
pub async fn delete_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.store.delete_role(auth.tenant(), RoleId(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Members holding a role.
#[utoipa::path(tag = "roles", params(("id" = Uuid, Path), PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<User>), Unauthenticated, Forbidden, NotFound, Invalid,
))]
#[get("/roles/{id}/users")]
pub async fn role_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let role = state.store.role(auth.tenant(), RoleId(*id)).await?;
    let filter = MemberFilter {
        role_id: Some(role.id),
        ..MemberFilter::default()
    };
    Ok(web::Json(
        super::users::members_page(&state, &auth, &filter, page.request()?).await?,
    ))
}

//! The signed-in person: who and where they are, their profile, their password.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use app::sign_in;
use contract::roles::PermissionCatalog;
use contract::users::{ChangePasswordRequest, Me, Profile, UpdateProfileRequest};
use domain::account::{check_display_name, FieldErrors};
use domain::permissions::{Action, Module};

use super::docs::{Invalid, RateLimited, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;

/// The signed-in person's routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(Access::SignedIn, get_me)
        .add(Access::SignedIn, update_profile)
        .add(Access::SignedIn, change_password)
        .add(Access::SignedIn, permission_catalog);
}

/// Who is signed in, in which tenant, with which role and permissions.
#[utoipa::path(tag = "me", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Me), Unauthenticated,
))]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Me>, ApiError> {
    let tenant = state.store.tenant(auth.tenant()).await?;
    let tenants = state.store.tenants_of(auth.user_id()).await?;
    let member = &auth.member;
    Ok(web::Json(Me {
        user_id: member.user.id.0,
        profile: super::profile_dto(&member.user),
        tenant: super::tenant_dto(&tenant),
        role: super::role_ref(&member.role),
        permissions: member
            .role
            .permissions
            .iter()
            .map(|p| p.to_string())
            .collect(),
        modules: member
            .role
            .permissions
            .viewable_modules()
            .into_iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        instance_admin: member.user.is_instance_admin,
        tenants: tenants
            .iter()
            .map(|(t, r)| super::tenant_summary(t, r))
            .collect(),
    }))
}

/// Updates the signed-in person's name and preferences; omitted fields stay.
#[utoipa::path(tag = "me", request_body = UpdateProfileRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Profile), Unauthenticated, Invalid,
))]
#[patch("/me/profile")]
pub async fn update_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<UpdateProfileRequest>,
) -> Result<web::Json<Profile>, ApiError> {
    let body = body.into_inner();
    let user = &auth.member.user;
    let mut errors = FieldErrors::default();
    let name = match body.name.as_deref() {
        Some(name) => check_display_name(name)
            .map_err(|m| errors.add("name", m))
            .ok(),
        None => Some(user.name.clone()),
    };
    let profile = errors.take(user.profile.updated(
        body.language.as_deref(),
        body.sounds.as_ref(),
        body.chat_sync,
    ));
    let (Some(name), Some(profile)) = (name, profile) else {
        return Err(errors.into());
    };
    let updated = state.store.update_profile(user.id, &name, &profile).await?;
    Ok(web::Json(super::profile_dto(&updated)))
}

/// Changes the signed-in person's password. Every session, this one
/// included, is signed out afterwards. Wrong current passwords slow down
/// further tries as wrong sign-ins do, so a stolen access token cannot be
/// used to guess the password.
#[utoipa::path(tag = "me", request_body = ChangePasswordRequest, security(("bearer_jwt" = [])), responses(
    (status = 204, description = "Password changed; sign in again"), Unauthenticated, Invalid, RateLimited,
))]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: Body<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    sign_in::change_password(
        &state,
        super::auth::keys(&state),
        auth.user_id(),
        body.current_password,
        body.new_password,
        super::auth::client_ip(&state, &req),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every module and action a role can be given.
#[utoipa::path(tag = "roles", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = PermissionCatalog), Unauthenticated,
))]
#[get("/permissions")]
pub async fn permission_catalog(_auth: Authenticated) -> web::Json<PermissionCatalog> {
    web::Json(PermissionCatalog {
        modules: Module::ALL.iter().map(|m| m.as_str().to_owned()).collect(),
        actions: Action::ALL.iter().map(|a| a.as_str().to_owned()).collect(),
    })
}

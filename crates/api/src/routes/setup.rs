//! First run: while no account exists, create the first tenant and its owner.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use contract::auth::{LoginResponse, SetupRequest, SetupStatus};
use domain::account::{check_display_name, check_email, check_password, FieldErrors};
use domain::tenant::TenantSettings;
use store::NewAccount;

use super::auth::{issue_session, throttle_password_work};
use super::docs::{Conflict, Invalid, RateLimited};
use crate::auth::password;
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;

/// The first-run routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(Access::Public, setup_status)
        .add(Access::Public, run_setup);
}

/// Whether the instance still needs its first owner.
#[utoipa::path(tag = "setup", responses((status = 200, description = "Success", body = SetupStatus)))]
#[get("/setup")]
pub async fn setup_status(state: web::Data<AppState>) -> Result<web::Json<SetupStatus>, ApiError> {
    Ok(web::Json(SetupStatus {
        setup_required: !state.store.has_users().await?,
    }))
}

/// The first tenant's settings and its owner's name and email, every field
/// checked at once.
fn checked(body: &SetupRequest) -> Result<(TenantSettings, String, String), ApiError> {
    let mut errors = FieldErrors::default();
    let settings = errors.take(
        TenantSettings::new(
            &body.tenant_name,
            &body.company_name,
            &body.time_zone,
            &body.default_country,
        )
        .map_err(|e| e.renamed("name", "tenant_name")),
    );
    let name = check_display_name(&body.owner_name)
        .map_err(|m| errors.add("owner_name", m))
        .ok();
    let email = check_email(&body.owner_email)
        .map_err(|m| errors.add("owner_email", m))
        .ok();
    if let Err(m) = check_password(&body.owner_password) {
        errors.add("owner_password", m);
    }
    match (settings, name, email, errors.is_empty()) {
        (Some(settings), Some(name), Some(email), true) => Ok((settings, name, email)),
        _ => Err(errors.into()),
    }
}

/// Creates the first tenant and its owner, who also administers the instance,
/// and signs them in. Answers 409 once any account exists.
#[utoipa::path(tag = "setup", request_body = SetupRequest, responses(
    (status = 201, description = "Set up and signed in", body = LoginResponse),
    Invalid, Conflict, RateLimited,
))]
#[post("/setup")]
pub async fn run_setup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<SetupRequest>,
) -> Result<HttpResponse, ApiError> {
    throttle_password_work(&state, &req)?;
    let body = body.into_inner();
    let (settings, name, email) = checked(&body)?;
    if state.store.has_users().await? {
        return Err(store::StoreError::Conflict("setup_done").into());
    }
    let hash = password::hash(body.owner_password).await?;
    let account = NewAccount {
        email,
        name,
        password_hash: Some(hash),
    };
    let (tenant, user_id) = state.store.setup_instance(&settings, &account).await?;
    tracing::info!(tenant = %tenant.id, "instance set up");
    let tenants = state.store.tenants_of(user_id).await?;
    let session = issue_session(&state, user_id, tenant.id, &req).await?;
    let summaries = tenants
        .iter()
        .map(|(t, r)| super::tenant_summary(t, r))
        .collect();
    Ok(HttpResponse::Created().json(LoginResponse {
        tenants: summaries,
        session: Some(session),
        selection_token: None,
    }))
}

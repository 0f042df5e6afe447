//! The current tenant's settings, and the instance's tenants for its administrators.

use actix_web::{get, patch, post, web, HttpResponse};
use contract::tenants::{CreateTenantRequest, CreatedTenant, Tenant, UpdateTenantRequest};
use contract::Page;
use domain::permissions::{Action, Module};
use domain::tenant::TenantSettings;

use super::docs::{Forbidden, Invalid, Unauthenticated};
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::pagination::{next_cursor, PageParams};
use crate::registry::{perm, Access, Routes};
use crate::state::AppState;

/// The tenant routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(perm(Module::Settings, Action::View), get_current_tenant)
        .add(perm(Module::Settings, Action::Edit), update_current_tenant)
        .add(Access::InstanceAdmin, list_tenants)
        .add(Access::InstanceAdmin, create_tenant);
}

/// The current tenant's settings.
#[utoipa::path(tag = "tenants", security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Tenant), Unauthenticated, Forbidden,
))]
#[get("/tenant")]
pub async fn get_current_tenant(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<web::Json<Tenant>, ApiError> {
    Ok(web::Json(super::tenant_dto(
        &state.store.tenant(auth.tenant()).await?,
    )))
}

/// Changes the current tenant's name, company, time zone or default country.
#[utoipa::path(tag = "tenants", request_body = UpdateTenantRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Tenant), Unauthenticated, Forbidden, Invalid,
))]
#[patch("/tenant")]
pub async fn update_current_tenant(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<UpdateTenantRequest>,
) -> Result<web::Json<Tenant>, ApiError> {
    let current = state.store.tenant(auth.tenant()).await?.settings;
    let body = body.into_inner();
    let settings = TenantSettings::new(
        body.name.as_deref().unwrap_or(&current.name),
        body.company_name
            .as_deref()
            .unwrap_or(&current.company_name),
        body.time_zone.as_deref().unwrap_or(&current.time_zone),
        body.default_country
            .as_deref()
            .unwrap_or(&current.default_country),
    )?;
    let updated = state.store.update_tenant(auth.tenant(), &settings).await?;
    Ok(web::Json(super::tenant_dto(&updated)))
}

/// Every tenant on this instance (instance administrators only).
#[utoipa::path(tag = "tenants", params(PageParams), security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Success", body = Page<Tenant>), Unauthenticated, Forbidden, Invalid,
))]
#[get("/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    _auth: Authenticated,
    query: web::Query<PageParams>,
) -> Result<web::Json<Page<Tenant>>, ApiError> {
    let page = query.request()?;
    let (tenants, total) = state.store.list_all_tenants(page).await?;
    Ok(web::Json(Page {
        next_cursor: next_cursor(&tenants, page.limit, |t| t.id.0),
        items: tenants.iter().map(super::tenant_dto).collect(),
        total: Some(total),
    }))
}

/// Creates a tenant for another business and invites `owner_email` as
/// its first owner; they join by accepting the invitation. Naming yourself
/// makes you its owner at once.
#[utoipa::path(tag = "tenants", request_body = CreateTenantRequest, security(("bearer_jwt" = [])), responses(
    (status = 201, description = "Created", body = CreatedTenant), Unauthenticated, Forbidden, Invalid,
))]
#[post("/tenants")]
pub async fn create_tenant(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: Body<CreateTenantRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let draft = app::tenants::TenantDraft {
        name: body.name,
        company_name: body.company_name,
        time_zone: body.time_zone,
        default_country: body.default_country,
        owner_name: body.owner_name,
        owner_email: body.owner_email,
    };
    let created = app::tenants::create(&state, &auth.member.user.email, &draft).await?;
    Ok(HttpResponse::Created().json(CreatedTenant {
        tenant: super::tenant_dto(&created.tenant),
        owner_id: created.owner.0,
        invite_url: created.invite_url,
    }))
}

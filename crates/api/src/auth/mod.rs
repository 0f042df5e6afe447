//! Who is calling: JWTs, passwords, opaque tokens, sign-in throttling, and
//! the extractor that authenticates a request and applies the route's access rule.

pub use app::credentials::{jwt, limiter, password, tokens};

use std::future::{ready, Ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use domain::permissions::Actor;
use domain::team::{Member, MemberStatus};
use domain::{TenantId, UserId};

use crate::error::ApiError;
use crate::registry::{Access, AccessTable};
use crate::state::AppState;

/// A signed-in member of the token's tenant who passed the route's access rule.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub member: Member,
}

impl Authenticated {
    pub fn tenant(&self) -> TenantId {
        self.member.tenant_id
    }

    pub fn user_id(&self) -> UserId {
        self.member.user.id
    }

    pub fn actor(&self) -> Actor<'_> {
        Actor {
            is_owner: self.member.role.is_owner(),
            permissions: &self.member.role.permissions,
        }
    }
}

/// The bearer token of a request, if it carries one.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Runs before any extractor, so a caller without the right token learns
/// nothing about a route's input rules: 401/403 come first. Routes outside
/// the API (SPA files, Swagger UI) pass through untouched.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    let Some(pattern) = req.match_pattern() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    // The table the areas registered their routes into (see `registry`).
    let table = req
        .app_data::<web::Data<AccessTable>>()
        .cloned()
        .unwrap_or_default();
    let rule = match table.rule_for(req.method().as_str(), &pattern) {
        Some(rule) => rule,
        None if !table.methods_for(&pattern).is_empty() => {
            let err = ApiError::MethodNotAllowed {
                allow: table.methods_for(&pattern).join(", "),
            };
            return Ok(req.error_response(err).map_into_right_body());
        }
        None if pattern.starts_with("/api/v1") => {
            tracing::error!(%pattern, "route has no access rule; refusing");
            let err = ApiError::forbidden("route_not_declared", "This route is not open.");
            return Ok(req.error_response(err).map_into_right_body());
        }
        None => Access::Public,
    };
    let signed_link = matches!(rule, Access::PermissionOrSignedLink(_))
        && req
            .query_string()
            .split('&')
            .any(|pair| pair.starts_with("sig="));
    if rule == Access::Public || rule == Access::Ticket || signed_link {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    match authenticate(req.request(), rule).await {
        Ok(auth) => {
            req.extensions_mut().insert(auth);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(err) => Ok(req.error_response(err).map_into_right_body()),
    }
}

async fn authenticate(req: &HttpRequest, rule: Access) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let token = bearer_token(req).ok_or_else(|| {
        ApiError::unauthorized("Sign in and send the access token as a Bearer token.")
    })?;
    let claims = state
        .jwt
        .verify_access(token)
        .map_err(|_| ApiError::unauthorized("The access token is invalid or expired."))?;
    let member = match state.store.member(claims.tenant, claims.user).await {
        Ok(member) if member.status == MemberStatus::Active && member.session == claims.session => {
            member
        }
        // Signed out, password or role changed, deactivated or removed.
        Ok(_) | Err(store::StoreError::NotFound) => {
            return Err(ApiError::unauthorized(
                "This session has ended. Sign in again.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let allowed = match rule {
        Access::Public | Access::SignedIn => true,
        Access::Permission(p) | Access::PermissionOrSignedLink(p) => {
            member.role.permissions.contains(p)
        }
        Access::InstanceAdmin => member.user.is_instance_admin,
        Access::Ticket => false,
    };
    if !allowed {
        let detail = match rule {
            Access::Permission(p) | Access::PermissionOrSignedLink(p) => {
                format!("Your role lacks the `{p}` permission.")
            }
            _ => "Only instance administrators may do this.".to_owned(),
        };
        return Err(ApiError::Forbidden {
            code: "forbidden",
            detail,
        });
    }
    Ok(Authenticated { member })
}

/// Handlers take this to get the caller the middleware authenticated.
impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Authenticated>()
                .cloned()
                .ok_or_else(|| {
                    ApiError::unauthorized("Sign in and send the access token as a Bearer token.")
                }),
        )
    }
}

//! Sign-in, tenant choice and switching, token refresh, sign-out, password
//! reset and invitations: thin adapters over `app::sign_in`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use app::sign_in::{self, Client, IssuedSession, SignInKeys};
use contract::auth::{
    AcceptInvitationRequest, Accepted, ForgotPasswordRequest, Invitation, InvitationRequest,
    LoginRequest, LoginResponse, RefreshRequest, ResetPasswordRequest, SelectTenantRequest,
    Session, SwitchTenantRequest,
};
use domain::TenantId;

use super::docs::{Invalid, RateLimited, Unauthenticated};
use super::tenant_summary;
use crate::auth::Authenticated;
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;

/// The sign-in routes, each with who may call it.
pub fn configure(routes: &mut Routes) {
    routes
        .add(Access::Public, login)
        .add(Access::Public, select_tenant)
        .add(Access::SignedIn, switch_tenant)
        .add(Access::Public, refresh)
        .add(Access::Public, logout)
        .add(Access::Public, forgot_password)
        .add(Access::Public, reset_password)
        .add(Access::Public, invitation)
        .add(Access::Public, accept_invitation);
}

/// The token keys and the sign-in throttle of this process.
pub fn keys(state: &AppState) -> SignInKeys<'_> {
    SignInKeys {
        jwt: &state.jwt,
        limiter: &state.login_limiter,
    }
}

/// Where the request comes from (through trusted proxies, see
/// `client_ip`), with the browser's user agent for the login history.
fn client_with_agent<'r>(state: &AppState, req: &'r HttpRequest) -> Client<'r> {
    Client {
        ip: client_ip(state, req),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    }
}

/// The client's address (through trusted proxies, see `client_ip`).
pub fn client_ip(state: &AppState, req: &HttpRequest) -> std::net::IpAddr {
    state.http.trusted_proxies.client_ip(req)
}

/// Counts a request that will hash a password against its client address,
/// before any hashing: 429 once the address used its share.
pub fn throttle_password_work(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    Ok(sign_in::throttle_password_work(
        keys(state),
        client_ip(state, req),
    )?)
}

/// Tokens for `user` in `tenant` (see `app::sign_in::issue_session`).
pub async fn issue_session(
    state: &AppState,
    user: domain::UserId,
    tenant: TenantId,
    req: &HttpRequest,
) -> Result<Session, ApiError> {
    let client = client_with_agent(state, req);
    let issued = sign_in::issue_session(state, &state.jwt, user, tenant, None, client).await?;
    Ok(session_dto(issued))
}

pub fn session_dto(s: IssuedSession) -> Session {
    Session {
        access_token: s.access_token,
        token_type: "Bearer".into(),
        expires_in: s.expires_in,
        refresh_token: s.refresh_token,
        tenant: tenant_summary(&s.tenant, &s.role),
    }
}

/// Signs in with email and password. One tenant: the session comes back at
/// once. Several: choose one with the `selection_token` at `/auth/tenant`.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = LoginResponse),
    (status = 401, description = "Wrong email or password (the same answer for both)", body = contract::Problem, content_type = "application/problem+json"),
    (status = 403, description = "The account belongs to no active tenant", body = contract::Problem, content_type = "application/problem+json"),
    Invalid, RateLimited,
))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let body = body.into_inner();
    let client = client_with_agent(&state, &req);
    let signed = sign_in::sign_in(&state, keys(&state), &body.email, body.password, client).await?;
    Ok(web::Json(LoginResponse {
        tenants: signed
            .tenants
            .iter()
            .map(|(t, r)| tenant_summary(t, r))
            .collect(),
        session: signed.session.map(session_dto),
        selection_token: signed.selection_token,
    }))
}

/// Chooses the tenant after signing in with several.
#[utoipa::path(tag = "auth", request_body = SelectTenantRequest, responses(
    (status = 200, description = "Signed in to the tenant", body = Session),
    (status = 401, description = "The selection token is invalid or expired", body = contract::Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an active member of that tenant", body = contract::Problem, content_type = "application/problem+json"),
    Invalid,
))]
#[post("/auth/tenant")]
pub async fn select_tenant(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<SelectTenantRequest>,
) -> Result<web::Json<Session>, ApiError> {
    let client = client_with_agent(&state, &req);
    let tenant = TenantId(body.tenant_id);
    let issued =
        sign_in::select_tenant(&state, &state.jwt, &body.selection_token, tenant, client).await?;
    Ok(web::Json(session_dto(issued)))
}

/// Switches the signed-in person to another of their tenants without a new sign-in.
#[utoipa::path(tag = "auth", request_body = SwitchTenantRequest, security(("bearer_jwt" = [])), responses(
    (status = 200, description = "Signed in to the other tenant", body = Session),
    (status = 403, description = "Not an active member of that tenant", body = contract::Problem, content_type = "application/problem+json"),
    Unauthenticated, Invalid,
))]
#[post("/auth/switch-tenant")]
pub async fn switch_tenant(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Authenticated,
    body: Body<SwitchTenantRequest>,
) -> Result<web::Json<Session>, ApiError> {
    let client = client_with_agent(&state, &req);
    let (tenant, old) = (TenantId(body.tenant_id), body.refresh_token.as_deref());
    let issued =
        sign_in::switch_tenant(&state, &state.jwt, auth.user_id(), tenant, old, client).await?;
    Ok(web::Json(session_dto(issued)))
}

/// Trades a refresh token for new tokens. Each refresh token works once;
/// presenting a spent one signs that session out everywhere.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = Session),
    (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = contract::Problem, content_type = "application/problem+json"),
    Invalid,
))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Body<RefreshRequest>,
) -> Result<web::Json<Session>, ApiError> {
    let issued = sign_in::refresh(&state, &state.jwt, &body.refresh_token).await?;
    Ok(web::Json(session_dto(issued)))
}

/// Signs out: the refresh token and every token rotated from it stop
/// working, and so do the person's access tokens and event streams in this
/// tenant; their other devices continue through their own refresh tokens.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Signed out"),
    Invalid,
))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Body<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sign_in::sign_out(&state, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

const FORGOT_ANSWER: &str =
    "If an account uses this address, a link to choose a new password is on its way. It works for 30 minutes.";

/// Sends a password-reset link valid 30 minutes. The answer is the same
/// whether or not the address has an account.
#[utoipa::path(tag = "auth", request_body = ForgotPasswordRequest, responses(
    (status = 202, description = "Accepted (whether or not the address exists)", body = Accepted),
    Invalid, RateLimited,
))]
#[post("/auth/forgot-password")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&state, &req);
    sign_in::request_password_reset(&state, keys(&state), &body.email, ip)?;
    Ok(HttpResponse::Accepted().json(Accepted {
        message: FORGOT_ANSWER.into(),
    }))
}

/// What an invitation link is for: the tenant, and whether the account
/// accepts by signing in (it has a password) or by choosing one.
#[utoipa::path(tag = "auth", request_body = InvitationRequest, responses(
    (status = 200, description = "A pending invitation", body = Invitation),
    Invalid,
))]
#[post("/auth/invitation")]
pub async fn invitation(
    state: web::Data<AppState>,
    body: Body<InvitationRequest>,
) -> Result<web::Json<Invitation>, ApiError> {
    let pending = sign_in::invitation(&state, &body.token).await?;
    Ok(web::Json(Invitation {
        tenant_name: pending.tenant_name,
        email: pending.member.user.email.clone(),
        name: pending.member.name().to_owned(),
        has_password: pending.member.user.has_password,
    }))
}

/// Accepts an invitation and signs in to its tenant. An account without
/// a password chooses it (and its name) here; an account with one proves it
/// is theirs with that password. The link works once; the membership is
/// active only from now on.
#[utoipa::path(tag = "auth", request_body = AcceptInvitationRequest, responses(
    (status = 200, description = "Joined and signed in", body = Session),
    (status = 409, description = "The account got a password meanwhile: sign in with it", body = contract::Problem, content_type = "application/problem+json"),
    Invalid, RateLimited,
))]
#[post("/auth/accept-invitation")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<AcceptInvitationRequest>,
) -> Result<web::Json<Session>, ApiError> {
    let body = body.into_inner();
    let client = client_with_agent(&state, &req);
    let name = body.name.as_deref();
    let issued = sign_in::accept_invitation(
        &state,
        keys(&state),
        &body.token,
        name,
        body.password,
        client,
    )
    .await?;
    Ok(web::Json(session_dto(issued)))
}

/// Sets a new password with a reset token. Each token works once, only for
/// resets, and dies with any password change; every existing session of the
/// account is signed out.
#[utoipa::path(tag = "auth", request_body = ResetPasswordRequest, responses(
    (status = 200, description = "Password set", body = Accepted),
    Invalid, RateLimited,
))]
#[post("/auth/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<ResetPasswordRequest>,
) -> Result<web::Json<Accepted>, ApiError> {
    let body = body.into_inner();
    let ip = client_ip(&state, &req);
    sign_in::reset_password(&state, keys(&state), &body.token, body.new_password, ip).await?;
    Ok(web::Json(Accepted {
        message: "Your password is set. Sign in with it now.".into(),
    }))
}

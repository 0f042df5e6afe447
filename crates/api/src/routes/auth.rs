//! Sign-in, tenant choice and switching, token refresh, sign-out, password reset.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use contract::auth::{
    AcceptInvitationRequest, Accepted, ForgotPasswordRequest, Invitation, InvitationRequest,
    LoginRequest, LoginResponse, RefreshRequest, ResetPasswordRequest, SelectTenantRequest,
    Session, SwitchTenantRequest,
};
use domain::account::{
    check_display_name, check_email, check_password, normalize_email, FieldErrors,
};
use domain::team::{Member, MemberStatus, SessionVersion};
use domain::{TenantId, UserId};
use store::{PasswordTokenPurpose, RefreshOutcome};

use super::docs::{Invalid, RateLimited, Unauthenticated};
use super::tenant_summary;
use crate::auth::jwt::ACCESS_TTL_SECS;
use crate::auth::{password, tokens, Authenticated};
use crate::body::Body;
use crate::error::ApiError;
use crate::registry::{Access, Routes};
use crate::state::AppState;
use contract::tenants::TenantSummary;

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

pub const REFRESH_TTL_DAYS: i64 = 30;
pub const RESET_TTL_MINUTES: i64 = 30;
pub const INVITE_TTL_DAYS: i64 = 7;

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        detail: "The email or password is not correct.".into(),
    }
}

/// Tokens for `user` in `tenant`, starting a new refresh family. With
/// `expected_account`, only while the account's session version is still
/// that one (a tenant-selection token's). Recorded as a sign-in into that
/// tenant (what its login history shows).
pub async fn issue_session(
    state: &AppState,
    user: UserId,
    tenant: TenantId,
    expected_account: Option<i64>,
    req: &HttpRequest,
) -> Result<Session, ApiError> {
    let not_a_member = || {
        ApiError::forbidden(
            "not_a_member",
            "You are not an active member of that tenant.",
        )
    };
    let tenants = state.store.tenants_of(user).await?;
    let Some((t, role)) = tenants.iter().find(|(t, _)| t.id == tenant) else {
        return Err(not_a_member());
    };
    let refresh_token = tokens::generate();
    let expires = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    let version = state
        .store
        .start_session(
            tenant,
            user,
            &tokens::digest(&refresh_token),
            expires,
            expected_account,
        )
        .await?
        .ok_or_else(not_a_member)?;
    state.store.touch_last_login(tenant, user).await?;
    let (account, _) = state.store.user_with_hash(user).await?;
    state
        .store
        .record_login(
            Some(tenant),
            Some(user),
            &account.email,
            Some(&client_ip(state, req).to_string()),
            user_agent(req),
            true,
        )
        .await?;
    session(state, user, tenant_summary(t, role), refresh_token, version)
}

/// A fresh access token for `user` in `summary`'s tenant, with `refresh_token`.
fn session(
    state: &AppState,
    user: UserId,
    summary: TenantSummary,
    refresh_token: String,
    version: SessionVersion,
) -> Result<Session, ApiError> {
    let access_token = state
        .jwt
        .issue_access(user, TenantId(summary.id), version)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Session {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECS.unsigned_abs(),
        refresh_token,
        tenant: summary,
    })
}

/// The client's address (through trusted proxies, see `client_ip`).
pub fn client_ip(state: &AppState, req: &HttpRequest) -> std::net::IpAddr {
    state.http.trusted_proxies.client_ip(req)
}

/// Counts a request that will hash a password against its client address,
/// before any hashing: 429 once the address used its share.
pub fn throttle_password_work(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    state
        .login_limiter
        .check_address(client_ip(state, req))
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })
}

fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
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
    let ip = client_ip(&state, &req);
    let email = normalize_email(&body.email).unwrap_or_else(|| body.email.trim().to_lowercase());
    state
        .login_limiter
        .check(&email, ip)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let found = state.store.user_by_email(&email).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let ok = password::verify(body.password, hash).await?;
    if ok {
        state.login_limiter.record_success(&email, ip);
    } else {
        state.login_limiter.record_failure(&email, ip);
    }
    state
        .store
        .record_login(
            None,
            user.as_ref().map(|u| u.id),
            &email,
            Some(&ip.to_string()),
            user_agent(&req),
            ok,
        )
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(bad_credentials());
    };
    let tenants = state.store.tenants_of(user.id).await?;
    let summaries: Vec<_> = tenants.iter().map(|(t, r)| tenant_summary(t, r)).collect();
    match tenants.as_slice() {
        [] => Err(ApiError::forbidden(
            "no_tenant",
            "Your account is not active in any tenant. Ask an administrator to add you.",
        )),
        [(only, _)] => {
            let session = issue_session(&state, user.id, only.id, None, &req).await?;
            Ok(web::Json(LoginResponse {
                tenants: summaries,
                session: Some(session),
                selection_token: None,
            }))
        }
        _ => {
            let version = state.store.account_session_version(user.id).await?;
            let token = state
                .jwt
                .issue_selection(user.id, version)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(web::Json(LoginResponse {
                tenants: summaries,
                session: None,
                selection_token: Some(token),
            }))
        }
    }
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
    let expired = || ApiError::unauthorized("The sign-in has expired. Sign in again.");
    let claims = state
        .jwt
        .verify_selection(&body.selection_token)
        .map_err(|_| expired())?;
    // A password change since the sign-in ends the choice too.
    if state.store.account_session_version(claims.user).await? != claims.account_version {
        return Err(expired());
    }
    Ok(web::Json(
        issue_session(
            &state,
            claims.user,
            TenantId(body.tenant_id),
            Some(claims.account_version),
            &req,
        )
        .await?,
    ))
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
    let body = body.into_inner();
    let session =
        issue_session(&state, auth.user_id(), TenantId(body.tenant_id), None, &req).await?;
    if let Some(old) = body.refresh_token {
        state
            .store
            .revoke_refresh_family(&tokens::digest(&old))
            .await?;
    }
    Ok(web::Json(session))
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
    let new_refresh = tokens::generate();
    let expires = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    let outcome = state
        .store
        .rotate_refresh_token(
            &tokens::digest(&body.refresh_token),
            &tokens::digest(&new_refresh),
            expires,
        )
        .await?;
    let (tenant, user, version) = match outcome {
        RefreshOutcome::Rotated {
            tenant,
            user,
            session,
            ..
        } => (tenant, user, session),
        RefreshOutcome::Reused => {
            tracing::warn!("a spent refresh token was presented; its session family is revoked");
            return Err(ApiError::Unauthorized {
                code: "refresh_reused",
                detail: "This session was signed out for safety. Sign in again.".into(),
            });
        }
        RefreshOutcome::Invalid => {
            return Err(ApiError::Unauthorized {
                code: "invalid_refresh_token",
                detail: "The session has expired. Sign in again.".into(),
            })
        }
    };
    let tenants = state.store.tenants_of(user).await?;
    let Some((t, role)) = tenants.iter().find(|(t, _)| t.id == tenant) else {
        state
            .store
            .revoke_refresh_family(&tokens::digest(&new_refresh))
            .await?;
        return Err(ApiError::unauthorized(
            "Your access to this tenant has ended.",
        ));
    };
    Ok(web::Json(session(
        &state,
        user,
        tenant_summary(t, role),
        new_refresh,
        version,
    )?))
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
    if let Some((tenant, user)) = state
        .store
        .sign_out(&tokens::digest(&body.refresh_token))
        .await?
    {
        state.live.sessions_changed(user, Some(tenant)).await;
    }
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
    let accepted = HttpResponse::Accepted().json(Accepted {
        message: FORGOT_ANSWER.into(),
    });
    let email = check_email(&body.email).map_err(|m| ApiError::field("email", m))?;
    state
        .login_limiter
        .check_reset_link(&email, client_ip(&state, &req))
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    // The lookup and sending run after answering, so timing reveals nothing.
    let state = state.into_inner();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&state, &email).await {
            tracing::error!(error = %e, "password reset could not be prepared");
        }
    });
    Ok(accepted)
}

async fn send_reset_link(state: &AppState, email: &str) -> Result<(), ApiError> {
    let Some((user, _)) = state.store.user_by_email(email).await? else {
        return Ok(());
    };
    let token = tokens::generate();
    let expires = Utc::now() + Duration::minutes(RESET_TTL_MINUTES);
    state
        .store
        .insert_password_token(
            user.id,
            &tokens::digest(&token),
            PasswordTokenPurpose::Reset,
            None,
            expires,
        )
        .await?;
    let link = format!("{}/reset-password?token={token}", state.settings.public_url);
    let body = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Switchboard account. \
         Open this link within 30 minutes to choose a new one:\n\n{link}\n\n\
         If it was not you, ignore this message; your password stays as it is.\n",
        user.name
    );
    state
        .mailer
        .send(&user.email, "Reset your Switchboard password", &body)
        .await;
    Ok(())
}

/// Issues an invitation into `tenant` (7 days) for an invited member and
/// emails it. The link is answered only when this instance cannot deliver
/// email, for the admin to pass on; it is never logged. The same for a new
/// and an existing account.
pub async fn invite(
    state: &AppState,
    tenant: TenantId,
    member: &Member,
    tenant_name: &str,
) -> Result<Option<String>, ApiError> {
    let token = tokens::generate();
    let expires = Utc::now() + Duration::days(INVITE_TTL_DAYS);
    state
        .store
        .insert_password_token(
            member.user.id,
            &tokens::digest(&token),
            PasswordTokenPurpose::Invite,
            Some(tenant),
            expires,
        )
        .await?;
    let link = format!("{}/accept-invite?token={token}", state.settings.public_url);
    let body = format!(
        "Hello {},\n\nYou have been invited to the tenant \"{tenant_name}\" on Switchboard. \
         Open this link within 7 days to accept:\n\n{link}\n\n\
         If you did not expect this, ignore this message; nothing changes until you accept.\n",
        member.name()
    );
    state
        .mailer
        .send(
            &member.user.email,
            &format!("You are invited to {tenant_name} on Switchboard"),
            &body,
        )
        .await;
    Ok((!state.mailer.delivers()).then_some(link))
}

fn invalid_token() -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_token",
        detail: "This link is invalid, already used or expired. Ask for a new one.".into(),
    }
}

fn invalid_invitation() -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_token",
        detail: "This invitation is invalid, already used, withdrawn or expired. \
                 Ask the tenant for a new one."
            .into(),
    }
}

/// The pending invitation behind `token`: the invited member and the tenant.
async fn pending_invitation(
    state: &AppState,
    token_hash: &str,
) -> Result<(TenantId, Member), ApiError> {
    let token = state
        .store
        .password_token(token_hash, PasswordTokenPurpose::Invite)
        .await?
        .ok_or_else(invalid_invitation)?;
    let tenant = token.tenant.ok_or_else(invalid_invitation)?;
    match state.store.member(tenant, token.user).await {
        Ok(member) if member.status == MemberStatus::Invited => Ok((tenant, member)),
        Ok(_) | Err(store::StoreError::NotFound) => Err(invalid_invitation()),
        Err(e) => Err(e.into()),
    }
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
    let (tenant, member) = pending_invitation(&state, &tokens::digest(&body.token)).await?;
    let invited_to = state.store.tenant(tenant).await?;
    Ok(web::Json(Invitation {
        tenant_name: invited_to.settings.name,
        email: member.user.email.clone(),
        name: member.name().to_owned(),
        has_password: member.user.has_password,
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
    let digest = tokens::digest(&body.token);
    let (tenant, member) = pending_invitation(&state, &digest).await?;
    let ip = client_ip(&state, &req);
    // The same budget as signing in to the account, before any hashing: no
    // password guessing here.
    state
        .login_limiter
        .check(&member.user.email, ip)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let (user, hash) = state.store.user_with_hash(member.user.id).await?;
    let accepted = match hash {
        None => {
            let mut errors = FieldErrors::default();
            let name = check_display_name(body.name.as_deref().unwrap_or(member.name()))
                .map_err(|m| errors.add("name", m))
                .ok();
            if let Err(m) = check_password(&body.password) {
                errors.add("password", m);
            }
            let (Some(name), true) = (name, errors.is_empty()) else {
                return Err(errors.into());
            };
            let hash = password::hash(body.password).await?;
            state
                .store
                .accept_invitation(&digest, tenant, user.id, Some((&hash, &name)))
                .await?
        }
        Some(hash) => {
            if !password::verify(body.password, Some(hash)).await? {
                state.login_limiter.record_failure(&member.user.email, ip);
                state
                    .store
                    .record_login(
                        None,
                        Some(user.id),
                        &user.email,
                        Some(&ip.to_string()),
                        user_agent(&req),
                        false,
                    )
                    .await?;
                return Err(ApiError::field(
                    "password",
                    "This is not your account's password.",
                ));
            }
            state
                .store
                .accept_invitation(&digest, tenant, user.id, None)
                .await?
        }
    };
    if !accepted {
        return Err(invalid_invitation());
    }
    Ok(web::Json(
        issue_session(&state, user.id, tenant, None, &req).await?,
    ))
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
    throttle_password_work(&state, &req)?;
    let body = body.into_inner();
    check_password(&body.new_password).map_err(|m| ApiError::field("new_password", m))?;
    let hash = password::hash(body.new_password).await?;
    let Some(token) = state
        .store
        .consume_password_token(&tokens::digest(&body.token), PasswordTokenPurpose::Reset)
        .await?
    else {
        return Err(invalid_token());
    };
    state.store.set_password(token.user, &hash).await?;
    state.store.revoke_all_sessions(token.user).await?;
    state.live.sessions_changed(token.user, None).await;
    Ok(web::Json(Accepted {
        message: "Your password is set. Sign in with it now.".into(),
    }))
}

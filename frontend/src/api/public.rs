//! Calls that need no session.

use contract::auth::{
    AcceptInvitationRequest, Accepted, ForgotPasswordRequest, Invitation, InvitationRequest,
    LoginRequest, LoginResponse, RefreshRequest, ResetPasswordRequest, SelectTenantRequest,
    Session, SetupRequest, SetupStatus,
};

use super::{decode, expect_ok, send_raw, to_json, ApiError, Verb};

async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let body = to_json(body)?;
    decode(send_raw(Verb::Post, path, Some(&body), None).await?).await
}

pub async fn setup_status() -> Result<SetupStatus, ApiError> {
    decode(send_raw(Verb::Get, "/setup", None, None).await?).await
}

pub async fn setup(req: &SetupRequest) -> Result<LoginResponse, ApiError> {
    post("/setup", req).await
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    post("/auth/login", req).await
}

pub async fn select_tenant(req: &SelectTenantRequest) -> Result<Session, ApiError> {
    post("/auth/tenant", req).await
}

pub async fn refresh(refresh_token: &str) -> Result<Session, ApiError> {
    post(
        "/auth/refresh",
        &RefreshRequest {
            refresh_token: refresh_token.to_string(),
        },
    )
    .await
}

/// Revokes the refresh token. The access token goes along when known, for
/// servers that want to know who signs out; the call never refreshes.
pub async fn logout(refresh_token: &str, access_token: Option<&str>) -> Result<(), ApiError> {
    let body = to_json(&RefreshRequest {
        refresh_token: refresh_token.to_string(),
    })?;
    expect_ok(send_raw(Verb::Post, "/auth/logout", Some(&body), access_token).await?).await
}

pub async fn forgot_password(email: &str) -> Result<Accepted, ApiError> {
    post(
        "/auth/forgot-password",
        &ForgotPasswordRequest {
            email: email.to_string(),
        },
    )
    .await
}

pub async fn reset_password(req: &ResetPasswordRequest) -> Result<(), ApiError> {
    let body = to_json(req)?;
    expect_ok(send_raw(Verb::Post, "/auth/reset-password", Some(&body), None).await?).await
}

/// What an invitation link is for (does not spend it).
pub async fn invitation(token: &str) -> Result<Invitation, ApiError> {
    post(
        "/auth/invitation",
        &InvitationRequest {
            token: token.to_string(),
        },
    )
    .await
}

/// Accepts an invitation; answers the session in its tenant.
pub async fn accept_invitation(req: &AcceptInvitationRequest) -> Result<Session, ApiError> {
    post("/auth/accept-invitation", req).await
}

//! Signing in and staying signed in: email and password (with the tenant
//! chosen at once or afterwards), switching tenant, refresh-token rotation,
//! signing out, password reset by email, and invitations sent and accepted.
//! The HTTP routes are thin adapters over these.

use std::net::IpAddr;

use chrono::{Duration, Utc};
use domain::account::{
    check_display_name, check_email, check_password, normalize_email, FieldErrors,
};
use domain::team::{Member, MemberStatus, Role, SessionVersion};
use domain::tenant::Tenant;
use domain::{TenantId, UserId};
use store::{PasswordTokenPurpose, RefreshOutcome};

use crate::credentials::jwt::{JwtKeys, ACCESS_TTL_SECS};
use crate::credentials::limiter::LoginLimiter;
use crate::credentials::{password, tokens};
use crate::{App, AppError};

pub const REFRESH_TTL_DAYS: i64 = 30;
pub const RESET_TTL_MINUTES: i64 = 30;
pub const INVITE_TTL_DAYS: i64 = 7;

/// What signs tokens and throttles guessing, kept by the HTTP side for
/// the whole process.
#[derive(Clone, Copy)]
pub struct SignInKeys<'a> {
    pub jwt: &'a JwtKeys,
    pub limiter: &'a LoginLimiter,
}

/// Where a sign-in comes from, for throttling and the login history.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    pub ip: IpAddr,
    pub user_agent: Option<&'a str>,
}

/// A signed-in session in one tenant.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub access_token: String,
    /// Seconds the access token works.
    pub expires_in: u64,
    pub refresh_token: String,
    pub tenant: Tenant,
    pub role: Role,
}

/// A password sign-in: the account's tenants, and either the session (one
/// tenant) or a token to choose one with (several).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub tenants: Vec<(Tenant, Role)>,
    pub session: Option<IssuedSession>,
    pub selection_token: Option<String>,
}

/// An invitation not accepted yet.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub tenant: TenantId,
    pub tenant_name: String,
    pub member: Member,
}

fn unauthorized(code: &'static str, detail: &str) -> AppError {
    AppError::Unauthorized {
        code,
        detail: detail.to_owned(),
    }
}

fn rate_limited(retry_after_secs: u64) -> AppError {
    AppError::RateLimited { retry_after_secs }
}

fn bad_credentials() -> AppError {
    unauthorized(
        "invalid_credentials",
        "The email or password is not correct.",
    )
}

fn invalid_token() -> AppError {
    AppError::unprocessable(
        "invalid_token",
        "This link is invalid, already used or expired. Ask for a new one.",
    )
}

fn invalid_invitation() -> AppError {
    AppError::unprocessable(
        "invalid_token",
        "This invitation is invalid, already used, withdrawn or expired. \
         Ask the tenant for a new one.",
    )
}

/// Counts a request that will hash a password against its client address,
/// before any hashing: refused once the address used its share.
pub fn throttle_password_work(keys: SignInKeys<'_>, ip: IpAddr) -> Result<(), AppError> {
    keys.limiter.check_address(ip).map_err(rate_limited)
}

/// Signs in with email and password.
pub async fn sign_in(
    app: &App,
    keys: SignInKeys<'_>,
    email: &str,
    password: String,
    client: Client<'_>,
) -> Result<SignedIn, AppError> {
    let email = normalize_email(email).unwrap_or_else(|| email.trim().to_lowercase());
    keys.limiter
        .check(&email, client.ip)
        .map_err(rate_limited)?;
    let (user, hash) = match app.store.user_by_email(&email).await? {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let ok = password::verify(password, hash).await?;
    if ok {
        keys.limiter.record_success(&email, client.ip);
    } else {
        keys.limiter.record_failure(&email, client.ip);
    }
    let ip = client.ip.to_string();
    let user_id = user.as_ref().map(|u| u.id);
    app.store
        .record_login(None, user_id, &email, Some(&ip), client.user_agent, ok)
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(bad_credentials());
    };
    let tenants = app.store.tenants_of(user.id).await?;
    match tenants.as_slice() {
        [] => Err(AppError::Forbidden {
            code: "no_tenant",
            detail: "Your account is not active in any tenant. Ask an administrator to add you."
                .into(),
        }),
        [(only, _)] => {
            let session = issue_session(app, keys.jwt, user.id, only.id, None, client).await?;
            Ok(SignedIn {
                tenants,
                session: Some(session),
                selection_token: None,
            })
        }
        _ => {
            let version = app.store.account_session_version(user.id).await?;
            let token = keys
                .jwt
                .issue_selection(user.id, version)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(SignedIn {
                tenants,
                session: None,
                selection_token: Some(token),
            })
        }
    }
}

/// Tokens for `user` in `tenant`, starting a new refresh family. With
/// `expected_account`, only while the account's session version is still
/// that one (a tenant-selection token's). Recorded as a sign-in into that
/// tenant (what its login history shows).
pub async fn issue_session(
    app: &App,
    jwt: &JwtKeys,
    user: UserId,
    tenant: TenantId,
    expected_account: Option<i64>,
    client: Client<'_>,
) -> Result<IssuedSession, AppError> {
    let not_a_member = || AppError::Forbidden {
        code: "not_a_member",
        detail: "You are not an active member of that tenant.".into(),
    };
    let tenants = app.store.tenants_of(user).await?;
    let Some((t, role)) = tenants.into_iter().find(|(t, _)| t.id == tenant) else {
        return Err(not_a_member());
    };
    let refresh_token = tokens::generate();
    let expires = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    let digest = tokens::digest(&refresh_token);
    let version = app
        .store
        .start_session(tenant, user, &digest, expires, expected_account)
        .await?
        .ok_or_else(not_a_member)?;
    app.store.touch_last_login(tenant, user).await?;
    let (account, _) = app.store.user_with_hash(user).await?;
    let ip = client.ip.to_string();
    app.store
        .record_login(
            Some(tenant),
            Some(user),
            &account.email,
            Some(&ip),
            client.user_agent,
            true,
        )
        .await?;
    session(jwt, user, (t, role), refresh_token, version)
}

/// A fresh access token for `user` in the tenant, with `refresh_token`.
fn session(
    jwt: &JwtKeys,
    user: UserId,
    (tenant, role): (Tenant, Role),
    refresh_token: String,
    version: SessionVersion,
) -> Result<IssuedSession, AppError> {
    let access_token = jwt
        .issue_access(user, tenant.id, version)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(IssuedSession {
        access_token,
        expires_in: ACCESS_TTL_SECS.unsigned_abs(),
        refresh_token,
        tenant,
        role,
    })
}

/// The tenant chosen after signing in with several.
pub async fn select_tenant(
    app: &App,
    jwt: &JwtKeys,
    selection_token: &str,
    tenant: TenantId,
    client: Client<'_>,
) -> Result<IssuedSession, AppError> {
    let expired = || unauthorized("unauthenticated", "The sign-in has expired. Sign in again.");
    let claims = jwt
        .verify_selection(selection_token)
        .map_err(|_| expired())?;
    // A password change since the sign-in ends the choice too.
    if app.store.account_session_version(claims.user).await? != claims.account_version {
        return Err(expired());
    }
    let expected = Some(claims.account_version);
    issue_session(app, jwt, claims.user, tenant, expected, client).await
}

/// Moves a signed-in person to another of their tenants; the old session's
/// refresh token, when given, stops working.
pub async fn switch_tenant(
    app: &App,
    jwt: &JwtKeys,
    user: UserId,
    tenant: TenantId,
    old_refresh_token: Option<&str>,
    client: Client<'_>,
) -> Result<IssuedSession, AppError> {
    let session = issue_session(app, jwt, user, tenant, None, client).await?;
    if let Some(old) = old_refresh_token {
        app.store
            .revoke_refresh_family(&tokens::digest(old))
            .await?;
    }
    Ok(session)
}

/// Trades a refresh token for new tokens. Each refresh token works once;
/// presenting a spent one signs that session out everywhere.
pub async fn refresh(
    app: &App,
    jwt: &JwtKeys,
    refresh_token: &str,
) -> Result<IssuedSession, AppError> {
    let new_refresh = tokens::generate();
    let expires = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    let (old, new) = (tokens::digest(refresh_token), tokens::digest(&new_refresh));
    let (tenant, user, version) = match app.store.rotate_refresh_token(&old, &new, expires).await? {
        RefreshOutcome::Rotated {
            tenant,
            user,
            session,
            ..
        } => (tenant, user, session),
        RefreshOutcome::Reused => {
            tracing::warn!("a spent refresh token was presented; its session family is revoked");
            return Err(unauthorized(
                "refresh_reused",
                "This session was signed out for safety. Sign in again.",
            ));
        }
        RefreshOutcome::Invalid => {
            return Err(unauthorized(
                "invalid_refresh_token",
                "The session has expired. Sign in again.",
            ))
        }
    };
    let tenants = app.store.tenants_of(user).await?;
    let Some(membership) = tenants.into_iter().find(|(t, _)| t.id == tenant) else {
        app.store.revoke_refresh_family(&new).await?;
        return Err(unauthorized(
            "unauthenticated",
            "Your access to this tenant has ended.",
        ));
    };
    session(jwt, user, membership, new_refresh, version)
}

/// Signs out: the refresh token and every token rotated from it stop
/// working, and so do the person's access tokens and event streams in
/// that tenant.
pub async fn sign_out(app: &App, refresh_token: &str) -> Result<(), AppError> {
    if let Some((tenant, user)) = app.store.sign_out(&tokens::digest(refresh_token)).await? {
        app.live.sessions_changed(user, Some(tenant)).await;
    }
    Ok(())
}

/// Asks for a password-reset link. The lookup and the email happen after
/// this returns, so neither the answer nor its timing tells whether the
/// address has an account.
pub fn request_password_reset(
    app: &App,
    keys: SignInKeys<'_>,
    email: &str,
    ip: IpAddr,
) -> Result<(), AppError> {
    let email = check_email(email).map_err(|m| AppError::field("email", m))?;
    keys.limiter
        .check_reset_link(&email, ip)
        .map_err(rate_limited)?;
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&app, &email).await {
            tracing::error!(error = %e, "password reset could not be prepared");
        }
    });
    Ok(())
}

async fn send_reset_link(app: &App, email: &str) -> Result<(), AppError> {
    let Some((user, _)) = app.store.user_by_email(email).await? else {
        return Ok(());
    };
    let token = tokens::generate();
    let expires = Utc::now() + Duration::minutes(RESET_TTL_MINUTES);
    let digest = tokens::digest(&token);
    app.store
        .insert_password_token(user.id, &digest, PasswordTokenPurpose::Reset, None, expires)
        .await?;
    let link = format!("{}/reset-password?token={token}", app.settings.public_url);
    let body = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Switchboard account. \
         Open this link within 30 minutes to choose a new one:\n\n{link}\n\n\
         If it was not you, ignore this message; your password stays as it is.\n",
        user.name
    );
    app.mailer
        .send(&user.email, "Reset your Switchboard password", &body)
        .await;
    Ok(())
}

/// Sets a new password with a reset token. Each token works once, only for
/// resets, and dies with any password change; every existing session of
/// the account is signed out.
pub async fn reset_password(
    app: &App,
    keys: SignInKeys<'_>,
    token: &str,
    new_password: String,
    ip: IpAddr,
) -> Result<(), AppError> {
    throttle_password_work(keys, ip)?;
    check_password(&new_password).map_err(|m| AppError::field("new_password", m))?;
    let hash = password::hash(new_password).await?;
    let Some(token) = app
        .store
        .consume_password_token(&tokens::digest(token), PasswordTokenPurpose::Reset)
        .await?
    else {
        return Err(invalid_token());
    };
    app.store.set_password(token.user, &hash).await?;
    app.store.revoke_all_sessions(token.user).await?;
    app.live.sessions_changed(token.user, None).await;
    Ok(())
}

/// Changes a signed-in person's password after checking the current one
/// (throttled like a sign-in, by account and address). Every session of
/// the account is signed out, this one included, and pending links die
/// with the old password.
pub async fn change_password(
    app: &App,
    keys: SignInKeys<'_>,
    user: UserId,
    current_password: String,
    new_password: String,
    ip: IpAddr,
) -> Result<(), AppError> {
    check_password(&new_password).map_err(|m| AppError::field("new_password", m))?;
    let (user, hash) = app.store.user_with_hash(user).await?;
    keys.limiter.check(&user.email, ip).map_err(rate_limited)?;
    if !password::verify(current_password, hash).await? {
        keys.limiter.record_failure(&user.email, ip);
        return Err(AppError::field(
            "current_password",
            "This is not your current password.",
        ));
    }
    keys.limiter.record_success(&user.email, ip);
    let new_hash = password::hash(new_password).await?;
    app.store.set_password(user.id, &new_hash).await?;
    app.store.revoke_all_sessions(user.id).await?;
    app.live.sessions_changed(user.id, None).await;
    Ok(())
}

/// Issues an invitation into `tenant` (7 days) for an invited member and
/// emails it. The link is answered only when this instance cannot deliver
/// email, for the admin to pass on; it is never logged. The same for a new
/// and an existing account.
pub async fn invite(
    app: &App,
    tenant: TenantId,
    member: &Member,
    tenant_name: &str,
) -> Result<Option<String>, AppError> {
    let token = tokens::generate();
    let expires = Utc::now() + Duration::days(INVITE_TTL_DAYS);
    let digest = tokens::digest(&token);
    app.store
        .insert_password_token(
            member.user.id,
            &digest,
            PasswordTokenPurpose::Invite,
            Some(tenant),
            expires,
        )
        .await?;
    let link = format!("{}/accept-invite?token={token}", app.settings.public_url);
    let body = format!(
        "Hello {},\n\nYou have been invited to the tenant \"{tenant_name}\" on Switchboard. \
         Open this link within 7 days to accept:\n\n{link}\n\n\
         If you did not expect this, ignore this message; nothing changes until you accept.\n",
        member.name()
    );
    let subject = format!("You are invited to {tenant_name} on Switchboard");
    app.mailer.send(&member.user.email, &subject, &body).await;
    Ok((!app.mailer.delivers()).then_some(link))
}

/// The pending invitation behind `token`: its tenant and the invited member.
async fn pending(app: &App, token: &str) -> Result<(TenantId, Member), AppError> {
    let found = app
        .store
        .password_token(&tokens::digest(token), PasswordTokenPurpose::Invite)
        .await?
        .ok_or_else(invalid_invitation)?;
    let tenant = found.tenant.ok_or_else(invalid_invitation)?;
    match app.store.member(tenant, found.user).await {
        Ok(member) if member.status == MemberStatus::Invited => Ok((tenant, member)),
        Ok(_) | Err(store::StoreError::NotFound) => Err(invalid_invitation()),
        Err(e) => Err(e.into()),
    }
}

/// What an invitation link is for: the tenant (with its name) and the
/// invited member.
pub async fn invitation(app: &App, token: &str) -> Result<PendingInvitation, AppError> {
    let (tenant, member) = pending(app, token).await?;
    let tenant_name = app.store.tenant(tenant).await?.settings.name;
    Ok(PendingInvitation {
        tenant,
        tenant_name,
        member,
    })
}

/// Accepts an invitation and signs in to its tenant. An account without a
/// password chooses it (and its name) here; an account with one proves it
/// is theirs with that password. The link works once; the membership is
/// active only from now on.
pub async fn accept_invitation(
    app: &App,
    keys: SignInKeys<'_>,
    token: &str,
    name: Option<&str>,
    password: String,
    client: Client<'_>,
) -> Result<IssuedSession, AppError> {
    let (tenant, member) = pending(app, token).await?;
    // The same budget as signing in to the account, before any hashing: no
    // password guessing here.
    keys.limiter
        .check(&member.user.email, client.ip)
        .map_err(rate_limited)?;
    let digest = tokens::digest(token);
    let (user, hash) = app.store.user_with_hash(member.user.id).await?;
    let accepted = match hash {
        None => {
            let (name, hash) = first_password(name.unwrap_or(member.name()), password).await?;
            app.store
                .accept_invitation(&digest, tenant, user.id, Some((&hash, &name)))
                .await?
        }
        Some(hash) => {
            if !password::verify(password, Some(hash)).await? {
                keys.limiter.record_failure(&member.user.email, client.ip);
                let ip = client.ip.to_string();
                app.store
                    .record_login(
                        None,
                        Some(user.id),
                        &user.email,
                        Some(&ip),
                        client.user_agent,
                        false,
                    )
                    .await?;
                return Err(AppError::field(
                    "password",
                    "This is not your account's password.",
                ));
            }
            app.store
                .accept_invitation(&digest, tenant, user.id, None)
                .await?
        }
    };
    if !accepted {
        return Err(invalid_invitation());
    }
    issue_session(app, keys.jwt, user.id, tenant, None, client).await
}

/// The name and password an invited account without a password chooses,
/// checked, and the password hashed.
async fn first_password(name: &str, password: String) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::default();
    let name = check_display_name(name)
        .map_err(|m| errors.add("name", m))
        .ok();
    if let Err(m) = check_password(&password) {
        errors.add("password", m);
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(errors.into());
    };
    Ok((name, password::hash(password).await?))
}

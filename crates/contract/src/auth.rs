//! First-run setup, sign-in, tenant choice, token refresh and password reset.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tenants::TenantSummary;

/// Whether the instance still waits for its first owner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    pub setup_required: bool,
}

/// Creates the first tenant and its owner, who also administers the instance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "tenant_name": "Acme Support",
    "company_name": "Acme Ltd",
    "time_zone": "Europe/London",
    "default_country": "GB",
    "owner_name": "Ana Owner",
    "owner_email": "ana@acme.example",
    "owner_password": "a long passphrase"
})))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub tenant_name: String,
    #[serde(default)]
    pub company_name: String,
    pub time_zone: String,
    pub default_country: String,
    pub owner_name: String,
    pub owner_email: String,
    /// 10 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub owner_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "ana@acme.example",
    "password": "a long passphrase"
})))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Tokens for one tenant. Send `access_token` as `Authorization: Bearer`;
/// trade `refresh_token` at `/auth/refresh` before `expires_in` seconds pass.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "Bearer", "expires_in": 900, "refresh_token": "Zm9vYmFyYmF6cXV4...", "tenant": {"id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d", "name": "Acme Support", "role": "Owner"}})))]
pub struct Session {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: String,
    pub tenant: TenantSummary,
}

/// Answer to a successful sign-in. A person with one tenant gets `session`
/// at once; with several, `selection_token` is traded at `/auth/tenant`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"tenants": [{"id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d", "name": "Acme Support", "role": "Agent"}, {"id": "0193a6b0-8a10-7d2e-a1b2-c3d4e5f6a7b8", "name": "Globex Sales", "role": "Manager"}], "selection_token": "eyJhbGciOiJIUzI1NiJ9..."})))]
pub struct LoginResponse {
    pub tenants: Vec<TenantSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Valid five minutes, only for choosing a tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SelectTenantRequest {
    pub selection_token: String,
    pub tenant_id: Uuid,
}

/// Switch the signed-in person to another of their tenants.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SwitchTenantRequest {
    pub tenant_id: Uuid,
    /// The current refresh token, revoked by the switch when given.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the emailed reset link.
    pub token: String,
    /// 10 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub new_password: String,
}

/// An invitation link's token, to see what it is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub token: String,
}

/// What an invitation offers, shown to whoever holds its link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"tenant_name": "Acme Support", "email": "sam@acme.example", "name": "Sam Agent", "has_password": false})))]
pub struct Invitation {
    /// The tenant's name.
    pub tenant_name: String,
    pub email: String,
    /// The name the tenant typed.
    pub name: String,
    /// True when the account already has a password: accept by signing in
    /// with it. False: choose a name and password to accept.
    pub has_password: bool,
}

/// Accepts an invitation. For an account without a password, `password`
/// becomes its password (and `name` its name); otherwise it must be the
/// account's current password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"token": "Zm9vYmFyYmF6cXV4...", "password": "a long passphrase", "name": "Sam Agent"})))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub token: String,
    /// 10 to 128 characters when choosing one.
    pub password: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A plain acknowledgement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accepted {
    pub message: String,
}

//! Team members of a tenant, the signed-in person, and their profile.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::roles::RoleRef;
use crate::tenants::Tenant;

/// A member of the current tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "0193a6b0-8a10-7d2e-a1b2-c3d4e5f6a7b8", "name": "Sam Agent", "email": "sam@acme.example", "role": {"id": "0193a6b0-9c20-7f3e-b2c3-d4e5f6a7b8c9", "name": "Agent", "builtin": "agent"}, "status": "active", "has_password": true, "joined_at": "2026-11-01T09:30:00Z", "last_login_at": "2026-11-20T08:02:11Z"})))]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: RoleRef,
    /// `active` or `deactivated` in this tenant.
    pub status: MemberStatus,
    /// False until an invited person has chosen a password.
    pub has_password: bool,
    pub joined_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Deactivated,
}

/// Adds a person to the tenant. If the email already has an account, that
/// person simply joins this tenant with the role (their password is untouched).
/// Without a password, an invitation link is issued instead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Sam Agent",
    "email": "sam@acme.example",
    "role_id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "password": "another long passphrase"
})))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub name: String,
    pub email: String,
    pub role_id: Uuid,
    #[serde(default)]
    pub password: Option<String>,
}

/// The created member, and the invitation link when no password was set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedUser {
    pub user: User,
    pub existing_user: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
}

/// One sign-in attempt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"at": "2026-11-20T08:02:11Z", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0", "success": true})))]
pub struct LoginEvent {
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub success: bool,
}

/// A person's own preferences.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Sam Agent", "email": "sam@acme.example", "language": "en", "sounds": {"conversations": true, "notifications": true, "broadcasts": false}, "chat_sync": true})))]
pub struct Profile {
    pub name: String,
    pub email: String,
    /// Interface language, e.g. `en`.
    pub language: String,
    /// Module -> play a sound for new activity there.
    pub sounds: BTreeMap<String, bool>,
    /// Sync chats from connected channels into the inbox.
    pub chat_sync: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub sounds: Option<BTreeMap<String, bool>>,
    #[serde(default)]
    pub chat_sync: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 10 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub new_password: String,
}

/// Who is signed in, where, and what they may do.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: Uuid,
    pub profile: Profile,
    pub tenant: Tenant,
    pub role: RoleRef,
    /// `<module>.<action>` names.
    pub permissions: Vec<String>,
    /// Modules the sidebar shows.
    pub modules: Vec<String>,
    /// May create tenants for other businesses.
    pub instance_admin: bool,
    /// Every tenant this person can switch to.
    pub tenants: Vec<crate::tenants::TenantSummary>,
}

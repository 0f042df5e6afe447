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
    /// `invited` (until the person accepts), `active` or `deactivated` in this tenant.
    pub status: MemberStatus,
    /// Whether the person can sign in with a password; always false while invited.
    pub has_password: bool,
    pub joined_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Invited,
    Active,
    Deactivated,
}

/// Invites a person into the tenant with a role. They join only once they
/// accept through the invitation link: a new account chooses its own
/// password there, an existing one signs in with its own. Nobody else ever
/// sets a person's password, and the answer is the same whether or not the
/// email already has an account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Sam Agent",
    "email": "sam@acme.example",
    "role_id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d"
})))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// What this tenant calls the person.
    pub name: String,
    pub email: String,
    pub role_id: Uuid,
}

/// The invited member (status `invited`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedUser {
    pub user: User,
    /// The invitation link (valid 7 days), only when this instance cannot
    /// send email; pass it on to the person. Otherwise it was emailed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// The name this tenant shows; the person's own account name stays.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
}

/// One sign-in into this tenant.
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
    /// Sync chats from connected channels into the conversations.
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

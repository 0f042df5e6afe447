//! Roles: named sets of `<module>.<action>` permissions.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A role as shown next to a member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleRef {
    pub id: Uuid,
    pub name: String,
    /// `owner`, `admin`, `manager` or `agent` for built-in roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "0193a6b0-9c20-7f3e-b2c3-d4e5f6a7b8c9", "name": "Support lead", "description": "Runs the conversations", "permissions": ["conversations.edit", "conversations.view", "quick_replies.view"], "user_count": 3})))]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    /// `<module>.<action>` names, sorted.
    pub permissions: Vec<String>,
    /// Members holding this role.
    pub user_count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Support lead",
    "description": "Runs the conversations and quick replies",
    "permissions": ["conversations.view", "conversations.edit", "quick_replies.view", "quick_replies.create"]
})))]
#[serde(deny_unknown_fields)]
pub struct CreateRoleRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
}

/// Every module and action a role can be given, for the permission matrix.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionCatalog {
    pub modules: Vec<String>,
    pub actions: Vec<String>,
}

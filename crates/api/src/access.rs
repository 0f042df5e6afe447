//! The one place every route declares who may call it. The auth middleware
//! applies these rules before any handler runs; a test fails when a documented route has no
//! entry here, and a route missing from this table is refused at run time.

use domain::permissions::{Action, Module, Permission};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Public,
    /// Any active member of the token's tenant.
    SignedIn,
    /// A single-use ticket in the query (`?ticket=`), which the handler
    /// checks: for the event stream, which browsers open without headers.
    Ticket,
    /// Members whose role grants this permission.
    Permission(Permission),
    /// People who administer the whole instance.
    InstanceAdmin,
    /// Members holding this permission, or anyone presenting a signed link
    /// (`?sig=`), which the handler checks: for files fetched by `<img src>`.
    PermissionOrSignedLink(Permission),
}

const fn perm(module: Module, action: Action) -> Access {
    Access::Permission(Permission::new(module, action))
}

/// (method, path pattern as in the OpenAPI document, rule).
#[rustfmt::skip]
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/metrics", Access::Public),
    ("GET", "/webhooks/meta/{id}", Access::Public),
    ("POST", "/webhooks/meta/{id}", Access::Public),
    ("POST", "/webhooks/twilio/{id}", Access::Public),
    ("GET", "/api/v1/setup", Access::Public),
    ("POST", "/api/v1/setup", Access::Public),
    ("POST", "/api/v1/auth/login", Access::Public),
    ("POST", "/api/v1/auth/tenant", Access::Public),
    ("POST", "/api/v1/auth/refresh", Access::Public),
    ("POST", "/api/v1/auth/logout", Access::Public),
    ("POST", "/api/v1/auth/forgot-password", Access::Public),
    ("POST", "/api/v1/auth/reset-password", Access::Public),
    ("POST", "/api/v1/auth/invitation", Access::Public),
    ("POST", "/api/v1/auth/accept-invitation", Access::Public),
    ("POST", "/api/v1/auth/switch-tenant", Access::SignedIn),
    ("GET", "/api/v1/me", Access::SignedIn),
    ("GET", "/api/v1/conversations", perm(Module::Conversations, Action::View)),
    ("GET", "/api/v1/conversations/{id}", perm(Module::Conversations, Action::View)),
    ("GET", "/api/v1/conversations/{id}/messages", perm(Module::Conversations, Action::View)),
    ("POST", "/api/v1/conversations/{id}/messages", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/read", perm(Module::Conversations, Action::View)),
    ("POST", "/api/v1/conversations/{id}/take-control", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/release", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/resolve", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/reopen", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/transfer", perm(Module::Conversations, Action::Create)),
    ("PUT", "/api/v1/conversations/{id}/chatbot", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/archive", perm(Module::Conversations, Action::Create)),
    ("POST", "/api/v1/conversations/{id}/unarchive", perm(Module::Conversations, Action::Create)),
    ("DELETE", "/api/v1/conversations/{id}", perm(Module::Conversations, Action::Delete)),
    ("POST", "/api/v1/messages/{id}/star", perm(Module::Conversations, Action::View)),
    ("DELETE", "/api/v1/messages/{id}/star", perm(Module::Conversations, Action::View)),
    ("GET", "/api/v1/starred", perm(Module::Conversations, Action::View)),
    ("GET", "/api/v1/inbox/search", perm(Module::Conversations, Action::View)),
    ("GET", "/api/v1/inbox/agents", perm(Module::Conversations, Action::View)),
    ("POST", "/api/v1/channels/{id}/simulate-inbound", perm(Module::Channels, Action::Edit)),
    ("GET", "/api/v1/quick-replies", perm(Module::QuickReplies, Action::View)),
    ("POST", "/api/v1/quick-replies", perm(Module::QuickReplies, Action::Create)),
    ("PUT", "/api/v1/quick-replies/{id}", perm(Module::QuickReplies, Action::Edit)),
    ("DELETE", "/api/v1/quick-replies/{id}", perm(Module::QuickReplies, Action::Delete)),
    ("POST", "/api/v1/quick-replies/bulk-delete", perm(Module::QuickReplies, Action::Delete)),
    ("POST", "/api/v1/events/ticket", Access::SignedIn),
    ("GET", "/api/v1/events", Access::Ticket),
    ("PATCH", "/api/v1/me/profile", Access::SignedIn),
    ("POST", "/api/v1/me/password", Access::SignedIn),
    ("GET", "/api/v1/permissions", Access::SignedIn),
    ("GET", "/api/v1/tenant", perm(Module::Settings, Action::View)),
    ("PATCH", "/api/v1/tenant", perm(Module::Settings, Action::Edit)),
    ("GET", "/api/v1/tenants", Access::InstanceAdmin),
    ("POST", "/api/v1/tenants", Access::InstanceAdmin),
    ("GET", "/api/v1/users", perm(Module::Users, Action::View)),
    ("POST", "/api/v1/users", perm(Module::Users, Action::Create)),
    ("GET", "/api/v1/users/{id}", perm(Module::Users, Action::View)),
    ("PATCH", "/api/v1/users/{id}", perm(Module::Users, Action::Edit)),
    ("DELETE", "/api/v1/users/{id}", perm(Module::Users, Action::Delete)),
    ("POST", "/api/v1/users/{id}/deactivate", perm(Module::Users, Action::Edit)),
    ("POST", "/api/v1/users/{id}/reactivate", perm(Module::Users, Action::Edit)),
    ("POST", "/api/v1/users/{id}/invitation", perm(Module::Users, Action::Create)),
    ("GET", "/api/v1/users/{id}/login-history", perm(Module::Users, Action::View)),
    ("GET", "/api/v1/roles", perm(Module::Roles, Action::View)),
    ("POST", "/api/v1/roles", perm(Module::Roles, Action::Create)),
    ("GET", "/api/v1/roles/{id}", perm(Module::Roles, Action::View)),
    ("PATCH", "/api/v1/roles/{id}", perm(Module::Roles, Action::Edit)),
    ("DELETE", "/api/v1/roles/{id}", perm(Module::Roles, Action::Delete)),
    ("GET", "/api/v1/roles/{id}/users", perm(Module::Roles, Action::View)),
    ("GET", "/api/v1/channels/providers", perm(Module::Channels, Action::View)),
    ("GET", "/api/v1/channels", perm(Module::Channels, Action::View)),
    ("POST", "/api/v1/channels", perm(Module::Channels, Action::Create)),
    ("GET", "/api/v1/channels/{id}", perm(Module::Channels, Action::View)),
    ("PATCH", "/api/v1/channels/{id}", perm(Module::Channels, Action::Edit)),
    ("DELETE", "/api/v1/channels/{id}", perm(Module::Channels, Action::Delete)),
    ("PUT", "/api/v1/channels/{id}/draft", perm(Module::Channels, Action::Edit)),
    ("DELETE", "/api/v1/channels/{id}/draft", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/api-token", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/verify-token", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/validate", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/subscribe", perm(Module::Channels, Action::Edit)),
    ("GET", "/api/v1/channels/{id}/session-behaviour", perm(Module::Channels, Action::View)),
    ("PUT", "/api/v1/channels/{id}/session-behaviour", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/templates/sync", perm(Module::Templates, Action::Edit)),
    ("GET", "/api/v1/templates", perm(Module::Templates, Action::View)),
    ("POST", "/api/v1/templates", perm(Module::Templates, Action::Create)),
    ("GET", "/api/v1/templates/library", perm(Module::Templates, Action::View)),
    ("POST", "/api/v1/templates/preview", perm(Module::Templates, Action::View)),
    ("GET", "/api/v1/templates/{id}", perm(Module::Templates, Action::View)),
    ("PATCH", "/api/v1/templates/{id}", perm(Module::Templates, Action::Edit)),
    ("DELETE", "/api/v1/templates/{id}", perm(Module::Templates, Action::Delete)),
    ("POST", "/api/v1/templates/{id}/submit", perm(Module::Templates, Action::Edit)),
    ("POST", "/api/v1/templates/{id}/duplicate", perm(Module::Templates, Action::Create)),
    ("PUT", "/api/v1/templates/{id}/shared", perm(Module::Templates, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/draft/validate", perm(Module::Channels, Action::Edit)),
    ("POST", "/api/v1/channels/{id}/draft/publish", perm(Module::Channels, Action::Edit)),
    ("GET", "/api/v1/notifications", perm(Module::Notifications, Action::View)),
    ("POST", "/api/v1/notifications/read-all", perm(Module::Notifications, Action::View)),
    ("POST", "/api/v1/notifications/{id}/read", perm(Module::Notifications, Action::View)),
    ("GET", "/api/v1/contacts", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/contacts", perm(Module::Contacts, Action::Create)),
    ("POST", "/api/v1/contacts/bulk/delete", perm(Module::Contacts, Action::Delete)),
    ("POST", "/api/v1/contacts/bulk/tag", perm(Module::Contacts, Action::Edit)),
    ("POST", "/api/v1/contacts/bulk/untag", perm(Module::Contacts, Action::Edit)),
    ("GET", "/api/v1/contacts/export", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/contacts/imports", perm(Module::Contacts, Action::Create)),
    ("GET", "/api/v1/contacts/imports", perm(Module::Contacts, Action::View)),
    ("GET", "/api/v1/contacts/imports/{id}", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/contacts/imports/{id}/start", perm(Module::Contacts, Action::Create)),
    ("POST", "/api/v1/contacts/imports/{id}/cancel", perm(Module::Contacts, Action::Create)),
    ("GET", "/api/v1/contacts/imports/{id}/failures", perm(Module::Contacts, Action::View)),
    ("GET", "/api/v1/contacts/{id}", perm(Module::Contacts, Action::View)),
    ("PATCH", "/api/v1/contacts/{id}", perm(Module::Contacts, Action::Edit)),
    ("DELETE", "/api/v1/contacts/{id}", perm(Module::Contacts, Action::Delete)),
    ("GET", "/api/v1/contacts/{id}/timeline", perm(Module::Contacts, Action::View)),
    ("GET", "/api/v1/contacts/{id}/groups", perm(Module::Contacts, Action::View)),
    ("GET", "/api/v1/tags", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/tags", perm(Module::Contacts, Action::Edit)),
    ("PATCH", "/api/v1/tags/{id}", perm(Module::Contacts, Action::Edit)),
    ("DELETE", "/api/v1/tags/{id}", perm(Module::Contacts, Action::Delete)),
    ("GET", "/api/v1/attributes", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/attributes", perm(Module::Contacts, Action::Edit)),
    ("DELETE", "/api/v1/attributes/{id}", perm(Module::Contacts, Action::Delete)),
    ("GET", "/api/v1/groups", perm(Module::Contacts, Action::View)),
    ("POST", "/api/v1/groups", perm(Module::Contacts, Action::Create)),
    ("GET", "/api/v1/groups/{id}", perm(Module::Contacts, Action::View)),
    ("PATCH", "/api/v1/groups/{id}", perm(Module::Contacts, Action::Edit)),
    ("DELETE", "/api/v1/groups/{id}", perm(Module::Contacts, Action::Delete)),
    ("POST", "/api/v1/groups/{id}/members", perm(Module::Contacts, Action::Edit)),
    ("POST", "/api/v1/groups/{id}/members/remove", perm(Module::Contacts, Action::Edit)),
    ("GET", "/api/v1/media", perm(Module::Media, Action::View)),
    ("POST", "/api/v1/media", perm(Module::Media, Action::Create)),
    ("GET", "/api/v1/media/{id}", perm(Module::Media, Action::View)),
    ("PATCH", "/api/v1/media/{id}", perm(Module::Media, Action::Edit)),
    ("DELETE", "/api/v1/media/{id}", perm(Module::Media, Action::Delete)),
    ("GET", "/api/v1/media/{id}/content", Access::PermissionOrSignedLink(Permission::new(Module::Media, Action::View))),
    ("POST", "/api/v1/media/{id}/provider-upload", perm(Module::Media, Action::Create)),
];

/// The rule for a matched route, if declared.
pub fn rule_for(method: &str, pattern: &str) -> Option<Access> {
    ROUTES
        .iter()
        .find(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == pattern)
        .map(|(_, _, access)| *access)
}

/// Methods declared for a route pattern (empty for an unknown pattern).
pub fn methods_for(pattern: &str) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|(_, p, _)| *p == pattern)
        .map(|(m, _, _)| *m)
        .collect()
}

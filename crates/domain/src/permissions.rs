//! Roles and permissions. A permission is `<module>.<action>`; a role is a set
//! of them. Built-in roles have fixed sets; tenants add custom roles. The checks
//! that stop privilege escalation (who may grant what) live here too.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A product area a permission applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Dashboard,
    Channels,
    Templates,
    Broadcasts,
    Contacts,
    Conversations,
    QuickReplies,
    Media,
    Flows,
    Notifications,
    Users,
    Roles,
    Settings,
    Api,
}

impl Module {
    pub const ALL: [Module; 14] = [
        Module::Dashboard,
        Module::Channels,
        Module::Templates,
        Module::Broadcasts,
        Module::Contacts,
        Module::Conversations,
        Module::QuickReplies,
        Module::Media,
        Module::Flows,
        Module::Notifications,
        Module::Users,
        Module::Roles,
        Module::Settings,
        Module::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Dashboard => "dashboard",
            Module::Channels => "channels",
            Module::Templates => "templates",
            Module::Broadcasts => "broadcasts",
            Module::Contacts => "contacts",
            Module::Conversations => "conversations",
            Module::QuickReplies => "quick_replies",
            Module::Media => "media",
            Module::Flows => "flows",
            Module::Notifications => "notifications",
            Module::Users => "users",
            Module::Roles => "roles",
            Module::Settings => "settings",
            Module::Api => "api",
        }
    }
}

/// What may be done within a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Edit,
    Delete,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::View, Action::Create, Action::Edit, Action::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
        }
    }
}

/// One `<module>.<action>` grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    pub module: Module,
    pub action: Action,
}

impl Permission {
    pub const fn new(module: Module, action: Action) -> Self {
        Self { module, action }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module.as_str(), self.action.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a permission; expected `<module>.<action>`")]
pub struct UnknownPermission(pub String);

impl FromStr for Permission {
    type Err = UnknownPermission;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownPermission(s.to_owned());
        let (module, action) = s.split_once('.').ok_or_else(unknown)?;
        let module = Module::ALL
            .into_iter()
            .find(|m| m.as_str() == module)
            .ok_or_else(unknown)?;
        let action = Action::ALL
            .into_iter()
            .find(|a| a.as_str() == action)
            .ok_or_else(unknown)?;
        Ok(Permission { module, action })
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The permissions one role grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        Module::ALL
            .into_iter()
            .flat_map(|m| Action::ALL.into_iter().map(move |a| Permission::new(m, a)))
            .collect()
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    /// Whether every permission of `other` is also in `self`.
    pub fn covers(&self, other: &PermissionSet) -> bool {
        other.0.is_subset(&self.0)
    }

    /// Modules this set may at least view; the SPA builds its sidebar from these.
    pub fn viewable_modules(&self) -> Vec<Module> {
        Module::ALL
            .into_iter()
            .filter(|m| self.contains(Permission::new(*m, Action::View)))
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses stored or submitted names; any unknown name fails the whole set.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, UnknownPermission> {
        names.into_iter().map(str::parse).collect()
    }

    /// A set is only meaningful if every write implies view of the same module:
    /// adds `view` wherever another action of that module is granted.
    pub fn with_implied_view(mut self) -> Self {
        let modules: Vec<Module> = self.0.iter().map(|p| p.module).collect();
        for m in modules {
            self.0.insert(Permission::new(m, Action::View));
        }
        self
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The four roles every tenant has. Their permissions are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    Owner,
    Admin,
    Manager,
    Agent,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 4] = [
        BuiltinRole::Owner,
        BuiltinRole::Admin,
        BuiltinRole::Manager,
        BuiltinRole::Agent,
    ];

    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "owner",
            BuiltinRole::Admin => "admin",
            BuiltinRole::Manager => "manager",
            BuiltinRole::Agent => "agent",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "Owner",
            BuiltinRole::Admin => "Admin",
            BuiltinRole::Manager => "Manager",
            BuiltinRole::Agent => "Agent",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Owner and Admin hold everything; Owner additionally cannot be locked out
    /// (see [`ensure_owner_remains`]). Managers run the messaging side and may see
    /// the team; agents work conversations and contacts.
    pub fn permissions(self) -> PermissionSet {
        use Action::*;
        use Module::*;
        let grant = |pairs: &[(Module, &[Action])]| -> PermissionSet {
            pairs
                .iter()
                .flat_map(|(m, actions)| actions.iter().map(move |a| Permission::new(*m, *a)))
                .collect()
        };
        const CRUD: &[Action] = &[View, Create, Edit, Delete];
        match self {
            BuiltinRole::Owner | BuiltinRole::Admin => PermissionSet::all(),
            BuiltinRole::Manager => grant(&[
                (Dashboard, &[View]),
                (Channels, &[View]),
                (Templates, CRUD),
                (Broadcasts, CRUD),
                (Contacts, CRUD),
                // Deleting conversations is for owners and admins.
                (Conversations, &[View, Create, Edit]),
                (QuickReplies, CRUD),
                (Media, CRUD),
                (Flows, CRUD),
                (Notifications, &[View, Edit]),
                (Users, &[View]),
                (Api, &[View]),
            ]),
            BuiltinRole::Agent => grant(&[
                (Dashboard, &[View]),
                (Contacts, &[View, Edit]),
                (Conversations, &[View, Create]),
                (QuickReplies, &[View]),
                (Media, &[View, Create]),
                (Templates, &[View]),
                (Notifications, &[View, Edit]),
            ]),
        }
    }
}

/// Why a role or membership change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleRuleViolation {
    #[error("only an owner can grant or take away the Owner role")]
    OwnerOnly,
    #[error("you cannot grant permissions you do not hold yourself")]
    Escalation,
    #[error("a tenant must keep at least one active owner")]
    LastOwner,
    #[error("built-in roles cannot be changed")]
    BuiltinImmutable,
    #[error("you cannot change your own role or status")]
    SelfChange,
    #[error("this member's role holds permissions you do not hold, so only someone holding them can change this member")]
    Outranked,
}

/// The acting user, as far as role rules care.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub is_owner: bool,
    pub permissions: &'a PermissionSet,
}

/// A role as far as role rules care.
#[derive(Debug, Clone, Copy)]
pub struct RoleFacts<'a> {
    pub builtin: Option<BuiltinRole>,
    pub permissions: &'a PermissionSet,
}

impl RoleFacts<'_> {
    pub fn is_owner(&self) -> bool {
        self.builtin == Some(BuiltinRole::Owner)
    }
}

/// May `actor` give `role` to somebody (on create or role change)?
pub fn ensure_can_grant(actor: &Actor<'_>, role: RoleFacts<'_>) -> Result<(), RoleRuleViolation> {
    if role.is_owner() && !actor.is_owner {
        return Err(RoleRuleViolation::OwnerOnly);
    }
    if !actor.permissions.covers(role.permissions) {
        return Err(RoleRuleViolation::Escalation);
    }
    Ok(())
}

/// May `actor` change a member whose current role is `current` (rename,
/// change role, deactivate, reactivate, remove, withdraw an invitation)?
/// Only owners touch owners, and nobody touches a member whose role holds a
/// permission the actor lacks: a custom role with `users.edit` cannot demote,
/// deactivate, rename or remove an admin. Granting a new role is checked
/// separately by [`ensure_can_grant`].
pub fn ensure_can_manage_member(
    actor: &Actor<'_>,
    current: RoleFacts<'_>,
) -> Result<(), RoleRuleViolation> {
    if current.is_owner() && !actor.is_owner {
        return Err(RoleRuleViolation::OwnerOnly);
    }
    if !actor.is_owner && !actor.permissions.covers(current.permissions) {
        return Err(RoleRuleViolation::Outranked);
    }
    Ok(())
}

/// May a role be set to `new_permissions` by `actor`? `current` is the role
/// being edited (`None` when creating one). Built-in roles are fixed; nobody
/// grants what they do not hold; and nobody rewrites a role that holds more
/// than they do (that would demote its holders by the back door).
pub fn ensure_can_define_role(
    actor: &Actor<'_>,
    current: Option<RoleFacts<'_>>,
    new_permissions: &PermissionSet,
) -> Result<(), RoleRuleViolation> {
    if let Some(current) = current {
        if current.builtin.is_some() {
            return Err(RoleRuleViolation::BuiltinImmutable);
        }
        if !actor.is_owner && !actor.permissions.covers(current.permissions) {
            return Err(RoleRuleViolation::Outranked);
        }
    }
    if !actor.permissions.covers(new_permissions) {
        return Err(RoleRuleViolation::Escalation);
    }
    Ok(())
}

/// A change that would take an owner out of the active owners (demote,
/// deactivate, remove) is refused when that owner is the last one.
pub fn ensure_owner_remains(
    member_is_owner: bool,
    active_owner_count: u64,
) -> Result<(), RoleRuleViolation> {
    if member_is_owner && active_owner_count <= 1 {
        return Err(RoleRuleViolation::LastOwner);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Permission {
        s.parse().unwrap()
    }

    #[test]
    fn every_module_and_action_round_trips_through_its_name() {
        for permission in PermissionSet::all().iter() {
            let text = permission.to_string();
            assert_eq!(text.parse::<Permission>().unwrap(), permission);
        }
        assert_eq!(PermissionSet::all().len(), 14 * 4);
    }

    #[test]
    fn names_that_are_not_permissions_are_rejected() {
        for bad in [
            "",
            "users",
            "users.",
            ".view",
            "users.read",
            "user.view",
            "Users.View",
            "users.view.x",
        ] {
            assert!(
                bad.parse::<Permission>().is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn agents_see_conversations_but_not_users_roles_or_settings() {
        let agent = BuiltinRole::Agent.permissions();
        assert!(agent.contains(p("conversations.view")));
        assert!(!agent.contains(p("users.view")));
        assert!(!agent.contains(p("roles.view")));
        assert!(!agent.contains(p("settings.view")));
        assert!(!agent.contains(p("broadcasts.view")));
        let modules = agent.viewable_modules();
        assert!(modules.contains(&Module::Conversations));
        assert!(!modules.contains(&Module::Users));
    }

    #[test]
    fn managers_send_broadcasts_but_cannot_manage_the_team() {
        let manager = BuiltinRole::Manager.permissions();
        assert!(manager.contains(p("broadcasts.create")));
        assert!(manager.contains(p("users.view")));
        assert!(!manager.contains(p("users.create")));
        assert!(!manager.contains(p("roles.edit")));
    }

    #[test]
    fn only_owners_grant_the_owner_role() {
        let all = PermissionSet::all();
        let admin = Actor {
            is_owner: false,
            permissions: &all,
        };
        let owner = Actor {
            is_owner: true,
            permissions: &all,
        };
        let owner_role = RoleFacts {
            builtin: Some(BuiltinRole::Owner),
            permissions: &all,
        };
        assert_eq!(
            ensure_can_grant(&admin, owner_role),
            Err(RoleRuleViolation::OwnerOnly)
        );
        assert_eq!(ensure_can_grant(&owner, owner_role), Ok(()));
        assert_eq!(
            ensure_can_manage_member(&admin, owner_role),
            Err(RoleRuleViolation::OwnerOnly)
        );
    }

    #[test]
    fn nobody_grants_more_than_they_hold() {
        let manager_perms = BuiltinRole::Manager.permissions();
        let manager = Actor {
            is_owner: false,
            permissions: &manager_perms,
        };
        let admin_perms = BuiltinRole::Admin.permissions();
        let admin_role = RoleFacts {
            builtin: Some(BuiltinRole::Admin),
            permissions: &admin_perms,
        };
        assert_eq!(
            ensure_can_grant(&manager, admin_role),
            Err(RoleRuleViolation::Escalation)
        );
        let agent_perms = BuiltinRole::Agent.permissions();
        let agent_role = RoleFacts {
            builtin: Some(BuiltinRole::Agent),
            permissions: &agent_perms,
        };
        // Agent holds contacts.edit and media.create, which Manager also holds.
        assert_eq!(ensure_can_grant(&manager, agent_role), Ok(()));
        assert_eq!(
            ensure_can_define_role(&manager, None, &admin_perms),
            Err(RoleRuleViolation::Escalation)
        );
    }

    #[test]
    fn a_user_editor_below_admin_cannot_touch_an_admin() {
        let editor_perms = PermissionSet::parse(["users.view", "users.edit", "users.create"])
            .unwrap()
            .with_implied_view();
        let editor = Actor {
            is_owner: false,
            permissions: &editor_perms,
        };
        let admin_perms = BuiltinRole::Admin.permissions();
        let admin_role = RoleFacts {
            builtin: Some(BuiltinRole::Admin),
            permissions: &admin_perms,
        };
        assert_eq!(
            ensure_can_manage_member(&editor, admin_role),
            Err(RoleRuleViolation::Outranked)
        );
        // A custom role holding one permission the editor lacks counts too.
        let broader = PermissionSet::parse(["users.view", "contacts.view"]).unwrap();
        let broader_role = RoleFacts {
            builtin: None,
            permissions: &broader,
        };
        assert_eq!(
            ensure_can_manage_member(&editor, broader_role),
            Err(RoleRuleViolation::Outranked)
        );
        // Members whose role the editor covers are fine.
        let narrower = PermissionSet::parse(["users.view"]).unwrap();
        let narrower_role = RoleFacts {
            builtin: None,
            permissions: &narrower,
        };
        assert_eq!(ensure_can_manage_member(&editor, narrower_role), Ok(()));
        // Admins manage admins; owners manage everyone.
        let admin = Actor {
            is_owner: false,
            permissions: &admin_perms,
        };
        assert_eq!(ensure_can_manage_member(&admin, admin_role), Ok(()));
        let owner = Actor {
            is_owner: true,
            permissions: &admin_perms,
        };
        assert_eq!(ensure_can_manage_member(&owner, admin_role), Ok(()));
        // Nor may the editor grant the admin role.
        assert_eq!(
            ensure_can_grant(&editor, admin_role),
            Err(RoleRuleViolation::Escalation)
        );
    }

    #[test]
    fn nobody_rewrites_a_role_holding_more_than_they_do() {
        let limited = PermissionSet::parse(["roles.edit", "users.view"])
            .unwrap()
            .with_implied_view();
        let actor = Actor {
            is_owner: false,
            permissions: &limited,
        };
        let wide = PermissionSet::parse(["roles.view", "contacts.delete"]).unwrap();
        let wide_role = RoleFacts {
            builtin: None,
            permissions: &wide,
        };
        let empty = PermissionSet::default();
        assert_eq!(
            ensure_can_define_role(&actor, Some(wide_role), &empty),
            Err(RoleRuleViolation::Outranked)
        );
        let small = PermissionSet::parse(["users.view"]).unwrap();
        let small_role = RoleFacts {
            builtin: None,
            permissions: &small,
        };
        assert_eq!(
            ensure_can_define_role(&actor, Some(small_role), &empty),
            Ok(())
        );
    }

    #[test]
    fn built_in_roles_are_fixed() {
        let all = PermissionSet::all();
        let owner = Actor {
            is_owner: true,
            permissions: &all,
        };
        let agent_perms = BuiltinRole::Agent.permissions();
        let agent_role = RoleFacts {
            builtin: Some(BuiltinRole::Agent),
            permissions: &agent_perms,
        };
        assert_eq!(
            ensure_can_define_role(&owner, Some(agent_role), &all),
            Err(RoleRuleViolation::BuiltinImmutable)
        );
        assert_eq!(ensure_can_define_role(&owner, None, &all), Ok(()));
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(
            ensure_owner_remains(true, 1),
            Err(RoleRuleViolation::LastOwner)
        );
        assert_eq!(
            ensure_owner_remains(true, 0),
            Err(RoleRuleViolation::LastOwner)
        );
        assert_eq!(ensure_owner_remains(true, 2), Ok(()));
        assert_eq!(ensure_owner_remains(false, 1), Ok(()));
    }

    #[test]
    fn writing_implies_viewing() {
        let set = PermissionSet::parse(["users.edit", "roles.delete"])
            .unwrap()
            .with_implied_view();
        assert!(set.contains(p("users.view")));
        assert!(set.contains(p("roles.view")));
        assert!(!set.contains(p("users.create")));
    }

    fn any_set() -> impl Strategy<Value = PermissionSet> {
        proptest::collection::vec(0usize..56, 0..56).prop_map(|idx| {
            let all: Vec<Permission> = PermissionSet::all().iter().collect();
            idx.into_iter().map(|i| all[i]).collect()
        })
    }

    proptest! {
        #[test]
        fn granting_never_exceeds_the_actor(actor_set in any_set(), role_set in any_set()) {
            let actor = Actor { is_owner: false, permissions: &actor_set };
            let role = RoleFacts { builtin: None, permissions: &role_set };
            if ensure_can_grant(&actor, role).is_ok() {
                for perm in role_set.iter() {
                    prop_assert!(actor_set.contains(perm));
                }
            }
        }

        #[test]
        fn managing_never_reaches_above_the_actor(actor_set in any_set(), role_set in any_set()) {
            let actor = Actor { is_owner: false, permissions: &actor_set };
            let role = RoleFacts { builtin: None, permissions: &role_set };
            if ensure_can_manage_member(&actor, role).is_ok() {
                prop_assert!(actor_set.covers(&role_set));
            }
        }

        #[test]
        fn sets_survive_serialisation(set in any_set()) {
            let names: Vec<String> = set.iter().map(|p| p.to_string()).collect();
            let parsed = PermissionSet::parse(names.iter().map(String::as_str)).unwrap();
            prop_assert_eq!(parsed, set);
        }
    }
}

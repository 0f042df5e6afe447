//! People as members of a tenant, with their roles, and sign-in history.

use chrono::{DateTime, Utc};

use crate::account::Profile;
use crate::permissions::{BuiltinRole, PermissionSet};
use crate::{RoleId, TenantId, UserId};

/// A person's account, independent of tenants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub has_password: bool,
    pub profile: Profile,
    pub is_instance_admin: bool,
}

/// Where a person stands in one tenant. `Invited` members cannot sign in to
/// it until they accept the invitation with its token (see
/// [`crate::account`]): a tenant adding an email never gets the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Invited,
    Active,
    Deactivated,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Invited => "invited",
            MemberStatus::Active => "active",
            MemberStatus::Deactivated => "deactivated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invited" => Some(MemberStatus::Invited),
            "active" => Some(MemberStatus::Active),
            "deactivated" => Some(MemberStatus::Deactivated),
            _ => None,
        }
    }
}

/// Whether an admin may move a member from `current` to `next` (deactivate,
/// reactivate): only between active and deactivated. An invitation becomes a
/// membership only when the invitee accepts it, and is withdrawn by removing
/// the member.
pub fn status_change_allowed(current: MemberStatus, next: MemberStatus) -> bool {
    current != MemberStatus::Invited && next != MemberStatus::Invited
}

/// A role of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: RoleId,
    pub tenant_id: TenantId,
    pub name: String,
    pub description: String,
    pub builtin: Option<BuiltinRole>,
    pub permissions: PermissionSet,
}

impl Role {
    pub fn facts(&self) -> crate::permissions::RoleFacts<'_> {
        crate::permissions::RoleFacts {
            builtin: self.builtin,
            permissions: &self.permissions,
        }
    }

    pub fn is_owner(&self) -> bool {
        self.builtin == Some(BuiltinRole::Owner)
    }
}

/// A person inside one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub tenant_id: TenantId,
    pub user: User,
    pub role: Role,
    pub status: MemberStatus,
    pub joined_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub session: SessionVersion,
    /// The name this tenant gave the person (typed when inviting, or a
    /// rename by its admins); `None` shows the account's own name.
    pub display_name: Option<String>,
}

impl Member {
    /// The person's name as this tenant shows it. While invited, only what
    /// the tenant typed: nothing of the account is revealed before the person
    /// accepts.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.user.name)
    }

    /// Whether the person has a password, as this tenant may know it: never
    /// while invited (an account elsewhere must not show through).
    pub fn has_password(&self) -> bool {
        self.status != MemberStatus::Invited && self.user.has_password
    }
}

/// Which generation of sessions is current for a member: the account's
/// (moves on with a password change) and the membership's (moves on with
/// signing out, a role change, deactivation). Access tokens and stream
/// tickets carry the numbers they were issued with; once either stored
/// number differs, they are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionVersion {
    pub account: i64,
    pub membership: i64,
}

/// One sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEvent {
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub success: bool,
}

pub const ROLE_NAME_MAX: usize = 60;
pub const ROLE_DESCRIPTION_MAX: usize = 300;

/// Checks a custom role's name and description.
pub fn check_role_text(
    name: &str,
    description: &str,
) -> Result<(String, String), crate::account::FieldErrors> {
    let mut errors = crate::account::FieldErrors::default();
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "Enter a role name.");
    } else if name.chars().count() > ROLE_NAME_MAX {
        errors.add("name", "Use at most 60 characters.");
    } else if BuiltinRole::ALL
        .iter()
        .any(|r| r.display_name().eq_ignore_ascii_case(name))
    {
        errors.add("name", "This name belongs to a built-in role.");
    }
    if description.chars().count() > ROLE_DESCRIPTION_MAX {
        errors.add("description", "Use at most 300 characters.");
    }
    errors.into_result((name.to_owned(), description.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_but_the_invitee_turns_an_invitation_into_a_membership() {
        use MemberStatus::*;
        assert!(!status_change_allowed(Invited, Active));
        assert!(!status_change_allowed(Invited, Deactivated));
        assert!(!status_change_allowed(Active, Invited));
        assert!(status_change_allowed(Active, Deactivated));
        assert!(status_change_allowed(Deactivated, Active));
        for s in [Invited, Active, Deactivated] {
            assert_eq!(MemberStatus::parse(s.as_str()), Some(s));
        }
    }
}

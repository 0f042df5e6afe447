//! A tenant's members changed by its admins: name, role and status, each
//! under the role rules of `domain::permissions` (nobody changes their own
//! role or status, nobody manages or grants above their own rank). Their
//! open sessions are told at once when their access changes.

use domain::account::check_display_name;
use domain::permissions::{ensure_can_grant, ensure_can_manage_member, Actor, RoleRuleViolation};
use domain::team::{Member, MemberStatus};
use domain::{RoleId, TenantId, UserId};

use crate::{App, AppError};

/// Who is making a change: their account and what their role allows.
#[derive(Debug, Clone)]
pub struct Changer<'a> {
    pub user: UserId,
    pub actor: Actor<'a>,
}

/// A member's new display name and role; `None` leaves it.
#[derive(Debug, Clone, Default)]
pub struct MemberEdit {
    pub name: Option<String>,
    pub role: Option<RoleId>,
}

/// Changes a member's name and role. Answers the member as it is now.
pub async fn update(
    app: &App,
    tenant: TenantId,
    by: &Changer<'_>,
    user: UserId,
    edit: MemberEdit,
) -> Result<Member, AppError> {
    let target = app.store.member(tenant, user).await?;
    let name = match edit.name.as_deref() {
        Some(name) => Some(check_display_name(name).map_err(|m| AppError::field("name", m))?),
        None => None,
    };
    if let Some(role_id) = edit.role.filter(|r| *r != target.role.id) {
        if user == by.user {
            return Err(RoleRuleViolation::SelfChange.into());
        }
        let role = app
            .store
            .role(tenant, role_id)
            .await
            .map_err(AppError::missing_as_field(
                "role_id",
                "Choose one of this tenant's roles.",
            ))?;
        ensure_can_manage_member(&by.actor, target.role.facts())?;
        ensure_can_grant(&by.actor, role.facts())?;
        app.store.set_member_role(tenant, user, role.id).await?;
        app.live.sessions_changed(user, Some(tenant)).await;
    }
    if let Some(name) = name.filter(|n| n != target.name()) {
        ensure_can_manage_member(&by.actor, target.role.facts())?;
        app.store
            .set_member_display_name(tenant, user, &name)
            .await?;
    }
    Ok(app.store.member(tenant, user).await?)
}

/// Deactivates or reactivates a member; a deactivated member's sessions
/// end at once.
pub async fn set_status(
    app: &App,
    tenant: TenantId,
    by: &Changer<'_>,
    user: UserId,
    status: MemberStatus,
) -> Result<Member, AppError> {
    if user == by.user {
        return Err(RoleRuleViolation::SelfChange.into());
    }
    let target = app.store.member(tenant, user).await?;
    ensure_can_manage_member(&by.actor, target.role.facts())?;
    if !domain::team::status_change_allowed(target.status, status) {
        return Err(store::StoreError::Conflict("invitation_pending").into());
    }
    app.store.set_member_status(tenant, user, status).await?;
    app.live.sessions_changed(user, Some(tenant)).await;
    Ok(app.store.member(tenant, user).await?)
}

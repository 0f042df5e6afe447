//! New tenants on the instance, made by its administrators, each with its
//! first owner: the administrator themselves, or someone invited by email.

use domain::account::{check_display_name, check_email, FieldErrors};
use domain::team::MemberStatus;
use domain::tenant::{Tenant, TenantSettings};
use domain::UserId;
use store::NewAccount;

use crate::{App, AppError};

/// A tenant as an administrator typed it, with its first owner.
#[derive(Debug, Clone, Default)]
pub struct TenantDraft {
    pub name: String,
    pub company_name: String,
    pub time_zone: String,
    pub default_country: String,
    pub owner_name: String,
    pub owner_email: String,
}

/// A tenant made, its owner, and the invitation link when it could not be
/// emailed.
#[derive(Debug, Clone)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner: UserId,
    pub invite_url: Option<String>,
}

/// Makes a tenant. An owner with `creator_email` (the administrator
/// making it) is active at once; anyone else is invited.
pub async fn create(
    app: &App,
    creator_email: &str,
    draft: &TenantDraft,
) -> Result<CreatedTenant, AppError> {
    let mut errors = FieldErrors::default();
    let settings = errors.take(TenantSettings::new(
        &draft.name,
        &draft.company_name,
        &draft.time_zone,
        &draft.default_country,
    ));
    let owner_name = check_display_name(&draft.owner_name)
        .map_err(|m| errors.add("owner_name", m))
        .ok();
    let owner_email = check_email(&draft.owner_email)
        .map_err(|m| errors.add("owner_email", m))
        .ok();
    let (Some(settings), Some(name), Some(email)) = (settings, owner_name, owner_email) else {
        return Err(errors.into());
    };
    let yourself = email == creator_email;
    let account = NewAccount {
        email,
        name,
        password_hash: None,
    };
    let status = if yourself {
        MemberStatus::Active
    } else {
        MemberStatus::Invited
    };
    let (tenant, owner, _) = app.store.create_tenant(&settings, &account, status).await?;
    let invite_url = if yourself {
        None
    } else {
        let member = app.store.member(tenant.id, owner).await?;
        crate::sign_in::invite(app, tenant.id, &member, &settings.name).await?
    };
    Ok(CreatedTenant {
        tenant,
        owner,
        invite_url,
    })
}

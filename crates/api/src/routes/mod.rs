//! Handlers, one module per API area (each registers its routes and their
//! access rules in its `configure`), and the conversions from domain types
//! to the contract.

pub mod audience;
pub mod auth;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod docs;
pub mod events;
pub mod imports;
pub mod me;
pub mod media;
pub mod notifications;
pub mod quick_replies;
pub mod roles;
pub mod setup;
pub mod system;
pub mod templates;
pub mod tenants;
pub mod users;
pub mod webhooks;

use contract::roles::{Role as RoleDto, RoleRef};
use contract::tenants::{Tenant as TenantDto, TenantSummary};
use contract::users::{MemberStatus as MemberStatusDto, Profile as ProfileDto, User as UserDto};
use domain::team::{Member, MemberStatus, Role, User};
use domain::tenant::Tenant;

use crate::registry::Routes;

/// Every area's routes, each area with its own rules. The order matters
/// where paths overlap: `/contacts/imports` is matched before
/// `/contacts/{id}`, and within an area fixed segments before `{id}`.
pub fn configure(routes: &mut Routes) {
    system::configure(routes);
    routes.scope("/webhooks", webhooks::configure);
    routes.scope("/api/v1", |api| {
        setup::configure(api);
        auth::configure(api);
        conversations::configure(api);
        quick_replies::configure(api);
        events::configure(api);
        me::configure(api);
        tenants::configure(api);
        users::configure(api);
        roles::configure(api);
        channels::configure(api);
        templates::configure(api);
        notifications::configure(api);
        imports::configure(api);
        contacts::configure(api);
        audience::configure(api);
        media::configure(api);
    });
}

pub fn tenant_dto(t: &Tenant) -> TenantDto {
    TenantDto {
        id: t.id.0,
        name: t.settings.name.clone(),
        company_name: t.settings.company_name.clone(),
        time_zone: t.settings.time_zone.clone(),
        default_country: t.settings.default_country.clone(),
        created_at: t.created_at,
    }
}

pub fn tenant_summary(t: &Tenant, role: &Role) -> TenantSummary {
    TenantSummary {
        id: t.id.0,
        name: t.settings.name.clone(),
        role: role.name.clone(),
    }
}

pub fn role_ref(r: &Role) -> RoleRef {
    RoleRef {
        id: r.id.0,
        name: r.name.clone(),
        builtin: r.builtin.map(|b| b.key().to_owned()),
    }
}

pub fn role_dto(r: &Role, user_count: u64) -> RoleDto {
    RoleDto {
        id: r.id.0,
        name: r.name.clone(),
        description: r.description.clone(),
        builtin: r.builtin.map(|b| b.key().to_owned()),
        permissions: r.permissions.iter().map(|p| p.to_string()).collect(),
        user_count,
    }
}

pub fn user_dto(m: &Member) -> UserDto {
    UserDto {
        id: m.user.id.0,
        name: m.name().to_owned(),
        email: m.user.email.clone(),
        role: role_ref(&m.role),
        status: match m.status {
            MemberStatus::Invited => MemberStatusDto::Invited,
            MemberStatus::Active => MemberStatusDto::Active,
            MemberStatus::Deactivated => MemberStatusDto::Deactivated,
        },
        has_password: m.has_password(),
        joined_at: m.joined_at,
        last_login_at: m.last_login_at,
    }
}

pub fn profile_dto(u: &User) -> ProfileDto {
    ProfileDto {
        name: u.name.clone(),
        email: u.email.clone(),
        language: u.profile.language.clone(),
        sounds: u.profile.sounds.clone(),
        chat_sync: u.profile.chat_sync,
    }
}

//! `serve --demo`: seeds an empty instance with a demo tenant and team so a
//! visitor can look around at once. Later areas add their own demo data here.

use anyhow::Context;
use domain::permissions::BuiltinRole;
use domain::tenant::TenantSettings;
use store::{NewAccount, Store};

pub const DEMO_OWNER_EMAIL: &str = "owner@demo.switchboard.local";
pub const DEMO_PASSWORD: &str = "switchboard-demo";

/// Seeds when no account exists; answers the demo channel when it did.
pub async fn seed(store: &Store) -> anyhow::Result<Option<(domain::TenantId, domain::ChannelId)>> {
    if store.has_users().await? {
        return Ok(None);
    }
    let settings = TenantSettings::new("Demo Café", "Demo Café Ltd", "Europe/London", "GB")
        .map_err(|e| anyhow::anyhow!("demo settings: {e:?}"))?;
    let owner = NewAccount {
        email: DEMO_OWNER_EMAIL.to_owned(),
        name: "Olivia Owner".to_owned(),
        password_hash: Some(hash(DEMO_PASSWORD).await?),
    };
    let (tenant, _) = store
        .setup_instance(&settings, &owner)
        .await
        .context("demo tenant")?;
    let roles = store.list_roles(tenant.id).await?;
    for (name, email, builtin) in [
        (
            "Maya Manager",
            "manager@demo.switchboard.local",
            BuiltinRole::Manager,
        ),
        (
            "Arjun Agent",
            "agent@demo.switchboard.local",
            BuiltinRole::Agent,
        ),
        (
            "Ada Admin",
            "admin@demo.switchboard.local",
            BuiltinRole::Admin,
        ),
    ] {
        let role = roles
            .iter()
            .find(|(r, _)| r.builtin == Some(builtin))
            .map(|(r, _)| r.id)
            .context("built-in role missing")?;
        let account = NewAccount {
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: Some(hash(DEMO_PASSWORD).await?),
        };
        store.add_member(tenant.id, &account, role).await?;
    }
    let channel = store
        .create_channel(
            tenant.id,
            &store::NewChannel {
                name: "Sandbox number".to_owned(),
                provider: domain::channel::Provider::Sandbox,
                active: true,
                credentials: app::channel_provider::sandbox_credentials(&settings.company_name),
            },
        )
        .await?;
    Ok(Some((tenant.id, channel.id)))
}

/// Validates and subscribes the demo channel through the built-in sandbox,
/// as a person would with the two buttons. Needs the server running.
pub async fn connect_sandbox_channel(
    state: &api::AppState,
    tenant: domain::TenantId,
    channel: domain::ChannelId,
) -> anyhow::Result<()> {
    let current = state.store.channel(tenant, channel).await?;
    let validated =
        app::channel_provider::validate_and_update(state, &current, current.published.clone())
            .await
            .map_err(|e| anyhow::anyhow!("validating the demo channel: {e}"))?;
    app::channel_provider::subscribe(state, &validated)
        .await
        .map_err(|e| anyhow::anyhow!("subscribing the demo channel: {e}"))?;
    Ok(())
}

async fn hash(password: &str) -> anyhow::Result<String> {
    api::auth::password::hash(password.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))
}

/// `switchboard create-owner`: answers (user, tenant).
#[allow(clippy::too_many_arguments)]
pub async fn create_owner(
    store: &Store,
    email: &str,
    name: &str,
    password: &str,
    tenant_name: &str,
    time_zone: &str,
    country: &str,
    tenant: Option<uuid::Uuid>,
) -> anyhow::Result<(domain::UserId, domain::TenantId)> {
    use domain::account::{check_display_name, check_password, normalize_email};
    let email = normalize_email(email).context("not a valid email address")?;
    let name = check_display_name(name).map_err(anyhow::Error::msg)?;
    check_password(password).map_err(anyhow::Error::msg)?;
    let account = NewAccount {
        email: email.clone(),
        name,
        password_hash: Some(hash(password).await?),
    };
    // An existing account must not keep a password someone else may have
    // chosen (an invitation accepted through a shown link): the operator's
    // password replaces it and every session of the account ends.
    if let (Some((existing, _)), Some(new_hash)) = (
        store.user_by_email(&email).await?,
        account.password_hash.as_deref(),
    ) {
        store.set_password(existing.id, new_hash).await?;
        store.revoke_all_sessions(existing.id).await?;
        tracing::warn!(
            user = %existing.id.0,
            "the account already existed: its password is now the one given, and its sessions ended"
        );
    }
    if let Some(tenant) = tenant.map(domain::TenantId) {
        store.tenant(tenant).await.context("no such tenant")?;
        let owner_role = store
            .list_roles(tenant)
            .await?
            .into_iter()
            .find(|(r, _)| r.is_owner())
            .map(|(r, _)| r.id)
            .context("owner role missing")?;
        let user = match store.user_by_email(&email).await? {
            Some((user, _)) => {
                match store.member(tenant, user.id).await {
                    Ok(member) => {
                        store.set_member_role(tenant, user.id, owner_role).await?;
                        if member.status == domain::team::MemberStatus::Invited {
                            store
                                .activate_invited_member_by_operator(tenant, user.id)
                                .await?;
                        } else {
                            store
                                .set_member_status(
                                    tenant,
                                    user.id,
                                    domain::team::MemberStatus::Active,
                                )
                                .await?;
                        }
                    }
                    Err(store::StoreError::NotFound) => {
                        store.add_member(tenant, &account, owner_role).await?;
                    }
                    Err(e) => return Err(e.into()),
                }
                user.id
            }
            None => {
                store
                    .add_member(tenant, &account, owner_role)
                    .await?
                    .0
                    .user
                    .id
            }
        };
        return Ok((user, tenant));
    }
    let settings = TenantSettings::new(tenant_name, "", time_zone, country)
        .map_err(|e| anyhow::anyhow!("tenant settings: {:?}", e.into_map()))?;
    if store.has_users().await? {
        let (t, user, _) = store
            .create_tenant(&settings, &account, domain::team::MemberStatus::Active)
            .await?;
        Ok((user, t.id))
    } else {
        let (t, user) = store.setup_instance(&settings, &account).await?;
        Ok((user, t.id))
    }
}

//! Tenants, people, memberships, roles and sign-in history.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::account::Profile;
use domain::permissions::{BuiltinRole, PermissionSet};
use domain::team::{LoginEvent, Member, MemberStatus, Role, User};
use domain::tenant::{Tenant, TenantSettings};
use domain::{RoleId, TenantId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::entities::{login_event, membership, role, tenant, user};
use crate::sign_in_tokens::VoidLinks;
use crate::{Store, StoreError};

/// Cursor pagination: items after `after`, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<Uuid>,
    pub limit: u64,
}

/// Who to list among a tenant's members.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Matches name or email, case-insensitively.
    pub q: Option<String>,
    pub role_id: Option<RoleId>,
    pub status: Option<MemberStatus>,
}

/// A person to add: used when the email has no account yet.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
}

fn tenant_from(m: tenant::Model) -> Tenant {
    Tenant {
        id: TenantId(m.id),
        settings: TenantSettings {
            name: m.name,
            company_name: m.company_name,
            time_zone: m.time_zone,
            default_country: m.default_country,
        },
        created_at: m.created_at,
    }
}

fn user_from(m: user::Model) -> Result<User, StoreError> {
    let sounds: BTreeMap<String, bool> = serde_json::from_str(&m.sounds)
        .map_err(|e| StoreError::Corrupt(format!("user sounds: {e}")))?;
    Ok(User {
        id: UserId(m.id),
        email: m.email,
        name: m.name,
        has_password: m.password_hash.is_some(),
        profile: Profile {
            language: m.language,
            sounds,
            chat_sync: m.chat_sync,
        },
        is_instance_admin: m.is_instance_admin,
    })
}

fn role_from(m: role::Model) -> Result<Role, StoreError> {
    let names: Vec<String> = serde_json::from_str(&m.permissions)
        .map_err(|e| StoreError::Corrupt(format!("role permissions: {e}")))?;
    let permissions = PermissionSet::parse(names.iter().map(String::as_str))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Role {
        id: RoleId(m.id),
        tenant_id: TenantId(m.tenant_id),
        name: m.name,
        description: m.description,
        builtin: m.builtin.as_deref().and_then(BuiltinRole::from_key),
        permissions,
    })
}

fn permissions_json(set: &PermissionSet) -> String {
    let names: Vec<String> = set.iter().map(|p| p.to_string()).collect();
    serde_json::Value::from(names).to_string()
}

fn sounds_json(sounds: &BTreeMap<String, bool>) -> String {
    serde_json::to_value(sounds)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "{}".to_owned())
}

fn member_status(s: &str) -> Result<MemberStatus, StoreError> {
    MemberStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("member status {s}")))
}

async fn insert_builtin_roles<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<HashMap<BuiltinRole, Uuid>, StoreError> {
    let mut ids = HashMap::new();
    for builtin in BuiltinRole::ALL {
        let id = Uuid::now_v7();
        role::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant_id),
            name: Set(builtin.display_name().to_owned()),
            description: Set(String::new()),
            builtin: Set(Some(builtin.key().to_owned())),
            permissions: Set(permissions_json(&builtin.permissions())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        ids.insert(builtin, id);
    }
    Ok(ids)
}

/// Finds the account for `email`, or creates it. Answers (user id, existed).
async fn find_or_create_user<C: ConnectionTrait>(
    db: &C,
    account: &NewAccount,
    instance_admin: bool,
    now: DateTime<Utc>,
) -> Result<(Uuid, bool), StoreError> {
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(account.email.as_str()))
        .one(db)
        .await?
    {
        return Ok((existing.id, true));
    }
    // Random, not time-ordered: an account's id is shown to every tenant
    // that adds the person, and a timestamp in it would tell them whether
    // (and since when) the account existed elsewhere.
    let id = Uuid::new_v4();
    let profile = Profile::default();
    user::ActiveModel {
        id: Set(id),
        email: Set(account.email.clone()),
        name: Set(account.name.clone()),
        password_hash: Set(account.password_hash.clone()),
        language: Set(profile.language),
        sounds: Set(sounds_json(&profile.sounds)),
        chat_sync: Set(profile.chat_sync),
        is_instance_admin: Set(instance_admin),
        created_at: Set(now),
        updated_at: Set(now),
        session_version: Set(0),
    }
    .insert(db)
    .await?;
    Ok((id, false))
}

#[allow(clippy::too_many_arguments)]
async fn insert_membership<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    user_id: Uuid,
    role_id: Uuid,
    status: MemberStatus,
    display_name: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    membership::ActiveModel {
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        role_id: Set(role_id),
        status: Set(status.as_str().to_owned()),
        joined_at: Set(now),
        last_login_at: Set(None),
        session_version: Set(crate::sign_in_tokens::first_membership_version(now)),
        display_name: Set(display_name),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Names of people as `tenant` shows them: the name it gave a member (see
/// `memberships.display_name`), else the account's own.
pub(crate) async fn member_names<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, StoreError> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut names: HashMap<Uuid, String> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Name)
        .filter(user::Column::Id.is_in(ids.clone()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let given: Vec<(Uuid, Option<String>)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::UserId)
        .column(membership::Column::DisplayName)
        .filter(membership::Column::TenantId.eq(tenant.0))
        .filter(membership::Column::UserId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    for (id, name) in given {
        if let Some(name) = name {
            names.insert(id, name);
        }
    }
    Ok(names)
}

impl Store {
    // ----- tenants -------------------------------------------------------

    /// Creates the first tenant and its owner, who administers the instance.
    /// Refused with `Conflict("setup_done")` once any account exists.
    pub async fn setup_instance(
        &self,
        settings: &TenantSettings,
        owner: &NewAccount,
    ) -> Result<(Tenant, UserId), StoreError> {
        let txn = self.write_txn().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // Serialise concurrent first-run attempts.
            txn.execute_unprepared("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        if user::Entity::find().count(&txn).await? > 0 {
            return Err(StoreError::Conflict("setup_done"));
        }
        let (tenant, user_id, _) =
            create_tenant_in(&txn, settings, owner, true, MemberStatus::Active).await?;
        txn.commit().await?;
        Ok((tenant, user_id))
    }

    /// Whether any account exists yet.
    pub async fn has_users(&self) -> Result<bool, StoreError> {
        Ok(user::Entity::find().count(&self.db).await? > 0)
    }

    /// Creates a tenant whose first owner is `owner`, with membership
    /// `owner_status`: `Invited` unless the caller is that person (or an
    /// operator tool). Answers the tenant, the owner and whether the account
    /// existed.
    pub async fn create_tenant(
        &self,
        settings: &TenantSettings,
        owner: &NewAccount,
        owner_status: MemberStatus,
    ) -> Result<(Tenant, UserId, bool), StoreError> {
        let txn = self.write_txn().await?;
        let created = create_tenant_in(&txn, settings, owner, false, owner_status).await?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn tenant(&self, tenant: TenantId) -> Result<Tenant, StoreError> {
        tenant::Entity::find_by_id(tenant.0)
            .one(&self.db)
            .await?
            .map(tenant_from)
            .ok_or(StoreError::NotFound)
    }

    pub async fn update_tenant(
        &self,
        tenant: TenantId,
        settings: &TenantSettings,
    ) -> Result<Tenant, StoreError> {
        let existing = tenant::Entity::find_by_id(tenant.0)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: tenant::ActiveModel = existing.into();
        model.name = Set(settings.name.clone());
        model.company_name = Set(settings.company_name.clone());
        model.time_zone = Set(settings.time_zone.clone());
        model.default_country = Set(settings.default_country.clone());
        model.updated_at = Set(Utc::now());
        Ok(tenant_from(model.update(&self.db).await?))
    }

    /// Every tenant of the instance, for its administrators.
    pub async fn list_all_tenants(
        &self,
        page: PageRequest,
    ) -> Result<(Vec<Tenant>, u64), StoreError> {
        let mut query = tenant::Entity::find().order_by_asc(tenant::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(tenant::Column::Id.gt(after));
        }
        let total = tenant::Entity::find().count(&self.db).await?;
        let rows = query.limit(page.limit).all(&self.db).await?;
        Ok((rows.into_iter().map(tenant_from).collect(), total))
    }

    // ----- accounts ------------------------------------------------------

    pub async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let Some(model) = user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let hash = model.password_hash.clone();
        Ok(Some((user_from(model)?, hash)))
    }

    /// The account and its password hash.
    pub async fn user_with_hash(
        &self,
        user_id: UserId,
    ) -> Result<(User, Option<String>), StoreError> {
        let model = user::Entity::find_by_id(user_id.0)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash = model.password_hash.clone();
        Ok((user_from(model)?, hash))
    }

    /// Sets a new password. Every unused reset link dies with it; when it
    /// replaces a password, so do pending invitations (an admin can send
    /// them again). A first password, chosen through a reset link by
    /// someone invited, leaves their invitations waiting.
    pub async fn set_password(&self, user_id: UserId, hash: &str) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        let had_password = user::Entity::find_by_id(user_id.0)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?
            .password_hash
            .is_some();
        let res = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash.to_owned()))
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(user_id.0))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        if had_password {
            crate::sign_in_tokens::void_password_tokens_in(&txn, user_id, VoidLinks::All).await?;
        } else {
            crate::sign_in_tokens::void_password_tokens_in(&txn, user_id, VoidLinks::Resets)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn update_profile(
        &self,
        user_id: UserId,
        name: &str,
        profile: &Profile,
    ) -> Result<User, StoreError> {
        let existing = user::Entity::find_by_id(user_id.0)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut model: user::ActiveModel = existing.into();
        model.name = Set(name.to_owned());
        model.language = Set(profile.language.clone());
        model.sounds = Set(sounds_json(&profile.sounds));
        model.chat_sync = Set(profile.chat_sync);
        model.updated_at = Set(Utc::now());
        user_from(model.update(&self.db).await?)
    }

    /// Active tenants of a person, with their role in each, oldest first.
    pub async fn tenants_of(&self, user_id: UserId) -> Result<Vec<(Tenant, Role)>, StoreError> {
        let memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id.0))
            .filter(membership::Column::Status.eq(MemberStatus::Active.as_str()))
            .order_by_asc(membership::Column::JoinedAt)
            .all(&self.db)
            .await?;
        let tenant_ids: Vec<Uuid> = memberships.iter().map(|m| m.tenant_id).collect();
        let role_ids: Vec<Uuid> = memberships.iter().map(|m| m.role_id).collect();
        let tenants: HashMap<Uuid, tenant::Model> = tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(tenant_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let roles: HashMap<Uuid, role::Model> = role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        memberships
            .into_iter()
            .filter_map(|m| {
                let t = tenants.get(&m.tenant_id)?.clone();
                let r = roles.get(&m.role_id)?.clone();
                Some(role_from(r).map(|role| (tenant_from(t), role)))
            })
            .collect()
    }

    // ----- members (tenant-scoped) --------------------------------------

    /// A member of `tenant`, whatever their status; `NotFound` for anybody else.
    pub async fn member(&self, tenant: TenantId, user_id: UserId) -> Result<Member, StoreError> {
        let m = membership::Entity::find_by_id((tenant.0, user_id.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut members = self.assemble_members(tenant, vec![m]).await?;
        members.pop().ok_or(StoreError::NotFound)
    }

    async fn assemble_members(
        &self,
        tenant: TenantId,
        rows: Vec<membership::Model>,
    ) -> Result<Vec<Member>, StoreError> {
        let user_ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
        let users: HashMap<Uuid, user::Model> = user::Entity::find()
            .filter(user::Column::Id.is_in(user_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let roles: HashMap<Uuid, role::Model> = role::Entity::find()
            .filter(role::Column::TenantId.eq(tenant.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        rows.into_iter()
            .map(|m| {
                let u = users
                    .get(&m.user_id)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt("membership without user".into()))?;
                let r = roles
                    .get(&m.role_id)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt("membership without role".into()))?;
                let session = domain::team::SessionVersion {
                    account: u.session_version,
                    membership: m.session_version,
                };
                Ok(Member {
                    tenant_id: tenant,
                    session,
                    user: user_from(u)?,
                    role: role_from(r)?,
                    status: member_status(&m.status)?,
                    joined_at: m.joined_at,
                    last_login_at: m.last_login_at,
                    display_name: m.display_name,
                })
            })
            .collect()
    }

    fn member_condition(tenant: TenantId, filter: &MemberFilter) -> Condition {
        let mut cond = Condition::all().add(membership::Column::TenantId.eq(tenant.0));
        if let Some(role_id) = filter.role_id {
            cond = cond.add(membership::Column::RoleId.eq(role_id.0));
        }
        if let Some(status) = filter.status {
            cond = cond.add(membership::Column::Status.eq(status.as_str()));
        }
        cond
    }

    /// Members of `tenant` matching `filter`, ordered by account id, and the total.
    pub async fn list_members(
        &self,
        tenant: TenantId,
        filter: &MemberFilter,
        page: PageRequest,
    ) -> Result<(Vec<Member>, u64), StoreError> {
        let mut cond = Self::member_condition(tenant, filter);
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let by_email = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(crate::like::contains_ci(user::Column::Email, q))
                .into_query();
            let by_name = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(crate::like::contains_ci(user::Column::Name, q))
                .into_query();
            // An invited member's account name is not this tenant's to
            // search by (it would tell who owns the email elsewhere).
            cond = cond.add(
                Condition::any()
                    .add(membership::Column::UserId.in_subquery(by_email))
                    .add(crate::like::contains_ci(membership::Column::DisplayName, q))
                    .add(
                        Condition::all()
                            .add(membership::Column::Status.ne(MemberStatus::Invited.as_str()))
                            .add(membership::Column::UserId.in_subquery(by_name)),
                    ),
            );
        }
        let total = membership::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        if let Some(after) = page.after {
            cond = cond.add(membership::Column::UserId.gt(after));
        }
        let rows = membership::Entity::find()
            .filter(cond)
            .order_by_asc(membership::Column::UserId)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Ok((self.assemble_members(tenant, rows).await?, total))
    }

    /// Invites `email` into `tenant` with `role`: the membership is
    /// `Invited` until the person accepts with the invitation's token. An
    /// email without an account gets one with no password (the person
    /// chooses it on accepting); an existing account is untouched.
    /// `display_name` is what this tenant calls the person. The answer is the
    /// same for both, so a tenant learns nothing about accounts elsewhere.
    /// `Conflict("already_member")` if already in the tenant.
    pub async fn invite_member(
        &self,
        tenant: TenantId,
        email: &str,
        display_name: &str,
        role_id: RoleId,
    ) -> Result<Member, StoreError> {
        let account = NewAccount {
            email: email.to_owned(),
            name: display_name.to_owned(),
            password_hash: None,
        };
        let user_id = self
            .insert_member(tenant, &account, role_id, MemberStatus::Invited)
            .await?;
        self.member(tenant, user_id).await
    }

    /// Adds a person to `tenant` as an active member at once: for operator
    /// tools (demo seeding, `create-owner`) only, never for a request. An
    /// email that already has an account joins as is. Answers whether it existed.
    pub async fn add_member(
        &self,
        tenant: TenantId,
        account: &NewAccount,
        role_id: RoleId,
    ) -> Result<(Member, bool), StoreError> {
        let existed = user::Entity::find()
            .filter(user::Column::Email.eq(account.email.as_str()))
            .one(&self.db)
            .await?
            .is_some();
        let user_id = self
            .insert_member(tenant, account, role_id, MemberStatus::Active)
            .await?;
        Ok((self.member(tenant, user_id).await?, existed))
    }

    async fn insert_member(
        &self,
        tenant: TenantId,
        account: &NewAccount,
        role_id: RoleId,
        status: MemberStatus,
    ) -> Result<UserId, StoreError> {
        let txn = self.write_txn().await?;
        role::Entity::find_by_id(role_id.0)
            .filter(role::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        let (user_id, _) = find_or_create_user(&txn, account, false, now).await?;
        if membership::Entity::find_by_id((tenant.0, user_id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict("already_member"));
        }
        let display_name = (status == MemberStatus::Invited).then(|| account.name.clone());
        insert_membership(
            &txn,
            tenant.0,
            user_id,
            role_id.0,
            status,
            display_name,
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(UserId(user_id))
    }

    /// Makes a pending invitation an active membership without the invitee:
    /// for `create-owner` (an operator at the server's shell) only, never for
    /// a request. A no-op for other statuses.
    pub async fn activate_invited_member_by_operator(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<(), StoreError> {
        membership::Entity::update_many()
            .col_expr(
                membership::Column::Status,
                Expr::value(MemberStatus::Active.as_str()),
            )
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .filter(membership::Column::Status.eq(MemberStatus::Invited.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Renames a member as `tenant` shows them. The account's own name (the
    /// person's choice, shown in their other tenants) stays.
    pub async fn set_member_display_name(
        &self,
        tenant: TenantId,
        user_id: UserId,
        name: &str,
    ) -> Result<(), StoreError> {
        let res = membership::Entity::update_many()
            .col_expr(
                membership::Column::DisplayName,
                Expr::value(Some(name.to_owned())),
            )
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Makes an invited member active, spending the invitation `token_hash`
    /// (it must be an unused, unexpired invitation for this very membership).
    /// With `new_password`, the account must still have none: it gets this
    /// hash and `name` (the person's own choice). Without, the caller has
    /// checked the account's password. `Ok(false)` when the token or the
    /// invitation is no longer valid; `Conflict("password_set")` when a
    /// password appeared meanwhile.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        tenant: TenantId,
        user_id: UserId,
        new_password: Option<(&str, &str)>,
    ) -> Result<bool, StoreError> {
        let txn = self.write_txn().await?;
        if !crate::sign_in_tokens::spend_password_token_in(
            &txn,
            token_hash,
            crate::PasswordTokenPurpose::Invite,
            Some(tenant),
            user_id,
        )
        .await?
        {
            return Ok(false);
        }
        let activated = membership::Entity::update_many()
            .col_expr(
                membership::Column::Status,
                Expr::value(MemberStatus::Active.as_str()),
            )
            // The person's own name shows from now on.
            .col_expr(membership::Column::DisplayName, Expr::value(None::<String>))
            .col_expr(membership::Column::JoinedAt, Expr::value(Utc::now()))
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .filter(membership::Column::Status.eq(MemberStatus::Invited.as_str()))
            .exec(&txn)
            .await?;
        if activated.rows_affected == 0 {
            return Ok(false);
        }
        if let Some((hash, name)) = new_password {
            let set = user::Entity::update_many()
                .col_expr(user::Column::PasswordHash, Expr::value(hash.to_owned()))
                .col_expr(user::Column::Name, Expr::value(name.to_owned()))
                .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(user::Column::Id.eq(user_id.0))
                .filter(user::Column::PasswordHash.is_null())
                .exec(&txn)
                .await?;
            if set.rows_affected == 0 {
                return Err(StoreError::Conflict("password_set"));
            }
            crate::sign_in_tokens::void_password_tokens_in(&txn, user_id, VoidLinks::Resets)
                .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Changes a member's role. When the member is an owner losing the Owner
    /// role, the last-owner rule is re-checked inside the transaction.
    pub async fn set_member_role(
        &self,
        tenant: TenantId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        lock_tenant(&txn, tenant).await?;
        role::Entity::find_by_id(role_id.0)
            .filter(role::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let res = membership::Entity::update_many()
            .col_expr(membership::Column::RoleId, Expr::value(role_id.0))
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        ensure_an_owner_remains(&txn, tenant).await?;
        crate::sign_in_tokens::end_member_access_in(&txn, tenant, user_id).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn set_member_status(
        &self,
        tenant: TenantId,
        user_id: UserId,
        status: MemberStatus,
    ) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        lock_tenant(&txn, tenant).await?;
        let current = membership::Entity::find_by_id((tenant.0, user_id.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        // Only the invitee turns an invitation into a membership.
        if !domain::team::status_change_allowed(member_status(&current.status)?, status) {
            return Err(StoreError::Conflict("invitation_pending"));
        }
        membership::Entity::update_many()
            .col_expr(membership::Column::Status, Expr::value(status.as_str()))
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .exec(&txn)
            .await?;
        ensure_an_owner_remains(&txn, tenant).await?;
        if status == MemberStatus::Deactivated {
            crate::sign_in_tokens::revoke_member_sessions_in(&txn, tenant, user_id).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Takes a person out of `tenant` (their account and other tenants stay).
    pub async fn remove_member(&self, tenant: TenantId, user_id: UserId) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        lock_tenant(&txn, tenant).await?;
        let res = membership::Entity::delete_many()
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        ensure_an_owner_remains(&txn, tenant).await?;
        crate::sign_in_tokens::revoke_member_sessions_in(&txn, tenant, user_id).await?;
        // A withdrawn invitation stays withdrawn, even if the person is
        // invited again later (that invitation has links of its own).
        crate::sign_in_tokens::void_password_tokens_in(
            &txn,
            user_id,
            VoidLinks::InvitationsTo(tenant),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn count_active_owners(&self, tenant: TenantId) -> Result<u64, StoreError> {
        count_active_owners_in(&self.db, tenant).await
    }

    pub async fn touch_last_login(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<(), StoreError> {
        membership::Entity::update_many()
            .col_expr(membership::Column::LastLoginAt, Expr::value(Utc::now()))
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::UserId.eq(user_id.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    // ----- roles (tenant-scoped) ----------------------------------------

    /// Roles of `tenant` with how many members hold each, built-ins first.
    pub async fn list_roles(&self, tenant: TenantId) -> Result<Vec<(Role, u64)>, StoreError> {
        let rows = role::Entity::find()
            .filter(role::Column::TenantId.eq(tenant.0))
            .order_by_asc(role::Column::CreatedAt)
            .order_by_asc(role::Column::Id)
            .all(&self.db)
            .await?;
        let counts: Vec<(Uuid, i64)> = membership::Entity::find()
            .select_only()
            .column(membership::Column::RoleId)
            .column_as(membership::Column::UserId.count(), "n")
            .filter(membership::Column::TenantId.eq(tenant.0))
            .group_by(membership::Column::RoleId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
        let mut roles = rows
            .into_iter()
            .map(|r| {
                let n = u64::try_from(counts.get(&r.id).copied().unwrap_or(0)).unwrap_or(0);
                role_from(r).map(|role| (role, n))
            })
            .collect::<Result<Vec<_>, _>>()?;
        roles.sort_by_key(|(r, _)| r.builtin.is_none());
        Ok(roles)
    }

    pub async fn role(&self, tenant: TenantId, role_id: RoleId) -> Result<Role, StoreError> {
        role::Entity::find_by_id(role_id.0)
            .filter(role::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
            .and_then(role_from)
    }

    pub async fn role_user_count(
        &self,
        tenant: TenantId,
        role_id: RoleId,
    ) -> Result<u64, StoreError> {
        Ok(membership::Entity::find()
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::RoleId.eq(role_id.0))
            .count(&self.db)
            .await?)
    }

    pub async fn create_role(
        &self,
        tenant: TenantId,
        name: &str,
        description: &str,
        permissions: &PermissionSet,
    ) -> Result<Role, StoreError> {
        let now = Utc::now();
        let model = role::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            name: Set(name.to_owned()),
            description: Set(description.to_owned()),
            builtin: Set(None),
            permissions: Set(permissions_json(permissions)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        role_from(model)
    }

    /// Replaces a custom role's name, description and permissions.
    pub async fn update_role(
        &self,
        tenant: TenantId,
        role_id: RoleId,
        name: &str,
        description: &str,
        permissions: &PermissionSet,
    ) -> Result<Role, StoreError> {
        let existing = role::Entity::find_by_id(role_id.0)
            .filter(role::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if existing.builtin.is_some() {
            return Err(StoreError::Conflict("builtin_role"));
        }
        let mut model: role::ActiveModel = existing.into();
        model.name = Set(name.to_owned());
        model.description = Set(description.to_owned());
        model.permissions = Set(permissions_json(permissions));
        model.updated_at = Set(Utc::now());
        role_from(model.update(&self.db).await?)
    }

    /// Deletes a custom role nobody holds.
    pub async fn delete_role(&self, tenant: TenantId, role_id: RoleId) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        let existing = role::Entity::find_by_id(role_id.0)
            .filter(role::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if existing.builtin.is_some() {
            return Err(StoreError::Conflict("builtin_role"));
        }
        let holders = membership::Entity::find()
            .filter(membership::Column::TenantId.eq(tenant.0))
            .filter(membership::Column::RoleId.eq(role_id.0))
            .count(&txn)
            .await?;
        if holders > 0 {
            return Err(StoreError::Conflict("role_in_use"));
        }
        role::Entity::delete_many()
            .filter(role::Column::TenantId.eq(tenant.0))
            .filter(role::Column::Id.eq(role_id.0))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    // ----- sign-in history ----------------------------------------------

    /// Records a sign-in attempt. `tenant` is the tenant it opened (a
    /// session issued there); `None` for an attempt on the account itself.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_login(
        &self,
        tenant: Option<TenantId>,
        user_id: Option<UserId>,
        email: &str,
        ip: Option<&str>,
        user_agent: Option<&str>,
        success: bool,
    ) -> Result<(), StoreError> {
        login_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.map(|t| t.0)),
            user_id: Set(user_id.map(|u| u.0)),
            email: Set(email.chars().take(254).collect()),
            at: Set(Utc::now()),
            ip: Set(ip.map(|s| s.chars().take(64).collect())),
            user_agent: Set(user_agent.map(|s| s.chars().take(512).collect())),
            success: Set(success),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Sign-ins of a member into `tenant`, newest first. Attempts on the
    /// account and sign-ins into its other tenants are not this tenant's
    /// to see.
    pub async fn login_history(
        &self,
        tenant: TenantId,
        user_id: UserId,
        page: PageRequest,
    ) -> Result<(Vec<(Uuid, LoginEvent)>, u64), StoreError> {
        membership::Entity::find_by_id((tenant.0, user_id.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let base = login_event::Entity::find()
            .filter(login_event::Column::TenantId.eq(tenant.0))
            .filter(login_event::Column::UserId.eq(user_id.0));
        let total = base.clone().count(&self.db).await?;
        let mut query = base.order_by_desc(login_event::Column::Id);
        if let Some(after) = page.after {
            query = query.filter(login_event::Column::Id.lt(after));
        }
        let rows = query.limit(page.limit).all(&self.db).await?;
        Ok((
            rows.into_iter()
                .map(|e| {
                    (
                        e.id,
                        LoginEvent {
                            at: e.at,
                            ip: e.ip,
                            user_agent: e.user_agent,
                            success: e.success,
                        },
                    )
                })
                .collect(),
            total,
        ))
    }
}

async fn create_tenant_in(
    txn: &DatabaseTransaction,
    settings: &TenantSettings,
    owner: &NewAccount,
    instance_admin: bool,
    owner_status: MemberStatus,
) -> Result<(Tenant, UserId, bool), StoreError> {
    let now = Utc::now();
    let tenant_id = Uuid::now_v7();
    let model = tenant::ActiveModel {
        id: Set(tenant_id),
        name: Set(settings.name.clone()),
        company_name: Set(settings.company_name.clone()),
        time_zone: Set(settings.time_zone.clone()),
        default_country: Set(settings.default_country.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let roles = insert_builtin_roles(txn, tenant_id, now).await?;
    let owner_role = roles
        .get(&BuiltinRole::Owner)
        .copied()
        .ok_or_else(|| StoreError::Corrupt("owner role missing".into()))?;
    let (user_id, existed) = find_or_create_user(txn, owner, instance_admin, now).await?;
    let display_name = (owner_status == MemberStatus::Invited).then(|| owner.name.clone());
    insert_membership(
        txn,
        tenant_id,
        user_id,
        owner_role,
        owner_status,
        display_name,
        now,
    )
    .await?;
    Ok((tenant_from(model), UserId(user_id), existed))
}

async fn count_active_owners_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<u64, StoreError> {
    let owner_roles = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::TenantId.eq(tenant.0))
        .filter(role::Column::Builtin.eq(BuiltinRole::Owner.key()))
        .into_query();
    Ok(membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant.0))
        .filter(membership::Column::Status.eq(MemberStatus::Active.as_str()))
        .filter(membership::Column::RoleId.in_subquery(owner_roles))
        .count(db)
        .await?)
}

/// The database-side guard of the last-owner rule: a change that leaves no
/// active owner is rolled back, whatever raced with it.
async fn ensure_an_owner_remains<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
) -> Result<(), StoreError> {
    if count_active_owners_in(db, tenant).await? == 0 {
        return Err(StoreError::Conflict("last_owner"));
    }
    Ok(())
}

/// Serialises membership changes of one tenant on PostgreSQL, so the
/// last-owner check sees every concurrent change. (SQLite's IMMEDIATE
/// transactions already serialise writers.)
async fn lock_tenant(txn: &DatabaseTransaction, tenant: TenantId) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        tenant::Entity::find_by_id(tenant.0)
            .lock_exclusive()
            .one(txn)
            .await?;
    }
    Ok(())
}

//! Refresh-token families, session versions and single-use password tokens.
//! Only hashes of the tokens are stored; the caller hashes before asking.

use chrono::{DateTime, Utc};
use domain::team::{MemberStatus, SessionVersion};
use domain::{TenantId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::{membership, password_token, refresh_token, user};
use crate::{Store, StoreError};

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current; it is now spent and `new_hash` replaces it.
    /// `session` is the member's current session version, read under the
    /// same locks a sign-out everywhere takes, so a token issued with it
    /// cannot outlive a concurrent password change.
    Rotated {
        tenant: TenantId,
        user: UserId,
        family: Uuid,
        session: SessionVersion,
    },
    /// The token had already been spent or revoked: its whole family is now revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

/// What a single-use emailed token is for. A token only ever works for its
/// own purpose: a reset link is no invitation, and an invitation no reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordTokenPurpose {
    Reset,
    Invite,
}

impl PasswordTokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            PasswordTokenPurpose::Reset => "reset",
            PasswordTokenPurpose::Invite => "invite",
        }
    }
}

/// The version a new membership starts at: later than any earlier membership
/// of the same person could have reached, so removing and adding someone
/// again does not revive the old membership's tokens.
pub(crate) fn first_membership_version(now: DateTime<Utc>) -> i64 {
    now.timestamp_millis()
}

/// Ends the member's access tokens and stream tickets in `tenant`;
/// their refresh tokens stay (after a role change the app refreshes into the
/// new role).
pub(crate) async fn end_member_access_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    user: UserId,
) -> Result<(), StoreError> {
    membership::Entity::update_many()
        .col_expr(
            membership::Column::SessionVersion,
            Expr::col(membership::Column::SessionVersion).add(1),
        )
        .filter(membership::Column::TenantId.eq(tenant.0))
        .filter(membership::Column::UserId.eq(user.0))
        .exec(db)
        .await?;
    Ok(())
}

/// A live (unused, unexpired) emailed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordToken {
    pub user: UserId,
    /// The tenant an invitation is for; `None` for a reset.
    pub tenant: Option<TenantId>,
}

/// Spends a live token of `purpose` for `user` (and `tenant`). Two concurrent
/// attempts cannot both succeed.
pub(crate) async fn spend_password_token_in<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
    purpose: PasswordTokenPurpose,
    tenant: Option<TenantId>,
    user: UserId,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut update = password_token::Entity::update_many()
        .col_expr(password_token::Column::UsedAt, Expr::value(now))
        .filter(password_token::Column::TokenHash.eq(token_hash))
        .filter(password_token::Column::Purpose.eq(purpose.as_str()))
        .filter(password_token::Column::UserId.eq(user.0))
        .filter(password_token::Column::UsedAt.is_null())
        .filter(password_token::Column::ExpiresAt.gt(now));
    update = match tenant {
        Some(t) => update.filter(password_token::Column::TenantId.eq(t.0)),
        None => update.filter(password_token::Column::TenantId.is_null()),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Which unused emailed links of a person to void.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VoidLinks {
    /// Resets and invitations alike: their password changed, and whatever
    /// was sent before belongs to the old one.
    All,
    /// Reset links only: a first password was just chosen through an
    /// invitation or a reset; other invitations stay.
    Resets,
    /// Invitations into one tenant: they were removed from it.
    InvitationsTo(TenantId),
}

/// Marks the chosen unused links of `user` as spent.
pub(crate) async fn void_password_tokens_in<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    which: VoidLinks,
) -> Result<(), StoreError> {
    let mut update = password_token::Entity::update_many()
        .col_expr(password_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(password_token::Column::UserId.eq(user.0))
        .filter(password_token::Column::UsedAt.is_null());
    update = match which {
        VoidLinks::All => update,
        VoidLinks::Resets => {
            update.filter(password_token::Column::Purpose.eq(PasswordTokenPurpose::Reset.as_str()))
        }
        VoidLinks::InvitationsTo(tenant) => update
            .filter(password_token::Column::Purpose.eq(PasswordTokenPurpose::Invite.as_str()))
            .filter(password_token::Column::TenantId.eq(tenant.0)),
    };
    update.exec(db).await?;
    Ok(())
}

/// Locks the member's rows (PostgreSQL) in the order every session change
/// takes them, and answers their session version; `None` without a membership.
async fn lock_session(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    user_id: UserId,
) -> Result<Option<SessionVersion>, StoreError> {
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    let mut m = membership::Entity::find_by_id((tenant.0, user_id.0));
    let mut u = user::Entity::find_by_id(user_id.0);
    if postgres {
        m = m.lock_exclusive();
        u = u.lock_exclusive();
    }
    let Some(m) = m.one(txn).await? else {
        return Ok(None);
    };
    let Some(u) = u.one(txn).await? else {
        return Ok(None);
    };
    Ok(Some(SessionVersion {
        account: u.session_version,
        membership: m.session_version,
    }))
}

/// Ends every session of the member in `tenant`: refresh tokens, access
/// tokens and stream tickets (deactivation, removal).
pub(crate) async fn revoke_member_sessions_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    user: UserId,
) -> Result<(), StoreError> {
    end_member_access_in(db, tenant, user).await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::TenantId.eq(tenant.0))
        .filter(refresh_token::Column::UserId.eq(user.0))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_family_in<C: ConnectionTrait>(
    db: &C,
    family: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Starts a new refresh family (a sign-in) and answers the session
    /// version the access token must carry, read under the locks a sign-out
    /// everywhere takes. `None` (and nothing stored) without a membership,
    /// or when the account's version is no longer `expected_account`.
    pub async fn start_session(
        &self,
        tenant: TenantId,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        expected_account: Option<i64>,
    ) -> Result<Option<SessionVersion>, StoreError> {
        let txn = self.write_txn().await?;
        let Some(session) = lock_session(&txn, tenant, user)
            .await?
            .filter(|s| expected_account.is_none_or(|v| v == s.account))
        else {
            return Ok(None);
        };
        let now = Utc::now();
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            user_id: Set(user.0),
            family_id: Set(Uuid::now_v7()),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Some(session))
    }

    /// The account's session version (for tenant-selection tokens).
    pub async fn account_session_version(&self, user_id: UserId) -> Result<i64, StoreError> {
        user::Entity::find_by_id(user_id.0)
            .one(&self.db)
            .await?
            .map(|u| u.session_version)
            .ok_or(StoreError::NotFound)
    }

    /// Spends `token_hash` and stores `new_hash` in its family, atomically.
    /// Presenting a spent token revokes the family (RFC 6819 5.2.2.3).
    pub async fn rotate_refresh_token(
        &self,
        token_hash: &str,
        new_hash: &str,
        new_expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StoreError> {
        let now = Utc::now();
        let txn = self.write_txn().await?;
        let Some(current) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await?
        else {
            return Ok(RefreshOutcome::Invalid);
        };
        let tenant = TenantId(current.tenant_id);
        let user = UserId(current.user_id);
        // Locked before the token row, as a sign-out everywhere does.
        let session = lock_session(&txn, tenant, user).await?;
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(current.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected == 0 {
            revoke_family_in(&txn, current.family_id, now).await?;
            txn.commit().await?;
            return Ok(RefreshOutcome::Reused);
        }
        let Some(session) = session.filter(|_| current.expires_at > now) else {
            // Expired, or the membership is gone: the token is simply dead.
            revoke_family_in(&txn, current.family_id, now).await?;
            txn.commit().await?;
            return Ok(RefreshOutcome::Invalid);
        };
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(current.tenant_id),
            user_id: Set(current.user_id),
            family_id: Set(current.family_id),
            token_hash: Set(new_hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(new_expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(RefreshOutcome::Rotated {
            tenant,
            user,
            family: current.family_id,
            session,
        })
    }

    /// Revokes the family of `token_hash` (leaving a tenant for another).
    /// Unknown tokens are ignored.
    pub async fn revoke_refresh_family(&self, token_hash: &str) -> Result<(), StoreError> {
        let Some(current) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        revoke_family_in(&self.db, current.family_id, Utc::now()).await
    }

    /// Signs out: revokes the family of `token_hash` and ends the member's
    /// access tokens and stream tickets in its tenant (other devices carry on
    /// through their own refresh tokens). Answers whose session it was;
    /// `None` for an unknown token.
    pub async fn sign_out(
        &self,
        token_hash: &str,
    ) -> Result<Option<(TenantId, UserId)>, StoreError> {
        let txn = self.write_txn().await?;
        let Some(current) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        let tenant = TenantId(current.tenant_id);
        let user = UserId(current.user_id);
        lock_session(&txn, tenant, user).await?;
        revoke_family_in(&txn, current.family_id, Utc::now()).await?;
        end_member_access_in(&txn, tenant, user).await?;
        txn.commit().await?;
        Ok(Some((tenant, user)))
    }

    /// Ends every session of a person in every tenant (after a password
    /// change): refresh tokens, access tokens and stream tickets.
    pub async fn revoke_all_sessions(&self, user_id: UserId) -> Result<(), StoreError> {
        let txn = self.write_txn().await?;
        let mut u = user::Entity::find_by_id(user_id.0);
        if txn.get_database_backend() == DbBackend::Postgres {
            u = u.lock_exclusive();
        }
        u.one(&txn).await?;
        user::Entity::update_many()
            .col_expr(
                user::Column::SessionVersion,
                Expr::col(user::Column::SessionVersion).add(1),
            )
            .filter(user::Column::Id.eq(user_id.0))
            .exec(&txn)
            .await?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::UserId.eq(user_id.0))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Whether the member is active and which session version is current;
    /// `None` once they left the tenant. Open event streams ask this.
    pub async fn session_state(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<Option<(MemberStatus, SessionVersion)>, StoreError> {
        let Some(m) = membership::Entity::find_by_id((tenant.0, user_id.0))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(u) = user::Entity::find_by_id(user_id.0).one(&self.db).await? else {
            return Ok(None);
        };
        let status = MemberStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("member status {}", m.status)))?;
        Ok(Some((
            status,
            SessionVersion {
                account: u.session_version,
                membership: m.session_version,
            },
        )))
    }

    /// Stores an emailed token. An invitation names its `tenant`; a reset has none.
    pub async fn insert_password_token(
        &self,
        user: UserId,
        token_hash: &str,
        purpose: PasswordTokenPurpose,
        tenant: Option<TenantId>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        password_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user.0),
            token_hash: Set(token_hash.to_owned()),
            purpose: Set(purpose.as_str().to_owned()),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            tenant_id: Set(tenant.map(|t| t.0)),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The live token of `purpose` with this hash, without spending it.
    pub async fn password_token(
        &self,
        token_hash: &str,
        purpose: PasswordTokenPurpose,
    ) -> Result<Option<PasswordToken>, StoreError> {
        let now = Utc::now();
        Ok(password_token::Entity::find()
            .filter(password_token::Column::TokenHash.eq(token_hash))
            .filter(password_token::Column::Purpose.eq(purpose.as_str()))
            .filter(password_token::Column::UsedAt.is_null())
            .filter(password_token::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?
            .map(|t| PasswordToken {
                user: UserId(t.user_id),
                tenant: t.tenant_id.map(TenantId),
            }))
    }

    /// Spends a live token of `purpose`; answers it. Two concurrent attempts
    /// cannot both succeed.
    pub async fn consume_password_token(
        &self,
        token_hash: &str,
        purpose: PasswordTokenPurpose,
    ) -> Result<Option<PasswordToken>, StoreError> {
        let Some(token) = self.password_token(token_hash, purpose).await? else {
            return Ok(None);
        };
        let spent =
            spend_password_token_in(&self.db, token_hash, purpose, token.tenant, token.user)
                .await?;
        Ok(spent.then_some(token))
    }
}

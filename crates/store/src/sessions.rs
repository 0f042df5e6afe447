//! Refresh-token families and single-use password tokens. Only hashes of the
//! tokens are stored; the caller hashes before asking.

use chrono::{DateTime, Utc};
use domain::{TenantId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::{password_token, refresh_token};
use crate::{Store, StoreError};

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current; it is now spent and `new_hash` replaces it.
    Rotated {
        tenant: TenantId,
        user: UserId,
        family: Uuid,
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

/// A live (unused, unexpired) emailed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordToken {
    pub user: UserId,
    /// The workspace an invitation is for; `None` for a reset.
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

/// Voids every unused reset link of `user` (their password changed).
pub(crate) async fn void_reset_tokens_in<C: ConnectionTrait>(
    db: &C,
    user: UserId,
) -> Result<(), StoreError> {
    password_token::Entity::update_many()
        .col_expr(password_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(password_token::Column::UserId.eq(user.0))
        .filter(password_token::Column::Purpose.eq(PasswordTokenPurpose::Reset.as_str()))
        .filter(password_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub(crate) async fn revoke_member_sessions_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    user: UserId,
) -> Result<(), StoreError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::TenantId.eq(tenant.0))
        .filter(refresh_token::Column::UserId.eq(user.0))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Starts a new family (a sign-in) or continues one (a rotation).
    pub async fn insert_refresh_token(
        &self,
        tenant: TenantId,
        user: UserId,
        family: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            user_id: Set(user.0),
            family_id: Set(family),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(())
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
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(current.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected == 0 {
            refresh_token::Entity::update_many()
                .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
                .filter(refresh_token::Column::FamilyId.eq(current.family_id))
                .filter(refresh_token::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Ok(RefreshOutcome::Reused);
        }
        if current.expires_at <= now {
            // Leave it unspent-looking is pointless; the token is simply dead.
            txn.commit().await?;
            return Ok(RefreshOutcome::Invalid);
        }
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
            tenant: TenantId(current.tenant_id),
            user: UserId(current.user_id),
            family: current.family_id,
        })
    }

    /// Revokes the family of `token_hash` (sign-out). Unknown tokens are ignored.
    pub async fn revoke_refresh_family(&self, token_hash: &str) -> Result<(), StoreError> {
        let Some(current) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::FamilyId.eq(current.family_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Revokes every session of a person, in every tenant (after a password change).
    pub async fn revoke_all_sessions(&self, user: UserId) -> Result<(), StoreError> {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::UserId.eq(user.0))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
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

//! Notifications, one row per recipient, always read within a tenant.

use chrono::Utc;
use domain::notification::{Notice, Notification};
use domain::team::MemberStatus;
use domain::{TenantId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::notification;
use crate::{MemberFilter, PageRequest, Store, StoreError};

fn from_model(m: notification::Model) -> Notification {
    Notification {
        id: m.id,
        kind: m.kind,
        title: m.title,
        body: m.body,
        link: m.link,
        created_at: m.created_at,
        read_at: m.read_at,
    }
}

impl Store {
    /// Addresses `notice` to the tenant's active members whose role holds its
    /// permission; answers how many received it.
    pub async fn notify(&self, tenant: TenantId, notice: &Notice) -> Result<u64, StoreError> {
        let filter = MemberFilter {
            status: Some(MemberStatus::Active),
            ..MemberFilter::default()
        };
        let mut recipients = Vec::new();
        let mut after = None;
        loop {
            let (members, _) = self
                .list_members(tenant, &filter, PageRequest { after, limit: 200 })
                .await?;
            let last = members.last().map(|m| m.user.id.0);
            recipients.extend(
                members
                    .into_iter()
                    .filter(|m| m.role.permissions.contains(notice.audience))
                    .map(|m| m.user.id.0),
            );
            match last {
                Some(id) => after = Some(id),
                None => break,
            }
        }
        if recipients.is_empty() {
            return Ok(0);
        }
        let now = Utc::now();
        let count = recipients.len() as u64;
        let rows = recipients
            .into_iter()
            .map(|user| notification::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant.0),
                user_id: Set(user),
                kind: Set(notice.kind.to_owned()),
                title: Set(notice.title.clone()),
                body: Set(notice.body.clone()),
                link: Set(notice.link.clone()),
                created_at: Set(now),
                read_at: Set(None),
            });
        notification::Entity::insert_many(rows)
            .exec_without_returning(&self.db)
            .await?;
        Ok(count)
    }

    /// A person's notifications in a tenant, newest first, and the unread count.
    pub async fn notifications(
        &self,
        tenant: TenantId,
        user: UserId,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<(Vec<Notification>, u64), StoreError> {
        let mine = notification::Entity::find()
            .filter(notification::Column::TenantId.eq(tenant.0))
            .filter(notification::Column::UserId.eq(user.0));
        let unread = mine
            .clone()
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.db)
            .await?;
        let mut query = if unread_only {
            mine.filter(notification::Column::ReadAt.is_null())
        } else {
            mine
        };
        if let Some(after) = page.after {
            query = query.filter(notification::Column::Id.lt(after));
        }
        let rows = query
            .order_by_desc(notification::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        Ok((rows.into_iter().map(from_model).collect(), unread))
    }

    pub async fn mark_notification_read(
        &self,
        tenant: TenantId,
        user: UserId,
        id: Uuid,
    ) -> Result<(), StoreError> {
        let found = notification::Entity::find_by_id(id)
            .filter(notification::Column::TenantId.eq(tenant.0))
            .filter(notification::Column::UserId.eq(user.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if found.read_at.is_none() {
            notification::Entity::update_many()
                .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
                .filter(notification::Column::Id.eq(id))
                .filter(notification::Column::TenantId.eq(tenant.0))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    pub async fn mark_all_notifications_read(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<u64, StoreError> {
        let res = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
            .filter(notification::Column::TenantId.eq(tenant.0))
            .filter(notification::Column::UserId.eq(user.0))
            .filter(notification::Column::ReadAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }
}

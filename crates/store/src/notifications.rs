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
        Ok(self.notify_all(tenant, notice).await?.len() as u64)
    }

    /// As [`Store::notify`], answering each recipient's notification.
    pub async fn notify_all(
        &self,
        tenant: TenantId,
        notice: &Notice,
    ) -> Result<Vec<(Uuid, Notification)>, StoreError> {
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
        self.insert_notifications(tenant, notice, recipients).await
    }

    /// Addresses `notice` to one member, when they are active and their role
    /// holds its permission.
    pub async fn notify_user(
        &self,
        tenant: TenantId,
        user: Uuid,
        notice: &Notice,
    ) -> Result<Vec<(Uuid, Notification)>, StoreError> {
        let member = match self.member(tenant, UserId(user)).await {
            Ok(m) => m,
            Err(StoreError::NotFound) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if member.status != MemberStatus::Active
            || !member.role.permissions.contains(notice.audience)
        {
            return Ok(Vec::new());
        }
        self.insert_notifications(tenant, notice, vec![user]).await
    }

    async fn insert_notifications(
        &self,
        tenant: TenantId,
        notice: &Notice,
        recipients: Vec<Uuid>,
    ) -> Result<Vec<(Uuid, Notification)>, StoreError> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let rows: Vec<notification::Model> = recipients
            .into_iter()
            .map(|user| notification::Model {
                id: Uuid::now_v7(),
                tenant_id: tenant.0,
                user_id: user,
                kind: notice.kind.to_owned(),
                title: notice.title.clone(),
                body: notice.body.clone(),
                link: notice.link.clone(),
                created_at: now,
                read_at: None,
            })
            .collect();
        notification::Entity::insert_many(rows.iter().cloned().map(|m| {
            notification::ActiveModel {
                id: Set(m.id),
                tenant_id: Set(m.tenant_id),
                user_id: Set(m.user_id),
                kind: Set(m.kind),
                title: Set(m.title),
                body: Set(m.body),
                link: Set(m.link),
                created_at: Set(m.created_at),
                read_at: Set(m.read_at),
            }
        }))
        .exec_without_returning(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|m| (m.user_id, from_model(m)))
            .collect())
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

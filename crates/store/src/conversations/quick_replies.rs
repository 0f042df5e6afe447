//! Saved quick replies.

use super::*;

impl Store {
    pub async fn list_quick_replies(
        &self,
        tenant: TenantId,
        q: Option<&str>,
        channel: Option<ChannelId>,
    ) -> Result<Vec<QuickReplyRecord>, StoreError> {
        let mut query =
            quick_reply::Entity::find().filter(quick_reply::Column::TenantId.eq(tenant.0));
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            let needle = q.trim_start_matches('/');
            query = query.filter(
                Condition::any()
                    .add(contains_ci(quick_reply::Column::ShortcutKey, needle))
                    .add(contains_ci(quick_reply::Column::Body, needle)),
            );
        }
        let rows = query
            .order_by_asc(quick_reply::Column::ShortcutKey)
            .limit(1000)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(quick_reply_from)
            .filter(|r| match channel {
                Some(c) => r.channel_ids.is_empty() || r.channel_ids.contains(&c.0),
                None => true,
            })
            .collect())
    }

    pub async fn save_quick_reply(
        &self,
        tenant: TenantId,
        id: Option<Uuid>,
        draft: &QuickReplyDraft,
        actor: Uuid,
    ) -> Result<QuickReplyRecord, StoreError> {
        let now = Utc::now();
        let channels = serde_json::to_string(&draft.channel_ids).unwrap_or_else(|_| "[]".into());
        let taken = |e: sea_orm::DbErr| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("shortcut_taken"),
            other => other,
        };
        let model = match id {
            None => quick_reply::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant.0),
                shortcut: Set(draft.shortcut.clone()),
                shortcut_key: Set(draft.key()),
                body: Set(draft.body.clone()),
                channel_ids: Set(channels),
                created_by: Set(Some(actor)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&self.db)
            .await
            .map_err(taken)?,
            Some(id) => {
                let row = quick_reply::Entity::find_by_id(id)
                    .filter(quick_reply::Column::TenantId.eq(tenant.0))
                    .one(&self.db)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let mut active: quick_reply::ActiveModel = row.into();
                active.shortcut = Set(draft.shortcut.clone());
                active.shortcut_key = Set(draft.key());
                active.body = Set(draft.body.clone());
                active.channel_ids = Set(channels);
                active.updated_at = Set(now);
                active.update(&self.db).await.map_err(taken)?
            }
        };
        Ok(quick_reply_from(model))
    }

    pub async fn delete_quick_replies(
        &self,
        tenant: TenantId,
        ids: &[Uuid],
    ) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(quick_reply::Entity::delete_many()
            .filter(quick_reply::Column::TenantId.eq(tenant.0))
            .filter(quick_reply::Column::Id.is_in(ids.iter().copied()))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    // ----- stream tickets --------------------------------------------------
}

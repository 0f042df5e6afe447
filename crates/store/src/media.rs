//! The media gallery's rows: one per file of a tenant (the bytes live in
//! the object store under `object_key`), and the ids providers gave a file
//! uploaded through a channel. Every query is scoped to a tenant.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::media::MediaKind;
use domain::template::TemplateContent;
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::{media, media_provider_upload, message, template};
use crate::{PageRequest, Store, StoreError};

/// A file of the gallery.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MediaRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub name: String,
    pub kind: MediaKind,
    pub mime_type: String,
    pub size_bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Where the bytes are in the object store.
    pub object_key: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: Option<String>,
    pub created_by: Option<Uuid>,
    /// The uploader's name, when the person still exists.
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A file just stored, to describe in the gallery.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub id: Uuid,
    pub name: String,
    pub kind: MediaKind,
    pub mime_type: String,
    pub size_bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub object_key: String,
    pub sha256: Option<String>,
    pub created_by: Option<Uuid>,
}

/// What the gallery can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    pub kind: Option<MediaKind>,
    /// Part of the name, any case.
    pub q: Option<String>,
}

/// The id a provider gave a gallery file uploaded through a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUploadRecord {
    pub media_id: Uuid,
    pub channel_id: ChannelId,
    pub provider_media_id: String,
    pub expires_at: DateTime<Utc>,
    pub uploaded_at: DateTime<Utc>,
}

/// Something that shows a gallery file, so it cannot be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaUse {
    /// A template whose media header uses the file as its sample.
    Template {
        id: Uuid,
        name: String,
        language: String,
        created_by_name: Option<String>,
    },
    /// Messages that show the file in their conversations: how many, and
    /// the customers of the first few conversations.
    Messages { count: u64, customers: Vec<String> },
}

/// How many conversations a "used by messages" answer names.
const NAMED_CONVERSATIONS: u64 = 3;

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("size {n} out of range")))
}

fn record_from(m: media::Model, names: &HashMap<Uuid, String>) -> Result<MediaRecord, StoreError> {
    let kind = MediaKind::parse(&m.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("media {}: kind {:?}", m.id, m.kind)))?;
    Ok(MediaRecord {
        id: m.id,
        tenant_id: TenantId(m.tenant_id),
        created_by_name: m.created_by.and_then(|u| names.get(&u).cloned()),
        name: m.name,
        kind,
        mime_type: m.mime_type,
        size_bytes: u64::try_from(m.size_bytes).unwrap_or_default(),
        width: m.width.and_then(|w| u32::try_from(w).ok()),
        height: m.height.and_then(|h| u32::try_from(h).ok()),
        object_key: m.object_key,
        sha256: m.sha256,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn upload_from(m: media_provider_upload::Model) -> ProviderUploadRecord {
    ProviderUploadRecord {
        media_id: m.media_id,
        channel_id: ChannelId(m.channel_id),
        provider_media_id: m.provider_media_id,
        expires_at: m.expires_at,
        uploaded_at: m.uploaded_at,
    }
}

fn name_contains(needle: &str) -> sea_orm::sea_query::SimpleExpr {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(media::Column::Name)))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

impl Store {
    async fn media_model(&self, tenant: TenantId, id: Uuid) -> Result<media::Model, StoreError> {
        media::Entity::find_by_id(id)
            .filter(media::Column::TenantId.eq(tenant.0))
            .filter(media::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn with_names(&self, models: Vec<media::Model>) -> Result<Vec<MediaRecord>, StoreError> {
        let Some(tenant) = models.first().map(|m| TenantId(m.tenant_id)) else {
            return Ok(Vec::new());
        };
        let names = crate::accounts::member_names(
            &self.db,
            tenant,
            models.iter().filter_map(|m| m.created_by),
        )
        .await?;
        models.into_iter().map(|m| record_from(m, &names)).collect()
    }

    async fn one_with_name(&self, model: media::Model) -> Result<MediaRecord, StoreError> {
        self.with_names(vec![model])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_media(
        &self,
        tenant: TenantId,
        new: &NewMedia,
    ) -> Result<MediaRecord, StoreError> {
        let now = Utc::now();
        let model = media::ActiveModel {
            id: Set(new.id),
            tenant_id: Set(tenant.0),
            name: Set(new.name.clone()),
            kind: Set(new.kind.key().to_owned()),
            mime_type: Set(new.mime_type.clone()),
            size_bytes: Set(to_i64(new.size_bytes)?),
            width: Set(new.width.and_then(|w| i32::try_from(w).ok())),
            height: Set(new.height.and_then(|h| i32::try_from(h).ok())),
            object_key: Set(new.object_key.clone()),
            sha256: Set(new.sha256.clone()),
            created_by: Set(new.created_by),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        self.one_with_name(model).await
    }

    pub async fn media(&self, tenant: TenantId, id: Uuid) -> Result<MediaRecord, StoreError> {
        let model = self.media_model(tenant, id).await?;
        self.one_with_name(model).await
    }

    /// Gallery files matching `filter`, newest first.
    pub async fn list_media(
        &self,
        tenant: TenantId,
        filter: &MediaFilter,
        page: PageRequest,
    ) -> Result<Vec<MediaRecord>, StoreError> {
        let mut cond = Condition::all()
            .add(media::Column::TenantId.eq(tenant.0))
            .add(media::Column::DeletedAt.is_null());
        if let Some(kind) = filter.kind {
            cond = cond.add(media::Column::Kind.eq(kind.key()));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            cond = cond.add(name_contains(q));
        }
        if let Some(after) = page.after {
            cond = cond.add(media::Column::Id.lt(after));
        }
        let models = media::Entity::find()
            .filter(cond)
            .order_by_desc(media::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        self.with_names(models).await
    }

    pub async fn rename_media(
        &self,
        tenant: TenantId,
        id: Uuid,
        name: &str,
    ) -> Result<MediaRecord, StoreError> {
        let found = self.media_model(tenant, id).await?;
        let mut model: media::ActiveModel = found.into();
        model.name = Set(name.to_owned());
        model.updated_at = Set(Utc::now());
        let model = model.update(&self.db).await?;
        self.one_with_name(model).await
    }

    /// What shows a gallery file: templates whose media header uses it, and
    /// messages that show it in a conversation. (Broadcasts will add theirs.)
    pub async fn media_uses(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Vec<MediaUse>, StoreError> {
        // Narrowed in SQL by the id's text, then confirmed on the parsed header.
        let candidates = template::Entity::find()
            .filter(template::Column::TenantId.eq(tenant.0))
            .filter(template::Column::Content.contains(id.to_string()))
            .order_by_asc(template::Column::Name)
            .all(&self.db)
            .await?;
        let names = crate::accounts::member_names(
            &self.db,
            tenant,
            candidates.iter().filter_map(|t| t.created_by),
        )
        .await?;
        let mut uses = Vec::new();
        for t in candidates {
            let content: TemplateContent = serde_json::from_str(&t.content)
                .map_err(|e| StoreError::Corrupt(format!("template {}: {e}", t.id)))?;
            if content.header.media() == Some(id) {
                uses.push(MediaUse::Template {
                    id: t.id,
                    name: t.name,
                    language: t.language,
                    created_by_name: t.created_by.and_then(|u| names.get(&u).cloned()),
                });
            }
        }
        let in_messages = || {
            message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::MediaId.eq(id))
        };
        let count = in_messages().count(&self.db).await?;
        if count > 0 {
            let conversations: Vec<Uuid> = in_messages()
                .select_only()
                .column(message::Column::ConversationId)
                .distinct()
                .limit(NAMED_CONVERSATIONS)
                .into_tuple()
                .all(&self.db)
                .await?;
            let mut customers: Vec<String> = self
                .conversations_by_ids(tenant, &conversations)
                .await?
                .into_iter()
                .map(|c| c.contact_name)
                .collect();
            customers.sort();
            uses.push(MediaUse::Messages { count, customers });
        }
        Ok(uses)
    }

    /// Removes a gallery file's row (and its provider ids); answers it so the
    /// caller can remove the bytes.
    pub async fn delete_media(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<MediaRecord, StoreError> {
        let found = self.media(tenant, id).await?;
        let done = media::Entity::delete_many()
            .filter(media::Column::TenantId.eq(tenant.0))
            .filter(media::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(found)
    }

    /// The id a channel's provider gave this file, if it was uploaded there.
    pub async fn provider_upload(
        &self,
        tenant: TenantId,
        media_id: Uuid,
        channel: ChannelId,
    ) -> Result<Option<ProviderUploadRecord>, StoreError> {
        Ok(media_provider_upload::Entity::find()
            .filter(media_provider_upload::Column::TenantId.eq(tenant.0))
            .filter(media_provider_upload::Column::MediaId.eq(media_id))
            .filter(media_provider_upload::Column::ChannelId.eq(channel.0))
            .one(&self.db)
            .await?
            .map(upload_from))
    }

    /// Remembers (or replaces) the id a channel's provider gave this file.
    pub async fn save_provider_upload(
        &self,
        tenant: TenantId,
        media_id: Uuid,
        channel: ChannelId,
        provider_media_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<ProviderUploadRecord, StoreError> {
        // The file must still be this tenant's.
        self.media_model(tenant, media_id).await?;
        let now = Utc::now();
        media_provider_upload::Entity::insert(media_provider_upload::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            media_id: Set(media_id),
            channel_id: Set(channel.0),
            provider_media_id: Set(provider_media_id.to_owned()),
            expires_at: Set(expires_at),
            uploaded_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                media_provider_upload::Column::TenantId,
                media_provider_upload::Column::MediaId,
                media_provider_upload::Column::ChannelId,
            ])
            .update_columns([
                media_provider_upload::Column::ProviderMediaId,
                media_provider_upload::Column::ExpiresAt,
                media_provider_upload::Column::UploadedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        self.provider_upload(tenant, media_id, channel)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

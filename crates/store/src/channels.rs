//! Channels of a tenant: credentials (secrets sealed with the `SecretBox`),
//! status, draft, API token; and the webhook event queue.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::channel::{Channel, ChannelStatus, Credentials, Draft, Provider};
use domain::webhook_event::{EventKind, EventState};
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entities::{channel, webhook_event};
use crate::{Store, StoreError};

/// The part of a channel a person edits directly.
#[derive(Debug, Clone)]
pub struct NewChannel {
    pub name: String,
    pub provider: Provider,
    pub active: bool,
    pub credentials: Credentials,
}

/// A verified webhook event to keep.
#[derive(Debug, Clone)]
pub struct IncomingEvent {
    pub key: String,
    pub kind: EventKind,
    pub payload: String,
    /// The customer the event is about (digits or the provider's address),
    /// when it is about one: one customer's events on one channel are
    /// applied in order.
    pub customer: Option<String>,
}

/// The group an event is applied in: its channel and its customer, or its
/// channel and kind for events about no customer (templates, the number).
pub(crate) fn event_group(channel: &Channel, event: &IncomingEvent) -> String {
    match &event.customer {
        Some(customer) => {
            let digits: String = customer.chars().filter(char::is_ascii_digit).collect();
            let who = if digits.is_empty() {
                customer.as_str()
            } else {
                digits.as_str()
            };
            format!("{}:{who}", channel.id.0)
        }
        None => format!("{}:{}", channel.id.0, event.kind.as_str()),
    }
}

fn purpose(id: Uuid, slot: &str) -> String {
    format!("channel:{id}:{slot}")
}

impl Store {
    fn secret_box(&self) -> Result<&crate::secrets::SecretBox, StoreError> {
        self.secrets
            .as_deref()
            .ok_or_else(|| StoreError::Corrupt("no master key configured for secrets".into()))
    }

    fn seal_secrets(
        &self,
        tenant: TenantId,
        id: Uuid,
        slot: &str,
        secrets: &BTreeMap<String, String>,
    ) -> Result<Option<String>, StoreError> {
        if secrets.is_empty() {
            return Ok(None);
        }
        let json = serde_json::to_vec(secrets).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(self.secret_box()?.seal(
            tenant,
            &purpose(id, slot),
            &json,
        )?))
    }

    fn open_secrets(
        &self,
        tenant: TenantId,
        id: Uuid,
        slot: &str,
        sealed: Option<&str>,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let Some(sealed) = sealed else {
            return Ok(BTreeMap::new());
        };
        let bytes = self
            .secret_box()?
            .open(tenant, &purpose(id, slot), sealed)?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub(crate) fn channel_from(&self, m: channel::Model) -> Result<Channel, StoreError> {
        self.channel_from_parts(m, true)
    }

    /// A channel; its draft (and the draft's secrets) only with `with_draft`.
    fn channel_from_parts(
        &self,
        m: channel::Model,
        with_draft: bool,
    ) -> Result<Channel, StoreError> {
        let tenant = TenantId(m.tenant_id);
        let provider = Provider::parse(&m.provider)
            .ok_or_else(|| StoreError::Corrupt(format!("provider {}", m.provider)))?;
        let status = ChannelStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("status {}", m.status)))?;
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&m.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let published = Credentials {
            fields,
            secrets: self.open_secrets(tenant, m.id, "published", m.secrets.as_deref())?,
        };
        let draft = match m.draft_fields.as_deref().filter(|_| with_draft) {
            None => None,
            Some(text) => Some(Draft {
                credentials: Credentials {
                    fields: serde_json::from_str(text)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    secrets: self.open_secrets(
                        tenant,
                        m.id,
                        "draft",
                        m.draft_secrets.as_deref(),
                    )?,
                },
                status: m
                    .draft_status
                    .as_deref()
                    .and_then(ChannelStatus::parse)
                    .unwrap_or(ChannelStatus::Pending),
                status_code: m.draft_status_code,
                status_message: m.draft_status_message,
            }),
        };
        Ok(Channel {
            id: ChannelId(m.id),
            tenant_id: tenant,
            name: m.name,
            provider,
            active: m.active,
            status,
            status_code: m.status_code,
            status_message: m.status_message,
            checked_at: m.checked_at,
            subscribed: m.subscribed,
            quality_rating: m.quality_rating,
            published,
            draft,
            api_token_created_at: m.api_token_created_at,
            created_at: m.created_at,
        })
    }

    async fn channel_model(
        &self,
        tenant: TenantId,
        id: ChannelId,
    ) -> Result<channel::Model, StoreError> {
        channel::Entity::find_by_id(id.0)
            .filter(channel::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_channel(
        &self,
        tenant: TenantId,
        new: &NewChannel,
    ) -> Result<Channel, StoreError> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let fields = serde_json::to_string(&new.credentials.fields)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let model = channel::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            name: Set(new.name.clone()),
            provider: Set(new.provider.key().to_owned()),
            active: Set(new.active),
            status: Set(ChannelStatus::Pending.key().to_owned()),
            status_code: Set(None),
            status_message: Set(None),
            checked_at: Set(None),
            subscribed: Set(new.provider.speaks_graph_api().then_some(false)),
            quality_rating: Set(None),
            // Claimed once the provider accepts the credentials, not before:
            // naming a number proves nothing (see `number_claim`).
            phone_number_id: Set(None),
            waba_id: Set(new.credentials.fields.get("waba_id").cloned()),
            fields: Set(fields),
            secrets: Set(self.seal_secrets(tenant, id, "published", &new.credentials.secrets)?),
            draft_fields: Set(None),
            draft_secrets: Set(None),
            draft_status: Set(None),
            draft_status_code: Set(None),
            draft_status_message: Set(None),
            api_token_hash: Set(None),
            api_token_created_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(channel_conflict)?;
        self.channel_from(model)
    }

    pub async fn list_channels(&self, tenant: TenantId) -> Result<Vec<Channel>, StoreError> {
        channel::Entity::find()
            .filter(channel::Column::TenantId.eq(tenant.0))
            .order_by_asc(channel::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| self.channel_from(m))
            .collect()
    }

    pub async fn channel(&self, tenant: TenantId, id: ChannelId) -> Result<Channel, StoreError> {
        self.channel_from(self.channel_model(tenant, id).await?)
    }

    /// A channel found by the id in a webhook address. Webhooks carry no
    /// token: the channel id routes them, and the tenant comes from the row.
    /// A channel for an unauthenticated webhook request: only what checking
    /// its signature needs is opened (the published secrets; never the
    /// draft's), and nothing more is decrypted before the check.
    pub async fn channel_for_webhook(&self, id: ChannelId) -> Result<Channel, StoreError> {
        let model = channel::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.channel_from_parts(model, false)
    }

    /// The channel an external API token belongs to.
    pub async fn channel_by_api_token(&self, token_hash: &str) -> Result<Channel, StoreError> {
        let model = channel::Entity::find()
            .filter(channel::Column::ApiTokenHash.eq(token_hash))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.channel_from(model)
    }

    pub async fn rename_channel(
        &self,
        tenant: TenantId,
        id: ChannelId,
        name: &str,
        active: bool,
    ) -> Result<Channel, StoreError> {
        let mut model: channel::ActiveModel = self.channel_model(tenant, id).await?.into();
        model.name = Set(name.to_owned());
        model.active = Set(active);
        model.updated_at = Set(Utc::now());
        let model = model.update(&self.db).await.map_err(channel_conflict)?;
        self.channel_from(model)
    }

    /// Replaces the published credentials with checked ones and records the check.
    pub async fn save_published(
        &self,
        tenant: TenantId,
        id: ChannelId,
        credentials: &Credentials,
        status: ChannelStatus,
        code: Option<String>,
        message: Option<String>,
    ) -> Result<Channel, StoreError> {
        let current = self.channel_model(tenant, id).await?;
        // The built-in sandbox accepts any number id: it proves nothing.
        let proves_number = current.provider != Provider::Sandbox.key();
        let mut model: channel::ActiveModel = current.into();
        model.fields = Set(serde_json::to_string(&credentials.fields)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?);
        model.secrets = Set(self.seal_secrets(tenant, id.0, "published", &credentials.secrets)?);
        model.phone_number_id = Set(number_claim(credentials, status).filter(|_| proves_number));
        model.waba_id = Set(credentials.fields.get("waba_id").cloned());
        model.status = Set(status.key().to_owned());
        model.status_code = Set(code);
        model.status_message = Set(message);
        model.checked_at = Set(Some(Utc::now()));
        model.updated_at = Set(Utc::now());
        let model = model.update(&self.db).await.map_err(channel_conflict)?;
        self.channel_from(model)
    }

    /// Records the outcome of a check of the published credentials.
    pub async fn set_channel_status(
        &self,
        tenant: TenantId,
        id: ChannelId,
        status: ChannelStatus,
        code: Option<String>,
        message: Option<String>,
    ) -> Result<(), StoreError> {
        let mut update = channel::Entity::update_many();
        if status == ChannelStatus::Invalid {
            // Refused credentials give the number back.
            update = update.col_expr(
                channel::Column::PhoneNumberId,
                Expr::value(Option::<String>::None),
            );
        }
        update
            .col_expr(channel::Column::Status, Expr::value(status.key()))
            .col_expr(channel::Column::StatusCode, Expr::value(code))
            .col_expr(channel::Column::StatusMessage, Expr::value(message))
            .col_expr(channel::Column::CheckedAt, Expr::value(Utc::now()))
            .filter(channel::Column::TenantId.eq(tenant.0))
            .filter(channel::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn set_subscribed(
        &self,
        tenant: TenantId,
        id: ChannelId,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        self.set_channel_column(
            tenant,
            id,
            channel::Column::Subscribed,
            Expr::value(subscribed),
        )
        .await
    }

    pub async fn set_quality_rating(
        &self,
        tenant: TenantId,
        id: ChannelId,
        rating: &str,
    ) -> Result<(), StoreError> {
        self.set_channel_column(
            tenant,
            id,
            channel::Column::QualityRating,
            Expr::value(rating),
        )
        .await
    }

    async fn set_channel_column(
        &self,
        tenant: TenantId,
        id: ChannelId,
        column: channel::Column,
        value: Expr,
    ) -> Result<(), StoreError> {
        channel::Entity::update_many()
            .col_expr(column, value)
            .filter(channel::Column::TenantId.eq(tenant.0))
            .filter(channel::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Saves (or replaces) the draft and records its check, if any.
    pub async fn save_draft(
        &self,
        tenant: TenantId,
        id: ChannelId,
        draft: &Draft,
    ) -> Result<Channel, StoreError> {
        let mut model: channel::ActiveModel = self.channel_model(tenant, id).await?.into();
        model.draft_fields = Set(Some(
            serde_json::to_string(&draft.credentials.fields)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ));
        model.draft_secrets =
            Set(self.seal_secrets(tenant, id.0, "draft", &draft.credentials.secrets)?);
        model.draft_status = Set(Some(draft.status.key().to_owned()));
        model.draft_status_code = Set(draft.status_code.clone());
        model.draft_status_message = Set(draft.status_message.clone());
        model.updated_at = Set(Utc::now());
        self.channel_from(model.update(&self.db).await?)
    }

    pub async fn discard_draft(
        &self,
        tenant: TenantId,
        id: ChannelId,
    ) -> Result<Channel, StoreError> {
        let mut model: channel::ActiveModel = self.channel_model(tenant, id).await?.into();
        model.draft_fields = Set(None);
        model.draft_secrets = Set(None);
        model.draft_status = Set(None);
        model.draft_status_code = Set(None);
        model.draft_status_message = Set(None);
        model.updated_at = Set(Utc::now());
        self.channel_from(model.update(&self.db).await?)
    }

    /// Stores the hash of a new external API token; the old one stops working.
    pub async fn set_api_token(
        &self,
        tenant: TenantId,
        id: ChannelId,
        token_hash: &str,
    ) -> Result<DateTime<Utc>, StoreError> {
        let now = Utc::now();
        let res = channel::Entity::update_many()
            .col_expr(channel::Column::ApiTokenHash, Expr::value(token_hash))
            .col_expr(channel::Column::ApiTokenCreatedAt, Expr::value(now))
            .filter(channel::Column::TenantId.eq(tenant.0))
            .filter(channel::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(now)
    }

    pub async fn delete_channel(&self, tenant: TenantId, id: ChannelId) -> Result<(), StoreError> {
        let res = channel::Entity::delete_many()
            .filter(channel::Column::TenantId.eq(tenant.0))
            .filter(channel::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Keeps verified webhook events; an event already kept (same provider
    /// and key) is ignored. Answers how many were new.
    pub async fn insert_webhook_events(
        &self,
        channel: &Channel,
        events: &[IncomingEvent],
    ) -> Result<u64, StoreError> {
        self.insert_webhook_event_batch(&[(channel, events)]).await
    }

    /// Stores the events of several webhooks (of any channels) in one
    /// statement, skipping ones already kept; answers how many were new.
    /// The webhook routes batch concurrent requests through this.
    pub async fn insert_webhook_event_batch(
        &self,
        batch: &[(&Channel, &[IncomingEvent])],
    ) -> Result<u64, StoreError> {
        let now = Utc::now();
        let models: Vec<webhook_event::ActiveModel> = batch
            .iter()
            .flat_map(|(channel, events)| {
                let provider = if channel.provider.speaks_graph_api() {
                    "meta"
                } else {
                    "twilio"
                };
                events.iter().map(move |e| webhook_event::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    tenant_id: Set(channel.tenant_id.0),
                    channel_id: Set(channel.id.0),
                    provider: Set(provider.to_owned()),
                    event_key: Set(e.key.clone()),
                    kind: Set(e.kind.as_str().to_owned()),
                    payload: Set(e.payload.clone()),
                    state: Set(EventState::Pending.as_str().to_owned()),
                    attempts: Set(0),
                    received_at: Set(now),
                    next_attempt_at: Set(now),
                    processed_at: Set(None),
                    last_error: Set(None),
                    group_key: Set(event_group(channel, e)),
                    waits_for: Set(None),
                })
            })
            .collect();
        // Bound values per statement are limited (32,766 on SQLite; an
        // event takes 13): larger batches go in chunks, in one transaction.
        const CHUNK: usize = 1000;
        if models.len() <= CHUNK {
            return insert_events(&self.db, models).await;
        }
        let txn = self.write_txn().await?;
        let mut inserted = 0;
        for chunk in models.chunks(CHUNK) {
            inserted += insert_events(&txn, chunk.to_vec()).await?;
        }
        txn.commit().await?;
        Ok(inserted)
    }

    /// Count of kept webhook events of a channel (for tests and the channel page).
    pub async fn count_webhook_events(
        &self,
        tenant: TenantId,
        id: ChannelId,
    ) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(webhook_event::Entity::find()
            .filter(webhook_event::Column::TenantId.eq(tenant.0))
            .filter(webhook_event::Column::ChannelId.eq(id.0))
            .count(&self.db)
            .await?)
    }
}

async fn insert_events<C: sea_orm::ConnectionTrait>(
    db: &C,
    models: Vec<webhook_event::ActiveModel>,
) -> Result<u64, StoreError> {
    if models.is_empty() {
        return Ok(0);
    }
    Ok(webhook_event::Entity::insert_many(models)
        .on_conflict(
            // Per channel: another tenant cannot pre-claim an event id.
            OnConflict::columns([
                webhook_event::Column::ChannelId,
                webhook_event::Column::EventKey,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?)
}

/// The phone number id a channel holds against every other active channel:
/// only a number whose credentials the provider accepted. A tenant that
/// merely types in another business's number id claims nothing.
fn number_claim(credentials: &Credentials, status: ChannelStatus) -> Option<String> {
    (status == ChannelStatus::Good)
        .then(|| credentials.fields.get("phone_number_id").cloned())
        .flatten()
}

fn channel_conflict(err: sea_orm::DbErr) -> StoreError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) if detail.contains("phone") => {
            StoreError::Conflict("phone_number_in_use")
        }
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            StoreError::Conflict("channel_name_taken")
        }
        _ => err.into(),
    }
}

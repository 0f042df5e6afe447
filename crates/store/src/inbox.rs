//! Conversations and messages. An inbound message finds or creates its
//! contact and its conversation and is stored once per provider id, all in
//! one transaction; statuses only move forward (the rule is
//! [`MessageStatus::advance`], checked in the UPDATE itself so concurrent
//! webhooks cannot race it). Every query is scoped to a tenant.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::contact::Phone;
use domain::conversation::{
    in_history, preview, Control, ConversationState, Direction, MessageStatus, QuickReplyDraft,
    SessionStage,
};
use domain::team::SessionVersion;
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

use crate::contacts::record;
use crate::entities::{
    channel, contact, conversation, message, message_star, quick_reply, stream_ticket,
};
use crate::like::contains_ci;
use crate::{PageRequest, Store, StoreError};

/// A conversation with the names the inbox shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConversationRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub contact_id: Uuid,
    pub contact_name: String,
    pub contact_phone: String,
    pub control: Control,
    pub controller_name: Option<String>,
    pub unread: u32,
    pub last_message_at: DateTime<Utc>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_preview: String,
    pub last_direction: String,
    pub last_status: String,
    pub has_messages: bool,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One stored message.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MessageRecord {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub direction: Direction,
    pub kind: String,
    pub body: Option<String>,
    /// The kind's details (location, reaction, options, template...).
    pub content: serde_json::Value,
    pub provider_message_id: Option<String>,
    pub status: MessageStatus,
    pub error: Option<(String, String, Option<String>)>,
    pub reply_to_id: Option<Uuid>,
    pub media_id: Option<Uuid>,
    pub sent_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub status_at: Option<DateTime<Utc>>,
}

/// A message with what the reader needs around it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MessageView {
    pub message: MessageRecord,
    pub sent_by_name: Option<String>,
    pub starred: bool,
    /// The quoted message's direction and preview.
    pub quoted: Option<(Uuid, Direction, String)>,
}

/// A customer's message as the webhook worker hands it over.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub channel_id: ChannelId,
    pub phone: Phone,
    pub profile_name: Option<String>,
    pub provider_message_id: String,
    pub kind: String,
    pub body: Option<String>,
    pub content: serde_json::Value,
    pub media_id: Option<Uuid>,
    pub reply_to_provider_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// What storing an inbound message did.
#[derive(Debug, Clone)]
pub enum InboundOutcome {
    Stored {
        conversation: Box<ConversationRecord>,
        /// As the inbox shows it (nobody has starred it yet).
        message: Box<MessageView>,
        new_conversation: bool,
        /// The controller before the message, for notifications.
        controller: Option<Uuid>,
        /// The state before the message (`None` for a new conversation).
        previous_state: Option<ConversationState>,
    },
    /// The provider delivered this message before.
    Duplicate,
}

/// A message a person sends, stored before it leaves.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    pub kind: String,
    pub body: Option<String>,
    pub content: serde_json::Value,
    pub media_id: Option<Uuid>,
    pub reply_to_id: Option<Uuid>,
    pub sent_by: Option<Uuid>,
}

/// A status report applied to a message.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AppliedStatus {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub status: MessageStatus,
    pub error: Option<(String, String, Option<String>)>,
    pub at: DateTime<Utc>,
}

/// Which conversations to list.
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub state: Option<ConversationState>,
    /// `Some(true)`: only History; `Some(false)`: none of it.
    pub history: Option<bool>,
    pub owner: OwnerFilter,
    pub channel_id: Option<ChannelId>,
    pub archived: bool,
    /// People whose chat sync is off see only what they control.
    pub only_controlled_by: Option<Uuid>,
    /// Conversations of these contacts only (search).
    pub contact_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OwnerFilter {
    #[default]
    All,
    Mine(Uuid),
    Unassigned,
}

/// A starred message with its place.
#[derive(Debug, Clone)]
pub struct StarredRecord {
    pub view: MessageView,
    pub conversation: ConversationRecord,
    pub starred_at: DateTime<Utc>,
}

/// A saved quick reply.
#[derive(Debug, Clone)]
pub struct QuickReplyRecord {
    pub id: Uuid,
    pub shortcut: String,
    pub body: String,
    pub channel_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A text search hit.
#[derive(Debug, Clone)]
pub struct MessageHit {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub body: String,
    pub at: DateTime<Utc>,
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn message_from(m: message::Model) -> Result<MessageRecord, StoreError> {
    let direction =
        Direction::parse(&m.direction).ok_or_else(|| corrupt("direction", &m.direction))?;
    let status = MessageStatus::parse(&m.status).ok_or_else(|| corrupt("status", &m.status))?;
    let content = serde_json::from_str(&m.content).unwrap_or(serde_json::Value::Null);
    Ok(MessageRecord {
        id: m.id,
        conversation_id: m.conversation_id,
        direction,
        kind: m.kind,
        body: m.body,
        content,
        provider_message_id: m.provider_message_id,
        status,
        error: m
            .error_code
            .map(|code| (code, m.error_title.unwrap_or_default(), m.error_detail)),
        reply_to_id: m.reply_to_id,
        media_id: m.media_id,
        sent_by: m.sent_by,
        created_at: m.created_at,
        status_at: m.status_at,
    })
}

fn quick_reply_from(m: quick_reply::Model) -> QuickReplyRecord {
    QuickReplyRecord {
        id: m.id,
        shortcut: m.shortcut,
        body: m.body,
        channel_ids: serde_json::from_str(&m.channel_ids).unwrap_or_default(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn provider_message_exists<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    provider_message_id: &str,
) -> Result<bool, StoreError> {
    Ok(message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::TenantId.eq(tenant.0))
        .filter(message::Column::ProviderMessageId.eq(provider_message_id))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .is_some())
}

/// Conversations with their channel, contact and controller names.
async fn dress<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    rows: Vec<conversation::Model>,
) -> Result<Vec<ConversationRecord>, StoreError> {
    let channel_ids: HashSet<Uuid> = rows.iter().map(|r| r.channel_id).collect();
    let contact_ids: HashSet<Uuid> = rows.iter().map(|r| r.contact_id).collect();
    let channels: HashMap<Uuid, String> = if channel_ids.is_empty() {
        HashMap::new()
    } else {
        channel::Entity::find()
            .select_only()
            .column(channel::Column::Id)
            .column(channel::Column::Name)
            .filter(channel::Column::TenantId.eq(tenant.0))
            .filter(channel::Column::Id.is_in(channel_ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let contacts: HashMap<Uuid, (String, String)> = if contact_ids.is_empty() {
        HashMap::new()
    } else {
        contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::Name)
            .column(contact::Column::Phone)
            .filter(contact::Column::TenantId.eq(tenant.0))
            .filter(contact::Column::Id.is_in(contact_ids))
            .into_tuple::<(Uuid, String, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, name, phone)| (id, (name, phone)))
            .collect()
    };
    let names =
        crate::accounts::member_names(db, tenant, rows.iter().filter_map(|r| r.controller_id))
            .await?;
    rows.into_iter()
        .map(|r| {
            let state =
                ConversationState::parse(&r.state).ok_or_else(|| corrupt("state", &r.state))?;
            let (contact_name, contact_phone) =
                contacts.get(&r.contact_id).cloned().unwrap_or_default();
            Ok(ConversationRecord {
                id: r.id,
                tenant_id: tenant,
                channel_id: ChannelId(r.channel_id),
                channel_name: channels.get(&r.channel_id).cloned().unwrap_or_default(),
                contact_id: r.contact_id,
                contact_name,
                contact_phone,
                control: Control {
                    state,
                    controller: r.controller_id,
                    chatbot_enabled: r.chatbot_enabled,
                },
                controller_name: r.controller_id.and_then(|id| names.get(&id).cloned()),
                unread: u32::try_from(r.unread_count).unwrap_or(0),
                last_message_at: r.last_message_at,
                last_inbound_at: r.last_inbound_at,
                has_messages: !r.last_direction.is_empty(),
                last_preview: r.last_preview,
                last_direction: r.last_direction,
                last_status: r.last_status,
                archived_at: r.archived_at,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

pub(crate) async fn conversation_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<ConversationRecord, StoreError> {
    let row = conversation::Entity::find_by_id(id)
        .filter(conversation::Column::TenantId.eq(tenant.0))
        .filter(conversation::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    dress(db, tenant, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Keeps the search table next to the message (SQLite; PostgreSQL indexes
/// the column itself).
async fn index_text<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: Uuid,
    body: Option<&str>,
) -> Result<(), StoreError> {
    let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
        return Ok(());
    };
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO message_search (body, message_id, tenant_id) VALUES (?, ?, ?)",
            [body.into(), id.into(), tenant.0.into()],
        ))
        .await?;
    }
    Ok(())
}

impl Store {
    /// Stores a customer's message: its contact (new ones come from
    /// `organic`), its conversation (one per channel and contact; a resolved,
    /// archived or deleted one opens again) and the message, once per
    /// provider id.
    pub async fn record_inbound(
        &self,
        tenant: TenantId,
        new: &NewInbound,
    ) -> Result<InboundOutcome, StoreError> {
        let txn = self.write_txn().await?;
        if provider_message_exists(&txn, tenant, &new.provider_message_id).await? {
            return Ok(InboundOutcome::Duplicate);
        }
        let now = Utc::now();
        let existing = contact::Entity::find()
            .filter(contact::Column::TenantId.eq(tenant.0))
            .filter(contact::Column::Phone.eq(&new.phone.e164))
            .filter(contact::Column::DeletedAt.is_null())
            .one(&txn)
            .await?;
        let contact_id = match existing {
            Some(c) => {
                let mut active: contact::ActiveModel = c.into();
                active.last_active_at = Set(Some(new.at));
                active.update(&txn).await?.id
            }
            None => {
                let id = Uuid::now_v7();
                let name = new
                    .profile_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .unwrap_or(&new.phone.e164)
                    .to_owned();
                contact::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(tenant.0),
                    name: Set(name),
                    phone: Set(new.phone.e164.clone()),
                    email: Set(None),
                    country_code: Set(new.phone.country_code.clone()),
                    iso_code: Set(new.phone.iso_code.clone()),
                    source: Set("organic".to_owned()),
                    opt_in: Set("unknown".to_owned()),
                    opt_in_at: Set(None),
                    opt_in_source: Set(None),
                    first_message_tag: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    last_active_at: Set(Some(new.at)),
                    deleted_at: Set(None),
                    import_id: Set(None),
                    attributes: Set(serde_json::json!({})),
                }
                .insert(&txn)
                .await?;
                record(
                    &txn,
                    tenant,
                    id,
                    "created",
                    "Wrote to us first on WhatsApp",
                    None,
                )
                .await?;
                id
            }
        };
        let found = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::ChannelId.eq(new.channel_id.0))
            .filter(conversation::Column::ContactId.eq(contact_id))
            .one(&txn)
            .await?;
        let preview_line = preview(&new.kind, new.body.as_deref());
        let (conversation_id, new_conversation, controller, previous_state) = match found {
            Some(row) => {
                let state = ConversationState::parse(&row.state)
                    .ok_or_else(|| corrupt("state", &row.state))?;
                let before = Control {
                    state,
                    controller: row.controller_id,
                    chatbot_enabled: row.chatbot_enabled,
                };
                let after = before.customer_wrote();
                // After a silence, a close or a delete, the customer coming
                // back is a step of their journey; every message is not.
                let returned = row.deleted_at.is_some()
                    || state == ConversationState::Resolved
                    || in_history(row.last_inbound_at, new.at);
                if returned {
                    record(
                        &txn,
                        tenant,
                        contact_id,
                        "customer_returned",
                        &preview_line,
                        None,
                    )
                    .await?;
                }
                // Providers give whole seconds: a customer message of the
                // same second as our last one came after it.
                let newer = new.at.timestamp() >= row.last_message_at.timestamp();
                let id = row.id;
                let mut active: conversation::ActiveModel = row.clone().into();
                active.state = Set(after.state.key().to_owned());
                active.controller_id = Set(after.controller);
                active.unread_count = Set(row.unread_count.saturating_add(1));
                if newer {
                    active.last_message_at = Set(std::cmp::Ord::max(new.at, row.last_message_at));
                    active.last_preview = Set(preview_line.clone());
                    active.last_direction = Set(Direction::Inbound.key().to_owned());
                    active.last_status = Set(MessageStatus::Received.key().to_owned());
                }
                if row.last_inbound_at.is_none_or(|at| at < new.at) {
                    active.last_inbound_at = Set(Some(new.at));
                }
                active.archived_at = Set(None);
                active.deleted_at = Set(None);
                active.updated_at = Set(now);
                // The customer wrote: the session behaviour starts over.
                active.session_stage = Set(SessionStage::Active.number());
                active.session_stage_at = Set(None);
                active.update(&txn).await?;
                (
                    id,
                    row.deleted_at.is_some(),
                    before.controller,
                    Some(before.state),
                )
            }
            None => {
                let id = Uuid::now_v7();
                conversation::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(tenant.0),
                    channel_id: Set(new.channel_id.0),
                    contact_id: Set(contact_id),
                    state: Set(ConversationState::Bot.key().to_owned()),
                    controller_id: Set(None),
                    chatbot_enabled: Set(true),
                    unread_count: Set(1),
                    last_message_at: Set(new.at),
                    last_inbound_at: Set(Some(new.at)),
                    last_preview: Set(preview_line.clone()),
                    last_direction: Set(Direction::Inbound.key().to_owned()),
                    last_status: Set(MessageStatus::Received.key().to_owned()),
                    archived_at: Set(None),
                    deleted_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    session_stage: Set(SessionStage::Active.number()),
                    session_stage_at: Set(None),
                }
                .insert(&txn)
                .await?;
                record(
                    &txn,
                    tenant,
                    contact_id,
                    "conversation_started",
                    &preview_line,
                    None,
                )
                .await?;
                (id, true, None, None)
            }
        };
        let quoted = match &new.reply_to_provider_id {
            Some(provider_id) => message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::ProviderMessageId.eq(provider_id))
                .one(&txn)
                .await?
                .and_then(|m| {
                    let direction = Direction::parse(&m.direction)?;
                    Some((m.id, direction, preview(&m.kind, m.body.as_deref())))
                }),
            None => None,
        };
        let reply_to_id = quoted.as_ref().map(|(id, _, _)| *id);
        let id = Uuid::now_v7();
        let model = message::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            conversation_id: Set(conversation_id),
            direction: Set(Direction::Inbound.key().to_owned()),
            kind: Set(new.kind.clone()),
            body: Set(new.body.clone()),
            content: Set(new.content.to_string()),
            provider_message_id: Set(Some(new.provider_message_id.clone())),
            status: Set(MessageStatus::Received.key().to_owned()),
            error_code: Set(None),
            error_title: Set(None),
            error_detail: Set(None),
            reply_to_id: Set(reply_to_id),
            media_id: Set(new.media_id),
            sent_by: Set(None),
            created_at: Set(new.at),
            status_at: Set(None),
        }
        .insert(&txn)
        .await?;
        index_text(&txn, tenant, id, new.body.as_deref()).await?;
        let conversation = conversation_in(&txn, tenant, conversation_id).await?;
        txn.commit().await?;
        Ok(InboundOutcome::Stored {
            conversation: Box::new(conversation),
            message: Box::new(MessageView {
                message: message_from(model)?,
                sent_by_name: None,
                starred: false,
                quoted,
            }),
            new_conversation,
            controller,
            previous_state,
        })
    }

    /// Applies a provider's status report when it moves the message forward.
    /// Finds the message by the provider's id, or by our id echoed back.
    /// `Ok(None)`: nothing changed (an old report, or a message not ours).
    pub async fn apply_message_status(
        &self,
        tenant: TenantId,
        provider_message_id: &str,
        our_id: Option<Uuid>,
        status: MessageStatus,
        error: Option<(String, String, Option<String>)>,
        at: DateTime<Utc>,
    ) -> Result<Option<AppliedStatus>, StoreError> {
        let replaceable: Vec<String> = MessageStatus::replaceable_by(status)
            .into_iter()
            .map(|s| s.key().to_owned())
            .collect();
        if replaceable.is_empty() {
            return Ok(None);
        }
        let mut which =
            Condition::any().add(message::Column::ProviderMessageId.eq(provider_message_id));
        if let Some(id) = our_id {
            which = which.add(message::Column::Id.eq(id));
        }
        let target = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .column(message::Column::ConversationId)
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Direction.eq(Direction::Outbound.key()))
            .filter(which)
            .into_tuple::<(Uuid, Uuid)>()
            .one(&self.db)
            .await?;
        let Some((message_id, conversation_id)) = target else {
            return Err(StoreError::NotFound);
        };
        let (code, title, detail) = match &error {
            Some((c, t, d)) => (Some(c.clone()), Some(t.clone()), d.clone()),
            None => (None, None, None),
        };
        let mut update = message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value(status.key()))
            .col_expr(message::Column::StatusAt, Expr::value(at))
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(provider_message_id),
            );
        if status == MessageStatus::Failed {
            update = update
                .col_expr(message::Column::ErrorCode, Expr::value(code))
                .col_expr(message::Column::ErrorTitle, Expr::value(title))
                .col_expr(message::Column::ErrorDetail, Expr::value(detail));
        }
        let result = update
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(message_id))
            .filter(message::Column::Status.is_in(replaceable))
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Ok(None);
        }
        Ok(Some(AppliedStatus {
            conversation_id,
            message_id,
            status,
            error: if status == MessageStatus::Failed {
                error
            } else {
                None
            },
            at,
        }))
    }

    /// Stores a message a person is about to send, as `pending`.
    pub async fn create_outbound(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        new: &NewOutbound,
    ) -> Result<MessageRecord, StoreError> {
        let txn = self.write_txn().await?;
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let model = message::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.0),
            conversation_id: Set(conversation_id),
            direction: Set(Direction::Outbound.key().to_owned()),
            kind: Set(new.kind.clone()),
            body: Set(new.body.clone()),
            content: Set(new.content.to_string()),
            provider_message_id: Set(None),
            status: Set(MessageStatus::Pending.key().to_owned()),
            error_code: Set(None),
            error_title: Set(None),
            error_detail: Set(None),
            reply_to_id: Set(new.reply_to_id),
            media_id: Set(new.media_id),
            sent_by: Set(new.sent_by),
            created_at: Set(now),
            status_at: Set(None),
        }
        .insert(&txn)
        .await?;
        // Templates (and the broadcasts made of them) are what a business
        // sends first; they belong on the contact's journey.
        if new.kind == "template" {
            let label = new
                .content
                .get("template")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            record(
                &txn,
                tenant,
                row.contact_id,
                "template_sent",
                label,
                new.sent_by,
            )
            .await?;
        }
        let mut active: conversation::ActiveModel = row.into();
        active.last_message_at = Set(now);
        active.last_preview = Set(preview(&new.kind, new.body.as_deref()));
        active.last_direction = Set(Direction::Outbound.key().to_owned());
        active.last_status = Set(MessageStatus::Pending.key().to_owned());
        active.updated_at = Set(now);
        active.update(&txn).await?;
        index_text(&txn, tenant, id, new.body.as_deref()).await?;
        txn.commit().await?;
        message_from(model)
    }

    /// The provider took the message: remember its id.
    pub async fn outbound_accepted(
        &self,
        tenant: TenantId,
        id: Uuid,
        provider_message_id: &str,
    ) -> Result<MessageRecord, StoreError> {
        message::Entity::update_many()
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(provider_message_id),
            )
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.message(tenant, id).await
    }

    /// The provider refused the message.
    pub async fn outbound_failed(
        &self,
        tenant: TenantId,
        id: Uuid,
        code: &str,
        title: &str,
        detail: Option<&str>,
    ) -> Result<MessageRecord, StoreError> {
        let now = Utc::now();
        message::Entity::update_many()
            .col_expr(
                message::Column::Status,
                Expr::value(MessageStatus::Failed.key()),
            )
            .col_expr(message::Column::StatusAt, Expr::value(now))
            .col_expr(message::Column::ErrorCode, Expr::value(code))
            .col_expr(message::Column::ErrorTitle, Expr::value(title))
            .col_expr(
                message::Column::ErrorDetail,
                Expr::value(detail.map(str::to_owned)),
            )
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.message(tenant, id).await
    }

    pub async fn message(&self, tenant: TenantId, id: Uuid) -> Result<MessageRecord, StoreError> {
        let row = message::Entity::find_by_id(id)
            .filter(message::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        message_from(row)
    }

    /// Whether a message with this provider id is already stored (a retried
    /// event skips fetching its files again).
    pub async fn has_provider_message(
        &self,
        tenant: TenantId,
        provider_message_id: &str,
    ) -> Result<bool, StoreError> {
        provider_message_exists(&self.db, tenant, provider_message_id).await
    }

    /// A message as `viewer` reads it.
    pub async fn message_view(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        id: Uuid,
    ) -> Result<MessageView, StoreError> {
        let row = message::Entity::find_by_id(id)
            .filter(message::Column::TenantId.eq(tenant.0))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.views(tenant, viewer, vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn views(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        rows: Vec<message::Model>,
    ) -> Result<Vec<MessageView>, StoreError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let starred: HashSet<Uuid> = if ids.is_empty() {
            HashSet::new()
        } else {
            message_star::Entity::find()
                .select_only()
                .column(message_star::Column::MessageId)
                .filter(message_star::Column::TenantId.eq(tenant.0))
                .filter(message_star::Column::UserId.eq(viewer))
                .filter(message_star::Column::MessageId.is_in(ids))
                .into_tuple::<Uuid>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        let names =
            crate::accounts::member_names(&self.db, tenant, rows.iter().filter_map(|r| r.sent_by))
                .await?;
        let quoted_ids: HashSet<Uuid> = rows.iter().filter_map(|r| r.reply_to_id).collect();
        let quoted: HashMap<Uuid, (Direction, String)> = if quoted_ids.is_empty() {
            HashMap::new()
        } else {
            message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::Id.is_in(quoted_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .filter_map(|m| {
                    let direction = Direction::parse(&m.direction)?;
                    Some((m.id, (direction, preview(&m.kind, m.body.as_deref()))))
                })
                .collect()
        };
        rows.into_iter()
            .map(|row| {
                let message = message_from(row)?;
                Ok(MessageView {
                    sent_by_name: message.sent_by.and_then(|id| names.get(&id).cloned()),
                    starred: starred.contains(&message.id),
                    quoted: message
                        .reply_to_id
                        .and_then(|id| quoted.get(&id).map(|(d, p)| (id, *d, p.clone()))),
                    message,
                })
            })
            .collect()
    }

    pub async fn conversation(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<ConversationRecord, StoreError> {
        conversation_in(&self.db, tenant, id).await
    }

    /// Conversations, most recent activity first, `page.after` being the
    /// last conversation of the previous page.
    pub async fn list_conversations(
        &self,
        tenant: TenantId,
        filter: &ConversationFilter,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        use conversation::Column as C;
        let mut cond = Condition::all()
            .add(C::TenantId.eq(tenant.0))
            .add(C::DeletedAt.is_null());
        cond = if filter.archived {
            cond.add(C::ArchivedAt.is_not_null())
        } else {
            cond.add(C::ArchivedAt.is_null())
        };
        if let Some(state) = filter.state {
            cond = cond.add(C::State.eq(state.key()));
        }
        let cutoff = now - domain::conversation::window();
        match filter.history {
            Some(true) => {
                cond = cond.add(
                    Condition::any()
                        .add(C::LastInboundAt.is_null())
                        .add(C::LastInboundAt.lte(cutoff)),
                )
            }
            Some(false) => cond = cond.add(C::LastInboundAt.gt(cutoff)),
            None => {}
        }
        match filter.owner {
            OwnerFilter::All => {}
            OwnerFilter::Mine(user) => cond = cond.add(C::ControllerId.eq(user)),
            OwnerFilter::Unassigned => cond = cond.add(C::ControllerId.is_null()),
        }
        if let Some(user) = filter.only_controlled_by {
            cond = cond.add(C::ControllerId.eq(user));
        }
        if let Some(channel) = filter.channel_id {
            cond = cond.add(C::ChannelId.eq(channel.0));
        }
        if let Some(contacts) = &filter.contact_ids {
            cond = cond.add(C::ContactId.is_in(contacts.iter().copied()));
        }
        if let Some(after) = page.after {
            let at = conversation::Entity::find_by_id(after)
                .select_only()
                .column(C::LastMessageAt)
                .filter(C::TenantId.eq(tenant.0))
                .into_tuple::<DateTime<Utc>>()
                .one(&self.db)
                .await?;
            if let Some(at) = at {
                // A row comparison, which PostgreSQL turns into one index
                // range (an OR of the two cases makes it scan from the top).
                cond = cond.add(
                    Expr::tuple([Expr::col(C::LastMessageAt), Expr::col(C::Id)])
                        .lt(Expr::tuple([Expr::value(at), Expr::value(after)])),
                );
            }
        }
        let rows = conversation::Entity::find()
            .filter(cond)
            .order_by_desc(C::LastMessageAt)
            .order_by_desc(C::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        dress(&self.db, tenant, rows).await
    }

    /// A conversation's messages, newest first; `page.after` is the oldest
    /// message already shown.
    pub async fn list_messages(
        &self,
        tenant: TenantId,
        viewer: Uuid,
        conversation_id: Uuid,
        page: PageRequest,
    ) -> Result<Vec<MessageView>, StoreError> {
        self.conversation(tenant, conversation_id).await?;
        let mut query = message::Entity::find()
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::ConversationId.eq(conversation_id));
        if let Some(after) = page.after {
            query = query.filter(message::Column::Id.lt(after));
        }
        let rows = query
            .order_by_desc(message::Column::Id)
            .limit(page.limit)
            .all(&self.db)
            .await?;
        self.views(tenant, viewer, rows).await
    }

    /// The customer's messages not yet marked read with the provider, and
    /// the unread count reset.
    pub async fn mark_conversation_read(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
    ) -> Result<Option<String>, StoreError> {
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let latest = message::Entity::find()
            .select_only()
            .column(message::Column::ProviderMessageId)
            .filter(message::Column::TenantId.eq(tenant.0))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(Direction::Inbound.key()))
            .order_by_desc(message::Column::Id)
            .into_tuple::<Option<String>>()
            .one(&self.db)
            .await?
            .flatten();
        if row.unread_count > 0 {
            conversation::Entity::update_many()
                .col_expr(conversation::Column::UnreadCount, Expr::value(0))
                .filter(conversation::Column::TenantId.eq(tenant.0))
                .filter(conversation::Column::Id.eq(conversation_id))
                .exec(&self.db)
                .await?;
            Ok(latest)
        } else {
            Ok(None)
        }
    }

    /// Saves a conversation's new control, and a journey event on its contact.
    pub async fn set_control(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        control: Control,
        journey: Option<(&str, &str)>,
        actor: Uuid,
    ) -> Result<ConversationRecord, StoreError> {
        let txn = self.write_txn().await?;
        let row = conversation::Entity::find_by_id(conversation_id)
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact_id = row.contact_id;
        // Resolving or reopening ends any session behaviour sequence: a
        // reopened conversation starts with nothing asked.
        let was_resolved = row.state == ConversationState::Resolved.key();
        let reset_session = was_resolved != (control.state == ConversationState::Resolved);
        let mut active: conversation::ActiveModel = row.into();
        active.state = Set(control.state.key().to_owned());
        active.controller_id = Set(control.controller);
        active.chatbot_enabled = Set(control.chatbot_enabled);
        active.updated_at = Set(Utc::now());
        if reset_session {
            active.session_stage = Set(SessionStage::Active.number());
            active.session_stage_at = Set(None);
        }
        active.update(&txn).await?;
        if let Some((kind, detail)) = journey {
            record(&txn, tenant, contact_id, kind, detail, Some(actor)).await?;
        }
        let out = conversation_in(&txn, tenant, conversation_id).await?;
        txn.commit().await?;
        Ok(out)
    }

    pub async fn set_archived(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
        archived: bool,
    ) -> Result<ConversationRecord, StoreError> {
        let now = Utc::now();
        let result = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::ArchivedAt,
                Expr::value(archived.then_some(now)),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.eq(conversation_id))
            .filter(conversation::Column::DeletedAt.is_null())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        self.conversation(tenant, conversation_id).await
    }

    /// Hides a conversation; its messages stay, and it comes back when the
    /// customer writes again.
    pub async fn delete_conversation(
        &self,
        tenant: TenantId,
        conversation_id: Uuid,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let result = conversation::Entity::update_many()
            .col_expr(conversation::Column::DeletedAt, Expr::value(now))
            .col_expr(
                conversation::Column::ControllerId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::Id.eq(conversation_id))
            .filter(conversation::Column::DeletedAt.is_null())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Stars (or unstars) a message for one person.
    pub async fn set_star(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        message_id: Uuid,
        starred: bool,
    ) -> Result<(), StoreError> {
        let message = self.message(tenant, message_id).await?;
        self.conversation(tenant, message.conversation_id).await?;
        let existing = message_star::Entity::find()
            .filter(message_star::Column::TenantId.eq(tenant.0))
            .filter(message_star::Column::UserId.eq(user_id))
            .filter(message_star::Column::MessageId.eq(message_id))
            .one(&self.db)
            .await?;
        match (existing, starred) {
            (None, true) => {
                message_star::ActiveModel {
                    tenant_id: Set(tenant.0),
                    user_id: Set(user_id),
                    message_id: Set(message_id),
                    starred_at: Set(Utc::now()),
                }
                .insert(&self.db)
                .await
                .map(|_| ())
                .or_else(|e| match StoreError::from(e) {
                    // Starred twice at once: starred.
                    StoreError::Conflict(_) => Ok(()),
                    other => Err(other),
                })?;
            }
            (Some(_), false) => {
                message_star::Entity::delete_many()
                    .filter(message_star::Column::TenantId.eq(tenant.0))
                    .filter(message_star::Column::UserId.eq(user_id))
                    .filter(message_star::Column::MessageId.eq(message_id))
                    .exec(&self.db)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// One person's starred messages, most recently starred first; the
    /// cursor is the message id of the last one shown.
    pub async fn starred(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        channel: Option<ChannelId>,
        page: PageRequest,
    ) -> Result<Vec<StarredRecord>, StoreError> {
        let mut cond = Condition::all()
            .add(message_star::Column::TenantId.eq(tenant.0))
            .add(message_star::Column::UserId.eq(user_id));
        if let Some(after) = page.after {
            let at = message_star::Entity::find()
                .select_only()
                .column(message_star::Column::StarredAt)
                .filter(message_star::Column::TenantId.eq(tenant.0))
                .filter(message_star::Column::UserId.eq(user_id))
                .filter(message_star::Column::MessageId.eq(after))
                .into_tuple::<DateTime<Utc>>()
                .one(&self.db)
                .await?;
            if let Some(at) = at {
                cond = cond.add(
                    Condition::any()
                        .add(message_star::Column::StarredAt.lt(at))
                        .add(
                            Condition::all()
                                .add(message_star::Column::StarredAt.eq(at))
                                .add(message_star::Column::MessageId.lt(after)),
                        ),
                );
            }
        }
        let mut out = Vec::new();
        let mut cursor_cond = cond;
        // Channel filtering happens after the join; read on until the page is full.
        loop {
            let stars = message_star::Entity::find()
                .filter(cursor_cond.clone())
                .order_by_desc(message_star::Column::StarredAt)
                .order_by_desc(message_star::Column::MessageId)
                .limit(page.limit)
                .all(&self.db)
                .await?;
            let Some(last) = stars.last().cloned() else {
                break;
            };
            let fetched = stars.len() as u64;
            let rows = message::Entity::find()
                .filter(message::Column::TenantId.eq(tenant.0))
                .filter(message::Column::Id.is_in(stars.iter().map(|s| s.message_id)))
                .all(&self.db)
                .await?;
            let conversation_ids: HashSet<Uuid> = rows.iter().map(|r| r.conversation_id).collect();
            let conversations: HashMap<Uuid, ConversationRecord> = dress(
                &self.db,
                tenant,
                conversation::Entity::find()
                    .filter(conversation::Column::TenantId.eq(tenant.0))
                    .filter(conversation::Column::DeletedAt.is_null())
                    .filter(conversation::Column::Id.is_in(conversation_ids))
                    .all(&self.db)
                    .await?,
            )
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
            let views: HashMap<Uuid, MessageView> = self
                .views(tenant, user_id, rows)
                .await?
                .into_iter()
                .map(|v| (v.message.id, v))
                .collect();
            for star in stars {
                let Some(view) = views.get(&star.message_id) else {
                    continue;
                };
                let Some(conversation) = conversations.get(&view.message.conversation_id) else {
                    continue;
                };
                if channel.is_some_and(|c| c != conversation.channel_id) {
                    continue;
                }
                out.push(StarredRecord {
                    view: view.clone(),
                    conversation: conversation.clone(),
                    starred_at: star.starred_at,
                });
                if out.len() as u64 == page.limit {
                    return Ok(out);
                }
            }
            if fetched < page.limit {
                break;
            }
            cursor_cond = Condition::all()
                .add(message_star::Column::TenantId.eq(tenant.0))
                .add(message_star::Column::UserId.eq(user_id))
                .add(
                    Condition::any()
                        .add(message_star::Column::StarredAt.lt(last.starred_at))
                        .add(
                            Condition::all()
                                .add(message_star::Column::StarredAt.eq(last.starred_at))
                                .add(message_star::Column::MessageId.lt(last.message_id)),
                        ),
                );
        }
        Ok(out)
    }

    /// Messages whose text matches `q`, newest first (at most `limit`).
    pub async fn search_messages(
        &self,
        tenant: TenantId,
        q: &str,
        limit: u64,
    ) -> Result<Vec<MessageHit>, StoreError> {
        let words: Vec<String> = q
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(50);
        let backend = self.db.get_database_backend();
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                "SELECT m.id, m.conversation_id, m.body, m.created_at FROM messages m \
                 JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL \
                 WHERE m.tenant_id = $1 AND to_tsvector('simple', coalesce(m.body, '')) @@ to_tsquery('simple', $2) \
                 ORDER BY m.id DESC LIMIT $3",
                [
                    tenant.0.into(),
                    words
                        .iter()
                        .map(|w| format!("{w}:*"))
                        .collect::<Vec<_>>()
                        .join(" & ")
                        .into(),
                    limit.into(),
                ],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                "SELECT m.id, m.conversation_id, m.body, m.created_at FROM message_search s \
                 JOIN messages m ON m.id = s.message_id \
                 JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL \
                 WHERE s.tenant_id = ? AND message_search MATCH ? \
                 ORDER BY m.id DESC LIMIT ?",
                [
                    tenant.0.into(),
                    words
                        .iter()
                        .map(|w| format!("\"{w}\"*"))
                        .collect::<Vec<_>>()
                        .join(" ")
                        .into(),
                    limit.into(),
                ],
            ),
        };
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            conversation_id: Uuid,
            body: Option<String>,
            created_at: DateTime<Utc>,
        }
        Ok(Row::find_by_statement(statement)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| MessageHit {
                conversation_id: r.conversation_id,
                message_id: r.id,
                body: r.body.unwrap_or_default(),
                at: r.created_at,
            })
            .collect())
    }

    /// Contacts with a conversation whose name or phone contains `q`.
    pub async fn contacts_matching(
        &self,
        tenant: TenantId,
        q: &str,
        limit: u64,
    ) -> Result<Vec<Uuid>, StoreError> {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut any = Condition::any().add(contains_ci(contact::Column::Name, q.trim()));
        if digits.len() >= 3 {
            any = any.add(contact::Column::Phone.contains(&digits));
        }
        Ok(contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::TenantId.eq(tenant.0))
            .filter(any)
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await?)
    }

    /// Conversations by id (search results), skipping deleted ones.
    pub async fn conversations_by_ids(
        &self,
        tenant: TenantId,
        ids: &[Uuid],
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = conversation::Entity::find()
            .filter(conversation::Column::TenantId.eq(tenant.0))
            .filter(conversation::Column::DeletedAt.is_null())
            .filter(conversation::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        dress(&self.db, tenant, rows).await
    }

    /// People of the workspace who may work conversations, for transfers.
    pub async fn conversation_agents(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<(Uuid, String)>, StoreError> {
        const PAGE: u64 = 1000;
        let view = domain::permissions::Permission::new(
            domain::permissions::Module::Conversations,
            domain::permissions::Action::Create,
        );
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let (members, _) = self
                .list_members(
                    tenant,
                    &crate::MemberFilter::default(),
                    PageRequest { after, limit: PAGE },
                )
                .await?;
            let full = members.len() as u64 == PAGE;
            after = members.last().map(|m| m.user.id.0);
            out.extend(
                members
                    .into_iter()
                    .filter(|m| {
                        m.status == domain::team::MemberStatus::Active
                            && m.role.permissions.contains(view)
                    })
                    .map(|m| (m.user.id.0, m.name().to_owned())),
            );
            if !full || after.is_none() {
                return Ok(out);
            }
        }
    }

    // ----- quick replies ---------------------------------------------------

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

    /// Saves a ticket (by its hash) that opens the stream once before `expires_at`.
    pub async fn create_stream_ticket(
        &self,
        tenant: TenantId,
        user_id: Uuid,
        ticket_hash: &str,
        expires_at: DateTime<Utc>,
        session: SessionVersion,
    ) -> Result<(), StoreError> {
        stream_ticket::Entity::delete_many()
            .filter(stream_ticket::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        stream_ticket::ActiveModel {
            ticket_hash: Set(ticket_hash.to_owned()),
            tenant_id: Set(tenant.0),
            user_id: Set(user_id),
            expires_at: Set(expires_at),
            account_version: Set(session.account),
            membership_version: Set(session.membership),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Uses a ticket up: answers whose it was and the session version it
    /// was issued under, once, while it is valid.
    pub async fn redeem_stream_ticket(
        &self,
        ticket_hash: &str,
    ) -> Result<Option<(TenantId, Uuid, SessionVersion)>, StoreError> {
        let row = stream_ticket::Entity::find_by_id(ticket_hash.to_owned())
            .one(&self.db)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let removed = stream_ticket::Entity::delete_many()
            .filter(stream_ticket::Column::TicketHash.eq(ticket_hash))
            .exec(&self.db)
            .await?
            .rows_affected;
        if removed == 0 || row.expires_at < Utc::now() {
            return Ok(None);
        }
        let session = SessionVersion {
            account: row.account_version,
            membership: row.membership_version,
        };
        Ok(Some((TenantId(row.tenant_id), row.user_id, session)))
    }
}

/// The PostgreSQL channel live events travel on between instances.
const LIVE_CHANNEL: &str = "switchboard_live";

impl Store {
    /// Whether events must travel between instances (PostgreSQL).
    pub fn shares_live_events(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Sends a live event's JSON to every instance listening (PostgreSQL
    /// NOTIFY; payloads must stay under 8,000 bytes).
    pub async fn notify_live(&self, payload: &str) -> Result<(), StoreError> {
        if !self.shares_live_events() {
            return Ok(());
        }
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [LIVE_CHANNEL.into(), payload.into()],
            ))
            .await?;
        Ok(())
    }

    /// Listens for other instances' live events (PostgreSQL only).
    pub async fn listen_live(
        &self,
    ) -> Result<Option<sea_orm::sqlx::postgres::PgListener>, StoreError> {
        if !self.shares_live_events() {
            return Ok(None);
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        listener
            .listen(LIVE_CHANNEL)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(Some(listener))
    }
}

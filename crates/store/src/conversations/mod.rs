//! Conversations and messages. An inbound message finds or creates its
//! contact and its conversation and is stored once per provider id, all in
//! one transaction; statuses only move forward (the rule is
//! [`MessageStatus::advance`], checked against the message read in the
//! same transaction, locked on PostgreSQL, so concurrent webhooks cannot
//! race it). Every query is scoped to a tenant.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::contact::Phone;
use domain::conversation::{
    in_history, preview, Control, ConversationState, Direction, MessageStatus, QuickReplyDraft,
    SessionStage,
};
use domain::team::SessionVersion;
use domain::{ChannelId, TenantId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

use crate::contacts::record;
use crate::entities::{
    channel, contact, conversation, message, message_star, quick_reply, stream_ticket,
};
use crate::like::contains_ci;
use crate::{PageRequest, Store, StoreError};

mod live;
mod messages;
mod quick_replies;
mod search;
mod statuses;
mod threads;

pub use statuses::{StatusOutcome, StatusReport};

pub use domain::conversation::{ConversationRecord, MessageRecord, MessageView};

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
        /// As the conversation shows it (nobody has starred it yet).
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
                last_preview: r.last_preview,
                last_direction: match r.last_direction.as_str() {
                    "" => None,
                    key => {
                        Some(Direction::parse(key).ok_or_else(|| corrupt("last_direction", key))?)
                    }
                },
                last_status: match r.last_status.as_str() {
                    "" => None,
                    key => {
                        Some(MessageStatus::parse(key).ok_or_else(|| corrupt("last_status", key))?)
                    }
                },
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

/// The PostgreSQL channel live events travel on between instances.
const LIVE_CHANNEL: &str = "switchboard_live";

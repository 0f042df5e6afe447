//! Conversations with customers, their messages, what
//! agents send, control of a conversation, starred messages, quick replies
//! and the live event stream.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A person of the tenant, by id and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

/// The customer of a conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationContact {
    pub id: Uuid,
    pub name: String,
    /// E.164.
    pub phone: String,
}

/// The latest message of a conversation, for the list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePreview {
    /// A line of text: the message's text, or its kind (`[image]`).
    pub text: String,
    /// `inbound` (the customer) or `outbound` (us).
    pub direction: String,
    pub status: String,
    pub at: DateTime<Utc>,
}

/// One conversation: a customer on one of our channels.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "channel_id": "0193a6b0-0000-7000-8000-000000000010",
    "channel_name": "Support line",
    "contact": {"id": "0193a6b0-0000-7000-8000-000000000020", "name": "Ravi Kumar", "phone": "+919812345678"},
    "state": "intervened",
    "in_history": false,
    "controller": {"id": "0193a6b0-0000-7000-8000-000000000002", "name": "Ana Silva"},
    "chatbot_enabled": false,
    "unread": 2,
    "last_message": {"text": "Is my order shipped?", "direction": "inbound", "status": "received", "at": "2026-11-26T09:12:00Z"},
    "last_inbound_at": "2026-11-26T09:12:00Z",
    "window_expires_at": "2026-11-27T09:12:00Z",
    "archived": false,
    "created_at": "2026-11-20T08:00:00Z",
    "updated_at": "2026-11-26T09:12:00Z"
})))]
pub struct Conversation {
    pub id: Uuid,
    pub channel_id: Uuid,
    pub channel_name: String,
    pub contact: ConversationContact,
    /// `bot` (the chatbot handles it), `requesting` (the customer or the
    /// flow asked for a person), `intervened` (a person controls it) or
    /// `resolved`.
    pub state: String,
    /// No customer message for 24 hours: listed under History until the
    /// customer writes again.
    pub in_history: bool,
    /// The person in control, when someone took it.
    pub controller: Option<PersonRef>,
    pub chatbot_enabled: bool,
    /// Customer messages nobody has opened yet.
    pub unread: u32,
    pub last_message: Option<MessagePreview>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// Until when free-form messages may be sent (24 hours after the
    /// customer's last message); `null` when the customer never wrote.
    pub window_expires_at: Option<DateTime<Utc>>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of conversations, most recent activity first.
pub type ConversationPage = crate::Page<Conversation>;

/// A file shown in a message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageMedia {
    /// The gallery file holding the bytes.
    pub media_id: Uuid,
    /// `image`, `video`, `audio`, `document` or `sticker`.
    pub kind: String,
    pub mime_type: String,
    pub name: String,
    pub size_bytes: u64,
    /// A signed same-origin link, usable as `<img src>`.
    pub url: String,
}

/// A shared location.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// The message a reply quotes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotedMessage {
    pub id: Uuid,
    pub direction: String,
    pub text: String,
}

/// Why the provider refused or could not deliver a message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageError {
    /// The provider's code (Meta `131047`, Twilio `63016`) or ours.
    pub code: String,
    pub title: String,
    pub detail: Option<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c40",
    "conversation_id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c3d",
    "direction": "outbound",
    "kind": "text",
    "text": "Your order left the warehouse this morning.",
    "status": "delivered",
    "sent_by": {"id": "0193a6b0-0000-7000-8000-000000000002", "name": "Ana Silva"},
    "starred": false,
    "created_at": "2026-11-26T09:13:00Z",
    "status_at": "2026-11-26T09:13:02Z"
})))]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// `inbound` (the customer) or `outbound` (us).
    pub direction: String,
    /// `text`, `image`, `video`, `audio`, `document`, `sticker`,
    /// `location`, `contacts`, `reaction`, `button`, `button_reply`,
    /// `list_reply`, `template`, `interactive` or `unsupported`.
    pub kind: String,
    /// The text, caption, reply title or rendered template body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MessageMedia>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<MessageLocation>,
    /// Reactions: the emoji (empty when removed) and the message it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<String>,
    /// Shared contacts: a line per contact (name and phones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// Interactive messages we sent: the button or row titles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Templates we sent: name and language, e.g. `order_update (en_US)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<QuotedMessage>,
    /// Inbound: `received`. Outbound: `pending`, `sent`, `delivered`,
    /// `read` or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<MessageError>,
    /// Who sent it, for messages people sent from the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_by: Option<PersonRef>,
    /// Whether the signed-in person starred it.
    pub starred: bool,
    pub created_at: DateTime<Utc>,
    pub status_at: Option<DateTime<Utc>>,
}

/// A page of messages, newest first; `next_cursor` reaches older ones.
pub type MessagePage = crate::Page<Message>;

/// A reply button of an interactive message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ButtonInput {
    /// Up to 256 characters; comes back in the customer's reply.
    pub id: String,
    /// Up to 20 characters.
    pub title: String,
}

/// A row of a list message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListRowInput {
    pub id: String,
    /// Up to 24 characters.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A section of a list message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListSectionInput {
    #[serde(default)]
    pub title: Option<String>,
    pub rows: Vec<ListRowInput>,
}

/// What an agent sends.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SendContent {
    /// Up to 4,096 characters; `*bold*`, `_italic_`, `~strike~` and
    /// ```` ```monospace``` ```` work as in WhatsApp.
    Text { text: String },
    /// A gallery file, with a caption for images, videos and documents.
    Media {
        media_id: Uuid,
        #[serde(default)]
        caption: Option<String>,
    },
    /// An approved template; `variables` fill it, keyed as the template
    /// preview names them (`body.1`, `header.1`, `buttons[0]`).
    Template {
        template_id: Uuid,
        #[serde(default)]
        variables: BTreeMap<String, String>,
    },
    /// Up to three reply buttons under a text.
    Buttons {
        body: String,
        buttons: Vec<ButtonInput>,
    },
    /// A menu of rows in sections, opened by a button.
    List {
        body: String,
        button: String,
        sections: Vec<ListSectionInput>,
    },
}

/// A message to send in a conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "content": {"type": "text", "text": "Hi *Ravi*, your order is on its way."},
    "reply_to": null
})))]
pub struct SendMessageRequest {
    pub content: SendContent,
    /// A message of this conversation to quote.
    #[serde(default)]
    pub reply_to: Option<Uuid>,
}

/// Hands a conversation to another person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub user_id: Uuid,
}

/// Turns the chatbot on or off for one conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChatbotToggle {
    pub enabled: bool,
}

/// A starred message with where it was said.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StarredMessage {
    pub message: Message,
    pub channel_id: Uuid,
    pub channel_name: String,
    pub contact_name: String,
    /// Who said it (`Ravi Kumar`, or the agent / channel for ours).
    pub sender: String,
    /// Who it was said to.
    pub recipient: String,
    pub starred_at: DateTime<Utc>,
}

/// A page of starred messages, most recently starred first.
pub type StarredPage = crate::Page<StarredMessage>;

/// A conversation found by search, with the matching message when the
/// text matched.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub conversation: Conversation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    /// The matching text with hits wrapped in `<mark>` and `</mark>`;
    /// everything else is escaped HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// A saved answer agents insert with `/shortcut`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193a6b0-7f7e-7c4e-9d7c-3f1f3a1b2c50",
    "shortcut": "hours",
    "body": "We are open *Monday to Friday*, 9:00 to 18:00.",
    "channel_ids": [],
    "created_at": "2026-11-20T08:00:00Z",
    "updated_at": "2026-11-20T08:00:00Z"
})))]
pub struct QuickReply {
    pub id: Uuid,
    /// Typed after `/`: letters, digits, `-` and `_`.
    pub shortcut: String,
    pub body: String,
    /// Channels it is offered on; empty means all.
    pub channel_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Creates or replaces a quick reply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "shortcut": "hours",
    "body": "We are open *Monday to Friday*, 9:00 to 18:00.",
    "channel_ids": []
})))]
#[serde(deny_unknown_fields)]
pub struct QuickReplyInput {
    pub shortcut: String,
    pub body: String,
    #[serde(default)]
    pub channel_ids: Vec<Uuid>,
}

/// Several ids at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdList {
    pub ids: Vec<Uuid>,
}

/// How many things a bulk action changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Affected {
    pub affected: u64,
}

/// A single-use ticket that opens the event stream (`GET /events?ticket=`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamTicket {
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
}

/// A message's delivery moved on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub status: String,
    pub error: Option<MessageError>,
    pub at: DateTime<Utc>,
}

/// One event of the live stream. Each is sent as an SSE event whose
/// `event:` is the `type` and whose `data:` is this JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
// Events live only while they are encoded or handled; boxing would only
// make every match longer.
#[allow(clippy::large_enum_variant)]
pub enum LiveEvent {
    /// A message arrived or was sent.
    Message {
        message: Message,
        conversation: Conversation,
    },
    /// A sent message's status changed.
    Status(StatusChange),
    /// A conversation's state, control or flags changed.
    Conversation { conversation: Conversation },
    /// Something happened that the person should know about.
    Notification {
        notification: crate::notifications::Notification,
    },
}
